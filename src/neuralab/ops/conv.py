"""2-D convolution (cross-correlation, as PyTorch) as one fused op, by im2col and a matrix
product.

With input x (N, C, H, W), weight w (O, C/G, kh, kw), G groups, stride s, dilation d and
padding pad, output pixel (i, j) of channel o in group g = o // (O/G) is

    y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n, g C/G + c, s i + d p - pad, s j + d q - pad]

(x is zero outside the input). im2col gathers, for every kernel offset (c, p, q), the input
pixels that offset sees into one row of a matrix ``cols`` (C kh kw rows, one column per
output pixel), so the whole convolution is one matrix product per group:

    Y = W cols + b,                      W: (O, C/G kh kw), Y: (O, output pixels)
    dW = sum over n of dY_n cols_n^T      (one product over all output pixels)
    dX = col2im(W^T dY)                  (col2im adds each row back where im2col took it)
    db = sum of dY over n, i, j

Layout. The columns are laid out (C kh kw, OH, OW, N): the batch axis is innermost, so
each kernel offset copies whole contiguous runs of OW * N values, and the product gives
the output as (O, OH, OW, N). The op returns that array as an (N, O, OH, OW) view
(``transpose``) without copying; the next convolution, pooling or activation reads it
as it is, and a stack of convolutions never transposes between layers.
"""

from __future__ import annotations

from typing import Any

import numpy

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops._numba import kernels_for
from neuralab.ops.array_cache import cache
from neuralab.tensor import Tensor, grad_mode


def _pair(value: Any, name: str, op: str = "conv2d") -> tuple[int, int]:
    """An int or a pair of ints as a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
        pair = (value[0], value[1])
    else:
        pair = (value, value)
    for v in pair:
        if isinstance(v, bool) or (not isinstance(v, int) and not hasattr(v, "__index__")):
            raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def same_padding(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """PyTorch's padding='same' (stride 1): total d (k - 1) per axis, left = total // 2 and the
    extra one on the right / bottom.

    Args:
        kernel: (kh, kw).
        dilation: (dh, dw).

    Returns:
        (top, bottom, left, right).

    Examples:
        >>> from neuralab.ops.conv import same_padding
        >>> same_padding((3, 4), (1, 1))
        (1, 1, 1, 2)
    """
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return pads[0], pads[1], pads[2], pads[3]


def im2col(
    x: Any, kernel: tuple, stride: tuple, dilation: tuple, out_size: tuple, out: Any = None
) -> Any:
    """cols[c, p, q, i, j, n] = x[c, s i + d p, s j + d q, n] for x in (C, H, W, N) layout
    (already padded): one strided copy per kernel offset (p, q), never a loop over pixels.
    Returns (C, kh, kw, OH, OW, N) (into ``out`` when given)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    if out is None:
        out = array_module(x).empty((x.shape[0], kh, kw, oh, ow, x.shape[3]), dtype=x.dtype)
    fast = kernels_for(x)
    if fast is not None:  # the same copies in one loop nest (neuralab.ops._numba_conv)
        fast.windows(x, out, stride, dilation, False)
        return out

    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
        for q in range(kw):
            out[:, p, q] = x[:, rows, q * dw : q * dw + sw * (ow - 1) + 1 : sw]
    return out


def col2im(cols: Any, padded_size: tuple, stride: tuple, dilation: tuple, out: Any = None) -> Any:
    """The adjoint of ``im2col``: dx[c, s i + d p, s j + d q, n] += cols[c, p, q, i, j, n],
    summed over every (p, q, i, j) that read the pixel. cols: (C, kh, kw, OH, OW, N); returns
    (C, Hp, Wp, N) (into ``out`` when given)."""
    c, kh, kw, oh, ow, n = cols.shape
    (sh, sw), (dh, dw) = stride, dilation
    if out is None:
        out = array_module(cols).empty((c, padded_size[0], padded_size[1], n), dtype=cols.dtype)
    fast = kernels_for(cols)
    if fast is not None:  # the same sums in one loop nest (neuralab.ops._numba_conv)
        fast.windows(out, cols, stride, dilation, True)
        return out

    out.fill(0)
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
        for q in range(kw):
            out[:, rows, q * dw : q * dw + sw * (ow - 1) + 1 : sw] += cols[:, p, q]
    return out


