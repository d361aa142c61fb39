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
from neuralab import backend, nn, optim
from neuralab.data import make_regression
from neuralab.lab import plots
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, band, verdict
from neuralab.lab.study import Result, Seeds, Study
from neuralab.train import fit

ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu")
NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "leaky ReLU"}
DEPTHS = ("shallow", "deep")
INITS = ("xavier", "default", "kaiming")
N_FEATURES = 10
PLATEAU = 0.9  # a training MSE above this (90 % of the target's variance) has learned ~nothing


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

        if self.n_samples < 20:
            raise bad(f"n_samples must be at least 20, got {self.n_samples}")
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
        if self.hidden < 1:
            raise bad(f"hidden must be at least 1, got {self.hidden}")
        if self.deep_layers < 2:
            raise bad(f"deep_layers must be at least 2, got {self.deep_layers}")
        if self.epochs < 1:
            raise bad(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise bad(f"batch_size must be at least 1, got {self.batch_size}")
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
    """10 -> hidden x layers -> 1: Linear + activation per hidden layer, a linear output."""
    layers = 1 if depth == "shallow" else config.deep_layers
    sizes = [N_FEATURES] + [config.hidden] * layers
    modules: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        modules.append(nn.Linear(fan_in, fan_out))
        modules.append(
            {
                "relu": nn.ReLU,
                "sigmoid": nn.Sigmoid,
                "tanh": nn.Tanh,
                "leaky_relu": lambda: nn.LeakyReLU(config.leaky_slope),
            }[activation]()
        )
    modules.append(nn.Linear(sizes[-1], 1))
    model = nn.Sequential(*modules)
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
                optim.Adam(model.parameters(), lr=config.lr),
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
def _label(depth: str, config: Config) -> str:
    h = config.hidden
    if depth == "shallow":
        return f"shallow {N_FEATURES}-{h}-1"
    return f"deep {N_FEATURES}-{h}x{config.deep_layers}-1"


def _curves(config: Config, seeds: Seeds):
    fig, axes = plots.new_figure(ncols=2, nrows=2, width=6.0, height=3.8)
    for row, depth in enumerate(DEPTHS):
        for col, (name, what) in enumerate(
            (("train_loss", "training"), ("val_loss", "validation"))
        ):
            ax = axes[2 * row + col]
            series = {NAMES[a]: seeds.curve(f"{depth} {a}", name) for a in config.activations}
            plots.line_figure(
                f"{_label(depth, config)}: {what} loss",
                "epoch",
                f"{what} loss (MSE, standardized target)",
                series,
                ax=ax,
            )
            ax.axhline(1.0, color="#999", ls=":", lw=1)
            top = max(float(b.mean.max()) for b in series.values())
            ax.set_ylim(0, 1.1 * max(top, 1.0))
    return fig


def _gradients(config: Config, seeds: Seeds):
    """Gradient norms span orders of magnitude: the geometric mean over seeds, with the
    95 % band computed on log10 of the norms."""
    fig, axes = plots.new_figure(ncols=2, width=6.0, height=4.0)
    layers = numpy.arange(1, config.deep_layers + 2)
    for ax, (name, when) in zip(
        axes, (("grad_norm_init", "at initialization"), ("grad_norm_end", "after training"))
    ):
        means = []
        for a, color in zip(config.activations, plots.COLORS):
            logs = band([numpy.log10(r.curves[f"deep {a}"][name]) for r in seeds.results])
            means.append(logs.mean)
            ax.plot(layers, 10**logs.mean, color=color, label=NAMES[a], marker=".")
            if logs.n > 1:
                ax.fill_between(layers, 10**logs.low, 10**logs.high, color=color, alpha=0.15,
                                lw=0)  # fmt: skip
        ax.set_yscale("log")
        finite = numpy.concatenate(means)[numpy.isfinite(numpy.concatenate(means))]
        if finite.size:  # the bands of few seeds are wide: keep the means in view
            ax.set_ylim(10 ** (finite.min() - 1.5), 10 ** (finite.max() + 1.5))
        ax.set(
            title=f"Deep network: gradient norm per layer {when}",
            xlabel=f"layer (1 = input side, {config.deep_layers + 1} = output layer)",
            ylabel="||dL/dW|| (Frobenius norm, MSE loss)",
        )
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return fig


def _plateau_cell(seeds: Seeds, condition: str) -> str:
    cell = seeds.scalar(condition, "plateau_epochs").format(3)
    never = len(seeds) - int(sum(seeds.values(condition, "left_plateau")))
    return cell + (f" (never below on {never} of {len(seeds)} seeds)" if never else "")


def _plateau(seeds: Seeds, config: Config, activation: str) -> str:
    """How long the deep network stays at the mean predictor, as a sentence."""
    c = f"deep {activation}"
    left = int(sum(seeds.values(c, "left_plateau")))
    n = len(seeds)
    name = NAMES[activation]
    if left == 0:
        return (
            f"The deep {name} network never gets its training MSE below {PLATEAU} in "
            f"{config.epochs} epochs, on any seed: it stays on the plateau of the mean "
            "predictor."
        )
    epochs = seeds.scalar(c, "plateau_epochs")
    return (
        f"The deep {name} network stays above an MSE of {PLATEAU} for "
        f"{epochs.format(3)} epochs"
        + (f" (and never leaves that plateau on {n - left} of {n} seeds)" if left < n else "")
        + "."
    )


def report(config: Config, seeds: Seeds) -> list:
    acts = config.activations
    rows = []
    for a in acts:
        rows.append(
            [NAMES[a]]
            + [
                seeds.scalar(f"{d} {a}", m).format(3)
                for d in DEPTHS
                for m in ("train_loss", "val_loss")
            ]
            + [_plateau_cell(seeds, f"deep {a}")]
        )
    flow_rows = [
        [NAMES[a]]
        + [
            seeds.scalar(f"deep {a}", m).format(3)
            for m in ("mean_slope_init", "grad_ratio_init", "output_std_init", "grad_ratio_end",
                      "first_layer_change")
        ]
        for a in acts
    ]  # fmt: skip
    paragraphs = []
    shallow = {a: seeds.scalar(f"shallow {a}", "train_loss") for a in acts}
    worst = max(acts, key=lambda a: shallow[a].mean)
    best = min(acts, key=lambda a: shallow[a].mean)
    trained = [a for a in acts if max(shallow[a].values) < 0.5]
    if len(trained) == len(acts):
        paragraphs.append(
            f"The shallow network trains with every activation: its final training MSE is "
            f"at most {shallow[worst].mean:.3f} ({NAMES[worst]}), well below the variance "
            f"of the standardized target (1, the MSE of predicting the mean). "
            f"The best fit is {NAMES[best]}'s ({shallow[best].format(3)})."
        )
    else:
        failed = ", ".join(NAMES[a] for a in acts if a not in trained)
        paragraphs.append(
            f"Not every activation trains the shallow network: {failed} ends with a "
            "training MSE of 0.5 or more on some seed (the target's variance is 1)."
        )
    deep = {a: seeds.scalar(f"deep {a}", "train_loss") for a in acts}
    if "sigmoid" in acts and "relu" in acts:
        s, r = deep["sigmoid"], deep["relu"]
        paragraphs.append(
            "In the deep network: "
            + verdict("ReLU", r, "sigmoid", s, what="final training MSE")
            + (
                " Here, sigmoid does not fall behind ReLU."
                if s.mean <= r.mean
                else f" Sigmoid's deep network explains none of the target's variance (MSE "
                f"{s.mean:.3f}: no better than predicting the mean), ReLU's "
                f"{100 * (1 - r.mean):.0f} %."
                if s.mean >= 1
                else f" Sigmoid's deep network explains only {100 * (1 - s.mean):.0f} % of the "
                f"target's variance, against {100 * (1 - r.mean):.0f} % for ReLU."
            )
            + " "
            + _plateau(seeds, config, "sigmoid")
            + " "
            + _plateau(seeds, config, "relu")
        )

        def mean(activation: str, metric: str) -> float:
            return seeds.scalar(f"deep {activation}", metric).mean

        ratio_s, ratio_r = mean("sigmoid", "grad_ratio_init"), mean("relu", "grad_ratio_init")
        spread_s, spread_r = mean("sigmoid", "output_std_init"), mean("relu", "output_std_init")
        move_s, move_r = mean("sigmoid", "first_layer_change"), mean("relu", "first_layer_change")
        paragraphs.append(
            f"The gradients show why. At initialization the mean slope of sigmoid's units is "
            f"{mean('sigmoid', 'mean_slope_init'):.3f} (it never exceeds 0.25; ReLU: "
            f"{mean('relu', 'mean_slope_init'):.2f}, tanh: "
            + (f"{mean('tanh', 'mean_slope_init'):.2f}" if "tanh" in acts else "not run")
            + f"), and the gradient of the first layer is {ratio_s:.1e} times that of the "
            f"output layer, against {ratio_r:.2g} for ReLU"
            + (
                f": across {config.deep_layers} sigmoid layers the backward signal vanishes. "
                if ratio_s < 1e-3 * ratio_r
                else ". "
            )
            + f"The forward signal fades the same way: the deep sigmoid network's prediction "
            f"varies over the training inputs with a standard deviation of only "
            f"{spread_s:.1e} at initialization (ReLU: {spread_r:.2g}), so it starts as a "
            f"nearly constant function of its input. "
            + (
                f"Adam's per-weight step normalization does move the first layer "
                f"({100 * move_s:.0f} % of its initial norm, ReLU {100 * move_r:.0f} %), but "
                "along directions computed from that vanishing signal."
                if move_s > 0.1 * move_r
                else f"Its first layer barely moves in training ({100 * move_s:.2g} % of its "
                f"initial norm, ReLU {100 * move_r:.0f} %)."
            )
            + f" After training, sigmoid's first-to-last gradient ratio is "
            f"{mean('sigmoid', 'grad_ratio_end'):.2g} (ReLU "
            f"{mean('relu', 'grad_ratio_end'):.2g})."
        )
    changes = [
        f"{NAMES[a]} {shallow[a].mean:.3f} -> {deep[a].mean:.3f} (validation "
        f"{seeds.scalar(f'shallow {a}', 'val_loss').mean:.3f} -> "
        f"{seeds.scalar(f'deep {a}', 'val_loss').mean:.3f})"
        for a in acts
    ]
    helped = [NAMES[a] for a in acts if deep[a].mean < shallow[a].mean]
    paragraphs.append(
        f"From 1 to {config.deep_layers} hidden layers, the final training MSE goes: "
        + "; ".join(changes)
        + ". Depth "
        + (f"helps {', '.join(helped)}" if helped else "helps none of the activations")
        + (
            f" and hurts {', '.join(NAMES[a] for a in acts if NAMES[a] not in helped)}."
            if len(helped) < len(acts)
            else "."
        )
    )
    n = len(seeds)
    return [
        Figure(
            _curves(config, seeds),
            "Loss per epoch",
            f"Mean over {n} seeds with the 95 % band (wide with few seeds); the dotted "
            "line is the target's variance (MSE 1, predicting the mean).",
        ),
        Table(
            "Final loss (MSE on the standardized target)",
            [
                "activation",
                "shallow: training",
                "shallow: validation",
                "deep: training",
                "deep: validation",
                f"deep: epochs before training MSE < {PLATEAU}",
            ],
            rows,
            note=f"Mean ± 95 % interval over {n} seeds, after {config.epochs} epochs; "
            f"{seeds.first.data['n_train']} training and {seeds.first.data['n_val']} "
            f"validation samples, {config.target} target.",
        ),
        Figure(
            _gradients(config, seeds),
            "Gradient flow in the deep network",
            "||dL/dW_l|| of each layer's weight on the whole training set: geometric mean "
            "over seeds with the 95 % band of its logarithm; a curve falling to the left "
            "means the signal vanishes on its way back to the input.",
        ),
        Table(
            "Deep network: slope and gradient ratio",
            [
                "activation",
                "mean slope f'(z) at init",
                "||dL/dW_1|| / ||dL/dW_out|| at init",
                "prediction std at init",
                "||dL/dW_1|| / ||dL/dW_out|| after training",
                "first-layer change (relative)",
            ],
            flow_rows,
            note="On the whole training set; slope averaged over every hidden unit and "
            "sample; prediction std over the inputs (standardized target units); first-layer "
            "change = ||W_1(end) - W_1(0)|| / ||W_1(0)||.",
        ),
        Text(*paragraphs),
    ]


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
