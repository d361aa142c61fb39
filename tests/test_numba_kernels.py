"""The ``fast`` extra's Numba kernels (neuralab.ops._numba) against the NumPy path they
replace: the same op run with NEURALAB_NUMBA=0 and with the kernels, outputs and every
gradient compared; the switch."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab.ops import _numba
from neuralab.ops.recurrent import lstm_layer

pytest.importorskip("numba")

TOL = {"float32": {"rtol": 1e-6, "atol": 1e-7}, "float64": {"rtol": 1e-12, "atol": 1e-14}}


def assert_close(got, expected, dtype, name=""):
    """Equal within the dtype's rounding: rtol elementwise, and an absolute tolerance of
    rtol times the array's largest value (np.exp / np.tanh and the kernels' libm differ in
    the last bit, and a weight gradient sums T*N such products: a sum that cancels to
    0.013 from terms of 0.4 keeps the terms' absolute error, 1.4e-7 in float32)."""
    tol = TOL[dtype]
    atol = max(tol["atol"], tol["rtol"] * float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(got, expected, rtol=tol["rtol"], atol=atol, err_msg=name)


def _lstm_run(arrays, reverse, grad_seed):
    """lstm_layer's output and the gradients of every input under a random upstream
    gradient (None where an input is absent)."""
    leaves = [None if a is None else nl.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = lstm_layer(*leaves, reverse=reverse)
    upstream = np.random.default_rng(grad_seed).standard_normal(out.shape).astype(out.dtype)
    (out * nl.tensor(upstream)).sum().backward()
    return [out.detach().numpy()] + [None if t is None else t.grad.numpy() for t in leaves]


def _lstm_arrays(rng, length, batch, features, hidden, dtype, bias):
    def r(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(dtype)

    w = 1 / np.sqrt(hidden)
    return [
        r(length, batch, features),
        r(batch, hidden),
        r(batch, hidden),
        r(4 * hidden, features, scale=w),
        r(4 * hidden, hidden, scale=w),
        r(4 * hidden, scale=w) if bias else None,
        r(4 * hidden, scale=w) if bias else None,
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (7, 3, 5, 4), (12, 64, 32, 33)])
def test_lstm_kernels_equal_the_numpy_path(monkeypatch, dtype, reverse, bias, shape):
    arrays = _lstm_arrays(np.random.default_rng(sum(shape)), *shape, dtype, bias)
    monkeypatch.setenv("NEURALAB_NUMBA", "0")
    assert _numba.kernels() is None
    expected = _lstm_run(arrays, reverse, 1)
    monkeypatch.setenv("NEURALAB_NUMBA", "1")
    assert _numba.kernels() is not None
    got = _lstm_run(arrays, reverse, 1)
    names = ["output", "x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    for name, e, g in zip(names, expected, got):
        if e is None:
            assert g is None, name
        else:
            assert g.dtype == e.dtype, name
            assert_close(g, e, dtype, name)


def test_lstm_kernel_saturates_like_the_numpy_path(monkeypatch):
    """Gate sums of +-1000 (e^1000 = inf): sigmoid 0 or 1 and no NaN, as with NumPy."""
    arrays = _lstm_arrays(np.random.default_rng(3), 4, 2, 3, 5, "float32", True)
    arrays[0] *= 1000
    results = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        results.append(_lstm_run(arrays, False, 2))
    for e, g in zip(*results):
        if e is not None:
            assert np.isfinite(g).all()
            assert_close(g, e, "float32")


def test_lstm_without_grad_equals_the_numpy_path(monkeypatch):
    arrays = _lstm_arrays(np.random.default_rng(4), 6, 4, 3, 8, "float32", True)
    outs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        with nl.no_grad():
            outs.append(lstm_layer(*[None if a is None else nl.tensor(a) for a in arrays]))
    assert_close(outs[1].numpy(), outs[0].numpy(), "float32")
