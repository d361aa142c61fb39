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

This module also holds the helpers that studies 6 (schedules) and 7 (momentum) share:
``load_mnist`` (a seeded subsample of MNIST), ``train_mlp`` (the MLP trained with
``neuralab.train.fit`` for a given optimizer and schedule), ``paired_trainer`` (every
condition from the same weights on the same batches), ``window_means`` (also used by
studies 8 and 10) and ``bar_panel``.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy

import neuralab as nl
from neuralab import nn, optim
from neuralab.lab import plots
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Band, Estimate, verdict
from neuralab.lab.study import Result, Seeds, Study
from neuralab.models import MLP
from neuralab.train import Callback, History, NonFiniteLossError, evaluate, fit

__all__ = [
    "OPTIMIZERS",
    "Config",
    "MnistData",
    "Training",
    "bar_panel",
    "fit_to_means",
    "initial_weights",
    "steps_per_epoch",
    "load_mnist",
    "paired_trainer",
    "run",
    "report",
    "train_mlp",
    "window_means",
    "window_steps",
]

MNIST_TRAIN, MNIST_TEST = 60_000, 10_000


# --- shared helpers (studies 5 to 8 and 10) -------------------------------------------
@functools.lru_cache(maxsize=4)
def _mnist_arrays(train: bool, data_dir: str | None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The whole MNIST split, flattened and scaled to [-1, 1], read once per process
    (read-only: every subsample is a copy)."""
    from neuralab.data import MNIST

    x, y = MNIST(train=train, flatten=True, scale=(-1.0, 1.0)).arrays()
    x.flags.writeable = y.flags.writeable = False
    return x, y


@dataclass
class MnistData:
    """A subsample of MNIST: training, validation (other images of the training file, or
    None) and test arrays; images float32 (n, 784) in [-1, 1], labels int64 (n,)."""

    train: tuple[numpy.ndarray, numpy.ndarray]
    val: tuple[numpy.ndarray, numpy.ndarray] | None
    test: tuple[numpy.ndarray, numpy.ndarray]


def load_mnist(n_train: int | None, n_test: int | None, n_val: int = 0) -> MnistData:
    """``n_train`` training and ``n_val`` validation images drawn without replacement
    from MNIST's training file (disjoint), and ``n_test`` from its test file, by the
    global generator (so ``neuralab.manual_seed`` fixes them). None: every image (for the
    training set: every one not held out for validation)."""
    if n_val < 0 or (n_train is not None and n_train < 1) or (n_test is not None and n_test < 1):
        raise ValueError(
            f"load_mnist: sizes must be positive, got n_train={n_train}, n_val={n_val}, "
            f"n_test={n_test}"
        )
    data_dir = os.environ.get("NEURALAB_DATA")
    x, y = _mnist_arrays(True, data_dir)
    x_test, y_test = _mnist_arrays(False, data_dir)
    n_train = len(x) - n_val if n_train is None else n_train
    if n_train + n_val > len(x):
        raise ValueError(
            f"load_mnist: {n_train} training + {n_val} validation images, but MNIST has {len(x)}"
        )
    generator = nl.backend.generator()
    order = generator.permutation(len(x))
    train, val = numpy.sort(order[:n_train]), numpy.sort(order[n_train : n_train + n_val])
    if n_test is None or n_test >= len(x_test):
        test = numpy.arange(len(x_test))
    else:
        test = numpy.sort(generator.choice(len(x_test), n_test, replace=False))
    return MnistData(
        (x[train], y[train]),
        (x[val], y[val]) if n_val else None,
        (x_test[test], y_test[test]),
    )


@dataclass
class Training:
    """What ``train_mlp`` returns: the fit History (per-epoch 'loss', 'time', 'lr', with
    validation 'val_loss' and 'val_accuracy'; per-step 'step_loss' and 'step_lr'), the
    trained model's loss over the training images, its test loss and accuracy (a
    fraction), the learning rate the last training step used (not the rate a scheduler
    step after it set, which no step used), and whether training stopped on a non-finite
    loss (diverged: losses inf, accuracy 0)."""

    history: History
    train_loss: float
    test_loss: float
    test_accuracy: float
    last_lr: float
    diverged: bool = False


def train_mlp(
    data: MnistData,
    make_optimizer: Callable[[list], Any],
    *,
    epochs: int,
    batch_size: int = 64,
    hidden: Sequence[int] = (128, 64),
    make_scheduler: Callable[[Any, int], Any] | None = None,
    initial_state: dict | None = None,
    shuffle_seed: int | None = None,
) -> Training:
    """Train the MLP 784-hidden-10 (ReLU) with cross-entropy on ``data.train`` through
    ``neuralab.train.fit`` and evaluate it on ``data.test``.

    make_optimizer(parameters) -> optimizer; make_scheduler(optimizer, steps_per_epoch)
    -> scheduler (fit steps OneCycleLR and CyclicLR per batch, ReduceLROnPlateau on the
    validation loss, the others per epoch). initial_state: weights to start from (so
    several optimizers start alike); shuffle_seed: the batches' order (same seed, same
    batches). A NaN or infinite loss ends training early and sets ``diverged``.
    """
    from neuralab.data import DataLoader, TensorDataset

    model = MLP(784, tuple(hidden), 10)
    if initial_state is not None:
        model.load_state_dict(initial_state)
    optimizer = make_optimizer(list(model.parameters()))
    loader = DataLoader(
        TensorDataset(*data.train), batch_size, shuffle=True, generator=shuffle_seed
    )
    scheduler = make_scheduler(optimizer, len(loader)) if make_scheduler is not None else None
    loss = nn.CrossEntropyLoss()
    history, diverged = History(), False

    class _Keep(Callback):  # keeps the history if training stops on a NaN
        def on_train_begin(self, trainer: Any) -> None:
            trainer.history = history

    try:
        fit(
            model,
            loss,
            optimizer,
            loader,
            epochs,
            validation=data.val,
            metrics=["accuracy"] if data.val is not None else (),
            scheduler=scheduler,
            callbacks=[_Keep()],
            progress=False,
        )
    except NonFiniteLossError:
        diverged = True
    if diverged:
        train_loss, test_loss, test_accuracy = math.inf, math.inf, 0.0
    else:
        train_loss = evaluate(model, loss, data.train)["loss"]
        logs = evaluate(model, loss, data.test, ["accuracy"])
        test_loss, test_accuracy = logs["loss"], logs["accuracy"]
    used = history.steps["step_lr"]  # the rate of each step, recorded before the scheduler's
    lr = float(used[-1]) if used else float(optimizer.param_groups[0]["lr"])
    return Training(history, train_loss, test_loss, test_accuracy, lr, diverged)


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Mini-batches per epoch over n samples (the last one may be smaller)."""
    return -(-n // batch_size)


def initial_weights(hidden: Sequence[int] = (128, 64)) -> dict:
    """A copy of a freshly initialized MLP's weights (from the global generator)."""
    return {k: v.numpy().copy() for k, v in MLP(784, tuple(hidden), 10).state_dict().items()}


def paired_trainer(
    data: MnistData, *, epochs: int, batch_size: int, hidden: Sequence[int]
) -> Callable[..., Training]:
    """``train_mlp`` with the initial weights and the batches' order drawn once (from the
    global generator): every condition the returned function trains, as
    ``train(make_optimizer, make_scheduler=None)``, starts from the same weights and sees
    the same batches."""
    start = initial_weights(hidden)
    shuffle_seed = int(nl.backend.generator().integers(2**31))

    def train(
        make_optimizer: Callable[[list], Any],
        make_scheduler: Callable[[Any, int], Any] | None = None,
    ) -> Training:
        return train_mlp(
            data,
            make_optimizer,
            epochs=epochs,
            batch_size=batch_size,
            hidden=hidden,
            make_scheduler=make_scheduler,
            initial_state=start,
            shuffle_seed=shuffle_seed,
        )

    return train


def window_means(values: Sequence[float], window: int) -> list[float]:
    """The means of consecutive windows of ``window`` values (a last, shorter window
    included): a readable per-step curve."""
    x = numpy.asarray(values, dtype=float)
    return [float(x[i : i + window].mean()) for i in range(0, len(x), max(1, window))]


def window_steps(n_steps: int, window: int) -> numpy.ndarray:
    """The step at the middle of each window of ``window_means`` (steps counted from 1)."""
    starts = numpy.arange(0, n_steps, max(1, window))
    ends = numpy.minimum(starts + window, n_steps)
    return (starts + ends + 1) / 2


def bar_panel(
    ax: Any,
    names: Sequence[str],
    estimates: Sequence[Estimate],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    scale: float = 1.0,
) -> None:
    """One bar per condition (mean over seeds) with its 95 % interval as an error bar; the
    legend, below the panel, names the bars."""
    for i, (name, e, color) in enumerate(zip(names, estimates, plots.COLORS * 3)):
        low, high = (e.mean - e.low) * scale, (e.high - e.mean) * scale
        ax.bar(
            i, e.mean * scale, color=color, label=name, yerr=[[low], [high]], capsize=4, alpha=0.85
        )
    ax.set_xticks([])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(
        fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(names), 3)
    )


