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
        """Resets the running estimates: mean 0, variance 1, num_batches_tracked 0."""
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
    """Batch normalization (Ioffe and Szegedy, 2015) of (N, C) or (N, C, L) input, per channel.

    y = (x - mu) / sqrt(var + eps) * gamma + beta, where in training mu and var (biased) are
    the batch statistics of each channel (over N, and L), and the running estimates follow
    r <- (1 - momentum) r + momentum * batch value (with the unbiased batch variance). In
    evaluation the running estimates are used instead. gamma (``weight``) starts at ones,
    beta (``bias``) at zeros.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance for numerical stability. Defaults to 1e-5.
        momentum: the weight of the new batch in the running estimates; None uses the
            cumulative average, momentum = 1 / batches seen. Defaults to 0.1.
        affine: learn gamma and beta. Defaults to True.
        track_running_stats: keep running estimates (else batch statistics are used in
            evaluation too). Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: in the forward pass, if the input is not 2-D/3-D or its axis 1 is not
            ``num_features``.

    Shape:
        - Input: (N, C) or (N, C, L).
        - Output: the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> bn = nl.nn.BatchNorm1d(2)
        >>> y = bn(nl.tensor([[1.0, 10.0], [3.0, 30.0]]))
        >>> y
        tensor([[-1., -1.],
                [ 1.,  1.]], grad_fn=<BatchNormBackward>)
        >>> bn.running_mean
        tensor([0.2, 2. ])
    """

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization (Ioffe and Szegedy, 2015) of (N, C, H, W) input, per channel.

    y = (x - mu) / sqrt(var + eps) * gamma + beta, mu and var (biased) over N, H and W of each
    channel in training; running estimates r <- (1 - momentum) r + momentum * batch value
    (unbiased variance) are used in evaluation. gamma starts at ones, beta at zeros.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance for numerical stability. Defaults to 1e-5.
        momentum: the weight of the new batch in the running estimates; None uses the
            cumulative average, momentum = 1 / batches seen. Defaults to 0.1.
        affine: learn gamma (``weight``) and beta (``bias``). Defaults to True.
        track_running_stats: keep running estimates (else batch statistics are used in
            evaluation too). Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: in the forward pass, if the input is not 4-D or its axis 1 is not
            ``num_features``.

    Shape:
        - Input: (N, C, H, W).
        - Output: (N, C, H, W), the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> bn = nl.nn.BatchNorm2d(3)
        >>> y = bn(nl.randn(4, 3, 5, 5) * 2 + 1)
        >>> y.shape, [abs(round(m, 4)) for m in y.mean((0, 2, 3)).tolist()]
        ((4, 3, 5, 5), [0.0, 0.0, 0.0])
        >>> bn.eval()(nl.zeros(1, 3, 2, 2)).shape
        (1, 3, 2, 2)
    """

    _expected_dims = (4,)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalizes over the last len(normalized_shape) axes, then scales and shifts.

    mu = mean(x), var = mean((x - mu)^2) (biased) over those axes, per sample;
    y = (x - mu) / sqrt(var + eps) * weight + bias.

    Args:
        input: the tensor to normalize.
        normalized_shape: the sizes of the trailing axes to normalize over (an int for one).
        weight: the scale, of shape ``normalized_shape``. Defaults to None (no scale).
        bias: the shift, of shape ``normalized_shape``. Defaults to None (no shift).
        eps: added to the variance for numerical stability. Defaults to 1e-5.

    Returns:
        The normalized tensor, of the input's shape.

    Raises:
        ValueError: if the input's trailing shape is not ``normalized_shape``.
        DTypeError: if the input is not floating point.

    Examples:
        >>> import neuralab as nl
        >>> nl.functional.layer_norm(nl.tensor([[1.0, 2.0, 3.0]]), 3)
        tensor([[-1.2247,  0.    ,  1.2247]])
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
    """Layer normalization (Ba et al., 2016) over the trailing axes of shape normalized_shape.

    y = (x - mu) / sqrt(var + eps) * weight + bias, with mu and var (biased) per sample over
    those axes; weight starts at ones and bias at zeros.

    Args:
        normalized_shape: the sizes of the trailing axes to normalize over (an int for one).
        eps: added to the variance for numerical stability. Defaults to 1e-5.
        elementwise_affine: learn ``weight`` and ``bias`` of shape normalized_shape.
            Defaults to True.
        bias: learn the bias too (with elementwise_affine). Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: in the forward pass, if the input's trailing shape is not
            ``normalized_shape``.

    Shape:
        - Input: (N, *, normalized_shape).
        - Output: the shape of the input.

    Examples:
        >>> import neuralab as nl
        >>> ln = nl.nn.LayerNorm(4)
        >>> y = ln(nl.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]]))
        >>> y
        tensor([[-1.3416, -0.4472,  0.4472,  1.3416],
                [ 0.    ,  0.    ,  0.    ,  0.    ]], grad_fn=<AddBackward>)
    """

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
        """Resets the weight to ones and the bias to zeros."""
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
