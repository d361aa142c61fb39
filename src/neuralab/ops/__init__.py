"""Differentiable ops, grouped by kind; each module holds one family's backward rules."""

from __future__ import annotations

from typing import Any

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
    floor_divide,
    fmod,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    remainder,
    sqrt,
    sub,
    where,
)
from neuralab.ops.comparison import (
    all,
    allclose,
    any,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    ne,
    nonzero,
    not_equal,
)
from neuralab.ops.conv import conv2d, conv_transpose2d
from neuralab.ops.einsum import einsum
from neuralab.ops.encoding import one_hot
from neuralab.ops.factory import new_empty, new_full, new_ones, new_tensor, new_zeros
from neuralab.ops.fused import cross_entropy, linear
from neuralab.ops.linalg import bmm, dot, ger, matmul, mm, outer, trace
from neuralab.ops.math import (
    arctan,
    atan,
    ceil,
    cos,
    cosh,
    expm1,
    fix,
    floor,
    isfinite,
    isinf,
    isnan,
    log1p,
    log2,
    log10,
    reciprocal,
    round,
    rsqrt,
    sign,
    sin,
    sinh,
    square,
    tan,
    trunc,
)
from neuralab.ops.norm import norm
from neuralab.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from neuralab.ops.reduction import (
    amax,
    amin,
    argmax,
    argmin,
    cumsum,
    gather,
    max,
    mean,
    min,
    prod,
    scatter,
    scatter_places,
    std,
    sum,
    var,
)
from neuralab.ops.sampling import multinomial
from neuralab.ops.selection import index_select, take, take_along_dim
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
from neuralab.ops.sorting import argsort, msort, sort, topk
from neuralab.ops.views import (
    chunk,
    expand_as,
    flip,
    fliplr,
    flipud,
    meshgrid,
    narrow,
    pixel_shuffle,
    pixel_unshuffle,
    repeat,
    reshape_as,
    roll,
    split,
    t,
    tile,
    tril,
    triu,
    unbind,
    view_as,
)

# Functions that are also Tensor methods: x.sum(dim), x.exp(), x.reshape(2, 3), ...
TENSOR_METHODS = (
    abs, add, amax, amin, clamp, clone, contiguous, div, elu, exp, expand, flatten, gather, gelu,
    log, log_softmax, matmul, max, maximum, mean, min, minimum, mul, permute, pow, relu,
    reshape, sigmoid, softmax, sqrt, squeeze, std, sub, sum, tanh, transpose, unsqueeze, var,
    # math
    atan, ceil, cos, cosh, expm1, floor, isfinite, isinf, isnan, log1p, log2, log10, neg,
    reciprocal, round, rsqrt, sign, sin, sinh, square, tan, trunc,
    # comparisons and logic
    all, allclose, any, eq, equal, ge, gt, isclose, le, lt, masked_fill, ne, nonzero,
    bitwise_and, bitwise_not, bitwise_or, bitwise_xor, logical_and, logical_not, logical_or,
    logical_xor, remainder, fmod, floor_divide,
    # reductions, sorting, sampling
    argmax, argmin, argsort, cumsum, msort, multinomial, norm, prod, scatter, sort, topk,
    index_select, take, take_along_dim,
    # shape
    chunk, expand_as, flip, fliplr, flipud, narrow, repeat, reshape_as, roll, split, t, tile,
    tril, triu, unbind, view_as,
    # products
    bmm, dot, mm, outer, trace,
    # tensors like this one
    new_empty, new_full, new_ones, new_tensor, new_zeros,
)  # fmt: skip


def _reflected(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


OPERATORS = {
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__and__": bitwise_and, "__rand__": _reflected(bitwise_and),
    "__or__": bitwise_or, "__ror__": _reflected(bitwise_or),
    "__xor__": bitwise_xor, "__rxor__": _reflected(bitwise_xor),
    "__invert__": bitwise_not,
}  # fmt: skip


def _where_method(self: Any, condition: Any, other: Any) -> Any:
    """``x.where(condition, y)`` is ``where(condition, x, y)``."""
    return where(condition, self, other)


# Tensor methods under a second name (PyTorch's aliases).
METHOD_ALIASES = {
    "where": _where_method,
    "view": reshape, "clip": clamp, "arctan": atan, "fix": trunc, "negative": neg,
    "greater": gt, "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne,
    "ger": outer,
}  # fmt: skip


def bind_tensor_methods(cls: type) -> None:
    """Attach the ops above as methods of Tensor (called once by neuralab.tensor)."""
    for fn in TENSOR_METHODS:
        setattr(cls, fn.__name__, fn)
    for name, fn in {**METHOD_ALIASES, **OPERATORS}.items():
        setattr(cls, name, fn)


__all__ = [
    "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "floor_divide", "fmod", "trace",
    "logical_and", "logical_not", "logical_or", "logical_xor", "remainder",
    "all", "allclose", "any", "arctan", "argmax", "argmin", "argsort", "atan", "bmm", "ceil",
    "chunk", "cos", "cosh", "cumsum", "dot", "einsum", "eq", "equal", "expand_as", "expm1",
    "fix", "flip", "fliplr", "flipud", "floor", "ge", "ger", "greater", "greater_equal", "gt",
    "isclose", "isfinite", "isinf", "isnan", "le", "less", "less_equal", "log10", "log1p",
    "log2", "lt", "masked_fill", "meshgrid", "mm", "msort", "multinomial", "narrow", "ne",
    "new_empty", "new_full", "new_ones", "new_tensor", "new_zeros", "norm", "not_equal",
    "one_hot", "outer", "prod", "reciprocal", "repeat", "reshape_as", "roll", "round", "rsqrt",
    "sign", "sin", "sinh", "sort", "split", "square", "t", "tan", "tile", "topk", "tril",
    "triu", "trunc", "unbind", "view_as",
    "adaptive_avg_pool2d", "avg_pool2d", "conv2d", "conv_transpose2d", "max_pool2d",
    "pixel_shuffle", "pixel_unshuffle",
    "abs", "add", "amax", "amin", "cast", "cat", "clamp", "clone", "contiguous", "cross_entropy",
    "div", "elu",
    "erf", "exp", "expand", "flatten", "gather", "gelu", "getitem", "leaky_relu", "linear",
    "log", "log_softmax", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg",
    "pad", "permute", "pow", "relu", "reshape", "sigmoid", "softmax", "sqrt", "squeeze",
    "stack", "std", "sub", "sum", "tanh", "transpose", "unsqueeze", "var", "where",
    "nonzero", "scatter", "scatter_places", "index_select", "take", "take_along_dim",
]  # fmt: skip
