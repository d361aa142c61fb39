"""Keras's BatchNormalization on neuralab's fused batch norm (channels-last)."""

from __future__ import annotations

from typing import Any

import numpy

from neuralab import functional as F
from neuralab.keras.layers.layer import Layer
from neuralab.tensor import Tensor, no_grad


class BatchNormalization(Layer):
    """Batch normalization over the feature ``axis`` (the last by default).

    ``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Training: ``mean`` and ``var`` are the batch's (biased variance) and both moving
    statistics follow ``moving = moving * momentum + batch * (1 - momentum)``, as Keras
    (Keras's momentum 0.99 is PyTorch's 0.01). Inference: the moving statistics.

    Args:
        axis: The feature axis. Defaults to -1.
        momentum: The moving statistics' momentum, in [0, 1]. Defaults to 0.99.
        epsilon: Added to the variance (> 0). Defaults to 1e-3.
        center: Whether to add ``beta``. Defaults to True.
        scale: Whether to multiply by ``gamma``. Defaults to True.
        beta_initializer: The initializer of ``beta`` (a name or an initializer).
            Defaults to 'zeros'.
        gamma_initializer: The initializer of ``gamma`` (a name or an initializer).
            Defaults to 'ones'.
        moving_mean_initializer: The initializer of the moving mean. Defaults to 'zeros'.
        moving_variance_initializer: The initializer of the moving variance. Defaults to 'ones'.
        beta_regularizer: A regularizer of ``beta`` (its penalty joins ``model.losses``).
            Defaults to None.
        gamma_regularizer: A regularizer of ``gamma`` (its penalty joins ``model.losses``).
            Defaults to None.
        beta_constraint: Only None (constraints are not supported). Defaults to None.
        gamma_constraint: Only None (constraints are not supported). Defaults to None.
        synchronized: Without effect (one device). Defaults to False.
        renorm: Only False (batch renormalization is not supported). Defaults to False.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: any shape with a known feature ``axis``.
        - Output: the same shape.

    Raises:
        ValueError: If ``momentum`` is outside [0, 1], ``epsilon <= 0``, or the feature axis
            is unknown.
        NotImplementedError: If ``renorm`` or a constraint is set.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.BatchNormalization()
        >>> layer(np.array([[1.0, 2.0], [3.0, 4.0]], "float32"), training=True)
        tensor([[-0.9995, -0.9995],
                [ 0.9995,  0.9995]], grad_fn=<BatchNormBackward>)
        >>> layer.moving_mean.numpy()
        array([0.02, 0.03], dtype=float32)
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        renorm: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if renorm or beta_constraint is not None or gamma_constraint is not None:
            raise NotImplementedError(
                "neuralab.keras: BatchNormalization(renorm=..., *_constraint=...) is not supported"
            )
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._inits = (
            gamma_initializer,
            beta_initializer,
            moving_mean_initializer,
            moving_variance_initializer,
        )
        self._regs = (gamma_regularizer, beta_regularizer)

    def build(self, input_shape: tuple) -> None:
        axis = self.axis % len(input_shape)
        if axis == 0 or input_shape[axis] is None:
            raise ValueError(
                f"BatchNormalization {self.name}: axis {self.axis} of input shape "
                f"{input_shape} must be a known feature axis"
            )
        self._axis = axis
        shape = (input_shape[axis],)
        gamma, beta, mean, var = self._inits
        self.gamma = (
            self.add_weight(shape, gamma, name="gamma", regularizer=self._regs[0])
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(shape, beta, name="beta", regularizer=self._regs[1])
            if self.center
            else None
        )
        self.moving_mean = self.add_weight(shape, mean, name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape, var, name="moving_variance", trainable=False)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        axis = self._axis
        order = (0, axis, *(i for i in range(1, inputs.ndim) if i != axis))
        moved = inputs if axis == 1 else inputs.permute(*order)
        if training and self.trainable:
            out = F.batch_norm(moved, None, None, self.gamma, self.beta, True, 0.0, self.epsilon)
            self._update_moving(moved)
        else:
            out = F.batch_norm(
                moved,
                self.moving_mean,
                self.moving_variance,
                self.gamma,
                self.beta,
                False,
                0.0,
                self.epsilon,
            )
        return out if axis == 1 else out.permute(*numpy.argsort(order))

    def _update_moving(self, moved: Tensor) -> None:
        """moving <- moving * momentum + batch statistic * (1 - momentum), biased variance."""
        x = moved._data
        axes = tuple(i for i in range(x.ndim) if i != 1)
        mean = x.mean(axis=axes, dtype="float64")
        var = x.var(axis=axes, dtype="float64")
        m = self.momentum
        with no_grad():
            for stat, value in ((self.moving_mean, mean), (self.moving_variance, var)):
                stat._data[...] = stat._data * m + value.astype(stat._data.dtype) * (1 - m)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape
