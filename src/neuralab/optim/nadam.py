"""NAdam (Dozat, 2016) and RAdam (Liu et al., 2020): Adam with Nesterov momentum, and Adam
with its variance rectified in the first steps; as ``torch.optim``. LBFGS is not here."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.adadelta import ADAM_RULES, pair
from neuralab.optim.optimizer import Optimizer


class _AdamFamily(Optimizer):
    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        defaults["betas"] = pair(defaults["betas"])
        super().__init__(params, defaults)

    _rules = ADAM_RULES

    def _state_layout(self, group: dict) -> tuple[set, set, set]:
        names = {"step", "exp_avg", "exp_avg_sq", *self._extra_state}
        return names, names, {"step", *self._extra_state}

    _extra_state: tuple[str, ...] = ()

    def _moments(self, p: Any, grad: Any, group: dict, state: dict) -> tuple:
        """Weight decay (L2 or decoupled), then m = b1 m + (1 - b1) g and
        v = b2 v + (1 - b2) g^2; returns (grad, m, v, t)."""
        xp = array_module(p)
        (b1, b2), lr, wd = group["betas"], group["lr"], group["weight_decay"]
        if "exp_avg" not in state:
            state["step"] = 0.0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
        state["step"] += 1
        if wd and group["decoupled_weight_decay"]:
            p *= 1 - lr * wd
        elif wd:
            grad = grad + wd * p
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (grad - m) * (1 - b1)
        v *= b2
        v += (1 - b2) * grad * grad
        return grad, m, v, state["step"]


class NAdam(_AdamFamily):
    """NAdam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule.

    With psi = momentum_decay, m and v as in Adam and P_t = prod_(i<=t) mu_i:

        mu_t = b1 * (1 - 0.5 * 0.96^(t * psi))
        denom = sqrt(v / (1 - b2^t)) + eps
        p <- p - lr * (1 - mu_t) / (1 - P_t) * g / denom
               - lr * mu_(t+1) / (1 - P_t * mu_(t+1)) * m / denom

    Weight decay adds ``weight_decay * p`` to g, or with decoupled_weight_decay (NAdamW)
    shrinks p <- p * (1 - lr * weight_decay) first.

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 2e-3.
        betas: (b1, b2), decay rates of m and v. Defaults to (0.9, 0.999).
        eps: Term added to the denominator. Defaults to 1e-8.
        weight_decay: Weight decay factor. Defaults to 0.0.
        momentum_decay: psi in the momentum schedule. Defaults to 4e-3.
        decoupled_weight_decay: Decay the weights directly (AdamW style). Defaults to False.
        foreach: Accepted for PyTorch compatibility; ignored. Defaults to None.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.
        capturable: Accepted for PyTorch compatibility; ignored. Defaults to False.
        differentiable: Accepted for PyTorch compatibility; ignored. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps, weight_decay or momentum_decay, or a
            beta outside [0, 1).

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.NAdam([w], lr=0.1)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.8944, -1.8944], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    _rules = (*ADAM_RULES, ("momentum_decay", "ge0", "momentum_decay value"))
    _extra_state = ("mu_product",)

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        state.setdefault("mu_product", 1.0)
        grad, m, v, t = self._moments(p, grad, group, state)
        (b1, b2), lr, psi = group["betas"], group["lr"], group["momentum_decay"]
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        product = state["mu_product"]
        denom = xp.sqrt(v / (1 - b2**t)) + group["eps"]
        p -= (lr * (1 - mu) / (1 - product)) * grad / denom
        p -= (lr * mu_next / (1 - product * mu_next)) * m / denom


class RAdam(_AdamFamily):
    """RAdam (Liu et al., 2020): Adam with its adaptive step rectified while its variance is
    intractable.

    With m, v as in Adam and m^ = m / (1 - b1^t):

        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2^t / (1 - b2^t)
        r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
        p <- p - lr * m^ * r * sqrt(1 - b2^t) / (sqrt(v) + eps)  (rho_t > 5)
        p <- p - lr * m^  (otherwise: SGD with momentum)

    Weight decay adds ``weight_decay * p`` to g, or with decoupled_weight_decay shrinks
    p <- p * (1 - lr * weight_decay) first.

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-3.
        betas: (b1, b2), decay rates of m and v. Defaults to (0.9, 0.999).
        eps: Term added to the denominator. Defaults to 1e-8.
        weight_decay: Weight decay factor. Defaults to 0.0.
        decoupled_weight_decay: Decay the weights directly (AdamW style). Defaults to False.
        foreach: Accepted for PyTorch compatibility; ignored. Defaults to None.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.
        capturable: Accepted for PyTorch compatibility; ignored. Defaults to False.
        differentiable: Accepted for PyTorch compatibility; ignored. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps or weight_decay, or a beta outside [0, 1).

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.RAdam([w], lr=0.1)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.8, -1.6], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, p: Any, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(p)
        _, m, v, t = self._moments(p, grad, group, state)
        (b1, b2), lr = group["betas"], group["lr"]
        correction2 = 1 - b2**t
        m_hat = m / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2**t) / correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            p -= m_hat * lr * (math.sqrt(correction2) / (xp.sqrt(v) + group["eps"])) * rect
        else:
            p -= m_hat * lr


class LBFGS:
    """Not implemented: L-BFGS needs ``step(closure)`` line searches.

    Args:
        *args: Ignored.
        **kwargs: Ignored.

    Raises:
        NotImplementedError: Always, naming the nearest alternatives (Adam, SGD with momentum).

    Examples:
        >>> import neuralab as nl
        >>> nl.optim.LBFGS([])
        Traceback (most recent call last):
        NotImplementedError: torch.optim.LBFGS is not implemented in neuralab ...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "torch.optim.LBFGS is not implemented in neuralab (it needs step(closure) line "
            "searches); nearest: optim.Adam or optim.SGD with momentum"
        )
