"""Tensors made like another one: ``x.new_zeros(2, 3)``, ``x.new_full(...)``,
``x.new_tensor(data)`` take x's dtype (and device) unless told otherwise."""

from __future__ import annotations

import warnings
from typing import Any

import numpy

from neuralab import device as _device
from neuralab.ops.shape import _shape_arg
from neuralab.tensor import Tensor


def _make(array: Any, requires_grad: bool) -> Tensor:
    out = Tensor._from_array(array)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _size(size: tuple, who: str) -> tuple[int, ...]:
    shape = _shape_arg(size)
    if any(not isinstance(n, (int, numpy.integer)) or n < 0 for n in shape):
        raise ValueError(f"{who}: expected a size of non-negative ints, got {shape}")
    return tuple(int(n) for n in shape)


def _dtype(self: Tensor, dtype: Any, device: Any, who: str) -> numpy.dtype:
    _device.check(device, who)
    return self._data.dtype if dtype is None else numpy.dtype(dtype)


def new_zeros(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Zeros of the given size, with self's dtype unless ``dtype`` is given."""
    dt = _dtype(self, dtype, device, "new_zeros")
    return _make(numpy.zeros(_size(size, "new_zeros"), dt), requires_grad)


def new_ones(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Ones of the given size, with self's dtype unless ``dtype`` is given."""
    dt = _dtype(self, dtype, device, "new_ones")
    return _make(numpy.ones(_size(size, "new_ones"), dt), requires_grad)


def new_empty(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A tensor of the given size whose values are unspecified (neuralab gives zeros)."""
    dt = _dtype(self, dtype, device, "new_empty")
    return _make(numpy.zeros(_size(size, "new_empty"), dt), requires_grad)


def new_full(
    self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
    requires_grad: bool = False, layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with self's dtype unless ``dtype`` is given."""
    dt = _dtype(self, dtype, device, "new_full")
    shape = _size((size,), "new_full")
    return _make(numpy.full(shape, _value(fill_value), dt), requires_grad)


def new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A copy of ``data`` as a new leaf tensor with self's dtype unless ``dtype`` is given."""
    dt = _dtype(self, dtype, device, "new_tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.clone().detach() rather than tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data._data
    return _make(numpy.array(data, dtype=dt), requires_grad)


def _value(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x
