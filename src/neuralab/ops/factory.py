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
    """Returns zeros of the given size, with ``self``'s dtype unless ``dtype`` is given.

    Args:
        self: the tensor whose dtype to take.
        *size: the shape, as ints or one tuple.
        dtype: the dtype. Keyword only. Defaults to None (``self``'s dtype).
        device: only the CPU (None or ``'cpu'``). Keyword only. Defaults to None.
        requires_grad: make the result a leaf that requires grad. Keyword only. Defaults to
            False.
        layout: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to None.
        pin_memory: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to
            False.

    Returns:
        A new tensor.

    Raises:
        NotImplementedError: if ``device`` names an accelerator.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2]).new_zeros(2, 3)
        tensor([[0, 0, 0],
                [0, 0, 0]], dtype=int64)
    """
    dt = _dtype(self, dtype, device, "new_zeros")
    return _make(numpy.zeros(_size(size, "new_zeros"), dt), requires_grad)


def new_ones(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Returns ones of the given size, with ``self``'s dtype unless ``dtype`` is given.

    Args:
        self: the tensor whose dtype to take.
        *size: the shape, as ints or one tuple.
        dtype: the dtype. Keyword only. Defaults to None (``self``'s dtype).
        device: only the CPU (None or ``'cpu'``). Keyword only. Defaults to None.
        requires_grad: make the result a leaf that requires grad. Keyword only. Defaults to
            False.
        layout: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to None.
        pin_memory: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to
            False.

    Returns:
        A new tensor.

    Raises:
        NotImplementedError: if ``device`` names an accelerator.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(1, dtype=nl.float64).new_ones(2)
        tensor([1., 1.], dtype=float64)
    """
    dt = _dtype(self, dtype, device, "new_ones")
    return _make(numpy.ones(_size(size, "new_ones"), dt), requires_grad)


def new_empty(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Returns a tensor of the given size with unspecified values (neuralab gives zeros).

    Args:
        self: the tensor whose dtype to take.
        *size: the shape, as ints or one tuple.
        dtype: the dtype. Keyword only. Defaults to None (``self``'s dtype).
        device: only the CPU (None or ``'cpu'``). Keyword only. Defaults to None.
        requires_grad: make the result a leaf that requires grad. Keyword only. Defaults to
            False.
        layout: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to None.
        pin_memory: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to
            False.

    Returns:
        A new tensor.

    Raises:
        NotImplementedError: if ``device`` names an accelerator.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(1).new_empty((2, 3)).shape
        (2, 3)
    """
    dt = _dtype(self, dtype, device, "new_empty")
    return _make(numpy.zeros(_size(size, "new_empty"), dt), requires_grad)


def new_full(
    self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
    requires_grad: bool = False, layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Returns a tensor of ``size`` filled with ``fill_value``, with ``self``'s dtype unless
    ``dtype`` is given.

    Args:
        self: the tensor whose dtype to take.
        size: the shape (a tuple).
        fill_value: the value.
        dtype: the dtype. Keyword only. Defaults to None (``self``'s dtype).
        device: only the CPU (None or ``'cpu'``). Keyword only. Defaults to None.
        requires_grad: make the result a leaf that requires grad. Keyword only. Defaults to
            False.
        layout: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to None.
        pin_memory: accepted for PyTorch compatibility; ignored. Keyword only. Defaults to
            False.

    Returns:
        A new tensor.

    Raises:
        NotImplementedError: if ``device`` names an accelerator.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(1).new_full((2,), 7.0)
        tensor([7., 7.])
    """
    dt = _dtype(self, dtype, device, "new_full")
    shape = _size((size,), "new_full")
    return _make(numpy.full(shape, _value(fill_value), dt), requires_grad)


def new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
    layout: Any = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """Returns a copy of ``data`` as a new leaf tensor, with ``self``'s dtype unless ``dtype`` is
    given.

    From a Tensor it warns, as PyTorch, to use ``source.clone().detach()``.

    Args:
        self: the tensor whose dtype to take.
        data: a list, array, number or Tensor.
        dtype: the dtype. Defaults to None (``self``'s dtype).
        device: only the CPU (None or ``'cpu'``). Defaults to None.
        requires_grad: make the result a leaf that requires grad. Defaults to False.
        layout: accepted for PyTorch compatibility; ignored. Defaults to None.
        pin_memory: accepted for PyTorch compatibility; ignored. Defaults to False.

    Returns:
        A new tensor.

    Raises:
        NotImplementedError: if ``device`` names an accelerator.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(1).new_tensor([1, 2])
        tensor([1., 2.])
    """
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
