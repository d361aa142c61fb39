"""Keras 3's metrics: stateful objects accumulated over batches, as Keras does.

``update_state(y_true, y_pred, sample_weight=None)`` adds a batch, ``result()`` gives the
value so far (a float), ``reset_state()`` starts again. Mean-type metrics keep
``total = sum(w_i * v_i)`` and ``count = sum(w_i)`` (the number of samples without
weights) in float32 and report ``total / count``; Precision, Recall and AUC keep
confusion-matrix counts. ``compile_metric`` resolves a ``compile(metrics=[...])`` entry
the way Keras's ``compile_utils`` does ('accuracy' by the shapes, the log name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import neuralab as nl
import neuralab.keras.losses as _losses
from neuralab.tensor import Tensor

# Keras's public names (the reduction and compile helpers are neuralab.keras's own)
__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "Poisson",
    "Precision",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "cosine_similarity",
    "deserialize",
    "get",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

F32 = np.float32
EPSILON = 1e-7


def _array(x: Any, dtype: Any = F32) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().numpy()
    return np.asarray(x, dtype=dtype)


def _same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True):
    """Keras's ``squeeze_or_expand_to_same_rank`` on arrays."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


# --- base classes ---------------------------------------------------------------------
class Metric:
    """Base class of the Keras metrics: state accumulated over batches.

    Subclasses implement ``update_state(...)`` (add a batch), ``result()`` (the value so
    far) and ``reset_state()``; calling the metric updates it and returns the result.

    Args:
        name: The metric's name. Defaults to None (a unique snake-case name of the class).
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> class Count(keras.metrics.Metric):
        ...     def reset_state(self):
        ...         self.n = 0
        ...     def update_state(self, values):
        ...         self.n += len(values)
        ...     def result(self):
        ...         return self.n
        >>> count = Count()
        >>> count.reset_state()
        >>> count([1, 2, 3])
        3
    """

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        from neuralab.keras.backend import unique_name

        if dtype not in (None, "float32"):
            raise NotImplementedError(
                f"neuralab.keras: {type(self).__name__}(dtype={dtype!r}) is not supported"
            )
        self.name = name or unique_name(_snake(type(self).__name__))
        self.dtype = "float32"

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update with one batch and return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(
    values: np.ndarray, sample_weight: Any, reduce_fn: Callable[..., np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's reduction of metric values to one per sample: with weights, the value axes
    beyond the weight's rank are reduced, values times weights; then every axis beyond the
    first is reduced (weights of rank > 1 too)."""
    values = _array(values)
    weight = None
    if sample_weight is not None:
        weight = _array(sample_weight)
        values, weight = _same_rank(values, weight)
        if values.ndim > weight.ndim:
            values = reduce_fn(values, axis=tuple(range(weight.ndim, values.ndim)))
        weight = np.broadcast_to(weight, values.shape)
        values = values * weight
        if weight.ndim > 1:
            weight = reduce_fn(weight, axis=tuple(range(1, weight.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, weight


class Sum(Metric):
    """The running (weighted) sum of the values: ``total = sum(w * v)``.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'sum'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> total = keras.metrics.Sum()
        >>> total.update_state([1.0, 2.0, 3.0])
        >>> total.update_state([4.0], sample_weight=[0.5])
        >>> total.result()
        8.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum)
        self.total = F32(self.total + np.sum(values, dtype=F32))

    def reset_state(self) -> None:
        self.total = F32(0)

    def result(self) -> float:
        return float(self.total)


class Mean(Metric):
    """The running weighted mean ``sum(w * v) / sum(w)``.

    Values of rank > 1 are first averaged over their other axes (one value per sample).

    Args:
        name: The metric's name (its key in the logs). Defaults to 'mean'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> mean = keras.metrics.Mean()
        >>> mean.update_state([1.0, 2.0, 3.0])
        >>> mean.result()
        2.0
        >>> mean.update_state([10.0], sample_weight=[2.0])
        >>> mean.result()
        5.2
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, weight = reduce_to_samplewise_values(values, sample_weight, np.mean)
        self.total = F32(self.total + np.sum(values, dtype=F32))
        if weight is not None:
            count = np.sum(weight, dtype=F32)
        elif values.ndim >= 1:
            count = values.shape[0]
        else:
            count = 1
        self.count = F32(self.count + F32(count))

    def reset_state(self) -> None:
        self.total = F32(0)
        self.count = F32(0)

    def result(self) -> float:
        return float(self.total / self.count) if self.count != 0 else 0.0


class MeanMetricWrapper(Mean):
    """The running weighted mean of a function's per-sample values ``fn(y_true, y_pred)``.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs)`` giving one value per sample.
        name: The metric's name. Defaults to None (``fn``'s name).
        dtype: Only None or 'float32'. Defaults to None.
        **kwargs: Passed to ``fn`` on each update.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.MeanMetricWrapper(keras.losses.huber, delta=0.5)
        >>> metric.name
        'huber'
        >>> metric([[0.0], [0.0]], [[0.25], [2.0]])
        0.453125
    """

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        with nl.no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(_array(values), sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(
    class_name: str, fn: Callable[..., Any], default_name: str, doc: str, **fixed: Any
) -> type[MeanMetricWrapper]:
    """A MeanMetricWrapper subclass with Keras's signature ``(name, dtype)``."""

    def init(self, name: str = default_name, dtype: Any = None) -> None:
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **fixed)

    def get_config(self) -> dict[str, Any]:
        return Metric.get_config(self)

    return type(
        class_name,
        (MeanMetricWrapper,),
        {"__init__": init, "get_config": get_config, "__doc__": doc, "__module__": __name__},
    )


