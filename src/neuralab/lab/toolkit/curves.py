"""Curves made readable: means over windows of steps, and the geometric mean over seeds
of a quantity that spans decades."""

from __future__ import annotations

from collections.abc import Sequence

import numpy

from neuralab.lab.stats import Band, band

__all__ = ["geometric_band", "window_means", "window_steps"]


def window_means(values: Sequence[float], window: int) -> list[float]:
    """The means of consecutive windows of ``window`` values (a last, shorter window included).

    A readable per-step curve: ``m_k = mean(x[k w : (k + 1) w])``.

    Args:
        values: The per-step values.
        window: The window's length.

    Returns:
        One mean per window.

    Examples:
        >>> from neuralab.lab import toolkit
        >>> toolkit.window_means([1.0, 2.0, 3.0, 4.0, 5.0], 2)
        [1.5, 3.5, 5.0]
    """
    x = numpy.asarray(values, dtype=float)
    return [float(x[i : i + window].mean()) for i in range(0, len(x), max(1, window))]


def window_steps(n_steps: int, window: int) -> numpy.ndarray:
    """The step at the middle of each window of ``window_means`` (steps counted from 1).

    Args:
        n_steps: The number of steps.
        window: The window's length.

    Returns:
        An array of one step per window.

    Examples:
        >>> from neuralab.lab import toolkit
        >>> toolkit.window_steps(5, 2)
        array([1.5, 3.5, 5. ])
    """
    starts = numpy.arange(0, n_steps, max(1, window))
    ends = numpy.minimum(starts + window, n_steps)
    return (starts + ends + 1) / 2


def geometric_band(curves: Sequence[Sequence[float]]) -> Band:
    """The geometric mean of curves (one per seed) with its 95 % band.

    Both are computed on ``log10`` of the values, ``10^(mean of log10 x)``: for a quantity
    that spans decades and is drawn on a log scale (a gradient norm per layer). Values
    <= 0 count as missing.

    Args:
        curves: One curve per seed.

    Returns:
        The ``Band`` (mean, low, high, n).

    Examples:
        >>> from neuralab.lab import toolkit
        >>> toolkit.geometric_band([[1.0, 10.0, 100.0], [1.0, 100.0, 1000.0]]).mean.round(2)
        array([  1.  ,  31.62, 316.23])
    """
    logs = []
    for curve in curves:
        x = numpy.asarray(curve, dtype=float)
        with numpy.errstate(divide="ignore", invalid="ignore"):
            logs.append(numpy.where(x > 0, numpy.log10(x), numpy.nan))
    b = band(logs)
    return Band(10**b.mean, 10**b.low, 10**b.high, b.n)
