"""Study 3, activation functions: ReLU, sigmoid, tanh and leaky ReLU in a shallow network
(10 inputs, 10 hidden units, 1 output) and in a deep one (12 hidden layers of 10), trained
on the same synthetic regression with MSE and Adam (lr 1e-3, batch 32, 100 epochs).

The activations and their slopes:

    ReLU        f(z) = max(z, 0)                  f'(z) = 1 if z > 0 else 0
    leaky ReLU  f(z) = z if z > 0 else a z        f'(z) = 1 or a  (a = 0.01)
    sigmoid     f(z) = 1 / (1 + e^-z)             f'(z) = f(z) (1 - f(z)) <= 1/4
    tanh        f(z) = (e^z - e^-z)/(e^z + e^-z)  f'(z) = 1 - f(z)^2 <= 1

The target. ``make_regression``'s target is linear, y = w . x + noise: any of the four
networks can represent it almost exactly (sigmoid and tanh are nearly linear around 0,
ReLU units can pair up into a linear function), so the activations would differ only in
how fast the optimizer finds a linear map. The default target is therefore nonlinear,

    y = sum_{i=1}^{10} sin(x_i) + x_1 x_2 + noise,   x ~ N(0, I_10),  noise ~ N(0, 0.1^2),

a sum of bounded bumps (which saturating and piecewise-linear units fit in different
ways) and one interaction that a network must build from several units; ``target=
'linear'`` uses ``neuralab.data.make_regression`` instead (10 informative features,
noise 0.1 times the target's spread). The targets are standardized with the training
split's mean and standard deviation, so the variance of the target is 1: a network that
predicts the mean has an MSE of 1, and losses read as the unexplained fraction of the
variance. A random ``val_fraction`` of the samples is held out for validation.

Weights start from Glorot (Xavier) uniform, w ~ U(-sqrt(6 / (fan_in + fan_out)), +),
biases 0 (Keras's default, the setting of the classic comparison; ``init='default'``
uses PyTorch's, ``'kaiming'`` He uniform).

Why depth hurts sigmoid. Backpropagation multiplies the gradient by one factor per layer,

    dL/dh_{l-1} = W_l^T (f'(z_l) * dL/dh_l),

so the gradient reaching the first layer is a product of 12 such factors. With Glorot
weights on 10-unit layers, ||W_l^T v|| ~ ||v||, and the slope f'(z) scales it further:
sigmoid's slope is at most 1/4 (about 0.24 at initialization, where z is near 0), so the
gradient shrinks by roughly 4x per layer, 4^12 ~ 1.7e7 over the deep network; ReLU passes
1 on the half of the units that are active (about 0.5 on average), tanh about 1 near 0.
The same product acts forward: a change of the input reaches the output through
dh_l = f'(z_l) * (W_l dh_{l-1}), so a deep sigmoid network starts as an almost constant
function of its input. Adam rescales every weight's step by the size of its own gradient,
so tiny gradients still move the weights; what it cannot restore is the signal they are
computed from. The study measures all of this directly on the training set: the
Frobenius norm ||dL/dW_l|| of every layer's weight gradient, at initialization and after
training, the ratio ||dL/dW_1|| / ||dL/dW_out|| of the first layer to the output layer,
the mean slope f'(z) over every hidden unit and sample, the standard deviation of the
prediction over the inputs at initialization, and how far the first layer's weights
move in training, ||W_1(end) - W_1(0)|| / ||W_1(0)||.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy

import neuralab as nl
from neuralab import backend, nn, registry
from neuralab.data import make_regression
from neuralab.lab import plots
from neuralab.lab.findings import (
    PERCENT,
    Count,
    Fmt,
    Note,
    Ratio,
    Reading,
    Threshold,
    difference,
    find,
)
from neuralab.lab.report import Figure
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Band, band
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import Metric, compare
from neuralab.train import fit

ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")
NAMES = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "Leaky ReLU"}
DEPTHS = ("shallow", "deep")
INITS = ("xavier", "default", "kaiming")
N_FEATURES = 10
PLATEAU = 0.9  # a training MSE above this (90 % of the target's variance) has learned ~nothing
TRAINED = 0.5  # a shallow network whose final training MSE is below this has trained


@dataclass
class Config:
    n_samples: int = 2000  # training + validation samples
    val_fraction: float = 0.2
    target: str = "nonlinear"  # 'nonlinear' (sum sin(x_i) + x1 x2) or 'linear' (make_regression)
    noise: float = 0.1  # standard deviation of the target noise (linear: times the spread)
    activations: tuple[str, ...] = ACTIVATIONS
    hidden: int = 10  # units per hidden layer
    deep_layers: int = 12  # hidden layers of the deep network (the shallow one has 1)
    epochs: int = 100
    batch_size: int = 32
    lr: float = 1e-3  # Adam's learning rate
    leaky_slope: float = 0.01  # leaky ReLU's negative slope a
    init: str = "xavier"  # 'xavier' (Glorot uniform, zero biases), 'default' or 'kaiming'

    def __post_init__(self) -> None:
        def bad(message: str) -> ValueError:
            return ValueError(f"activations: {message}")

        least = {"n_samples": 20, "hidden": 1, "deep_layers": 2, "epochs": 1, "batch_size": 1}
        for name, minimum in least.items():
            if getattr(self, name) < minimum:
                raise bad(f"{name} must be at least {minimum}, got {getattr(self, name)}")
        if not 0 < self.val_fraction < 1:
            raise bad(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if self.target not in ("nonlinear", "linear"):
            raise bad(f"target must be 'nonlinear' or 'linear', got {self.target!r}")
        if not self.noise >= 0:
            raise bad(f"noise must be non-negative, got {self.noise}")
        unknown = [a for a in self.activations if a not in ACTIVATIONS]
        if unknown or not self.activations:
            raise bad(
                f"activations must be a non-empty selection of {', '.join(ACTIVATIONS)}, "
                f"got {', '.join(self.activations) or 'none'}"
            )
        if len(set(self.activations)) != len(self.activations):
            raise bad(f"activations are repeated: {', '.join(self.activations)}")
        if not self.lr > 0:
            raise bad(f"lr must be positive, got {self.lr}")
        if not 0 <= self.leaky_slope < 1:
            raise bad(f"leaky_slope must be in [0, 1), got {self.leaky_slope}")
        if self.init not in INITS:
            raise bad(f"init must be one of {', '.join(INITS)}, got {self.init!r}")


def make_data(config: Config) -> tuple[numpy.ndarray, ...]:
    """(x_train, y_train, x_val, y_val), float32, targets (n, 1) standardized with the
    training split's mean and standard deviation; drawn from the global generator."""
    rng = backend.generator()
    if config.target == "nonlinear":
        x = rng.normal(size=(config.n_samples, N_FEATURES))
        y = numpy.sin(x).sum(axis=1) + x[:, 0] * x[:, 1]
        y = y + config.noise * rng.normal(size=config.n_samples)
    else:
        x, y = make_regression(config.n_samples, N_FEATURES, n_informative=N_FEATURES)
        x, y = x.astype(numpy.float64), y.astype(numpy.float64)
        y = y + config.noise * y.std() * rng.normal(size=config.n_samples)
    n_val = max(1, round(config.val_fraction * config.n_samples))
    order = rng.permutation(config.n_samples)
    val, train = order[:n_val], order[n_val:]
    mean, std = y[train].mean(), y[train].std()
    y = (y - mean) / std
    as32 = numpy.float32
    return (x[train].astype(as32), y[train, None].astype(as32),
            x[val].astype(as32), y[val, None].astype(as32))  # fmt: skip


