"""The stateless API, as ``torch.nn.functional``: ``import neuralab.functional as F``."""

from __future__ import annotations

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
from neuralab.ops import (
    elu,
    gelu,
    leaky_relu,
    linear,
    log_softmax,
    pad,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from neuralab.ops.regularization import batch_norm, dropout

__all__ = [
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "huber_loss",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "pad",
    "quantile_loss",
    "relu",
    "sigmoid",
    "smooth_l1_loss",
    "softmax",
    "tanh",
]
