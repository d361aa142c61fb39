"""Sequential, functional Model and subclassed Model against Keras 3: weights order and
names, outputs on the same weights, summary text, weights files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab
from neuralab import keras as nk


def _both(keras_ref, build):
    """The same model built from each library (``build(keras_module)``), same weights."""
    ours, theirs = build(nk), build(keras_ref)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _predict(model, x):
    out = model(x)
    return out.detach().numpy() if hasattr(out, "detach") else np.asarray(out)


def _binary_classifier(k):
    return k.Sequential(
        [
            k.layers.Dense(32, activation="relu", input_shape=(20,)),
            k.layers.Dense(16, activation="relu"),
            k.layers.Dense(1, activation="sigmoid"),
        ]
    )


def _cnn_like(k):
    return k.Sequential(
        [
            k.Input(shape=(6, 6, 2)),
            k.layers.Flatten(),
            k.layers.Dense(8),
            k.layers.BatchNormalization(),
            k.layers.Activation("relu"),
            k.layers.Dropout(0.5),
            k.layers.Dense(3, activation="softmax"),
        ]
    )


def _functional(k):
    x = k.Input(shape=(5,), name="features")
    h = k.layers.Dense(4, activation="tanh")(x)
    g = k.layers.Dense(4)(x)
    both = k.layers.Concatenate()([h, g])
    s = k.layers.Add()([h, g])
    out = k.layers.Dense(2)(k.layers.Concatenate()([both, s]))
    return k.Model(inputs=x, outputs=out)


@pytest.mark.parametrize("build", [_binary_classifier, _cnn_like, _functional])
def test_models_match_keras(keras_ref, build):
    ours, theirs = _both(keras_ref, build)
    assert [lay.name for lay in ours.layers] == [lay.name for lay in theirs.layers]
    assert [type(lay).__name__ for lay in ours.layers] == [
        type(lay).__name__ for lay in theirs.layers
    ]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    shape = (7, *(d for d in theirs.inputs[0].shape[1:]))
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    np.testing.assert_allclose(
        _predict(ours, x), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )
    ref = theirs.predict(x, verbose=0)
    np.testing.assert_allclose(ours(x).detach().numpy(), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("build", [_binary_classifier, _cnn_like, _functional])
def test_summary_is_keras_table(keras_ref, build):
    ours, theirs = _both(keras_ref, build)
    lines_ours, lines_theirs = [], []
    ours.summary(line_length=90, print_fn=lines_ours.append)
    theirs.summary(line_length=90, print_fn=lines_theirs.append)
    assert lines_ours == lines_theirs
    assert "Total params" in lines_ours[0]


def test_unbuilt_sequential_builds_on_first_call(keras_ref):
    model = nk.Sequential()
    model.add(nk.layers.Dense(4))
    model.add(nk.layers.Dense(2))
    assert not model.built
    with pytest.raises(ValueError, match="isn't built"):
        model.count_params()
    out = model(np.ones((3, 5), dtype="float32"))
    assert out.shape == (3, 2) and model.built and model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


def test_subclassed_model_registers_layers():
    class Net(nk.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nk.layers.Dense(8, activation="relu")
            self.out = nk.layers.Dense(2)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    net = Net()
    assert net.name == "net"
    y = net(np.ones((4, 3)))
    assert y.shape == (4, 2)
    assert [w.shape for w in net.weights] == [(3, 8), (8,), (8, 2), (2,)]
    assert len(list(net.parameters())) == 4  # neuralab's optimizers see the same weights
    assert [lay.name for lay in net.layers] == ["dense", "dense_1"]


def test_set_weights_checks_count_and_shapes():
    model = _binary_classifier(nk)
    weights = model.get_weights()
    with pytest.raises(ValueError, match="expects 6 weights"):
        model.set_weights(weights[:-1])
    weights[0] = weights[0].T
    with pytest.raises(ValueError, match=r"weight 0 has shape \(20, 32\)"):
        model.set_weights(weights)


def test_weights_file_round_trip(tmp_path):
    model = _cnn_like(nk)
    model(np.ones((4, 6, 6, 2)), training=True)  # moving statistics change
    path = tmp_path / "model.weights.safetensors"
    model.save_weights(path)
    other = _cnn_like(nk)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="does not match"):
        _binary_classifier(nk).load_weights(path)


def test_whole_model_formats_are_refused(tmp_path):
    model = _binary_classifier(nk)
    with pytest.raises(NotImplementedError, match="never loads code or pickled objects"):
        model.save(tmp_path / "model.keras")
    with pytest.raises(ValueError, match="must end in"):
        model.save_weights(tmp_path / "model.bin")


def test_functional_input_shape_is_checked():
    model = _functional(nk)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5\), found shape=\(2, 4\)"):
        model(np.ones((2, 4)))
    x = nk.Input((3,))
    y = nk.Input((3,))
    with pytest.raises(ValueError, match="cannot be computed from the given inputs"):
        nk.Model(x, nk.layers.Add()([x, y]))


def test_import_neuralab_as_tf():
    import neuralab as tf

    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    assert model.built and tf.keras is nk
    assert isinstance(model(neuralab.ones(3, 2)), neuralab.Tensor)
