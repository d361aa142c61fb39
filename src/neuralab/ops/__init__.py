"""Differentiable ops, grouped by kind; each module holds one family's backward rules."""

from __future__ import annotations

from neuralab.ops.activation import (
    elu,
    erf,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from neuralab.ops.arithmetic import (
    abs,
    add,
    cast,
    clamp,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sqrt,
    sub,
    where,
)
from neuralab.ops.conv import conv2d
from neuralab.ops.fused import cross_entropy, linear
from neuralab.ops.linalg import matmul
from neuralab.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from neuralab.ops.reduction import amax, amin, gather, max, mean, min, std, sum, var
from neuralab.ops.shape import (
    cat,
    clone,
    contiguous,
    expand,
    flatten,
    getitem,
    pad,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)

# Functions that are also Tensor methods: x.sum(dim), x.exp(), x.reshape(2, 3), ...
TENSOR_METHODS = (
    abs, add, amax, amin, clamp, clone, contiguous, div, elu, exp, expand, flatten, gather, gelu,
    log, log_softmax, matmul, max, maximum, mean, min, minimum, mul, permute, pow, relu,
    reshape, sigmoid, softmax, sqrt, squeeze, std, sub, sum, tanh, transpose, unsqueeze, var,
)  # fmt: skip


def bind_tensor_methods(cls: type) -> None:
    """Attach the ops above as methods of Tensor (called once by neuralab.tensor)."""
    for fn in TENSOR_METHODS:
        setattr(cls, fn.__name__, fn)
    cls.view = reshape
    cls.clip = clamp


__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "conv2d", "max_pool2d",
    "abs", "add", "amax", "amin", "cast", "cat", "clamp", "clone", "contiguous", "cross_entropy",
    "div", "elu",
    "erf", "exp", "expand", "flatten", "gather", "gelu", "getitem", "leaky_relu", "linear",
    "log", "log_softmax", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg",
    "pad", "permute", "pow", "relu", "reshape", "sigmoid", "softmax", "sqrt", "squeeze",
    "stack", "std", "sub", "sum", "tanh", "transpose", "unsqueeze", "var", "where",
]  # fmt: skip