class Conv2d(Function):
    """2-D cross-correlation; g = o // (O/G) is the group of output channel o:

      y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n, g C/G + c, s i + d p - pad, s j + d q - pad]

    As matrices per group g (cols = im2col(x), one column per output pixel (i, j, n)):
      Y_g = W_g cols_g + b_g
      dL/dW_g = dY_g cols_g^T      (the sum over n, i, j of dY x cols, in one product)
      dL/dx = col2im(W_g^T dY_g)   (each column's gradient added back to the pixels it read)
      dL/db = sum of dY over n, i, j
    ``padding`` is (top, bottom, left, right) and may be asymmetric (padding='same').
    Saves cols (only when W needs a gradient) and W (for dx); computes only the gradients
    asked for.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups, keep_cols=True):
        xp = array_module(x)
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        top, bottom, left, right = padding
        hp, wp = h + top + bottom, w + left + right
        oh = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        xt = x.transpose(1, 2, 3, 0)  # (C, H, W, N): free when x came from a conv or pool
        if top or bottom or left or right:
            padded = cache.empty((c, hp, wp, n), x.dtype, xp)
            padded[:, :top] = 0
            padded[:, top + h :] = 0
            padded[:, top : top + h, :left] = 0
            padded[:, top : top + h, left + w :] = 0
            padded[:, top : top + h, left : left + w] = xt
            xt = padded
        elif n > 1 and xt.strides[3] != xt.itemsize:  # im2col would copy in runs of 1
            xt = _copy(xp, xt)
        cols = im2col(
            xt, (kh, kw), stride, dilation, (oh, ow),
            out=cache.empty((c, kh, kw, oh, ow, n), x.dtype, xp),
        )  # fmt: skip
        k = c // groups * kh * kw
        y = cache.empty((o, oh * ow * n), x.dtype, xp)
        if groups == 1:
            xp.matmul(weight.reshape(o, k), cols.reshape(k, -1), out=y)
        else:
            w3 = weight.reshape(groups, o // groups, k)
            xp.matmul(w3, cols.reshape(groups, k, -1), out=y.reshape(groups, o // groups, -1))
        if bias is not None:
            y += bias[:, None]
        ctx.save_for_backward(cols if keep_cols else None, weight)
        ctx.geometry = (x.shape, (hp, wp), padding, stride, dilation, groups, k, unbatched)
        ctx.cols_shape = cols.shape
        y = y.reshape(o, oh, ow, n).transpose(3, 0, 1, 2)
        return y[0] if unbatched else y

    @staticmethod
    def backward(ctx, grad):
        cols, weight = ctx.saved
        x_shape, padded_size, padding, stride, dilation, groups, k, unbatched = ctx.geometry
        needs = ctx.needs_input_grad
        xp = array_module(grad)
        if unbatched:
            grad = grad[None]
        o = weight.shape[0]
        gt = grad.transpose(1, 2, 3, 0)  # (O, OH, OW, N): free in the layout forward made
        if not gt.flags.c_contiguous:
            gt = _copy(xp, gt)
        gt = gt.reshape(o, -1)
        grad_x = grad_w = grad_b = None
        if needs[1]:
            if groups == 1:
                grad_w = (cols.reshape(k, -1) @ gt.T).T
            else:
                g3 = gt.reshape(groups, o // groups, -1)
                grad_w = g3 @ cols.reshape(groups, k, -1).swapaxes(-1, -2)
            grad_w = grad_w.reshape(weight.shape)
        if len(needs) > 2 and needs[2]:
            grad_b = gt.sum(axis=1)
        if needs[0]:
            dcols = cache.empty((groups * k, gt.shape[1]), grad.dtype, xp)
            if groups == 1:
                xp.matmul(weight.reshape(o, k).T, gt, out=dcols)
            else:
                w3 = weight.reshape(groups, o // groups, k).swapaxes(-1, -2)
                xp.matmul(w3, gt.reshape(groups, o // groups, -1), out=dcols.reshape(groups, k, -1))
            c, n = x_shape[1], x_shape[0]
            dx = cache.empty((c, padded_size[0], padded_size[1], n), grad.dtype, xp)
            col2im(dcols.reshape(ctx.cols_shape), padded_size, stride, dilation, out=dx)
            del dcols
            top, _, left, _ = padding
            h, w = x_shape[2], x_shape[3]
            if dx.shape[1] != h or dx.shape[2] != w:
                dx = dx[:, top : top + h, left : left + w]
            grad_x = dx.transpose(3, 0, 1, 2)
            if unbatched:
                grad_x = grad_x[0]
        return grad_x, grad_w, grad_b


def _copy(xp: Any, a: Any) -> Any:
    """A C-contiguous copy of a, in a cached array."""
    out = cache.empty(a.shape, a.dtype, xp)
    out[...] = a
    return out


def _array(t: Any) -> Any:
    return t._data if isinstance(t, Tensor) else t


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``.

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, g C/G + c, s i + d p - pad,
    s j + d q - pad], g the group of output channel o.

    Args:
        input: (N, C, H, W) or unbatched (C, H, W).
        weight: (O, C / groups, kh, kw).
        bias: (O,). Defaults to None.
        stride: an int or a pair. Defaults to 1.
        padding: an int, a pair, ``'valid'`` (none) or ``'same'`` (output size = input size;
            stride 1 only, the odd pixel of an even total on the bottom / right). Defaults to 0.
        dilation: the spacing between kernel taps, an int or a pair. Defaults to 1.
        groups: G, the number of blocked connections from input to output channels.
            Defaults to 1.

    Returns:
        (N, O, OH, OW) (or (O, OH, OW)) with OH = floor((H + 2 pad - d (kh - 1) - 1) / s) + 1,
        and OW likewise.

    Raises:
        ValueError: if a size, ``groups`` or ``padding`` is invalid, or the shapes do not fit
            (``ShapeError``), e.g. the kernel is larger than the padded input.
        TypeError: if the dtypes differ.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.arange(16.0).reshape(1, 1, 4, 4)
        >>> w = nl.ones(1, 1, 2, 2)
        >>> nl.functional.conv2d(x, w, stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
        >>> nl.functional.conv2d(x, w, padding="same").shape
        (1, 1, 4, 4)
    """
    x, w = _array(input), _array(weight)
    if w.ndim != 4:
        raise ShapeError(f"conv2d: weight must be 4-D (out, in/groups, kh, kw), got {w.shape}")
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"conv2d: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    kernel = (w.shape[2], w.shape[3])
    if min(stride) < 1:
        raise ValueError(f"conv2d: stride must be positive, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"conv2d: dilation must be positive, got {dilation}")
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"conv2d: padding='same' is not supported for strided convolutions, "
                    f"got stride={stride}"
                )
            pads = same_padding(kernel, dilation)
        else:
            raise ValueError(
                f"conv2d: invalid padding string {padding!r}, expected 'valid' or 'same'"
            )
    else:
        ph, pw = _pair(padding, "padding")
        if ph < 0 or pw < 0:
            raise ValueError(f"conv2d: padding must be non-negative, got {(ph, pw)}")
        pads = (ph, ph, pw, pw)
    channels = x.shape[-3]
    if w.shape[0] % groups:
        raise ShapeError(
            f"conv2d: out channels (weight.shape[0] = {w.shape[0]}) must be divisible by "
            f"groups={groups}, got weight of shape {w.shape}"
        )
    if channels != w.shape[1] * groups:
        raise ShapeError(
            f"conv2d: weight of shape {w.shape} with groups={groups} expects input with "
            f"{w.shape[1] * groups} channels, got input of shape {x.shape}"
        )
    b = None if bias is None else _array(bias)
    if b is not None and b.shape != (w.shape[0],):
        raise ShapeError(f"conv2d: bias must have shape ({w.shape[0]},), got {b.shape}")
    if x.dtype != w.dtype or (b is not None and b.dtype != w.dtype):
        raise TypeError(
            f"conv2d: input ({x.dtype}), weight ({w.dtype})"
            + (f" and bias ({b.dtype})" if b is not None else "")
            + " must have the same dtype"
        )
    hp, wp = x.shape[-2] + pads[0] + pads[1], x.shape[-1] + pads[2] + pads[3]
    eff = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    if eff[0] > hp or eff[1] > wp:
        raise ShapeError(
            f"conv2d: kernel of size {eff[0]}x{eff[1]} (with dilation) is larger than the "
            f"padded input of size {hp}x{wp} (input shape {x.shape}, padding {pads})"
        )
    keep_cols = isinstance(weight, Tensor) and weight.requires_grad and grad_mode.enabled
    params = {"stride": stride, "padding": pads, "dilation": dilation, "groups": groups}
    params["keep_cols"] = keep_cols  # cols serve only dW
    if bias is None:
        return Conv2d.apply(input, weight, **params)
    return Conv2d.apply(input, weight, bias, **params)


