"""Making tensors: from data, filled with constants, ranges, or random numbers, with
PyTorch's signatures (``size`` as ``*size`` or ``size=``; ``dtype``, ``device``,
``requires_grad``; ``generator`` on the random ones). Random numbers come from the global
generator that ``neuralab.manual_seed`` resets, or from a ``neuralab.Generator``.

``device`` is checked (only the CPU holds tensors; ``'cuda'`` raises NotImplementedError).
"""

from __future__ import annotations

import builtins
import math
import numbers
from typing import Any

import numpy

from neuralab import backend
from neuralab.device import check as _check_device
from neuralab.tensor import Tensor


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A tensor from data: arrays keep their dtype; Python floats become float32 (the
    default), ints int64 (as ``torch.as_tensor``). Always a copy, as ``torch.tensor``."""
    _check_device(device, "tensor")
    if isinstance(data, Tensor):
        data = data._data
    array = numpy.array(data, copy=True) if isinstance(data, numpy.ndarray) else data
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing memory with ``data`` where it can (an array of the same dtype)."""
    _check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return Tensor(data, dtype=dtype)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor that shares memory with a NumPy array and keeps its dtype exactly."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"from_numpy: can't convert an array of dtype {array.dtype}")
    return Tensor._from_array(array)


def _shape(size: tuple, keyword: Any = None, who: str = "size") -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(size=(2, 3))``."""
    if keyword is not None:
        if size:
            raise TypeError(f"{who}: size given both positionally and as size=")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = []
    for n in size:
        if isinstance(n, Tensor) and n._data.ndim == 0:
            n = n._data.item()
        if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"{who}: expected a shape of non-negative ints, got {size}")
        shape.append(int(n))
    return tuple(shape)


def _make(array: Any, requires_grad: bool, device: Any, who: str) -> Tensor:
    _check_device(device, who)
    return Tensor(array, requires_grad=requires_grad)


def _float(dtype: Any) -> numpy.dtype:
    return backend.default_float() if dtype is None else numpy.dtype(dtype)


def _kind_of(value: Any) -> numpy.dtype:
    """The dtype PyTorch infers for a Python scalar: bool, int64 or the default float."""
    if isinstance(value, (bool, numpy.bool_)):
        return backend.bool_
    if isinstance(value, numbers.Integral):
        return backend.int64
    return backend.default_float()


def zeros(*size: Any, dtype: Any = None, device: Any = None, **kw: Any) -> Tensor:
    return _filled(numpy.zeros, size, kw, dtype, device, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, **kw: Any) -> Tensor:
    return _filled(numpy.ones, size, kw, dtype, device, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, **kw: Any) -> Tensor:
    """Uninitialized values (here: zeros, so nothing random leaks into results)."""
    return _filled(numpy.zeros, size, kw, dtype, device, "empty")


def _filled(fill: Any, size: tuple, kw: dict, dtype: Any, device: Any, who: str) -> Tensor:
    requires_grad = kw.pop("requires_grad", False)
    shape = _shape(size, kw.pop("size", None), who)
    if kw.pop("out", None) is not None:
        raise NotImplementedError(f"{who}: out= is not supported; use the returned tensor")
    for ignored in ("layout", "pin_memory", "memory_format"):
        kw.pop(ignored, None)
    if kw:
        raise TypeError(f"{who}() got unexpected keyword arguments {sorted(kw)}")
    return _make(fill(shape, _float(dtype)), requires_grad, device, who)


def full(
    size: Any,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``fill_value``; its dtype follows the value (bool, int64, float32)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = _kind_of(fill_value) if dtype is None else numpy.dtype(dtype)
    return _make(
        numpy.full(_shape((size,), who="full"), _fill(fill_value, dtype, "full"), dtype),
        requires_grad,
        device,
        "full",
    )


def _fill(value: Any, dtype: numpy.dtype, who: str) -> Any:
    """Check a fill value: a number (or bool) that ``dtype`` can hold, as PyTorch does."""
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (numbers.Number, numpy.bool_)) or isinstance(value, str):
        raise TypeError(f"{who}: fill_value must be a number, got {type(value).__name__}")
    if dtype.kind in "iu" and not isinstance(value, (bool, numpy.bool_)):
        if isinstance(value, numbers.Real) and not math.isfinite(value):
            raise ValueError(f"{who}: fill_value {value} cannot be converted to {dtype}")
        info = numpy.iinfo(dtype)
        if isinstance(value, numbers.Real) and not info.min <= value <= info.max:
            raise ValueError(
                f"{who}: fill_value {value} cannot be converted to {dtype} without overflow"
            )
    return value


def _like(t: Any, dtype: Any) -> tuple[tuple, numpy.dtype]:
    if not isinstance(t, Tensor):
        raise TypeError(f"expected a Tensor, got {type(t).__name__}")
    return t.shape, numpy.dtype(dtype) if dtype is not None else t.dtype


def zeros_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any
) -> Tensor:
    return _make(numpy.zeros(*_like(t, dtype)), requires_grad, device, "zeros_like")


def ones_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any
) -> Tensor:
    return _make(numpy.ones(*_like(t, dtype)), requires_grad, device, "ones_like")


def empty_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any
) -> Tensor:
    return _make(numpy.zeros(*_like(t, dtype)), requires_grad, device, "empty_like")


def full_like(
    t: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **_: Any,
) -> Tensor:
    shape, dtype = _like(t, dtype)
    fill_value = _fill(fill_value, dtype, "full_like")
    return _make(numpy.full(shape, fill_value, dtype), requires_grad, device, "full_like")


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _make(numpy.eye(n, m, dtype=_float(dtype)), requires_grad, device, "eye")


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from start (inclusive) to end (exclusive); ints give int64, floats float32."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if not builtins.all(math.isfinite(v) for v in (start, end, step)):
        raise ValueError(f"arange: start, end and step must be finite, got {start}, {end}, {step}")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    values = numpy.arange(start, end, step)
    if dtype is None:
        integral = builtins.all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = backend.int64 if integral else backend.default_float()
    return _make(Tensor(values, dtype=dtype)._data, requires_grad, device, "arange")


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _make(
        numpy.linspace(start, end, steps, dtype=_float(dtype)), requires_grad, device, "linspace"
    )


def _random(
    draw: Any, size: tuple, kw: dict, dtype: Any, device: Any, generator: Any, who: str
) -> Tensor:
    """Shape, generator and flags of the random fills; ``draw(rng, shape)`` makes float64."""
    requires_grad = kw.pop("requires_grad", False)
    shape = _shape(size, kw.pop("size", None), who)
    for ignored in ("layout", "pin_memory"):
        kw.pop(ignored, None)
    if kw:
        raise TypeError(f"{who}() got unexpected keyword arguments {sorted(kw)}")
    dtype = _float(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating dtype, got {dtype}")
    array = draw(backend.generator(generator, who), shape).astype(dtype)
    return _make(array, requires_grad, device, who)


def randn(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, **kw: Any
) -> Tensor:
    """Standard normal samples N(0, 1)."""
    return _random(
        lambda rng, s: rng.standard_normal(s, dtype=numpy.float64), size, kw, dtype, device,
        generator, "randn",
    )  # fmt: skip


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, **kw: Any
) -> Tensor:
    """Uniform samples on [0, 1)."""
    return _random(
        lambda rng, s: rng.random(s, dtype=numpy.float64), size, kw, dtype, device,
        generator, "rand",
    )  # fmt: skip


def randint(
    *args: Any,
    low: int | None = None,
    high: int | None = None,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform integers on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        *args, size = args
    args = [*(v for v in (low,) if v is not None), *args, *(v for v in (high,) if v is not None)]
    if size is None or len(args) not in (1, 2):
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = (0, args[0]) if len(args) == 1 else args
    low, high = (v.item() if isinstance(v, Tensor) else v for v in (low, high))
    for name, v in (("low", low), ("high", high)):
        if not isinstance(v, (int, numpy.integer)) or isinstance(v, bool):
            raise TypeError(f"randint: {name} must be an int, got {v!r}")
    if high <= low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    rng = backend.generator(generator, "randint")
    array = rng.integers(low, high, size=_shape((size,), who="randint"))
    return _make(
        Tensor(array, dtype=dtype or backend.int64)._data, requires_grad, device, "randint"
    )


def randperm(
    n: int,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of 0..n-1."""
    if isinstance(n, bool) or not isinstance(n, (int, numpy.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    array = backend.generator(generator, "randperm").permutation(n)
    return _make(
        Tensor(array, dtype=dtype or backend.int64)._data, requires_grad, device, "randperm"
    )


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(mean, std^2): scalars with ``size``, or tensors of means / stds."""
    rng = backend.generator(generator, "normal")
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None:
        shape = numpy.broadcast_shapes(numpy.shape(m), numpy.shape(s))
        if shape == () and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
            raise TypeError("normal: give size= when mean and std are numbers")
    else:
        shape = _shape((size,), who="normal")
    if not numpy.all(numpy.asarray(s) >= 0):  # NaN fails too, as in PyTorch
        raise RuntimeError(
            f"normal: expected all std >= 0, got {s if numpy.ndim(s) == 0 else 'a std < 0 or NaN'}"
        )
    dtype = dtype or (
        mean.dtype if isinstance(mean, Tensor) else std.dtype if isinstance(std, Tensor) else None
    )
    array = rng.normal(m, s, shape).astype(_float(dtype))
    return _make(array, requires_grad, device, "normal")


def randn_like(t: Tensor, dtype: Any = None, **kw: Any) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, **kw)


def rand_like(t: Tensor, dtype: Any = None, **kw: Any) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, **kw)


def randint_like(t: Tensor, *args: Any, dtype: Any = None, **kw: Any) -> Tensor:
    return randint(*args, size=t.shape, dtype=dtype or t.dtype, **kw)
