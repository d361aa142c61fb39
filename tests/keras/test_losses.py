"""neuralab.keras.losses against Keras 3 (torch backend): values and gradients with respect
to y_pred (torch autograd on Keras's side), with and without sample weights."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
import neuralab.keras.losses as nkl

RTOL, ATOL = 1e-5, 1e-6
N, C = 6, 4


@pytest.fixture(scope="module")
def oracle():
    """Keras 3 on torch for the numeric comparisons (no layer names involved, so no
    per-test ``clear_session``, which costs ~0.4 s of garbage collection each time);
    tests that compare names take ``keras_ref``."""
    import keras

    assert keras.backend.backend() == "torch"
    return keras


def _inputs(kind: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    if kind == "binary_prob":  # probabilities, some right at 0 and 1 (the clipping matters)
        y_true = rng.integers(0, 2, size=(N, 1)).astype(np.float32)
        y_pred = rng.uniform(0.01, 0.99, size=(N, 1)).astype(np.float32)
        y_pred[0, 0], y_pred[1, 0] = 0.0, 1.0
        return y_true, y_pred
    if kind == "binary_logit":
        return (
            rng.integers(0, 2, size=(N, 1)).astype(np.float32),
            rng.normal(scale=3, size=(N, 1)).astype(np.float32),
        )
    if kind == "binary_flat":  # (N,) targets against (N, 1) predictions
        return (
            rng.integers(0, 2, size=(N,)).astype(np.float32),
            rng.uniform(0.01, 0.99, size=(N, 1)).astype(np.float32),
        )
    if kind == "multi_binary":
        return (
            rng.integers(0, 2, size=(N, C)).astype(np.float32),
            rng.uniform(0.01, 0.99, size=(N, C)).astype(np.float32),
        )
    if kind == "onehot_prob":
        y = np.eye(C, dtype=np.float32)[rng.integers(0, C, size=N)]
        p = rng.uniform(0.05, 1.0, size=(N, C)).astype(np.float32)
        p[0] = [0.0, 0.0, 1.0, 0.0]  # certain and (maybe) wrong: clipped at eps
        return y, p  # not normalized: Keras divides by the sum
    if kind == "onehot_logit":
        return (
            np.eye(C, dtype=np.float32)[rng.integers(0, C, size=N)],
            rng.normal(scale=2, size=(N, C)).astype(np.float32),
        )
    if kind == "sparse_prob":
        p = rng.uniform(0.05, 1.0, size=(N, C)).astype(np.float32)
        return rng.integers(0, C, size=(N,)).astype(np.float32), p
    if kind == "sparse_col":
        return (
            rng.integers(0, C, size=(N, 1)).astype(np.float32),
            rng.normal(size=(N, C)).astype(np.float32),
        )
    if kind == "regression":
        return (
            rng.normal(size=(N, C)).astype(np.float32),
            rng.normal(size=(N, C)).astype(np.float32),
        )
    if kind == "regression_col":  # (N,) against (N, 1)
        return (
            rng.normal(size=(N,)).astype(np.float32),
            rng.normal(size=(N, 1)).astype(np.float32),
        )
    if kind == "positive":
        return (
            rng.uniform(0.1, 3, size=(N, C)).astype(np.float32),
            rng.uniform(0.1, 3, size=(N, C)).astype(np.float32),
        )
    if kind == "distribution":
        t = rng.uniform(0.05, 1, size=(N, C)).astype(np.float32)
        p = rng.uniform(0.05, 1, size=(N, C)).astype(np.float32)
        return t / t.sum(-1, keepdims=True), p / p.sum(-1, keepdims=True)
    if kind == "hinge":
        return (
            rng.integers(0, 2, size=(N, C)).astype(np.float32),
            rng.normal(size=(N, C)).astype(np.float32),
        )
    if kind == "hinge_pm":  # labels already -1/1
        return (
            (rng.integers(0, 2, size=(N, C)) * 2 - 1).astype(np.float32),
            rng.normal(size=(N, C)).astype(np.float32),
        )
    raise KeyError(kind)


CASES = [
    ("BinaryCrossentropy", {}, "binary_prob"),
    ("BinaryCrossentropy", {}, "binary_flat"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logit"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary_prob"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "binary_logit"),
    ("BinaryCrossentropy", {}, "multi_binary"),
    ("BinaryFocalCrossentropy", {}, "binary_prob"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 1.5}, "multi_binary"),
    ("BinaryFocalCrossentropy", {"from_logits": True}, "binary_logit"),
    ("CategoricalCrossentropy", {}, "onehot_prob"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logit"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot_prob"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "onehot_logit"),
    ("SparseCategoricalCrossentropy", {}, "sparse_prob"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_col"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanSquaredError", {}, "regression_col"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression_col"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Huber", {}, "regression"),
    ("Huber", {"delta": 0.5}, "regression_col"),
    ("LogCosh", {}, "regression"),
    ("KLDivergence", {}, "distribution"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "hinge"),
    ("Hinge", {}, "hinge_pm"),
    ("SquaredHinge", {}, "hinge"),
    ("CategoricalHinge", {}, "onehot_logit"),
    ("CosineSimilarity", {}, "regression"),
]


def _weights(y_true, kind: str):
    rng = np.random.default_rng(1)
    if kind == "none":
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, size=(N,)).astype(np.float32)
    return rng.uniform(0, 2, size=(N, 1)).astype(np.float32)  # column of weights


def _keras_value_grad(keras, cls, kwargs, y_true, y_pred, sample_weight):
    import torch

    pred = torch.tensor(y_pred, requires_grad=True)
    loss = getattr(keras.losses, cls)(**kwargs)(y_true, pred, sample_weight=sample_weight)
    if loss.ndim == 0:
        loss.backward()
    else:
        loss.sum().backward()
    return loss.detach().numpy(), pred.grad.numpy()


def _ours_value_grad(cls, kwargs, y_true, y_pred, sample_weight):
    pred = nl.tensor(y_pred.copy(), requires_grad=True)
    loss = getattr(nkl, cls)(**kwargs)(y_true, pred, sample_weight=sample_weight)
    (loss if loss.ndim == 0 else loss.sum()).backward()
    return loss.detach().numpy(), pred.grad.numpy()


@pytest.mark.parametrize("weights", ["none", "per_sample", "column"])
@pytest.mark.parametrize(("cls", "kwargs", "kind"), CASES, ids=lambda v: str(v))
def test_loss_value_and_gradient_match_keras(oracle, cls, kwargs, kind, weights):
    y_true, y_pred = _inputs(kind)
    sw = _weights(y_true, weights)
    value, grad = _ours_value_grad(cls, kwargs, y_true, y_pred, sw)
    k_value, k_grad = _keras_value_grad(oracle, cls, kwargs, y_true, y_pred, sw)
    assert value.shape == k_value.shape == ()
    np.testing.assert_allclose(value, k_value, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(grad, k_grad, rtol=RTOL, atol=ATOL)
    assert np.abs(grad).sum() > 0


@pytest.mark.parametrize("reduction", ["sum", "none", None, "mean", "mean_with_sample_weight"])
@pytest.mark.parametrize("cls", ["BinaryCrossentropy", "MeanSquaredError", "Huber"])
def test_reductions_match_keras(oracle, cls, reduction):
    y_true, y_pred = _inputs("binary_flat" if cls == "BinaryCrossentropy" else "regression")
    sw = _weights(y_true, "per_sample")
    value, grad = _ours_value_grad(cls, {"reduction": reduction}, y_true, y_pred, sw)
    k_value, k_grad = _keras_value_grad(oracle, cls, {"reduction": reduction}, y_true, y_pred, sw)
    assert value.shape == k_value.shape
    np.testing.assert_allclose(value, k_value, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(grad, k_grad, rtol=RTOL, atol=ATOL)


FUNCTIONS = [
    ("mse", "regression"),
    ("MSE", "regression"),
    ("bce", "multi_binary"),
    ("kld", "distribution"),
    ("mae", "regression"),
    ("mape", "regression"),
    ("msle", "positive"),
    ("huber", "regression"),
    ("log_cosh", "regression"),
    ("kl_divergence", "distribution"),
    ("poisson", "positive"),
    ("binary_crossentropy", "multi_binary"),
    ("categorical_crossentropy", "onehot_prob"),
    ("sparse_categorical_crossentropy", "sparse_prob"),
    ("hinge", "hinge"),
    ("squared_hinge", "hinge"),
    ("categorical_hinge", "onehot_logit"),
    ("cosine_similarity", "regression"),
]


@pytest.mark.parametrize(("name", "kind"), FUNCTIONS)
def test_get_by_name_gives_per_sample_function(oracle, name, kind):
    """losses.get(name) is Keras's loss *function*: one value per sample."""
    y_true, y_pred = _inputs(kind)
    ours = nkl.get(name)(y_true, nl.tensor(y_pred)).numpy()
    theirs = oracle.ops.convert_to_numpy(oracle.losses.get(name)(y_true, y_pred))
    assert ours.shape == theirs.shape == (N,)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_get_identifiers_and_names(keras_ref):
    for cls in ["MeanSquaredError", "BinaryCrossentropy", "Huber", "CategoricalHinge"]:
        ours, theirs = nkl.get(cls), keras_ref.losses.get(cls)
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.name == theirs.name
        assert ours.get_config() == theirs.get_config()
    bce = nkl.BinaryCrossentropy(from_logits=True)
    assert nkl.get(bce) is bce
    again = nkl.get({"class_name": "BinaryCrossentropy", "config": bce.get_config()})
    assert again.from_logits is True
    assert nkl.get(None) is None
    for unknown in ["nope", "logcosh", "huber_loss"]:  # Keras knows neither
        with pytest.raises(ValueError, match="Could not interpret"):
            keras_ref.losses.get(unknown)
        with pytest.raises(ValueError, match="Could not interpret"):
            nkl.get(unknown)
    with pytest.raises(NotImplementedError, match="ignore_class"):
        nkl.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(NotImplementedError, match="CTC"):
        nkl.get("CTC")
    with pytest.raises(ValueError, match="reduction"):
        nkl.MeanSquaredError(reduction="average")


