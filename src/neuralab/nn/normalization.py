"""Batch normalization layers (Ioffe and Szegedy, 2015)."""

from __future__ import annotations

from typing import Any

from neuralab import backend
from neuralab.creation import ones, tensor, zeros
from neuralab.nn.module import Module, Parameter
from neuralab.ops.regularization import batch_norm
from neuralab.tensor import Tensor


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
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = dtype or backend.default_float()
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
