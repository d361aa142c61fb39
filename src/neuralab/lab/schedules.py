"""Study 6, learning-rate schedules: the MNIST MLP 784-128-64-10 trained with SGD
(momentum 0.9) under seven schedules, from the same initial weights on the same batches;
how does each move the learning rate, and what does that do to the loss and the final
accuracy?

With base rate lr_0, epoch e (counted from 0), step t (mini-batches, from 0) and T the
total number of steps (E epochs), the schedules of ``neuralab.optim.lr_scheduler`` as
``neuralab.registry.make_scheduler`` makes them by name (the study's 'one_cycle' is the
registry's alias of 'onecycle'):

    constant      lr = lr_0
    step          lr = lr_0 gamma^floor(e / step_size)                  (StepLR, gamma 0.5)
    exponential   lr = lr_0 gamma^e                                     (ExponentialLR)
    plateau       lr <- factor lr when the validation loss has not improved for more
                  than `patience` epochs                                (ReduceLROnPlateau)
    cyclic        lr = base + (max - base) max(0, 1 - |t / s - 2 floor(1 + t / (2 s)) + 1|)
                  a triangle between base and max with half-cycle s steps (CyclicLR)
    cosine        lr = eta_min + (lr_0 - eta_min) (1 + cos(pi e / E)) / 2 (CosineAnnealingLR,
                  T_max = E: it would reach eta_min at e = E, after the last epoch)
    one-cycle     lr rises from max/25 to max over the first 30 % of the T steps, then
                  anneals (cosine) to max / (25 * 10^4); momentum moves the other way,
                  0.95 -> 0.85 -> 0.95 (OneCycleLR)

``neuralab.train.fit`` steps OneCycleLR and CyclicLR after every batch, the others after
every epoch (ReduceLROnPlateau with the validation loss, measured on training images
held out from training). The study records the rate each step used (``step_lr``), the
rate of each epoch's last step (``epoch_lr``: a per-epoch schedule's rate for the whole
epoch) and the rate of the very last step (``last_lr``); the rate a scheduler sets after
the last step is never used, and is not reported. With momentum mu the step is
p <- p - lr b, b <- mu b + g, so the effective rate is lr / (1 - mu) = 10 lr: large
enough that the schedule matters.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy

from neuralab import registry
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Fmt, Measure, Note, Reading, Threshold
from neuralab.lab.report import Figure
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, estimate
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

__all__ = ["SCHEDULES", "Config", "make_scheduler", "report", "run"]

USEFUL_ACCURACY = 0.7  # test accuracy counted as useful in the reading (chance: 0.1)
# The study's names: the registry's (neuralab.registry.SCHEDULES), 'one_cycle' its alias.
SCHEDULES = ("constant", "step", "exponential", "plateau", "cyclic", "cosine", "one_cycle")
LABELS = {
    "constant": "constant",
    "step": "step",
    "exponential": "exponential",
    "plateau": "reduce on plateau",
    "cyclic": "cyclic",
    "cosine": "cosine annealing",
    "one_cycle": "one-cycle",
}


@dataclass
class Config:
    schedules: tuple[str, ...] = SCHEDULES
    n_train: int | None = None  # training images (None: all not held out for validation)
    n_val: int = 5_000  # training images held out: the validation loss for the plateau rule
    n_test: int | None = None  # test images (None: all 10,000)
    epochs: int = 10
    batch_size: int = 64
    hidden: tuple[int, ...] = (128, 64)
    lr: float = 0.05  # base rate (constant, step, exponential, plateau, cosine)
    momentum: float = 0.9
    step_size: int = 3  # StepLR: epochs between reductions
    step_gamma: float = 0.5
    exp_gamma: float = 0.8  # ExponentialLR: factor per epoch
    plateau_factor: float = 0.5
    plateau_patience: int = 1  # epochs without improvement tolerated before reducing
    cyclic_base_lr: float = 0.005
    cyclic_max_lr: float = 0.05
    cycle_epochs: float = 2.0  # CyclicLR: epochs per full triangle (up and down)
    cosine_eta_min: float = 5e-4
    one_cycle_max_lr: float = 0.1
    one_cycle_pct_start: float = 0.3
    lr_every: int = 10  # the learning rate is recorded every lr_every steps
    loss_window: int = 50  # steps averaged into one point of the loss curve

    def __post_init__(self) -> None:
        unknown = [s for s in self.schedules if s not in SCHEDULES]
        if unknown or not self.schedules or len(set(self.schedules)) != len(self.schedules):
            raise ValueError(
                f"schedules: schedules must be distinct names among {', '.join(SCHEDULES)}, "
                f"got {self.schedules!r}"
            )
        for key in (
            "epochs", "batch_size", "lr", "step_size", "step_gamma", "exp_gamma",
            "plateau_factor", "cyclic_base_lr", "cyclic_max_lr", "cycle_epochs",
            "one_cycle_max_lr", "lr_every", "loss_window", "n_val",
        ):  # fmt: skip
            if not getattr(self, key) > 0:
                raise ValueError(f"schedules: {key} must be positive, got {getattr(self, key)}")
        for key in ("n_train", "n_test"):
            if getattr(self, key) is not None and getattr(self, key) < 1:
                raise ValueError(f"schedules: {key} must be positive, got {getattr(self, key)}")
        for key in ("step_gamma", "exp_gamma", "plateau_factor"):
            if not getattr(self, key) < 1:
                raise ValueError(
                    f"schedules: {key} must be in (0, 1) (a reduction), got {getattr(self, key)}"
                )
        if self.plateau_patience < 0:
            raise ValueError(
                f"schedules: plateau_patience must be >= 0, got {self.plateau_patience}"
            )
        if not 0 <= self.momentum < 1:
            raise ValueError(f"schedules: momentum must be in [0, 1), got {self.momentum}")
        if not self.cyclic_base_lr < self.cyclic_max_lr:
            raise ValueError(
                f"schedules: cyclic_base_lr ({self.cyclic_base_lr}) must be below "
                f"cyclic_max_lr ({self.cyclic_max_lr})"
            )
        if not 0 <= self.cosine_eta_min < self.lr:
            raise ValueError(
                f"schedules: cosine_eta_min must be in [0, lr={self.lr}), got {self.cosine_eta_min}"
            )
        if not 0 < self.one_cycle_pct_start < 1:
            raise ValueError(
                f"schedules: one_cycle_pct_start must be in (0, 1), got {self.one_cycle_pct_start}"
            )
        if not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"schedules: hidden must be positive layer sizes, got {self.hidden}")


def half_cycle_steps(config: Config, steps_per_epoch: int) -> int:
    """CyclicLR's step_size_up (= step_size_down): half a cycle, in steps."""
    return max(1, round(config.cycle_epochs * steps_per_epoch / 2))


