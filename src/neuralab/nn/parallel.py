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
    """Not implemented: raises NotImplementedError."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_implemented("DataParallel")


class DistributedDataParallel:
    """Not implemented: raises NotImplementedError."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_implemented("DistributedDataParallel")


def data_parallel(*args: Any, **kwargs: Any) -> NoReturn:
    _not_implemented("data_parallel")
