"""Devices on the CPU: ``neuralab.device``, ``Tensor.device/to/cpu/type``, ``cuda``,
``accelerator`` and ``backends``, compared with PyTorch's CPU build."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import neuralab

CUDA_ERROR = r"(?s)'cuda.*not supported.*(CUDA|cuda)"


# --- neuralab.device --------------------------------------------------------------------
@pytest.mark.parametrize(
    "args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 0), ("cpu", 0), ("mps",)]
)
def test_device_matches_torch_device(args):
    ours, theirs = neuralab.device(*args), torch.device(*args)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert neuralab.device(str(theirs)) == ours


def test_device_equality_and_hash():
    assert neuralab.device("cuda:1") == neuralab.device("cuda", 1)
    assert neuralab.device("cuda:0") != neuralab.device("cuda")
    assert neuralab.device("cpu") != neuralab.device("cuda")
    assert neuralab.device(neuralab.device("cuda:2")) == neuralab.device("cuda", 2)
    assert len({neuralab.device("cpu"), neuralab.device("cpu"), neuralab.device("cuda")}) == 2
    with pytest.raises(AttributeError):
        neuralab.device("cpu").type = "cuda"


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "cuda:x", "cuda:-1", "cpu:0:1", ""])
def test_bad_device_strings_raise_as_in_torch(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(RuntimeError, match="device"):
        neuralab.device(bad)


def test_device_of_a_non_string_raises_type_error():
    with pytest.raises(TypeError, match="device"):
        neuralab.device(1.5)


# --- Tensor.device, to, cpu, type -------------------------------------------------------
def test_tensor_device_is_the_cpu():
    for lib in (torch, neuralab):
        t = lib.ones(2)
        assert t.device == lib.device("cpu")
        assert str(t.device) == "cpu"
        assert t.is_cuda is False


def numpy_of(t):
    return t.detach().numpy()


@pytest.mark.parametrize(
    "convert",
    [
        lambda lib, t: t.to(lib.device("cpu")),
        lambda lib, t: t.to("cpu"),
        lambda lib, t: t.to(lib.float32),
        lambda lib, t: t.to(dtype=lib.float32),
        lambda lib, t: t.to("cpu", lib.float32),
        lambda lib, t: t.to(device="cpu"),
        lambda lib, t: t.to(lib.ones(1)),
        lambda lib, t: t.to("cpu", non_blocking=True),
        lambda lib, t: t.cpu(),
    ],
)
def test_to_returns_self_when_nothing_changes(convert):
    for lib in (torch, neuralab):
        t = lib.ones(2, 3)
        assert convert(lib, t) is t


@pytest.mark.parametrize(
    "convert, dtype",
    [
        (lambda lib, t: t.to(lib.float64), "float64"),
        (lambda lib, t: t.to(dtype=lib.int64), "int64"),
        (lambda lib, t: t.to("cpu", lib.float64), "float64"),
        (lambda lib, t: t.to(lib.device("cpu"), dtype=lib.float64), "float64"),
        (lambda lib, t: t.to(device="cpu", dtype=lib.int32), "int32"),
        (lambda lib, t: t.to(lib.zeros(1, dtype=lib.int64)), "int64"),
        (lambda lib, t: t.to(lib.zeros(1, dtype=lib.float64)), "float64"),
        (lambda lib, t: t.double(), "float64"),
        (lambda lib, t: t.long(), "int64"),
        (lambda lib, t: t.int(), "int32"),
        (lambda lib, t: t.half(), "float16"),
        (lambda lib, t: t.bool(), "bool"),
        (lambda lib, t: t.type(lib.float64), "float64"),
        (lambda lib, t: t.type("torch.DoubleTensor"), "float64"),
        (lambda lib, t: t.type("torch.LongTensor"), "int64"),
    ],
)
def test_to_changes_the_dtype_as_torch(convert, dtype):
    values = [[1.5, -2.0, 0.0], [3.25, 4.0, -0.5]]
    ours = convert(neuralab, neuralab.tensor(values))
    theirs = convert(torch, torch.tensor(values))
    assert str(theirs.dtype) == f"torch.{dtype}"
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(numpy_of(ours), numpy_of(theirs))


def test_to_with_copy_returns_a_copy():
    for lib in (torch, neuralab):
        t = lib.ones(3)
        for copy in (t.to(lib.float32, copy=True), t.to("cpu", copy=True)):
            assert copy is not t
            assert not np.shares_memory(copy.numpy(), t.numpy())
            copy[0] = 5.0
            assert t[0].item() == 1.0


def test_floating_cast_is_differentiable():
    grads = []
    for lib in (torch, neuralab):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x.to(lib.float64) ** 2).sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_array_equal(grads[1], grads[0])
    assert grads[1].dtype == np.float32


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_type_names_match_torch(dtype):
    ours = neuralab.zeros(2, dtype=getattr(neuralab, dtype))
    theirs = torch.zeros(2, dtype=getattr(torch, dtype))
    assert ours.type() == theirs.type()


def test_to_a_bad_argument_raises_type_error():
    with pytest.raises(TypeError, match=r"Tensor\.to"):
        neuralab.ones(2).to([1, 2])
    with pytest.raises(TypeError, match=r"Tensor\.to"):
        neuralab.ones(2).to("cpu", colour="red")


# --- CUDA and other accelerators: a clear NotImplementedError ------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.ones(2).cuda(),
        lambda lib: lib.ones(2).to("cuda"),
        lambda lib: lib.ones(2).to("cuda:0", lib.float64),
        lambda lib: lib.ones(2).to(lib.device("cuda")),
        lambda lib: lib.ones(2).to(device="cuda"),
        lambda lib: lib.zeros(2, 3, device="cuda"),
        lambda lib: lib.ones(2, device=lib.device("cuda", 0)),
        lambda lib: lib.tensor([1.0], device="cuda"),
        lambda lib: lib.randn(2, device="cuda"),
        lambda lib: lib.arange(3, device="cuda"),
        lambda lib: lib.nn.Linear(2, 3).to("cuda"),
    ],
)
def test_cuda_raises_not_implemented_naming_cuda(call):
    with pytest.raises((AssertionError, RuntimeError)):  # PyTorch's CPU build
        call(torch)
    with pytest.raises(NotImplementedError, match=CUDA_ERROR):
        call(neuralab)


def test_other_accelerators_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="'mps'"):
        neuralab.ones(2).to("mps")
    with pytest.raises(NotImplementedError, match="'meta'"):
        neuralab.zeros(2, device="meta")


def test_availability_answers_match_torch_cpu_build():
    for name in ("is_available", "device_count", "is_initialized"):
        assert getattr(neuralab.cuda, name)() == getattr(torch.cuda, name)()
    assert neuralab.backends.mps.is_available() == torch.backends.mps.is_available()
    assert neuralab.backends.mps.is_built() == torch.backends.mps.is_built()
    assert neuralab.accelerator.is_available() == torch.accelerator.is_available()
    assert neuralab.accelerator.current_accelerator() == torch.accelerator.current_accelerator()
    assert neuralab.accelerator.device_count() == torch.accelerator.device_count()


def test_device_choice_idiom_gives_the_cpu():
    device = neuralab.device("cuda" if neuralab.cuda.is_available() else "cpu")
    model = neuralab.nn.Linear(3, 2).to(device)
    x = neuralab.randn(4, 3).to(device)
    assert model(x).device == device == neuralab.device("cpu")


def test_seeding_cuda_does_nothing_as_in_torch_cpu_build():
    neuralab.manual_seed(3)
    before = neuralab.get_rng_state()
    neuralab.cuda.manual_seed(1)
    neuralab.cuda.manual_seed_all(1)
    assert neuralab.get_rng_state() == before


def test_unknown_cuda_function_raises_not_implemented_naming_it():
    with pytest.raises(NotImplementedError, match=r"torch\.cuda\.synchronize.*CUDA"):
        neuralab.cuda.synchronize()
    with pytest.raises(NotImplementedError, match=r"torch\.cuda\.amp\.GradScaler"):
        neuralab.cuda.amp.GradScaler()


def test_backend_flags_are_settable_and_importable():
    cudnn = importlib.import_module("neuralab.backends.cudnn")
    assert cudnn is neuralab.backends.cudnn
    old = (cudnn.benchmark, cudnn.deterministic)
    try:
        neuralab.backends.cudnn.benchmark = True
        neuralab.backends.cudnn.deterministic = True
        assert cudnn.benchmark is True and cudnn.deterministic is True
    finally:
        cudnn.benchmark, cudnn.deterministic = old
    assert importlib.import_module("neuralab.backends.mps") is neuralab.backends.mps
    assert importlib.import_module("neuralab.cuda") is neuralab.cuda
    assert neuralab.backends.cudnn.is_available() is False


def test_generator_on_cuda_raises():
    assert neuralab.Generator("cpu").device == neuralab.device("cpu")
    with pytest.raises(NotImplementedError, match="cuda"):
        neuralab.Generator("cuda")


def test_type_takes_legacy_constructors_and_names_cuda_types():
    x = neuralab.ones(2)
    assert (
        x.type(neuralab.DoubleTensor).dtype == torch.ones(2).type(torch.DoubleTensor).numpy().dtype
    )
    assert x.type("torch.LongTensor").dtype == neuralab.int64
    with pytest.raises(NotImplementedError, match="CUDA"):
        x.type("torch.cuda.FloatTensor")
    assert neuralab.zeros_like(x, memory_format=neuralab.preserve_format).shape == (2,)
