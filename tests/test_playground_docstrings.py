"""Every public function and class of the playground has a docstring with Args (naming its
parameters), Examples, and exception classes under Raises (tests/docstring_rules.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")

from docstring_rules import problems, public_objects

MODULES = [
    "neuralab.playground.browser",
    "neuralab.playground.cli",
    "neuralab.playground.data",
    "neuralab.playground.export",
    "neuralab.playground.image_export",
    "neuralab.playground.image_session",
    "neuralab.playground.images",
    "neuralab.playground.model",
    "neuralab.playground.server",
    "neuralab.playground.session",
]
OBJECTS = [item for module in MODULES for item in public_objects(module)]


def test_the_playground_has_public_objects():
    names = {name.rsplit(".", 1)[1] for name, _ in OBJECTS}
    assert {"Session", "Config", "parse_config", "create_app", "script", "serve"} <= names


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_the_docstring_follows_the_rules(name, obj):
    assert problems(obj) == []
