"""What neuralab does not do, said by name.

A PyTorch name that neuralab lacks raises ``UnsupportedError`` (a ``NotImplementedError`` that is
also an ``AttributeError``, so ``hasattr`` answers False) naming the feature and the nearest
neuralab way. Modules that PyTorch programs import at the top (``torch.jit``, ``torch.onnx``,
``torch.distributed``, ...) exist as stubs whose functions raise when called, so a program
fails where it uses the feature, not on its first line.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from neuralab.torch_names import TENSOR


class UnsupportedError(NotImplementedError, AttributeError):
    """A PyTorch feature that neuralab does not implement."""


EAGER = "neuralab runs the Python code as written (eager mode); call the model directly"
NEAREST = {
    "compile": f"torch.compile is not supported: {EAGER} (drop `model = torch.compile(model)`)",
    "jit": f"TorchScript (torch.jit) is not supported: {EAGER}",
    "onnx": "ONNX export (torch.onnx) is not supported: save the weights with "
    "`neuralab.save(model.state_dict(), 'model.safetensors')`",
    "export": f"torch.export is not supported: {EAGER}",
    "fx": f"torch.fx graph capture is not supported: {EAGER}",
    "distributed": "torch.distributed is not supported: neuralab trains in one process; the "
    "lab runs independent jobs in parallel (`neuralab lab --workers N`)",
    "multiprocessing": "torch.multiprocessing (Hogwild training, share_memory) is not supported: "
    "train in one process",
    "amp": "automatic mixed precision (torch.amp) is not supported: neuralab computes in "
    "float32 (or float64)",
    "autocast": "autocast (mixed precision) is not supported: neuralab computes in float32",
    "quantization": "quantization is not supported",
    "ao": "torch.ao (quantization, pruning) is not supported",
    "hub": "torch.hub is not supported: nothing is downloaded; build the model from neuralab.nn",
    "profiler": "torch.profiler is not supported: profile with py-spy or pyinstrument",
    "sparse": "sparse tensors are not supported: use dense tensors",
    "bfloat16": "bfloat16 is not supported (NumPy has no such dtype): use float32",
    "complex64": "complex tensors are not supported",
    "complex128": "complex tensors are not supported",
}


def message(name: str, where: str = "torch") -> str:
    key = name.split(".")[0]
    if key in NEAREST and where == "torch":
        return NEAREST[key]
    return f"{where}.{name} is not implemented in neuralab"


def missing(name: str, where: str, names: frozenset) -> Exception:
    """UnsupportedError for a PyTorch name, else a plain AttributeError."""
    if name in names:
        return UnsupportedError(message(name, where))
    module = where.replace("torch", "neuralab", 1)
    return AttributeError(f"module {module!r} has no attribute {name!r}")


class StubModule(types.ModuleType):
    """A PyTorch module that neuralab lacks: any function taken from it raises when called."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        feature = self.__name__.replace("neuralab", "torch", 1)
        text = message(feature.removeprefix("torch."))

        def unsupported(*args: Any, **kwargs: Any) -> Any:
            raise UnsupportedError(f"{feature}.{name}: {text}")

        unsupported.__name__ = name
        return unsupported


STUBS = ("jit", "onnx", "distributed", "multiprocessing", "amp", "fx", "export", "hub", "profiler")


def install(package: types.ModuleType, modules: dict[str, types.ModuleType]) -> None:
    """Register stub modules and the given namespace modules as ``package.<name>``, so that
    ``import neuralab.jit`` (``import torch.jit`` under an alias) works."""
    for name in STUBS:
        modules.setdefault(name, StubModule(f"{package.__name__}.{name}", message(name)))
    for name, module in modules.items():
        _register(package, name, module)


def _register(package: types.ModuleType, name: str, module: types.ModuleType) -> None:
    full = f"{package.__name__}.{name}"
    sys.modules.setdefault(full, module)
    setattr(package, name, module)
    for child_name, child in list(vars(module).items()):
        if isinstance(child, types.ModuleType) and child.__name__.startswith(full + "."):
            _register(module, child_name, child)


def compile(model: Any = None, **options: Any) -> Any:
    """``torch.compile``: not supported (raises, naming it)."""
    raise UnsupportedError(NEAREST["compile"])


def tensor_attribute(name: str) -> Exception:
    """The error for ``Tensor.<name>`` that does not exist."""
    if name in TENSOR:
        return UnsupportedError(f"Tensor.{name} is not implemented in neuralab")
    return AttributeError(f"'Tensor' object has no attribute {name!r}")
