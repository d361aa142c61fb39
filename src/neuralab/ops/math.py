"""Elementwise functions beyond arithmetic: logarithms, trigonometry, powers, rounding
and tests for special values, with their derivatives.

Floating functions of an integer tensor work on it as the default float (as in PyTorch:
``torch.sin(torch.tensor([1, 2]))`` is float32). Rounding and ``sign`` are steps: their
derivative is 0 wherever it exists, and PyTorch (so neuralab) passes a zero gradient.
"""

from __future__ import annotations

import math as _math
from typing import Any

from neuralab.backend import array_module, default_float
from neuralab.function import Function
from neuralab.tensor import Tensor


def _input(a: Any, op: str) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(a).__name__}")
    return a


def _floating(a: Any, op: str) -> Tensor:
    """a itself when floating, else its values as the default float (no gradient to keep)."""
    _input(a, op)
    if a._data.dtype.kind in "fc":
        return a
    return Tensor._from_array(a._data.astype(default_float()))


def _function(name: str, forward: Any, backward: Any, doc: str, base: type = Function) -> type:
    """A Function subclass made from a table row (the same class a ``class`` block makes)."""
    body = {"__doc__": doc, "__module__": __name__, "forward": staticmethod(forward)}
    if backward is not None:
        body["backward"] = staticmethod(backward)
    return type(name, (base,), body)


def _log_base(name: str, ufunc: str, base: float) -> type[Function]:
    """y = log_base(a);  dy/da = 1 / (a ln base)"""
    ln_base = _math.log(base)

    def forward(ctx, a):
        ctx.save_for_backward(a)
        xp = array_module(a)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return getattr(xp, ufunc)(a)

    def backward(ctx, grad):
        return (grad / (ctx.saved[0] * ln_base),)

    doc = f"y = {ufunc}(a);  dy/da = 1 / (a ln {base:g})"
    return _function(name, forward, backward, doc)


Log10 = _log_base("Log10", "log10", 10.0)
Log2 = _log_base("Log2", "log2", 2.0)


class Log1p(Function):
    """y = ln(1 + a) (accurate for small a);  dy/da = 1 / (1 + a)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        xp = array_module(a)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.log1p(a)

    @staticmethod
    def backward(ctx, grad):
        return (grad / (1 + ctx.saved[0]),)


class Expm1(Function):
    """y = e^a - 1 (accurate for small a);  dy/da = e^a = y + 1"""

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).expm1(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        return (grad * (ctx.saved[0] + 1),)


def _trig(name: str, ufunc: str, derivative: str, negate: bool) -> type[Function]:
    """y = f(a);  dy/da = f'(a), another ufunc of a (negated for cos)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return getattr(array_module(a), ufunc)(a)

    def backward(ctx, grad):
        d = getattr(array_module(grad), derivative)(ctx.saved[0])
        return (-grad * d,) if negate else (grad * d,)

    doc = f"y = {ufunc}(a);  dy/da = {'-' if negate else ''}{derivative}(a)"
    return _function(name, forward, backward, doc)


Sin = _trig("Sin", "sin", "cos", negate=False)
Cos = _trig("Cos", "cos", "sin", negate=True)


class Tan(Function):
    """y = tan(a);  dy/da = 1 / cos^2(a) = 1 + y^2"""

    @staticmethod
    def forward(ctx, a):
        y = array_module(a).tan(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        return (grad * (1 + y * y),)


Sinh = _trig("Sinh", "sinh", "cosh", negate=False)
Cosh = _trig("Cosh", "cosh", "sinh", negate=False)


class Atan(Function):
    """y = arctan(a);  dy/da = 1 / (1 + a^2)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return array_module(a).arctan(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved[0]
        return (grad / (1 + a * a),)


class Rsqrt(Function):
    """y = 1 / sqrt(a);  dy/da = -1 / (2 a^(3/2)) = -y^3 / 2"""

    @staticmethod
    def forward(ctx, a):
        with array_module(a).errstate(divide="ignore", invalid="ignore"):
            y = 1 / array_module(a).sqrt(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        return (grad * (-0.5 * y * y * y),)


class Reciprocal(Function):
    """y = 1 / a;  dy/da = -1 / a^2 = -y^2"""

    @staticmethod
    def forward(ctx, a):
        with array_module(a).errstate(divide="ignore"):
            y = 1 / a
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved[0]
        return (-grad * y * y,)


class Square(Function):
    """y = a^2;  dy/da = 2a"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        return (grad * (2 * ctx.saved[0]),)


class _Step(Function):
    """A piecewise-constant function: its gradient is 0 (as PyTorch passes it)."""

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).zeros_like(grad),)


