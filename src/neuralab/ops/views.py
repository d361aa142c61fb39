"""More ways to rearrange a tensor's elements: shapes taken from another tensor, narrow,
split/chunk/unbind into pieces, repeat and tile, flip and roll, the triangles (tril,
triu) and coordinate grids (meshgrid).

Pieces are slices of the input (``getitem``), so their gradients go back to where they
were cut from; repeat sums the gradient over the copies; flip and roll move it back.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.reduction import _axes
from neuralab.ops.shape import _shape_arg, expand, getitem, permute, reshape
from neuralab.tensor import Tensor


def _axis(a: Tensor, dim: Any, op: str) -> int:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(a).__name__}")
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): 'dim' must be an int, got {dim!r}")
    if a._data.ndim == 0:
        raise IndexError(f"{op}: expects a tensor with at least one dimension, got a 0-d one")
    return _axes(dim, a._data.ndim, op)[0]


def _slice(a: Tensor, axis: int, start: int, stop: int) -> Tensor:
    return getitem(a, (slice(None),) * axis + (slice(start, stop),))


# --- shapes of another tensor -----------------------------------------------------------
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """Returns ``input`` with ``other``'s shape: ``input.view(other.size())``.

    Args:
        input: the tensor to reshape.
        other: the tensor whose shape to take.

    Returns:
        The reshaped tensor.

    Raises:
        ShapeError: if the numbers of elements differ (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(6).view_as(nl.zeros(3, 2)).shape
        (3, 2)
    """
    return reshape(input, tuple(other.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """Returns ``input`` with ``other``'s shape: ``input.reshape(other.size())``.

    Args:
        input: the tensor to reshape.
        other: the tensor whose shape to take.

    Returns:
        The reshaped tensor.

    Raises:
        ShapeError: if the numbers of elements differ (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(6).reshape_as(nl.zeros(2, 3)).shape
        (2, 3)
    """
    return reshape(input, tuple(other.shape))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """Broadcasts ``input`` to ``other``'s shape: ``input.expand(other.size())``.

    Args:
        input: the tensor to broadcast.
        other: the tensor whose shape to take.

    Returns:
        The broadcast tensor.

    Raises:
        ValueError: if ``input`` does not broadcast to that shape.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1.0, 2.0]).expand_as(nl.zeros(3, 2)).shape
        (3, 2)
    """
    return expand(input, tuple(other.shape))


def t(input: Tensor) -> Tensor:
    """Transposes a matrix; tensors of 0 or 1 dimensions are returned as they are.

    Args:
        input: a tensor of at most 2 dimensions.

    Returns:
        The transpose.

    Raises:
        ShapeError: if ``input`` has more than 2 dimensions (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2, 3]]).t().shape
        (3, 1)
    """
    ndim = input._data.ndim
    if ndim > 2:
        raise ShapeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D; "
            "use transpose(dim0, dim1) or permute for more"
        )
    return permute(input, (1, 0)) if ndim == 2 else input


# --- pieces -----------------------------------------------------------------------------
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """Returns the slice input[..., start:start + length, ...] along ``dim``.

    Args:
        input: the tensor.
        dim: the axis.
        start: the first index (may be negative).
        length: the number of elements.

    Returns:
        The slice (the gradient goes back to where it was cut from).

    Raises:
        IndexError: if the range does not fit in the axis.
        TypeError: if ``input`` is not a Tensor or ``dim`` not an int.

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(10).narrow(0, 2, 3)
        tensor([2, 3, 4], dtype=int64)
    """
    axis = _axis(input, dim, "narrow")
    size = input._data.shape[axis]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"narrow: start ({start}) is out of range for a dimension of {size}")
    start %= size if size else 1
    if length < 0 or start + length > size:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size})"
        )
    return _slice(input, axis, start, start + length)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Splits a tensor into pieces along ``dim``.

    Pieces of ``split_size`` each (the last may be smaller), or of the sizes in a list, which
    must add up to the size of the axis.

    Args:
        tensor: the tensor.
        split_size_or_sections: an int, or a list of sizes.
        dim: the axis. Defaults to 0.

    Returns:
        A tuple of slices.

    Raises:
        ShapeError: if a size is negative, zero for a non-empty axis, or the sizes do not add
            up (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> [p.tolist() for p in nl.arange(5).split(2)]
        [[0, 1], [2, 3], [4]]
        >>> [p.shape for p in nl.zeros(2, 5).split([1, 4], dim=1)]
        [(2, 1), (2, 4)]
    """
    axis = _axis(tensor, dim, "split")
    size = tensor._data.shape[axis]
    sizes = split_size_or_sections
    if isinstance(sizes, (list, tuple)):
        sizes = [int(n) for n in sizes]
        if any(n < 0 for n in sizes) or sum(sizes) != size:
            raise ShapeError(
                f"split: split_sizes must be non-negative and sum exactly to {size} (the size "
                f"of dimension {dim}), but got split_sizes={sizes}"
            )
    else:
        step = int(sizes)
        if step < 0 or (step == 0 and size):
            raise ShapeError(
                f"split: split_size must be positive (0 only for an empty dimension), got {step}"
            )
        if size == 0:
            return (tensor,)
        sizes = [min(step, size - start) for start in range(0, size, step)]
    pieces, start = [], 0
    for n in sizes:
        pieces.append(_slice(tensor, axis, start, start + n))
        start += n
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Splits a tensor into at most ``chunks`` pieces along ``dim``, as ``torch.chunk``.

    Each piece has ceil(size / chunks) elements; the last may be smaller, and there may be
    fewer pieces.

    Args:
        input: the tensor.
        chunks: the number of pieces, positive.
        dim: the axis. Defaults to 0.

    Returns:
        A tuple of slices.

    Raises:
        ShapeError: if ``chunks`` is not positive (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> [p.tolist() for p in nl.arange(5).chunk(3)]
        [[0, 1], [2, 3], [4]]
    """
    if not isinstance(chunks, int) or chunks <= 0:
        raise ShapeError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    axis = _axis(input, dim, "chunk")
    size = input._data.shape[axis]
    return split(input, max(-(-size // chunks), 1 if size else 0), axis)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """Returns the slices along ``dim``, with ``dim`` removed: ``unbind(x, 0) == tuple(x)``.

    Args:
        input: the tensor.
        dim: the axis. Defaults to 0.

    Returns:
        A tuple of tensors.

    Raises:
        IndexError: if ``dim`` is out of range or the tensor is 0-d.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]]).unbind(1)
        (tensor([1, 3], dtype=int64), tensor([2, 4], dtype=int64))
    """
    axis = _axis(input, dim, "unbind")
    lead = (slice(None),) * axis
    return tuple(getitem(input, lead + (i,)) for i in range(input._data.shape[axis]))


# --- repeat, flip, roll -----------------------------------------------------------------
class Repeat(Function):
    """out = a tiled ``reps`` times along each axis;  dL/da = the sum of the gradient
    over the copies."""

    @staticmethod
    def forward(ctx, a, reps):
        lead = len(reps) - a.ndim
        ctx.shape = (1,) * lead + a.shape
        ctx.reps, ctx.in_shape = reps, a.shape
        return array_module(a).tile(a, reps)

    @staticmethod
    def backward(ctx, grad):
        split = []
        for r, n in zip(ctx.reps, ctx.shape):
            split += [r, n]
        summed = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return (summed.reshape(ctx.in_shape),)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Copies ``input`` sizes[i] times along axis i (``Tensor.repeat``).

    ``sizes`` may have more entries than ``input`` has dimensions (new leading axes), not
    fewer. The gradient is summed over the copies.

    Args:
        input: the tensor.
        *sizes: the repetitions per axis, as ints or one tuple.

    Returns:
        The tiled tensor.

    Raises:
        ShapeError: if there are fewer sizes than dimensions or a size is negative (a
            ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]], dtype=int64)
    """
    reps = tuple(int(n) for n in _shape_arg(sizes))
    if len(reps) < input._data.ndim:
        raise ShapeError(
            f"repeat: the number of repeat dims ({len(reps)}) can not be smaller than the "
            f"number of dimensions of the tensor ({input._data.ndim})"
        )
    if any(n < 0 for n in reps):
        raise ShapeError(f"repeat: repeats must be non-negative, got {reps}")
    return Repeat.apply(input, reps=reps)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Like ``repeat``, but fewer repetitions than dimensions are padded with 1s in front.

    Args:
        input: the tensor.
        dims: the repetitions per axis (an int or a sequence).

    Returns:
        The tiled tensor.

    Raises:
        ShapeError: if a repetition is negative (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3).tile((2,)).shape
        (2, 6)
    """
    reps = tuple(_shape_arg(tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)))
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return repeat(input, reps)


def _dims(dims: Any, ndim: int, op: str) -> tuple[int, ...]:
    dims = _shape_arg(dims) if isinstance(dims, tuple) else dims
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dimension {d} out of range for a {ndim}-d tensor")
    out = tuple(d % max(ndim, 1) for d in dims)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: dims {dims} has a dimension more than once")
    return out


class Flip(Function):
    """out = a reversed along ``axes``;  dL/da = the gradient reversed along them."""

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return array_module(a).flip(a, axes)

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).flip(grad, ctx.axes),)


def flip(input: Tensor, *dims: Any) -> Tensor:
    """Reverses the order of elements along each of ``dims``.

    The gradient is reversed back. Also ``torch.flip(x, (0, 1))`` and ``x.flip(0)``.

    Args:
        input: the tensor.
        *dims: the axes, as ints or one tuple.

    Returns:
        The flipped tensor.

    Raises:
        TypeError: if no axis is given.
        IndexError: if an axis is out of range.
        ShapeError: if an axis is repeated (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]]).flip(0, 1)
        tensor([[4, 3],
                [2, 1]], dtype=int64)
    """
    if not dims:
        raise TypeError("flip(): missing the required argument 'dims'")
    axes = _dims(dims if len(dims) > 1 else dims[0], input._data.ndim, "flip")
    if input._data.ndim == 0:
        return Flip.apply(input, axes=())
    return Flip.apply(input, axes=axes)


def fliplr(input: Tensor) -> Tensor:
    """Reverses the second axis (left / right).

    Args:
        input: a tensor of at least 2 dimensions.

    Returns:
        The flipped tensor.

    Raises:
        IndexError: if ``input`` has fewer than 2 dimensions.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]]).fliplr().tolist()
        [[2, 1], [4, 3]]
    """
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    """Reverses the first axis (up / down).

    Args:
        input: a tensor of at least 1 dimension.

    Returns:
        The flipped tensor.

    Raises:
        IndexError: if ``input`` is 0-d.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3, 4]]).flipud().tolist()
        [[3, 4], [1, 2]]
    """
    return flip(input, 0)


class Roll(Function):
    """out = a shifted cyclically by ``shifts`` along ``axes``;  dL/da = the gradient
    shifted back."""

    @staticmethod
    def forward(ctx, a, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return array_module(a).roll(a, shifts, axes)

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts)
        return (array_module(grad).roll(grad, back, ctx.axes),)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shifts the elements cyclically: out[(i + shift) % n] = input[i] along each dim.

    Without ``dims`` the tensor is flattened, rolled and shaped back. The gradient is shifted
    back.

    Args:
        input: the tensor.
        shifts: an int or a sequence, one per axis in ``dims``.
        dims: an axis or a sequence of axes. Defaults to None (flattened).

    Returns:
        The rolled tensor.

    Raises:
        ShapeError: if ``shifts`` and ``dims`` differ in length (a ValueError).
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(5).roll(2)
        tensor([3, 4, 0, 1, 2], dtype=int64)
        >>> nl.tensor([[1, 2], [3, 4]]).roll(1, dims=1).tolist()
        [[2, 1], [4, 3]]
    """
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise ShapeError(f"roll: without dims give one shift, got {shifts}")
        flat = reshape(input, (-1,))
        return reshape(Roll.apply(flat, shifts=shifts, axes=(0,)), tuple(input.shape))
    axes = _dims(dims, input._data.ndim, "roll")
    if len(axes) != len(shifts):
        raise ShapeError(
            f"roll: shifts and dims must have the same length, got {shifts} and {dims}"
        )
    return Roll.apply(input, shifts=shifts, axes=axes)


