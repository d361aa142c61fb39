"""Elementwise arithmetic and its derivatives.

Each backward returns the gradient with the broadcast shape; the engine sums it back to
each input's shape. Python numbers and arrays are constants (no gradient).
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab.backend import array_module, default_float
from neuralab.function import Function
from neuralab.tensor import Tensor, grad_mode


def _operands(a: Any, b: Any) -> tuple[Any, Any]:
    """Promote as PyTorch does where NumPy differs: an integer tensor meeting a float
    (tensor or Python float) takes the float's dtype, not float64; a NumPy scalar counts as
    the Python number it holds (``x * numpy.float64(2)`` stays float32, as in PyTorch,
    where NumPy 2 would silently widen it to float64)."""
    if isinstance(b, numpy.generic):
        b = b.item()
    if isinstance(a, numpy.generic):
        a = a.item()
    da = a._data.dtype if isinstance(a, Tensor) else None
    db = b._data.dtype if isinstance(b, Tensor) else None
    if da is db or (da is not None and da.kind == "f" and db is None):
        return a, b
    kind_a = da.kind if da is not None else ("f" if isinstance(a, float) else "")
    kind_b = db.kind if db is not None else ("f" if isinstance(b, float) else "")
    if kind_a in "iub" and kind_b == "f" and da is not None:
        a = cast(a, dtype=db if db is not None else default_float())
    elif kind_b in "iub" and kind_a == "f" and db is not None:
        b = cast(b, dtype=da if da is not None else default_float())
    elif da is not None and db is not None and _category(da) == _category(db):
        # as PyTorch: a 0-d tensor does not widen a dimensioned one of its category
        # (x_float32 + tensor(1.0, dtype=float64) stays float32)
        if a._data.ndim == 0 and b._data.ndim:
            a = cast(a, dtype=db)
        elif b._data.ndim == 0 and a._data.ndim:
            b = cast(b, dtype=da)
    return a, b


def _category(dtype: Any) -> str:
    """PyTorch's promotion categories: bool, integer, floating, complex."""
    return "i" if dtype.kind in "iu" else dtype.kind


class Add(Function):
    """c = a + b;  dc/da = 1,  dc/db = 1"""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """c = a - b;  dc/da = 1,  dc/db = -1"""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """c = a * b;  dc/da = b,  dc/db = a"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """c = a / b;  dc/da = 1 / b,  dc/db = -a / b^2 = -c / b"""

    @staticmethod
    def forward(ctx, a, b):
        c = a / b
        ctx.save_for_backward(b, c)
        return c

    @staticmethod
    def backward(ctx, grad):
        b, c = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * c / b if need_b else None
        return grad_a, grad_b


class Neg(Function):
    """c = -a;  dc/da = -1"""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return (-grad,)


class Pow(Function):
    """c = a^b;  dc/da = b a^(b-1),  dc/db = a^b ln(a)  (taken as 0 where a = 0 and b >= 0)"""

    @staticmethod
    def forward(ctx, a, b):
        c = a**b
        ctx.save_for_backward(a, b, c)
        return c

    @staticmethod
    def backward(ctx, grad):
        a, b, c = ctx.saved
        need_a, need_b = ctx.needs_input_grad
        xp = array_module(grad)
        grad_a = grad * b * a ** (b - 1) if need_a else None
        grad_b = None
        if need_b:
            with xp.errstate(divide="ignore", invalid="ignore"):
                log_a = xp.log(xp.where((a == 0) & (b >= 0), 1, a))
            grad_b = grad * c * log_a
        return grad_a, grad_b


class Exp(Function):
    """c = e^a;  dc/da = e^a = c"""

    @staticmethod
    def forward(ctx, a):
        c = array_module(a).exp(a)
        ctx.save_for_backward(c)
        return c

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.saved[0],)


class Log(Function):
    """c = ln(a);  dc/da = 1 / a"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).log(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad / ctx.saved[0],)


