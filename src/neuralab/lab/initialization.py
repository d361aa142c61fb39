"""Study 8, initialization and gradient flow: a deep MLP with sigmoid, tanh and ReLU
hidden layers, each started from a small normal, a Xavier and a He initialization, looked
at with ``neuralab.inspect.diagnose`` layer by layer: how the spread of the activations
and the gradient norms change with depth at initialization and during training, which
combinations train and which do not; then the ones that fail again with batch
normalization, and an exploding network with and without gradient clipping.

Setup: MNIST digits (a random subsample of ``train_size`` training images drawn from the
seed, inputs scaled to [-1, 1], ``test_size`` test images), the registry's MLP 784 ->
width x depth -> 10 (``depth`` hidden layers Linear + activation, depth + 1 weighted
layers, biases 0), cross-entropy, SGD with momentum (the registry's), mini-batches of
``batch_size``. ``diagnose`` runs on a fixed probe batch of ``probe_size`` training
images at initialization and after every epoch (it leaves the model, its gradients and
the random stream untouched).

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

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy

from neuralab import backend, nn, registry
from neuralab.inspect import PROBLEMS, Diagnosis, diagnose
from neuralab.lab import plots
from neuralab.lab.findings import Count, Fmt, Measure, Note, Ratio, Reading, Threshold, difference
from neuralab.lab.report import Figure, Pre, Table
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Band, capital, estimate
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import (
    MNIST_TEST,
    MNIST_TRAIN,
    geometric_band,
    load_mnist,
    steps_per_epoch,
    train_model,
    window_means,
    window_steps,
)
from neuralab.tensor import Tensor
from neuralab.train import Callback

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("small", "xavier", "he")
INIT_NAMES = {"small": "small N(0, s²)", "xavier": "Xavier normal", "he": "He normal"}
EXPLODE = "relu/large"  # the exploding setting: ReLU, He init times explode_gain
CLIPPED = EXPLODE + "+clip"
LOSS_POINTS = 25  # the loss curves are means over windows of steps, about this many
FIRST_STEPS = 40  # the first step losses kept as they are
SHOWN = ("sigmoid/small", "relu/he")  # combinations whose diagnose table the report shows
CHANCE = math.log(10)  # the loss of a uniform guess over 10 classes

__all__ = ["STUDY", "Config", "build", "findings", "profile", "report", "run", "trains"]


@dataclass
class Config:
    """The full settings: MNIST 10,000 / 2,000, a 784-128x10-10 MLP, SGD(0.02, momentum
    0.9), batch 64, 10 epochs; quick mode: width 64, 1,600 training images, 4 epochs."""

    activations: tuple[str, ...] = ACTIVATIONS
    inits: tuple[str, ...] = INITS
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

        for name, known in (("activations", ACTIVATIONS), ("inits", INITS)):
            chosen = getattr(self, name)
            if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= set(known):
                fail(f"{name} must be among {', '.join(known)}, each at most once, got {chosen}")
        for combo in self.batchnorm:
            act, _, init = combo.partition("/")
            if act not in self.activations or init not in self.inits:
                fail(
                    f"batchnorm entries must be 'activation/init' with the activation among "
                    f"{', '.join(self.activations)} and the init among {', '.join(self.inits)}"
                    f", got {combo!r}"
                )
        if len(set(self.batchnorm)) != len(self.batchnorm):
            fail(f"batchnorm lists a combination twice: {self.batchnorm}")
        for name in ("width", "train_size", "test_size", "probe_size", "epochs"):
            if getattr(self, name) < 1:
                fail(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.depth < 2:
            fail(f"depth must be at least 2 hidden layers, got {self.depth}")
        if not 2 <= self.batch_size <= self.train_size:
            fail(f"batch_size must be in [2, train_size={self.train_size}], got {self.batch_size}")
        if self.probe_size > self.train_size:
            fail(f"probe_size must be at most train_size={self.train_size}, got {self.probe_size}")
        if self.train_size > MNIST_TRAIN or self.test_size > MNIST_TEST:
            fail(
                f"MNIST has {MNIST_TRAIN} training and {MNIST_TEST} test images; train_size / "
                "test_size ask more"
            )
        for name in ("lr", "small_std", "explode_gain", "clip_norm"):
            if not getattr(self, name) > 0:
                fail(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 <= self.momentum < 1:
            fail(f"momentum must be in [0, 1), got {self.momentum}")


def build(
    config: Config, activation: str, init: str, batchnorm: bool = False, gain: float = 1.0
) -> nn.Module:
    """The registry's MLP 784 -> width x depth -> 10 (Linear [BatchNorm1d] activation, ...,
    Linear), every Linear's weight drawn again from ``init`` ('small': N(0, small_std^2),
    'xavier', 'he', or 'large': N(0, (gain sqrt(2 / n_in))^2)), biases 0. Draws from the
    global generator (seeded by the lab)."""
    if init not in (*INITS, "large"):
        raise ValueError(f"initialization: init must be small, xavier, he or large, got {init!r}")
    hidden = (config.width,) * config.depth
    model = registry.make_model(
        "mlp",
        in_features=784,
        classes=10,
        hidden=hidden,
        activation=activation,
        batch_norm=batchnorm,
    )
    for layer in model:
        if not isinstance(layer, nn.Linear):
            continue
        if init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        elif init == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:
            fan_in = layer.weight.shape[1]
            std = config.small_std if init == "small" else gain * math.sqrt(2.0 / fan_in)
            nn.init.normal_(layer.weight, 0.0, std)
        nn.init.zeros_(layer.bias)
    return model


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
    """Runs diagnose on the probe batch after every epoch."""

    def __init__(self, probe: tuple, loss: Any) -> None:
        self.probe, self.loss = probe, loss
        self.diagnoses: list[Diagnosis] = []

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        self.diagnoses.append(diagnose(trainer.model, self.probe, self.loss))


def loss_window(config: Config) -> int:
    """Steps per point of the loss curves (about LOSS_POINTS points over the training)."""
    return max(
        1, steps_per_epoch(config.train_size, config.batch_size) * config.epochs // LOSS_POINTS
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _train_one(
    config: Config,
    result: Result,
    condition: str,
    model: nn.Module,
    data: Any,
    probe: tuple,
    clip: float | None = None,
) -> None:
    """Diagnose at initialization, train (diagnosing after every epoch; a NaN loss ends
    the run as diverged), test, and record everything under ``condition``."""
    loss = nn.CrossEntropyLoss()
    start, watcher = diagnose(model, probe, loss), _Probe(probe, loss)
    with numpy.errstate(over="ignore", invalid="ignore"):  # overflow is what is studied
        trained = train_model(
            model,
            data,
            lambda p: registry.make_optimizer("sgd", p, lr=config.lr, momentum=config.momentum),
            epochs=config.epochs,
            batch_size=config.batch_size,
            callbacks=[watcher],
            clip_grad_norm=clip,
            evaluate_train=False,  # final_loss is the last epoch's mean loss
        )
    diverged, steps = trained.diverged, trained.history["step_loss"]
    begin = profile(start)
    end = None if diverged else profile(watcher.diagnoses[-1])
    for key, values in begin.items():
        result.curve(condition, f"{key}_init", values)
        # diverged: there is no profile after training (NaN)
        result.curve(condition, f"{key}_final", end[key] if end else [math.nan] * len(values))
    g, a, s = begin["grad_norm"], begin["act_std"], begin["sample_std"]
    g_end = end["grad_norm"] if end else [math.nan]
    scalars = {
        "initial_loss": start.loss,
        "final_loss": math.nan if diverged else trained.history["loss"][-1],  # last epoch's
        "test_accuracy": math.nan if diverged else 100 * trained.test_accuracy,
        "diverged": float(diverged),
        # len(steps) steps had a finite loss; the next one's was NaN
        "divergence_step": len(steps) + 1 if diverged else math.nan,
        "grad_first_init": g[0],
        "grad_last_init": g[-1],
        "grad_max_init": max(g),
        "grad_first_over_last_init": _ratio(g[0], g[-1]),
        "act_std_first_init": a[0],
        "act_std_last_init": a[-1],
        "act_spread_init": _ratio(max(a), min(a)),
        "sample_std_first_init": s[0],
        "sample_std_last_init": s[-1],
        "grad_first_over_last_final": _ratio(g_end[0], g_end[-1]),
    }
    for metric, value in scalars.items():
        result.scalar(condition, metric, value)
    # the first and last layers' gradient norms after every epoch (NaN after divergence)
    profiles = [begin, *(profile(d) for d in watcher.diagnoses)]
    padding = [math.nan] * (config.epochs + 1 - len(profiles))
    for name, layer in (("grad_first", 0), ("grad_last", -1)):
        result.curve(condition, name, [p["grad_norm"][layer] for p in profiles] + padding)
    result.curve(condition, "loss", window_means(steps, loss_window(config)))
    result.curve(condition, "loss_steps", steps[:FIRST_STEPS])
    result.data.setdefault("warnings", {})[condition] = {
        "init": start.warnings,
        "final": watcher.diagnoses[-1].warnings if end else [],
    }
    if condition in SHOWN:
        result.data.setdefault("tables", {})[condition] = str(start)


def run(config: Config, seed: int) -> Result:
    data = load_mnist(config.train_size, config.test_size)
    x, y = data.train
    probe = (Tensor(x[: config.probe_size]), Tensor(y[: config.probe_size]))
    result = Result()
    combos = [f"{a}/{i}" for a in config.activations for i in config.inits]
    for condition in combos + [f"{c}+BN" for c in config.batchnorm]:
        activation, _, init = condition.removesuffix("+BN").partition("/")
        model = build(config, activation, init, batchnorm=condition.endswith("+BN"))
        _train_one(config, result, condition, model, data, probe)
    # the exploding net, twice from the same weights and batches: without and with clipping
    state = backend.get_rng_state()
    for condition, clip in ((EXPLODE, None), (CLIPPED, config.clip_norm)):
        backend.set_rng_state(state)
        model = build(config, "relu", "large", gain=config.explode_gain)
        _train_one(config, result, condition, model, data, probe, clip)
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
    """A curve's geometric mean over seeds with its band (for a log scale)."""
    return geometric_band([r.curves[condition][name] for r in seeds.results])


