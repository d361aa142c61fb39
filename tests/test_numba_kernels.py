"""The ``fast`` extra's Numba kernels (neuralab.ops._numba) against the NumPy path they
replace: the same op run with NEURALAB_NUMBA=0 and with the kernels, outputs and every
gradient equal bit for bit (the LSTM: to float rounding, as its exp and tanh are the
kernels' own); the switch."""

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


def assert_rounding(got, expected, name=""):
    """Equal to float rounding: the LSTM kernels compute exp and tanh themselves (within 2
    ulp of NumPy's), so results differ from the NumPy path's by a few ulp of the largest
    value (measured: 3e-7 float32, 5e-16 float64, over 50 steps), never more than 10 times
    that."""
    assert got.dtype == expected.dtype, name
    tol = {np.float32: 2e-6, np.float64: 4e-15}[expected.dtype.type]
    scale = max(float(np.abs(expected).max()), np.finfo(expected.dtype).tiny)
    assert float(np.abs(got - expected).max()) <= tol * scale, name


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
def test_lstm_kernels_equal_the_numpy_path_to_rounding(monkeypatch, dtype, reverse, bias, shape):
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
            assert_rounding(g, e, name)


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
            assert_rounding(g, e)


def test_lstm_without_grad_equals_the_numpy_path(monkeypatch):
    arrays = _lstm_arrays(np.random.default_rng(4), 6, 4, 3, 8, "float32", True)
    outs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        with nl.no_grad():
            outs.append(lstm_layer(*[None if a is None else nl.tensor(a) for a in arrays]))
    assert_rounding(outs[1].numpy(), outs[0].numpy())


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
            assert_rounding(g, e)