def _integral(name: str, ufunc: str, doc: str) -> type[Function]:
    def forward(ctx, a):
        return getattr(array_module(a), ufunc)(a) if a.dtype.kind in "fc" else a.copy()

    return _function(name, forward, None, doc, base=_Step)


Floor = _integral("Floor", "floor", "y = largest integer <= a;  dy/da = 0")
Ceil = _integral("Ceil", "ceil", "y = smallest integer >= a;  dy/da = 0")
Trunc = _integral("Trunc", "trunc", "y = a rounded toward 0;  dy/da = 0")


class Round(_Step):
    """y = a rounded to ``decimals`` places, halves to even;  dy/da = 0"""

    @staticmethod
    def forward(ctx, a, decimals):
        if a.dtype.kind not in "fc":
            return a.copy()
        return array_module(a).round(a, decimals)


class Sign(_Step):
    """y = -1, 0 or 1 as a < 0, a = 0, a > 0;  dy/da = 0"""

    @staticmethod
    def forward(ctx, a):
        return array_module(a).sign(a)


# --- public functions -------------------------------------------------------------------
def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm, element-wise: y = log10(x).

    dy/dx = 1 / (x ln 10). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, 1000.0]).log10()
        tensor([0., 3.])
    """
    return Log10.apply(_floating(input, "log10"))


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm, element-wise: y = log2(x).

    dy/dx = 1 / (x ln 2). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, 8.0]).log2()
        tensor([0., 3.])
    """
    return Log2.apply(_floating(input, "log2"))


def log1p(input: Tensor) -> Tensor:
    """y = ln(1 + x), element-wise, accurate near 0.

    dy/dx = 1 / (1 + x). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1e-8, 1.0]).log1p()
        tensor([1.0000e-08, 6.9315e-01])
    """
    return Log1p.apply(_floating(input, "log1p"))


def expm1(input: Tensor) -> Tensor:
    """y = e^x - 1, element-wise, accurate near 0.

    dy/dx = e^x. Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1e-8, 1.0]).expm1()
        tensor([1.0000e-08, 1.7183e+00])
    """
    return Expm1.apply(_floating(input, "expm1"))


def sin(input: Tensor) -> Tensor:
    """The sine, element-wise: y = sin(x).

    dy/dx = cos(x). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 3.14159265 / 2]).sin()
        tensor([0., 1.])
    """
    return Sin.apply(_floating(input, "sin"))


def cos(input: Tensor) -> Tensor:
    """The cosine, element-wise: y = cos(x).

    dy/dx = -sin(x). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 3.14159265]).cos()
        tensor([ 1., -1.])
    """
    return Cos.apply(_floating(input, "cos"))


def tan(input: Tensor) -> Tensor:
    """The tangent, element-wise: y = tan(x).

    dy/dx = 1 + y^2. Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 3.14159265 / 4]).tan()
        tensor([0., 1.])
    """
    return Tan.apply(_floating(input, "tan"))


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine, element-wise: y = (e^x - e^-x) / 2.

    dy/dx = cosh(x). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 1.0]).sinh()
        tensor([0.    , 1.1752])
    """
    return Sinh.apply(_floating(input, "sinh"))


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine, element-wise: y = (e^x + e^-x) / 2.

    dy/dx = sinh(x). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 1.0]).cosh()
        tensor([1.    , 1.5431])
    """
    return Cosh.apply(_floating(input, "cosh"))


def atan(input: Tensor) -> Tensor:
    """The arctangent, element-wise: y = arctan(x) (also ``arctan``).

    dy/dx = 1 / (1 + x^2). Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.0, 1.0]).atan()
        tensor([0.    , 0.7854])
    """
    return Atan.apply(_floating(input, "atan"))


arctan = atan


