"""Data sets by name as training, validation and test arrays (and k folds): what the
lab's studies, ``neuralab tune`` and ``neuralab train`` train on (``neuralab.registry``
names them).

- ``digits``: scikit-learn's 1,797 8 x 8 digits (no download); a fixed 20 % is the test
  set, the rest is split into training and validation.
- ``mnist`` / ``fashion-mnist``: ``n_train`` and ``n_val`` images drawn from the training
  file, ``n_test`` from the test file (all of them when None).
- ``synthetic``: ``sklearn.datasets.make_classification`` (``n_train + n_val + n_test``
  samples, 20 features, 3 classes).

Inputs are float32 in [-1, 1] (flattened), labels int64. The selection depends only on
``seed``, so every trial, worker and machine sees the same images.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy

__all__ = ["DATASETS", "SHAPES", "Arrays", "Splits", "image_arrays", "load_splits"]

DATASETS = ("digits", "mnist", "fashion-mnist", "synthetic")
# (input features, classes) of each data set, known without loading it (a model's size is
# checked before any data is read)
SHAPES = {"digits": (64, 10), "mnist": (784, 10), "fashion-mnist": (784, 10), "synthetic": (20, 3)}
Arrays = tuple[numpy.ndarray, numpy.ndarray]


@dataclass
class Splits:
    """Training, validation and test arrays of a data set, as ``load_splits`` returns them.

    Each of train, val and test is a pair ``(x, y)`` of NumPy arrays.

    Args:
        train: The training ``(x, y)``.
        val: The validation ``(x, y)``.
        test: The test ``(x, y)``.
        folds: The (train, val) pairs of k-fold cross-validation over train + val; one pair,
            (train, val), without it.
        in_features: Number of input features (columns of x).
        classes: Number of classes.

    Examples:
        >>> from neuralab.data.splits import load_splits
        >>> s = load_splits("synthetic", n_train=60, n_val=20, n_test=20)
        >>> s.train[0].shape, s.val[0].shape, s.test[0].shape, s.in_features, s.classes
        ((60, 20), (20, 20), (20, 20), 20, 3)
        >>> s.train_val[0].shape
        (80, 20)
    """

    train: Arrays
    val: Arrays
    test: Arrays
    folds: list[tuple[Arrays, Arrays]]
    in_features: int
    classes: int

    @property
    def train_val(self) -> Arrays:
        """Training and validation together (the best configuration is retrained on it)."""
        return (
            numpy.concatenate([self.train[0], self.val[0]]),
            numpy.concatenate([self.train[1], self.val[1]]),
        )


@functools.lru_cache(maxsize=4)
def image_arrays(name: str, train: bool, root: str | None = None) -> Arrays:
    """The whole training or test file of ``mnist`` or ``fashion-mnist``, flattened to
    (n, 784) float32 in [-1, 1] with int64 labels, read once per process (read-only:
    every selection is a copy). ``root``: the data folder (None: NEURALAB_DATA, then the
    user cache)."""
    from neuralab.data import MNIST, FashionMNIST

    if name not in ("mnist", "fashion-mnist"):
        raise ValueError(f"image_arrays: expected 'mnist' or 'fashion-mnist', got {name!r}")
    cls = MNIST if name == "mnist" else FashionMNIST
    x, y = cls(root=root, train=train, flatten=True, scale=(-1.0, 1.0)).arrays()
    x.flags.writeable = y.flags.writeable = False
    return x, y


def _take(x: numpy.ndarray, y: numpy.ndarray, index: numpy.ndarray) -> Arrays:
    return numpy.ascontiguousarray(x[index]), numpy.ascontiguousarray(y[index])


def _pick(rng: numpy.random.Generator, n: int, size: int | None, what: str) -> numpy.ndarray:
    if size is None:
        return numpy.arange(n)
    if size > n:
        raise ValueError(f"data: {what} = {size} is more than the {n} samples available")
    return numpy.sort(rng.choice(n, size, replace=False))


def load_splits(
    name: str,
    *,
    n_train: int | None = None,
    n_val: int | None = None,
    n_test: int | None = None,
    val_fraction: float = 0.2,
    folds: int = 1,
    seed: int = 0,
    data_dir: str | None = None,
) -> Splits:
    """The training, validation and test arrays of data set ``name``, by seed.

    - ``digits``: scikit-learn's 1,797 8 x 8 digits (no download); a fixed 20 % is the test
      set, the rest is split into training and validation.
    - ``mnist`` / ``fashion-mnist``: ``n_train`` and ``n_val`` images drawn from the training
      file, ``n_test`` from the test file (all of them when None).
    - ``synthetic``: ``sklearn.datasets.make_classification`` (20 features, 3 classes).

    Inputs are float32 in [-1, 1] (flattened), labels int64. The selection depends only on
    ``seed``, so every trial, worker and machine sees the same samples.

    Args:
        name: ``"digits"``, ``"mnist"``, ``"fashion-mnist"`` or ``"synthetic"``.
        n_train: Training samples; None for all that are left. Defaults to None.
        n_val: Validation samples; None for ``val_fraction`` of the training samples.
            Defaults to None.
        n_test: Test samples; None for all (200 for synthetic). Defaults to None.
        val_fraction: Fraction held out for validation when n_val is None.
            Defaults to 0.2.
        folds: k of k-fold cross-validation over train + val; 1 for none. Defaults to 1.
        seed: Seed of the selection. Defaults to 0.
        data_dir: Folder of the MNIST files; None for ``$NEURALAB_DATA``, then the user
            cache. Defaults to None.

    Returns:
        A ``Splits``.

    Raises:
        ValueError: An unknown name, a val_fraction outside (0, 1), or more samples asked
            for than there are.

    Examples:
        >>> from neuralab.data.splits import load_splits
        >>> s = load_splits("digits", n_train=100, n_val=50, seed=1)
        >>> s.train[0].shape, s.train[0].dtype, s.test[0].shape, s.classes
        ((100, 64), dtype('float32'), (359, 64), 10)
    """
    if name not in DATASETS:
        raise ValueError(f"data.name: expected one of {list(DATASETS)}, got {name!r}")
    rng = numpy.random.default_rng(seed)
    if name == "digits":
        from neuralab.data import load_digits

        x, y = load_digits(scale=(-1.0, 1.0))
        order = numpy.random.default_rng(0).permutation(len(x))  # fixed test set
        n_hold = round(0.2 * len(x))
        test_index, rest = order[:n_hold], numpy.sort(order[n_hold:])
        test = _take(x, y, test_index[_pick(rng, len(test_index), n_test, "n_test")])
        x, y = x[rest], y[rest]
    elif name == "synthetic":
        from neuralab.data import make_classification

        sizes = (n_train, n_val, n_test)
        total = sum(s if s is not None else d for s, d in zip(sizes, (800, 200, 200)))
        features, classes = SHAPES["synthetic"]
        x, y = make_classification(
            total, features, n_informative=8, n_classes=classes, n_clusters_per_class=1, seed=seed
        )
        x = numpy.clip(x / 4.0, -1.0, 1.0).astype(numpy.float32)
        n_hold = n_test if n_test is not None else 200
        test = (x[:n_hold], y[:n_hold])
        x, y = x[n_hold:], y[n_hold:]
    else:
        root = data_dir or os.environ.get("NEURALAB_DATA")
        xt, yt = image_arrays(name, False, root)
        test = _take(xt, yt, _pick(rng, len(xt), n_test, "n_test"))
        x, y = image_arrays(name, True, root)
    order = rng.permutation(len(x))
    if n_val is None:
        if not 0 < val_fraction < 1:
            raise ValueError(f"data.val_fraction: expected 0 < fraction < 1, got {val_fraction}")
        size = n_train if n_train is not None else len(x)
        n_val = max(1, round(val_fraction * size))
    n_train = len(x) - n_val if n_train is None else n_train
    if n_train + n_val > len(x):
        raise ValueError(
            f"data: n_train + n_val = {n_train + n_val} is more than the {len(x)} samples of "
            f"{name!r} available for training"
        )
    train = _take(x, y, numpy.sort(order[:n_train]))
    val = _take(x, y, numpy.sort(order[n_train : n_train + n_val]))
    classes = int(max(y.max(), test[1].max())) + 1
    splits = Splits(train, val, test, [(train, val)], int(x.shape[1]), classes)
    if folds > 1:
        pool_x, pool_y = splits.train_val
        parts = numpy.array_split(rng.permutation(len(pool_x)), folds)
        splits.folds = [
            (
                _take(pool_x, pool_y, numpy.sort(numpy.concatenate(parts[:k] + parts[k + 1 :]))),
                _take(pool_x, pool_y, numpy.sort(parts[k])),
            )
            for k in range(folds)
        ]
    return splits
