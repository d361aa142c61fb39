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
    """d(sum of outputs · grad_outputs)/d(input) for each input, as a tuple, without
    touching any ``.grad``. An input the outputs do not depend on raises, unless
    ``allow_unused`` (then None, or zeros with ``materialize_grads``)."""
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
    """``sum(t.backward(g) for t, g in zip(tensors, grad_tensors))`` into the leaves' ``.grad``."""
    pairs = _pairs(tensors, grad_tensors, "autograd.backward")
    if create_graph:
        raise NotImplementedError("autograd.backward(create_graph=True) is not supported")
    targets = None if inputs is None else _targets(inputs, "autograd.backward")
    for i, (out, g) in enumerate(pairs):
        backpropagate(out, g, bool(retain_graph) or i < len(pairs) - 1, targets)
    for tensor, g in (targets or {}).values():
        if g is not None:
            _accumulate(tensor, g, None)
