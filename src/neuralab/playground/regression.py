"""The playground's regression data sets: a value y = f(x) + noise to fit, from one input
(x1; x2 is 0) or from two, over the same square [-6, 6]^2 as the classification sets.

    x, y = make_dataset("sine", size=200, noise=0.1, seed=0)   # y = sin(x1) + noise
    REGRESSION["bump"].inputs                                  # 2: a surface over (x1, x2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy

from neuralab.playground.data import DOMAIN

__all__ = ["REGRESSION", "VALUE_DOMAIN", "Shape", "is_regression", "make_dataset"]

VALUE_DOMAIN = 2.0
"""The values y lie in [-VALUE_DOMAIN, VALUE_DOMAIN] (clipped): the 1-D plot's height."""

_CENTRES = numpy.array([[-3.0, 3.0], [3.0, 3.0], [-3.0, -3.0], [3.0, -3.0], [0.0, 0.0]])
_SIGNS = numpy.array([1.0, -1.0, -1.0, 1.0, 1.0])


def _bump(x1: numpy.ndarray, x2: numpy.ndarray) -> numpy.ndarray:
    # five Gaussian bumps of height +-1 and width 1.5 (TF Playground's "multi gaussian")
    d2 = (x1[:, None] - _CENTRES[:, 0]) ** 2 + (x2[:, None] - _CENTRES[:, 1]) ** 2
    return (_SIGNS * numpy.exp(-d2 / (2 * 1.5**2))).sum(1)


@dataclass(frozen=True)
class Shape:
    """A regression data set: the function to fit and how many inputs it reads.

    Args:
        inputs: 1 (f reads x1; the points have x2 = 0) or 2.
        f: The noise-free values, f(x1, x2) -> y, elementwise.
    """

    inputs: int
    f: Callable[[numpy.ndarray, numpy.ndarray], numpy.ndarray]


REGRESSION: dict[str, Shape] = {
    "sine": Shape(1, lambda a, b: numpy.sin(a)),
    "abs": Shape(1, lambda a, b: numpy.abs(a) / 3 - 1),
    "step": Shape(1, lambda a, b: numpy.where(a < 0, -0.8, 0.8)),
    "plane": Shape(2, lambda a, b: (a + b) / (2 * DOMAIN)),
    "bump": Shape(2, _bump),
}
"""The regression data sets: ``sine`` y = sin(x1), ``abs`` y = |x1| / 3 - 1, ``step``
y = -0.8 for x1 < 0 else 0.8, ``plane`` y = (x1 + x2) / 12 and ``bump`` five Gaussian
bumps (+1 at (-3, 3), (3, -3) and (0, 0); -1 at (3, 3) and (-3, -3); width 1.5)."""


def is_regression(name: str) -> bool:
    """Whether ``name`` is a regression data set (a key of ``REGRESSION``).

    Examples:
        >>> from neuralab.playground.regression import is_regression
        >>> is_regression("sine"), is_regression("spiral")
        (True, False)
    """
    return name in REGRESSION


def make_dataset(
    name: str, size: int, noise: float, seed: int
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """``size`` points of the regression set ``name``, uniform over the square (x2 = 0 for
    a 1-D set), with values y = f(x1, x2) + N(0, noise^2).

    Args:
        name: A key of ``REGRESSION``: ``sine``, ``abs``, ``step``, ``plane``, ``bump``.
        size: Number of points, >= 2.
        noise: The standard deviation of the values' noise, 0 to 0.5.
        seed: Seed of the points and their noise.

    Returns:
        ``(x, y)``: points (float32) and values (float32, clipped to
        [-VALUE_DOMAIN, VALUE_DOMAIN]).

    Raises:
        ValueError: An unknown name.

    Shape:
        x (size, 2), y (size,).

    Examples:
        >>> import numpy
        >>> from neuralab.playground.regression import make_dataset
        >>> x, y = make_dataset("sine", size=50, noise=0.0, seed=0)
        >>> x.shape, bool((x[:, 1] == 0).all()), bool(numpy.allclose(y, numpy.sin(x[:, 0])))
        ((50, 2), True, True)
    """
    if name not in REGRESSION:
        raise ValueError(f"dataset: unknown name {name!r}; expected one of {', '.join(REGRESSION)}")
    shape, rng = REGRESSION[name], numpy.random.default_rng(seed)
    x = rng.uniform(-DOMAIN, DOMAIN, (size, 2))
    if shape.inputs == 1:
        x[:, 1] = 0.0
    y = shape.f(x[:, 0], x[:, 1]) + rng.normal(0.0, noise, size)
    y = numpy.clip(y, -VALUE_DOMAIN, VALUE_DOMAIN)
    return x.astype(numpy.float32), y.astype(numpy.float32)