def make_scheduler(config: Config, name: str) -> Callable[[Any, int], Any]:
    """The registry's schedule ``name`` with the config's settings, as a factory
    (optimizer, steps_per_epoch) -> scheduler (None for the constant rate)."""

    def make(optimizer: Any, n: int) -> Any:
        options = {
            "constant": {},
            "step": {"step_size": config.step_size, "gamma": config.step_gamma},
            "exponential": {"gamma": config.exp_gamma},
            "plateau": {"factor": config.plateau_factor, "patience": config.plateau_patience},
            "cyclic": {
                "base_lr": config.cyclic_base_lr,
                "max_lr": config.cyclic_max_lr,
                "step_size_up": half_cycle_steps(config, n),
            },
            "cosine": {"eta_min": config.cosine_eta_min},
            "one_cycle": {
                "max_lr": config.one_cycle_max_lr,
                "pct_start": config.one_cycle_pct_start,
            },
        }[name]
        return registry.make_scheduler(
            name, optimizer, epochs=config.epochs, steps_per_epoch=n, **options
        )

    return make


def describe(config: Config, name: str) -> str:
    """The schedule's settings, for the table."""
    return {
        "constant": f"lr {config.lr:g}",
        "step": f"lr {config.lr:g} x {config.step_gamma:g} every {config.step_size} epochs",
        "exponential": f"lr {config.lr:g} x {config.exp_gamma:g} per epoch",
        "plateau": f"lr {config.lr:g} x {config.plateau_factor:g} after "
        f"{config.plateau_patience + 1} epoch(s) without improvement",
        "cyclic": f"triangle {config.cyclic_base_lr:g} to {config.cyclic_max_lr:g}, "
        f"{config.cycle_epochs:g} epochs per cycle",
        "cosine": f"lr {config.lr:g} to {config.cosine_eta_min:g} over {config.epochs} epochs",
        "one_cycle": f"max lr {config.one_cycle_max_lr:g}, peak at "
        f"{config.one_cycle_pct_start:.0%} of the steps",
    }[name]


