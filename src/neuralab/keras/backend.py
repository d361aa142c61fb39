"""Keras's session state: unique layer names (dense, dense_1, ...) and ``clear_session``."""

from __future__ import annotations

import re
from collections import defaultdict

_counts: defaultdict[str, int] = defaultdict(int)


def snake_case(name: str) -> str:
    """A class name in snake case, as Keras names layers.

    Args:
        name: A CamelCase name.

    Returns:
        The snake-case name.

    Examples:
        >>> from neuralab import keras
        >>> keras.backend.snake_case("BatchNormalization"), keras.backend.snake_case("Conv2D")
        ('batch_normalization', 'conv2d')
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """The next free name for ``base``: 'dense', then 'dense_1', 'dense_2', ...

    Args:
        base: The base name.

    Returns:
        The name, not given before in this session (``clear_session`` forgets them).

    Examples:
        >>> from neuralab import keras
        >>> keras.backend.clear_session()
        >>> keras.backend.unique_name("block"), keras.backend.unique_name("block")
        ('block', 'block_1')
    """
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Forgets the names given so far (the next Dense is 'dense' again).

    Examples:
        >>> from neuralab import keras
        >>> keras.backend.clear_session()
        >>> keras.layers.Dense(1).name
        'dense'
    """
    _counts.clear()


def floatx() -> str:
    """The default float type of weights and inputs.

    Returns:
        'float32'.

    Examples:
        >>> from neuralab import keras
        >>> keras.backend.floatx()
        'float32'
    """
    return "float32"


def backend() -> str:
    """The engine under this Keras API.

    Returns:
        'neuralab'.

    Examples:
        >>> from neuralab import keras
        >>> keras.backend.backend()
        'neuralab'
    """
    return "neuralab"
