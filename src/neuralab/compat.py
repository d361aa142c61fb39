"""Small parts of PyTorch's top-level API that programs use around the math: ``Size``,
the legacy ``FloatTensor(...)`` constructors, ``is_tensor``, ``numel``, printing, threads,
default device and seeds."""

from __future__ import annotations

import os
from typing import Any

import numpy

from neuralab import backend
from neuralab.device import CPU, check
from neuralab.device import device as Device
from neuralab.tensor import Tensor


class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints (``Tensor.shape`` is a plain tuple)."""

    def numel(self) -> int:
        return int(numpy.prod(self, dtype=numpy.int64))


def _legacy(dtype: Any, name: str) -> Any:
    def constructor(*args: Any, device: Any = None) -> Tensor:
        check(device, name)
        if len(args) == 1 and not isinstance(args[0], int):
            return Tensor(args[0], dtype=dtype)  # FloatTensor([1, 2]): from data
        from neuralab.creation import zeros

        return zeros(*args, dtype=dtype)  # FloatTensor(2, 3): a shape

    constructor.__name__ = name
    constructor.dtype = dtype  # so that x.type(neuralab.DoubleTensor) works
    constructor.__doc__ = f"``torch.{name}``: ``{name}(data)`` or ``{name}(*shape)`` ({dtype})."
    return constructor


FloatTensor = _legacy(backend.float32, "FloatTensor")
DoubleTensor = _legacy(backend.float64, "DoubleTensor")
LongTensor = _legacy(backend.int64, "LongTensor")
IntTensor = _legacy(numpy.int32, "IntTensor")
BoolTensor = _legacy(backend.bool_, "BoolTensor")
ByteTensor = _legacy(numpy.uint8, "ByteTensor")


# Memory formats: accepted by creation functions and ``contiguous``; NumPy arrays are
# always in one (C) order here.
preserve_format = "preserve_format"
contiguous_format = "contiguous_format"
channels_last = "channels_last"


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(t: Tensor) -> bool:
    return t.dtype.kind == "f"


def numel(t: Tensor) -> int:
    return t.numel()


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print (NumPy's print options underneath)."""
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    options["linewidth"] = linewidth
    if sci_mode is not None:
        options["suppress"] = not sci_mode
    numpy.set_printoptions(**{k: v for k, v in options.items() if v is not None})


def set_default_device(device: Any) -> None:
    """Only the CPU holds tensors: ``'cpu'`` and None are accepted, others raise."""
    check(device, "set_default_device")


def get_default_device() -> Device:
    return CPU


def get_num_threads() -> int:
    """The threads the BLAS library uses for matrix products (threadpoolctl if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts, default=os.cpu_count() or 1)


def set_num_threads(n: int) -> None:
    """Limit the BLAS threads (needs threadpoolctl; without it, set OMP_NUM_THREADS before
    starting Python)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError as error:
        raise NotImplementedError(
            "set_num_threads needs threadpoolctl (pip install threadpoolctl); or set "
            "OMP_NUM_THREADS before Python starts"
        ) from error
    threadpool_limits(n, user_api="blas")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted: neuralab's results are deterministic for a seed anyway."""


def seed() -> int:
    """Seed the global generator from fresh entropy; returns the seed."""
    value = int(numpy.random.SeedSequence().entropy % 2**63)
    backend.manual_seed(value)
    return value


def initial_seed() -> int:
    """The seed of the global generator, when it was set by ``manual_seed``/``seed``."""
    return backend.initial_seed()
