"""Activation layers: the functions of ``neuralab.ops.activation`` as Modules, and a few
more composed from ops (Hardtanh, ReLU6, SiLU, Softplus, Mish, Softmax2d).

``inplace=`` is accepted where PyTorch has it; neuralab never changes the input in place,
so the result is the same and the input keeps its values.
"""

from __future__ import annotations

from neuralab import ops
from neuralab.nn.module import Module
from neuralab.ops import activation as A
from neuralab.tensor import Tensor


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """Clips element-wise: y = min(max(x, min_val), max_val).

    dy/dx = 1 strictly inside (min_val, max_val), else 0 (PyTorch's rule, also at the two
    bounds). ``neuralab.functional.hardtanh`` is the public entry point.

    Args:
        x: the input.
        min_val: the lower bound. Defaults to -1.0.
        max_val: the upper bound. Defaults to 1.0.

    Returns:
        A tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.nn.activation import hardtanh
        >>> hardtanh(nl.tensor([-2.0, 0.5, 2.0]))
        tensor([-1. ,  0.5,  1. ])
    """
    data = x._data
    inside = (data > min_val) & (data < max_val)
    clipped = Tensor._from_array(data.clip(min_val, max_val))
    return ops.where(Tensor._from_array(inside), x, clipped)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus: y = log(1 + e^(beta x)) / beta, and y = x where beta x > threshold.

    dy/dx = sigmoid(beta x) (1 where linear). ``neuralab.functional.softplus`` is the public
    entry point.

    Args:
        x: the input.
        beta: the sharpness. Defaults to 1.0.
        threshold: the identity above ``beta * x > threshold``. Defaults to 20.0.

    Returns:
        A tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.nn.activation import softplus
        >>> softplus(nl.tensor([0.0, 50.0]))
        tensor([ 0.6931, 50.    ])
    """
    z = x * beta if beta != 1 else x
    safe = ops.clamp(z, max=threshold)  # e^z cannot overflow; that branch is unused there
    smooth = ops.log(ops.exp(safe) + 1.0)
    if beta != 1:
        smooth = smooth / beta
    linear = Tensor._from_array(z._data > threshold)
    return ops.where(linear, x, smooth)


def silu(x: Tensor) -> Tensor:
    """SiLU (swish): y = x sigmoid(x).

    Args:
        x: the input.

    Returns:
        A tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.nn.activation import silu
        >>> silu(nl.tensor([0.0, 1.0]))
        tensor([0.    , 0.7311])
    """
    return x * A.sigmoid(x)


def mish(x: Tensor) -> Tensor:
    """Mish (Misra, 2019): y = x tanh(softplus(x)).

    Args:
        x: the input.

    Returns:
        A tensor of the input's shape.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.nn.activation import mish
        >>> mish(nl.tensor([0.0, 1.0]))
        tensor([0.    , 0.8651])
    """
    return x * A.tanh(softplus(x))


class Sigmoid(Module):
    """Applies the logistic sigmoid element-wise: y = 1 / (1 + e^(-x)).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Sigmoid()(nl.tensor([-1.0, 0.0, 1.0]))
        tensor([0.2689, 0.5   , 0.7311])
    """

    def forward(self, x: Tensor) -> Tensor:
        return A.sigmoid(x)


class Tanh(Module):
    """Applies the hyperbolic tangent element-wise: y = tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x)).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Tanh()(nl.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.7616,  0.    ,  0.7616])
    """

    def forward(self, x: Tensor) -> Tensor:
        return A.tanh(x)


class ReLU(Module):
    """Applies the rectified linear unit element-wise: y = max(x, 0).

    Args:
        inplace: accepted for PyTorch compatibility; the result is always computed out of
            place and the input keeps its values. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.ReLU()(nl.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # accepted; computed out of place

    def forward(self, x: Tensor) -> Tensor:
        return A.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """Applies the leaky ReLU element-wise: y = x for x > 0, else negative_slope * x.

    Args:
        negative_slope: slope for negative inputs. Defaults to 0.01.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.LeakyReLU(0.1)(nl.tensor([-2.0, 0.0, 3.0]))
        tensor([-0.2,  0. ,  3. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return A.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """Applies the exponential linear unit element-wise: y = x for x > 0, else alpha (e^x - 1).

    Args:
        alpha: the value y approaches as x -> -inf is -alpha. Defaults to 1.0.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.ELU()(nl.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.    ,  2.    ])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return A.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """Applies the Gaussian error linear unit element-wise: y = x Phi(x), Phi the standard
    normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2.

    With ``approximate='tanh'``: y = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).

    Args:
        approximate: ``'none'`` for the exact erf form, ``'tanh'`` for the tanh
            approximation. Defaults to ``'none'``.

    Raises:
        ValueError: if ``approximate`` is neither ``'none'`` nor ``'tanh'``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.GELU()(nl.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.    ,  0.8413])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return A.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Applies softmax along ``dim``: y_i = e^(x_i) / sum_j e^(x_j), so each slice sums to 1.

    Args:
        dim: the axis along which the values sum to 1. Defaults to None, which the forward
            pass rejects: pass it.

    Raises:
        TypeError: in the forward pass, if ``dim`` is None.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Softmax(dim=-1)(nl.tensor([[1.0, 2.0, 3.0]]))
        tensor([[0.09  , 0.2447, 0.6652]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return A.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Applies log-softmax along ``dim``: y_i = x_i - log sum_j e^(x_j) (computed stably).

    Args:
        dim: the axis of the softmax. Defaults to None, which the forward pass rejects.

    Raises:
        TypeError: in the forward pass, if ``dim`` is None.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.LogSoftmax(dim=1)(nl.tensor([[1.0, 2.0, 3.0]]))
        tensor([[-2.4076, -1.4076, -0.4076]])
    """

    def forward(self, x: Tensor) -> Tensor:
        return A.log_softmax(x, self.dim)


