"""Convolution and pooling: values and gradients equal PyTorch's (float32 and float64),
gradcheck in float64, every option of conv2d / max_pool2d / avg_pool2d /
adaptive_avg_pool2d and of the Conv2d and pooling layers, PyTorch's error cases, its tie
rule for max pooling, and the reuse of cached arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab as nl
import neuralab.functional as F
from neuralab import nn

# PyTorch warns that 'same' padding with an even kernel copies the input; so do we.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

TOL32 = {"rtol": 1e-5, "atol": 1e-5}  # sums of dozens of float32 products

CONV_CASES = {
    "basic": (dict(), [(2, 3, 6, 5), (4, 3, 3, 2), (4,)]),
    "no_bias": (dict(), [(2, 3, 5, 5), (2, 3, 3, 3)]),
    "stride": (dict(stride=2), [(2, 2, 7, 6), (3, 2, 3, 3), (3,)]),
    "stride_pair": (dict(stride=(2, 1)), [(1, 2, 7, 6), (3, 2, 2, 3), (3,)]),
    "padding": (dict(padding=1), [(2, 2, 5, 4), (3, 2, 3, 3), (3,)]),
    "padding_pair": (dict(padding=(2, 1)), [(1, 2, 4, 5), (2, 2, 3, 2), (2,)]),
    "padding_valid": (dict(padding="valid"), [(1, 2, 5, 5), (2, 2, 3, 2), (2,)]),
    "same_odd": (dict(padding="same"), [(2, 2, 5, 6), (3, 2, 3, 5), (3,)]),
    "same_even": (dict(padding="same"), [(1, 2, 5, 6), (2, 2, 4, 2), (2,)]),
    "same_even_dilated": (dict(padding="same", dilation=(1, 3)), [(1, 2, 5, 7), (2, 2, 2, 2)]),
    "dilation": (dict(dilation=2), [(2, 2, 7, 7), (3, 2, 3, 2), (3,)]),
    "dilation_pair": (dict(dilation=(1, 2), padding=1), [(1, 2, 6, 7), (2, 2, 2, 3), (2,)]),
    "groups": (dict(groups=2), [(2, 4, 5, 5), (6, 2, 3, 3), (6,)]),
    "depthwise": (dict(groups=3, padding=1), [(2, 3, 5, 4), (6, 1, 3, 3), (6,)]),
    "all_options": (
        dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2),
        [(2, 4, 8, 6), (4, 2, 2, 3), (4,)],
    ),
    "unbatched": (dict(padding=1), [(2, 5, 4), (3, 2, 3, 3), (3,)]),
    "unbatched_groups": (dict(groups=2, stride=2), [(4, 6, 5), (2, 2, 2, 2)]),
    "kernel_1x1": (dict(), [(2, 3, 4, 4), (5, 3, 1, 1), (5,)]),
    "kernel_is_input": (dict(), [(2, 2, 3, 4), (3, 2, 3, 4), (3,)]),
    "single_pixel_out": (dict(stride=3), [(1, 1, 3, 3), (1, 1, 3, 3)]),
}


def _conv(options):
    return lambda m, x, w, *b: m.F.conv2d(x, w, b[0] if b else None, **options)


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_conv2d_matches_torch_and_gradcheck(name):
    options, shapes = CONV_CASES[name]
    check_op(_conv(options), shapes, tol32=TOL32)


def test_conv2d_random_configurations_match_torch():
    """20 random configurations (seeded): shapes, stride, padding, dilation, groups, bias."""
    rng = np.random.default_rng(2024)
    for i in range(20):
        groups = int(rng.choice([1, 1, 2, 3]))
        c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        kernel = tuple(int(k) for k in rng.integers(1, 4, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        stride = tuple(int(s) for s in rng.integers(1, 3, 2))
        if rng.random() < 0.25:
            padding, stride = "same", (1, 1)
        else:
            padding = tuple(int(p) for p in rng.integers(0, 3, 2))
        size = [
            int(rng.integers(d * (k - 1) + 1, d * (k - 1) + 5)) for k, d in zip(kernel, dilation)
        ]
        shapes = [(int(rng.integers(1, 4)), c_in, *size), (c_out, c_in // groups, *kernel)]
        if rng.random() < 0.7:
            shapes.append((c_out,))
        options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        for dtype in ("float32", "float64"):
            compare_with_torch(
                _conv(options),
                shapes,
                dtype=dtype,
                seed=i,
                tol=TOL32 if dtype == "float32" else None,
            )


def test_conv2d_computes_only_the_needed_gradients():
    x = nl.randn(2, 1, 6, 6)  # no gradient: the first layer's input
    w = nl.randn(3, 1, 3, 3, requires_grad=True)
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 1, 3, 3)
    with nl.no_grad():
        assert F.conv2d(x, w).grad_fn is None
    # frozen weight: only the input's gradient, as PyTorch's
    xs = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    ws = np.random.default_rng(1).standard_normal((3, 2, 3, 3))
    xo, xt = nl.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    wo = nl.tensor(ws)
    F.conv2d(xo, wo, stride=2, padding=1).sum().backward()
    torch.nn.functional.conv2d(xt, torch.tensor(ws), stride=2, padding=1).sum().backward()
    assert wo.grad is None
    np.testing.assert_allclose(xo.grad._data, xt.grad.numpy(), rtol=1e-10)


def test_conv2d_keeps_float32():
    x, w, b = nl.randn(2, 3, 8, 8, requires_grad=True), nl.randn(4, 3, 3, 3), nl.randn(4)
    w.requires_grad_()
    b.requires_grad_()
    y = F.conv2d(x, w, b, padding=1)
    y.sum().backward()
    assert y.dtype == np.float32
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


# --- nn.Conv2d ----------------------------------------------------------------------------
def _copy_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "options",
    [
        dict(kernel_size=3, padding=1),
        dict(kernel_size=(3, 2), padding=(2, 1), stride=(2, 1), groups=2),
        dict(kernel_size=(4, 3), padding="same", dilation=(1, 2)),
    ],
    ids=["k3", "k3x2_strided_groups", "same_even"],
)
def test_conv2d_module_padding_modes_match_torch(padding_mode, options):
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(4, 6, padding_mode=padding_mode, **options).double()
    ours = nn.Conv2d(4, 6, padding_mode=padding_mode, dtype=nl.float64, **options)
    _copy_weights(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 6))
    xo, xt = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo._data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = np.random.default_rng(1).standard_normal(yo.shape)
    (yo * nl.tensor(v)).sum().backward()
    (yt * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(xo.grad._data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            dict(ours.named_parameters())[name].grad._data, p.grad.numpy(), rtol=1e-10, atol=1e-12
        )


def test_conv2d_module_parameters_and_init():
    layer = nn.Conv2d(6, 8, (3, 5), groups=2)
    names = {k: tuple(v.shape) for k, v in layer.named_parameters()}
    assert names == {"weight": (8, 3, 3, 5), "bias": (8,)}
    assert layer.weight.dtype == np.float32
    assert nn.Conv2d(2, 2, 3, bias=False).bias is None
    big = nn.Conv2d(64, 64, 3)  # fan_in = 576: weight and bias ~ U(-1/24, 1/24)
    bound = 1 / math.sqrt(64 * 9)
    w = big.weight._data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(big.bias._data).max() <= bound
    nl.manual_seed(3)
    a = nn.Conv2d(3, 4, 3).weight._data.copy()
    nl.manual_seed(3)
    np.testing.assert_array_equal(a, nn.Conv2d(3, 4, 3).weight._data)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((1, 6, 5), dict(padding=2)),
        (
            (4, 4, (3, 2)),
            dict(padding="same", dilation=2, groups=2, bias=False, padding_mode="reflect"),
        ),
        ((4, 2, 3), dict(groups=2, bias=False)),
        ((3, 6, 3), dict(stride=2, padding="valid")),
        ((2, 4, 1), dict(padding=(0, 1), padding_mode="circular")),
    ],
)
def test_conv2d_module_repr_is_torch_s(args, kwargs):
    assert repr(nn.Conv2d(*args, **kwargs)) == repr(torch.nn.Conv2d(*args, **kwargs))


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), r"Conv2d: in_channels \(3\) must be divisible"),
        (lambda: nn.Conv2d(4, 3, 3, groups=2), r"Conv2d: out_channels \(3\) must be divisible"),
        (lambda: nn.Conv2d(4, 4, 3, padding="full"), r"Conv2d: invalid padding string 'full'"),
        (lambda: nn.Conv2d(4, 4, 3, padding="same", stride=2), r"Conv2d: padding='same' is not"),
        (lambda: nn.Conv2d(4, 4, 3, padding_mode="mirror"), r"Conv2d: padding_mode must be"),
        (lambda: nn.Conv2d(4, 4, 0), r"Conv2d: kernel_size, stride and dilation must be"),
    ],
)
def test_conv2d_module_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_conv2d_module_input_errors():
    layer = nn.Conv2d(3, 4, 5, padding=1)
    with pytest.raises(
        ValueError, match=r"Conv2d: expected input with 3 channels .*\(2, 2, 8, 8\)"
    ):
        layer(nl.randn(2, 2, 8, 8))
    with pytest.raises(ValueError, match=r"Conv2d: expected 3-D \(C, H, W\) or 4-D"):
        layer(nl.randn(3, 8))
    # the op checks the kernel against the padded input, once, for the layer too
    with pytest.raises(ValueError, match=r"conv2d: kernel of size 5x5 .* padded input of size 4x6"):
        layer(nl.randn(1, 3, 2, 4))
    assert layer(nl.randn(3, 8, 8)).shape == (4, 6, 6)  # unbatched


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x, w: F.conv2d(x, w[:, :2]), ValueError, r"expects input with 2 channels"),
        (lambda x, w: F.conv2d(x, w[:, :1], groups=3), ValueError, r"divisible by groups=3"),
        (lambda x, w: F.conv2d(x, w[0]), ValueError, r"weight must be 4-D"),
        (lambda x, w: F.conv2d(x[0, 0], w), ValueError, r"expected 3-D \(C, H, W\) or 4-D"),
        (lambda x, w: F.conv2d(x, w, padding="full"), ValueError, r"invalid padding string"),
        (lambda x, w: F.conv2d(x, w, padding="same", stride=2), ValueError, r"'same' is not"),
        (lambda x, w: F.conv2d(x, w, padding=-1), ValueError, r"non-negative"),
        (lambda x, w: F.conv2d(x, w, stride=0), ValueError, r"stride must be positive"),
        (lambda x, w: F.conv2d(x, w, dilation=4), ValueError, r"kernel of size 9x9"),
        (lambda x, w: F.conv2d(x, w, nl.randn(3)), ValueError, r"bias must have shape \(4,\)"),
        (lambda x, w: F.conv2d(x, w.double()), TypeError, r"same dtype"),
        (lambda x, w: F.conv2d(x, w, stride=(1, 2, 3)), ValueError, r"stride must be an int or"),
    ],
)
def test_conv2d_errors(call, error, match):
    x, w = nl.randn(2, 3, 6, 6), nl.randn(4, 3, 3, 3)
    with pytest.raises(error, match=match):
        call(x, w)


# --- pooling ------------------------------------------------------------------------------
POOL_CASES = {
    "max_2": (lambda m, x: m.F.max_pool2d(x, 2), [(2, 3, 6, 5)]),
    "max_overlap": (lambda m, x: m.F.max_pool2d(x, 3, stride=1), [(2, 2, 5, 6)]),
    "max_rect_stride": (lambda m, x: m.F.max_pool2d(x, (3, 2), stride=(2, 1)), [(1, 2, 7, 5)]),
    "max_padding": (lambda m, x: m.F.max_pool2d(x, 3, 2, padding=1), [(2, 2, 7, 6)]),
    "max_dilation": (lambda m, x: m.F.max_pool2d(x, 2, 1, dilation=(2, 3)), [(1, 2, 6, 7)]),
    "max_ceil": (lambda m, x: m.F.max_pool2d(x, 2, ceil_mode=True), [(2, 2, 5, 7)]),
    "max_ceil_padding": (
        lambda m, x: m.F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True),
        [(1, 2, 6, 8)],
    ),
    "max_everything": (
        lambda m, x: m.F.max_pool2d(x, (3, 2), (2, 1), (1, 1), (2, 1), ceil_mode=True),
        [(2, 2, 8, 5)],
    ),
    "max_unbatched": (lambda m, x: m.F.max_pool2d(x, 2, padding=1), [(3, 5, 4)]),
    "max_indices": (
        lambda m, x: m.F.max_pool2d(x, 3, 2, 1, 2, ceil_mode=True, return_indices=True),
        [(2, 2, 9, 8)],
    ),
    "max_indices_unbatched": (
        lambda m, x: m.F.max_pool2d(x, (2, 3), 1, return_indices=True),
        [(2, 4, 5)],
    ),
    "avg_2": (lambda m, x: m.F.avg_pool2d(x, 2), [(2, 3, 6, 5)]),
    "avg_overlap": (lambda m, x: m.F.avg_pool2d(x, (3, 2), stride=1), [(2, 2, 5, 6)]),
    "avg_padding": (lambda m, x: m.F.avg_pool2d(x, 3, 2, padding=1), [(2, 2, 7, 6)]),
    "avg_no_pad_count": (
        lambda m, x: m.F.avg_pool2d(x, 3, 2, padding=1, count_include_pad=False),
        [(2, 2, 7, 6)],
    ),
    "avg_ceil": (lambda m, x: m.F.avg_pool2d(x, 2, ceil_mode=True), [(2, 2, 5, 7)]),
    "avg_ceil_padding": (
        lambda m, x: m.F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True),
        [(1, 2, 6, 8)],
    ),
    "avg_ceil_no_pad_count": (
        lambda m, x: m.F.avg_pool2d(x, (3, 2), (2, 2), (1, 1), True, False),
        [(1, 2, 6, 7)],
    ),
    "avg_divisor": (lambda m, x: m.F.avg_pool2d(x, 3, 2, 1, divisor_override=4), [(2, 2, 6, 6)]),
    "avg_unbatched": (lambda m, x: m.F.avg_pool2d(x, 2, 1), [(3, 4, 4)]),
    "adaptive_divides": (lambda m, x: m.F.adaptive_avg_pool2d(x, (3, 2)), [(2, 2, 6, 4)]),
    "adaptive_uneven": (lambda m, x: m.F.adaptive_avg_pool2d(x, (3, 4)), [(2, 2, 7, 9)]),
    "adaptive_int": (lambda m, x: m.F.adaptive_avg_pool2d(x, 3), [(1, 3, 5, 8)]),
    "adaptive_none": (lambda m, x: m.F.adaptive_avg_pool2d(x, (None, 3)), [(2, 2, 4, 7)]),
    "adaptive_global": (lambda m, x: m.F.adaptive_avg_pool2d(x, 1), [(2, 3, 5, 4)]),
    "adaptive_upsample": (lambda m, x: m.F.adaptive_avg_pool2d(x, (5, 4)), [(1, 2, 3, 3)]),
    "adaptive_unbatched": (lambda m, x: m.F.adaptive_avg_pool2d(x, (2, None)), [(3, 5, 4)]),
}


@pytest.mark.parametrize("name", sorted(POOL_CASES))
def test_pooling_matches_torch_and_gradcheck(name):
    fn, shapes = POOL_CASES[name]
    check_op(fn, shapes)


def test_max_pool_ties_send_the_gradient_where_torch_does():
    """Tied maxima: the gradient goes to the first one in row-major order (also across
    overlapping windows and padding), and return_indices names the same element."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, (2, 3, 7, 8)).astype(np.float32)  # many ties
    x[0, 0] = 0.0  # a constant plane
    x[0, 1, :3, :3] = -np.inf  # a window of -inf beside the -inf padding
    for args in ((2,), (3, 1), (3, 2, 1), (2, 2, 0, 2), (3, 2, 1, 1, True)):
        ours = nl.tensor(x.copy(), requires_grad=True)
        theirs = torch.tensor(x.copy(), requires_grad=True)
        yo, io = F.max_pool2d(ours, *args, return_indices=True)
        yt, it = torch.nn.functional.max_pool2d(theirs, *args, return_indices=True)
        np.testing.assert_array_equal(yo._data, yt.detach().numpy())
        np.testing.assert_array_equal(io._data, it.numpy())
        v = rng.standard_normal(yo.shape).astype(np.float32)
        (yo * nl.tensor(v)).sum().backward()
        (yt * torch.tensor(v)).sum().backward()
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6)


