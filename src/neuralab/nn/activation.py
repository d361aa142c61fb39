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
    """y = min(max(x, min_val), max_val); dy/dx = 1 strictly inside (min_val, max_val), else
    0 (PyTorch's rule, also at the two bounds)."""
    data = x._data
    inside = (data > min_val) & (data < max_val)
    clipped = Tensor._from_array(data.clip(min_val, max_val))
    return ops.where(Tensor._from_array(inside), x, clipped)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """y = log(1 + e^(beta x)) / beta, and y = x where beta x > threshold (for stability);
    dy/dx = sigmoid(beta x) (1 where linear)."""
    z = x * beta if beta != 1 else x
    safe = ops.clamp(z, max=threshold)  # e^z cannot overflow; that branch is unused there
    smooth = ops.log(ops.exp(safe) + 1.0)
    if beta != 1:
        smooth = smooth / beta
    linear = Tensor._from_array(z._data > threshold)
    return ops.where(linear, x, smooth)


def silu(x: Tensor) -> Tensor:
    """y = x sigmoid(x) (the swish)"""
    return x * A.sigmoid(x)


def mish(x: Tensor) -> Tensor:
    """y = x tanh(softplus(x)) (Misra, 2019)"""
    return x * A.tanh(softplus(x))


class Sigmoid(Module):
    """y = 1 / (1 + e^(-x))"""

    def forward(self, x: Tensor) -> Tensor:
        return A.sigmoid(x)


class Tanh(Module):
    """y = tanh(x)"""

    def forward(self, x: Tensor) -> Tensor:
        return A.tanh(x)


class ReLU(Module):
    """y = max(x, 0)"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace  # accepted; computed out of place

    def forward(self, x: Tensor) -> Tensor:
        return A.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """y = x for x > 0, else negative_slope * x"""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return A.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """y = x for x > 0, else alpha (e^x - 1)"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return A.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """y = x Phi(x) (approximate='tanh' for the tanh approximation)"""

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
    """y_i = e^(x_i) / sum_j e^(x_j) along dim"""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return A.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """y_i = x_i - log sum_j e^(x_j) along dim"""

    def forward(self, x: Tensor) -> Tensor:
        return A.log_softmax(x, self.dim)


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) input: softmax along dim -3."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}"
            )
        return A.softmax(x, -3)


class Hardtanh(Module):
    """y = min(max(x, min_val), max_val)"""

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
    """y = min(max(x, 0), 6)"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(Module):
    """y = x sigmoid(x)"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)


class Mish(Module):
    """y = x tanh(softplus(x))"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return mish(x)


class Softplus(Module):
    """y = log(1 + e^(beta x)) / beta; y = x where beta x > threshold"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
