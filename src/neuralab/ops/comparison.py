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
    """Compares element-wise with broadcasting: input == other.

    Also ``input == other``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]).eq(2)
        tensor([False,  True, False], dtype=bool)
    """
    return _compare("eq", "equal", input, other)


def ne(input: Tensor, other: Any) -> Tensor:
    """Compares element-wise with broadcasting: input != other.

    Also ``input != other, not_equal``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]) != 2
        tensor([ True, False,  True], dtype=bool)
    """
    return _compare("ne", "not_equal", input, other)


def lt(input: Tensor, other: Any) -> Tensor:
    """Compares element-wise with broadcasting: input < other.

    Also ``input < other, less``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]).lt(2)
        tensor([ True, False, False], dtype=bool)
    """
    return _compare("lt", "less", input, other)


def le(input: Tensor, other: Any) -> Tensor:
    """Compares element-wise with broadcasting: input <= other.

    Also ``input <= other, less_equal``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]).le(2)
        tensor([ True,  True, False], dtype=bool)
    """
    return _compare("le", "less_equal", input, other)


def gt(input: Tensor, other: Any) -> Tensor:
    """Compares element-wise with broadcasting: input > other.

    Also ``input > other, greater``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]) > nl.tensor([3, 2, 1])
        tensor([False, False,  True], dtype=bool)
    """
    return _compare("gt", "greater", input, other)


