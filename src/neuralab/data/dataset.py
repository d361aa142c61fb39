"""Datasets: the indexable collections that a ``DataLoader`` draws batches from.

``Dataset`` is the abstract base (``__getitem__`` and ``__len__``), as
``torch.utils.data.Dataset``; ``IterableDataset`` a stream (``__iter__``).
``TensorDataset`` holds tensors that share their first dimension; ``Subset`` views part
of another dataset through a list of indices; ``ConcatDataset`` chains datasets one after
the other (``a + b``); ``random_split`` and ``train_val_split`` cut a dataset into
disjoint random subsets.

Random choices use ``generator``: a ``neuralab.Generator``, a ``numpy.random.Generator``,
an int seed, or None for the global neuralab generator, so that ``neuralab.manual_seed``
makes them reproducible.
"""

from __future__ import annotations

import abc
import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy

from neuralab import backend
from neuralab.tensor import Tensor

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "GeneratorLike",
    "Subset",
    "TensorDataset",
    "as_generator",
    "random_split",
    "train_val_split",
]

GeneratorLike = backend.Generator | numpy.random.Generator | int | None


def as_generator(generator: Any, who: str) -> numpy.random.Generator:
    """The ``numpy.random.Generator`` that ``generator`` stands for (``backend.generator``).

    Args:
        generator: a ``neuralab.Generator`` (``torch.Generator``), a
            ``numpy.random.Generator``, an int seed, or None for the global neuralab generator.
        who: The caller's name, for the error message.

    Returns:
        A ``numpy.random.Generator``.

    Raises:
        TypeError: ``generator`` is none of the accepted kinds.

    Examples:
        >>> rng = as_generator(0, "example")
        >>> int(rng.integers(10)) == int(as_generator(0, "example").integers(10))
        True
    """
    return backend.generator(generator, who)


