"""Modules and layers: PyTorch's names, defaults and numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import compare_with_torch

import neuralab as nl
from neuralab import nn


def build(m, lib_nn):
    return lib_nn.Sequential(
        lib_nn.Linear(6, 8),
        lib_nn.BatchNorm1d(8),
        lib_nn.ReLU(),
        lib_nn.Dropout(0.3),
        lib_nn.Linear(8, 4, bias=False),
        lib_nn.Tanh(),
        lib_nn.Linear(4, 3),
    )


def copy_torch_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def test_state_dict_names_match_torch_and_copied_weights_give_same_outputs():
    torch.manual_seed(0)
    theirs = build(None, torch.nn)
    ours = build(None, nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_torch_weights(ours, theirs)
    x = np.random.default_rng(0).normal(size=(5, 6)).astype(np.float32)
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        if mode == "train":  # dropout masks differ between libraries: compare without it
            ours[3].p = theirs[3].p = 0.0
        out_ours, out_theirs = ours(nl.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(
            out_ours._data, out_theirs.detach().numpy(), rtol=1e-5, atol=1e-6
        )
    for key, value in theirs.state_dict().items():  # running statistics updated alike
        np.testing.assert_allclose(
            ours.state_dict()[key]._data, value.numpy(), rtol=1e-5, atol=1e-7
        )


def test_parameters_modes_and_zero_grad():
    model = build(None, nn)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "6.weight", "6.bias"]
    assert sum(p.numel() for p in model.parameters()) == 6 * 8 + 8 + 16 + 8 * 4 + 4 * 3 + 3
    assert [n for n, _ in model.named_buffers()] == [
        "1.running_mean", "1.running_var", "1.num_batches_tracked"
    ]  # fmt: skip
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model(nl.randn(4, 6)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad._data.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_load_state_dict_names_missing_unexpected_and_mismatched_keys():
    model = nn.Sequential(nn.Linear(3, 2))
    state = model.state_dict()
    with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: 0.bias"):
        model.load_state_dict({"0.weight": state["0.weight"]})
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\) in state_dict: 0.extra"):
        model.load_state_dict({**state, "0.extra": nl.zeros(1)})
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*\(3, 3\).*\(2, 3\)"):
        model.load_state_dict({**state, "0.weight": nl.zeros(3, 3)})
    result = model.load_state_dict({"0.weight": nl.ones(2, 3)}, strict=False)
    assert result.missing_keys == ["0.bias"] and not result.unexpected_keys
    np.testing.assert_array_equal(model[0].weight._data, 1)


def test_linear_default_init_matches_torch_distribution():
    nl.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32 and p.requires_grad
        assert np.abs(p._data).max() <= bound
    w = layer.weight._data  # U(-b, b): variance b^2 / 3
    assert abs(w.var() - bound**2 / 3) < 0.02 * bound**2
    assert abs(w.mean()) < 0.01 * bound
    torch.manual_seed(0)
    reference = torch.nn.Linear(400, 300).weight.detach().numpy()
    assert abs(w.std() - reference.std()) < 0.01 * reference.std()


def test_modules_repr_reads_like_torch():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    assert "(0): Linear(in_features=2, out_features=3, bias=True)" in text
    assert "(1): ReLU()" in text


def test_parameter_and_attribute_registration():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(nl.ones(3))
            self.inner = nn.Linear(3, 3)
            self.register_buffer("count", nl.zeros(1))
            self.note = "plain attribute"

        def forward(self, x):
            return self.inner(x) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert list(net.state_dict()) == ["scale", "count", "inner.weight", "inner.bias"]
    with pytest.raises(TypeError, match="Parameter or None expected"):
        net.scale = nl.ones(3)
    with pytest.raises(AttributeError, match=r"before Module\.__init__"):

        class Broken(nn.Module):
            def __init__(self):
                self.x = 1

        Broken()


ACTIVATIONS = {
    "Sigmoid": ((), {}), "Tanh": ((), {}), "ReLU": ((), {}), "LeakyReLU": ((0.2,), {}),
    "ELU": ((), {"alpha": 0.5}), "GELU": ((), {}), "Softmax": ((), {"dim": 1}),
    "LogSoftmax": ((), {"dim": -1}), "Identity": ((), {}), "Flatten": ((), {}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_and_shape_modules_match_torch(name):
    args, kwargs = ACTIVATIONS[name]

    def fn(m, x):
        lib_nn = nn if m.name == "neuralab" else torch.nn
        return getattr(lib_nn, name)(*args, **kwargs)(x)

    compare_with_torch(fn, [(3, 4, 2)])


@pytest.mark.parametrize(
    ("cls", "shape", "options"),
    [
        ("BatchNorm1d", (8, 3), {}),
        ("BatchNorm1d", (4, 3, 5), {"momentum": 0.3}),
        ("BatchNorm1d", (6, 3), {"momentum": None}),
        ("BatchNorm1d", (6, 3), {"affine": False}),
        ("BatchNorm1d", (6, 3), {"track_running_stats": False}),
        ("BatchNorm2d", (4, 3, 5, 2), {"eps": 1e-3}),
    ],
)
def test_batch_norm_matches_torch_over_several_steps(cls, shape, options):
    ours = getattr(nn, cls)(3, **options).double()
    theirs = getattr(torch.nn, cls)(3, **options).double()
    rng = np.random.default_rng(0)
    for step in range(4):
        if step == 3:
            ours.eval()
            theirs.eval()
        x = rng.normal(2.0, 3.0, shape)
        a, b = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out_a, out_b = ours(a), theirs(b)
        np.testing.assert_allclose(out_a._data, out_b.detach().numpy(), rtol=1e-10, atol=1e-12)
        v = rng.normal(size=shape)
        (out_a * nl.tensor(v)).sum().backward()
        (out_b * torch.tensor(v)).sum().backward()
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-9, atol=1e-11)
        for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad._data, q.grad.numpy(), rtol=1e-9, err_msg=name)
        for key, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[key]._data, value.numpy(), rtol=1e-10)


def test_batch_norm_gradcheck_in_training_and_eval():
    rng = np.random.default_rng(0)
    x = nl.tensor(rng.normal(size=(5, 3, 2)), requires_grad=True)
    w = nl.tensor(rng.normal(size=3), requires_grad=True)
    b = nl.tensor(rng.normal(size=3), requires_grad=True)
    mean, var = nl.tensor(rng.normal(size=3)), nl.tensor(rng.uniform(0.5, 2, size=3))
    bn = nl.ops.regularization.batch_norm
    assert nl.autograd.gradcheck(lambda x, w, b: bn(x, None, None, w, b, True), (x, w, b))
    assert nl.autograd.gradcheck(lambda x, w, b: bn(x, mean, var, w, b, False), (x, w, b))


def test_batch_norm_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 3 channels"):
        nn.BatchNorm1d(3)(nl.randn(4, 5))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4-D input"):
        nn.BatchNorm2d(3)(nl.randn(4, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(nl.randn(1, 3))


def test_dropout_zeroes_with_probability_p_and_scales_the_rest():
    nl.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = nl.ones(200, 500, requires_grad=True)
    y = layer(x)
    zero_fraction = float((y._data == 0).mean())
    assert abs(zero_fraction - 0.25) < 0.005  # 100,000 draws: standard error 0.0014
    np.testing.assert_allclose(np.unique(y._data), [0.0, 1 / 0.75], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)  # the gradient is the mask / (1 - p)
    layer.eval()
    assert layer(x) is x
    nl.manual_seed(3)
    first = nn.Dropout(0.5)(nl.ones(10))._data
    nl.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5)(nl.ones(10))._data, first)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=s) for s in [(3, 4), (4,), (2, 2)]]
    ours = [nl.zeros(g.shape, dtype=nl.float64, requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = nl.tensor(g.copy()), torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_matches_torch():
    g = np.random.default_rng(1).normal(size=(5, 5))
    p, q = nl.zeros(5, 5, requires_grad=True), torch.zeros(5, 5, requires_grad=True)
    p.grad, q.grad = nl.tensor(g.astype(np.float32)), torch.tensor(g.astype(np.float32))
    nn.utils.clip_grad_value_([p], 0.3)
    torch.nn.utils.clip_grad_value_([q], 0.3)
    np.testing.assert_array_equal(p.grad._data, q.grad.numpy())
    with pytest.raises(RuntimeError, match="non-finite"):
        p.grad._data[0, 0] = np.nan
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