@pytest.mark.parametrize(
    ("identifier", "kind", "expected"),
    [
        ("mse", "regression", "mse"),
        ("binary_crossentropy", "binary_prob", "binary_crossentropy"),
        ("crossentropy", "binary_prob", "crossentropy"),
        ("ce", "sparse_prob", "ce"),
        ("crossentropy", "onehot_prob", "crossentropy"),
    ],
)
def test_compile_loss_matches_keras_compile_utils(keras_ref, identifier, kind, expected):
    from keras.src.trainers import compile_utils

    y_true, y_pred = _inputs(kind)
    ours = nkl.compile_loss(identifier, y_true, y_pred)
    theirs = compile_utils.get_loss(identifier, y_true, y_pred)
    assert ours.name == theirs.name == expected
    sw = _weights(y_true, "per_sample")
    value = ours(y_true, nl.tensor(y_pred), sample_weight=sw).item()
    k_value = float(keras_ref.ops.convert_to_numpy(theirs(y_true, y_pred, sample_weight=sw)))
    assert value == pytest.approx(k_value, rel=RTOL, abs=ATOL)
    obj = nkl.Huber()
    assert nkl.compile_loss(obj) is obj


def test_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match="same shape"):
        nkl.BinaryCrossentropy()(np.zeros((4, 2)), np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        nkl.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 0.3))


@pytest.mark.parametrize("kind", ["binary_prob", "sparse_prob", "onehot_prob"])
def test_crossentropy_resolved_on_first_call(oracle, kind):
    """compile(loss='crossentropy') before any data: picked from the first batch's shapes."""
    from keras.src.trainers import compile_utils

    y_true, y_pred = _inputs(kind)
    ours = nkl.compile_loss("crossentropy")
    theirs = compile_utils.get_loss("crossentropy", y_true, y_pred)
    value = ours(y_true, nl.tensor(y_pred)).item()
    expected = float(oracle.ops.convert_to_numpy(theirs(y_true, y_pred)))
    assert ours.name == "crossentropy"
    assert value == pytest.approx(expected, rel=RTOL, abs=ATOL)
