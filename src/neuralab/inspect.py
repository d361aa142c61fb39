"""Looking inside a model: ``summary`` (layers, output shapes, parameter counts),
``trace`` (for one input, each layer's weighted sums z = W x + b and activations),
``backward_trace`` (for one input and its target, the chain rule's factors of one
backward step, layer by layer) and
``diagnose`` (for one batch, each layer's activation statistics, dead and saturated units
and gradient norms, with warnings for vanishing and exploding gradients)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy

from neuralab import backend
from neuralab.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softmax2d, Tanh
from neuralab.nn.layers import Dropout, Linear
from neuralab.nn.module import Module
from neuralab.nn.normalization import _BatchNorm
from neuralab.tensor import Tensor, enable_grad, no_grad


def _leaves(model: Module) -> list[tuple[str, Module]]:
    """Modules without children, in registration order (the model itself if it has none)."""
    return [(name or type(m).__name__, m) for name, m in model.named_modules() if not m._modules]


def _run_with_hooks(model: Module, x: Tensor, record: Any, grad: bool = False) -> Any:
    """One forward pass, without a graph unless ``grad``, calling record(name, module,
    input, output) for every leaf module; the hooks are removed afterwards, also when
    forward raises. Returns the model's output."""
    handles = []
    for name, module in _leaves(model):
        hook = lambda m, inputs, out, name=name: record(name, m, inputs[0], out)  # noqa: E731
        handles.append(module.register_forward_hook(hook))
    try:
        if grad:
            return model(x)
        with no_grad():
            return model(x)
    finally:
        for handle in handles:
            handle.remove()


@dataclass
class SummaryRow:
    """One leaf layer in a ``Summary``.

    Args:
        name: The layer's name in the model (``"0"``, ``"fc1"``...).
        kind: Its class name.
        output_shape: The shape of its output for the summary's input.
        parameters: Its own number of parameters.
        trainable: How many of them require grad.

    Examples:
        >>> from neuralab.inspect import SummaryRow
        >>> SummaryRow("fc", "Linear", (1, 10), 7850, 7850).parameters
        7850
    """

    name: str
    kind: str
    output_shape: tuple
    parameters: int
    trainable: int


@dataclass
class Summary:
    """The table of ``summary``: one row per leaf layer, and totals; ``str()`` prints it.

    Args:
        rows: The layers, in the order they ran. Defaults to an empty list.
        total: Number of parameters of the model. Defaults to 0.
        trainable: How many of them require grad. Defaults to 0.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> s = nl.inspect.summary(model, (1, 4))
        >>> [(r.kind, r.output_shape, r.parameters) for r in s.rows]
        [('Linear', (1, 8), 40), ('ReLU', (1, 8), 0), ('Linear', (1, 3), 27)]
        >>> s.total, s.trainable
        (67, 67)
    """

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
    """List every leaf layer of ``model`` with its output shape and parameter count.

    Zeros of ``input_shape`` are run through the model to find the shapes.

    Args:
        model: The model.
        input_shape: The input's shape, batch axis included (e.g. (1, 784)).
        dtype: The input's dtype; None for the default float. Defaults to None.

    Returns:
        A ``Summary`` (``print`` it for a table).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> print(nl.inspect.summary(model, (1, 4)))
        layer                    type           output shape        parameters
        ----------------------------------------------------------------------
        0                        Linear         (1, 8)                      40
        1                        ReLU           (1, 8)                       0
        2                        Linear         (1, 3)                      27
        ----------------------------------------------------------------------
        total parameters: 67
        trainable parameters: 67
        non-trainable parameters: 0
    """
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
    """One layer of a trace: its input and output for the one sample.

    For a Linear layer ``weighted_sums`` is its output, z_j = sum_i W_ji x_i + b_j (None
    for other layers).

    Args:
        name: The layer's name in the model.
        kind: Its class name.
        input: Its input, a NumPy array.
        output: Its output, a NumPy array.

    Examples:
        >>> import numpy as np
        >>> from neuralab.inspect import TraceStep
        >>> step = TraceStep("0", "Linear", np.ones(2), np.array([0.5]))
        >>> step.weighted_sums.tolist()
        [0.5]
    """

    name: str
    kind: str
    input: numpy.ndarray
    output: numpy.ndarray

    @property
    def weighted_sums(self) -> numpy.ndarray | None:
        """The Linear layer's weighted sums z = W x + b (its output); None for other layers."""
        return self.output if self.kind == "Linear" else None


