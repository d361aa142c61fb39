"""One-hot encoding of class indices (``torch.nn.functional.one_hot``)."""

from __future__ import annotations

import numpy

from neuralab.backend import array_module
from neuralab.function import ShapeError
from neuralab.tensor import Tensor


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """One-hot encoding of class indices: out[..., c] = 1 if tensor[...] == c else 0.

    Args:
        tensor: int64 class indices, any shape.
        num_classes: the length of the new last axis; -1 uses one more than the largest index.
            Defaults to -1.

    Returns:
        An int64 tensor of shape ``tensor.shape + (num_classes,)``.

    Raises:
        TypeError: if ``tensor`` is not an int64 Tensor or ``num_classes`` not an int.
        ValueError: if ``num_classes < -1``, an index is negative or too large, or -1 is
            given for an empty tensor (``ShapeError``).

    Examples:
        >>> import neuralab as nl
        >>> nl.functional.one_hot(nl.tensor([0, 2]), num_classes=3)
        tensor([[1, 0, 0],
                [0, 0, 1]], dtype=int64)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")
    index = tensor._data
    if index.dtype != numpy.int64:
        raise TypeError(
            f"one_hot is only applicable to index tensor of type int64 (LongTensor), got "
            f"{index.dtype}; convert it with .long()"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, numpy.integer)):
        raise TypeError(f"one_hot(): num_classes must be an int, got {num_classes!r}")
    if num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    xp = array_module(index)
    if num_classes == -1:
        if index.size == 0:
            raise ShapeError(
                "one_hot: can not infer the total number of classes from an empty tensor"
            )
        num_classes = int(index.max()) + 1
    if index.size:
        if index.min() < 0:
            raise ShapeError("one_hot: class values must be non-negative")
        if index.max() >= num_classes:
            raise ShapeError(
                f"one_hot: class values must be smaller than num_classes ({num_classes}), "
                f"got {int(index.max())}"
            )
    out = (index[..., None] == xp.arange(num_classes)).astype(numpy.int64)
    return Tensor._from_array(out)
