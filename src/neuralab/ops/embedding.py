"""Embedding lookup: rows of a table picked by integer indices, as
``torch.nn.functional.embedding``."""

from __future__ import annotations

from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.indexing import index_array
from neuralab.tensor import IndexRangeError, Tensor, no_grad


class Embedding(Function):
    """y[p] = W[idx[p]] for every position p of the index array (a row lookup).

    The gradient is a scatter-add of the output gradient back to the rows it came from:
      dL/dW[k] = sum over the positions p with idx[p] == k of g[p],
    divided by the count of k among the indices with scale_grad_by_freq, and zero for
    the padding row. Computed without a Python loop: the indices are sorted once, equal
    indices form runs, and each run's gradients are summed with ``add.reduceat``.
    """

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        xp = array_module(weight)
        ctx.rows, ctx.padding_idx, ctx.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        ctx.save_for_backward(indices)
        return xp.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved
        xp = array_module(grad)
        dim = grad.shape[-1]
        flat = indices.reshape(-1)
        out = xp.zeros((ctx.rows, dim), dtype=grad.dtype)
        if flat.size:
            order = xp.argsort(flat, kind="stable")
            ordered = flat[order]
            first = xp.empty(ordered.shape, dtype=bool)
            first[0] = True
            xp.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            starts = xp.flatnonzero(first)
            sums = xp.add.reduceat(grad.reshape(-1, dim)[order], starts, axis=0)
            if ctx.scale:
                counts = xp.diff(xp.append(starts, ordered.size))
                sums /= counts.astype(sums.dtype)[:, None]
            out[ordered[starts]] = sums
        if ctx.padding_idx is not None:
            out[ctx.padding_idx] = 0
        return out, None


def _norms(rows: Any, norm_type: float) -> Any:
    """||w||_p = (sum_j |w_j|^p)^(1/p) of each row (p = inf: max_j |w_j|)."""
    xp = array_module(rows)
    a = xp.abs(rows)
    if norm_type == float("inf"):
        return a.max(axis=1)
    if norm_type == 2:
        return xp.sqrt((a * a).sum(axis=1))
    if norm_type == 1:
        return a.sum(axis=1)
    return (a**norm_type).sum(axis=1) ** (1.0 / norm_type)


def embedding_renorm_(weight: Tensor, indices: Any, max_norm: float, norm_type: float) -> None:
    """Renormalizes, in place, the rows of ``weight`` that ``indices`` picks.

    Each row W[k] whose p-norm exceeds ``max_norm`` is scaled to
    W[k] max_norm / (||W[k]||_p + 1e-7) (PyTorch's rule); no gradient is recorded.

    Args:
        weight: the table (num_embeddings, embedding_dim).
        indices: the integer indices looked up (an array).
        max_norm: the largest norm allowed.
        norm_type: p.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.ops.embedding import embedding_renorm_
        >>> w = nl.tensor([[3.0, 4.0], [0.3, 0.4]])
        >>> embedding_renorm_(w, nl.tensor([0, 1])._data, 1.0, 2.0)
        >>> w
        tensor([[0.6, 0.8],
                [0.3, 0.4]])
    """
    xp = array_module(weight._data)
    with no_grad():
        rows = xp.unique(indices)
        norms = _norms(weight._data[rows], norm_type)
        too_long = norms > max_norm
        if too_long.any():
            rows = rows[too_long]
            scale = (max_norm / (norms[too_long] + 1e-7)).astype(weight._data.dtype)
            weight._data[rows] *= scale[:, None]


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
) -> Tensor:
    """Looks up rows of a table: y = weight[input], as ``torch.nn.functional.embedding``.

    Args:
        input: integer indices, any shape, in [0, num_embeddings).
        weight: the table (num_embeddings, embedding_dim).
        padding_idx: a row that gets no gradient (negative counts from the end). Defaults to
            None.
        max_norm: if given, the rows looked up are first renormalized in place to a p-norm of
            at most ``max_norm``. Defaults to None.
        norm_type: p for ``max_norm``. Defaults to 2.0.
        scale_grad_by_freq: divide each row's gradient by how often its index occurs in
            ``input``. Defaults to False.

    Returns:
        A tensor of shape ``input.shape + (embedding_dim,)``.

    Raises:
        TypeError: if ``weight`` is not a Tensor or the indices are not integers.
        ValueError: if ``weight`` is not 2-D (``ShapeError``) or ``padding_idx`` is out of
            range.
        IndexError: if an index is out of range (``IndexRangeError``).

    Examples:
        >>> import neuralab as nl
        >>> table = nl.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]])
        >>> nl.functional.embedding(nl.tensor([[2, 1], [0, 2]]), table)
        tensor([[[2., 4.],
                 [1., 1.]],
        <BLANKLINE>
                [[0., 0.],
                 [2., 4.]]])
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"embedding: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ShapeError(
            f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {weight.shape}"
        )
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise ValueError(
                f"embedding: padding_idx must be within num_embeddings ({rows}), got {padding_idx}"
            )
        padding_idx = padding_idx % rows
    xp = array_module(weight._data)
    indices = index_array(
        "embedding", input if isinstance(input, Tensor) else xp.asarray(input), "indices"
    )
    if indices.size:
        low, high = indices.min(), indices.max()
        if low < 0 or high >= rows:
            bad = int(low) if low < 0 else int(high)
            raise IndexRangeError(
                f"embedding: index {bad} is out of range for a table of {rows} rows "
                f"(valid indices: 0 to {rows - 1})"
            )
    if max_norm is not None:
        embedding_renorm_(weight, indices, max_norm, norm_type)
    return Embedding.apply(
        weight, indices, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq
    )
