"""Making tensors: from data, filled with constants, ranges, or random numbers.

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
    """A tensor from data, always a copy (as ``torch.tensor``).

    Arrays keep their dtype; Python floats become float32 (the default), ints int64, bools
    bool.

    Args:
        data: A number, a nested list, a NumPy array or a Tensor.
        dtype: The dtype; None infers it. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.
        pin_memory: Accepted; no effect. Defaults to False.

    Returns:
        A new Tensor.

    Raises:
        DataTypeError: Data that holds no numbers (strings, None).
        ConversionError: Ragged nested lists, or an int too large for the dtype.
        RuntimeError: requires_grad with a dtype that is not floating.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]], dtype=int64)
        >>> nl.tensor([0.5, 1.5], requires_grad=True)
        tensor([0.5, 1.5], requires_grad=True)
    """
    _check_device(device, "tensor")
    if isinstance(data, Tensor):
        data = data._data
    array = numpy.array(data, copy=True) if isinstance(data, numpy.ndarray) else data
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing memory with ``data`` where it can (an array of the same dtype).

    Args:
        data: A number, a nested list, a NumPy array or a Tensor.
        dtype: The dtype; None infers it. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.

    Returns:
        A Tensor (``data`` itself for a Tensor of that dtype).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> a = np.zeros(2, dtype=np.float32)
        >>> t = nl.as_tensor(a)
        >>> a[0] = 1
        >>> t
        tensor([1., 0.])
    """
    _check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return Tensor(data, dtype=dtype)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor that shares memory with a NumPy array and keeps its dtype exactly.

    Args:
        array: A NumPy array of numbers or bools.

    Returns:
        A Tensor over the same memory.

    Raises:
        TypeError: Not a NumPy array, or an array of another kind (strings, objects).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> t = nl.from_numpy(np.arange(3, dtype=np.int16))
        >>> t.dtype
        dtype('int16')
    """
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
    """A tensor of zeros.

    Args:
        *size: The shape, as ints or one tuple/list (``f(2, 3)``, ``f((2, 3))``).
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        **kw: ``size=`` (instead of *size), ``requires_grad``, and PyTorch's ``layout``,
            ``pin_memory``, ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        ValueError: A shape that is not non-negative ints.
        TypeError: An unexpected keyword argument.
        NotImplementedError: A device other than the CPU.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3).shape, nl.zeros((2,), dtype=nl.float64).dtype
        ((2, 3), dtype('float64'))
    """
    return _filled(numpy.zeros, size, kw, dtype, device, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, **kw: Any) -> Tensor:
    """A tensor of ones.

    Args:
        *size: The shape, as ints or one tuple/list (``f(2, 3)``, ``f((2, 3))``).
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        **kw: ``size=`` (instead of *size), ``requires_grad``, and PyTorch's ``layout``,
            ``pin_memory``, ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        ValueError: A shape that is not non-negative ints.
        TypeError: An unexpected keyword argument.
        NotImplementedError: A device other than the CPU.

    Examples:
        >>> import neuralab as nl
        >>> nl.ones(2)
        tensor([1., 1.])
    """
    return _filled(numpy.ones, size, kw, dtype, device, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, **kw: Any) -> Tensor:
    """An "uninitialized" tensor: here zeros, so nothing random leaks into results.

    Args:
        *size: The shape, as ints or one tuple/list (``f(2, 3)``, ``f((2, 3))``).
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        **kw: ``size=`` (instead of *size), ``requires_grad``, and PyTorch's ``layout``,
            ``pin_memory``, ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        ValueError: A shape that is not non-negative ints.
        TypeError: An unexpected keyword argument.
        NotImplementedError: A device other than the CPU.

    Examples:
        >>> import neuralab as nl
        >>> nl.empty(2, 2).shape
        (2, 2)
    """
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
    """A tensor of ``fill_value``; its dtype follows the value (bool, int64, float32).

    Args:
        size: The shape, a tuple or list of ints.
        fill_value: The value.
        dtype: The dtype; None for the value's kind. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A new Tensor.

    Raises:
        TypeError: A fill_value that is not a number.
        ValueError: A bad shape, or a value the dtype cannot hold.

    Examples:
        >>> import neuralab as nl
        >>> nl.full((2,), 7)
        tensor([7, 7], dtype=int64)
        >>> nl.full((2,), 0.5)
        tensor([0.5, 0.5])
    """
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
    """A tensor of zeros, of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        dtype: The dtype; None for t's. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.
        **_: PyTorch's ``layout`` and ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: ``t`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros_like(nl.ones(2, dtype=nl.float64))
        tensor([0., 0.], dtype=float64)
    """
    return _make(numpy.zeros(*_like(t, dtype)), requires_grad, device, "zeros_like")


def ones_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any
) -> Tensor:
    """A tensor of ones, of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        dtype: The dtype; None for t's. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.
        **_: PyTorch's ``layout`` and ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: ``t`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.ones_like(nl.tensor([1, 2]))
        tensor([1, 1], dtype=int64)
    """
    return _make(numpy.ones(*_like(t, dtype)), requires_grad, device, "ones_like")


def empty_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any
) -> Tensor:
    """A tensor of zeros (``empty``), of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        dtype: The dtype; None for t's. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.
        **_: PyTorch's ``layout`` and ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: ``t`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.empty_like(nl.ones(3)).shape
        (3,)
    """
    return _make(numpy.zeros(*_like(t, dtype)), requires_grad, device, "empty_like")


def full_like(
    t: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **_: Any,
) -> Tensor:
    """A tensor filled with ``fill_value``, of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        fill_value: The value.
        dtype: The dtype; None for t's. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.
        **_: PyTorch's ``layout`` and ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: ``t`` is not a Tensor, or fill_value is not a number.
        ValueError: A value the dtype cannot hold.

    Examples:
        >>> import neuralab as nl
        >>> nl.full_like(nl.zeros(2), 3.5)
        tensor([3.5, 3.5])
    """
    shape, dtype = _like(t, dtype)
    fill_value = _fill(fill_value, dtype, "full_like")
    return _make(numpy.full(shape, fill_value, dtype), requires_grad, device, "full_like")


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A 2-d tensor with ones on the diagonal and zeros elsewhere.

    Args:
        n: Number of rows.
        m: Number of columns; None for n. Defaults to None.
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A new Tensor of shape (n, m).

    Examples:
        >>> import neuralab as nl
        >>> nl.eye(2, 3)
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    return _make(numpy.eye(n, m, dtype=_float(dtype)), requires_grad, device, "eye")


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from start (inclusive) to end (exclusive) by step.

    ``arange(end)`` starts at 0. Ints give int64, floats the default float dtype.

    Args:
        start: First value (or end when end is None).
        end: The bound, not included. Defaults to None.
        step: The difference between values, not 0. Defaults to 1.
        dtype: The dtype; None infers it. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A 1-d Tensor.

    Raises:
        ValueError: A zero or non-finite step, non-finite bounds, or a step of the wrong
            sign.

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(4)
        tensor([0, 1, 2, 3], dtype=int64)
        >>> nl.arange(0, 1, 0.25)
        tensor([0.  , 0.25, 0.5 , 0.75])
    """
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
    """``steps`` values evenly spaced from start to end, both included.

    Args:
        start: First value.
        end: Last value.
        steps: Number of values.
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A 1-d Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.linspace(0, 1, 5)
        tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
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
    """Samples of the standard normal distribution N(0, 1).

    Args:
        *size: The shape, as ints or one tuple/list (``f(2, 3)``, ``f((2, 3))``).
        generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
            global generator (``neuralab.manual_seed``). Defaults to None.
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        **kw: ``size=`` (instead of *size), ``requires_grad``, and PyTorch's ``layout``,
            ``pin_memory``, ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: A dtype that is not floating, or an unexpected keyword argument.
        ValueError: A shape that is not non-negative ints.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> a = nl.randn(2, 3)
        >>> _ = nl.manual_seed(0)
        >>> a.shape, bool((nl.randn(2, 3) == a).all())
        ((2, 3), True)
    """
    return _random(
        lambda rng, s: rng.standard_normal(s, dtype=numpy.float64), size, kw, dtype, device,
        generator, "randn",
    )  # fmt: skip


def rand(
    *size: Any, generator: Any = None, dtype: Any = None, device: Any = None, **kw: Any
) -> Tensor:
    """Samples of the uniform distribution on [0, 1).

    Args:
        *size: The shape, as ints or one tuple/list (``f(2, 3)``, ``f((2, 3))``).
        generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
            global generator (``neuralab.manual_seed``). Defaults to None.
        dtype: A floating dtype; None for the default (float32). Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        **kw: ``size=`` (instead of *size), ``requires_grad``, and PyTorch's ``layout``,
            ``pin_memory``, ``memory_format`` (ignored).

    Returns:
        A new Tensor.

    Raises:
        TypeError: A dtype that is not floating, or an unexpected keyword argument.
        ValueError: A shape that is not non-negative ints.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.rand(1000, generator=0)
        >>> bool(x.min() >= 0 and x.max() < 1)
        True
    """
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
    """Integers drawn uniformly from [low, high).

    Called as ``randint(high, size)`` or ``randint(low, high, size)``.

    Args:
        *args: ``high, size`` or ``low, high, size`` (size a tuple).
        low: Lowest value, as a keyword. Defaults to None (0).
        high: One past the highest value, as a keyword. Defaults to None.
        size: The shape, as a keyword. Defaults to None.
        generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
            global generator (``neuralab.manual_seed``). Defaults to None.
        dtype: The dtype. Defaults to None (int64).
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A new Tensor.

    Raises:
        TypeError: Arguments in neither form, or bounds that are not ints.
        ValueError: high <= low.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.randint(3, 7, (100,), generator=0)
        >>> x.dtype, int(x.min()) >= 3, int(x.max()) < 7
        (dtype('int64'), True, True)
    """
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
    """A random permutation of 0..n-1.

    Args:
        n: Number of values.
        generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
            global generator (``neuralab.manual_seed``). Defaults to None.
        dtype: The dtype. Defaults to None (int64).
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A 1-d Tensor.

    Raises:
        ValueError: n is not a non-negative int.

    Examples:
        >>> import neuralab as nl
        >>> sorted(nl.randperm(5, generator=0).tolist())
        [0, 1, 2, 3, 4]
    """
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
    """Samples of N(mean, std^2): numbers with ``size``, or tensors of means / stds.

    Args:
        mean: The mean, a number or a tensor. Defaults to 0.0.
        std: The standard deviation, a number or a tensor (>= 0). Defaults to 1.0.
        size: The shape, needed when mean and std are numbers. Defaults to None.
        generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
            global generator (``neuralab.manual_seed``). Defaults to None.
        dtype: A floating dtype; None for mean's or std's, else float32. Defaults to None.
        device: Only the CPU (``None``, ``"cpu"``) is accepted. Defaults to None.
        requires_grad: Record operations on the result for backward. Defaults to False.

    Returns:
        A new Tensor.

    Raises:
        TypeError: mean and std are numbers and size is not given.
        RuntimeError: A std < 0 or NaN.

    Examples:
        >>> import neuralab as nl
        >>> nl.normal(2.0, 0.0, size=(3,))
        tensor([2., 2., 2.])
        >>> nl.normal(nl.tensor([0.0, 10.0]), 0.0)
        tensor([ 0., 10.])
    """
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
    """Standard normal samples N(0, 1), of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        dtype: The dtype; None for t's. Defaults to None.
        **kw: ``generator``, ``device``, ``requires_grad`` as for the function without ``_like``.

    Returns:
        A new Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.randn_like(nl.zeros(2, 3)).shape
        (2, 3)
    """
    return randn(t.shape, dtype=dtype or t.dtype, **kw)


def rand_like(t: Tensor, dtype: Any = None, **kw: Any) -> Tensor:
    """Uniform samples on [0, 1), of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        dtype: The dtype; None for t's. Defaults to None.
        **kw: ``generator``, ``device``, ``requires_grad`` as for the function without ``_like``.

    Returns:
        A new Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.rand_like(nl.zeros(4, dtype=nl.float64)).dtype
        dtype('float64')
    """
    return rand(t.shape, dtype=dtype or t.dtype, **kw)


def randint_like(t: Tensor, *args: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Integers drawn uniformly from [low, high), of the shape and dtype of ``t``.

    Args:
        t: The tensor whose shape (and dtype) to copy.
        *args: ``high`` or ``low, high``.
        dtype: The dtype; None for t's. Defaults to None.
        **kw: ``generator``, ``device``, ``requires_grad`` as for the function without ``_like``.

    Returns:
        A new Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.randint_like(nl.zeros(3, dtype=nl.int64), 0, 2).shape
        (3,)
    """
    return randint(*args, size=t.shape, dtype=dtype or t.dtype, **kw)
