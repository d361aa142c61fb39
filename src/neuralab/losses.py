"""Loss functions, as ``torch.nn.functional``'s losses (the modules are in ``nn/loss.py``).

Every loss takes ``reduction`` in {'mean', 'sum', 'none'} and, beyond PyTorch, a keyword
``sample_weight``: one non-negative weight s_i per sample (shape (N,), along input's first
axis, broadcast over the rest). With l_ij the loss of element j of sample i (already
multiplied by any elementwise or class weight the loss defines) and v_ij the weight that
PyTorch's 'mean' normalizes by,

    'none':  s_i l_ij,     'sum':  sum_ij s_i l_ij,     'mean':  sum_ij s_i l_ij / sum_ij s_i v_ij

v_ij = 1 for most losses, so 'mean' = sum_i s_i mean_j(l_ij) / sum_i s_i, the s-weighted
average of the per-sample mean losses; v_ij is the class weight w_{t_ij} (0 where ignored)
for ``nll_loss`` and ``cross_entropy`` with class-index targets, and the elementwise
``weight`` for ``mse_loss`` and ``l1_loss``. With s_i = 1 every formula is PyTorch's.
Weights (``weight``, ``pos_weight``, ``sample_weight``) are constants: no gradient.

Input and target must have the same shape: PyTorch warns and broadcasts for the
regression losses, which silently averages the wrong pairs (an (N, 1) prediction against
an (N,) target gives an (N, N) loss); here a mismatch raises a ``ShapeError`` (a
ValueError) naming both shapes.
"""

from __future__ import annotations

import warnings
from typing import Any

from neuralab import ops
from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.fused import _rows, _unrows
from neuralab.ops.indexing import check_class_target
from neuralab.tensor import DTypeError, Tensor, _as_array

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "quantile_loss",
    "smooth_l1_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


# --- reduction and argument checks --------------------------------------------------------
def _reduce(xp: Any, losses: Any, reduction: str, s: Any, v: Any) -> tuple[Any, Any]:
    """Reduce elementwise losses with sample weights s and mean weights v (either None).

    Returns (value, scale) with d value / d losses = scale times the upstream gradient
    (scale None: 1).
    """
    if reduction == "none":
        return (losses, None) if s is None else (losses * s, s)
    if reduction == "sum":
        return (losses.sum(), None) if s is None else ((losses * s).sum(), s)
    numerator = losses.sum() if s is None else (losses * s).sum()
    if s is None and v is None:
        denominator = losses.size
    else:
        weights = s if v is None else (v if s is None else v * s)
        denominator = xp.broadcast_to(weights, losses.shape).sum()
    with xp.errstate(invalid="ignore", divide="ignore"):
        value = xp.asarray(numerator / denominator, dtype=losses.dtype)
        scale = (1 if s is None else s) / xp.asarray(denominator, dtype=losses.dtype)
    return value, scale


