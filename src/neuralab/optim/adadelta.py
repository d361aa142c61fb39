"""Adadelta (Zeiler, 2012) and Adamax (Kingma and Ba, 2015, section 7), as ``torch.optim``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.optimizer import Optimizer

# PyTorch's checks of Adam's arguments, in its order (Adam, AdamW, Adamax, NAdam, RAdam)
ADAM_RULES = (
    ("lr", "ge0", "learning rate"),
    ("eps", "ge0", "epsilon value"),
    ("betas", "beta", ""),
    ("weight_decay", "ge0", "weight_decay value"),
)


def pair(betas: Any) -> Any:
    """betas as a tuple (anything but a tuple or list is left for the check to name)."""
    return tuple(betas) if isinstance(betas, (tuple, list)) else betas


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
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    _rules = (
        ("lr", "ge0", "learning rate"),
        ("rho", "unit", "rho value"),
        ("eps", "ge0", "epsilon value"),
        ("weight_decay", "ge0", "weight_decay value"),
    )

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        names = {"step", "square_avg", "acc_delta"}
        return names, names, {"step"}

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
            lr=lr,
            betas=tuple(betas) if isinstance(betas, (tuple, list)) else betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    _rules = ADAM_RULES

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        names = {"step", "exp_avg", "exp_inf"}
        return names, names, {"step"}

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
