"""Ops that move elements without changing them: reshape, permute, expand, indexing,
concatenation, stacking and padding. Each backward routes the gradient back to where
each element came from (summing where one element was used several times)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops.array_cache import cache
from neuralab.ops.indexing import check_dim
from neuralab.tensor import Tensor


def _shape_arg(shape: tuple) -> tuple:
    """Accept both reshape(2, 3) and reshape((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Reshape(Function):
    """The same elements in a new shape; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return (grad.reshape(ctx.in_shape),)


class Clone(Function):
    """A copy with its own memory; the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return (grad,)


class Permute(Function):
    """Axes reordered by ``dims``; the gradient is permuted by the inverse order."""

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return (grad.transpose(inverse),)


class Expand(Function):
    """a broadcast to ``shape`` (a view); the engine sums the gradient back to a's shape."""

    @staticmethod
    def forward(ctx, a, shape):
        return array_module(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return (grad,)


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None or i is Ellipsis or (isinstance(i, (int, slice)) and not isinstance(i, bool))
        for i in items
    )


class GetItem(Function):
    """a[index];  the gradient is scattered back to the indexed places, summed where an
    element was picked more than once (integer-array indexing)."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.dtype, ctx.index = a.shape, a.dtype, index
        out = a[index]
        if type(out) is not type(a):  # one element: a 0-d view, so x[i].add_(1) changes x
            out = a[(*index, ...) if isinstance(index, tuple) else (index, ...)]
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        out = cache.empty(ctx.in_shape, grad.dtype, xp)  # fresh zeros fault page by page
        out.fill(0)
        if _is_basic(ctx.index):
            out[ctx.index] = grad
        else:
            xp.add.at(out, ctx.index, grad)
        return (out,)


class Cat(Function):
    """Tensors joined along ``dim``; the gradient is split at the same places."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return array_module(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        cuts, total = [], 0
        for size in ctx.sizes[:-1]:
            total += size
            cuts.append(total)
        return tuple(xp.split(grad, cuts, axis=ctx.dim))


class Stack(Function):
    """Tensors of one shape stacked along a new axis ``dim``; the gradient is unstacked."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return array_module(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return tuple(xp.moveaxis(grad, ctx.dim, 0))


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class Pad(Function):
    """a padded on its last axes. Constant padding's gradient is the central slice; for
    reflect/replicate/circular each output element copies one input element, so the
    gradient of an input element is the sum over its copies."""

    @staticmethod
    def forward(ctx, a, widths, mode, value):
        xp = array_module(a)
        ctx.widths, ctx.mode, ctx.in_shape = widths, mode, a.shape
        if mode == "constant":
            return xp.pad(a, widths, mode="constant", constant_values=value)
        return xp.pad(a, widths, mode=_PAD_MODES[mode])

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        if ctx.mode == "constant":
            inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(ctx.widths, ctx.in_shape))
            return (grad[inner],)
        size = 1
        for n in ctx.in_shape:
            size *= n
        source = xp.pad(
            xp.arange(size).reshape(ctx.in_shape), ctx.widths, mode=_PAD_MODES[ctx.mode]
        )
        summed = xp.bincount(source.ravel(), weights=grad.ravel(), minlength=size)
        return (summed.reshape(ctx.in_shape).astype(grad.dtype),)


# --- public functions -------------------------------------------------------------------
def reshape(a: Tensor, *shape: Any) -> Tensor:
    """Returns the elements of ``a`` in a new shape (one dimension may be -1, inferred).

    Also ``x.reshape(...)`` and ``x.view(...)``. The gradient is reshaped back.

    Args:
        a: the input.
        *shape: the new shape, as ints or one tuple.

    Returns:
        A tensor with the new shape (``a`` itself when the shape is unchanged).

    Raises:
        ShapeError: if the number of elements differs (a ValueError).

    Examples:
        >>> import neuralab as nl
        >>> nl.arange(6).reshape(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]], dtype=int64)
    """
    shape = _shape_arg(shape)
    if a._data.shape == shape:
        return a
    try:
        return Reshape.apply(a, shape=shape)
    except ShapeError:
        raise ShapeError(
            f"reshape: cannot reshape a tensor of shape {a.shape} ({a._data.size} elements) "
            f"into shape {shape}"
        ) from None


def clone(a: Tensor, *, memory_format: Any = None) -> Tensor:
    """Returns a copy of ``a`` that owns its memory; in the graph the gradient passes through.

    Args:
        a: the input.
        memory_format: accepted for PyTorch compatibility; ignored. Keyword only. Defaults
            to None.

    Returns:
        The copy.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([1.0, 2.0])
        >>> y = x.clone()
        >>> y[0] = 5.0
        >>> x, y
        (tensor([1., 2.]), tensor([5., 2.]))
    """
    return Clone.apply(a)


def contiguous(a: Tensor, memory_format: Any = None) -> Tensor:
    """Returns ``a`` itself when its memory is C-contiguous, else a contiguous copy.

    Args:
        a: the input.
        memory_format: accepted for PyTorch compatibility; ignored. Defaults to None.

    Returns:
        A C-contiguous tensor with ``a``'s values.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.zeros(2, 3)
        >>> x.contiguous() is x, x.t().contiguous().shape
        (True, (3, 2))
    """
    return a if a._data.flags.c_contiguous else Clone.apply(a)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merges the axes start_dim..end_dim into one (a 0-d tensor becomes (1,)).

    Args:
        a: the input.
        start_dim: the first axis to merge. Defaults to 0.
        end_dim: the last axis to merge. Defaults to -1.

    Returns:
        The reshaped tensor.

    Raises:
        ValueError: if start_dim comes after end_dim.
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3, 4).flatten().shape, nl.zeros(2, 3, 4).flatten(1).shape
        ((24,), (2, 12))
    """
    shape = a._data.shape
    start, end = (
        check_dim("flatten", start_dim, len(shape)),
        check_dim("flatten", end_dim, len(shape)),
    )
    if start > end:
        raise ValueError(f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    if not shape:
        return reshape(a, (1,))
    merged = 1
    for n in shape[start : end + 1]:
        merged *= n
    return reshape(a, shape[:start] + (merged,) + shape[end + 1 :])


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Inserts a new axis of size 1 at ``dim``.

    Args:
        a: the input.
        dim: the position of the new axis, in [-a.ndim - 1, a.ndim].

    Returns:
        The reshaped tensor.

    Raises:
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3).unsqueeze(1).shape
        (2, 1, 3)
    """
    shape = list(a._data.shape)
    shape.insert(check_dim("unsqueeze", dim, len(shape) + 1), 1)
    return reshape(a, tuple(shape))


def squeeze(a: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Removes axes of size 1: all of them, or those in ``dim`` that have size 1.

    Args:
        a: the input.
        dim: an axis or a sequence of axes. Defaults to None (all size-1 axes).

    Returns:
        The reshaped tensor.

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.zeros(1, 3, 1)
        >>> x.squeeze().shape, x.squeeze(0).shape, x.squeeze(1).shape
        ((3,), (3, 1), (1, 3, 1))
    """
    shape = a._data.shape
    if dim is None:
        dims = {i for i, n in enumerate(shape) if n == 1}
    else:
        dims = {
            check_dim("squeeze", d, len(shape)) for d in ((dim,) if isinstance(dim, int) else dim)
        }
        dims = {d for d in dims if shape[d] == 1}
    return reshape(a, tuple(n for i, n in enumerate(shape) if i not in dims))