def run(config: Config, seed: int) -> Result:
    data = load_mnist(config.n_train, config.n_test, config.n_val)
    train = paired_trainer(
        data, epochs=config.epochs, batch_size=config.batch_size, hidden=config.hidden
    )
    per_epoch = steps_per_epoch(len(data.train[1]), config.batch_size)
    result = Result()
    for name in config.schedules:
        trained = train(
            lambda p: registry.make_optimizer("sgd", p, lr=config.lr, momentum=config.momentum),
            make_scheduler(config, name),
        )
        h = trained.history
        val_loss = h.epochs.get("val_loss", [])  # shorter if training diverged
        result.scalar(name, "test_accuracy", trained.test_accuracy)
        result.scalar(name, "test_loss", trained.test_loss)
        result.scalar(name, "final_train_loss", trained.train_loss)
        result.scalar(name, "final_val_loss", val_loss[-1] if val_loss else math.inf)
        result.scalar(name, "last_lr", trained.last_lr)
        result.scalar(name, "diverged", float(trained.diverged))
        result.curve(name, "step_lr", h["step_lr"][:: config.lr_every])
        result.curve(name, "step_loss", window_means(h["step_loss"], config.loss_window))
        result.curve(name, "epoch_lr", h["step_lr"][per_epoch - 1 :: per_epoch])
        result.curve(name, "val_loss", val_loss)
        result.curve(name, "val_accuracy", h.epochs.get("val_accuracy", []))
    result.data = {
        "steps": config.epochs * per_epoch,
        "steps_per_epoch": per_epoch,
        "train_size": len(data.train[1]),
        "test_size": len(data.test[1]),
    }
    return result


LAST_LR = Metric("last_lr", "learning rate of the last step")
TRAIN_LOSS = Metric("final_train_loss", "final training loss")
VAL_LOSS = Metric("final_val_loss", "final validation loss")
ACCURACY = Metric("test_accuracy", "test accuracy", lower_is_better=False, fmt=PERCENT)


def _rates_figure(config: Config, seeds: Seeds) -> Figure:
    """The rate of every step, one line per schedule (and per seed where a seed's differs)."""
    steps, per_epoch = seeds.first.data["steps"], seeds.first.data["steps_per_epoch"]
    x = numpy.arange(0, steps, config.lr_every) + 1
    fig, (ax,) = plots.new_figure(width=9, height=4.6)
    for name, color in zip(config.schedules, plots.COLORS):
        for i, r in enumerate(seeds.results):
            lr = r.curves[name]["step_lr"]
            if i and lr == seeds.first.curves[name]["step_lr"]:
                continue  # the same rate as the first seed's (every schedule but the plateau)
            ax.plot(
                x[: len(lr)],
                lr,
                color=color,
                linewidth=1.6 if i == 0 else 0.9,
                linestyle="-" if i == 0 else "--",
                label=LABELS[name] if i == 0 else f"{LABELS[name]} (seed {seeds.seeds[i]})",
            )
    for epoch in range(1, config.epochs):
        ax.axvline(epoch * per_epoch + 0.5, color="#bbb", linewidth=0.6, zorder=0)
    ax.set(title="Learning rate at every step", xlabel="step (mini-batch)", ylabel="learning rate")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Figure(
        fig,
        "The learning rate of each schedule",
        "Grey lines: epoch boundaries. Per-epoch schedules change the rate there; cyclic "
        "and one-cycle change it every step. Every schedule but reduce-on-plateau gives "
        "the same rates in every seed; the plateau rule's other seeds are dashed where "
        "they differ.",
    )