# --- accuracy ---------------------------------------------------------------------------
def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Exact matches per sample.

    ``1.0 if y_true == y_pred else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        A float32 array, one value per sample.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.accuracy([1, 2, 3], [1, 0, 3])
        array([1., 0., 1.], dtype=float32)
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_true == y_pred).astype(F32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Thresholded matches per sample.

    ``1.0 if (y_pred > threshold) == y_true else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.
        threshold: The probability above which a prediction counts as 1. Defaults to 0.5.

    Returns:
        A float32 array, one value per sample.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.binary_accuracy([[1], [0], [1]], [[0.7], [0.6], [0.2]])
        array([[1.],
               [0.],
               [0.]], dtype=float32)
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_true == (y_pred > F32(threshold)).astype(F32)).astype(F32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Top-1 matches per sample with one-hot targets.

    ``1.0 if argmax(y_true) == argmax(y_pred) else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        A float32 array, one value per sample.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]])
        array([1., 0.], dtype=float32)
    """
    labels = np.argmax(_array(y_true), axis=-1).astype(F32)
    y_pred = _array(y_pred)
    shape = labels.shape
    reshape = labels.ndim == y_pred.ndim
    if reshape:
        labels = labels[..., 0]
    matches = (labels == np.argmax(y_pred, axis=-1).astype(F32)).astype(F32)
    return matches.reshape(shape) if reshape else matches


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Top-1 matches per sample with integer labels ((N,) or (N, 1)).

    ``1.0 if y_true == argmax(y_pred) else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.

    Returns:
        A float32 array, one value per sample.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.sparse_categorical_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]])
        array([1., 0.], dtype=float32)
    """
    y_pred = _array(y_pred)
    labels = _array(y_true)
    shape = labels.shape
    reshape = labels.ndim == y_pred.ndim and labels.shape[-1] == 1
    if reshape:
        labels = labels[..., 0]
    matches = (labels == np.argmax(y_pred, axis=-1).astype(F32)).astype(F32)
    if reshape:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return matches


