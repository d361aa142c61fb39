"""RMSprop (Hinton, 2012) and Adagrad (Duchi et al., 2011): per-parameter step sizes from
the history of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): divide the gradient by a running root mean square.

        g = grad + weight_decay * p
        s = alpha * s + (1 - alpha) * g^2
        denom = sqrt(s - a^2) + eps, with a = alpha * a + (1 - alpha) * g  (centered)
        denom = sqrt(s) + eps  (otherwise)
        b = mu * b + g / denom,  p <- p - lr * b  (momentum mu > 0)
        p <- p - lr * g / denom  (otherwise)

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-2.
        alpha: Decay rate of the running averages. Defaults to 0.99.
        eps: Term added to the denominator. Defaults to 1e-8.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        momentum: Momentum factor mu. Defaults to 0.0.
        centered: Normalize by the estimated variance instead of the raw second moment.
            Defaults to False.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, alpha, eps, momentum or weight_decay.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.RMSprop([w])
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.9, -1.9], requires_grad=True)
    """

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
    """Adagrad (Duchi et al., 2011): a learning rate per coordinate from the sum of squared
    gradients.

        g = grad + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g^2  (s_0 = initial_accumulator_value)
        p <- p - lr_t * g / (sqrt(s) + eps)

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-2.
        lr_decay: Decay of the learning rate per step. Defaults to 0.0.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        initial_accumulator_value: Starting value of s. Defaults to 0.0.
        eps: Term added to the denominator. Defaults to 1e-10.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, lr_decay, weight_decay,
            initial_accumulator_value or eps.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.Adagrad([w], lr=0.1)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.9, -1.9], requires_grad=True)
    """

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