def _loss_figure(config: Config, seeds: Seeds) -> Figure:
    fig, (ax_loss, ax_val) = plots.new_figure(2, width=6.0, height=4.2)
    step_loss = {LABELS[n]: seeds.curve(n, "step_loss") for n in config.schedules}
    plots.line_figure(
        f"Training loss, mean over windows of {config.loss_window} steps",
        "step (mini-batch)",
        "training loss (cross-entropy, nats)",
        step_loss,
        x=window_steps(seeds.first.data["steps"], config.loss_window),
        logy=True,
        ax=ax_loss,
    )
    plots.fit_to_means(ax_loss, step_loss.values(), logy=True)
    val_loss = {LABELS[n]: seeds.curve(n, "val_loss") for n in config.schedules}
    plots.line_figure(
        "Validation loss after each epoch",
        "epoch",
        "validation loss (cross-entropy, nats)",
        val_loss,
        logy=True,
        ax=ax_val,
    )
    plots.fit_to_means(ax_val, val_loss.values(), logy=True)
    return Figure(
        fig,
        "Loss over training",
        "Bands: 95 % interval over seeds. Every schedule starts from the same weights and "
        "sees the same batches.",
    )


def report(config: Config, seeds: Seeds) -> list:
    names = list(config.schedules)
    table = compare(
        seeds,
        names,
        LABELS,
        [LAST_LR, TRAIN_LOSS, VAL_LOSS, ACCURACY],
        pairs=[(n, "constant") for n in names if n != "constant"],
        settings={n: describe(config, n) for n in names},
        title="Learning rate of the last step, loss and accuracy",
        column="schedule",
        note=f"SGD with momentum {config.momentum:g}, {config.epochs} epochs of "
        f"{seeds.first.data['steps_per_epoch']} steps. Learning rate of the last step: the rate "
        "the last training step used (the last point of the plot above). Final training loss: "
        "the trained network's cross-entropy over the training images; validation: over "
        "held-out training images.",
    )
    return [
        _rates_figure(config, seeds),
        _loss_figure(config, seeds),
        table.table,
        Reading(*findings(config, seeds, table)),
    ]


def reductions(result: Result) -> int:
    """How many times reduce-on-plateau lowered the rate that training used (a reduction
    after the last epoch reaches no step and does not count)."""
    rates = result.curves["plateau"]["epoch_lr"]
    return sum(1 for before, after in itertools.pairwise(rates) if after < before)


def findings(config: Config, seeds: Seeds, table: Comparison) -> list[list]:
    """The reading, as findings in paragraphs: the rankings on test accuracy and training
    loss, with any divergence; every schedule against the constant rate (paired tests);
    how often reduce-on-plateau acted; whether every schedule reaches a useful accuracy
    (a Threshold for each one below it, else for the lowest and a Note)."""
    names, accuracy = list(config.schedules), table.estimates["test_accuracy"]
    diverged = [
        Count(f"diverged:{n}", LABELS[n], "diverged (a non-finite loss)", int(sum(v)), len(v))
        for n in names
        if sum(v := seeds.values(n, "diverged")) > 0
    ]
    paragraphs = [
        [table.ranking("test_accuracy"), table.ranking("final_train_loss"), *diverged],
        _against_constant(seeds, names, table),
    ]
    if "plateau" in names:
        paragraphs.append(_plateau(config, seeds))
    below = [n for n in names if accuracy[n].mean < USEFUL_ACCURACY]
    useful = [
        Threshold(
            f"useful:{n}",
            LABELS[n],
            "test accuracy",
            accuracy[n],
            USEFUL_ACCURACY,
            above=True,
            meaning="the accuracy counted as useful here",
            fmt=PERCENT,
        )
        for n in below or [min(names, key=lambda n: accuracy[n].mean)]
    ]
    if not below:  # the lowest is useful: so is every one
        useful.append(Note("every_useful", "So every schedule trains to a useful accuracy."))
    return [*paragraphs, useful]


