"""Picking elements by integer index: ``index_select``, ``take`` and ``take_along_dim``,
composed from ``getitem`` and ``gather`` (their gradients come with them).

Their index ranges are PyTorch's, checked by ``neuralab.ops.indexing``:
``index_select`` and ``take_along_dim`` without dim take [0, size) and refuse a negative
index; ``take`` and ``take_along_dim`` along a dim take [-size, size), a negative index
counting from the end. (PyTorch's ``take_along_dim`` along a dim wraps any index modulo
the size; here one beyond [-size, size) raises, as a wrapped index is a silent wrong pick.)
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab.function import ShapeError
from neuralab.ops.indexing import check_dim, check_range, index_array
from neuralab.ops.reduction import gather
from neuralab.ops.shape import expand, getitem, reshape
from neuralab.tensor import IndexRangeError, Tensor


def _input(op: str, input: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input


def _wrap(op: str, index: Any, size: int, dim: Any) -> Any:
    """Index entries in [-size, size) made non-negative; others raise IndexRangeError."""
    if index.size and (index.min() < -size or index.max() >= size):
        bad = int(index.min()) if index.min() < -size else int(index.max())
        raise IndexRangeError(
            f"{op}: index {bad} is out of bounds for "
            f"{f'dimension {dim} with ' if dim is not None else ''}size {size} "
            f"(valid: {-size} to {size - 1})"
        )
    return index % size if index.size and index.min() < 0 else index


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """Selects the slices of ``input`` at positions ``index`` along ``dim``.

    out.shape is input.shape with dim's size replaced by len(index); the gradient is summed
    back into the selected slices.

    Args:
        input: the tensor.
        dim: the axis.
        index: a 0-d or 1-d integer tensor (or sequence) of positions.

    Returns:
        The selected slices.

    Raises:
        IndexError: if ``index`` has more than 1 dimension or a position is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1, 2, 3], [4, 5, 6]])
        >>> x.index_select(1, nl.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]], dtype=int64)
    """
    a = _input("index_select", input)
    axis = check_dim("index_select", dim, a.ndim)
    idx = index_array("index_select", index)
    if idx.ndim > 1:
        raise IndexError(
            f"index_select: index must be a vector (0-d or 1-d), got shape {tuple(idx.shape)}"
        )
    check_range("index_select", idx, a.shape[axis] if a.ndim else 1, axis)
    if a.ndim == 0:
        return reshape(a, (1,))[idx.reshape(-1)].reshape(())
    return getitem(a, (slice(None),) * axis + (idx.reshape(-1),))


def take(input: Tensor, index: Any) -> Tensor:
    """Reads ``input`` as one flat (row-major) array at ``index``, in index's shape.

    A negative index counts from the end.

    Args:
        input: the tensor.
        index: integer positions into the flattened input.

    Returns:
        A tensor of index's shape.

    Raises:
        IndexError: if a position is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]]).take(nl.tensor([0, -1]))
        tensor([1, 4], dtype=int64)
    """
    a = _input("take", input)
    idx = _wrap("take", index_array("take", index), a.numel(), None)
    return getitem(reshape(a, (-1,)), idx)


def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """Gathers values along ``dim`` at ``indices``: ``gather`` with broadcasting.

    Input and indices broadcast except along dim, and negative indices count from the end;
    with dim None, it is ``take`` on the flattened input. Typical use: the values at the
    ``argmax``/``argsort`` indices.

    Args:
        input: the tensor.
        indices: integer indices, of input's number of dimensions (or any shape when ``dim``
            is None).
        dim: the axis. Defaults to None (flattened).

    Returns:
        The gathered values.

    Raises:
        ShapeError: if the numbers of dimensions differ or the shapes do not broadcast (a
            ValueError).
        IndexError: if an index is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[10, 30, 20], [60, 40, 50]])
        >>> x.take_along_dim(x.argsort(dim=1), dim=1)
        tensor([[10, 20, 30],
                [40, 50, 60]], dtype=int64)
    """
    a = _input("take_along_dim", input)
    idx = index_array("take_along_dim", indices, "indices")
    if dim is None:  # as PyTorch: a gather on the flat input, so no negative index
        flat = idx.reshape(-1)
        check_range("take_along_dim", flat, a.numel(), 0, "indices")
        return getitem(reshape(a, (-1,)), flat)
    axis = check_dim("take_along_dim", dim, a.ndim)
    if idx.ndim != a.ndim:
        raise ShapeError(
            f"take_along_dim: input ({a.ndim}-d) and indices ({idx.ndim}-d) must have the "
            "same number of dimensions"
        )
    idx = _wrap("take_along_dim", idx, a.shape[axis] if a.ndim else 1, axis)
    try:
        shape = list(_broadcast(a.shape, idx.shape, axis))
    except ValueError:
        raise ShapeError(
            f"take_along_dim: input {tuple(a.shape)} and indices {tuple(idx.shape)} do not "
            f"broadcast outside dimension {axis}"
        ) from None
    a_shape, idx_shape = list(shape), list(shape)
    a_shape[axis], idx_shape[axis] = a.shape[axis], idx.shape[axis]
    if tuple(a_shape) != a.shape:
        a = expand(a, tuple(a_shape))
    if tuple(idx_shape) != idx.shape:
        idx = numpy.broadcast_to(idx, tuple(idx_shape))
    return gather(a, axis, idx)


def _broadcast(a: tuple, b: tuple, axis: int) -> tuple:
    """The broadcast shape of a and b with axis left out (set to 1 here)."""
    one = (1,)
    return numpy.broadcast_shapes(a[:axis] + one + a[axis + 1 :], b[:axis] + one + b[axis + 1 :])
