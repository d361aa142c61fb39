"""Plot helpers for the studies, on matplotlib's object-oriented API (``Figure`` without
pyplot: no window, no global state, any backend-less machine). Every plot gets a title,
axis labels with units and a legend; curves over seeds are drawn as the mean with a
shaded 95 % confidence band."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy

from neuralab.extras import require
from neuralab.lab.stats import Band, Estimate

__all__ = ["COLORS", "band_plot", "bar_panel", "fit_to_means", "line_figure", "new_figure"]

COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 4.0) -> tuple:
    """A matplotlib figure of ``nrows x ncols`` panels, each ``width x height`` inches.

    The figure is made without pyplot (no window, no global state), with a constrained
    layout.

    Args:
        ncols: Panels per row. Defaults to 1.
        nrows: Rows of panels. Defaults to 1.
        width: Each panel's width in inches. Defaults to 6.4.
        height: Each panel's height in inches. Defaults to 4.0.

    Returns:
        ``(figure, axes)``, the axes as a flat array.

    Examples:
        >>> from neuralab.lab import plots
        >>> figure, axes = plots.new_figure(2)
        >>> len(axes), figure.get_size_inches().tolist()
        (2, [12.8, 4.0])
    """
    Figure = require("matplotlib.figure", "lab", "the lab's figures").Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes.reshape(-1)


def band_plot(
    ax: Any,
    band: Band,
    label: str,
    x: Sequence[float] | None = None,
    color: str | None = None,
    linestyle: str = "-",
) -> None:
    """Draws a mean curve, with its confidence band shaded when there are several seeds.

    Args:
        ax: The matplotlib axes.
        band: The curve's ``Band``.
        label: The legend's label.
        x: The x values. Defaults to None (steps 1, 2, ...).
        color: The color. Defaults to None (the axes' next).
        linestyle: The line style. Defaults to '-'.

    Examples:
        >>> from neuralab.lab import plots, stats
        >>> loss = stats.band([[2.0, 1.0, 0.5], [2.2, 1.1, 0.6]])
        >>> figure, (ax,) = plots.new_figure()
        >>> plots.band_plot(ax, loss, "SGD")
        >>> ax.lines[0].get_label(), len(ax.collections)  # the line and its band
        ('SGD', 1)
    """
    xs = numpy.arange(1, len(band.mean) + 1) if x is None else numpy.asarray(x)[: len(band.mean)]
    (line,) = ax.plot(xs, band.mean, label=label, color=color, linestyle=linestyle)
    if band.n > 1:
        ax.fill_between(xs, band.low, band.high, color=line.get_color(), alpha=0.2, linewidth=0)


def line_figure(
    title: str,
    xlabel: str,
    ylabel: str,
    series: Mapping[str, Band],
    x: Sequence[float] | None = None,
    logy: bool = False,
    ax: Any = None,
) -> Any:
    """One panel of curves, one per series (in ``COLORS`` order), each a mean with its band.

    Args:
        title: The panel's title.
        xlabel: The x axis's label (with its unit).
        ylabel: The y axis's label (with its unit).
        series: ``{label: Band}``.
        x: The x values. Defaults to None (steps 1, 2, ...).
        logy: Whether the y axis is logarithmic. Defaults to False.
        ax: Axes to draw on. Defaults to None (a new figure).

    Returns:
        The new figure, or None when drawn on ``ax``.

    Examples:
        >>> from neuralab.lab import plots, stats
        >>> loss = stats.band([[2.0, 1.0, 0.5], [2.2, 1.1, 0.6]])
        >>> figure = plots.line_figure("Training loss", "epoch", "loss", {"SGD": loss})
        >>> figure.axes[0].get_title(), figure.axes[0].get_xlabel()
        ('Training loss', 'epoch')
    """
    fig = None
    if ax is None:
        fig, (ax,) = new_figure()
    for (label, band), color in zip(series.items(), COLORS * 3):
        band_plot(ax, band, label, x=x, color=color)
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


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
    """One bar per condition (its mean over seeds) with its 95 % interval as an error bar.

    The legend, below the panel, names the bars.

    Args:
        ax: The matplotlib axes.
        names: The conditions' labels.
        estimates: Their estimates.
        title: The panel's title.
        xlabel: The x axis's label.
        ylabel: The y axis's label.
        scale: A factor of the values (100 for percentages). Defaults to 1.0.

    Examples:
        >>> from neuralab.lab import plots, stats
        >>> figure, (ax,) = plots.new_figure()
        >>> accuracies = [stats.estimate([0.90, 0.91]), stats.estimate([0.95, 0.97])]
        >>> plots.bar_panel(ax, ["SGD", "Adam"], accuracies, title="Accuracy", xlabel="optimizer",
        ...                 ylabel="test accuracy (%)", scale=100.0)
        >>> [round(float(bar.get_height()), 1) for bar in ax.patches]
        [90.5, 96.0]
    """
    for i, (name, e, color) in enumerate(zip(names, estimates, COLORS * 3)):
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
    """Sets the y range to the mean curves' (with a margin); the bands are cut at the edges.

    So the wide bands of a few seeds do not squash the curves.

    Args:
        ax: The matplotlib axes.
        bands: The bands drawn there.
        logy: Whether the y axis is logarithmic (a margin by ratio). Defaults to False.
        margin: The margin, a fraction of the range. Defaults to 0.08.

    Examples:
        >>> from neuralab.lab import plots, stats
        >>> loss = stats.band([[2.0, 1.0, 0.5], [2.2, 1.1, 0.6]])
        >>> figure = plots.line_figure("Training loss", "epoch", "loss", {"SGD": loss})
        >>> plots.fit_to_means(figure.axes[0], [loss])
        >>> [round(float(v), 3) for v in figure.axes[0].get_ylim()]  # means 0.55..2.1, 8 % margin
        [0.426, 2.224]
    """
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
