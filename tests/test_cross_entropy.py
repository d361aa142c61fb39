"""The fused softmax-cross-entropy: equal to PyTorch for every option, to the composition
of primitive ops, finite differences, and stable for huge logits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import NL, TORCH, compare_with_torch, gradcheck

import neuralab as nl
import neuralab.functional as F

TARGETS = np.array([2, 0, 4, 4, 1, 3])
SPATIAL_TARGETS = np.array([[[0, 1], [2, 2], [1, 0]], [[2, 0], [1, 1], [0, 2]]])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0, 0.25])


def _ce(targets, weight=None, **options):
    def fn(m, logits):
        w = None if weight is None else m.lib.tensor(weight).to(logits.dtype)
        return m.F.cross_entropy(logits, m.lib.tensor(targets), weight=w, **options)

    return fn


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, True])
def test_index_targets_match_torch(reduction, weighted, label_smoothing, ignore):
    targets = TARGETS.copy()
    options = {"reduction": reduction, "label_smoothing": label_smoothing}
    if ignore:
        targets[[1, 3]] = -1
        options["ignore_index"] = -1
    fn = _ce(targets, WEIGHT if weighted else None, **options)
    compare_with_torch(fn, [(6, 5)], domain=(-3, 3))
    compare_with_torch(fn, [(6, 5)], domain=(-3, 3), dtype="float64")
    gradcheck(fn, [(6, 5)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_spatial_targets_match_torch(reduction, label_smoothing):
    fn = _ce(SPATIAL_TARGETS, WEIGHT[:3], reduction=reduction, label_smoothing=label_smoothing)
    compare_with_torch(fn, [(2, 3, 3, 2)], domain=(-3, 3))
    gradcheck(fn, [(2, 3, 3, 2)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_probability_targets_match_torch(reduction, weighted, label_smoothing):
    def fn(m, logits, target_scores):
        probabilities = m.F.softmax(target_scores, dim=1)
        w = m.lib.tensor(WEIGHT).to(logits.dtype) if weighted else None
        return m.F.cross_entropy(
            logits, probabilities, weight=w, reduction=reduction, label_smoothing=label_smoothing
        )

    compare_with_torch(fn, [(4, 5), (4, 5)])
    gradcheck(fn, [(4, 5), (4, 5)])


def test_single_sample_without_batch_axis():
    fn = _ce(np.array(3))
    compare_with_torch(fn, [(5,)])


def test_equals_composition_of_primitives():
    rng = np.random.default_rng(0)
    logits = nl.tensor(rng.normal(size=(8, 5)).astype(np.float32), requires_grad=True)
    targets = nl.tensor(rng.integers(0, 5, 8))
    fused = F.cross_entropy(logits, targets)
    fused.backward()
    fused_grad = logits.grad._data.copy()
    logits.grad = None
    composed = -F.log_softmax(logits, dim=1)[nl.arange(8), targets].mean()
    composed.backward()
    np.testing.assert_allclose(fused.item(), composed.item(), rtol=1e-6)
    np.testing.assert_allclose(fused_grad, logits.grad._data, rtol=1e-5, atol=1e-7)


def test_stable_for_huge_logits():
    logits_np = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [5e3, 5e3, -1e4]], np.float32)
    targets_np = np.array([0, 1, 2])
    ours = nl.tensor(logits_np, requires_grad=True)
    theirs = torch.tensor(logits_np, requires_grad=True)
    loss = F.cross_entropy(ours, nl.tensor(targets_np))
    expected = torch.nn.functional.cross_entropy(theirs, torch.tensor(targets_np))
    loss.backward()
    expected.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(ours.grad._data))
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), atol=1e-7)


def test_bad_targets_are_named():
    logits = nl.randn(4, 3)
    with pytest.raises(IndexError, match="target 3 is out of bounds for 3 classes"):
        F.cross_entropy(logits, nl.tensor([0, 1, 3, 2]))
    with pytest.raises(IndexError, match="target -2"):
        F.cross_entropy(logits, nl.tensor([0, 1, -2, 2]))
    with pytest.raises(ValueError, match=r"class-index target must have shape \(4,\)"):
        F.cross_entropy(logits, nl.tensor([0, 1]))
    with pytest.raises(ValueError, match="probability target must have the input's shape"):
        F.cross_entropy(logits, nl.rand(4, 2))
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(logits, nl.tensor([0, 1, 2, 2]), reduction="avg")
    with pytest.raises(TypeError, match="integer dtype"):
        F.cross_entropy(logits, nl.tensor([True, False, True, False]))


def test_nl_namespace_in_helpers_is_neuralab():
    assert NL.lib is nl and TORCH.lib is torch
