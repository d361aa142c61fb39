"""Max pooling as Numba kernels (the ``fast`` extra; see ``neuralab.ops._numba``): the max,
its window offset and the gradient in one pass each, where the NumPy path
(``neuralab.ops.pooling.MaxPool2d``) makes several passes per kernel offset.

Arrays come in memory order, (A, H, W, B): A the planes outside the image axes, B those
inside (a convolution's (N, C, H, W) output stored as (C, H, W, N): A = C, B = N; a
C-contiguous array: A = N C, B = 1), so the innermost loop runs over contiguous memory.

The results equal the NumPy path's, value for value (tests/test_numba_kernels.py):

- forward, per window in row-major offset order t = p kw + q over the offsets inside the
  input: y = the first maximal value, argmax = its offset; a NaN always wins, and the last
  NaN's offset is kept (PyTorch's ``val > max or isnan(val)``).
- backward: dx at the element offset t of window (i, j) is g[i, j] * (argmax[i, j] == t),
  assigned when windows are disjoint, else added (in the NumPy path's order: offsets
  ascending, i.e. windows in reverse row-major order).
"""

from __future__ import annotations

from typing import Any


def build(jit: Any) -> dict:
    """The kernels, compiled with ``jit``."""

    @jit
    def max_pool_forward(x, y, arg, kernel, stride, dilation, start):  # pragma: no cover
        """y[a, i, j, b] = max over the window of x[a, :, :, b], arg = its offset t."""
        planes, h, w, batch = x.shape
        oh, ow = y.shape[1], y.shape[2]
        for a in range(planes):
            for i in range(oh):
                r0 = i * stride[0] - start[0]
                for j in range(ow):
                    c0 = j * stride[1] - start[1]
                    first = True
                    for p in range(kernel[0]):
                        r = r0 + p * dilation[0]
                        if r < 0 or r >= h:
                            continue
                        for q in range(kernel[1]):
                            c = c0 + q * dilation[1]
                            if c < 0 or c >= w:
                                continue
                            t = p * kernel[1] + q
                            if first:
                                first = False
                                for b in range(batch):
                                    y[a, i, j, b] = x[a, r, c, b]
                                    arg[a, i, j, b] = t
                            else:
                                for b in range(batch):  # branch-free: data decide
                                    v, m = x[a, r, c, b], y[a, i, j, b]
                                    take = (v > m) | (v != v)
                                    y[a, i, j, b] = v if take else m
                                    arg[a, i, j, b] = t if take else arg[a, i, j, b]

    @jit
    def max_pool_backward(  # pragma: no cover
        g, arg, dx, kernel, stride, dilation, start, disjoint, one, zero
    ):
        """dx[a, r, c, b] (=, or += where windows overlap) g[a, i, j, b] * (arg == t) for
        every window (i, j) and offset t = (p, q) at (r, c) inside the input."""
        planes, h, w, batch = dx.shape
        oh, ow = g.shape[1], g.shape[2]
        for a in range(planes):
            for i in range(oh - 1, -1, -1):
                r0 = i * stride[0] - start[0]
                for j in range(ow - 1, -1, -1):
                    c0 = j * stride[1] - start[1]
                    for p in range(kernel[0]):
                        r = r0 + p * dilation[0]
                        if r < 0 or r >= h:
                            continue
                        for q in range(kernel[1]):
                            c = c0 + q * dilation[1]
                            if c < 0 or c >= w:
                                continue
                            t = p * kernel[1] + q
                            if disjoint:
                                for b in range(batch):
                                    hit = one if arg[a, i, j, b] == t else zero
                                    dx[a, r, c, b] = g[a, i, j, b] * hit
                            else:
                                for b in range(batch):
                                    hit = one if arg[a, i, j, b] == t else zero
                                    dx[a, r, c, b] += g[a, i, j, b] * hit

    return {"max_pool_forward": max_pool_forward, "max_pool_backward": max_pool_backward}