def _in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    """Keras's ``in_top_k``: the target's score is at least the k-th largest score."""
    if k > predictions.shape[-1]:
        raise ValueError(
            f"top-k accuracy: k={k} is larger than the number of classes {predictions.shape[-1]}"
        )
    kth = np.sort(predictions, axis=-1)[:, -k]
    picked = np.take_along_axis(predictions, targets.astype(np.int64)[:, None], axis=-1)[:, 0]
    return picked >= kth


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """Top-k matches per sample with one-hot targets.

    ``1.0 if y_pred[argmax(y_true)] >= the k-th largest score else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.
        k: How many of the highest scores count. Defaults to 5.

    Returns:
        A float32 array, one value per sample.

    Raises:
        ValueError: If ``k`` exceeds the number of classes.

    Examples:
        >>> from neuralab import keras
        >>> scores = [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]
        >>> keras.metrics.top_k_categorical_accuracy([[0, 0, 1], [1, 0, 0]], scores, k=2)
        array([1., 0.], dtype=float32)
    """
    y_pred = _array(y_pred)
    labels = np.argmax(_array(y_true), axis=-1)
    shape = labels.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(labels.reshape(-1), y_pred, k).astype(F32)
    return matches.reshape(shape) if len(shape) > 1 else matches


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> np.ndarray:
    """Top-k matches per sample with integer labels.

    ``1.0 if y_pred[y_true] >= the k-th largest score else 0.0``

    Args:
        y_true: Targets.
        y_pred: Predictions.
        k: How many of the highest scores count. Defaults to 5.
        from_sorted_ids: Only False (not supported otherwise). Defaults to False.

    Returns:
        A float32 array, one value per sample.

    Raises:
        ValueError: If ``k`` exceeds the number of classes.
        NotImplementedError: If ``from_sorted_ids`` is True.

    Examples:
        >>> from neuralab import keras
        >>> scores = [[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]
        >>> keras.metrics.sparse_top_k_categorical_accuracy([2, 0], scores, k=2)
        array([1., 0.], dtype=float32)
    """
    if from_sorted_ids:
        raise NotImplementedError(
            "neuralab.keras: SparseTopKCategoricalAccuracy(from_sorted_ids=True) is not supported"
        )
    y_pred = _array(y_pred)
    labels = _array(y_true).astype(np.int32)
    shape = labels.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(labels.reshape(-1), y_pred, k).astype(F32)
    return matches.reshape(shape) if len(shape) > 1 else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the labels exactly.

    The running weighted mean of ``y_true == y_pred`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'accuracy'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.Accuracy()
        >>> metric.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> metric.result()
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Metric.get_config(self)


class BinaryAccuracy(MeanMetricWrapper):
    """How often the thresholded prediction matches the 0/1 label.

    The running weighted mean of ``(y_pred > threshold) == y_true`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'binary_accuracy'.
        dtype: Only None or 'float32'. Defaults to None.
        threshold: The probability above which a prediction counts as 1. Defaults to 0.5.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.BinaryAccuracy()
        >>> metric.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> metric.result()
        0.75
    """

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the prediction's argmax is the one-hot label's argmax.

    The running weighted mean of ``argmax(y_true) == argmax(y_pred)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'categorical_accuracy'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.CategoricalAccuracy()
        >>> metric.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> metric.result()
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Metric.get_config(self)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the prediction's argmax is the integer label.

    The running weighted mean of ``y_true == argmax(y_pred)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'sparse_categorical_accuracy'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.SparseCategoricalAccuracy()
        >>> metric.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> metric.result()
        0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Metric.get_config(self)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest scores.

    The running weighted mean of ``y_pred[argmax(y_true)] >= the k-th largest score`` per sample.

    Args:
        k: How many of the highest scores count. Defaults to 5.
        name: The metric's name (its key in the logs). Defaults to 'top_k_categorical_accuracy'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32', or ``k`` exceeds the number of
            classes (on update).

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.TopKCategoricalAccuracy(k=1)
        >>> metric.update_state( [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> metric.result()
        0.5
    """

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest scores.

    The running weighted mean of ``y_pred[y_true] >= the k-th largest score`` per sample.

    Args:
        k: How many of the highest scores count. Defaults to 5.
        name: The metric's name (its key in the logs). Defaults to
            'sparse_top_k_categorical_accuracy'.
        dtype: Only None or 'float32'. Defaults to None.
        from_sorted_ids: Only False (not supported otherwise). Defaults to False.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32', or ``from_sorted_ids`` is True.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> metric.update_state( [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> metric.result()
        0.5
    """

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        if from_sorted_ids:
            sparse_top_k_categorical_accuracy(np.zeros(1), np.zeros((1, 1)), 1, True)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


# --- regression and probabilistic metrics (Keras's loss functions, averaged) -----------
MeanSquaredError = _wrapper(
    "MeanSquaredError",
    _losses.mean_squared_error,
    "mean_squared_error",
    """Mean squared error over all batches so far.

    The running weighted mean of ``mean((y_true - y_pred)^2)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'mean_squared_error'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.MeanSquaredError()
        >>> metric.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        >>> metric.result()
        1.25
    """,
)
MeanAbsoluteError = _wrapper(
    "MeanAbsoluteError",
    _losses.mean_absolute_error,
    "mean_absolute_error",
    """Mean absolute error over all batches so far.

    The running weighted mean of ``mean(|y_true - y_pred|)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'mean_absolute_error'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.MeanAbsoluteError()
        >>> metric.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        >>> metric.result()
        0.75
    """,
)
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError",
    _losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    """Mean absolute percentage error over all batches so far.

    The running weighted mean of ``100 * mean(|(y_true - y_pred) / y_true|)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'mean_absolute_percentage_error'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.MeanAbsolutePercentageError()
        >>> metric.update_state([[2.0, 4.0]], [[1.0, 4.0]])
        >>> metric.result()
        25.0
    """,
)
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError",
    _losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    """Mean squared logarithmic error over all batches so far.

    The running weighted mean of ``mean((log(1 + y_pred) - log(1 + y_true))^2)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'mean_squared_logarithmic_error'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.MeanSquaredLogarithmicError()
        >>> metric.update_state([[0.0, 1.0]], [[0.0, 1.0]])
        >>> metric.result()
        0.0
    """,
)
LogCoshError = _wrapper(
    "LogCoshError",
    _losses.log_cosh,
    "logcosh",
    """Log-cosh error over all batches so far.

    The running weighted mean of ``mean(log(cosh(y_pred - y_true)))`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'logcosh'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.LogCoshError()
        >>> metric.update_state([[0.0, 0.0]], [[0.0, 1.0]])
        >>> metric.result()
        0.2168...
    """,
)
KLDivergence = _wrapper(
    "KLDivergence",
    _losses.kl_divergence,
    "kl_divergence",
    """Kullback-Leibler divergence over all batches so far.

    The running weighted mean of ``sum(t * log(t / p))`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'kl_divergence'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.KLDivergence()
        >>> metric.update_state([[0.5, 0.5]], [[0.5, 0.5]])
        >>> metric.result()
        0.0
    """,
)
Poisson = _wrapper(
    "Poisson",
    _losses.poisson,
    "poisson",
    """Poisson loss over all batches so far.

    The running weighted mean of ``mean(y_pred - y_true * log(y_pred + 1e-7))`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'poisson'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.Poisson()
        >>> metric.update_state([[1.0, 0.0]], [[1.0, 2.0]])
        >>> metric.result()
        1.5
    """,
)
Hinge = _wrapper(
    "Hinge",
    _losses.hinge,
    "hinge",
    """Hinge loss over all batches so far.

    The running weighted mean of ``mean(max(1 - t * y_pred, 0))`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'hinge'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.Hinge()
        >>> metric.update_state([[1.0, 0.0]], [[0.5, 0.5]])
        >>> metric.result()
        1.0
    """,
)
SquaredHinge = _wrapper(
    "SquaredHinge",
    _losses.squared_hinge,
    "squared_hinge",
    """Squared hinge loss over all batches so far.

    The running weighted mean of ``mean(max(1 - t * y_pred, 0)^2)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'squared_hinge'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.SquaredHinge()
        >>> metric.update_state([[1.0, 0.0]], [[0.5, 0.5]])
        >>> metric.result()
        1.25
    """,
)
CategoricalHinge = _wrapper(
    "CategoricalHinge",
    _losses.categorical_hinge,
    "categorical_hinge",
    """Categorical hinge loss over all batches so far.

    The running weighted mean of ``max(max((1 - t) * y_pred) - sum(t * y_pred) + 1, 0)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'categorical_hinge'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.CategoricalHinge()
        >>> metric.update_state([[0.0, 1.0]], [[0.3, 0.7]])
        >>> metric.result()
        0.6
    """,
)


class RootMeanSquaredError(Mean):
    """Root mean squared error over all batches so far.

    ``sqrt(sum(w * (y_pred - y_true)^2) / sum(w))``

    Args:
        name: The metric's name (its key in the logs). Defaults to 'root_mean_squared_error'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.RootMeanSquaredError()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> metric.result()
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> float:
        return float(np.sqrt(F32(super().result())))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Cosine similarity per sample (+1 is best).

    ``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``

    Args:
        y_true: Targets.
        y_pred: Predictions, the same shape.
        axis: The axis along which the similarity is computed. Defaults to -1.

    Returns:
        A Tensor, one value per sample.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[0.0, 2.0], [1.0, -1.0]])
        tensor([1., 0.])
    """
    return -_losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The running mean cosine similarity (+1 is best).

    The running weighted mean of ``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` per
    sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'cosine_similarity'.
        dtype: Only None or 'float32'. Defaults to None.
        axis: The axis along which the similarity is computed. Defaults to -1.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.CosineSimilarity()
        >>> metric.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])
        >>> metric.result()
        0.8535...
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean binary cross-entropy.

    The running weighted mean of ``mean(-(t log p + (1 - t) log(1 - p)))`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'binary_crossentropy'.
        dtype: Only None or 'float32'. Defaults to None.
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / 2``. Defaults to 0.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.BinaryCrossentropy()
        >>> metric.update_state([[1.0, 0.0]], [[0.9, 0.2]])
        >>> metric.result()
        0.1642...
    """

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        super().__init__(
            _losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean categorical cross-entropy.

    The running weighted mean of ``-sum(t * log p)`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to 'categorical_crossentropy'.
        dtype: Only None or 'float32'. Defaults to None.
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / num_classes``. Defaults to 0.
        axis: The class axis. Defaults to -1.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.CategoricalCrossentropy()
        >>> metric.update_state([[0.0, 1.0, 0.0]], [[0.1, 0.8, 0.1]])
        >>> metric.result()
        0.2231...
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            _losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean cross-entropy with integer labels.

    The running weighted mean of ``-log p[y_true]`` per sample.

    Args:
        name: The metric's name (its key in the logs). Defaults to
            'sparse_categorical_crossentropy'.
        dtype: Only None or 'float32'. Defaults to None.
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        ignore_class: Only None (not supported otherwise). Defaults to None.
        axis: The class axis; only the last. Defaults to -1.

    Raises:
        NotImplementedError: If ``dtype`` is not None or 'float32', or ``ignore_class`` is set.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.SparseCategoricalCrossentropy()
        >>> metric.update_state([1, 0], [[0.1, 0.8, 0.1], [0.5, 0.25, 0.25]])
        >>> metric.result()
        0.4581...
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: Any = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            _losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        if ignore_class is not None:
            raise NotImplementedError(
                "neuralab.keras: metrics.SparseCategoricalCrossentropy(ignore_class=...) is "
                "not supported"
            )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


# --- confusion-matrix metrics -----------------------------------------------------------
def _confusion_inputs(y_true: Any, y_pred: Any, sample_weight: Any, class_id=None, top_k=None):
    """Keras's preparation: predictions and labels to the same rank, the sample weight
    broadcast to the predictions' shape, optionally one class's column / the top k."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    y_pred, y_true = _same_rank(y_pred, y_true)
    weight = None
    if sample_weight is not None:
        weight = _array(sample_weight)[..., None]
        _, weight = _same_rank(y_true, weight, expand_rank_1=False)
    if top_k is not None:
        order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :top_k]
        mask = np.zeros_like(y_pred)
        np.put_along_axis(mask, order, 1.0, axis=-1)
        y_pred = np.where(mask > 0, y_pred, F32(-np.inf))  # the others never count
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if weight is not None:
        weight = np.broadcast_to(weight, y_pred.shape)
    return y_true, y_pred, weight


def _counts(
    y_true: np.ndarray, y_pred: np.ndarray, weight: np.ndarray | None, thresholds: np.ndarray
) -> dict[str, np.ndarray]:
    """tp, fp, tn, fn per threshold: prediction positive when ``y_pred > threshold``,
    label positive when ``y_true != 0``; each sample counts ``weight`` (1 without)."""
    labels = (y_true != 0).reshape(1, -1)
    preds = y_pred.reshape(1, -1)
    w = np.ones(preds.shape, F32) if weight is None else weight.reshape(1, -1).astype(F32)
    pos = preds > thresholds.reshape(-1, 1).astype(F32)
    return {
        "tp": np.sum(np.where(labels & pos, w, 0), axis=1, dtype=F32),
        "fp": np.sum(np.where(~labels & pos, w, 0), axis=1, dtype=F32),
        "tn": np.sum(np.where(~labels & ~pos, w, 0), axis=1, dtype=F32),
        "fn": np.sum(np.where(labels & ~pos, w, 0), axis=1, dtype=F32),
    }


def _thresholds(thresholds: Any, default: float) -> list[float]:
    values = (
        [default]
        if thresholds is None
        else (list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds])
    )
    if thresholds is not None and any(not 0 <= t <= 1 for t in values):
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {values}")
    return values


class _PrecisionRecall(Metric):
    _pair: tuple[str, str]

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else -np.inf)
        self.reset_state()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred, weight = _confusion_inputs(
            y_true, y_pred, sample_weight, self.class_id, self.top_k
        )
        counts = _counts(y_true, y_pred, weight, np.array(self.thresholds, F32))
        for key in self._pair:
            setattr(self, _NAMES[key], getattr(self, _NAMES[key]) + counts[key])

    def reset_state(self) -> None:
        for key in self._pair:
            setattr(self, _NAMES[key], np.zeros(len(self.thresholds), F32))

    def result(self) -> Any:
        a, b = (getattr(self, _NAMES[k]) for k in self._pair)
        denominator = a + b
        values = np.where(denominator > 0, a / np.where(denominator > 0, denominator, 1), 0)
        return float(values[0]) if len(self.thresholds) == 1 else values.astype(F32)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


_NAMES = {
    "tp": "true_positives",
    "fp": "false_positives",
    "tn": "true_negatives",
    "fn": "false_negatives",
}


class Precision(_PrecisionRecall):
    """Precision: ``tp / (tp + fp)`` over all batches so far.

    A prediction is positive above ``thresholds``; with several thresholds, ``result()`` is
    an array of one value each.

    Args:
        thresholds: A float or list of floats in [0, 1]: a prediction is positive above it.
            Defaults to None (0.5; with ``top_k``, no threshold).
        top_k: Count only the ``k`` highest predictions of each sample as positive.
            Defaults to None.
        class_id: Only this class (column) counts. Defaults to None.
        name: The metric's name. Defaults to None ('precision', made unique).
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        ValueError: If a threshold is outside [0, 1].
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.Precision()
        >>> metric.update_state([0, 1, 1, 0], [0.9, 0.8, 0.7, 0.1])
        >>> metric.result()
        0.666...
    """

    _pair = ("tp", "fp")


class Recall(_PrecisionRecall):
    """Recall: ``tp / (tp + fn)`` over all batches so far.

    A prediction is positive above ``thresholds``; with several thresholds, ``result()`` is
    an array of one value each.

    Args:
        thresholds: A float or list of floats in [0, 1]: a prediction is positive above it.
            Defaults to None (0.5; with ``top_k``, no threshold).
        top_k: Count only the ``k`` highest predictions of each sample as positive.
            Defaults to None.
        class_id: Only this class (column) counts. Defaults to None.
        name: The metric's name. Defaults to None ('recall', made unique).
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        ValueError: If a threshold is outside [0, 1].
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> metric = keras.metrics.Recall()
        >>> metric.update_state([0, 1, 1, 0], [0.9, 0.8, 0.7, 0.1])
        >>> metric.result()
        1.0
    """

    _pair = ("tp", "fn")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from bucketed confusion counts.

    Predictions (clipped to [0, 1]) fall in ``num_thresholds`` evenly spaced buckets, as
    Keras does; ROC: ``sum((fpr_i - fpr_{i+1}) (tpr_i + tpr_{i+1}) / 2)``; PR with
    'interpolation': Davis & Goadrich's interpolation.

    Args:
        num_thresholds: The number of thresholds (> 1). Defaults to 200.
        curve: 'ROC' or 'PR'. Defaults to 'ROC'.
        summation_method: 'interpolation', 'minoring' or 'majoring'. Defaults to
            'interpolation'.
        name: The metric's name. Defaults to None ('auc', made unique).
        dtype: Only None or 'float32'. Defaults to None.
        thresholds: Only None (not supported otherwise). Defaults to None.
        multi_label: Only False. Defaults to False.
        num_labels: Only None. Defaults to None.
        label_weights: Only None. Defaults to None.
        from_logits: Whether predictions are logits (a sigmoid is applied). Defaults to False.

    Raises:
        ValueError: If ``curve`` or ``summation_method`` is unknown, or ``num_thresholds <= 1``.
        NotImplementedError: If an unsupported argument is set, or ``curve='PRGAIN'``.

    Examples:
        >>> from neuralab import keras
        >>> auc = keras.metrics.AUC(num_thresholds=3)
        >>> auc.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> auc.result()
        0.75
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        for arg, value, default in (
            ("thresholds", thresholds, None),
            ("multi_label", multi_label, False),
            ("num_labels", num_labels, None),
            ("label_weights", label_weights, None),
        ):
            if value is not default and value != default:
                raise NotImplementedError(f"neuralab.keras: AUC({arg}={value!r}) is not supported")
        curve = str(curve).upper()
        if curve not in ("ROC", "PR"):
            raise (NotImplementedError if curve == "PRGAIN" else ValueError)(
                f"AUC: curve must be 'ROC' or 'PR'; got {curve!r}"
            )
        summation_method = str(summation_method).lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                "AUC: summation_method must be 'interpolation', 'minoring' or 'majoring'; got "
                f"{summation_method!r}"
            )
        if num_thresholds <= 1:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 1. Received: "
                f"num_thresholds={num_thresholds}"
            )
        super().__init__(name=name, dtype=dtype)
        self.num_thresholds = num_thresholds
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - EPSILON, *inner, 1.0 + EPSILON]
        self.reset_state()

    def reset_state(self) -> None:
        for key in _NAMES.values():
            setattr(self, key, np.zeros(self.num_thresholds, F32))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = _array(y_pred)
        if self._from_logits:
            y_pred = (1 / (1 + np.exp(-y_pred))).astype(F32)
        y_true, y_pred, weight = _confusion_inputs(y_true, y_pred, sample_weight)
        w = F32(1) if weight is None else weight.reshape(-1).astype(F32)
        labels = (y_true != 0).astype(F32).reshape(-1)
        true_labels = labels * w
        false_labels = (F32(1) - labels) * w
        preds = np.clip(y_pred, 0, 1).reshape(-1).astype(F32)
        buckets = np.ceil(preds * F32(self.num_thresholds - 1)) - 1
        buckets = np.maximum(buckets, 0).astype(np.int64)
        t = self.num_thresholds
        tp = np.bincount(buckets, weights=true_labels * np.ones_like(preds), minlength=t)
        fp = np.bincount(buckets, weights=false_labels * np.ones_like(preds), minlength=t)
        tp = np.cumsum(tp[::-1])[::-1].astype(F32)
        fp = np.cumsum(fp[::-1])[::-1].astype(F32)
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.true_negatives = self.true_negatives + (
            np.sum(false_labels * np.ones_like(preds), dtype=F32) - fp
        )
        self.false_negatives = self.false_negatives + (
            np.sum(true_labels * np.ones_like(preds), dtype=F32) - tp
        )

    def _interpolate_pr_auc(self) -> float:
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = np.where(
            (p[:-1] > 0) & (p[1:] > 0), _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1
        ).astype(F32)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(safe_p_ratio)
        increment = _divide_no_nan(
            prec_slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0)
        )
        return float(np.sum(increment, dtype=F32))

    def result(self) -> float:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = (
            self.true_positives,
            self.false_positives,
            self.true_negatives,
            self.false_negatives,
        )
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / F32(2)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights, dtype=F32))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self._from_logits,
        }


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b``, 0 where ``b == 0``."""
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, a / safe).astype(F32)


# --- names --------------------------------------------------------------------------------
_CLASSES = [
    Metric,
    Mean,
    Sum,
    MeanMetricWrapper,
    MeanSquaredError,
    RootMeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCoshError,
    AUC,
    Precision,
    Recall,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
]


def _snake(name: str) -> str:
    from neuralab.keras.optimizers.base import _snake as snake

    return snake(name)


ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update(
    {
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
    }
)
_NOT_BUILT = {
    name
    for cls in (
        "FalseNegatives",
        "FalsePositives",
        "TrueNegatives",
        "TruePositives",
        "PrecisionAtRecall",
        "RecallAtPrecision",
        "SensitivityAtSpecificity",
        "SpecificityAtSensitivity",
        "R2Score",
        "F1Score",
        "FBetaScore",
        "IoU",
        "BinaryIoU",
        "MeanIoU",
        "OneHotIoU",
        "OneHotMeanIoU",
        "PearsonCorrelation",
        "ConcordanceCorrelation",
    )
    for name in (cls, _snake(cls))
}


def serialize(metric: Metric) -> dict[str, Any]:
    """A metric as data: ``{'class_name': ..., 'config': metric.get_config()}``.

    Args:
        metric: A ``Metric``.

    Returns:
        A dict ``deserialize`` reads back.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.serialize(keras.metrics.BinaryAccuracy(threshold=0.7))
        {'class_name': 'BinaryAccuracy',
         'config': {'name': 'binary_accuracy', 'dtype': 'float32', 'threshold': 0.7}}
    """
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict[str, Any]) -> Metric:
    """A new metric from ``{'class_name': ..., 'config': {...}}`` (the inverse of ``serialize``).

    Args:
        config: A dict as ``serialize`` gives; the class name may also be snake case.

    Returns:
        A new ``Metric``.

    Raises:
        ValueError: If the class name is not a known metric.
        NotImplementedError: If it names a Keras metric neuralab does not build (e.g. 'F1Score').

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.deserialize({"class_name": "AUC", "config": {"curve": "PR"}}).curve
        'PR'
    """
    name = config.get("class_name")
    if name in _NOT_BUILT:
        raise NotImplementedError(f"neuralab.keras: metrics.{name} is not supported")
    if name not in ALL_OBJECTS_DICT:
        raise ValueError(f"Could not interpret metric identifier: {config!r}")
    return ALL_OBJECTS_DICT[name].from_config(config.get("config", {}))


def get(identifier: Any) -> Any:
    """A metric from an identifier, as ``keras.metrics.get``.

    A name ('accuracy', 'mae', 'auc', 'Precision', ...) gives a new metric; a dict goes to
    ``deserialize``; a class gives an instance; a metric or any callable is returned as it is.

    Args:
        identifier: None, a name, a config dict, a class or a callable.

    Returns:
        A metric (or the callable), or None for None.

    Raises:
        ValueError: If the identifier is not a known metric.
        NotImplementedError: If it names a Keras metric neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> keras.metrics.get("mae")
        <MeanAbsoluteError name=mean_absolute_error>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in _NOT_BUILT:
            raise NotImplementedError(f"neuralab.keras: metrics.{identifier} is not supported")
        obj: Any = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def compile_metric(identifier: Any, y_true: Any, y_pred: Any) -> Metric:
    """What ``compile(metrics=[identifier])`` gives (Keras's ``compile_utils.get_metric``):
    'accuracy'/'acc' becomes BinaryAccuracy when ``y_pred``'s last axis is 1,
    SparseCategoricalAccuracy when ``y_true`` has lower rank (or a last axis of 1 against
    several classes), CategoricalAccuracy otherwise; a plain function is wrapped in
    ``MeanMetricWrapper``. The metric's ``name`` (its key in the logs) is the identifier
    when it is a string ('acc', 'mae'), else the object's name ('auc', 'precision')."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() not in ("accuracy", "acc"):
        metric = get(identifier)
    else:
        is_binary, is_sparse = _losses.is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = CategoricalAccuracy(name=str(identifier))
    if isinstance(identifier, str):
        name = identifier
    elif hasattr(metric, "name"):
        name = metric.name
    else:
        name = _snake(getattr(metric, "__name__", type(metric).__name__))
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric
