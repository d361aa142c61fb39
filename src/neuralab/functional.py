"""The stateless API, as ``torch.nn.functional``: ``import neuralab.functional as F``."""

from __future__ import annotations

import warnings
from typing import Any

from neuralab.backend import array_module, generator
from neuralab.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    quantile_loss,
    smooth_l1_loss,
)
from neuralab.ops import activation as _activation
from neuralab.ops import (
    gelu,
    linear,
    log_softmax,
    pad,
    sigmoid,
    softmax,
    tanh,
)
from neuralab.ops import regularization as _regularization
from neuralab.ops.conv import conv2d, conv_transpose2d
from neuralab.ops.embedding import embedding
from neuralab.ops.encoding import one_hot
from neuralab.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from neuralab.ops.regularization import batch_norm
from neuralab.ops.views import pixel_shuffle, pixel_unshuffle
from neuralab.tensor import Tensor

__all__ = [
    "hardtanh",
    "layer_norm",
    "mish",
    "relu6",
    "silu",
    "softplus",
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "conv_transpose2d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "cross_entropy",
    "dropout",
    "dropout1d",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "huber_loss",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "quantile_loss",
    "relu",
    "sigmoid",
    "smooth_l1_loss",
    "softmax",
    "tanh",
]


# --- PyTorch's inplace= ------------------------------------------------------------------
# neuralab never changes an input in place: inplace=True is accepted and gives the same
# result, computed out of place (the input keeps its values).


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = max(x, 0)"""
    return _activation.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """y = x for x > 0, else negative_slope * x"""
    return _activation.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """y = x for x > 0, else alpha (e^x - 1)"""
    return _activation.elu(input, alpha)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    return _regularization.dropout(input, p, training)


# --- channel dropout ----------------------------------------------------------------------
def _channel_dropout(input: Tensor, p: float, training: bool, lead: int) -> Tensor:
    """y = x * m / (1 - p) with one m ~ Bernoulli(1 - p) for each index of the first ``lead``
    axes, shared by every position behind them (PyTorch's feature dropout)."""
    if not training or p == 0.0:
        return input
    data = input._data
    if p == 1.0:
        return input * data.dtype.type(0)
    shape = data.shape[:lead] + (1,) * (data.ndim - lead)
    keep = generator().random(shape) >= p
    mask = (keep * (1 / (1 - p))).astype(data.dtype)
    return input * Tensor._from_array(array_module(data).asarray(mask))


def _check_dropout(who: str, input: Any, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{who}: dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: expected a Tensor input, got {type(input).__name__}")


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scaling the rest
    by 1/(1-p): y[n, c, :] = x[n, c, :] m[n, c] / (1 - p), m ~ Bernoulli(1 - p)."""
    _check_dropout("dropout1d", input, p)
    if input.ndim not in (2, 3):
        raise ValueError(
            f"dropout1d: expected 2-D (C, L) or 3-D (N, C, L) input, got shape {input.shape}"
        )
    return _channel_dropout(input, p, training, input.ndim - 1)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability p, scaling the rest by
    1/(1-p): y[n, c] = x[n, c] m[n, c] / (1 - p), m ~ Bernoulli(1 - p).

    As PyTorch (2.x): the mask covers the first two axes of any input, so 3-D input is read
    as (N, C, L) and 2-D input as (N, C) (element-wise dropout), each with PyTorch's warning.
    """
    _check_dropout("dropout2d", input, p)
    if input.ndim < 2:
        raise ValueError(f"dropout2d: expected 4-D (N, C, H, W) input, got shape {input.shape}")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated; "
            "use dropout for element-wise dropout (dropout2d is for 4-D (N, C, H, W) input)",
            stacklevel=2,
        )
    elif input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), as "
            "PyTorch does; use dropout1d to say so",
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, 2)


def __getattr__(name: str) -> Any:
    """A ``torch.nn.functional`` name neuralab lacks raises NotImplementedError naming it."""
    from neuralab.torch_names import TORCH_NN_FUNCTIONAL
    from neuralab.unsupported import missing

    raise missing(name, "torch.nn.functional", TORCH_NN_FUNCTIONAL)


# --- activations and layer norm that live beside their modules in neuralab.nn ----------
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x sigmoid(x) (out of place whatever ``inplace`` says)."""
    from neuralab.nn.activation import silu as _silu

    return _silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x tanh(softplus(x))."""
    from neuralab.nn.activation import mish as _mish

    return _mish(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = log(1 + e^(beta x)) / beta, linear where beta x > threshold."""
    from neuralab.nn.activation import softplus as _softplus

    return _softplus(input, beta, threshold)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """y = min(max(x, min_val), max_val)."""
    from neuralab.nn.activation import hardtanh as _hardtanh

    return _hardtanh(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """y = min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the last dimensions."""
    from neuralab.nn.normalization import layer_norm as _layer_norm

    return _layer_norm(input, normalized_shape, weight, bias, eps)
