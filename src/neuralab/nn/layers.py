"""Basic layers: Linear, Flatten, Unflatten, Dropout (Dropout1d, Dropout2d), Identity."""

from __future__ import annotations

import math
from typing import Any

from neuralab import functional as F
from neuralab import ops
from neuralab.creation import zeros
from neuralab.nn import init
from neuralab.nn.module import Module, Parameter, factory_dtype
from neuralab.ops.regularization import dropout
from neuralab.tensor import Tensor


def _weight_and_bias(module: Module, shape: tuple, bias: bool, device: Any, dtype: Any) -> None:
    """``module.weight`` of ``shape`` and ``module.bias`` (shape[0],) or None, initialized by
    ``module.reset_parameters()`` (Linear and Conv2d)."""
    dtype = factory_dtype(device, dtype, f"nn.{type(module).__name__}")
    module.weight = Parameter(zeros(*shape, dtype=dtype))
    if bias:
        module.bias = Parameter(zeros(shape[0], dtype=dtype))
    else:
        module.register_parameter("bias", None)
    module.reset_parameters()


def _reset_kaiming_uniform(module: Module) -> None:
    """PyTorch's default for Linear and Conv: kaiming_uniform_(a = sqrt 5) on the weight,
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same range."""
    init.kaiming_uniform_(module.weight, a=math.sqrt(5))
    if module.bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(module.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(module.bias, -bound, bound)


class Linear(Module):
    """Applies an affine map: y = x W^T + b.

    W has shape (out_features, in_features) and b (out_features,). Initialized as PyTorch:
    W ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (``kaiming_uniform_`` with a = sqrt 5),
    and b from the same range.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: whether to learn the additive bias b. Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype, float32 unless set).

    Raises:
        ValueError: if a feature count is negative.
        TypeError: if ``dtype`` is not a floating dtype.
        NotImplementedError: if ``device`` names an accelerator (CUDA).

    Shape:
        - Input: (*, H_in) with H_in = in_features.
        - Output: (*, H_out) with H_out = out_features.

    Examples:
        >>> import neuralab as nl
        >>> layer = nl.nn.Linear(3, 2)
        >>> layer.weight.shape, layer.bias.shape
        ((2, 3), (2,))
        >>> layer(nl.ones(4, 3)).shape
        (4, 2)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: feature counts must be non-negative, got {in_features}, {out_features}"
            )
        self.in_features, self.out_features = in_features, out_features
        _weight_and_bias(self, (out_features, in_features), bias, device, dtype)

    def reset_parameters(self) -> None:
        _reset_kaiming_uniform(self)

    def forward(self, x: Tensor) -> Tensor:
        return ops.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Flatten(Module):
    """Merges the axes start_dim..end_dim into one (by default all but the batch axis).

    Args:
        start_dim: the first axis to merge. Defaults to 1.
        end_dim: the last axis to merge. Defaults to -1.

    Shape:
        - Input: (*, S_start, ..., S_end, *).
        - Output: (*, S_start * ... * S_end, *).

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Flatten()(nl.zeros(2, 3, 4, 5)).shape
        (2, 60)
        >>> nl.nn.Flatten(0, 1)(nl.zeros(2, 3, 4)).shape
        (6, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return ops.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits axis ``dim`` into ``unflattened_size``: (..., prod(sizes), ...) -> (..., *sizes, ...).

    Args:
        dim: the axis to split.
        unflattened_size: the new sizes; their product must equal the size of ``dim``.

    Raises:
        TypeError: if ``unflattened_size`` is not a tuple or list.
        IndexError: in the forward pass, if ``dim`` is out of range.

    Shape:
        - Input: (*, S_dim, *).
        - Output: (*, U_1, ..., U_n, *) with U_1 * ... * U_n = S_dim.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Unflatten(1, (2, 5))(nl.zeros(3, 10)).shape
        (3, 2, 5)
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for shape {shape}")
        return ops.reshape(x, (*shape[:dim], *self.unflattened_size, *shape[dim + 1 :]))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """Zeroes each element with probability p in training and scales the rest by 1/(1-p).

    y = x m / (1 - p), m ~ Bernoulli(1 - p) element-wise, so E[y] = x; in evaluation
    (``module.eval()``) y = x.

    Args:
        p: the probability of zeroing an element. Defaults to 0.5.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Raises:
        ValueError: if ``p`` is not in [0, 1].

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> drop = nl.nn.Dropout(0.5)
        >>> sorted(set(drop(nl.ones(100)).tolist()))
        [0.0, 2.0]
        >>> drop.eval()(nl.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: dropout probability has to be between 0 and 1, but got {p}"
            )
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zeroes whole channels with probability p in training, scaling the rest by 1/(1-p).

    y[n, c, :] = x[n, c, :] m[n, c] / (1 - p), m ~ Bernoulli(1 - p); the identity in
    evaluation.

    Args:
        p: the probability of zeroing a channel. Defaults to 0.5.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Raises:
        ValueError: if ``p`` is not in [0, 1], or (forward) the input is not 2-D or 3-D.

    Shape:
        - Input: (N, C, L) or (C, L).
        - Output: the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> y = nl.nn.Dropout1d(0.5)(nl.ones(1, 4, 3))
        >>> y.shape, [row[0] == row[1] == row[2] for row in y[0].tolist()]
        ((1, 4, 3), [True, True, True, True])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout1d(x, self.p, self.training)


class Dropout2d(Dropout):
    """Zeroes whole channels of (N, C, H, W) input with probability p in training.

    y[n, c] = x[n, c] m[n, c] / (1 - p), m ~ Bernoulli(1 - p); the identity in evaluation.
    As PyTorch, the mask covers the first two axes of any input (3-D input is read as
    (N, C, L), with a warning; see ``neuralab.functional.dropout2d``).

    Args:
        p: the probability of zeroing a channel. Defaults to 0.5.
        inplace: accepted for PyTorch compatibility; computed out of place. Defaults to False.

    Raises:
        ValueError: if ``p`` is not in [0, 1], or (forward) the input has fewer than 2 axes.

    Shape:
        - Input: (N, C, H, W).
        - Output: (N, C, H, W), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> y = nl.nn.Dropout2d(0.5)(nl.ones(2, 3, 4, 4))
        >>> y.shape, sorted(set(y.flatten().tolist()))
        ((2, 3, 4, 4), [0.0, 2.0])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)


class Identity(Module):
    """Returns its input unchanged: y = x (a placeholder layer).

    Args:
        *args: ignored.
        **kwargs: ignored.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.Identity(54, unused="argument")(nl.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class PixelShuffle(Module):
    """Rearranges channels into space: (N, C r^2, H, W) -> (N, C, H r, W r).

    out[n, c, h r + i, w r + j] = in[n, c r^2 + i r + j, h, w] (sub-pixel convolution's
    rearrangement, Shi et al., 2016), r = upscale_factor.

    Args:
        upscale_factor: r, the factor by which height and width grow.

    Shape:
        - Input: (*, C_in, H_in, W_in) with C_in = C_out r^2.
        - Output: (*, C_out, H_out, W_out) with H_out = H_in r and W_out = W_in r.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.PixelShuffle(2)(nl.zeros(1, 8, 3, 3)).shape
        (1, 2, 6, 6)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return ops.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearranges space into channels, the inverse of PixelShuffle: (N, C, H r, W r) ->
    (N, C r^2, H, W).

    Args:
        downscale_factor: r, the factor by which height and width shrink.

    Shape:
        - Input: (*, C_in, H_in, W_in) with H_in and W_in divisible by r.
        - Output: (*, C_out, H_out, W_out) with C_out = C_in r^2, H_out = H_in / r and
          W_out = W_in / r.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.arange(16.0).reshape(1, 1, 4, 4)
        >>> y = nl.nn.PixelUnshuffle(2)(x)
        >>> y.shape, nl.equal(nl.nn.PixelShuffle(2)(y), x)
        ((1, 4, 2, 2), True)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return ops.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