def build(config: Config, activation: str, depth: str) -> nn.Sequential:
    """The registry's MLP 10 -> hidden x layers -> 1 (Linear + activation per hidden
    layer, a linear output), its Linear layers initialized as ``config.init`` says."""
    layers = 1 if depth == "shallow" else config.deep_layers
    act = (lambda: nn.LeakyReLU(config.leaky_slope)) if activation == "leaky_relu" else activation
    model = registry.make_model(
        "mlp", in_features=N_FEATURES, classes=1, hidden=(config.hidden,) * layers, activation=act
    )
    for layer in model.modules():
        if isinstance(layer, nn.Linear) and config.init != "default":
            if config.init == "xavier":
                nn.init.xavier_uniform_(layer.weight)
            else:
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    return model


def slope(activation: str, z: numpy.ndarray, leaky_slope: float) -> numpy.ndarray:
    """f'(z) of the activation, elementwise."""
    if activation == "sigmoid":
        s = 1 / (1 + numpy.exp(-z))
        return s * (1 - s)
    if activation == "tanh":
        return 1 - numpy.tanh(z) ** 2
    if activation == "relu":
        return (z > 0).astype(numpy.float64)
    return numpy.where(z > 0, 1.0, leaky_slope)


def gradient_flow(model: nn.Sequential, x: numpy.ndarray, y: numpy.ndarray, config: Config,
                  activation: str) -> dict:  # fmt: skip
    """On the whole training set: ||dL/dW_l||_F of every Linear layer (input to output),
    the mean slope f'(z) over every hidden unit and sample, and the standard deviation of
    the prediction over the samples (how much the output depends on the input). Leaves no
    gradient behind."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    pre_activations: list[numpy.ndarray] = []
    handles = [
        m.register_forward_hook(lambda _m, inputs, _out: pre_activations.append(inputs[0]._data))
        for m in model
        if not isinstance(m, nn.Linear)
    ]
    try:
        model.zero_grad()
        prediction = model(nl.tensor(x))
        nn.MSELoss()(prediction, nl.tensor(y)).backward()
    finally:
        for handle in handles:
            handle.remove()
    norms = [float(numpy.linalg.norm(m.weight.grad._data.astype(numpy.float64))) for m in linears]
    model.zero_grad()
    slopes = numpy.concatenate(
        [slope(activation, z.astype(numpy.float64), config.leaky_slope).ravel()
         for z in pre_activations]
    )  # fmt: skip
    spread = float(prediction._data.astype(numpy.float64).std())
    return {"norms": norms, "mean_slope": float(slopes.mean()), "output_std": spread}


def run(config: Config, seed: int) -> Result:
    x_train, y_train, x_val, y_val = make_data(config)
    result = Result()
    for depth in DEPTHS:
        for activation in config.activations:
            c = f"{depth} {activation}"
            model = build(config, activation, depth)
            start = gradient_flow(model, x_train, y_train, config, activation)
            first = model[0].weight._data.astype(numpy.float64)  # a copy
            history = fit(
                model,
                nn.MSELoss(),
                registry.make_optimizer("adam", model.parameters(), lr=config.lr),
                (x_train, y_train),
                config.epochs,
                validation=(x_val, y_val),
                batch_size=config.batch_size,
                progress=False,
            )
            end = gradient_flow(model, x_train, y_train, config, activation)
            result.curve(c, "train_loss", history["loss"])
            result.curve(c, "val_loss", history["val_loss"])
            result.curve(c, "grad_norm_init", start["norms"])
            result.curve(c, "grad_norm_end", end["norms"])
            below = numpy.flatnonzero(numpy.array(history["loss"]) < PLATEAU)
            result.scalar(c, "plateau_epochs", below[0] if below.size else config.epochs)
            result.scalar(c, "left_plateau", float(below.size > 0))
            result.scalar(c, "train_loss", history["loss"][-1])
            result.scalar(c, "val_loss", history["val_loss"][-1])
            result.scalar(c, "grad_ratio_init", start["norms"][0] / start["norms"][-1])
            result.scalar(c, "grad_ratio_end", end["norms"][0] / end["norms"][-1])
            result.scalar(c, "mean_slope_init", start["mean_slope"])
            result.scalar(c, "mean_slope_end", end["mean_slope"])
            result.scalar(c, "output_std_init", start["output_std"])
            moved = model[0].weight._data.astype(numpy.float64) - first
            result.scalar(
                c, "first_layer_change", numpy.linalg.norm(moved) / numpy.linalg.norm(first)
            )
            result.scalar(c, "seconds", sum(history["time"]))
    result.data = {"n_train": len(x_train), "n_val": len(x_val)}
    return result


# --- report ------------------------------------------------------------------------------
def _arch(depth: str, config: Config) -> str:
    """'10-10-1' (shallow) or '10-10x12-1' (deep)."""
    layers = "" if depth == "shallow" else f"x{config.deep_layers}"
    return f"{N_FEATURES}-{config.hidden}{layers}-1"


def _curves(config: Config, seeds: Seeds):
    fig, axes = plots.new_figure(ncols=2, nrows=2, width=6.0, height=3.8)
    for ax, (depth, (name, what)) in zip(
        axes, itertools.product(DEPTHS, (("train_loss", "training"), ("val_loss", "validation")))
    ):
        series = {NAMES[a]: seeds.curve(f"{depth} {a}", name) for a in config.activations}
        title = f"{depth} {_arch(depth, config)}: {what} loss"
        plots.line_figure(title, "epoch", f"{what} loss (MSE, standardized target)", series, ax=ax)
        ax.axhline(1.0, color="#999", ls=":", lw=1)
        ax.set_ylim(0, 1.1 * max(1.0, *(float(b.mean.max()) for b in series.values())))
    return fig


def _gradients(config: Config, seeds: Seeds):
    """Gradient norms span orders of magnitude: the geometric mean over seeds, with the
    95 % band computed on log10 of the norms."""
    fig, axes = plots.new_figure(ncols=2, width=6.0, height=4.0)
    layers = numpy.arange(1, config.deep_layers + 2)
    for ax, (name, when) in zip(
        axes, (("grad_norm_init", "at initialization"), ("grad_norm_end", "after training"))
    ):
        series = {}
        for a in config.activations:
            logs = band([numpy.log10(r.curves[f"deep {a}"][name]) for r in seeds.results])
            series[NAMES[a]] = Band(10**logs.mean, 10**logs.low, 10**logs.high, logs.n)
        plots.line_figure(
            f"Deep network: gradient norm per layer {when}",
            f"layer (1 = input side, {config.deep_layers + 1} = output layer)",
            "||dL/dW|| (Frobenius norm, MSE loss)",
            series,
            x=layers,
            logy=True,
            ax=ax,
        )
        plots.fit_to_means(ax, series.values(), logy=True)
    return fig


FLOW = [
    Metric("mean_slope_init", "mean slope f'(z) at init", lower_is_better=False),
    Metric("grad_ratio_init", "||dL/dW_1|| / ||dL/dW_out|| at init", False, Fmt(2)),
    Metric("output_std_init", "prediction std at init", False, Fmt(2)),
    Metric("grad_ratio_end", "||dL/dW_1|| / ||dL/dW_out|| after training", False, Fmt(2)),
    Metric("first_layer_change", "first-layer change (relative)", False, PERCENT),
]


def _losses(depth: str) -> list[Metric]:
    """The loss table's columns for a network of that depth."""
    metrics = [Metric(f"{m}_loss", f"{what} MSE ({depth})") for m, what in
               (("train", "training"), ("val", "validation"))]  # fmt: skip
    if depth == "deep":
        metrics.append(Metric("plateau_epochs", f"epochs before training MSE < {PLATEAU}"))
    return metrics


