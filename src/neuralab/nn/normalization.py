"""Batch normalization (Ioffe and Szegedy, 2015) and layer normalization (Ba et al., 2016)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neuralab import ops
from neuralab.creation import ones, tensor, zeros
from neuralab.nn.module import Module, Parameter, factory_dtype
from neuralab.ops.indexing import dtype_mismatch
from neuralab.ops.regularization import batch_norm
from neuralab.tensor import DTypeError, Tensor


class _BatchNorm(Module):
    """y = gamma (x - mu) / sqrt(var + eps) + beta per channel (axis 1).

    Training: mu and var (biased) come from the batch, and the running estimates follow
    r <- (1 - momentum) r + momentum * batch value (unbiased variance); momentum=None uses
    the cumulative average, momentum = 1 / batches seen. Evaluation: the running estimates.
    """

    _expected_dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, f"nn.{type(self).__name__}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype))
            self.bias = Parameter(zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._expected_dims:
            raise ValueError(
                f"{type(self).__name__}: expected {' or '.join(map(str, self._expected_dims))}-D "
                f"input, got shape {x.shape}"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}: expected {self.num_features} channels (axis 1), "
                f"got shape {x.shape}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or not self.track_running_stats
        return batch_norm(
            x,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch,
            momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, per channel over N, H and W."""

    _expected_dims = (4,)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the last len(normalized_shape) axes, then scale and shift:

    mu = mean(x), var = mean((x - mu)^2) (biased) over those axes,
    y = (x - mu) / sqrt(var + eps) * weight + bias.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape or tuple(input.shape[-len(shape) :]) != shape:
        raise ValueError(
            f"layer_norm: expected input with shape [*, {', '.join(map(str, shape))}], got "
            f"shape {input.shape}"
        )
    if input.dtype.kind != "f":
        raise DTypeError(f"layer_norm: expected a floating point input, got {input.dtype}")
    for param in (weight, bias):
        if param is not None and param.dtype != input.dtype:
            raise dtype_mismatch("layer_norm", input, ("weight", weight), ("bias", bias))
    dims = tuple(range(-len(shape), 0))
    centered = input - ops.mean(input, dims, keepdim=True)
    var = ops.mean(centered * centered, dims, keepdim=True)
    y = centered / ops.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(Module):
    """Layer normalization (Ba et al., 2016) over the last axes, of shape normalized_shape:
    y = (x - mu) / sqrt(var + eps) * weight + bias, mu and var (biased) per sample over
    those axes; weight starts at ones, bias at zeros (elementwise_affine, bias)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, "nn.LayerNorm")
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
