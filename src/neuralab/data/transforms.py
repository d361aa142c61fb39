"""Transforms: callables applied to a sample (or, when ``batched``, to a whole batch).

Names and semantics follow ``torchvision.transforms``: ``Compose``, ``Normalize``,
``Lambda``; ``ToFloat`` takes the place of ``ToTensor`` for arrays (uint8 in [0, 255] to
float32 in [0, 1]). They act on NumPy arrays (a Tensor in gives a Tensor out).

A transform with ``batched = True`` gives the same result on a stacked batch of samples
(leading axis N) as on each sample alone, because it acts elementwise or per channel
(the channel axis is -3: (C, H, W) for a sample, (N, C, H, W) for a batch). Datasets such
as MNIST use that to transform all their images with one vectorized call. A ``Lambda``
is assumed per-sample (it may be random) unless built with ``batched=True``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from neuralab import backend
from neuralab.tensor import Tensor

__all__ = ["Compose", "Lambda", "Normalize", "ToFloat", "is_batched"]


def is_batched(transform: Callable[..., Any] | None) -> bool:
    """Whether ``transform`` may be applied to a whole batch at once.

    Args:
        transform: A transform, or None (no transform, which is batched).

    Returns:
        True for None or a transform whose ``batched`` attribute is True.

    Examples:
        >>> from neuralab.data.transforms import Lambda, ToFloat, is_batched
        >>> is_batched(None), is_batched(ToFloat()), is_batched(Lambda(lambda x: x))
        (True, True, False)
    """
    return transform is None or getattr(transform, "batched", False) is True


def _unwrap(x: Any) -> tuple[Any, bool]:
    if isinstance(x, Tensor):
        return x._data, True
    if isinstance(x, (numbers.Number, numpy.generic)) or not hasattr(x, "dtype"):
        return numpy.asarray(x), False
    return x, False


class Compose:
    """Apply ``transforms`` one after the other: ``Compose([f, g])(x) == g(f(x))``.

    Batched when every transform is.

    Args:
        transforms: The callables, in order.

    Raises:
        TypeError: A transform that is not callable.

    Examples:
        >>> import numpy as np
        >>> from neuralab.data import Compose, Normalize, ToFloat
        >>> t = Compose([ToFloat(), Normalize(0.5, 0.5)])
        >>> t(np.array([0, 255], dtype=np.uint8)).tolist()
        [-1.0, 1.0]
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        transforms = list(transforms)
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"Compose: transform {i} must be callable, got {type(t).__name__}")
        self.transforms = transforms

    @property
    def batched(self) -> bool:
        """Whether every transform may be applied to a whole batch at once."""
        return all(is_batched(t) for t in self.transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class Lambda:
    """Apply a user function ``lambd``.

    Args:
        lambd: The function, of one sample (or batch).
        batched: Declare that ``lambd`` works on a whole batch as on each sample
            (elementwise, not random per sample). Defaults to False.

    Raises:
        TypeError: ``lambd`` is not callable.

    Examples:
        >>> import numpy as np
        >>> from neuralab.data import Lambda
        >>> Lambda(lambda x: x * 2, batched=True)(np.arange(3)).tolist()
        [0, 2, 4]
    """

    def __init__(self, lambd: Callable[[Any], Any], batched: bool = False) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: lambd must be callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self.batched = bool(batched)

    def __call__(self, x: Any) -> Any:
        return self.lambd(x)

    def __repr__(self) -> str:
        name = getattr(self.lambd, "__name__", type(self.lambd).__name__)
        return f"Lambda({name}, batched={self.batched})"


class ToFloat:
    """Integer pixels to floats: ``y = x * scale`` in ``dtype``.

    uint8 images in [0, 255] become [0, 1] with the default ``scale = 1/255``. Floating input
    is only cast to ``dtype``, not scaled (it is taken as already scaled), as
    ``torchvision.transforms.ToTensor`` does. Batched.

    Args:
        scale: Factor applied to integer input. Defaults to 1/255.
        dtype: The floating dtype of the result. Defaults to float32.

    Raises:
        TypeError: A scale that is not a number, or a dtype that is not floating.
        ValueError: A scale that is not finite.

    Examples:
        >>> import numpy as np
        >>> from neuralab.data import ToFloat
        >>> y = ToFloat()(np.array([0, 51, 255], dtype=np.uint8))
        >>> y.dtype, y.tolist()
        (dtype('float32'), [0.0, 0.2, 1.0])
    """

    batched = True

    def __init__(self, scale: float = 1.0 / 255.0, dtype: Any = backend.float32) -> None:
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
            raise TypeError(f"ToFloat: scale must be a number, got {scale!r}")
        if not numpy.isfinite(scale):
            raise ValueError(f"ToFloat: scale must be finite, got {scale}")
        dtype = numpy.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"ToFloat: dtype must be a floating dtype, got {dtype}")
        self.scale = float(scale)
        self.dtype = dtype

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        if array.dtype.kind in "iub":
            if self.scale == 1.0 / 255.0:  # x / 255 rounds exactly as torchvision's ToTensor
                out = numpy.divide(array, 255.0, dtype=self.dtype)
            else:
                out = numpy.multiply(array, self.scale, dtype=self.dtype)
        else:
            out = array.astype(self.dtype, copy=False)
        return Tensor(out) if was_tensor else out

    def __repr__(self) -> str:
        return f"ToFloat(scale={self.scale:g}, dtype={self.dtype})"


