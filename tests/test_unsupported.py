"""PyTorch names that neuralab lacks fail clearly: a NotImplementedError naming the feature
(on Tensors also an AttributeError, so ``hasattr(t, name)`` is False), while a misspelt
name stays a plain AttributeError; modules imported at the top of PyTorch programs exist as
stubs."""

from __future__ import annotations

import importlib

import pytest
import torch

import neuralab
from neuralab.unsupported import UnsupportedError


@pytest.mark.parametrize("name", ["fft", "vmap", "stft"])
def test_torch_names_neuralab_lacks(name):
    """A module-level name is a plain NotImplementedError (not an AttributeError), so that
    ``from neuralab import fft`` names the feature instead of a bare ImportError."""
    assert hasattr(torch, name)
    if name in vars(neuralab):
        pytest.skip(f"neuralab now has {name}")
    with pytest.raises(NotImplementedError, match=rf"torch\.{name}\b") as info:
        getattr(neuralab, name)
    assert isinstance(info.value, UnsupportedError)
    with pytest.raises(NotImplementedError, match=rf"torch\.{name}\b"):
        exec(f"from neuralab import {name}", {})


@pytest.mark.parametrize("name", ["zerox", "tensr", "nn_Linear"])
def test_misspelt_names_raise_a_plain_attribute_error(name):
    assert not hasattr(torch, name)
    with pytest.raises(AttributeError, match=rf"has no attribute '{name}'") as info:
        getattr(neuralab, name)
    assert not isinstance(info.value, NotImplementedError)


def test_from_import_of_a_missing_name_raises_import_error():
    with pytest.raises(ImportError):
        exec("from neuralab import zerox", {})


@pytest.mark.parametrize("name", ["stft", "istft", "to_sparse", "share_memory_"])
def test_tensor_methods_neuralab_lacks(name):
    assert hasattr(torch.ones(2), name)
    t = neuralab.ones(2)
    with pytest.raises(NotImplementedError, match=rf"Tensor\.{name}") as info:
        getattr(t, name)
    assert isinstance(info.value, AttributeError)
    assert not hasattr(t, name)


def test_misspelt_tensor_method_raises_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'sizee'") as info:
        neuralab.ones(2).sizee  # noqa: B018
    assert not isinstance(info.value, NotImplementedError)


@pytest.mark.parametrize(
    "module, call, feature",
    [
        ("jit", lambda m: m.script(lambda x: x), "TorchScript"),
        ("jit", lambda m: m.trace(lambda x: x, ()), "TorchScript"),
        ("onnx", lambda m: m.export(None, None, "model.onnx"), "ONNX"),
        ("distributed", lambda m: m.init_process_group("gloo"), "torch.distributed"),
        ("distributed", lambda m: m.all_reduce(None), "torch.distributed"),
        ("multiprocessing", lambda m: m.spawn(print, nprocs=2), "torch.multiprocessing"),
        ("amp", lambda m: m.GradScaler(), "mixed precision"),
        ("amp", lambda m: m.autocast("cpu"), "mixed precision"),
    ],
)
def test_stub_modules_import_and_raise_when_used(module, call, feature):
    stub = importlib.import_module(f"neuralab.{module}")
    assert stub is getattr(neuralab, module)
    assert importlib.import_module(f"torch.{module}")  # PyTorch has the module too
    with pytest.raises(NotImplementedError, match=feature) as info:
        call(stub)
    assert f"torch.{module}." in str(info.value)


def test_import_statements_of_pytorch_programs_work():
    namespace: dict = {}
    exec(
        "import neuralab.jit, neuralab.onnx, neuralab.distributed, neuralab.multiprocessing\n"
        "import neuralab.amp\n"
        "import neuralab.distributed as dist\n"
        "from neuralab.jit import script\n",
        namespace,
    )
    with pytest.raises(NotImplementedError, match=r"torch\.jit\.script"):
        namespace["script"](None)


def test_availability_questions_answer_false_instead_of_raising():
    """Guards such as ``if dist.is_available() and dist.is_initialized():`` run."""
    assert neuralab.distributed.is_available() is False
    assert neuralab.distributed.is_initialized() is False
    assert neuralab.jit.is_scripting() is torch.jit.is_scripting() is False
    assert neuralab.jit.is_tracing() is torch.jit.is_tracing() is False
    assert neuralab.onnx.is_in_onnx_export() is torch.onnx.is_in_onnx_export() is False


def test_compile_raises_naming_torch_compile():
    model = neuralab.nn.Linear(2, 2)
    with pytest.raises(NotImplementedError, match=r"torch\.compile is not supported.*eager"):
        neuralab.compile(model)
    with pytest.raises(NotImplementedError, match=r"torch\.compile"):
        neuralab.compile(model, mode="reduce-overhead")


def test_optimizers_and_schedules_neuralab_lacks_are_named():
    from neuralab import optim

    with pytest.raises(NotImplementedError, match=r"torch\.optim\.Rprop"):
        optim.Rprop  # noqa: B018
    with pytest.raises(NotImplementedError, match=r"lr_scheduler\.CosineAnnealingWarmRestarts"):
        optim.lr_scheduler.CosineAnnealingWarmRestarts  # noqa: B018
    with pytest.raises(AttributeError):
        optim.Adamm  # noqa: B018