def _reduction(name: str, size_average: Any, reduce: Any, reduction: str) -> str:
    """The reduction, with PyTorch's mapping of the deprecated size_average/reduce."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use "
            f"reduction='{reduction}' instead.",
            UserWarning,
            stacklevel=3,
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _array(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else _as_array(x)


def _constant(name: str, what: str, value: Any, dtype: Any, shape: tuple | None) -> Any:
    """A weight as an array of the input's dtype; ``shape``: the shape it must broadcast to."""
    if value is None:
        return None
    array = _array(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name}: {what} must be a float tensor, got {array.dtype}")
    if shape is not None:
        try:
            fits = array_module(array).broadcast_shapes(array.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(
                f"{name}: {what} of shape {array.shape} does not broadcast to input {shape}"
            )
    return array.astype(dtype, copy=False)


def _sample_weight(name: str, sample_weight: Any, x: Any, out_ndim: int) -> Any:
    """Check sample weights (N,) and shape them (N, 1, ...) to broadcast over a loss of
    ``out_ndim`` axes."""
    if sample_weight is None:
        return None
    s = _array(sample_weight)
    if x.ndim == 0 or s.shape != (x.shape[0],):
        n = x.shape[0] if x.ndim else "N"
        raise ShapeError(
            f"{name}: sample_weight must have shape ({n},), one weight per sample along "
            f"input's first axis (input shape {x.shape}), got {s.shape}"
        )
    if s.dtype.kind not in "iuf":
        raise TypeError(f"{name}: sample_weight must be a float tensor, got {s.dtype}")
    if not (array_module(s).isfinite(s) & (s >= 0)).all():
        raise ValueError(f"{name}: sample_weight must be finite and non-negative")
    return s.astype(x.dtype, copy=False).reshape((-1,) + (1,) * (out_ndim - 1))


def _pair(name: str, input: Any, target: Any, float_target: bool = False) -> tuple:
    """Input and target arrays, checked: float input, equal shapes, and for BCE a float
    target. Returns (input array, target array, target to pass on)."""
    x, y = _array(input), _array(target)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a float tensor, got {x.dtype}")
    if float_target and y.dtype.kind != "f":
        raise TypeError(
            f"{name}: target must be a float tensor of probabilities in [0, 1], got {y.dtype} "
            f"(convert class labels with target.float())"
        )
    if y.dtype.kind not in "iubf":
        raise TypeError(f"{name}: target must be a numeric tensor, got {y.dtype}")
    if x.shape != y.shape:
        raise ShapeError(
            f"{name}: input and target must have the same shape, got input {x.shape} and "
            f"target {y.shape}"
        )
    return x, y, (target if isinstance(target, Tensor) else y)


def _in_unit_interval(name: str, what: str, a: Any) -> None:
    if a.size and not ((a >= 0) & (a <= 1)).all():
        bad = a[~((a >= 0) & (a <= 1))]
        raise ValueError(
            f"{name}: all elements of {what} must be in [0, 1], found {float(bad.reshape(-1)[0])}"
        )


# --- elementwise losses: one fused node each -----------------------------------------------
class _Pointwise(Function):
    """An elementwise loss l(x, y), times an optional elementwise weight, reduced.

    A subclass gives ``loss(xp, x, y, p) -> (l, cache)`` and
    ``grads(xp, x, y, cache, g, p, needs) -> (dL/dx, dL/dy)`` where g = dL/dl.
    """

    @staticmethod
    def forward(ctx, x, y, weight, sample_weight, reduction, weighted_mean, param):
        kernel = type(ctx)
        xp = array_module(x)
        if y.dtype != x.dtype:
            y = y.astype(x.dtype)
        losses, cache = kernel.loss(xp, x, y, param)
        if weight is not None:
            losses = losses * weight
        v = weight if weighted_mean else None
        out, scale = _reduce(xp, losses, reduction, sample_weight, v)
        ctx.save_for_backward(x, y, cache)
        if weight is not None:
            scale = weight if scale is None else scale * weight
        ctx.scale = scale
        ctx.param = param
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, cache = ctx.saved
        g = grad if ctx.scale is None else grad * ctx.scale
        needs = ctx.needs_input_grad
        return type(ctx).grads(array_module(g), x, y, cache, g, ctx.param, needs)


class MSE(_Pointwise):
    """l = (x - y)^2;  dl/dx = 2 (x - y) = -dl/dy"""

    @staticmethod
    def loss(xp, x, y, p):
        d = x - y
        return d * d, d

    @staticmethod
    def grads(xp, x, y, d, g, p, needs):
        gx = 2 * g * d
        return gx, (-gx if needs[1] else None)


class L1(_Pointwise):
    """l = |x - y|;  dl/dx = sign(x - y) = -dl/dy  (0 at x = y)"""

    @staticmethod
    def loss(xp, x, y, p):
        d = x - y
        return xp.abs(d), d

    @staticmethod
    def grads(xp, x, y, d, g, p, needs):
        gx = g * xp.sign(d)
        return gx, (-gx if needs[1] else None)


class Huber(_Pointwise):
    """d = x - y;  l = d^2 / 2 for |d| < delta, else delta (|d| - delta/2);
    dl/dx = clip(d, -delta, delta) = -dl/dy"""

    @staticmethod
    def loss(xp, x, y, delta):
        d = x - y
        a = xp.abs(d)
        return xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta)), d

    @staticmethod
    def grads(xp, x, y, d, g, delta, needs):
        gx = g * xp.clip(d, -delta, delta)
        return gx, (-gx if needs[1] else None)


