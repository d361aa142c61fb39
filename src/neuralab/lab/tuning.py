"""Study 11, tuning: grid search, random search, Bayesian optimization (TPE) and Hyperband
search the hyperparameters of the MNIST MLP with the same budget of training epochs;
which one finds the best configuration for the epochs spent?

Every strategy searches the same space, the learning rate (log-uniform), the optimizer
(SGD with momentum 0.9, Adam, RMSprop, Adagrad) and the width of the first hidden layer
(two hidden layers, the second half as wide), on the same data, each trial trained for
the same epochs with per-epoch validation accuracy, until the epochs trained by all its
trials reach the budget:

- grid: the points of a grid (3 learning rates x 4 optimizers x 2 widths), in a
  shuffled order; a budget smaller than the grid leaves part of it unvisited;
- random: independent draws from the space;
- TPE (tree-structured Parzen estimator): after a few random trials, draws where the
  density of good trials is high relative to that of bad ones;
- Hyperband: TPE's draws, but trials behind the others after 1, 3, ... epochs are
  stopped, so the same budget tries more configurations.

Each strategy is an Optuna study of ``neuralab.tune`` (an SQLite file in a temporary
folder); its best configuration is retrained on training + validation data and tested.
The samplers are seeded alike, so random search and TPE share their first (random) trials
(common random numbers): where they differ is what TPE's model adds.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from typing import Any

from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Fmt, Measure, Reading, Threshold
from neuralab.lab.report import Figure
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Band, band
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import Metric, compare

__all__ = ["STRATEGIES", "Config", "best_by_epoch", "report", "run"]

STRATEGIES = ("grid", "random", "tpe", "hyperband")
LABELS = {"grid": "grid", "random": "random", "tpe": "TPE", "hyperband": "Hyperband (TPE)"}


@dataclass
class Config:
    strategies: tuple[str, ...] = STRATEGIES
    data: str = "mnist"  # mnist, fashion-mnist, digits or synthetic
    n_train: int = 10_000
    n_val: int = 5_000
    n_test: int = 10_000
    epochs: int = 4  # per trial (the pruners' maximum)
    epoch_budget: int = 48  # epochs of all trials of one strategy
    lr_low: float = 1e-4
    lr_high: float = 0.3
    widths: tuple[int, ...] = (64, 256)

    def __post_init__(self) -> None:
        unknown = [s for s in self.strategies if s not in STRATEGIES]
        if unknown or not self.strategies or len(set(self.strategies)) != len(self.strategies):
            raise ValueError(
                f"tuning: strategies must be distinct names among {', '.join(STRATEGIES)}, "
                f"got {self.strategies!r}"
            )
        for key in ("n_train", "n_val", "n_test", "epochs", "epoch_budget"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"tuning: {key} must be a positive integer, got {value!r}")
        if self.epoch_budget < self.epochs:
            raise ValueError(
                f"tuning: epoch_budget ({self.epoch_budget}) must be at least one trial's "
                f"epochs ({self.epochs})"
            )
        if not 0 < self.lr_low < self.lr_high:
            raise ValueError(
                f"tuning: need 0 < lr_low < lr_high, got lr_low={self.lr_low}, "
                f"lr_high={self.lr_high}"
            )
        if not self.widths or min(self.widths) < 4:
            raise ValueError(f"tuning: widths must be layer sizes >= 4, got {self.widths!r}")


def tune_config(config: Config, seed: int) -> Any:
    """The ``neuralab.tune`` configuration every strategy shares."""
    from neuralab import tune

    search: dict[str, Any] = {
        "lr": {"low": config.lr_low, "high": config.lr_high, "log": True, "points": 3},
        "optimizer": ["sgd", "adam", "rmsprop", "adagrad"],
    }
    fixed = {"depth": 2, "batch_size": 64, "momentum": 0.9}
    low, high = min(config.widths), max(config.widths)
    if low < high:
        search["width"] = {"low": low, "high": high, "grid": list(config.widths)}
    else:  # one width: not searched (a range low..low+1 would let random search draw low+1)
        fixed["width"] = low
    return tune.TuneConfig(
        search=search,
        data=tune.DataConfig(
            config.data, n_train=config.n_train, n_val=config.n_val, n_test=config.n_test
        ),
        fixed=fixed,
        epochs=config.epochs,
        name="lab",
        trials=None,
        epoch_budget=config.epoch_budget,
        metric="val_accuracy",
        seed=seed,
        baseline=False,
        retrain=True,
    )


def best_by_epoch(result: Any, budget: int) -> list[float | None]:
    """The best validation accuracy found after e epochs, e = 1 .. budget (None, i.e.
    undefined rather than diverged, before the first complete trial; bands read it as NaN
    and do not draw it): the search's progress on one axis for every strategy."""
    epochs, best = result.best_so_far()
    curve: list[float | None] = []
    j, current = 0, None
    for e in range(1, budget + 1):
        while j < len(epochs) and epochs[j] <= e:
            current = best[j]
            j += 1
        curve.append(current)
    return curve


