"""Experiment A of the losses study, regression with outliers: ``make_regression`` (10
features, all informative, Gaussian noise of standard deviation ``reg_noise``) with a
fraction ``outliers`` of the *training* targets corrupted, y_i <- y_i +- u_i *
outlier_scale * std(y), u_i ~ U(1, 2); the test targets are the clean ones. A linear model
(``reg_hidden=0``; or an MLP with one ReLU hidden layer) is trained with Adam on each loss,
with d = prediction - target:

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
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab import nn
from neuralab.data import make_regression
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Measure, Note, Ratio, Reading, find
from neuralab.lab.losses.common import REG_FEATURES, Config, data_seed, mlp, split, train, wins
from neuralab.lab.report import Figure
from neuralab.lab.stats import Estimate
from neuralab.lab.study import Result, Seeds
from neuralab.lab.toolkit import Metric, compare
from neuralab.train import predict

__all__ = ["CLEAN", "losses", "report", "run"]

CLEAN = "MSE, clean targets"  # the reference trained without outliers
RMSE = Metric("test_rmse", "clean test RMSE")
METRICS = [
    RMSE,
    Metric("test_mae", "clean test MAE"),
    Metric("coverage", "coverage (clean targets <= prediction)", False, PERCENT),
]


def losses(config: Config) -> dict[str, Any]:
    """The losses of experiment A, by condition name."""
    return {
        "MSE": nn.MSELoss(),
        "MAE": nn.L1Loss(),
        f"Huber (delta {config.huber_delta:g})": nn.HuberLoss(delta=config.huber_delta),
        f"quantile {config.quantile:g}": nn.QuantileLoss(config.quantile),
    }


def run(config: Config, result: Result) -> dict:
    """Train on every loss (and the clean reference); the scalars go into ``result``, the
    first 200 clean test targets and predictions into the returned data."""
    n = config.reg_train + config.reg_test
    common = dict(n_informative=REG_FEATURES, noise=config.reg_noise, seed=data_seed())
    x, y_clean = make_regression(n, REG_FEATURES, **common)
    _, y_dirty, hit = make_regression(
        n,
        REG_FEATURES,
        outliers=config.outliers,
        outlier_scale=config.outlier_scale,
        return_outliers=True,
        **common,
    )  # same seed: the same x and clean targets, some of them corrupted
    train_set, test = split(n, config.reg_train)
    conditions = [(CLEAN, nn.MSELoss(), y_clean)]
    conditions += [(name, loss, y_dirty) for name, loss in losses(config).items()]
    shown = {}
    for name, loss, y in conditions:
        center = float(numpy.median(y[train_set]))
        spread = 1.4826 * float(numpy.median(numpy.abs(y[train_set] - center))) or 1.0
        model = mlp(REG_FEATURES, config.reg_hidden, 1)
        target = ((y[train_set] - center) / spread)[:, None].astype(numpy.float32)
        data = (x[train_set], target)
        history = train(model, loss, "adam", config.reg_lr, data, config.reg_epochs, config)
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
        "outliers_in_train": int(hit[train_set].sum()),
        "target_std": float(y_clean.std()),
    }


def report(config: Config, seeds: Seeds) -> list:
    """The figure, the table and the reading: what the outliers cost each loss (against
    MSE and the clean reference), and what the quantile loss aims at."""
    names = [CLEAN, *losses(config)]
    mse, mae, huber, quantile = names[1:]
    data = [r.data["outliers"] for r in seeds.results]
    model = f"MLP 10-{config.reg_hidden}-1" if config.reg_hidden else "Linear model"
    c = compare(
        seeds,
        names,
        {n: n for n in names},
        METRICS,
        pairs=[(huber, mse), (mae, mse), (quantile, mae)],
        title="A. Regression with outliers: error on the clean test set (target units)",
        column="training loss",
        note=f"{model}, {config.reg_train} training samples ({100 * config.outliers:g} % "
        f"corrupted, about {numpy.mean([d['outliers_in_train'] for d in data]):.0f}; outlier "
        f"scale {config.outlier_scale:g}), {config.reg_test} clean test samples; targets' std "
        f"{data[0]['target_std']:.3g}, noise {config.reg_noise:g}.",
    )
    rmse, coverage = c.estimates["test_rmse"], c.estimates["coverage"]
    if all(rmse[n].mean < rmse[mse].mean for n in (huber, mae)):
        robust = Note(
            "robust:both_lower",
            "Both robust losses end with a lower error than MSE: they cap each sample's pull "
            "on the fit, so the outliers cannot drag it away.",
        )
    else:
        robust = Note(
            "robust:not_both_lower",
            "Here, the robust losses do not both end with a lower error than MSE.",
        )
    cost = [
        find(c.findings, f"test_rmse:{huber}-{mse}"),
        find(c.findings, f"test_rmse:{mae}-{mse}"),
        wins(seeds, huber, mse, RMSE),
        wins(seeds, mae, mse, RMSE),
        robust,
        Note("reference", "The clean reference is MSE trained on the targets before corruption."),
    ]
    for name in (mse, huber, mae):
        ratio = rmse[name].mean / rmse[CLEAN].mean
        cost.append(
            Ratio(f"rmse_ratio:{name}", "clean test RMSE", name, "the clean reference", ratio)
        )
    q = config.quantile
    aim = [
        Note(
            "quantile:aim",
            f"The quantile loss (q = {q:g}) aims at the {q:g}-quantile of the target rather "
            "than its middle; its coverage is the share of clean test targets at or below "
            "its predictions.",
        ),
        Measure("coverage:quantile", quantile, "coverage", coverage[quantile], PERCENT),
        Measure("coverage:MSE", mse, "coverage", coverage[mse], PERCENT),
        find(c.findings, f"test_rmse:{quantile}-{mae}"),
    ]
    if rmse[quantile].mean > rmse[mae].mean:
        aim.append(
            Note(
                "quantile:rmse_by_design",
                "Its RMSE, measured from the middle, is higher by design.",
            )
        )
    figure = Figure(
        _figure(config, seeds, names, rmse),
        "A. Regression with outliers",
        f"Clean test RMSE, mean over {len(seeds)} seeds with 95 % intervals; the dotted line "
        "is the noise in the targets, the best any model can do.",
    )
    return [figure, c.table, Reading(cost, aim)]


def _figure(config: Config, seeds: Seeds, names: list[str], rmse: dict[str, Estimate]) -> Any:
    """The clean test RMSE of each loss (bars), and the first seed's predictions against
    the clean targets for the reference, MSE and Huber (scatter)."""
    fig, (ax, scatter) = plots.new_figure(ncols=2, width=6.2, height=4.2)
    errors = [rmse[n] for n in names]
    plots.bar_panel(
        ax,
        names,
        errors,
        title="Error on the clean test set",
        xlabel="training loss",
        ylabel="test RMSE (target units)",
    )
    if config.reg_noise > 0:
        ax.axhline(config.reg_noise, color="black", ls=":")
    ax.set_ylim(0, 1.35 * max(e.mean for e in errors))  # few seeds: keep the means in view
    d = seeds.first.data["outliers"]
    truth = numpy.array(d["clean_test"])
    for name, color in zip(names, plots.COLORS):
        if name in (CLEAN, "MSE", names[3]):  # the reference, MSE and Huber
            scatter.scatter(truth, d["predictions"][name], s=8, alpha=0.6, color=color, label=name)
    lims = [truth.min(), truth.max()]
    scatter.plot(lims, lims, color="black", lw=1, label="prediction = target")
    scatter.set(
        title="Predictions on clean test targets (first seed)",
        xlabel="clean test target (target units)",
        ylabel="prediction (target units)",
    )
    scatter.grid(alpha=0.3)
    scatter.legend(fontsize="small")
    return fig
