"""Vector norms (``torch.norm``, ``Tensor.norm``).

||x||_p = (sum_i |x_i|^p)^(1/p) over the given dims (all of them when None); p = 2 and
'fro' are the Euclidean norm, p = inf the largest |x_i|, p = -inf the smallest, p = 0 the
count of nonzero entries. The matrix norm 'nuc' is not supported.
"""

from __future__ import annotations

import math
from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function
from neuralab.ops.arithmetic import abs, cast, pow
from neuralab.ops.reduction import _axes, _spread, amax, amin, sum
from neuralab.tensor import Tensor


class Norm2(Function):
    """n = sqrt(sum_i x_i^2);  dn/dx_i = x_i / n  (0 where n = 0, the subgradient PyTorch
    takes)."""

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        xp = array_module(a)
        n = xp.sqrt((a * a).sum(axis=axes, keepdims=True))
        ctx.save_for_backward(a, n)
        ctx.axes, ctx.keepdim = axes, keepdim
        return n if keepdim else n.reshape([s for i, s in enumerate(a.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        a, n = ctx.saved
        xp = array_module(grad)
        spread = _spread(grad, a.shape, ctx.axes, ctx.keepdim)
        with xp.errstate(invalid="ignore", divide="ignore"):
            scale = xp.where(n == 0, 0, 1 / n)
        return (spread * a * scale,)


def norm(
    input: Tensor,
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """The vector p-norm over ``dim`` (all elements when None): ||x||_p = (sum_i |x_i|^p)^(1/p).

    p = 2 and 'fro' are the Euclidean norm (d||x||/dx_i = x_i / ||x||, 0 at x = 0), p = inf
    the largest |x_i|, p = -inf the smallest, p = 0 the count of nonzero entries.

    Args:
        input: a floating tensor.
        p: a number, inf, -inf, ``'fro'`` or None (both 2). Defaults to ``'fro'``.
        dim: an axis or a tuple of axes. Defaults to None (all).
        keepdim: keep the reduced axes with size 1. Defaults to False.
        dtype: convert the input to this dtype first. Defaults to None.

    Returns:
        The norm, with the reduced axes removed (or kept with size 1).

    Raises:
        TypeError: if ``input`` is not a floating Tensor.
        NotImplementedError: for matrix norms (``p='nuc'``).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[3.0, 4.0], [-1.0, 0.0]])
        >>> x.norm(), x.norm(dim=1), x.norm(p=1), x.norm(p=float("inf"), dim=0)
        (tensor(5.099), tensor([5., 1.]), tensor(8.), tensor([3., 4.]))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"norm(): argument 'input' must be Tensor, not {type(input).__name__}")
    if dtype is not None:
        input = cast(input, dtype=array_module(input._data).dtype(dtype))
    if input._data.dtype.kind not in "fc":
        raise TypeError(f"norm: expected a floating point tensor, got {input.dtype}")
    if p is None or p == "fro":
        p = 2
    if isinstance(p, str):
        raise NotImplementedError(
            f"norm: p={p!r} (a matrix norm) is not supported by neuralab; vector norms are "
            "(p = 'fro', a number, inf or -inf)"
        )
    axes = _axes(dim, input._data.ndim, "norm")
    if p == 2:
        return Norm2.apply(input, axes=axes, keepdim=keepdim)
    if p == math.inf:
        return amax(abs(input), axes, keepdim)
    if p == -math.inf:
        return amin(abs(input), axes, keepdim)
    if p == 0:
        count = (input._data != 0).sum(axis=axes, keepdims=keepdim)
        return Tensor._from_array(array_module(count).asarray(count, dtype=input._data.dtype))
    if p == 1:
        return sum(abs(input), axes, keepdim)
    return pow(sum(pow(abs(input), p), axes, keepdim), 1.0 / p)
