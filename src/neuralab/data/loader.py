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
from itertools import islice
from typing import Any, NamedTuple

import numpy

from neuralab import backend
from neuralab.data.dataset import GeneratorLike, IterableDataset, Subset
from neuralab.data.sampler import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    fast_indices,
    stream,
)
from neuralab.function import ShapeError
from neuralab.tensor import Tensor

__all__ = ["DataLoader", "WorkerInfo", "default_collate", "default_convert", "get_worker_info"]


class BatchSizeError(TypeError, ValueError):
    """A batch_size that is not an int (2.0, '2', True): a TypeError by neuralab's rule,
    and the ValueError PyTorch raises for it."""


def _stack(arrays: list[Any]) -> Tensor:
    xp = backend.array_module(arrays[0])
    try:
        return Tensor._from_array(xp.stack(arrays))
    except ValueError:
        shapes = sorted({tuple(a.shape) for a in arrays})
        raise ShapeError(
            f"default_collate: stack expects each sample to be of equal size, got shapes "
            f"{shapes[:4]} (pad them, or pass a collate_fn)"
        ) from None


def default_collate(batch: list[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    Tensors and arrays are stacked along a new first axis (dtype kept: float32 stays
    float32); Python ints become an int64 Tensor, floats a float64 Tensor (as PyTorch),
    bools a bool Tensor; NumPy scalars keep their dtype; tuples and lists are collated
    field by field (a tuple of batches for a tuple, a list for a list), dicts key by key;
    strings and bytes stay a list.

    Args:
        batch: The samples, all of one structure.

    Returns:
        The batch, of the samples' structure with Tensors in place of the leaves.

    Raises:
        ValueError: An empty batch, or samples whose fields differ in number or keys.
        ShapeError: Tensors or arrays of different shapes (pad them or pass a collate_fn).
        TypeError: A sample of a kind it cannot collate.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import default_collate
        >>> x, y = default_collate([(nl.zeros(2), 0), (nl.ones(2), 1)])
        >>> x.shape, y
        ((2, 2), tensor([0, 1], dtype=int64))
    """
    if not batch:
        raise ValueError("default_collate: got an empty batch")
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack([s._data for s in batch])
    if isinstance(first, numpy.ndarray) or hasattr(first, "__cuda_array_interface__"):
        if first.dtype.kind in "OUSV":
            raise TypeError(
                f"default_collate: NumPy arrays of dtype {first.dtype} cannot become a Tensor "
                "(pass a collate_fn)"
            )
        return _stack([backend.array_module(s).asarray(s) for s in batch])
    if isinstance(first, numpy.generic) and first.dtype.kind not in "OUSV":
        return Tensor._from_array(numpy.array(batch))
    if isinstance(first, (bool, numpy.bool_)):
        return Tensor._from_array(numpy.array(batch, dtype=backend.bool_))
    if isinstance(first, numbers.Integral):
        if all(isinstance(s, numbers.Integral) for s in batch):
            return Tensor._from_array(numpy.array(batch, dtype=backend.int64))
        return Tensor(batch)  # as torch.tensor(batch): ints mixed with floats give float32
    if isinstance(first, numbers.Real):
        return Tensor._from_array(numpy.array(batch, dtype=backend.float64))
    if isinstance(first, (str, bytes)):
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


def default_convert(data: Any) -> Any:
    """One sample, unbatched (``DataLoader(batch_size=None)``): NumPy arrays made Tensors.

    NumPy arrays and scalars become Tensors, recursively inside tuples, lists and dicts;
    anything else is kept, as ``torch.utils.data.default_convert``.

    Args:
        data: The sample.

    Returns:
        The sample with Tensors in place of NumPy arrays and scalars.

    Examples:
        >>> import numpy as np
        >>> from neuralab.data import default_convert
        >>> default_convert({"x": np.ones(2, dtype=np.float32), "name": "a"})
        {'x': tensor([1., 1.]), 'name': 'a'}
    """
    if isinstance(data, (numpy.ndarray, numpy.generic)) and data.dtype.kind not in "OUSV":
        return Tensor._from_array(numpy.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(d) for d in data)
    return data


Plan = tuple[tuple[Any, ...], "numpy.ndarray | None", tuple[Any, ...]]


def _gather_plan(dataset: Any) -> Plan | None:
    """(arrays, row indices or None for all rows, per-array batch functions or None) when
    ``dataset`` is row-based, else None. A batch function (from the dataset's optional
    ``_row_transforms()``) turns the gathered rows into the batch, e.g. uint8 images into
    normalized float32 ones, so the work is vectorized per batch."""
    if isinstance(dataset, Subset):
        inner = _gather_plan(dataset.dataset)
        if inner is None:
            return None
        arrays, index, fns = inner
        return arrays, dataset.indices if index is None else index[dataset.indices], fns
    arrays = getattr(dataset, "_arrays", None)
    arrays = arrays() if callable(arrays) else None
    if arrays is None:
        return None
    row_transforms = getattr(dataset, "_row_transforms", None)
    fns = row_transforms() if callable(row_transforms) else None
    return tuple(arrays), None, tuple(fns) if fns is not None else (None,) * len(arrays)


class WorkerInfo(NamedTuple):
    """What ``get_worker_info()`` returns inside ``worker_init_fn`` (one in-process worker).

    Attributes:
        id: The worker's index (always 0: loading runs in this process).
        num_workers: The loader's ``num_workers``.
        seed: The worker's seed.
        dataset: The loader's dataset.

    Examples:
        >>> from neuralab.data import WorkerInfo
        >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=None).num_workers
        2
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo`` while ``worker_init_fn`` runs, else None.

    The DataLoader loads in the main process, so dataset code sees the single-process case.

    Returns:
        A ``WorkerInfo`` or None.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import DataLoader, TensorDataset, get_worker_info
        >>> get_worker_info() is None
        True
        >>> seen = []
        >>> loader = DataLoader(TensorDataset(nl.arange(4)), batch_size=2, num_workers=2,
        ...                     worker_init_fn=lambda i: seen.append(get_worker_info().id))
        >>> len(list(loader)), seen
        (2, [0])
    """
    return _worker_info


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, numpy.bool_)):
        raise TypeError(f"DataLoader: {name} must be a bool, got {value!r}")
    return bool(value)


class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    ``len(loader)`` is the number of batches: ``ceil(n / batch_size)``, or
    ``floor(n / batch_size)`` with ``drop_last``. Each batch is a tuple of Tensors for a
    ``TensorDataset`` (one per tensor; dtypes kept), else what ``collate_fn`` makes of the
    list of samples. Batches never share memory with the dataset. An ``IterableDataset`` is
    batched in stream order.

    With ``num_workers > 0`` loading still runs in this process, one batch at a time;
    ``worker_init_fn(0)`` is called once, before the first batch of the first epoch, with
    ``get_worker_info()`` describing that one worker. ``pin_memory``, ``timeout``,
    ``prefetch_factor`` and ``persistent_workers`` are checked as PyTorch checks them;
    they, ``multiprocessing_context``, ``pin_memory_device`` and ``in_order`` change nothing
    on the CPU.

    Fast path: for a row-based dataset (``TensorDataset``, MNIST whose transforms can run
    on whole batches, ``Subset``s of these) with the default ``collate_fn``, the epoch's
    order is computed once and each batch is one fancy index (``array.take``) of each
    underlying array; no per-sample Python code runs. Any other dataset: ``dataset[i]``
    for each sample of the batch, then ``collate_fn``.

    Args:
        dataset: A map-style ``Dataset`` (anything with ``__len__`` and ``__getitem__``) or
            an ``IterableDataset``.
        batch_size: Samples per batch; None for no batching (each item is one sample, NumPy
            arrays made Tensors by ``default_convert``). Defaults to 1.
        shuffle: A new random order every epoch (every ``iter(loader)``); ``loader.sampler``
            is then a ``RandomSampler``, else a ``SequentialSampler``. Defaults to None
            (False).
        sampler: A sampler or iterable of indices giving the order; excludes shuffle.
            Defaults to None.
        batch_sampler: A sampler or iterable of lists of indices, one per batch; excludes
            batch_size, shuffle, sampler and drop_last. Defaults to None.
        num_workers: Accepted as PyTorch; loading stays in this process. Defaults to 0.
        collate_fn: Merges a list of samples into a batch. Defaults to None
            (``default_collate``).
        pin_memory: Accepted and checked; no effect on the CPU. Defaults to False.
        drop_last: Drop the last batch when it is smaller than batch_size. Defaults to False.
        timeout: Accepted and checked (>= 0); no effect. Defaults to 0.
        worker_init_fn: Called as ``worker_init_fn(0)`` before the first batch when
            num_workers > 0. Defaults to None.
        multiprocessing_context: Accepted; no effect. Defaults to None.
        generator: Source of the shuffled order: a ``neuralab.Generator``, a
            ``numpy.random.Generator``, an int seed (a generator made once here, so epochs
            differ but runs repeat), or None for the global neuralab generator (so
            ``neuralab.manual_seed`` makes the order reproducible). Defaults to None.
        prefetch_factor: Accepted and checked (needs num_workers > 0); no effect.
            Defaults to None.
        persistent_workers: Accepted and checked (needs num_workers > 0); no effect.
            Defaults to False.
        pin_memory_device: Accepted; no effect. Defaults to ``""``.
        in_order: Accepted; no effect. Defaults to True.

    Raises:
        TypeError: A dataset that is neither indexable nor iterable, a batch_size,
            num_workers or flag of the wrong type, or a collate_fn or worker_init_fn that
            is not callable.
        ValueError: A batch_size < 1, a negative timeout, options that exclude each other
            (sampler with shuffle, batch_sampler with batch_size...), shuffle or a sampler
            with an IterableDataset, or worker options without workers.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.data import DataLoader, TensorDataset
        >>> data = TensorDataset(nl.arange(10, dtype=nl.float32).reshape(5, 2), nl.arange(5))
        >>> loader = DataLoader(data, batch_size=2, shuffle=True, generator=0)
        >>> len(loader)
        3
        >>> [tuple(x.shape) for x, y in loader]
        [(2, 2), (2, 2), (1, 2)]
        >>> sorted(nl.cat([y for _, y in loader]).tolist())
        [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        multiprocessing_context: Any = None,
        generator: GeneratorLike = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                "DataLoader: dataset must support len() and indexing (a Dataset) or be an "
                f"IterableDataset, got {type(dataset).__name__}"
            )
        if batch_size is not None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
                raise BatchSizeError(
                    f"DataLoader: batch_size must be a positive int or None, got {batch_size!r}"
                )
            if batch_size < 1:
                raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        shuffle = _check_bool(bool(shuffle) if shuffle is None else shuffle, "shuffle")
        drop_last = _check_bool(drop_last, "drop_last")
        _check_bool(pin_memory, "pin_memory")
        _check_bool(persistent_workers, "persistent_workers")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral):
            raise TypeError(f"DataLoader: num_workers must be an int >= 0, got {num_workers!r}")
        if num_workers < 0:
            raise ValueError(
                "DataLoader: num_workers option should be non-negative; use num_workers=0 "
                "to disable multiprocessing."
            )
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader: prefetch_factor option could only be specified in "
                "multiprocessing. Let num_workers > 0 to enable multiprocessing, otherwise "
                "set prefetch_factor to None."
            )
        if prefetch_factor is not None and (
            not isinstance(prefetch_factor, numbers.Integral) or prefetch_factor < 0
        ):
            raise ValueError(
                f"DataLoader: prefetch_factor must be a non-negative int, got {prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        for name, fn in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(
                    f"DataLoader: {name} must be callable or None, got {type(fn).__name__}"
                )
        if iterable:
            if shuffle:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None or batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler and "
                    "batch_sampler options"
                )
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if sampler is None and not iterable:
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        else:
            stream(generator, "DataLoader")  # validate
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
            self._auto_batch_sampler = True
        else:
            self._auto_batch_sampler = False
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = int(num_workers)
        self.collate_fn = collate_fn
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._worker_started = False

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError when the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def _start_worker(self) -> None:
        """Call ``worker_init_fn(0)`` once, as the one in-process worker starts."""
        global _worker_info
        self._worker_started = True
        if self.worker_init_fn is None or self.num_workers == 0:
            return
        seed = int(backend.generator(None).integers(2**63))
        _worker_info = WorkerInfo(0, 1, seed, self.dataset)
        try:
            self.worker_init_fn(0)
        finally:
            _worker_info = None

    def __iter__(self) -> Iterator[Any]:
        if not self._worker_started:
            self._start_worker()
        if isinstance(self.dataset, IterableDataset):
            return self._stream_batches()
        if self.batch_size is None and self.batch_sampler is None:
            convert = self.collate_fn if self.collate_fn is not None else default_convert
            return (convert(self.dataset[i]) for i in self.sampler)
        plan = _gather_plan(self.dataset) if self.collate_fn is None else None
        if not self._auto_batch_sampler:  # a batch sampler of the user's
            return self._index_batches(plan, iter(self.batch_sampler))
        # The epoch's order is drawn here, when iteration starts, not at the first batch.
        indices = fast_indices(self.sampler)
        if indices is not None:
            order = indices()
        else:
            order = numpy.fromiter(iter(self.sampler), dtype=numpy.int64)
        n = len(self.sampler) if order is None else len(order)
        stop = n - n % self.batch_size if self.drop_last else n
        if plan is not None:
            arrays, index, fns = plan
            if index is not None and order is not None:
                index = index[order]
            elif order is not None:
                index = order
            return self._gather_batches(arrays, index, stop, fns)
        return self._sample_batches(order, stop)

    def _gather_batches(
        self,
        arrays: tuple[Any, ...],
        index: numpy.ndarray | None,
        stop: int,
        fns: tuple[Any, ...],
    ) -> Iterator[tuple[Tensor, ...]]:
        size = self.batch_size
        wrap = Tensor._from_array
        if any(f is not None for f in fns):
            pairs = list(zip(arrays, fns))
            ident = numpy.arange(stop) if index is None else index
            for start in range(0, stop, size):
                rows = ident[start : start + size]
                yield tuple(
                    wrap(a.take(rows, axis=0) if f is None else f(a.take(rows, axis=0)))
                    for a, f in pairs
                )
            return
        if index is None:  # every row in order: contiguous slices, copied
            for start in range(0, stop, size):
                end = min(start + size, stop)
                yield tuple(wrap(a[start:end].copy()) for a in arrays)
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

    def _index_batches(self, plan: Any, batches: Iterator[Any]) -> Iterator[Any]:
        """Batches from the lists of indices of a user's ``batch_sampler``."""
        if plan is not None:
            arrays, index, fns = plan
            wrap = Tensor._from_array
            for batch in batches:
                rows = numpy.asarray(batch, dtype=numpy.int64)
                rows = rows if index is None else index[rows]
                yield tuple(
                    wrap(a.take(rows, axis=0) if f is None else f(a.take(rows, axis=0)))
                    for a, f in zip(arrays, fns)
                )
            return
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        for batch in batches:
            yield collate([self.dataset[i] for i in batch])

    def _stream_batches(self) -> Iterator[Any]:
        """Batches of consecutive samples of an ``IterableDataset``."""
        if self.batch_size is None:
            convert = self.collate_fn if self.collate_fn is not None else default_convert
            for sample in self.dataset:
                yield convert(sample)
            return
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        samples = iter(self.dataset)
        while batch := list(islice(samples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield collate(batch)

    def __repr__(self) -> str:
        size = "a stream of" if isinstance(self.dataset, IterableDataset) else len(self.dataset)
        return (
            f"DataLoader({type(self.dataset).__name__} of {size} samples, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
