"""Keras's core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, Embedding,
and the merge layers Add and Concatenate, over neuralab's ops (channels-last data)."""

from __future__ import annotations

import math
from typing import Any

import numpy

from neuralab import functional as F
from neuralab import ops
from neuralab.backend import generator
from neuralab.keras import activations, regularizers
from neuralab.keras.layers.layer import Layer
from neuralab.tensor import Tensor


def _positive_int(value: Any, who: str, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value <= 0:
        raise ValueError(f"{who}: {arg} must be a positive integer, got {value!r}")
    return int(value)


def _no_constraints(who: str, **constraints: Any) -> None:
    for arg, value in constraints.items():
        if value is not None:
            raise NotImplementedError(f"neuralab.keras: {who}({arg}=...) is not supported")


class Dense(Layer):
    """Densely connected layer: ``y = activation(x @ kernel + bias)`` on the last axis.

    The kernel has shape (in, units), as Keras (the transpose of ``nn.Linear``'s weight),
    and is built on the first call from the input's last axis.

    Args:
        units: The number of outputs (a positive int).
        activation: An activation name or function. Defaults to None (linear).
        use_bias: Whether to add a bias. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        lora_rank: Only None (LoRA is not supported). Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, *, in).
        - Output: (N, *, units).

    Raises:
        ValueError: If ``units`` is not a positive int, or the input's last axis is unknown
            or differs from the built kernel's.
        NotImplementedError: If a constraint or ``lora_rank`` is set.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.Dense(3, activation="relu")
        >>> layer(np.ones((2, 4), "float32")).shape
        (2, 3)
        >>> layer.kernel.shape
        (4, 3)
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = _positive_int(units, "Dense", "units")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.activity_regularizer = regularizers.get(activity_regularizer)
        _no_constraints(
            "Dense",
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            lora_rank=lora_rank,
        )

    def build(self, input_shape: tuple) -> None:
        if not input_shape or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name}: the last axis of the input must be known, got {input_shape}"
            )
        self.kernel = self.add_weight(
            (input_shape[-1], self.units),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = (
            self.add_weight(
                (self.units,), self.bias_initializer, regularizer=self.bias_regularizer, name="bias"
            )
            if self.use_bias
            else None
        )

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"Dense {self.name}: expected inputs with last axis {self.kernel.shape[0]}, "
                f"got shape {tuple(inputs.shape)}"
            )
        # x @ kernel with the kernel in Keras's (in, units) layout: its gradient x^T g comes
        # out in that layout (F.linear on kernel.T gave a transposed gradient to copy)
        out = inputs @ self.kernel
        if self.bias is not None:
            out = out + self.bias
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)


class Activation(Layer):
    """Applies an activation function: ``y = activation(x)``.

    Args:
        activation: An activation name ('relu', 'softmax', ...) or function.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: any shape.
        - Output: the same shape.

    Raises:
        ValueError: If ``activation`` is not a known activation.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.Activation("relu")(np.array([[-1.0, 2.0]], "float32"))
        tensor([[0., 2.]])
    """

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


class Dropout(Layer):
    """Dropout: in training, zero each input with probability ``rate`` and scale the rest.

    ``y = x * m / (1 - rate)`` with ``m ~ Bernoulli(1 - rate)`` when ``training=True``
    (``fit`` sets it); ``y = x`` in inference.

    Args:
        rate: The probability of dropping an input, in [0, 1].
        noise_shape: Only None (not supported otherwise). Defaults to None.
        seed: A seed of the layer's own random stream (reproducible masks). Defaults to None
            (neuralab's global generator).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: any shape.
        - Output: the same shape.

    Raises:
        ValueError: If ``rate`` is not in [0, 1].
        NotImplementedError: If ``noise_shape`` is set.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.Dropout(0.5, seed=0)
        >>> layer(np.ones((2, 4), "float32"), training=True)
        tensor([[2., 0., 0., 0.],
                [2., 2., 2., 2.]])
        >>> layer(np.ones((1, 2), "float32"))  # inference: the identity
        tensor([[1., 1.]])
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Dropout: rate must be a float in [0, 1], got {rate!r}")
        if noise_shape is not None:
            raise NotImplementedError("neuralab.keras: Dropout(noise_shape=...) is not supported")
        self.rate, self.seed = float(rate), seed
        # seed=: a private stream, reproducible whatever else draws random numbers
        self._generator = None if seed is None else generator(int(seed), "Dropout")

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self._generator is None:
            return F.dropout(inputs, self.rate, training=True)
        keep = self._generator.random(inputs.shape) >= self.rate
        scale = numpy.float32(1.0 / (1.0 - self.rate)) if self.rate < 1 else numpy.float32(0)
        return inputs * Tensor._from_array(keep.astype(numpy.float32) * scale)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


class Flatten(Layer):
    """Flattens every axis but the batch axis, in channels-last (row-major) order.

    Args:
        data_format: Only None or 'channels_last'. Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, d1, d2, ...).
        - Output: (N, d1 * d2 * ...).

    Raises:
        NotImplementedError: If ``data_format`` is 'channels_first'.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.Flatten()(np.ones((2, 5, 3), "float32")).shape
        (2, 15)
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                f"neuralab.keras: Flatten(data_format={data_format!r}) is not supported"
            )

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)


def _target_shape(target: Any, known: tuple, who: str) -> tuple:
    """Resolve one -1 in ``target`` from the known (non-batch) sizes of the input."""
    target = tuple(int(d) for d in target)
    if sum(d == -1 for d in target) > 1 or any(d < -1 or d == 0 for d in target):
        raise ValueError(f"{who}: target_shape may hold one -1 and positive sizes, got {target}")
    if any(d is None for d in known):
        return target
    total = math.prod(known)
    if -1 in target:
        rest = math.prod(d for d in target if d != -1)
        if total % rest:
            raise ValueError(f"{who}: cannot reshape an input of shape {known} to {target}")
        return tuple(total // rest if d == -1 else d for d in target)
    if math.prod(target) != total:
        raise ValueError(
            f"{who}: total size of the new array must be unchanged, input_shape = "
            f"{list(known)}, output_shape = {list(target)}"
        )
    return target


class Reshape(Layer):
    """Reshapes every axis but the batch axis to ``target_shape``.

    Args:
        target_shape: The new shape without the batch axis; one size may be -1 (inferred).
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, ...).
        - Output: (N, *target_shape).

    Raises:
        ValueError: If ``target_shape`` holds more than one -1 or does not fit the input's size.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.Reshape((3, -1))(np.ones((2, 12), "float32")).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs: Tensor) -> Tensor:
        shape = _target_shape(self.target_shape, tuple(inputs.shape[1:]), f"Reshape {self.name}")
        return inputs.reshape(inputs.shape[0], *shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], *_target_shape(self.target_shape, input_shape[1:], "Reshape"))


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is a permutation of 1..rank-1 (1-based, as Keras).

    Args:
        dims: The new order of the non-batch axes, e.g. (2, 1) swaps the two.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, d1, ..., dk).
        - Output: (N, d_dims[0], ..., d_dims[k-1]).

    Raises:
        ValueError: If ``dims`` is not a permutation of 1..k.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.Permute((2, 1))(np.ones((2, 5, 3), "float32")).shape
        (2, 3, 5)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1..{len(self.dims)}, got {dims}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], *(input_shape[d] for d in self.dims))


