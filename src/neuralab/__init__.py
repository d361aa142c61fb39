"""neuralab: deep learning from first principles, fast enough to use.

A NumPy tensor library with reverse-mode autograd and PyTorch's names and semantics.
"""

from __future__ import annotations

from neuralab import autograd, backend, functional, io, nn, ops, perceptron
from neuralab.backend import (
    float32,
    float64,
    get_default_dtype,
    get_rng_state,
    int64,
    manual_seed,
    set_default_dtype,
    set_rng_state,
)
from neuralab.creation import (
    arange,
    eye,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from neuralab.function import Function, ShapeError
from neuralab.io import load, save
from neuralab.ops import (
    abs,
    add,
    amax,
    amin,
    cat,
    clamp,
    div,
    erf,
    exp,
    expand,
    flatten,
    gather,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from neuralab.tensor import Tensor, enable_grad, is_grad_enabled, no_grad

bool = backend.bool_
long = int64
float = float32
double = float64

__version__ = "0.1.0"

__all__ = [
    "Function", "ShapeError", "Tensor", "abs", "add", "amax", "amin", "arange", "autograd",
    "backend", "cat", "clamp", "div", "double", "enable_grad", "erf", "exp", "expand", "eye",
    "flatten", "float", "float32", "float64", "full", "functional", "gather",
    "get_default_dtype", "get_rng_state", "int64", "is_grad_enabled", "linspace", "log",
    "log_softmax", "long", "manual_seed", "matmul", "max", "maximum", "mean", "min",
    "minimum", "mul", "neg", "no_grad", "io", "load", "nn", "perceptron", "save", "ones", "ones_like", "ops", "permute", "pow", "rand",
    "rand_like", "randint", "randn", "randn_like", "randperm", "relu", "reshape", "sigmoid",
    "set_default_dtype", "set_rng_state", "softmax", "sqrt", "squeeze", "stack", "std", "sub",
    "sum", "tanh", "tensor", "transpose", "unsqueeze", "var", "where", "zeros", "zeros_like",
]  # fmt: skip
