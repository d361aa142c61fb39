"""neuralab.keras.activations against Keras 3 (torch backend): values and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab.keras import activations as A

NAMES = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "elu", "selu", "softplus",
    "softsign", "silu", "swish", "gelu", "leaky_relu", "relu6", "exponential",
    "hard_sigmoid", "mish", "celu", "hard_silu", "hard_swish", "hard_tanh", "tanh_shrink",
    "log_sigmoid",
]  # fmt: skip


def _x(shape=(6, 7), scale=4.0, seed=0):
    # Wide enough to reach every regime (relu6's cap, hard_sigmoid's saturation at +-3,
    # softplus's linear branch beyond 20 is checked separately).
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(np.float32)


def _ours(fn, x, w, **kw):
    t = nl.tensor(x, requires_grad=True)
    y = fn(t, **kw)
    (y * nl.tensor(w)).sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def _keras(keras, fn, x, w, **kw):
    import torch

    t = torch.tensor(x, requires_grad=True)
    y = fn(t, **kw)
    (y * torch.tensor(w)).sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def _compare(keras, ours, theirs, x, atol=1e-6, **kw):
    w = np.random.default_rng(1).normal(size=x.shape).astype(np.float32)
    y, g = _ours(ours, x, w, **kw)
    y_ref, g_ref = _keras(keras, theirs, x, w, **kw)
    assert y.dtype == np.float32 and y.shape == y_ref.shape
    what = f"{getattr(ours, '__name__', ours)}({kw})"
    np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=atol, err_msg=f"value of {what}")
    np.testing.assert_allclose(g, g_ref, rtol=1e-5, atol=atol, err_msg=f"gradient of {what}")


@pytest.mark.parametrize("name", NAMES)
def test_by_name_matches_keras(keras_ref, name):
    # exponential reaches e^12 ~ 1.6e5: float32 rounding makes atol 1e-6 meaningless there,
    # so it gets a smaller input range and relies on rtol.
    x = _x(scale=2.0 if name == "exponential" else 4.0)
    _compare(keras_ref, A.get(name), keras_ref.activations.get(name), x)


# (Loops, not parametrize: each Keras test pays for clear_session in the conftest.)
RELU_OPTIONS = [
    {},
    {"negative_slope": 0.1},
    {"max_value": 6.0},
    {"max_value": 2.5},
    {"threshold": 1.0},
    {"negative_slope": 0.3, "max_value": 4.0},
    {"negative_slope": 0.3, "threshold": -0.5},
    {"negative_slope": 0.2, "max_value": 3.0, "threshold": 0.5},
    {"max_value": 3.0, "threshold": 0.5},
]


def test_relu_options_match_keras(keras_ref):
    for kw in RELU_OPTIONS:
        _compare(keras_ref, A.relu, keras_ref.activations.relu, _x(), **kw)


ARGUMENTS = [
    ("leaky_relu", {"negative_slope": 0.05}),
    ("elu", {"alpha": 0.5}),
    ("gelu", {"approximate": True}),
    ("celu", {"alpha": 2.0}),
    ("softmax", {"axis": 0}),
    ("softmax", {"axis": 1}),
    ("log_softmax", {"axis": 0}),
]


def test_arguments_match_keras(keras_ref):
    for fn, kw in ARGUMENTS:
        # The tanh approximation of gelu computes 1 + tanh(u) with tanh(u) ~ -1 in the
        # negative tail: float32 cancellation leaves ~1e-6 of noise (on values of order
        # 1e-6) on both sides.
        atol = 5e-6 if kw.get("approximate") else 1e-6
        theirs = getattr(keras_ref.activations, fn)
        _compare(keras_ref, getattr(A, fn), theirs, _x(), atol=atol, **kw)


def test_softmax_over_several_axes_matches_keras(keras_ref):
    for fn in ("softmax", "log_softmax"):
        for axis in (None, (1, 2), (0, 2)):
            theirs = getattr(keras_ref.activations, fn)
            _compare(keras_ref, getattr(A, fn), theirs, _x((3, 4, 5)), axis=axis)


def test_defaults_are_keras_defaults(keras_ref):
    import inspect

    for name in ("relu", "leaky_relu", "elu", "gelu", "softmax", "log_softmax", "celu"):
        ours = inspect.signature(getattr(A, name)).parameters
        theirs = inspect.signature(getattr(keras_ref.activations, name)).parameters
        assert {k: p.default for k, p in ours.items()} == {
            k: p.default for k, p in theirs.items()
        }, name


def test_softplus_large_inputs_and_hard_sigmoid_formula(keras_ref):
    x = np.array([-30.0, -3.5, -3.0, -1.0, 0.0, 2.0, 3.0, 25.0, 80.0], np.float32)
    _compare(keras_ref, A.softplus, keras_ref.activations.softplus, x)
    # Keras 3's hard sigmoid is relu6(x + 3) / 6, not Keras 2's 0.2 x + 0.5.
    np.testing.assert_allclose(A.hard_sigmoid(nl.tensor(x)).numpy(), np.clip(x / 6 + 0.5, 0, 1))


def test_accepts_arrays_and_lists(keras_ref):
    y = A.relu([-10, -5, 0.0, 5, 10], max_value=5.0)
    assert isinstance(y, nl.Tensor) and y.dtype == nl.float32
    np.testing.assert_array_equal(y.numpy(), [0, 0, 0, 5, 5])


def test_get_and_serialize(keras_ref):
    assert A.get(None) is A.linear
    assert A.get("swish") is A.silu and A.get("hard_swish") is A.hard_silu

    def mine(x):
        return x

    assert A.get(mine) is mine
    for name in NAMES:
        assert A.serialize(A.get(name)) == keras_ref.activations.serialize(
            keras_ref.activations.get(name)
        )
        assert A.get(A.serialize(A.get(name))) is A.get(name)
    config = keras_ref.saving.serialize_keras_object(keras_ref.activations.relu)
    assert A.get(config) is A.relu
    with pytest.raises(ValueError, match="relu"):
        A.serialize(mine)


def test_unknown_and_unsupported_names():
    with pytest.raises(ValueError, match=r"known activations: .*hard_sigmoid.*relu"):
        A.get("rleu")
    with pytest.raises(NotImplementedError, match="sparsemax"):
        A.get("sparsemax")
    with pytest.raises(ValueError, match="activation"):
        A.get(3)
