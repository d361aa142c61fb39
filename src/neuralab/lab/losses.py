"""Study 4, loss functions: which loss for which problem, in three experiments.

**A. Regression with outliers.** ``make_regression`` (10 features, all informative,
Gaussian noise of standard deviation ``reg_noise``) with a fraction ``outliers`` of the
*training* targets corrupted, y_i <- y_i +- u_i * outlier_scale * std(y), u_i ~ U(1, 2);
the test targets are the clean ones. A linear model (``reg_hidden=0``; or an MLP with one
ReLU hidden layer) is trained with Adam on each loss, with d = prediction - target:

    MSE          l = d^2                                       dl/dd = 2 d
    MAE (L1)     l = |d|                                       dl/dd = sign(d)
    Huber        l = d^2 / 2 if |d| < delta else delta (|d| - delta/2)    dl/dd = clip(d, +-delta)
    quantile q   l = q (-d) if d <= 0 else (1 - q) d           (pinball; minimized by the
                                                                q-th quantile of the target)

MSE's gradient grows with the residual, so a few outliers far away pull the fit towards
them; MAE and Huber cap each sample's pull (at 1 and delta), so the fit follows the
majority: MSE estimates the conditional mean, MAE the conditional median, Huber something
between that behaves like the median when outliers are rare and large. The quantile loss
at q = 0.5 is half the MAE (under Adam, which ignores the loss's scale, the same fit), so
the study runs it at ``quantile`` (0.9): it estimates a different quantity, the 90th
percentile, and is judged by its *coverage*, the fraction of clean test targets at or
below the prediction (for symmetric outliers of fraction f, the training targets' q-th
quantile lies at the clean noise distribution's (q - f/2) / (1 - f) quantile: 0.944 for
q = 0.9, f = 0.1). The targets are scaled for training by the training targets' median and
1.4826 x median absolute deviation (a spread estimate that outliers barely move), so
``huber_delta`` is in units of that spread; errors are reported in target units on the
clean test set (RMSE and MAE). A reference model trained with MSE on the clean training
targets shows what the outliers cost.

**B. Class imbalance.** ``make_classification(imbalance=0.05)`` (20 features, 95 % class 0,
5 % class 1), half for training, half for testing; an MLP 20-16-2 trained with Adam on the
cross-entropy, unweighted and with the balanced class weights w_c = n / (C n_c),

    L = sum_i w_{y_i} (-log softmax(z_i)_{y_i}) / sum_i w_{y_i},

which make the minority class count as much as the majority in total. On the test set:
the minority class's recall tp / (tp + fn), precision tp / (tp + fp) and F1 = 2PR / (P + R),
and the accuracy (which the unweighted loss can keep high by rarely predicting class 1).

**C. Output activation and loss.** The same MLP (20-32-out, ReLU) on the same problem, with
each pair of output activation and loss, trained by SGD or Adam (``pair_optimizer``, lr
``pair_lr``):

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
when never reached, flagged in the table), and the mean validation accuracy over all
epochs (the area under the accuracy curve).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy

import neuralab as nl
from neuralab import backend, metrics, nn, optim
from neuralab.data import make_classification, make_regression
from neuralab.lab import plots
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, Estimate, verdict
from neuralab.lab.study import Result, Seeds, Study
from neuralab.train import fit, predict

REG_FEATURES, CLS_FEATURES = 10, 20
CLEAN = "MSE, clean targets"  # the reference trained without outliers
IMBALANCE = ("unweighted CE", "weighted CE")
PAIRS = {
    "sigmoid": ("sigmoid+BCE", "sigmoid+MSE"),
    "softmax": ("softmax+CE", "softmax+MSE"),
}


@dataclass
class Config:
    # A. regression with outliers
    reg_train: int = 1000  # training samples (their targets partly corrupted)
    reg_test: int = 1000  # clean test samples
    reg_noise: float = 20.0  # standard deviation of the targets' Gaussian noise
    outliers: float = 0.1  # fraction of training targets corrupted
    outlier_scale: float = 10.0  # outlier size, in standard deviations of the targets
    huber_delta: float = 1.0  # in units of the targets' robust spread
    quantile: float = 0.9
    reg_hidden: int = 0  # 0: a linear model; else one ReLU hidden layer of this width
    reg_epochs: int = 100
    reg_lr: float = 0.01  # Adam
    # B. class imbalance
    imb_samples: int = 4000  # half for training, half for testing
    imbalance: float = 0.05  # fraction of the minority class
    imb_epochs: int = 50
    imb_lr: float = 1e-3  # Adam
    # C. activation and loss pairs
    pair_samples: int = 2000  # 75 % training, 25 % validation
    pair_classes: int = 4  # classes of the softmax pair's problem
    pair_epochs: int = 30
    pair_optimizer: str = "sgd"  # 'sgd' or 'adam'
    pair_lr: float = 0.02
    target_fraction: float = 0.9  # of the best validation accuracy of the pair
    batch_size: int = 32

    def __post_init__(self) -> None:
        def bad(message: str) -> ValueError:
            return ValueError(f"losses: {message}")

        for name in ("reg_train", "reg_test", "imb_samples", "pair_samples"):
            if getattr(self, name) < 20:
                raise bad(f"{name} must be at least 20, got {getattr(self, name)}")
        for name in ("reg_epochs", "imb_epochs", "pair_epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise bad(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("reg_lr", "imb_lr", "pair_lr", "huber_delta", "outlier_scale"):
            if not getattr(self, name) > 0:
                raise bad(f"{name} must be positive, got {getattr(self, name)}")
        if not self.reg_noise >= 0:
            raise bad(f"reg_noise must be non-negative, got {self.reg_noise}")
        if not 0 <= self.outliers < 0.5:
            raise bad(f"outliers must be in [0, 0.5), got {self.outliers}")
        if not 0 < self.quantile < 1:
            raise bad(f"quantile must be in (0, 1), got {self.quantile}")
        if self.reg_hidden < 0:
            raise bad(f"reg_hidden must be 0 (a linear model) or more, got {self.reg_hidden}")
        if not 0 < self.imbalance < 0.5:
            raise bad(f"imbalance must be in (0, 0.5), got {self.imbalance}")
        if self.pair_classes < 3:
            raise bad(f"pair_classes must be at least 3, got {self.pair_classes}")
        if self.pair_optimizer not in ("sgd", "adam"):
            raise bad(f"pair_optimizer must be 'sgd' or 'adam', got {self.pair_optimizer!r}")
        if not 0 < self.target_fraction <= 1:
            raise bad(f"target_fraction must be in (0, 1], got {self.target_fraction}")


def _seed() -> int:
    """A data seed drawn from the global generator (so manual_seed fixes the data)."""
    return int(backend.generator().integers(2**31 - 1))


def _split(n: int, n_first: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    order = backend.generator().permutation(n)
    return order[:n_first], order[n_first:]


# --- A. regression with outliers ------------------------------------------------------------
def regression_losses(config: Config) -> dict[str, Any]:
    """The losses of experiment A, by condition name."""
    return {
        "MSE": nn.MSELoss(),
        "MAE": nn.L1Loss(),
        f"Huber (delta {config.huber_delta:g})": nn.HuberLoss(delta=config.huber_delta),
        f"quantile {config.quantile:g}": nn.QuantileLoss(config.quantile),
    }


def outlier_experiment(config: Config, result: Result) -> dict:
    n = config.reg_train + config.reg_test
    seed = _seed()
    common = dict(n_informative=REG_FEATURES, noise=config.reg_noise, seed=seed)
    x, y_clean = make_regression(n, REG_FEATURES, **common)
    _, y_dirty, hit = make_regression(
        n,
        REG_FEATURES,
        outliers=config.outliers,
        outlier_scale=config.outlier_scale,
        return_outliers=True,
        **common,
    )  # same seed: the same x and clean targets, some of them corrupted
    train, test = _split(n, config.reg_train)
    conditions = [(CLEAN, nn.MSELoss(), y_clean)]
    conditions += [(name, loss, y_dirty) for name, loss in regression_losses(config).items()]
    shown = {}
    for name, loss, y in conditions:
        center = float(numpy.median(y[train]))
        spread = 1.4826 * float(numpy.median(numpy.abs(y[train] - center))) or 1.0
        if config.reg_hidden:
            model = nn.Sequential(
                nn.Linear(REG_FEATURES, config.reg_hidden),
                nn.ReLU(),
                nn.Linear(config.reg_hidden, 1),
            )
        else:
            model = nn.Linear(REG_FEATURES, 1)
        target = ((y[train] - center) / spread)[:, None].astype(numpy.float32)
        history = fit(
            model,
            loss,
            optim.Adam(model.parameters(), lr=config.reg_lr),
            (x[train], target),
            config.reg_epochs,
            batch_size=config.batch_size,
            progress=False,
        )
        prediction = predict(model, x[test])._data[:, 0].astype(numpy.float64) * spread + center
        error = prediction - y_clean[test]
        result.curve(name, "train_loss", history["loss"])
        result.scalar(name, "test_rmse", numpy.sqrt(numpy.mean(error**2)))
        result.scalar(name, "test_mae", numpy.mean(numpy.abs(error)))
        result.scalar(name, "coverage", numpy.mean(y_clean[test] <= prediction))
        shown[name] = prediction[:200].tolist()
    return {
        "clean_test": y_clean[test][:200].tolist(),
        "predictions": shown,
        "outliers_in_train": int(hit[train].sum()),
        "target_std": float(y_clean.std()),
    }


# --- B. class imbalance ---------------------------------------------------------------------
def imbalance_experiment(config: Config, result: Result) -> dict:
    x, y = make_classification(
        config.imb_samples,
        CLS_FEATURES,
        n_informative=5,
        n_redundant=2,
        imbalance=config.imbalance,
        flip_y=0.0,
        seed=_seed(),
    )
    train, test = _split(len(y), len(y) // 2)
    counts = numpy.bincount(y[train], minlength=2).astype(numpy.float64)
    balanced = len(train) / (2 * numpy.maximum(counts, 1))  # w_c = n / (C n_c)
    for name, weight in zip(IMBALANCE, (None, balanced.astype(numpy.float32))):
        model = nn.Sequential(nn.Linear(CLS_FEATURES, 16), nn.ReLU(), nn.Linear(16, 2))
        fit(
            model,
            nn.CrossEntropyLoss(weight=weight),
            optim.Adam(model.parameters(), lr=config.imb_lr),
            (x[train], y[train]),
            config.imb_epochs,
            batch_size=config.batch_size,
            progress=False,
        )
        predicted = predict(model, x[test])._data.argmax(axis=1)
        truth = y[test]
        result.scalar(name, "minority_recall", metrics.recall(truth, predicted))
        result.scalar(name, "minority_precision", metrics.precision(truth, predicted))
        result.scalar(name, "minority_f1", metrics.f1_score(truth, predicted))
        result.scalar(name, "accuracy", metrics.accuracy(truth, predicted))
        result.scalar(name, "predicted_minority", float((predicted == 1).sum()))
    return {
        "class_weights": balanced.tolist(),
        "minority_train": int(counts[1]),
        "minority_test": int((y[test] == 1).sum()),
        "test_size": len(test),
    }


# --- C. activation and loss pairs -----------------------------------------------------------
def softmax_mse(logits: nl.Tensor, target: nl.Tensor) -> nl.Tensor:
    """(1/(N C)) sum_{n,c} (softmax(z_n)_c - onehot(y_n)_c)^2."""
    onehot = numpy.eye(logits.shape[1], dtype=numpy.float32)[target._data.astype(numpy.int64)]
    return nl.functional.mse_loss(nl.softmax(logits, 1), nl.tensor(onehot))


def pair_losses(kind: str) -> dict[str, Any]:
    """The losses of a pair, by condition name: on probabilities (sigmoid, the model ends
    with nn.Sigmoid) or on logits (softmax)."""
    if kind == "sigmoid":
        return {"sigmoid+BCE": nn.BCELoss(), "sigmoid+MSE": nn.MSELoss()}
    return {"softmax+CE": nn.CrossEntropyLoss(), "softmax+MSE": softmax_mse}


def pair_experiment(config: Config, result: Result) -> dict:
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
            seed=_seed(),
        )
        train, val = _split(len(y), round(0.75 * len(y)))
        target = y[:, None].astype(numpy.float32) if kind == "sigmoid" else y
        curves = {}
        for name, loss in pair_losses(kind).items():
            out = 1 if kind == "sigmoid" else classes
            layers = [nn.Linear(CLS_FEATURES, 32), nn.ReLU(), nn.Linear(32, out)]
            model = nn.Sequential(*layers, *([nn.Sigmoid()] if kind == "sigmoid" else []))
            params = model.parameters()
            if config.pair_optimizer == "sgd":
                opt = optim.SGD(params, lr=config.pair_lr)
            else:
                opt = optim.Adam(params, lr=config.pair_lr)
            history = fit(
                model,
                loss,
                opt,
                (x[train], target[train]),
                config.pair_epochs,
                validation=(x[val], target[val]),
                metrics=["accuracy"],
                batch_size=config.batch_size,
                progress=False,
            )
            curves[name] = numpy.array(history["val_accuracy"])
            losses = numpy.array(history["loss"])
            result.curve(name, "val_accuracy", curves[name])
            result.curve(name, "train_loss", losses)
            result.curve(name, "relative_train_loss", losses / losses[0])
        best = max(float(c.max()) for c in curves.values())
        goal = config.target_fraction * best
        for name, curve in curves.items():
            reached = numpy.flatnonzero(curve >= goal)
            result.scalar(
                name, "epochs_to_target", reached[0] + 1 if reached.size else config.pair_epochs + 1
            )
            result.scalar(name, "reached_target", float(reached.size > 0))
            result.scalar(name, "mean_val_accuracy", curve.mean())
            result.scalar(name, "first_epoch_val_accuracy", curve[0])
            result.scalar(name, "final_val_accuracy", curve[-1])
        info[kind] = {"classes": classes, "target": goal}
    return info


def run(config: Config, seed: int) -> Result:
    result = Result()
    result.data = {
        "outliers": outlier_experiment(config, result),
        "imbalance": imbalance_experiment(config, result),
        "pairs": pair_experiment(config, result),
    }
    return result


# --- report ---------------------------------------------------------------------------------
def _bars(
    ax: Any,
    labels: list[str],
    estimates: list[Estimate],
    scale: float = 1.0,
    colors: Any = None,
    offset: float = 0.0,
    width: float = 0.7,
    label: str | None = None,
):
    xs = numpy.arange(len(labels)) + offset
    means = [e.mean * scale for e in estimates]
    # the interval as an error bar below and above the mean (cut at the metric's bounds)
    errors = [
        [(e.mean - e.low) * scale for e in estimates],
        [(e.high - e.mean) * scale for e in estimates],
    ]
    ax.bar(
        xs,
        means,
        width=width,
        yerr=errors,
        capsize=4,
        color=colors,
        label=label,
        edgecolor="black",
        linewidth=0.5,
    )
    ax.set_xticks(numpy.arange(len(labels)), labels)


def _outlier_figure(config: Config, seeds: Seeds, names: list[str]):
    fig, axes = plots.new_figure(ncols=2, width=6.2, height=4.2)
    ax = axes[0]
    _bars(
        ax, names, [seeds.scalar(c, "test_rmse") for c in names], colors=plots.COLORS[: len(names)]
    )
    if config.reg_noise > 0:
        ax.axhline(
            config.reg_noise, color="black", ls=":", label=f"noise level ({config.reg_noise:g})"
        )
    ax.set(
        title="Error on the clean test set",
        xlabel="training loss",
        ylabel="test RMSE (target units)",
    )
    top = max(seeds.scalar(c, "test_rmse").mean for c in names)
    ax.set_ylim(0, 1.35 * top)  # intervals of few seeds are wide: keep the means in view
    ax.tick_params(axis="x", labelrotation=20)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small", loc="upper right")
    ax = axes[1]
    d = seeds.first.data["outliers"]
    truth = numpy.array(d["clean_test"])
    for name, color in zip(names, plots.COLORS):
        if name in (CLEAN, "MSE", names[3]):  # the reference, MSE and Huber
            ax.scatter(truth, d["predictions"][name], s=8, alpha=0.6, color=color, label=name)
    lims = [truth.min(), truth.max()]
    ax.plot(lims, lims, color="black", lw=1, label="prediction = target")
    ax.set(
        title="Predictions on clean test targets (first seed)",
        xlabel="clean test target (target units)",
        ylabel="prediction (target units)",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def _imbalance_figure(seeds: Seeds):
    fig, (ax,) = plots.new_figure(width=6.4, height=4.0)
    names = ["minority_recall", "minority_precision", "minority_f1"]
    labels = ["recall", "precision", "F1"]
    for i, (condition, color) in enumerate(zip(IMBALANCE, plots.COLORS)):
        _bars(
            ax,
            labels,
            [seeds.scalar(condition, m) for m in names],
            scale=100,
            colors=color,
            offset=(i - 0.5) * 0.38,
            width=0.38,
            label=condition,
        )
    ax.set(
        title="Minority class on the test set",
        xlabel="metric of the minority class",
        ylabel="score (%)",
        ylim=(0, 105),
    )
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    return fig


def _pair_figure(config: Config, seeds: Seeds):
    fig, axes = plots.new_figure(ncols=2, nrows=2, width=6.0, height=3.8)
    for col, kind in enumerate(PAIRS):
        names = PAIRS[kind]
        target = numpy.mean([r.data["pairs"][kind]["target"] for r in seeds.results])
        ax = axes[col]
        plots.line_figure(
            f"{kind} output: validation accuracy",
            "epoch",
            "validation accuracy (%)",
            {n: _scaled(seeds.curve(n, "val_accuracy"), 100) for n in names},
            ax=ax,
        )
        ax.set_ylim(0, 100)
        ax.axhline(100 * target, color="#777", ls=":", lw=1)
        ax.text(
            1, 100 * target, f" target (mean {100 * target:.1f} %)", va="bottom", fontsize="small"
        )
        plots.line_figure(
            f"{kind} output: training loss",
            "epoch",
            "training loss / its first-epoch value (ratio)",
            {n: seeds.curve(n, "relative_train_loss") for n in names},
            ax=axes[2 + col],
        )
        axes[2 + col].set_ylim(0, 1.1)
    return fig


def _scaled(band: Any, factor: float) -> Any:
    from neuralab.lab.stats import Band

    return Band(band.mean * factor, band.low * factor, band.high * factor, band.n)


def _wins(seeds: Seeds, a: str, b: str, metric: str, lower_is_better: bool = True) -> int:
    """On how many seeds condition a beats condition b on the metric (same data in a
    seed, so this is a paired count)."""
    pairs = zip(seeds.values(a, metric), seeds.values(b, metric))
    return sum((x < y) if lower_is_better else (x > y) for x, y in pairs)


def report(config: Config, seeds: Seeds) -> list:
    with warnings.catch_warnings():  # scipy warns on t-tests of (nearly) constant values
        warnings.simplefilter("ignore", RuntimeWarning)
        return _report(config, seeds)


def _report(config: Config, seeds: Seeds) -> list:
    n = len(seeds)
    # A
    names = [CLEAN, *regression_losses(config)]
    reg_rows = [
        [
            c,
            seeds.scalar(c, "test_rmse").format(3),
            seeds.scalar(c, "test_mae").format(3),
            seeds.scalar(c, "coverage").format(3, 100, " %"),
        ]
        for c in names
    ]
    huber, quantile = names[3], names[4]
    rmse = {c: seeds.scalar(c, "test_rmse") for c in names}
    robust_wins = [c for c in ("MAE", huber) if rmse[c].mean < rmse["MSE"].mean]
    outliers_seen = numpy.mean([r.data["outliers"]["outliers_in_train"] for r in seeds.results])
    text_a = (
        f"A. With {100 * config.outliers:g} % of the training targets corrupted (about "
        f"{outliers_seen:.0f} samples): "
        + verdict(huber, rmse[huber], "MSE", rmse["MSE"], what="clean test RMSE")
        + " "
        + verdict("MAE", rmse["MAE"], "MSE", rmse["MSE"], what="clean test RMSE")
        + f" Seed by seed (every loss sees the same data), Huber beats MSE on "
        f"{_wins(seeds, huber, 'MSE', 'test_rmse')} of {n} seeds and MAE on "
        f"{_wins(seeds, 'MAE', 'MSE', 'test_rmse')} of {n}. "
        + (
            f"Both robust losses end with a lower error than MSE: they cap each sample's "
            f"pull on the fit, so the outliers cannot drag it away; MSE's error is "
            f"{rmse['MSE'].mean / rmse[CLEAN].mean:.1f}x that of MSE trained on clean "
            f"targets ({rmse[CLEAN].mean:.3g}), while Huber is at "
            f"{rmse[huber].mean / rmse[CLEAN].mean:.2f}x and MAE at "
            f"{rmse['MAE'].mean / rmse[CLEAN].mean:.2f}x."
            if len(robust_wins) == 2
            else "Here, the robust losses do not both end with a lower error than MSE."
        )
        + f" The quantile loss (q = {config.quantile:g}) aims at the {config.quantile:g}-"
        f"quantile of the target rather than its middle: "
        f"{seeds.scalar(quantile, 'coverage').format(3, 100, ' %')} of the clean test "
        f"targets lie at or below its predictions (MSE: "
        f"{seeds.scalar('MSE', 'coverage').format(3, 100, ' %')})"
        + (
            ", so its RMSE, measured from the middle, is higher by design."
            if rmse[quantile].mean > rmse["MAE"].mean
            else "."
        )
    )
    # B
    metric_names = [
        "minority_recall",
        "minority_precision",
        "minority_f1",
        "accuracy",
        "predicted_minority",
    ]
    imb_rows = [
        [c]
        + [seeds.scalar(c, m).format(3, 100, " %") for m in metric_names[:4]]
        + [seeds.scalar(c, "predicted_minority").format(3)]
        for c in IMBALANCE
    ]
    plain, weighted = IMBALANCE
    rec = {c: seeds.scalar(c, "minority_recall") for c in IMBALANCE}
    prec = {c: seeds.scalar(c, "minority_precision") for c in IMBALANCE}
    f1 = {c: seeds.scalar(c, "minority_f1") for c in IMBALANCE}
    d = seeds.first.data["imbalance"]
    text_b = (
        f"B. With {100 * config.imbalance:g} % minority samples ({d['minority_test']} of "
        f"{d['test_size']} in the first seed's test set) and class weights "
        f"{d['class_weights'][0]:.2f} / {d['class_weights'][1]:.2f}: "
        + verdict(
            weighted,
            rec[weighted],
            plain,
            rec[plain],
            what="minority recall",
            lower_is_better=False,
            scale=100,
            unit=" %",
        )
        + f" The weighted loss finds more minority samples on "
        f"{_wins(seeds, weighted, plain, 'minority_recall', False)} of {n} seeds. "
        + (
            "The weights make missing a minority sample cost about "
            f"{d['class_weights'][1] / d['class_weights'][0]:.0f}x more, so the network "
            "predicts the minority class more often "
            f"({seeds.scalar(weighted, 'predicted_minority').mean:.0f} against "
            f"{seeds.scalar(plain, 'predicted_minority').mean:.0f} test samples) and finds "
            "more of them, "
            + (
                "at the price of precision "
                f"({prec[weighted].format(3, 100, ' %')} against "
                f"{prec[plain].format(3, 100, ' %')})"
                if prec[weighted].mean < prec[plain].mean
                else "without losing precision"
            )
            + "; "
            + verdict(
                weighted,
                f1[weighted],
                plain,
                f1[plain],
                what="F1",
                lower_is_better=False,
                scale=100,
                unit=" %",
            )
            if rec[weighted].mean > rec[plain].mean
            else "Here the weights do not raise the minority recall."
        )
    )
    # C
    pair_rows, pair_text = [], []
    for kind, (good, other) in PAIRS.items():
        for c in (good, other):
            reached = int(sum(seeds.values(c, "reached_target")))
            epochs = seeds.scalar(c, "epochs_to_target").format(3)
            pair_rows.append(
                [
                    c,
                    epochs
                    if reached == n
                    else f"{epochs} ({n - reached} of {n} seeds never: counted as "
                    f"{config.pair_epochs + 1})",
                    seeds.scalar(c, "first_epoch_val_accuracy").format(3, 100, " %"),
                    seeds.scalar(c, "mean_val_accuracy").format(3, 100, " %"),
                    seeds.scalar(c, "final_val_accuracy").format(3, 100, " %"),
                ]
            )
        e_good, e_other = (seeds.scalar(c, "epochs_to_target") for c in (good, other))
        a_good, a_other = (seeds.scalar(c, "mean_val_accuracy") for c in (good, other))
        faster = e_good.mean < e_other.mean and a_good.mean > a_other.mean
        pair_text.append(
            f"With a {kind} output, "
            + verdict(good, e_good, other, e_other, what="epochs to the target accuracy")
            + f" {good} reaches the target in fewer epochs on "
            f"{_wins(seeds, good, other, 'epochs_to_target')} of {n} seeds and has the "
            f"higher mean accuracy on {_wins(seeds, good, other, 'mean_val_accuracy', False)} "
            f"of {n}. "
            + verdict(
                good,
                a_good,
                other,
                a_other,
                what="mean validation accuracy over the epochs",
                lower_is_better=False,
                scale=100,
                unit=" %",
            )
            + (
                f" On average, by both measures, {good} converges faster."
                if faster
                else f" The two measures do not agree that {good} converges faster."
            )
        )
    text_c = (
        "C. "
        + " ".join(pair_text)
        + " The cross-entropy's gradient with respect to the logits is the error p - t "
        "itself; MSE multiplies it by the output activation's slope (at most 1/4 for the "
        "sigmoid), which vanishes where the output saturates, even on the wrong side. "
        + (
            "With plain SGD, whose step is lr times the gradient, every MSE step is smaller."
            if config.pair_optimizer == "sgd"
            else "Adam divides each step by the gradient's running size, so a smaller gradient "
            "alone does not make its MSE steps smaller; what remains is that saturated samples, "
            "the most wrong ones included, add almost nothing to the gradient's direction."
        )
    )
    return [
        Figure(
            _outlier_figure(config, seeds, names),
            "A. Regression with outliers",
            f"Clean test RMSE, mean over {n} seeds with 95 % intervals; the dotted line is the "
            "noise in the targets, the best any model can do.",
        ),
        Table(
            "A. Regression with outliers: error on the clean test set",
            [
                "training loss",
                "test RMSE (target units)",
                "test MAE (target units)",
                "coverage: clean targets <= prediction",
            ],
            reg_rows,
            note=f"{'Linear model' if not config.reg_hidden else f'MLP 10-{config.reg_hidden}-1'}, "
            f"{config.reg_train} training samples ({100 * config.outliers:g} % corrupted, outlier "
            f"scale {config.outlier_scale:g}), {config.reg_test} clean test samples; targets' "
            f"std {seeds.first.data['outliers']['target_std']:.3g}, noise {config.reg_noise:g}.",
        ),
        Figure(
            _imbalance_figure(seeds),
            "B. Weighted and unweighted cross-entropy",
            f"Minority class on the test set, mean over {n} seeds with 95 % intervals.",
        ),
        Table(
            "B. Class imbalance: the minority class on the test set",
            [
                "loss",
                "minority recall",
                "minority precision",
                "minority F1",
                "accuracy",
                "test samples predicted minority",
            ],
            imb_rows,
            note=f"{config.imb_samples} samples, {100 * config.imbalance:g} % minority, half for "
            f"testing; MLP 20-16-2, Adam {config.imb_lr:g}, {config.imb_epochs} epochs.",
        ),
        Figure(
            _pair_figure(config, seeds),
            "C. Output activation and loss",
            f"Validation accuracy and training loss (relative to its first epoch) per "
            f"epoch, mean over {n} seeds with 95 % bands.",
        ),
        Table(
            "C. Convergence of each pair",
            [
                "pair",
                f"epochs to {100 * config.target_fraction:g} % of the best accuracy",
                "accuracy after epoch 1",
                "mean accuracy over the epochs",
                "final accuracy",
            ],
            pair_rows,
            note=f"Validation accuracy; {config.pair_optimizer.upper()} lr {config.pair_lr:g}, "
            f"batch {config.batch_size}, {config.pair_epochs} epochs; the target is "
            f"{100 * config.target_fraction:g} % of the best validation accuracy either loss "
            "of the pair reaches in that seed.",
        ),
        Text(text_a, text_b, text_c),
    ]


STUDY = Study(
    name="losses",
    title="4. Loss functions",
    question=(
        "Which loss resists outliers, what does class weighting do for a rare class, and "
        "why is cross-entropy the loss for sigmoid and softmax outputs?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={
        "reg_train": 400,
        "reg_test": 400,
        "reg_epochs": 40,
        "imb_samples": 2000,
        "imb_epochs": 20,
        "pair_samples": 1000,
        "pair_epochs": 15,
    },
    bounds={
        "test_rmse": NON_NEGATIVE,
        "test_mae": NON_NEGATIVE,
        "coverage": FRACTION,
        "minority_recall": FRACTION,
        "minority_precision": FRACTION,
        "minority_f1": FRACTION,
        "accuracy": FRACTION,
        "predicted_minority": NON_NEGATIVE,
        "epochs_to_target": NON_NEGATIVE,
        "reached_target": FRACTION,
        "mean_val_accuracy": FRACTION,
        "first_epoch_val_accuracy": FRACTION,
        "final_val_accuracy": FRACTION,
        "val_accuracy": FRACTION,
        "train_loss": NON_NEGATIVE,
        "relative_train_loss": NON_NEGATIVE,
    },
)
