"""Comparisons, logical reductions and masked filling.

``eq ne lt le gt ge`` compare elementwise with broadcasting and give boolean tensors that
carry no gradient; ``equal`` and ``allclose`` answer one Python bool for whole tensors;
``any``/``all`` reduce truth values; ``masked_fill`` replaces the masked places by a value
and passes the gradient to the places it kept.
"""

from __future__ import annotations

import builtins
from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.reduction import _alias, _axes
from neuralab.tensor import Tensor


def _array(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _compare(op: str, ufunc: str, input: Any, other: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    a, b = input._data, _array(other)
    xp = array_module(a)
    try:
        return Tensor._from_array(xp.asarray(getattr(xp, ufunc)(a, b)))
    except ValueError:
        raise ShapeError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(getattr(b, 'shape', ()))} do not broadcast"
        ) from None


def eq(input: Tensor, other: Any) -> Tensor:
    """input == other, elementwise (a boolean tensor)."""
    return _compare("eq", "equal", input, other)


def ne(input: Tensor, other: Any) -> Tensor:
    """input != other, elementwise."""
    return _compare("ne", "not_equal", input, other)


def lt(input: Tensor, other: Any) -> Tensor:
    """input < other, elementwise."""
    return _compare("lt", "less", input, other)


def le(input: Tensor, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return _compare("le", "less_equal", input, other)


def gt(input: Tensor, other: Any) -> Tensor:
    """input > other, elementwise."""
    return _compare("gt", "greater", input, other)


def ge(input: Tensor, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return _compare("ge", "greater_equal", input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and the same values (``torch.equal``)."""
    a, b = _array(input), _array(other)
    if a.shape != b.shape:
        return False
    return builtins.bool(array_module(a).array_equal(a, b))


def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """|input - other| <= atol + rtol |other|, elementwise."""
    a, b = _array(input), _array(other)
    try:
        close = array_module(a).isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise ShapeError(
            f"isclose: shapes {tuple(a.shape)} and {tuple(getattr(b, 'shape', ()))} "
            "do not broadcast"
        ) from None
    return Tensor._from_array(array_module(a).asarray(close))


def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True when every |input - other| <= atol + rtol |other| (shapes must broadcast)."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def _logical(op: str, input: Tensor, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Tensor:
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(op, dim, keepdim, axis, keepdims)
    a = input._data
    reduce = a.any if op == "any" else a.all
    if dim is None:
        out = reduce(axis=None, keepdims=keepdim)
    else:
        out = reduce(axis=_axes(dim, a.ndim, op), keepdims=keepdim)
    return Tensor._from_array(array_module(a).asarray(out))


def any(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """True where some element along dim (all axes when None) is nonzero."""
    return _logical("any", input, dim, keepdim, axis, keepdims)


def all(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """True where every element along dim (all axes when None) is nonzero."""
    return _logical("all", input, dim, keepdim, axis, keepdims)


def _bitwise(op: str, ufunc: str, input: Any, other: Any = None) -> Tensor:
    """A logical or bitwise op on bool or integer tensors (no gradient)."""
    a = _array(input)
    xp = array_module(a)
    a = xp.asarray(a)
    args = (a,) if other is None else (a, _array(other))
    if op.startswith("bitwise"):
        for x in args:
            if xp.asarray(x).dtype.kind not in "biu":
                raise TypeError(
                    f"{op}: expected bool or integer tensors, got {xp.asarray(x).dtype}"
                )
    return Tensor._from_array(xp.asarray(getattr(xp, ufunc)(*args)))


def logical_and(input: Tensor, other: Any) -> Tensor:
    """input and other, elementwise, as booleans (nonzero is True)."""
    return _bitwise("logical_and", "logical_and", input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    return _bitwise("logical_or", "logical_or", input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    return _bitwise("logical_xor", "logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    return _bitwise("logical_not", "logical_not", input)


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    """input & other on bool or integer tensors (``a & b``)."""
    return _bitwise("bitwise_and", "bitwise_and", input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    return _bitwise("bitwise_or", "bitwise_or", input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """~input: logical not of bools, bitwise not of integers."""
    return _bitwise("bitwise_not", "invert", input)


class MaskedFill(Function):
    """y = value where mask else a;  dy/da = 0 where mask, 1 elsewhere (the value is a
    constant)."""

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return array_module(a).where(mask, value, a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).where(ctx.mask, 0, grad),)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """A copy of input with ``value`` where ``mask`` (a boolean tensor broadcast against
    input) is true; differentiable with respect to input."""
    mask = _array(mask)
    if getattr(mask, "dtype", None) is None or mask.dtype.kind != "b":
        kind = getattr(mask, "dtype", type(mask).__name__)
        raise TypeError(f"masked_fill: only boolean masks are supported, got mask of {kind}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise ValueError(
                "masked_fill: only a 0-dimensional value tensor is supported, got one with "
                f"{value._data.ndim} dimension(s)"
            )
        value = value._data
    return MaskedFill.apply(input, mask=mask, value=value)


def nonzero(a: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements, in row-major order: an (n, ndim) int64 tensor, or
    with ``as_tuple=True`` one 1-D index tensor per dimension (``torch.nonzero``)."""
    data = a._data if isinstance(a, Tensor) else a
    xp = array_module(data)
    places = xp.nonzero(xp.atleast_1d(data))
    if as_tuple:
        return tuple(Tensor._from_array(p.astype(xp.int64)) for p in places)
    if data.ndim == 0:
        return Tensor._from_array(xp.zeros((int(bool(data)), 0), dtype=xp.int64))
    return Tensor._from_array(xp.stack(places, axis=1).astype(xp.int64))
