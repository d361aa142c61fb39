"""Keras 3's Adam family: Adam, AdamW, Adamax, Nadam."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.keras.optimizers.base import Optimizer
from neuralab.tensor import Tensor

F32 = np.float32


class _Moments(Optimizer):
    """The family's shared settings: beta_1, beta_2 and epsilon (Keras's defaults)."""

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


class Adam(_Moments):
    """Adam as Keras computes it (epsilon outside the bias-corrected square root).

    ``m <- beta_1 m + (1 - beta_1) g``; ``v <- beta_2 v + (1 - beta_2) g^2``;
    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` (``t = iterations + 1``);
    ``w <- w - alpha * m / (sqrt(v) + epsilon)``; with ``amsgrad``, ``v_hat <- max(v_hat, v)``
    replaces ``v`` in the last step.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.001.
        beta_1: The decay of the first moment ``m``. Defaults to 0.9.
        beta_2: The decay of the second moment. Defaults to 0.999.
        epsilon: Added to the denominator. Defaults to 1e-7.
        amsgrad: Whether to use the AMSGrad variant. Defaults to False.
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
        >>> optimizer = keras.optimizers.Adam(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.9, 2.1], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = amsgrad
        self._slots = {"momentum": 0.0, "velocity": 0.0}
        if amsgrad:
            self._slots["velocity_hat"] = 0.0

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        t = F32(self._iterations + 1)
        b1, b2 = F32(self.beta_1), F32(self.beta_2)
        alpha = lr * np.sqrt(F32(1) - np.power(b2, t)) / (F32(1) - np.power(b1, t))
        c1, c2, eps = F32(1 - self.beta_1), F32(1 - self.beta_2), F32(self.epsilon)
        for g, p in zip(grads, variables):
            state = self.state[p]
            m, v = state["momentum"], state["velocity"]
            # the same float32 operations in the same order, written into two scratch
            # arrays instead of fresh temporaries (allocating them cost ~15% of an epoch)
            a, b = self._scratch(g)
            m *= b1
            m += np.multiply(c1, g, out=a)
            v *= b2
            v += np.multiply(np.multiply(g, g, out=a), c2, out=a)
            if self.amsgrad:
                np.maximum(state["velocity_hat"], v, out=state["velocity_hat"])
                v = state["velocity_hat"]
            np.add(np.sqrt(v, out=b), eps, out=b)
            p._data -= np.divide(np.multiply(m, alpha, out=a), b, out=a)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``w <- w * (1 - weight_decay * lr)`` before each Adam step.

    The Adam step is ``Adam``'s.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` or a callable. Defaults to 0.001.
        weight_decay: The decoupled weight decay. Defaults to 0.004.
        beta_1: The decay of the first moment ``m``. Defaults to 0.9.
        beta_2: The decay of the second moment. Defaults to 0.999.
        epsilon: Added to the denominator. Defaults to 1e-7.
        amsgrad: Whether to use the AMSGrad variant. Defaults to False.
        **kwargs: The base ``Optimizer``'s arguments: ``weight_decay``, ``clipnorm``,
            ``clipvalue``, ``global_clipnorm``, ``name``, ...

    Raises:
        ValueError: If ``learning_rate`` is not a float, schedule or callable, an unknown
            argument is given, or more than one clipping argument is set, or ``weight_decay`` is
            None.
        NotImplementedError: If ``use_ema``, ``loss_scale_factor`` or
            ``gradient_accumulation_steps`` is set, or ``weight_decay`` is None.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> w = nl.nn.Parameter(nl.tensor([1.0, 2.0]))
        >>> optimizer = keras.optimizers.AdamW(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.8996, 2.0992], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class Adamax(_Moments):
    """Adamax: Adam with the infinity norm.

    ``m <- beta_1 m + (1 - beta_1) g``; ``u <- max(beta_2 u, |g|)``;
    ``w <- w - lr * m / ((u + epsilon) (1 - beta_1^t))`` (``t = iterations + 1``).

    Args:
        *args: ``learning_rate`` (default 0.001), ``beta_1`` (default 0.9), ``beta_2``
            (default 0.999) and ``epsilon`` (default 1e-7), in this order, as in ``Adam``.
        **kwargs: The same by name, and the base ``Optimizer``'s arguments
            (``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``, ...).

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
        >>> optimizer = keras.optimizers.Adamax(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.9, 2.1], dtype=float32)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = {"m": 0.0, "u": 0.0}

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        t = F32(self._iterations + 1)
        correction = F32(1) - np.power(F32(self.beta_1), t)
        for g, p in zip(grads, variables):
            m, u = self.state[p]["m"], self.state[p]["u"]
            m *= F32(self.beta_1)
            m += F32(1 - self.beta_1) * g
            u *= F32(self.beta_2)
            np.maximum(u, np.abs(g), out=u)
            p._data -= (m * lr) / ((u + F32(self.epsilon)) * correction)


class Nadam(_Moments):
    """Nadam: Adam with Nesterov momentum and Keras's momentum schedule.

    ``u_t = beta_1 (1 - 0.5 * 0.96^t)``, ``P_t = P_{t-1} u_t`` (``P_0 = 1``);
    ``m <- beta_1 m + (1 - beta_1) g``; ``v <- beta_2 v + (1 - beta_2) g^2``;
    ``m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)``;
    ``w <- w - lr * m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)``.

    Args:
        *args: ``learning_rate`` (default 0.001), ``beta_1`` (default 0.9), ``beta_2``
            (default 0.999) and ``epsilon`` (default 1e-7), in this order, as in ``Adam``.
        **kwargs: The same by name, and the base ``Optimizer``'s arguments
            (``weight_decay``, ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``, ...).

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
        >>> optimizer = keras.optimizers.Nadam(learning_rate=0.1)
        >>> optimizer.apply_gradients([(np.array([0.5, -1.0], "float32"), w)])
        1
        >>> w.detach().numpy().round(4)
        array([0.8937, 2.1063], dtype=float32)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = {"momentum": 0.0, "velocity": 0.0}

    def _build_extra(self) -> None:
        self._u_product = F32(1.0)

    def _update_step(self, grads: list, variables: list[Tensor], lr: np.float32) -> None:
        t, t1 = F32(self._iterations + 1), F32(self._iterations + 2)
        b1, b2, decay = F32(self.beta_1), F32(self.beta_2), F32(0.96)
        u_t = b1 * (F32(1) - F32(0.5) * np.power(decay, t))
        u_t_1 = b1 * (F32(1) - F32(0.5) * np.power(decay, t1))
        u_product_t = self._u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        self._u_product = u_product_t
        beta_2_power = np.power(b2, t)
        for g, p in zip(grads, variables):
            m, v = self.state[p]["momentum"], self.state[p]["velocity"]
            m *= b1
            m += F32(1 - self.beta_1) * g
            v *= b2
            v += F32(1 - self.beta_2) * (g * g)
            m_hat = (m * u_t_1) / (F32(1) - u_product_t_1) + (g * (F32(1) - u_t)) / (
                F32(1) - u_product_t
            )
            v_hat = v / (F32(1) - beta_2_power)
            p._data -= (m_hat * lr) / (np.sqrt(v_hat) + F32(self.epsilon))

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "u_product": float(self._u_product)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        u_product = state_dict.pop("u_product", 1.0)
        super().load_state_dict(state_dict)
        self._u_product = F32(u_product)
