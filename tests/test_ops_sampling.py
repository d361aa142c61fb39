"""multinomial (frequencies, no repeats without replacement, zero-probability
categories, generators and seeds, PyTorch's errors) and F.one_hot."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab
import neuralab.functional as F


def test_with_replacement_frequencies_follow_the_weights():
    neuralab.manual_seed(0)
    weights = neuralab.tensor([1.0, 2.0, 0.0, 7.0])  # rows need not sum to 1
    draws = neuralab.multinomial(weights, 20000, replacement=True)
    assert draws.shape == (20000,) and draws.dtype == np.int64
    freq = np.bincount(draws.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.0, 0.7], atol=0.015)
    assert freq[2] == 0


def test_without_replacement_draws_distinct_categories_by_weight():
    neuralab.manual_seed(1)
    probs = neuralab.tensor([[0.7, 0.2, 0.1], [0.0, 0.5, 0.5]])
    firsts, seconds = [], []
    for _ in range(3000):
        draws = neuralab.multinomial(probs, 2).numpy()
        assert draws.shape == (2, 2) and draws[0, 0] != draws[0, 1] and 0 not in draws[1]
        firsts.append(draws[0, 0])
        seconds.append(draws[0, 1])
    # P(first = 0) = 0.7; P(second = 1) = 0.7 * 2/3 + 0.1 * 2/9 ~ 0.489
    assert abs(np.mean(np.array(firsts) == 0) - 0.7) < 0.03
    assert abs(np.mean(np.array(seconds) == 1) - (0.7 * 2 / 3 + 0.1 * 2 / 9)) < 0.03


def test_without_replacement_all_categories_is_a_permutation():
    draws = neuralab.multinomial(neuralab.tensor([0.0, 1.0, 3.0]), 3).numpy()
    assert sorted(draws.tolist()) == [0, 1, 2] and draws[-1] == 0
    assert sorted(torch.multinomial(torch.tensor([0.0, 1.0, 3.0]), 3).tolist()) == [0, 1, 2]


def test_seeds_and_generators_reproduce_the_draws():
    probs = neuralab.tensor([0.2, 0.3, 0.5])
    neuralab.manual_seed(5)
    a = neuralab.multinomial(probs, 50, replacement=True).numpy()
    neuralab.manual_seed(5)
    b = neuralab.multinomial(probs, 50, replacement=True).numpy()
    np.testing.assert_array_equal(a, b)
    g1, g2 = neuralab.backend.Generator(), neuralab.backend.Generator()
    g1.manual_seed(3)
    g2.manual_seed(3)
    c = probs.multinomial(10, True, generator=g1).numpy()
    np.testing.assert_array_equal(c, neuralab.multinomial(probs, 10, True, generator=g2).numpy())
    with pytest.raises(TypeError, match="multinomial: generator"):
        neuralab.multinomial(probs, 1, generator="seed")


@pytest.mark.parametrize(
    "probs, n, replacement, message",
    [
        ([0.5, -0.1], 1, False, "`inf`, `nan` or element < 0"),
        ([0.5, float("nan")], 1, True, "`inf`, `nan` or element < 0"),
        ([0.5, float("inf")], 1, False, "`inf`, `nan` or element < 0"),
        ([[0.0, 0.0], [1.0, 1.0]], 1, True, r"sum of probabilities <= 0"),
        ([1.0, 1.0], 3, False, "n_sample > prob_dist.size"),
        ([1.0, 1.0], 0, True, "n_sample <= 0"),
        ([[[1.0]]], 1, True, "1 or 2 dim"),
    ],
)
def test_errors_are_torchs(probs, n, replacement, message):
    with pytest.raises(RuntimeError, match=message):
        torch.multinomial(torch.tensor(probs), n, replacement)
    with pytest.raises(ValueError, match=message):  # also a RuntimeError, as in PyTorch
        neuralab.multinomial(neuralab.tensor(probs), n, replacement)


def test_integer_probabilities_are_refused():
    with pytest.raises(RuntimeError, match="floating-point"):
        neuralab.multinomial(neuralab.tensor([1, 2]), 1)


def test_one_hot_matches_torch():
    labels = [[0, 2], [1, 1]]
    for classes in (-1, 4):
        ours = F.one_hot(neuralab.tensor(labels), classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels), classes)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert F.one_hot(neuralab.tensor(np.zeros(0, np.int64)), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "labels, classes, kind, message",
    [
        ([0, 3], 3, ValueError, "smaller than num_classes"),
        ([-1, 0], 3, ValueError, "non-negative"),
        (np.zeros(0, np.int64), -1, ValueError, "empty"),
        ([0.0, 1.0], -1, TypeError, "int64"),
    ],
)
def test_one_hot_errors(labels, classes, kind, message):
    with pytest.raises(kind, match=message):
        F.one_hot(neuralab.tensor(labels), classes)
