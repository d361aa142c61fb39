"""Optional Numba kernels (the ``fast`` extra): a second implementation of the elementwise
work that NumPy runs on one core, fused into one parallel pass.

The core is NumPy-only; this module is imported lazily by the ops that have a kernel and
used only when Numba imports and the environment variable ``NEURALAB_NUMBA`` is not
``"0"`` (``kernels()`` returns None otherwise, and the NumPy code runs as without the
extra). Each kernel is tested equal to the NumPy path (tests/test_numba_kernels.py).

Threads: a kernel runs on min(Numba's threads, BLAS's threads), read when a layer starts
(``use_threads()``), so ``threadpool_limits(1)`` / ``OMP_NUM_THREADS=1`` /
``nl.set_num_threads`` limit these kernels as they limit the matrix products. Compiled
code is cached on disk (``cache=True``): the first call in a fresh environment compiles
(seconds), later processes load it.

Kernels:

- ``lstm_step_forward``: one LSTM step after the matrix product (``LSTMLayer``):
  a = 1 / (1 + e^v) for every gate row (v = -z on o, i, f; -2z on g), g = 2 a_g - 1,
  c' = f c + i g, h' = o tanh(c') and, when a gradient will be needed, the backward
  factors K_c = o - h' tanh c', f and K = a (1 - a) * (tanh c', g, c, i) over the gate
  values (the formulas and the order of operations of the NumPy path).
- ``lstm_step_backward``: one step back: dh = g^h + dh^(rec), dc = dc^(rec) + dh K_c,
  dz' = (dh, dc, dc, dc) * K, dc^(rec) <- dc f.
"""

from __future__ import annotations

import os
from typing import Any

_KERNELS: Any = None
_LOADED = False
_BLAS: Any = None


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


def _blas_threads() -> int | None:
    """BLAS's current thread count (threadpoolctl, when installed), else OMP_NUM_THREADS,
    else None."""
    global _BLAS
    try:
        if _BLAS is None:
            from threadpoolctl import ThreadpoolController

            _BLAS = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
        counts = [c.num_threads for c in _BLAS]
        if counts:
            return min(counts)
    except ImportError:
        pass
    omp = os.environ.get("OMP_NUM_THREADS", "")
    return int(omp) if omp.isdigit() and int(omp) > 0 else None


def use_threads() -> None:
    """Set Numba's threads (for the calling thread) to min(Numba's, BLAS's)."""
    import numba

    most = numba.config.NUMBA_NUM_THREADS
    blas = _blas_threads()
    numba.set_num_threads(most if blas is None else max(1, min(most, blas)))


def _compile() -> Any:
    import math
    from types import SimpleNamespace

    from numba import njit, prange

    jit = njit(parallel=True, cache=True, fastmath=False, nogil=True)

    @jit
    def lstm_step_forward(a, c, c_new, h, k_c, forget, grad, one, two):  # pragma: no cover
        hidden, batch = c.shape
        for j in prange(hidden):
            for n in range(batch):
                ao = one / (math.exp(a[j, n]) + one)
                ai = one / (math.exp(a[hidden + j, n]) + one)
                af = one / (math.exp(a[2 * hidden + j, n]) + one)
                ag = one / (math.exp(a[3 * hidden + j, n]) + one)
                g = ag * two - one
                cv = c[j, n]
                cn = af * cv + ai * g
                tc = math.tanh(cn)
                hv = ao * tc
                c_new[j, n] = cn
                h[j, n] = hv
                if grad:
                    k_c[j, n] = ao - hv * tc
                    forget[j, n] = af
                    a[j, n] = (one - ao) * ao * tc
                    a[hidden + j, n] = (one - ai) * ai * g
                    a[2 * hidden + j, n] = (one - af) * af * cv
                    a[3 * hidden + j, n] = (one - ag) * ag * ai

    @jit
    def lstm_step_backward(g, dh_rec, rec, k_c, k, forget, dc_rec, dz):  # pragma: no cover
        hidden, batch = g.shape
        for j in prange(hidden):
            for n in range(batch):
                dh = g[j, n] + dh_rec[j, n] if rec else g[j, n]
                dc = dc_rec[j, n] + dh * k_c[j, n]
                dz[0, j, n] = dh * k[j, n]
                dz[1, j, n] = dc * k[hidden + j, n]
                dz[2, j, n] = dc * k[2 * hidden + j, n]
                dz[3, j, n] = dc * k[3 * hidden + j, n]
                dc_rec[j, n] = dc * forget[j, n]

    return SimpleNamespace(
        lstm_step_forward=lstm_step_forward, lstm_step_backward=lstm_step_backward
    )
