"""Keras's pooling layers over ``neuralab.functional.max_pool2d`` / ``avg_pool2d`` and
reductions: MaxPooling1D/2D, AveragePooling1D/2D, GlobalAveragePooling1D/2D,
GlobalMaxPooling1D/2D. Channels-last data by default, 'channels_first' supported too.

Windows: output pixel (i, j) pools the input pixels (s_h i + p - top, s_w j + q - left),
0 <= p < k_h, 0 <= q < k_w; strides default to pool_size. With padding='same' the input is
padded as Keras pads it (TensorFlow's split, the odd pixel at the bottom / right; see
``conv_utils``) and only the input pixels count:

- max:     y = max over the window's input pixels (padding is -inf);
- average: y = (sum over the window's input pixels) / (their number), as TensorFlow and JAX
  compute it. (Keras 3.15's torch backend averages replicated edge pixels instead when the
  padding is uneven, keras-team/keras#23233; neuralab follows Keras's definition.)
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab import functional as F
from neuralab.keras.layers import conv_utils as cu
from neuralab.keras.layers.layer import Layer
from neuralab.tensor import Tensor


def _layout(rank: int, data_format: str) -> str:
    inner = "steps" if rank == 1 else "height, width"
    if data_format == "channels_last":
        return f"(batch, {inner}, channels)"
    return f"(batch, channels, {inner})"


def _spatial(shape: tuple, rank: int, data_format: str) -> tuple:
    return tuple(shape[1:-1] if data_format == "channels_last" else shape[2:])


class BasePooling(Layer):
    """Max or average pooling over windows of ``pool_size`` (rank 1 or 2)."""

    rank = 2
    mode = "max"

    def __init__(
        self,
        pool_size: int | tuple[int, ...] = 2,
        strides: int | tuple[int, ...] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        who = type(self).__name__
        self.pool_size = cu.standardize_tuple(pool_size, self.rank, "pool_size", who)
        self.strides = (
            self.pool_size
            if strides is None
            else cu.standardize_tuple(strides, self.rank, "strides", who)
        )
        self.padding = cu.standardize_padding(padding, who)
        self.data_format = cu.standardize_data_format(data_format, who)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(batch, *out, channels) (channels-last): 'valid': floor((n - k) / s) + 1,
        'same': ceil(n / s)."""
        who = f"{type(self).__name__} {self.name}"
        cu.check_rank(input_shape, self.rank + 2, who, _layout(self.rank, self.data_format))
        spatial = _spatial(input_shape, self.rank, self.data_format)
        out = tuple(
            cu.output_length(n, k, s, 1, self.padding)
            for n, k, s in zip(spatial, self.pool_size, self.strides)
        )
        cu.check_output_positive(out, input_shape, who, "pool_size", self.pool_size)
        if self.data_format == "channels_last":
            return (input_shape[0], *out, input_shape[-1])
        return (input_shape[0], input_shape[1], *out)

    def call(self, inputs: Tensor) -> Tensor:
        self.compute_output_shape(tuple(inputs.shape))  # rank and size checked
        spatial = _spatial(tuple(inputs.shape), self.rank, self.data_format)
        pads = [
            cu.padding_amounts(n, k, s, 1, self.padding)
            for n, k, s in zip(spatial, self.pool_size, self.strides)
        ]
        (top, bottom), (left, right) = cu.spatial_pads(pads)
        x = cu.to_nchw(inputs, self.rank, self.data_format)
        kernel = (1, *self.pool_size) if self.rank == 1 else self.pool_size
        stride = (1, *self.strides) if self.rank == 1 else self.strides
        if top == bottom and left == right:  # the fused ops pad both sides alike
            if self.mode == "max":
                y = F.max_pool2d(x, kernel, stride, padding=(top, left))
            else:
                y = F.avg_pool2d(x, kernel, stride, padding=(top, left), count_include_pad=False)
        elif self.mode == "max":
            x = F.pad(x, (left, right, top, bottom), value=-numpy.inf)
            y = F.max_pool2d(x, kernel, stride)
        else:
            x = F.pad(x, (left, right, top, bottom))
            window_sums = F.avg_pool2d(x, kernel, stride, divisor_override=1)
            y = window_sums * _inverse_counts(spatial, pads, kernel, stride, self.rank)
        return cu.from_nchw(y, self.rank, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


def _inverse_counts(spatial: tuple, pads: list, kernel: tuple, stride: tuple, rank: int) -> Tensor:
    """1 / (number of input pixels in each window), shape (OH, OW): per axis the window of
    output i covers [s i - before, s i - before + k), clipped to [0, n)."""
    sizes = (1, *spatial) if rank == 1 else spatial
    befores = (0, pads[0][0]) if rank == 1 else (pads[0][0], pads[1][0])
    counts = []
    for n, before, k, s in zip(sizes, befores, kernel, stride):
        out = (n - 1) // s + 1
        start = numpy.arange(out) * s - before
        counts.append(numpy.minimum(start + k, n) - numpy.maximum(start, 0))
    return Tensor._from_array((1.0 / numpy.outer(counts[0], counts[1])).astype(numpy.float32))


class MaxPooling2D(BasePooling):
    """2-D max pooling.

    ``y[n, i, j, c] = max_{p < k_h, q < k_w} x[n, s_h i + p, s_w j + q, c]``.

    Args:
        pool_size (int | tuple): The window size, an int or a tuple of 2 ints. Defaults to (2, 2).
        strides (int | tuple | None): The step of the window. Defaults to None
            (``pool_size``).
        padding (str): 'valid' (no padding) or 'same' (output size ``ceil(L / s)``). Defaults
            to 'valid'.
        data_format (str | None): 'channels_last' or 'channels_first'. Defaults to None
            (channels_last).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, H, W, C) (channels_last).
        - Output: (N, H_out, W_out, C), ``L_out = floor((L - k) / s) + 1`` ('valid') or
          ``ceil(L / s)`` ('same') along each spatial axis.

    Raises:
        ValueError: If an argument is malformed or the input has the wrong rank or is too
            small.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.MaxPooling2D()(np.ones((2, 28, 28, 3), "float32")).shape
        (2, 14, 14, 3)
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """2-D mean pooling.

    ``y[n, i, j, c] = mean_{p < k_h, q < k_w} x[n, s_h i + p, s_w j + q, c]`` ('same': the mean over
    the window's input pixels only, as Keras).

    Args:
        pool_size (int | tuple): The window size, an int or a tuple of 2 ints. Defaults to (2, 2).
        strides (int | tuple | None): The step of the window. Defaults to None
            (``pool_size``).
        padding (str): 'valid' (no padding) or 'same' (output size ``ceil(L / s)``). Defaults
            to 'valid'.
        data_format (str | None): 'channels_last' or 'channels_first'. Defaults to None
            (channels_last).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, H, W, C) (channels_last).
        - Output: (N, H_out, W_out, C), ``L_out = floor((L - k) / s) + 1`` ('valid') or
          ``ceil(L / s)`` ('same') along each spatial axis.

    Raises:
        ValueError: If an argument is malformed or the input has the wrong rank or is too
            small.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.AveragePooling2D()(np.ones((2, 28, 28, 3), "float32")).shape
        (2, 14, 14, 3)
    """

    rank, mode = 2, "average"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(BasePooling):
    """1-D max pooling.

    ``y[n, t, c] = max_{p < k} x[n, s t + p, c]``.

    Args:
        pool_size (int | tuple): The window size, an int or a tuple of 1 int. Defaults to 2.
        strides (int | tuple | None): The step of the window. Defaults to None
            (``pool_size``).
        padding (str): 'valid' (no padding) or 'same' (output size ``ceil(L / s)``). Defaults
            to 'valid'.
        data_format (str | None): 'channels_last' or 'channels_first'. Defaults to None
            (channels_last).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, L, C) (channels_last).
        - Output: (N, L_out, C), ``L_out = floor((L - k) / s) + 1`` ('valid') or
          ``ceil(L / s)`` ('same') along each spatial axis.

    Raises:
        ValueError: If an argument is malformed or the input has the wrong rank or is too
            small.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.MaxPooling1D()(np.ones((2, 10, 3), "float32")).shape
        (2, 5, 3)
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """1-D mean pooling.

    ``y[n, t, c] = mean_{p < k} x[n, s t + p, c]`` ('same': the mean over the window's input pixels
    only, as Keras).

    Args:
        pool_size (int | tuple): The window size, an int or a tuple of 1 int. Defaults to 2.
        strides (int | tuple | None): The step of the window. Defaults to None
            (``pool_size``).
        padding (str): 'valid' (no padding) or 'same' (output size ``ceil(L / s)``). Defaults
            to 'valid'.
        data_format (str | None): 'channels_last' or 'channels_first'. Defaults to None
            (channels_last).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, L, C) (channels_last).
        - Output: (N, L_out, C), ``L_out = floor((L - k) / s) + 1`` ('valid') or
          ``ceil(L / s)`` ('same') along each spatial axis.

    Raises:
        ValueError: If an argument is malformed or the input has the wrong rank or is too
            small.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.AveragePooling1D()(np.ones((2, 10, 3), "float32")).shape
        (2, 5, 3)
    """

    rank, mode = 1, "average"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """Mean or max over every spatial axis: (N, *spatial, C) -> (N, C), or
    (N, 1, ..., 1, C) with keepdims=True."""

    rank = 2
    mode = "average"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.data_format = cu.standardize_data_format(data_format, who)
        if not isinstance(keepdims, (bool, numpy.bool_)):
            raise TypeError(f"{who}: keepdims must be a bool, received {keepdims!r}")
        self.keepdims = bool(keepdims)

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        who = f"{type(self).__name__} {self.name}"
        cu.check_rank(input_shape, self.rank + 2, who, _layout(self.rank, self.data_format))
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:
            raise NotImplementedError(
                f"neuralab.keras: {type(self).__name__}(mask=...) (masking) is not supported"
            )
        self.compute_output_shape(tuple(inputs.shape))  # rank checked
        if self.mode == "max":
            return inputs.amax(dim=self._axes(), keepdim=self.keepdims)
        return inputs.mean(dim=self._axes(), keepdim=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global mean pooling: ``y[n, c] = mean over (h, w) of x[n, h, w, c]``.

    Args:
        data_format: 'channels_last' or 'channels_first'. Defaults to None (channels_last).
        keepdims: Whether to keep the spatial axes with size 1. Defaults to False.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, H, W, C) (channels_last).
        - Output: (N, C), or (N, 1, 1, C) with ``keepdims=True``.

    Raises:
        TypeError: If ``keepdims`` is not a bool.
        ValueError: If the input does not have rank 4.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 7, 7, 3), "float32")
        >>> keras.layers.GlobalAveragePooling2D()(x).shape
        (2, 3)
        >>> keras.layers.GlobalAveragePooling2D(keepdims=True)(x).shape
        (2, 1, 1, 3)
    """

    rank, mode = 2, "average"


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling: ``y[n, c] = max over (h, w) of x[n, h, w, c]`` (ties share the gradient).

    Args:
        data_format: 'channels_last' or 'channels_first'. Defaults to None (channels_last).
        keepdims: Whether to keep the spatial axes with size 1. Defaults to False.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, H, W, C) (channels_last).
        - Output: (N, C), or (N, 1, 1, C) with ``keepdims=True``.

    Raises:
        TypeError: If ``keepdims`` is not a bool.
        ValueError: If the input does not have rank 4.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 7, 7, 3), "float32")
        >>> keras.layers.GlobalMaxPooling2D()(x).shape
        (2, 3)
        >>> keras.layers.GlobalMaxPooling2D(keepdims=True)(x).shape
        (2, 1, 1, 3)
    """

    rank, mode = 2, "max"


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global mean pooling: ``y[n, c] = mean over t of x[n, t, c]``.

    Args:
        data_format: 'channels_last' or 'channels_first'. Defaults to None (channels_last).
        keepdims: Whether to keep the spatial axes with size 1. Defaults to False.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, L, C) (channels_last).
        - Output: (N, C), or (N, 1, C) with ``keepdims=True``.

    Raises:
        TypeError: If ``keepdims`` is not a bool.
        ValueError: If the input does not have rank 3.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 10, 3), "float32")
        >>> keras.layers.GlobalAveragePooling1D()(x).shape
        (2, 3)
        >>> keras.layers.GlobalAveragePooling1D(keepdims=True)(x).shape
        (2, 1, 3)
    """

    rank, mode = 1, "average"


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling: ``y[n, c] = max over t of x[n, t, c]`` (ties share the gradient).

    Args:
        data_format: 'channels_last' or 'channels_first'. Defaults to None (channels_last).
        keepdims: Whether to keep the spatial axes with size 1. Defaults to False.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, L, C) (channels_last).
        - Output: (N, C), or (N, 1, C) with ``keepdims=True``.

    Raises:
        TypeError: If ``keepdims`` is not a bool.
        ValueError: If the input does not have rank 3.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 10, 3), "float32")
        >>> keras.layers.GlobalMaxPooling1D()(x).shape
        (2, 3)
        >>> keras.layers.GlobalMaxPooling1D(keepdims=True)(x).shape
        (2, 1, 3)
    """

    rank, mode = 1, "max"
