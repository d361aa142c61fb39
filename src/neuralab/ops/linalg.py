"""Matrix products.

C = A B  (with NumPy's matmul rules: 1-D operands are promoted to matrices and batch
axes broadcast);  dL/dA = dL/dC B^T,  dL/dB = A^T dL/dC.
"""

from __future__ import annotations

from typing import Any

from neuralab.function import Function, ShapeError
from neuralab.tensor import Tensor


class MatMul(Function):
    """C = A @ B;  dC/dA: grad @ B^T,  dC/dB: A^T @ grad"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the hot path
            return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = g2[..., None, :]
        if b.ndim == 1:
            g2 = g2[..., None]
        grad_a = grad_b = None
        if need_a:
            grad_a = g2 @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = a2.swapaxes(-1, -2) @ g2
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product a @ b (batched; 1-D operands are vectors)."""
    try:
        return MatMul.apply(a, b)
    except ShapeError:
        sa, sb = getattr(a, "shape", ()), getattr(b, "shape", ())
        if not sa or not sb:
            raise ShapeError(
                f"matmul: both arguments need at least one dimension, got shapes {sa} and {sb}"
            ) from None
        inner_b = sb[0] if len(sb) == 1 else sb[-2]
        raise ShapeError(
            f"matmul: shapes {sa} and {sb} cannot be multiplied "
            f"({sa[-1]} != {inner_b}, or batch dimensions do not broadcast)"
        ) from None