class SmoothL1(_Pointwise):
    """d = x - y;  l = d^2 / (2 beta) for |d| < beta, else |d| - beta/2  (|d| for beta = 0);
    dl/dx = d / beta for |d| < beta, else sign(d);  dl/dy = -dl/dx"""

    @staticmethod
    def loss(xp, x, y, beta):
        d = x - y
        a = xp.abs(d)
        if beta == 0:
            return a, d
        return xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta), d

    @staticmethod
    def grads(xp, x, y, d, g, beta, needs):
        slope = xp.sign(d) if beta == 0 else xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))
        gx = g * slope
        return gx, (-gx if needs[1] else None)


class Quantile(_Pointwise):
    """d = y - x;  l = q d for d >= 0, else (q - 1) d  (= max(q d, (q - 1) d));
    dl/dx = -q for d >= 0, else 1 - q;  dl/dy = -dl/dx"""

    @staticmethod
    def loss(xp, x, y, q):
        d = y - x
        under = d >= 0
        return xp.where(under, q * d, (q - 1) * d), under

    @staticmethod
    def grads(xp, x, y, under, g, q, needs):
        gx = g * xp.where(under, -q, 1 - q).astype(x.dtype, copy=False)
        return gx, (-gx if needs[1] else None)


class BinaryCrossEntropy(_Pointwise):
    """l = -(y max(ln x, -100) + (1 - y) max(ln(1 - x), -100));
    dl/dx = (x - y) / max(x (1 - x), 1e-12),  dl/dy = ln(1 - x) - ln x   (as PyTorch)"""

    @staticmethod
    def loss(xp, x, y, p):
        with xp.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        return -(y * log_x + (1 - y) * log_1mx), None

    @staticmethod
    def grads(xp, x, y, cache, g, p, needs):
        gx = g * (x - y) / xp.maximum(x * (1 - x), 1e-12) if needs[0] else None
        gy = None
        if needs[1]:
            with xp.errstate(divide="ignore"):
                gy = g * (xp.log1p(-x) - xp.log(x))
        return gx, gy


class BinaryCrossEntropyWithLogits(_Pointwise):
    """With softplus(-x) = -log sigmoid(x) = ln(1 + e^-|x|) + max(-x, 0) and pos_weight p:
    l = (1 - y) x + (1 + (p - 1) y) softplus(-x)
    dl/dx = (1 + (p - 1) y) sigmoid(x) - p y   (= sigmoid(x) - y for p = 1)
    dl/dy = -x + (p - 1) softplus(-x)
    No exponential of a positive number is taken: stable for any logit."""

    @staticmethod
    def loss(xp, x, y, pos_weight):
        e = xp.exp(-xp.abs(x))
        softplus = xp.log1p(e) + xp.maximum(-x, 0)
        coefficient = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        return (1 - y) * x + coefficient * softplus, (e, softplus)

    @staticmethod
    def grads(xp, x, y, cache, g, pos_weight, needs):
        e, softplus = cache
        gx = gy = None
        if needs[0]:
            sigmoid = xp.where(x >= 0, 1, e) / (1 + e)
            if pos_weight is None:
                gx = g * (sigmoid - y)
            else:
                py = pos_weight * y
                gx = g * ((1 + py - y) * sigmoid - py)
        if needs[1]:
            gy = g * (-x if pos_weight is None else (pos_weight - 1) * softplus - x)
        return gx, gy


def _pointwise(
    kernel: type[_Pointwise],
    name: str,
    input: Any,
    target: Any,
    reduction: str,
    sample_weight: Any,
    param: Any = None,
    weight: Any = None,
    weighted_mean: bool = False,
    float_target: bool = False,
) -> Tensor:
    x, _, target = _pair(name, input, target, float_target)
    w = _constant(name, "weight", weight, x.dtype, x.shape)
    s = _sample_weight(name, sample_weight, x, x.ndim)
    return kernel.apply(
        input,
        target,
        weight=w,
        sample_weight=s,
        reduction=reduction,
        weighted_mean=weighted_mean,
        param=param,
    )


