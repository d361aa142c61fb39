"""Weight initialization, as ``torch.nn.init``.

Every initializer fills ``tensor.data`` in place (no graph is recorded, the array keeps
its dtype and its memory, so a Parameter stays the same object) and returns the tensor.
Random numbers come from ``neuralab.backend.generator()`` unless a NumPy ``Generator``
is passed, so ``neuralab.manual_seed(n)`` makes them reproducible. They are drawn in
float64 and rounded to the tensor's dtype: one seed gives the same values, up to
rounding, in float32 and float64.

The variance-preserving schemes scale by the fans of a weight of shape
``(out, in, *kernel)``: fan_in = in * prod(kernel), fan_out = out * prod(kernel).

- Xavier/Glorot (2010), for tanh/sigmoid: Var(w) = gain^2 * 2 / (fan_in + fan_out).
- Kaiming/He (2015), for ReLU: Var(w) = gain^2 / fan, fan = fan_in or fan_out.

A uniform U(-bound, bound) has variance bound^2 / 3, so bound = sqrt(3) * std.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy

from neuralab import backend
from neuralab.tensor import Tensor

__all__ = [
    "calculate_gain", "constant_", "eye_", "kaiming_normal_", "kaiming_uniform_", "normal_",
    "ones_", "orthogonal_", "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_",
    "zeros_",
]  # fmt: skip

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
_NONLINEARITIES = (*_LINEAR, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
_MODES = ("fan_in", "fan_out")


# --- helpers ----------------------------------------------------------------------------
def _array(tensor: Any, name: str, floating: bool = False) -> Any:
    """The array of ``tensor``, after checking it is a Tensor (of floating dtype)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")
    if floating and tensor._data.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, got {tensor._data.dtype}")
    return tensor._data


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` into ``tensor.data`` in place (cast to its dtype), return the tensor."""
    data = tensor._data
    xp = backend.array_module(data)
    data[...] = values if xp is numpy else xp.asarray(values)
    return tensor


def _rng(generator: Any) -> numpy.random.Generator:
    """The stream to draw from: a neuralab.Generator, a NumPy Generator, or the global one."""
    return backend.generator(generator, "nn.init")


def _is_empty(tensor: Tensor) -> bool:
    """PyTorch's rule: Kaiming initialization of a zero-element tensor warns and does nothing."""
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


# --- gains and fans ---------------------------------------------------------------------
def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (the factor that keeps activations' scale).

    ==================================  ==============================
    nonlinearity                        gain
    ==================================  ==============================
    linear, conv{1,2,3}d,               1
    conv_transpose{1,2,3}d, sigmoid
    tanh                                5/3
    relu                                sqrt(2)
    leaky_relu                          sqrt(2 / (1 + negative_slope^2)),
                                        negative_slope = param or 0.01
    selu                                3/4
    ==================================  ==============================
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"Unsupported nonlinearity {nonlinearity!r}; expected one of {', '.join(_NONLINEARITIES)}"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel):

    fan_in = size(1) * receptive_field,  fan_out = size(0) * receptive_field,
    receptive_field = prod(kernel) (1 for a 2-D weight).
    """
    shape = _array(tensor, "_calculate_fan_in_and_fan_out").shape
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _check_mode(mode: str) -> str:
    mode = mode.lower() if isinstance(mode, str) else mode
    if mode not in _MODES:
        raise ValueError(f"Mode {mode!r} not supported, please use one of {list(_MODES)}")
    return mode


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """fan_in or fan_out, as ``mode`` says."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if _check_mode(mode) == "fan_in" else fan_out


# --- constant fills ---------------------------------------------------------------------
def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``: w = val."""
    _array(tensor, "constant_")
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones: w = 1."""
    _array(tensor, "ones_")
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros: w = 0."""
    _array(tensor, "zeros_")
    return _write(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity: w_ij = 1 if i == j else 0 (keeps a Linear
    layer's input unchanged where it can)."""
    data = _array(tensor, "eye_")
    if data.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got {data.ndim}")
    return _write(tensor, numpy.eye(*data.shape))


# --- random fills -----------------------------------------------------------------------
def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Fill with w ~ U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12."""
    data = _array(tensor, "uniform_", floating=True)
    if a > b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    return _write(tensor, _rng(generator).uniform(a, b, size=data.shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """Fill with w ~ N(mean, std^2)."""
    data = _array(tensor, "normal_", floating=True)
    if std < 0:
        raise ValueError(f"normal_: expected std >= 0, got {std}")
    return _write(tensor, _rng(generator).normal(mean, std, size=data.shape))


def _norm_cdf(x: float) -> float:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal CDF."""
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (density proportional to the normal's
    on [a, b], zero outside), by rejection sampling.

    With alpha = (a - mean) / std, beta = (b - mean) / std and Z = Phi(beta) - Phi(alpha),
    the mean is mean + std (phi(alpha) - phi(beta)) / Z. When Z > 0.3, normal draws
    outside [a, b] are redrawn; otherwise proposals x ~ U(a, b) are accepted with
    probability exp(-(x - mean)^2 / (2 std^2)) / peak, which stays efficient for
    intervals far in a tail.
    """
    data = _array(tensor, "trunc_normal_", floating=True)
    if std <= 0 or a >= b:
        raise ValueError(f"trunc_normal_: expected std > 0 and a < b, got std={std}, [{a}, {b}]")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    rng = _rng(generator)
    n = data.size
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        out = rng.normal(mean, std, size=n)
        pending = (out < a) | (out > b)
        while pending.any():
            out[pending] = rng.normal(mean, std, size=int(pending.sum()))
            pending = (out < a) | (out > b)
    else:
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        out = numpy.empty(n)
        pending = numpy.ones(n, dtype=bool)
        while pending.any():
            k = int(pending.sum())
            x = rng.uniform(a, b, size=k)
            log_accept = -0.5 * ((x - mean) / std) ** 2 - log_peak
            accepted = numpy.log(rng.random(k)) <= log_accept
            index = numpy.flatnonzero(pending)[accepted]
            out[index] = x[accepted]
            pending[index] = False
    return _write(tensor, out.reshape(data.shape))


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Glorot uniform: w ~ U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)),
    so Var(w) = gain^2 * 2 / (fan_in + fan_out)."""
    _array(tensor, "xavier_uniform_", floating=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Glorot normal: w ~ N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    _array(tensor, "xavier_normal_", floating=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """He uniform: w ~ U(-bound, bound), bound = gain * sqrt(3 / fan), so Var(w) = gain^2 / fan.

    ``fan`` is fan_in (``mode='fan_in'``, keeps the forward activations' variance) or
    fan_out (``'fan_out'``, keeps the backward gradients'); gain =
    ``calculate_gain(nonlinearity, a)``, ``a`` the negative slope of a leaky ReLU.
    A zero-element tensor is left as it is, with a warning, as in PyTorch.
    """
    _array(tensor, "kaiming_uniform_", floating=True)
    gain = calculate_gain(nonlinearity, a)
    _check_mode(mode)
    if _is_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """He normal: w ~ N(0, std^2), std = gain / sqrt(fan) (see ``kaiming_uniform_``)."""
    _array(tensor, "kaiming_normal_", floating=True)
    gain = calculate_gain(nonlinearity, a)
    _check_mode(mode)
    if _is_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, gain / math.sqrt(fan), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013): flatten to
    rows x cols, take Q of the QR decomposition of a standard normal matrix (of its
    transpose when rows < cols), with signs fixed by diag(R) so Q is uniformly
    distributed; then W W^T = gain^2 I (rows <= cols) or W^T W = gain^2 I."""
    data = _array(tensor, "orthogonal_", floating=True)
    if data.ndim < 2:
        raise ValueError("orthogonal_: only tensors with 2 or more dimensions are supported")
    if data.size == 0:
        return tensor
    rows = data.shape[0]
    cols = data.size // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = numpy.linalg.qr(flat)
    q *= numpy.sign(numpy.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, gain * q.reshape(data.shape))


def _deprecated(old: str, new: Any, where: str) -> Any:
    """PyTorch's old name for ``new`` (``init.orthogonal`` for ``init.orthogonal_``): the
    same function, with PyTorch's FutureWarning."""
    import functools
    import warnings

    @functools.wraps(new)
    def old_name(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{where}.{old} is now deprecated in favor of {where}.{new.__name__}.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    old_name.__name__ = old
    return old_name


def __getattr__(name: str) -> Any:
    from neuralab.torch_names import TORCH_NN_INIT
    from neuralab.unsupported import missing

    new = globals().get(name + "_")
    if name in TORCH_NN_INIT and callable(new):
        return _deprecated(name, new, "torch.nn.init")
    raise missing(name, "torch.nn.init", TORCH_NN_INIT)
