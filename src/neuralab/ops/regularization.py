"""Dropout and batch normalization as fused ops (forward and backward in a few array calls)."""

from __future__ import annotations

from neuralab.backend import array_module, generator
from neuralab.function import Function
from neuralab.ops.indexing import dtype_mismatch
from neuralab.tensor import DTypeError, Tensor


class Dropout(Function):
    """y = x * m / (1 - p), m_i ~ Bernoulli(1 - p);  dy/dx = m / (1 - p)"""

    @staticmethod
    def forward(ctx, x, p):
        keep = generator().random(x.shape, dtype="float32") >= p
        scale = keep * x.dtype.type(1 / (1 - p))
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.saved[0],)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zeroes each element with probability p and scales the rest by 1/(1-p), in training only.

    y = x m / (1 - p), m ~ Bernoulli(1 - p); dL/dx = g m / (1 - p). The identity when
    ``training`` is False or p = 0.

    Args:
        x: the input.
        p: the probability of zeroing an element. Defaults to 0.5.
        training: apply dropout. Defaults to True.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: if ``p`` is not in [0, 1].
        DTypeError: in training with p > 0, if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.ops.regularization import dropout
        >>> dropout(nl.ones(3), p=1.0)
        tensor([0., 0., 0.])
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability must be between 0 and 1, got {p}")
    if training and p > 0.0 and x._data.dtype.kind not in "fc":
        raise DTypeError(
            f"dropout: expected a floating point input, got {x.dtype} (the kept elements are "
            "scaled by 1/(1-p))"
        )
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return Dropout.apply(x, p=p)


class BatchNorm(Function):
    """Normalize each channel c (axis 1) over the other axes, then scale and shift:

    x^ = (x - mu_c) / sqrt(var_c + eps),  y = gamma_c x^ + beta_c
    training (mu, var from the batch, var biased), with n values per channel:
      dL/dx = (gamma / sqrt(var + eps)) / n * (n g - sum g - x^ sum(g x^))
    evaluation (mu, var given):  dL/dx = g gamma / sqrt(var + eps)
    dL/dgamma = sum g x^,  dL/dbeta = sum g
    """

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, eps, batch_stats, stats):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        xp = array_module(x)
        if batch_stats:
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = (centered * centered).mean(axis=axes, keepdims=True)
        else:
            mean, var = mean.reshape(shape), var.reshape(shape)
            centered = x - mean
        inv_std = 1 / xp.sqrt(var + eps)
        x_hat = centered * inv_std
        ctx.axes, ctx.shape, ctx.batch_stats = axes, shape, batch_stats
        ctx.save_for_backward(x_hat, inv_std, weight)
        stats["mean"], stats["var"] = mean, var
        y = x_hat if weight is None else x_hat * weight.reshape(shape)
        return y if bias is None else y + bias.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.saved
        axes, shape = ctx.axes, ctx.shape
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        g_hat = grad if weight is None else grad * weight.reshape(shape)
        grad_x = None
        if need_x:
            if ctx.batch_stats:
                n = x_hat.size // x_hat.shape[1]
                sum_g = g_hat.sum(axis=axes, keepdims=True)
                sum_gx = (g_hat * x_hat).sum(axis=axes, keepdims=True)
                grad_x = (inv_std / n) * (n * g_hat - sum_g - x_hat * sum_gx)
            else:
                grad_x = g_hat * inv_std
        grad_w = (grad * x_hat).sum(axis=axes) if need_w else None
        grad_b = grad.sum(axis=axes) if need_b else None
        return grad_x, grad_w, grad_b, None, None


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over axis 1, as ``torch.nn.functional.batch_norm``.

    x^ = (x - mu_c) / sqrt(var_c + eps), y = weight_c x^ + bias_c for each channel c. In
    training mu and var (biased) come from the batch (over every axis but 1), and the running
    statistics (when given) are updated in place: r <- (1 - momentum) r + momentum s, with
    the unbiased batch variance var n / (n - 1). In evaluation the running statistics are used.

    Args:
        input: (N, C) or (N, C, *).
        running_mean: the running mean (C,), or None.
        running_var: the running variance (C,), or None.
        weight: the scale (C,). Defaults to None (1).
        bias: the shift (C,). Defaults to None (0).
        training: use (and update) batch statistics. Defaults to False.
        momentum: the weight of the batch in the running update; None, as the modules pass
            it, is the cumulative average (the caller passes 1 / batches seen). Defaults to 0.1.
        eps: added to the variance. Defaults to 1e-5.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: if the shapes do not fit, or running statistics are missing in
            evaluation.
        DTypeError: if the input is not floating point or the dtypes differ (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 10.0], [3.0, 30.0]])
        >>> mean, var = nl.zeros(2), nl.ones(2)
        >>> nl.functional.batch_norm(x, mean, var, training=True)
        tensor([[-1., -1.],
                [ 1.,  1.]])
        >>> mean, var
        (tensor([0.2, 2. ]), tensor([ 1.1, 20.9]))
    """
    x = input._data
    if x.ndim < 2:
        raise ValueError(
            f"batch_norm: expected input with at least 2 dims (N, C, ...), got {x.shape}"
        )
    channels = x.shape[1]
    if x.dtype.kind != "f":
        raise DTypeError(f"batch_norm: expected a floating point input, got {x.dtype}")
    for param in (weight, bias, running_mean, running_var):
        if param is not None and param.dtype != x.dtype:
            raise dtype_mismatch(
                "batch_norm", x, ("weight", weight), ("bias", bias),
                ("running_mean", running_mean), ("running_var", running_var),
            )  # fmt: skip
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):  # fmt: skip
        if t is not None and t.shape != (channels,):
            raise ValueError(
                f"batch_norm: {name} must have shape ({channels},) for input {x.shape}, "
                f"got {t.shape}"
            )
    batch_stats = training or running_mean is None
    n = x.size // channels
    if batch_stats and n <= 1:
        raise ValueError(
            f"batch_norm: expected more than 1 value per channel when training, got input {x.shape}"
        )
    stats: dict = {}
    out = BatchNorm.apply(
        input,
        weight,
        bias,
        None if running_mean is None else running_mean._data,
        None if running_var is None else running_var._data,
        eps=eps,
        batch_stats=batch_stats,
        stats=stats,
    )
    if training and running_mean is not None:
        running_mean._data *= 1 - momentum
        running_mean._data += momentum * stats["mean"].reshape(-1)
    if training and running_var is not None:
        running_var._data *= 1 - momentum
        running_var._data += momentum * stats["var"].reshape(-1) * (n / (n - 1))
    return out
