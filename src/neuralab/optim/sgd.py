"""Stochastic gradient descent with momentum (Polyak / Nesterov) and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum and weight decay.

    With g the gradient, momentum mu and dampening d:

        g = grad + weight_decay * p
        b_1 = g,  b_t = mu * b_(t-1) + (1 - d) * g
        g = g + mu * b_t  (nesterov)  or  g = b_t  (momentum > 0)
        p <- p - lr * g  (p <- p + lr * g with maximize)

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-3.
        momentum: Momentum factor mu. Defaults to 0.0.
        dampening: Dampening d of the momentum. Defaults to 0.0.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        nesterov: Use Nesterov momentum (needs momentum > 0 and dampening 0).
            Defaults to False.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, momentum or weight_decay, an empty parameter
            list, or nesterov without momentum or with dampening.
        TypeError: A parameter that is not a Tensor requiring grad.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.8, -1.6], requires_grad=True)
    """

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
