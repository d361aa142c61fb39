"""The ``fast`` extra's Numba kernels (neuralab.ops._numba) against the NumPy path they
replace: the same op run with NEURALAB_NUMBA=0 and with the kernels, outputs and every
gradient equal bit for bit; the switch."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import neuralab as nl
from neuralab.ops import _numba
from neuralab.ops.recurrent import lstm_layer

pytest.importorskip("numba")


def assert_same(got, expected, name=""):
    """Bit for bit: the kernels run NumPy's exp and tanh and the NumPy path's arithmetic in
    its order (IEEE float32 / float64, no fast-math), so nothing may differ."""
    assert got.dtype == expected.dtype, name
    np.testing.assert_array_equal(got, expected, err_msg=name)


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
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (7, 3, 5, 4), (12, 64, 32, 33), (50, 8, 3, 128)])
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
            assert_same(g, e, name)


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
            assert_same(g, e)


def test_lstm_without_grad_equals_the_numpy_path(monkeypatch):
    arrays = _lstm_arrays(np.random.default_rng(4), 6, 4, 3, 8, "float32", True)
    outs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        with nl.no_grad():
            outs.append(lstm_layer(*[None if a is None else nl.tensor(a) for a in arrays]))
    assert_same(outs[1].numpy(), outs[0].numpy())


def test_without_numba_the_numpy_path_runs(monkeypatch):
    """Numba not importable: kernels() is None and the LSTM runs its NumPy code."""
    monkeypatch.setattr(_numba, "_LOADED", False)
    monkeypatch.setattr(_numba, "_KERNELS", None)
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba -> ImportError
    monkeypatch.delenv("NEURALAB_NUMBA", raising=False)
    assert _numba.kernels() is None
    arrays = _lstm_arrays(np.random.default_rng(5), 3, 2, 3, 4, "float32", True)
    without = _lstm_run(arrays, False, 3)
    monkeypatch.undo()
    assert _numba.kernels() is not None
    with_kernels = _lstm_run(arrays, False, 3)
    for e, g in zip(without, with_kernels):
        if e is not None:
            assert_same(g, e)