# --- max pooling ------------------------------------------------------------------------
def _pool_input(rng, shape, dtype, layout, special):
    """An (N, C, H, W) array stored C-contiguous ("nchw") or with the batch innermost
    ("batch_last", as a convolution's output), with ties (small integers) and, when
    ``special``, NaN and -inf entries."""
    x = rng.integers(-3, 4, shape).astype(dtype)
    if special:
        flat = x.reshape(-1)
        flat[rng.choice(flat.size, max(1, flat.size // 20), replace=False)] = np.nan
        flat[rng.choice(flat.size, max(1, flat.size // 10), replace=False)] = -np.inf
    if layout == "batch_last":
        x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    elif layout == "channels_last":
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return x


def _pool_run(x, upstream, unbatched, **kwargs):
    """max_pool2d's output, indices and input gradient."""
    t = nl.tensor(x[0] if unbatched else x, requires_grad=True)
    y, indices = nl.functional.max_pool2d(t, return_indices=True, **kwargs)
    (y * nl.tensor(upstream[0] if unbatched else upstream)).sum().backward()
    return y.detach().numpy(), indices.numpy(), t.grad.numpy()


POOLS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1)},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 2, "stride": 3},
]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf * 0 in NumPy's path
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["nchw", "batch_last", "channels_last"])
@pytest.mark.parametrize("special", [False, True])
@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("pool", POOLS, ids=str)
def test_max_pool_kernels_equal_the_numpy_path(
    monkeypatch, dtype, layout, special, unbatched, pool
):
    rng = np.random.default_rng(len(str(pool)))
    x = _pool_input(rng, (3, 2, 9, 8), dtype, layout, special)
    with nl.no_grad():
        out_shape = nl.functional.max_pool2d(nl.tensor(x), **pool).shape
    upstream = rng.standard_normal(out_shape).astype(dtype)
    if special:
        upstream.reshape(-1)[::7] = np.inf
    # the reference: the NumPy path on a C-contiguous copy, so that the layouts the kernels
    # do not take ("channels_last": NumPy again) are checked against another run too
    monkeypatch.setenv("NEURALAB_NUMBA", "0")
    expected = _pool_run(np.ascontiguousarray(x), upstream, unbatched, **pool)
    monkeypatch.setenv("NEURALAB_NUMBA", "1")
    got = _pool_run(x, upstream, unbatched, **pool)
    for name, e, g in zip(("output", "indices", "grad"), expected, got):
        assert_same(g, e, name)


@pytest.mark.parametrize("layout", ["nchw", "batch_last"])
def test_max_pool_runs_the_kernels(monkeypatch, layout):
    """The kernels do run for both layouts they take (else the test above compares the
    NumPy path with itself), and an eval-mode call runs them too."""
    calls = []
    fast = _numba.kernels()
    for name in ("max_pool_forward", "max_pool_backward"):
        kernel = getattr(fast, name)
        monkeypatch.setattr(fast, name, lambda *a, _k=kernel, _n=name: calls.append(_n) or _k(*a))
    x = _pool_input(np.random.default_rng(0), (4, 3, 8, 8), "float32", layout, False)
    _pool_run(x, np.ones((4, 3, 4, 4), "float32"), False, kernel_size=2)
    assert calls == ["max_pool_forward", "max_pool_backward"]
    with nl.no_grad():
        nl.functional.max_pool2d(nl.tensor(x), 2)
    assert calls[-1] == "max_pool_forward"


# --- im2col / col2im (convolutions) -----------------------------------------------------
def _conv_run(x, w, b, upstream, **kwargs):
    """conv2d's output and the gradients of input, weight and bias."""
    leaves = [nl.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = nl.functional.conv2d(*leaves, **kwargs)
    (y * nl.tensor(upstream)).sum().backward()
    return [y.detach().numpy()] + [t.grad.numpy() for t in leaves]


CONVS = [
    {},
    {"stride": 2, "padding": 1},
    {"padding": "same", "dilation": 2},
    {"stride": (2, 1), "dilation": (1, 2), "padding": (2, 0)},
    {"groups": 2, "padding": 1},
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["nchw", "batch_last"])
@pytest.mark.parametrize("conv", CONVS, ids=str)
def test_conv_kernels_equal_the_numpy_path(monkeypatch, dtype, layout, conv):
    rng = np.random.default_rng(len(str(conv)))
    x = _pool_input(rng, (5, 4, 9, 10), dtype, layout, False) + rng.random((5, 4, 9, 10))
    x = x.astype(dtype)
    w = rng.standard_normal((6, 4 // conv.get("groups", 1), 3, 3)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    with nl.no_grad():
        out_shape = nl.functional.conv2d(nl.tensor(x), nl.tensor(w), **conv).shape
    upstream = rng.standard_normal(out_shape).astype(dtype)
    results = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        results.append(_conv_run(x, w, b, upstream, **conv))
    for name, e, g in zip(("output", "x", "weight", "bias"), *results):
        assert_same(g, e, name)


def test_conv_runs_the_kernels(monkeypatch):
    calls = []
    fast = _numba.kernels()
    kernel = fast.windows
    monkeypatch.setattr(fast, "windows", lambda *a: calls.append(a[-1]) or kernel(*a))
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype("float32")
    w = np.ones((4, 3, 3, 3), "float32")
    _conv_run(x, w, np.zeros(4, "float32"), np.ones((2, 4, 4, 4), "float32"))
    assert calls == [False, True]  # im2col, then col2im (adjoint)


# --- Adam -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nl.optim.Adam(ps, lr=1e-2),
        lambda ps: nl.optim.Adam(ps, lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda ps: nl.optim.AdamW(ps, lr=1e-2, weight_decay=0.05, maximize=True),
        lambda ps: nl.optim.Adam(ps, lr=1e-2, amsgrad=True),
    ],
    ids=["adam", "adam-decay", "adamw-maximize", "amsgrad"],
)
def test_adam_kernel_equals_the_numpy_path(monkeypatch, dtype, make):
    """Ten steps on two parameters (one transposed, so not C-contiguous) with random
    gradients: the parameters and moments equal, bit for bit."""
    rng = np.random.default_rng(7)
    start = [rng.standard_normal((5, 7)).astype(dtype), rng.standard_normal((6, 3)).astype(dtype).T]
    grads = [[rng.standard_normal(a.shape).astype(dtype) for a in start] for _ in range(10)]
    finals = []
    for flag in ("0", "1"):
        monkeypatch.setenv("NEURALAB_NUMBA", flag)
        params = [nl.tensor(a.copy(), requires_grad=True) for a in start]
        opt = make(params)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = nl.tensor(g.copy())
            opt.step()
        state = [opt.state[p][k] for p in params for k in ("exp_avg", "exp_avg_sq")]
        finals.append([p.detach().numpy() for p in params] + [np.asarray(s) for s in state])
    for e, g in zip(*finals):
        assert_same(g, e)


def test_adam_runs_the_kernel(monkeypatch):
    calls = []
    fast = _numba.kernels()
    kernel = fast.adam_update
    monkeypatch.setattr(fast, "adam_update", lambda *a: calls.append(1) or kernel(*a))
    p = nl.tensor(np.ones(4, "float32"), requires_grad=True)
    opt = nl.optim.Adam([p])
    p.grad = nl.tensor(np.ones(4, "float32"))
    opt.step()
    assert calls == [1]


# --- the LSTM kernels' exp and tanh ---------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kernel_exp_and_tanh_match_numpy(dtype):
    """Within 2 ulp of NumPy's exp over the normal range and 2e-7 (float32) of its tanh;
    e^x = 0 below -87.3 and inf above 88.72; signed infinities, zero and NaN as NumPy."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-87, 88, 20000), rng.uniform(-3, 3, 20000)]).astype(dtype)
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 0.6249, 0.625, 88.8, -90, np.inf, -np.inf,
                        np.nan], dtype)  # fmt: skip
    x = np.concatenate([x, special])
    e, th = np.empty_like(x), np.empty_like(x)
    _numba.kernels().exp_tanh(x, e, th)
    normal = np.abs(x) < 87
    bits = "int32" if dtype == "float32" else "int64"
    ulp = np.abs(e[normal].view(bits).astype(np.int64) - np.exp(x[normal]).view(bits))
    assert ulp.max() <= 2
    np.testing.assert_allclose(th, np.tanh(x), rtol=2e-7 if dtype == "float32" else 1e-15,
                               atol=0)  # fmt: skip
    n = len(special)
    got_e, got_th = e[-n:], th[-n:]
    for i, expected in ((0, 1), (1, 1), (8, np.inf), (9, 0)):
        assert got_e[i] == expected, special[i]
    assert np.isnan(got_e[10]) and np.isnan(got_th[10])
    assert (got_th[[0, 8, 9]] == np.array([0, 1, -1], dtype)).all()
    if dtype == "float32":  # beyond float32's range: inf, and 0 below e^-87.3
        assert got_e[6] == np.inf and got_e[7] == 0