def test_max_pool_nan_is_the_maximum_as_in_torch():
    x = np.arange(2 * 6 * 6, dtype=np.float64).reshape(1, 2, 6, 6) % 7
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in one window: the last one wins
    x[0, 1, 3, 3] = np.nan
    ours, theirs = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, io = F.max_pool2d(ours, 2, return_indices=True)
    yt, it = torch.nn.functional.max_pool2d(theirs, 2, return_indices=True)
    np.testing.assert_array_equal(yo._data, yt.detach().numpy())
    np.testing.assert_array_equal(io._data, it.numpy())
    yo.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(ours.grad._data, theirs.grad.numpy())


def test_max_pool_indices_without_a_graph():
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 6)).astype(np.float32)
    with nl.no_grad():
        _, io = F.max_pool2d(nl.tensor(x), 3, 2, 1, return_indices=True)
    _, it = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert io.dtype == np.int64
    np.testing.assert_array_equal(io._data, it.numpy())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x: F.max_pool2d(x, 3, padding=2), ValueError, r"max_pool2d: padding must be"),
        (lambda x: F.avg_pool2d(x, 2, padding=(0, 2)), ValueError, r"avg_pool2d: padding must"),
        (lambda x: F.max_pool2d(x, 9), ValueError, r"max_pool2d: input of shape .* too small"),
        (lambda x: F.max_pool2d(x, 2, stride=0), ValueError, r"stride must be positive"),
        (lambda x: F.max_pool2d(x, 2, dilation=0), ValueError, r"dilation must be positive"),
        (lambda x: F.max_pool2d(x[0, 0], 2), ValueError, r"expected 3-D \(C, H, W\) or 4-D"),
        (lambda x: F.avg_pool2d(x, 2, divisor_override=0), ValueError, r"must not be zero"),
        (lambda x: F.adaptive_avg_pool2d(x, (2, 0)), ValueError, r"positive ints or None"),
        (lambda x: F.adaptive_avg_pool2d(x, (1, 2, 3)), ValueError, r"an int or a pair"),
        (lambda x: F.max_pool2d(x, (2, 2, 2)), ValueError, r"kernel_size must be an int or"),
    ],
)
def test_pooling_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(nl.randn(2, 3, 8, 8))


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (
            nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
            torch.nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
        ),
        (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (nn.AvgPool2d(3, 2, 1, True, False, 2), torch.nn.AvgPool2d(3, 2, 1, True, False, 2)),
        (nn.AdaptiveAvgPool2d((None, 3)), torch.nn.AdaptiveAvgPool2d((None, 3))),
        (nn.AdaptiveAvgPool2d(2), torch.nn.AdaptiveAvgPool2d(2)),
    ],
    ids=["max", "max_all_options", "avg", "avg_all_options", "adaptive_none", "adaptive"],
)
def test_pooling_modules_match_torch(ours, theirs):
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8)).astype(np.float32)
    out_ours, out_theirs = ours(nl.tensor(x)), theirs(torch.tensor(x))
    if isinstance(out_theirs, tuple):
        np.testing.assert_array_equal(out_ours[1]._data, out_theirs[1].numpy())
        out_ours, out_theirs = out_ours[0], out_theirs[0]
    np.testing.assert_allclose(out_ours._data, out_theirs.numpy(), rtol=1e-6, atol=1e-7)


