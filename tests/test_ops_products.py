"""prod, cumsum, mm, bmm, dot, outer, einsum and norm: values and gradients equal
PyTorch's (float32, float64), gradcheck in float64; NumPy's axis/keepdims aliases on the
reductions; PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab
from neuralab import ShapeError

INF = float("inf")

CASES = {
    "prod_all": (lambda m, a: m.lib.prod(a), [(3, 4)]),
    "prod_dim": (lambda m, a: a.prod(1), [(3, 4)]),
    "prod_dim_keep": (lambda m, a: m.lib.prod(a, dim=0, keepdim=True), [(3, 4)]),
    "prod_neg_dim_3d": (lambda m, a: a.prod(-2), [(2, 3, 4)]),
    "cumsum": (lambda m, a: m.lib.cumsum(a, dim=1), [(3, 4)]),
    "cumsum_dim0": (lambda m, a: a.cumsum(0) * a, [(3, 4)]),
    "cumsum_neg": (lambda m, a: a.cumsum(-1), [(2, 3, 4)]),
    "mm": (lambda m, a, b: m.lib.mm(a, b), [(3, 4), (4, 2)]),
    "mm_method": (lambda m, a, b: a.mm(b), [(3, 4), (4, 5)]),
    "bmm": (lambda m, a, b: m.lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "dot": (lambda m, a, b: m.lib.dot(a, b), [(5,), (5,)]),
    "outer": (lambda m, a, b: m.lib.outer(a, b), [(3,), (4,)]),
    "ger": (lambda m, a, b: a.ger(b), [(3,), (2,)]),
    "einsum_matmul": (lambda m, a, b: m.lib.einsum("ij,jk->ik", a, b), [(3, 4), (4, 2)]),
    "einsum_implicit": (lambda m, a, b: m.lib.einsum("ij,kj", a, b), [(3, 4), (2, 4)]),
    "einsum_list": (lambda m, a, b: m.lib.einsum("bij,bjk->bik", [a, b]), [(2, 3, 4), (2, 4, 5)]),
    "einsum_sum_only": (lambda m, a: m.lib.einsum("ij->i", a), [(3, 4)]),
    "einsum_transpose": (lambda m, a: m.lib.einsum("ijk->kij", a), [(2, 3, 4)]),
    "einsum_three": (
        lambda m, a, b, c: m.lib.einsum("ij,jk,k->i", a, b, c),
        [(3, 4), (4, 5), (5,)],
    ),
    "einsum_reduced_alone": (lambda m, a, b: m.lib.einsum("ij,k->ik", a, b), [(3, 4), (2,)]),
    "einsum_outer": (lambda m, a, b: m.lib.einsum("i,j->ij", a, b), [(3,), (4,)]),
    "einsum_scalar": (lambda m, a, b: m.lib.einsum("ij,ij->", a, b), [(3, 4), (3, 4)]),
    "einsum_ellipsis": (lambda m, a, b: m.lib.einsum("...ij,jk->...ik", a, b), [(2, 3, 4), (4, 5)]),
    "einsum_ellipsis_broadcast": (
        lambda m, a, b: m.lib.einsum("...ij,...jk", a, b),
        [(2, 1, 3, 4), (5, 4, 2)],
    ),
    "einsum_attention": (
        lambda m, q, k: m.lib.einsum("bhqd,bhkd->bhqk", q, k).softmax(-1),
        [(2, 2, 3, 4), (2, 2, 5, 4)],
    ),
    "norm_default": (lambda m, a: a.norm(), [(3, 4)]),
    "norm_fn_dim": (lambda m, a: m.lib.norm(a, dim=1), [(3, 4)]),
    "norm_p1": (lambda m, a: a.norm(p=1, dim=0, keepdim=True), [(3, 4)]),
    "norm_inf": (lambda m, a: m.lib.norm(a, p=INF, dim=-1), [(3, 4)]),
    "norm_neg_inf": (lambda m, a: m.lib.norm(a, p=-INF), [(3, 4)]),
    "norm_p3": (lambda m, a: a.norm(3, dim=(0, 1)), [(3, 4)]),
    "norm_fro_dims": (lambda m, a: m.lib.norm(a, "fro", dim=(1, 2)), [(2, 3, 4)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_and_gradcheck(name):
    fn, shapes = CASES[name]
    check_op(fn, shapes)


def test_prod_gradient_with_zeros_is_exact():
    values = [[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]]
    ours = neuralab.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    ours.prod(1).sum().backward()
    theirs.prod(1).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    ours.grad = None
    ours.prod().backward()
    assert not np.any(ours.grad.numpy())


def test_norm_gradient_at_zero_is_zero_like_torch():
    ours = neuralab.zeros(3, requires_grad=True)
    theirs = torch.zeros(3, requires_grad=True)
    ours.norm().backward()
    theirs.norm().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_norm_p0_counts_nonzero_entries():
    x = [[0.0, 1.5], [0.0, -2.0]]
    assert neuralab.norm(neuralab.tensor(x), p=0).item() == torch.norm(torch.tensor(x), p=0)


ALIASES = {
    "sum": lambda m, a: m.lib.sum(a, axis=1, keepdims=True),
    "sum_method": lambda m, a: a.sum(axis=(0, 1)),
    "mean": lambda m, a: a.mean(axis=0, keepdims=True),
    "std": lambda m, a: a.std(axis=1),
    "var": lambda m, a: m.lib.var(a, axis=0, keepdims=True),
    "amax": lambda m, a: m.lib.amax(a, axis=1, keepdims=True),
    "amin": lambda m, a: a.amin(axis=0),
    "prod": lambda m, a: m.lib.prod(a, axis=1, keepdims=True),
    "cumsum": lambda m, a: m.lib.cumsum(a, axis=1),
    "all": lambda m, a: m.lib.all(a > 0, axis=1, keepdims=True),
    "any": lambda m, a: (a > 0).any(axis=0),
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_numpy_aliases_match_torch(name):
    compare_with_torch(ALIASES[name], [(3, 4)])


def test_reduction_dtypes_match_torch():
    for values in ([True, False, True], np.array([1, 2, 3], np.int32), np.array([1, 2], np.uint8)):
        for op in ("sum", "prod"):
            ours = getattr(neuralab, op)(neuralab.tensor(values))
            theirs = getattr(torch, op)(torch.tensor(values))
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (op, values)
            assert ours.item() == theirs.item()
    ours = neuralab.tensor([1, 2]).cumsum(0, dtype=neuralab.float64)
    assert ours.dtype == np.float64 and ours.tolist() == [1.0, 3.0]
    assert neuralab.tensor([1, 2]).sum(dtype=neuralab.float32).dtype == np.float32
    assert neuralab.tensor([1, 2]).mean(dtype=neuralab.float64).item() == 1.5


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: neuralab.mm(neuralab.ones(3), neuralab.ones(3, 3)), ShapeError, "matrices"),
        (lambda: neuralab.mm(neuralab.ones(2, 3), neuralab.ones(2, 3)), ShapeError, "3 != 2"),
        (lambda: neuralab.bmm(neuralab.ones(3, 3), neuralab.ones(3, 3)), ShapeError, "3-D"),
        (lambda: neuralab.bmm(neuralab.ones(2, 3, 3), neuralab.ones(3, 3, 3)), ShapeError, "batch"),
        (lambda: neuralab.dot(neuralab.ones(3), neuralab.ones(4)), ShapeError, "inconsistent"),
        (lambda: neuralab.dot(neuralab.ones(3, 1), neuralab.ones(3)), ShapeError, "1D"),
        (lambda: neuralab.outer(neuralab.ones(3, 1), neuralab.ones(3)), ShapeError, "1-D"),
        (lambda: neuralab.mm([[1.0]], neuralab.ones(1, 1)), TypeError, "mm"),
        (lambda: neuralab.einsum("ij,jk", neuralab.ones(2, 3)), ValueError, "2 operand"),
        (lambda: neuralab.einsum("ijk", neuralab.ones(2, 3)), ShapeError, "'ijk'"),
        (
            lambda: neuralab.einsum("ij,jk", neuralab.ones(2, 3), neuralab.ones(4, 2)),
            ShapeError,
            "einsum",
        ),
        (lambda: neuralab.einsum("i1", neuralab.ones(2, 3)), ValueError, "invalid subscript"),
        (lambda: neuralab.einsum("ij->k", neuralab.ones(2, 3)), ValueError, "'k'"),
        (lambda: neuralab.norm(neuralab.ones(2, 2), p="nuc"), NotImplementedError, "nuc"),
        (lambda: neuralab.norm(neuralab.tensor([1, 2])), TypeError, "floating"),
        (lambda: neuralab.prod(neuralab.ones(2, 2), dim=(0, 1)), TypeError, "single int"),
        (lambda: neuralab.cumsum(neuralab.ones(2)), TypeError, "dim"),
        (lambda: neuralab.cumsum(neuralab.ones(2), 1), IndexError, "cumsum: dimension 1"),
        (lambda: neuralab.sum(neuralab.ones(2), 0, axis=0), TypeError, "alias 'axis'"),
        (lambda: neuralab.tensor([1, 2]).mean(), TypeError, "floating point"),
    ],
)
def test_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_einsum_repeated_label_computes_but_is_not_differentiable():
    a = np.arange(9.0).reshape(3, 3)
    diagonal = neuralab.einsum("ii->i", neuralab.tensor(a))
    np.testing.assert_array_equal(diagonal.numpy(), torch.einsum("ii->i", torch.tensor(a)))
    with pytest.raises(NotImplementedError, match=r"einsum.*'ii'.*diagonal"):
        neuralab.einsum("ii->i", neuralab.tensor(a, requires_grad=True))
