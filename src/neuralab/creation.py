"""Making tensors: from data, filled with constants, ranges, or random numbers drawn from
the global generator that ``neuralab.manual_seed`` resets."""

from __future__ import annotations

from typing import Any

import numpy

from neuralab import backend
from neuralab.tensor import Tensor


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor from data: arrays keep their dtype; Python floats become float32 (the
    default), ints int64 (as ``torch.as_tensor``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if any(not isinstance(n, (int, numpy.integer)) or n < 0 for n in size):
        raise ValueError(f"expected a shape of non-negative ints, got {size}")
    return tuple(size)


def _make(array: Any, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad)


def _float(dtype: Any) -> numpy.dtype:
    return backend.default_float() if dtype is None else numpy.dtype(dtype)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.zeros(_shape(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.ones(_shape(size), _float(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.full(_shape((size,)), fill_value, _float(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.zeros(t.shape, dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.ones(t.shape, dtype or t.dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(numpy.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """Values from start (inclusive) to end (exclusive); ints give int64, floats float32."""
    if end is None:
        start, end = 0, start
    return Tensor(numpy.arange(start, end, step), dtype=dtype)


def linspace(start: float, end: float, steps: int, dtype: Any = None) -> Tensor:
    return Tensor(numpy.linspace(start, end, steps, dtype=_float(dtype)))


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples N(0, 1)."""
    array = backend.generator().standard_normal(_shape(size), dtype=numpy.float64)
    return _make(array.astype(_float(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    array = backend.generator().random(_shape(size), dtype=numpy.float64)
    return _make(array.astype(_float(dtype)), requires_grad)


def randint(low: int, high: int, size: tuple, dtype: Any = None) -> Tensor:
    """Uniform integers on [low, high)."""
    array = backend.generator().integers(low, high, size=_shape((size,)))
    return Tensor(array, dtype=dtype or backend.int64)


def randperm(n: int) -> Tensor:
    """A random permutation of 0..n-1."""
    return Tensor(backend.generator().permutation(n))


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
