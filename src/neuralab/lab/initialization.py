"""Study 8, initialization and gradient flow: a deep MLP with sigmoid, tanh and ReLU
hidden layers, each started from a small normal, a Xavier and a He initialization, looked
at with ``neuralab.inspect.diagnose`` layer by layer: how the spread of the activations
and the gradient norms change with depth at initialization and during training, which
combinations train and which do not; then the ones that fail again with batch
normalization, and an exploding network with and without gradient clipping.

Setup: MNIST digits (a random subsample of ``train_size`` training images drawn from the
seed, inputs scaled to [-1, 1], ``test_size`` test images), an MLP 784 -> width x depth
-> 10 (``depth`` hidden layers Linear + activation, depth + 1 weighted layers, biases 0),
cross-entropy, SGD with momentum, mini-batches of ``batch_size``. ``diagnose`` runs on a
fixed probe batch of ``probe_size`` training images at initialization and after every
epoch (it leaves the model, its gradients and the random stream untouched).

Forward, layer l computes z_l = W_l h_{l-1} + b_l, h_l = f(z_l). With independent
zero-mean weights of variance s^2 and n inputs per unit,

    Var(z_l) = n s^2 E[h_{l-1}^2],

so the spread is kept from layer to layer when n s^2 E[f(z)^2] / Var(z) = 1:

    small normal   w ~ N(0, 0.01^2):           n s^2 = 128 * 1e-4 = 0.0128 (width 128)
    Xavier normal  s^2 = 2 / (n_in + n_out):   n s^2 = 1 (square layers), right for tanh
    He normal      s^2 = 2 / n_in:             n s^2 = 2, right for ReLU (E[relu(z)^2] =
                                               Var(z) / 2: half the units are 0)

With n s^2 = 0.0128 the tanh and ReLU activations shrink by about sqrt(0.0128) = 0.11 per
layer (sigmoid(0) = 0.5 instead keeps a constant mean with a vanishing spread around it).

Backward, with delta_l = dL/dz_l:

    delta_{l-1} = (W_l^T delta_l) * f'(z_{l-1}),     dL/dW_l = delta_l h_{l-1}^T,

so the gradient is multiplied per layer by about sqrt(n) s E|f'(z)|: sigmoid' <= 1/4
makes it vanish with depth even with Xavier's weights (about (1/4)^depth from the output
to the first layer), a small init makes it vanish for every activation, and weights
larger than He's (``explode_gain`` x He) make ReLU activations and gradients grow as
explode_gain^depth: a few SGD steps then overflow (the loss becomes NaN; ``fit`` raises
``NonFiniteLossError``, whose step is recorded as the divergence step).

Batch normalization after every Linear layer, z_hat = gamma (z - mu_B) / sqrt(sigma_B^2
+ eps) + beta with the batch's mean and variance, makes each layer's output independent of
the scale of its weights, so the small initialization no longer shrinks the signal.
Gradient clipping rescales the gradient of all parameters together,
g <- g min(1, c / ||g||), so no step is longer than lr * c (with momentum, a few times
that), which keeps the exploding network finite.

Measured per combination: the per-layer activation standard deviation (hidden layers'
activation outputs) and gradient norms ||dL/dW_l||_F at initialization and after
training; the first and last layer's gradient norm after every epoch; the training loss
(mean per window of steps), the final training loss (last epoch's mean) and the test
accuracy; the warnings ``diagnose`` gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy

from neuralab import backend, nn, optim
from neuralab.data import MNIST, DataLoader, TensorDataset
from neuralab.inspect import PROBLEMS, Diagnosis, diagnose
from neuralab.lab import plots
from neuralab.lab.report import Figure, Pre, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Band, band, verdict
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import window_means
from neuralab.tensor import Tensor
from neuralab.train import Callback, NonFiniteLossError, Trainer, evaluate, fit

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
INITS = ("small", "xavier", "he")
INIT_NAMES = {"small": "small N(0, s²)", "xavier": "Xavier normal", "he": "He normal"}
EXPLODE = "relu/large"  # the exploding setting: ReLU, He init times explode_gain
CLIPPED = EXPLODE + "+clip"
LOSS_POINTS = 25  # the loss curves are means over windows of steps, about this many
FIRST_STEPS = 40  # the first step losses kept as they are
SHOWN = ("sigmoid/small", "relu/he")  # combinations whose diagnose table the report shows
CHANCE = math.log(10)  # the loss of a uniform guess over 10 classes

__all__ = ["STUDY", "Config", "build", "profile", "report", "run", "trains"]


@dataclass
class Config:
    """The full settings: MNIST 10,000 / 2,000, a 784-128x10-10 MLP, SGD(0.02, momentum
    0.9), batch 64, 10 epochs; quick mode: width 64, 1,600 training images, 4 epochs."""

    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    inits: tuple[str, ...] = ("small", "xavier", "he")
    depth: int = 10  # hidden layers (Linear + activation); depth + 1 weighted layers
    width: int = 128
    train_size: int = 10000
    test_size: int = 2000
    probe_size: int = 256  # the batch diagnose looks at
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.02
    momentum: float = 0.9
    small_std: float = 0.01  # the small init: w ~ N(0, small_std^2)
    # combinations ("activation/init") trained again with BatchNorm1d after each Linear
    batchnorm: tuple[str, ...] = ("sigmoid/small", "sigmoid/xavier", "tanh/small", "relu/small")
    explode_gain: float = 1.5  # the exploding ReLU net: w ~ N(0, (gain * sqrt(2/n_in))^2)
    clip_norm: float = 1.0  # max global gradient norm of the clipped run

    def __post_init__(self) -> None:
        def fail(message: str) -> None:
            raise ValueError(f"initialization: {message}")

        for name, chosen, known in (
            ("activations", self.activations, tuple(ACTIVATIONS)),
            ("inits", self.inits, INITS),
        ):
            if not chosen:
                fail(f"{name} must name at least one of {', '.join(known)}")
            for item in chosen:
                if item not in known:
                    fail(f"{name} must be among {', '.join(known)}, got {item!r}")
            if len(set(chosen)) != len(chosen):
                fail(f"{name} lists a value twice: {chosen}")
        if len(set(self.batchnorm)) != len(self.batchnorm):
            fail(f"batchnorm lists a combination twice: {self.batchnorm}")
        for combo in self.batchnorm:
            act, _, init = combo.partition("/")
            if act not in self.activations or init not in self.inits:
                fail(
                    f"batchnorm entries must be 'activation/init' with the activation among "
                    f"{', '.join(self.activations)} and the init among {', '.join(self.inits)}"
                    f", got {combo!r}"
                )
        for name in ("depth", "width", "train_size", "test_size", "probe_size", "epochs"):
            if getattr(self, name) < 1:
                fail(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.depth < 2:
            fail(f"depth must be at least 2 hidden layers, got {self.depth}")
        if not 2 <= self.batch_size <= self.train_size:
            fail(f"batch_size must be in [2, train_size={self.train_size}], got {self.batch_size}")
        if self.probe_size > self.train_size:
            fail(f"probe_size must be at most train_size={self.train_size}, got {self.probe_size}")
        if self.train_size > 60000 or self.test_size > 10000:
            fail("MNIST has 60000 training and 10000 test images; train_size / test_size ask more")
        for name in ("lr", "small_std", "explode_gain", "clip_norm"):
            if not getattr(self, name) > 0:
                fail(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 <= self.momentum < 1:
            fail(f"momentum must be in [0, 1), got {self.momentum}")


def build(
    config: Config, activation: str, init: str, batchnorm: bool = False, gain: float = 1.0
) -> nn.Sequential:
    """784 -> width x depth -> 10: Linear [BatchNorm1d] activation, ..., Linear; every
    Linear's weight from ``init`` ('small', 'xavier', 'he', or 'large' = He x gain), biases
    0. Draws from the global generator (seeded by the lab)."""
    layers: list[nn.Module] = []
    fan_in = 784
    for _ in range(config.depth):
        layers.append(nn.Linear(fan_in, config.width))
        if batchnorm:
            layers.append(nn.BatchNorm1d(config.width))
        layers.append(ACTIVATIONS[activation]())
        fan_in = config.width
    layers.append(nn.Linear(fan_in, 10))
    model = nn.Sequential(*layers)
    for layer in model:
        if not isinstance(layer, nn.Linear):
            continue
        if init == "small":
            nn.init.normal_(layer.weight, 0.0, config.small_std)
        elif init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        elif init == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        elif init == "large":
            std = gain * math.sqrt(2.0 / layer.weight.shape[1])
            nn.init.normal_(layer.weight, 0.0, std)
        else:
            raise ValueError(f"initialization: unknown init {init!r}")
        nn.init.zeros_(layer.bias)
    return model


def _data(config: Config) -> tuple:
    """(train x, y), (test x, y), the probe batch: subsamples drawn from the seed."""
    rng = backend.generator()
    scale = (-1.0, 1.0)
    train = MNIST(train=True, flatten=True, scale=scale)
    index = rng.permutation(len(train.data))[: config.train_size]
    train.data, train.targets = train.data[index], train.targets[index]  # preprocess only these
    x, y = train.arrays()
    test = MNIST(train=False, flatten=True, scale=scale)
    index = rng.permutation(len(test.data))[: config.test_size]
    test.data, test.targets = test.data[index], test.targets[index]
    probe = (Tensor(x[: config.probe_size]), Tensor(y[: config.probe_size]))
    return (x, y), test.arrays(), probe


def profile(d: Diagnosis) -> dict[str, list[float]]:
    """From a diagnosis, in depth order: the hidden activations' standard deviation over
    all entries (``act_std``) and across samples (``sample_std``), read at the activation
    layers' outputs, and every Linear layer's gradient norm ||dL/dW||_F."""
    hidden = [r for r in d.rows if r.kind in ("Sigmoid", "Tanh", "ReLU")]
    return {
        "act_std": [r.act_std for r in hidden],
        "sample_std": [r.sample_std for r in hidden],
        "grad_norm": [r.grad_norm for r in d.rows if r.kind == "Linear"],
    }


class _Probe(Callback):
    """Runs diagnose on the probe batch after every epoch and keeps the trainer (to read
    the step losses even when fit raises)."""

    def __init__(self, probe: tuple, loss: Any) -> None:
        self.probe, self.loss = probe, loss
        self.diagnoses: list[Diagnosis] = []
        self.trainer: Trainer | None = None

    def on_train_begin(self, trainer: Trainer) -> None:
        self.trainer = trainer

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.diagnoses.append(diagnose(trainer.model, self.probe, self.loss))


def steps_per_epoch(config: Config) -> int:
    return math.ceil(config.train_size / config.batch_size)


def loss_window(config: Config) -> int:
    """Steps per point of the loss curves (about LOSS_POINTS points over the training)."""
    return max(1, steps_per_epoch(config) * config.epochs // LOSS_POINTS)


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _train_one(
    config: Config,
    result: Result,
    condition: str,
    model: nn.Module,
    data: tuple,
    clip: float | None = None,
) -> None:
    """Diagnose at initialization, train with fit (diagnosing after every epoch; a NaN
    loss ends the run as diverged), test, and record everything under ``condition``."""
    (x, y), (x_test, y_test), probe = data
    loss = nn.CrossEntropyLoss()
    start = diagnose(model, probe, loss)
    optimizer = optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    loader = DataLoader(TensorDataset(x, y), config.batch_size, shuffle=True)
    watcher = _Probe(probe, loss)
    diverged = False
    with numpy.errstate(over="ignore", invalid="ignore"):  # overflow is what is studied
        try:
            history = fit(
                model,
                loss,
                optimizer,
                loader,
                config.epochs,
                callbacks=[watcher],
                clip_grad_norm=clip,
                progress=False,
            )
            step_losses, final_loss = history["step_loss"], history["loss"][-1]
        except NonFiniteLossError:
            diverged = True
            step_losses, final_loss = watcher.trainer.history["step_loss"], math.nan
    accuracy = math.nan
    if not diverged:
        accuracy = 100 * evaluate(model, None, (x_test, y_test), ["accuracy"])["accuracy"]
    # len(step_losses) steps had a finite loss; the next one's was NaN
    result.scalar(condition, "initial_loss", start.loss)
    result.scalar(condition, "final_loss", final_loss)
    result.scalar(condition, "test_accuracy", accuracy)
    result.scalar(condition, "diverged", float(diverged))
    result.scalar(condition, "divergence_step", len(step_losses) + 1 if diverged else math.nan)
    begin = profile(start)
    end = profile(watcher.diagnoses[-1]) if watcher.diagnoses and not diverged else None
    for key, values in begin.items():
        result.curve(condition, f"{key}_init", values)
        # diverged: there is no profile after training (NaN)
        result.curve(condition, f"{key}_final", end[key] if end else [math.nan] * len(values))
    g, a, s = begin["grad_norm"], begin["act_std"], begin["sample_std"]
    result.scalar(condition, "grad_first_init", g[0])
    result.scalar(condition, "grad_last_init", g[-1])
    result.scalar(condition, "grad_max_init", max(g))
    result.scalar(condition, "grad_first_over_last_init", _ratio(g[0], g[-1]))
    result.scalar(condition, "act_std_first_init", a[0])
    result.scalar(condition, "act_std_last_init", a[-1])
    result.scalar(condition, "act_spread_init", _ratio(max(a), min(a)))
    result.scalar(condition, "sample_std_first_init", s[0])
    result.scalar(condition, "sample_std_last_init", s[-1])
    g_end = end["grad_norm"] if end else [math.nan]
    result.scalar(condition, "grad_first_over_last_final", _ratio(g_end[0], g_end[-1]))
    # the first and last layers' gradient norms after every epoch (NaN after divergence)
    profiles = [begin] + [profile(d) for d in watcher.diagnoses]
    padding = [math.nan] * (config.epochs + 1 - len(profiles))
    result.curve(condition, "grad_first", [p["grad_norm"][0] for p in profiles] + padding)
    result.curve(condition, "grad_last", [p["grad_norm"][-1] for p in profiles] + padding)
    result.curve(condition, "loss", window_means(step_losses, loss_window(config)))
    result.curve(condition, "loss_steps", step_losses[:FIRST_STEPS])
    result.data.setdefault("warnings", {})[condition] = {
        "init": start.warnings,
        "final": watcher.diagnoses[-1].warnings if end else [],
    }
    if condition in SHOWN:
        result.data.setdefault("tables", {})[condition] = str(start)


def run(config: Config, seed: int) -> Result:
    data = _data(config)
    result = Result()
    for activation in config.activations:
        for init in config.inits:
            model = build(config, activation, init)
            _train_one(config, result, f"{activation}/{init}", model, data)
    for combo in config.batchnorm:
        activation, _, init = combo.partition("/")
        model = build(config, activation, init, batchnorm=True)
        _train_one(config, result, f"{combo}+BN", model, data)
    # the exploding net, twice from the same weights and batches: without and with clipping
    state = backend.get_rng_state()
    model = build(config, "relu", "large", gain=config.explode_gain)
    _train_one(config, result, EXPLODE, model, data)
    backend.set_rng_state(state)
    model = build(config, "relu", "large", gain=config.explode_gain)
    _train_one(config, result, CLIPPED, model, data, clip=config.clip_norm)
    return result


# --- report -----------------------------------------------------------------------------
def _label(config: Config, condition: str, activation: bool = True) -> str:
    """'relu, He normal + batch norm' (without the activation when ``activation`` is False)."""
    base, _, extra = condition.partition("+")
    act, _, init = base.partition("/")
    if init == "large":
        name = f"He x {config.explode_gain:g}"
    else:
        name = INIT_NAMES[init].replace("s²", f"{config.small_std:g}²")
    suffix = {"": "", "BN": " + batch norm", "clip": f" + clipping at {config.clip_norm:g}"}[extra]
    return f"{act}, {name}{suffix}" if activation else f"{name}{suffix}"


def _log_band(seeds: Seeds, condition: str, name: str) -> Band:
    """Geometric mean over seeds with its 95 % band, computed on log10 of the values (for
    quantities shown on a log scale; values <= 0 count as missing)."""
    logs = []
    for r in seeds.results:
        values = numpy.asarray(r.curves[condition][name], dtype=float)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            logs.append(numpy.where(values > 0, numpy.log10(values), numpy.nan))
    b = band(logs)
    return Band(10**b.mean, 10**b.low, 10**b.high, b.n)


def _geomean(seeds: Seeds, condition: str, metric: str) -> float:
    values = numpy.asarray(seeds.values(condition, metric), dtype=float)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        return float(10 ** numpy.mean(numpy.log10(values)))


def _diverged(seeds: Seeds, condition: str) -> int:
    return int(sum(seeds.values(condition, "diverged")))


def _steps(seeds: Seeds, condition: str) -> str:
    steps = seeds.values(condition, "divergence_step")
    return ", ".join(f"{v:.0f}" for v in steps if math.isfinite(v))


def _final_loss(seeds: Seeds, condition: str) -> str:
    k = _diverged(seeds, condition)
    if k:
        return f"diverged ({k}/{len(seeds)} seeds, at step {_steps(seeds, condition)})"
    return seeds.scalar(condition, "final_loss").format()


def trains(seeds: Seeds, condition: str) -> bool:
    """Trained: for every seed, finite and a final training loss below 80 % of the
    smaller of the initial loss and chance level ln 10."""
    if _diverged(seeds, condition):
        return False
    finals = seeds.values(condition, "final_loss")
    starts = seeds.values(condition, "initial_loss")
    return all(f < 0.8 * min(s, CHANCE) for f, s in zip(finals, starts))


def _problems(seeds: Seeds, condition: str, when: str) -> str:
    counts = []
    for problem in PROBLEMS:
        n = sum(
            any(w.startswith(problem + ":") for w in r.data["warnings"][condition][when])
            for r in seeds.results
        )
        if n:
            counts.append(f"{problem} ({n}/{len(seeds)})")
    return ", ".join(counts) or "none"


def _warned(seeds: Seeds, condition: str, problem: str) -> bool:
    """Whether diagnose gave this warning at initialization for every seed."""
    return all(
        any(w.startswith(problem + ":") for w in r.data["warnings"][condition]["init"])
        for r in seeds.results
    )


def _pairs(config: Config, main: list[str], activation: str) -> list[tuple[str, str, str]]:
    """(condition, linestyle, color) of one activation's curves: solid without, dashed
    with batch norm, one color per init."""
    out = []
    for index, init in enumerate(config.inits):
        for condition, style in ((f"{activation}/{init}", "-"), (f"{activation}/{init}+BN", "--")):
            if condition in main:
                out.append((condition, style, plots.COLORS[index]))
    return out


def _profile_figure(config: Config, seeds: Seeds, when: str, main: list[str]) -> Any:
    """At init: activation std, std across samples and gradient norm per layer (3 rows);
    after training the last two."""
    n = len(config.activations)
    hidden = numpy.arange(1, config.depth + 1)
    weighted = numpy.arange(1, config.depth + 2)
    stage = "at init" if when == "init" else "after training"
    rows = (
        ("act_std", hidden, "hidden layer (index)", "std of activations", "activation std"),
        ("sample_std", hidden, "hidden layer (index)", "std across samples", "spread over inputs"),
        ("grad_norm", weighted, "weighted layer (index)", "||dL/dW||", "gradient norm"),
    )[(0 if when == "init" else 1) :]
    fig, axes = plots.new_figure(ncols=n, nrows=len(rows), width=4.6, height=3.3)
    for column, activation in enumerate(config.activations):
        for row, (key, x, xlabel, ylabel, what) in enumerate(rows):
            ax = axes[row * n + column]
            for condition, style, color in _pairs(config, main, activation):
                plots.band_plot(
                    ax,
                    _log_band(seeds, condition, f"{key}_{when}"),
                    _label(config, condition, activation=False),
                    x=x,
                    color=color,
                    linestyle=style,
                )
            ax.set(
                title=f"{activation}: {what} {stage}",
                xlabel=xlabel,
                ylabel=f"{ylabel} (log scale)",
                yscale="log",
            )
            ax.grid(alpha=0.3)
            ax.legend(fontsize="x-small")
    return fig


def _loss_x(config: Config, length: int) -> numpy.ndarray:
    """The step at the middle of each window of the loss curves."""
    window = loss_window(config)
    return window * numpy.arange(length) + (window + 1) / 2


def _curves_figure(config: Config, seeds: Seeds, main: list[str], name: str) -> Any:
    fig, axes = plots.new_figure(ncols=len(config.activations), width=4.6, height=3.6)
    for ax, activation in zip(axes, config.activations):
        for condition, style, color in _pairs(config, main, activation):
            label = _label(config, condition, activation=False)
            if name == "loss":
                b = seeds.curve(condition, "loss")
                x = _loss_x(config, len(b.mean))
            else:
                b = _log_band(seeds, condition, name)
                x = numpy.arange(len(b.mean))
            plots.band_plot(ax, b, label, x=x, color=color, linestyle=style)
        if name == "loss":
            ax.axhline(CHANCE, color="#888", linestyle=":", label="chance (ln 10)")
            top = max(CHANCE, *(numpy.nanmax(line.get_ydata()) for line in ax.get_lines()))
            ax.set_ylim(0, 1.15 * top)  # the bands of few seeds may reach far below 0
            ax.set(
                title=f"{activation}: training loss",
                xlabel="training step",
                ylabel="loss (cross-entropy, nats)",
            )
        else:
            ax.set(
                title=f"{activation}: first layer's gradient",
                xlabel="epoch (0 = initialization)",
                ylabel="||dL/dW_1|| (log scale)",
                yscale="log",
            )
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    return fig


def _explode_figure(config: Config, seeds: Seeds, main: list[str]) -> Any:
    fig, axes = plots.new_figure(ncols=3, width=4.6, height=3.6)
    left, middle, right = axes
    weighted = numpy.arange(1, config.depth + 2)
    shown = [(EXPLODE, plots.COLORS[1]), (CLIPPED, plots.COLORS[2])]
    means: list[float] = []
    if "relu/he" in main:
        shown.append(("relu/he", plots.COLORS[0]))
    for condition, color in shown:
        label = _label(config, condition)
        if condition != CLIPPED:  # the clipped run starts from the same weights
            plots.band_plot(
                left, _log_band(seeds, condition, "grad_norm_init"), label, x=weighted, color=color
            )
        steps = seeds.first.curves[condition]["loss_steps"]
        middle.plot(numpy.arange(1, len(steps) + 1), steps, color=color, marker=".", label=label)
        if seeds.first.scalars[condition]["diverged"]:
            step = seeds.first.scalars[condition]["divergence_step"]
            middle.axvline(step, color=color, linestyle=":", label=f"loss NaN at step {step:.0f}")
        b = _log_band(seeds, condition, "loss")
        x = _loss_x(config, len(b.mean))
        plots.band_plot(right, b, label, x=x, color=color)
        if len(b.mean) < 3:  # a run that diverged at once: too short for a line
            right.plot(x, b.mean, color=color, marker="o", linestyle="none")
        means.extend(b.mean[numpy.isfinite(b.mean)])
    if means:  # the bands of a diverging run over few seeds span dozens of decades
        right.set_ylim(min(means) / 3, max(means) * 30)
    left.set(
        title="gradient norm per layer at init",
        xlabel="weighted layer (index)",
        ylabel="||dL/dW|| (log scale)",
        yscale="log",
    )
    middle.set(
        title=f"first {FIRST_STEPS} steps (seed {seeds.seeds[0]})",
        xlabel="training step",
        ylabel="loss (cross-entropy, nats, log scale)",
        yscale="log",
    )
    right.set(
        title="training loss",
        xlabel="training step",
        ylabel="loss (cross-entropy, nats, log scale)",
        yscale="log",
    )
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    return fig


def _reading(config: Config, seeds: Seeds, main: list[str]) -> Text:
    base = [c for c in main if "+" not in c]
    paragraphs = []

    # 1. gradients at initialization
    ratios = {c: _geomean(seeds, c, "grad_first_over_last_init") for c in base}
    toward = [c for c in base if ratios[c] < 1e-2]
    everywhere = [c for c in base if seeds.scalar(c, "grad_max_init").mean < 1e-6]
    text = (
        "At initialization, the first layer's gradient norm divided by the last layer's "
        "(geometric mean over seeds) is: "
        + "; ".join(f"{_label(config, c)} {ratios[c]:.2g}" for c in base)
        + ". "
    )
    if toward:
        text += (
            f"It is more than 100x smaller in {len(toward)} of {len(base)} combinations "
            f"({'; '.join(_label(config, c) for c in toward)}): the gradient vanishes on its "
            "way back to the input. "
        )
    else:
        text += "In no combination is it more than 100x smaller. "
    if everywhere:
        text += (
            f"In {'; '.join(_label(config, c) for c in everywhere)} the ratio says little: "
            "every layer's gradient is tiny (the largest "
            + ", ".join(f"{seeds.scalar(c, 'grad_max_init').mean:.1e}" for c in everywhere)
            + "), because the signal has collapsed on the way forward and dL/dW_l = delta_l "
            "h_(l-1)^T is small at both ends: the gradient vanishes everywhere at once."
        )
    paragraphs.append(text)

    # 2. activation spread across depth
    parts = []
    for c in base:
        first = seeds.scalar(c, "sample_std_first_init").mean
        last = seeds.scalar(c, "sample_std_last_init").mean
        spread = seeds.scalar(c, "act_spread_init").mean
        parts.append(
            f"{_label(config, c)}: {first:.2g} -> {last:.2g} (act std max/min {spread:.3g})"
        )
    zero = [c for c in base if seeds.scalar(c, "sample_std_last_init").mean == 0]
    paragraphs.append(
        f"Spread of the hidden activations across samples from layer 1 to layer {config.depth} "
        "at initialization: "
        + "; ".join(parts)
        + "."
        + (
            f" A spread of 0 ({'; '.join(_label(config, c) for c in zero)}) means that every "
            "sample gives the same float32 activations: the input is lost entirely."
            if zero
            else ""
        )
    )
    if "relu/he" in base and "relu/small" in base:
        he = seeds.scalar("relu/he", "act_spread_init").mean
        small = seeds.scalar("relu/small", "act_spread_init").mean
        kept = "keeps" if he < 4 else "does not keep"
        paragraphs.append(
            f"With ReLU, He's initialization {kept} the activation std within a small factor "
            f"across depth (largest / smallest layer {he:.3g}), while the small initialization "
            f"shrinks it by a factor {small:.3g}."
        )

    # 3. who trains
    trained = [c for c in base if trains(seeds, c)]
    stuck = [c for c in base if c not in trained]
    text = (
        f"Without batch normalization, {len(trained)} of {len(base)} combinations train "
        "(final training loss below 80 % of min(initial loss, ln 10) for every seed)"
        + (f": {'; '.join(_label(config, c) for c in trained)}" if trained else "")
        + ". "
    )
    if stuck:
        text += (
            "Stuck: "
            + "; ".join(f"{_label(config, c)} ({_final_loss(seeds, c)})" for c in stuck)
            + f", against chance level ln 10 = {CHANCE:.3f}."
        )
    paragraphs.append(text)
    vanished = [c for c in base if _warned(seeds, c, "vanishing gradients")]
    paragraphs.append(
        f"diagnose warned about vanishing gradients at initialization (every seed) for "
        f"{len(vanished)} combinations; {len(set(vanished) & set(stuck))} of them did not "
        f"train, and {len(set(stuck) - set(vanished))} combinations that did not train had "
        "no such warning."
    )

    # 4. batch norm
    for combo in config.batchnorm:
        with_bn = combo + "+BN"
        now = "trains" if trains(seeds, with_bn) else "does not train either"
        before = "did not" if not trains(seeds, combo) else "already did"
        paragraphs.append(
            f"With batch normalization, {_label(config, combo)} {now} (it {before} without): "
            + verdict(
                "with batch norm",
                seeds.scalar(with_bn, "final_loss"),
                "without",
                seeds.scalar(combo, "final_loss"),
                what="final training loss",
            )
            + " At initialization, the first layer's gradient relative to the last's goes "
            f"from {_geomean(seeds, combo, 'grad_first_over_last_init'):.2g} to "
            f"{_geomean(seeds, with_bn, 'grad_first_over_last_init'):.2g}, and the largest "
            f"layer gradient from {seeds.scalar(combo, 'grad_max_init').mean:.2g} to "
            f"{seeds.scalar(with_bn, 'grad_max_init').mean:.2g}."
        )

    # 5. exploding gradients and clipping
    k_raw, k_clip = _diverged(seeds, EXPLODE), _diverged(seeds, CLIPPED)
    text = (
        f"With weights {config.explode_gain:g} times He's, the first layer's gradient norm at "
        f"initialization is {seeds.scalar(EXPLODE, 'grad_first_init').mean:.3g} and the "
        f"initial loss {seeds.scalar(EXPLODE, 'initial_loss').mean:.3g}"
    )
    if "relu/he" in base:
        text += (
            f" (He: {seeds.scalar('relu/he', 'grad_first_init').mean:.3g} and "
            f"{seeds.scalar('relu/he', 'initial_loss').mean:.3g})"
        )
    text += ". "
    if k_raw:
        text += (
            f"Unclipped, the loss became NaN in {k_raw} of {len(seeds)} seeds, at step "
            f"{_steps(seeds, EXPLODE)}. "
        )
    else:
        text += (
            "Unclipped, the loss stayed finite in every seed (final training loss "
            f"{seeds.scalar(EXPLODE, 'final_loss').format()}): this setting did not diverge. "
        )
    if k_clip:
        text += (
            f"Clipped at a global norm of {config.clip_norm:g}, it still diverged in {k_clip} "
            f"of {len(seeds)} seeds (at step {_steps(seeds, CLIPPED)})."
        )
    else:
        text += (
            f"Clipped at a global norm of {config.clip_norm:g}, it stayed finite in every seed "
            f"and reached a final training loss of {seeds.scalar(CLIPPED, 'final_loss').format()}"
            f" and a test accuracy of {seeds.scalar(CLIPPED, 'test_accuracy').format(unit=' %')}."
        )
        if not k_raw:
            text += " " + verdict(
                "clipped",
                seeds.scalar(CLIPPED, "final_loss"),
                "unclipped",
                seeds.scalar(EXPLODE, "final_loss"),
                what="final training loss",
            )
    paragraphs.append(text)
    return Text(*paragraphs)


def report(config: Config, seeds: Seeds) -> list:
    main = [c for c in seeds.results[0].scalars if c not in (EXPLODE, CLIPPED)]
    every = [*main, EXPLODE, CLIPPED]
    rows = []
    for c in every:
        diverged = _diverged(seeds, c)
        rows.append(
            [
                _label(config, c),
                seeds.scalar(c, "act_std_first_init").format(),
                seeds.scalar(c, "act_std_last_init").format(),
                seeds.scalar(c, "grad_first_init").format(),
                seeds.scalar(c, "grad_last_init").format(),
                f"{_geomean(seeds, c, 'grad_first_over_last_init'):.2g}",
                seeds.scalar(c, "initial_loss").format(),
                _final_loss(seeds, c),
                "-" if diverged else seeds.scalar(c, "test_accuracy").format(unit=" %"),
            ]
        )
    warnings = []
    for c in every:
        after = _problems(seeds, c, "final")
        if _diverged(seeds, c):
            after = f"diverged in {_diverged(seeds, c)}/{len(seeds)} seeds; others: {after}"
        warnings.append([_label(config, c), _problems(seeds, c, "init"), after])
    details = "\n".join(
        f"{_label(config, c)}:\n" + "\n".join(f"  - {w}" for w in ws["init"] or ["none"])
        for c, ws in seeds.first.data["warnings"].items()
    )
    blocks: list = [
        Figure(
            _profile_figure(config, seeds, "init", main),
            "Per-layer profiles at initialization",
            "On the probe batch: standard deviation of each hidden layer's activations over "
            "all entries (top) and across samples, averaged over units (middle: the part that "
            "depends on the input), and the Frobenius norm of the gradient of each Linear "
            "layer's weight (bottom). Solid: without, dashed: with batch normalization. "
            "Geometric mean over seeds with its 95 % band (computed on log10 values); a "
            "value of exactly 0 (a signal lost below float32 resolution) is not drawn.",
        ),
        Figure(
            _profile_figure(config, seeds, "final", main),
            "Per-layer profiles after training",
            f"Spread across samples (top) and gradient norms (bottom) after {config.epochs} "
            "epochs (a diverged run has none; values of exactly 0, e.g. a gradient blocked by "
            "dead ReLUs, are not drawn).",
        ),
        Figure(
            _curves_figure(config, seeds, main, "loss"),
            "Training loss",
            f"Mean training loss per window of {loss_window(config)} steps, mean over seeds with "
            "95 % band; dashed: with batch normalization; dotted: chance level ln 10.",
        ),
        Figure(
            _curves_figure(config, seeds, main, "grad_first"),
            "Gradient reaching the first layer during training",
            "||dL/dW_1|| on the probe batch at initialization and after every epoch "
            "(geometric mean over seeds with its band).",
        ),
        Figure(
            _explode_figure(config, seeds, main),
            "Exploding gradients and clipping",
            f"ReLU net with weights {config.explode_gain:g} x He's, trained from the same "
            f"weights without and with clipping the global gradient norm at "
            f"{config.clip_norm:g}; He's init for reference. Left: gradient norm per layer at "
            "initialization; middle: the first steps' losses of one seed (a dotted line marks "
            "the step whose loss was NaN); right: the training loss (geometric mean over seeds "
            "with its band).",
        ),
        Table(
            "Per combination: activation spread and gradients at initialization, losses",
            [
                "combination",
                "act std, layer 1",
                f"act std, layer {config.depth}",
                "||dL/dW_1||",
                f"||dL/dW_{config.depth + 1}||",
                "first / last (geo. mean)",
                "initial loss",
                "final training loss",
                "test accuracy",
            ],
            rows,
            note="Means over seeds ± 95 % confidence half-width, at initialization on the probe "
            "batch unless said otherwise; losses in nats (cross-entropy), chance level "
            f"ln 10 = {CHANCE:.3f}.",
        ),
        Table(
            "Warnings of neuralab.inspect.diagnose (seeds with the warning / seeds)",
            ["combination", "at initialization", "after training"],
            warnings,
        ),
        Pre(details, f"The warnings at initialization, seed {seeds.seeds[0]}"),
    ]
    for condition, table in seeds.first.data.get("tables", {}).items():
        title = f"diagnose at initialization: {_label(config, condition)}, seed {seeds.seeds[0]}"
        blocks.append(Pre(table, title))
    blocks.append(_reading(config, seeds, main))
    return blocks


STUDY = Study(
    name="initialization",
    title="8. Initialization and gradient flow",
    question=(
        "How do the initialization and the activation function decide whether the signal "
        "and the gradient survive the depth of a network, and what do batch normalization "
        "and gradient clipping change?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={"width": 64, "train_size": 1600, "test_size": 1000, "epochs": 4},
    bounds={
        "initial_loss": NON_NEGATIVE,
        "final_loss": NON_NEGATIVE,
        "test_accuracy": (0.0, 100.0),
        "diverged": FRACTION,
        "divergence_step": NON_NEGATIVE,
        "grad_first_init": NON_NEGATIVE,
        "grad_last_init": NON_NEGATIVE,
        "grad_max_init": NON_NEGATIVE,
        "grad_first_over_last_init": NON_NEGATIVE,
        "act_std_first_init": NON_NEGATIVE,
        "act_std_last_init": NON_NEGATIVE,
        "act_spread_init": NON_NEGATIVE,
        "sample_std_first_init": NON_NEGATIVE,
        "sample_std_last_init": NON_NEGATIVE,
        "grad_first_over_last_final": NON_NEGATIVE,
    },
)