def run(config: Config, seed: int) -> Result:
    from neuralab import tune
    from neuralab.tune.runner import load_data

    base = tune_config(config, seed)
    splits = load_data(base)
    result = Result()
    with tempfile.TemporaryDirectory(prefix="neuralab-tuning-") as folder:
        outcomes = tune.compare(
            base,
            config.strategies,
            storage=f"{folder}/studies.db",
            out=None,
            log=None,
            splits=splits,
        )
    for name, r in zip(config.strategies, outcomes):
        result.scalar(name, "best_val_accuracy", r.best["value"] if r.best else math.nan)
        result.scalar(name, "test_accuracy", r.test["test_accuracy"] if r.test else math.nan)
        result.scalar(name, "trials", len(r.finished))
        result.scalar(name, "pruned", sum(t.state == "PRUNED" for t in r.trials))
        result.scalar(name, "epochs", r.epochs_spent)
        result.scalar(name, "seconds", r.seconds)
        result.curve(name, "best_by_epoch", best_by_epoch(r, config.epoch_budget))
        result.data[name] = {
            "best": r.best,
            "trials": [
                {"number": t.number, "state": t.state, "params": t.params, "value": t.value,
                 "epochs": t.epochs}
                for t in r.trials
            ],
        }  # fmt: skip
    result.data["sizes"] = {
        "train": len(splits.train[1]),
        "val": len(splits.val[1]),
        "test": len(splits.test[1]),
    }
    return result


def _curve(seeds: Seeds, name: str) -> Band:
    """The mean best-so-far curve over seeds (NaN, not drawn, until every seed has a
    complete trial)."""
    return band([r.curves[name]["best_by_epoch"] for r in seeds.results], bounds=FRACTION)


TEST = Metric(
    "test_accuracy",
    "test accuracy of the best configuration",
    lower_is_better=False,
    fmt=PERCENT,
    axis="test accuracy (%)",
)
METRICS = (
    Metric("trials", "trials", axis="trials (complete or pruned)"),
    Metric("pruned", "pruned"),
    Metric("epochs", "epochs"),
    Metric("best_val_accuracy", "best validation accuracy", lower_is_better=False, fmt=PERCENT),
    TEST,
    Metric("seconds", "seconds", fmt=Fmt(3, 1.0, " s")),
)
# The pairs the reading tests on test accuracy: what TPE's model adds to random search, what
# Hyperband's pruning adds to TPE, and random search against the grid.
PAIRS = (("tpe", "random"), ("hyperband", "tpe"), ("random", "grid"))


def report(config: Config, seeds: Seeds) -> list:
    names = list(config.strategies)
    label = {n: LABELS[n] for n in names}
    sizes = seeds.first.data["sizes"]
    fig, (ax,) = plots.new_figure(width=7.0, height=4.4)
    curves = {label[n]: _curve(seeds, n) for n in names}
    plots.line_figure(
        "Best validation accuracy found for the epochs spent",
        "epochs trained by all trials of the strategy",
        "best validation accuracy so far",
        curves,
        ax=ax,
    )
    plots.fit_to_means(ax, curves.values())  # a few seeds' wide bands would squash the curves
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, 0.0), min(high, 1.0))
    comparison = compare(
        seeds,
        names,
        label,
        METRICS,
        pairs=PAIRS,
        title="Each strategy with the same epoch budget",
        column="strategy",
        note=f"Budget: {config.epoch_budget} epochs per strategy, {config.epochs} per full "
        "trial; the last trial may end past the budget. Test accuracy: the best "
        "configuration retrained on training + validation data.",
        figure_title="Test accuracy and trials tried",
    )
    tested = [
        e.mean for e in comparison.estimates["test_accuracy"].values() if math.isfinite(e.mean)
    ]
    if tested:  # the test accuracies' panel shows their range, not 0 to 100 %
        panel = [m for m in METRICS if m.axis].index(TEST)
        comparison.figure.figure.axes[panel].set_ylim(max(0.0, 100 * min(tested) - 10), 100)
    return [
        Figure(
            fig,
            "Search progress for the epochs spent",
            f"{sizes['train']} training, {sizes['val']} validation and {sizes['test']} test "
            f"images of {config.data}; the band is the 95 % interval over seeds (a strategy's "
            "curve starts at its first complete trial).",
        ),
        comparison.table,
        comparison.figure,
        Reading(*findings(config, seeds, comparison.findings)),
    ]


def findings(config: Config, seeds: Seeds, compared: list) -> list[list]:
    """The reading: the strategies ranked on the best validation accuracy they found; with
    Hyperband, the trials it stopped early and whether it so tried more configurations
    than the budget's epochs / a trial's epochs; and the test accuracy of TPE against
    random search, Hyperband against TPE and random search against the grid (PAIRS)."""
    paragraphs = [[f for f in compared if f.key == "best_val_accuracy_order"]]
    if "hyperband" in config.strategies:
        per = config.epoch_budget // config.epochs
        paragraphs.append(
            [
                Measure(
                    "hyperband_pruned",
                    LABELS["hyperband"],
                    "number of trials stopped early",
                    seeds.scalar("hyperband", "pruned"),
                ),
                Threshold(
                    "hyperband_trials",
                    LABELS["hyperband"],
                    "number of configurations tried",
                    seeds.scalar("hyperband", "trials"),
                    per,
                    above=True,
                    meaning="about what a strategy without pruning tries in the budget",
                    fmt=Fmt(2),
                ),
            ]
        )
    paragraphs.append([f for f in compared if f.key.startswith("test_accuracy:")])
    return paragraphs


STUDY = Study(
    name="tuning",
    title="11. Hyperparameter tuning",
    question=(
        "For the same budget of training epochs, which search strategy finds the best "
        "hyperparameters of the MNIST MLP: grid, random, Bayesian (TPE) or Hyperband?"
    ),
    config=Config,
    run=run,
    report=report,
    bounds={
        "best_val_accuracy": FRACTION,
        "test_accuracy": FRACTION,
        "trials": NON_NEGATIVE,
        "pruned": NON_NEGATIVE,
        "epochs": NON_NEGATIVE,
        "seconds": NON_NEGATIVE,
        "best_by_epoch": FRACTION,
    },
    quick={
        "data": "digits",
        "n_train": 600,
        "n_val": 300,
        "n_test": 350,
        "epochs": 3,
        "epoch_budget": 24,
        "widths": (32, 64),
    },
)