class Normalize:
    """Standardize: ``y = (x - mean) / std``.

    Per channel when ``mean`` / ``std`` are sequences of length C (the channel axis is -3:
    (C, H, W) or (N, C, H, W)), or over every element when they are numbers (or of length
    1). Input must be floating (apply ``ToFloat`` first to uint8 images); the result keeps
    its dtype (float32 stays float32). MNIST's usual values are
    ``Normalize(0.1307, 0.3081)``. Batched.

    Args:
        mean: The mean, one number or one per channel.
        std: The standard deviation, one number or one per channel (none zero).

    Raises:
        TypeError: A mean or std that is not numbers, or (on call) integer input.
        ValueError: Non-finite values, a zero std, lengths that differ, or (on call) an
            input whose channels do not match.

    Examples:
        >>> import numpy as np
        >>> from neuralab.data import Normalize
        >>> x = np.ones((2, 1, 1), dtype=np.float32)  # (C, H, W)
        >>> Normalize([0.5, 1.0], [0.5, 2.0])(x).ravel().tolist()
        [1.0, 0.0]
    """

    batched = True

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        self.mean = self._values(mean, "mean")
        self.std = self._values(std, "std")
        if self.mean.size != self.std.size and 1 not in (self.mean.size, self.std.size):
            raise ValueError(
                f"Normalize: mean has {self.mean.size} values but std has {self.std.size}; "
                "give one per channel (or a single number) for both"
            )
        if numpy.any(self.std == 0):
            raise ValueError(f"Normalize: std must not be zero, got {self.std.tolist()}")

    @staticmethod
    def _values(value: Any, name: str) -> numpy.ndarray:
        try:
            array = numpy.asarray(value, dtype=numpy.float64).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(
                f"Normalize: {name} must be a number or a sequence of numbers, got {value!r}"
            ) from None
        if array.size == 0 or not numpy.all(numpy.isfinite(array)):
            raise ValueError(f"Normalize: {name} must be finite numbers, got {value!r}")
        return array

    def __call__(self, x: Any) -> Any:
        array, was_tensor = _unwrap(x)
        if array.dtype.kind != "f":
            raise TypeError(
                f"Normalize: expected floating input, got {array.dtype}; convert integer "
                "images first, e.g. Compose([ToFloat(), Normalize(mean, std)])"
            )
        channels = max(self.mean.size, self.std.size)
        if channels == 1:
            out = (array - float(self.mean[0])) / float(self.std[0])  # keeps the dtype
        else:
            if array.ndim < 3 or array.shape[-3] != channels:
                raise ValueError(
                    f"Normalize: {channels} channel values need input of shape (..., "
                    f"{channels}, H, W), got shape {tuple(array.shape)}"
                )
            mean = numpy.broadcast_to(self.mean, (channels,)).astype(array.dtype)
            std = numpy.broadcast_to(self.std, (channels,)).astype(array.dtype)
            out = (array - mean[:, None, None]) / std[:, None, None]
        return Tensor(out) if was_tensor else out

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"
