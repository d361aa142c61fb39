"""Einstein summation (``torch.einsum``) and its derivative.

``einsum('ij,jk->ik', A, B)`` multiplies the operands' elements whose labels agree and
sums over the labels missing from the output: out[i,k] = sum_j A[i,j] B[j,k]. Without
``->`` the output holds the labels seen once, in alphabetical order; ``...`` stands for
the same (broadcast) leading axes in every operand.

Backward: out is linear in each operand, so the gradient of operand k is the einsum of
the output's gradient with the other operands, written to operand k's labels:
dL/dA[i,j] = sum_k dL/dout[i,k] B[j,k], i.e. einsum('ik,jk->ij', grad, B). A label only
operand k has (summed within it alone) is broadcast back. A label repeated within one
operand (a diagonal, 'ii->i') is not differentiable here.
"""

from __future__ import annotations

import string
from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.tensor import Tensor

_LETTERS = string.ascii_letters


def _parse(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """The operands' label strings and the output's, with '...' spelled out in letters
    unused by the equation."""
    equation = equation.replace(" ", "")
    lhs, arrow, out = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(
            f"einsum: the equation {equation!r} has {len(terms)} operand(s) but "
            f"{len(ndims)} tensor(s) were given"
        )
    for ch in lhs.replace(",", "").replace(".", "") + out.replace(".", ""):
        if ch not in _LETTERS:
            raise ValueError(f"einsum: invalid subscript {ch!r} in {equation!r} (use letters)")
    free = [c for c in _LETTERS if c not in equation]
    ellipsis_ndims = []
    for term, ndim in zip(terms, ndims):
        named = len(term) - 3 if "..." in term else len(term)
        if ndim < named or ("..." not in term and ndim != named):
            raise ShapeError(
                f"einsum: the subscripts {term!r} name {named} dimension(s) for an operand "
                f"with {ndim}"
            )
        ellipsis_ndims.append(ndim - named)
    # '...' stands for the same broadcast axes everywhere, aligned at their last ones
    broadcast = "".join(free[: max(ellipsis_ndims, default=0)])
    spelled = [
        term.replace("...", broadcast[len(broadcast) - n :] if n else "")
        for term, n in zip(terms, ellipsis_ndims)
    ]
    if arrow:
        out = out.replace("...", broadcast)
        if "." in out:
            raise ValueError(f"einsum: invalid output subscripts in {equation!r}")
    else:
        counts = "".join(spelled)
        out = broadcast + "".join(
            sorted(c for c in set(counts) if counts.count(c) == 1 and c not in broadcast)
        )
    for c in out:
        if c not in "".join(spelled):
            raise ValueError(f"einsum: output subscript {c!r} appears in no operand")
    if len(set(out)) != len(out):
        raise ValueError(f"einsum: output subscripts repeat a label in {equation!r}")
    return spelled, out


class Einsum(Function):
    """out = einsum(terms -> out_labels, *operands); dL/d(operand k) = einsum of the
    gradient with the other operands into operand k's labels."""

    @staticmethod
    def forward(ctx, *arrays, terms, out_labels):
        xp = array_module(arrays[0])
        ctx.terms, ctx.out_labels = terms, out_labels
        ctx.save_for_backward(*arrays)
        equation = ",".join(terms) + "->" + out_labels
        return xp.asarray(xp.einsum(equation, *arrays, optimize=len(arrays) > 2))

    @staticmethod
    def backward(ctx, grad):
        arrays = ctx.saved
        xp = array_module(grad)
        grads = []
        for k, (need, term, a) in enumerate(zip(ctx.needs_input_grad, ctx.terms, arrays)):
            if not need:
                grads.append(None)
                continue
            others = [(t, x) for i, (t, x) in enumerate(zip(ctx.terms, arrays)) if i != k]
            known = ctx.out_labels + "".join(t for t, _ in others)
            kept = "".join(c for c in term if c in known)
            equation = ",".join([ctx.out_labels] + [t for t, _ in others]) + "->" + kept
            g = xp.einsum(equation, grad, *[x for _, x in others], optimize=len(others) > 1)
            if kept != term:  # labels only this operand has: broadcast back over them
                sizes = dict(zip(kept, g.shape))
                g = g.reshape([sizes.get(c, 1) for c in term])
                g = xp.broadcast_to(g, [sizes.get(c, n) for c, n in zip(term, a.shape)])
            grads.append(g)
        return tuple(grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation: sums products of the operands over the labels ``equation`` drops.

    ``'ij,jk->ik'`` is a matrix product, ``'bij->bji'`` a batched transpose, ``'i,i->'`` a dot
    product; without ``->`` the output holds the labels seen once, in alphabetical order, and
    ``...`` stands for broadcast axes (see the module docstring). Differentiable with respect
    to every operand: the gradient of each is the einsum of the upstream gradient with the
    other operands.

    Args:
        equation: the subscripts, e.g. ``'ij,jk->ik'``.
        *operands: the tensors (or one list of them).

    Returns:
        The result, with the output labels' axes.

    Raises:
        TypeError: if ``equation`` is not a str or an operand not a Tensor.
        ValueError: if no operand is given, or the shapes do not fit (``ShapeError``).
        NotImplementedError: for the gradient of a label repeated within one operand (a
            diagonal).

    Examples:
        >>> import neuralab as nl
        >>> a, b = nl.arange(6.0).reshape(2, 3), nl.ones(3, 2)
        >>> nl.einsum("ij,jk->ik", a, b)
        tensor([[ 3.,  3.],
                [12., 12.]])
        >>> nl.einsum("ij->j", a)
        tensor([3., 5., 7.])
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a str, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: expects at least one operand")
    for x in operands:
        if not isinstance(x, Tensor):
            raise TypeError(f"einsum(): operands must be Tensors, got {type(x).__name__}")
    terms, out = _parse(equation, [x._data.ndim for x in operands])
    if any(x.requires_grad for x in operands):
        for term in terms:
            repeated = sorted({c for c in term if term.count(c) > 1})
            if repeated:
                raise NotImplementedError(
                    f"einsum: the gradient of an equation with a label repeated within one "
                    f"operand ({term!r} repeats {''.join(repeated)!r}, a diagonal) is not "
                    "supported by neuralab; use diagonal indexing, e.g. x[range(n), range(n)]"
                )
    try:
        return Einsum.apply(*operands, terms=tuple(terms), out_labels=out)
    except ShapeError as error:
        shapes = ", ".join(str(x.shape) for x in operands)
        raise ShapeError(
            f"einsum: operands of shapes {shapes} do not fit {equation!r} ({error})"
        ) from None
