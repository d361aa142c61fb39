"""Uncertainty over seeds: every figure of a study is a mean over seeds with a 95 %
confidence interval, every curve a mean with a band, and every comparison says whether
the difference stands out from the seed-to-seed noise.

For n values x_1..x_n with mean m and sample standard deviation s, the interval is
Student's t interval m +- t_{0.975, n-1} s / sqrt(n) (with n = 1 there is none). Two
conditions run on the same seeds (a study runs every condition with each seed, so seed i
of one condition shares its data with seed i of the other) are compared with a paired
t-test on the per-seed differences d_i = a_i - b_i, t = mean(d) / (sd(d) / sqrt(n)),
which removes what the seeds share; independent samples with Welch's t-test.

A quantity with a range (a fraction in [0, 1], a count or a loss >= 0) gets ``bounds``:
its interval, or band, is cut at them where the t interval passes them (with 2 seeds the
quantile t_{0.975, 1} is 12.7, so an interval can reach far past 0 or 100 %). A cut
interval is written as ``mean [low, high]`` instead of ``mean ± half-width``, so it never
shows a value the quantity cannot take.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from neuralab.extras import require

__all__ = [
    "FRACTION",
    "NON_NEGATIVE",
    "Band",
    "Estimate",
    "band",
    "capital",
    "compare",
    "estimate",
]

CONFIDENCE = 0.95
FRACTION = (0.0, 1.0)  # bounds of a fraction (an accuracy, a share of samples)
NON_NEGATIVE = (0.0, math.inf)  # bounds of a count, a loss, a norm, a time


def _t_quantile(n: int, confidence: float = CONFIDENCE) -> float:
    stats = require("scipy.stats", "lab", "the lab's confidence intervals")

    return float(stats.t.ppf(0.5 + confidence / 2, n - 1))


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its confidence interval ``[low, high]`` and the values.

    Written ``mean ± half-width`` (``format``), or ``mean [low, high]`` when the interval was
    cut at a bound of the quantity.

    Args:
        mean: The mean over seeds.
        low: The interval's lower end.
        high: The interval's upper end.
        values: The per-seed values.
        cut: Whether the t interval passed a bound of the quantity and was cut there.
            Defaults to False.

    Examples:
        >>> from neuralab.lab import stats
        >>> e = stats.estimate([0.91, 0.93, 0.92])
        >>> e.n, round(e.half_width, 4), str(e)
        (3, 0.0248, '0.920 ± 0.025')
        >>> e.format(3, 100.0, " %")
        '92.0 ± 2.5 %'
    """

    mean: float
    low: float
    high: float
    values: tuple[float, ...]
    cut: bool = False

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def format(self, digits: int = 3, scale: float = 1.0, unit: str = "") -> str:
        """'0.123 ± 0.004' (the interval's half-width), or '0.123' for a single seed. The
        half-width gets as many decimals as the mean ('94.08 ± 0.95'), or two significant
        digits where those would round it to 0. An interval cut at a bound is written out
        instead: '80.0 % [0.0, 100.0]'."""
        mean = _fmt(self.mean * scale, digits)
        if self.n < 2 or not math.isfinite(self.half_width):
            return f"{mean}{unit}"
        if self.cut:
            low, high = (_fmt_like(v * scale, mean, digits) for v in (self.low, self.high))
            return f"{mean}{unit} [{low}, {high}]"
        return f"{mean} ± {_fmt_like(self.half_width * scale, mean, digits)}{unit}"

    def __str__(self) -> str:
        return self.format()

    def to_dict(self) -> dict:
        return {
            "mean": self.mean,
            "low": self.low,
            "high": self.high,
            "cut": self.cut,
            "values": list(self.values),
        }


def _fmt(value: float, digits: int) -> str:
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 10 ** -(digits - 1) or abs(value) >= 1e5):
        return f"{value:.{digits - 1}e}"
    if abs(value) >= 1:  # digits significant digits, trailing zeros kept: 97.0, not 97
        return f"{value:#.{digits}g}".rstrip(".")
    return f"{value:.{digits}f}"


def _fmt_like(value: float, reference: str, digits: int) -> str:
    """``value`` with the decimals of ``reference`` (a fixed-point number), or as _fmt
    would write it when ``reference`` is in exponent notation or the decimals lose it."""
    if "e" in reference or not math.isfinite(value):
        return _fmt(value, digits)
    decimals = len(reference.partition(".")[2])
    text = f"{value:.{decimals}f}"
    if value != 0 and float(text) == 0:
        return f"{value:.2g}"
    return text


def _check_bounds(x: numpy.ndarray, bounds: tuple[float, float] | None, what: str) -> None:
    if bounds is None:
        return
    lo, hi = bounds
    if not lo < hi:
        raise ValueError(f"{what}: bounds must be (low, high) with low < high, got {bounds}")
    outside = x[(x < lo) | (x > hi)]  # NaN is neither
    if outside.size:
        raise ValueError(f"{what}: value {outside[0]} lies outside the bounds {bounds}")


