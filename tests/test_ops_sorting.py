"""sort, argsort, topk, msort, argmax/argmin and max/min along a dim: values, indices and
gradients equal PyTorch's (float32, float64), gradcheck of the values, ties and NaN in
PyTorch's order, NumPy's axis/keepdims aliases, and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab

CASES = {
    "sort_last": lambda m, a: m.lib.sort(a).values * 2,
    "sort_dim0_desc": lambda m, a: a.sort(dim=0, descending=True).values * 2,
    "sort_stable": lambda m, a: m.lib.sort(a, dim=1, stable=True).values * 2,
    "sort_3d": lambda m, a: a.reshape(3, 2, 2).sort(dim=-2).values * 2,
    "topk": lambda m, a: m.lib.topk(a, 2).values * 2,
    "topk_smallest_dim0": lambda m, a: a.topk(2, dim=0, largest=False).values * 2,
    "topk_all": lambda m, a: m.lib.topk(a, 4, dim=1).values * 2,
    "msort": lambda m, a: m.lib.msort(a) * 2,
    "max_dim_values": lambda m, a: m.lib.max(a, 1).values * 2,
    "max_other": lambda m, a: m.lib.max(a, a.flip(0)) * 2,
    "min_other_method": lambda m, a: a.min(a.flip(1)) * 2,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_torch_and_gradcheck(name):
    check_op(CASES[name], [(3, 4)])


INDICES = {
    "sort": lambda m, a: m.lib.sort(a, dim=1),
    "sort_desc": lambda m, a: a.sort(0, True),
    "argsort": lambda m, a: m.lib.argsort(a, dim=0),
    "argsort_desc": lambda m, a: a.argsort(descending=True),
    "topk": lambda m, a: a.topk(3, dim=1),
    "topk_unsorted_k1": lambda m, a: m.lib.topk(a, 1, dim=0, largest=False),
    "argmax": lambda m, a: m.lib.argmax(a),
    "argmax_dim": lambda m, a: m.lib.argmax(a, dim=1),
    "argmin_keepdim": lambda m, a: m.lib.argmin(a, dim=0, keepdim=True),
    "argmax_all_keepdim": lambda m, a: m.lib.argmax(a, keepdim=True),
    "argmax_method_neg": lambda m, a: a.argmax(-1),
    "argmin_method": lambda m, a: a.argmin(),
    "max_dim": lambda m, a: a.max(1, True),
    "min_dim": lambda m, a: m.lib.min(a, dim=0),
}


@pytest.mark.parametrize("name", sorted(INDICES))
def test_indices_and_values_match_torch(name):
    compare_with_torch(INDICES[name], [(4, 5)])


def test_max_on_data_returns_values_and_predictions():
    logits = np.random.default_rng(0).standard_normal((6, 3)).astype("float32")
    outputs = neuralab.tensor(logits, requires_grad=True) * 1
    _, predicted = neuralab.max(outputs.data, 1)
    _, expected = torch.max(torch.tensor(logits), 1)
    assert predicted.dtype == np.int64
    np.testing.assert_array_equal(predicted.numpy(), expected.numpy())
    assert (predicted == neuralab.tensor(expected.numpy())).sum().item() == 6


def test_ties_keep_their_order_ascending_and_descending():
    values = [1.0, 0.0, 1.0, 0.0, 1.0]
    for descending in (False, True):
        ours = neuralab.sort(neuralab.tensor(values), descending=descending, stable=True)
        theirs = torch.sort(torch.tensor(values), descending=descending, stable=True)
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())


def test_nan_sorts_as_the_largest_value():
    values = [1.0, float("nan"), -2.0, 3.0]
    for descending in (False, True):
        ours = neuralab.sort(neuralab.tensor(values), descending=descending)
        theirs = torch.sort(torch.tensor(values), descending=descending)
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    ours = neuralab.argmax(neuralab.tensor(values))
    assert ours.item() == torch.argmax(torch.tensor(values)).item() == 1


def test_integer_sort_and_topk():
    values = [3, 1, 2, 5]
    ours = neuralab.tensor(values).topk(2)
    theirs = torch.tensor(values).topk(2)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    assert ours.values.dtype == np.int64


def test_results_are_named_tuples():
    values, indices = neuralab.sort(neuralab.tensor([2.0, 1.0]))
    result = neuralab.topk(neuralab.tensor([2.0, 1.0]), 1)
    assert result.values.item() == 2.0 and result.indices.item() == 0
    assert values.tolist() == [1.0, 2.0] and indices.tolist() == [1, 0]


def test_zero_dim_sort_and_argmax():
    x = neuralab.tensor(3.0)
    assert neuralab.sort(x).values.item() == 3.0 and neuralab.sort(x).indices.item() == 0
    assert neuralab.argmax(x).item() == 0 and neuralab.argmax(x, dim=0).item() == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda m, a: m.lib.argmax(a, axis=1),
        lambda m, a: m.lib.argmin(a, axis=0, keepdims=True),
        lambda m, a: a.max(axis=1, keepdims=True),
        lambda m, a: m.lib.min(a, axis=0),
    ],
)
def test_numpy_aliases_on_arg_and_extreme_reductions(call):
    compare_with_torch(call, [(3, 4)])


def test_errors_name_the_op_and_the_problem():
    x = neuralab.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(IndexError, match=r"topk.*k out of range"):
        x.topk(3)
    with pytest.raises(IndexError, match="sort: dimension 2 out of range"):
        x.sort(2)
    with pytest.raises(TypeError, match=r"argsort.*dim"):
        neuralab.argsort(x, dim=(0, 1))
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        neuralab.argmax(x, 0, axis=0)
    with pytest.raises(IndexError, match="argmax"):
        neuralab.argmax(neuralab.tensor(np.zeros((0,))))
    with pytest.raises(TypeError, match="sort"):
        neuralab.sort([1.0, 2.0])