def _against_constant(seeds: Seeds, names: list[str], table: Comparison) -> list:
    """The schedule with the lowest final training loss against the constant rate, and
    every other one that ends clearly below it (paired t-test), with why (or that none
    does); the best schedule on test accuracy against the constant rate."""
    if "constant" not in names or len(names) < 2:
        return []
    diffs = {d.key: d for d in table.differences()}
    loss, accuracy = table.estimates["final_train_loss"], table.estimates["test_accuracy"]
    others = sorted((n for n in names if n != "constant"), key=lambda n: loss[n].mean)
    against = [  # the lowest loss, and every schedule clearly below the constant rate's
        d
        for i, d in enumerate(diffs[f"final_train_loss:{n}-constant"] for n in others)
        if i == 0 or (d.significant and d.better == d.a)
    ]
    if any(d.significant and d.better == d.a for d in against):
        why = [Note("decay_settles", DECAY)]
    elif len(seeds) > 1:
        why = [
            Note(
                "none_clearly_below",
                "No schedule ends clearly below the constant rate's training loss here.",
            )
        ]
    else:
        why = []  # one seed: each comparison above says there is no telling
    best = max(others, key=lambda n: accuracy[n].mean)
    return [*against, *why, diffs[f"test_accuracy:{best}-constant"]]


DECAY = (
    "A rate that decays lets the last steps settle into a minimum instead of bouncing "
    "around it with the noise of the mini-batches."
)


def _plateau(config: Config, seeds: Seeds) -> list:
    """In how many seeds reduce-on-plateau lowered the rate, how often, and what that
    means."""
    counts = [reductions(r) for r in seeds.results]
    wait = (
        "as soon as the validation loss failed to improve"
        if config.plateau_patience == 0
        else f"after more than {config.plateau_patience} epoch(s) without improvement of the "
        "validation loss"
    )
    subject = "reduce on plateau"
    acted = Count(
        "plateau_lowered",
        subject,
        f"lowered the rate during training (it acts {wait})",
        sum(c > 0 for c in counts),
        len(counts),
    )
    if not acted.count:
        return [
            acted,
            Note(
                "plateau_never",
                "The validation loss kept improving, so it behaved as the constant rate.",
            ),
        ]
    return [
        acted,
        Measure(
            "plateau_reductions",
            subject,
            "number of reductions",
            estimate(counts, bounds=NON_NEGATIVE),
            Fmt(2),
        ),
        Measure(
            "plateau_last_lr", subject, "rate of the last step", seeds.scalar("plateau", "last_lr")
        ),
        Note(
            "plateau_follows_noise",
            "It reacts to the noise of the validation loss, so its schedule can differ from "
            "seed to seed.",
        ),
    ]


STUDY = Study(
    name="schedules",
    title="6. Learning-rate schedules",
    question=(
        "How do constant, step, exponential, reduce-on-plateau, cyclic, cosine and one-cycle "
        "schedules move the learning rate, and what does that do to the loss and the final "
        "accuracy of the MNIST MLP?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={
        "n_train": 2_000,
        "n_val": 1_000,
        "n_test": 2_000,
        "epochs": 6,
        "step_size": 2,
        "plateau_patience": 0,
        "lr_every": 1,
        "loss_window": 16,
    },
    bounds={
        "test_accuracy": FRACTION,
        "test_loss": NON_NEGATIVE,
        "final_train_loss": NON_NEGATIVE,
        "final_val_loss": NON_NEGATIVE,
        "last_lr": NON_NEGATIVE,
        "diverged": FRACTION,
        "step_lr": NON_NEGATIVE,
        "epoch_lr": NON_NEGATIVE,
        "step_loss": NON_NEGATIVE,
        "val_loss": NON_NEGATIVE,
        "val_accuracy": FRACTION,
    },
)
