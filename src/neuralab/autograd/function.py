"""``torch.autograd.function``'s import path: ``Function``, ``FunctionCtx`` and
``once_differentiable`` (see ``neuralab.autograd.custom``)."""

from __future__ import annotations

from neuralab.autograd.custom import Function, FunctionCtx, once_differentiable

__all__ = ["Function", "FunctionCtx", "once_differentiable"]
