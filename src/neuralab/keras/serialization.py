"""Keras's config dicts for objects built from a class and its ``get_config()``
(initializers, regularizers): one writer and one reader for all of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def serialize(obj: Any, module: str) -> dict:
    """{'module', 'class_name', 'config', 'registered_name'}, as Keras writes it."""
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize(
    config: Any, kind: str, find: Callable[[str], type], custom_objects: dict | None = None
) -> Any:
    """An object from ``{'class_name': ..., 'config': {...}}`` or a bare name; ``find``
    turns a name into its class, ``custom_objects`` may supply others."""
    if isinstance(config, str):
        return find(config)()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not interpret serialized {kind}: {config!r} (expected a dict with "
            "'class_name' and 'config')"
        )
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or find(name)
    return cls.from_config(dict(config.get("config") or {}))
