"""Losses: equal to PyTorch for every reduction and option (values and gradients, float32
and float64) and to finite differences; sample weights equal their documented formula and
a hand computation; stable for huge logits; bad input is named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch, gradcheck

import neuralab as nl
import neuralab.functional
import neuralab.losses as losses
from neuralab import nn

REDUCTIONS = ["mean", "sum", "none"]
SHAPE = (4, 3)
TARGETS = np.array([2, 0, 4, 4, 1, 3])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0, 0.25])
SAMPLE_WEIGHT = np.array([0.5, 2.0, 0.0, 1.5])


def F(m):
    """The functional namespace: torch.nn.functional or neuralab.functional."""
    return torch.nn.functional if m.name == "torch" else neuralab.functional


def NN(m):
    """The module namespace: torch.nn or neuralab.nn."""
    return torch.nn if m.name == "torch" else nn


def const(m, array, like):
    """A constant (no gradient) of like's dtype in m's library."""
    return m.lib.tensor(array).to(like.dtype)


def torch_quantile(x, y, quantile, reduction="mean"):
    d = y - x
    loss = torch.where(d >= 0, quantile * d, (quantile - 1) * d)
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


# --- parity with PyTorch -------------------------------------------------------------------
REGRESSION = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("huber_loss", {"delta": 1.0}),
    ("huber_loss", {"delta": 0.3}),
    ("huber_loss", {"delta": 2.5}),
    ("smooth_l1_loss", {"beta": 1.0}),
    ("smooth_l1_loss", {"beta": 0.4}),
    ("smooth_l1_loss", {"beta": 0.0}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "options"), REGRESSION)
def test_regression_losses_match_torch(name, options, reduction):
    check_op(
        lambda m, x, y: getattr(F(m), name)(x, y, reduction=reduction, **options),
        [SHAPE, SHAPE],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_matches_torch(name, reduction):
    w = np.random.default_rng(3).uniform(0.1, 2.0, SHAPE)
    check_op(
        lambda m, x, y: getattr(F(m), name)(x, y, reduction=reduction, weight=const(m, w, x)),
        [SHAPE, SHAPE],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
def test_quantile_loss_matches_formula(quantile, reduction):
    def fn(m, x, y):
        if m.name == "torch":
            return torch_quantile(x, y, quantile, reduction)
        return losses.quantile_loss(x, y, quantile, reduction)

    check_op(fn, [SHAPE, SHAPE])


def test_quantile_loss_by_hand():
    x = nl.tensor([1.0, 2.0, 3.0])
    y = nl.tensor([2.0, 2.0, 1.0])
    loss = losses.quantile_loss(x, y, quantile=0.9, reduction="none")
    np.testing.assert_allclose(loss._data, [0.9, 0.0, 0.2], rtol=1e-6)
    half = losses.quantile_loss(x, y, 0.5).item()
    np.testing.assert_allclose(half, 0.5 * losses.l1_loss(x, y).item(), rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, SHAPE, (3,)])
def test_bce_matches_torch(weight_shape, reduction):
    w = None if weight_shape is None else np.linspace(0.2, 2.0, np.prod(weight_shape))

    def fn(m, p, t):
        weight = None if w is None else const(m, w.reshape(weight_shape), p)
        return F(m).binary_cross_entropy(p, t, weight=weight, reduction=reduction)

    check_op(fn, [SHAPE, SHAPE], domain=(0.02, 0.98))


def test_bce_clamps_log_at_minus_100():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.3], np.float32)
    ours, theirs = nl.tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    loss = losses.binary_cross_entropy(ours, nl.tensor(t), reduction="sum")
    expected = torch.nn.functional.binary_cross_entropy(theirs, torch.tensor(t), reduction="sum")
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6)
    assert np.isfinite(loss.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight_shape", [None, (3,), SHAPE])
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_matches_torch(weighted, pos_weight_shape, reduction):
    pw = None
    if pos_weight_shape is not None:
        pw = np.linspace(0.5, 4.0, np.prod(pos_weight_shape)).reshape(pos_weight_shape)

    def fn(m, x, target_logits):
        t = m.lib.sigmoid(target_logits)
        weight = const(m, [0.5, 1.0, 2.0], x) if weighted else None
        pos_weight = None if pw is None else const(m, pw, x)
        return F(m).binary_cross_entropy_with_logits(
            x, t, weight=weight, reduction=reduction, pos_weight=pos_weight
        )

    check_op(fn, [SHAPE, SHAPE], domain=(-4, 4))


@pytest.mark.parametrize("pos_weight", [None, [3.0, 0.5, 1.0]])
def test_bce_with_logits_stable_for_huge_logits(pos_weight):
    x_np = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 50.0], [1e4, -1e4, -50.0]], np.float32)
    t_np = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.5]], np.float32)
    ours, theirs = nl.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    pw_ours = None if pos_weight is None else nl.tensor(pos_weight)
    pw_theirs = None if pos_weight is None else torch.tensor(pos_weight)
    loss = losses.binary_cross_entropy_with_logits(ours, nl.tensor(t_np), pos_weight=pw_ours)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        theirs, torch.tensor(t_np), pos_weight=pw_theirs
    )
    loss.backward()
    expected.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(ours.grad._data))
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_loss_matches_torch(ignore, weighted, reduction):
    targets, options = TARGETS.copy(), {"reduction": reduction}
    if ignore:
        targets[[1, 3]] = -1
        options["ignore_index"] = -1

    def fn(m, logp):
        weight = const(m, WEIGHT, logp) if weighted else None
        return F(m).nll_loss(logp, m.lib.tensor(targets), weight=weight, **options)

    check_op(fn, [(6, 5)], domain=(-3, 0))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_spatial_and_unbatched_match_torch(reduction):
    spatial = np.array([[[0, 1], [2, 2]], [[2, 0], [-100, 1]]])

    def fn(m, logp):
        return F(m).nll_loss(logp, m.lib.tensor(spatial), const(m, WEIGHT[:3], logp), None, -100,
                             None, reduction)  # fmt: skip

    check_op(fn, [(2, 3, 2, 2)], domain=(-3, 0))
    check_op(lambda m, logp: F(m).nll_loss(logp, m.lib.tensor(np.array(2)), reduction=reduction),
             [(4,)], domain=(-3, 0))  # fmt: skip


def test_nll_of_log_softmax_is_cross_entropy():
    def fn(m, z):
        t = m.lib.tensor(TARGETS)
        return F(m).nll_loss(m.lib.log_softmax(z, 1), t) - F(m).cross_entropy(z, t)

    compare_with_torch(fn, [(6, 5)], dtype="float64")


# --- the module forms --------------------------------------------------------------------
MODULES = [
    ("MSELoss", (), {}),
    ("MSELoss", (), {"reduction": "sum"}),
    ("L1Loss", (), {"reduction": "none"}),
    ("HuberLoss", (), {"delta": 0.5}),
    ("HuberLoss", ("sum", 2.0), {}),
    ("SmoothL1Loss", (), {"beta": 0.5, "reduction": "sum"}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), MODULES)
def test_regression_modules_match_torch(cls, args, kwargs):
    check_op(lambda m, x, y: getattr(NN(m), cls)(*args, **kwargs)(x, y), [SHAPE, SHAPE])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_modules_match_torch(reduction):
    def bce(m, p, t):
        return NN(m).BCELoss(const(m, [1.0, 2.0, 0.5], p), reduction=reduction)(p, t)

    def with_logits(m, x, s):
        pos_weight = const(m, [2.0, 1.0, 0.5], x)
        weight = const(m, [[1.0], [2.0], [0.5], [1.0]], x)
        module = NN(m).BCEWithLogitsLoss(weight, reduction=reduction, pos_weight=pos_weight)
        return module(x, m.lib.sigmoid(s))

    check_op(bce, [SHAPE, SHAPE], domain=(0.05, 0.95))
    check_op(with_logits, [SHAPE, SHAPE], domain=(-3, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_module_matches_torch(reduction):
    targets = np.array([2, 0, -1, 4, 1, 3])

    def fn(m, logp):
        module = NN(m).NLLLoss(const(m, WEIGHT, logp), ignore_index=-1, reduction=reduction)
        return module(logp, m.lib.tensor(targets))

    check_op(fn, [(6, 5)], domain=(-3, 0))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reduction": "sum", "label_smoothing": 0.1},
        {"reduction": "none", "ignore_index": 4},
        {"weighted": True, "label_smoothing": 0.2, "ignore_index": 0},
        {"weighted": True, "reduction": "none"},
    ],
)
def test_cross_entropy_module_matches_torch(options):
    options = dict(options)
    weighted = options.pop("weighted", False)

    def fn(m, z):
        weight = const(m, WEIGHT, z) if weighted else None
        return NN(m).CrossEntropyLoss(weight, **options)(z, m.lib.tensor(TARGETS))

    check_op(fn, [(6, 5)], domain=(-3, 3))


def test_cross_entropy_module_probability_targets_match_torch():
    def fn(m, z, scores):
        module = NN(m).CrossEntropyLoss(const(m, WEIGHT, z), label_smoothing=0.1)
        return module(z, m.lib.softmax(scores, 1))

    check_op(fn, [(4, 5), (4, 5)])


def test_module_attributes_and_defaults_match_torch():
    pairs = [
        (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()),
        (nn.NLLLoss(ignore_index=3), torch.nn.NLLLoss(ignore_index=3)),
        (nn.HuberLoss(), torch.nn.HuberLoss()),
        (nn.SmoothL1Loss(beta=0.2), torch.nn.SmoothL1Loss(beta=0.2)),
        (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()),
    ]
    for ours, theirs in pairs:
        for name in ("reduction", "ignore_index", "label_smoothing", "delta", "beta"):
            assert getattr(ours, name, None) == getattr(theirs, name, None), name
        for name in ("weight", "pos_weight"):
            assert getattr(ours, name, None) is None and getattr(theirs, name, None) is None
    assert nn.QuantileLoss().quantile == 0.5 and nn.QuantileLoss(0.9).quantile == 0.9


def test_quantile_module_equals_functional():
    x, y = nl.randn(5, 2), nl.randn(5, 2)
    module = nn.QuantileLoss(0.8, reduction="sum")
    assert module(x, y).item() == losses.quantile_loss(x, y, 0.8, "sum").item()


def test_deprecated_size_average_and_reduce_map_as_torch():
    x, y = np.random.default_rng(0).normal(size=(2, SHAPE[0], SHAPE[1])).astype(np.float32)
    for size_average, reduce in [(False, None), (None, False), (True, True)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.MSELoss(size_average, reduce)(torch.tensor(x), torch.tensor(y))
        with pytest.warns(UserWarning, match="reduction="):
            ours = nn.MSELoss(size_average, reduce)(nl.tensor(x), nl.tensor(y))
        np.testing.assert_allclose(ours._data, theirs.numpy(), rtol=1e-6)


# --- sample weights ------------------------------------------------------------------------
ELEMENTWISE = {
    "mse_loss": (lambda x, y: (x - y) ** 2, {}),
    "l1_loss": (lambda x, y: (x - y).abs(), {}),
    "huber_loss": (
        lambda x, y: torch.nn.functional.huber_loss(x, y, reduction="none", delta=0.5),
        {"delta": 0.5},
    ),
    "smooth_l1_loss": (
        lambda x, y: torch.nn.functional.smooth_l1_loss(x, y, reduction="none", beta=0.5),
        {"beta": 0.5},
    ),
    "quantile_loss": (lambda x, y: torch_quantile(x, y, 0.7, "none"), {"quantile": 0.7}),
    "binary_cross_entropy_with_logits": (
        lambda x, y: torch.nn.functional.binary_cross_entropy_with_logits(
            x, y.sigmoid(), reduction="none"
        ),
        {},
    ),
}


def _weighted(per_element, s, reduction, v=None):
    """The documented formula in torch: 'mean' = sum s_i l_ij / sum s_i v_ij."""
    s = s.reshape((-1,) + (1,) * (per_element.ndim - 1))
    if reduction == "none":
        return per_element * s
    if reduction == "sum":
        return (per_element * s).sum()
    return (per_element * s).sum() / (s * (1 if v is None else v)).expand_as(per_element).sum()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_sample_weight_follows_formula(name, reduction):
    per_element, options = ELEMENTWISE[name]

    def fn(m, x, y):
        if m.name == "torch":
            return _weighted(per_element(x, y), const(m, SAMPLE_WEIGHT, x), reduction)
        if name == "binary_cross_entropy_with_logits":
            y = y.sigmoid()
        loss = getattr(losses, name)
        return loss(x, y, reduction=reduction, sample_weight=SAMPLE_WEIGHT, **options)

    check_op(fn, [SHAPE, SHAPE])


def test_sample_weight_mse_by_hand():
    x, y = np.random.default_rng(1).normal(size=(2, *SHAPE))
    s = SAMPLE_WEIGHT
    per_sample = ((x - y) ** 2).mean(axis=1)
    expected = (s * per_sample).sum() / s.sum()
    ours = losses.mse_loss(nl.tensor(x), nl.tensor(y), sample_weight=s)
    np.testing.assert_allclose(ours.item(), expected, rtol=1e-12)
    total = losses.mse_loss(nl.tensor(x), nl.tensor(y), reduction="sum", sample_weight=s)
    np.testing.assert_allclose(total.item(), (s[:, None] * (x - y) ** 2).sum(), rtol=1e-12)
    # an elementwise weight w joins the normalizer: sum s w l / sum s w
    w = np.random.default_rng(2).uniform(0.5, 2.0, SHAPE)
    weighted = losses.mse_loss(nl.tensor(x), nl.tensor(y), weight=w, sample_weight=s)
    sw = s[:, None] * w
    np.testing.assert_allclose(weighted.item(), (sw * (x - y) ** 2).sum() / sw.sum(), rtol=1e-12)


REPEATABLE = {
    "mse_loss": lambda r: lambda x, y, **kw: losses.mse_loss(x, y, reduction=r, **kw),
    "HuberLoss": lambda r: lambda x, y, **kw: nn.HuberLoss(r, 0.5)(x, y, **kw),
    "BCELoss": lambda r: lambda x, y, **kw: nn.BCELoss(reduction=r)(x.sigmoid(), y.sigmoid(), **kw),
    "CrossEntropyLoss": lambda r: (
        lambda x, y, **kw: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1)(
            x, y.softmax(1), **kw
        )
    ),
    "NLLLoss": lambda r: lambda x, y, **kw: nn.NLLLoss(reduction=r)(x, y.argmax(1), **kw),
}


@pytest.mark.parametrize("name", list(REPEATABLE))
def test_integer_sample_weights_equal_repeated_samples(name):
    rng = np.random.default_rng(4)
    x, y = nl.tensor(rng.normal(size=SHAPE)), nl.tensor(rng.normal(size=SHAPE))
    counts = np.array([2, 1, 0, 3])
    repeated = nl.tensor(np.repeat(np.arange(4), counts))
    for reduction in ("mean", "sum"):
        loss = REPEATABLE[name](reduction)
        weighted = loss(x, y, sample_weight=counts)
        expected = loss(x[repeated], y[repeated])
        np.testing.assert_allclose(weighted.item(), expected.item(), rtol=1e-12)
        ones = loss(x, y, sample_weight=np.ones(4))
        np.testing.assert_allclose(ones.item(), loss(x, y).item(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sample_weight_class_index_losses_by_hand(reduction):
    rng = np.random.default_rng(5)
    z = rng.normal(size=(6, 5))
    targets = TARGETS.copy()
    targets[3] = -100
    s = np.array([1.0, 0.5, 2.0, 3.0, 0.0, 1.5])
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    valid = targets != -100
    w_t = np.where(valid, WEIGHT[np.where(valid, targets, 0)], 0.0)
    per_sample = -logp[np.arange(6), np.where(valid, targets, 0)] * w_t
    expected = {
        "none": s * per_sample,
        "sum": (s * per_sample).sum(),
        "mean": (s * per_sample).sum() / (s * w_t).sum(),
    }[reduction]
    t, w = nl.tensor(targets), nl.tensor(WEIGHT)
    nll = losses.nll_loss(nl.tensor(logp), t, w, reduction=reduction, sample_weight=s)
    ce = losses.cross_entropy(nl.tensor(z), t, w, reduction=reduction, sample_weight=s)
    np.testing.assert_allclose(nll._data, expected, rtol=1e-12)
    np.testing.assert_allclose(ce._data, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sample_weight_class_index_losses_match_formula(reduction):
    spatial = np.array([[[0, 1], [2, 2]], [[2, 0], [-100, 1]], [[1, 1], [0, 2]]])
    s = [0.5, 2.0, 1.0]

    def nll(m, logp):
        t = m.lib.tensor(spatial)
        if m.name == "torch":
            w = const(m, WEIGHT[:3], logp)
            per = F(m).nll_loss(logp, t, w, reduction="none")
            v = torch.where(t == -100, 0.0, w[t.clamp(min=0)]).to(logp.dtype)
            return _weighted(per, const(m, s, logp), reduction, v)
        w = const(m, WEIGHT[:3], logp)
        return losses.nll_loss(logp, t, w, reduction=reduction, sample_weight=s)

    def ce(m, z):
        t = m.lib.tensor(spatial)
        if m.name == "torch":
            per = F(m).cross_entropy(z, t, reduction="none", label_smoothing=0.2)
            v = (t != -100).to(z.dtype)
            return _weighted(per, const(m, s, z), reduction, v)
        return nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.2)(
            z, t, sample_weight=nl.tensor(s)
        )

    check_op(nll, [(3, 3, 2, 2)], domain=(-3, 0))
    check_op(ce, [(3, 3, 2, 2)], domain=(-3, 3))


def test_sample_weight_through_modules_has_gradients():
    s = SAMPLE_WEIGHT
    gradcheck(lambda m, x, y: nn.MSELoss()(x, y, sample_weight=s), [SHAPE, SHAPE])
    gradcheck(
        lambda m, x, y: nn.BCEWithLogitsLoss(pos_weight=nl.tensor([2.0, 1.0, 0.5]).double())(
            x, y.sigmoid(), sample_weight=s
        ),
        [SHAPE, SHAPE],
    )
    gradcheck(
        lambda m, p, t: nn.BCELoss(reduction="sum")(p, t, sample_weight=s),
        [SHAPE, SHAPE],
        domain=(0.05, 0.95),
    )
    gradcheck(
        lambda m, z: nn.NLLLoss()(z, nl.tensor([0, 2, 1, 2]), sample_weight=s),
        [(4, 3)],
    )


# --- errors ---------------------------------------------------------------------------
FUNCTIONAL = [
    losses.mse_loss, losses.l1_loss, losses.huber_loss, losses.smooth_l1_loss,
    losses.quantile_loss, losses.binary_cross_entropy, losses.binary_cross_entropy_with_logits,
]  # fmt: skip


@pytest.mark.parametrize("loss", FUNCTIONAL, ids=lambda f: f.__name__)
def test_elementwise_errors_name_the_loss(loss):
    x, y = nl.rand(4, 3), nl.rand(4, 3)
    name = loss.__name__
    with pytest.raises(ValueError, match=rf"{name}: input and target must have the same shape, "
                       r"got input \(4, 3\) and target \(4, 1\)"):  # fmt: skip
        loss(x, nl.rand(4, 1))
    with pytest.raises(ValueError, match=rf"{name}: reduction must be 'mean', 'sum' or 'none'"):
        loss(x, y, reduction="avg")
    with pytest.raises(ValueError, match=rf"{name}: sample_weight must have shape \(4,\)"):
        loss(x, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="finite and non-negative"):
        loss(x, y, sample_weight=np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(TypeError, match=rf"{name}: input must be a float tensor"):
        loss(nl.tensor([[1, 0, 1]]), nl.tensor([[1.0, 0.0, 1.0]]))


@pytest.mark.parametrize(
    "loss", [losses.binary_cross_entropy, losses.binary_cross_entropy_with_logits]
)
def test_bce_target_errors(loss):
    x = nl.rand(4)
    name = loss.__name__
    with pytest.raises(TypeError, match=rf"{name}: target must be a float tensor .* got int64"):
        loss(x, nl.tensor([1, 0, 1, 0]))
    with pytest.raises(ValueError, match=rf"{name}: all elements of target must be in \[0, 1\]"):
        loss(x, nl.tensor([1.0, 0.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match=r"weight of shape \(3,\) does not broadcast"):
        loss(x, nl.rand(4), weight=nl.ones(3))


def test_bce_input_outside_unit_interval():
    with pytest.raises(ValueError, match=r"binary_cross_entropy: all elements of input must"):
        losses.binary_cross_entropy(nl.tensor([0.5, 1.5]), nl.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="pos_weight of shape"):
        losses.binary_cross_entropy_with_logits(nl.rand(4, 3), nl.rand(4, 3), pos_weight=nl.ones(2))


def test_class_index_errors():
    logp = nl.randn(4, 3)
    with pytest.raises(TypeError, match=r"nll_loss: target must hold class indices .* float32"):
        losses.nll_loss(logp, nl.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(IndexError, match="nll_loss: target 3 is out of bounds for 3 classes"):
        losses.nll_loss(logp, nl.tensor([0, 1, 3, 2]))
    with pytest.raises(IndexError, match="nll_loss: target -2"):
        nn.NLLLoss()(logp, nl.tensor([0, 1, -2, 2]))
    with pytest.raises(ValueError, match=r"nll_loss: target must have shape \(4,\)"):
        losses.nll_loss(logp, nl.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"nll_loss: weight must have shape \(3,\)"):
        losses.nll_loss(logp, nl.tensor([0, 1, 2, 2]), weight=nl.ones(4))
    with pytest.raises(IndexError, match="cross_entropy: target 5"):
        nn.CrossEntropyLoss()(logp, nl.tensor([0, 1, 5, 2]), sample_weight=np.ones(4))
    with pytest.raises(ValueError, match="cross_entropy: sample_weight needs a batch axis"):
        losses.cross_entropy(nl.randn(3), nl.tensor(1), sample_weight=np.ones(1))


def test_bad_options():
    x = nl.randn(3)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        losses.huber_loss(x, x, delta=0.0)
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be non-negative"):
        losses.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(ValueError, match=r"quantile_loss: quantile must be in \[0, 1\]"):
        losses.quantile_loss(x, x, quantile=1.5)
    with pytest.raises(ValueError, match="QuantileLoss: quantile"):
        nn.QuantileLoss(-0.1)
    with pytest.raises(ValueError, match="CrossEntropyLoss: label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=2.0)
    with pytest.raises(ValueError, match=r"mse_loss: weight must have the input's shape \(3,\)"):
        losses.mse_loss(x, x, weight=nl.ones(1))
    for cls in (nn.MSELoss, nn.L1Loss, nn.BCELoss, nn.NLLLoss):
        with pytest.raises(ValueError, match=rf"{cls.__name__}: reduction must be 'mean', 'sum'"):
            cls(reduction="elementwise_mean")
