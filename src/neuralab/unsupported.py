"""What neuralab does not do, said by name.

A PyTorch name that neuralab lacks raises ``UnsupportedError`` (a ``NotImplementedError``)
naming the feature and the nearest neuralab way. Modules that PyTorch programs import at
the top (``torch.jit``, ``torch.onnx``, ``torch.distributed``, ...) exist as stubs whose
functions raise when called, so a program fails where it uses the feature, not on its
first line.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from neuralab.torch_names import TENSOR


class UnsupportedError(NotImplementedError):
    """A PyTorch feature that neuralab does not implement. (Not an AttributeError, so that
    ``from neuralab.nn import Transformer`` says so instead of a bare ImportError.)"""


class UnsupportedAttributeError(UnsupportedError, AttributeError):
    """A Tensor method that neuralab lacks: also an AttributeError, so that ``hasattr`` and
    ``getattr(t, name, default)`` keep working on Tensors."""


EAGER = "neuralab runs the Python code as written (eager mode); call the model directly"
FEATURES = {
    "compile": f"torch.compile is not supported: {EAGER} (drop `model = torch.compile(model)`)",
    "jit": f"TorchScript (torch.jit) is not supported: {EAGER}",
    "onnx": "ONNX export (torch.onnx) is not supported: save the weights with "
    "`neuralab.save(model.state_dict(), 'model.safetensors')`",
    "export": f"torch.export is not supported: {EAGER}",
    "fx": f"torch.fx graph capture is not supported: {EAGER}",
    "distributed": "torch.distributed is not supported: neuralab trains in one process; the "
    "lab runs independent jobs in parallel (`neuralab lab --workers N`, or `--cluster "
    "ADDRESS` on a Dask cluster)",
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


# The nearest neuralab way for the torch.nn names people reach for most.
NEAREST = {
    "Transformer": "compose nn.Linear, nn.LayerNorm, nn.Dropout and F.softmax attention",
    "TransformerEncoder": "compose nn.Linear, nn.LayerNorm and F.softmax attention",
    "TransformerEncoderLayer": "compose nn.Linear, nn.LayerNorm and F.softmax attention",
    "TransformerDecoder": "compose nn.Linear, nn.LayerNorm and F.softmax attention",
    "TransformerDecoderLayer": "compose nn.Linear, nn.LayerNorm and F.softmax attention",
    "MultiheadAttention": "softmax(q @ k.transpose(-2, -1) / sqrt(d)) @ v with nn.Linear "
    "projections",
    "scaled_dot_product_attention": "softmax(q @ k.transpose(-2, -1) / sqrt(d)) @ v",
    "Conv1d": "nn.Conv2d on input.unsqueeze(2) with kernel_size (1, k)",
    "conv1d": "F.conv2d on input.unsqueeze(2) with a (1, k) kernel",
    "MaxPool1d": "nn.MaxPool2d on input.unsqueeze(2) with kernel_size (1, k)",
    "AvgPool1d": "nn.AvgPool2d on input.unsqueeze(2) with kernel_size (1, k)",
    "AdaptiveMaxPool2d": "nn.MaxPool2d with a fixed kernel, or nn.AdaptiveAvgPool2d",
    "Upsample": "F.pad and nn.Conv2d, or repeat with Tensor indexing",
    "interpolate": "Tensor indexing (nearest) or nn.AdaptiveAvgPool2d (downsampling)",
    "GroupNorm": "nn.LayerNorm or nn.BatchNorm2d",
    "InstanceNorm2d": "nn.BatchNorm2d or nn.LayerNorm",
    "BatchNorm3d": "nn.BatchNorm2d",
    "RMSNorm": "nn.LayerNorm",
    "PReLU": "nn.LeakyReLU",
    "SELU": "nn.ELU",
    "Softsign": "x / (1 + x.abs())",
    "LogSigmoid": "-F.softplus(-x), or F.log_softmax over two logits",
    "DataParallel": "the model itself (neuralab runs on the CPU)",
    "SyncBatchNorm": "nn.BatchNorm2d",
    "EmbeddingBag": "nn.Embedding followed by a sum or mean",
    "KLDivLoss": "(target * (target.log() - input)).sum()",
    "kl_div": "(target * (target.log() - input)).sum()",
    "CTCLoss": "nn.CrossEntropyLoss on aligned targets",
    "one_hot": "neuralab.eye(num_classes)[labels]",
    "normalize": "x / x.norm(dim=1, keepdim=True).clamp(min=eps)",
    "orthogonal": "nn.init.orthogonal_",
    "LazyLinear": "nn.Linear with the input size given",
}


def message(name: str, where: str = "torch") -> str:
    """What to say of ``where.name``: a whole-feature sentence, or the name and the
    nearest neuralab way when one is known."""
    key = name.split(".")[0]
    if where == "torch" and key in FEATURES:
        return FEATURES[key]
    nearest = NEAREST.get(name, NEAREST.get(name.rstrip("_")))
    hint = f"; nearest: {nearest}" if nearest else ""
    return f"{where}.{name} is not implemented in neuralab{hint}"


def missing(name: str, where: str, names: frozenset) -> Exception:
    """UnsupportedError for a PyTorch name (``where`` as ``torch.nn``), else a plain
    AttributeError as for any module."""
    if name in names:
        return UnsupportedError(message(name, where))
    module = where.replace("torch", "neuralab", 1)
    return AttributeError(f"module {module!r} has no attribute {name!r}")


# Questions that code asks before using a feature (``if dist.is_available() and
# dist.is_initialized():``, ``if not torch.jit.is_scripting():``): answered False, not raised.
FALSE_QUERIES = frozenset(
    ("is_available", "is_initialized", "is_scripting", "is_tracing", "is_in_onnx_export")
)


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


class StubModule(types.ModuleType):
    """A PyTorch module that neuralab lacks: any function taken from it raises when called
    (except the availability questions of ``FALSE_QUERIES``, which answer False)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in FALSE_QUERIES:
            return _false
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
    """``torch.compile``: not supported; raises, naming it.

    Args:
        model: The model or function to compile. Defaults to None.
        **options: Ignored.

    Raises:
        UnsupportedError: Always (a NotImplementedError).

    Examples:
        >>> import neuralab as nl
        >>> nl.compile(nl.nn.Linear(2, 1))
        Traceback (most recent call last):
        neuralab.unsupported.UnsupportedError: ...
    """
    raise UnsupportedError(FEATURES["compile"])


def tensor_attribute(name: str) -> Exception:
    """The error for ``Tensor.<name>`` that does not exist."""
    if name in TENSOR:
        return UnsupportedAttributeError(f"Tensor.{name} is not implemented in neuralab")
    return AttributeError(f"'Tensor' object has no attribute {name!r}")
