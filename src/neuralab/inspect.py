"""Looking inside a model: ``summary`` (layers, output shapes, parameter counts) and
``trace`` (for one input, each layer's weighted sums z = W x + b and activations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy

from neuralab import backend
from neuralab.nn.layers import Linear
from neuralab.nn.module import Module
from neuralab.tensor import Tensor, no_grad


def _leaves(model: Module) -> list[tuple[str, Module]]:
    """Modules without children, in registration order (the model itself if it has none)."""
    return [(name or type(m).__name__, m) for name, m in model.named_modules() if not m._modules]


def _run_with_hooks(model: Module, x: Tensor, record: Any) -> None:
    """One forward pass without a graph, calling record(name, module, input, output) for
    every leaf module; the hooks are removed afterwards, also when forward raises."""
    handles = []
    for name, module in _leaves(model):
        hook = lambda m, inputs, out, name=name: record(name, m, inputs[0], out)  # noqa: E731
        handles.append(module.register_forward_hook(hook))
    try:
        with no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()


@dataclass
class SummaryRow:
    name: str
    kind: str
    output_shape: tuple
    parameters: int
    trainable: int


@dataclass
class Summary:
    """The table of ``summary``: one row per leaf layer, and totals."""

    rows: list[SummaryRow] = field(default_factory=list)
    total: int = 0
    trainable: int = 0

    def __str__(self) -> str:
        header = f"{'layer':24s} {'type':14s} {'output shape':18s} {'parameters':>11s}"
        lines = [header, "-" * len(header)]
        for r in self.rows:
            shape = str(r.output_shape)
            lines.append(f"{r.name:24s} {r.kind:14s} {shape:18s} {r.parameters:>11,d}")
        lines += [
            "-" * len(header),
            f"total parameters: {self.total:,d}",
            f"trainable parameters: {self.trainable:,d}",
            f"non-trainable parameters: {self.total - self.trainable:,d}",
        ]
        return "\n".join(lines)


def summary(model: Module, input_shape: tuple, dtype: Any = None) -> Summary:
    """Run zeros of ``input_shape`` (batch axis included, e.g. (1, 784)) through the model
    and list every leaf layer with its output shape and parameter count."""
    result = Summary()
    x = Tensor(numpy.zeros(input_shape, dtype=dtype or backend.default_float()))

    def record(name: str, module: Module, _input: Tensor, out: Any) -> None:
        params = list(module.parameters(recurse=False))
        count = sum(p.numel() for p in params)
        trainable = sum(p.numel() for p in params if p.requires_grad)
        shape = tuple(out.shape) if isinstance(out, Tensor) else ()
        result.rows.append(SummaryRow(name, type(module).__name__, shape, count, trainable))

    _run_with_hooks(model, x, record)
    params = list(model.parameters())
    result.total = sum(p.numel() for p in params)
    result.trainable = sum(p.numel() for p in params if p.requires_grad)
    return result


@dataclass
class TraceStep:
    """One layer of a trace: its input and output for the one sample; for a Linear layer
    ``weighted_sums`` z_j = sum_i W_ji x_i + b_j (its output)."""

    name: str
    kind: str
    input: numpy.ndarray
    output: numpy.ndarray

    @property
    def weighted_sums(self) -> numpy.ndarray | None:
        return self.output if self.kind == "Linear" else None


@dataclass
class Trace:
    """The flow of one input through the network, layer by layer."""

    steps: list[TraceStep] = field(default_factory=list)
    width: int = 8

    def __str__(self) -> str:
        lines = []
        for step in self.steps:
            label = "weighted sums z = W x + b" if step.kind == "Linear" else "activations"
            values = ", ".join(f"{v:.4f}" for v in step.output.reshape(-1)[: self.width])
            more = " ..." if step.output.size > self.width else ""
            lines.append(
                f"{step.name} ({step.kind}, {step.output.shape}): {label}: [{values}{more}]"
            )
        return "\n".join(lines)


def trace(model: Module, x: Any) -> Trace:
    """Follow one input (without or with a batch axis of 1) through the model."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    first = next(iter(_leaves(model)), (None, None))[1]
    if isinstance(first, Linear) and x.ndim == 1:
        x = Tensor(x.data[None])
    if x.shape[0] != 1:
        raise ValueError(f"trace: expected one sample (a batch of 1), got shape {x.shape}")
    result = Trace()

    def record(name: str, module: Module, inp: Tensor, out: Tensor) -> None:
        result.steps.append(
            TraceStep(name, type(module).__name__, inp.data[0].copy(), out.data[0].copy())
        )

    _run_with_hooks(model, x, record)
    return result
