"""Study 7, momentum: SGD with momentum 0, 0.5, 0.9 and 0.99 at one learning rate, first
on an ill-conditioned quadratic (where every step can be drawn), then on a real network.

The quadratic f(w) = 1/2 (a w1^2 + b w2^2) has its minimum at 0, gradient (a w1, b w2)
and condition number kappa = b / a (100 by default): a long, narrow valley, steep across
(w2) and nearly flat along (w1). It is minimized with ``neuralab.optim.SGD(momentum=m)``
on a 2-element parameter (autograd gives the gradient) from a fixed start. The
heavy-ball update (Polyak, 1964), as PyTorch writes it:

    v_{t+1} = m v_t + grad f(w_t),      w_{t+1} = w_t - lr v_{t+1}
    i.e.  w_{t+1} = w_t - lr grad f(w_t) + m (w_t - w_{t-1})

Along a direction of curvature lambda the error follows e_{t+1} = (1 + m - lr lambda) e_t
- m e_{t-1}, whose factor per step is the larger root |z| of z^2 - (1 + m - lr lambda) z
+ m = 0. Without momentum it is |1 - lr lambda|: tiny steps along the flat direction
(1 - lr a close to 1) and the steep one caps lr below 2 / b. With momentum, a gradient
that keeps its sign accumulates: v -> g / (1 - m), so the effective learning rate along
the flat direction is lr / (1 - m) (10 lr for m = 0.9, 100 lr for 0.99), while the steep
direction, whose gradient flips sign, averages out. When (1 + m - lr lambda)^2 < 4 m the
roots are complex: the error spirals with factor sqrt(m) per step, so too much momentum
(0.99: factor 0.995) overshoots the minimum and rings for hundreds of steps. The best
momentum for this quadratic is ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 with the
matching rate.

The real network is the MNIST MLP 784-128-64-10 (ReLU, cross-entropy, batch 64) trained
with each momentum at the same learning rate, from the same initial weights on the same
batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

import neuralab as nl
from neuralab import registry
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Fmt, Measure, Note, Ranking, Ratio, Reading
from neuralab.lab.report import Figure, Table
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Estimate
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import (
    Comparison,
    Metric,
    compare,
    load_mnist,
    paired_trainer,
    steps_per_epoch,
    window_means,
    window_steps,
)

__all__ = ["Config", "contraction", "quadratic_path", "report", "run", "steps_to_tolerance"]


@dataclass
class Config:
    momenta: tuple[float, ...] = (0.0, 0.5, 0.9, 0.99)
    a: float = 1.0  # curvature along w1 (the flat direction)
    b: float = 100.0  # curvature along w2 (the steep direction); kappa = b / a
    start: tuple[float, ...] = (-10.0, 1.0)
    quad_lr: float = 0.005  # learning rate on the quadratic (stable without momentum: < 2 / b)
    quad_steps: int = 3000
    tolerance: float = 1e-3  # distance to the minimum counted as reached
    draw_steps: int = 500  # steps of each trajectory drawn on the contours
    net_lr: float = 0.01  # learning rate on the network
    n_train: int | None = None  # training images (None: all 60,000)
    n_test: int | None = None  # test images (None: all 10,000)
    epochs: int = 3
    batch_size: int = 64
    hidden: tuple[int, ...] = (128, 64)
    loss_window: int = 50  # steps averaged into one point of the network's loss curve

    def __post_init__(self) -> None:
        if not self.momenta or len(set(self.momenta)) != len(self.momenta):
            raise ValueError(f"momentum: momenta must be distinct values, got {self.momenta!r}")
        if any(not 0 <= m < 1 for m in self.momenta):
            raise ValueError(f"momentum: every momentum must be in [0, 1), got {self.momenta!r}")
        for key in (
            "a", "b", "quad_lr", "quad_steps", "tolerance", "draw_steps", "net_lr", "epochs",
            "batch_size", "loss_window",
        ):  # fmt: skip
            if not getattr(self, key) > 0:
                raise ValueError(f"momentum: {key} must be positive, got {getattr(self, key)}")
        for key in ("n_train", "n_test"):
            if getattr(self, key) is not None and getattr(self, key) < 1:
                raise ValueError(f"momentum: {key} must be positive, got {getattr(self, key)}")
        if len(self.start) != 2:
            raise ValueError(f"momentum: start must be two numbers (w1, w2), got {self.start!r}")
        if not self.quad_lr * max(self.a, self.b) < 2:
            raise ValueError(
                f"momentum: quad_lr must be below 2 / max(a, b) = {2 / max(self.a, self.b):g} "
                f"for plain gradient descent to converge on the quadratic, got {self.quad_lr}"
            )
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"momentum: hidden must be positive layer sizes, got {self.hidden}")


def label(m: float) -> str:
    return f"momentum {m:g}"


def quadratic_path(config: Config, m: float) -> numpy.ndarray:
    """The parameters w_0 .. w_T (T = quad_steps) of SGD with momentum m on
    f(w) = 1/2 (a w1^2 + b w2^2), in float64, the gradient from autograd."""
    w = nl.tensor(numpy.array(config.start, dtype=numpy.float64), requires_grad=True)
    curvature = nl.tensor(numpy.array([config.a, config.b], dtype=numpy.float64))
    optimizer = registry.make_optimizer("sgd", [w], lr=config.quad_lr, momentum=m)
    path = numpy.empty((config.quad_steps + 1, 2))
    path[0] = w._data
    for t in range(1, config.quad_steps + 1):
        optimizer.zero_grad()
        f = 0.5 * (curvature * w * w).sum()
        f.backward()
        optimizer.step()
        path[t] = w._data
    return path


def steps_to_tolerance(distance: numpy.ndarray, tolerance: float) -> float:
    """The first step from which the distance stays below ``tolerance`` (inf if it does
    not by the last step)."""
    above = numpy.flatnonzero(~(distance < tolerance))
    if len(above) == 0:
        return 0.0
    last = int(above[-1])
    return math.inf if last == len(distance) - 1 else float(last + 1)


def contraction(lr: float, m: float, curvature: float) -> float:
    """The factor per step of the heavy ball along a direction of curvature lambda: the
    largest |z| with z^2 - (1 + m - lr lambda) z + m = 0."""
    roots = numpy.roots([1.0, -(1 + m - lr * curvature), m])
    return float(numpy.abs(roots).max())


def run(config: Config, seed: int) -> Result:
    result = Result()
    trajectories = {}
    for m in config.momenta:
        path = quadratic_path(config, m)
        distance = numpy.linalg.norm(path, axis=1)
        side = math.copysign(1.0, config.start[0]) if config.start[0] else 1.0
        name = label(m)
        result.scalar(
            name, "quad_steps_to_tolerance", steps_to_tolerance(distance, config.tolerance)
        )
        result.scalar(name, "quad_final_distance", distance[-1])
        result.scalar(name, "quad_overshoot_w1", max(0.0, float((-side * path[:, 0]).max())))
        result.scalar(name, "quad_max_abs_w2", float(numpy.abs(path[1:, 1]).max()))
        result.curve(name, "quad_distance", distance)
        trajectories[name] = path[: config.draw_steps + 1].tolist()
    data = load_mnist(config.n_train, config.n_test)
    train = paired_trainer(
        data, epochs=config.epochs, batch_size=config.batch_size, hidden=config.hidden
    )
    for m in config.momenta:
        trained = train(
            lambda p, m=m: registry.make_optimizer("sgd", p, lr=config.net_lr, momentum=m)
        )
        name = label(m)
        result.scalar(name, "net_train_loss", trained.train_loss)
        result.scalar(name, "net_test_accuracy", trained.test_accuracy)
        result.scalar(name, "net_diverged", float(trained.diverged))
        result.curve(
            name, "net_step_loss", window_means(trained.history["step_loss"], config.loss_window)
        )
    result.data = {
        "trajectories": trajectories,
        "net_steps": config.epochs * steps_per_epoch(len(data.train[1]), config.batch_size),
        "train_size": len(data.train[1]),
    }
    return result


def _contours(config: Config, seeds: Seeds) -> object:
    names = [label(m) for m in config.momenta]
    cols = 2 if len(names) > 1 else 1
    rows = math.ceil(len(names) / cols)
    fig, axes = plots.new_figure(cols, rows, width=6.0, height=3.4)
    paths = {n: numpy.asarray(seeds.first.data["trajectories"][n]) for n in names}
    everything = numpy.concatenate(list(paths.values()))
    w1_max = 1.1 * max(abs(everything[:, 0]).max(), 1e-3)
    w2_max = 1.2 * max(abs(everything[:, 1]).max(), 1e-3)
    g1, g2 = numpy.meshgrid(
        numpy.linspace(-w1_max, w1_max, 300), numpy.linspace(-w2_max, w2_max, 200)
    )
    f = 0.5 * (config.a * g1**2 + config.b * g2**2)
    levels = numpy.geomspace(max(f.max() * 1e-4, 1e-6), f.max(), 12)
    for ax, name, color in zip(axes, names, plots.COLORS):
        ax.contour(g1, g2, f, levels=levels, colors="#aaa", linewidths=0.6)
        path = paths[name]
        ax.plot(
            path[:, 0], path[:, 1], color=color, linewidth=0.9, marker=".", markersize=2, label=name
        )
        ax.plot(*path[0], "ko", markersize=5, label="start")
        ax.plot(0, 0, "k*", markersize=9, label="minimum")
        ax.set(
            title=f"{name}: first {len(path) - 1} steps",
            xlabel="w1 (flat direction, curvature a)",
            ylabel="w2 (steep direction, b)",
            xlim=(-w1_max, w1_max),
            ylim=(-w2_max, w2_max),
        )
        ax.legend(fontsize="small", loc="upper right")
    for ax in axes[len(names) :]:
        ax.axis("off")
    return fig


NET_LOSS = Metric(
    "net_train_loss", "final training loss", axis="training loss (cross-entropy, nats)"
)
NET_ACCURACY = Metric(
    "net_test_accuracy",
    "test accuracy",
    lower_is_better=False,
    fmt=PERCENT,
    axis="test accuracy (%)",
)


def report(config: Config, seeds: Seeds) -> list:
    names = [label(m) for m in config.momenta]
    first = seeds.first.scalars
    fig_dist, (ax_dist, ax_net) = plots.new_figure(2, width=6.0, height=4.2)
    plots.line_figure(
        "Quadratic: distance to the minimum",
        "step",
        "distance ||w - w*|| (log scale)",
        {n: seeds.curve(n, "quad_distance") for n in names},
        x=numpy.arange(config.quad_steps + 1),
        logy=True,
        ax=ax_dist,
    )
    ax_dist.axhline(config.tolerance, color="k", linestyle=":", linewidth=1)
    ax_dist.set_ylim(config.tolerance * 1e-3, 3 * max(math.hypot(*config.start), config.tolerance))
    net_steps = seeds.first.data["net_steps"]
    net_loss = {n: seeds.curve(n, "net_step_loss") for n in names}
    plots.line_figure(
        f"MNIST MLP: training loss (windows of {config.loss_window} steps)",
        "step (mini-batch)",
        "training loss (cross-entropy, nats)",
        net_loss,
        x=window_steps(net_steps, config.loss_window),
        ax=ax_net,
    )
    plots.fit_to_means(ax_net, net_loss.values())
    rates = {
        n: max(contraction(config.quad_lr, m, c) for c in (config.a, config.b))
        for n, m in zip(names, config.momenta)
    }
    d0 = math.hypot(*config.start)

    def predicted(n: str) -> str:
        if rates[n] >= 1 or d0 <= config.tolerance:
            return "-"
        return f"~{math.log(config.tolerance / d0) / math.log(rates[n]):.0f}"

    def steps(n: str) -> str:
        s = first[n]["quad_steps_to_tolerance"]
        return f"{s:.0f}" if math.isfinite(s) else f"not within {config.quad_steps}"

    quad_rows = [
        [
            n,
            f"{config.quad_lr / (1 - m):.3g}",
            f"{rates[n]:.4f}",
            steps(n),
            predicted(n),
            f"{first[n]['quad_overshoot_w1']:.3g}",
            f"{first[n]['quad_max_abs_w2']:.3g}",
            f"{first[n]['quad_final_distance']:.2e}",
        ]
        for n, m in zip(names, config.momenta)
    ]
    kappa = config.b / config.a
    best_m = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    quad_table = Table(
        f"Quadratic f = 1/2 ({config.a:g} w1^2 + {config.b:g} w2^2), lr {config.quad_lr:g}, "
        f"from {tuple(config.start)}, {config.quad_steps} steps",
        [
            "momentum",
            "effective lr = lr / (1 - m)",
            "predicted factor per step",
            f"steps to stay within {config.tolerance:g}",
            "predicted steps",
            "overshoot past the minimum along w1",
            "max |w2| after the first step",
            "final distance",
        ],
        quad_rows,
        note="Predicted factor: the largest root |z| of z^2 - (1 + m - lr lambda) z + m over "
        f"lambda in {{a, b}}; predicted steps: log(tolerance / ||w_0||) / log(factor). The "
        f"best momentum for kappa = {kappa:g} is {best_m:.3f}. The quadratic has no randomness: "
        "every seed gives the same path.",
    )
    net = compare(
        seeds,
        names,
        {n: n for n in names},
        [NET_LOSS, NET_ACCURACY],
        pairs=[(label(0.9), label(0.0))],
        settings={
            n: f"effective lr {config.net_lr / (1 - m):.3g}" for n, m in zip(names, config.momenta)
        },
        title=f"MNIST MLP, lr {config.net_lr:g}: final training loss and test accuracy",
        column="momentum",
        note=f"{seeds.first.data['train_size']} training images, {config.epochs} epoch(s) "
        f"({net_steps} steps); effective lr = lr / (1 - m); final training loss: the trained "
        "network's cross-entropy over the training images.",
        figure_title="MNIST MLP after training",
    )
    return [
        Figure(
            _contours(config, seeds),
            "Trajectories on the contours of the quadratic",
            "Grey: contour lines of f (log-spaced levels). The axes have different scales: "
            "the valley is far narrower than it looks.",
        ),
        Figure(
            fig_dist,
            "Distance to the minimum, and the loss of the real network",
            f"Left: the dotted line is the tolerance {config.tolerance:g}. Right: the band is "
            "the 95 % interval over seeds.",
        ),
        quad_table,
        net.table,
        net.figure,
        Reading(*findings(config, seeds, net, rates)),
    ]


def _point(value: float) -> Estimate:
    """A value that every seed gives alike (the quadratic has no randomness)."""
    return Estimate(value, value, value, (value,))


def findings(config: Config, seeds: Seeds, net: Comparison, rates: dict) -> list[list]:
    """The reading, as findings in paragraphs: the momenta ranked by the steps they take
    to stay within the tolerance on the quadratic; 0.9 against none (how many times
    fewer steps, and why); 0.99 against 0.9 (overshoot, swing across the valley, factor
    per step, final distance); the network: 0.9 against none (paired tests), the ranking
    on training loss and any divergence."""
    first = seeds.first.scalars
    names = [label(m) for m in config.momenta]
    steps = {n: first[n]["quad_steps_to_tolerance"] for n in names}
    order = sorted(names, key=lambda n: (steps[n], first[n]["quad_final_distance"]))
    paragraphs = [
        [
            Ranking(
                "quad_steps_order",
                f"steps to stay within {config.tolerance:g} of the quadratic's minimum",
                order,
                [_point(steps[n]) for n in order],
                fmt=Fmt(4, 1.0, " steps"),
            )
        ]
    ]
    plain, heavy, extreme = label(0.0), label(0.9), label(0.99)
    if plain in names and heavy in names:
        paragraphs.append(_heavy_against_plain(config, steps, plain, heavy))
    if heavy in names and extreme in names:
        paragraphs.append(_extreme_against_heavy(config, first, rates, heavy, extreme))
    diverged = [
        Count(f"diverged:{n}", n, "diverged (a non-finite loss)", int(sum(v)), len(v))
        for n in names
        if sum(v := seeds.values(n, "net_diverged")) > 0
    ]
    return [*paragraphs, net.differences(), [net.ranking("net_train_loss"), *diverged]]


def _heavy_against_plain(config: Config, steps: dict, plain: str, heavy: str) -> list:
    """How many times fewer steps momentum 0.9 takes than none, and why (or that it does
    not)."""
    if not steps[heavy] < steps[plain]:
        return [
            Note(
                "momentum_not_faster",
                f"Here momentum 0.9 does not beat plain gradient descent at the learning rate "
                f"{config.quad_lr:g}.",
            )
        ]
    what = f"steps to stay within {config.tolerance:g} of the quadratic's minimum"
    ratio = steps[plain] / max(steps[heavy], 1)
    return [
        *([Ratio("quad_speedup", what, plain, heavy, ratio)] if math.isfinite(ratio) else []),
        Note(
            "momentum_faster",
            f"At the same learning rate {config.quad_lr:g}, momentum 0.9 is faster: along the "
            "flat direction, whose gradient keeps its sign, the velocity builds up to the "
            f"effective rate {config.quad_lr / (1 - 0.9):g} = lr / (1 - m), while across the "
            "valley the alternating gradients cancel.",
        ),
    ]


def _extreme_against_heavy(
    config: Config, first: dict, rates: dict, heavy: str, extreme: str
) -> list:
    """Whether momentum 0.99 overshoots more than 0.9 and by how much; the factor per step
    and the final distance of each."""
    o9, o99 = first[heavy]["quad_overshoot_w1"], first[extreme]["quad_overshoot_w1"]
    w9, w99 = first[heavy]["quad_max_abs_w2"], first[extreme]["quad_max_abs_w2"]
    if o99 > o9 and w99 > w9:
        why = Note(
            "extreme_overshoots",
            "Momentum 0.99 overshoots far more than 0.9, past the minimum along w1 and across "
            "the valley: while the roots are complex its error shrinks only by sqrt(m) per "
            "step, so it rings for hundreds of steps.",
        )
    else:
        why = Note("extreme_no_more_overshoot", "Momentum 0.99 does not overshoot more than 0.9.")
    found: list = [why]
    for key, what, a, b in (
        ("overshoot", "overshoot past the minimum along w1", o99, o9),
        ("swing", "largest |w2| after the first step", w99, w9),
    ):
        if b > 0:
            found.append(Ratio(f"{key}_ratio", what, extreme, heavy, a / b))
    after = f"distance to the minimum after {config.quad_steps} steps"
    for n in (extreme, heavy):
        found += [
            Measure(f"factor:{n}", n, "predicted factor per step", _point(rates[n]), Fmt(4)),
            Measure(f"final_distance:{n}", n, after, _point(first[n]["quad_final_distance"])),
        ]
    return found


STUDY = Study(
    name="momentum",
    title="7. Momentum",
    question=(
        "What does momentum (0, 0.5, 0.9, 0.99) do to gradient descent on an ill-conditioned "
        "quadratic and on a real network at the same learning rate?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={"n_train": 5_000, "n_test": 2_000, "epochs": 2, "loss_window": 10},
    bounds={
        "quad_steps_to_tolerance": NON_NEGATIVE,
        "quad_final_distance": NON_NEGATIVE,
        "quad_overshoot_w1": NON_NEGATIVE,
        "quad_max_abs_w2": NON_NEGATIVE,
        "quad_distance": NON_NEGATIVE,
        "net_train_loss": NON_NEGATIVE,
        "net_test_accuracy": FRACTION,
        "net_diverged": FRACTION,
        "net_step_loss": NON_NEGATIVE,
    },
)