def _geomean(seeds: Seeds, condition: str, metric: str) -> float:
    """10^(mean over seeds of log10 x): the typical value of a ratio spanning decades."""
    values = numpy.asarray(seeds.values(condition, metric), dtype=float)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        return float(10 ** numpy.mean(numpy.log10(values)))


def _diverged(seeds: Seeds, condition: str) -> int:
    return int(sum(seeds.values(condition, "diverged")))


def _final_loss(seeds: Seeds, condition: str) -> str:
    k = _diverged(seeds, condition)
    if k:
        steps = ", ".join(f"{v:.0f}" for v in _steps(seeds, condition))
        return f"diverged ({k}/{len(seeds)} seeds, at step {steps})"
    return seeds.scalar(condition, "final_loss").format()


def _steps(seeds: Seeds, condition: str) -> list[float]:
    """The step whose loss was NaN, in each seed that diverged."""
    return [v for v in seeds.values(condition, "divergence_step") if math.isfinite(v)]


def _trained(seeds: Seeds, condition: str) -> int:
    """The seeds whose final training loss is below 80 % of the smaller of the initial
    loss and chance level ln 10 (a diverged run's NaN is not)."""
    finals, starts = (seeds.values(condition, m) for m in ("final_loss", "initial_loss"))
    return sum(f < 0.8 * min(s, CHANCE) for f, s in zip(finals, starts))