# --- transposed convolution -------------------------------------------------------------
class Spread(Function):
    """Zero insertion and padding: x (N, C, H, W) to z (N, C, Hz, Wz) with
    z[n, c, lo_h + s_h i, lo_w + s_w j] = x[n, c, i, j] and zeros elsewhere (a negative lo
    crops: pixels that land outside z are dropped). dL/dx[i, j] = dL/dz at the same place."""

    @staticmethod
    def forward(ctx, x, *, rows, cols, size):
        xp = array_module(x)
        (src_r, dst_r), (src_c, dst_c) = rows, cols
        z = xp.zeros((*x.shape[:-2], *size), dtype=x.dtype)
        z[..., dst_r[:, None], dst_c] = x[..., src_r[:, None], src_c]
        ctx.rows, ctx.cols, ctx.in_shape = rows, cols, x.shape
        return z

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        (src_r, dst_r), (src_c, dst_c) = ctx.rows, ctx.cols
        dx = xp.zeros(ctx.in_shape, dtype=grad.dtype)
        dx[..., src_r[:, None], src_c] = grad[..., dst_r[:, None], dst_c]
        return (dx,)


def _spread_axis(n: int, stride: int, lo: int, size: int) -> tuple[Any, Any]:
    """Source indices i of an axis of n pixels and their places lo + stride i inside [0, size)."""
    places = lo + stride * numpy.arange(n)
    keep = (places >= 0) & (places < size)
    return numpy.nonzero(keep)[0], places[keep]


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    The gradient of ``conv2d`` with respect to its input, as a layer. Computed as a stride-1
    convolution: spread the input (s - 1 zeros between pixels, d (k - 1) - pad zeros around
    it, output_padding more at the bottom / right) and correlate it with the kernel flipped in
    both spatial axes and with its in / out channel axes swapped (per group):
    y[n, o] = b[o] + sum_c spread(x)[n, c] (*) flip(w[c, o]).

    Args:
        input: (N, C_in, H, W) or (C_in, H, W).
        weight: (C_in, C_out / groups, kh, kw).
        bias: (C_out,). Defaults to None.
        stride: an int or a pair. Defaults to 1.
        padding: an int or a pair. Defaults to 0.
        output_padding: extra rows / columns at the bottom / right (smaller than the stride or
            the dilation). Defaults to 0.
        groups: the number of groups. Defaults to 1.
        dilation: an int or a pair. Defaults to 1.

    Returns:
        (N, C_out, OH, OW) with OH = (H - 1) s - 2 pad + d (kh - 1) + output_padding + 1, and
        OW likewise.

    Raises:
        ValueError: if a size or ``groups`` is invalid, or the shapes do not fit
            (``ShapeError``).

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[[[1.0, 2.0]]]])
        >>> nl.functional.conv_transpose2d(x, nl.ones(1, 1, 2, 2), stride=2)
        tensor([[[[1., 1., 2., 2.],
                  [1., 1., 2., 2.]]]])
    """
    from neuralab.ops.shape import permute, reshape
    from neuralab.ops.views import flip

    x, w = _array(input), _array(weight)
    if w.ndim != 4:
        raise ShapeError(
            f"conv_transpose2d: weight must be 4-D (in, out/groups, kh, kw), got {w.shape}"
        )
    if x.ndim not in (3, 4):
        raise ShapeError(
            "conv_transpose2d: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
            f"{x.shape}"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"conv_transpose2d: groups must be a positive int, got {groups!r}")
    if x.shape[-3] != w.shape[0] or w.shape[0] % groups:
        raise ShapeError(
            f"conv_transpose2d: weight of shape {w.shape} expects input with {w.shape[0]} "
            f"channels (divisible by groups={groups}), got input of shape {x.shape}"
        )
    op = "conv_transpose2d"
    stride, padding = _pair(stride, "stride", op), _pair(padding, "padding", op)
    output_padding, dilation = (
        _pair(output_padding, "output_padding", op),
        _pair(dilation, "dilation", op),
    )
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(
            f"conv_transpose2d: stride and dilation must be positive, padding and "
            f"output_padding non-negative; got stride={stride}, dilation={dilation}, "
            f"padding={padding}, output_padding={output_padding}"
        )
    for o, s, d in zip(output_padding, stride, dilation):
        if o >= s and o >= d:
            raise ValueError(
                f"conv_transpose2d: output_padding must be smaller than stride or dilation, "
                f"got output_padding={output_padding}, stride={stride}, dilation={dilation}"
            )
    axes, size = [], []
    for n, k, s, p, o, d in zip(
        x.shape[-2:], w.shape[2:], stride, padding, output_padding, dilation
    ):
        lo = d * (k - 1) - p
        full = (n - 1) * s + 1 + 2 * lo + o
        if full - d * (k - 1) < 1:
            raise ShapeError(
                f"conv_transpose2d: output would be empty for input {x.shape}, weight "
                f"{w.shape}, stride={stride}, padding={padding}"
            )
        axes.append(_spread_axis(n, s, lo, full))
        size.append(full)
    z = Spread.apply(input, rows=axes[0], cols=axes[1], size=tuple(size))
    c_in, c_out_g, kh, kw = w.shape
    kernel = flip(weight, (2, 3))
    if groups == 1:
        kernel = permute(kernel, 1, 0, 2, 3)
    else:
        kernel = reshape(kernel, (groups, c_in // groups, c_out_g, kh, kw))
        kernel = reshape(permute(kernel, 0, 2, 1, 3, 4), (groups * c_out_g, c_in // groups, kh, kw))
    return conv2d(z, kernel, bias, 1, 0, dilation, groups)
