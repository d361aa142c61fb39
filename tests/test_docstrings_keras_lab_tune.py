"""Every public class and function of neuralab.keras, neuralab.tune and neuralab.lab's public
API has a docstring that follows tests/docstring_rules.py (a summary, Args naming every
parameter, Examples, Shape for layers), and its Args name only real parameters (griffe warns
on any other, which fails the docs site's ``mkdocs build --strict``). The examples run as
doctests (``--doctest-modules``)."""

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
    "neuralab.lab",
    "neuralab.lab.findings",
    "neuralab.lab.plots",
    "neuralab.lab.report",
    "neuralab.lab.stats",
    "neuralab.lab.toolkit",
    "neuralab.tune",
]
OWN = ("neuralab.keras", "neuralab.lab", "neuralab.tune")


def _objects() -> list[tuple[str, object]]:
    seen: set[int] = set()
    found = []
    for module in MODULES:
        for name, obj in public_objects(module):
            # aliases (keras.losses.mse, layers.MaxPool2D) once; names re-exported from
            # other parts (tune.Splits from neuralab.data) are checked by their own tests
            if id(obj) not in seen and obj.__module__.startswith(OWN):
                seen.add(id(obj))
                found.append((name, obj))
    return found


OBJECTS = _objects()


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_docstring(name: str, obj: object) -> None:
    layer = inspect.isclass(obj) and issubclass(obj, Layer)
    assert problems(obj, layer=layer) == []