def fit_to_means(ax: Any, bands: Iterable[Band], logy: bool = False, margin: float = 0.08) -> None:
    """Set the y range to the mean curves' (with a margin), so that the wide bands of a
    few seeds do not squash the curves; the bands are cut at the edges."""
    means = [b.mean[numpy.isfinite(b.mean)] for b in bands]
    means = [m for m in means if len(m)]
    if not means:
        return
    lo, hi = min(float(m.min()) for m in means), max(float(m.max()) for m in means)
    if logy and lo > 0:
        ratio = (hi / lo) ** margin if hi > lo else 2.0
        ax.set_ylim(lo / ratio, hi * ratio)
    else:
        pad = (hi - lo) * margin if hi > lo else max(abs(hi), 1.0) * margin
        ax.set_ylim(lo - pad, hi + pad)


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
    """The optimizer ``name`` with the config's learning rate, as a factory of parameters."""
    lr = learning_rate(config, name)
    return {
        "sgd": lambda p: optim.SGD(p, lr=lr),
        "momentum": lambda p: optim.SGD(p, lr=lr, momentum=config.momentum),
        "adam": lambda p: optim.Adam(p, lr=lr),
        "rmsprop": lambda p: optim.RMSprop(p, lr=lr),
        "adagrad": lambda p: optim.Adagrad(p, lr=lr),
    }[name]


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
    fit_to_means(axes[0], curves.values(), logy=True)
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
        fit_to_means(axes[1], per_epoch.values(), logy=True)
    accuracy = {n: seeds.scalar(n, "test_accuracy") for n in names}
    seconds = {n: seeds.scalar(n, "seconds_per_epoch") for n in names}
    loss = {n: seeds.scalar(n, "final_train_loss") for n in names}
    bars, (ax_acc, ax_time) = plots.new_figure(2, width=5.6, height=4.2)
    bar_panel(
        ax_acc,
        [label[n] for n in names],
        [accuracy[n] for n in names],
        title="Test accuracy after training",
        xlabel="optimizer",
        ylabel="test accuracy (%)",
        scale=100,
    )
    ax_acc.set_ylim(0, 100)
    bar_panel(
        ax_time,
        [label[n] for n in names],
        [seconds[n] for n in names],
        title="Wall-clock time per epoch (training loop)",
        xlabel="optimizer",
        ylabel="time per epoch (s)",
    )
    rows = [
        [
            label[n],
            describe(config, n),
            loss[n].format(3),
            accuracy[n].format(3, scale=100, unit=" %"),
            seconds[n].format(3, unit=" s"),
        ]
        for n in names
    ]
    table = Table(
        "Final training loss, test accuracy and time per epoch (mean ± 95 % interval over seeds)",
        ["optimizer", "settings", "final training loss", "test accuracy", "seconds per epoch"],
        rows,
        note="Final training loss: the trained network's mean cross-entropy over the training "
        "images. Seconds per epoch: wall-clock time of the training loop only (noisy on a shared "
        "machine).",
    )
    return [
        Figure(
            fig,
            "Training loss over training",
            f"{seeds.first.data['train_size']} training images, batch {config.batch_size}, "
            f"{config.epochs} epoch(s); all optimizers start from the same weights and see the "
            "same batches; the band is the 95 % interval over seeds.",
        ),
        table,
        Figure(bars, "Test accuracy and time per epoch", "Error bars: 95 % interval over seeds."),
        Text(*_reading(config, seeds, label, accuracy, loss, seconds)),
    ]


