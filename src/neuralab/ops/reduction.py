"""Reductions over axes (sum, mean, var, max, min) and gather, with their derivatives.

``dim`` is None (all axes), an int or a tuple of ints, negative counting from the end;
``keepdim`` keeps reduced axes with size 1. Backward spreads the gradient back over the
reduced axes.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

from neuralab.backend import array_module
from neuralab.function import Function
from neuralab.ops.shape import squeeze
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
    return tuple(sorted({d % bound for d in dims})) if ndim else ()


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
        with array_module(a).errstate(invalid="ignore", divide="ignore"):
            return a.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return (_spread(grad / ctx.count, ctx.in_shape, ctx.axes, ctx.keepdim),)


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


# --- public functions -------------------------------------------------------------------
def sum(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Sum over dim (all axes when None)."""
    return Sum.apply(a, axes=_axes(dim, a._data.ndim, "sum"), keepdim=keepdim)


def mean(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Mean over dim (all axes when None)."""
    if a._data.dtype.kind not in "fc":
        raise TypeError(f"mean: expected a floating point tensor, got {a.dtype}")
    return Mean.apply(a, axes=_axes(dim, a._data.ndim, "mean"), keepdim=keepdim)


def var(
    a: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """Variance over dim with Bessel's correction (``correction=1``) unless told otherwise."""
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
) -> Tensor:
    """Standard deviation: sqrt(var)."""
    return var(a, dim, unbiased, keepdim, correction=correction) ** 0.5


def amax(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Largest value over dim; ties share the gradient equally."""
    return Extreme.apply(a, axes=_axes(dim, a._data.ndim, "amax"), keepdim=keepdim, largest=True)


def amin(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Smallest value over dim; ties share the gradient equally."""
    return Extreme.apply(a, axes=_axes(dim, a._data.ndim, "amin"), keepdim=keepdim, largest=False)


def gather(a: Tensor, dim: int, index: Any) -> Tensor:
    """Pick along dim: out[i][j] = a[i][index[i][j]] for dim=1 (as ``torch.gather``)."""
    index = index._data if isinstance(index, Tensor) else index
    if index.ndim != a._data.ndim:
        raise ValueError(
            f"gather: index must have as many dimensions as the input "
            f"({a._data.ndim}), got shape {index.shape}"
        )
    return Gather.apply(a, index=index, dim=dim % builtins.max(a._data.ndim, 1))


def _extreme_along(a: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    name = "max" if largest else "min"
    if dim is None:
        return Extreme.apply(
            a, axes=_axes(None, a._data.ndim, name), keepdim=False, largest=largest
        )
    (axis,) = _axes(dim, a._data.ndim, name) or (0,)
    if a._data.shape and a._data.shape[axis] == 0:
        raise IndexError(f"{name}: cannot reduce over an empty dimension {dim}")
    pick = a._data.argmax if largest else a._data.argmin
    index = pick(axis=axis, keepdims=True) if a._data.ndim else pick()
    values = gather(a, axis, index) if a._data.ndim else a
    if not keepdim and a._data.ndim:
        values, index = squeeze(values, axis), index.squeeze(axis)
    return MaxResult(values, Tensor._from_array(index))


def max(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """max(a): the largest element; max(a, dim): (values, indices) along dim."""
    return _extreme_along(a, dim, keepdim, largest=True)


def min(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """min(a): the smallest element; min(a, dim): (values, indices) along dim."""
    return _extreme_along(a, dim, keepdim, largest=False)
