"""Keras 3's activation functions over neuralab Tensors: ``keras.activations``.

Each function takes a Tensor (or anything ``numpy.asarray`` takes) and returns a Tensor in
the autograd graph, composed from neuralab's ops and functional API, with Keras's
defaults (``leaky_relu`` slope 0.2, ``gelu`` exact, ``hard_sigmoid`` = relu6(x + 3) / 6).
``get(identifier)`` turns a name, a serialized config, a callable or None (linear) into a
function; ``serialize(fn)`` gives the name back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from neuralab import functional as F
from neuralab import ops
from neuralab.tensor import Tensor

__all__ = [
    "celu",
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "deserialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
    "tanh_shrink",
]

Activation = Callable[[Any], Any]


def _tensor(x: Any) -> Tensor:
    """A Tensor as it is; a NumPy array as a Tensor (floating dtype kept, else float32);
    lists and numbers as float32, as Keras converts them."""
    if isinstance(x, Tensor):
        return x
    array = x if isinstance(x, numpy.ndarray) else numpy.asarray(x, dtype=numpy.float32)
    if array.dtype.kind != "f":
        array = array.astype(numpy.float32)
    return Tensor._from_array(array)


def relu(
    x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Tensor:
    """Keras's generalized rectified linear unit.

    ``y = min(x, max_value)`` for ``x > threshold``, ``y = negative_slope * (x - threshold)``
    otherwise (0 when the slope is 0); with the defaults, ``y = max(x, 0)``.

    Args:
        x: The input (a Tensor, an array or a list).
        negative_slope: The slope below ``threshold``. Defaults to 0.0.
        max_value: The cap of the output. Defaults to None (no cap).
        threshold: The value below which the output is damped. Defaults to 0.0.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.relu([-1.0, 0.0, 2.0])
        tensor([0., 0., 2.])
        >>> keras.activations.relu([-10.0, -1.0, 5.0, 10.0], negative_slope=0.1, max_value=6.0)
        tensor([-1. , -0.1,  5. ,  6. ])
    """
    x = _tensor(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope)
        negative_part = F.relu(-x + threshold) if threshold != 0 else F.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        y = ops.where(x > threshold, x, 0.0)
    elif max_value == 6:
        y = F.relu6(x)
        clip_max = False
    else:
        y = F.relu(x)
    if clip_max:
        y = ops.clamp(y, min=0.0, max=float(max_value))
    if negative_slope != 0.0:
        y = y - negative_part * negative_slope
    return y


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """Leaky ReLU.

    ``y = x for x >= 0, negative_slope * x otherwise``

    Args:
        x: The input (a Tensor, an array or a list).
        negative_slope: The slope for x < 0. Defaults to 0.2 (Keras's).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.leaky_relu([-1.0, 0.0, 2.0])
        tensor([-0.2,  0. ,  2. ])
    """
    return F.leaky_relu(_tensor(x), negative_slope)


def relu6(x: Any) -> Tensor:
    """ReLU capped at 6.

    ``y = min(max(x, 0), 6)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.relu6([-1.0, 0.0, 2.0])
        tensor([0., 0., 2.])
    """
    return F.relu6(_tensor(x))


def sigmoid(x: Any) -> Tensor:
    """Logistic sigmoid.

    ``y = 1 / (1 + e^(-x))``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.sigmoid([-1.0, 0.0, 2.0])
        tensor([0.2689, 0.5   , 0.8808])
    """
    return F.sigmoid(_tensor(x))


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent.

    ``y = (e^x - e^(-x)) / (e^x + e^(-x))``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.tanh([-1.0, 0.0, 2.0])
        tensor([-0.7616,  0.    ,  0.964 ])
    """
    return F.tanh(_tensor(x))


def _axes(x: Tensor, axis: Any) -> Any:
    """An int axis as it is; None -> every axis; a tuple/list -> a tuple of ints."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _log_softmax_axes(x: Tensor, axes: tuple) -> Tensor:
    """log softmax over several axes at once: x - m - log(sum_axes e^(x - m)), m = max_axes x
    (m is a constant for the gradient: it cancels out)."""
    m = Tensor._from_array(x._data.max(axis=axes, keepdims=True))
    shifted = x - m
    return shifted - ops.log(ops.exp(shifted).sum(dim=axes, keepdim=True))


def softmax(x: Any, axis: Any = -1) -> Tensor:
    """Softmax along ``axis``.

    ``y_i = e^(x_i) / sum_j e^(x_j)``

    Args:
        x: The input (a Tensor, an array or a list).
        axis: An int, a tuple of ints, or None (every axis). Defaults to -1.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.softmax([-1.0, 0.0, 2.0])
        tensor([0.042 , 0.1142, 0.8438])
    """
    x = _tensor(x)
    axes = _axes(x, axis)
    if isinstance(axes, int):
        return F.softmax(x, dim=axes)
    return ops.exp(_log_softmax_axes(x, axes))


def log_softmax(x: Any, axis: Any = -1) -> Tensor:
    """Log-softmax along ``axis``.

    ``y_i = x_i - log(sum_j e^(x_j))``

    Args:
        x: The input (a Tensor, an array or a list).
        axis: An int, a tuple of ints, or None (every axis). Defaults to -1.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.log_softmax([-1.0, 0.0, 2.0])
        tensor([-3.1698, -2.1698, -0.1698])
    """
    x = _tensor(x)
    axes = _axes(x, axis)
    if isinstance(axes, int):
        return F.log_softmax(x, dim=axes)
    return _log_softmax_axes(x, axes)


def linear(x: Any) -> Any:
    """The identity activation.

    ``y = x``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        The input, unchanged.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.linear([-1.0, 0.0, 2.0])
        [-1.0, 0.0, 2.0]
    """
    return x


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit.

    ``y = x for x > 0, alpha * (e^x - 1) otherwise``

    Args:
        x: The input (a Tensor, an array or a list).
        alpha: The scale of the negative part. Defaults to 1.0.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.elu([-1.0, 0.0, 2.0])
        tensor([-0.6321,  0.    ,  2.    ])
    """
    return F.elu(_tensor(x), alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Any) -> Tensor:
    """Scaled exponential linear unit (Klambauer et al., 2017).

    ``y = scale * elu(x, alpha), alpha = 1.67326324..., scale = 1.05070098...``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.selu([-1.0, 0.0, 2.0])
        tensor([-1.1113,  0.    ,  2.1014])
    """
    return F.elu(_tensor(x), _SELU_ALPHA) * _SELU_SCALE


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """Continuously differentiable exponential linear unit.

    ``y = max(x, 0) + min(0, alpha * (e^(x / alpha) - 1))``

    Args:
        x: The input (a Tensor, an array or a list).
        alpha: The scale of the negative part. Defaults to 1.0.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.celu([-1.0, 0.0, 2.0])
        tensor([-0.6321,  0.    ,  2.    ])
    """
    x = _tensor(x)
    return F.elu(x / alpha, 1.0) * alpha


def softplus(x: Any) -> Tensor:
    """Softplus.

    ``y = log(1 + e^x)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.softplus([-1.0, 0.0, 2.0])
        tensor([0.3133, 0.6931, 2.1269])
    """
    return F.softplus(_tensor(x))


def softsign(x: Any) -> Tensor:
    """Softsign.

    ``y = x / (1 + |x|)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.softsign([-1.0, 0.0, 2.0])
        tensor([-0.5   ,  0.    ,  0.6667])
    """
    x = _tensor(x)
    return x / (ops.abs(x) + 1.0)


def silu(x: Any) -> Tensor:
    """Sigmoid linear unit, also called swish.

    ``y = x * sigmoid(x)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.silu([-1.0, 0.0, 2.0])
        tensor([-0.2689,  0.    ,  1.7616])
    """
    return F.silu(_tensor(x))


swish = silu


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit.

    ``y = 0.5 x (1 + erf(x / sqrt(2)))``

    Args:
        x: The input (a Tensor, an array or a list).
        approximate: Whether to use the tanh approximation
            ``y = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``. Defaults to False.

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.gelu([-1.0, 0.0, 2.0])
        tensor([-0.1587,  0.    ,  1.9545])
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


def exponential(x: Any) -> Tensor:
    """Exponential.

    ``y = e^x``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.exponential([-1.0, 0.0, 2.0])
        tensor([0.3679, 1.    , 7.3891])
    """
    return ops.exp(_tensor(x))


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 3's hard sigmoid (Keras 2 used ``0.2 x + 0.5``).

    ``y = relu6(x + 3) / 6``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.hard_sigmoid([-1.0, 0.0, 2.0])
        tensor([0.3333, 0.5   , 0.8333])
    """
    return F.relu6(_tensor(x) + 3.0) / 6.0


def hard_silu(x: Any) -> Tensor:
    """Hard SiLU, also called hard swish.

    ``y = x * relu6(x + 3) / 6``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.hard_silu([-1.0, 0.0, 2.0])
        tensor([-0.3333,  0.    ,  1.6667])
    """
    x = _tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def hard_tanh(x: Any) -> Tensor:
    """Hard tanh.

    ``y = min(max(x, -1), 1)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.hard_tanh([-1.0, 0.0, 2.0])
        tensor([-1.,  0.,  1.])
    """
    return F.hardtanh(_tensor(x), -1.0, 1.0)


def tanh_shrink(x: Any) -> Tensor:
    """Tanh shrink.

    ``y = x - tanh(x)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.tanh_shrink([-1.0, 0.0, 2.0])
        tensor([-0.2384,  0.    ,  1.036 ])
    """
    x = _tensor(x)
    return x - F.tanh(x)


def log_sigmoid(x: Any) -> Tensor:
    """Log-sigmoid.

    ``y = log(sigmoid(x)) = -softplus(-x)``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.log_sigmoid([-1.0, 0.0, 2.0])
        tensor([-1.3133, -0.6931, -0.1269])
    """
    return -F.softplus(-_tensor(x))


def mish(x: Any) -> Tensor:
    """Mish (Misra, 2019).

    ``y = x * tanh(softplus(x))``

    Args:
        x: The input (a Tensor, an array or a list).

    Returns:
        A Tensor of the input's shape.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.mish([-1.0, 0.0, 2.0])
        tensor([-0.3034,  0.    ,  1.944 ])
    """
    return F.mish(_tensor(x))


# --- lookup by name --------------------------------------------------------------------
_BY_NAME: dict[str, Activation] = {
    fn.__name__: fn
    for fn in (
        relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, silu, gelu,
        tanh, tanh_shrink, sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, linear,
        mish, log_softmax, log_sigmoid,
    )
}  # fmt: skip
_BY_NAME["swish"] = silu
_BY_NAME["hard_swish"] = hard_silu

# Keras activations that neuralab does not build (a name from this list raises
# NotImplementedError instead of "unknown").
_NOT_BUILT = (
    "glu",
    "hard_shrink",
    "soft_shrink",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "threshold",
)


def _lookup(name: str) -> Activation:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in _NOT_BUILT:
        raise NotImplementedError(f"neuralab.keras: activations.{name} is not supported")
    raise ValueError(
        f"Could not interpret activation function identifier: {name!r}; known activations: "
        f"{', '.join(sorted(_BY_NAME))}"
    )


def get(identifier: Any) -> Activation:
    """The activation function an identifier stands for.

    None gives ``linear``; a name ('relu', 'swish', ...) or a serialized config (a name or
    ``{'class_name': 'function', 'config': 'relu', ...}``) gives that function; any callable
    is returned as it is.

    Args:
        identifier: None, a name, a config dict or a callable.

    Returns:
        The activation function.

    Raises:
        ValueError: If the identifier is not a known activation.
        NotImplementedError: If it names a Keras activation neuralab does not build (e.g.
            'glu').

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.get("swish") is keras.activations.silu
        True
        >>> keras.activations.get(None) is keras.activations.linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _lookup(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r} (expected None, "
        "a name, a config dict or a callable)"
    )


def serialize(activation: Activation) -> str:
    """The name of a built-in activation function.

    Args:
        activation: One of ``keras.activations``'s functions.

    Returns:
        Its name (aliases give the main name: ``swish`` gives 'silu').

    Raises:
        ValueError: If it is not a built-in activation.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.serialize(keras.activations.swish)
        'silu'
    """
    for name, fn in _BY_NAME.items():
        if fn is activation and name not in ("swish", "hard_swish"):
            return name
    raise ValueError(
        f"Unknown activation function {activation!r} cannot be serialized: neuralab.keras "
        f"serializes only its built-in activations ({', '.join(sorted(_BY_NAME))})"
    )


def deserialize(config: Any, custom_objects: dict | None = None) -> Activation:
    """The function of a serialized activation.

    Args:
        config: A name, or Keras's dict with the name under 'config'
            (``{'module': 'keras.activations', 'class_name': 'function', 'config': 'relu'}``).
        custom_objects: Extra functions by name, looked up first. Defaults to None.

    Returns:
        The activation function.

    Raises:
        ValueError: If the config names no known activation.
        NotImplementedError: If it names a Keras activation neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> keras.activations.deserialize({"class_name": "function", "config": "relu"}).__name__
        'relu'
    """
    if custom_objects and isinstance(config, str) and config in custom_objects:
        return custom_objects[config]
    if isinstance(config, str):
        return _lookup(config)
    if isinstance(config, dict) and isinstance(config.get("config"), str):
        return deserialize(config["config"], custom_objects)
    raise ValueError(f"Could not interpret serialized activation function: {config!r}")
