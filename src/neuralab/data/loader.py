"""DataLoader: iterate over a dataset in (shuffled) mini-batches of Tensors.

Two paths produce the batches:

- Row-based datasets (``TensorDataset``, a dataset with ``_arrays()`` such as MNIST
  without per-sample transforms, and ``Subset``s of these, nested or not): the order of
  the epoch (a permutation of the indices, composed with the subsets' indices) is
  computed once per epoch, and each batch is one fancy index (``array.take(idx, axis=0)``)
  of each underlying array. No per-sample Python code runs.
- Any other dataset: ``dataset[i]`` for each sample of the batch, then ``collate_fn``
  (``default_collate`` by default) merges the samples into a batch.
"""

from __future__ import annotations

import collections.abc
import numbers
from collections.abc import Callable, Iterator
from typing import Any

import numpy

from neuralab import backend
from neuralab.data.dataset import GeneratorLike, Subset, as_generator
from neuralab.tensor import Tensor

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: list[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    Tensors and arrays are stacked along a new first axis (dtype kept: float32 stays
    float32); Python ints become an int64 Tensor, floats a float32 Tensor (the default
    float), bools a bool Tensor; NumPy scalars keep their dtype; tuples and lists are
    collated field by field (a tuple of batches), dicts key by key; strings stay a list.
    """
    if not batch:
        raise ValueError("default_collate: got an empty batch")
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._from_array(numpy.stack([s._data for s in batch]))
    if isinstance(first, (numpy.ndarray, numpy.generic)):
        xp = backend.array_module(first)
        return Tensor._from_array(xp.stack([xp.asarray(s) for s in batch]))
    if isinstance(first, bool):
        return Tensor._from_array(numpy.array(batch, dtype=backend.bool_))
    if isinstance(first, numbers.Integral):
        return Tensor._from_array(numpy.array(batch, dtype=backend.int64))
    if isinstance(first, numbers.Real):
        return Tensor._from_array(numpy.array(batch, dtype=backend.default_float()))
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([s[key] for s in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        size = len(first)
        if any(len(s) != size for s in batch):
            raise ValueError(
                "default_collate: every sample of a batch must have the same number of "
                f"fields, got {sorted({len(s) for s in batch})}"
            )
        fields = [default_collate(list(column)) for column in zip(*batch)]
        if isinstance(first, list):
            return fields
        if hasattr(first, "_fields"):  # a namedtuple keeps its type
            return type(first)(*fields)
        return tuple(fields)
    raise TypeError(
        "default_collate: samples must be Tensors, NumPy arrays, numbers, strings, or "
        f"tuples/lists/dicts of these; got {type(first).__name__} (pass a collate_fn)"
    )


def _gather_plan(dataset: Any) -> tuple[tuple[Any, ...], numpy.ndarray | None] | None:
    """(arrays, row indices or None for all rows) when ``dataset`` is row-based, else None."""
    if isinstance(dataset, Subset):
        inner = _gather_plan(dataset.dataset)
        if inner is None:
            return None
        arrays, index = inner
        return arrays, dataset.indices if index is None else index[dataset.indices]
    arrays = getattr(dataset, "_arrays", None)
    arrays = arrays() if callable(arrays) else None
    return None if arrays is None else (tuple(arrays), None)


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    ``DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
    collate_fn=None)``, as ``torch.utils.data.DataLoader`` (single process).

    - ``len(loader)`` is the number of batches: ``ceil(n / batch_size)``, or
      ``floor(n / batch_size)`` with ``drop_last`` (the last, smaller batch is dropped).
    - ``shuffle``: a new random order every epoch (every ``iter(loader)``), drawn from
      ``generator``: a ``numpy.random.Generator``, an int seed (a generator made once here,
      so epochs differ but runs repeat), or None for the global neuralab generator at the
      start of each epoch, so ``neuralab.manual_seed`` makes the order reproducible.
    - Each batch is a tuple of Tensors for a ``TensorDataset`` (one per tensor; dtypes
      kept), else what ``collate_fn`` (default: ``default_collate``) makes of the list of
      samples. Batches never share memory with the dataset.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: GeneratorLike = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                "DataLoader: dataset must support len() and indexing (a Dataset), got "
                f"{type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
            raise TypeError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        for name, value in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(value, (bool, numpy.bool_)):
                raise TypeError(f"DataLoader: {name} must be a bool, got {value!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"DataLoader: collate_fn must be callable or None, got {type(collate_fn).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        # Validate now; an int seed becomes one generator for the loader's lifetime.
        self.generator = None if generator is None else as_generator(generator, "DataLoader")
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        # The epoch's order is drawn here, when iteration starts, not at the first batch.
        n = len(self.dataset)
        order = None
        if self.shuffle:
            rng = self.generator if self.generator is not None else backend.generator()
            order = rng.permutation(n)
        stop = n - n % self.batch_size if self.drop_last else n
        plan = _gather_plan(self.dataset) if self.collate_fn is None else None
        if plan is not None:
            arrays, index = plan
            if index is not None and order is not None:
                index = index[order]
            elif order is not None:
                index = order
            return self._gather_batches(arrays, index, stop)
        return self._sample_batches(order, stop)

    def _gather_batches(
        self, arrays: tuple[Any, ...], index: numpy.ndarray | None, stop: int
    ) -> Iterator[tuple[Tensor, ...]]:
        size = self.batch_size
        wrap = Tensor._from_array
        if index is None:  # every row in order: contiguous slices, copied
            for start in range(0, stop, size):
                yield tuple(wrap(a[start : start + size].copy()) for a in arrays)
            return
        # One index array per array module (NumPy, or CuPy for arrays on a GPU).
        modules = [backend.array_module(a) for a in arrays]
        indices = [index if xp is numpy else xp.asarray(index) for xp in modules]
        for start in range(0, stop, size):
            end = start + size
            yield tuple(wrap(a.take(i[start:end], axis=0)) for a, i in zip(arrays, indices))

    def _sample_batches(self, order: numpy.ndarray | None, stop: int) -> Iterator[Any]:
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        dataset = self.dataset
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, stop)
            picks = range(start, end) if order is None else order[start:end].tolist()
            yield collate([dataset[i] for i in picks])

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)} samples, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
