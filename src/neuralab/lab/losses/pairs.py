"""Experiment C of the losses study, output activation and loss: an MLP (20-32-out, ReLU)
with each pair of output activation and loss, trained by SGD or Adam (``pair_optimizer``,
lr ``pair_lr``):

    sigmoid + BCE   L = -(t log p + (1-t) log(1-p)),  p = sigmoid(z):  dL/dz = p - t
    sigmoid + MSE   L = (p - t)^2:                                     dL/dz = 2 (p - t) p (1 - p)
    softmax + CE    L = -log p_y,  p = softmax(z):                    dL/dz = p - onehot(y)
    softmax + MSE   L = (1/C) sum_c (p_c - onehot_c)^2:  dL/dz_k = (2/C) p_k (e_k - sum_c e_c p_c),
                                                                       e = p - onehot(y)

The cross-entropy's gradient with respect to the logits is the error itself; MSE's is
the error multiplied by the slope of the output activation (p (1 - p) <= 1/4 for the
sigmoid), which shrinks it everywhere and vanishes when the output saturates, even when
it is confidently wrong. Binary pair: a balanced two-class problem; softmax pair: a
``pair_classes``-class problem. Convergence is read from the validation accuracy per
epoch: the epochs each pair needs to reach ``target_fraction`` (90 %) of the best
validation accuracy that either loss of the pair reaches in that seed (``pair_epochs + 1``
when never reached; the reading counts such seeds), and the mean validation accuracy over all
epochs (the area under the accuracy curve).
"""

from __future__ import annotations

from typing import Any

import numpy

import neuralab as nl
from neuralab import nn
from neuralab.data import make_classification
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Finding, Note, Reading, find
from neuralab.lab.losses.common import CLS_FEATURES, Config, data_seed, mlp, split, train, wins
from neuralab.lab.report import Figure
from neuralab.lab.stats import Band
from neuralab.lab.study import Result, Seeds
from neuralab.lab.toolkit import Metric, compare

__all__ = ["PAIRS", "losses", "report", "run", "softmax_mse"]

PAIRS = {
    "sigmoid": ("sigmoid+BCE", "sigmoid+MSE"),
    "softmax": ("softmax+CE", "softmax+MSE"),
}
EPOCHS = Metric("epochs_to_target", "epochs to the target accuracy")
MEAN_ACCURACY = Metric(
    "mean_val_accuracy", "mean validation accuracy over the epochs", False, PERCENT
)
METRICS = [
    EPOCHS,
    Metric("first_epoch_val_accuracy", "accuracy after epoch 1", False, PERCENT),
    MEAN_ACCURACY,
    Metric("final_val_accuracy", "final accuracy", False, PERCENT),
]
GRADIENT = (
    "The cross-entropy's gradient with respect to the logits is the error p - t itself; MSE "
    "multiplies it by the output activation's slope (at most 1/4 for the sigmoid), which "
    "vanishes where the output saturates, even on the wrong side. "
)
STEP = {  # what the pair optimizer's step makes of MSE's smaller gradient
    "sgd": "With plain SGD, whose step is lr times the gradient, every MSE step is smaller.",
    "adam": "Adam divides each step by the gradient's running size, so a smaller gradient "
    "alone does not make its MSE steps smaller; what remains is that saturated samples, the "
    "most wrong ones included, add almost nothing to the gradient's direction.",
}


def softmax_mse(logits: nl.Tensor, target: nl.Tensor) -> nl.Tensor:
    """(1/(N C)) sum_{n,c} (softmax(z_n)_c - onehot(y_n)_c)^2."""
    onehot = numpy.eye(logits.shape[1], dtype=numpy.float32)[target._data.astype(numpy.int64)]
    return nl.functional.mse_loss(nl.softmax(logits, 1), nl.tensor(onehot))


def losses(kind: str) -> dict[str, Any]:
    """The losses of a pair, by condition name: on probabilities (sigmoid, the model ends
    with nn.Sigmoid) or on logits (softmax)."""
    if kind == "sigmoid":
        return {"sigmoid+BCE": nn.BCELoss(), "sigmoid+MSE": nn.MSELoss()}
    return {"softmax+CE": nn.CrossEntropyLoss(), "softmax+MSE": softmax_mse}


