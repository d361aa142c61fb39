"""neuralab.keras.metrics against Keras 3 (torch backend): results streamed over several
batches, with and without sample weights, and compile()'s resolution of identifiers."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab.keras.metrics as nkm

RTOL, ATOL = 1e-5, 1e-6
N, C, BATCHES = 8, 5, 3


@pytest.fixture(scope="module")
def oracle():
    """Keras 3 on torch for the numeric comparisons (no names involved, so no per-test
    ``clear_session``); tests that compare names take ``keras_ref``."""
    import keras

    assert keras.backend.backend() == "torch"
    return keras


def _batch(kind: str, rng):
    if kind == "binary":
        y = rng.integers(0, 2, size=(N, 1)).astype(np.float32)
        p = rng.uniform(0, 1, size=(N, 1)).astype(np.float32)
        p[0, 0] = 0.5  # exactly at the threshold: not positive
        return y, p
    if kind == "binary_flat":
        return (
            rng.integers(0, 2, size=(N,)).astype(np.float32),
            rng.uniform(0, 1, size=(N, 1)).astype(np.float32),
        )
    if kind == "binary_logit":
        return (
            rng.integers(0, 2, size=(N, 1)).astype(np.float32),
            rng.normal(scale=2, size=(N, 1)).astype(np.float32),
        )
    if kind == "onehot":
        return (
            np.eye(C, dtype=np.float32)[rng.integers(0, C, size=N)],
            rng.dirichlet(np.ones(C), size=N).astype(np.float32),
        )
    if kind == "onehot_scores":  # independent scores per class
        return (
            np.eye(C, dtype=np.float32)[rng.integers(0, C, size=N)],
            rng.uniform(size=(N, C)).astype(np.float32),
        )
    if kind == "sparse":
        return (
            rng.integers(0, C, size=(N,)).astype(np.float32),
            rng.dirichlet(np.ones(C), size=N).astype(np.float32),
        )
    if kind == "sparse_col":
        return (
            rng.integers(0, C, size=(N, 1)).astype(np.float32),
            rng.normal(size=(N, C)).astype(np.float32),
        )
    if kind == "labels":  # exact equality for Accuracy
        return (
            rng.integers(0, 3, size=(N, 1)).astype(np.float32),
            rng.integers(0, 3, size=(N, 1)).astype(np.float32),
        )
    if kind == "regression":
        return (
            rng.normal(size=(N, 3)).astype(np.float32),
            rng.normal(size=(N, 3)).astype(np.float32),
        )
    if kind == "regression_col":
        return (
            rng.normal(size=(N,)).astype(np.float32),
            rng.normal(size=(N, 1)).astype(np.float32),
        )
    if kind == "positive":
        return (
            rng.uniform(0.1, 3, size=(N, 3)).astype(np.float32),
            rng.uniform(0.1, 3, size=(N, 3)).astype(np.float32),
        )
    raise KeyError(kind)


CASES = [
    ("Accuracy", {}, "labels"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {}, "binary_flat"),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_col"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse_col"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanSquaredError", {}, "regression_col"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("RootMeanSquaredError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression_col"),
    ("CosineSimilarity", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "binary"),
    ("CategoricalHinge", {}, "onehot"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logit"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_col"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": 0.3}, "binary_flat"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "binary"),
    ("Precision", {"class_id": 2}, "onehot_scores"),
    ("Precision", {"top_k": 2}, "onehot_scores"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": [0.1, 0.6]}, "binary_flat"),
    ("Recall", {"class_id": 1, "thresholds": 0.4}, "onehot_scores"),
    ("AUC", {}, "binary"),
    ("AUC", {}, "binary_flat"),
    ("AUC", {"num_thresholds": 7}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "num_thresholds": 9}, "binary"),
    ("AUC", {"summation_method": "minoring"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary"),
    ("AUC", {"from_logits": True}, "binary_logit"),
    ("AUC", {}, "multi_binary"),
]


def _weights(rng, kind):
    if kind == "none":
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, size=(N,)).astype(np.float32)
    return rng.uniform(0, 2, size=(N, 1)).astype(np.float32)


def _stream(metric, batches, convert):
    results = []
    for y, p, w in batches:
        metric.update_state(y, p, sample_weight=w)
        results.append(np.asarray(convert(metric.result()), dtype=np.float64))
    return results


@pytest.mark.parametrize(("cls", "kwargs", "kind"), CASES, ids=lambda v: str(v))
def test_streaming_results_match_keras(oracle, cls, kwargs, kind):
    distinct = set()
    for weights in ["none", "per_sample", "column"]:
        rng = np.random.default_rng(0)
        if kind == "multi_binary":  # several binary outputs per sample
            batches = [
                (
                    rng.integers(0, 2, size=(N, 3)).astype(np.float32),
                    rng.uniform(size=(N, 3)).astype(np.float32),
                    _weights(rng, weights),
                )
                for _ in range(BATCHES)
            ]
        else:
            batches = [(*_batch(kind, rng), _weights(rng, weights)) for _ in range(BATCHES)]
        ours = getattr(nkm, cls)(**kwargs)
        theirs = getattr(oracle.metrics, cls)(**kwargs)
        got = _stream(ours, batches, lambda r: r)
        expected = _stream(theirs, batches, oracle.ops.convert_to_numpy)
        for i, (a, b) in enumerate(zip(got, expected)):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"{weights} {i}")
        distinct |= {round(float(np.sum(r)), 6) for r in got}
        ours.reset_state()
        theirs.reset_state()
        y, p, w = batches[0]
        ours.update_state(y, p, sample_weight=w)
        theirs.update_state(y, p, sample_weight=w)
        np.testing.assert_allclose(
            ours.result(), oracle.ops.convert_to_numpy(theirs.result()), rtol=RTOL, atol=ATOL
        )
    assert len(distinct) > 2  # the results move from batch to batch (a real comparison)


def test_mean_and_sum_match_keras(oracle):
    rng = np.random.default_rng(3)
    for cls in ["Mean", "Sum"]:
        ours, theirs = getattr(nkm, cls)(), getattr(oracle.metrics, cls)()
        for shape, w_shape in [((4,), (4,)), ((4, 3), (4,)), ((4, 3), (4, 3)), ((4, 3), None)]:
            values = rng.normal(size=shape).astype(np.float32)
            w = None if w_shape is None else rng.uniform(size=w_shape).astype(np.float32)
            ours.update_state(values, sample_weight=w)
            theirs.update_state(values, sample_weight=w)
            expected = float(oracle.ops.convert_to_numpy(theirs.result()))
            assert ours.result() == pytest.approx(expected, rel=RTOL, abs=ATOL)


def test_names_and_get_match_keras(keras_ref):
    names = [
        "accuracy",
        "mae",
        "mse",
        "mape",
        "msle",
        "bce",
        "auc",
        "precision",
        "recall",
        "AUC",
        "Precision",
        "binary_accuracy",
        "categorical_crossentropy",
        "sparse_top_k_categorical_accuracy",
        "root_mean_squared_error",
        "logcosh",
    ]
    for ident in names:
        if ident == "logcosh":  # not a Keras metric name: both refuse it
            with pytest.raises(ValueError):
                keras_ref.metrics.get(ident)
            with pytest.raises(ValueError):
                nkm.get(ident)
            continue
        ours, theirs = nkm.get(ident), keras_ref.metrics.get(ident)
        assert type(ours).__name__ == type(theirs).__name__, ident
        assert ours.name == theirs.name, ident
    auc = nkm.AUC()
    assert nkm.get(auc) is auc
    with pytest.raises(NotImplementedError, match="F1Score"):
        nkm.get("F1Score")
    with pytest.raises(NotImplementedError, match="multi_label"):
        nkm.AUC(multi_label=True)


@pytest.mark.parametrize(
    ("identifier", "kind"),
    [
        ("accuracy", "binary"),
        ("acc", "binary_flat"),
        ("accuracy", "onehot"),
        ("accuracy", "sparse"),
        ("acc", "sparse_col"),
        ("mae", "regression"),
        ("mse", "regression"),
        ("AUC", "binary"),
        ("auc", "binary"),
        ("object", "binary"),
        ("function", "regression"),
    ],
)
def test_compile_metric_matches_keras_compile_utils(keras_ref, identifier, kind):
    from keras.src.trainers import compile_utils

    rng = np.random.default_rng(0)
    y, p = _batch(kind, rng)
    if identifier == "object":
        ours_id, theirs_id = nkm.Precision(thresholds=0.4), keras_ref.metrics.Precision(0.4)
    elif identifier == "function":
        import neuralab.keras.losses as nkl

        ours_id, theirs_id = nkl.mean_squared_error, keras_ref.losses.mean_squared_error
    else:
        ours_id = theirs_id = identifier
    ours = nkm.compile_metric(ours_id, y, p)
    theirs = compile_utils.get_metric(theirs_id, y, p)
    assert ours.name == theirs.name
    wrapped = type(theirs).__name__
    assert type(ours).__name__ == wrapped
    for _ in range(2):
        y, p = _batch(kind, rng)
        ours.update_state(y, p)
        theirs.update_state(y, p)
    expected = float(keras_ref.ops.convert_to_numpy(theirs.result()))
    assert ours.result() == pytest.approx(expected, rel=RTOL, abs=ATOL)