def permute(a: Tensor, *dims: Any) -> Tensor:
    """Reorders the axes: result axis i is ``a``'s axis dims[i].

    Args:
        a: the input.
        *dims: a permutation of the axes, as ints or one tuple.

    Returns:
        The permuted tensor (the gradient is permuted back).

    Raises:
        ValueError: if ``dims`` is not a permutation of the axes.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3, 4).permute(2, 0, 1).shape
        (4, 2, 3)
    """
    dims = _shape_arg(dims)
    ndim = a._data.ndim
    if len(dims) != ndim or sorted(d % ndim for d in dims) != list(range(ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of {ndim} axes")
    return Permute.apply(a, dims=tuple(d % ndim for d in dims))


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swaps two axes.

    Args:
        a: the input.
        dim0: one axis.
        dim1: the other axis.

    Returns:
        The tensor with the two axes swapped.

    Raises:
        IndexError: if an axis is out of range.

    Examples:
        >>> import neuralab as nl
        >>> nl.zeros(2, 3, 4).transpose(0, 2).shape
        (4, 3, 2)
    """
    dims = list(range(a._data.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return Permute.apply(a, dims=tuple(dims))


def expand(a: Tensor, *shape: Any) -> Tensor:
    """Broadcasts ``a`` to a larger shape without copying (-1 keeps a dimension).

    The gradient is summed over the broadcast axes.

    Args:
        a: the input.
        *shape: the new shape, as ints or one tuple; new axes go in front.

    Returns:
        The broadcast tensor.

    Raises:
        ValueError: if ``a`` does not broadcast to ``shape``.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]], dtype=int64)
    """
    shape = _shape_arg(shape)
    lead = len(shape) - a._data.ndim
    full = tuple(a._data.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    return Expand.apply(a, shape=full)


def getitem(a: Tensor, index: Any) -> Tensor:
    """Indexes a tensor: ``a[index]``, with basic and advanced indexing, as NumPy and PyTorch.

    Basic indices (ints, slices, None, ``...``) give views; integer arrays and boolean masks
    (Tensors, lists or arrays) gather. The gradient is scattered back (summed where an index
    repeats). A uint8 index tensor is read as a mask, with PyTorch's deprecation warning.

    Args:
        a: the input.
        index: the index, as in ``a[index]``.

    Returns:
        The selected elements.

    Raises:
        IndexError: if an index is out of range.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.arange(6).reshape(2, 3)
        >>> x[1]
        tensor([3, 4, 5], dtype=int64)
        >>> x[:, 1:].shape, x[None, ..., 0].shape
        ((2, 2), (1, 2))
        >>> x[x > 3]
        tensor([4, 5], dtype=int64)
    """
    if isinstance(index, Tensor):
        index = index._data
        if index.dtype == numpy.uint8:  # as PyTorch: a uint8 index tensor is a mask
            warnings.warn(
                "getitem: indexing with dtype uint8 is deprecated (as in PyTorch); it is read "
                "as a boolean mask: use a bool tensor instead",
                UserWarning,
                stacklevel=3,
            )
            index = index.astype(bool)
    elif isinstance(index, tuple):
        index = tuple(i._data if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, list):
        index = array_module(a._data).asarray(index)
    if getattr(index, "dtype", None) is not None and index.dtype.kind == "b":
        index = index.nonzero()
    try:
        return GetItem.apply(a, index=index)
    except IndexError as error:
        raise IndexError(f"getitem: {error} (tensor of shape {a.shape})") from None


def _check_nonempty(op: str, tensors: Sequence[Tensor]) -> None:
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")


def _promoted(tensors: Sequence[Tensor]) -> Sequence[Tensor]:
    """Tensors of mixed dtypes cast to PyTorch's common dtype: the widest float when any
    is floating (float32 with int64 stays float32, where NumPy would give float64), else
    NumPy's integer promotion. One set of dtypes to build when they already agree."""
    if not all(isinstance(t, Tensor) for t in tensors):
        return tensors
    dtypes = {t._data.dtype for t in tensors}
    if len(dtypes) <= 1:
        return tensors
    floats = [d for d in dtypes if d.kind in "fc"]
    target = array_module(tensors[0]._data).result_type(*(floats or dtypes))
    from neuralab.ops.arithmetic import cast

    return [t if t._data.dtype == target else cast(t, dtype=target) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Joins tensors along an existing axis ``dim``; all other sizes must match.

    Mixed dtypes are promoted as in PyTorch (float32 with int64 gives float32).

    Args:
        tensors: a non-empty sequence of tensors.
        dim: the axis to join along. Defaults to 0.

    Returns:
        The joined tensor.

    Raises:
        ValueError: if the sequence is empty or sizes differ (``ShapeError``).

    Examples:
        >>> import neuralab as nl
        >>> nl.cat([nl.zeros(2, 3), nl.ones(1, 3)]).shape, nl.cat([nl.zeros(2, 3)] * 2, 1).shape
        ((3, 3), (2, 6))
    """
    _check_nonempty("cat", tensors)
    tensors = _promoted(tensors)
    try:
        return Cat.apply(*tensors, dim=dim)
    except ShapeError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ShapeError(
            f"cat: sizes must match except in dimension {dim}; got shapes {shapes}"
        ) from None


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Joins tensors of one shape along a new axis ``dim``.

    Args:
        tensors: a non-empty sequence of tensors of equal shape.
        dim: the position of the new axis. Defaults to 0.

    Returns:
        The stacked tensor, with one more axis.

    Raises:
        ValueError: if the sequence is empty or shapes differ (``ShapeError``).

    Examples:
        >>> import neuralab as nl
        >>> nl.stack([nl.tensor([1, 2]), nl.tensor([3, 4])], dim=1)
        tensor([[1, 3],
                [2, 4]], dtype=int64)
    """
    _check_nonempty("stack", tensors)
    tensors = _promoted(tensors)
    try:
        return Stack.apply(*tensors, dim=dim)
    except ShapeError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ShapeError(f"stack: expects tensors of equal shape; got shapes {shapes}") from None


def pad(a: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pads the last len(pad) // 2 axes, as ``torch.nn.functional.pad``.

    ``pad`` = (left of the last axis, right of the last axis, left of the one before, ...).
    'constant' fills ``value``; 'reflect' mirrors without repeating the edge, 'replicate'
    repeats the edge, 'circular' wraps around.

    Args:
        a: the input.
        pad: non-negative widths, an even number, for at most ``a.ndim`` axes.
        mode: ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Defaults to
            ``'constant'``.
        value: the fill value for 'constant'. Defaults to 0.0.

    Returns:
        The padded tensor.

    Raises:
        ValueError: if ``mode`` is unknown, the widths are odd in number, negative, or (for
            'reflect') not smaller than the axis.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 2.0, 3.0]])
        >>> nl.functional.pad(x, (1, 2))
        tensor([[0., 1., 2., 3., 0., 0.]])
        >>> nl.functional.pad(x, (2, 2), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {sorted(_PAD_MODES)}, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > a._data.ndim:
        raise ValueError(
            f"pad: expected an even number of widths for at most {a._data.ndim} axes, got {pad}"
        )
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding is not supported, got {pad}")
    n = len(pad) // 2
    widths = [(0, 0)] * (a._data.ndim - n) + [
        (pad[2 * i], pad[2 * i + 1]) for i in reversed(range(n))
    ]
    for (lo, hi), size in zip(widths, a._data.shape):
        if mode == "reflect" and (lo >= size or hi >= size) and (lo or hi):
            raise ValueError(f"pad: reflect padding must be smaller than the axis ({size})")
    return Pad.apply(a, widths=tuple(widths), mode=mode, value=value)