def _reading(
    config: Config,
    seeds: Seeds,
    label: dict[str, str],
    accuracy: dict[str, Estimate],
    loss: dict[str, Estimate],
    seconds: dict[str, Estimate],
) -> list[str]:
    names = list(config.optimizers)
    by_accuracy = sorted(names, key=lambda n: -accuracy[n].mean)
    best, worst = by_accuracy[0], by_accuracy[-1]
    diverged = [n for n in names if max(seeds.values(n, "diverged")) > 0]
    paragraphs = [
        f"After {seeds.first.data['steps']} steps, {label[best]} reaches the best test "
        f"accuracy ({accuracy[best].format(3, scale=100, unit=' %')}) and {label[worst]} the "
        f"lowest ({accuracy[worst].format(3, scale=100, unit=' %')}). "
        + (
            "Every optimizer learns: even the lowest is far above the 10 % of guessing."
            if accuracy[worst].mean > 0.5
            else f"{label[worst]} has only partly learned in these steps, though it is well "
            "above the 10 % of guessing."
            if accuracy[worst].mean > 0.2
            else f"{label[worst]} has not learned: it stays close to the 10 % of guessing."
        )
        + (
            f" {', '.join(label[n] for n in diverged)} diverged (a non-finite loss) in at "
            "least one seed."
            if diverged
            else ""
        )
    ]
    comparisons = []
    for a, b in (("adam", "sgd"), ("momentum", "sgd"), ("adam", "momentum")):
        if a in names and b in names:
            comparisons.append(
                verdict(label[a], loss[a], label[b], loss[b], what="final training loss")
                + " "
                + verdict(
                    label[a],
                    accuracy[a],
                    label[b],
                    accuracy[b],
                    what="test accuracy",
                    lower_is_better=False,
                    scale=100,
                    unit=" %",
                )
            )
    if "sgd" in names and any(n != "sgd" for n in names):
        better = [n for n in names if n != "sgd" and loss[n].high < loss["sgd"].low]
        ends = "ends" if len(better) == 1 else "end"
        comparisons.append(
            f"Plain SGD at lr {config.sgd_lr:g} moves each weight by lr times its "
            "gradient, the adaptive methods by about lr whatever the gradient's size; "
            + (
                f"{', '.join(label[n] for n in better)} {ends} with a lower training loss "
                "(a single seed: no interval to judge the noise by)."
                if len(seeds) < 2 and better
                else f"{', '.join(label[n] for n in better)} {ends} with a training loss "
                "clearly below it (non-overlapping intervals)."
                if better
                else "no other optimizer ends with a training loss clearly below it here."
            )
        )
    paragraphs.extend(comparisons)
    fastest = min(names, key=lambda n: seconds[n].mean)
    slowest = max(names, key=lambda n: seconds[n].mean)
    if fastest != slowest:
        ratio = seconds[slowest].mean / seconds[fastest].mean
        paragraphs.append(
            f"Per epoch, {label[fastest]} is the cheapest "
            f"({seconds[fastest].format(3, unit=' s')}) and {label[slowest]} the dearest "
            f"({seconds[slowest].format(3, unit=' s')}, {ratio:.2f} times as long): "
            + verdict(
                label[fastest],
                seconds[fastest],
                label[slowest],
                seconds[slowest],
                what="time per epoch",
                unit=" s",
            )
            + " The forward and backward passes are the same for every optimizer; only the "
            "update differs, with what each keeps per weight ("
            + "; ".join(f"{label[n]}: {_state(config, n)}" for n in names)
            + "), and wall-clock times on a shared machine are noisy."
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
