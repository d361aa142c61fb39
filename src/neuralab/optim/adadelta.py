"""Adadelta (Zeiler, 2012) and Adamax (Kingma and Ba, 2015, section 7), as ``torch.optim``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.optimizer import Optimizer


class Adadelta(Optimizer):
    """g = grad (+ weight_decay * p);  s = rho s + (1 - rho) g^2;
    delta = sqrt(u + eps) / sqrt(s + eps) * g;  u = rho u + (1 - rho) delta^2;
    p <- p - lr delta  (s: square_avg, u: acc_delta)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value {rho} (expected 0 <= rho <= 1)")
        if eps < 0:
            raise ValueError(f"Adadelta: invalid epsilon value {eps}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = 0.0
            state["square_avg"] = xp.zeros_like(p)
            state["acc_delta"] = xp.zeros_like(p)
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        p -= group["lr"] * delta


class Adamax(Optimizer):
    """g = grad (+ weight_decay * p);  m = b1 m + (1 - b1) g;  u = max(b2 u, |g| + eps);
    p <- p - lr / (1 - b1^t) * m / u  (Adam with the infinity norm)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(params, defaults)

    def _check(self, group: dict) -> None:
        super()._check(group)
        _check_betas(type(self).__name__, group)

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        (b1, b2), eps = group["betas"], group["eps"]
        if not state:
            state["step"] = 0.0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_inf"] = xp.zeros_like(p)
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        m, u = state["exp_avg"], state["exp_inf"]
        m += (grad - m) * (1 - b1)
        u *= b2
        xp.maximum(u, xp.abs(grad) + eps, out=u)
        p -= (group["lr"] / (1 - b1 ** state["step"])) * m / u


def _check_betas(name: str, group: dict) -> None:
    b1, b2 = group["betas"]
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise ValueError(f"{name}: betas must be in [0, 1), got {group['betas']}")
    if group["eps"] < 0:
        raise ValueError(f"{name}: invalid eps {group['eps']}")
