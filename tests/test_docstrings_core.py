"""Every public class and function of the core API has a complete docstring (issue 16).

The rule is ``docstring_rules.problems``: a summary line, ``Args:`` naming every parameter
with its default, ``Examples:``, ``Raises:`` naming exception classes. A new public object
of these modules without such a docstring fails here. The examples themselves run as
doctests (``--doctest-modules``).
"""

from __future__ import annotations

import inspect
import re

import pytest
from docstring_rules import problems, public_objects, sections

from neuralab.tensor import Tensor

# The core part of the API: the tensor and autograd, data, optimizers and schedules,
# training and its tools. (nn, functional, losses, models and ops have their own test,
# as do keras, lab and tune.)
MODULES = [
    "neuralab",
    "neuralab.autograd",
    "neuralab.autograd.checking",
    "neuralab.autograd.custom",
    "neuralab.autograd.functional",
    "neuralab.backend",
    "neuralab.callbacks",
    "neuralab.compat",
    "neuralab.creation",
    "neuralab.data",
    "neuralab.data.dataset",
    "neuralab.data.digits",
    "neuralab.data.files",
    "neuralab.data.idx",
    "neuralab.data.loader",
    "neuralab.data.mnist",
    "neuralab.data.sampler",
    "neuralab.data.sequences",
    "neuralab.data.splits",
    "neuralab.data.synthetic",
    "neuralab.data.transforms",
    "neuralab.device",
    "neuralab.gan",
    "neuralab.inspect",
    "neuralab.io",
    "neuralab.metrics",
    "neuralab.optim",
    "neuralab.optim.adadelta",
    "neuralab.optim.adam",
    "neuralab.optim.lr_scheduler",
    "neuralab.optim.nadam",
    "neuralab.optim.optimizer",
    "neuralab.optim.rmsprop",
    "neuralab.optim.sgd",
    "neuralab.perceptron",
    "neuralab.registry",
    "neuralab.tensor",
    "neuralab.train",
    "neuralab.utils.data",
    "neuralab.vision.datasets",
    "neuralab.vision.transforms",
    "neuralab.vision.utils",
]


def _core_objects() -> list[tuple[str, object]]:
    """Each public object once (re-exports share a docstring), without the ops, which
    ``neuralab`` re-exports but another part documents."""
    seen: dict[int, tuple[str, object]] = {}
    for module in MODULES:
        for name, obj in public_objects(module):
            if obj.__module__.startswith("neuralab.ops"):
                continue
            seen.setdefault(id(obj), (name, obj))
    return list(seen.values())


OBJECTS = _core_objects()


def test_the_core_modules_have_public_objects() -> None:
    from neuralab import autograd, data, optim, train

    objects = {id(obj) for _, obj in OBJECTS}
    assert len(OBJECTS) > 150
    for expected in (
        Tensor,
        optim.lr_scheduler.OneCycleLR,
        data.MNIST,
        data.DataLoader,
        train.fit,
        autograd.gradcheck,
    ):
        assert id(expected) in objects, expected


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_public_docstring_is_complete(name: str, obj: object) -> None:
    assert problems(obj) == []


def test_onecycle_documents_all_its_parameters_with_defaults() -> None:
    from neuralab.optim.lr_scheduler import OneCycleLR

    args = sections(inspect.getdoc(OneCycleLR))["Args"]
    params = list(inspect.signature(OneCycleLR).parameters.values())
    assert len(params) == 14
    for p in params:
        entry = re.search(rf"^\s*{p.name}:(.*?)(?=^\s*\w+:|\Z)", args, re.M | re.S)
        assert entry, p.name
        if p.default is not inspect.Parameter.empty:
            assert "Defaults to" in entry.group(1), p.name


def _tensor_methods() -> list[tuple[str, object]]:
    """Tensor's own public methods (those defined in neuralab.tensor, not the ops bound to
    it, which are documented as functions), and the ``data`` property."""
    found = []
    for name, value in vars(Tensor).items():
        if name.startswith("_"):
            continue
        if inspect.isfunction(value) and value.__module__ == "neuralab.tensor":
            found.append((name, value))
    found.append(("data", Tensor.data))
    return found


METHODS = _tensor_methods()


@pytest.mark.parametrize(("name", "method"), METHODS, ids=[name for name, _ in METHODS])
def test_tensor_method_has_summary_and_args(name: str, method: object) -> None:
    doc = inspect.getdoc(method)
    assert doc and doc.splitlines()[0].strip(), f"Tensor.{name} has no summary"
    target = method.fget if isinstance(method, property) else method
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    params = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.name != "self" and p.kind not in skip
    ]
    if params:
        args = sections(doc).get("Args", "")
        for param in params:
            assert re.search(rf"^\s*{param}\b", args, re.M), f"Tensor.{name}: {param}"


@pytest.mark.parametrize("name", ["backward", "detach", "item", "numpy", "data", "to"])
def test_important_tensor_methods_have_examples(name: str) -> None:
    assert "Examples" in sections(inspect.getdoc(getattr(Tensor, name)))


def test_tensor_class_example_shows_grad_view_reshape_sum_mean() -> None:
    examples = sections(inspect.getdoc(Tensor))["Examples"]
    for piece in (".backward()", ".grad", ".view(", ".reshape(", ".sum(", ".mean("):
        assert piece in examples, piece