def report(config: Config, seeds: Seeds) -> list:
    acts, data = config.activations, seeds.first.data
    comparisons = [
        compare(
            seeds,
            [f"{depth} {a}" for a in acts],
            {f"{depth} {a}": NAMES[a] for a in acts},
            metrics,
            title=f"{depth.capitalize()} network {_arch(depth, config)}: {what}",
            column="activation",
            key=f"{depth}:",
            note=note,
        )
        for depth, metrics, what, note in (
            ("shallow", _losses("shallow"), "final loss (MSE on the standardized target)",
             f"After {config.epochs} epochs; {data['n_train']} training and {data['n_val']} "
             f"validation samples, {config.target} target."),
            ("deep", _losses("deep"), "final loss (MSE on the standardized target)",
             f"A seed that never gets below {PLATEAU} counts all {config.epochs} epochs."),
            ("deep", FLOW, "slope and gradient ratio",
             "On the whole training set; slope averaged over every hidden unit and sample; "
             "prediction std over the inputs (standardized target units); first-layer change "
             "= ||W_1(end) - W_1(0)|| / ||W_1(0)||."),
        )
    ]  # fmt: skip
    return [
        Figure(
            _curves(config, seeds),
            "Loss per epoch",
            f"Mean over {len(seeds)} seeds with the 95 % band (wide with few seeds); the "
            "dotted line is the target's variance (MSE 1, predicting the mean).",
        ),
        comparisons[0].table,
        comparisons[1].table,
        Figure(
            _gradients(config, seeds),
            "Gradient flow in the deep network",
            "||dL/dW_l|| of each layer's weight on the whole training set: geometric mean "
            "over seeds with the 95 % band of its logarithm; a curve falling to the left "
            "means the signal vanishes on its way back to the input.",
        ),
        comparisons[2].table,
        Reading(*findings(config, seeds, [f for c in comparisons for f in c.findings])),
    ]