def run(config: Config, result: Result) -> dict:
    """Train every pair; the curves and scalars go into ``result``, each problem's classes
    and target accuracy into the returned data."""
    info = {}
    for kind in PAIRS:
        classes = 2 if kind == "sigmoid" else config.pair_classes
        x, y = make_classification(
            config.pair_samples,
            CLS_FEATURES,
            n_informative=6,
            n_redundant=2,
            n_classes=classes,
            flip_y=0.0,
            seed=data_seed(),
        )
        train_set, val = split(len(y), round(0.75 * len(y)))
        target = y[:, None].astype(numpy.float32) if kind == "sigmoid" else y
        data, validation = (x[train_set], target[train_set]), (x[val], target[val])
        curves = {}
        for name, loss in losses(kind).items():
            model = mlp(CLS_FEATURES, 32, 1 if kind == "sigmoid" else classes)
            if kind == "sigmoid":
                model = nn.Sequential(model, nn.Sigmoid())
            history = train(
                model,
                loss,
                config.pair_optimizer,
                config.pair_lr,
                data,
                config.pair_epochs,
                config,
                validation=validation,
                metrics=["accuracy"],
            )
            curves[name] = numpy.array(history["val_accuracy"])
            loss_curve = numpy.array(history["loss"])
            result.curve(name, "val_accuracy", curves[name])
            result.curve(name, "train_loss", loss_curve)
            result.curve(name, "relative_train_loss", loss_curve / loss_curve[0])
        goal = config.target_fraction * max(float(c.max()) for c in curves.values())
        for name, curve in curves.items():
            reached = numpy.flatnonzero(curve >= goal)
            epochs = reached[0] + 1 if reached.size else config.pair_epochs + 1
            result.scalar(name, "epochs_to_target", epochs)
            result.scalar(name, "reached_target", float(reached.size > 0))
            result.scalar(name, "mean_val_accuracy", curve.mean())
            result.scalar(name, "first_epoch_val_accuracy", curve[0])
            result.scalar(name, "final_val_accuracy", curve[-1])
        info[kind] = {"classes": classes, "target": goal}
    return info


def report(config: Config, seeds: Seeds) -> list:
    """The curves, the table and the reading: for each output, whether cross-entropy
    converges faster than MSE by both measures; then why, for the pair optimizer."""
    n = len(seeds)
    names = [name for pair in PAIRS.values() for name in pair]
    c = compare(
        seeds,
        names,
        {name: name for name in names},
        METRICS,
        pairs=list(PAIRS.values()),
        title="C. Convergence of each pair",
        column="pair",
        note=f"Validation accuracy; {config.pair_optimizer.upper()} lr {config.pair_lr:g}, "
        f"batch {config.batch_size}, {config.pair_epochs} epochs; the target is "
        f"{100 * config.target_fraction:g} % of the best validation accuracy either loss of "
        "the pair reaches in that seed (a seed that never reaches it counts "
        f"{config.pair_epochs + 1} epochs).",
    )
    epochs, accuracy = c.estimates["epochs_to_target"], c.estimates["mean_val_accuracy"]
    groups: list[list[Finding]] = []
    for kind, (good, other) in PAIRS.items():
        if epochs[good].mean < epochs[other].mean and accuracy[good].mean > accuracy[other].mean:
            verdict = Note(
                f"{kind}:faster", f"On average, by both measures, {good} converges faster."
            )
        else:
            verdict = Note(
                f"{kind}:measures_disagree",
                f"The two measures do not agree that {good} converges faster.",
            )
        group = [
            find(c.findings, f"epochs_to_target:{good}-{other}"),
            wins(seeds, good, other, EPOCHS, f"reaches the target in fewer epochs than {other}"),
            wins(seeds, good, other, MEAN_ACCURACY),
            find(c.findings, f"mean_val_accuracy:{good}-{other}"),
            verdict,
        ]
        for name in (good, other):
            reached = int(sum(seeds.values(name, "reached_target")))
            if reached < n:
                group.append(Count(f"reached:{name}", name, "reached the target", reached, n))
        groups.append(group)
    groups.append([Note(f"step:{config.pair_optimizer}", GRADIENT + STEP[config.pair_optimizer])])
    figure = Figure(
        _figure(seeds),
        "C. Output activation and loss",
        "Validation accuracy and training loss (relative to its first epoch) per epoch, mean "
        f"over {n} seeds with 95 % bands.",
    )
    return [figure, c.table, Reading(*groups)]


def _figure(seeds: Seeds) -> Any:
    """Per output (a column): validation accuracy with the target, and the training loss
    relative to its first epoch."""
    fig, axes = plots.new_figure(ncols=2, nrows=2, width=6.0, height=3.8)
    for col, (kind, names) in enumerate(PAIRS.items()):
        target = 100 * numpy.mean([r.data["pairs"][kind]["target"] for r in seeds.results])
        percent = {}
        for name in names:
            b = seeds.curve(name, "val_accuracy")
            percent[name] = Band(100 * b.mean, 100 * b.low, 100 * b.high, b.n)
        ax = axes[col]
        plots.line_figure(
            f"{kind} output: validation accuracy",
            "epoch",
            "validation accuracy (%)",
            percent,
            ax=ax,
        )
        ax.set_ylim(0, 100)
        ax.axhline(target, color="#777", ls=":", lw=1)
        ax.text(1, target, f" target (mean {target:.1f} %)", va="bottom", fontsize="small")
        plots.line_figure(
            f"{kind} output: training loss",
            "epoch",
            "training loss / its first-epoch value (ratio)",
            {name: seeds.curve(name, "relative_train_loss") for name in names},
            ax=axes[2 + col],
        )
        axes[2 + col].set_ylim(0, 1.1)
    return fig
