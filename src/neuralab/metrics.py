"""Metrics for classification and regression, equal to scikit-learn's.

Predictions may be class indices (N,), or scores of shape (N, C) (logits or
probabilities, argmax-ed), or for two classes one probability per sample (N,) or (N, 1)
of floats, thresholded at 0.5. Tensors and arrays are accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from neuralab.tensor import Tensor

AVERAGES = ("binary", "macro", "micro", "weighted", None)


def _array(x: Any) -> numpy.ndarray:
    return numpy.asarray(x._data if isinstance(x, Tensor) else x)


def _labels(y_true: Any, y_pred: Any, name: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    t, p = _array(y_true).reshape(len(_array(y_true)), -1), _array(y_pred)
    t = t[:, 0] if t.shape[1] == 1 else t.argmax(1)
    if p.ndim == 2 and p.shape[1] > 1:
        p = p.argmax(1)
    elif p.dtype.kind == "f":
        p = (p.reshape(-1) > 0.5).astype(numpy.int64)
    p = p.reshape(-1)
    if len(t) != len(p):
        raise ValueError(f"{name}: {len(t)} targets but {len(p)} predictions")
    if len(t) == 0:
        raise ValueError(f"{name}: empty input")
    return t.astype(numpy.int64), p.astype(numpy.int64)


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose predicted class equals the true class.

        accuracy = (1/n) sum_i [yhat_i == y_i]

    Args:
        y_true: True class indices (N,), or one-hot / scores (N, C).
        y_pred: Predicted class indices (N,), scores (N, C) (argmax-ed), or for two classes
            probabilities (N,) or (N, 1) (thresholded at 0.5).

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: Lengths that differ, or empty input.

    Examples:
        >>> from neuralab.metrics import accuracy
        >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
        0.75
        >>> accuracy([0, 1], [[0.9, 0.1], [0.2, 0.8]])  # scores are argmax-ed
        1.0
    """
    t, p = _labels(y_true, y_pred, "accuracy")
    return float((t == p).mean())


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> numpy.ndarray:
    """The confusion matrix: C[i, j] = number of samples of true class i predicted as class j.

    Args:
        y_true: True class indices (N,), or one-hot / scores (N, C).
        y_pred: Predicted class indices (N,), scores (N, C) (argmax-ed), or for two classes
            probabilities (N,) or (N, 1) (thresholded at 0.5).
        num_classes: Size of the matrix; None for the largest class seen plus one.
            Defaults to None.

    Returns:
        An int64 array of shape (num_classes, num_classes).

    Raises:
        ValueError: Lengths that differ, or empty input.

    Examples:
        >>> from neuralab.metrics import confusion_matrix
        >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    t, p = _labels(y_true, y_pred, "confusion_matrix")
    n = num_classes if num_classes is not None else int(max(t.max(), p.max())) + 1
    return numpy.bincount(t * n + p, minlength=n * n).reshape(n, n)


def _counts(y_true: Any, y_pred: Any, name: str) -> tuple:
    t, p = _labels(y_true, y_pred, name)
    classes = numpy.union1d(t, p)
    tp = numpy.array([numpy.sum((p == c) & (t == c)) for c in classes], dtype=float)
    predicted = numpy.array([numpy.sum(p == c) for c in classes], dtype=float)
    actual = numpy.array([numpy.sum(t == c) for c in classes], dtype=float)
    return classes, tp, predicted, actual


def _divide(a: numpy.ndarray, b: numpy.ndarray) -> numpy.ndarray:
    """a / b with 0 where b = 0 (scikit-learn's zero_division=0, without the warning)."""
    return numpy.divide(a, b, out=numpy.zeros_like(a), where=b > 0)


def _score(kind: str, y_true: Any, y_pred: Any, average: str | None, pos_label: int) -> Any:
    if average not in AVERAGES:
        raise ValueError(f"{kind}: average must be one of {AVERAGES}, got {average!r}")
    classes, tp, predicted, actual = _counts(y_true, y_pred, kind)

    def per(tp_, pred_, act_):
        precision, recall = _divide(tp_, pred_), _divide(tp_, act_)
        if kind == "precision":
            return precision
        if kind == "recall":
            return recall
        return _divide(2 * tp_, pred_ + act_)  # F1 = 2 P R / (P + R) = 2 tp / (pred + act)

    if average == "binary":
        if len(classes) > 2:
            raise ValueError(f"{kind}: average='binary' needs two classes; use 'macro' etc.")
        hit = classes == pos_label
        return float(per(tp[hit], predicted[hit], actual[hit]).sum()) if hit.any() else 0.0
    if average == "micro":
        return float(
            per(tp.sum(keepdims=True), predicted.sum(keepdims=True), actual.sum(keepdims=True))[0]
        )
    scores = per(tp, predicted, actual)
    if average is None:
        return scores
    if average == "macro":
        return float(scores.mean())
    return float((scores * actual).sum() / actual.sum())


def precision(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: int = 1) -> Any:
    """Precision: of the samples predicted as a class, the fraction that are.

        precision = tp / (tp + fp)

    Args:
        y_true: True class indices (N,), or one-hot / scores (N, C).
        y_pred: Predicted class indices (N,), scores (N, C) (argmax-ed), or for two classes
            probabilities (N,) or (N, 1) (thresholded at 0.5).
        average: ``"binary"`` (the score of class pos_label; two classes only),
            ``"macro"`` (the unweighted mean over classes), ``"micro"`` (from the summed
            counts), ``"weighted"`` (the mean weighted by each class's support) or None (one
            score per class). Defaults to ``"binary"``.
        pos_label: The positive class for ``"binary"``. Defaults to 1.

    Returns:
        A float, or an array of per-class scores with ``average=None``.

    Raises:
        ValueError: Lengths that differ, empty input, an unknown average, or ``"binary"``
            with more than two classes.

    Examples:
        >>> from neuralab.metrics import precision
        >>> precision([0, 1, 1, 0], [1, 1, 1, 0])  # 2 of the 3 predicted 1s are 1
        0.666...
        >>> precision([0, 1, 2, 2], [0, 2, 2, 2], average=None).tolist()
        [1.0, 0.0, 0.666...]
    """
    return _score("precision", y_true, y_pred, average, pos_label)


def recall(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: int = 1) -> Any:
    """Recall: of the samples of a class, the fraction found.

        recall = tp / (tp + fn)

    Args:
        y_true: True class indices (N,), or one-hot / scores (N, C).
        y_pred: Predicted class indices (N,), scores (N, C) (argmax-ed), or for two classes
            probabilities (N,) or (N, 1) (thresholded at 0.5).
        average: ``"binary"`` (the score of class pos_label; two classes only),
            ``"macro"`` (the unweighted mean over classes), ``"micro"`` (from the summed
            counts), ``"weighted"`` (the mean weighted by each class's support) or None (one
            score per class). Defaults to ``"binary"``.
        pos_label: The positive class for ``"binary"``. Defaults to 1.

    Returns:
        A float, or an array of per-class scores with ``average=None``.

    Raises:
        ValueError: Lengths that differ, empty input, an unknown average, or ``"binary"``
            with more than two classes.

    Examples:
        >>> from neuralab.metrics import recall
        >>> recall([0, 1, 1, 0], [0, 1, 0, 0])  # 1 of the 2 true 1s found
        0.5
    """
    return _score("recall", y_true, y_pred, average, pos_label)


def f1_score(y_true: Any, y_pred: Any, average: str | None = "binary", pos_label: int = 1) -> Any:
    """The F1 score, the harmonic mean of precision P and recall R.

        F1 = 2 P R / (P + R) = 2 tp / (2 tp + fp + fn)

    Args:
        y_true: True class indices (N,), or one-hot / scores (N, C).
        y_pred: Predicted class indices (N,), scores (N, C) (argmax-ed), or for two classes
            probabilities (N,) or (N, 1) (thresholded at 0.5).
        average: ``"binary"`` (the score of class pos_label; two classes only),
            ``"macro"`` (the unweighted mean over classes), ``"micro"`` (from the summed
            counts), ``"weighted"`` (the mean weighted by each class's support) or None (one
            score per class). Defaults to ``"binary"``.
        pos_label: The positive class for ``"binary"``. Defaults to 1.

    Returns:
        A float, or an array of per-class scores with ``average=None``.

    Raises:
        ValueError: Lengths that differ, empty input, an unknown average, or ``"binary"``
            with more than two classes.

    Examples:
        >>> from neuralab.metrics import f1_score
        >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])  # tp 1, fp 1, fn 1
        0.5
    """
    return _score("f1", y_true, y_pred, average, pos_label)


def _pair(y_true: Any, y_pred: Any, name: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    t, p = _array(y_true).astype(float), _array(y_pred).astype(float)
    if t.size != p.size:
        raise ValueError(f"{name}: {t.size} targets but {p.size} predictions")
    if t.size == 0:
        raise ValueError(f"{name}: empty input")
    return t.reshape(-1), p.reshape(-1)


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean squared error.

        MSE = (1/n) sum_i (y_i - yhat_i)^2

    Args:
        y_true: True values (any shape; flattened).
        y_pred: Predicted values, as many as y_true.

    Returns:
        A float.

    Raises:
        ValueError: Sizes that differ, or empty input.

    Examples:
        >>> from neuralab.metrics import mean_squared_error
        >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
        1.333...
    """
    t, p = _pair(y_true, y_pred, "mean_squared_error")
    return float(((t - p) ** 2).mean())


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error.

        MAE = (1/n) sum_i |y_i - yhat_i|

    Args:
        y_true: True values (any shape; flattened).
        y_pred: Predicted values, as many as y_true.

    Returns:
        A float.

    Raises:
        ValueError: Sizes that differ, or empty input.

    Examples:
        >>> from neuralab.metrics import mean_absolute_error
        >>> mean_absolute_error([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
        1.0
    """
    t, p = _pair(y_true, y_pred, "mean_absolute_error")
    return float(numpy.abs(t - p).mean())


def r2_score(y_true: Any, y_pred: Any) -> float:
    """The coefficient of determination.

        R^2 = 1 - sum_i (y_i - yhat_i)^2 / sum_i (y_i - mean(y))^2

    Args:
        y_true: True values (any shape; flattened).
        y_pred: Predicted values, as many as y_true.

    Returns:
        A float: 1 for perfect predictions, 0 for predicting the mean.

    Raises:
        ValueError: Sizes that differ, or empty input.

    Examples:
        >>> from neuralab.metrics import r2_score
        >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
        (1.0, 0.0)
    """
    t, p = _pair(y_true, y_pred, "r2_score")
    total = ((t - t.mean()) ** 2).sum()
    residual = ((t - p) ** 2).sum()
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1 - residual / total)


def _macro(fn: Callable[..., Any]) -> Callable[[Any, Any], float]:
    return lambda y_true, y_pred: fn(y_true, y_pred, average="macro")


METRICS: dict[str, Callable[[Any, Any], float]] = {
    "accuracy": accuracy,
    "precision": _macro(precision),
    "recall": _macro(recall),
    "f1": _macro(f1_score),
    "mse": mean_squared_error,
    "mae": mean_absolute_error,
    "r2": r2_score,
}


def get_metric(name: str) -> Callable[[Any, Any], float]:
    """A metric by name, for ``fit``: (y_true, predictions or scores) -> float.

    ``"precision"``, ``"recall"`` and ``"f1"`` are macro averages.

    Args:
        name: ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, ``"mse"``, ``"mae"``
            or ``"r2"`` (see ``METRICS``).

    Returns:
        The metric function.

    Raises:
        ValueError: An unknown name (the message lists the known ones).

    Examples:
        >>> from neuralab.metrics import get_metric
        >>> get_metric("f1")([0, 1, 2], [0, 1, 1])
        0.555...
    """
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {sorted(METRICS)}")
    return METRICS[name]
