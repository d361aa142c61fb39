"""``autograd.grad`` and ``autograd.backward``: the chain rule of ``neuralab.tensor`` with
PyTorch's calling conventions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neuralab.tensor import Tensor, _accumulate, _root_gradient, _targets, backpropagate


def _pairs(outputs: Any, grad_outputs: Any, who: str) -> list[tuple[Tensor, Any]]:
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"{who}: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    return [(out, _root_gradient(out, g, who)) for out, g in zip(outputs, grad_outputs)]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, without touching any ``.grad``.

    For each input x: d(sum_k outputs[k] * grad_outputs[k]) / dx, as a tuple.

    Args:
        outputs: A Tensor or a sequence of Tensors to differentiate.
        inputs: A Tensor or a sequence of Tensors that require grad.
        grad_outputs: dL/d(output) for each output; may be omitted (None) for one-element
            outputs. Defaults to None.
        retain_graph: Keep the graph for another backward. Defaults to None (False).
        create_graph: Not supported (higher-order gradients). Defaults to False.
        allow_unused: Return None for an input the outputs do not depend on, instead of
            raising. Defaults to None (False).
        materialize_grads: Return zeros instead of None for unused inputs. Defaults to False.

    Returns:
        A tuple with one Tensor (or None) per input.

    Raises:
        RuntimeError: An input the outputs do not depend on (without allow_unused), an
            output that does not require grad, or grad_outputs of the wrong number or shape.
        NotImplementedError: create_graph=True.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> (g,) = nl.autograd.grad((x ** 2).sum(), x)
        >>> g, x.grad is None
        (tensor([2., 4.]), True)
    """
    if create_graph:
        raise NotImplementedError(
            "autograd.grad(create_graph=True): higher-order gradients are not supported by "
            "neuralab; its backward rules compute on arrays, outside the graph"
        )
    pairs = _pairs(outputs, grad_outputs, "autograd.grad")
    targets = _targets(inputs, "autograd.grad")
    for i, (out, g) in enumerate(pairs):
        keep = bool(retain_graph) or i < len(pairs) - 1
        backpropagate(out, g, keep, targets)
    result = []
    for tensor, g in targets.values():
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError(
                    "autograd.grad: one of the differentiated Tensors appears to not have "
                    "been used in the graph. Set allow_unused=True if this is the desired "
                    "behavior."
                )
            if materialize_grads:
                g = tensor._data * 0
        result.append(None if g is None else Tensor._from_array(g))
    return tuple(result)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Backward from several tensors at once, into the leaves' ``.grad``.

    The same as ``sum(t.backward(g) for t, g in zip(tensors, grad_tensors))``.

    Args:
        tensors: A Tensor or a sequence of Tensors to differentiate.
        grad_tensors: dL/d(tensor) for each; may be omitted (None) for one-element tensors.
            Defaults to None.
        retain_graph: Keep the graph for another backward. Defaults to None (False).
        create_graph: Not supported. Defaults to False.
        inputs: Accumulate into these tensors' ``.grad`` only. Defaults to None (all leaves).

    Raises:
        RuntimeError: A tensor that does not require grad, or grad_tensors of the wrong
            number or shape.
        NotImplementedError: create_graph=True.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> nl.autograd.backward([(x * 2).sum(), (x * x).sum()])
        >>> x.grad  # 2 + 2x
        tensor([4., 6.])
    """
    pairs = _pairs(tensors, grad_tensors, "autograd.backward")
    if create_graph:
        raise NotImplementedError("autograd.backward(create_graph=True) is not supported")
    targets = None if inputs is None else _targets(inputs, "autograd.backward")
    for i, (out, g) in enumerate(pairs):
        backpropagate(out, g, bool(retain_graph) or i < len(pairs) - 1, targets)
    for tensor, g in (targets or {}).values():
        if g is not None:
            _accumulate(tensor, g, None)