class Sqrt(Function):
    """c = sqrt(a);  dc/da = 1 / (2 sqrt(a)) = 1 / (2c)"""

    @staticmethod
    def forward(ctx, a):
        c = array_module(a).sqrt(a)
        ctx.save_for_backward(c)
        return c

    @staticmethod
    def backward(ctx, grad):
        return (grad / (2 * ctx.saved[0]),)


class Abs(Function):
    """c = |a|;  dc/da = sign(a)  (0 at a = 0)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).abs(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad * array_module(grad).sign(ctx.saved[0]),)


class Maximum(Function):
    """c = max(a, b);  the gradient goes to the larger input, split in half on ties."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        return _split_by_winner(grad, a > b, a == b, ctx.needs_input_grad)


class Minimum(Function):
    """c = min(a, b);  the gradient goes to the smaller input, split in half on ties."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        return _split_by_winner(grad, a < b, a == b, ctx.needs_input_grad)


def _split_by_winner(grad: Any, a_wins: Any, tie: Any, needs: tuple) -> tuple:
    xp = array_module(grad)
    share = xp.where(tie, grad / 2, grad)
    grad_a = xp.where(a_wins | tie, share, 0) if needs[0] else None
    grad_b = xp.where(a_wins, 0, share) if needs[1] else None
    return grad_a, grad_b


class Clamp(Function):
    """c = min(max(a, low), high);  dc/da = 1 where low <= a <= high, else 0"""

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        return array_module(a).clip(a, low, high)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        inside = True
        if ctx.low is not None:
            inside = a >= ctx.low
        if ctx.high is not None:
            inside = inside & (a <= ctx.high)
        return (grad * inside,)


class Where(Function):
    """c = a where cond else b;  dc/da = cond,  dc/db = not cond"""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return array_module(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved
        xp = array_module(grad)
        _, need_a, need_b = ctx.needs_input_grad
        return (
            None,
            xp.where(cond, grad, 0) if need_a else None,
            xp.where(cond, 0, grad) if need_b else None,
        )


class Cast(Function):
    """c = a as another dtype;  dc/da = 1 (cast back to a's dtype by the engine)"""

    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return (grad,)


# --- public functions -------------------------------------------------------------------
def store(result: Tensor, out: Any, who: str) -> Tensor:
    """``result`` written into ``out`` (PyTorch's ``out=``): in place when the shapes agree,
    else ``out`` takes the result's shape; ``out`` is returned. Outside the graph only."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{who}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result.requires_grad and grad_mode.enabled:
        raise RuntimeError(
            f"{who}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad"
        )
    if not array_module(out._data).can_cast(result._data.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(
            f"{who}(): result type {result._data.dtype} can't be cast to the desired output "
            f"type {out._data.dtype}"
        )
    out._mutate(f"{who}(out=)")
    if out._data.shape == result._data.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out._data.dtype)
    return out


def add(a: Any, b: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """Adds with broadcasting: y = a + alpha b (also ``a + b``, ``a.add(b)``).

    dy/da = 1, dy/db = alpha; gradients are summed over broadcast axes.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.
        alpha: the multiplier of ``b``. Keyword only. Defaults to 1.
        out: a tensor to write the result into (PyTorch's ``out=``; outside the graph).
            Keyword only. Defaults to None.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).
        RuntimeError: if ``alpha`` is a float and both operands are integers.

    Examples:
        >>> import neuralab as nl
        >>> nl.add(nl.tensor([1.0, 2.0]), nl.tensor([[10.0], [20.0]]), alpha=2)
        tensor([[21., 22.],
                [41., 42.]])
    """
    if alpha != 1:
        b = _times_alpha(a, b, alpha, "add")
    result = Add.apply(*_operands(a, b))
    return result if out is None else store(result, out, "add")


def sub(a: Any, b: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """Subtracts with broadcasting: y = a - alpha b (also ``a - b``).

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.
        alpha: the multiplier of ``b``. Keyword only. Defaults to 1.
        out: a tensor to write the result into (outside the graph). Keyword only. Defaults to
            None.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).
        RuntimeError: if ``alpha`` is a float and both operands are integers.

    Examples:
        >>> import neuralab as nl
        >>> nl.sub(nl.tensor([5.0, 5.0]), nl.tensor([1.0, 2.0]), alpha=2)
        tensor([3., 1.])
    """
    if alpha != 1:
        b = _times_alpha(a, b, alpha, "sub")
    result = Sub.apply(*_operands(a, b))
    return result if out is None else store(result, out, "sub")


def _times_alpha(a: Any, b: Any, alpha: Any, who: str) -> Any:
    """alpha * b for add/sub's ``alpha=`` (a Python number b stays a number)."""
    if isinstance(alpha, float) and _is_integer(a) and _is_integer(b):
        raise RuntimeError(
            f"{who}(): for integral input tensors, argument alpha must not be a floating "
            "point number"
        )
    return mul(b, alpha) if isinstance(b, Tensor) else b * alpha


