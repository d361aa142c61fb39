"""``torch.autograd``'s API: ``grad``, ``backward``, custom Functions, ``gradcheck``.

The engine itself (the graph, the chain rule) lives in ``neuralab.tensor``; the op-level
``neuralab.Function`` (forward and backward on arrays) in ``neuralab.function``.
"""

from __future__ import annotations

from neuralab.autograd.checking import (
    GradcheckError,
    analytical_jacobian,
    gradcheck,
    numerical_jacobian,
)
from neuralab.autograd.custom import Function, FunctionCtx, once_differentiable
from neuralab.autograd.functional import backward, grad
from neuralab.tensor import Tensor, enable_grad, no_grad, set_grad_enabled


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """PyTorch's pre-0.4 ``Variable(tensor, requires_grad=...)``: returns ``data`` itself.

    Since PyTorch 0.4 a Tensor is a Variable; this sets ``requires_grad`` when asked.

    Args:
        data: A Tensor.
        requires_grad: Make it require grad. Defaults to False.
        volatile: Accepted (removed in PyTorch 0.4); no effect. Defaults to False.

    Returns:
        ``data``.

    Raises:
        TypeError: data is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.zeros(2)
        >>> nl.autograd.Variable(x, requires_grad=True) is x, x.requires_grad
        (True, True)
    """
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable: data must be a Tensor, got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "analytical_jacobian",
    "backward",
    "enable_grad",
    "once_differentiable",
    "grad",
    "gradcheck",
    "no_grad",
    "numerical_jacobian",
    "set_grad_enabled",
    "Variable",
]
