"""nn.init: empirical moments match the formulas, gains and fans match PyTorch's, seeding
reproduces, initializers work in place and keep the dtype."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import neuralab
from neuralab.nn import Parameter, init

K = 5  # tolerance in standard errors: a false alarm has probability < 1e-6


def assert_moments(x, mean, var, k=K):
    """The sample mean and variance of x equal (mean, var) within k standard errors.

    SE(mean) = sqrt(var / n); SE(variance) = sqrt((m4 - var^2) / n), m4 the sample's
    fourth central moment (2 var^2 for a normal, 0.8 var^2 for a uniform)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    centred = x - x.mean()
    m2, m4 = np.mean(centred**2), np.mean(centred**4)
    assert abs(x.mean() - mean) < k * math.sqrt(var / n), f"mean {x.mean()} != {mean}"
    assert abs(m2 - var) < k * math.sqrt((m4 - m2**2) / n), f"variance {m2} != {var}"


def empty(*shape, dtype="float32"):
    return neuralab.zeros(*shape, dtype=dtype)


NONLINEARITIES = [
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]  # fmt: skip


# --- gains and fans ---------------------------------------------------------------------
@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain_equals_torch(name):
    assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("slope", [None, 0, 0.2, 1, 3, 0.01])
def test_calculate_gain_leaky_relu_slope_equals_torch(slope):
    ours = init.calculate_gain("leaky_relu", slope)
    assert ours == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-15)
    s = 0.01 if slope is None else slope
    assert ours == pytest.approx(math.sqrt(2 / (1 + s**2)))


def test_calculate_gain_values():
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("sigmoid") == 1


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match=r"expected one of .*leaky_relu"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain("swish")
    for bad in ("0.1", True):
        with pytest.raises(ValueError, match="not a valid number"):
            init.calculate_gain("leaky_relu", bad)


