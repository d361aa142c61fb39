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
    """Returns the indices that sort ``input`` along ``dim``; ties keep their order.

    Args:
        input: the tensor.
        dim: the axis. Defaults to -1.
        descending: sort from largest to smallest. Defaults to False.
        stable: accepted for PyTorch compatibility; every sort here is stable. Defaults to
            False.

    Returns:
        An int64 tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor or ``dim`` not an int.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([3.0, 1.0, 2.0])
        >>> x.argsort(), x.argsort(descending=True)
        (tensor([1, 2, 0], dtype=int64), tensor([0, 2, 1], dtype=int64))
    """
    axis = _axis(input, dim, "argsort")
    if axis is None:
        return Tensor._from_array(array_module(input._data).asarray(0))
    return Tensor._from_array(_order(input._data, axis, descending))


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
) -> SortResult:
    """Sorts ``input`` along ``dim``: the named pair (values, indices).

    values[i] = input[indices[i]] along dim; the values are differentiable (the gradient goes
    back to where each value came from). Ties keep their order; nan sorts as the largest value.

    Args:
        input: the tensor.
        dim: the axis. Defaults to -1.
        descending: sort from largest to smallest. Defaults to False.
        stable: accepted for PyTorch compatibility; every sort here is stable. Defaults to
            False.

    Returns:
        ``SortResult(values, indices)``.

    Raises:
        TypeError: if ``input`` is not a Tensor or ``dim`` not an int.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import neuralab as nl
        >>> values, indices = nl.tensor([3.0, 1.0, 2.0]).sort()
        >>> values, indices
        (tensor([1., 2., 3.]), tensor([1, 2, 0], dtype=int64))
    """
    axis = _axis(input, dim, "sort")
    if axis is None:
        return SortResult(input, Tensor._from_array(array_module(input._data).asarray(0)))
    index = _order(input._data, axis, descending)
    return SortResult(TakeDistinct.apply(input, index=index, axis=axis), Tensor._from_array(index))


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> TopKResult:
    """Returns the k largest (or smallest) elements along ``dim`` and their indices.

    Largest first (smallest first with ``largest=False``); the values are differentiable.

    Args:
        input: the tensor.
        k: how many, in [0, size of dim].
        dim: the axis. Defaults to -1.
        largest: the largest (else the smallest). Defaults to True.
        sorted: accepted for PyTorch compatibility; the result is always sorted. Defaults to
            True.

    Returns:
        ``TopKResult(values, indices)``.

    Raises:
        IndexError: if ``k`` is out of range or ``dim`` is out of range.
        TypeError: if ``input`` is not a Tensor or ``dim`` not an int.

    Examples:
        >>> import neuralab as nl
        >>> logits = nl.tensor([[0.1, 2.0, 0.5, 1.0]])
        >>> logits.topk(2)
        TopKResult(values=tensor([[2., 1.]]), indices=tensor([[1, 3]], dtype=int64))
    """
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
    """Sorts ``input`` along its first dimension: the values of ``sort(input, dim=0)``.

    Args:
        input: the tensor.

    Returns:
        The sorted values.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[3, 1], [1, 2]]).msort()
        tensor([[1, 1],
                [3, 2]], dtype=int64)
    """
    return sort(input, dim=0).values