# --- triangles ----------------------------------------------------------------------------
class Tril(Function):
    """out = a on and below the ``diagonal``-th diagonal of its last two axes, 0 above;
    dL/da = the gradient's same triangle."""

    @staticmethod
    def forward(ctx, a, diagonal):
        ctx.diagonal = diagonal
        return array_module(a).tril(a, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).tril(grad, ctx.diagonal),)


class Triu(Function):
    """out = a on and above the ``diagonal``-th diagonal of its last two axes, 0 below;
    dL/da = the gradient's same triangle."""

    @staticmethod
    def forward(ctx, a, diagonal):
        ctx.diagonal = diagonal
        return array_module(a).triu(a, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return (array_module(grad).triu(grad, ctx.diagonal),)


def _triangle(op: str, fn: Any, input: Tensor, diagonal: int) -> Tensor:
    if input._data.ndim < 2:
        raise ShapeError(
            f"{op}: input tensor must have at least 2 dimensions, got {input._data.ndim}"
        )
    return fn.apply(input, diagonal=int(diagonal))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keeps the lower triangle of the last two axes and zeroes the rest.

    out[..., i, j] = x[..., i, j] if j - i <= diagonal, else 0.

    Args:
        input: a tensor of at least 2 dimensions.
        diagonal: 0 is the main diagonal, > 0 above it, < 0 below. Defaults to 0.

    Returns:
        The masked tensor.

    Raises:
        ShapeError: if ``input`` has fewer than 2 dimensions (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.ones(3, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.],
                [1., 1., 1.]])
    """
    return _triangle("tril", Tril, input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keeps the upper triangle of the last two axes and zeroes the rest.

    out[..., i, j] = x[..., i, j] if j - i >= diagonal, else 0.

    Args:
        input: a tensor of at least 2 dimensions.
        diagonal: 0 is the main diagonal, > 0 above it, < 0 below. Defaults to 0.

    Returns:
        The masked tensor.

    Raises:
        ShapeError: if ``input`` has fewer than 2 dimensions (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.ones(3, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.],
                [0., 0., 0.]])
    """
    return _triangle("triu", Triu, input, diagonal)


