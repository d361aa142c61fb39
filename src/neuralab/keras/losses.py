"""Keras 3's losses on neuralab's ops: ``loss(y_true, y_pred, sample_weight=None)``.

Each loss function maps ``(y_true, y_pred)`` to one loss per sample (the last axis
reduced); a ``Loss`` object then weights them and reduces (``reduction``):

- 'sum_over_batch_size' (default) and 'mean': ``sum(w * l) / number of values``;
- 'mean_with_sample_weight': ``sum(w * l) / sum(w)``;  'sum': ``sum(w * l)``;
- None / 'none': the weighted values themselves.

Shapes follow Keras's ``squeeze_or_expand_to_same_rank``: (N,) targets against (N, 1)
predictions are fine. Probabilities are clipped to [1e-7, 1 - 1e-7] (``EPSILON``) before
a log, as Keras does; categorical probabilities are first divided by their sum.
Everything is differentiable with respect to ``y_pred`` through neuralab's autograd.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import neuralab as nl
import neuralab.functional as F
from neuralab.function import Function
from neuralab.tensor import Tensor

# Keras's public names (the shape and compile helpers below are neuralab.keras's own)
__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLD",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "kld",
    "log_cosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
]

EPSILON = 1e-7
REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


# --- helpers --------------------------------------------------------------------------
def _float(x: Any) -> Tensor:
    """A float32 Tensor (a Tensor keeps its graph; arrays and lists are converted)."""
    if isinstance(x, Tensor):
        return x if x.dtype == nl.float32 else x.to(nl.float32)
    return Tensor._from_array(np.asarray(x, dtype=np.float32))


def squeeze_or_expand_to_same_rank(
    x1: Tensor, x2: Tensor, expand_rank_1: bool = True
) -> tuple[Tensor, Tensor]:
    """Keras's shape rule: when ranks differ by one and the longer has a last axis of 1,
    squeeze it, or (the shorter being rank 1 and ``expand_rank_1``) expand the shorter."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def _standardize_reduction(reduction: Any) -> Any:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {set(REDUCTIONS)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def reduce_weighted_values(
    values: Tensor, sample_weight: Any = None, reduction: Any = "sum_over_batch_size"
) -> Tensor:
    """Weight the per-sample losses (``sample_weight`` brought to their rank) and reduce."""
    reduction = _standardize_reduction(reduction)
    values = _float(values)
    weight = None
    if sample_weight is not None:
        weight = _float(sample_weight)
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        values = values * weight
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        divisor = float(weight.detach().numpy().sum(dtype=np.float32))
    else:
        divisor = float(values.numel())
    return total / divisor if divisor != 0 else total * 0.0