def mul(a: Any, b: Any, *, out: Any = None) -> Tensor:
    """Multiplies element-wise with broadcasting: y = a b (also ``a * b``).

    dy/da = b, dy/db = a.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.
        out: a tensor to write the result into (outside the graph). Keyword only. Defaults to
            None.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.mul(nl.tensor([1.0, 2.0]), 3)
        tensor([3., 6.])
    """
    result = Mul.apply(*_operands(a, b))
    return result if out is None else store(result, out, "mul")


def div(a: Any, b: Any) -> Tensor:
    """Divides element-wise with broadcasting (true division): y = a / b (also ``a / b``).

    dy/da = 1 / b, dy/db = -a / b^2. Two integer operands give the default float dtype.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.div(nl.tensor([1, 3]), 2)
        tensor([0.5, 1.5])
    """
    a, b = _operands(a, b)
    if _is_integer(a) and _is_integer(b):
        a = cast(a, dtype=default_float())
        b = cast(b, dtype=default_float()) if isinstance(b, Tensor) else b
    return Div.apply(a, b)


def neg(a: Tensor) -> Tensor:
    """Negates element-wise: y = -a (also ``-a``).

    Args:
        a: the input.

    Returns:
        A tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.neg(nl.tensor([1.0, -2.0]))
        tensor([-1.,  2.])
    """
    return Neg.apply(a)


def pow(a: Any, b: Any) -> Tensor:
    """Raises to a power element-wise: y = a^b (also ``a ** b``); either may be a tensor.

    dy/da = b a^(b - 1), dy/db = a^b ln a.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.pow(nl.tensor([1.0, 2.0, 3.0]), 2), nl.pow(2.0, nl.tensor([0.0, 3.0]))
        (tensor([1., 4., 9.]), tensor([1., 8.]))
    """
    return Pow.apply(*_operands(a, b))


def floating(a: Any) -> Any:
    """a itself when floating (the fast path: one dtype test), else an integer or bool
    tensor's values as the default float, as PyTorch computes ``exp``/``sigmoid`` of ints
    (NumPy would give float64, or float16 for bools)."""
    if isinstance(a, Tensor) and a._data.dtype.kind not in "fc":
        return Tensor._from_array(a._data.astype(default_float()))
    return a


def exp(a: Tensor) -> Tensor:
    """The exponential, element-wise: y = e^a; dy/da = y.

    Integer input is promoted to the default float dtype.

    Args:
        a: the input.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 1.0]).exp()
        tensor([1.    , 2.7183])
    """
    return Exp.apply(floating(a))


def log(a: Tensor) -> Tensor:
    """The natural logarithm, element-wise: y = ln a; dy/da = 1 / a.

    Integer input is promoted to the default float dtype; log 0 = -inf, log of a negative
    number is nan (as PyTorch).

    Args:
        a: the input.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, 100.0]).log()
        tensor([0.    , 4.6052])
    """
    return Log.apply(floating(a))


