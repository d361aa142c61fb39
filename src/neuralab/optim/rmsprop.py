"""RMSprop (Hinton, 2012) and Adagrad (Duchi et al., 2011): per-parameter step sizes from
the history of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """g = grad (+ weight_decay * p);  s = alpha s + (1 - alpha) g^2;
    centered: a = alpha a + (1 - alpha) g, denom = sqrt(s - a^2) + eps, else sqrt(s) + eps;
    momentum mu: b = mu b + g / denom, p <- p - lr b;  otherwise p <- p - lr g / denom."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _rules = (
        ("lr", "ge0", "learning rate"),
        ("eps", "ge0", "epsilon value"),
        ("momentum", "ge0", "momentum value"),
        ("weight_decay", "ge0", "weight_decay value"),
        ("alpha", "ge0", "alpha value"),
    )

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        required = {"step", "square_avg"}
        required |= {"momentum_buffer"} if group["momentum"] > 0 else set()
        required |= {"grad_avg"} if group["centered"] else set()
        return required, {"step", "square_avg", "momentum_buffer", "grad_avg"}, {"step"}

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        alpha = group["alpha"]
        if not state:
            state["step"] = 0.0
            state["square_avg"] = xp.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = xp.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p)
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (grad - grad_avg) * (1 - alpha)
            denominator = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denominator = xp.sqrt(square_avg)
        denominator += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += grad / denominator
            p -= group["lr"] * buf
        else:
            p -= group["lr"] * grad / denominator


class Adagrad(Optimizer):
    """g = grad (+ weight_decay * p);  lr_t = lr / (1 + (t - 1) lr_decay);
    s = s + g^2 (s_0 = initial_accumulator_value);  p <- p - lr_t g / (sqrt(s) + eps)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            eps=eps,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _rules = (
        ("lr", "ge0", "learning rate"),
        ("lr_decay", "ge0", "lr_decay value"),
        ("weight_decay", "ge0", "weight_decay value"),
        ("initial_accumulator_value", "ge0", "initial_accumulator_value value"),
        ("eps", "ge0", "epsilon value"),
    )

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        return {"step", "sum"}, {"step", "sum"}, {"step"}

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        if not state:
            state["step"] = 0.0
            state["sum"] = xp.full_like(p, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        denominator = xp.sqrt(state["sum"])
        denominator += group["eps"]
        p -= lr * grad / denominator
