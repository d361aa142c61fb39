"""Pooling: max, average and adaptive average over 2-D windows, as fused ops.

A window of output pixel (i, j) covers the input pixels (s i + d p - pad, s j + d q - pad)
for kernel offsets 0 <= p < kh, 0 <= q < kw. Both ops loop over the kh kw kernel offsets,
each one a strided view of the (padded) input holding that offset's pixel of every window,
so the work is kh kw whole-array operations, never a loop over pixels.

Output size per axis (PyTorch's rule): out = floor((H + 2 pad - d (k - 1) - 1) / s) + 1, or
ceil(...) + 1 in ceil_mode, where the last window must start inside the input or the left
padding (else it is dropped). padding may be at most kernel_size // 2.

Arrays keep their memory layout: pooling a convolution's (N, C, H, W) view (stored with the
batch innermost) gives an output stored the same way, which the next convolution reads
without copying.
"""

from __future__ import annotations

from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops._numba import kernels_for
from neuralab.ops.array_cache import empty
from neuralab.ops.array_cache import layout as memory_layout
from neuralab.ops.conv import _pair
from neuralab.tensor import DTypeError, Tensor, grad_mode


# --- geometry ---------------------------------------------------------------------------
def pooling_output_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                        ceil_mode: bool) -> int:  # fmt: skip
    """PyTorch's pooling_output_shape: floor or ceil of (size + 2 pad - d (k-1) - 1) / s, plus
    one; in ceil_mode the last window is dropped if it starts past the input and left pad."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _in_layout(xp: Any, a: Any, layout: tuple) -> Any:
    """a itself when stored in ``layout``, else a copy that is (elementwise ops between
    arrays stored in different axis orders run many times slower)."""
    if a.ndim != len(layout) or memory_layout(a) == layout:
        return a
    out = empty(a.shape, a.dtype, xp, layout)
    out[...] = a
    return out


def _windows(a: Any, kernel: tuple, stride: tuple, dilation: tuple, out_size: tuple) -> list:
    """The kh kw strided views of the padded a (N, C, Hp, Wp), one per kernel offset in
    row-major order: view[p kw + q][n, c, i, j] = a[n, c, s i + d p, s j + d q]."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    return [
        a[..., p * dh : p * dh + sh * (oh - 1) + 1 : sh, q * dw : q * dw + sw * (ow - 1) + 1 : sw]
        for p in range(kh)
        for q in range(kw)
    ]