def sqrt(a: Tensor) -> Tensor:
    """The square root, element-wise: y = sqrt(a); dy/da = 1 / (2 y).

    Integer input is promoted to the default float dtype.

    Args:
        a: the input.

    Returns:
        A floating tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([4.0, 2.0]).sqrt()
        tensor([2.    , 1.4142])
    """
    return Sqrt.apply(floating(a))


def abs(a: Tensor) -> Tensor:
    """The absolute value, element-wise: y = |a|; dy/da = sign(a) (0 at 0).

    Args:
        a: the input.

    Returns:
        A tensor of the input's shape and dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.5, 2.0]).abs()
        tensor([1.5, 2. ])
    """
    return Abs.apply(a)


def maximum(a: Any, b: Any) -> Tensor:
    """The element-wise maximum of two tensors, with broadcasting: y = max(a, b).

    The gradient goes to the larger operand (split equally on ties, as PyTorch).

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.maximum(nl.tensor([1.0, 5.0]), nl.tensor([3.0, 2.0]))
        tensor([3., 5.])
    """
    return Maximum.apply(*_operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """The element-wise minimum of two tensors, with broadcasting: y = min(a, b).

    The gradient goes to the smaller operand (split equally on ties, as PyTorch).

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        ShapeError: if the shapes do not broadcast (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.minimum(nl.tensor([1.0, 5.0]), nl.tensor([3.0, 2.0]))
        tensor([1., 2.])
    """
    return Minimum.apply(*_operands(a, b))


def clamp(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limits ``a`` to [min, max] element-wise: y = min(max(a, min), max) (also ``clip``).

    dy/da = 1 where min <= a <= max, else 0. Tensor bounds clamp element-wise.

    Args:
        a: the input.
        min: the lower bound (a number or a tensor). Defaults to None (none).
        max: the upper bound (a number or a tensor). Defaults to None (none).

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: if neither bound is given.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-2.0, 0.5, 3.0]).clamp(min=0.0, max=1.0)
        tensor([0. , 0.5, 1. ])
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' and 'max' must be given")
    min, max = (v.item() if isinstance(v, numpy.generic) else v for v in (min, max))
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # tensor bounds: elementwise
        out = a if min is None else maximum(a, min)
        return out if max is None else minimum(out, max)
    return Clamp.apply(a, low=min, high=max)


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """Chooses element-wise: y = a where ``condition`` is true, else b, with broadcasting.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch. The
    gradient goes to a where the condition holds and to b elsewhere.

    Args:
        condition: a boolean tensor or array.
        a: the values where true (a tensor or a number). Defaults to None.
        b: the values where false (a tensor or a number). Defaults to None.

    Returns:
        The chosen tensor; with only ``condition``, a tuple of index tensors.

    Raises:
        TypeError: if only one of ``a`` and ``b`` is given.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([-1.0, 2.0, -3.0])
        >>> nl.where(x > 0, x, 0.0)
        tensor([0., 2., 0.])
        >>> nl.where(x > 0)
        (tensor([1], dtype=int64),)
    """
    if a is None and b is None:
        from neuralab.ops.comparison import nonzero

        return nonzero(condition, as_tuple=True)
    if a is None or b is None:
        raise TypeError("where(condition, input, other): give both input and other, or neither")
    cond = condition._data if isinstance(condition, Tensor) else condition
    a, b = _operands(a, b)
    return Where.apply(cond, a, b)


