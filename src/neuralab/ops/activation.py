"""Activation functions and their derivatives, elementwise or along one axis (softmax)."""

from __future__ import annotations

import math
from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function
from neuralab.ops._numba import flat_views, kernels_for
from neuralab.ops.arithmetic import floating
from neuralab.ops.array_cache import cache, empty, empty_like
from neuralab.ops.array_cache import layout as memory_layout
from neuralab.tensor import DTypeError, Tensor

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2 = math.sqrt(2.0)


def erf_array(x: Any) -> Any:
    """The error function erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt, to ~1e-15.

    |x| <= 2: erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))  (30 terms,
    all positive, so no cancellation); |x| > 2: erfc from its continued fraction
    erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))  (40 terms).
    Computed in float64 and returned in x's dtype.
    """
    xp = array_module(x)
    z = xp.asarray(x, dtype="float64")
    out = xp.empty_like(z)
    small = xp.abs(z) <= 2.0
    s = z[small]
    s2 = s * s
    term, total = s.copy(), s.copy()
    for k in range(1, 30):
        term *= 2 * s2 / (2 * k + 1)
        total += term
    out[small] = 2 / _SQRT_PI * xp.exp(-s2) * total
    big = xp.abs(z[~small])
    fraction = big.copy()
    for k in range(40, 0, -1):
        fraction = big + (k / 2) / fraction
    out[~small] = xp.sign(z[~small]) * (1 - xp.exp(-big * big) / (_SQRT_PI * fraction))
    return out.astype(getattr(x, "dtype", "float64"), copy=False)


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0

    Output and gradient come from the array cache (``neuralab.ops.array_cache``): after a
    convolution they are megabytes, and fresh memory costs a page fault per 4 KiB.
    """

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        small = x.nbytes < cache.min_bytes
        y = xp.maximum(x, 0) if small else xp.maximum(x, 0, out=empty_like(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        if y.nbytes < cache.min_bytes:
            return (grad * (y > 0),)
        out = empty_like(grad)
        fast = kernels_for(grad)
        flat = flat_views(grad, y, out) if fast is not None else None
        if flat is not None:  # the same products in one pass (neuralab.ops._numba)
            fast.relu_backward(*flat, grad.dtype.type(1), grad.dtype.type(0))
            return (out,)
        xp = array_module(grad)
        positive = xp.greater(y, 0, out=empty(y.shape, "bool", xp, memory_layout(y)))
        return (xp.multiply(grad, positive, out=out),)


class LeakyReLU(Function):
    """y = x for x > 0, else slope * x;  dy/dx = 1 for x > 0, else slope"""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x > 0)
        ctx.slope = negative_slope
        return array_module(x).where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).where(ctx.saved[0], grad, grad * ctx.slope),)


class Sigmoid(Function):
    """y = 1 / (1 + e^(-x));  dy/dx = y (1 - y)

    Computed as 1/(1+e^-|x|) or e^-|x|/(1+e^-|x|) by sign, so no exp overflows and tiny
    values keep their precision.
    """

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        e = xp.exp(-xp.abs(x))
        y = xp.where(x >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        return (grad * y * (1 - y),)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y^2"""

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        return (grad * (1 - y * y),)


class ELU(Function):
    """y = x for x > 0, else alpha (e^x - 1);  dy/dx = 1 for x > 0, else y + alpha"""

    @staticmethod
    def forward(ctx, x, alpha):
        xp = array_module(x)
        y = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(x > 0, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, grad):
        positive, y = ctx.saved
        return (array_module(grad).where(positive, grad, grad * (y + ctx.alpha)),)


class GELU(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dy/dx = Phi(x) + x phi(x),
    phi(x) = e^(-x^2/2) / sqrt(2 pi).

    approximate='tanh': y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3);
    dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
    """

    @staticmethod
    def forward(ctx, x, approximate):
        xp = array_module(x)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
            return 0.5 * x * (1 + xp.tanh(inner))
        return 0.5 * x * (1 + erf_array(x / _SQRT_2))

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        (x,) = ctx.saved
        if ctx.approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = xp.tanh(k * (x + 0.044715 * x**3))
            slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * (1 + erf_array(x / _SQRT_2))
            slope = cdf + x * xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (grad * slope,)


class Erf(Function):
    """y = erf(x);  dy/dx = 2/sqrt(pi) e^(-x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return (grad * (2 / _SQRT_PI) * array_module(grad).exp(-x * x),)


class Softmax(Function):
    """y_i = e^(x_i - m) / sum_j e^(x_j - m), m = max_j x_j (for stability);
    dL/dx = y * (dL/dy - sum_j dL/dy_j y_j)"""

    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        y = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return (y * (grad - (grad * y).sum(axis=ctx.dim, keepdims=True)),)


class LogSoftmax(Function):
    """y_i = x_i - m - log sum_j e^(x_j - m);  dL/dx = dL/dy - softmax(x) * sum_j dL/dy_j"""

    @staticmethod
    def forward(ctx, x, dim):
        y = log_softmax_array(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        xp = array_module(grad)
        return (grad - xp.exp(y) * grad.sum(axis=ctx.dim, keepdims=True),)


def log_softmax_array(x: Any, dim: int) -> Any:
    """log softmax of an array, stable for logits of any size: x - m - log sum e^(x - m)."""
    xp = array_module(x)
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))


