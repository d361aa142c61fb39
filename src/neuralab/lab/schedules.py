"""Study 6, learning-rate schedules: the MNIST MLP 784-128-64-10 trained with SGD
(momentum 0.9) under seven schedules, from the same initial weights on the same batches;
how does each move the learning rate, and what does that do to the loss and the final
accuracy?

With base rate lr_0, epoch e (counted from 0), step t (mini-batches, from 0) and T the
total number of steps (E epochs), the schedules of ``neuralab.optim.lr_scheduler``:

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

from neuralab import optim
from neuralab.lab import plots
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, verdict
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import (
    load_mnist,
    paired_trainer,
    steps_per_epoch,
    window_means,
    window_steps,
)
from neuralab.optim import lr_scheduler

__all__ = ["SCHEDULES", "Config", "make_scheduler", "report", "run"]

USEFUL_ACCURACY = 0.7  # test accuracy counted as useful in the reading (chance: 0.1)
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


def make_scheduler(config: Config, name: str) -> Callable[[Any, int], Any] | None:
    """The schedule ``name`` as a factory (optimizer, steps_per_epoch) -> scheduler, or
    None for the constant rate."""
    if name == "constant":
        return None
    factories: dict[str, Callable[[Any, int], Any]] = {
        "step": lambda o, n: lr_scheduler.StepLR(o, config.step_size, config.step_gamma),
        "exponential": lambda o, n: lr_scheduler.ExponentialLR(o, config.exp_gamma),
        "plateau": lambda o, n: lr_scheduler.ReduceLROnPlateau(
            o, factor=config.plateau_factor, patience=config.plateau_patience
        ),
        "cyclic": lambda o, n: lr_scheduler.CyclicLR(
            o,
            config.cyclic_base_lr,
            config.cyclic_max_lr,
            step_size_up=half_cycle_steps(config, n),
            cycle_momentum=False,
        ),
        "cosine": lambda o, n: lr_scheduler.CosineAnnealingLR(
            o, T_max=config.epochs, eta_min=config.cosine_eta_min
        ),
        "one_cycle": lambda o, n: lr_scheduler.OneCycleLR(
            o,
            config.one_cycle_max_lr,
            total_steps=config.epochs * n,
            pct_start=config.one_cycle_pct_start,
        ),
    }
    return factories[name]


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
            lambda p: optim.SGD(p, lr=config.lr, momentum=config.momentum),
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


def report(config: Config, seeds: Seeds) -> list:
    names = list(config.schedules)
    steps, per_epoch = seeds.first.data["steps"], seeds.first.data["steps_per_epoch"]
    lr_x = numpy.arange(0, steps, config.lr_every) + 1
    fig_lr, (ax_lr,) = plots.new_figure(width=9, height=4.6)
    for name, color in zip(names, plots.COLORS):
        for i, r in enumerate(seeds.results):
            lr = r.curves[name]["step_lr"]
            if i and lr == seeds.first.curves[name]["step_lr"]:
                continue  # the same rate as the first seed's (every schedule but the plateau)
            ax_lr.plot(
                lr_x[: len(lr)],
                lr,
                color=color,
                linewidth=1.6 if i == 0 else 0.9,
                linestyle="-" if i == 0 else "--",
                label=LABELS[name] if i == 0 else f"{LABELS[name]} (seed {seeds.seeds[i]})",
            )
    for epoch in range(1, config.epochs):
        ax_lr.axvline(epoch * per_epoch + 0.5, color="#bbb", linewidth=0.6, zorder=0)
    ax_lr.set(
        title="Learning rate at every step",
        xlabel="step (mini-batch)",
        ylabel="learning rate",
    )
    ax_lr.set_ylim(bottom=0)
    ax_lr.grid(alpha=0.3)
    ax_lr.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig_loss, (ax_loss, ax_val) = plots.new_figure(2, width=6.0, height=4.2)
    step_loss = {LABELS[n]: seeds.curve(n, "step_loss") for n in names}
    plots.line_figure(
        f"Training loss, mean over windows of {config.loss_window} steps",
        "step (mini-batch)",
        "training loss (cross-entropy, nats)",
        step_loss,
        x=window_steps(steps, config.loss_window),
        logy=True,
        ax=ax_loss,
    )
    plots.fit_to_means(ax_loss, step_loss.values(), logy=True)
    val_loss_curves = {LABELS[n]: seeds.curve(n, "val_loss") for n in names}
    plots.line_figure(
        "Validation loss after each epoch",
        "epoch",
        "validation loss (cross-entropy, nats)",
        val_loss_curves,
        logy=True,
        ax=ax_val,
    )
    plots.fit_to_means(ax_val, val_loss_curves.values(), logy=True)
    accuracy = {n: seeds.scalar(n, "test_accuracy") for n in names}
    train_loss = {n: seeds.scalar(n, "final_train_loss") for n in names}
    val_loss = {n: seeds.scalar(n, "final_val_loss") for n in names}
    last_lr = {n: seeds.scalar(n, "last_lr") for n in names}
    rows = [
        [
            LABELS[n],
            describe(config, n),
            last_lr[n].format(3),
            train_loss[n].format(3),
            val_loss[n].format(3),
            accuracy[n].format(3, scale=100, unit=" %"),
        ]
        for n in names
    ]
    table = Table(
        "Learning rate of the last step, loss and accuracy (mean ± 95 % interval over seeds)",
        [
            "schedule",
            "settings",
            "learning rate of the last step",
            "final training loss",
            "final validation loss",
            "test accuracy",
        ],
        rows,
        note=f"SGD with momentum {config.momentum:g}, {config.epochs} epochs of "
        f"{per_epoch} steps. Learning rate of the last step: the rate the last training step "
        "used (the last point of the plot above). Final training loss: the trained network's "
        "cross-entropy over the training images; validation: over held-out training images.",
    )
    return [
        Figure(
            fig_lr,
            "The learning rate of each schedule",
            "Grey lines: epoch boundaries. Per-epoch schedules change the rate there; cyclic "
            "and one-cycle change it every step. Every schedule but reduce-on-plateau gives "
            "the same rates in every seed; the plateau rule's other seeds are dashed where "
            "they differ.",
        ),
        Figure(
            fig_loss,
            "Loss over training",
            "Bands: 95 % interval over seeds. Every schedule starts from the same weights and "
            "sees the same batches.",
        ),
        table,
        Text(*_reading(config, seeds, accuracy, train_loss, last_lr)),
    ]


def _times(n: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _reductions(result: Result) -> int:
    """How many times reduce-on-plateau lowered the rate that training used (a reduction
    after the last epoch reaches no step and does not count)."""
    rates = result.curves["plateau"]["epoch_lr"]
    return sum(1 for before, after in itertools.pairwise(rates) if after < before)


def _reading(
    config: Config, seeds: Seeds, accuracy: dict, train_loss: dict, last_lr: dict
) -> list[str]:
    names = list(config.schedules)
    by_accuracy = sorted(names, key=lambda n: -accuracy[n].mean)
    by_loss = sorted(names, key=lambda n: train_loss[n].mean)
    best, worst = by_accuracy[0], by_accuracy[-1]
    diverged = [n for n in names if max(seeds.values(n, "diverged")) > 0]
    paragraphs = [
        f"The {LABELS[best]} schedule reaches the best test accuracy "
        f"({accuracy[best].format(3, scale=100, unit=' %')}) and {LABELS[worst]} the lowest "
        f"({accuracy[worst].format(3, scale=100, unit=' %')}); "
        f"{LABELS[by_loss[0]]} ends with the lowest training loss "
        f"({train_loss[by_loss[0]].format(3)}) and {LABELS[by_loss[-1]]} with the highest "
        f"({train_loss[by_loss[-1]].format(3)})."
        + (
            f" {', '.join(LABELS[n] for n in diverged)} diverged in at least one seed."
            if diverged
            else ""
        )
    ]
    if "constant" in names and len(names) > 1:
        others = [n for n in names if n != "constant"]
        lower = [n for n in others if train_loss[n].high < train_loss["constant"].low]
        challenger = min(others, key=lambda n: train_loss[n].mean)
        paragraphs.append(
            f"Against the constant rate {config.lr:g}: "
            + verdict(
                LABELS[challenger],
                train_loss[challenger],
                "the constant rate",
                train_loss["constant"],
                what="final training loss",
            )
            + " "
            + (
                f"Schedules that end below the constant rate's training loss (a single seed: "
                f"no interval to judge the noise by): {', '.join(LABELS[n] for n in lower)}."
                if len(seeds) < 2 and lower
                else f"Schedules that end clearly below the constant rate's training loss "
                f"(non-overlapping intervals): {', '.join(LABELS[n] for n in lower)}. A rate "
                "that decays lets the last steps settle into a minimum instead of bouncing "
                "around it with the noise of the mini-batches."
                if lower
                else "No schedule ends below the constant rate's training loss here."
                if len(seeds) < 2
                else "No schedule ends clearly below the constant rate's training loss here "
                "(the intervals overlap)."
            )
            + " On test accuracy, "
            + verdict(
                LABELS[best if best != "constant" else by_accuracy[1]],
                accuracy[best if best != "constant" else by_accuracy[1]],
                "the constant rate",
                accuracy["constant"],
                what="test accuracy",
                lower_is_better=False,
                scale=100,
                unit=" %",
            )
        )
    if "plateau" in names:
        reductions = [_reductions(r) for r in seeds.results]
        wait = (
            "as soon as the validation loss failed to improve"
            if config.plateau_patience == 0
            else f"after more than {config.plateau_patience} epoch(s) without improvement of "
            "the validation loss"
        )
        if max(reductions) == 0:
            paragraphs.append(
                "Reduce-on-plateau never lowered the rate (it acts "
                f"{wait}): the validation loss kept improving, so it behaved as the constant "
                "rate."
            )
        else:
            times = (
                f"{_times(reductions[0])} in every seed"
                if min(reductions) == max(reductions)
                else f"{min(reductions)} to {max(reductions)} times depending on the seed"
            )
            paragraphs.append(
                f"Reduce-on-plateau, which acts {wait}, lowered the rate {times} during "
                f"training, whose last step used {last_lr['plateau'].format(3)}; it reacts to "
                "the noise of the validation loss, so its schedule can differ from seed to seed."
            )
    useful = [n for n in names if accuracy[n].mean >= USEFUL_ACCURACY]
    paragraphs.append(
        f"Every schedule trains to a useful accuracy (at least {USEFUL_ACCURACY:.0%})."
        if len(useful) == len(names)
        else f"Only {', '.join(LABELS[n] for n in useful) or 'none'} reach(es) "
        f"{USEFUL_ACCURACY:.0%} test accuracy at these settings."
    )
    return paragraphs


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