def trains(seeds: Seeds, condition: str) -> bool:
    """Trained: for every seed, finite and a final training loss below 80 % of the
    smaller of the initial loss and chance level ln 10."""
    return _trained(seeds, condition) == len(seeds)


def _warned(seeds: Seeds, condition: str, problem: str, when: str = "init") -> int:
    """The seeds in which diagnose gave this warning (at initialization, or 'final')."""
    return sum(
        any(w.startswith(problem + ":") for w in r.data["warnings"][condition][when])
        for r in seeds.results
    )


def _problems(seeds: Seeds, condition: str, when: str) -> str:
    counts = [(p, _warned(seeds, condition, p, when)) for p in PROBLEMS]
    return ", ".join(f"{p} ({n}/{len(seeds)})" for p, n in counts if n) or "none"


TRAINED = "trained (final training loss below 80 % of min(initial loss, ln 10))"
GRAD_RATIO = "gradient norm at initialization (geometric mean over seeds)"
GRAD_MAX = "largest layer gradient norm at initialization"
# The explanations the reading chooses among from the numbers ({}: the combinations).
NOTES = {
    "vanishes_toward_input": "the first layer's gradient is more than 100 times smaller than "
    "the last's in {}: the gradient vanishes on its way back to the input.",
    "no_vanishing_toward_input": "in no combination is the first layer's gradient 100 times "
    "smaller than the last's.",
    "vanishes_everywhere": "in {} the ratio says little: every layer's gradient is tiny, because "
    "the signal has collapsed on the way forward and dL/dW_l = delta_l h_(l-1)^T is small at "
    "both ends: the gradient vanishes everywhere at once.",
    "input_lost": "a spread of 0 across samples ({}) means that every sample gives the same "
    "float32 activations: the input is lost entirely.",
    "warning_matches": "diagnose's warning at initialization (in every seed) picked out exactly "
    "the combinations that did not train.",
    "warning_but_trained": "{} trained despite diagnose's warning in every seed.",
    "warning_missed": "{} did not train, without diagnose's warning in every seed.",
    "bn_rescues": "batch normalization makes {} train: each layer's output is normalized "
    "whatever the scale of its weights, so the signal no longer shrinks with depth.",
    "bn_not_enough": "batch normalization does not make {} train either.",
    "bn_not_needed": "{} trained without batch normalization already.",
    "bn_hinders": "{} trained without batch normalization, but not with it.",
    "no_explosion": "these weights did not make the net diverge in any seed.",
    "clipping_not_enough": "clipping did not keep the loss finite in every seed.",
    "clipping_keeps_finite": "clipping rescales the gradient, g <- g min(1, c / ||g||), so no "
    "step is longer than lr c: from the same weights that diverged without it, the loss stays "
    "finite.",
}
# Batch norm's effect, from (trains without, trains with).
BN_EFFECT = {
    (False, True): "bn_rescues",
    (False, False): "bn_not_enough",
    (True, True): "bn_not_needed",
    (True, False): "bn_hinders",
}


