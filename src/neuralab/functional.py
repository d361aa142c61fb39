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
from neuralab.ops.conv import conv2d
from neuralab.ops.embedding import embedding
from neuralab.ops.encoding import one_hot
from neuralab.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from neuralab.ops.regularization import batch_norm, dropout

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
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