def _padded(x: Any, pads: tuple, fill: float) -> Any:
    """x (N, C, H, W) surrounded by ``fill``: pads = (top, bottom, left, right)."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    xp = array_module(x)
    n, c, h, w = x.shape
    out = empty((n, c, h + top + bottom, w + left + right), x.dtype, xp, memory_layout(x))
    out.fill(fill)
    out[:, :, top : top + h, left : left + w] = x
    return out


def _disjoint(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    """True when no input pixel lies in two windows (the gradient can be assigned)."""
    return all(k == 1 or d * (k - 1) + 1 <= s for k, s, d in zip(kernel, stride, dilation))


def _tiles(g: _Geometry, padded_size: tuple) -> bool:
    """True when the windows tile the padded input exactly (every pixel in one window)."""
    return all(
        k == s and o * s == n and (d == 1 or k == 1)
        for k, s, d, o, n in zip(g.kernel, g.stride, g.dilation, g.out_size, padded_size)
    )


class _Geometry:
    """The sizes one pooling call needs: kernel, stride, dilation, padding, output size,
    and the padding (top, bottom, left, right) that makes every window lie inside."""

    __slots__ = ("dilation", "in_size", "kernel", "out_size", "pad", "pads", "stride")

    def __init__(self, in_size, kernel, stride, pad, dilation, ceil_mode):
        self.in_size, self.kernel, self.stride = in_size, kernel, stride
        self.pad, self.dilation = pad, dilation
        self.out_size = tuple(
            pooling_output_size(n, k, s, p, d, ceil_mode)
            for n, k, s, p, d in zip(in_size, kernel, stride, pad, dilation)
        )
        far = [
            max(0, (o - 1) * s + d * (k - 1) + 1 - n - p)
            for n, k, s, p, d, o in zip(in_size, kernel, stride, pad, dilation, self.out_size)
        ]
        self.pads = (pad[0], far[0], pad[1], far[1])


def _parse(op: str, x: Any, kernel_size, stride, padding, dilation, ceil_mode) -> _Geometry:
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"{op}: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}"
        )
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = (
        kernel if stride is None or stride == () or stride == [] else _pair(stride, "stride", op)
    )
    pad, dilation = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    if min(kernel) < 1:
        raise ValueError(f"{op}: kernel_size must be positive, got {kernel}")
    if min(stride) < 1:
        raise ValueError(f"{op}: stride must be positive, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"{op}: dilation must be positive, got {dilation}")
    if min(pad) < 0:
        raise ValueError(f"{op}: padding must be non-negative, got {pad}")
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ValueError(
            f"{op}: padding must be at most half of kernel_size (kernel_size // 2), got "
            f"padding={pad} for kernel_size={kernel}"
        )
    geometry = _Geometry(x.shape[-2:], kernel, stride, pad, dilation, ceil_mode)
    if min(geometry.out_size) < 1:
        raise ShapeError(
            f"{op}: input of shape {x.shape} is too small for kernel_size={kernel}, "
            f"stride={stride}, padding={pad}, dilation={dilation}: output size "
            f"{geometry.out_size}"
        )
    return geometry


# --- max pooling ------------------------------------------------------------------------
class MaxPool2d(Function):
    """y[n, c, i, j] = max over the window of x (padding counts as -inf).

    dL/dx: each output's gradient goes to the first maximal element of its window in
    row-major order (PyTorch's rule; a NaN counts as the maximum, the last NaN wins), and
    is summed where windows overlap. Forward keeps, per output, the offset of that element
    (``argmax``, a small integer array) and nothing else.
    """

    @staticmethod
    def forward(ctx, x, geometry, need_index, found):
        xp = array_module(x)
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        g = geometry
        layout = memory_layout(x)
        y = empty((*x.shape[:2], *g.out_size), x.dtype, xp, layout)
        fast = _fast(x, layout)
        argmax = None
        if need_index or fast is not None:  # int8 is smaller; the kernels run 5x faster on int32
            small = fast is None and g.kernel[0] * g.kernel[1] < 128
            argmax = empty(y.shape, xp.int8 if small else xp.int32, xp, layout)
        if fast is not None:  # the same values in one pass (see neuralab.ops._numba_pooling)
            fast.max_pool_forward(
                _memory_order(x, layout), _memory_order(y, layout),
                _memory_order(argmax, layout), g.kernel, g.stride, g.dilation, g.pad,
            )  # fmt: skip
            padded_shape = (*x.shape[:2], x.shape[2] + g.pads[0] + g.pads[1],
                            x.shape[3] + g.pads[2] + g.pads[3])  # fmt: skip
        else:
            fill = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
            padded = _padded(x, g.pads, fill)
            valid = _valid_masks(xp, g) if padded is not x else None
            views = _windows(padded, g.kernel, g.stride, g.dilation, g.out_size)
            _max_and_argmax(xp, views, y, argmax, valid)
            padded_shape = padded.shape
        ctx.save_for_backward(argmax if need_index else None)
        ctx.geometry, ctx.shape, ctx.padded_shape = g, x.shape, padded_shape
        ctx.unbatched, ctx.layout = unbatched, layout
        found["argmax"] = argmax
        if unbatched:
            y = y[0]
        return y

    @staticmethod
    def backward(ctx, grad):
        (argmax,) = ctx.saved
        g = ctx.geometry
        xp = array_module(grad)
        if ctx.unbatched:
            grad = grad[None]
        grad = _in_layout(xp, grad, ctx.layout)
        tiles = _tiles(g, ctx.padded_shape[2:])
        disjoint = _disjoint(g.kernel, g.stride, g.dilation)
        fast = _fast(grad, ctx.layout)
        if fast is not None:  # the same values in one pass (see neuralab.ops._numba_pooling)
            dx = empty(ctx.shape, grad.dtype, xp, ctx.layout)
            if not tiles:
                dx.fill(0)
            one = grad.dtype.type(1)
            fast.max_pool_backward(
                _memory_order(grad, ctx.layout), _memory_order(argmax, ctx.layout),
                _memory_order(dx, ctx.layout), g.kernel, g.stride, g.dilation, g.pad,
                disjoint, one, one - one,
            )  # fmt: skip
            return (dx[0] if ctx.unbatched else dx,)
        dx = empty(ctx.padded_shape, grad.dtype, xp, ctx.layout)
        if not tiles:
            dx.fill(0)
        views = _windows(dx, g.kernel, g.stride, g.dilation, g.out_size)
        for t, view in enumerate(views):
            hit = argmax == t
            if disjoint:
                xp.multiply(grad, hit, out=view)
            else:
                view += grad * hit
        return (_crop(dx, ctx.shape, g.pads, ctx.unbatched),)


_BATCH_INNERMOST = (1, 2, 3, 0)  # a convolution's output: (N, C, H, W) stored as (C, H, W, N)


def _fast(a: Any, layout: tuple) -> Any:
    """The Numba kernels (the ``fast`` extra) when they take a: a NumPy float array stored
    C-contiguous or with the batch innermost; else None (the NumPy code runs)."""
    if layout != _BATCH_INNERMOST and not (layout == (0, 1, 2, 3) and a.flags.c_contiguous):
        return None
    return kernels_for(a)


def _memory_order(a: Any, layout: tuple) -> Any:
    """a (N, C, H, W) as the (A, H, W, B) view the kernels loop over in memory order:
    (C, H, W, N) when the batch is innermost, else (N C, H, W, 1) (a is C-contiguous)."""
    if layout == _BATCH_INNERMOST:
        return a.transpose(1, 2, 3, 0)
    return a.reshape(-1, a.shape[2], a.shape[3], 1)


def _max_and_argmax(xp: Any, views: list, y: Any, argmax: Any, valid: Any) -> None:
    """y = the max of the views (elementwise); argmax (when not None) = the offset of the
    first view equal to it (see ``_first_argmax``)."""
    if len(views) == 1:
        y[...] = views[0]
    else:
        xp.maximum(views[0], views[1], out=y)
        for v in views[2:]:
            xp.maximum(y, v, out=y)
    if argmax is not None:
        needs_valid = valid is not None and xp.isneginf(y).any()
        _first_argmax(xp, views, y, argmax, valid if needs_valid else None)


def _first_argmax(xp: Any, views: list, y: Any, argmax: Any, valid: Any) -> None:
    """Per output, the offset t (row-major) of the first window element equal to the max y,
    into argmax; where the window holds a NaN, the offset of its last NaN (PyTorch's CPU
    kernel takes a value when ``val > max or isnan(val)``). ``valid`` (the masks of
    ``_valid_masks``, or None where no window is all -inf) keeps padding from winning,
    even over an all -inf window.

    Branch-free: ``missing`` marks the windows whose max is not found yet; at offset t,
    hit = (x_t == y) & missing adds t to those windows and clears them from ``missing``.
    """
    dtype = argmax.dtype.type
    argmax.fill(0)
    missing = views[0] != y
    if valid is not None:
        missing |= ~valid[0]
    last = len(views) - 1
    for t in range(1, len(views)):
        hit = views[t] == y
        if valid is not None:
            hit &= valid[t]
        hit &= missing
        argmax += hit.view(xp.int8) * dtype(t) if dtype is xp.int8 else hit * dtype(t)
        if t < last:
            missing ^= hit
    if y.dtype.kind == "f" and xp.isnan(y).any():
        for t, v in enumerate(views):
            argmax[xp.isnan(v)] = t


def _valid_masks(xp: Any, g: _Geometry) -> list:
    """Per kernel offset, an (OH, OW) mask of the windows where that offset is inside the
    input (not padding)."""
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    (oh, ow), (h, w), (ph, pw) = g.out_size, g.in_size, g.pad
    rows = xp.arange(oh)[:, None] * sh - ph
    cols = xp.arange(ow)[None, :] * sw - pw
    masks = []
    for p in range(kh):
        r = rows + p * dh
        for q in range(kw):
            c = cols + q * dw
            masks.append((r >= 0) & (r < h) & (c >= 0) & (c < w))
    return masks


def _crop(dx: Any, shape: tuple, pads: tuple, unbatched: bool) -> Any:
    """The input's part of a padded gradient."""
    top, _, left, _ = pads
    h, w = shape[2], shape[3]
    if dx.shape[2] != h or dx.shape[3] != w:
        dx = dx[:, :, top : top + h, left : left + w]
    return dx[0] if unbatched else dx


def _max_indices(xp: Any, argmax: Any, g: _Geometry) -> Any:
    """PyTorch's indices: the flat position h W + w in the input plane of each max."""
    kw, (sh, sw), (dh, dw) = g.kernel[1], g.stride, g.dilation
    (oh, ow), width, (ph, pw) = g.out_size, g.in_size[1], g.pad
    a = argmax.astype("int64")
    rows = (xp.arange(oh) * sh - ph)[:, None] + (a // kw) * dh
    cols = (xp.arange(ow) * sw - pw)[None, :] + (a % kw) * dw
    return rows * width + cols


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Max over each window, as ``torch.nn.functional.max_pool2d``.

    y[n, c, i, j] = max_{p, q} x[n, c, s i + d p - pad, s j + d q - pad]; padding counts as
    -inf. The gradient goes to the (first) maximum of each window.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: the window, an int or a pair.
        stride: the step. Defaults to None (= kernel_size).
        padding: at most kernel_size // 2 on each side. Defaults to 0.
        dilation: the spacing between window elements. Defaults to 1.
        ceil_mode: ceil instead of floor in the output size. Defaults to False.
        return_indices: also return the int64 flat index h W + w of each maximum in its input
            plane (PyTorch's convention). Defaults to False.

    Returns:
        (N, C, OH, OW) with OH = floor((H + 2 pad - d (kh - 1) - 1) / s) + 1 (ceil with
        ``ceil_mode``); with ``return_indices``, the pair (output, indices).

    Raises:
        ValueError: if a size is not positive, the padding exceeds half the kernel, or the
            input is not 3-D / 4-D or too small (``ShapeError``).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[[[1.0, 5.0], [3.0, 2.0]]]])
        >>> nl.functional.max_pool2d(x, 2, return_indices=True)
        (tensor([[[[5.]]]]), tensor([[[[1]]]], dtype=int64))
    """
    x = input._data if isinstance(input, Tensor) else input
    g = _parse("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    need_index = return_indices or (
        grad_mode.enabled and isinstance(input, Tensor) and input.requires_grad
    )
    found: dict = {}
    y = MaxPool2d.apply(input, geometry=g, need_index=need_index, found=found)
    if not return_indices:
        return y
    argmax = found["argmax"]
    indices = _max_indices(array_module(x), argmax if x.ndim == 4 else argmax[0], g)
    return y, Tensor._from_array(indices)


# --- average pooling --------------------------------------------------------------------
class AvgPool2d(Function):
    """y[n, c, i, j] = (sum of x over the window, padding as 0) / divisor[i, j];
    dL/dx[pixel] = sum over the windows holding it of g / divisor.

    divisor (PyTorch's CPU kernel): with hstart = s i - pad and hend = min(hstart + k,
    H + pad), the window counts (hend - hstart) (wend - wstart) pixels
    (count_include_pad=True; padding beyond H + pad in ceil_mode is not counted), or only
    those inside the input (count_include_pad=False); divisor_override replaces both.
    """

    @staticmethod
    def forward(ctx, x, geometry, scale):
        xp = array_module(x)
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        g = geometry
        padded = _padded(x, g.pads, 0)
        views = _windows(padded, g.kernel, g.stride, g.dilation, g.out_size)
        y = empty(views[0].shape, x.dtype, xp, memory_layout(x))
        if len(views) == 1:
            y[...] = views[0]
        else:
            xp.add(views[0], views[1], out=y)
            for v in views[2:]:
                y += v
        y *= scale
        ctx.geometry, ctx.shape, ctx.padded_shape = g, x.shape, padded.shape
        ctx.unbatched, ctx.scale, ctx.layout = unbatched, scale, memory_layout(x)
        return y[0] if unbatched else y

    @staticmethod
    def backward(ctx, grad):
        g = ctx.geometry
        xp = array_module(grad)
        if ctx.unbatched:
            grad = grad[None]
        grad = _in_layout(xp, grad, ctx.layout)
        scale = ctx.scale
        gs = grad * scale
        dx = empty(ctx.padded_shape, grad.dtype, xp, ctx.layout)
        disjoint = _disjoint(g.kernel, g.stride, g.dilation)
        if not _tiles(g, ctx.padded_shape[2:]):
            dx.fill(0)
        for view in _windows(dx, g.kernel, g.stride, g.dilation, g.out_size):
            if disjoint:
                view[...] = gs
            else:
                view += gs
        return (_crop(dx, ctx.shape, g.pads, ctx.unbatched),)


def _avg_scale(
    xp: Any, g: _Geometry, count_include_pad: bool, divisor_override: Any, dtype: Any
) -> Any:
    """1 / divisor: a float when every window has the same divisor, else an (OH, OW) array."""
    if divisor_override is not None:
        return 1.0 / divisor_override
    sizes = []
    for n, o, k, s, p in zip(g.in_size, g.out_size, g.kernel, g.stride, g.pad):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(xp.minimum(end, n) - xp.maximum(start, 0))
    divisor = sizes[0][:, None] * sizes[1][None, :]
    if bool((divisor == divisor.flat[0]).all()):
        return 1.0 / float(divisor.flat[0])
    return (1.0 / xp.maximum(divisor, 1)).astype(dtype)


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each window, as ``torch.nn.functional.avg_pool2d``.

    y[n, c, i, j] = sum over the window / divisor, where the divisor is kh kw with
    ``count_include_pad`` (padding counts as zeros), else the number of window elements inside
    the input, or ``divisor_override``.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: the window, an int or a pair.
        stride: the step. Defaults to None (= kernel_size).
        padding: zeros on each side, at most kernel_size // 2. Defaults to 0.
        ceil_mode: ceil instead of floor in the output size. Defaults to False.
        count_include_pad: count padding in the divisor. Defaults to True.
        divisor_override: a fixed divisor. Defaults to None.

    Returns:
        (N, C, OH, OW) with OH = floor((H + 2 pad - kh) / s) + 1 (ceil with ``ceil_mode``).

    Raises:
        ValueError: if a size is invalid, ``divisor_override`` is 0, or the input's shape
            does not fit (``ShapeError``).
        DTypeError: if the input is not floating point (a TypeError).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.ones(1, 1, 2, 2)
        >>> nl.functional.avg_pool2d(x, 2, stride=1, padding=1)
        tensor([[[[0.25, 0.5 , 0.25],
                  [0.5 , 1.  , 0.5 ],
                  [0.25, 0.5 , 0.25]]]])
        >>> nl.functional.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)
        tensor([[[[1., 1., 1.],
                  [1., 1., 1.],
                  [1., 1., 1.]]]])
    """
    x = input._data if isinstance(input, Tensor) else input
    if x.dtype.kind not in "fc":
        raise DTypeError(
            f"avg_pool2d: expected a floating point input, got {x.dtype}; convert it with .float()"
        )
    g = _parse("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    scale = _avg_scale(array_module(x), g, count_include_pad, divisor_override, x.dtype)
    return AvgPool2d.apply(input, geometry=g, scale=scale)


# --- adaptive average pooling -----------------------------------------------------------
def adaptive_pool_matrix(xp: Any, size: int, out: int, dtype: Any) -> Any:
    """P (out, size): row i averages the input range [floor(i size / out),
    ceil((i + 1) size / out)), PyTorch's adaptive windows; P[i, k] = 1 / (end - start)."""
    i = xp.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    k = xp.arange(size)
    inside = (k[None, :] >= start[:, None]) & (k[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _times_last(a: Any, m: Any) -> Any:
    """a @ m^T over a's last axis, as one 2-D product."""
    out = a.reshape(-1, a.shape[-1]) @ m.T
    return out.reshape(a.shape[:-1] + (m.shape[0],))


class AdaptiveAvgPool2d(Function):
    """y = P_h x P_w^T per plane, with P the adaptive averaging matrices
    (``adaptive_pool_matrix``);  dL/dx = P_h^T g P_w."""

    @staticmethod
    def forward(ctx, x, out_size):
        xp = array_module(x)
        ph = adaptive_pool_matrix(xp, x.shape[-2], out_size[0], x.dtype)
        pw = adaptive_pool_matrix(xp, x.shape[-1], out_size[1], x.dtype)
        ctx.save_for_backward(ph, pw)
        t = _times_last(x, pw)  # (..., H, OW)
        return _times_last(t.swapaxes(-1, -2), ph).swapaxes(-1, -2)

    @staticmethod
    def backward(ctx, grad):
        ph, pw = ctx.saved
        t = _times_last(grad, pw.T)  # (..., OH, W)
        return (_times_last(t.swapaxes(-1, -2), ph.T).swapaxes(-1, -2),)


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """Average pooling to a fixed output size, as ``torch.nn.functional.adaptive_avg_pool2d``.

    Output row i averages input rows [floor(i H / OH), ceil((i + 1) H / OH)), and likewise for
    columns.

    Args:
        input: (N, C, H, W) or (C, H, W).
        output_size: (OH, OW), or one int for both; None keeps that input size.

    Returns:
        (N, C, OH, OW) or (C, OH, OW).

    Raises:
        ValueError: if the input is not 3-D / 4-D, has an empty plane (``ShapeError``), or
            ``output_size`` is invalid.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.arange(6.0).reshape(1, 2, 3)
        >>> nl.functional.adaptive_avg_pool2d(x, (1, 2))
        tensor([[[2., 3.]]])
        >>> nl.functional.adaptive_avg_pool2d(x, (None, 1)).shape
        (1, 2, 1)
    """
    x = input._data if isinstance(input, Tensor) else input
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"adaptive_avg_pool2d: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, "
            f"got shape {x.shape}"
        )
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError(
                f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}"
            )
        size = tuple(x.shape[-2 + a] if s is None else s for a, s in enumerate(output_size))
    else:
        size = (output_size, output_size)
    for s in size:
        if isinstance(s, bool) or not isinstance(s, int) or s < 1:
            raise ValueError(
                f"adaptive_avg_pool2d: output sizes must be positive ints or None, "
                f"got {output_size!r}"
            )
    if min(x.shape[-2:]) < 1:
        raise ShapeError(f"adaptive_avg_pool2d: input of shape {x.shape} has an empty plane")
    return AdaptiveAvgPool2d.apply(input, out_size=size)
