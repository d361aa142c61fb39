"""Metrics equal scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

import neuralab as nl
from neuralab import metrics


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@pytest.mark.parametrize("seed", range(3))
def test_multiclass_scores_match_sklearn(average, seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 5, 60)
    y_pred = rng.integers(0, 4, 60)  # class 4 never predicted: zero division handled
    for ours, theirs in (
        (metrics.precision, sk.precision_score),
        (metrics.recall, sk.recall_score),
        (metrics.f1_score, sk.f1_score),
    ):
        expected = theirs(y_true, y_pred, average=average, zero_division=0)
        np.testing.assert_allclose(ours(y_true, y_pred, average=average), expected)


def test_binary_scores_from_probabilities_match_sklearn():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 50)
    probabilities = rng.uniform(size=(50, 1)).astype(np.float32)
    labels = (probabilities[:, 0] > 0.5).astype(int)
    assert metrics.precision(y_true, probabilities) == pytest.approx(
        sk.precision_score(y_true, labels)
    )
    assert metrics.recall(nl.tensor(y_true), nl.tensor(probabilities)) == pytest.approx(
        sk.recall_score(y_true, labels)
    )
    assert metrics.f1_score(y_true, labels, pos_label=0) == pytest.approx(
        sk.f1_score(y_true, labels, pos_label=0)
    )


def test_accuracy_and_confusion_matrix_from_logits():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(40, 3))
    y_true = rng.integers(0, 3, 40)
    predicted = logits.argmax(1)
    assert metrics.accuracy(y_true, logits) == pytest.approx(sk.accuracy_score(y_true, predicted))
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, logits), sk.confusion_matrix(y_true, predicted)
    )
    assert metrics.get_metric("accuracy")(nl.tensor(y_true), nl.tensor(logits)) == pytest.approx(
        sk.accuracy_score(y_true, predicted)
    )


def test_regression_metrics_match_sklearn():
    rng = np.random.default_rng(2)
    y, yhat = rng.normal(size=30), rng.normal(size=30)
    assert metrics.mean_squared_error(y, yhat) == pytest.approx(sk.mean_squared_error(y, yhat))
    assert metrics.mean_absolute_error(y, yhat) == pytest.approx(sk.mean_absolute_error(y, yhat))
    assert metrics.r2_score(y, yhat) == pytest.approx(sk.r2_score(y, yhat))
    assert metrics.get_metric("r2")(y, y) == 1.0


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="3 targets but 2 predictions"):
        metrics.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.precision([0, 1], [0, 1], average="mean")
    with pytest.raises(ValueError, match="empty input"):
        metrics.mean_squared_error([], [])
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        metrics.get_metric("auc")
