"""Gradient clipping, in place on the parameters' gradients; ``rnn`` (pad_sequence)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy

from neuralab.creation import tensor
from neuralab.nn.utils import rnn
from neuralab.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "rnn"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad._data for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scales all gradients together, in place, so that their joint norm is at most max_norm.

    total = (sum over all gradient entries |g|^p)^(1/p) (p = inf: max |g|);
    every g <- g min(1, max_norm / (total + 1e-6)).

    Args:
        parameters: a Tensor or an iterable of tensors (e.g. ``model.parameters()``); those
            without a gradient are skipped.
        max_norm: the largest joint norm allowed.
        norm_type: p, or ``float('inf')``. Defaults to 2.0.
        error_if_nonfinite: raise if the total norm is nan or inf. Defaults to False.

    Returns:
        The total norm before clipping, a scalar Tensor (0 when no gradient is present).

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the total norm is not finite.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.Parameter(nl.zeros(2))
        >>> (w * nl.tensor([3.0, 4.0])).sum().backward()
        >>> nl.nn.utils.clip_grad_norm_([w], max_norm=1.0)
        tensor(5.)
        >>> w.grad
        tensor([0.6, 0.8])
    """
    grads = _grads(parameters)
    if not grads:
        return tensor(0.0)
    norm_type = float(norm_type)
    if norm_type == numpy.inf:
        total = max(float(numpy.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        norms = [numpy.linalg.norm(g.reshape(-1), norm_type) for g in grads]
        total = float(numpy.linalg.norm(numpy.asarray(norms), norm_type))
    if error_if_nonfinite and not numpy.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"non-finite ({total}); set error_if_nonfinite=False to clip anyway"
        )
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for g in grads:
            g *= g.dtype.type(coefficient)
    return tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamps every gradient entry, in place, to [-clip_value, clip_value].

    Args:
        parameters: a Tensor or an iterable of tensors; those without a gradient are skipped.
        clip_value: the bound, non-negative.

    Raises:
        ValueError: if ``clip_value`` is negative.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.Parameter(nl.zeros(3))
        >>> (w * nl.tensor([-3.0, 0.5, 4.0])).sum().backward()
        >>> nl.nn.utils.clip_grad_value_(w, 1.0)
        >>> w.grad
        tensor([-1. ,  0.5,  1. ])
    """
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for g in _grads(parameters):
        numpy.clip(g, -clip_value, clip_value, out=g)


def __getattr__(name: str) -> Any:
    from neuralab.nn.init import _deprecated
    from neuralab.torch_names import TORCH_NN_UTILS
    from neuralab.unsupported import missing

    if name == "clip_grad_norm":
        return _deprecated(name, clip_grad_norm_, "torch.nn.utils")
    raise missing(name, "torch.nn.utils", TORCH_NN_UTILS)