def estimate(
    values: Sequence[float],
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] | None = None,
) -> Estimate:
    """Mean and Student's t interval of one value per seed.

    ``m ± t_{0.975, n-1} s / sqrt(n)`` for n values with mean ``m`` and sample standard
    deviation ``s`` (no interval for n = 1); non-finite values propagate.

    Args:
        values: One value per seed.
        confidence: The interval's confidence. Defaults to 0.95.
        bounds: The range of the quantity (every value must lie in it), e.g. ``FRACTION``;
            the interval is cut at it. Defaults to None.

    Returns:
        The ``Estimate``.

    Raises:
        ValueError: If there are no values, or a value lies outside ``bounds``.

    Examples:
        >>> from neuralab.lab import stats
        >>> stats.estimate([0.5, 1.0], bounds=stats.FRACTION)  # t_{0.975, 1} = 12.7: cut at 1
        Estimate(mean=0.75, low=0.0, high=1.0, values=(0.5, 1.0), cut=True)
    """
    x = numpy.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("estimate: no values")
    _check_bounds(x, bounds, "estimate")
    mean = float(x.mean())
    if x.size < 2:
        return Estimate(mean, mean, mean, tuple(x.tolist()))
    half = _t_quantile(x.size, confidence) * float(x.std(ddof=1)) / math.sqrt(x.size)
    low, high = mean - half, mean + half
    if bounds is None or not (low < bounds[0] or high > bounds[1]):
        return Estimate(mean, low, high, tuple(x.tolist()))
    return Estimate(mean, max(low, bounds[0]), min(high, bounds[1]), tuple(x.tolist()), cut=True)


@dataclass(frozen=True)
class Band:
    """A curve's mean over seeds and its pointwise confidence band.

    Args:
        mean: The mean curve.
        low: The band's lower edge.
        high: The band's upper edge.
        n: The number of curves (seeds).

    Examples:
        >>> from neuralab.lab import stats
        >>> b = stats.band([[1.0, 2.0, 3.0], [1.0, 3.0, 5.0]])
        >>> b.n, b.mean.tolist()
        (2, [1.0, 2.5, 4.0])
    """

    mean: numpy.ndarray
    low: numpy.ndarray
    high: numpy.ndarray
    n: int


def band(
    curves: Sequence[Sequence[float]],
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] | None = None,
) -> Band:
    """Pointwise mean and t band of several curves (one per seed).

    The curves are cut to the shortest one: a run that stopped early (e.g. diverged)
    shortens the band rather than mixing in gaps. At each step the band is
    ``m ± t_{0.975, n-1} s / sqrt(n)``.

    Args:
        curves: One curve per seed.
        confidence: The band's confidence. Defaults to 0.95.
        bounds: The range of the quantity; the band is cut at it. Defaults to None.

    Returns:
        The ``Band``.

    Raises:
        ValueError: If there are no curves, or a value lies outside ``bounds``.

    Examples:
        >>> from neuralab.lab import stats
        >>> b = stats.band([[0.5, 0.6, 0.7], [0.5, 0.7]], bounds=stats.FRACTION)
        >>> b.mean.tolist(), b.high.tolist()
        ([0.5, 0.65], [0.5, 1.0])
    """
    if not curves:
        raise ValueError("band: no curves")
    length = min(len(c) for c in curves)
    x = numpy.array([numpy.asarray(c[:length], dtype=float) for c in curves])
    _check_bounds(x, bounds, "band")
    mean = x.mean(axis=0)
    if len(curves) < 2:
        return Band(mean, mean.copy(), mean.copy(), 1)
    half = _t_quantile(len(curves), confidence) * x.std(axis=0, ddof=1) / math.sqrt(len(curves))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = numpy.clip(low, *bounds), numpy.clip(high, *bounds)
    return Band(mean, low, high, len(curves))


def compare(a: Estimate, b: Estimate, paired: bool = False) -> float:
    """The p-value for a difference between the means of two estimates.

    Welch's t-test, or with ``paired`` (``a.values[i]`` and ``b.values[i]`` from the same
    seed) the paired t-test on the differences ``d_i = a_i - b_i``,
    ``t = mean(d) / (sd(d) / sqrt(n))``. 1.0 when either has fewer than 2 values or there is
    no spread and no difference; 0.0 for a difference without spread.

    Args:
        a: The first estimate.
        b: The second estimate.
        paired: Whether the values are paired by seed. Defaults to False.

    Returns:
        The p-value.

    Raises:
        ValueError: If ``paired`` and the counts differ.

    Examples:
        >>> from neuralab.lab import stats
        >>> a = stats.estimate([0.91, 0.93, 0.92])
        >>> b = stats.estimate([0.85, 0.88, 0.86])
        >>> round(stats.compare(a, b, paired=True), 4), round(stats.compare(a, b), 4)
        (0.0034, 0.0087)
    """
    if a.n < 2 or b.n < 2:
        return 1.0
    stats = require("scipy.stats", "lab", "the lab's confidence intervals")

    if paired:
        if a.n != b.n:
            raise ValueError(f"compare: paired values need equal counts, got {a.n} and {b.n}")
        d = numpy.subtract(a.values, b.values)
        if numpy.all(d == d[0]):  # no spread: the t statistic is 0/0 or infinite
            return 1.0 if d[0] == 0 else 0.0
        return float(stats.ttest_rel(a.values, b.values).pvalue)

    va, vb = numpy.var(a.values, ddof=1), numpy.var(b.values, ddof=1)
    if va == 0 and vb == 0:
        return 1.0 if a.mean == b.mean else 0.0
    with warnings.catch_warnings():  # scipy warns of precision loss when one side is constant
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(a.values, b.values, equal_var=False).pvalue)


def capital(sentence: str) -> str:
    """The sentence with its first letter capitalized (a verdict may start with a lower-case name).

    Args:
        sentence: The sentence.

    Returns:
        The sentence, its first letter upper case.

    Examples:
        >>> from neuralab.lab import stats
        >>> stats.capital("relu comes first.")
        'Relu comes first.'
    """
    return sentence[:1].upper() + sentence[1:]