@dataclass
class Trace:
    """The flow of one input through the network, layer by layer; ``str()`` prints it.

    Args:
        steps: One ``TraceStep`` per leaf layer, in the order they ran. Defaults to an
            empty list.
        width: How many values per layer ``str()`` shows. Defaults to 8.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> t = nl.inspect.trace(model, nl.ones(4))
        >>> [(s.kind, s.output.shape) for s in t.steps]
        [('Linear', (8,)), ('ReLU', (8,)), ('Linear', (3,))]
    """

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
    """Follow one input through the model, recording every leaf layer's input and output.

    Args:
        model: The model.
        x: One sample, without a batch axis or with a batch axis of 1.

    Returns:
        A ``Trace`` (``print`` it to see the weighted sums and activations).

    Raises:
        ValueError: More than one sample.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> t = nl.inspect.trace(model, nl.ones(1, 4))
        >>> bool((t.steps[1].output >= 0).all())  # after the ReLU
        True
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    first = next(iter(_leaves(model)), (None, None))[1]
    if isinstance(first, Linear) and x.ndim == 1:
        x = Tensor(x._data[None])
    if x.shape[0] != 1:
        raise ValueError(f"trace: expected one sample (a batch of 1), got shape {x.shape}")
    result = Trace()

    def record(name: str, module: Module, inp: Tensor, out: Tensor) -> None:
        result.steps.append(
            TraceStep(name, type(module).__name__, inp._data[0].copy(), out._data[0].copy())
        )

    _run_with_hooks(model, x, record)
    return result


# --- backward_trace ---------------------------------------------------------------------
@dataclass
class BackwardStep:
    """One layer of a ``BackwardTrace``: the chain rule's factors there, for one sample.

    For a Linear layer z = W x + b: ``grad_output`` is dL/dz, ``grad_weight`` dL/dW =
    dL/dz x^T (an outer product), ``grad_bias`` dL/db = dL/dz and ``grad_input`` dL/dx =
    W^T dL/dz. For an elementwise layer a = f(z) (an activation; batch norm or dropout in
    eval mode): ``grad_output`` is dL/da, ``local`` da/dz = f'(z) and ``grad_input`` dL/dz
    = dL/da * da/dz.

    Args:
        name: The layer's name in the model.
        kind: Its class name.
        grad_output: dL/d(its output), a NumPy array.
        grad_input: dL/d(its input).
        local: d(output)/d(input) of an elementwise layer, elementwise; None for Linear.
        grad_weight: dL/dW of a Linear layer; None for the others.
        grad_bias: dL/db of a Linear layer with a bias; None otherwise.

    Examples:
        >>> import numpy as np
        >>> from neuralab.inspect import BackwardStep
        >>> BackwardStep("1", "Tanh", np.ones(2), np.full(2, 0.5), np.full(2, 0.5)).local
        array([0.5, 0.5])
    """

    name: str
    kind: str
    grad_output: numpy.ndarray
    grad_input: numpy.ndarray
    local: numpy.ndarray | None = None
    grad_weight: numpy.ndarray | None = None
    grad_bias: numpy.ndarray | None = None


@dataclass
class BackwardTrace:
    """One backward step for one sample: its loss and, per leaf layer in forward order,
    the factors of the chain rule (``BackwardStep``).

    Args:
        loss: The sample's loss.
        steps: One ``BackwardStep`` per leaf layer, in the order the forward pass ran them.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> from neuralab.inspect import backward_trace
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
        >>> found = backward_trace(
        ...     model, nl.tensor([1.0, -1.0]), nl.tensor([1]), nl.functional.cross_entropy
        ... )
        >>> [step.kind for step in found.steps], found.loss > 0
        (['Linear', 'Tanh', 'Linear'], True)
    """

    loss: float
    steps: list[BackwardStep]


_NOT_ELEMENTWISE = (Softmax, LogSoftmax, Softmax2d)


def backward_trace(model: Module, x: Any, target: Any, loss_fn: Callable) -> BackwardTrace:
    """The chain rule, written out for one sample: from dL/d(output) of
    ``loss_fn(model(x), target)`` back through every leaf layer, with each Linear layer's
    dL/dz, dL/dW = dL/dz x^T, dL/db = dL/dz, and each elementwise layer's dL/da,
    da/dz = f'(z) and dL/dz = dL/da * da/dz. The numbers are autograd's gradients for that
    sample (``model.zero_grad(); loss.backward()`` gives the same ``.grad``); the
    parameters' ``.grad`` are left alone.

    Args:
        model: A model whose leaf layers run one after the other (a ``Sequential``, an
            ``MLP``): Linear layers and elementwise ones, in eval mode where that matters.
        x: One sample, without a batch axis or with a batch axis of 1.
        target: Its target, with a batch axis of 1, as ``loss_fn`` takes it.
        loss_fn: ``loss_fn(output, target)`` -> a scalar Tensor (``F.cross_entropy``,
            ``F.mse_loss``).

    Returns:
        A ``BackwardTrace``.

    Raises:
        ValueError: More than one sample, a layer that is not elementwise (softmax, a
            change of shape), or batch norm / dropout in training mode.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> from neuralab import nn
        >>> from neuralab.inspect import backward_trace
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
        >>> back = backward_trace(model, nl.tensor([1.0, -1.0]), nl.tensor([1]), F.cross_entropy)
        >>> [(s.kind, s.grad_output.shape) for s in back.steps]
        [('Linear', (3,)), ('Tanh', (3,)), ('Linear', (2,))]
        >>> _ = F.cross_entropy(model(nl.tensor([[1.0, -1.0]])), nl.tensor([1])).backward()
        >>> bool(abs(back.steps[0].grad_weight - model[0].weight.grad.numpy()).max() < 1e-6)
        True
    """
    modules = dict(_leaves(model))
    for name, module in modules.items():
        if isinstance(module, (_BatchNorm, Dropout)) and module.training:
            raise ValueError(
                f"backward_trace: layer {name!r} ({type(module).__name__}) is in training "
                "mode; call model.eval() first"
            )
    forward = trace(model, x)
    with enable_grad():
        out = Tensor(forward.steps[-1].output[None], requires_grad=True)
        loss = loss_fn(out, target)
        loss.backward()
    grad = out.grad._data[0]
    steps = []
    for step in reversed(forward.steps):
        module = modules[step.name]
        if isinstance(module, Linear):
            weight = module.weight._data
            has_bias = module.bias is not None
            steps.append(
                BackwardStep(
                    step.name,
                    step.kind,
                    grad_output=grad,
                    grad_input=weight.T @ grad,
                    grad_weight=numpy.outer(grad, step.input),
                    grad_bias=grad.copy() if has_bias else None,
                )
            )
        else:
            if isinstance(module, _NOT_ELEMENTWISE) or step.input.shape != step.output.shape:
                raise ValueError(
                    f"backward_trace: layer {step.name!r} ({step.kind}) is not elementwise; "
                    "expected Linear layers and elementwise ones (activations)"
                )
            saved = [(p, p.grad) for p in module.parameters()]  # batch norm's weight, bias
            with enable_grad():
                z = Tensor(step.input[None], requires_grad=True)
                module(z).sum().backward()  # elementwise: the sum's gradient is f'(z)
            for parameter, grad_before in saved:
                parameter.grad = grad_before
            local = z.grad._data[0]
            steps.append(BackwardStep(step.name, step.kind, grad, grad * local, local=local))
        grad = steps[-1].grad_input
    steps.reverse()
    return BackwardTrace(loss=float(loss.item()), steps=steps)


# --- diagnose ---------------------------------------------------------------------------
@dataclass
class DiagnosisRow:
    """One leaf layer in ``diagnose``: statistics of its output and its weight's gradient.

    See ``diagnose`` for each definition. Entries that do not apply to the layer are None
    (dead_fraction only for ReLU and LeakyReLU, saturated_fraction only for Sigmoid and
    Tanh, the norms only for layers with a weight, grad_norm and ratio not for a frozen
    weight).

    Args:
        name: The layer's name in the model.
        kind: Its class name.
        output_shape: The shape of its output.
        act_mean: Mean of every entry of its output.
        act_std: Population standard deviation of every entry of its output.
        sample_std: Mean over units of each unit's standard deviation across the batch.
            Defaults to None.
        dead_fraction: Fraction of units dead on the batch. Defaults to None.
        saturated_fraction: Fraction of output values on a flat tail. Defaults to None.
        grad_norm: ||dL/dW||_F. Defaults to None.
        weight_norm: ||W||_F. Defaults to None.
        ratio: ||dL/dW||_F / ||W||_F. Defaults to None.

    Examples:
        >>> from neuralab.inspect import DiagnosisRow
        >>> row = DiagnosisRow("0", "ReLU", (32, 8), 0.4, 0.6, dead_fraction=0.25)
        >>> row.dead_fraction, row.grad_norm
        (0.25, None)
    """

    name: str
    kind: str
    output_shape: tuple
    act_mean: float
    act_std: float
    sample_std: float | None = None
    dead_fraction: float | None = None
    saturated_fraction: float | None = None
    grad_norm: float | None = None
    weight_norm: float | None = None
    ratio: float | None = None


# The first word(s) of each warning of ``diagnose`` (before the colon), one per problem.
PROBLEMS = (
    "non-finite loss",
    "vanishing gradients",
    "exploding gradients",
    "dead units",
    "saturated units",
)


@dataclass
class Diagnosis:
    """What ``diagnose`` found: one row per leaf layer, the warnings and the loss.

    The rows come in the order the layers ran; ``diagnosis["name"]`` is the row of a layer;
    ``weighted`` lists the rows of layers with a weight; ``problems`` the kinds of problem
    warned about. Each warning is a plain sentence starting with one of ``PROBLEMS`` and a
    colon. ``str()`` prints a table.

    Args:
        rows: The ``DiagnosisRow`` of each leaf layer. Defaults to an empty list.
        warnings: The warnings. Defaults to an empty list.
        loss: The loss on the batch. Defaults to NaN.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> x, y = nl.randn(32, 4), nl.randint(0, 3, (32,))
        >>> d = nl.inspect.diagnose(model, (x, y), nn.CrossEntropyLoss())
        >>> [r.kind for r in d.weighted], d["1"].kind, d.problems
        (['Linear', 'Linear'], 'ReLU', set())
    """

    rows: list[DiagnosisRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    loss: float = math.nan

    @property
    def weighted(self) -> list[DiagnosisRow]:
        """The rows of layers with a weight (those with gradient norms), in order."""
        return [r for r in self.rows if r.weight_norm is not None]

    @property
    def problems(self) -> set[str]:
        """The kinds of problem warned about, e.g. ``{'vanishing gradients'}``."""
        return {w.split(":", 1)[0] for w in self.warnings}

    def __getitem__(self, name: str) -> DiagnosisRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(
            f"Diagnosis: no layer named {name!r}; the layers are: "
            f"{', '.join(r.name for r in self.rows)}"
        )

    def __str__(self) -> str:
        def number(value: float | None, percent: bool = False) -> str:
            if value is None:
                return "-"
            if percent:
                return f"{100 * value:.1f} %"
            return f"{value:.3g}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"

        columns = (
            "layer",
            "type",
            "output shape",
            "act mean",
            "act std",
            "sample std",
            "dead",
            "saturated",
            "grad norm",
            "weight norm",
            "grad/weight",
        )
        cells = [
            (
                r.name,
                r.kind,
                str(r.output_shape),
                number(r.act_mean),
                number(r.act_std),
                number(r.sample_std),
                number(r.dead_fraction, True),
                number(r.saturated_fraction, True),
                number(r.grad_norm),
                number(r.weight_norm),
                number(r.ratio),
            )
            for r in self.rows
        ]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

        def line(values: tuple) -> str:
            first = [f"{v:{w}s}" for v, w in zip(values[:3], widths[:3])]
            rest = [f"{v:>{w}s}" for v, w in zip(values[3:], widths[3:])]
            return "  ".join(first + rest).rstrip()

        header = line(columns)
        lines = [header, "-" * len(header), *(line(c) for c in cells), "-" * len(header)]
        lines.append(f"loss: {self.loss:.6g}")
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        else:
            lines.append("warnings: none")
        return "\n".join(lines)


def _first_tensor(out: Any) -> Tensor | None:
    """The output itself, or the first Tensor of a tuple/list output (an LSTM's output)."""
    if isinstance(out, Tensor):
        return out
    if isinstance(out, (tuple, list)):
        for item in out:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _norm(arrays: list) -> float:
    """sqrt(sum of squares) over every entry of the arrays, in float64."""
    return math.sqrt(sum(float(numpy.square(a, dtype=numpy.float64).sum()) for a in arrays))


def _layer_statistics(name: str, module: Module, outputs: list, saturation: float) -> DiagnosisRow:
    """Activation statistics of one layer's outputs (several when it ran several times)."""
    shapes = {a.shape[1:] if a.ndim else None for a in outputs}
    if len(shapes) == 1 and None not in shapes:
        a = outputs[0] if len(outputs) == 1 else numpy.concatenate(outputs, axis=0)
        per_sample = a.reshape(len(a), -1) if a.size else a.reshape(len(a), 0)
    else:  # outputs of different shapes: value statistics only
        a = numpy.concatenate([o.reshape(-1) for o in outputs])
        per_sample = None
    values = numpy.asarray(a, dtype=numpy.float64)
    row = DiagnosisRow(
        name,
        type(module).__name__,
        tuple(outputs[0].shape),
        float(values.mean()) if values.size else math.nan,
        float(values.std()) if values.size else math.nan,
    )
    if per_sample is not None and per_sample.size:
        row.sample_std = float(per_sample.std(axis=0, dtype=numpy.float64).mean())
    if isinstance(module, (ReLU, LeakyReLU)) and per_sample is not None and per_sample.size:
        row.dead_fraction = float((per_sample <= 0).all(axis=0).mean())
    if isinstance(module, Sigmoid) and values.size:
        row.saturated_fraction = float(((values < saturation) | (values > 1 - saturation)).mean())
    elif isinstance(module, Tanh) and values.size:
        row.saturated_fraction = float((numpy.abs(values) > 1 - saturation).mean())
    return row


def _row(name: str, module: Module, outputs: list, saturation: float) -> DiagnosisRow:
    """The layer's activation statistics and, for a layer with a weight (its own
    parameters named weight*), the norms of the weight and of its gradient."""
    row = _layer_statistics(name, module, outputs, saturation)
    weights = [
        p
        for key, p in module.named_parameters(recurse=False)
        if key.startswith("weight") and p is not None
    ]
    if weights:
        row.weight_norm = _norm([p._data for p in weights])
        if any(p.requires_grad for p in weights):
            row.grad_norm = _norm([p.grad._data for p in weights if p.grad is not None])
            row.ratio = row.grad_norm / row.weight_norm if row.weight_norm > 0 else math.nan
    return row


def _names(rows: list[DiagnosisRow], value: Callable[[DiagnosisRow], str]) -> str:
    """'layer 0 (1.2e-08), layer 2 (3e-07)'."""
    return ", ".join(f"layer {r.name} ({value(r)})" for r in rows)


def _warnings(
    rows: list[DiagnosisRow],
    loss: float,
    *,
    vanishing_factor: float,
    min_ratio: float,
    max_ratio: float,
    dead_threshold: float,
    saturated_threshold: float,
) -> list[str]:
    found: list[str] = []
    if not math.isfinite(loss):
        found.append(f"non-finite loss: the loss on this batch is {loss}")
    weighted = [r for r in rows if r.ratio is not None]
    finite = [r for r in weighted if math.isfinite(r.ratio)]
    vanishing = []
    if len(finite) >= 2 and finite[-1].ratio > 0:
        first, last = finite[0], finite[-1]
        if first.ratio * vanishing_factor < last.ratio:
            factor = "infinitely" if first.ratio == 0 else f"{last.ratio / first.ratio:.3g}x"
            vanishing.append(
                f"the first weighted layer's ||dL/dW|| / ||W|| (layer {first.name}: "
                f"{first.ratio:.2e}) is {factor} smaller than the last's (layer {last.name}: "
                f"{last.ratio:.2e}; threshold {vanishing_factor:g}x)"
            )
    tiny = [r for r in finite if r.ratio < min_ratio]
    if tiny:
        vanishing.append(
            f"||dL/dW|| / ||W|| is below {min_ratio:g} in "
            + _names(tiny, lambda r: f"{r.ratio:.2e}")
        )
    if vanishing:
        found.append("vanishing gradients: " + "; ".join(vanishing))
    exploding = []
    broken = [r for r in rows if r.grad_norm is not None and not math.isfinite(r.grad_norm)]
    if broken:
        exploding.append("non-finite gradients in " + _names(broken, lambda r: f"{r.grad_norm}"))
    large = [r for r in finite if r.ratio > max_ratio]
    if large:
        exploding.append(
            f"||dL/dW|| / ||W|| is above {max_ratio:g} in "
            + _names(large, lambda r: f"{r.ratio:.3g}")
        )
    if exploding:
        found.append("exploding gradients: " + "; ".join(exploding))
    dead = [r for r in rows if r.dead_fraction is not None and r.dead_fraction > dead_threshold]
    if dead:
        found.append(
            f"dead units: more than {100 * dead_threshold:g} % of the units output 0 (ReLU) "
            "or stay on the negative side (LeakyReLU) for every sample of the batch in "
            + _names(dead, lambda r: f"{100 * r.dead_fraction:.0f} %")
        )
    saturated = [
        r
        for r in rows
        if r.saturated_fraction is not None and r.saturated_fraction > saturated_threshold
    ]
    if saturated:
        found.append(
            f"saturated units: more than {100 * saturated_threshold:g} % of the activation "
            "values sit on a flat tail of the sigmoid/tanh in "
            + _names(saturated, lambda r: f"{100 * r.saturated_fraction:.0f} %")
        )
    return found


def diagnose(
    model: Module,
    batch: Any,
    loss: Callable[[Any, Any], Tensor],
    *,
    saturation: float = 0.01,
    vanishing_factor: float = 1e3,
    min_ratio: float = 1e-7,
    max_ratio: float = 10.0,
    dead_threshold: float = 0.5,
    saturated_threshold: float = 0.5,
) -> Diagnosis:
    """Run ``model`` on one batch and report, for every leaf layer, what flows forward and back.

    The batch ``(x, y)`` runs forward and ``loss(model(x), y)`` backward.

    The model runs in the mode it is in (train or eval); nothing about it changes:
    the parameters' ``.grad`` are put back as they were (None or the accumulated
    gradients: the gradients of this batch are computed apart and never added to them),
    buffers that the forward pass updates (batch norm's running statistics) are restored,
    and so is the global random generator (a Dropout mask drawn here does not shift the
    random stream of a training run that calls ``diagnose`` between steps).

    Per layer (``DiagnosisRow``), over the whole batch:

    - ``act_mean``, ``act_std``: mean and population standard deviation (ddof=0) of every
      entry of the layer's output (batch and units together), for every leaf module.
    - ``sample_std``: the mean over units of each unit's standard deviation across the
      samples of the batch, the part of the spread that depends on the input (a layer
      whose units are constant but differ from each other has act_std > 0 and
      sample_std = 0). A unit is defined as for ``dead_fraction``.
    - ``dead_fraction`` (ReLU and LeakyReLU): the fraction of units that are dead on this
      batch. A unit is one entry of the output without the batch axis (a feature of a
      (N, F) output; a channel at one position of a (N, C, H, W) one). A ReLU unit is dead
      when it outputs 0 for every sample (its gradient is then 0 for every sample); a
      LeakyReLU unit when its output is <= 0 for every sample, i.e. it is stuck on the
      leaky side where only ``negative_slope`` of the gradient passes.
    - ``saturated_fraction`` (Sigmoid and Tanh), per activation value (not per unit): the
      fraction of output entries on a flat tail, sigmoid(z) < s or > 1 - s, |tanh(z)| >
      1 - s with s = ``saturation`` in [0, 0.5) (0.01: sigmoid' = y (1 - y) < 0.0099
      there, tanh' = 1 - y^2 < 0.0199).
    - for a layer with a weight (its own parameters named ``weight*``: Linear, Conv,
      BatchNorm's gamma, an LSTM's weight_ih/weight_hh together): ``grad_norm`` =
      ||dL/dW||_F, ``weight_norm`` = ||W||_F and ``ratio`` = ||dL/dW||_F / ||W||_F, the
      relative change one SGD step of learning rate 1 would make (NaN when W = 0; None
      for a frozen weight). A weight the loss does not reach has gradient norm 0.

    Warnings (``Diagnosis.warnings``, thresholds as keyword arguments):

    - vanishing gradients: the first weighted layer's ratio is more than
      ``vanishing_factor`` (1e3) times smaller than the last's (first and last in the
      order the layers ran, among those with a finite ratio), or a layer's ratio is
      below ``min_ratio`` (1e-7; this catches a net whose every gradient is tiny);
    - exploding gradients: a non-finite gradient, or a ratio above ``max_ratio`` (10: one
      step of learning rate 0.1 would change the weight by its own size);
    - dead units: a ReLU/LeakyReLU layer with more than ``dead_threshold`` (0.5) of its
      units dead;
    - saturated units: a Sigmoid/Tanh layer with more than ``saturated_threshold`` (0.5)
      of its values saturated;
    - non-finite loss.

    Rows come in the order the layers first ran; a layer that did not run has none.
    Only leaf modules are seen: an activation applied as a function inside a module's
    ``forward`` is part of that module's output. A layer that runs several times (a
    shared layer) is summarized over all its calls, its outputs stacked along the batch
    axis (value statistics only when their shapes differ).

    Args:
        model: The model.
        batch: ``(x, y)``, one batch.
        loss: A loss module or function of (output, target).
        saturation: s of the saturated tails, in [0, 0.5). Defaults to 0.01.
        vanishing_factor: Warn when the first weighted layer's ratio is this many times
            smaller than the last's. Defaults to 1e3.
        min_ratio: Warn when a layer's ratio is below this. Defaults to 1e-7.
        max_ratio: Warn when a layer's ratio is above this. Defaults to 10.0.
        dead_threshold: Warn when more than this fraction of a layer's units are dead.
            Defaults to 0.5.
        saturated_threshold: Warn when more than this fraction of a layer's values are
            saturated. Defaults to 0.5.

    Returns:
        A ``Diagnosis``.

    Raises:
        ValueError: A batch that is not (x, y), or a threshold out of range.
        TypeError: A loss that is not a loss module or function.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> _ = nl.manual_seed(0)
        >>> deep = nn.Sequential(*[m for _ in range(6) for m in (nn.Linear(16, 16), nn.Sigmoid())])
        >>> x, y = nl.randn(64, 16), nl.randn(64, 16)
        >>> d = nl.inspect.diagnose(deep, (x, y), nn.MSELoss())
        >>> "vanishing gradients" in d.problems
        True
    """
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(
            "diagnose: batch must be a pair (x, y) of Tensors or arrays, got "
            f"{type(batch).__name__}"
            + (f" of length {len(batch)}" if hasattr(batch, "__len__") else "")
        )
    if not callable(loss):
        raise TypeError(f"diagnose: loss must be a loss module or function, got {loss!r}")
    if not 0 <= saturation < 0.5:
        raise ValueError(f"diagnose: saturation must be in [0, 0.5), got {saturation}")
    for name, value in (
        ("dead_threshold", dead_threshold),
        ("saturated_threshold", saturated_threshold),
    ):
        if not 0 <= value < 1:
            raise ValueError(f"diagnose: {name} must be in [0, 1), got {value}")
    for name, value in (
        ("vanishing_factor", vanishing_factor),
        ("min_ratio", min_ratio),
        ("max_ratio", max_ratio),
    ):
        if not value > 0:
            raise ValueError(f"diagnose: {name} must be positive, got {value}")
    x, y = (b if isinstance(b, Tensor) else Tensor(b) for b in batch)
    parameters = list(model.parameters())
    saved_grads = [p.grad for p in parameters]
    saved_buffers = [
        (name, buffer._data.copy()) for name, buffer in model.named_buffers() if buffer is not None
    ]
    saved_rng = backend.get_rng_state()
    outputs: dict[str, list] = {}
    modules: dict[str, Module] = {}

    def record(name: str, module: Module, _input: Any, out: Any) -> None:
        tensor = _first_tensor(out)
        if tensor is not None:
            outputs.setdefault(name, []).append(numpy.array(tensor._data, copy=True))
            modules[name] = module

    try:
        for p in parameters:
            p.grad = None
        out = _run_with_hooks(model, x, record, grad=True)
        value = loss(out, y)
        loss_value = float(value.item())
        if value.requires_grad:
            value.backward()
        with numpy.errstate(all="ignore"):  # NaN / Inf are reported, not warned about
            rows = [
                _row(name, modules[name], arrays, saturation) for name, arrays in outputs.items()
            ]
    finally:
        for p, grad in zip(parameters, saved_grads):
            p.grad = grad
        buffers = dict(model.named_buffers())
        for name, data in saved_buffers:
            buffer = buffers.get(name)
            if buffer is not None and buffer._data.shape == data.shape:
                buffer._data[...] = data
            elif buffer is not None:
                buffer._data = data
        backend.set_rng_state(saved_rng)
    warnings = _warnings(
        rows,
        loss_value,
        vanishing_factor=vanishing_factor,
        min_ratio=min_ratio,
        max_ratio=max_ratio,
        dead_threshold=dead_threshold,
        saturated_threshold=saturated_threshold,
    )
    return Diagnosis(rows, warnings, loss_value)