# --- the Loss classes -----------------------------------------------------------------
class Loss:
    """Base class of the Keras losses.

    ``call(y_true, y_pred)`` gives the per-sample losses; ``__call__(y_true, y_pred,
    sample_weight=None)`` converts both to float32, calls it, weights the values by
    ``sample_weight`` and reduces them:

    - 'sum_over_batch_size' (default) and 'mean': ``sum(w * l) / number of values``;
    - 'mean_with_sample_weight': ``sum(w * l) / sum(w)``; 'sum': ``sum(w * l)``;
    - None / 'none': the weighted values themselves.

    Args:
        name: The loss's name. Defaults to None (a unique snake-case name of the class).
        reduction: One of the reductions above. Defaults to 'sum_over_batch_size'.
        dtype: Only None or 'float32'. Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not one of the names above.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> class Absolute(keras.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return (y_true - y_pred).abs().mean(dim=-1)
        >>> Absolute()([[0.0, 2.0]], [[1.0, 1.0]])
        tensor(1.)
    """

    def __init__(
        self, name: str | None = None, reduction: Any = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        from neuralab.keras.backend import unique_name
        from neuralab.keras.optimizers.base import _snake

        if dtype not in (None, "float32"):
            raise NotImplementedError(
                f"neuralab.keras: {type(self).__name__}(dtype={dtype!r}) is not supported"
            )
        self.name = name or unique_name(_snake(type(self).__name__))
        self.reduction = _standardize_reduction(reduction)
        self.dtype = "float32"

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        losses = self.call(_float(y_true), _float(y_pred))
        return reduce_weighted_values(losses, sample_weight, self.reduction)

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class LossFunctionWrapper(Loss):
    """A loss function as a ``Loss``.

    ``fn(y_true, y_pred, **kwargs)`` gives the per-sample losses (``y_true`` and ``y_pred``
    first brought to the same rank), then weighted and reduced.

    Args:
        fn: The loss function, ``fn(y_true, y_pred, **kwargs) -> per-sample losses``.
        reduction: How the weighted per-sample losses are reduced (see ``Loss``). Defaults to
            'sum_over_batch_size'.
        name: The loss's name. Defaults to None (a unique name).
        dtype: Only None or 'float32'. Defaults to None.
        **kwargs: Passed to ``fn`` on each call.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.LossFunctionWrapper(keras.losses.huber, delta=0.5)
        >>> loss([[0.0], [0.0]], [[0.25], [2.0]])
        tensor(0.4531)
    """

    def __init__(
        self,
        fn: Callable[..., Tensor],
        reduction: Any = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class _Simple(LossFunctionWrapper):
    _fn: Callable[..., Tensor]
    _default_name: str

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(
            type(self)._fn,
            reduction=reduction,
            name=name or self._default_name,
            dtype=dtype,
        )

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


# --- loss functions (one value per sample) ------------------------------------------
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean squared error per sample.

    ``mean((y_true - y_pred)^2, axis=-1)``

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.mean_squared_error([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        tensor([0.5, 2. ])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    return (y_true - y_pred).square().mean(dim=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean absolute error per sample.

    ``mean(|y_true - y_pred|, axis=-1)``

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.mean_absolute_error([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        tensor([0.5, 1. ])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    return (y_true - y_pred).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean absolute percentage error per sample.

    ``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)``, ``eps = 1e-7``.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]])
        tensor([25.])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    diff = ((y_true - y_pred) / nl.clamp(y_true.abs(), min=EPSILON)).abs()
    return diff.mean(dim=-1) * 100.0


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean squared logarithmic error per sample.

    ``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)``, ``eps = 1e-7``.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.mean_squared_logarithmic_error([[0.0, 1.0]], [[0.0, 1.0]])
        tensor([0.])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    first = (nl.clamp(y_pred, min=EPSILON) + 1.0).log()
    second = (nl.clamp(y_true, min=EPSILON) + 1.0).log()
    return (first - second).square().mean(dim=-1)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    """``x * min(1 / sqrt(sum(x^2, axis)), 1 / eps)`` (Keras's ``ops.normalize``)."""
    inv_norm = nl.rsqrt(x.square().sum(dim=axis, keepdim=True))
    return x * nl.clamp(inv_norm, max=1.0 / EPSILON)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Negative cosine similarity per sample (so -1 is best).

    ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        axis: The axis along which the similarity is computed. Defaults to -1.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[0.0, 2.0], [1.0, -1.0]])
        tensor([-1., -0.])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(dim=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Huber loss per sample: quadratic for small errors, linear for large.

    ``mean(0.5 e^2 if |e| <= delta else delta |e| - 0.5 delta^2, axis=-1)``, with ``e = y_pred -
    y_true``.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        delta: The error at which the loss turns from quadratic to linear. Defaults to 1.0.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.huber([[0.0, 0.0]], [[0.5, 3.0]])
        tensor([1.3125])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    error = y_pred - y_true
    abs_error = error.abs()
    delta32 = float(np.float32(delta))
    quadratic = error.square() * 0.5
    linear = abs_error * delta32 - 0.5 * delta32 * delta32
    return nl.where(abs_error <= delta32, quadratic, linear).mean(dim=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """Logarithm of the hyperbolic cosine of the error, per sample.

    ``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably as ``x + softplus(-2x) - log 2``.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.log_cosh([[0.0, 0.0]], [[0.0, 1.0]])
        tensor([0.2169])
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true), _float(y_pred))
    x = y_pred - y_true
    return (x + F.softplus(x * -2.0) - math.log(2.0)).mean(dim=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Kullback-Leibler divergence per sample.

    ``sum(t * log(t / p), axis=-1)`` with ``t = y_true`` and ``p = y_pred`` both clipped to [1e-7,
    1].

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.kl_divergence([[0.5, 0.5]], [[0.5, 0.5]])
        tensor([0.])
    """
    y_true = nl.clamp(_float(y_true), EPSILON, 1.0)
    y_pred = nl.clamp(_float(y_pred), EPSILON, 1.0)
    return (y_true * (y_true / y_pred).log()).sum(dim=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Poisson loss per sample.

    ``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``, ``eps = 1e-7``.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.poisson([[1.0, 0.0]], [[1.0, 2.0]])
        tensor([1.5])
    """
    y_true, y_pred = _float(y_true), _float(y_pred)
    return (y_pred - y_true * (y_pred + EPSILON).log()).mean(dim=-1)


def _hinge_labels(y_true: Tensor) -> Tensor:
    """Labels all in {0, 1} become {-1, 1}; others are kept."""
    data = y_true.detach().numpy()
    if np.all((data == 0) | (data == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Hinge loss per sample.

    ``mean(max(1 - t * y_pred, 0), axis=-1)`` with ``t`` in {-1, 1} (labels all in {0, 1} are
    converted to {-1, 1}).

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.hinge([[1.0, 0.0]], [[0.5, 0.5]])
        tensor([1.])
    """
    y_true = _hinge_labels(_float(y_true))
    return nl.clamp(1.0 - y_true * _float(y_pred), min=0.0).mean(dim=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Squared hinge loss per sample.

    ``mean(max(1 - t * y_pred, 0)^2, axis=-1)`` with ``t`` in {-1, 1} (labels all in {0, 1} are
    converted to {-1, 1}).

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.squared_hinge([[1.0, 0.0]], [[0.5, 0.5]])
        tensor([1.25])
    """
    y_true = _hinge_labels(_float(y_true))
    return nl.clamp(1.0 - y_true * _float(y_pred), min=0.0).square().mean(dim=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Categorical hinge loss per sample.

    ``max(max((1 - t) * y_pred) - sum(t * y_pred) + 1, 0)`` over the last axis, ``t = y_true``
    one-hot.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.categorical_hinge([[0.0, 1.0]], [[0.3, 0.7]])
        tensor([0.6])
    """
    y_true, y_pred = _float(y_true), _float(y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return nl.clamp(neg - pos + 1.0, min=0.0)


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis=-1
) -> Tensor:
    """Binary cross-entropy per sample.

    ``mean(-(t log p + (1 - t) log(1 - p)), axis)`` with ``p`` clipped to [1e-7, 1 - 1e-7].

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        from_logits: Whether ``y_pred`` holds logits (``p = sigmoid(y_pred)``, computed
            stably) rather than probabilities. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / 2``. Defaults to 0.0.
        axis (int): The axis averaged over. Defaults to -1.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Raises:
        ValueError: If ``y_true`` and ``y_pred`` differ in shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.binary_crossentropy([[1.0, 0.0]], [[0.9, 0.2]])
        tensor([0.1643])
    """
    y_pred = _float(y_pred)
    y_true = _float(y_true)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape("binary_crossentropy", y_true, y_pred)
    if from_logits:
        values = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        clipped = nl.clamp(y_pred, EPSILON, 1.0 - EPSILON)
        values = F.binary_cross_entropy(clipped, y_true, reduction="none")
    return values.mean(dim=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Binary focal cross-entropy per sample (easy examples down-weighted).

    ``mean(a_t (1 - p_t)^gamma * bce, axis)`` with ``p_t = t p + (1 - t)(1 - p)`` and ``bce`` the
    binary cross-entropy.

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        apply_class_balancing: Whether to weight by ``a_t = t alpha + (1 - t)(1 - alpha)``
            (else ``a_t = 1``). Defaults to False.
        alpha: The class-balancing weight of positives. Defaults to 0.25.
        gamma: The focusing exponent. Defaults to 2.0.
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / 2``. Defaults to 0.0.
        axis: The axis averaged over. Defaults to -1.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Raises:
        ValueError: If ``y_true`` and ``y_pred`` differ in shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.binary_focal_crossentropy([[1.0, 0.0]], [[0.9, 0.2]])
        tensor([0.005])
    """
    y_pred = _float(y_pred)
    y_true = _float(y_true)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape("binary_focal_crossentropy", y_true, y_pred)
    if from_logits:
        y_pred = F.sigmoid(y_pred)
    clipped = nl.clamp(y_pred, EPSILON, 1.0 - EPSILON)
    bce = F.binary_cross_entropy(clipped, y_true, reduction="none")
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=axis)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis=-1
) -> Tensor:
    """Categorical cross-entropy per sample (one-hot or soft targets).

    ``-sum(t * log p, axis)`` with ``p = y_pred / sum(y_pred)`` clipped to [1e-7, 1 - 1e-7].

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        from_logits: Whether ``y_pred`` holds logits (``log p = log_softmax(y_pred)``).
            Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / num_classes``. Defaults to 0.0.
        axis (int): The class axis. Defaults to -1.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Raises:
        ValueError: If ``y_true`` and ``y_pred`` differ in shape, or ``axis`` is a bool.

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.categorical_crossentropy([[0.0, 1.0, 0.0]], [[0.1, 0.8, 0.1]])
        tensor([0.2231])
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis}")
    y_pred = _float(y_pred)
    y_true = _float(y_true)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    _same_shape("categorical_crossentropy", y_true, y_pred)
    if from_logits:
        log_prob = F.log_softmax(y_pred, dim=axis)
    else:
        probs = y_pred / y_pred.sum(dim=axis, keepdim=True)
        log_prob = nl.clamp(probs, EPSILON, 1.0 - EPSILON).log()
    return -(y_true * log_prob).sum(dim=axis)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: Any = None, axis=-1
) -> Tensor:
    """Cross-entropy per sample with integer class labels.

    ``-log p[y_true]`` with ``p`` normalized and clipped as in ``categorical_crossentropy``;
    ``y_true``
    holds class indices, shape (N,) or (N, 1), against ``y_pred`` of shape (N, C).

    Args:
        y_true: Targets, shape (..., d).
        y_pred: Predictions, the same shape.
        from_logits: Whether ``y_pred`` holds logits (``log p = log_softmax(y_pred)``).
            Defaults to False.
        ignore_class: Only None (not supported otherwise). Defaults to None.
        axis (int): Only the last axis (-1). Defaults to -1.

    Returns:
        The per-sample losses, a Tensor of shape (...) (the last axis reduced).

    Raises:
        ValueError: If the labels' shape does not match ``y_pred`` up to the last axis,
            or a label is outside [0, C).
        NotImplementedError: If ``ignore_class`` is set or ``axis`` is not the last axis.

    Examples:
        >>> from neuralab import keras
        >>> y_pred = [[0.1, 0.8, 0.1], [0.5, 0.25, 0.25]]
        >>> keras.losses.sparse_categorical_crossentropy([1, 0], y_pred)
        tensor([0.2231, 0.6931])
    """
    if ignore_class is not None:
        raise NotImplementedError(
            "neuralab.keras: SparseCategoricalCrossentropy(ignore_class=...) is not supported"
        )
    if axis not in (-1, _float(y_pred).ndim - 1):
        raise NotImplementedError(
            f"neuralab.keras: sparse_categorical_crossentropy(axis={axis}) is not supported "
            "(the classes must be on the last axis)"
        )
    y_pred = _float(y_pred)
    labels = y_true.detach().numpy() if isinstance(y_true, Tensor) else np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if tuple(labels.shape) != tuple(y_pred.shape[:-1]):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last "
            f"dimension: target.shape={tuple(labels.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    index = labels.astype(np.int64)
    classes = y_pred.shape[-1]
    if index.size and (index.min() < 0 or index.max() >= classes):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must be in [0, {classes}); got "
            f"values from {index.min()} to {index.max()}"
        )
    if not from_logits:
        return _PickedNegativeLog.apply(y_pred, index=index)
    log_prob = F.log_softmax(y_pred, dim=-1)
    picked = nl.gather(log_prob, -1, Tensor._from_array(index[..., None]))
    return -picked.squeeze(-1)


class _PickedNegativeLog(Function):
    """Per sample ``-log(clip(p_y / s, eps, 1 - eps))`` with ``s = sum_j p_j``: Keras's
    sparse categorical cross-entropy on probabilities in one graph node instead of seven
    (normalize, clip, log, gather, negate, squeeze); the same float32 values forward.
    With ``q = p_y / s`` inside the clip (else the gradient is 0)::

        dL/dp_j = -g / q * ([j == y] / s - p_y / s^2)
    """

    @staticmethod
    def forward(ctx, p, index):
        s = p.sum(axis=-1, keepdims=True)
        q = np.take_along_axis(p / s, index[..., None], -1)
        clipped = np.clip(q, EPSILON, 1.0 - EPSILON)
        ctx.save_for_backward(s, q, clipped, index[..., None])
        ctx.classes = p.shape[-1]
        return -np.log(clipped)[..., 0]

    @staticmethod
    def backward(ctx, grad):
        s, q, clipped, index = ctx.saved
        inside = (q >= EPSILON) & (q <= 1.0 - EPSILON)  # the clip's gradient, as nl.clamp
        d = (-grad[..., None] / clipped) * inside / s  # dL/dq / s, (..., 1)
        grad_p = np.repeat(-d * q, ctx.classes, axis=-1)  # -dL/dq * p_y / s^2, every j
        np.put_along_axis(grad_p, index, np.take_along_axis(grad_p, index, -1) + d, -1)
        return (grad_p,)


def _same_shape(name: str, y_true: Tensor, y_pred: Tensor) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            f"{name}: arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )


# --- Loss classes ---------------------------------------------------------------------
class MeanSquaredError(_Simple):
    """Mean squared error.

    Per sample ``mean((y_true - y_pred)^2)``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'mean_squared_error'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.MeanSquaredError()
        >>> loss([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        tensor(1.25)
    """

    _fn = staticmethod(mean_squared_error)
    _default_name = "mean_squared_error"


class MeanAbsoluteError(_Simple):
    """Mean absolute error.

    Per sample ``mean(|y_true - y_pred|)``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'mean_absolute_error'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.MeanAbsoluteError()
        >>> loss([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 3.0]])
        tensor(0.75)
    """

    _fn = staticmethod(mean_absolute_error)
    _default_name = "mean_absolute_error"


class MeanAbsolutePercentageError(_Simple):
    """Mean absolute percentage error.

    Per sample ``100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|)``, then weighted by
    ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'mean_absolute_percentage_error'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.MeanAbsolutePercentageError()
        >>> loss([[2.0, 4.0]], [[1.0, 4.0]])
        tensor(25.)
    """

    _fn = staticmethod(mean_absolute_percentage_error)
    _default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_Simple):
    """Mean squared logarithmic error.

    Per sample ``mean((log(1 + y_pred) - log(1 + y_true))^2)``, then weighted by ``sample_weight``
    and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'mean_squared_logarithmic_error'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.MeanSquaredLogarithmicError()
        >>> loss([[0.0, 1.0]], [[0.0, 1.0]])
        tensor(0.)
    """

    _fn = staticmethod(mean_squared_logarithmic_error)
    _default_name = "mean_squared_logarithmic_error"


class LogCosh(_Simple):
    """Logarithm of the hyperbolic cosine of the error.

    Per sample ``mean(log cosh(y_pred - y_true))``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'log_cosh'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.LogCosh()
        >>> loss([[0.0, 0.0]], [[0.0, 1.0]])
        tensor(0.2169)
    """

    _fn = staticmethod(log_cosh)
    _default_name = "log_cosh"


class Hinge(_Simple):
    """Hinge loss.

    Per sample ``mean(max(1 - t * y_pred, 0))``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'hinge'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.Hinge()
        >>> loss([[1.0, 0.0]], [[0.5, 0.5]])
        tensor(1.)
    """

    _fn = staticmethod(hinge)
    _default_name = "hinge"


class SquaredHinge(_Simple):
    """Squared hinge loss.

    Per sample ``mean(max(1 - t * y_pred, 0)^2)``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'squared_hinge'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.SquaredHinge()
        >>> loss([[1.0, 0.0]], [[0.5, 0.5]])
        tensor(1.25)
    """

    _fn = staticmethod(squared_hinge)
    _default_name = "squared_hinge"


class CategoricalHinge(_Simple):
    """Categorical hinge loss.

    Per sample ``max(max((1 - t) * y_pred) - sum(t * y_pred) + 1, 0)``, then weighted by
    ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'categorical_hinge'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.CategoricalHinge()
        >>> loss([[0.0, 1.0]], [[0.3, 0.7]])
        tensor(0.6)
    """

    _fn = staticmethod(categorical_hinge)
    _default_name = "categorical_hinge"


class KLDivergence(_Simple):
    """Kullback-Leibler divergence.

    Per sample ``sum(t * log(t / p))``, then weighted by ``sample_weight`` and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'kl_divergence'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.KLDivergence()
        >>> loss([[0.5, 0.5]], [[0.5, 0.5]])
        tensor(0.)
    """

    _fn = staticmethod(kl_divergence)
    _default_name = "kl_divergence"


class Poisson(_Simple):
    """Poisson loss.

    Per sample ``mean(y_pred - y_true * log(y_pred + 1e-7))``, then weighted by ``sample_weight``
    and reduced.

    Args:
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'poisson'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.Poisson()
        >>> loss([[1.0, 0.0]], [[1.0, 2.0]])
        tensor(1.5)
    """

    _fn = staticmethod(poisson)
    _default_name = "poisson"


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity (-1 is best).

    Per sample ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``, then weighted by
    ``sample_weight`` and reduced.

    Args:
        axis: The axis along which the similarity is computed. Defaults to -1.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'cosine_similarity'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.CosineSimilarity()
        >>> loss([[0.0, 1.0], [1.0, 1.0]], [[0.0, 2.0], [1.0, -1.0]])
        tensor(-0.5)
    """

    def __init__(
        self,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for small errors, linear for large.

    Per sample ``mean(0.5 e^2 if |e| <= delta else delta |e| - 0.5 delta^2)``, then weighted by
    ``sample_weight`` and reduced.

    Args:
        delta: The error at which the loss turns from quadratic to linear. Defaults to 1.0.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'huber_loss'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.Huber()
        >>> loss([[0.0, 0.0]], [[0.5, 3.0]])
        tensor(1.3125)
    """

    def __init__(
        self,
        delta: float = 1.0,
        reduction: Any = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy on probabilities (default) or logits.

    Per sample ``mean(-(t log p + (1 - t) log(1 - p)), axis)``, then weighted by ``sample_weight``
    and reduced.

    Args:
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / 2``. Defaults to 0.0.
        axis: The axis averaged over. Defaults to -1.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'binary_crossentropy'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.BinaryCrossentropy()
        >>> loss([[1.0, 0.0]], [[0.9, 0.2]])
        tensor(0.1643)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy: easy examples down-weighted by ``(1 - p_t)^gamma``.

    Per sample ``mean(a_t (1 - p_t)^gamma * bce, axis)``, then weighted by ``sample_weight`` and
    reduced.

    Args:
        apply_class_balancing: Whether to weight by ``a_t = t alpha + (1 - t)(1 - alpha)``.
            Defaults to False.
        alpha: The class-balancing weight of positives. Defaults to 0.25.
        gamma: The focusing exponent. Defaults to 2.0.
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / 2``. Defaults to 0.0.
        axis: The axis averaged over. Defaults to -1.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'binary_focal_crossentropy'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.BinaryFocalCrossentropy()
        >>> loss([[1.0, 0.0]], [[0.9, 0.2]])
        tensor(0.005)
    """

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with one-hot (or soft) targets.

    Per sample ``-sum(t * log p, axis)``, then weighted by ``sample_weight`` and reduced.

    Args:
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        label_smoothing: ``s`` in ``t <- t (1 - s) + s / num_classes``. Defaults to 0.0.
        axis: The class axis. Defaults to -1.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        name: The loss's name. Defaults to 'categorical_crossentropy'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32'.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.CategoricalCrossentropy()
        >>> loss([[0.0, 1.0, 0.0]], [[0.1, 0.8, 0.1]])
        tensor(0.2231)
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer class labels.

    Per sample ``-log p[y_true]``, then weighted by ``sample_weight`` and reduced.

    Args:
        from_logits: Whether ``y_pred`` holds logits. Defaults to False.
        ignore_class: Only None (not supported otherwise). Defaults to None.
        reduction: How the weighted per-sample losses are reduced: 'sum_over_batch_size'
            (default), 'mean', 'mean_with_sample_weight', 'sum', or None/'none'.
        axis: Only the last axis (-1). Defaults to -1.
        name: The loss's name. Defaults to 'sparse_categorical_crossentropy'.
        dtype: Only None or 'float32' (computation is float32). Defaults to None.

    Raises:
        ValueError: If ``reduction`` is not a known reduction.
        NotImplementedError: If ``dtype`` is not None or 'float32', or ``ignore_class`` is set.

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.SparseCategoricalCrossentropy()
        >>> loss([1, 0], [[0.1, 0.8, 0.1], [0.5, 0.25, 0.25]])
        tensor(0.4581)
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: Any = None,
        reduction: Any = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        if ignore_class is not None:
            raise NotImplementedError(
                "neuralab.keras: SparseCategoricalCrossentropy(ignore_class=...) is not supported"
            )
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.__dict__.update(self._fn_kwargs)  # each setting as an attribute, as in Keras

    def get_config(self) -> dict[str, Any]:
        return {
            **Loss.get_config(self),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


# --- names ------------------------------------------------------------------------------
_CLASSES = {
    cls.__name__: cls
    for cls in (
        Loss,
        LossFunctionWrapper,
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        CosineSimilarity,
        Huber,
        LogCosh,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        KLDivergence,
        Poisson,
        BinaryCrossentropy,
        BinaryFocalCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}
_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        mean_squared_error,
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        cosine_similarity,
        huber,
        log_cosh,
        kl_divergence,
        poisson,
        hinge,
        squared_hinge,
        categorical_hinge,
        binary_crossentropy,
        binary_focal_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
    )
}
_ALIASES = {  # exactly Keras's (no 'logcosh' or 'huber_loss')
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
}
_NOT_BUILT = {
    "CTC",
    "ctc",
    "Dice",
    "dice",
    "Tversky",
    "tversky",
    "Circle",
    "circle",
    "CategoricalFocalCrossentropy",
    "categorical_focal_crossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "categorical_generalized_cross_entropy",
}
ALL_OBJECTS = {**_CLASSES, **_FUNCTIONS, **_ALIASES}

# Keras's short names as module attributes (keras.losses.mse, keras.losses.MSE, ...)
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence


def serialize(loss: Any) -> Any:
    """A loss as data: a ``Loss``'s ``{'class_name', 'config'}``, a function's name.

    Args:
        loss: A ``Loss`` object or a loss function.

    Returns:
        A dict for a ``Loss``, the function's name (str) for a function.

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.serialize(keras.losses.mse)
        'mean_squared_error'
        >>> keras.losses.serialize(keras.losses.Huber(delta=2.0))["class_name"]
        'Huber'
    """
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return loss.__name__


def deserialize(config: Any) -> Any:
    """The inverse of ``serialize``: a loss from a name or a ``{'class_name', 'config'}`` dict.

    Args:
        config: A loss name (as ``get`` reads it) or a dict from ``serialize``.

    Returns:
        The loss function (for a name) or a new ``Loss`` object (for a dict).

    Raises:
        ValueError: If the class name is not a known loss.
        NotImplementedError: If it names a Keras loss neuralab does not build (e.g. 'Dice').

    Examples:
        >>> from neuralab import keras
        >>> loss = keras.losses.deserialize({"class_name": "Huber", "config": {"delta": 2.0}})
        >>> type(loss).__name__, loss.name
        ('Huber', 'huber_loss')
    """
    if isinstance(config, str):
        return get(config)
    name = config.get("class_name")
    if name in _NOT_BUILT:
        raise NotImplementedError(f"neuralab.keras: losses.{name} is not supported")
    if name not in _CLASSES:
        raise ValueError(f"Could not interpret loss identifier: {config!r}")
    return _CLASSES[name].from_config(config.get("config", {}))


def get(identifier: Any) -> Any:
    """A loss from an identifier, as ``keras.losses.get``.

    None gives None; a function name or alias ('mse', 'binary_crossentropy', 'huber', ...)
    gives that loss *function* (per-sample values); a class name ('MeanSquaredError') a new
    instance; a dict goes to ``deserialize``; a callable is returned as it is.

    Args:
        identifier: None, a name, a config dict or a callable.

    Returns:
        A loss function, a ``Loss`` object, or None.

    Raises:
        ValueError: If the identifier is not a known loss.
        NotImplementedError: If it names a Keras loss neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> keras.losses.get("mse").__name__
        'mean_squared_error'
        >>> keras.losses.get("MeanSquaredError").name
        'mean_squared_error'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in _NOT_BUILT:
            raise NotImplementedError(f"neuralab.keras: losses.{identifier} is not supported")
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _ALIASES:
            return _ALIASES[identifier]
        raise ValueError(f"Could not interpret loss identifier: {identifier}")
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def is_binary_or_sparse_categorical(y_true: Any, y_pred: Any) -> tuple[bool, bool]:
    """Keras's compile-time guess from shapes: binary when y_pred's last axis is 1; sparse
    when y_true has lower rank, or a last axis of 1 against several classes."""
    t_shape, p_shape = tuple(np.shape(y_true)), tuple(np.shape(y_pred))
    t_last = t_shape[-1] if t_shape else None
    p_last = p_shape[-1] if p_shape else None
    is_binary = p_last == 1
    is_sparse = len(t_shape) < len(p_shape) or (t_last == 1 and p_last is not None and p_last > 1)
    return is_binary, is_sparse


def compile_loss(identifier: Any, y_true: Any = None, y_pred: Any = None) -> Loss | None:
    """What ``model.compile(loss=identifier)`` uses (Keras's ``compile_utils.get_loss``):
    a reducing ``Loss`` object; 'crossentropy'/'ce' picks binary/sparse/categorical from
    the shapes of ``y_true`` and ``y_pred``; a function is wrapped in
    ``LossFunctionWrapper`` named after the identifier (or the function)."""
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        if y_true is None or y_pred is None:
            return _CrossentropyByShape(str(identifier))
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        obj: Any = (
            binary_crossentropy
            if is_binary
            else sparse_categorical_crossentropy
            if is_sparse
            else categorical_crossentropy
        )
    else:
        obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    return LossFunctionWrapper(obj, name=name)


class _CrossentropyByShape(Loss):
    """compile(loss='crossentropy') before the shapes are known: picks binary, sparse or
    categorical cross-entropy on the first call, as ``compile_loss`` would with them."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        self._resolved: Loss | None = None

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        if self._resolved is None:
            self._resolved = compile_loss(self.name, y_true, y_pred)
        return self._resolved(y_true, y_pred, sample_weight=sample_weight)
