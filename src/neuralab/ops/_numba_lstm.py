"""The LSTM step as Numba kernels (the ``fast`` extra; see ``neuralab.ops._numba``).

Forward, after the step's matrix product (``LSTMLayer``: z[t] holds v = -z on the o, i, f
gates and -2z on g), one pass computes

    a = 1 / (e^v + 1),  g = 2 a_g - 1,  c' = f c + i g,  h' = o tanh(c')

and, when a gradient will be needed, the backward factors K_c = o - h' tanh c', f and
K = a (1 - a) * (tanh c', g, c, i) over the gate values. Backward, one step:
dh = g^h + dh^(rec), dc = dc^(rec) + dh K_c, dz' = (dh, dc, dc, dc) * K, dc^(rec) <- dc f.

exp and tanh are computed inside the loop, so that it vectorizes: float32 by Cephes'
expf (e^x = 2^n e^r, x = n ln 2 + r, a degree-6 polynomial; within 2 ulp of NumPy's exp,
0 below e^-87.3) and tanhf (an odd polynomial for |x| < 0.625, else 1 - 2 / (e^(2|x|) + 1));
float64 by libm. On the 2-core machine of ``benchmarks/``, NumPy's float32 exp and tanh
took 2 and 3 ns an element, the kernel's exp 0.8 ns. So the LSTM forward is equal to the
NumPy path's to float rounding (tests/test_numba_kernels.py), the backward step bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload


@intrinsic
def _float32_from_bits(typingctx, bits):  # pragma: no cover - compiled
    """The float32 whose IEEE bits are the low 32 bits of the integer ``bits``."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        value = args[0]
        if bits.bitwidth != 32:
            value = builder.trunc(value, ir.IntType(32))
        return builder.bitcast(value, ir.FloatType())

    return types.float32(bits), codegen


def exp(x: float) -> float:
    """e^x inside the kernels (float32: Cephes expf, float64: libm)."""
    return math.exp(x)


def tanh(x: float) -> float:
    """tanh x inside the kernels (float32: Cephes tanhf, float64: libm)."""
    return math.tanh(x)


_F = np.float32


@overload(exp)
def _exp_impl(x):  # pragma: no cover - compiled
    if x == types.float32:

        def expf(x):
            """e^x = 2^n p(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts)."""
            clamped = min(max(x, _F(-87.3)), _F(88.0))
            n = np.floor(clamped * _F(1.44269504088896341) + _F(0.5))
            r = clamped - n * _F(0.693359375)
            r = r - n * _F(-2.12194440e-4)
            p = _F(1.9875691500e-4)
            p = p * r + _F(1.3981999507e-3)
            p = p * r + _F(8.3334519073e-3)
            p = p * r + _F(4.1665795894e-2)
            p = p * r + _F(1.6666665459e-1)
            p = p * r + _F(5.0000001201e-1)
            y = (p * (r * r) + r + _F(1.0)) * _float32_from_bits((np.int32(n) + 127) << 23)
            y = y if x >= _F(-87.3) else _F(0.0)
            y = y if x <= _F(88.72) else _F(np.inf)
            return y if x == x else x  # NaN stays NaN

        return expf
    return lambda x: math.exp(x)


@overload(tanh)
def _tanh_impl(x):  # pragma: no cover - compiled
    if x == types.float32:

        def tanhf(x):
            """x + x^3 P(x^2) for |x| < 0.625, else sign(x) (1 - 2 / (e^(2|x|) + 1))."""
            ax = abs(x)
            z = x * x
            p = _F(-5.70498872745e-3)
            p = p * z + _F(2.06390887954e-2)
            p = p * z + _F(-5.37397155531e-2)
            p = p * z + _F(1.33314422036e-1)
            p = p * z + _F(-3.33332819422e-1)
            small = p * z * x + x
            big = _F(1.0) - _F(2.0) / (exp(ax + ax) + _F(1.0))
            big = big if x >= _F(0.0) else -big
            return small if ax < _F(0.625) else big

        return tanhf
    return lambda x: math.tanh(x)


