"""Keras's session state: unique layer names (dense, dense_1, ...) and ``clear_session``."""

from __future__ import annotations

import re
from collections import defaultdict

_counts: defaultdict[str, int] = defaultdict(int)


def snake_case(name: str) -> str:
    """'Conv2D' -> 'conv2d', 'BatchNormalization' -> 'batch_normalization', as Keras."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """The next free name for ``base``: 'dense', then 'dense_1', 'dense_2', ..."""
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Forget the names given so far (the next Dense is 'dense' again)."""
    _counts.clear()


def floatx() -> str:
    """The default float type of weights and inputs."""
    return "float32"


def backend() -> str:
    """The engine under this Keras API."""
    return "neuralab"
