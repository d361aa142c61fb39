"""Per-step curves made readable: means over windows of steps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy

__all__ = ["window_means", "window_steps"]


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
