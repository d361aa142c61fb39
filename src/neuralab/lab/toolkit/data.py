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
    """A subsample of MNIST: training, validation (other images of the training file, or
    None) and test arrays; images float32 (n, 784) in [-1, 1], labels int64 (n,)."""

    train: tuple[numpy.ndarray, numpy.ndarray]
    val: tuple[numpy.ndarray, numpy.ndarray] | None
    test: tuple[numpy.ndarray, numpy.ndarray]


def load_mnist(n_train: int | None, n_test: int | None, n_val: int = 0) -> MnistData:
    """``n_train`` training and ``n_val`` validation images drawn without replacement
    from MNIST's training file (disjoint), and ``n_test`` from its test file, chosen by
    a seed drawn from the global generator (so ``neuralab.manual_seed`` fixes them).
    None: every image (for the training set: every one not held out for validation)."""
    if n_val < 0 or (n_train is not None and n_train < 1) or (n_test is not None and n_test < 1):
        raise ValueError(
            f"load_mnist: sizes must be positive, got n_train={n_train}, n_val={n_val}, "
            f"n_test={n_test}"
        )
    seed = int(nl.backend.generator().integers(2**31))
    splits = load_splits("mnist", n_train=n_train, n_val=n_val, n_test=n_test, seed=seed)
    return MnistData(splits.train, splits.val if n_val else None, splits.test)
