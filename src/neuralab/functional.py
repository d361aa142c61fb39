"""The stateless API, as ``torch.nn.functional``: ``import neuralab.functional as F``."""

from __future__ import annotations

from neuralab.ops import (
    cross_entropy,
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

__all__ = [
    "cross_entropy",
    "elu",
    "gelu",
    "leaky_relu",
    "linear",
    "log_softmax",
    "pad",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