class Dataset(abc.ABC):
    """A map-style dataset: ``len(dataset)`` samples, ``dataset[i]`` the i-th one.

    Subclasses implement ``__getitem__`` and ``__len__``. A subclass whose samples are
    the rows of whole arrays (as ``TensorDataset``) may also override ``_arrays`` to
    return those arrays: the ``DataLoader`` then gathers each batch with one fancy index
    per array instead of calling ``__getitem__`` once per sample.

    Examples:
        >>> from neuralab.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> data = Squares()
        >>> len(data), data[3]
        (4, 9)
        >>> len(data + data)  # a ConcatDataset
        8
    """

    @abc.abstractmethod
    def __getitem__(self, index: int) -> Any:
        """The sample at ``index``."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of samples."""

    def _arrays(self) -> tuple[Any, ...] | None:
        """Arrays whose i-th rows, taken together, are sample i (None: not row-based)."""
        return None

    def _row_transforms(self) -> tuple[Any, ...] | None:
        """Optional, with ``_arrays``: one function (or None) per array that turns a batch
        of gathered rows into the batch the samples would collate to (e.g. uint8 images
        into normalized float32 ones), applied per batch by the ``DataLoader``."""
        return None

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset:
    """A dataset that is a stream of samples, as ``torch.utils.data.IterableDataset``.

    Subclasses implement ``__iter__``. A ``DataLoader`` over one groups consecutive samples
    into batches; it takes no ``shuffle`` or ``sampler``. Not indexable.

    Examples:
        >>> from neuralab.data import DataLoader, IterableDataset
        >>> class Count(IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(5))
        >>> [batch.tolist() for batch in DataLoader(Count(), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Any) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets one after the other (``torch.utils.data.ChainDataset``).

    Args:
        datasets: The iterable datasets, chained in order.

    Examples:
        >>> from neuralab.data import ChainDataset, IterableDataset
        >>> class Range(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(ChainDataset([Range(2), Range(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Any:
        return itertools.chain.from_iterable(self.datasets)


class ConcatDataset(Dataset):
    """Several datasets one after the other (``torch.utils.data.ConcatDataset``).

    Sample ``i`` of the first, then of the second, ...; ``len`` is the sum of the lengths.

    Args:
        datasets: The map-style datasets, in order.

    Raises:
        ValueError: No datasets.
        TypeError: An IterableDataset among them, or (on indexing) an index that is not an
            int.
        IndexError: (On indexing) an index out of range.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import ConcatDataset, TensorDataset
        >>> a = TensorDataset(nl.arange(3))
        >>> b = TensorDataset(nl.arange(10, 12))
        >>> both = ConcatDataset([a, b])
        >>> len(both), both[3]
        (5, (tensor(10, dtype=int64),))
    """

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset: does not support IterableDataset")
        self.cumulative_sizes: list[int] = numpy.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"ConcatDataset: index must be an int, got {type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index = int(index) % n
        which = int(numpy.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class TensorDataset(Dataset):
    """Samples that are the rows of tensors sharing their first dimension.

    ``dataset[i] == tuple(t[i] for t in tensors)``. Arrays are accepted and keep their dtype,
    as ``neuralab.tensor`` does: float32 images stay float32, int64 labels stay int64.

    Args:
        *tensors: Tensors or arrays, all with the same size in the first dimension.

    Raises:
        ValueError: No tensors, a 0-dimensional one, or first dimensions that differ.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import TensorDataset
        >>> x = nl.arange(6, dtype=nl.float32).reshape(3, 2)
        >>> y = nl.tensor([0, 1, 0])
        >>> data = TensorDataset(x, y)
        >>> len(data)
        3
        >>> data[1]
        (tensor([2., 3.]), tensor(1, dtype=int64))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, got none")
        converted = []
        for i, t in enumerate(tensors):
            t = t if isinstance(t, Tensor) else Tensor(t)
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {i} is 0-dimensional; every tensor needs a first "
                    "dimension that indexes the samples"
                )
            converted.append(t)
        sizes = [t.shape[0] for t in converted]
        if len(set(sizes)) > 1:
            raise ValueError(
                "TensorDataset: all tensors must have the same size in the first dimension "
                f"(the number of samples), got sizes {sizes} for shapes "
                f"{[tuple(t.shape) for t in converted]}"
            )
        self.tensors: tuple[Tensor, ...] = tuple(converted)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor(t._data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _arrays(self) -> tuple[Any, ...]:
        return tuple(t._data for t in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] == dataset[indices[i]]``.

    Args:
        dataset: A map-style dataset.
        indices: A sequence (or 1-d array) of ints in ``[-len(dataset), len(dataset))``;
            negative ones count from the end, as in Python.

    Raises:
        TypeError: ``indices`` is not a 1-d sequence of ints.
        IndexError: An index out of range.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import Subset, TensorDataset
        >>> data = TensorDataset(nl.arange(10))
        >>> part = Subset(data, [0, -1])
        >>> len(part), part[1]
        (2, (tensor(9, dtype=int64),))
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | numpy.ndarray) -> None:
        n = len(dataset)
        array = numpy.asarray(indices)
        if array.size == 0:
            array = array.reshape(0).astype(numpy.int64)
        if array.ndim != 1 or array.dtype.kind not in "iu":
            raise TypeError(
                "Subset: indices must be a 1-d sequence of ints, got "
                f"{array.ndim}-d {array.dtype} values"
            )
        array = array.astype(numpy.int64)
        if array.size and (array.min() < -n or array.max() >= n):
            bad = array[(array < -n) | (array >= n)][0]
            raise IndexError(
                f"Subset: index {int(bad)} is out of range for a dataset of {n} samples"
            )
        array[array < 0] += n
        self.dataset = dataset
        self.indices: numpy.ndarray = array

    def __getitem__(self, index: Any) -> Any:
        selected = self.indices[index]
        if numpy.ndim(selected) == 0:
            return self.dataset[int(selected)]
        return self.dataset[selected]

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


