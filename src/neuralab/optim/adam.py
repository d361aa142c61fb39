"""Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.adadelta import ADAM_RULES, pair
from neuralab.optim.optimizer import Optimizer


class Adam(Optimizer):
    """g = grad (+ weight_decay * p);  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    v_max = max(v_max, v) with amsgrad;  p <- p - lr / (1 - b1^t) * m /
    (sqrt(v or v_max) / sqrt(1 - b2^t) + eps)."""

    decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=pair(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _rules = ADAM_RULES

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        arrays = {"exp_avg", "exp_avg_sq"}
        required = {"step", *arrays, *(("max_exp_avg_sq",) if group["amsgrad"] else ())}
        return required, {"step", *arrays, "max_exp_avg_sq"}, {"step"}

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0.0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p)
        if wd and self.decoupled:
            p *= 1 - lr * wd
        elif wd:
            grad = grad + wd * p
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (grad - m) * (1 - b1)
        v *= b2
        v += (1 - b2) * grad * grad
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denominator = xp.sqrt(v)
        denominator /= math.sqrt(1 - b2**t)
        denominator += group["eps"]
        p -= (lr / (1 - b1**t)) * m / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay: p <- p (1 - lr * weight_decay) before the Adam step."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
