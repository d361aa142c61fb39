"""Every public class and function of neuralab.keras, neuralab.tune and neuralab.lab's public
API has a docstring that follows tests/docstring_rules.py (Args, Examples, Shape for layers)."""

from __future__ import annotations

import inspect

import pytest
from docstring_rules import problems, public_objects

from neuralab.keras.layers import Layer

MODULES = [
    "neuralab.keras",
    "neuralab.keras.activations",
    "neuralab.keras.backend",
    "neuralab.keras.callbacks",
    "neuralab.keras.datasets.fashion_mnist",
    "neuralab.keras.datasets.mnist",
    "neuralab.keras.initializers",
    "neuralab.keras.layers",
    "neuralab.keras.losses",
    "neuralab.keras.metrics",
    "neuralab.keras.models",
    "neuralab.keras.optimizers",
    "neuralab.keras.optimizers.schedules",
    "neuralab.keras.regularizers",
    "neuralab.keras.utils",
]


def _objects() -> list[tuple[str, object]]:
    seen: set[int] = set()
    found = []
    for module in MODULES:
        for name, obj in public_objects(module):
            if id(obj) not in seen:  # aliases (keras.losses.mse, layers.MaxPool2D) once
                seen.add(id(obj))
                found.append((name, obj))
    return found


OBJECTS = _objects()


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_docstring(name: str, obj: object) -> None:
    layer = inspect.isclass(obj) and issubclass(obj, Layer)
    assert problems(obj, layer=layer) == []
