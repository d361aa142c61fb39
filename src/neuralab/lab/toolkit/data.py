"""The lab's data: a seeded subsample of MNIST (through ``neuralab.registry``'s data
sets, so the lab, tune and the CLI read and split it one way)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy

import neuralab as nl
from neuralab.data.splits import load_splits

__all__ = ["MNIST_TEST", "MNIST_TRAIN", "MnistData", "load_mnist"]

MNIST_TRAIN, MNIST_TEST = 60_000, 10_000


@dataclass
class MnistData:
    """A subsample of MNIST: training, validation and test arrays.

    Images are float32 (n, 784) in [-1, 1], labels int64 (n,).

    Args:
        train: The training images and labels.
        val: The validation images and labels (other images of the training file), or None.
        test: The test images and labels.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> rng = np.random.default_rng(0)  # random images: a fast stand-in for MNIST
        >>> x = rng.uniform(-1, 1, (64, 784)).astype("float32")
        >>> y = rng.integers(0, 10, 64)
        >>> data = toolkit.MnistData((x, y), None, (x[:32], y[:32]))
        >>> data.train[0].shape, data.val, data.test[1].shape
        ((64, 784), None, (32,))
    """

    train: tuple[numpy.ndarray, numpy.ndarray]
    val: tuple[numpy.ndarray, numpy.ndarray] | None
    test: tuple[numpy.ndarray, numpy.ndarray]


def load_mnist(n_train: int | None, n_test: int | None, n_val: int = 0) -> MnistData:
    """A seeded subsample of MNIST: disjoint training and validation images, and test images.

    ``n_train`` training and ``n_val`` validation images are drawn without replacement from
    MNIST's training file, ``n_test`` from its test file, by a seed drawn from the global
    generator (so ``neuralab.manual_seed`` fixes them).

    Args:
        n_train: Training images (None: every one not held out for validation).
        n_test: Test images (None: all 10,000).
        n_val: Validation images. Defaults to 0 (no validation set).

    Returns:
        The ``MnistData``.

    Raises:
        ValueError: If a size is not positive (``n_val`` negative).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> # skipped as a doctest: it reads MNIST's files (from $NEURALAB_DATA or the cache)
        >>> data = toolkit.load_mnist(1000, 500, n_val=200)  # doctest: +SKIP
        >>> data.train[0].shape, data.val[0].shape, data.test[0].shape  # doctest: +SKIP
        ((1000, 784), (200, 784), (500, 784))
    """
    if n_val < 0 or (n_train is not None and n_train < 1) or (n_test is not None and n_test < 1):
        raise ValueError(
            f"load_mnist: sizes must be positive, got n_train={n_train}, n_val={n_val}, "
            f"n_test={n_test}"
        )
    seed = int(nl.backend.generator().integers(2**31))
    splits = load_splits("mnist", n_train=n_train, n_val=n_val, n_test=n_test, seed=seed)
    return MnistData(splits.train, splits.val if n_val else None, splits.test)
