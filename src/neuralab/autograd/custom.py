"""Custom differentiable functions written on Tensors, as ``torch.autograd.Function``::

    class Cube(neuralab.autograd.Function):
        '''y = x^3;  dy/dx = 3 x^2'''

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x**2

    y = Cube.apply(x)

``forward`` runs with gradients off and returns one Tensor; ``backward`` receives dL/dy
and returns one gradient (a Tensor or None) per input of ``forward``. (neuralab's own ops
use ``neuralab.Function``, whose forward and backward work on arrays.)
"""

from __future__ import annotations

from typing import Any

from neuralab.function import Function as _ArrayFunction
from neuralab.tensor import Tensor, grad_mode, no_grad


class FunctionCtx:
    """The ``ctx`` of a custom Function: what forward leaves for backward."""

    def __init__(self, needs_input_grad: tuple) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Accepted for compatibility; outputs of a custom Function are differentiable."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for compatibility; gradients given to backward are always arrays."""

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted: a tensor forward changed in place is returned as a new graph output
        sharing its memory."""


def once_differentiable(backward: Any) -> Any:
    """``torch.autograd.function.once_differentiable``: backward here always runs without
    recording a graph, so the decorator changes nothing."""
    return backward


class _CustomNode(_ArrayFunction):
    """The graph node of one call of a custom Function: backward calls the user's."""

    @staticmethod
    def backward(node: _CustomNode, grad: Any) -> tuple:
        with no_grad():
            grads = node.function.backward(node.user_ctx, Tensor._from_array(grad))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < len(node.parents):
            raise RuntimeError(
                f"function {node.function.__name__}.backward returned {len(grads)} gradients, "
                f"but forward had {len(node.parents)} inputs"
            )
        return tuple(g._data if isinstance(g, Tensor) else g for g in grads)

    @property
    def name(self) -> str:
        return self.function.__name__ + "Backward"


class Function:
    """Base of custom differentiable functions: subclass it with static ``forward(ctx, ...)``
    and ``backward(ctx, grad_output)`` and call ``apply``."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a custom Function must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a custom Function must define a static backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if not isinstance(out, Tensor):
            raise NotImplementedError(
                f"{cls.__name__}.forward returned {type(out).__name__}: custom Functions in "
                "neuralab return one Tensor"
            )
        result = Tensor._from_array(out._data)
        if grad_mode.enabled and True in needs:
            node = _CustomNode()
            node.parents = args
            node.needs_input_grad = needs
            node.clock = grad_mode.clock
            node.function = cls
            node.user_ctx = ctx
            node.saved = tuple(t._data for t in ctx.saved_tensors if isinstance(t, Tensor))
            result.requires_grad = True
            result._ctx = node
        return result
