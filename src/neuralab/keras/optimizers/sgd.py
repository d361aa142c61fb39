"""Keras 3's SGD, with Keras's (not PyTorch's) momentum form."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.keras.optimizers.base import Optimizer
from neuralab.tensor import Tensor


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (Keras's form, the learning rate inside
    the velocity)::

        m <- momentum * m - lr * g
        w <- w + m                          (nesterov=False)
        w <- w - lr * g + momentum * m      (nesterov=True)

    and ``w <- w - lr * g`` without momentum.
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
