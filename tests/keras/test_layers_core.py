"""Core Keras layers against Keras 3 (torch backend): same weights, same data -> same
outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab
from neuralab import keras as nk

RTOL, ATOL = 1e-5, 1e-6


def _run_keras(layer, x: np.ndarray, cotangent: np.ndarray | None = None, training=False):
    """Keras layer output and, with a cotangent, the gradients of sum(out * cotangent) with
    respect to the input and to every trainable weight (torch autograd)."""
    xt = torch.tensor(x, requires_grad=x.dtype.kind == "f")
    out = layer(xt, training=training)
    if cotangent is None:
        return out.detach().numpy(), None, None
    (out * torch.tensor(cotangent)).sum().backward()
    grads = [w.value.grad.numpy() for w in layer.trainable_weights]
    return out.detach().numpy(), (None if xt.grad is None else xt.grad.numpy()), grads


def _run_ours(layer, x: np.ndarray, cotangent: np.ndarray | None = None, training=False):
    xt = neuralab.tensor(x, requires_grad=x.dtype.kind == "f")
    out = layer(xt, training=training)
    if cotangent is None:
        return out.detach().numpy(), None, None
    (out * neuralab.tensor(cotangent)).sum().backward()
    grads = [w.grad.numpy() for w in layer.trainable_weights]
    return out.detach().numpy(), (None if xt.grad is None else xt.grad.numpy()), grads


def _same(ours, theirs, rtol=RTOL, atol=ATOL):
    out, gx, gw = ours
    ref_out, ref_gx, ref_gw = theirs
    np.testing.assert_allclose(out, ref_out, rtol=rtol, atol=atol)
    if ref_gx is not None:
        np.testing.assert_allclose(gx, ref_gx, rtol=rtol, atol=atol)
    for a, b in zip(gw or [], ref_gw or []):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _pair(keras_ref, name, x, **kwargs):
    theirs = getattr(keras_ref.layers, name)(**kwargs)
    ours = getattr(nk.layers, name)(**kwargs)
    theirs.build(x.shape if not isinstance(x, list) else [a.shape for a in x])
    ours.build((None, *x.shape[1:]))
    ours.set_weights(theirs.get_weights())
    return ours, theirs


@pytest.mark.parametrize(
    "shape,kwargs",
    [
        ((5, 4), {"units": 3}),
        ((5, 4), {"units": 3, "activation": "relu", "use_bias": False}),
        ((2, 6, 4), {"units": 3, "activation": "tanh"}),
        ((5, 4), {"units": 2, "activation": "sigmoid"}),
    ],
)
def test_dense_matches_keras(keras_ref, shape, kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    ours, theirs = _pair(keras_ref, "Dense", x, **kwargs)
    cot = rng.normal(size=(*shape[:-1], kwargs["units"])).astype("float32")
    _same(_run_ours(ours, x, cot), _run_keras(theirs, x, cot))
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]


def test_dense_default_initializers_follow_keras_layout(keras_ref):
    layer = nk.layers.Dense(300)
    layer.build((None, 200))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (200, 300) and bias.shape == (300,)
    assert not bias.any()
    limit = np.sqrt(6 / 500)  # Glorot uniform
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("shape", [(6, 3), (2, 4, 5, 3)])
def test_batch_normalization_matches_keras(keras_ref, training, shape):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=shape) * 3 + 1).astype("float32")
    ours, theirs = _pair(keras_ref, "BatchNormalization", x)
    weights = [rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()]
    weights[-1] = np.abs(weights[-1]) + 0.5  # a variance
    theirs.set_weights(weights)
    ours.set_weights(weights)
    cot = rng.normal(size=shape).astype("float32")
    _same(_run_ours(ours, x, cot, training), _run_keras(theirs, x, cot, training), 1e-4, 1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):  # moving statistics
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert [w.path.split("/")[-1] for w in ours.weights] == [
        "gamma",
        "beta",
        "moving_mean",
        "moving_variance",
    ]


def test_batch_normalization_frozen_runs_in_inference_mode(keras_ref):
    x = np.random.default_rng(2).normal(size=(8, 3)).astype("float32")
    ours, theirs = _pair(keras_ref, "BatchNormalization", x)
    ours.trainable = theirs.trainable = False
    _same(_run_ours(ours, x, training=True), _run_keras(theirs, x, training=True))
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 4


@pytest.mark.parametrize(
    "name,shape,kwargs",
    [
        ("Flatten", (2, 3, 4, 5), {}),
        ("Reshape", (2, 12), {"target_shape": (3, -1)}),
        ("Reshape", (2, 3, 4), {"target_shape": (4, 3)}),
        ("Permute", (2, 3, 4, 5), {"dims": (3, 1, 2)}),
        ("Activation", (2, 5), {"activation": "softmax"}),
        ("Activation", (2, 5), {"activation": "tanh"}),
    ],
)
def test_shape_layers_match_keras(keras_ref, name, shape, kwargs):
    rng = np.random.default_rng(3)
    x = rng.normal(size=shape).astype("float32")
    theirs = getattr(keras_ref.layers, name)(**kwargs)
    ours = getattr(nk.layers, name)(**kwargs)
    ref = _run_keras(theirs, x, rng.normal(size=theirs.compute_output_shape(shape)).astype("f"))
    cot = rng.normal(size=ref[0].shape).astype("float32")
    _same(_run_ours(ours, x, cot), _run_keras(theirs, x, cot))
    batchless = (None, *shape[1:])
    assert ours.compute_output_shape(batchless) == theirs.compute_output_shape(batchless)


def test_dropout_is_identity_in_inference_and_scales_in_training(keras_ref):
    x = np.ones((200, 50), dtype="float32")
    layer = nk.layers.Dropout(0.3)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # a direct call is inference
    out = layer(x, training=True).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02
    seeded = [nk.layers.Dropout(0.5, seed=3)(x, training=True).numpy() for _ in range(2)]
    np.testing.assert_array_equal(seeded[0], seeded[1])


def test_embedding_matches_keras(keras_ref):
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 10, size=(3, 5))
    theirs = keras_ref.layers.Embedding(10, 4)
    ours = nk.layers.Embedding(10, 4)
    theirs.build((None, 5))
    ours.build((None, 5))
    ours.set_weights(theirs.get_weights())
    cot = rng.normal(size=(3, 5, 4)).astype("float32")
    _same(_run_ours(ours, ids, cot), _run_keras(theirs, ids, cot))
    table = nk.layers.Embedding(1000, 50)
    table.build((None, 1))
    (w,) = table.get_weights()
    assert np.abs(w).max() <= 0.05 and np.abs(w).max() > 0.049  # uniform(-0.05, 0.05)
    with pytest.raises(ValueError, match=r"indices must be in \[0, 10\)"):
        ours(np.array([[10]]))
    with pytest.raises(NotImplementedError, match="mask_zero"):
        nk.layers.Embedding(10, 4, mask_zero=True)


def test_merge_layers_match_keras(keras_ref):
    rng = np.random.default_rng(5)
    a, b = (rng.normal(size=(2, 3)).astype("float32") for _ in range(2))
    for name in ("Add", "Concatenate"):
        out = getattr(nk.layers, name)()([a, b]).numpy()
        ref = getattr(keras_ref.layers, name)()([torch.tensor(a), torch.tensor(b)]).numpy()
        np.testing.assert_allclose(out, ref, rtol=RTOL)


def test_layer_argument_errors_name_the_layer():
    with pytest.raises(ValueError, match="Dense: units must be a positive integer"):
        nk.layers.Dense(0)
    with pytest.raises(TypeError, match="unrecognized keyword arguments"):
        nk.layers.Dense(3, kernel_size=2)
    with pytest.raises(ValueError, match="Dropout: rate"):
        nk.layers.Dropout(1.5)
    with pytest.raises(NotImplementedError, match="kernel_constraint"):
        nk.layers.Dense(3, kernel_constraint="non_neg")
    dense = nk.layers.Dense(3)
    dense(np.ones((1, 4)))
    with pytest.raises(ValueError, match="expected inputs with last axis 4"):
        dense(np.ones((1, 5)))
    with pytest.raises(ValueError, match="total size of the new array must be unchanged"):
        nk.layers.Reshape((5,))(np.ones((2, 4)))


def test_names_follow_keras(keras_ref):
    ours = [nk.layers.Dense(1), nk.layers.Dense(1), nk.layers.BatchNormalization()]
    theirs = [
        keras_ref.layers.Dense(1),
        keras_ref.layers.Dense(1),
        keras_ref.layers.BatchNormalization(),
    ]
    assert [lay.name for lay in ours] == [lay.name for lay in theirs]
    nk.backend.clear_session()
    assert nk.layers.Dense(1).name == "dense"


def test_custom_layer_with_add_weight_and_add_loss():
    class Scale(nk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, inputs):
            self.add_loss(0.5)
            return inputs * self.w

    layer = Scale()
    out = layer(np.full((2, 3), 2.0))
    np.testing.assert_array_equal(out.detach().numpy(), np.full((2, 3), 2.0))
    assert [p.shape for p in layer.parameters()] == [(3,)]
    assert len(layer.weights) == 1 and float(layer.losses[0].item()) == 0.5
    layer.w.assign(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(layer(np.ones((1, 3))).detach().numpy(), [[1, 2, 3]])
