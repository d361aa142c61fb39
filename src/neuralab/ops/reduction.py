"""Reductions over axes (sum, mean, var, max, min, prod), cumulative sums and gather,
with their derivatives.

``dim`` is None (all axes), an int or a tuple of ints, negative counting from the end;
``keepdim`` keeps reduced axes with size 1. As in PyTorch, NumPy's names ``axis`` and
``keepdims`` are accepted for them. Backward spreads the gradient back over the reduced
axes.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.arithmetic import cast, maximum, minimum
from neuralab.ops.indexing import check_dim, check_range, index_array
from neuralab.ops.shape import getitem, reshape, squeeze
from neuralab.tensor import Tensor


def _axes(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Normalize dim to a sorted tuple of non-negative axes."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    bound = builtins.max(ndim, 1)
    for d in dims:
        if not -bound <= d < bound:
            raise IndexError(
                f"{op}: dimension {d} out of range for a tensor with {ndim} dimensions"
            )
    axes = sorted({d % bound for d in dims})
    if len(axes) != len(dims):
        raise ShapeError(f"{op}: a dim appears more than once in the list of dims {dim}")
    return tuple(axes) if ndim else ()


def _spread(grad: Any, in_shape: tuple, axes: tuple, keepdim: bool) -> Any:
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and axes:
        shape = list(in_shape)
        for a in axes:
            shape[a] = 1
        grad = grad.reshape(shape)
    return array_module(grad).broadcast_to(grad, in_shape)


class Sum(Function):
    """s = sum_i a_i;  ds/da_i = 1"""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        return a.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return (_spread(grad, ctx.in_shape, ctx.axes, ctx.keepdim),)


class Mean(Function):
    """m = (1/n) sum_i a_i;  dm/da_i = 1/n"""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.count = _count(a.shape, axes)
        if ctx.count == 0:  # nan, as PyTorch, without NumPy's "Mean of empty slice" warning
            xp = array_module(a)
            return xp.full(xp.sum(a, axis=axes, keepdims=keepdim).shape, xp.nan, a.dtype)
        with array_module(a).errstate(invalid="ignore", divide="ignore"):
            return a.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        scaled = grad / ctx.count if ctx.count else grad  # count 0: an empty input
        return (_spread(scaled, ctx.in_shape, ctx.axes, ctx.keepdim),)


class Var(Function):
    """v = sum_i (a_i - mean)^2 / (n - correction);  dv/da_i = 2 (a_i - mean) / (n - correction)"""

    @staticmethod
    def forward(ctx, a, axes, keepdim, correction):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        centered = a - a.mean(axis=axes, keepdims=True)
        ctx.denominator = builtins.max(_count(a.shape, axes) - correction, 0)
        ctx.save_for_backward(centered)
        with array_module(a).errstate(invalid="ignore", divide="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdim) / ctx.denominator

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved
        spread = _spread(grad, ctx.in_shape, ctx.axes, ctx.keepdim)
        with array_module(grad).errstate(invalid="ignore", divide="ignore"):
            return (spread * centered * (2 / ctx.denominator),)


class Extreme(Function):
    """m = max_i a_i (or min);  dm/da_i = 1/k for the k entries equal to m, else 0"""

    @staticmethod
    def forward(ctx, a, axes, keepdim, largest):
        ctx.in_shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        if a.size == 0:
            raise ValueError(f"{'max' if largest else 'min'}: cannot reduce an empty tensor")
        kept = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        ctx.save_for_backward(a == kept)
        if keepdim:
            return kept
        return kept.reshape([n for i, n in enumerate(a.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        (winners,) = ctx.saved
        share = _spread(grad, ctx.in_shape, ctx.axes, ctx.keepdim) * winners
        return (share / winners.sum(axis=ctx.axes, keepdims=True),)


class Gather(Function):
    """out[..i..] = a[..index[..i..]..] along dim;  the gradient is added back to the
    gathered places (summed where an index repeats)."""

    @staticmethod
    def forward(ctx, a, index, dim):
        xp = array_module(a)
        ctx.in_shape, ctx.index, ctx.dim = a.shape, index, dim
        return xp.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        out = xp.zeros(ctx.in_shape, dtype=grad.dtype)
        if ctx.index.shape[ctx.dim] == 1:  # one pick per slice: no repeats possible
            xp.put_along_axis(out, ctx.index, grad, axis=ctx.dim)
        else:
            where = list(xp.ix_(*[xp.arange(n) for n in ctx.index.shape]))
            where[ctx.dim] = ctx.index
            xp.add.at(out, tuple(where), grad)
        return (out,)


def _count(shape: tuple, axes: tuple) -> int:
    count = 1
    for a in axes:
        count *= shape[a]
    return count


class MaxResult(NamedTuple):
    """(values, indices), as ``torch.return_types.max`` / ``min``."""

    values: Tensor
    indices: Tensor


class Prod(Function):
    """p = prod_i a_i;  dp/da_i = prod_{j != i} a_j, computed as the product of the
    exclusive cumulative products from the left and from the right (exact with zeros)."""

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        ctx.save_for_backward(a)
        ctx.axis, ctx.keepdim = axis, keepdim
        return a.prod(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        xp = array_module(grad)
        axis = ctx.axis
        if axis is None:
            flat = a.reshape(-1)
            others = _others_product(xp, flat, 0).reshape(a.shape)
            return (grad * others,)
        if not ctx.keepdim:
            grad = xp.expand_dims(grad, axis)
        return (grad * _others_product(xp, a, axis),)


def _others_product(xp: Any, a: Any, axis: int) -> Any:
    """out_i = prod_{j != i} a_j along axis."""
    moved = xp.moveaxis(a, axis, -1)
    ones = xp.ones(moved.shape[:-1] + (1,), dtype=a.dtype)
    left = xp.cumprod(xp.concatenate([ones, moved[..., :-1]], axis=-1), axis=-1)
    right = xp.cumprod(xp.concatenate([ones, moved[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return xp.moveaxis(left * right, -1, axis)


class CumSum(Function):
    """s_i = sum_{j <= i} a_j along dim;  dL/da_j = sum_{i >= j} dL/ds_i (a reversed
    cumulative sum of the gradient)."""

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return a.cumsum(axis=axis)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        flipped = xp.flip(grad, ctx.axis)
        return (xp.flip(flipped.cumsum(axis=ctx.axis), ctx.axis),)


def _alias(op: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, Any]:
    """dim and keepdim, taking NumPy's names ``axis`` and ``keepdims`` (as PyTorch does)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}(): got both 'dim' and its alias 'axis'; give one of them")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def _accumulating_dtype(a: Tensor, dtype: Any) -> Any:
    """The result dtype of sum/prod/cumsum: ``dtype`` if given; integers and bools
    accumulate in int64 (as in PyTorch); floats keep theirs."""
    if dtype is not None:
        return dtype
    kind = a._data.dtype.kind
    return "int64" if kind in "iub" else None