def build(jit: Any) -> dict:
    """The kernels, compiled with ``jit``."""

    @jit
    def sigmoid_of_negated(v):  # pragma: no cover
        """v <- 1 / (e^v + 1) (= s(-v)), in place over a 1-D array."""
        one = v.dtype.type(1)
        for k in range(v.shape[0]):
            v[k] = one / (exp(v[k]) + one)

    @jit
    def tanh_into(x, out):  # pragma: no cover
        """out = tanh x over 1-D arrays."""
        for k in range(x.shape[0]):
            out[k] = tanh(x[k])

    @jit
    def lstm_gates(z, t, c, c_new, forget, grad, one, two):  # pragma: no cover
        """z[t] holds the gates' a (``sigmoid_of_negated``): g = 2 a_g - 1, c_new = f c + i g;
        with grad, f goes to forget[t] and K_i = a_i (1 - a_i) g, K_f = a_f (1 - a_f) c,
        K_g = a_g (1 - a_g) i replace the gates i, f, g in z[t]."""
        zt = z[t]
        hidden, batch = c.shape
        for j in range(hidden):
            ri, rf, rg = zt[hidden + j], zt[2 * hidden + j], zt[3 * hidden + j]
            cj, nj, fj = c[j], c_new[j], forget[t, j]
            if grad:
                for n in range(batch):
                    ai, af, ag = ri[n], rf[n], rg[n]
                    g = ag * two - one
                    cv = cj[n]
                    nj[n] = af * cv + ai * g
                    fj[n] = af
                    ri[n] = (one - ai) * ai * g
                    rf[n] = (one - af) * af * cv
                    rg[n] = (one - ag) * ag * ai
            else:
                for n in range(batch):
                    nj[n] = rf[n] * cj[n] + ri[n] * (rg[n] * two - one)

    @jit
    def lstm_out(z, t, tc, buf, slot, k_c, grad, one):  # pragma: no cover
        """h' = a_o tanh(c') into buf[:H, slot]; with grad, K_c = a_o - h' tanh c' and
        K_o = a_o (1 - a_o) tanh c' (over a_o in z[t])."""
        zt = z[t]
        hidden, batch = tc.shape
        for j in range(hidden):
            ro, tj, hj, kj = zt[j], tc[j], buf[j, slot], k_c[t, j]
            if grad:
                for n in range(batch):
                    ao = ro[n]
                    hv = ao * tj[n]
                    hj[n] = hv
                    kj[n] = ao - hv * tj[n]
                    ro[n] = (one - ao) * ao * tj[n]
            else:
                for n in range(batch):
                    hj[n] = ro[n] * tj[n]

    @jit
    def lstm_step_backward(g, s, t, dh_rec, rec, k_c, k, forget, dc_rec, dz):  # pragma: no cover
        """dh = g^h + dh^(rec) (g^h alone when not rec), dc = dc^(rec) + dh K_c,
        dz' = (dh, dc, dc, dc) * K into dz[:, :, t], dc^(rec) <- dc f.

        In passes that each store to at most two arrays: one loop storing to all five
        (measured) did not vectorize (LLVM's runtime checks that the arrays do not overlap
        grow with stores x arrays) and took 3x as long."""
        hidden, batch = dh_rec.shape
        for j in range(hidden):  # dc (in dc_rec) and dz'_o
            gj, hj, cj, kcj = g[s + t, j], dh_rec[j], dc_rec[j], k_c[t, j]
            ko, do = k[t, j], dz[0, j, t]
            for n in range(batch):
                dh = gj[n] + hj[n] if rec else gj[n]
                cj[n] = cj[n] + dh * kcj[n]
                do[n] = dh * ko[n]
        for q in range(1, 4):  # dz'_i, dz'_f, dz'_g
            for j in range(hidden):
                cj, kq, dq = dc_rec[j], k[t, q * hidden + j], dz[q, j, t]
                for n in range(batch):
                    dq[n] = cj[n] * kq[n]
        for j in range(hidden):  # dc^(rec) <- dc f
            cj, fj = dc_rec[j], forget[t, j]
            for n in range(batch):
                cj[n] = cj[n] * fj[n]

    @jit
    def exp_tanh(x, e, th):  # pragma: no cover
        """The kernels' exp and tanh of a 1-D array (for the tests)."""
        for k in range(x.shape[0]):
            e[k] = exp(x[k])
            th[k] = tanh(x[k])

    return {
        "sigmoid_of_negated": sigmoid_of_negated,
        "tanh_into": tanh_into,
        "lstm_gates": lstm_gates,
        "lstm_out": lstm_out,
        "lstm_step_backward": lstm_step_backward,
        "exp_tanh": exp_tanh,
    }
