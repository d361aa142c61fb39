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
        out = xp.zeros(ctx.in_shape, dtype=grad.dtype)
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
    """The elements of a in a new shape (one dimension may be -1)."""
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
    """A copy of ``a`` that owns its memory (in the graph: the gradient passes through)."""
    return Clone.apply(a)


def contiguous(a: Tensor, memory_format: Any = None) -> Tensor:
    """``a`` itself when its memory is C-contiguous, else a contiguous copy."""
    return a if a._data.flags.c_contiguous else Clone.apply(a)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes start_dim..end_dim into one."""
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
    """A new axis of size 1 at dim."""
    shape = list(a._data.shape)
    shape.insert(check_dim("unsqueeze", dim, len(shape) + 1), 1)
    return reshape(a, tuple(shape))


def squeeze(a: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Remove axes of size 1 (all of them, or those in dim that have size 1)."""
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
    """Axes reordered: result axis i is a's axis dims[i]."""
    dims = _shape_arg(dims)
    ndim = a._data.ndim
    if len(dims) != ndim or sorted(d % ndim for d in dims) != list(range(ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of {ndim} axes")
    return Permute.apply(a, dims=tuple(d % ndim for d in dims))


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two axes."""
    dims = list(range(a._data.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return Permute.apply(a, dims=tuple(dims))


def expand(a: Tensor, *shape: Any) -> Tensor:
    """a broadcast to shape (-1 keeps a dimension)."""
    shape = _shape_arg(shape)
    lead = len(shape) - a._data.ndim
    full = tuple(a._data.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
    return Expand.apply(a, shape=full)


def getitem(a: Tensor, index: Any) -> Tensor:
    """a[index]: basic (ints, slices, None, ...) and integer-array or boolean indexing."""
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
    """Join tensors along an existing axis dim (all other sizes must match); mixed dtypes
    are promoted as in PyTorch."""
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
    """Join tensors of one shape along a new axis dim."""
    _check_nonempty("stack", tensors)
    tensors = _promoted(tensors)
    try:
        return Stack.apply(*tensors, dim=dim)
    except ShapeError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ShapeError(f"stack: expects tensors of equal shape; got shapes {shapes}") from None


def pad(a: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last len(pad)//2 axes, as ``torch.nn.functional.pad``.

    ``pad`` = (left of last axis, right of last axis, left of the one before, ...).
    mode is 'constant' (fills ``value``), 'reflect', 'replicate' or 'circular'.
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