def rsqrt(input: Tensor) -> Tensor:
    """The reciprocal square root, element-wise: y = 1 / sqrt(x).

    dy/dx = -y^3 / 2. Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([4.0, 0.25]).rsqrt()
        tensor([0.5, 2. ])
    """
    return Rsqrt.apply(_floating(input, "rsqrt"))


def reciprocal(input: Tensor) -> Tensor:
    """The reciprocal, element-wise: y = 1 / x.

    dy/dx = -y^2. Integer input is promoted to the default float dtype.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([2, 4]).reciprocal()
        tensor([0.5 , 0.25])
    """
    return Reciprocal.apply(_floating(input, "reciprocal"))


def square(input: Tensor) -> Tensor:
    """The square, element-wise: y = x^2.

    dy/dx = 2 x. Integer dtypes are kept.

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-3, 2]).square()
        tensor([9, 4], dtype=int64)
    """
    return Square.apply(_input(input, "square"))


def floor(input: Tensor) -> Tensor:
    """Rounds down, element-wise: y = the largest integer <= x.

    Its derivative is 0 wherever it exists, so the gradient is 0 (as PyTorch).

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.5, 1.5]).floor()
        tensor([-2.,  1.])
    """
    return Floor.apply(_input(input, "floor"))


def ceil(input: Tensor) -> Tensor:
    """Rounds up, element-wise: y = the smallest integer >= x.

    Its derivative is 0 wherever it exists, so the gradient is 0 (as PyTorch).

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.5, 1.5]).ceil()
        tensor([-1.,  2.])
    """
    return Ceil.apply(_input(input, "ceil"))


def trunc(input: Tensor) -> Tensor:
    """Rounds toward 0, element-wise (also ``fix``).

    Its derivative is 0 wherever it exists, so the gradient is 0 (as PyTorch).

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-1.5, 1.5]).trunc()
        tensor([-1.,  1.])
    """
    return Trunc.apply(_input(input, "trunc"))


fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Rounds half to even, element-wise (``torch.round``), to ``decimals`` places.

    Its derivative is 0 wherever it exists, so the gradient is 0 (as PyTorch).

    Args:
        input: a tensor.
        decimals: the places after the point. Keyword only. Defaults to 0.

    Returns:
        A tensor of the input's shape and dtype.

    Raises:
        TypeError: if ``input`` is not a Tensor or ``decimals`` not an int.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([0.5, 1.5, 2.567]).round(), nl.tensor([2.567]).round(decimals=2)
        (tensor([0., 2., 3.]), tensor([2.57]))
    """
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round(): 'decimals' must be an int, got {type(decimals).__name__}")
    return Round.apply(_input(input, "round"), decimals=decimals)


def sign(input: Tensor) -> Tensor:
    """The sign, element-wise: -1, 0 or 1 as x < 0, x = 0, x > 0.

    Its derivative is 0 wherever it exists, so the gradient is 0 (as PyTorch).

    Args:
        input: a tensor.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
    """
    return Sign.apply(_input(input, "sign"))


def isnan(input: Tensor) -> Tensor:
    """Tests for nan, element-wise.

    Args:
        input: a tensor.

    Returns:
        A bool tensor of the input's shape (no gradient).

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, float("nan")]).isnan()
        tensor([False,  True], dtype=bool)
    """
    a = _input(input, "isnan")._data
    return Tensor._from_array(array_module(a).isnan(a))


def isinf(input: Tensor) -> Tensor:
    """Tests for +inf or -inf, element-wise.

    Args:
        input: a tensor.

    Returns:
        A bool tensor of the input's shape (no gradient).

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, float("-inf")]).isinf()
        tensor([False,  True], dtype=bool)
    """
    a = _input(input, "isinf")._data
    return Tensor._from_array(array_module(a).isinf(a))


def isfinite(input: Tensor) -> Tensor:
    """Tests for values that are neither nan nor infinite, element-wise.

    Args:
        input: a tensor.

    Returns:
        A bool tensor of the input's shape (no gradient).

    Raises:
        TypeError: if ``input`` is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, float("inf"), float("nan")]).isfinite()
        tensor([ True, False, False], dtype=bool)
    """
    a = _input(input, "isfinite")._data
    return Tensor._from_array(array_module(a).isfinite(a))