class Embedding(Layer):
    """Embedding: row lookup ``y[..., :] = embeddings[x[...], :]`` of integer inputs.

    The table (input_dim, output_dim) starts uniform in [-0.05, 0.05], as Keras.

    Args:
        input_dim: The vocabulary size (indices are in [0, input_dim)).
        output_dim: The size of each embedding vector.
        embeddings_initializer: The initializer of ``embeddings`` (a name or an initializer).
            Defaults to 'uniform'.
        embeddings_regularizer: A regularizer of ``embeddings`` (its penalty joins
            ``model.losses``).
            Defaults to None.
        embeddings_constraint: Only None (constraints are not supported). Defaults to None.
        mask_zero: Only False (masking is not supported). Defaults to False.
        weights: Initial weights, a list holding the (input_dim, output_dim) table.
            Defaults to None.
        lora_rank: Only None (LoRA is not supported). Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, ...) integers.
        - Output: (N, ..., output_dim).

    Raises:
        ValueError: If ``input_dim`` or ``output_dim`` is not a positive int, or an index is
            outside [0, input_dim).
        NotImplementedError: If ``mask_zero``, a constraint or ``lora_rank`` is set.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.layers.Embedding(10, 4)(np.array([[1, 2, 3]])).shape
        (1, 3, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("input_length", None)  # Keras 2's argument, without effect in Keras 3
        super().__init__(**kwargs)
        self.input_dim = _positive_int(input_dim, "Embedding", "input_dim")
        self.output_dim = _positive_int(output_dim, "Embedding", "output_dim")
        self.embeddings_initializer = embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        if mask_zero:
            raise NotImplementedError(
                "neuralab.keras: Embedding(mask_zero=True) (masking) is not supported"
            )
        _no_constraints(
            "Embedding", embeddings_constraint=embeddings_constraint, lora_rank=lora_rank
        )
        self._initial_weights = weights

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            name="embeddings",
            regularizer=self.embeddings_regularizer,
        )
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(inputs, numpy.ndarray) and inputs.dtype.kind == "f":
            inputs = inputs.astype(numpy.int64)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        indices = inputs._data
        if indices.dtype.kind == "f":
            indices = indices.astype(numpy.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= self.input_dim):
            raise ValueError(
                f"Embedding {self.name}: indices must be in [0, {self.input_dim}), got values "
                f"from {indices.min()} to {indices.max()}"
            )
        return F.embedding(Tensor._from_array(indices.astype(numpy.int64)), self.embeddings)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.output_dim)


class _Merge(Layer):
    """A layer over a list of same-shaped inputs."""

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, (list, tuple)) or not all(
            isinstance(s, (list, tuple)) for s in input_shape
        ):
            raise ValueError(f"{type(self).__name__}: expects a list of inputs, got {input_shape}")
        if len(input_shape) < 1:
            raise ValueError(f"{type(self).__name__}: expects at least 1 input")


class Add(_Merge):
    """Adds a list of inputs element-wise: ``y = x_1 + x_2 + ... + x_k``.

    Args:
        name: The layer's name. Defaults to None (a unique name).
        trainable: Whether its weights are trained. Defaults to True.
        dtype: Only None or 'float32'. Defaults to None.
        input_shape: The input shape without the batch axis, for a first layer of a
            ``Sequential``. Defaults to None.
        input_dim: The same for 1-D inputs (``input_shape=(input_dim,)``). Defaults to None.
        batch_size: The batch size of ``input_shape``. Defaults to None.

    Shape:
        - Input: a list of tensors of the same shape (or broadcastable).
        - Output: that shape.

    Raises:
        ValueError: If the input is not a list of tensors.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 3), "float32")
        >>> keras.layers.Add()([x, 2 * x])
        tensor([[3., 3., 3.],
                [3., 3., 3.]])
    """

    def call(self, inputs: list) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Concatenate(_Merge):
    """Joins a list of inputs along ``axis``.

    Args:
        axis: The axis to join along. Defaults to -1.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: a list of tensors equal in shape except along ``axis``.
        - Output: their shape with the sizes along ``axis`` summed.

    Raises:
        ValueError: If the input is not a list of tensors.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> a, b = np.ones((2, 3), "float32"), np.ones((2, 4), "float32")
        >>> keras.layers.Concatenate()([a, b]).shape
        (2, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: list) -> Tensor:
        return ops.cat(list(inputs), dim=self.axis)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """Functional form of ``Concatenate``: ``Concatenate(axis, **kwargs)(inputs)``.

    Args:
        inputs: A list of tensors (or KerasTensors), equal in shape except along ``axis``.
        axis: The axis to join along. Defaults to -1.
        **kwargs: The layer's other arguments (``name``, ...).

    Returns:
        The joined tensor (a KerasTensor for symbolic inputs).

    Examples:
        >>> from neuralab import keras
        >>> a, b = keras.Input((3,)), keras.Input((4,))
        >>> keras.layers.concatenate([a, b]).shape
        (None, 7)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs: list, **kwargs: Any) -> Any:
    """Functional form of ``Add``: ``Add(**kwargs)(inputs)``.

    Args:
        inputs: A list of tensors (or KerasTensors) of the same shape.
        **kwargs: The layer's arguments (``name``, ...).

    Returns:
        The element-wise sum (a KerasTensor for symbolic inputs).

    Examples:
        >>> from neuralab import keras
        >>> a, b = keras.Input((3,)), keras.Input((3,))
        >>> keras.layers.add([a, b]).shape
        (None, 3)
    """
    return Add(**kwargs)(inputs)