# --- grids --------------------------------------------------------------------------------
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of n 0-D or 1-D tensors: out[i][j0, j1, ...] = tensors[i][j_i].

    ``indexing='ij'`` gives outputs of shape (len(t0), len(t1), ...); ``'xy'`` swaps the first
    two axes (Cartesian, NumPy's default). Omitted, it is 'ij' with PyTorch's warning.

    Args:
        *tensors: the 0-D or 1-D tensors of one dtype (or one list of them).
        indexing: ``'ij'`` or ``'xy'``. Keyword only. Defaults to None ('ij', with a
            warning).

    Returns:
        A tuple of n tensors of one shape.

    Raises:
        ValueError: if ``indexing`` is unknown, or no tensor is given or one is not 0-D/1-D
            (``ShapeError``).
        TypeError: if the dtypes differ.

    Examples:
        >>> import neuralab as nl
        >>> xs, ys = nl.meshgrid(nl.tensor([1, 2, 3]), nl.tensor([4, 5]), indexing="ij")
        >>> xs.shape, xs[:, 0].tolist(), ys[0].tolist()
        ((3, 2), [1, 2, 3], [4, 5])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument (indexing='ij' is used now, as in PyTorch).",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise ShapeError("meshgrid: expects a non-empty list of tensors")
    for t in tensors:
        if not isinstance(t, Tensor) or t._data.ndim > 1:
            shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise ShapeError(f"meshgrid: expected 0D or 1D tensors, got {shape}")
    if len({t._data.dtype for t in tensors}) > 1:
        dtypes = ", ".join(str(t.dtype) for t in tensors)
        raise TypeError(f"meshgrid: expects all tensors to have the same dtype, got {dtypes}")
    n = len(tensors)
    sizes = [t._data.size for t in tensors]
    position = list(range(n))
    if indexing == "xy" and n >= 2:
        position[0], position[1] = 1, 0
    shape = [0] * n
    for i, size in enumerate(sizes):
        shape[position[i]] = size
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * n
        view[position[i]] = sizes[i]
        grids.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(grids)


__all__ = [
    "chunk", "expand_as", "flip", "fliplr", "flipud", "meshgrid", "narrow", "repeat",
    "reshape_as", "roll", "split", "t", "tile", "tril", "triu", "unbind", "view_as",
]  # fmt: skip


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearranges channels into space: (..., C r^2, H, W) -> (..., C, H r, W r).

    out[..., c, h r + i, w r + j] = in[..., c r^2 + i r + j, h, w], r = upscale_factor, as
    ``torch.nn.functional.pixel_shuffle`` (sub-pixel convolution, Shi et al., 2016).

    Args:
        input: a tensor (..., C r^2, H, W).
        upscale_factor: r.

    Returns:
        A tensor (..., C, H r, W r).

    Raises:
        ShapeError: if the input has fewer than 3 axes or its channels are not divisible by
            r^2 (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.functional.pixel_shuffle(nl.arange(4.0).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    r = upscale_factor
    shape = input._data.shape
    if len(shape) < 3 or shape[-3] % (r * r):
        raise ShapeError(
            f"pixel_shuffle: expected (..., C*r^2, H, W) with C*r^2 divisible by r^2 = {r * r}, "
            f"got shape {shape}"
        )
    *lead, c, h, w = shape
    k = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = permute(x, *range(k), k, k + 3, k + 1, k + 4, k + 2)
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearranges space into channels, the inverse of ``pixel_shuffle``.

    (..., C, H r, W r) -> (..., C r^2, H, W), r = downscale_factor.

    Args:
        input: a tensor (..., C, H r, W r).
        downscale_factor: r.

    Returns:
        A tensor (..., C r^2, H, W).

    Raises:
        ShapeError: if the input has fewer than 3 axes or H, W are not divisible by r (a
            ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.functional.pixel_unshuffle(nl.arange(4.0).reshape(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    r = downscale_factor
    shape = input._data.shape
    if len(shape) < 3 or shape[-2] % r or shape[-1] % r:
        raise ShapeError(
            f"pixel_unshuffle: expected (..., C, H, W) with H and W divisible by {r}, got "
            f"shape {shape}"
        )
    *lead, c, hr, wr = shape
    k = len(lead)
    x = reshape(input, (*lead, c, hr // r, r, wr // r, r))
    x = permute(x, *range(k), k, k + 2, k + 4, k + 1, k + 3)
    return reshape(x, (*lead, c * r * r, hr // r, wr // r))