def findings(config: Config, seeds: Seeds, compared: list) -> list[list]:
    """The reading, as findings in paragraphs: whether the shallow network trains with
    every activation; ReLU against sigmoid in the deep one, and the plateau of the mean
    predictor; why (slopes, gradient ratios, the output's spread, how far the first layer
    moves); what depth does to each activation's training and validation MSE."""
    acts, n = config.activations, len(seeds)
    net = {(d, a): f"{NAMES[a]} {_arch(d, config)}" for d in DEPTHS for a in acts}
    losses = numpy.array([seeds.values(f"shallow {a}", "train_loss") for a in acts])
    every = f"reaches a training MSE below {TRAINED} with every activation"
    shallow = [Count("shallow_trained", "the shallow network", every,
                     int((losses < TRAINED).all(axis=0).sum()), n)]  # fmt: skip
    for a, k in zip(acts, (losses >= TRAINED).sum(axis=1)):
        if k:
            what = f"ends at a training MSE of {TRAINED} or more"
            shallow.append(Count(f"shallow_untrained:{a}", net["shallow", a], what, int(k), n))
    shallow.append(find(compared, "shallow:train_loss_order"))
    deep = [find(compared, "deep:train_loss_order")]
    flow = [find(compared, f"deep:{m.name}_order") for m in FLOW]
    if "sigmoid" in acts and "relu" in acts:
        deep += _sigmoid_against_relu(seeds)
        flow += _why(config, seeds, net)
    deep += [find(compared, "deep:plateau_epochs_order")] + [
        Count(f"stuck:{a}", net["deep", a], f"stays above a training MSE of {PLATEAU} for "
              f"all {config.epochs} epochs", k, n)
        for a in acts if (k := n - int(sum(seeds.values(f"deep {a}", "left_plateau")))) > 0
    ]  # fmt: skip
    depth = [
        [difference(f"depth:{m}:{a}", f"final {what} MSE", net["deep", a],
                    seeds.scalar(f"deep {a}", m), net["shallow", a],
                    seeds.scalar(f"shallow {a}", m)) for a in acts]
        for m, what in (("train_loss", "training"), ("val_loss", "validation"))
    ]  # fmt: skip
    return [shallow, deep, flow, *depth]


