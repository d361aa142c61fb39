"""neuralab.keras.datasets: MNIST and Fashion-MNIST in Keras's format, from the local IDX
files (the `neuralab_data` fixture points NEURALAB_DATA at ../shared/datasets)."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab import data
from neuralab.keras import datasets
from neuralab.keras.datasets import fashion_mnist, mnist


def _check_format(splits):
    (x_train, y_train), (x_test, y_test) = splits
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))


def test_mnist_format_and_labels(neuralab_data):
    splits = mnist.load_data()
    _check_format(splits)
    (x_train, y_train), (_, y_test) = splits
    reference = data.MNIST(train=True, scale=None)
    np.testing.assert_array_equal(y_train[:100], reference.targets[:100])
    np.testing.assert_array_equal(x_train[:5], reference.data[:5])
    np.testing.assert_array_equal(y_test, data.MNIST(train=False, scale=None).targets)
    # Images are digits on a black background: the border pixels are 0 almost everywhere.
    assert x_train[:, 0, :].mean() < 1 and x_train.mean() > 20


def test_fashion_mnist_matches_keras_loader(keras_ref, neuralab_data, tmp_path, monkeypatch):
    """The real keras.datasets.fashion_mnist.load_data, pointed at the same IDX files (its
    cache folder holds links to them, so nothing is downloaded), gives identical arrays."""
    import keras.src.backend.config as keras_config

    cache = tmp_path / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    for f in (neuralab_data / "fashion-mnist").glob("*.gz"):
        (cache / f.name).symlink_to(f)
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path))
    theirs = keras_ref.datasets.fashion_mnist.load_data()
    ours = fashion_mnist.load_data()
    _check_format(ours)
    for (xo, yo), (xk, yk) in zip(ours, theirs):
        assert xo.dtype == xk.dtype and xo.shape == xk.shape and yo.dtype == yk.dtype
        np.testing.assert_array_equal(xo, xk)
        np.testing.assert_array_equal(yo, yk)
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    assert np.bincount(ours[0][1]).tolist() == [6000] * 10
    assert np.bincount(ours[1][1]).tolist() == [1000] * 10
    np.testing.assert_array_equal(ours[0][1][:100], data.FashionMNIST(scale=None).targets[:100])


def test_mnist_reads_a_keras_npz_file(tmp_path):
    arrays = {
        "x_train": np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        "y_train": np.array([3, 1], np.uint8),
        "x_test": np.zeros((1, 28, 28), np.uint8),
        "y_test": np.array([7], np.uint8),
    }
    np.savez(tmp_path / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_mnist_path_can_be_a_folder_of_idx_files(datasets_dir, monkeypatch):
    monkeypatch.delenv("NEURALAB_DATA", raising=False)
    (_, y_train), _ = mnist.load_data(path=datasets_dir / "mnist")
    np.testing.assert_array_equal(
        y_train[:20], data.MNIST(root=datasets_dir, scale=None).targets[:20]
    )


@pytest.mark.parametrize("name", datasets.NOT_BUILT)
def test_other_datasets_say_they_are_not_built(name):
    import importlib

    module = importlib.import_module(f"neuralab.keras.datasets.{name}")
    assert getattr(datasets, name) is module
    with pytest.raises(NotImplementedError, match=f"datasets.{name}"):
        module.load_data()
