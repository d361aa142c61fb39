"""Keras's convolution layers, Conv1D and Conv2D, over ``neuralab.functional.conv2d``.

y[n, i, j, f] = activation(b[f] + sum over p, q, c of
                x_pad[n, s_h i + d_h p, s_w j + d_w q, g C_g + c] kernel[p, q, c, f])

for the group g = f // (filters / groups) of filter f, C_g = channels / groups the channels
of one group, and x_pad the input padded as Keras pads it ('valid': none; 'same': TensorFlow's
split, the odd pixel at the bottom / right; 'causal' (Conv1D): d (k - 1) before), see
``conv_utils``. The kernel keeps Keras's layout (kh, kw, C / groups, filters); the call reads
it as neuralab's (filters, C / groups, kh, kw) through a permuted view. Data is channels-last
(N, H, W, C) by default; ``data_format='channels_first'`` (N, C, H, W) is supported too.
Conv1D is the same op on (N, L, C) data with H = 1.
"""

from __future__ import annotations

from typing import Any

from neuralab import functional as F
from neuralab.keras import activations, regularizers
from neuralab.keras.layers import conv_utils as cu
from neuralab.keras.layers.core import _no_constraints, _positive_int
from neuralab.keras.layers.layer import Layer
from neuralab.tensor import Tensor


class BaseConv(Layer):
    """An N-D convolution layer (rank 1 or 2); Conv1D and Conv2D fix the rank."""

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, ...],
        strides: int | tuple[int, ...] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | tuple[int, ...] = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        who = type(self).__name__
        n = self.rank
        self.filters = _positive_int(filters, who, "filters")
        self.groups = _positive_int(groups, who, "groups")
        if self.filters % self.groups:
            raise ValueError(
                f"{who}: the number of filters must be evenly divisible by the number of "
                f"groups, received groups={self.groups}, filters={self.filters}"
            )
        self.kernel_size = cu.standardize_tuple(kernel_size, n, "kernel_size", who)
        self.strides = cu.standardize_tuple(strides, n, "strides", who)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, n, "dilation_rate", who)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{who}: `strides > 1` not supported in conjunction with `dilation_rate > 1`, "
                f"received strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.padding = cu.standardize_padding(padding, who, allow_causal=n == 1)
        self.data_format = cu.standardize_data_format(data_format, who)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = regularizers.get(activity_regularizer)
        _no_constraints(
            who,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            lora_rank=lora_rank,
            lora_alpha=lora_alpha,
        )

    # --- shapes -------------------------------------------------------------------------
    def _layout(self) -> str:
        axes = ["steps"] if self.rank == 1 else ["height", "width"]
        inner = ", ".join(axes)
        if self.data_format == "channels_last":
            return f"(batch, {inner}, channels)"
        return f"(batch, channels, {inner})"

    def _split(self, input_shape: Any) -> tuple[tuple, Any]:
        """(spatial sizes, channels) of an input shape, its rank checked."""
        who = f"{type(self).__name__} {self.name}"
        cu.check_rank(input_shape, self.rank + 2, who, self._layout())
        if self.data_format == "channels_last":
            return tuple(input_shape[1:-1]), input_shape[-1]
        return tuple(input_shape[2:]), input_shape[1]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """(batch, *out, filters) (channels-last): out per axis from ``conv_utils``."""
        spatial, _ = self._split(input_shape)
        out = tuple(
            cu.output_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )
        cu.check_output_positive(
            out, input_shape, f"{type(self).__name__} {self.name}", "kernel_size",
            self.kernel_size,
        )  # fmt: skip
        if self.data_format == "channels_last":
            return (input_shape[0], *out, self.filters)
        return (input_shape[0], self.filters, *out)

    # --- weights ------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        _, channels = self._split(input_shape)
        who = f"{type(self).__name__} {self.name}"
        if channels is None:
            raise ValueError(f"{who}: the channel axis of the input must be known, got None")
        if channels % self.groups:
            raise ValueError(
                f"{who}: the number of input channels must be evenly divisible by the number "
                f"of groups, received groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {tuple(input_shape)})"
            )
        self.compute_output_shape(input_shape)  # checks the input is large enough
        self.kernel = self.add_weight(
            (*self.kernel_size, channels // self.groups, self.filters),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = (
            self.add_weight(
                (self.filters,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                name="bias",
            )
            if self.use_bias
            else None
        )

    # --- the op -------------------------------------------------------------------------
    def call(self, inputs: Tensor) -> Tensor:
        spatial, channels = self._split(tuple(inputs.shape))
        expected = self.kernel.shape[-2] * self.groups
        if channels != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name}: expected inputs with {expected} channels "
                f"(data_format={self.data_format!r}), received shape {tuple(inputs.shape)}"
            )
        self.compute_output_shape(tuple(inputs.shape))  # input large enough
        pads = [
            cu.padding_amounts(n, k, s, d, self.padding)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        ]
        (top, bottom), (left, right) = cu.spatial_pads(pads)
        x = cu.to_nchw(inputs, self.rank, self.data_format)
        if top == bottom and left == right:
            padding: tuple[int, int] = (top, left)  # conv2d pads both sides alike
        else:
            x, padding = F.pad(x, (left, right, top, bottom)), (0, 0)
        y = F.conv2d(
            x,
            self._torch_kernel(),
            self.bias,
            stride=(1, *self.strides) if self.rank == 1 else self.strides,
            padding=padding,
            dilation=(1, *self.dilation_rate) if self.rank == 1 else self.dilation_rate,
            groups=self.groups,
        )
        return self.activation(cu.from_nchw(y, self.rank, self.data_format))

    def _torch_kernel(self) -> Tensor:
        """Keras's kernel (*k, C / groups, filters) viewed as (filters, C / groups, kh, kw)."""
        if self.rank == 1:
            return self.kernel.permute(2, 1, 0).unsqueeze(2)
        return self.kernel.permute(3, 2, 0, 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "use_bias": self.use_bias,
        }


