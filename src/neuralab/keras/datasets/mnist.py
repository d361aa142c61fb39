"""``keras.datasets.mnist``: the MNIST handwritten digits."""

from __future__ import annotations

import os

import numpy

from neuralab.data.mnist import MNIST
from neuralab.keras.datasets._idx import Split, keras_cache_path, load

__all__ = ["load_data"]


def load_data(path: str | os.PathLike = "mnist.npz") -> tuple[Split, Split]:
    """Loads MNIST as Keras returns it: ``((x_train, y_train), (x_test, y_test))``.

    ``x`` is uint8 of shape (60000, 28, 28) and (10000, 28, 28), pixels 0..255; ``y`` uint8
    labels 0..9 of shape (60000,) and (10000,).

    Args:
        path: Keras's ``mnist.npz`` file name (relative to ``~/.keras/datasets``). When that
            file exists it is read as Keras reads it (keys x_train, y_train, x_test, y_test);
            a directory is searched for the IDX files; otherwise the original IDX files are
            read by ``neuralab.data.MNIST`` (``$NEURALAB_DATA``, the user cache, or downloaded
            once). Defaults to 'mnist.npz'.

    Returns:
        The training and test pairs.

    Examples:
        >>> from neuralab import keras
        >>> # skipped as doctests: they read (or download) 70,000 images
        >>> train, test = keras.datasets.mnist.load_data()  # doctest: +SKIP
        >>> (x_train, y_train), (x_test, y_test) = train, test  # doctest: +SKIP
        >>> x_train.shape, y_train.shape, x_test.dtype  # doctest: +SKIP
        ((60000, 28, 28), (60000,), dtype('uint8'))
    """
    target = keras_cache_path(path)
    if target.is_file():
        with numpy.load(target, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    return load(MNIST, target if target.is_dir() else None)
