"""im2col and col2im as one Numba kernel (the ``fast`` extra; see ``neuralab.ops._numba``): one
compiled loop nest instead of kh kw strided NumPy copies or sums (``neuralab.ops.conv``).

With x (C, Hp, Wp, N) padded and cols (C, kh, kw, OH, OW, N):

- im2col: cols[c, p, q, i, j, n] = x[c, s_h i + d_h p, s_w j + d_w q, n] (copies: equal
  bit for bit).
- col2im: dx = 0, then dx[c, s_h i + d_h p, s_w j + d_w q, n] += cols[c, p, q, i, j, n] with
  the offsets (p, q) in the NumPy path's order, so every sum is the same, bit for bit
  (tests/test_numba_kernels.py).
"""

from __future__ import annotations

from typing import Any


def build(jit: Any) -> dict:
    """The kernels, compiled with ``jit``."""

    @jit
    def windows(x, cols, stride, dilation, adjoint):  # pragma: no cover
        """cols[c, p, q, i, j, n] = x[c, s i + d p, s j + d q, n] (im2col), or with adjoint
        x = 0, x[c, s i + d p, s j + d q, n] += cols[c, p, q, i, j, n], (p, q) ascending
        (col2im). One loop nest for both, so that they stay each other's adjoint."""
        channels, kh, kw, oh, ow, batch = cols.shape
        if adjoint:
            x[:] = 0
        for c in range(channels):
            for p in range(kh):
                for q in range(kw):
                    for i in range(oh):
                        r = i * stride[0] + p * dilation[0]
                        for j in range(ow):
                            s = j * stride[1] + q * dilation[1]
                            if adjoint:
                                for n in range(batch):
                                    x[c, r, s, n] += cols[c, p, q, i, j, n]
                            else:
                                for n in range(batch):
                                    cols[c, p, q, i, j, n] = x[c, r, s, n]

    return {"windows": windows}