class Softmax2d(Module):
    """Applies softmax over the channels at each spatial position: softmax along dim -3.

    Raises:
        ValueError: if the input is neither 3-D nor 4-D.

    Shape:
        - Input: (N, C, H, W) or (C, H, W).
        - Output: the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> y = nl.nn.Softmax2d()(nl.zeros(1, 4, 2, 2))
        >>> y.shape, y[0, :, 0, 0].tolist()
        ((1, 4, 2, 2), [0.25, 0.25, 0.25, 0.25])
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}"
            )
        return A.softmax(x, -3)


class Hardtanh(Module):
    """Clips element-wise: y = min(max(x, min_val), max_val).

    The gradient is 1 strictly inside (min_val, max_val) and 0 elsewhere (also at the bounds,
    as PyTorch).

    Args:
        min_val: the lower bound. Defaults to -1.0.
        max_val: the upper bound. Defaults to 1.0.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Raises:
        ValueError: if ``max_val <= min_val``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Hardtanh()(nl.tensor([-3.0, 0.5, 2.0]))
        tensor([-1. ,  0.5,  1. ])
    """

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
    ) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError(
                f"{type(self).__name__}: max_val ({max_val}) must be greater than min_val "
                f"({min_val})"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        extra = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{extra}"


class ReLU6(Hardtanh):
    """Applies y = min(max(x, 0), 6) element-wise (Hardtanh with bounds 0 and 6).

    Args:
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.ReLU6()(nl.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(Module):
    """Applies the sigmoid linear unit (swish) element-wise: y = x sigmoid(x).

    Args:
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.SiLU()(nl.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.2689,  0.    ,  0.7311])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)


class Mish(Module):
    """Applies Mish (Misra, 2019) element-wise: y = x tanh(softplus(x)).

    Args:
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Mish()(nl.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.3034,  0.    ,  0.8651])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return mish(x)


class Softplus(Module):
    """Applies softplus element-wise: y = log(1 + e^(beta x)) / beta, and y = x where
    beta x > threshold (for numerical stability). dy/dx = sigmoid(beta x).

    Args:
        beta: the sharpness; larger values approach ReLU. Defaults to 1.0.
        threshold: above ``beta * x > threshold`` the function is the identity. Defaults to 20.0.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Softplus()(nl.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.    ])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
