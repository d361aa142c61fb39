"""Custom differentiable functions written on Tensors, as ``torch.autograd.Function``.

``forward`` runs with gradients off and returns one Tensor; ``backward`` receives dL/dy
and returns one gradient (a Tensor or None) per input of ``forward``. (neuralab's own ops
use ``neuralab.Function``, whose forward and backward work on arrays.)
"""

from __future__ import annotations

from typing import Any

from neuralab.function import Function as _ArrayFunction
from neuralab.tensor import Tensor, grad_mode, no_grad


class FunctionCtx:
    """The ``ctx`` of a custom Function: what forward leaves for backward.

    Attributes: ``needs_input_grad`` (per input of forward, whether it requires grad) and
    ``saved_tensors`` (what ``save_for_backward`` stored); forward may also set any other
    attribute for backward to read.

    Args:
        needs_input_grad: Per input of forward, whether it requires grad.

    Examples:
        >>> from neuralab.autograd import FunctionCtx
        >>> ctx = FunctionCtx((True, False))
        >>> ctx.save_for_backward("x")
        >>> ctx.saved_tensors, ctx.needs_input_grad
        (('x',), (True, False))
    """

    def __init__(self, needs_input_grad: tuple) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for backward, in ``saved_tensors``.

        Args:
            *tensors: The tensors (or other values) backward needs.
        """
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Accepted for compatibility; outputs of a custom Function are differentiable.

        Args:
            *tensors: Ignored.
        """

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for compatibility; gradients given to backward are always arrays.

        Args:
            value: Ignored.
        """

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted: a tensor changed in place is returned as a new output sharing its memory.

        Args:
            *tensors: Ignored.
        """


def once_differentiable(backward: Any) -> Any:
    """``torch.autograd.function.once_differentiable``: returns ``backward`` unchanged.

    Backward here always runs without recording a graph, so the decorator changes nothing.

    Args:
        backward: A Function's static backward.

    Returns:
        ``backward`` itself.

    Examples:
        >>> from neuralab.autograd import once_differentiable
        >>> def backward(ctx, grad):
        ...     return grad
        >>> once_differentiable(backward) is backward
        True
    """
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
    """Base of custom differentiable functions: subclass it and call ``apply``.

    Subclasses define static ``forward(ctx, *inputs)`` (run with gradients off; returns one
    Tensor) and ``backward(ctx, grad_output)`` (returns one gradient, a Tensor or None, per
    input of forward).

    Raises:
        NotImplementedError: A subclass without forward or backward, or a forward that does
            not return one Tensor.
        RuntimeError: A backward that returns fewer gradients than forward had inputs.

    Examples:
        >>> import neuralab as nl
        >>> class Cube(nl.autograd.Function):
        ...     # y = x^3,  dy/dx = 3 x^2
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         (x,) = ctx.saved_tensors
        ...         return grad_output * 3 * x ** 2
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> y = Cube.apply(x)
        >>> y.sum().backward()
        >>> y.detach(), x.grad
        (tensor([1., 8.]), tensor([ 3., 12.]))
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        """The function on Tensors, run with gradients off; implemented by each subclass.

        Args:
            ctx: A ``FunctionCtx`` to leave things for backward.
            *args: The inputs.
            **kwargs: Keyword inputs.

        Returns:
            One Tensor.
        """
        raise NotImplementedError("a custom Function must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        """The gradients of the inputs given that of the output; implemented by each subclass.

        Args:
            ctx: The ``FunctionCtx`` forward filled.
            *grad_outputs: dL/d(output), a Tensor.

        Returns:
            One gradient (a Tensor or None) per input of forward.
        """
        raise NotImplementedError("a custom Function must define a static backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward on the inputs and record the call in the graph for backward.

        Args:
            *args: The inputs of forward.
            **kwargs: Keyword inputs of forward (not differentiated).

        Returns:
            forward's Tensor, with a grad_fn when an input requires grad and grad mode is on.

        Raises:
            NotImplementedError: forward does not return one Tensor.
        """
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
