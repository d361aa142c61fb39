"""Samplers: the order in which a ``DataLoader`` visits a dataset's indices.

As ``torch.utils.data``: ``Sampler`` (the base: ``__iter__`` over indices, optionally
``__len__``), ``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler`` and ``BatchSampler`` (groups another sampler's indices into
lists of ``batch_size``).

The samplers here also have ``_indices()``: the epoch's whole order as one int64 array
(None for "every index in order"), so that the ``DataLoader`` draws an epoch with one
NumPy call and, for row-based datasets, gathers each batch with one fancy index. Random
draws come from ``generator`` (``neuralab.Generator``, a ``numpy.random.Generator``, an
int seed, or None for the global neuralab generator at the start of each epoch).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy

from neuralab.data.dataset import GeneratorLike, as_generator

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


def stream(generator: GeneratorLike, who: str) -> Any:
    """What to draw an epoch from: ``generator`` itself (None, a ``neuralab.Generator``,
    a NumPy generator), resolved at each epoch so ``g.manual_seed(...)`` after building
    the loader still counts; an int seed becomes one generator, made here (epochs then
    differ, runs repeat). Raises TypeError for anything else."""
    rng = as_generator(generator, who)  # validates
    return rng if isinstance(generator, (int, numpy.integer)) else generator


def _rng(source: Any) -> numpy.random.Generator:
    return as_generator(source, "sampler")


def _count(value: Any, name: str, who: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


class Sampler:
    """Base class of the samplers: ``iter(sampler)`` yields dataset indices.

    A batch sampler yields lists of them. Subclasses implement ``__iter__`` and, when known,
    ``__len__``.

    Args:
        data_source: Accepted for PyTorch compatibility; ignored. Defaults to None.

    Raises:
        NotImplementedError: Iterating a subclass without ``__iter__``.

    Examples:
        >>> from neuralab.data import Sampler
        >>> class Backwards(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n - 1, -1, -1))
        >>> list(Backwards(3))
        [2, 1, 0]
    """

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def _indices(self) -> numpy.ndarray | None:
        """The epoch's indices as an int64 array (None: 0, 1, ..., n-1)."""
        return numpy.fromiter(iter(self), dtype=numpy.int64)


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1``, in order.

    Args:
        data_source: The dataset (only its length is used).

    Examples:
        >>> from neuralab.data import SequentialSampler
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def _indices(self) -> None:
        return None

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices, a new one every epoch.

    A permutation of ``range(len(data_source))``, or with ``replacement=True``
    ``num_samples`` indices drawn uniformly with replacement. Without replacement, more
    than ``len(data_source)`` samples repeat whole permutations, as PyTorch does.

    Args:
        data_source: The dataset (only its length is used).
        replacement: Draw with replacement. Defaults to False.
        num_samples: Indices per epoch; None for ``len(data_source)``. Defaults to None.
        generator: Source of the random order: a ``neuralab.Generator``, a
            ``numpy.random.Generator``, an int seed, or None for the global neuralab
            generator. Defaults to None.

    Raises:
        TypeError: ``replacement`` is not a bool, or a generator of another kind.
        ValueError: ``num_samples`` is not an int >= 1.

    Examples:
        >>> from neuralab.data import RandomSampler
        >>> order = list(RandomSampler(range(5), generator=0))
        >>> sorted(order)
        [0, 1, 2, 3, 4]
        >>> len(RandomSampler(range(5), replacement=True, num_samples=8))
        8
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        if not isinstance(replacement, (bool, numpy.bool_)):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None:
            _count(num_samples, "num_samples", "RandomSampler")
        self.data_source = data_source
        self.replacement = bool(replacement)
        self._num_samples = num_samples
        self.generator = generator
        self._stream = stream(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        """Indices drawn per epoch: ``num_samples``, or ``len(data_source)`` when it was None."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _indices(self) -> numpy.ndarray:
        n, k, rng = len(self.data_source), self.num_samples, _rng(self._stream)
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=numpy.int64)
        if k == n:
            return rng.permutation(n)
        rounds = -(-k // n) if n else 0
        return numpy.concatenate([rng.permutation(n) for _ in range(rounds)] or [[]])[:k].astype(
            numpy.int64
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, a new one every epoch.

    Args:
        indices: The indices to draw from.
        generator: Source of the random order: a ``neuralab.Generator``, a
            ``numpy.random.Generator``, an int seed, or None for the global neuralab
            generator. Defaults to None.

    Examples:
        >>> from neuralab.data import SubsetRandomSampler
        >>> sorted(SubsetRandomSampler([5, 7, 9], generator=0))
        [5, 7, 9]
    """

    def __init__(self, indices: Sequence[int], generator: GeneratorLike = None) -> None:
        self.indices = indices
        self._array = numpy.asarray(indices, dtype=numpy.int64).reshape(-1)
        self.generator = generator
        self._stream = stream(generator, "SubsetRandomSampler")

    def _indices(self) -> numpy.ndarray:
        return self._array[_rng(self._stream).permutation(len(self._array))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return len(self._array)


class WeightedRandomSampler(Sampler):
    """Indices drawn with probabilities proportional to ``weights``.

    ``num_samples`` indices in ``[0, len(weights))``, index i drawn with probability
    ``weights[i] / sum(weights)``, with or without replacement.

    Args:
        weights: One non-negative weight per index (a 1-d sequence with a positive sum).
        num_samples: Indices per epoch.
        replacement: Draw with replacement. Defaults to True.
        generator: Source of the random order: a ``neuralab.Generator``, a
            ``numpy.random.Generator``, an int seed, or None for the global neuralab
            generator. Defaults to None.

    Raises:
        ValueError: Weights that are not 1-d, finite, non-negative with a positive sum; a
            num_samples that is not an int >= 1; or, without replacement, more samples than
            non-zero weights.

    Examples:
        >>> from neuralab.data import WeightedRandomSampler
        >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], num_samples=3, generator=0))
        [1, 1, 1]
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        w = numpy.asarray(getattr(weights, "_data", weights), dtype=numpy.float64)
        if w.ndim != 1:
            raise ValueError(
                f"WeightedRandomSampler: weights should be a 1d sequence, got shape {w.shape}"
            )
        if w.size == 0 or not numpy.all(numpy.isfinite(w)) or numpy.any(w < 0) or w.sum() <= 0:
            raise ValueError(
                "WeightedRandomSampler: weights must be finite, non-negative numbers with a "
                "positive sum"
            )
        self.num_samples = _count(num_samples, "num_samples", "WeightedRandomSampler")
        if not replacement and self.num_samples > numpy.count_nonzero(w):
            raise ValueError(
                f"WeightedRandomSampler: cannot draw {self.num_samples} samples without "
                f"replacement from {numpy.count_nonzero(w)} non-zero weights"
            )
        self.weights = w
        self.replacement = bool(replacement)
        self.generator = generator
        self._stream = stream(generator, "WeightedRandomSampler")

    def _indices(self) -> numpy.ndarray:
        p = self.weights / self.weights.sum()
        rng = _rng(self._stream)
        picks = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p)
        return picks.astype(numpy.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


def fast_indices(sampler: Any) -> Any:
    """The sampler's ``_indices`` method (its whole order at once; None means 0..len-1),
    unless a subclass overrides ``__iter__``: then None, and the sampler is iterated."""
    method = getattr(sampler, "_indices", None)
    if not callable(method):
        return None
    owner = next(k for k in type(sampler).__mro__ if "_indices" in vars(k))
    return method if type(sampler).__iter__ is owner.__iter__ else None


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler: A sampler or iterable of indices.
        batch_size: Indices per list.
        drop_last: Drop the last list when it is smaller than batch_size.

    Raises:
        ValueError: A batch_size that is not an int >= 1, or a drop_last that is not a bool.

    Examples:
        >>> from neuralab.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
        >>> list(BatchSampler(range(5), batch_size=2, drop_last=True))
        [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _count(batch_size, "batch_size", "BatchSampler")
        if not isinstance(drop_last, (bool, numpy.bool_)):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.drop_last = bool(drop_last)

    def __iter__(self) -> Iterator[list[int]]:
        indices = fast_indices(self.sampler)
        order = indices() if indices is not None else None
        if order is None and indices is not None:
            order = numpy.arange(len(self.sampler), dtype=numpy.int64)  # type: ignore[arg-type]
        if order is not None:
            size = self.batch_size
            stop = len(order) - len(order) % size if self.drop_last else len(order)
            for start in range(0, stop, size):
                yield order[start : start + size].tolist()
            return
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
