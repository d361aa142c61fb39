"""Sorting along an axis: sort, argsort and topk.

The values are differentiable: each output element is one input element moved, so the
gradient of an input element is the gradient of the place it moved to (the indices are a
permutation, or part of one, so no place receives two).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from neuralab.backend import array_module
from neuralab.function import Function
from neuralab.ops.reduction import _axes
from neuralab.tensor import Tensor


class SortResult(NamedTuple):
    """(values, indices), as ``torch.return_types.sort``."""

    values: Tensor
    indices: Tensor


class TopKResult(NamedTuple):
    """(values, indices), as ``torch.return_types.topk``."""

    values: Tensor
    indices: Tensor


class TakeDistinct(Function):
    """out = a picked along ``axis`` at ``index``, whose entries along the axis are
    distinct;  dL/da = the gradient put back at the picked places, 0 elsewhere."""

    @staticmethod
    def forward(ctx, a, index, axis):
        ctx.in_shape, ctx.index, ctx.axis = a.shape, index, axis
        return array_module(a).take_along_axis(a, index, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        out = xp.zeros(ctx.in_shape, dtype=grad.dtype)
        xp.put_along_axis(out, ctx.index, grad, axis=ctx.axis)
        return (out,)


def _order(data: Any, axis: int, descending: bool) -> Any:
    """Indices that sort ``data`` along axis, ties in their original order; NaN counts as
    the largest value (last ascending, first descending), as in PyTorch."""
    xp = array_module(data)
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    n = data.shape[axis]
    flipped = xp.argsort(xp.flip(data, axis), axis=axis, kind="stable")
    return xp.flip(n - 1 - flipped, axis)


def _axis(input: Any, dim: int, op: str) -> int | None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): 'dim' must be an int, got {dim!r}")
    axes = _axes(dim, input._data.ndim, op)
    return axes[0] if axes else None


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort input along dim (ties keep their order: every sort is stable)."""
    axis = _axis(input, dim, "argsort")
    if axis is None:
        return Tensor._from_array(array_module(input._data).asarray(0))
    return Tensor._from_array(_order(input._data, axis, descending))


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
) -> SortResult:
    """(values, indices) of input sorted along dim; values[i] = input[indices[i]] along dim,
    differentiable. Ties keep their order; NaN sorts as the largest value."""
    axis = _axis(input, dim, "sort")
    if axis is None:
        return SortResult(input, Tensor._from_array(array_module(input._data).asarray(0)))
    index = _order(input._data, axis, descending)
    return SortResult(TakeDistinct.apply(input, index=index, axis=axis), Tensor._from_array(index))


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> TopKResult:
    """The k largest (or, with largest=False, smallest) elements along dim and their
    indices, largest first (smallest first); values differentiable."""
    axis = _axis(input, dim, "topk")
    size = 1 if axis is None else input._data.shape[axis]
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= size:
        raise IndexError(
            f"topk: selected index k out of range: k={k!r} for a dimension of size {size}"
        )
    if axis is None:
        return TopKResult(input, Tensor._from_array(array_module(input._data).asarray(0)))
    xp = array_module(input._data)
    index = _order(input._data, axis, descending=largest)
    index = xp.take(index, xp.arange(k), axis=axis)
    return TopKResult(TakeDistinct.apply(input, index=index, axis=axis), Tensor._from_array(index))


def msort(input: Tensor) -> Tensor:
    """input sorted along its first dimension (the values of ``sort(input, dim=0)``)."""
    return sort(input, dim=0).values
