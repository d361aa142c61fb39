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
    """Rectified linear unit, element-wise: y = max(x, 0); dy/dx = 1 for x > 0, else 0.

    Args:
        input: any tensor.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.relu(nl.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """
    return _activation.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Leaky ReLU, element-wise: y = x for x > 0, else negative_slope * x.

    Args:
        input: any tensor.
        negative_slope: the slope for negative inputs. Defaults to 0.01.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.leaky_relu(nl.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2,  3. ])
    """
    return _activation.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit, element-wise: y = x for x > 0, else alpha (e^x - 1).

    Args:
        input: any tensor.
        alpha: -alpha is the limit as x -> -inf. Defaults to 1.0.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.elu(nl.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.    ])
    """
    return _activation.elu(input, alpha)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zeroes each element with probability p and scales the rest by 1/(1-p), in training only.

    y = x m / (1 - p), m ~ Bernoulli(1 - p) element-wise, so E[y] = x; with
    ``training=False``, y = x.

    Args:
        input: any tensor.
        p: the probability of zeroing an element. Defaults to 0.5.
        training: apply dropout (else return the input). Defaults to True.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Raises:
        ValueError: if ``p`` is not in [0, 1].

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> _ = nl.manual_seed(0)
        >>> sorted(set(F.dropout(nl.ones(100), p=0.75).tolist()))
        [0.0, 4.0]
        >>> F.dropout(nl.ones(2), training=False)
        tensor([1., 1.])
    """
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
    """Zeroes whole channels of (N, C, L) or (C, L) input with probability p, scaling the rest.

    y[n, c, :] = x[n, c, :] m[n, c] / (1 - p), m ~ Bernoulli(1 - p); with ``training=False``,
    y = x.

    Args:
        input: a tensor (N, C, L) or (C, L).
        p: the probability of zeroing a channel. Defaults to 0.5.
        training: apply dropout (else return the input). Defaults to True.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Raises:
        ValueError: if ``p`` is not in [0, 1] or the input is not 2-D or 3-D.
        TypeError: if the input is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> _ = nl.manual_seed(0)
        >>> y = F.dropout1d(nl.ones(2, 6, 5))
        >>> all(len(set(row)) == 1 for row in y.reshape(12, 5).tolist())
        True
    """
    _check_dropout("dropout1d", input, p)
    if input.ndim not in (2, 3):
        raise ValueError(
            f"dropout1d: expected 2-D (C, L) or 3-D (N, C, L) input, got shape {input.shape}"
        )
    return _channel_dropout(input, p, training, input.ndim - 1)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zeroes whole channels of (N, C, H, W) input with probability p, scaling the rest.

    y[n, c] = x[n, c] m[n, c] / (1 - p), m ~ Bernoulli(1 - p); with ``training=False``, y = x.
    As PyTorch (2.x), the mask covers the first two axes of any input, so 3-D input is read as
    (N, C, L) and other shapes element-wise, each with PyTorch's warning.

    Args:
        input: a tensor (N, C, H, W).
        p: the probability of zeroing a channel. Defaults to 0.5.
        training: apply dropout (else return the input). Defaults to True.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Raises:
        ValueError: if ``p`` is not in [0, 1] or the input has fewer than 2 axes.
        TypeError: if the input is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> _ = nl.manual_seed(0)
        >>> y = F.dropout2d(nl.ones(1, 4, 2, 2))
        >>> [plane.sum().item() for plane in y[0]]
        [8.0, 0.0, 0.0, 0.0]
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
    """Sigmoid linear unit (swish), element-wise: y = x sigmoid(x).

    Args:
        input: any tensor.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.silu(nl.tensor([-1.0, 1.0]))
        tensor([-0.2689,  0.7311])
    """
    from neuralab.nn.activation import silu as _silu

    return _silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish, element-wise: y = x tanh(softplus(x)) (Misra, 2019).

    Args:
        input: any tensor.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.mish(nl.tensor([-1.0, 1.0]))
        tensor([-0.3034,  0.8651])
    """
    from neuralab.nn.activation import mish as _mish

    return _mish(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus, element-wise: y = log(1 + e^(beta x)) / beta, linear (y = x) where
    beta x > threshold; dy/dx = sigmoid(beta x).

    Args:
        input: any tensor.
        beta: the sharpness. Defaults to 1.0.
        threshold: above ``beta * x > threshold`` the function is the identity. Defaults to 20.0.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.softplus(nl.tensor([0.0, 1.0]), beta=2.0)
        tensor([0.3466, 1.0635])
    """
    from neuralab.nn.activation import softplus as _softplus

    return _softplus(input, beta, threshold)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """Clips element-wise: y = min(max(x, min_val), max_val); dy/dx = 1 strictly inside, else 0.

    Args:
        input: any tensor.
        min_val: the lower bound. Defaults to -1.0.
        max_val: the upper bound. Defaults to 1.0.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.hardtanh(nl.tensor([-3.0, 0.5, 2.0]), -2.0, 1.0)
        tensor([-2. ,  0.5,  1. ])
    """
    from neuralab.nn.activation import hardtanh as _hardtanh

    return _hardtanh(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU capped at 6, element-wise: y = min(max(x, 0), 6).

    Args:
        input: any tensor.
        inplace: accepted for PyTorch compatibility; the result is computed out of place and
            the input keeps its values. Defaults to False.

    Returns:
        A new tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.relu6(nl.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the last len(normalized_shape) axes, then scale and shift.

    mu = mean(x), var = mean((x - mu)^2) (biased) over those axes, per sample;
    y = (x - mu) / sqrt(var + eps) * weight + bias.

    Args:
        input: the tensor to normalize.
        normalized_shape: the sizes of the trailing axes (an int for one).
        weight: the scale, of shape ``normalized_shape``. Defaults to None (no scale).
        bias: the shift, of shape ``normalized_shape``. Defaults to None (no shift).
        eps: added to the variance for numerical stability. Defaults to 1e-5.

    Returns:
        The normalized tensor, of the input's shape.

    Raises:
        ValueError: if the input's trailing shape is not ``normalized_shape``.
        TypeError: if the input is not floating point (``DTypeError``).

    Examples:
        >>> import neuralab as nl
        >>> import neuralab.functional as F
        >>> F.layer_norm(nl.tensor([[0.0, 2.0], [1.0, 5.0]]), (2,))
        tensor([[-1.,  1.],
                [-1.,  1.]])
    """
    from neuralab.nn.normalization import layer_norm as _layer_norm

    return _layer_norm(input, normalized_shape, weight, bias, eps)
