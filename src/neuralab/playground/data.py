"""The playground's 2-D classification data sets and input features, as in TensorFlow
Playground: points in the square [-6, 6]^2 with labels 0/1, and the features a network may
read from a point (x1, x2, their squares, their product and their sines).

    x, y = make_dataset("spiral", size=500, noise=0.1, seed=0)
    (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_fraction=0.5, seed=0)
    inputs = features(x_train, ("x1", "x2", "sin_x1"))   # (250, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy

__all__ = ["DATASETS", "DOMAIN", "FEATURES", "features", "grid", "make_dataset", "train_test_split"]

DOMAIN = 6.0
"""The data and the decision-boundary picture cover [-DOMAIN, DOMAIN]^2."""


def _circles(n: int, noise: float, rng: numpy.random.Generator) -> tuple[numpy.ndarray, ...]:
    # label 1: a disc of radius 2.5; label 0: a ring 3.5 <= r <= 5
    labels = rng.permutation(numpy.arange(n) % 2)
    radius = numpy.where(labels == 1, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0, 2 * numpy.pi, n)
    x = numpy.stack([radius * numpy.cos(angle), radius * numpy.sin(angle)], axis=1)
    return x + rng.normal(0, noise * 5.0, x.shape), labels


def _xor(n: int, noise: float, rng: numpy.random.Generator) -> tuple[numpy.ndarray, ...]:
    # label 1 where x1 x2 > 0 (quadrants 1 and 3); points kept 0.3 away from the axes
    labels = rng.permutation(numpy.arange(n) % 2)
    sign1 = rng.choice([-1.0, 1.0], n)
    sign2 = numpy.where(labels == 1, sign1, -sign1)
    x = rng.uniform(0.3, 5.0, (n, 2)) * numpy.stack([sign1, sign2], axis=1)
    return x + rng.normal(0, noise * 5.0, x.shape), labels


def _gauss(n: int, noise: float, rng: numpy.random.Generator) -> tuple[numpy.ndarray, ...]:
    # two Gaussian clusters centred at (2, 2) and (-2, -2)
    labels = rng.permutation(numpy.arange(n) % 2)
    centres = numpy.where(labels[:, None] == 1, 2.0, -2.0)
    return centres + rng.normal(0, 0.5 + noise * 3.0, (n, 2)), labels


def _spiral(n: int, noise: float, rng: numpy.random.Generator) -> tuple[numpy.ndarray, ...]:
    # two interleaved arms, arm k at radius r in [0, 5] with angle 1.75 (r / 5) 2 pi + k pi
    labels = numpy.arange(n) % 2
    r = numpy.tile(numpy.linspace(0.0, 5.0, (n + 1) // 2), 2)[:n]
    r = numpy.sort(r)
    angle = 1.75 * r / 5.0 * 2 * numpy.pi + labels * numpy.pi
    x = numpy.stack([r * numpy.sin(angle), r * numpy.cos(angle)], axis=1)
    return x + rng.normal(0, noise * 2.0, x.shape), labels


def _moons(n: int, noise: float, rng: numpy.random.Generator) -> tuple[numpy.ndarray, ...]:
    # two interleaved half circles of radius 3 (scikit-learn's make_moons, scaled by 3)
    labels = rng.permutation(numpy.arange(n) % 2)
    t = rng.uniform(0, numpy.pi, n)
    upper = numpy.stack([numpy.cos(t), numpy.sin(t)], axis=1)
    lower = numpy.stack([1 - numpy.cos(t), 0.5 - numpy.sin(t)], axis=1)
    x = numpy.where(labels[:, None] == 0, upper, lower) * 3.0 - numpy.array([1.5, 0.75])
    return x + rng.normal(0, noise * 3.0, x.shape), labels


DATASETS: dict[str, Callable[..., tuple[numpy.ndarray, ...]]] = {
    "circles": _circles,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
}

FEATURES: dict[str, Callable[[numpy.ndarray, numpy.ndarray], numpy.ndarray]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1_sq": lambda a, b: a * a,
    "x2_sq": lambda a, b: b * b,
    "x1_x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: numpy.sin(a),
    "sin_x2": lambda a, b: numpy.sin(b),
}
"""The input features a network may read: name -> f(x1, x2)."""


def make_dataset(
    name: str, size: int, noise: float, seed: int
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """``size`` labelled points of the data set ``name``.

    Args:
        name: A key of ``DATASETS``: ``circles``, ``xor``, ``gauss``, ``spiral``, ``moons``.
        size: Number of points, >= 2 (half of each label, within one).
        noise: Gaussian noise, 0 (none) to 0.5, scaled to each set's size.
        seed: Seed of the points and their noise.

    Returns:
        ``(x, y)``: points (float32) and labels (int64), clipped to [-DOMAIN, DOMAIN].

    Raises:
        ValueError: An unknown name.

    Shape:
        x (size, 2), y (size,).

    Examples:
        >>> from neuralab.playground.data import make_dataset
        >>> x, y = make_dataset("xor", size=100, noise=0.0, seed=0)
        >>> x.shape, int(y.sum()) > 20, bool(((x[:, 0] * x[:, 1] > 0) == (y == 1)).all())
        ((100, 2), True, True)
    """
    if name not in DATASETS:
        raise ValueError(f"dataset: unknown name {name!r}; expected one of {', '.join(DATASETS)}")
    x, y = DATASETS[name](size, noise, numpy.random.default_rng(seed))
    return numpy.clip(x, -DOMAIN, DOMAIN).astype(numpy.float32), y.astype(numpy.int64)


def train_test_split(
    x: numpy.ndarray, y: numpy.ndarray, test_fraction: float, seed: int
) -> tuple[tuple[numpy.ndarray, numpy.ndarray], tuple[numpy.ndarray, numpy.ndarray]]:
    """Shuffle the points and cut them into a training and a test part.

    Args:
        x: Points, (N, 2).
        y: Labels, (N,).
        test_fraction: Share of the points for the test part, in (0, 1); each part keeps at
            least one point.
        seed: Seed of the shuffle.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``.

    Examples:
        >>> import numpy
        >>> from neuralab.playground.data import train_test_split
        >>> (a, _), (b, _) = train_test_split(numpy.zeros((10, 2)), numpy.zeros(10), 0.3, 0)
        >>> len(a), len(b)
        (7, 3)
    """
    order = numpy.random.default_rng(seed).permutation(len(x))
    n_test = min(max(1, round(len(x) * test_fraction)), len(x) - 1)
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


def features(x: numpy.ndarray, names: Sequence[str]) -> numpy.ndarray:
    """The input features ``names`` of the points ``x``, one column each.

    Args:
        x: Points, (N, 2).
        names: Keys of ``FEATURES`` (``x1``, ``x2``, ``x1_sq``, ``x2_sq``, ``x1_x2``,
            ``sin_x1``, ``sin_x2``).

    Returns:
        The float32 matrix (N, len(names)).

    Raises:
        ValueError: An unknown feature name.

    Examples:
        >>> import numpy
        >>> from neuralab.playground.data import features
        >>> features(numpy.array([[2.0, 3.0]]), ["x1", "x1_x2", "x2_sq"]).tolist()
        [[2.0, 6.0, 9.0]]
    """
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"features: unknown {unknown}; expected some of {', '.join(FEATURES)}")
    a, b = x[:, 0], x[:, 1]
    return numpy.stack([FEATURES[n](a, b) for n in names], axis=1).astype(numpy.float32)


def grid(resolution: int) -> numpy.ndarray:
    """The centres of a ``resolution`` x ``resolution`` grid over [-DOMAIN, DOMAIN]^2, row
    by row from the top (x2 = +DOMAIN) down, as an image is drawn.

    Args:
        resolution: Cells per side.

    Returns:
        Points (resolution^2, 2), float32.

    Examples:
        >>> from neuralab.playground.data import grid
        >>> grid(2).tolist()
        [[-3.0, 3.0], [3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]]
    """
    step = 2 * DOMAIN / resolution
    centres = -DOMAIN + step * (numpy.arange(resolution) + 0.5)
    x1, x2 = numpy.meshgrid(centres, centres[::-1])
    return numpy.stack([x1.ravel(), x2.ravel()], axis=1).astype(numpy.float32)
