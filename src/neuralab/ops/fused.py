"""Fused ops for the hot paths: each computes in a few array calls what would otherwise
take several graph nodes, and is tested equal to that composition."""

from __future__ import annotations

from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.activation import log_softmax_array
from neuralab.ops.indexing import check_class_target, check_float, dtype_mismatch
from neuralab.tensor import DTypeError, Tensor


class Linear(Function):
    """y = x W^T + b;  dL/dx = g W,  dL/dW = g^T x,  dL/db = sum over rows of g

    (x: (..., in), W: (out, in), b: (out,); leading axes of x are rows.)
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        y = x @ weight.T
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved
        needs = ctx.needs_input_grad
        grad_x = grad @ weight if needs[0] else None
        grad_w = grad_b = None
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
            grad = grad.reshape(-1, grad.shape[-1])
        if needs[1]:
            grad_w = grad.T @ x
        if len(needs) > 2 and needs[2]:
            grad_b = grad.sum(axis=0)
        return grad_x, grad_w, grad_b


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Affine map: y = x W^T + b, as ``torch.nn.functional.linear``, in one fused op.

    dL/dx = g W, dL/dW = g^T x, dL/db = the sum of g over rows. Input, weight and bias share
    one dtype (an int64 or float64 input to float32 weights raises, as in PyTorch).

    Args:
        x: the input, (*, in_features).
        weight: W, (out_features, in_features).
        bias: b, (out_features,). Defaults to None.

    Returns:
        y, (*, out_features).

    Raises:
        DTypeError: if the dtypes differ (a TypeError).
        ShapeError: if the input's last axis does not fit the weight (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 2.0]])
        >>> w, b = nl.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, -1.0]]), nl.tensor([0.0, 0.5, 1.0])
        >>> nl.functional.linear(x, w, b)
        tensor([[ 1. ,  3.5, -1. ]])
    """
    dtype = weight.dtype
    if x.dtype != dtype or (bias is not None and bias.dtype != dtype):
        raise dtype_mismatch("linear", x, ("weight", weight), ("bias", bias)) or DTypeError(
            f"linear: weight ({dtype}) and bias ({bias.dtype}) must have the same dtype"
        )
    try:
        if bias is None:
            return Linear.apply(x, weight)
        return Linear.apply(x, weight, bias)
    except ShapeError:
        raise ShapeError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
            f"(expected input (..., {weight.shape[-1]}))"
            + (f" and bias of shape {bias.shape}" if bias is not None else "")
        ) from None


class CrossEntropy(Function):
    """Softmax cross-entropy on logits, in one pass.

    With p = softmax(z), class weights w and smoothing e over C classes:
      index target t:  loss = (1-e) w_t (-log p_t) + (e/C) sum_c w_c (-log p_c)
                       dloss/dz = (1-e) w_t (p - onehot(t)) + (e/C) (p sum_c w_c - w)
      probability target q (smoothed to q(1-e) + e/C):
                       loss = -sum_c w_c q_c log p_c,  dloss/dz = p sum_c w_c q_c - w q
    'mean' divides by the summed weights of the counted targets (index targets) or by the
    number of samples (probability targets), as PyTorch does.
    """

    @staticmethod
    def forward(ctx, logits, target, weight, ignore_index, reduction, label_smoothing):
        xp = array_module(logits)
        classes = logits.shape[1] if logits.ndim > 1 else logits.shape[0]
        z = _rows(logits)
        logp = log_softmax_array(z, 1)
        ctx.shape, ctx.reduction, ctx.smoothing = logits.shape, reduction, label_smoothing
        ctx.probability_target = target.dtype.kind == "f"
        if ctx.probability_target:
            q = _rows(target)
            if label_smoothing:
                q = q * (1 - label_smoothing) + label_smoothing / classes
            wq = q if weight is None else q * weight
            losses = -(wq * logp).sum(axis=1)
            denominator = z.shape[0]
            ctx.save_for_backward(logp, wq, weight)
        else:
            t = target.reshape(-1)
            valid = t != ignore_index
            rows = xp.arange(z.shape[0])
            if weight is None and valid.all():  # every target counts with weight 1
                t_safe, w_t, valid = t, None, None
                losses = -logp[rows, t]
                denominator = z.shape[0]
            else:
                t_safe = xp.where(valid, t, 0)
                w_t = valid.astype(logp.dtype) if weight is None else weight[t_safe] * valid
                losses = -logp[rows, t_safe] * w_t
                denominator = w_t.sum()
            if label_smoothing:
                smooth = -(logp.sum(axis=1) if weight is None else logp @ weight)
                if valid is not None:
                    smooth *= valid
                losses = (1 - label_smoothing) * losses + (label_smoothing / classes) * smooth
            ctx.save_for_backward(logp, t_safe, w_t, valid, weight)
        ctx.denominator = denominator
        if reduction == "mean":
            return xp.asarray(losses.sum() / denominator, dtype=logp.dtype)
        if reduction == "sum":
            return losses.sum()
        return losses.reshape(_loss_shape(target.shape, ctx.probability_target, logits.ndim))

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        if ctx.reduction == "mean":
            scale = grad / ctx.denominator
        elif ctx.reduction == "sum":
            scale = grad
        else:
            scale = grad.reshape(-1, 1)
        e = ctx.smoothing
        if ctx.probability_target:
            logp, wq, weight = ctx.saved
            p = xp.exp(logp)
            grad_z = p * wq.sum(axis=1, keepdims=True) - wq
            grad_target = None
            if ctx.needs_input_grad[1]:
                w = 1 if weight is None else weight
                grad_target = _unrows(-(1 - e) * w * logp * scale, ctx.shape)
        else:
            logp, t_safe, w_t, valid, weight = ctx.saved  # w_t, valid None: all 1
            p = xp.exp(logp)
            rows = xp.arange(p.shape[0])
            if w_t is None:
                grad_z = p.copy() if e else p
                grad_z[rows, t_safe] -= 1
            else:
                grad_z = p * w_t[:, None]
                grad_z[rows, t_safe] -= w_t
            if e:
                classes = p.shape[1]
                total_w = classes if weight is None else weight.sum()
                smooth = p * total_w - (1 if weight is None else weight)
                if valid is not None:
                    smooth *= valid[:, None]
                grad_z = (1 - e) * grad_z + (e / classes) * smooth
            grad_target = None
            if ctx.reduction != "none":  # scale is 0-d: scale the rows in place
                grad_z *= scale
                return _unrows(grad_z, ctx.shape), grad_target
        return _unrows(grad_z * scale, ctx.shape), grad_target


