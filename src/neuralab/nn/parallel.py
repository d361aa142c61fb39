"""``torch.nn.parallel``: multi-GPU data parallelism, not implemented (neuralab runs on the
CPU). ``import neuralab.nn.parallel`` works; DataParallel and data_parallel raise
NotImplementedError naming themselves and the single-process way."""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]

_NEAREST = "call the model itself (neuralab runs one process on the CPU)"


def _not_implemented(name: str) -> NoReturn:
    raise NotImplementedError(
        f"torch.nn.parallel.{name} is not implemented in neuralab (no GPUs); {_NEAREST}"
    )


class DataParallel:
    """Not implemented: neuralab runs one process on the CPU (no GPUs); call the model itself.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``DataParallel``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.parallel.DataParallel(nl.nn.Linear(2, 2))
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.parallel.DataParallel is not implemented...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_implemented("DataParallel")


class DistributedDataParallel:
    """Not implemented: neuralab runs one process on the CPU (no GPUs); call the model itself.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``DistributedDataParallel``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.parallel.DistributedDataParallel(nl.nn.Linear(2, 2))
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.parallel.DistributedDataParallel is not implemented...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_implemented("DistributedDataParallel")


def data_parallel(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: neuralab runs one process on the CPU (no GPUs); call the model itself.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``data_parallel``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.parallel.data_parallel(nl.nn.Linear(2, 2), nl.zeros(1, 2))
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.parallel.data_parallel is not implemented...
    """
    _not_implemented("data_parallel")
