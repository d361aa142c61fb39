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
    """Mean squared error: l = (x - y)^2, averaged or summed; see ``functional.mse_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.MSELoss()(nl.tensor([1.0, 2.0, 3.0]), nl.tensor([1.0, 0.0, 0.0]))
        tensor(4.3333)
    """

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction, sample_weight=sample_weight)


class L1Loss(_Loss):
    """Mean absolute error: l = |x - y|, averaged or summed; see ``functional.l1_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.L1Loss(reduction="sum")(nl.tensor([1.0, 2.0, 3.0]), nl.tensor([1.0, 0.0, 0.0]))
        tensor(5.)
    """

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction, sample_weight=sample_weight)


class HuberLoss(_Loss):
    """Huber loss: with d = x - y, l = d^2 / 2 for |d| < delta, else delta (|d| - delta / 2).

    See ``functional.huber_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.
        delta: where the loss turns from quadratic to linear. Defaults to 1.0.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.HuberLoss(delta=1.0)(nl.tensor([0.5, 3.0]), nl.tensor([0.0, 0.0]))
        tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any, *, sample_weight: Any = None) -> Tensor:
        return huber_loss(input, target, self.reduction, self.delta, sample_weight=sample_weight)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss: with d = x - y, l = d^2 / (2 beta) for |d| < beta, else |d| - beta / 2.

    See ``functional.smooth_l1_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.
        beta: where the loss turns from quadratic to linear (0 gives the L1 loss).
            Defaults to 1.0.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.SmoothL1Loss()(nl.tensor([0.5, 3.0]), nl.tensor([0.0, 0.0]))
        tensor(1.3125)
    """

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
    """Quantile (pinball) loss: with d = y - x, l = q d for d >= 0, else (q - 1) d.

    Minimized by the q-th quantile of the target; no PyTorch counterpart. See
    ``functional.quantile_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        quantile: q, in [0, 1]. Defaults to 0.5.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.

    Raises:
        ValueError: if ``quantile`` is outside [0, 1] or ``reduction`` is unknown.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> loss = nl.nn.QuantileLoss(0.9)
        >>> loss(nl.tensor([0.0, 0.0]), nl.tensor([1.0, -1.0]))
        tensor(0.5)
    """

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
    """Binary cross-entropy on probabilities: l = -w (y ln x + (1 - y) ln(1 - x)).

    Logs are clamped at -100, as PyTorch. See ``functional.binary_cross_entropy``; for logits
    use BCEWithLogitsLoss.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        weight: a weight w that broadcasts to the input's shape (kept as a buffer).
            Defaults to None.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ or
            a value is outside [0, 1].

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.BCELoss()(nl.tensor([0.9, 0.2]), nl.tensor([1.0, 0.0]))
        tensor(0.1643)
    """

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
    """Binary cross-entropy on logits, BCE(sigmoid(x), y) in one stable pass, with ``pos_weight``.

    l = w ((1 - y) x + (1 + (p - 1) y) softplus(-x)), p = pos_weight; see
    ``functional.binary_cross_entropy_with_logits``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        weight: a weight w that broadcasts to the input's shape (kept as a buffer).
            Defaults to None.
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.
        pos_weight: the weight p of positive examples, e.g. one per class (C,) (kept as a
            buffer). Defaults to None (p = 1).

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if the shapes differ.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the input's shape.
        - Output: a scalar; (*) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> loss = nl.nn.BCEWithLogitsLoss(pos_weight=nl.tensor([2.0]))
        >>> loss(nl.tensor([0.0]), nl.tensor([1.0]))
        tensor(1.3863)
    """

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
    """Negative log-likelihood of log-probabilities: l_i = -w_{t_i} input[i, t_i].

    Pair it with LogSoftmax (or use CrossEntropyLoss on logits). 'mean' divides by the sum of
    w_{t_i} over the counted targets; see ``functional.nll_loss``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        weight: a class weight (C,) (kept as a buffer). Defaults to None (all 1).
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        ignore_index: a target value left out of the loss and the mean. Defaults to -100.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.

    Raises:
        ValueError: if ``reduction`` is unknown; in the forward pass, if a target is out of
            range or the shapes do not fit.

    Shape:
        - Input: (N, C), (C,) or (N, C, d1, ...), log-probabilities.
        - Target: (N,), () or (N, d1, ...), class indices in [0, C).
        - Output: a scalar; the target's shape with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> logp = nl.nn.LogSoftmax(dim=1)(nl.tensor([[1.0, 2.0, 3.0]]))
        >>> nl.nn.NLLLoss()(logp, nl.tensor([2]))
        tensor(0.4076)
    """

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
    """Softmax cross-entropy on logits, for class-index or class-probability targets.

    With p = softmax(x) over the class axis: l_i = -w_{t_i} log p[i, t_i] for index targets
    (with label smoothing e: (1 - e) of that plus e / C of sum_c -w_c log p[i, c]), and
    l_i = -sum_c w_c q[i, c] log p[i, c] for probability targets q. See
    ``functional.cross_entropy``.

    Calling it takes ``(input, target, *, sample_weight=None)``; ``sample_weight`` holds one
    non-negative weight per sample (see ``neuralab.losses``).

    Args:
        weight: a class weight (C,) (kept as a buffer). Defaults to None (all 1).
        size_average: deprecated (PyTorch's); with ``reduce`` it sets ``reduction``, with a
            warning. Defaults to None.
        reduce: deprecated (PyTorch's); see ``size_average``. Defaults to None.
        ignore_index: an index target value left out of the loss and the mean. Defaults to
            -100.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``. Defaults to ``'mean'``.
        label_smoothing: e in [0, 1]. Defaults to 0.0.

    Raises:
        ValueError: if ``label_smoothing`` is outside [0, 1] or ``reduction`` is unknown; in
            the forward pass, if a target is out of range or the shapes do not fit.

    Shape:
        - Input: (N, C), (C,) or (N, C, d1, ...), logits.
        - Target: (N,), () or (N, d1, ...) class indices, or the input's shape for
          probabilities.
        - Output: a scalar; (N,) or (N, d1, ...) with ``reduction='none'``.

    Examples:
        >>> import neuralab as nl
        >>> loss = nl.nn.CrossEntropyLoss()
        >>> loss(nl.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]), nl.tensor([2, 0]))
        tensor(1.4076)
        >>> nl.nn.CrossEntropyLoss(label_smoothing=0.1)(nl.tensor([[0.0, 0.0]]), nl.tensor([1]))
        tensor(0.6931)
    """

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