# --- public functions -------------------------------------------------------------------
def sum(
    a: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Sums over ``dim`` (all axes when None): y = sum_i x_i; dy/dx_i = 1.

    Integers and bools sum in int64, as PyTorch.

    Args:
        a: the tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        dtype: the dtype to sum in. Keyword only. Defaults to None.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1, 2], [3, 4]])
        >>> x.sum(), x.sum(dim=0), x.sum(1, keepdim=True).shape
        (tensor(10, dtype=int64), tensor([4, 6], dtype=int64), (2, 1))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("sum", dim, keepdim, axis, keepdims)
    if dtype is not None or a._data.dtype.kind in "ub":
        a = _cast(a, _accumulating_dtype(a, dtype))
    return Sum.apply(a, axes=_axes(dim, a._data.ndim, "sum"), keepdim=keepdim)


def mean(
    a: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The mean over ``dim`` (all axes when None): y = sum_i x_i / n; dy/dx_i = 1 / n.

    Args:
        a: a floating tensor (or pass ``dtype``).
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        dtype: convert to this dtype first. Keyword only. Defaults to None.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        TypeError: if the tensor is not floating point (and no ``dtype`` is given).
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.mean(), x.mean(dim=1)
        (tensor(2.5), tensor([1.5, 3.5]))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("mean", dim, keepdim, axis, keepdims)
    if dtype is not None:
        a = _cast(a, dtype)
    if a._data.dtype.kind not in "fc":
        raise TypeError(
            f"mean: expected a floating point tensor, got {a.dtype}; "
            "convert it first (x.float()) or pass dtype="
        )
    return Mean.apply(a, axes=_axes(dim, a._data.ndim, "mean"), keepdim=keepdim)


def var(
    a: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The variance over ``dim``: sum_i (x_i - mean)^2 / (n - correction).

    Bessel's correction (``correction=1``, the unbiased estimate) unless told otherwise;
    dy/dx_i = 2 (x_i - mean) / (n - correction).

    Args:
        a: the tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        unbiased: False for correction 0 (PyTorch's older argument). Defaults to None.
        keepdim: keep the reduced axes with size 1. Defaults to False.
        correction: the divisor's offset. Keyword only. Defaults to None (1).
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        ValueError: if both ``unbiased`` and ``correction`` are given.
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([1.0, 2.0, 3.0, 4.0])
        >>> x.var(), x.var(correction=0)
        (tensor(1.6667), tensor(1.25))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("var", dim, keepdim, axis, keepdims)
    if unbiased is not None and correction is not None:
        raise ValueError("var: give either 'unbiased' or 'correction', not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(dim, a._data.ndim, "var")
    return Var.apply(a, axes=axes, keepdim=keepdim, correction=correction)


def std(
    a: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The standard deviation over ``dim``: sqrt(var), with Bessel's correction by default.

    Args:
        a: the tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        unbiased: False for correction 0 (PyTorch's older argument). Defaults to None.
        keepdim: keep the reduced axes with size 1. Defaults to False.
        correction: the divisor's offset. Keyword only. Defaults to None (1).
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        ValueError: if both ``unbiased`` and ``correction`` are given.
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, 2.0, 3.0, 4.0]).std(unbiased=False)
        tensor(1.118)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("std", dim, keepdim, axis, keepdims)
    return var(a, dim, unbiased, keepdim, correction=correction) ** 0.5


def amax(
    a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """The largest value over ``dim`` (all axes when None); ties share the gradient equally.

    Args:
        a: the tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 5.0], [3.0, 2.0]])
        >>> x.amax(), x.amax(dim=0)
        (tensor(5.), tensor([3., 5.]))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("amax", dim, keepdim, axis, keepdims)
    return Extreme.apply(a, axes=_axes(dim, a._data.ndim, "amax"), keepdim=keepdim, largest=True)


def amin(
    a: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """The smallest value over ``dim`` (all axes when None); ties share the gradient equally.

    Args:
        a: the tensor.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1.0, 5.0], [3.0, 2.0]]).amin(dim=1)
        tensor([1., 2.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("amin", dim, keepdim, axis, keepdims)
    return Extreme.apply(a, axes=_axes(dim, a._data.ndim, "amin"), keepdim=keepdim, largest=False)


def gather(a: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """Picks values along ``dim`` at ``index``, as ``torch.gather``.

    For dim=1: out[i][j] = a[i][index[i][j]]. The gradient is scattered (summed) back to the
    picked places.

    Args:
        a: the tensor.
        dim: the axis.
        index: an integer tensor with ``a``'s number of dimensions, no larger than ``a`` in any
            dimension but ``dim``, its entries in [0, a.shape[dim]) (a negative index raises,
            as in PyTorch).
        sparse_grad: accepted for PyTorch compatibility; the gradient is dense. Keyword only.
            Defaults to False.

    Returns:
        A tensor of index's shape.

    Raises:
        TypeError: if ``a`` is not a Tensor.
        ShapeError: if the numbers of dimensions differ or index is too large (a ValueError).
        IndexError: if an index is out of range.

    Examples:
        >>> import neuralab as nl
        >>> probs = nl.tensor([[0.1, 0.9], [0.8, 0.2]])
        >>> probs.gather(1, nl.tensor([[1], [0]]))
        tensor([[0.9],
                [0.8]])
    """
    if not isinstance(a, Tensor):
        raise TypeError(f"gather(): argument 'input' must be Tensor, not {type(a).__name__}")
    data = a._data
    index = index_array("gather", index)
    axis = check_dim("gather", dim, data.ndim)
    if index.ndim != data.ndim and not (index.ndim <= 1 and data.ndim <= 1):
        raise ShapeError(
            f"gather: index must have as many dimensions as the input "
            f"({data.ndim}), got shape {index.shape}"
        )
    for d, (n_idx, n_in) in enumerate(zip(index.shape, data.shape)):
        if d != axis and n_idx > n_in:
            raise ShapeError(
                f"gather: index {tuple(index.shape)} is larger than input {tuple(data.shape)} "
                f"in dimension {d}"
            )
    check_range("gather", index, data.shape[axis] if data.ndim else 1, axis)
    if index.ndim == 0 or data.ndim == 0:  # 0-d index or input: gather on 1-d views
        flat = Gather.apply(reshape(a, (-1,)), index=index.reshape(-1), dim=0)
        return reshape(flat, index.shape)
    if index.shape[:axis] + index.shape[axis + 1 :] != data.shape[:axis] + data.shape[axis + 1 :]:
        # an index smaller than the input in other dims reads the input's leading corner
        corner = tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))
        a = getitem(a, corner)
    return Gather.apply(a, index=index, dim=axis)


def _extreme_along(a: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    name = "max" if largest else "min"
    if dim is None:
        return Extreme.apply(
            a, axes=_axes(None, a._data.ndim, name), keepdim=False, largest=largest
        )
    if isinstance(dim, Tensor):  # torch.max(a, other): the elementwise maximum
        return maximum(a, dim) if largest else minimum(a, dim)
    (axis,) = _axes(dim, a._data.ndim, name) or (0,)
    if a._data.shape and a._data.shape[axis] == 0:
        raise IndexError(f"{name}: cannot reduce over an empty dimension {dim}")
    pick = a._data.argmax if largest else a._data.argmin
    index = pick(axis=axis, keepdims=True) if a._data.ndim else pick()
    values = gather(a, axis, index) if a._data.ndim else a
    if not keepdim and a._data.ndim:
        values, index = squeeze(values, axis), index.squeeze(axis)
    return MaxResult(values, Tensor._from_array(index))


def max(
    a: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """The largest element, the largest along a dim with its index, or an element-wise maximum.

    ``max(a)``: the largest element (ties share the gradient). ``max(a, dim)``: the named
    pair (values, indices) along dim, the first index on ties. ``max(a, other)``: the
    element-wise maximum of two tensors.

    Args:
        a: the tensor.
        dim: an axis, or a tensor ``other``. Defaults to None.
        keepdim: keep the reduced axis with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        A tensor, or ``MaxResult(values, indices)`` with ``dim``.

    Raises:
        IndexError: if ``dim`` is out of range or the axis is empty.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 5.0], [3.0, 2.0]])
        >>> x.max()
        tensor(5.)
        >>> x.max(dim=1)
        MaxResult(values=tensor([5., 3.]), indices=tensor([1, 0], dtype=int64))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("max", dim, keepdim, axis, keepdims)
    return _extreme_along(a, dim, keepdim, largest=True)


def min(
    a: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """The smallest element, the smallest along a dim with its index, or an element-wise minimum.

    ``min(a)``: the smallest element. ``min(a, dim)``: the named pair (values, indices) along
    dim. ``min(a, other)``: the element-wise minimum of two tensors.

    Args:
        a: the tensor.
        dim: an axis, or a tensor ``other``. Defaults to None.
        keepdim: keep the reduced axis with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        A tensor, or ``MaxResult(values, indices)`` with ``dim``.

    Raises:
        IndexError: if ``dim`` is out of range or the axis is empty.

    Examples:
        >>> import neuralab as nl
        >>> values, indices = nl.tensor([[1.0, 5.0], [3.0, 2.0]]).min(dim=0)
        >>> values, indices
        (tensor([1., 2.]), tensor([0, 1], dtype=int64))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("min", dim, keepdim, axis, keepdims)
    return _extreme_along(a, dim, keepdim, largest=False)


def _arg_extreme(op: str, a: Tensor, dim: Any, keepdim: bool) -> Tensor:
    data = a._data
    pick = data.argmax if op == "argmax" else data.argmin
    if data.size == 0 and (dim is None or data.shape[dim] == 0):
        raise IndexError(f"{op}: cannot take the {op} of an empty tensor")
    if dim is None:
        index = array_module(data).asarray(pick())
        return Tensor._from_array(index.reshape((1,) * data.ndim) if keepdim else index)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): 'dim' must be an int or None, got {dim!r}")
    (axis,) = _axes(dim, data.ndim, op) or (None,)
    if axis is None:  # a 0-d tensor: its only element
        return Tensor._from_array(array_module(data).asarray(0))
    return Tensor._from_array(pick(axis=axis, keepdims=keepdim))


def argmax(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The index of the largest element along ``dim`` (of the flattened tensor when None).

    The first one on ties; nan counts as the largest.

    Args:
        input: the tensor.
        dim: one axis. Defaults to None (flattened).
        keepdim: keep the reduced axis with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        An int64 tensor.

    Raises:
        IndexError: if the tensor (or axis) is empty or ``dim`` is out of range.
        TypeError: if ``dim`` is a tuple.

    Examples:
        >>> import neuralab as nl
        >>> logits = nl.tensor([[0.1, 2.0, 0.5], [3.0, 0.0, 1.0]])
        >>> logits.argmax(dim=1), logits.argmax()
        (tensor([1, 0], dtype=int64), tensor(3, dtype=int64))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("argmax", dim, keepdim, axis, keepdims)
    return _arg_extreme("argmax", input, dim, keepdim)


def argmin(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The index of the smallest element along ``dim`` (of the flattened tensor when None).

    Args:
        input: the tensor.
        dim: one axis. Defaults to None (flattened).
        keepdim: keep the reduced axis with size 1. Defaults to False.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        An int64 tensor.

    Raises:
        IndexError: if the tensor (or axis) is empty or ``dim`` is out of range.
        TypeError: if ``dim`` is a tuple.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[0.1, 2.0, 0.5], [3.0, 0.0, 1.0]]).argmin(dim=1)
        tensor([0, 1], dtype=int64)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("argmin", dim, keepdim, axis, keepdims)
    return _arg_extreme("argmin", input, dim, keepdim)


def prod(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """The product of the elements along one dim (of all of them when None): y = prod_i x_i.

    dy/dx_i = prod_{j != i} x_j (also where some x_j is 0). Integers and bools multiply in
    int64.

    Args:
        input: the tensor.
        dim: one axis. Defaults to None (all).
        keepdim: keep the reduced axis with size 1. Defaults to False.
        dtype: the dtype to multiply in. Keyword only. Defaults to None.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.
        keepdims: NumPy's name for ``keepdim``. Keyword only. Defaults to None.

    Returns:
        The reduced tensor (0-d when every axis is reduced).

    Raises:
        TypeError: if ``dim`` is a tuple (as in PyTorch).
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(dim=0)
        tensor([3., 8.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias("prod", dim, keepdim, axis, keepdims)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod(): 'dim' must be a single int, got {dim!r} (as in PyTorch)")
    a = _cast(input, _accumulating_dtype(input, dtype))
    if dim is None:
        return Prod.apply(a, axis=None, keepdim=False)
    (axis_,) = _axes(dim, a._data.ndim, "prod") or (None,)
    if axis_ is None:
        return Prod.apply(a, axis=None, keepdim=False)
    return Prod.apply(a, axis=axis_, keepdim=keepdim)


def cumsum(
    input: Tensor, dim: int | None = None, *, dtype: Any = None, axis: int | None = None
) -> Tensor:
    """The running sum along ``dim``: out_i = sum_{j <= i} input_j; integers sum in int64.

    The gradient is the reversed running sum of the upstream gradient.

    Args:
        input: the tensor.
        dim: the axis (required). Defaults to None, which raises.
        dtype: the dtype to sum in. Keyword only. Defaults to None.
        axis: NumPy's name for ``dim``. Keyword only. Defaults to None.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if no axis is given.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2, 3, 4]).cumsum(0)
        tensor([ 1,  3,  6, 10], dtype=int64)
    """
    if axis is not None:
        dim, _ = _alias("cumsum", dim, False, axis, None)
    if dim is None:
        raise TypeError("cumsum(): missing the required argument 'dim'")
    a = _cast(input, _accumulating_dtype(input, dtype))
    (axis_,) = _axes(dim, a._data.ndim, "cumsum") or (None,)
    if axis_ is None:  # a 0-d tensor
        return reshape(CumSum.apply(reshape(a, (1,)), axis=0), ())
    return CumSum.apply(a, axis=axis_)


def _cast(a: Tensor, dtype: Any) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"expected a Tensor, got {type(a).__name__}")
    if dtype is None:
        return a
    return cast(a, dtype=array_module(a._data).dtype(dtype))


# --- scatter: gather's adjoint, writing instead of adding ---------------------------------
def scatter_places(
    a: Tensor, dim: int, index: Any, src: Any, value: Any, reduce: Any, op: str
) -> tuple[tuple, Any]:
    """The places ``scatter`` writes and the values written there (shared with ``scatter_``).

    For index (d0, d1, ...) along dim=1, place (i, index[i][j], ...) gets src[i][j] (or
    ``value``).

    Args:
        a: the tensor written into.
        dim: the axis.
        index: integer indices with ``a``'s number of dimensions.
        src: the values (a tensor, an array or a number), or None.
        value: a number, when ``src`` is None.
        reduce: must be None (not supported).
        op: the calling op's name, for error messages.

    Returns:
        ``(where, values)``: a NumPy fancy index into ``a`` and an array of index's shape.

    Raises:
        NotImplementedError: if ``reduce`` is given.
        TypeError: unless exactly one of ``src`` and ``value`` is given.
        ValueError: if the shapes do not fit.
        IndexError: if an index is out of range.

    Examples:
        >>> import neuralab as nl
        >>> where, values = nl.ops.scatter_places(
        ...     nl.zeros(2, 3), 1, nl.tensor([[2], [0]]), None, 1.0, None, "scatter")
        >>> values.tolist()
        [[1.0], [1.0]]
    """
    if reduce is not None:
        raise NotImplementedError(
            f"{op}: reduce={reduce!r} is not supported; use scatter_add_-free code such as "
            "`out.index_put_` or a one-hot matrix product"
        )
    if (src is None) == (value is None):
        raise TypeError(f"{op}(dim, index, src) or {op}(dim, index, value=...): give exactly one")
    data = a._data
    xp = array_module(data)
    idx = index_array(op, index if isinstance(index, Tensor) else xp.asarray(index))
    if idx.ndim == 0 and data.ndim <= 1:
        idx = idx.reshape(1)
    if idx.ndim != data.ndim:
        raise ValueError(
            f"{op}: index must have as many dimensions as self ({data.ndim}), got shape {idx.shape}"
        )
    dim = check_dim(op, dim, data.ndim)
    for d, (n_idx, n_self) in enumerate(zip(idx.shape, data.shape)):
        if d != dim and n_idx > n_self:
            raise ValueError(
                f"{op}: index {tuple(idx.shape)} is larger than self {tuple(data.shape)} "
                f"in dimension {d}"
            )
    check_range(op, idx, data.shape[dim] if data.ndim else 1, dim)
    where = list(xp.ix_(*[xp.arange(n) for n in idx.shape]))
    where[dim] = idx
    if src is not None and (isinstance(src, Tensor) or hasattr(src, "shape")):
        s = src._data if isinstance(src, Tensor) else xp.asarray(src)
        if s.ndim != idx.ndim or any(m > n for m, n in zip(idx.shape, s.shape)):
            raise ValueError(
                f"{op}: src {tuple(s.shape)} must have index's dimensions and be at least "
                f"index's size {tuple(idx.shape)} in each"
            )
        values = s[tuple(slice(0, n) for n in idx.shape)]
    else:
        values = xp.full(idx.shape, src if value is None else value, dtype=data.dtype)
    return tuple(where), values


class Scatter(Function):
    """out = a, then out[place(i)] = src[i] for every position i of index (the later write
    wins where places repeat). dout/da = 1 except at written places (0 there);
    dout/dsrc[i] = grad[place(i)] inside index's shape, 0 beyond it."""

    @staticmethod
    def forward(ctx, a, src, *, where, index_shape, src_shape):
        out = a.copy()
        used = tuple(slice(0, n) for n in index_shape)
        out[where] = src[used] if src_shape else src
        ctx.where, ctx.used, ctx.src_shape = where, used, src_shape
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad_src = None
        if ctx.needs_input_grad[0]:
            grad_a = grad.copy()
            grad_a[ctx.where] = 0
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            grad_src = array_module(grad).zeros(ctx.src_shape, dtype=grad.dtype)
            grad_src[ctx.used] = grad[ctx.where]
        return grad_a, grad_src


def scatter(
    a: Tensor, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
) -> Tensor:
    """Out-of-place ``scatter_`` (``torch.scatter``): writes src[i] (or ``value``) at place(i).

    place(i) is i with its dim-th coordinate replaced by index[i]; for dim=1,
    out[i][index[i][j]] = src[i][j]. The later write wins where places repeat. Differentiable
    in ``a`` (0 at written places) and in a tensor ``src``.

    Args:
        a: the tensor.
        dim: the axis.
        index: integer indices with ``a``'s number of dimensions.
        src: the values (a tensor of ``a``'s dtype, at least index's size). Defaults to None.
        value: a number to write instead of ``src``. Defaults to None.
        reduce: not supported; must be None. Keyword only. Defaults to None.

    Returns:
        A copy of ``a`` with the values written.

    Raises:
        TypeError: unless exactly one of ``src`` and ``value`` is given, or if the dtypes
            differ.
        ValueError: if the shapes do not fit.
        IndexError: if an index is out of range.
        NotImplementedError: if ``reduce`` is given.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3).scatter(1, nl.tensor([[2], [0]]), value=1.0)
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
    """
    where, values = scatter_places(a, dim, index, src, value, reduce, "scatter")
    if isinstance(src, Tensor):
        if src._data.dtype != a._data.dtype:
            raise TypeError(f"scatter: src ({src.dtype}) must have self's dtype ({a.dtype})")
        return Scatter.apply(
            a, src, where=where, index_shape=values.shape, src_shape=src._data.shape
        )
    return Scatter.apply(a, values, where=where, index_shape=values.shape, src_shape=None)
