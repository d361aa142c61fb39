"""neuralab.keras.utils against keras.utils (Keras 3, torch backend)."""

from __future__ import annotations

import random

import numpy as np
import pytest

import neuralab as nl
from neuralab.keras import initializers
from neuralab.keras import utils as U


@pytest.mark.parametrize(
    "labels, num_classes",
    [
        ([0, 1, 2, 3], None),
        ([0, 1, 2, 3], 6),
        (np.array([[1], [2], [0]]), None),  # (N, 1): the trailing axis is dropped
        (np.array([[1], [2], [0]]), 4),
        (np.array([[0, 2], [1, 1]]), None),  # (N, M) -> (N, M, C)
        (np.array([[[3], [1]]]), 5),
        (np.array([2.0, 0.0]), None),  # float labels with integer values
        (np.array([1]), 0),  # num_classes=0 means "infer", as Keras
        (7, None),  # a scalar label
    ],
)
def test_to_categorical_matches_keras(keras_ref, labels, num_classes):
    ours = U.to_categorical(labels, num_classes)
    theirs = keras_ref.utils.to_categorical(labels, num_classes)
    assert isinstance(ours, np.ndarray)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_tensor_input_and_errors(keras_ref):
    out = U.to_categorical(nl.tensor(np.array([[2], [0]])), 3)
    assert isinstance(out, nl.Tensor) and out.dtype == nl.float32
    np.testing.assert_array_equal(out.numpy(), keras_ref.utils.to_categorical([[2], [0]], 3))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        U.to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        U.to_categorical([-1, 2], 3)  # Keras would wrap -1 to the last class silently
    with pytest.raises(ValueError, match="integer"):
        U.to_categorical([0.5, 1.0])


@pytest.mark.parametrize("axis, order", [(-1, 2), (0, 2), (1, 1), (-1, 3), (None, 2)])
def test_normalize_numpy_matches_keras(keras_ref, axis, order):
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    x[2] = 0.0  # a zero row: its norm counts as 1
    if axis is None:
        x = x[0]
    ours = U.normalize(x, axis, order)
    if axis == 0:
        # Keras 3.15 writes `axis = axis or -1`, so its axis=0 divides along the wrong axis
        # (here a broadcast error); the reference is the formula itself.
        norm = np.linalg.norm(x, order, axis=0, keepdims=True)
        theirs = x / np.where(norm == 0, 1, norm)
    else:
        theirs = keras_ref.utils.normalize(x, axis, order)
    assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("axis, order", [(-1, 2), (0, 2), (1, 1), (0, 3)])
def test_normalize_tensor_matches_keras_ops_with_gradient(keras_ref, axis, order):
    import torch

    x = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)
    x[1] = 1e-9  # a tiny row: the epsilon bound (1e-7) takes over
    w = np.random.default_rng(2).normal(size=x.shape).astype(np.float32)
    t = nl.tensor(x, requires_grad=True)
    y = U.normalize(t, axis, order)
    (y * nl.tensor(w)).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = keras_ref.ops.normalize(xt, axis=axis, order=order)
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="order"):
        U.normalize(t, order=0)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"maxlen": 3},
        {"maxlen": 3, "truncating": "post"},
        {"padding": "post"},
        {"maxlen": 6, "padding": "post", "value": -1},
        {"dtype": "float32", "value": 0.5},
    ],
)
def test_pad_sequences_matches_keras(keras_ref, kw):
    sequences = [[1, 2, 3, 4], [5], [], [6, 7]]
    ours = U.pad_sequences(sequences, **kw)
    theirs = keras_ref.utils.pad_sequences(sequences, **kw)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="Padding"):
        U.pad_sequences(sequences, padding="middle")


def test_pad_sequences_edge_cases():
    # maxlen=0 crashes in Keras 3.15 (it assigns into an empty slice); ours gives (N, 0).
    assert U.pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)
    out = U.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]], padding="post")  # samples of shape (2,)
    np.testing.assert_array_equal(out, [[[1, 2], [3, 4]], [[5, 6], [0, 0]]])
    with pytest.raises(ValueError, match="expected shape"):
        U.pad_sequences([[[1, 2]], [[1, 2, 3]]])


def test_set_random_seed_makes_draws_reproducible():
    def draws():
        return (
            random.random(),
            np.random.rand(),
            nl.randn(3).numpy().tolist(),
            initializers.GlorotUniform()((4, 4)).numpy().tolist(),
        )

    U.set_random_seed(42)
    first = draws()
    U.set_random_seed(42)
    assert draws() == first
    U.set_random_seed(43)
    assert draws() != first
    with pytest.raises(ValueError, match="integer"):
        U.set_random_seed(1.5)


def test_unsupported_utilities_say_so():
    with pytest.raises(NotImplementedError, match="plot_model"):
        U.plot_model(None, to_file="model.png")
    from neuralab.keras.utils import split_dataset

    with pytest.raises(NotImplementedError, match="split_dataset"):
        split_dataset([1, 2, 3], left_size=0.5)
