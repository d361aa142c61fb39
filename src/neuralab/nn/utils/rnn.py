"""``torch.nn.utils.rnn``: pad_sequence; packed sequences are not implemented.

neuralab's recurrent layers run whole padded batches; PackedSequence and the functions that
make or read one raise NotImplementedError naming themselves and the padded way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from neuralab import ops
from neuralab.tensor import Tensor

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]

_PADDED_WAY = (
    "neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (nn.utils.rnn.pad_sequence); "
    "read each sequence's output at its own last step"
)


def _not_implemented(name: str) -> NoReturn:
    raise NotImplementedError(
        f"torch.nn.utils.rnn.{name} is not implemented in neuralab: packed sequences are not "
        f"supported; {_PADDED_WAY}"
    )


class PackedSequence:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``PackedSequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.PackedSequence()
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.PackedSequence is not implemented...
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_implemented("PackedSequence")


def pack_padded_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``pack_padded_sequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.pack_padded_sequence(nl.zeros(3, 2, 4), [3, 2])
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.pack_padded_sequence is not implemented...
    """
    _not_implemented("pack_padded_sequence")


def pad_packed_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``pad_packed_sequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.pad_packed_sequence(None)
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.pad_packed_sequence is not implemented...
    """
    _not_implemented("pad_packed_sequence")


def pack_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``pack_sequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.pack_sequence([nl.zeros(3, 4), nl.zeros(2, 4)])
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.pack_sequence is not implemented...
    """
    _not_implemented("pack_sequence")


def unpack_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``unpack_sequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.unpack_sequence(None)
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.unpack_sequence is not implemented...
    """
    _not_implemented("unpack_sequence")


def unpad_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not implemented: packed sequences are not supported; use padded batches.

    neuralab's RNN, LSTM and GRU take padded (T, N, I) batches (``pad_sequence``); read each
    sequence's output at its own last step.

    Args:
        *args: ignored.
        **kwargs: ignored.

    Raises:
        NotImplementedError: always, naming ``unpad_sequence`` and the padded way.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.utils.rnn.unpad_sequence(nl.zeros(3, 2, 4), [3, 2])
        Traceback (most recent call last):
            ...
        NotImplementedError: torch.nn.utils.rnn.unpad_sequence is not implemented...
    """
    _not_implemented("unpad_sequence")


def pad_sequence(
    sequences: Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stacks sequences of different lengths into one padded batch.

    Tensors of shapes (L_i, *) become (L_max, N, *) ((N, L_max, *) with ``batch_first``); the
    missing steps of shorter ones are filled with ``padding_value`` (after them, or before
    them with ``padding_side='left'``).

    Args:
        sequences: the tensors, each (L_i, *) with the same trailing shape.
        batch_first: put the batch axis first. Defaults to False.
        padding_value: the fill value. Defaults to 0.0.
        padding_side: ``'right'`` or ``'left'``. Defaults to ``'right'``.

    Returns:
        The padded batch.

    Raises:
        ValueError: if ``padding_side`` is unknown, the list is empty, or trailing shapes
            differ.
        TypeError: if a sequence is not a Tensor.

    Examples:
        >>> import neuralab as nl
        >>> a, b = nl.tensor([1.0, 2.0, 3.0]), nl.tensor([4.0])
        >>> nl.nn.utils.rnn.pad_sequence([a, b], batch_first=True)
        tensor([[1., 2., 3.],
                [4., 0., 0.]])
        >>> nl.nn.utils.rnn.pad_sequence([a, b]).shape
        (3, 2)
    """
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}"
        )
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    trailing = sequences[0].shape[1:]
    for s in sequences:
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected Tensors, got {type(s).__name__}")
        if s.shape[1:] != trailing:
            raise ValueError(
                f"pad_sequence: every sequence must have trailing shape {trailing}, got {s.shape}"
            )
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            before, after = (0, missing) if padding_side == "right" else (missing, 0)
            s = ops.pad(s, (0, 0) * len(trailing) + (before, after), value=padding_value)
        padded.append(s)
    return ops.stack(padded, dim=0 if batch_first else 1)