def _rows(a: Any) -> Any:
    """(N, C, d1, ...) -> (N*d1*..., C) with classes last; (C,) -> (1, C)."""
    if a.ndim == 1:
        return a.reshape(1, -1)
    if a.ndim == 2:
        return a
    return a.reshape(a.shape[0], a.shape[1], -1).transpose(0, 2, 1).reshape(-1, a.shape[1])


def _unrows(rows: Any, shape: tuple) -> Any:
    """Inverse of ``_rows``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    n, c = shape[0], shape[1]
    return rows.reshape(n, -1, c).transpose(0, 2, 1).reshape(shape)


def _loss_shape(target_shape: tuple, probability_target: bool, logits_ndim: int) -> tuple:
    if probability_target:
        return (target_shape[0],) + target_shape[2:] if logits_ndim > 1 else ()
    return target_shape


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy on logits, as ``torch.nn.functional.cross_entropy``, in one fused op.

    With p = softmax(z) over the class axis, class weights w and label smoothing e over C
    classes:

    - class-index target t: l = (1 - e) w_t (-log p_t) + (e / C) sum_c w_c (-log p_c),
      dl/dz = (1 - e) w_t (p - onehot(t)) + (e / C) (p sum_c w_c - w);
    - probability target q (smoothed to q (1 - e) + e / C): l = -sum_c w_c q_c log p_c,
      dl/dz = p sum_c w_c q_c - w q.

    'mean' divides by the summed weights of the counted targets (index targets) or by the
    number of samples (probability targets), as PyTorch does.
    ``neuralab.functional.cross_entropy`` adds PyTorch's deprecated arguments and
    ``sample_weight``.

    Args:
        input: logits, (N, C), (C,) or (N, C, d1, ...).
        target: class indices (integer dtype), (N,), () or (N, d1, ...); or class
            probabilities of the input's shape (float dtype).
        weight: a class weight (C,). Defaults to None (all 1).
        ignore_index: an index target value left out of the loss and the mean. Defaults to
            -100.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.
        label_smoothing: e in [0, 1]. Defaults to 0.0.

    Returns:
        A scalar for 'mean' and 'sum'; one loss per sample (and position) for 'none'.

    Raises:
        ValueError: if ``reduction`` or ``label_smoothing`` is invalid, a shape does not fit
            (``ShapeError``) or a class index is out of range.
        TypeError: if the input is not floating point or the target's dtype is neither
            integer nor float.

    Examples:
        >>> import neuralab as nl
        >>> logits = nl.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> nl.ops.cross_entropy(logits, nl.tensor([0, 0]), reduction="none")
        tensor([0.1269, 2.1269])
        >>> nl.ops.cross_entropy(logits, nl.tensor([[1.0, 0.0], [1.0, 0.0]]))
        tensor(1.1269)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    logits = input._data if isinstance(input, Tensor) else input
    check_float("cross_entropy", logits)
    if logits.ndim == 0:
        raise ShapeError("cross_entropy: input must have a class axis, got a 0-d tensor")
    t = target._data if isinstance(target, Tensor) else array_module(logits).asarray(target)
    classes = logits.shape[1] if logits.ndim > 1 else logits.shape[0]
    if t.dtype.kind == "f":
        if t.shape != logits.shape:
            raise ShapeError(
                f"cross_entropy: probability target must have the input's shape {logits.shape}, "
                f"got {t.shape}"
            )
    elif t.dtype.kind in "iu":
        expected = (logits.shape[0],) + logits.shape[2:] if logits.ndim > 1 else ()
        if t.shape != expected:
            raise ShapeError(
                f"cross_entropy: class-index target must have shape {expected} for input of "
                f"shape {logits.shape}, got {t.shape}"
            )
        check_class_target("cross_entropy", t, classes, ignore_index)
    else:
        raise TypeError(
            f"cross_entropy: target must hold class indices (integer dtype) or probabilities "
            f"(float dtype), got {t.dtype}"
        )
    w = weight._data if isinstance(weight, Tensor) else weight
    if w is not None and w.shape != (classes,):
        raise ShapeError(f"cross_entropy: weight must have shape ({classes},), got {w.shape}")
    if isinstance(target, Tensor) and t.dtype.kind == "f":
        t = target
    return CrossEntropy.apply(
        input,
        t,
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
