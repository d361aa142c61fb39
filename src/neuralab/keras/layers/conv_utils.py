"""Geometry shared by Keras's convolution and pooling layers: argument checks, output sizes
and Keras's 'same' / 'causal' padding (as TensorFlow computes it).

Sizes along one spatial axis, for input size n, kernel k, stride s, dilation d and the
effective kernel size e = d (k - 1) + 1:

- 'valid': out = floor((n - e) / s) + 1 (no padding);
- 'same':  out = ceil(n / s) = floor((n - 1) / s) + 1, with total padding
  max(0, (out - 1) s + e - n), split as ``total // 2`` before and the rest after (the odd
  pixel at the bottom / right, also for strides > 1);
- 'causal' (1-D convolutions): out as 'same', all d (k - 1) padding before.
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab.tensor import Tensor

DATA_FORMATS = ("channels_last", "channels_first")


def standardize_tuple(value: Any, n: int, name: str, who: str) -> tuple[int, ...]:
    """An int or n ints (each positive) as a tuple of n ints; else ValueError naming ``who``
    and the argument."""
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool):
        items: tuple = (value,) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = ()
        if len(items) != n:
            raise ValueError(
                f"{who}: the `{name}` argument must be an int or a tuple of {n} integers, "
                f"received {name}={value!r}"
            )
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, numpy.integer)) or item <= 0:
            raise ValueError(
                f"{who}: the `{name}` argument must hold positive integers, received "
                f"{name}={value!r}"
            )
    return tuple(int(item) for item in items)


def standardize_padding(value: Any, who: str, allow_causal: bool = False) -> str:
    """'valid', 'same' (any case) or, for 1-D convolutions, 'causal'."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if isinstance(value, str) and value.lower() in allowed:
        return value.lower()
    if isinstance(value, (list, tuple)):
        raise NotImplementedError(
            f"neuralab.keras: {who}(padding={value!r}) (explicit padding) is not supported; "
            f"use one of {allowed} or a ZeroPadding layer"
        )
    raise ValueError(f"{who}: the `padding` argument must be one of {allowed}, received {value!r}")


def standardize_data_format(value: Any, who: str) -> str:
    """None (Keras's default image_data_format, 'channels_last'), 'channels_last' or
    'channels_first'."""
    if value is None:
        return "channels_last"
    if isinstance(value, str) and value.lower() in DATA_FORMATS:
        return value.lower()
    raise ValueError(
        f"{who}: the `data_format` argument must be one of {DATA_FORMATS} or None, "
        f"received {value!r}"
    )


def check_rank(shape: Any, ndim: int, who: str, layout: str) -> None:
    """Raise ValueError unless ``shape`` has ``ndim`` axes (``layout`` names them)."""
    if shape is None or len(shape) != ndim:
        raise ValueError(
            f"{who}: expected a {ndim}-D input {layout}, received an input of shape "
            f"{None if shape is None else tuple(shape)}"
        )


def output_length(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    """The output size along one axis (None stays None); see the module docstring."""
    if n is None:
        return None
    if padding == "valid":
        return (n - (d * (k - 1) + 1)) // s + 1
    return (n - 1) // s + 1


def padding_amounts(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    """(before, after) padding along one axis: none for 'valid'; Keras's (TensorFlow's) split
    for 'same': total = max(0, (ceil(n / s) - 1) s + e - n), before = total // 2, the odd
    pixel after; for 'causal' all d (k - 1) before."""
    effective = d * (k - 1) + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return effective - 1, 0
    total = max(0, ((n + s - 1) // s - 1) * s + effective - n)
    return total // 2, total - total // 2


def check_output_positive(
    out: tuple, input_shape: Any, who: str, kernel_name: str, kernel: tuple
) -> None:
    """ValueError when a known output size would be zero or negative (input too small)."""
    if any(o is not None and o <= 0 for o in out):
        raise ValueError(
            f"{who}: computed output size would be zero or negative: input shape "
            f"{tuple(input_shape)} is too small for {kernel_name}={kernel} with "
            "padding='valid' (output sizes "
            f"{tuple(out)})"
        )


def to_nchw(x: Tensor, rank: int, data_format: str) -> Tensor:
    """Keras data (N, *spatial, C) or (N, C, *spatial) as neuralab's (N, C, H, W) view; 1-D
    data gets H = 1. Permutes are views: no copy."""
    if data_format == "channels_last":
        x = x.permute(0, rank + 1, *range(1, rank + 1))
    return x.unsqueeze(2) if rank == 1 else x


def from_nchw(y: Tensor, rank: int, data_format: str) -> Tensor:
    """The inverse of ``to_nchw``: (N, C, H, W) back to Keras's layout."""
    if rank == 1:
        y = y.squeeze(2)
    if data_format == "channels_last":
        y = y.permute(0, *range(2, rank + 2), 1)
    return y


def spatial_pads(pads: list[tuple[int, int]]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Per-axis (before, after) pads of 1-D or 2-D data as the (H, W) pads of its NCHW view."""
    return ((0, 0), pads[0]) if len(pads) == 1 else (pads[0], pads[1])