@pytest.mark.parametrize(
    "shape", [(3, 5), (10, 1), (1, 7), (6, 4, 9), (16, 3, 3, 3), (8, 4, 5, 7), (2, 3, 2, 2, 2)]
)
def test_fans_equal_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_need_two_dimensions(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(empty(*shape))
    with pytest.raises(ValueError):
        init.xavier_uniform_(empty(*shape))


def test_mode_error_lists_accepted_values():
    with pytest.raises(ValueError, match=r"fan_in.*fan_out"):
        init.kaiming_uniform_(empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match=r"fan_in.*fan_out"):
        init.kaiming_normal_(empty(3, 4), mode="in")
    init.kaiming_normal_(empty(3, 4), mode="FAN_OUT")  # case-insensitive, as in PyTorch


def test_bad_nonlinearity_in_kaiming():
    with pytest.raises(ValueError, match="expected one of"):
        init.kaiming_uniform_(empty(3, 4), nonlinearity="softplus")


# --- moments ----------------------------------------------------------------------------
def test_uniform_moments():
    neuralab.manual_seed(0)
    w = init.uniform_(empty(1000, 1000), a=-3.0, b=5.0)
    assert_moments(w._data, mean=1.0, var=(5 - -3) ** 2 / 12)
    assert w._data.min() >= -3 and w._data.max() <= 5


def test_uniform_defaults():
    neuralab.manual_seed(1)
    w = init.uniform_(empty(1000, 1000))
    assert_moments(w._data, mean=0.5, var=1 / 12)


def test_normal_moments_and_defaults():
    neuralab.manual_seed(0)
    assert_moments(init.normal_(empty(1000, 1000), mean=2.0, std=0.5)._data, 2.0, 0.25)
    assert_moments(init.normal_(empty(1000, 1000))._data, 0.0, 1.0)


def test_constant_ones_zeros():
    w = empty(3, 4)
    assert init.constant_(w, 0.3) is w and np.all(w._data == np.float32(0.3))
    assert np.all(init.ones_(w)._data == 1)
    assert np.all(init.zeros_(w)._data == 0)
    labels = neuralab.tensor(np.arange(4))
    assert init.constant_(labels, 7).dtype == np.int64 and np.all(labels._data == 7)


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_moments_and_bound(gain):
    neuralab.manual_seed(0)
    w = init.xavier_uniform_(empty(500, 2000), gain=gain)  # fan_in 2000, fan_out 500
    bound = gain * math.sqrt(6 / (2000 + 500))
    assert_moments(w._data, 0.0, bound**2 / 3)
    assert np.abs(w._data).max() <= bound * (1 + 1e-6)
    assert np.abs(w._data).max() > bound * (1 - 1e-4)


def test_xavier_normal_moments_conv_shape():
    neuralab.manual_seed(0)
    w = init.xavier_normal_(empty(64, 32, 7, 7), gain=2.0)  # fans 32*49, 64*49
    assert_moments(w._data, 0.0, (2.0 * math.sqrt(2 / (32 * 49 + 64 * 49))) ** 2)


@pytest.mark.parametrize(
    ("a", "mode", "nonlinearity", "shape"),
    [
        (0, "fan_in", "leaky_relu", (1000, 1000)),
        (0, "fan_in", "relu", (250, 4000)),
        (0, "fan_out", "relu", (250, 4000)),
        (math.sqrt(5), "fan_in", "leaky_relu", (400, 2500)),  # nn.Linear's default
        (0.2, "fan_out", "leaky_relu", (64, 16, 5, 5)),
        (0, "fan_in", "tanh", (128, 64, 3, 3)),
    ],
)
def test_kaiming_moments(a, mode, nonlinearity, shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(empty(*shape))
    fan = fan_in if mode == "fan_in" else fan_out
    gain = init.calculate_gain(nonlinearity, a)
    neuralab.manual_seed(0)
    w = init.kaiming_uniform_(empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    bound = gain * math.sqrt(3 / fan)
    assert_moments(w._data, 0.0, bound**2 / 3)
    assert bound * (1 - 1e-3) < np.abs(w._data).max() <= bound * (1 + 1e-6)
    w = init.kaiming_normal_(empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert_moments(w._data, 0.0, (gain / math.sqrt(fan)) ** 2)


@pytest.mark.parametrize(
    ("name", "kwargs", "shape"),
    [
        ("xavier_uniform_", {"gain": 1.5}, (300, 700)),
        ("xavier_normal_", {}, (32, 16, 3, 3)),
        ("kaiming_uniform_", {"a": math.sqrt(5)}, (300, 700)),
        ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, (32, 16, 3, 3)),
        ("kaiming_normal_", {"nonlinearity": "relu"}, (300, 700)),
        ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"}, (700, 300)),
    ],
)
def test_same_distribution_as_torch(name, kwargs, shape):
    """Our variance and range equal those of PyTorch's samples (drawn independently)."""
    neuralab.manual_seed(0)
    torch.manual_seed(0)
    ours = getattr(init, name)(empty(*shape), **kwargs)._data.astype(np.float64).ravel()
    theirs = getattr(torch.nn.init, name)(torch.empty(shape), **kwargs).double().numpy().ravel()
    n = ours.size
    se = math.sqrt((np.mean(ours**4) + np.mean(theirs**4)) / n)  # of the difference
    assert abs(ours.var() - theirs.var()) < K * se
    if "uniform" in name:
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=2e-3)


def _truncated_normal_moments(mean, std, a, b):
    """Mean and variance of N(mean, std^2) truncated to [a, b]."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    z = init._norm_cdf(beta) - init._norm_cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / z
    var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - shift**2)
    return mean + std * shift, var


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 1.0), (0.0, 1.0, 1.0, 3.0), (0.0, 0.02, -0.04, 0.04)],
)
def test_trunc_normal_moments_and_bounds(mean, std, a, b):
    neuralab.manual_seed(0)
    w = init.trunc_normal_(empty(500, 1000), mean=mean, std=std, a=a, b=b)._data
    assert w.min() >= np.float32(a) and w.max() <= np.float32(b)
    assert_moments(w, *_truncated_normal_moments(mean, std, a, b))


# --- in place, dtype, graph, seeding ------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "fn",
    [
        init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
        init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_, init.ones_,
        init.zeros_, lambda t: init.constant_(t, 0.5),
    ],
)  # fmt: skip
def test_in_place_keeps_dtype_and_records_no_graph(fn, dtype):
    w = Parameter(empty(6, 5, dtype=dtype))
    array = w._data
    out = fn(w)
    assert out is w and w._data is array
    assert w.dtype == np.dtype(dtype) and w.shape == (6, 5)
    assert isinstance(w, Parameter) and w.requires_grad and w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize(
    "fn",
    [
        init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
        init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_,
    ],
)  # fmt: skip
def test_manual_seed_reproduces(fn):
    neuralab.manual_seed(123)
    first = fn(empty(20, 30))._data.copy()
    second = fn(empty(20, 30))._data.copy()
    neuralab.manual_seed(123)
    np.testing.assert_array_equal(fn(empty(20, 30))._data, first)
    np.testing.assert_array_equal(fn(empty(20, 30))._data, second)
    assert not np.array_equal(first, second)
    neuralab.manual_seed(124)
    assert not np.array_equal(fn(empty(20, 30))._data, first)


def test_same_seed_same_values_across_dtypes():
    neuralab.manual_seed(5)
    w32 = init.kaiming_normal_(empty(40, 50, dtype="float32"))._data
    neuralab.manual_seed(5)
    w64 = init.kaiming_normal_(empty(40, 50, dtype="float64"))._data
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


def test_explicit_generator_leaves_global_one_alone():
    neuralab.manual_seed(0)
    state = neuralab.get_rng_state()
    a = init.normal_(empty(10, 10), generator=np.random.default_rng(9))._data.copy()
    b = init.normal_(empty(10, 10), generator=np.random.default_rng(9))._data
    np.testing.assert_array_equal(a, b)
    assert neuralab.get_rng_state() == state


def test_random_fill_needs_floating_tensor():
    labels = neuralab.tensor(np.arange(12).reshape(3, 4))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_):
        with pytest.raises(TypeError, match="floating point"):
            fn(labels)


def test_bad_arguments():
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.uniform_(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(empty(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="std >= 0"):
        init.normal_(empty(3), std=-1.0)


def test_kaiming_on_zero_element_tensor_warns_and_does_nothing():
    w = empty(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(w) is w
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_normal_(w) is w


# --- eye_ and orthogonal_ (PyTorch programs use them) -------------------------------------
def test_eye_matches_torch_on_square_and_rectangular_matrices():
    for shape in [(3, 3), (2, 5), (5, 2)]:
        mine = init.eye_(empty(*shape))
        theirs = torch.nn.init.eye_(torch.empty(*shape))
        np.testing.assert_array_equal(mine._data, theirs.numpy())
    with pytest.raises(ValueError, match="eye_: only tensors with 2 dimensions"):
        init.eye_(empty(2, 3, 4))


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (6, 2, 3, 3)])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape):
    w = init.orthogonal_(empty(*shape), gain=2.0)._data.reshape(shape[0], -1).astype(np.float64)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-5)
    # the same property in PyTorch's version, so both mean the same thing
    t = torch.nn.init.orthogonal_(torch.empty(*shape), gain=2.0).reshape(shape[0], -1).double()
    t_gram = t @ t.T if rows <= cols else t.T @ t
    np.testing.assert_allclose(t_gram.numpy(), 4.0 * np.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_draws_from_a_neuralab_generator_reproducibly():
    a = init.orthogonal_(empty(5, 5), generator=neuralab.Generator().manual_seed(3))._data
    b = init.orthogonal_(empty(5, 5), generator=neuralab.Generator().manual_seed(3))._data
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(empty(5))
