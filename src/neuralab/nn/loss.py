"""Loss modules, as ``torch.nn``'s: each wraps the function of the same name in
``neuralab.losses`` (where the formulas and the sample-weight rule are documented) and
takes ``forward(input, target, *, sample_weight=None)``."""

from __future__ import annotations

from typing import Any

from neuralab.losses import (
    _reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    quantile_loss,
    smooth_l1_loss,
)
from neuralab.nn.module import Module
from neuralab.tensor import Tensor


class _Loss(Module):
    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        self.reduction = _reduction(type(self).__name__, size_average, reduce, reduction)

    def _buffer(self, name: str, value: Any) -> None:
        """Keep a weight as a buffer (saved in state_dict, as PyTorch does)."""
        if value is not None and not isinstance(value, Tensor):
            value = Tensor(value)
        self.register_buffer(name, value)


class MSELoss(_Loss):
    """Mean squared error (x - y)^2; see ``mse_loss``."""

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction, sample_weight=sample_weight)


class L1Loss(_Loss):
    """Mean absolute error |x - y|; see ``l1_loss``."""

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction, sample_weight=sample_weight)


class HuberLoss(_Loss):
    """Huber loss with threshold ``delta``; see ``huber_loss``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return huber_loss(input, target, self.reduction, self.delta, sample_weight=sample_weight)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss with threshold ``beta``; see ``smooth_l1_loss``."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return smooth_l1_loss(
            input, target, reduction=self.reduction, beta=self.beta, sample_weight=sample_weight
        )


class QuantileLoss(_Loss):
    """Quantile (pinball) loss for the ``quantile``-th quantile; see ``quantile_loss``.
    (No PyTorch counterpart.)"""

    def __init__(self, quantile: float = 0.5, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        if not 0 <= quantile <= 1:
            raise ValueError(f"QuantileLoss: quantile must be in [0, 1], got {quantile}")
        self.quantile = quantile

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return quantile_loss(
            input, target, self.quantile, self.reduction, sample_weight=sample_weight
        )


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities; see ``binary_cross_entropy``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._buffer("weight", weight)

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return binary_cross_entropy(
            input, target, self.weight, reduction=self.reduction, sample_weight=sample_weight
        )


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, with ``pos_weight``; see
    ``binary_cross_entropy_with_logits``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._buffer("weight", weight)
        self._buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return binary_cross_entropy_with_logits(
            input,
            target,
            self.weight,
            reduction=self.reduction,
            pos_weight=self.pos_weight,
            sample_weight=sample_weight,
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities; see ``nll_loss``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return nll_loss(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            sample_weight=sample_weight,
        )


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits (class indices or probabilities); see
    ``cross_entropy``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}"
            )
        self._buffer("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
            sample_weight=sample_weight,
        )


__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "QuantileLoss",
    "SmoothL1Loss",
]
