"""Every public class and function of the nn part of the API has a full docstring (issue 16).

The rule is ``tests/docstring_rules.py``: a summary, ``Args:`` naming every parameter,
``Examples:``, ``Shape:`` for layers and a ``Raises:`` that names exception classes. A new
public object without such a docstring fails here; the examples themselves run as doctests.
"""

from __future__ import annotations

import inspect

import pytest
from docstring_rules import problems, public_objects

from neuralab.nn import Module

MODULES = [
    "neuralab.nn",
    "neuralab.nn.init",
    "neuralab.nn.utils",
    "neuralab.nn.utils.rnn",
    "neuralab.nn.parallel",
    "neuralab.functional",
    "neuralab.losses",
    "neuralab.models",
    "neuralab.ops",
]
OBJECTS = sorted({name: obj for module in MODULES for name, obj in public_objects(module)}.items())
# Modules that hold parameters but are not layers in the docstring sense (no tensor in, out).
NOT_LAYERS = {"Module", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList"}


def _is_layer(obj: object) -> bool:
    return inspect.isclass(obj) and issubclass(obj, Module) and obj.__name__ not in NOT_LAYERS


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_docstring_follows_the_rules(name: str, obj: object) -> None:
    assert problems(obj, layer=_is_layer(obj)) == []


def test_every_module_has_public_objects() -> None:
    for module in MODULES:
        assert list(public_objects(module)), module