# --- public functions -------------------------------------------------------------------
def relu(x: Tensor) -> Tensor:
    """Rectified linear unit, element-wise: y = max(x, 0); dy/dx = 1 for x > 0, else 0.

    Also ``x.relu()``; ``neuralab.functional.relu`` adds PyTorch's ``inplace`` argument.

    Args:
        x: the input tensor.

    Returns:
        A tensor of the input's shape and dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.0, 0.0, 2.0]).relu()
        tensor([0., 0., 2.])
    """
    return ReLU.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU, element-wise: y = x for x > 0, else negative_slope * x.

    dy/dx = 1 for x > 0, else negative_slope.

    Args:
        x: the input tensor.
        negative_slope: the slope for negative inputs. Defaults to 0.01.

    Returns:
        A tensor of the input's shape.

    Raises:
        DTypeError: if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> nl.ops.leaky_relu(nl.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2,  3. ])
    """
    _float_only(x, "leaky_relu")
    return LeakyReLU.apply(x, negative_slope=negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """Logistic sigmoid, element-wise: y = 1 / (1 + e^(-x)); dy/dx = y (1 - y).

    Computed as 1 / (1 + e^-|x|) or e^-|x| / (1 + e^-|x|) by sign, so no exponential
    overflows. Integer input is promoted to the default float dtype.

    Args:
        x: the input tensor.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.0, 0.0, 1.0]).sigmoid()
        tensor([0.2689, 0.5   , 0.7311])
    """
    return Sigmoid.apply(floating(x))


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent, element-wise: y = tanh(x); dy/dx = 1 - y^2.

    Integer input is promoted to the default float dtype.

    Args:
        x: the input tensor.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.0, 0.0, 1.0]).tanh()
        tensor([-0.7616,  0.    ,  0.7616])
    """
    return Tanh.apply(floating(x))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit, element-wise: y = x for x > 0, else alpha (e^x - 1).

    dy/dx = 1 for x > 0, else y + alpha.

    Args:
        x: the input tensor.
        alpha: -alpha is the limit as x -> -inf. Defaults to 1.0.

    Returns:
        A tensor of the input's shape.

    Raises:
        DTypeError: if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.0, 2.0]).elu()
        tensor([-0.6321,  2.    ])
    """
    _float_only(x, "elu")
    return ELU.apply(x, alpha=alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, element-wise: y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2.

    With ``approximate='tanh'``: y = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).

    Args:
        x: the input tensor.
        approximate: ``'none'`` (exact) or ``'tanh'``. Defaults to ``'none'``.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: if ``approximate`` is neither ``'none'`` nor ``'tanh'``.
        DTypeError: if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([-1.0, 1.0])
        >>> x.gelu(), nl.ops.gelu(x, approximate="tanh")
        (tensor([-0.1587,  0.8413]), tensor([-0.1588,  0.8412]))
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    _float_only(x, "gelu")
    return GELU.apply(x, approximate=approximate)


def erf(x: Tensor) -> Tensor:
    """The error function, element-wise: erf(x) = 2 / sqrt(pi) integral_0^x e^(-t^2) dt.

    dy/dx = 2 / sqrt(pi) e^(-x^2). Accurate to about 1e-15 (computed in float64); integer
    input is promoted to the default float dtype.

    Args:
        x: the input tensor.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.ops.erf(nl.tensor([0.0, 0.5, 3.0]))
        tensor([0.    , 0.5205, 1.    ])
    """
    return Erf.apply(floating(x))


def _float_only(x: Any, op: str) -> None:
    """Refuse an integer or bool tensor where PyTorch has no integer kernel (softmax, elu,
    gelu, leaky_relu: "not implemented for 'Long'"); one dtype test."""
    if isinstance(x, Tensor) and x._data.dtype.kind not in "fc":
        raise DTypeError(
            f"{op}: expected a floating point tensor, got {x.dtype}; convert it with .float()"
        )


def _dim(x: Tensor, dim: int | None, op: str) -> int:
    if dim is None:
        raise TypeError(f"{op}: the 'dim' argument is required")
    ndim = max(x._data.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(f"{op}: dim {dim} out of range for a tensor with {x._data.ndim} dims")
    return dim % ndim if x._data.ndim else None


def softmax(x: Tensor, dim: int | None = None) -> Tensor:
    """Softmax along ``dim``: y_i = e^(x_i) / sum_j e^(x_j), each slice summing to 1.

    Computed stably (the maximum is subtracted first); dL/dx = y (g - sum(g y)).

    Args:
        x: the input tensor.
        dim: the axis to normalize. Defaults to None, which raises: pass it.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``dim`` is None.
        IndexError: if ``dim`` is out of range.
        DTypeError: if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1.0, 2.0, 3.0]]).softmax(dim=1)
        tensor([[0.09  , 0.2447, 0.6652]])
    """
    _float_only(x, "softmax")
    if x._data.size == 0:  # nothing to normalize: an empty result, as in PyTorch
        return x * 1.0
    return Softmax.apply(x, dim=_dim(x, dim, "softmax"))


def log_softmax(x: Tensor, dim: int | None = None) -> Tensor:
    """Log-softmax along ``dim``: y_i = x_i - log sum_j e^(x_j), computed stably.

    Better than ``softmax(x).log()`` for large logits; pair it with ``nll_loss``.

    Args:
        x: the input tensor.
        dim: the axis to normalize. Defaults to None, which raises: pass it.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``dim`` is None.
        IndexError: if ``dim`` is out of range.
        DTypeError: if ``x`` is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1.0, 2.0, 3.0]]).log_softmax(dim=1)
        tensor([[-2.4076, -1.4076, -0.4076]])
        >>> nl.tensor([1000.0, 0.0]).log_softmax(0)
        tensor([    0., -1000.])
    """
    _float_only(x, "log_softmax")
    if x._data.size == 0:
        return x * 1.0
    return LogSoftmax.apply(x, dim=_dim(x, dim, "log_softmax"))
