"""The Function base class: one differentiable operation and its backward rule.

A subclass writes two static methods on plain arrays::

    class Exp(Function):
        '''y = e^x;  dy/dx = e^x = y'''
        @staticmethod
        def forward(ctx, x):
            y = xp.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved
            return (grad * y,)

``Exp.apply(tensor)`` unwraps the tensors, runs ``forward`` and, when gradients are on
and an input requires one, records the call as the output's ``grad_fn``. ``backward``
returns one gradient per input (``None`` where the input needs none,
``ctx.needs_input_grad`` says which) *before* broadcasting is undone: the engine sums each
gradient back to its input's shape in one place. Backward rules never modify ``grad``.
"""

from __future__ import annotations

from typing import Any

from neuralab import tensor as _tensor

Tensor = _tensor.Tensor
_grad_mode = _tensor.grad_mode
_new = _tensor.Tensor._from_array


class ShapeError(ValueError, RuntimeError):
    """Inputs whose shapes do not fit the op; names the op and the shapes.

    A ValueError by neuralab's rule and a RuntimeError as in PyTorch, so either catches it.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3) + nl.zeros(4)
        Traceback (most recent call last):
        neuralab.function.ShapeError: ...
    """


class Function:
    """A differentiable operation on arrays: a node of the autograd graph.

    Its instance is the ``ctx`` of forward and backward. A subclass writes two static
    methods on plain arrays: ``forward(ctx, *arrays, **params)`` and
    ``backward(ctx, grad)``, which returns one gradient per input (None where
    ``ctx.needs_input_grad`` says none is needed) before broadcasting is undone; the engine
    sums each gradient back to its input's shape. ``apply`` runs it on Tensors. (For
    functions written on Tensors, subclass ``neuralab.autograd.Function`` instead.)

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> class Exp(nl.Function):
        ...     # y = e^x,  dy/dx = e^x = y
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         y = np.exp(x)
        ...         ctx.save_for_backward(y)
        ...         return y
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (y,) = ctx.saved
        ...         return (grad * y,)
        >>> x = nl.tensor([0.0, 1.0], requires_grad=True)
        >>> Exp.apply(x).sum().backward()
        >>> x.grad
        tensor([1.    , 2.7183])
    """

    __slots__ = ("__dict__", "needs_input_grad", "parents")
    saved: tuple = ()

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep what backward needs; the engine drops it after backward unless retained."""
        self.saved = arrays

    @staticmethod
    def forward(ctx: Function, *arrays: Any, **params: Any) -> Any:
        """The operation on plain arrays; implemented by each subclass.

        Args:
            ctx: This node: ``ctx.save_for_backward(...)`` keeps what backward needs.
            *arrays: The inputs' arrays (or constants).
            **params: The op's non-differentiable parameters.

        Returns:
            The output array.
        """
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Function, grad: Any) -> tuple:
        """The gradients of the inputs given that of the output; implemented by each subclass.

        Args:
            ctx: This node (``ctx.saved``, ``ctx.needs_input_grad``).
            grad: dL/d(output), an array of the output's shape; never modified.

        Returns:
            One gradient array (or None) per input, before broadcasting is undone.
        """
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays and record the node when a gradient is needed.

        Positional inputs are Tensors or constants (Python numbers, arrays); keyword
        arguments are the op's non-differentiable parameters.
        """
        ctx = cls()
        arrays = []  # one pass over the inputs: their arrays and which need a gradient
        needs = []
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._data)
                needs.append(x.requires_grad)
            else:
                arrays.append(x)
                needs.append(False)
        try:
            out = cls.forward(ctx, *arrays, **params)
        except ValueError as error:
            if isinstance(error, ShapeError):
                raise
            shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in arrays)
            raise ShapeError(f"{cls.__name__.lower()}: {error} (input shapes: {shapes})") from None
        result = _new(out)
        if _grad_mode.enabled and True in needs:
            ctx.parents = inputs
            ctx.needs_input_grad = tuple(needs)
            ctx.clock = _grad_mode.clock
            result.requires_grad = True
            result._ctx = ctx
        return result

    @property
    def name(self) -> str:
        """The node's name as PyTorch prints it, e.g. ``"ExpBackward"``."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        """One ``(node, 0)`` per input, as PyTorch's graph walk reads it: the input's
        ``grad_fn``, an ``AccumulateGrad`` for a leaf that requires grad, else ``None``."""
        out = []
        for x in getattr(self, "parents", ()):
            if not isinstance(x, Tensor) or not x.requires_grad:
                out.append((None, 0))
            elif x._ctx is not None:
                out.append((x._ctx, 0))
            else:
                out.append((AccumulateGrad(x), 0))
        return tuple(out)

    def __repr__(self) -> str:
        return f"<{self.name}>"


class AccumulateGrad:
    """The graph node where a leaf's gradient is added to ``variable.grad``."""

    name = "AccumulateGrad"
    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