def findings(config: Config, seeds: Seeds, main: list[str]) -> list[list]:
    """The reading as findings, one list per paragraph: the gradient at initialization
    (first layer over last; where it vanishes), the spread of the activations across
    depth, which combinations train, diagnose's warning against that, what batch
    normalization changes, and the exploding net without and with clipping."""
    base, n = [c for c in main if "+" not in c], len(seeds)
    label = functools.partial(_label, config)

    def note(key: str, conditions: list[str] = (), when: bool = True, of: str = "") -> list:
        text = capital(NOTES[key].format("; ".join(map(label, conditions))))
        return [Note(f"{key}:{of}" if of else key, text)] if when else []

    def below(key: str, c: str, metric: str, what: str, level: float, meaning: str) -> Threshold:
        return Threshold(
            f"{key}:{c}", label(c), what, seeds.scalar(c, metric), level, False, meaning
        )

    def count(key: str, c: str, what: str, k: int) -> Count:
        return Count(f"{key}:{c}", label(c), what, k, n)

    def grad_ratio(c: str) -> Ratio:
        r = _geomean(seeds, c, "grad_first_over_last_init")
        return Ratio(
            f"grad_ratio:{c}", GRAD_RATIO, f"{label(c)}: the first layer", "the last layer", r
        )

    def measures(c: str, *metrics: tuple[str, str, Fmt]) -> list[Measure]:
        return [
            Measure(f"{m}:{c}", label(c), what, seeds.scalar(c, m), f) for m, what, f in metrics
        ]

    gradient = [grad_ratio(c) for c in base]
    toward = [c for c, r in zip(base, gradient) if r.ratio < 1e-2]
    gradient += note("vanishes_toward_input", toward, bool(toward))
    gradient += note("no_vanishing_toward_input", when=not toward)
    tiny = [c for c in base if seeds.scalar(c, "grad_max_init").mean < 1e-6]
    gradient += [
        below("grad_max", c, "grad_max_init", GRAD_MAX, 1e-6, "a vanished gradient") for c in tiny
    ]
    gradient += note("vanishes_everywhere", tiny, bool(tiny))

    spread: list = []
    for c in base:
        last, first = (seeds.scalar(c, f"sample_std_{w}_init").mean for w in ("last", "first"))
        what = "spread of the activations across samples at initialization"
        layer = f"{label(c)}: layer {config.depth}"
        spread.append(Ratio(f"sample_std:{c}", what, layer, "layer 1", _ratio(last, first)))
    what = "activation std, largest over smallest layer at initialization"
    spread += [
        below("act_spread", c, "act_spread_init", what, 4.0, "a small factor across depth")
        for c in base
    ]
    lost = [c for c in base if seeds.scalar(c, "sample_std_last_init").mean == 0]
    spread += note("input_lost", lost, bool(lost))

    stuck = [c for c in base if not trains(seeds, c)]
    training = [count("trains", c, TRAINED, _trained(seeds, c)) for c in base]
    for c in stuck:
        if k := _diverged(seeds, c):
            training.append(count("diverged", c, "diverged (the loss became NaN)", k))
        else:
            chance = "chance level ln 10 (a uniform guess over 10 classes)"
            training.append(below("chance", c, "final_loss", "final training loss", CHANCE, chance))

    warned = {c: _warned(seeds, c, "vanishing gradients") for c in base}
    what = "got diagnose's vanishing-gradients warning at initialization"
    warning = [count("warned", c, what, k) for c, k in warned.items() if k]
    always = [c for c in base if warned[c] == n]
    extra, missed = [c for c in always if c not in stuck], [c for c in stuck if c not in always]
    warning += note("warning_matches", when=not extra and not missed)
    warning += note("warning_but_trained", extra, bool(extra))
    warning += note("warning_missed", missed, bool(missed))

    batchnorm = []
    for combo in config.batchnorm:
        bn = combo + "+BN"
        effect = BN_EFFECT[trains(seeds, combo), trains(seeds, bn)]
        loss = [seeds.scalar(c, "final_loss") for c in (bn, combo)]
        grad_max = _ratio(*(seeds.scalar(c, "grad_max_init").mean for c in (bn, combo)))
        batchnorm.append(
            [
                count("trains", bn, TRAINED, _trained(seeds, bn)),
                *note(effect, [combo], of=combo),
                difference(
                    f"final_loss:{bn}-{combo}",
                    "final training loss",
                    label(bn),
                    loss[0],
                    label(combo),
                    loss[1],
                ),
                grad_ratio(bn),
                Ratio(f"grad_max_bn:{combo}", GRAD_MAX, label(bn), label(combo), grad_max),
            ]
        )

    explode = []
    for c in (EXPLODE, "relu/he") if "relu/he" in base else (EXPLODE,):
        grad = ("grad_first_init", "first layer's gradient norm at initialization", Fmt())
        explode += measures(c, grad, ("initial_loss", "initial loss", Fmt()))
    for c in (EXPLODE, CLIPPED):
        explode.append(count("diverged", c, "diverged (the loss became NaN)", _diverged(seeds, c)))
        if _diverged(seeds, c):
            what = "step whose loss was NaN (seeds that diverged)"
            explode.append(
                Measure(f"divergence_step:{c}", label(c), what, estimate(_steps(seeds, c)))
            )
        else:
            loss = ("final_loss", "final training loss", Fmt())
            explode += measures(c, loss, ("test_accuracy", "test accuracy", Fmt(3, 1.0, " %")))
    raw, clipped = _diverged(seeds, EXPLODE), _diverged(seeds, CLIPPED)
    if not raw:
        loss = [seeds.scalar(c, "final_loss") for c in (CLIPPED, EXPLODE)]
        explode.append(
            difference(
                f"final_loss:{CLIPPED}-{EXPLODE}",
                "final training loss",
                label(CLIPPED),
                loss[0],
                label(EXPLODE),
                loss[1],
            )
        )
    explode += note(
        "no_explosion" if not raw else "clipping_not_enough" if clipped else "clipping_keeps_finite"
    )
    return [gradient, spread, training, warning, *batchnorm, explode]


