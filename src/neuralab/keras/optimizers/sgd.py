"""Keras 3's SGD, with Keras's (not PyTorch's) momentum form."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.keras.optimizers.base import Optimizer
from neuralab.tensor import Tensor


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    Keras's form of momentum (the learning rate inside the velocity):
    ``m <- momentum * m - lr * g``, then ``w <- w + m`` (``nesterov=False``) or
    ``w <- w - lr * g + momentum * m`` (``nesterov=True``); ``w <- w - lr * g`` without
    momentum.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.01.
        momentum: The velocity's decay, a float in [0, 1]. Defaults to 0.0.
        nesterov: Whether to use Nesterov momentum. Defaults to False.
        **kwargs: The base ``Optimizer``'s arguments: ``weight_decay``, ``clipnorm``,
            ``clipvalue``, ``global_clipnorm``, ``name``, ...

    Raises:
        ValueError: If ``learning_rate`` is not a float, schedule or callable, an unknown
            argument is given, or more than one clipping argument is set, or ``momentum`` is not a
            float in [0, 1].
        NotImplementedError: If ``use_ema``, ``loss_scale_factor`` or
            ``gradient_accumulation_steps`` is set, or ``momentum`` is not a float in [0, 1].

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.nn.Parameter(nl.tensor([1.0, 2.0]))
        >>> optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.95, 2.1 ], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov
        self._slots = {"momentum": 0.0} if momentum != 0 else {}

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        mu = np.float32(self.momentum)
        for g, p in zip(grads, variables):
            w = p._data
            if self.momentum != 0:
                m = self.state[p]["momentum"]
                m *= mu
                m += -lr * g
                if self.nesterov:
                    w += -lr * g
                    w += mu * m
                else:
                    w += m
            else:
                w += -lr * g

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
