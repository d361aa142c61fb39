"""Keras 3's weight regularizers: ``reg(weight) -> scalar Tensor``, a penalty added to the
loss (differentiable through neuralab's autograd).

- ``L1(l1=0.01)``: l1 * sum |w|
- ``L2(l2=0.01)``: l2 * sum w^2 (no 1/2: Keras's formula)
- ``L1L2(l1=0.0, l2=0.0)``: l1 * sum |w| + l2 * sum w^2
- ``OrthogonalRegularizer(factor=0.01, mode='rows')``: factor / 2 * mean over pairs i < j
  of |<u_i, u_j>|, u_i the rows (or columns) normalized to unit length.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy

from neuralab import ops
from neuralab.keras import serialization
from neuralab.keras.backend import snake_case
from neuralab.keras.utils import normalize
from neuralab.tensor import Tensor

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]


def validate_float_arg(value: Any, name: str) -> float:
    """A finite, non-negative number, as a float (Keras's check)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (float, int, numpy.floating, numpy.integer))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _weight(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numpy.ndarray):
        return Tensor._from_array(x)
    raise TypeError(f"{who}: expected a neuralab Tensor (a weight), got {type(x).__name__}")


class Regularizer:
    """The base class of weight regularizers: ``regularizer(w)`` returns the penalty.

    A layer's ``kernel_regularizer=`` adds the penalty of its weight to ``layer.losses``,
    which ``fit`` adds to the loss. The base class's penalty is 0.0.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.tensor([[1.0, -2.0], [0.5, 0.0]])
        >>> class Sum(keras.regularizers.Regularizer):
        ...     def __call__(self, x):
        ...         return x.sum()
        >>> Sum()(w)
        tensor(-0.5)
    """

    def __call__(self, x: Any) -> Any:
        return 0.0

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """L1 and L2 penalties: ``penalty = l1 * sum(|w|) + l2 * sum(w^2)``.

    Args:
        l1: The L1 factor (>= 0). Defaults to 0.0.
        l2: The L2 factor (>= 0). Defaults to 0.0.

    Raises:
        ValueError: If a factor is negative, infinite or NaN.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.tensor([[1.0, -2.0], [0.5, 0.0]])
        >>> keras.regularizers.L1L2(l1=0.1, l2=0.1)(w)
        tensor(0.875)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x: Any) -> Tensor:
        x = _weight(x, type(self).__name__)
        penalty = Tensor._from_array(numpy.zeros((), dtype=x.dtype))
        if self.l1 != 0.0:
            penalty = penalty + ops.abs(x).sum() * self.l1
        if self.l2 != 0.0:
            penalty = penalty + (x * x).sum() * self.l2
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """L1 penalty: ``penalty = l1 * sum(|w|)``.

    Args:
        l1: The factor (>= 0). Defaults to 0.01.

    Raises:
        ValueError: If a factor is negative, infinite or NaN.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.tensor([[1.0, -2.0], [0.5, 0.0]])
        >>> keras.regularizers.L1(0.1)(w)
        tensor(0.35)
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, name="l1")

    def __call__(self, x: Any) -> Tensor:
        return ops.abs(_weight(x, "L1")).sum() * self.l1

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty: ``penalty = l2 * sum(w^2)``.

    Args:
        l2: The factor (>= 0). Defaults to 0.01.

    Raises:
        ValueError: If a factor is negative, infinite or NaN.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.tensor([[1.0, -2.0], [0.5, 0.0]])
        >>> keras.regularizers.L2(0.1)(w)
        tensor(0.525)
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x: Any) -> Tensor:
        x = _weight(x, "L2")
        return (x * x).sum() * self.l2

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2-D weight.

    With ``u_i`` the rows ('rows') or columns ('columns') scaled to unit length and ``n``
    their number: ``penalty = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n (n - 1) / 2)``, so
    ``factor`` times the mean absolute cosine over pairs.

    Args:
        factor: The factor (>= 0). Defaults to 0.01.
        mode: 'rows' or 'columns'. Defaults to 'rows'.

    Raises:
        ValueError: If ``factor`` is negative, ``mode`` is unknown, or the weight is not 2-D
            (when called).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> keras.regularizers.OrthogonalRegularizer(1.0)(nl.tensor([[1.0, 0.0], [1.0, 1.0]]))
        tensor(0.7071)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = validate_float_arg(factor, name="factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x: Any) -> Tensor:
        x = _weight(x, "OrthogonalRegularizer")
        if x.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={tuple(x.shape)}"
            )
        if self.mode == "rows":
            u = normalize(x, axis=1)
            product = u @ u.transpose(0, 1)
            size = x.shape[0]
        else:
            u = normalize(x, axis=0)
            product = u.transpose(0, 1) @ u
            size = x.shape[1]
        off_diagonal = Tensor._from_array((1.0 - numpy.eye(size)).astype(x.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return ops.abs(product * off_diagonal).sum() * (self.factor * 0.5 / num_pairs)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


# Keras's lower-case names
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_BY_NAME: dict[str, type[Regularizer]] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({snake_case(cls.__name__): cls for cls in _CLASSES})  # 'l1l2', as Keras
_BY_NAME["l1_l2"] = L1L2  # the name keras.regularizers.l1_l2 has (Keras's get() lacks it)


def _class(name: str) -> type[Regularizer]:
    if name not in _BY_NAME:
        raise ValueError(
            f"Could not interpret regularizer identifier: {name!r}; known regularizers: "
            f"{', '.join(sorted(_BY_NAME))}"
        )
    return _BY_NAME[name]


def serialize(regularizer: Regularizer) -> dict:
    """Keras's config dict of a regularizer.

    ``{'module', 'class_name', 'config', 'registered_name'}``.

    Args:
        regularizer: A ``Regularizer``.

    Returns:
        The config dict.

    Examples:
        >>> from neuralab import keras
        >>> keras.regularizers.serialize(keras.regularizers.L2(0.5))["config"]
        {'l2': 0.5}
    """
    return serialization.serialize(regularizer, "keras.regularizers")


def deserialize(config: Any, custom_objects: dict | None = None) -> Regularizer:
    """A regularizer from ``{'class_name': ..., 'config': {...}}`` (or a bare name).

    Args:
        config: A config dict (as ``serialize`` gives) or a name.
        custom_objects: Extra classes by name, looked up first. Defaults to None.

    Returns:
        A new regularizer.

    Raises:
        ValueError: If the config names no known regularizer.

    Examples:
        >>> from neuralab import keras
        >>> keras.regularizers.deserialize({"class_name": "L1", "config": {"l1": 0.2}})
        L1(l1=0.2)
    """
    return serialization.deserialize(config, "regularizer", _class, custom_objects)


def get(identifier: Any) -> Any:
    """The regularizer an identifier stands for.

    None gives None; a name ('l1', 'l2', 'l1_l2', 'L2', 'orthogonal_regularizer') a new
    regularizer with the defaults; a config dict that regularizer; a class an instance; a
    regularizer or any callable ``f(weight) -> scalar`` itself.

    Args:
        identifier: None, a name, a config dict, a class or a callable.

    Returns:
        A regularizer (or callable), or None.

    Raises:
        ValueError: If the identifier is not a known regularizer.

    Examples:
        >>> from neuralab import keras
        >>> keras.regularizers.get("l2")
        L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _class(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier!r} (expected None, a name, "
        "a config dict, a Regularizer or a callable)"
    )
