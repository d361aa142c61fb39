"""Sequence tasks with a long-range dependency: the answer depends on what came many steps
before the end, so a model must carry information across the whole sequence. They are the
classic tests of recurrent networks (Hochreiter and Schmidhuber, 1997), where a vanilla RNN
fails as the sequence grows and an LSTM does not.

Inputs are batch-first, ``(n_samples, length, features)`` float32; use
``batch_first=True`` in the recurrent layers. ``seed``: an int for the same data every
time, or None to draw from the global neuralab generator (``neuralab.manual_seed``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy

from neuralab import backend
from neuralab.data.dataset import TensorDataset
from neuralab.data.synthetic import resolve_seed

__all__ = ["adding_problem", "first_symbol_recall"]


def _count(value: Any, name: str, who: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value}")
    return int(value)


def first_symbol_recall(
    n_samples: int,
    length: int,
    n_symbols: int = 8,
    n_distractors: int = 8,
    *,
    seed: int | None = None,
    as_dataset: bool = False,
) -> tuple[numpy.ndarray, numpy.ndarray] | TensorDataset:
    """Recall the first symbol of a sequence after ``length - 1`` distractors.

    The sequence starts with one of ``n_symbols`` symbols, the label y; the ``length - 1``
    steps after it are distractors drawn uniformly from ``n_distractors`` other symbols (as
    in Hochreiter and Schmidhuber's 1997 noisy-sequence experiments), so spotting the symbol
    to keep is easy and only keeping it is hard. Every step is one-hot over the
    n_symbols + n_distractors symbols. Chance accuracy is 1 / n_symbols: a model that
    forgets the start of the sequence can do no better.

    Args:
        n_samples: Number of sequences.
        length: Steps per sequence.
        n_symbols: Symbols to recall (the classes). Defaults to 8.
        n_distractors: Distractor symbols. Defaults to 8.
        seed: Seed of the random draw; None for a fresh one. Defaults to None.
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.

    Returns:
        ``(X, y)``: X float32 (n_samples, length, n_symbols + n_distractors), y int64
        (n_samples,); or a ``TensorDataset`` of them.

    Raises:
        TypeError: A count that is not an int.
        ValueError: A count below its minimum.

    Examples:
        >>> from neuralab.data import first_symbol_recall
        >>> X, y = first_symbol_recall(5, 6, n_symbols=3, n_distractors=2, seed=0)
        >>> X.shape, bool((X[:, 0, :3].argmax(axis=1) == y).all())
        ((5, 6, 5), True)
    """
    who = "first_symbol_recall"
    n_samples = _count(n_samples, "n_samples", who, 1)
    length = _count(length, "length", who, 1)
    n_symbols = _count(n_symbols, "n_symbols", who, 2)
    n_distractors = _count(n_distractors, "n_distractors", who, 1)
    rng = numpy.random.default_rng(resolve_seed(seed, who))
    y = rng.integers(0, n_symbols, size=n_samples)
    noise = n_symbols + rng.integers(0, n_distractors, size=(n_samples, length - 1))
    symbols = numpy.concatenate([y[:, None], noise], axis=1)
    X = numpy.eye(n_symbols + n_distractors, dtype=backend.float32)[symbols]
    y = y.astype(backend.int64)
    return TensorDataset(X, y) if as_dataset else (X, y)


def adding_problem(
    n_samples: int,
    length: int,
    *,
    seed: int | None = None,
    as_dataset: bool = False,
) -> tuple[numpy.ndarray, numpy.ndarray] | TensorDataset:
    """The adding problem: add the two numbers that are marked.

    Each step carries two features, a value u_t ~ U(0, 1) and a marker m_t in {0, 1};
    exactly two steps are marked, one in each half of the sequence. The target is

        y = sum_t m_t u_t

    Always answering 1 (the mean target) gives a mean squared error of 1/6 ~ 0.167, the
    baseline a model must beat.

    Args:
        n_samples: Number of sequences.
        length: Steps per sequence, >= 2.
        seed: Seed of the random draw; None for a fresh one. Defaults to None.
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.

    Returns:
        ``(X, y)``: X float32 (n_samples, length, 2), y float32 (n_samples, 1); or a
        ``TensorDataset`` of them.

    Raises:
        TypeError: A n_samples or length that is not an int.
        ValueError: A n_samples or length below its minimum.

    Examples:
        >>> from neuralab.data import adding_problem
        >>> X, y = adding_problem(4, 10, seed=0)
        >>> X.shape, y.shape, X[:, :, 1].sum(axis=1).tolist()
        ((4, 10, 2), (4, 1), [2.0, 2.0, 2.0, 2.0])
    """
    who = "adding_problem"
    n_samples = _count(n_samples, "n_samples", who, 1)
    length = _count(length, "length", who, 2)
    rng = numpy.random.default_rng(resolve_seed(seed, who))
    values = rng.uniform(0.0, 1.0, size=(n_samples, length))
    half = length // 2
    rows = numpy.arange(n_samples)
    first = rng.integers(0, half, size=n_samples)
    second = rng.integers(half, length, size=n_samples)
    markers = numpy.zeros((n_samples, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = numpy.stack([values, markers], axis=-1).astype(backend.float32)
    y = (values[rows, first] + values[rows, second]).astype(backend.float32)[:, None]
    return TensorDataset(X, y) if as_dataset else (X, y)
