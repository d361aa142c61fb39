"""scikit-learn's bundled handwritten digits: 1,797 images of 8 x 8 pixels, 10 classes.

It ships with scikit-learn (no download), so it serves where MNIST's files are absent.
"""

from __future__ import annotations

import numbers

import numpy

from neuralab import backend
from neuralab.data.dataset import TensorDataset
from neuralab.data.synthetic import sklearn_datasets

__all__ = ["load_digits"]

_MAX = 16.0  # the digits' pixels are counts 0..16


def load_digits(
    *,
    n_class: int = 10,
    flatten: bool = True,
    scale: tuple[float, float] | None = (0.0, 1.0),
    as_dataset: bool = False,
) -> tuple[numpy.ndarray, numpy.ndarray] | TensorDataset:
    """The 8 x 8 digits of scikit-learn (``sklearn.datasets.load_digits``), no download.

    Pixels are ``lo + (hi - lo) * x / 16`` for ``scale=(lo, hi)``, or the raw values 0..16
    with ``scale=None``.

    Args:
        n_class: Keep only the digits below it (1,797 samples for 10). Defaults to 10.
        flatten: Each image a vector of 64 values instead of (1, 8, 8) (channels first,
            for ``Conv2d``). Defaults to True.
        scale: ``(lo, hi)``, the range of the pixels, or None for the raw values.
            Defaults to (0.0, 1.0).
        as_dataset: Return a ``TensorDataset`` instead of the arrays. Defaults to False.

    Returns:
        ``(X, y)``: X float32 (n, 64) or (n, 1, 8, 8), y int64 in ``0 .. n_class - 1``; or a
        ``TensorDataset`` of them.

    Raises:
        TypeError: A n_class that is not an int.
        ValueError: A n_class outside 1..10, or a scale with lo >= hi.
        ImportError: scikit-learn is not installed.

    Examples:
        >>> from neuralab.data import load_digits
        >>> X, y = load_digits(flatten=False)
        >>> X.shape, X.dtype, float(X.max()), y[:5].tolist()
        ((1797, 1, 8, 8), dtype('float32'), 1.0, [0, 1, 2, 3, 4])
    """
    if isinstance(n_class, bool) or not isinstance(n_class, numbers.Integral):
        raise TypeError(f"load_digits: n_class must be an int in 1..10, got {n_class!r}")
    if not 1 <= n_class <= 10:
        raise ValueError(f"load_digits: n_class must be in 1..10, got {n_class}")
    if scale is not None:
        lo, hi = (float(v) for v in scale)
        if not lo < hi:
            raise ValueError(f"load_digits: scale must be (lo, hi) with lo < hi, got {scale}")
    X, y = sklearn_datasets("load_digits").load_digits(n_class=int(n_class), return_X_y=True)
    X = X.astype(backend.float32)
    if scale is not None:
        X = X / numpy.float32(_MAX) * numpy.float32(hi - lo) + numpy.float32(lo)
    if not flatten:
        X = X.reshape(len(X), 1, 8, 8)
    y = y.astype(backend.int64)
    return TensorDataset(X, y) if as_dataset else (X, y)
