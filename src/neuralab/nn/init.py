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
    """Returns the recommended gain for a nonlinearity (the factor that keeps activations' scale).

    | nonlinearity | gain |
    | --- | --- |
    | linear, conv{1,2,3}d, conv_transpose{1,2,3}d, sigmoid | 1 |
    | tanh | 5/3 |
    | relu | sqrt(2) |
    | leaky_relu | sqrt(2 / (1 + negative_slope^2)), negative_slope = param or 0.01 |
    | selu | 3/4 |

    Args:
        nonlinearity: the name, as in the table.
        param: the negative slope for ``'leaky_relu'``. Defaults to None (0.01).

    Returns:
        The gain.

    Raises:
        ValueError: if ``nonlinearity`` is unknown or ``param`` is not a number.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.init.calculate_gain("tanh"), nl.nn.init.calculate_gain("relu")
        (1.6666666666666667, 1.4142135623730951)
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
    """Fills ``tensor`` in place with ``val``: w = val.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        val: the value.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.init.constant_(nl.empty(3), 0.5)
        tensor([0.5, 0.5, 0.5])
    """
    _array(tensor, "constant_")
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` in place with ones: w = 1.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.init.ones_(nl.empty(2, 2))
        tensor([[1., 1.],
                [1., 1.]])
    """
    _array(tensor, "ones_")
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` in place with zeros: w = 0.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> layer = nl.nn.Linear(3, 2)
        >>> nl.nn.init.zeros_(layer.bias)
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """
    _array(tensor, "zeros_")
    return _write(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fills a 2-D tensor in place with the identity: w_ij = 1 if i == j else 0.

    It keeps a Linear layer's input unchanged where it can.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor.
        ValueError: if ``tensor`` is not 2-D.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.init.eye_(nl.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    data = _array(tensor, "eye_")
    if data.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got {data.ndim}")
    return _write(tensor, numpy.eye(*data.shape))


# --- random fills -----------------------------------------------------------------------
def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Fills ``tensor`` in place with w ~ U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        a: the lower bound. Defaults to 0.0.
        b: the upper bound. Defaults to 1.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if a > b.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> w = nl.nn.init.uniform_(nl.empty(1000), -1.0, 1.0)
        >>> -1 <= w.min().item() and w.max().item() <= 1, round(w.mean().item(), 1)
        (True, 0.0)
    """
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
    """Fills ``tensor`` in place with w ~ N(mean, std^2).

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        mean: the mean. Defaults to 0.0.
        std: the standard deviation, non-negative. Defaults to 1.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if std < 0.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> w = nl.nn.init.normal_(nl.empty(10000), mean=2.0, std=0.5)
        >>> round(w.mean().item(), 1), round(w.std().item(), 1)
        (2.0, 0.5)
    """
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
    """Fills ``tensor`` in place with N(mean, std^2) truncated to [a, b], by rejection sampling.

    The density is proportional to the normal's on [a, b] and zero outside. With
    alpha = (a - mean) / std, beta = (b - mean) / std and Z = Phi(beta) - Phi(alpha), the mean
    is mean + std (phi(alpha) - phi(beta)) / Z. When Z > 0.3, normal draws outside [a, b] are
    redrawn; otherwise proposals x ~ U(a, b) are accepted with probability
    exp(-(x - mean)^2 / (2 std^2)) / peak, which stays efficient far in a tail.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        mean: the mean of the normal. Defaults to 0.0.
        std: the standard deviation of the normal, positive. Defaults to 1.0.
        a: the lower cut. Defaults to -2.0.
        b: the upper cut. Defaults to 2.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if std <= 0 or a >= b.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> w = nl.nn.init.trunc_normal_(nl.empty(1000), std=1.0, a=-0.5, b=0.5)
        >>> w.min().item() >= -0.5 and w.max().item() <= 0.5
        True
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
    """Glorot uniform init: w ~ U(-bound, bound), bound = gain sqrt(6 / (fan_in + fan_out)).

    So Var(w) = gain^2 2 / (fan_in + fan_out) (Glorot and Bengio, 2010). For a weight of
    shape (out, in, *kernel), fan_in = in prod(kernel) and fan_out = out prod(kernel).

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        gain: the scale, e.g. ``calculate_gain('tanh')``. Defaults to 1.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if ``tensor`` has fewer than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.init.xavier_uniform_(nl.empty(20, 30))
        >>> bool(w.abs().max().item() <= (6 / (20 + 30)) ** 0.5)
        True
    """
    _array(tensor, "xavier_uniform_", floating=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Glorot normal init: w ~ N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)).

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        gain: the scale. Defaults to 1.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if ``tensor`` has fewer than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> w = nl.nn.init.xavier_normal_(nl.empty(200, 300))
        >>> round(w.std().item(), 3), round((2 / (200 + 300)) ** 0.5, 3)
        (0.063, 0.063)
    """
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
    """He uniform init: w ~ U(-bound, bound), bound = gain sqrt(3 / fan), so Var(w) = gain^2 / fan.

    ``fan`` is fan_in (``mode='fan_in'``, keeps the forward activations' variance) or fan_out
    (``'fan_out'``, keeps the backward gradients'); gain = ``calculate_gain(nonlinearity, a)``
    (He et al., 2015). A zero-element tensor is left as it is, with a warning, as in PyTorch.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        a: the negative slope of the leaky ReLU that follows (for the gain). Defaults to 0.
        mode: ``'fan_in'`` or ``'fan_out'``. Defaults to ``'fan_in'``.
        nonlinearity: the name for ``calculate_gain``. Defaults to ``'leaky_relu'``.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if ``mode`` or ``nonlinearity`` is unknown, or ``tensor`` has fewer
            than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.init.kaiming_uniform_(nl.empty(64, 100), nonlinearity="relu")
        >>> bool(w.abs().max().item() <= 2 ** 0.5 * (3 / 100) ** 0.5)
        True
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
    """He normal init: w ~ N(0, std^2), std = gain / sqrt(fan) (see ``kaiming_uniform_``).

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        a: the negative slope of the leaky ReLU that follows (for the gain). Defaults to 0.
        mode: ``'fan_in'`` or ``'fan_out'``. Defaults to ``'fan_in'``.
        nonlinearity: the name for ``calculate_gain``. Defaults to ``'leaky_relu'``.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if ``mode`` or ``nonlinearity`` is unknown, or ``tensor`` has fewer
            than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> w = nl.nn.init.kaiming_normal_(nl.empty(256, 200), mode="fan_in", nonlinearity="relu")
        >>> round(w.std().item(), 2), round((2 / 200) ** 0.5, 2)
        (0.1, 0.1)
    """
    _array(tensor, "kaiming_normal_", floating=True)
    gain = calculate_gain(nonlinearity, a)
    _check_mode(mode)
    if _is_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, gain / math.sqrt(fan), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fills ``tensor`` in place with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The tensor is flattened to rows x cols; Q of the QR decomposition of a standard normal
    matrix (of its transpose when rows < cols), with signs fixed by diag(R) so that Q is
    uniformly distributed; then W W^T = gain^2 I (rows <= cols) or W^T W = gain^2 I.

    Args:
        tensor: the tensor to fill in place (e.g. a layer's weight).
        gain: the scale. Defaults to 1.0.
        generator: the random stream: a ``neuralab.Generator``, a NumPy Generator, or None
            for the global one (``neuralab.manual_seed``). Defaults to None.

    Returns:
        ``tensor``, filled.

    Raises:
        TypeError: if ``tensor`` is not a Tensor (of a floating dtype).
        ValueError: if ``tensor`` has fewer than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.init.orthogonal_(nl.empty(3, 5))
        >>> nl.allclose(w @ w.T, nl.eye(3), atol=1e-5)
        True
    """
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
