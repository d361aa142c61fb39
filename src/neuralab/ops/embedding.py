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
    """In place and without gradient, as PyTorch: each row k used by ``indices`` whose norm
    ||W[k]||_p exceeds max_norm is scaled to W[k] * max_norm / (||W[k]||_p + 1e-7)."""
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
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input``
    (any shape): output input.shape + (embedding_dim,), as
    ``torch.nn.functional.embedding``.

    padding_idx (negative counts from the end): that row gets no gradient. max_norm: the
    rows looked up are first renormalized in place to norm <= max_norm (p-norm,
    p = norm_type). scale_grad_by_freq: each row's gradient is divided by how often its
    index occurs in ``input``.
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
