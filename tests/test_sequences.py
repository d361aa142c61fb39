"""Synthetic data for the recurrent and generative models: the long-range sequence tasks
and the 2-D mixture of Gaussians."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab.data import (
    TensorDataset,
    adding_problem,
    first_symbol_recall,
    gaussian_mixture_centers,
    make_gaussian_mixture,
)


def test_first_symbol_recall_labels_are_the_first_symbol() -> None:
    X, y = first_symbol_recall(500, 20, n_symbols=5, n_distractors=8, seed=3)
    assert X.shape == (500, 20, 13) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.all(X.sum(-1) == 1)  # one-hot at every step
    np.testing.assert_array_equal(y, X[:, 0].argmax(-1))
    assert set(np.unique(y)) == set(range(5))
    # every later step is a distractor (symbols 5..12), drawn independently of the label
    later = X[:, 1:].argmax(-1)
    assert later.min() >= 5 and set(np.unique(later)) == set(range(5, 13))
    for label in range(5):
        share = np.bincount(later[y == label].ravel() - 5, minlength=8) / later[y == label].size
        assert np.all(np.abs(share - 1 / 8) < 0.03)
    X2, y2 = first_symbol_recall(500, 20, n_symbols=5, n_distractors=8, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_adding_problem_targets_and_baseline() -> None:
    X, y = adding_problem(2000, 30, seed=1)
    assert X.shape == (2000, 30, 2) and y.shape == (2000, 1) and y.dtype == np.float32
    markers = X[..., 1]
    assert np.all(markers.sum(1) == 2)
    assert np.all(markers[:, :15].sum(1) == 1) and np.all(markers[:, 15:].sum(1) == 1)
    np.testing.assert_allclose(y[:, 0], (X[..., 0] * markers).sum(1), rtol=1e-6)
    # always answering 1 gives a mean squared error of about 1/6
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.02


def test_sequence_tasks_follow_the_global_seed_and_make_datasets() -> None:
    nl.manual_seed(5)
    a = first_symbol_recall(10, 4)
    nl.manual_seed(5)
    b = first_symbol_recall(10, 4)
    np.testing.assert_array_equal(a[0], b[0])
    ds = adding_problem(8, 6, seed=0, as_dataset=True)
    assert isinstance(ds, TensorDataset) and len(ds) == 8


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: first_symbol_recall(10, 0), ValueError, "length must be at least 1"),
        (lambda: first_symbol_recall(10, 5, n_symbols=1), ValueError, "n_symbols"),
        (lambda: first_symbol_recall(2.5, 5), TypeError, "n_samples must be an int"),
        (lambda: adding_problem(10, 1), ValueError, "length must be at least 2"),
        (lambda: make_gaussian_mixture(10, std=0), ValueError, "std must be a positive"),
        (lambda: gaussian_mixture_centers(8, layout="grid"), ValueError, "square n_modes"),
        (lambda: gaussian_mixture_centers(8, layout="star"), ValueError, "'ring' or 'grid'"),
    ],
)
def test_bad_arguments_are_named(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_gaussian_mixture_on_a_ring() -> None:
    centers = gaussian_mixture_centers(8, radius=2.0)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    np.testing.assert_allclose(centers[2], [0.0, 2.0], atol=1e-6)
    X, y = make_gaussian_mixture(8000, 8, radius=2.0, std=0.1, seed=0)
    assert X.shape == (8000, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(y), [1000] * 8)  # equal weights
    offsets = X - centers[y]
    np.testing.assert_allclose(offsets.mean(0), 0.0, atol=0.01)
    np.testing.assert_allclose(offsets.std(0), 0.1, rtol=0.05)


def test_gaussian_mixture_on_a_grid() -> None:
    centers = gaussian_mixture_centers(25, radius=2.0, layout="grid")
    assert centers.shape == (25, 2)
    np.testing.assert_allclose(np.unique(centers[:, 0]), [-2, -1, 0, 1, 2])
    X, y = make_gaussian_mixture(250, 25, radius=2.0, layout="grid", std=0.05, seed=1)
    assert np.abs(X - centers[y]).max() < 0.05 * 5
