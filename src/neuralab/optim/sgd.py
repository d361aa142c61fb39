"""Stochastic gradient descent with momentum (Polyak / Nesterov) and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.optim.optimizer import Optimizer


class SGD(Optimizer):
    """g = grad (+ weight_decay * p);  with momentum mu and dampening d:
    b_1 = g,  b_t = mu b_(t-1) + (1 - d) g;  g = g + mu b_t (nesterov) or g = b_t;
    p <- p - lr * g  (p <- p + lr * g with maximize)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _rules = (
        ("lr", "lt0", "learning rate"),
        ("momentum", "lt0", "momentum value"),
        ("weight_decay", "lt0", "weight_decay value"),
    )

    def _check(self, group: dict) -> None:
        super()._check(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        return ({"momentum_buffer"} if group["momentum"] else set(), {"momentum_buffer"}, set())

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        p -= group["lr"] * grad