# --- a network, and the cached arrays -------------------------------------------------------
def _small_cnn(lib):
    tn = lib.nn
    return tn.Sequential(
        tn.Conv2d(2, 4, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
        tn.Conv2d(4, 6, (3, 2), padding="same", groups=2), tn.ReLU(), tn.AvgPool2d(2, 1),
        tn.Conv2d(6, 6, 3, groups=6, padding=1, padding_mode="reflect"),
        tn.AdaptiveAvgPool2d((2, 3)), tn.Flatten(), tn.Linear(36, 5),
    )  # fmt: skip


def test_a_small_cnn_matches_torch_end_to_end():
    """Layers feeding each other (convolutions hand their outputs on in their own memory
    layout): outputs and every gradient equal PyTorch's in float64."""
    torch.manual_seed(0)
    theirs = _small_cnn(torch).double()
    ours = _small_cnn(nl)
    _copy_weights(ours, theirs)
    for p in ours.parameters():
        p._data = p._data.astype(np.float64)
    x = np.random.default_rng(0).standard_normal((3, 2, 10, 9))
    xo, xt = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo._data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    target = np.array([0, 3, 4])
    nl.functional.cross_entropy(yo, nl.tensor(target)).backward()
    torch.nn.functional.cross_entropy(yt, torch.tensor(target)).backward()
    np.testing.assert_allclose(xo.grad._data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    ours_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            ours_params[name].grad._data, p.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


def test_cached_arrays_are_never_shared_while_in_use():
    x1, x2 = nl.randn(64, 3, 16, 16), nl.randn(64, 3, 16, 16)
    w = nl.randn(8, 3, 3, 3, requires_grad=True)
    y1 = F.conv2d(x1, w, padding=1)
    kept = y1._data.copy()
    y2 = F.conv2d(x2, w, padding=1)  # same shapes: must not reuse y1's array
    np.testing.assert_array_equal(y1._data, kept)
    assert not np.shares_memory(y1._data, y2._data)
    # a graph kept for a second backward keeps its saved arrays
    loss = F.max_pool2d(F.conv2d(x1, w, padding=1), 2).sum()
    loss.backward(retain_graph=True)
    first = w.grad._data.copy()
    F.max_pool2d(F.conv2d(x2, w, padding=1), 2).sum().backward()
    w.grad = None
    loss.backward()
    np.testing.assert_allclose(w.grad._data, first, rtol=1e-6)


@pytest.mark.parametrize(
    "layer, kwargs",
    [("Conv2d", {}), ("Conv2d", dict(stride=2, padding=1, dilation=2, groups=2, bias=False,
                                     padding_mode="reflect")),
     ("ConvTranspose2d", {}), ("ConvTranspose2d", dict(stride=2, padding=1, output_padding=1,
                                                       groups=2, bias=False, dilation=2))],
)  # fmt: skip
def test_convolution_reprs_are_pytorchs(layer, kwargs):
    mine = getattr(nn, layer)(4, 6, 3, **kwargs)
    assert repr(mine) == repr(getattr(torch.nn, layer)(4, 6, 3, **kwargs))
