"""Keras 3's Adagrad and Adadelta (per-coordinate step sizes from accumulated squares)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.keras.optimizers.base import Optimizer
from neuralab.tensor import Tensor

F32 = np.float32


class Adagrad(Optimizer):
    """Adagrad: per-coordinate step sizes from the accumulated squared gradients.

    ``a <- a + g^2`` (``a`` starts at ``initial_accumulator_value``);
    ``w <- w - lr * g / sqrt(a + epsilon)``.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.001.
        initial_accumulator_value: The accumulator's starting value. Defaults to 0.1.
        epsilon: Added under the square root. Defaults to 1e-7.
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
        >>> optimizer = keras.optimizers.Adagrad(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.9155, 2.0953], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self._slots = {"accumulator": initial_accumulator_value}

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        for g, p in zip(grads, variables):
            a = self.state[p]["accumulator"]
            a += g * g
            p._data -= (g * lr) / np.sqrt(a + F32(self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adadelta(Optimizer):
    """Adadelta with Keras's learning rate (default 0.001) on the step.

    ``A_g <- rho A_g + (1 - rho) g^2``; ``delta = -sqrt(A_d + epsilon) * g / sqrt(A_g + epsilon)``;
    ``A_d <- rho A_d + (1 - rho) delta^2``; ``w <- w + lr * delta``.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.001.
        rho: The decay of both running averages. Defaults to 0.95.
        epsilon: Added under the square roots. Defaults to 1e-7.
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
        >>> optimizer = keras.optimizers.Adadelta(learning_rate=1.0)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.9986, 2.0014], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon
        self._slots = {"accumulated_grad": 0.0, "accumulated_delta_var": 0.0}

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        rho, eps = F32(self.rho), F32(self.epsilon)
        for g, p in zip(grads, variables):
            acc_g = self.state[p]["accumulated_grad"]
            acc_d = self.state[p]["accumulated_delta_var"]
            acc_g *= rho
            acc_g += F32(1 - self.rho) * (g * g)
            delta = -((np.sqrt(acc_d + eps) * g) / np.sqrt(acc_g + eps))
            acc_d *= rho
            acc_d += F32(1 - self.rho) * (delta * delta)
            p._data += lr * delta

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