def _split_lengths(lengths: Sequence[float], n: int) -> list[int]:
    """Integer lengths from ``lengths`` (ints summing to n, or fractions summing to 1)."""
    values = list(lengths)
    if not values:
        raise ValueError("random_split: lengths must not be empty")
    if any(isinstance(v, bool) or not isinstance(v, numbers.Real) or v < 0 for v in values):
        raise ValueError(f"random_split: lengths must be non-negative numbers, got {values}")
    if all(isinstance(v, numbers.Integral) for v in values):
        if sum(values) != n:
            raise ValueError(
                f"random_split: the lengths {values} sum to {sum(values)}, but the dataset has "
                f"{n} samples; give ints summing to {n} or fractions summing to 1"
            )
        return [int(v) for v in values]
    if not math.isclose(sum(values), 1.0) or sum(values) > 1.0 + 1e-9:
        raise ValueError(
            f"random_split: the fractions {values} sum to {sum(values)}; they must sum to 1"
        )
    # As torch.utils.data.random_split: floor each share, then give the remainder
    # one by one to the splits in order.
    counts = [math.floor(n * v) for v in values]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(
    dataset: Any, lengths: Sequence[float], generator: GeneratorLike = None
) -> list[Subset]:
    """Split ``dataset`` into disjoint random ``Subset``s of the given lengths.

    Args:
        dataset: A map-style dataset.
        lengths: Ints that sum to ``len(dataset)``, or fractions that sum to 1 (each split
            gets ``floor(n * fraction)`` samples, the remainder goes one by one to the first
            splits, as in PyTorch).
        generator: Source of the permutation: a ``neuralab.Generator``
            (``torch.Generator``), a ``numpy.random.Generator``, an int seed, or None for
            the global neuralab generator. Defaults to None.

    Returns:
        A list of ``Subset``s, one per length.

    Raises:
        ValueError: Empty or negative lengths, or lengths that sum neither to the dataset's
            length nor to 1.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import TensorDataset, random_split
        >>> data = TensorDataset(nl.arange(10))
        >>> train, val = random_split(data, [0.8, 0.2], generator=0)
        >>> len(train), len(val)
        (8, 2)
        >>> sorted(train.indices.tolist() + val.indices.tolist()) == list(range(10))
        True
    """
    n = len(dataset)
    counts = _split_lengths(lengths, n)
    order = as_generator(generator, "random_split").permutation(n)
    bounds = numpy.cumsum([0, *counts])
    return [Subset(dataset, order[a:b]) for a, b in itertools.pairwise(bounds)]


def train_val_split(
    dataset: Any, val_fraction: float = 0.1, seed: GeneratorLike = None
) -> tuple[Subset, Subset]:
    """Split ``dataset`` at random into (train, validation) subsets.

    The validation subset holds ``round(val_fraction * len(dataset))`` samples.

    Args:
        dataset: A map-style dataset.
        val_fraction: Fraction of the samples for validation, in (0, 1). Defaults to 0.1.
        seed: An int for a split that does not depend on the global generator, a
            ``neuralab.Generator`` or ``numpy.random.Generator``, or None for the global
            neuralab generator. Defaults to None.

    Returns:
        ``(train, validation)``, two disjoint ``Subset``s.

    Raises:
        TypeError: ``val_fraction`` is not a number.
        ValueError: ``val_fraction`` outside (0, 1), or one that leaves a subset empty.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import TensorDataset, train_val_split
        >>> train, val = train_val_split(TensorDataset(nl.arange(20)), 0.25, seed=0)
        >>> len(train), len(val)
        (15, 5)
    """
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real):
        raise TypeError(
            f"train_val_split: val_fraction must be a float in (0, 1), got {val_fraction!r}"
        )
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"train_val_split: val_fraction must be in (0, 1), got {val_fraction}")
    n = len(dataset)
    n_val = round(val_fraction * n)
    if n_val == 0 or n_val == n:
        raise ValueError(
            f"train_val_split: val_fraction={val_fraction} of {n} samples leaves an empty "
            f"{'validation' if n_val == 0 else 'training'} set"
        )
    order = as_generator(seed, "train_val_split").permutation(n)
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])
