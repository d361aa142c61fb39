"""Study 5, optimizers: SGD, SGD with momentum, Adam, RMSprop and Adagrad train the MNIST
MLP 784-128-64-10 (ReLU, cross-entropy, batch 64, inputs scaled to [-1, 1]) from the
same initial weights on the same batches; which one lowers the loss fastest, which one
generalizes best, and what does each step cost?

The update rules (g = the mini-batch gradient, lr = the learning rate, all operations
elementwise):

    SGD              p <- p - lr g
    SGD + momentum   b <- mu b + g;  p <- p - lr b        (heavy ball, mu = 0.9)
    Adagrad          s <- s + g^2;   p <- p - lr g / (sqrt(s) + eps)
    RMSprop          s <- alpha s + (1 - alpha) g^2;  p <- p - lr g / (sqrt(s) + eps)
    Adam             m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
                     p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

Each optimizer runs with its usual learning rate (SGD 0.01, momentum 0.01 with mu 0.9,
i.e. an effective rate lr / (1 - mu) = 0.1, Adam 1e-3, RMSprop 1e-3, Adagrad 1e-2).
The adaptive methods divide each coordinate's step by a running size of its gradient,
so every weight moves at about the rate lr whatever the scale of its gradient; plain SGD
moves each weight in proportion to its gradient.

"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy

from neuralab import registry
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Fmt, Note, Ratio, Reading, Threshold
from neuralab.lab.report import Figure, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import (
    MNIST_TEST,
    MNIST_TRAIN,
    Metric,
    compare,
    load_mnist,
    paired_trainer,
    steps_per_epoch,
    window_means,
    window_steps,
)

__all__ = ["OPTIMIZERS", "Config", "make_optimizer", "report", "run"]


# --- study 5 -----------------------------------------------------------------------------
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "adam": "Adam",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


def _state(config: Config, name: str) -> str:
    """What the optimizer ``name`` keeps per weight besides the weight itself."""
    return {
        "sgd": "nothing",
        "momentum": "a velocity" if config.momentum > 0 else "nothing (momentum 0)",
        "adam": "two running averages, of the gradient and of its square",
        "rmsprop": "a running average of the squared gradient",
        "adagrad": "the sum of the squared gradients",
    }[name]


def _positive(study: str, **values: float | None) -> None:
    for key, value in values.items():
        if value is not None and not value > 0:
            raise ValueError(f"{study}: {key} must be positive, got {value}")


@dataclass
class Config:
    optimizers: tuple[str, ...] = OPTIMIZERS
    n_train: int | None = None  # training images (None: all 60,000)
    n_test: int | None = None  # test images (None: all 10,000)
    epochs: int = 5
    batch_size: int = 64
    hidden: tuple[int, ...] = (128, 64)
    sgd_lr: float = 0.01
    momentum_lr: float = 0.01
    momentum: float = 0.9
    adam_lr: float = 1e-3
    rmsprop_lr: float = 1e-3
    adagrad_lr: float = 1e-2
    loss_window: int = 50  # steps averaged into one point of the per-step loss curve

    def __post_init__(self) -> None:
        unknown = [o for o in self.optimizers if o not in OPTIMIZERS]
        if unknown or not self.optimizers or len(set(self.optimizers)) != len(self.optimizers):
            raise ValueError(
                f"optimizers: optimizers must be distinct names among {', '.join(OPTIMIZERS)}, "
                f"got {self.optimizers!r}"
            )
        _positive(
            "optimizers",
            n_train=self.n_train,
            n_test=self.n_test,
            epochs=self.epochs,
            batch_size=self.batch_size,
            sgd_lr=self.sgd_lr,
            momentum_lr=self.momentum_lr,
            adam_lr=self.adam_lr,
            rmsprop_lr=self.rmsprop_lr,
            adagrad_lr=self.adagrad_lr,
            loss_window=self.loss_window,
        )
        if self.n_train is not None and self.n_train > MNIST_TRAIN:
            raise ValueError(
                f"optimizers: n_train must be at most {MNIST_TRAIN}, got {self.n_train}"
            )
        if self.n_test is not None and self.n_test > MNIST_TEST:
            raise ValueError(f"optimizers: n_test must be at most {MNIST_TEST}, got {self.n_test}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"optimizers: momentum must be in [0, 1), got {self.momentum}")
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"optimizers: hidden must be positive layer sizes, got {self.hidden}")


def learning_rate(config: Config, name: str) -> float:
    return float(getattr(config, f"{name}_lr"))


def make_optimizer(config: Config, name: str) -> Callable[[list], Any]:
    """The optimizer ``name`` with the config's learning rate, as a factory of parameters
    ('momentum' is the registry's SGD with the config's momentum)."""
    lr = learning_rate(config, name)
    if name == "momentum":
        return lambda p: registry.make_optimizer("sgd", p, lr=lr, momentum=config.momentum)
    return lambda p: registry.make_optimizer(name, p, lr=lr)


def describe(config: Config, name: str) -> str:
    lr = learning_rate(config, name)
    return f"lr {lr:g}, mu {config.momentum:g}" if name == "momentum" else f"lr {lr:g}"


def run(config: Config, seed: int) -> Result:
    data = load_mnist(config.n_train, config.n_test)
    train = paired_trainer(
        data, epochs=config.epochs, batch_size=config.batch_size, hidden=config.hidden
    )
    result = Result()
    for name in config.optimizers:
        trained = train(make_optimizer(config, name))
        h = trained.history
        result.scalar(name, "final_train_loss", trained.train_loss)
        result.scalar(name, "test_accuracy", trained.test_accuracy)
        result.scalar(name, "test_loss", trained.test_loss)
        result.scalar(name, "diverged", float(trained.diverged))
        result.scalar(
            name, "seconds_per_epoch", float(numpy.mean(h.epochs.get("time") or [math.nan]))
        )
        result.curve(name, "epoch_loss", h.epochs.get("loss", []))
        result.curve(name, "step_loss", window_means(h["step_loss"], config.loss_window))
    result.data = {
        "steps": config.epochs * steps_per_epoch(len(data.train[1]), config.batch_size),
        "train_size": len(data.train[1]),
        "test_size": len(data.test[1]),
    }
    return result


ACCURACY = Metric(
    "test_accuracy", "test accuracy", lower_is_better=False, fmt=PERCENT, axis="test accuracy (%)"
)
LOSS = Metric("final_train_loss", "final training loss")
SECONDS = Metric(
    "seconds_per_epoch", "time per epoch", fmt=Fmt(3, 1.0, " s"), axis="time per epoch (s)"
)
# The pairs the reading tests: the adaptive method and momentum against plain SGD.
PAIRS = (("adam", "sgd"), ("momentum", "sgd"), ("adam", "momentum"))


def report(config: Config, seeds: Seeds) -> list:
    names = list(config.optimizers)
    label = {n: LABELS[n] for n in names}
    steps = seeds.first.data["steps"]
    x = window_steps(steps, config.loss_window)
    curves = {f"{label[n]} ({describe(config, n)})": seeds.curve(n, "step_loss") for n in names}
    fig, axes = plots.new_figure(2 if config.epochs > 1 else 1, width=6.2, height=4.2)
    plots.line_figure(
        f"Training loss, mean over windows of {config.loss_window} steps",
        f"step (mini-batches of {config.batch_size})",
        "training loss (cross-entropy, nats)",
        curves,
        x=x,
        logy=True,
        ax=axes[0],
    )
    plots.fit_to_means(axes[0], curves.values(), logy=True)
    if config.epochs > 1:
        per_epoch = {label[n]: seeds.curve(n, "epoch_loss") for n in names}
        plots.line_figure(
            "Mean training loss per epoch",
            "epoch",
            "training loss (cross-entropy, nats)",
            per_epoch,
            logy=True,
            ax=axes[1],
        )
        axes[1].set_xticks(range(1, config.epochs + 1))
        plots.fit_to_means(axes[1], per_epoch.values(), logy=True)
    quality = compare(
        seeds,
        names,
        label,
        [LOSS, ACCURACY],
        pairs=PAIRS,
        settings={n: describe(config, n) for n in names},
        title="Final training loss and test accuracy",
        column="optimizer",
        note="Final training loss: the trained network's mean cross-entropy over the "
        "training images.",
    )
    cost = compare(
        seeds,
        names,
        label,
        [SECONDS],
        pairs=_cost_pair(seeds, names),
        title="Wall-clock time per epoch (training loop)",
        column="optimizer",
        note="Wall-clock time of the training loop only (noisy on a shared machine).",
    )
    return [
        Figure(
            fig,
            "Training loss over training",
            f"{seeds.first.data['train_size']} training images, batch {config.batch_size}, "
            f"{config.epochs} epoch(s); all optimizers start from the same weights and see the "
            "same batches; the band is the 95 % interval over seeds.",
        ),
        quality.table,
        cost.table,
        *(c.figure for c in (quality, cost) if c.figure is not None),
        Reading(*findings(config, seeds, quality.findings, cost.findings)),
        Text(
            "Plain SGD moves each weight by lr times its gradient, the adaptive methods by "
            "about lr whatever the gradient's size. The forward and backward passes are the "
            "same for every optimizer; only the update differs, with what each keeps per "
            "weight. Wall-clock times on a shared machine are noisy."
        ),
    ]


def _cost_pair(seeds: Seeds, names: list[str]) -> list[tuple[str, str]]:
    """The cheapest and the dearest optimizer per epoch (one pair to test)."""
    means = {n: seeds.scalar(n, "seconds_per_epoch").mean for n in names}
    fastest, slowest = min(names, key=means.get), max(names, key=means.get)
    return [(fastest, slowest)] if fastest != slowest else []


def findings(config: Config, seeds: Seeds, quality: list, cost: list) -> list[list]:
    """The reading, as findings in paragraphs: the accuracy ranking, whether the last one
    learned (above the 10 % of guessing), divergences, the pairwise comparisons, and the
    cost per epoch (ratio and test) with what each optimizer keeps per weight."""
    names = list(config.optimizers)
    ranking = next(f for f in quality if f.key == "test_accuracy_order")
    worst = next(n for n in names if LABELS[n] == ranking.worst)
    learned = [
        ranking,
        Threshold(
            "worst_learns",
            LABELS[worst],
            "test accuracy",
            seeds.scalar(worst, "test_accuracy"),
            0.1,
            above=True,
            meaning="the accuracy of guessing",
            fmt=PERCENT,
        ),
    ]
    diverged = [
        Count(f"diverged:{n}", LABELS[n], "diverged (a non-finite loss)", int(sum(v)), len(v))
        for n in names
        if sum(v := seeds.values(n, "diverged")) > 0
    ]
    pairs = [f for f in quality if f.key.split(":")[0] in ("final_train_loss", "test_accuracy")]
    pairs = [f for f in pairs if ":" in f.key]
    paragraphs = [learned + diverged, pairs]
    pair = _cost_pair(seeds, names)
    if pair:
        (fast, slow), seconds = pair[0], "seconds_per_epoch"
        ratio = seeds.scalar(slow, seconds).mean / seeds.scalar(fast, seconds).mean
        kept = [Note(f"state:{n}", f"{LABELS[n]} keeps {_state(config, n)}.") for n in names]
        paragraphs.append(
            [Ratio("cost_ratio", "time per epoch", LABELS[slow], LABELS[fast], ratio), *cost[1:]]
            + kept
        )
    return paragraphs


STUDY = Study(
    name="optimizers",
    title="5. Optimizers",
    question=(
        "How do SGD, SGD with momentum, Adam, RMSprop and Adagrad compare on the MNIST MLP: "
        "how fast does each lower the loss, how well does it generalize, and what does an "
        "epoch cost?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={"n_train": 10_000, "n_test": 2_000, "epochs": 2, "loss_window": 10},
    bounds={
        "final_train_loss": NON_NEGATIVE,
        "test_accuracy": FRACTION,
        "test_loss": NON_NEGATIVE,
        "diverged": FRACTION,
        "seconds_per_epoch": NON_NEGATIVE,
        "epoch_loss": NON_NEGATIVE,
        "step_loss": NON_NEGATIVE,
    },
)
