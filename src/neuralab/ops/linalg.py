"""Matrix products.

C = A B  (with NumPy's matmul rules: 1-D operands are promoted to matrices and batch
axes broadcast);  dL/dA = dL/dC B^T,  dL/dB = A^T dL/dC.
"""

from __future__ import annotations

from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.arithmetic import mul
from neuralab.ops.shape import reshape
from neuralab.tensor import DTypeError, Tensor


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


def matmul(a: Any, b: Any, *, out: Any = None) -> Tensor:
    """Matrix product ``a @ b``, batched, with NumPy/PyTorch broadcasting of batch axes.

    1-D operands are vectors (a prepended / appended axis, removed afterwards). With
    C = A B: dL/dA = G B^T and dL/dB = A^T G (summed over broadcast batch axes).

    Args:
        a: a tensor of at least 1 dimension.
        b: a tensor of at least 1 dimension, of ``a``'s dtype.
        out: a tensor to write the result into (outside the graph). Keyword only. Defaults to
            None.

    Returns:
        The product, (..., n, p).

    Raises:
        DTypeError: if the dtypes differ (a TypeError).
        ShapeError: if the inner sizes differ or batch axes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> a = nl.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> a @ nl.tensor([1.0, 1.0]), nl.matmul(nl.ones(5, 3, 2), a).shape
        (tensor([3., 7.]), (5, 3, 2))
    """
    if out is not None:
        from neuralab.ops.arithmetic import store

        return store(matmul(a, b), out, "matmul")
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da != db and da is not None and db is not None:
        raise DTypeError(
            f"matmul: expected both operands to have the same dtype, got {da} and {db} "
            "(as PyTorch; convert one with .to())"
        )
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


def _check_tensor(x: Any, op: str, role: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{role}' must be Tensor, not {type(x).__name__}")


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors, without broadcasting: (n, m) @ (m, p) -> (n, p).

    Args:
        input: an (n, m) tensor.
        mat2: an (m, p) tensor.

    Returns:
        The (n, p) product.

    Raises:
        TypeError: if an argument is not a Tensor.
        ShapeError: if an argument is not 2-D or the inner sizes differ (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.mm(nl.ones(2, 3), nl.ones(3, 4)).shape
        (2, 4)
    """
    _check_tensor(input, "mm", "input")
    _check_tensor(mat2, "mm", "mat2")
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise ShapeError(
            f"mm: both arguments must be matrices (2-D), got shapes {input.shape} and "
            f"{mat2.shape}; use matmul for batches and vectors"
        )
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors: (b, n, m) @ (b, m, p) -> (b, n, p).

    Args:
        input: a (b, n, m) tensor.
        mat2: a (b, m, p) tensor.

    Returns:
        The (b, n, p) product.

    Raises:
        TypeError: if an argument is not a Tensor.
        ShapeError: if an argument is not 3-D or the sizes differ (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.bmm(nl.ones(5, 2, 3), nl.ones(5, 3, 4)).shape
        (5, 2, 4)
    """
    _check_tensor(input, "bmm", "input")
    _check_tensor(mat2, "bmm", "mat2")
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise ShapeError(
            f"bmm: both arguments must be 3-D tensors, got shapes {input.shape} and {mat2.shape}"
        )
    if input._data.shape[0] != mat2._data.shape[0]:
        raise ShapeError(
            f"bmm: batch sizes differ: shapes {input.shape} and {mat2.shape} (no broadcasting)"
        )
    return matmul(input, mat2)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of one size: sum_i a_i b_i.

    Args:
        input: a 1-D tensor.
        other: a 1-D tensor of the same size.

    Returns:
        A 0-d tensor.

    Raises:
        TypeError: if an argument is not a Tensor.
        ShapeError: if an argument is not 1-D or the sizes differ (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.dot(nl.tensor([1.0, 2.0]), nl.tensor([3.0, 4.0]))
        tensor(11.)
    """
    _check_tensor(input, "dot", "input")
    _check_tensor(other, "dot", "other")
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise ShapeError(
            f"dot: 1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    if input._data.shape != other._data.shape:
        raise ShapeError(
            f"dot: inconsistent tensor size: {input._data.shape[0]} and "
            f"{other._data.shape[0]} elements"
        )
    return matmul(input, other)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors: out[i, j] = a_i b_j (also ``ger``).

    Args:
        input: a 1-D tensor a.
        vec2: a 1-D tensor b.

    Returns:
        A (len(a), len(b)) tensor.

    Raises:
        TypeError: if an argument is not a Tensor.
        ShapeError: if an argument is not 1-D (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.outer(nl.tensor([1, 2]), nl.tensor([1, 10, 100]))
        tensor([[  1,  10, 100],
                [  2,  20, 200]], dtype=int64)
    """
    _check_tensor(input, "outer", "input")
    _check_tensor(vec2, "outer", "vec2")
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise ShapeError(
            f"outer: expected 1-D arguments, got shapes {input.shape} and {vec2.shape}"
        )
    return mul(reshape(input, (-1, 1)), reshape(vec2, (1, -1)))


ger = outer


class Trace(Function):
    """t = sum_i a_ii;  dt/da = I (the identity, of a's shape)"""

    @staticmethod
    def forward(ctx, a):
        ctx.shape, ctx.dtype = a.shape, a.dtype
        return array_module(a).asarray(a.trace())

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return (xp.eye(*ctx.shape, dtype=ctx.dtype) * grad,)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor: t = sum_i a_ii; dt/da = I.

    Args:
        input: a 2-D tensor.

    Returns:
        A 0-d tensor.

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ShapeError: if ``input`` is not 2-D (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(9.0).reshape(3, 3).trace()
        tensor(12.)
    """
    _check_tensor(input, "trace", "input")
    if input._data.ndim != 2:
        raise ShapeError(f"trace: expected a matrix (2-D), got shape {input.shape}")
    return Trace.apply(input)