def _sigmoid_against_relu(seeds: Seeds) -> list:
    """The deep network's training MSE, ReLU against sigmoid, and what it means."""
    s, r = (seeds.scalar(f"deep {a}", "train_loss") for a in ("sigmoid", "relu"))
    what = "training MSE of the deep network"
    found = [difference("deep:train_loss:relu-sigmoid", what, "ReLU", r, "Sigmoid", s)]
    if s.mean <= r.mean:
        found.append(Note("sigmoid_not_behind", "Here, sigmoid does not fall behind ReLU."))
    elif s.mean >= 1:
        found.append(Note("sigmoid_explains_nothing", "The deep sigmoid network explains none "
                          "of the target's variance: it does no better than predicting the "
                          "mean."))  # fmt: skip
    return found


def _why(config: Config, seeds: Seeds, net: dict) -> list:
    """The mechanism: sigmoid's slope, the first-to-output gradient ratio against ReLU's,
    whether the prediction's spread at initialization fades too, and whether the first
    layer moves in training."""

    def mean(a: str, metric: str) -> float:
        return seeds.scalar(f"deep {a}", metric).mean

    ratio = mean("relu", "grad_ratio_init") / mean("sigmoid", "grad_ratio_init")
    found = [
        Threshold("sigmoid_slope", net["deep", "sigmoid"], "mean slope f'(z) at "
                  "initialization", seeds.scalar("deep sigmoid", "mean_slope_init"), 0.25,
                  above=False, meaning="the largest slope sigmoid has (at z = 0)"),
        Ratio("grad_ratio_init:relu/sigmoid", "first-to-output gradient ratio at "
              "initialization", net["deep", "relu"], net["deep", "sigmoid"], ratio),
    ]  # fmt: skip
    if ratio > 1e3:
        found.append(Note("backward_vanishes", f"Across {config.deep_layers} sigmoid layers "
                          "the backward signal vanishes: each multiplies it by a slope of at "
                          "most 1/4."))  # fmt: skip
    if mean("sigmoid", "output_std_init") < 0.1 * mean("relu", "output_std_init"):
        found.append(Note("forward_fades", "The forward signal fades the same way: the deep "
                          "sigmoid network starts as a nearly constant function of its "
                          "input."))  # fmt: skip
    if mean("sigmoid", "first_layer_change") > 0.1 * mean("relu", "first_layer_change"):
        found.append(Note("first_layer_moves", "Adam's per-weight step normalization does "
                          "move the sigmoid network's first layer, but along directions "
                          "computed from that vanishing signal."))  # fmt: skip
    else:
        found.append(Note("first_layer_still", "The sigmoid network's first layer barely "
                          "moves in training."))  # fmt: skip
    return found


STUDY = Study(
    name="activations",
    title="3. Activation functions",
    question=(
        "How do ReLU, sigmoid, tanh and leaky ReLU compare when a small network learns a "
        "nonlinear regression, and what changes when the network is deep?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={"n_samples": 800, "epochs": 30},
    bounds={
        "plateau_epochs": NON_NEGATIVE,
        "left_plateau": FRACTION,
        "train_loss": NON_NEGATIVE,
        "val_loss": NON_NEGATIVE,
        "grad_ratio_init": NON_NEGATIVE,
        "grad_ratio_end": NON_NEGATIVE,
        "output_std_init": NON_NEGATIVE,
        "first_layer_change": NON_NEGATIVE,
        "seconds": NON_NEGATIVE,
        "grad_norm_init": NON_NEGATIVE,
        "grad_norm_end": NON_NEGATIVE,
    },
)
