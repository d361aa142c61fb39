"""Synthetic data sets: scikit-learn's generators, as float32 features and int64 (class)
or float32 (regression) targets, with the two distortions the lab studies:

- ``make_classification(..., imbalance=0.05)`` or ``weights=[0.95, 0.05]``: unequal class
  proportions;
- ``make_regression(..., outliers=0.1)``: a fraction of the targets hit by large errors;

and ``make_gaussian_mixture``, the 2-D mixture of Gaussians on which GANs are checked for
mode collapse.

``seed``: an int for the same data every time (the same data as scikit-learn's
``random_state=seed``), or None to draw one from the global neuralab generator, so that
``neuralab.manual_seed`` makes the data reproducible. With ``as_dataset=True`` the result
is a ``TensorDataset`` instead of a tuple of arrays.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy

from neuralab import backend
from neuralab.data.dataset import TensorDataset

__all__ = [
    "gaussian_mixture_centers",
    "make_classification",
    "make_gaussian_mixture",
    "make_regression",
]


def sklearn_datasets(who: str) -> Any:
    """``sklearn.datasets``, or a ``neuralab.extras.MissingExtraError`` (an ImportError)
    that says how to install it."""
    from neuralab.extras import require

    return require("sklearn.datasets", "lab", who)


def resolve_seed(seed: Any, who: str) -> int:
    """An int seed: ``seed`` itself, or one drawn from the global neuralab generator."""
    if seed is None:
        return int(backend.generator().integers(2**32 - 1))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"{who}: seed must be a non-negative int or None, got {seed!r}")
    return int(seed)


def _fraction(value: Any, name: str, who: str, *, closed_low: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who}: {name} must be a number in [0, 1), got {value!r}")
    low_ok = value >= 0 if closed_low else value > 0
    if not (low_ok and value < 1):
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise ValueError(f"{who}: {name} must be in {interval}, got {value}")
    return float(value)


def _class_weights(
    weights: Sequence[float] | None, imbalance: float | None, n_classes: int
) -> list[float] | None:
    who = "make_classification"
    if weights is not None and imbalance is not None:
        raise ValueError(f"{who}: give weights or imbalance, not both")
    if imbalance is not None:
        minority = _fraction(imbalance, "imbalance", who, closed_low=False)
        rest = (1.0 - minority) / (n_classes - 1)
        return [rest] * (n_classes - 1) + [minority]
    if weights is None:
        return None
    values = [float(w) for w in weights]
    if len(values) not in (n_classes, n_classes - 1):
        raise ValueError(
            f"{who}: weights must have n_classes={n_classes} values (or {n_classes - 1}, the "
            f"last one being the rest), got {len(values)}"
        )
    if any(not 0.0 <= w <= 1.0 for w in values) or sum(values) > 1.0 + 1e-9:
        raise ValueError(
            f"{who}: weights must be proportions in [0, 1] summing to at most 1, got {values}"
        )
    return values


def make_classification(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    n_informative: int = 2,
    n_redundant: int = 2,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    weights: Sequence[float] | None = None,
    imbalance: float | None = None,
    flip_y: float = 0.01,
    class_sep: float = 1.0,
    seed: int | None = None,
    as_dataset: bool = False,
    **kwargs: Any,
) -> tuple[numpy.ndarray, numpy.ndarray] | TensorDataset:
    """A random classification problem (``sklearn.datasets.make_classification``).

    Class proportions come from ``weights`` (one proportion per class, as scikit-learn) or
    ``imbalance``, the proportion of the last (minority) class, the other classes sharing
    the rest equally: ``imbalance=0.05`` with 2 classes gives proportions (0.95, 0.05).
    Proportions hold up to the ``flip_y`` fraction of labels that are re-drawn at random.

    Args:
        n_samples: Number of samples. Defaults to 100.
        n_features: Number of features. Defaults to 20.
        n_informative: Informative features. Defaults to 2.
        n_redundant: Linear combinations of the informative features. Defaults to 2.
        n_classes: Number of classes, >= 2. Defaults to 2.
        n_clusters_per_class: Gaussian clusters per class. Defaults to 2.
        weights: Proportion of each class. Defaults to None (equal).
        imbalance: Proportion of the last class, in (0, 1); excludes weights.
            Defaults to None.
        flip_y: Fraction of labels re-drawn at random. Defaults to 0.01.
        class_sep: Spread of the cluster centers. Defaults to 1.0.
        seed: Seed of the random draw; None for a fresh one. Defaults to None.
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.
        **kwargs: Further arguments of scikit-learn's function.

    Returns:
        ``(X, y)``: X float32 (n_samples, n_features), y int64 (n_samples,) in
        ``0 .. n_classes - 1``; or a ``TensorDataset`` of them.

    Raises:
        TypeError: A n_classes or seed of the wrong type.
        ValueError: n_classes < 2, both weights and imbalance, or proportions out of range.
        ImportError: scikit-learn is not installed.

    Examples:
        >>> from neuralab.data import make_classification
        >>> X, y = make_classification(50, 4, n_classes=3, n_clusters_per_class=1, seed=0)
        >>> X.shape, X.dtype, sorted(set(y.tolist()))
        ((50, 4), dtype('float32'), [0, 1, 2])
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"make_classification: n_classes must be an int, got {n_classes!r}")
    if n_classes < 2:
        raise ValueError(f"make_classification: n_classes must be at least 2, got {n_classes}")
    X, y = sklearn_datasets("make_classification").make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=n_redundant,
        n_classes=n_classes,
        n_clusters_per_class=n_clusters_per_class,
        weights=_class_weights(weights, imbalance, int(n_classes)),
        flip_y=flip_y,
        class_sep=class_sep,
        random_state=resolve_seed(seed, "make_classification"),
        **kwargs,
    )
    X, y = X.astype(backend.float32), y.astype(backend.int64)
    return TensorDataset(X, y) if as_dataset else (X, y)


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    outliers: float = 0.0,
    outlier_scale: float = 10.0,
    seed: int | None = None,
    as_dataset: bool = False,
    return_outliers: bool = False,
    **kwargs: Any,
) -> tuple[numpy.ndarray, ...] | TensorDataset:
    """A random linear regression problem (``sklearn.datasets.make_regression``).

    Outliers: ``k = round(outliers * n_samples)`` samples, chosen at random, get a large
    error added to their target,

        y_i <- y_i + s_i * u_i * outlier_scale * std(y),   s_i = +-1,  u_i ~ U(1, 2),

    with ``std(y)`` the standard deviation of the clean targets (per target).

    Args:
        n_samples: Number of samples. Defaults to 100.
        n_features: Number of features. Defaults to 100.
        n_informative: Features with a non-zero coefficient. Defaults to 10.
        n_targets: Number of targets. Defaults to 1.
        bias: Intercept of the linear model. Defaults to 0.0.
        noise: Standard deviation of the Gaussian noise added to y. Defaults to 0.0.
        outliers: Fraction of samples made outliers, in [0, 1). Defaults to 0.0.
        outlier_scale: Size of an outlier's error, in standard deviations of y.
            Defaults to 10.0.
        seed: Seed of the random draw; None for a fresh one. Defaults to None.
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.
        return_outliers: Also return a bool mask of the corrupted samples. Defaults to False.
        **kwargs: Further arguments of scikit-learn's function.

    Returns:
        ``(X, y)`` or ``(X, y, mask)``: X float32 (n_samples, n_features), y float32
        (n_samples,) or (n_samples, n_targets) when n_targets > 1; or a ``TensorDataset``.

    Raises:
        TypeError: An outlier_scale or seed of the wrong type.
        ValueError: outliers outside [0, 1) or outlier_scale <= 0.
        ImportError: scikit-learn is not installed.

    Examples:
        >>> from neuralab.data import make_regression
        >>> X, y, mask = make_regression(40, 3, n_informative=3, outliers=0.1, seed=0,
        ...                              return_outliers=True)
        >>> X.shape, y.shape, y.dtype, int(mask.sum())
        ((40, 3), (40,), dtype('float32'), 4)
    """
    who = "make_regression"
    frac = _fraction(outliers, "outliers", who, closed_low=True)
    if isinstance(outlier_scale, bool) or not isinstance(outlier_scale, numbers.Real):
        raise TypeError(f"{who}: outlier_scale must be a positive number, got {outlier_scale!r}")
    if not outlier_scale > 0:
        raise ValueError(f"{who}: outlier_scale must be positive, got {outlier_scale}")
    seed = resolve_seed(seed, who)
    X, y = sklearn_datasets(who).make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_targets=n_targets,
        bias=bias,
        noise=noise,
        random_state=seed,
        **kwargs,
    )
    mask = numpy.zeros(len(y), dtype=bool)
    k = round(frac * len(y))
    if k:
        rng = numpy.random.default_rng(seed)
        rows = rng.choice(len(y), size=k, replace=False)
        mask[rows] = True
        spread = y.std(axis=0)
        spread = numpy.where(spread > 0, spread, 1.0)
        shape = (k,) + y.shape[1:]
        signs = rng.choice([-1.0, 1.0], size=shape)
        y = y.copy()
        y[rows] += signs * rng.uniform(1.0, 2.0, size=shape) * outlier_scale * spread
    X, y = X.astype(backend.float32), y.astype(backend.float32)
    if as_dataset:
        return TensorDataset(X, y, mask) if return_outliers else TensorDataset(X, y)
    return (X, y, mask) if return_outliers else (X, y)


