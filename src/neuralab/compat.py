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
    """A shape, as ``torch.Size``: a tuple of ints (``Tensor.shape`` is a plain tuple).

    Built from an iterable of ints; ``numel()`` is the product of the sizes.

    Examples:
        >>> import neuralab as nl
        >>> s = nl.Size([2, 3])
        >>> s, s.numel()
        ((2, 3), 6)
    """

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (the product of the sizes)."""
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
    constructor.__doc__ = f"""``torch.{name}``: a {dtype} tensor from data, or of zeros of a shape.

    Args:
        *args: The data (one list or array), or the shape as ints.
        device: Only the CPU is accepted. Defaults to None.

    Raises:
        NotImplementedError: A device other than the CPU.

    Examples:
        >>> import neuralab as nl
        >>> nl.{name}(2, 3).shape, nl.{name}([1, 0]).dtype
        ((2, 3), dtype('{numpy.dtype(dtype)}'))
    """
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
    """Whether ``obj`` is a neuralab Tensor.

    Args:
        obj: Anything.

    Returns:
        True for a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.is_tensor(nl.zeros(1)), nl.is_tensor([0.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(t: Tensor) -> bool:
    """Whether the tensor's dtype is floating.

    Args:
        t: A Tensor.

    Returns:
        True for float16, float32, float64.

    Examples:
        >>> import neuralab as nl
        >>> nl.is_floating_point(nl.zeros(1)), nl.is_floating_point(nl.tensor([1]))
        (True, False)
    """
    return t.dtype.kind == "f"


def numel(t: Tensor) -> int:
    """The number of elements of ``t``.

    Args:
        t: A Tensor.

    Returns:
        The product of its shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.numel(nl.zeros(2, 3))
        6
    """
    return t.numel()


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print (NumPy's print options underneath); None leaves an option as it is.

    Args:
        precision: Digits after the decimal point. Defaults to None.
        threshold: Elements above which the middle is summarized. Defaults to None.
        edgeitems: Elements shown at each end when summarized. Defaults to None.
        linewidth: Characters per line. Defaults to None.
        profile: Accepted for PyTorch's sake; unused. Defaults to None.
        sci_mode: Force (True) or suppress (False) scientific notation. Defaults to None.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> saved = np.get_printoptions()
        >>> nl.set_printoptions(precision=2)
        >>> print(nl.tensor([1 / 3]))
        tensor([0.33])
        >>> np.set_printoptions(**saved)
    """
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    options["linewidth"] = linewidth
    if sci_mode is not None:
        options["suppress"] = not sci_mode
    numpy.set_printoptions(**{k: v for k, v in options.items() if v is not None})


def set_default_device(device: Any) -> None:
    """Set the default device: only the CPU holds tensors, so only it (or None) is accepted.

    Args:
        device: ``"cpu"``, a CPU device, or None.

    Raises:
        NotImplementedError: Any other device.

    Examples:
        >>> import neuralab as nl
        >>> nl.set_default_device("cpu")
        >>> nl.set_default_device("cuda")
        Traceback (most recent call last):
        NotImplementedError: set_default_device: device 'cuda' is not supported: ...
    """
    check(device, "set_default_device")


def get_default_device() -> Device:
    """The default device: always the CPU.

    Returns:
        ``device('cpu')``.

    Examples:
        >>> import neuralab as nl
        >>> nl.get_default_device()
        device(type='cpu')
    """
    return CPU


def get_num_threads() -> int:
    """The threads the BLAS library uses for matrix products.

    Read with threadpoolctl if installed, else the number of CPUs.

    Returns:
        The number of threads, >= 1.

    Examples:
        >>> import neuralab as nl
        >>> nl.get_num_threads() >= 1
        True
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts, default=os.cpu_count() or 1)


def set_num_threads(n: int) -> None:
    """Limit the threads the BLAS library uses for matrix products.

    Needs threadpoolctl; without it, set ``OMP_NUM_THREADS`` before starting Python.

    Args:
        n: The number of threads, >= 1.

    Raises:
        ValueError: n is not a positive int.
        NotImplementedError: threadpoolctl is not installed.

    Examples:
        >>> import neuralab as nl
        >>> before = nl.get_num_threads()
        >>> nl.set_num_threads(1)
        >>> nl.get_num_threads()
        1
        >>> nl.set_num_threads(before)
    """
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
    """Accepted: neuralab's results are deterministic for a seed anyway.

    Args:
        mode: Ignored.
        warn_only: Ignored. Defaults to False.

    Examples:
        >>> import neuralab as nl
        >>> nl.use_deterministic_algorithms(True)
    """


def seed() -> int:
    """Seed the global generator from fresh entropy.

    Returns:
        The new seed (``initial_seed()`` returns it too).

    Examples:
        >>> import neuralab as nl
        >>> s = nl.seed()
        >>> nl.initial_seed() == s
        True
    """
    value = int(numpy.random.SeedSequence().entropy % 2**63)
    backend.manual_seed(value)
    return value


def initial_seed() -> int:
    """The seed of the global generator, when it was set by ``manual_seed`` or ``seed``.

    Returns:
        The seed.

    Raises:
        RuntimeError: The generator was never seeded.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(3)
        >>> nl.initial_seed()
        3
    """
    return backend.initial_seed()