# --- figures ----------------------------------------------------------------------------
def _pairs(config: Config, main: list[str], activation: str) -> list[tuple[str, str, str]]:
    """(condition, linestyle, color) of one activation's curves: solid without, dashed
    with batch norm, one color per init."""
    out = []
    for index, init in enumerate(config.inits):
        for condition, style in ((f"{activation}/{init}", "-"), (f"{activation}/{init}+BN", "--")):
            if condition in main:
                out.append((condition, style, plots.COLORS[index]))
    return out


def _loss_x(config: Config) -> numpy.ndarray:
    """The step at the middle of each window of the loss curves."""
    steps = steps_per_epoch(config.train_size, config.batch_size) * config.epochs
    return window_steps(steps, loss_window(config))


def _finish(ax: Any, title: str, xlabel: str, ylabel: str, log: bool = True) -> None:
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel + (" (log scale)" if log else ""))
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small")


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
                b = _log_band(seeds, condition, f"{key}_{when}")
                label = _label(config, condition, activation=False)
                plots.band_plot(ax, b, label, x=x, color=color, linestyle=style)
            _finish(ax, f"{activation}: {what} {stage}", xlabel, ylabel)
    return fig


def _curves_figure(config: Config, seeds: Seeds, main: list[str], name: str) -> Any:
    fig, axes = plots.new_figure(ncols=len(config.activations), width=4.6, height=3.6)
    for ax, activation in zip(axes, config.activations):
        for condition, style, color in _pairs(config, main, activation):
            label = _label(config, condition, activation=False)
            if name == "loss":
                b, x = seeds.curve(condition, "loss"), _loss_x(config)
            else:
                b = _log_band(seeds, condition, name)
                x = numpy.arange(len(b.mean))
            plots.band_plot(ax, b, label, x=x, color=color, linestyle=style)
        if name == "loss":
            ax.axhline(CHANCE, color="#888", linestyle=":", label="chance (ln 10)")
            top = max(CHANCE, *(numpy.nanmax(line.get_ydata()) for line in ax.get_lines()))
            ax.set_ylim(0, 1.15 * top)  # the bands of few seeds may reach far below 0
            loss = "loss (cross-entropy, nats)"
            _finish(ax, f"{activation}: training loss", "training step", loss, log=False)
        else:
            title, xlabel = f"{activation}: first layer's gradient", "epoch (0 = initialization)"
            _finish(ax, title, xlabel, "||dL/dW_1||")
    return fig