def gaussian_mixture_centers(
    n_modes: int = 8, radius: float = 2.0, layout: str = "ring"
) -> numpy.ndarray:
    """The centers of ``make_gaussian_mixture``'s modes.

        ring: c_k = radius * (cos(2 pi k / K), sin(2 pi k / K))
        grid: a sqrt(K) x sqrt(K) square grid spanning [-radius, radius] on both axes

    Args:
        n_modes: Number of modes K (a perfect square for ``"grid"``). Defaults to 8.
        radius: Radius of the ring, or half the side of the grid. Defaults to 2.0.
        layout: ``"ring"`` or ``"grid"``. Defaults to ``"ring"``.

    Returns:
        A float32 array of shape (n_modes, 2).

    Raises:
        ValueError: A n_modes or radius that is not positive, a grid of a non-square
            n_modes, or an unknown layout.

    Examples:
        >>> from neuralab.data import gaussian_mixture_centers
        >>> gaussian_mixture_centers(4, radius=1.0).round(3).tolist()
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    who = "gaussian_mixture_centers"
    if isinstance(n_modes, bool) or not isinstance(n_modes, numbers.Integral) or n_modes < 1:
        raise ValueError(f"{who}: n_modes must be a positive int, got {n_modes!r}")
    if isinstance(radius, bool) or not isinstance(radius, numbers.Real) or not radius > 0:
        raise ValueError(f"{who}: radius must be a positive number, got {radius!r}")
    if layout == "ring":
        angle = 2 * numpy.pi * numpy.arange(n_modes) / n_modes
        centers = radius * numpy.stack([numpy.cos(angle), numpy.sin(angle)], axis=1)
    elif layout == "grid":
        side = round(n_modes**0.5)
        if side * side != n_modes:
            raise ValueError(f"{who}: the 'grid' layout needs a square n_modes, got {n_modes}")
        ticks = numpy.linspace(-radius, radius, side) if side > 1 else numpy.zeros(1)
        centers = numpy.stack(numpy.meshgrid(ticks, ticks, indexing="ij"), -1).reshape(-1, 2)
    else:
        raise ValueError(f"{who}: layout must be 'ring' or 'grid', got {layout!r}")
    return centers.astype(backend.float32)


def make_gaussian_mixture(
    n_samples: int = 1000,
    n_modes: int = 8,
    *,
    radius: float = 2.0,
    std: float = 0.05,
    layout: str = "ring",
    seed: int | None = None,
    as_dataset: bool = False,
) -> tuple[numpy.ndarray, numpy.ndarray] | TensorDataset:
    """Points from an equal-weight mixture of isotropic Gaussians in the plane.

        x ~ (1/K) sum_k N(c_k, std^2 I)

    with the centers c_k of ``gaussian_mixture_centers`` (scikit-learn's ``make_blobs``).

    Args:
        n_samples: Number of points. Defaults to 1000.
        n_modes: Number of modes K. Defaults to 8.
        radius: Radius of the ring (half side of the grid). Defaults to 2.0.
        std: Standard deviation of each mode. Defaults to 0.05.
        layout: ``"ring"`` or ``"grid"``. Defaults to ``"ring"``.
        seed: Seed of the random draw; None for a fresh one. Defaults to None.
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.

    Returns:
        ``(X, y)``: X float32 (n_samples, 2), y int64, the mode each point was drawn from;
        or a ``TensorDataset`` of them.

    Raises:
        ValueError: A std that is not positive, or bad centers (see
            ``gaussian_mixture_centers``).

    Examples:
        >>> from neuralab.data import make_gaussian_mixture
        >>> X, y = make_gaussian_mixture(200, n_modes=4, seed=0)
        >>> X.shape, X.dtype, sorted(set(y.tolist()))
        ((200, 2), dtype('float32'), [0, 1, 2, 3])
    """
    who = "make_gaussian_mixture"
    if isinstance(std, bool) or not isinstance(std, numbers.Real) or not std > 0:
        raise ValueError(f"{who}: std must be a positive number, got {std!r}")
    centers = gaussian_mixture_centers(n_modes, radius, layout)
    X, y = sklearn_datasets(who).make_blobs(
        n_samples=n_samples,
        centers=centers.astype(numpy.float64),
        cluster_std=float(std),
        random_state=resolve_seed(seed, who),
    )
    X, y = X.astype(backend.float32), y.astype(backend.int64)
    return TensorDataset(X, y) if as_dataset else (X, y)
