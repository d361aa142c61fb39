"""neuralab.keras.regularizers against Keras 3 (values) and torch autograd (gradients)."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab.keras import regularizers as R

W = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)

CASES = [
    ("L1", {}),
    ("L1", {"l1": 0.3}),
    ("L2", {}),
    ("L2", {"l2": 0.25}),
    ("L1L2", {}),
    ("L1L2", {"l1": 0.1, "l2": 0.2}),
    ("L1L2", {"l2": 0.5}),
    ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.7, "mode": "columns"}),
]


def _torch_penalty(torch, name, kw, w):
    """The same formulas written directly in torch."""
    if name == "L1":
        return kw.get("l1", 0.01) * w.abs().sum()
    if name == "L2":
        return kw.get("l2", 0.01) * (w**2).sum()
    if name == "L1L2":
        return kw.get("l1", 0.0) * w.abs().sum() + kw.get("l2", 0.0) * (w**2).sum()
    rows = kw.get("mode", "rows") == "rows"
    u = torch.nn.functional.normalize(w, dim=1 if rows else 0)
    product = u @ u.T if rows else u.T @ u
    n = product.shape[0]
    off = product * (1 - torch.eye(n))
    return kw.get("factor", 0.01) * 0.5 * off.abs().sum() / (n * (n - 1) / 2)


@pytest.mark.parametrize("name, kw", CASES)
def test_value_matches_keras_and_gradient_matches_torch(keras_ref, name, kw):
    import torch

    ours = getattr(R, name)(**kw)
    w = nl.tensor(W, requires_grad=True)
    penalty = ours(w)
    assert isinstance(penalty, nl.Tensor) and penalty.shape == () and penalty.dtype == nl.float32
    theirs = getattr(keras_ref.regularizers, name)(**kw)(keras_ref.ops.convert_to_tensor(W))
    np.testing.assert_allclose(penalty.item(), float(theirs), rtol=1e-5, atol=1e-7)
    if name == "L1L2" and not kw:
        assert penalty.item() == 0.0  # no penalty, and nothing to differentiate
        return
    penalty.backward()
    wt = torch.tensor(W, requires_grad=True)
    reference = _torch_penalty(torch, name, kw, wt)
    reference.backward()
    np.testing.assert_allclose(penalty.item(), reference.item(), rtol=1e-5)
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name, kw", CASES)
def test_config_and_serialize_match_keras(keras_ref, name, kw):
    ours, theirs = getattr(R, name)(**kw), getattr(keras_ref.regularizers, name)(**kw)
    # Keras keeps L1's l1 and the orthogonal factor as float32 tensors, so its config holds
    # float32-rounded numbers (0.009999999776482582); ours keeps the float given.
    ours_config, keras_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() == keras_config.keys()
    for key, value in ours_config.items():
        if isinstance(value, float):
            assert value == pytest.approx(keras_config[key], rel=1e-7)
        else:
            assert value == keras_config[key]
    ser = R.serialize(ours)
    assert ser.keys() == keras_ref.regularizers.serialize(theirs).keys()
    rebuilt = R.get(keras_ref.regularizers.serialize(theirs))
    assert type(rebuilt) is type(ours)


def test_get():
    assert R.get(None) is None
    assert isinstance(R.get("l1"), R.L1) and R.get("l1").l1 == 0.01
    assert isinstance(R.get("l2"), R.L2) and R.get("L2").l2 == 0.01
    assert isinstance(R.get("l1_l2"), R.L1L2) and isinstance(R.get("l1l2"), R.L1L2)
    assert isinstance(R.get("orthogonal_regularizer"), R.OrthogonalRegularizer)
    assert R.l1_l2 is R.L1L2 and R.l2 is R.L2
    reg = R.L2(0.5)
    assert R.get(reg) is reg and isinstance(R.get(R.L1), R.L1)

    def fn(w):
        return w.sum()

    assert R.get(fn) is fn
    with pytest.raises(ValueError, match="known regularizers"):
        R.get("l3")
    with pytest.raises(ValueError, match="l2"):
        R.L2(-1.0)
    with pytest.raises(ValueError, match="l1"):
        R.L1(float("nan"))
    with pytest.raises(ValueError, match="mode"):
        R.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank 2"):
        R.OrthogonalRegularizer()(nl.ones(2, 3, 4))
    with pytest.raises(TypeError, match="L2"):
        R.L2()([1.0, 2.0])


def test_keras_names_resolve(keras_ref):
    from keras.src.regularizers import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        assert type(R.get(name)).__name__ == cls.__name__