def _explode_figure(config: Config, seeds: Seeds, main: list[str]) -> Any:
    fig, (left, middle, right) = plots.new_figure(ncols=3, width=4.6, height=3.6)
    weighted = numpy.arange(1, config.depth + 2)
    shown = [(EXPLODE, plots.COLORS[1]), (CLIPPED, plots.COLORS[2])]
    if "relu/he" in main:
        shown.append(("relu/he", plots.COLORS[0]))
    means: list[float] = []
    for condition, color in shown:
        label = _label(config, condition)
        if condition != CLIPPED:  # the clipped run starts from the same weights
            b = _log_band(seeds, condition, "grad_norm_init")
            plots.band_plot(left, b, label, x=weighted, color=color)
        steps = seeds.first.curves[condition]["loss_steps"]
        middle.plot(numpy.arange(1, len(steps) + 1), steps, color=color, marker=".", label=label)
        if seeds.first.scalars[condition]["diverged"]:
            step = seeds.first.scalars[condition]["divergence_step"]
            middle.axvline(step, color=color, linestyle=":", label=f"loss NaN at step {step:.0f}")
        b = _log_band(seeds, condition, "loss")
        x = _loss_x(config)[: len(b.mean)]
        plots.band_plot(right, b, label, x=x, color=color)
        if len(b.mean) < 3:  # a run that diverged at once: too short for a line
            right.plot(x, b.mean, color=color, marker="o", linestyle="none")
        means.extend(b.mean[numpy.isfinite(b.mean)])
    if means:  # the bands of a diverging run over few seeds span dozens of decades
        right.set_ylim(min(means) / 3, max(means) * 30)
    loss = "loss (cross-entropy, nats)"
    _finish(left, "gradient norm per layer at init", "weighted layer (index)", "||dL/dW||")
    _finish(middle, f"first {FIRST_STEPS} steps (seed {seeds.seeds[0]})", "training step", loss)
    _finish(right, "training loss", "training step", loss)
    return fig


def report(config: Config, seeds: Seeds) -> list:
    main = [c for c in seeds.results[0].scalars if c not in (EXPLODE, CLIPPED)]
    every = [*main, EXPLODE, CLIPPED]
    rows = [
        [
            _label(config, c),
            *(seeds.scalar(c, m).format() for m in ("act_std_first_init", "act_std_last_init")),
            *(seeds.scalar(c, m).format() for m in ("grad_first_init", "grad_last_init")),
            f"{_geomean(seeds, c, 'grad_first_over_last_init'):.2g}",
            seeds.scalar(c, "initial_loss").format(),
            _final_loss(seeds, c),
            "-" if _diverged(seeds, c) else seeds.scalar(c, "test_accuracy").format(unit=" %"),
        ]
        for c in every
    ]
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
    blocks.append(Reading(*findings(config, seeds, main)))
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
        **dict.fromkeys(
            [
                "initial_loss",
                "final_loss",
                "divergence_step",
                "grad_first_init",
                "grad_last_init",
                "grad_max_init",
                "grad_first_over_last_init",
                "act_std_first_init",
                "act_std_last_init",
                "act_spread_init",
                "sample_std_first_init",
                "sample_std_last_init",
                "grad_first_over_last_final",
            ],
            NON_NEGATIVE,
        ),
        "test_accuracy": (0.0, 100.0),
        "diverged": FRACTION,
    },
)