def _exact_weight(name: str, weight: Any, input: Any) -> None:
    """PyTorch's mse/l1/huber ``weight`` must have exactly the input's shape."""
    if weight is not None and tuple(_array(weight).shape) != tuple(_array(input).shape):
        raise ShapeError(
            f"{name}: weight must have the input's shape {tuple(_array(input).shape)}, "
            f"got {tuple(_array(weight).shape)}"
        )


def mse_loss(
    input: Tensor,
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Any = None,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Mean squared error: l = w (x - y)^2, dl/dx = 2 w (x - y).

    Args:
        input: the prediction x.
        target: the target y, of the input's shape.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        weight: an elementwise weight w of the input's shape; 'mean' is then
            sum(w l) / sum(w), as PyTorch. Defaults to None.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if ``reduction`` is unknown, or input and target (or a weight) do not
            have the same shape (``ShapeError``, a ValueError).
        TypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> x, y = nl.tensor([1.0, 2.0, 3.0]), nl.tensor([1.0, 0.0, 0.0])
        >>> nl.functional.mse_loss(x, y)
        tensor(4.3333)
        >>> nl.functional.mse_loss(x, y, reduction="none")
        tensor([0., 4., 9.])
    """
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    _exact_weight("mse_loss", weight, input)
    return _pointwise(MSE, "mse_loss", input, target, reduction, sample_weight, None, weight, True)


def l1_loss(
    input: Tensor,
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Any = None,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Mean absolute error: l = w |x - y|, dl/dx = w sign(x - y).

    Args:
        input: the prediction x.
        target: the target y, of the input's shape.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        weight: an elementwise weight w of the input's shape; 'mean' is then
            sum(w l) / sum(w), as PyTorch. Defaults to None.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if ``reduction`` is unknown, or input and target (or a weight) do not
            have the same shape (``ShapeError``, a ValueError).
        TypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> nl.functional.l1_loss(nl.tensor([1.0, 2.0, 3.0]), nl.tensor([1.0, 0.0, 0.0]))
        tensor(1.6667)
    """
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    _exact_weight("l1_loss", weight, input)
    return _pointwise(L1, "l1_loss", input, target, reduction, sample_weight, None, weight, True)


def huber_loss(
    input: Tensor,
    target: Any,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Any = None,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Huber loss: quadratic near 0, linear (slope delta) beyond |x - y| = delta.

    d = x - y; l = d^2 / 2 for |d| < delta, else delta (|d| - delta / 2);
    dl/dx = clip(d, -delta, delta).

    Args:
        input: the prediction x.
        target: the target y, of the input's shape.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        delta: where the loss turns from quadratic to linear; positive. Defaults to 1.0.
        weight: an elementwise weight w of the input's shape; 'mean' is mean(w l), as
            PyTorch. Defaults to None.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if ``delta`` is not positive, ``reduction`` is unknown, or the shapes
            differ (``ShapeError``).
        TypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> x, y = nl.tensor([0.5, 3.0]), nl.tensor([0.0, 0.0])
        >>> nl.functional.huber_loss(x, y, reduction="none")
        tensor([0.125, 2.5  ])
    """
    reduction = _reduction("huber_loss", None, None, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    _exact_weight("huber_loss", weight, input)
    return _pointwise(
        Huber, "huber_loss", input, target, reduction, sample_weight, float(delta), weight
    )


def smooth_l1_loss(
    input: Tensor,
    target: Any,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Smooth L1 loss, the Huber loss divided by beta (delta = beta); the L1 loss for beta = 0.

    d = x - y; l = d^2 / (2 beta) for |d| < beta, else |d| - beta / 2;
    dl/dx = d / beta for |d| < beta, else sign(d).

    Args:
        input: the prediction x.
        target: the target y, of the input's shape.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        beta: where the loss turns from quadratic to linear; non-negative. Defaults to 1.0.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if ``beta`` is negative, ``reduction`` is unknown, or the shapes differ
            (``ShapeError``).
        TypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> x, y = nl.tensor([0.5, 3.0]), nl.tensor([0.0, 0.0])
        >>> nl.functional.smooth_l1_loss(x, y, reduction="none", beta=2.0)
        tensor([0.0625, 2.    ])
    """
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    return _pointwise(
        SmoothL1, "smooth_l1_loss", input, target, reduction, sample_weight, float(beta)
    )


def quantile_loss(
    input: Tensor,
    target: Any,
    quantile: float = 0.5,
    reduction: str = "mean",
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Quantile (pinball) loss, minimized by the q-th quantile of the target (no PyTorch
    counterpart).

    d = y - x (target minus prediction); l = q d for d >= 0, else (q - 1) d;
    dl/dx = -q for d >= 0, else 1 - q. At q = 0.5 it is half the L1 loss.

    Args:
        input: the prediction x.
        target: the target y, of the input's shape.
        quantile: q, in [0, 1]. Defaults to 0.5.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if ``quantile`` is outside [0, 1], ``reduction`` is unknown, or the shapes
            differ (``ShapeError``).
        TypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> x, y = nl.tensor([0.0, 0.0]), nl.tensor([1.0, -1.0])
        >>> nl.functional.quantile_loss(x, y, quantile=0.9, reduction="none")
        tensor([0.9, 0.1])
    """
    reduction = _reduction("quantile_loss", None, None, reduction)
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile_loss: quantile must be in [0, 1], got {quantile}")
    return _pointwise(
        Quantile, "quantile_loss", input, target, reduction, sample_weight, float(quantile)
    )


def binary_cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy between probabilities x in [0, 1] and targets y in [0, 1].

    l = -w (y ln x + (1 - y) ln(1 - x)), each log clamped at -100 as PyTorch does (so x = 0 or
    1 gives a finite loss); dl/dx = w (x - y) / max(x (1 - x), 1e-12). For logits use
    ``binary_cross_entropy_with_logits``, which is stable and one op cheaper.

    Args:
        input: the probabilities x.
        target: the float targets y, of the input's shape.
        weight: a weight w that broadcasts to the input's shape; 'mean' is mean(w l).
            Defaults to None.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if input or target has values outside [0, 1], ``reduction`` is unknown, or
            the shapes differ (``ShapeError``).
        TypeError: if the input or the target is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> p, y = nl.tensor([0.9, 0.2]), nl.tensor([1.0, 0.0])
        >>> nl.functional.binary_cross_entropy(p, y)
        tensor(0.1643)
    """
    name = "binary_cross_entropy"
    reduction = _reduction(name, size_average, reduce, reduction)
    x, y, _ = _pair(name, input, target, float_target=True)
    _in_unit_interval(name, "input", x)
    _in_unit_interval(name, "target", y)
    return _pointwise(
        BinaryCrossEntropy, name, input, target, reduction, sample_weight, None, weight
    )


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy on logits x: BCE(sigmoid(x), y) in one numerically stable pass.

    With pos_weight p (the weight of the positive term):
    l = w ((1 - y) x + (1 + (p - 1) y) (ln(1 + e^-|x|) + max(-x, 0))),
    dl/dx = w ((1 + (p - 1) y) sigmoid(x) - p y)  (= w (sigmoid(x) - y) for p = 1).

    Args:
        input: the logits x.
        target: the float targets y in [0, 1], of the input's shape.
        weight: a weight w that broadcasts to the input's shape. Defaults to None.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        pos_weight: the weight p of positive examples, broadcast over the input (typically
            (C,), one per class; p > 1 raises recall). Defaults to None (p = 1).
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the input's shape for 'none'.

    Raises:
        ValueError: if the target has values outside [0, 1], ``reduction`` is unknown, or the
            shapes differ (``ShapeError``).
        TypeError: if the input or the target is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> logits, y = nl.tensor([2.1972, -1.3863]), nl.tensor([1.0, 0.0])
        >>> nl.functional.binary_cross_entropy_with_logits(logits, y)
        tensor(0.1643)
    """
    name = "binary_cross_entropy_with_logits"
    reduction = _reduction(name, size_average, reduce, reduction)
    x, y, _ = _pair(name, input, target, float_target=True)
    _in_unit_interval(name, "target", y)
    p = _constant(name, "pos_weight", pos_weight, x.dtype, x.shape)
    return _pointwise(
        BinaryCrossEntropyWithLogits, name, input, target, reduction, sample_weight, p, weight
    )


# --- class-index losses ---------------------------------------------------------------------
class NLL(Function):
    """Negative log-likelihood of log-probabilities z (rows (M, C)) at class indices t:

    l_i = -w_{t_i} z[i, t_i]  (0 where t_i = ignore_index);
    dl_i/dz[i, c] = -w_{t_i} for c = t_i, else 0.
    'mean' = sum_i s_i l_i / sum_i s_i w_{t_i} over counted targets (s: sample weights).
    """

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction, sample_weight):
        xp = array_module(logp)
        z = _rows(logp)
        t = target.reshape(-1)
        valid = t != ignore_index
        t_safe = xp.where(valid, t, 0)
        w_t = valid.astype(z.dtype) if weight is None else weight[t_safe] * valid
        rows = xp.arange(z.shape[0])
        losses = -z[rows, t_safe] * w_t
        s = None
        if sample_weight is not None:
            s = xp.repeat(sample_weight.reshape(-1), z.shape[0] // max(sample_weight.size, 1))
        out, scale = _reduce(xp, losses, reduction, s, w_t)
        ctx.save_for_backward(t_safe, w_t)
        ctx.shape, ctx.classes, ctx.dtype = logp.shape, z.shape[1], logp.dtype
        ctx.reduction, ctx.scale = reduction, scale
        return out.reshape(target.shape) if reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        t_safe, w_t = ctx.saved
        xp = array_module(grad)
        g = grad.reshape(-1) if ctx.reduction == "none" else grad
        rows_grad = -(g if ctx.scale is None else g * ctx.scale) * w_t
        grad_z = xp.zeros((t_safe.shape[0], ctx.classes), ctx.dtype)
        grad_z[xp.arange(t_safe.shape[0]), t_safe] = rows_grad
        return _unrows(grad_z, ctx.shape), None


def _class_target(name: str, x: Any, t: Any, ignore_index: int) -> None:
    """Check class-index targets against inputs (N, C, d1, ...), (N, C) or (C,)."""
    if x.ndim == 0:
        raise ShapeError(f"{name}: input must have a class axis, got shape {x.shape}")
    if t.dtype.kind not in "iu":
        raise DTypeError(f"{name}: target must hold class indices (integer dtype), got {t.dtype}")
    expected = (x.shape[0],) + x.shape[2:] if x.ndim > 1 else ()
    if t.shape != expected:
        raise ShapeError(
            f"{name}: target must have shape {expected} for input of shape {x.shape}, got {t.shape}"
        )
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    check_class_target(name, t, classes, ignore_index)


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Negative log-likelihood of log-probabilities (e.g. the output of ``log_softmax``).

    l_i = -w_{t_i} input[i, t_i] (0 where t_i = ignore_index); 'mean' divides the sum by
    sum_i w_{t_i} over the counted targets. dl_i/dinput[i, t_i] = -w_{t_i}.

    Args:
        input: log-probabilities, (N, C), (C,) or (N, C, d1, ...).
        target: class indices (integer dtype), (N,), () or (N, d1, ...).
        weight: a class weight w of shape (C,). Defaults to None (all 1).
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        ignore_index: a target value that counts neither in the loss nor in the mean.
            Defaults to -100.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', the target's shape for 'none'.

    Raises:
        ValueError: if ``reduction`` is unknown, a target is out of range, or the shapes do
            not fit (``ShapeError``).
        TypeError: if the input is not floating point (``DTypeError`` if the target is not
            of an integer dtype).

    Examples:
        >>> import neuralab as nl
        >>> logp = nl.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]).log_softmax(1)
        >>> nl.functional.nll_loss(logp, nl.tensor([2, 0]))
        tensor(1.4076)
    """
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    x = _array(input)
    if x.dtype.kind != "f":
        raise TypeError(
            f"nll_loss: input must be a float tensor of log-probabilities, got {x.dtype}"
        )
    t = _array(target)
    _class_target("nll_loss", x, t, ignore_index)
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    w = _constant("nll_loss", "weight", weight, x.dtype, None)
    if w is not None and w.shape != (classes,):
        raise ShapeError(f"nll_loss: weight must have shape ({classes},), got {w.shape}")
    s = None
    if sample_weight is not None:
        if x.ndim < 2:
            raise ShapeError("nll_loss: sample_weight needs a batch axis (input (N, C, ...))")
        s = _sample_weight("nll_loss", sample_weight, x, 1)
    return NLL.apply(
        input, t, weight=w, ignore_index=ignore_index, reduction=reduction, sample_weight=s
    )


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    sample_weight: Any = None,
) -> Tensor:
    """Softmax cross-entropy on logits, as ``torch.nn.functional.cross_entropy``.

    With p = softmax(z) over the class axis, class weights w and label smoothing e over C
    classes: for a class-index target t, l = (1 - e) w_t (-log p_t) + (e / C) sum_c w_c
    (-log p_c); for a probability target q, l = -sum_c w_c q_c log p_c (q smoothed to
    q (1 - e) + e / C). 'mean' divides by sum_i w_{t_i} over counted targets (index targets)
    or by the number of samples (probability targets), as PyTorch; with sample weights s,
    by sum_i s_i w_{t_i} or sum_i s_i. One fused op (``neuralab.ops.cross_entropy``).

    Args:
        input: logits z, (N, C), (C,) or (N, C, d1, ...).
        target: class indices (integer dtype), (N,), () or (N, d1, ...); or class
            probabilities of the input's shape (float dtype).
        weight: a class weight w of shape (C,). Defaults to None (all 1).
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        ignore_index: a class-index target value that counts neither in the loss nor in the
            mean. Defaults to -100.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (the per-element losses). Defaults to
            ``'mean'``.
        label_smoothing: e in [0, 1], mixing the target with the uniform distribution.
            Defaults to 0.0.
        sample_weight: one non-negative weight per sample, shape (N,), along the input's first
            axis (see the module docstring for how 'mean' uses it). Keyword only. Defaults to
            None.

    Returns:
        The loss: a scalar for 'mean' and 'sum', one value per sample (and position) for
        'none'.

    Raises:
        ValueError: if ``reduction`` is unknown, a target is out of range, or the shapes do
            not fit (``ShapeError``).
        TypeError: if the input is not floating point or the target of the wrong dtype
            (``DTypeError``).

    Examples:
        >>> import neuralab as nl
        >>> logits = nl.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
        >>> nl.functional.cross_entropy(logits, nl.tensor([2, 0]))
        tensor(1.4076)
        >>> nl.functional.cross_entropy(logits, nl.tensor([2, 0]), reduction="none")
        tensor([0.4076, 2.4076])
    """
    reduction = _reduction("cross_entropy", size_average, reduce, reduction)
    if sample_weight is None:
        return ops.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)
    per_element = ops.cross_entropy(input, target, weight, ignore_index, "none", label_smoothing)
    x = _array(input)
    if x.ndim < 2:
        raise ShapeError("cross_entropy: sample_weight needs a batch axis (input (N, C, ...))")
    s = _sample_weight("cross_entropy", sample_weight, x, per_element.ndim)
    weighted = per_element * s
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    xp = array_module(x)
    t = _array(target)
    if t.dtype.kind == "f":
        v = xp.broadcast_to(s, per_element.shape)
    else:
        valid = t != ignore_index
        w = _constant("cross_entropy", "weight", weight, x.dtype, None)
        v = valid * (1 if w is None else w[xp.where(valid, t, 0)]) * s
    return weighted.sum() / xp.asarray(v.sum(), dtype=x.dtype)