class Conv2D(BaseConv):
    """2-D convolution on channels-last data.

    ``y[n, i, j, f] = activation(b[f] + sum_{p, q, c} x_pad[n, s_h i + d_h p,
    s_w j + d_w q, c] kernel[p, q, c, f])``

    ``x_pad`` is the padded input; with ``groups > 1`` each filter sees only the channels
    of its group. The kernel keeps Keras's layout (kh, kw, C / groups, filters).

    Args:
        filters: The number of output channels.
        kernel_size: The window size, an int or a tuple of 2 ints.
        strides: The step of the window, an int or a tuple of 2 ints. Defaults to 1.
        padding: 'valid' (none) or 'same' (output size ``ceil(L / s)``, the odd pixel at the end).
            Defaults to 'valid'.
        data_format: 'channels_last' ((N, H, W, C)) or 'channels_first' ((N, C, H, W)).
            Defaults to None (channels_last).
        dilation_rate: The spacing ``d`` of the kernel's taps, an int or a tuple of 2 ints. Defaults
            to 1.
        groups: The number of channel groups; ``filters`` and C must be divisible by it.
            Defaults to 1.
        activation: An activation name or function. Defaults to None (linear).
        use_bias: Whether to add a bias. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        lora_rank: Only None (LoRA is not supported). Defaults to None.
        lora_alpha: Only None. Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, H, W, C) (channels_last).
        - Output: (N, H_out, W_out, filters), with ``L_out = floor((L + pad - d (k - 1) - 1) / s) +
        1``
          along each spatial axis.

    Raises:
        ValueError: If an argument is malformed, ``filters`` or the input's channels are not
            divisible by ``groups``, strides and dilation are both > 1, or the input is too
            small for the kernel.
        NotImplementedError: If a constraint or LoRA is set, or ``padding`` is explicit.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.Conv2D(8, 3)
        >>> layer(np.ones((2, 28, 28, 1), "float32")).shape
        (2, 26, 26, 8)
        >>> layer.kernel.shape
        (3, 3, 1, 8)
    """

    rank = 2


class Conv1D(BaseConv):
    """1-D convolution on channels-last data.

    ``y[n, t, f] = activation(b[f] + sum_{p, c} x_pad[n, s t + d p, c] kernel[p, c, f])``

    ``x_pad`` is the padded input; with ``groups > 1`` each filter sees only the channels
    of its group. The kernel keeps Keras's layout (k, C / groups, filters).

    Args:
        filters: The number of output channels.
        kernel_size: The window size, an int or a tuple of 1 int.
        strides: The step of the window, an int or a tuple of 1 int. Defaults to 1.
        padding: 'valid' (none), 'same' (output size ``ceil(L / s)``) or 'causal' (``d (k - 1)``
            zeros before: output t sees inputs up to t only). Defaults to 'valid'.
        data_format: 'channels_last' ((N, L, C)) or 'channels_first' ((N, C, L)).
            Defaults to None (channels_last).
        dilation_rate: The spacing ``d`` of the kernel's taps, an int or a tuple of 1 int. Defaults
            to 1.
        groups: The number of channel groups; ``filters`` and C must be divisible by it.
            Defaults to 1.
        activation: An activation name or function. Defaults to None (linear).
        use_bias: Whether to add a bias. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        lora_rank: Only None (LoRA is not supported). Defaults to None.
        lora_alpha: Only None. Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, L, C) (channels_last).
        - Output: (N, L_out, filters), with ``L_out = floor((L + pad - d (k - 1) - 1) / s) + 1``
          along each spatial axis.

    Raises:
        ValueError: If an argument is malformed, ``filters`` or the input's channels are not
            divisible by ``groups``, strides and dilation are both > 1, or the input is too
            small for the kernel.
        NotImplementedError: If a constraint or LoRA is set, or ``padding`` is explicit.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.Conv1D(8, 3)
        >>> layer(np.ones((2, 10, 3), "float32")).shape
        (2, 8, 8)
        >>> layer.kernel.shape
        (3, 3, 8)
    """

    rank = 1
