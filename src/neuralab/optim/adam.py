"""Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from neuralab.backend import array_module
from neuralab.ops._numba import flat_views, kernels_for
from neuralab.ops.array_cache import cache
from neuralab.optim.adadelta import ADAM_RULES, pair
from neuralab.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): adaptive moment estimation.

    At step t, with g the gradient:

        g = grad + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g^2
        v_max = max(v_max, v)  (amsgrad; then v_max replaces v below)
        p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-3.
        betas: (b1, b2), decay rates of the first and second moment averages.
            Defaults to (0.9, 0.999).
        eps: Term added to the denominator for stability. Defaults to 1e-8.
        weight_decay: L2 penalty added to the gradient. Defaults to 0.0.
        amsgrad: Use the running maximum of v (AMSGrad). Defaults to False.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps or weight_decay, or a beta outside [0, 1).
        TypeError: betas that are not a pair of numbers, or a parameter that is not a Tensor
            requiring grad.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.Adam([w], lr=0.1)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.9, -1.9], requires_grad=True)
    """

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
        fast = None if group["amsgrad"] else kernels_for(p)
        flat = flat_views(p, grad, m, v) if fast is not None else None
        if flat is not None:  # the same operations in one pass (neuralab.ops._numba)
            f = p.dtype.type
            c1, b2_, c2, root = f(1 - b1), f(b2), f(1 - b2), f(math.sqrt(1 - b2**t))
            fast.adam_update(*flat, c1, b2_, c2, root, f(group["eps"]), f(lr / (1 - b1**t)))
            return
        work = cache.empty(p.shape, p.dtype, xp)  # no fresh temporaries (see array_cache)
        m += xp.multiply(xp.subtract(grad, m, out=work), 1 - b1, out=work)  # m lerp grad
        v *= b2
        v += xp.multiply(xp.multiply(grad, 1 - b2, out=work), grad, out=work)
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denominator = xp.sqrt(v, out=work)
        denominator /= math.sqrt(1 - b2**t)
        denominator += group["eps"]
        step = xp.multiply(m, lr / (1 - b1**t), out=cache.empty(p.shape, p.dtype, xp))
        p -= xp.divide(step, denominator, out=step)


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay.

    The weight decay shrinks the parameter before the Adam step instead of adding to the
    gradient:

        p <- p * (1 - lr * weight_decay)
        p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)  (as Adam, with g = grad)

    Args:
        params: Parameters to optimize, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        lr: Learning rate. Defaults to 1e-3.
        betas: (b1, b2), decay rates of the moment averages. Defaults to (0.9, 0.999).
        eps: Term added to the denominator for stability. Defaults to 1e-8.
        weight_decay: Decoupled weight decay factor. Defaults to 1e-2.
        amsgrad: Use the running maximum of v (AMSGrad). Defaults to False.
        maximize: Maximize the objective instead of minimizing it. Defaults to False.

    Raises:
        ValueError: A negative or non-finite lr, eps or weight_decay, or a beta outside [0, 1).
        TypeError: betas that are not a pair of numbers.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = nl.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w ** 2).sum().backward()  # grad = 2 w = [2, -4]
        >>> opt.step()
        >>> w
        tensor([ 0.85, -1.8 ], requires_grad=True)
    """

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