class Remainder(Function):
    """r = a - floor(a / b) * b (the sign of b, Python's %);  dr/da = 1,  dr/db = -floor(a / b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        b_grad = None
        if ctx.needs_input_grad[1]:
            a, b = ctx.saved
            b_grad = -grad * array_module(a).floor(a / b)
        return grad, b_grad


class IntegerDivisionError(ZeroDivisionError, RuntimeError):
    """An integer ``//``, ``%`` or ``fmod`` by zero: PyTorch raises (a RuntimeError saying
    ZeroDivisionError) where NumPy would silently give 0."""


def _check_divisor(op: str, a: Any, b: Any) -> None:
    """Refuse an integer division by zero (floats give inf/nan, as in PyTorch)."""
    if _is_integer(a) and _is_integer(b):
        divisor = _value(b)
        if not isinstance(divisor, bool) and (
            divisor == 0 if isinstance(divisor, int) else (divisor == 0).any()
        ):
            raise IntegerDivisionError(f"{op}: integer division by zero (ZeroDivisionError)")


def remainder(a: Any, b: Any) -> Tensor:
    """The remainder with the sign of the divisor, as Python's ``%``: r = a - floor(a / b) b.

    dr/da = 1, dr/db = -floor(a / b). Also ``a % b``.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        IntegerDivisionError: for an integer division by zero (a ZeroDivisionError).

    Examples:
        >>> import neuralab as nl
        >>> nl.remainder(nl.tensor([-3, 3]), 2)
        tensor([1, 1], dtype=int64)
    """
    a, b = _operands(a, b)
    _check_divisor("remainder", a, b)
    return Remainder.apply(a, b)


class Fmod(Function):
    """r = a - trunc(a / b) * b (the sign of a, C's fmod);  dr/da = 1,  dr/db = -trunc(a / b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        b_grad = None
        if ctx.needs_input_grad[1]:
            a, b = ctx.saved
            b_grad = -grad * array_module(a).trunc(a / b)
        return grad, b_grad


def fmod(a: Any, b: Any) -> Tensor:
    """The C remainder, with the sign of the dividend: r = a - trunc(a / b) b.

    dr/da = 1, dr/db = -trunc(a / b).

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        IntegerDivisionError: for an integer division by zero (a ZeroDivisionError).

    Examples:
        >>> import neuralab as nl
        >>> nl.fmod(nl.tensor([-3, 3]), 2)
        tensor([-1,  1], dtype=int64)
    """
    a, b = _operands(a, b)
    _check_divisor("fmod", a, b)
    return Fmod.apply(a, b)


def floor_divide(a: Any, b: Any) -> Tensor:
    """Floor division: y = floor(a / b), as Python's ``//`` (also ``a // b``).

    Its gradient is zero, so no graph is recorded.

    Args:
        a: a tensor or a number.
        b: a tensor or a number; broadcast against ``a``.

    Returns:
        A new tensor of the broadcast shape.

    Raises:
        IntegerDivisionError: for an integer division by zero (a ZeroDivisionError).

    Examples:
        >>> import neuralab as nl
        >>> nl.floor_divide(nl.tensor([-3.0, 7.0]), 2)
        tensor([-2.,  3.])
    """
    a, b = _operands(a, b)
    _check_divisor("floor_divide", a, b)
    a, b = _value(a), _value(b)
    return Tensor._from_array(array_module(a).asarray(array_module(a).floor_divide(a, b)))


def _value(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def cast(a: Any, dtype: Any) -> Tensor:
    """Converts ``a`` to ``dtype``; differentiable between floating dtypes.

    Args:
        a: a tensor (or data for a new one).
        dtype: the target dtype.

    Returns:
        ``a`` itself when it already has that dtype, else a converted tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.ops.cast(nl.tensor([1.7, -1.7]), nl.int64)
        tensor([ 1, -1], dtype=int64)
    """
    if not isinstance(a, Tensor):
        return Tensor(a, dtype=dtype)
    if a._data.dtype == dtype:
        return a
    if a.requires_grad and array_module(a._data).dtype(dtype).kind != "f":
        return Tensor._from_array(a._data.astype(dtype))
    return Cast.apply(a, dtype=dtype)


def _is_integer(x: Any) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype.kind in "iub"
    return isinstance(x, int)
