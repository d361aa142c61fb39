"""Comparisons (eq ne lt le gt ge and their aliases), equal, allclose, isclose, any, all
and masked_fill: values equal PyTorch's, no gradient through comparisons, masked_fill
differentiable with respect to its input, PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab
from neuralab import ShapeError

COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_match_torch_as_functions_and_methods(name):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, (3, 4)).astype("float32")
    b = rng.integers(0, 3, (4,)).astype("float32")
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
    for ours in (
        getattr(neuralab, name)(neuralab.tensor(a), neuralab.tensor(b)),
        getattr(neuralab.tensor(a), name)(neuralab.tensor(b)),
    ):
        assert ours.dtype == np.bool_ and not ours.requires_grad
        np.testing.assert_array_equal(ours.numpy(), expected)
    scalar = getattr(neuralab.tensor(a), name)(1.0).numpy()
    np.testing.assert_array_equal(scalar, getattr(torch.tensor(a), name)(1.0).numpy())


def test_comparison_of_a_tensor_that_requires_grad_has_no_grad():
    x = neuralab.tensor([1.0, 2.0], requires_grad=True)
    assert not x.gt(1.5).requires_grad and x.gt(1.5).grad_fn is None


def test_comparison_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"eq: shapes \(3,\) and \(2,\)"):
        neuralab.ones(3).eq(neuralab.ones(2))


def test_equal_and_allclose():
    a = neuralab.tensor([1.0, 2.0])
    assert neuralab.equal(a, neuralab.tensor([1.0, 2.0])) is True
    assert a.equal(neuralab.tensor([1.0, 2.5])) is False
    assert neuralab.equal(a, neuralab.ones(3)) is False
    assert neuralab.allclose(a, a + 1e-7) is True
    assert a.allclose(a + 1e-3) is False
    assert neuralab.allclose(a, a + 1e-3, atol=1e-2) is True
    nan = neuralab.tensor([float("nan")])
    assert not neuralab.allclose(nan, nan) and neuralab.allclose(nan, nan, equal_nan=True)
    with pytest.raises(ShapeError, match="isclose"):
        neuralab.allclose(a, neuralab.ones(3))


def test_isclose_matches_torch():
    a = np.array([1.0, 2.0, 3.0, np.nan], "float32")
    b = np.array([1.0 + 1e-6, 2.1, 3.0, np.nan], "float32")
    ours = neuralab.isclose(neuralab.tensor(a), neuralab.tensor(b), equal_nan=True)
    theirs = torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


LOGICAL = {
    "any_all": lambda m, a: m.lib.any(a > 1),
    "all_all": lambda m, a: (a > -3).all(),
    "any_dim": lambda m, a: (a > 1).any(dim=1),
    "all_dim_keep": lambda m, a: m.lib.all(a > -1, dim=0, keepdim=True),
    "any_float": lambda m, a: m.lib.any(a),
    "all_neg_dim": lambda m, a: (a > 0).all(-1),
}


@pytest.mark.parametrize("name", sorted(LOGICAL))
def test_any_all_match_torch(name):
    compare_with_torch(LOGICAL[name], [(3, 4)])


MASKED = {
    "masked_fill": (lambda m, a: a.masked_fill(a > 0.5, -1.0) * 2, [(3, 4)]),
    "masked_fill_fn": (lambda m, a: m.lib.masked_fill(a, a < 0, 0.0), [(3, 4)]),
    "masked_fill_broadcast_mask": (
        lambda m, a, b: a.masked_fill(b > 0, float("-inf")).softmax(-1),
        [(2, 3, 4), (3, 4)],
    ),
    "masked_fill_zero_dim_value": (
        lambda m, a: a.masked_fill(a > 0, m.lib.tensor(2.0, dtype=a.dtype)),
        [(3, 4)],
    ),
}


@pytest.mark.parametrize("name", sorted(MASKED))
def test_masked_fill_matches_torch_and_gradcheck(name):
    fn, shapes = MASKED[name]
    check_op(fn, shapes)


def test_masked_fill_is_out_of_place_and_keeps_dtype():
    x = neuralab.tensor([1, 2, 3])
    y = x.masked_fill(x > 1, 0.7)
    assert y.dtype == np.int64 and y.tolist() == [1, 0, 0] and x.tolist() == [1, 2, 3]
    assert torch.tensor([1, 2, 3]).masked_fill(torch.tensor([False, True, True]), 0.7).tolist() == [
        1,
        0,
        0,
    ]


def test_masked_fill_errors():
    x = neuralab.ones(2)
    with pytest.raises(TypeError, match="boolean masks"):
        x.masked_fill(neuralab.tensor([1, 0]), 1.0)
    with pytest.raises(ValueError, match="0-dimensional value"):
        x.masked_fill(neuralab.tensor([True, False]), neuralab.ones(2))
    with pytest.raises(ShapeError, match="maskedfill"):
        x.masked_fill(neuralab.tensor([True, False, True]), 1.0)
