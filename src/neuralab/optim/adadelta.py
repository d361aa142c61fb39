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
    """The betas as a tuple; anything but a tuple or list is returned as is, for the check to name.

    Args:
        betas: The ``betas`` argument of an Adam-like optimizer.

    Returns:
        ``tuple(betas)`` for a tuple or list, else ``betas`` unchanged.

    Examples:
        >>> pair([0.9, 0.999])
        (0.9, 0.999)
    """
    return tuple(betas) if isinstance(betas, (tuple, list)) else betas


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012): a learning rate per coordinate from running averages.

    With s the running average of squared gradients (``square_avg``) and u that of squared
    updates (``acc_delta``):

        g = grad + weight_decay * p
        s = rho * s + (1 - rho) * g^2
        delta = sqrt(u + eps) / sqrt(s + eps) * g
        u = rho * u + (1 - rho) * delta^2
        p <- p - lr * delta

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Scale of the update delta. Defaults to 1.0.
        rho: Decay rate of the running averages. Defaults to 0.9.
        eps: Term added inside the square roots. Defaults to 1e-6.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        foreach: Accepted for PyTorch compatibility; ignored. Defaults to None.
        capturable: Accepted for PyTorch compatibility; ignored. Defaults to False.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.
        differentiable: Accepted for PyTorch compatibility; ignored. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps or weight_decay, or rho outside [0, 1].

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.Adadelta([w])
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.9968, -1.9968], requires_grad=True)
    """

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
    """Adamax (Kingma and Ba, 2015, section 7): Adam with the infinity norm.

        g = grad + weight_decay * p
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, |g| + eps)
        p <- p - lr / (1 - b1^t) * m / u

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 2e-3.
        betas: (b1, b2), decay rates of m and u. Defaults to (0.9, 0.999).
        eps: Term added to |g|. Defaults to 1e-8.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        foreach: Accepted for PyTorch compatibility; ignored. Defaults to None.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.
        differentiable: Accepted for PyTorch compatibility; ignored. Defaults to False.
        capturable: Accepted for PyTorch compatibility; ignored. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps or weight_decay, or a beta outside [0, 1).

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.Adamax([w], lr=0.1)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.9, -1.9], requires_grad=True)
    """

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
