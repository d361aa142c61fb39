"""Keras 3's optimizers on neuralab: ``keras.optimizers.Adam(...)``, ``optimizers.get('adam')``.

Each is a ``neuralab.optim.Optimizer`` built lazily (``build(variables)``), so
``neuralab.train.fit`` drives it; the update formulas are Keras's, not PyTorch's.
"""

from __future__ import annotations

from typing import Any

from neuralab.keras.optimizers import schedules
from neuralab.keras.optimizers.adagrad import Adadelta, Adagrad
from neuralab.keras.optimizers.adam import Adam, Adamax, AdamW, Nadam
from neuralab.keras.optimizers.base import Optimizer
from neuralab.keras.optimizers.rmsprop import RMSprop
from neuralab.keras.optimizers.sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

_ALL = {
    cls.__name__.lower(): cls
    for cls in (SGD, Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop)
}
_NOT_BUILT = ("adafactor", "ftrl", "lion", "lamb", "muon", "lossscaleoptimizer")


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """An optimizer as data: ``{'class_name': ..., 'config': optimizer.get_config()}``.

    Args:
        optimizer: A Keras optimizer.

    Returns:
        A dict ``deserialize`` reads back.

    Examples:
        >>> from neuralab import keras
        >>> config = keras.optimizers.serialize(keras.optimizers.SGD(momentum=0.9))
        >>> config["class_name"], config["config"]["momentum"]
        ('SGD', 0.9)
    """
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """A new optimizer from ``{'class_name': 'Adam', 'config': {...}}`` (name case-insensitive).

    Args:
        config: A dict as ``serialize`` gives.

    Returns:
        A new optimizer.

    Raises:
        ValueError: If the class name is not a known optimizer.
        NotImplementedError: If it names a Keras optimizer neuralab does not build (e.g.
            'Lion').

    Examples:
        >>> from neuralab import keras
        >>> keras.optimizers.deserialize({"class_name": "adam", "config": {"beta_1": 0.8}}).beta_1
        0.8
    """
    name = str(config.get("class_name", "")).lower()
    if name in _NOT_BUILT:
        raise NotImplementedError(
            f"neuralab.keras: optimizers.{config['class_name']} is not supported"
        )
    if name not in _ALL:
        raise ValueError(
            f"Could not interpret optimizer identifier: {config.get('class_name')!r}; "
            f"known: {sorted(_ALL)}"
        )
    return _ALL[name].from_config(config.get("config", {}))


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from an identifier, as ``keras.optimizers.get``.

    None gives None; a name ('adam', 'sgd', 'rmsprop', 'adagrad', 'adamw', 'adadelta',
    'adamax', 'nadam'; any case) a new optimizer with Keras's defaults; a config dict goes
    to ``deserialize``; an optimizer is returned as it is.

    Args:
        identifier: None, a name, a config dict or an optimizer.

    Returns:
        An optimizer, or None.

    Raises:
        ValueError: If the identifier is not a known optimizer.
        NotImplementedError: If it names a Keras optimizer neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> optimizer = keras.optimizers.get("RMSprop")
        >>> type(optimizer).__name__, round(optimizer.learning_rate, 6)
        ('RMSprop', 0.001)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
