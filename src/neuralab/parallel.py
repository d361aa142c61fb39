"""A small fork-join thread pool for the array loops of the convolution and pooling ops.

NumPy releases the GIL while it copies and runs ufuncs on large arrays, so the kernel
offsets of im2col, the channels of col2im and the channels of a pooling layer can be
handled by several threads at once. The pool has as many threads as the user allows the
BLAS library (``neuralab.set_num_threads``, threadpoolctl's ``threadpool_limits``, or
``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` at start-up), the caller included: with one
thread the work runs in the caller, exactly as without a pool.

Each part writes its own slice of arrays the caller allocated, in the same order as a
single thread would, so the results equal the one-thread results bit for bit.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["num_threads", "run", "split", "threads_for"]

_local = threading.local()  # .worker: True in pool threads (no nested fan-out)
_blas: list = []  # [threadpoolctl controller of the BLAS library, or None]


def _blas_controller() -> Any:
    if not _blas:
        controller = None
        try:
            from threadpoolctl import ThreadpoolController

            found = ThreadpoolController().select(user_api="blas").lib_controllers
            controller = found[0] if found else None
        except Exception:  # threadpoolctl missing or unable to inspect the libraries
            controller = None
        _blas.append(controller)
    return _blas[0]


def _env_threads() -> int:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "").split(",")[0].strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def num_threads() -> int:
    """The threads neuralab's array loops may use: the BLAS library's current thread count
    (threadpoolctl reads it, so ``set_num_threads`` and ``threadpool_limits`` apply at once),
    else ``OMP_NUM_THREADS`` or the CPU count.

    Returns:
        A positive int.

    Examples:
        >>> num_threads() >= 1
        True
    """
    controller = _blas_controller()
    if controller is not None:
        try:
            return max(1, int(controller.get_num_threads()))
        except Exception:
            pass
    return _env_threads()


class _Pool:
    """Worker threads, each with its own task queue; created on first use."""

    def __init__(self) -> None:
        self.queues: list[queue.SimpleQueue] = []
        self.lock = threading.Lock()

    def ensure(self, count: int) -> list[queue.SimpleQueue]:
        with self.lock:
            while len(self.queues) < count:
                tasks: queue.SimpleQueue = queue.SimpleQueue()
                thread = threading.Thread(
                    target=_work, args=(tasks,), name="neuralab-parallel", daemon=True
                )
                thread.start()
                self.queues.append(tasks)
            return self.queues[:count]


def _work(tasks: queue.SimpleQueue) -> None:
    _local.worker = True
    while True:
        fn, part, done = tasks.get()
        try:
            fn(part)
        except BaseException as error:  # handed to the caller, who raises it
            done.put(error)
        else:
            done.put(None)


_pool = _Pool()


def _reset_after_fork() -> None:
    global _pool
    _pool = _Pool()  # the parent's threads do not exist in a forked child


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def run(fn: Callable[[Any], None], parts: Sequence[Any]) -> None:
    """Call ``fn(part)`` for every part, spread over the pool's threads and the caller;
    returns when all are done. The first exception raised by a part is raised here (after
    every part has finished).

    Args:
        fn: the work on one part; it must not depend on the other parts' results.
        parts: the parts (slices, index lists, ...); the caller does the first.

    Raises:
        BaseException: the first error that ``fn`` raised in a part.

    Examples:
        >>> out = [0] * 4
        >>> def square(i):
        ...     out[i] = i * i
        >>> run(square, range(4))
        >>> out
        [0, 1, 4, 9]
    """
    parts = list(parts)
    if len(parts) <= 1 or getattr(_local, "worker", False):
        for part in parts:
            fn(part)
        return
    done: queue.SimpleQueue = queue.SimpleQueue()
    for tasks, part in zip(_pool.ensure(len(parts) - 1), parts[1:]):
        tasks.put((fn, part, done))
    error = None
    try:
        fn(parts[0])
    except BaseException as raised:
        error = raised
    for _ in parts[1:]:
        failed = done.get()
        if error is None and failed is not None:
            error = failed
    if error is not None:
        raise error


def split(size: int, count: int) -> list[slice]:
    """``size`` items cut into at most ``count`` near-equal consecutive slices (none empty).

    Args:
        size: the number of items.
        count: the most slices wanted.

    Returns:
        A list of slices covering range(size) in order.

    Examples:
        >>> split(10, 3)
        [slice(0, 4, None), slice(4, 7, None), slice(7, 10, None)]
    """
    count = max(1, min(count, size))
    base, extra = divmod(size, count)
    slices, start = [], 0
    for i in range(count):
        stop = start + base + (i < extra)
        slices.append(slice(start, stop))
        start = stop
    return slices


def threads_for(nbytes: int, min_bytes: int = 1 << 18) -> int:
    """How many threads an array loop over ``nbytes`` bytes should use: ``num_threads()``,
    but one below ``min_bytes`` per thread (handing work to a thread costs tens of µs).

    Args:
        nbytes: the bytes the loop reads or writes.
        min_bytes: the least work per thread worth a hand-off.

    Returns:
        A positive int.

    Examples:
        >>> threads_for(10)
        1
    """
    n = num_threads()
    if n <= 1:
        return 1
    return max(1, min(n, nbytes // min_bytes))
