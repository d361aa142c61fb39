"""Keras 3's RMSprop."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.keras.optimizers.base import Optimizer
from neuralab.tensor import Tensor

F32 = np.float32


class RMSprop(Optimizer):
    """RMSprop as Keras computes it (epsilon inside the square root).

    ``v <- rho v + (1 - rho) g^2``; ``d = v + epsilon`` (centered: ``a <- rho a + (1 - rho) g``,
    ``d = v - a^2 + epsilon``); ``increment = lr * g / sqrt(d)``; ``w <- w - increment``
    (with momentum: ``b <- momentum b + increment``, ``w <- w - b``).

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.001.
        rho: The decay of the squared-gradient average. Defaults to 0.9.
        momentum: The momentum of the increments. Defaults to 0.0.
        epsilon: Added to ``d`` for stability. Defaults to 1e-7.
        centered: Whether to subtract the squared mean gradient. Defaults to False.
        **kwargs: The base ``Optimizer``'s arguments: ``weight_decay``, ``clipnorm``,
            ``clipvalue``, ``global_clipnorm``, ``name``, ...

    Raises:
        ValueError: If ``learning_rate`` is not a float, schedule or callable, an unknown
            argument is given, or more than one clipping argument is set.
        NotImplementedError: If ``use_ema``, ``loss_scale_factor`` or
            ``gradient_accumulation_steps`` is set.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.nn.Parameter(nl.tensor([1.0, 2.0]))
        >>> optimizer = keras.optimizers.RMSprop(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.6838, 2.3162], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        self._slots = {"velocity": 0.0}
        if momentum > 0:
            self._slots["momentum"] = 0.0
        if centered:
            self._slots["average_gradient"] = 0.0

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        rho = F32(self.rho)
        for g, p in zip(grads, variables):
            state = self.state[p]
            v = state["velocity"]
            v *= rho
            v += F32(1 - self.rho) * (g * g)
            denominator = v + F32(self.epsilon)
            if self.centered:
                a = state["average_gradient"]
                a *= rho
                a += F32(1 - self.rho) * g
                denominator -= a * a
            increment = (g * lr) / np.sqrt(denominator)
            if self.momentum > 0:
                b = state["momentum"]
                b *= F32(self.momentum)
                b += increment
                p._data -= b
            else:
                p._data -= increment

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