def ge(input: Tensor, other: Any) -> Tensor:
    """Compares element-wise with broadcasting: input >= other.

    Also ``input >= other, greater_equal``; the boolean result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3]).ge(2)
        tensor([False,  True,  True], dtype=bool)
    """
    return _compare("ge", "greater_equal", input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """Returns True when both tensors have the same shape and the same values (``torch.equal``).

    Args:
        input: a tensor.
        other: a tensor.

    Returns:
        A Python bool.

    Examples:
        >>> import neuralab as nl
        >>> nl.equal(nl.tensor([1, 2]), nl.tensor([1, 2])), nl.equal(nl.zeros(2), nl.zeros(3))
        (True, False)
    """
    a, b = _array(input), _array(other)
    if a.shape != b.shape:
        return False
    return builtins.bool(array_module(a).array_equal(a, b))


def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Compares element-wise within a tolerance: |input - other| <= atol + rtol |other|.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.
        rtol: the relative tolerance. Defaults to 1e-05.
        atol: the absolute tolerance. Defaults to 1e-08.
        equal_nan: count two nans as close. Defaults to False.

    Returns:
        A bool tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.isclose(nl.tensor([1.0, 1.1]), nl.tensor([1.000001, 1.0]))
        tensor([ True, False], dtype=bool)
    """
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
    """Returns True when every |input - other| <= atol + rtol |other|.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.
        rtol: the relative tolerance. Defaults to 1e-05.
        atol: the absolute tolerance. Defaults to 1e-08.
        equal_nan: count two nans as close. Defaults to False.

    Returns:
        A Python bool.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.allclose(nl.tensor([1.0, 2.0]), nl.tensor([1.0, 2.0 + 1e-7]))
        True
    """
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
    """Tests whether some element along ``dim`` (all axes when None) is nonzero.

    Args:
        input: a tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        A bool tensor.

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[0, 1], [0, 0]])
        >>> x.any(), x.any(dim=1)
        (tensor(True, dtype=bool), tensor([ True, False], dtype=bool))
    """
    return _logical("any", input, dim, keepdim, axis, keepdims)


def all(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Tests whether every element along ``dim`` (all axes when None) is nonzero.

    Args:
        input: a tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        A bool tensor.

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1, 1], [0, 1]])
        >>> x.all(), x.all(dim=0)
        (tensor(False, dtype=bool), tensor([False,  True], dtype=bool))
    """
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
    """Logical and, element-wise: input and other, as booleans.

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.logical_and(nl.tensor([1, 0, 2]), nl.tensor([1, 1, 0]))
        tensor([ True, False, False], dtype=bool)
    """
    return _bitwise("logical_and", "logical_and", input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    """Logical or, element-wise: input or other, as booleans.

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.logical_or(nl.tensor([1, 0, 0]), nl.tensor([0, 0, 3]))
        tensor([ True, False,  True], dtype=bool)
    """
    return _bitwise("logical_or", "logical_or", input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    """Logical exclusive or, element-wise, as booleans.

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.logical_xor(nl.tensor([1, 0, 1]), nl.tensor([1, 1, 0]))
        tensor([False,  True,  True], dtype=bool)
    """
    return _bitwise("logical_xor", "logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    """Logical not, element-wise: True where ``input`` is zero.

    Args:
        input: a tensor.

    Returns:
        A bool tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.logical_not(nl.tensor([0.0, 2.0]))
        tensor([ True, False], dtype=bool)
    """
    return _bitwise("logical_not", "logical_not", input)


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    """Bitwise and of bool or integer tensors: input & other (also ``a & b``).

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Raises:
        TypeError: if an operand is not of a bool or integer dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([12, 10]) & 6
        tensor([4, 2], dtype=int64)
    """
    return _bitwise("bitwise_and", "bitwise_and", input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    """Bitwise or of bool or integer tensors: input | other (also ``a | b``).

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Raises:
        TypeError: if an operand is not of a bool or integer dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([12, 10]) | 1
        tensor([13, 11], dtype=int64)
    """
    return _bitwise("bitwise_or", "bitwise_or", input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    """Bitwise xor of bool or integer tensors: input ^ other (also ``a ^ b``).

    Nonzero values count as True; the result carries no gradient.

    Args:
        input: a tensor.
        other: a tensor or a number, broadcast against ``input``.

    Returns:
        A tensor of the broadcast shape.

    Raises:
        TypeError: if an operand is not of a bool or integer dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([True, False]) ^ nl.tensor([True, True])
        tensor([False,  True], dtype=bool)
    """
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Bitwise not: ``~input``; the logical not of bools, the bitwise not of integers.

    Args:
        input: a bool or integer tensor.

    Returns:
        A tensor of the input's shape and dtype.

    Raises:
        TypeError: if ``input`` is not of a bool or integer dtype.

    Examples:
        >>> import neuralab as nl
        >>> ~nl.tensor([True, False]), ~nl.tensor([0, 5])
        (tensor([False,  True], dtype=bool), tensor([-1, -6], dtype=int64))
    """
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
    """Returns a copy of ``input`` with ``value`` where ``mask`` is true.

    y = value where mask, else input; dy/dinput = 0 where mask, 1 elsewhere (the value is a
    constant).

    Args:
        input: the tensor.
        mask: a boolean tensor, broadcast against ``input``.
        value: a number or a 0-d tensor.

    Returns:
        A tensor of the input's shape and dtype.

    Raises:
        TypeError: if ``mask`` is not boolean.
        ValueError: if ``value`` is a tensor with dimensions.

    Examples:
        >>> import neuralab as nl
        >>> scores = nl.tensor([[1.0, 2.0, 3.0]])
        >>> scores.masked_fill(nl.tensor([[False, True, True]]), float("-inf")).softmax(-1)
        tensor([[1., 0., 0.]])
    """
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
    """Returns the indices of the nonzero elements, in row-major order (``torch.nonzero``).

    Args:
        a: a tensor.
        as_tuple: return one 1-D index tensor per dimension instead. Keyword only. Defaults
            to False.

    Returns:
        An (n, ndim) int64 tensor, or a tuple of ndim int64 tensors of length n.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[0, 3], [4, 0]])
        >>> x.nonzero()
        tensor([[0, 1],
                [1, 0]], dtype=int64)
        >>> nl.nonzero(x, as_tuple=True)
        (tensor([0, 1], dtype=int64), tensor([1, 0], dtype=int64))
    """
    data = a._data if isinstance(a, Tensor) else a
    xp = array_module(data)
    places = xp.nonzero(xp.atleast_1d(data))
    if as_tuple:
        return tuple(Tensor._from_array(p.astype(xp.int64)) for p in places)
    if data.ndim == 0:
        return Tensor._from_array(xp.zeros((int(bool(data)), 0), dtype=xp.int64))
    return Tensor._from_array(xp.stack(places, axis=1).astype(xp.int64))
