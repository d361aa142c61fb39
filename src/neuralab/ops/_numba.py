"""Optional Numba kernels (the ``fast`` extra): a second implementation of the hot ops'
loops, each one compiled pass where NumPy makes several.

The core is NumPy-only; this module is imported lazily by the ops that have a kernel and
used only when Numba imports and the environment variable ``NEURALAB_NUMBA`` is not
``"0"`` (``kernels()`` returns None otherwise, and the NumPy code runs as without the
extra). Every kernel is tested against the NumPy path it replaces
(tests/test_numba_kernels.py): equal bit for bit, except the LSTM's forward step, which
computes exp and tanh itself and is equal to float rounding.

Kernels (each with the NumPy path's formulas and order of operations):

- ``windows`` (``neuralab.ops._numba_conv``): the convolution's window gathering (im2col)
  and its adjoint (col2im).
- ``max_pool_forward`` / ``max_pool_backward`` (``neuralab.ops._numba_pooling``): the
  max and its window offset, and the gradient, in one pass each.
- ``relu_backward``: g * (y > 0); ``adam_update``: Adam's step (``optim.Adam``).
- the LSTM step (``neuralab.ops._numba_lstm``), forward and backward.

The kernels run in the calling thread (no ``prange``): measured on 2 cores, parallel loops
(OpenMP or Numba's workqueue) were slower at these sizes, or, with OpenMP's spinning
workers beside BLAS's, many times slower; the gain is the fusion. Compiled code is cached
on disk (``cache=True``): the first call in a fresh environment compiles (seconds), later
processes load it (about 0.6 s and 60 MiB the first time in a process, beside Numba's
import: 56 MiB).
"""

from __future__ import annotations

import os
from typing import Any

import numpy

_KERNELS: Any = None
_LOADED = False


def kernels() -> Any:
    """This module's compiled kernels (a namespace), or None when Numba is not installed
    or ``NEURALAB_NUMBA=0`` (then the callers run their NumPy code)."""
    global _KERNELS, _LOADED
    if os.environ.get("NEURALAB_NUMBA", "1") == "0":
        return None
    if not _LOADED:
        _LOADED = True
        try:
            _KERNELS = _compile()
        except ImportError:
            _KERNELS = None
    return _KERNELS


def kernels_for(like: Any) -> Any:
    """``kernels()`` for NumPy float32 / float64 arrays like ``like``; None for any other
    array (then the NumPy code runs)."""
    if type(like) is not numpy.ndarray or like.dtype not in (numpy.float32, numpy.float64):
        return None
    return kernels()


def flat_views(*arrays: Any) -> tuple | None:
    """The arrays (same dtype) as 1-D views in their common memory order, for an
    elementwise kernel; None when they are not all stored contiguously in one axis order."""
    first = arrays[0]
    if all(
        a.flags.c_contiguous and a.shape == first.shape and a.dtype == first.dtype for a in arrays
    ):
        return tuple(a.reshape(-1) for a in arrays)
    from neuralab.ops.array_cache import layout

    order = layout(first)
    views = []
    for a in arrays:
        if a.dtype != arrays[0].dtype or a.shape != arrays[0].shape or layout(a) != order:
            return None
        view = a.transpose(order)
        if not view.flags.c_contiguous:
            return None
        views.append(view.reshape(-1))
    return tuple(views)


def _compile() -> Any:
    from types import SimpleNamespace

    import numpy as np
    from numba import njit

    # error_model="numpy": x / 0 gives inf as in NumPy, no ZeroDivisionError check (which
    # stops LLVM from vectorizing the loops)
    jit = njit(cache=True, fastmath=False, nogil=True, error_model="numpy")

    @jit
    def relu_backward(g, y, out, one, zero):  # pragma: no cover
        """out = g * (1 if y > 0 else 0) (ReLU.backward: NumPy's g * (y > 0))."""
        for k in range(g.shape[0]):
            out[k] = g[k] * (one if y[k] > zero else zero)

    @jit
    def adam_update(p, g, m, v, c1, b2, c2, root, eps, rate):  # pragma: no cover
        """Adam's step (``Adam._update``), in its order: m += (g - m) c1; v = v b2 +
        g c2 g; p -= m rate / (sqrt(v) / root + eps)."""
        for k in range(p.shape[0]):
            gk = g[k]
            mk = m[k] + (gk - m[k]) * c1
            vk = v[k] * b2 + gk * c2 * gk
            m[k], v[k] = mk, vk
            p[k] -= mk * rate / (np.sqrt(vk) / root + eps)

    from neuralab.ops import _numba_conv, _numba_lstm, _numba_pooling

    return SimpleNamespace(
        relu_backward=relu_backward,
        adam_update=adam_update,
        **_numba_conv.build(jit),
        **_numba_lstm.build(jit),
        **_numba_pooling.build(jit),
    )
