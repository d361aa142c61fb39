"""Large arrays of the hot ops, reused from one training step to the next.

A training loop allocates arrays of the same shapes every step. Fresh allocations of
megabytes are expensive: the C allocator hands freed memory back to the system and the next
step takes it again, one page fault per 4 KiB page. Before the hot ops took their big
arrays from here, a LeNet-5 step at batch 64 paid 630-730 faults and an LSTM step (T 50,
batch 64, hidden 128) 2,800-3,000, each in a fresh process (``benchmarks/page_faults.py``;
now 0); removing them took an LSTM step at two threads from 56.6 to 28.5 ms. The
convolution, pooling, ReLU, recurrent and indexing ops and Adam use it.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy

from neuralab.backend import array_module

__all__ = ["ArrayCache", "cache", "empty", "empty_like", "layout"]


def _refs(entries: list, i: int) -> int:
    return sys.getrefcount(entries[i])


class ArrayCache:
    """Arrays handed out again once nothing else uses them.

    ``empty`` returns a free cached array of the shape and dtype asked for, else a new one
    that it keeps (if at least ``min_bytes``). An array is free when nothing but the cache
    refers to it (``sys.getrefcount``; every view of an array holds a reference to it), so a
    live tensor, its views, or a graph that still keeps it never shares memory with a new
    array. At most ``max_bytes`` are kept (free arrays are dropped, oldest first, to make
    room); beyond that, arrays are allocated as usual. One cache per thread; NumPy arrays
    only (other array modules have their own pools).
    """

    def __init__(self, max_bytes: int = 512 << 20, min_bytes: int = 1 << 16) -> None:
        self.max_bytes, self.min_bytes = max_bytes, min_bytes
        self._local = threading.local()
        self._free_refs = _refs([numpy.empty(1)], 0)  # the count of an unshared entry

    def _entries(self) -> dict:
        local = self._local
        if not hasattr(local, "entries"):
            local.entries, local.nbytes = {}, 0
        return local.entries

    def empty(self, shape: tuple, dtype: Any, xp: Any = numpy) -> Any:
        """An uninitialized array (like ``xp.empty``), reused when one is free."""
        dtype = numpy.dtype(dtype)
        nbytes = dtype.itemsize
        for n in shape:
            nbytes *= n
        if xp is not numpy or nbytes < self.min_bytes:
            return xp.empty(shape, dtype=dtype)
        key = (tuple(shape), dtype)
        entries = self._entries()
        same = entries.get(key)
        if same is not None:
            for i in range(len(same)):
                if _refs(same, i) == self._free_refs:
                    return same[i]
        array = numpy.empty(shape, dtype=dtype)
        if self._make_room(entries, nbytes):
            entries.setdefault(key, []).append(array)
            self._local.nbytes += nbytes
        return array

    def _make_room(self, entries: dict, nbytes: int) -> bool:
        local = self._local
        if local.nbytes + nbytes <= self.max_bytes:
            return True
        for key in list(entries):
            same = entries[key]
            for i in range(len(same) - 1, -1, -1):
                if _refs(same, i) == self._free_refs:
                    local.nbytes -= same.pop(i).nbytes
            if not same:
                del entries[key]
            if local.nbytes + nbytes <= self.max_bytes:
                return True
        return False

    def clear(self) -> None:
        """Forget every cached array of this thread (arrays in use stay valid)."""
        self._local.entries, self._local.nbytes = {}, 0


cache = ArrayCache()


def layout(a: Any) -> tuple:
    """a's axes from the slowest-varying in memory to the fastest (its strides' order).

    Args:
        a: an array.

    Returns:
        A permutation of range(a.ndim).

    Examples:
        >>> import numpy as np
        >>> layout(np.zeros((2, 3, 4)).transpose(2, 0, 1))
        (1, 2, 0)
    """
    return tuple(sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis])))


def empty(shape: tuple, dtype: Any, xp: Any = numpy, order: tuple | None = None) -> Any:
    """An uninitialized array of ``shape`` from ``cache``, stored in the axis order ``order``
    (see ``layout``; None: C order), so elementwise work with an array of that layout runs in
    memory order.

    Args:
        shape: the array's shape.
        dtype: its dtype.
        xp: the array module. Defaults to numpy.
        order: the axes from slowest to fastest in memory. Defaults to None.

    Returns:
        An array of ``shape``: a transposed view of a cached array unless ``order`` is C order.

    Examples:
        >>> a = empty((2, 3), "float32", order=(1, 0))
        >>> a.shape, a.flags.f_contiguous
        ((2, 3), True)
    """
    if order is None or order == tuple(range(len(shape))):
        return cache.empty(shape, dtype, xp)
    inverse = [0] * len(order)
    for i, axis in enumerate(order):
        inverse[axis] = i
    return cache.empty(tuple(shape[axis] for axis in order), dtype, xp).transpose(inverse)


def empty_like(a: Any) -> Any:
    """An uninitialized array from ``cache`` with a's shape, dtype and memory layout.

    Args:
        a: an array.

    Returns:
        An array like ``a``.

    Examples:
        >>> import numpy as np
        >>> empty_like(np.zeros((4, 3)).T).strides
        (8, 24)
    """
    return empty(a.shape, a.dtype, array_module(a), layout(a))
