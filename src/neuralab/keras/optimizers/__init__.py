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
    """``{'class_name': ..., 'config': optimizer.get_config()}``."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict[str, Any]) -> Optimizer:
    """An optimizer from ``{'class_name': 'Adam', 'config': {...}}`` (name case-insensitive)."""
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
    """None -> None; a name ('adam', 'sgd', 'rmsprop', 'adagrad', 'adamw', 'adadelta',
    'adamax', 'nadam'; any case) -> a new optimizer with Keras's defaults; a config dict ->
    ``deserialize``; an optimizer -> itself."""
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
