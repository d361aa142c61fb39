"""PyTorch-compatible nn surface: nn.functional's import path, Dropout1d/2d statistics,
factory kwargs (device=, dtype=), Module.to/cpu/cuda/half/type, inplace=, the added layers
(LayerNorm, Hardtanh, ReLU6, SiLU, Mish, Softplus, Softmax2d, Unflatten, ModuleDict,
ParameterList, ParameterDict) against PyTorch, and NotImplementedError for torch.nn names
neuralab lacks."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import nn
from neuralab.autograd import gradcheck
from neuralab.device import device


# --- nn.functional ----------------------------------------------------------------------
def test_nn_functional_is_neuralab_functional():
    import neuralab.functional as H
    import neuralab.nn.functional as F
    from neuralab.nn import functional as G

    assert F is G is H is nn.functional
    assert F.relu is H.relu and F.dropout2d is H.dropout2d
    assert importlib.import_module("neuralab.nn.functional") is H


def test_missing_names_raise_not_implemented_naming_them():
    import neuralab.nn.functional as F

    for name in ("Transformer", "MultiheadAttention", "ConvTranspose1d", "Upsample",
                 "ConvTranspose3d", "DataParallel"):  # fmt: skip
        with pytest.raises(NotImplementedError, match=f"torch.nn.{name} is not implemented"):
            getattr(nn, name)
    with pytest.raises(NotImplementedError, match="nearest: "):
        nn.Transformer  # noqa: B018
    with pytest.raises(NotImplementedError, match=r"torch\.nn\.functional\.interpolate"):
        F.interpolate  # noqa: B018
    with pytest.raises(NotImplementedError, match=r"torch\.nn\.init\.dirac_"):
        nn.init.dirac_  # noqa: B018
    with pytest.raises(NotImplementedError, match="Transformer"):
        exec("from neuralab.nn import Transformer")
    for namespace in (nn, F, nn.init):
        with pytest.raises(AttributeError):
            namespace.NotATorchName  # noqa: B018
        assert not hasattr(namespace, "not_a_torch_name")


def test_parallel_and_rnn_utils():
    import neuralab.nn.parallel as parallel
    from neuralab.nn.utils import rnn

    with pytest.raises(NotImplementedError, match="DataParallel"):
        parallel.DataParallel(nn.Linear(2, 2))
    with pytest.raises(NotImplementedError, match="data_parallel"):
        parallel.data_parallel(nn.Linear(2, 2), nl.zeros(1, 2))
    with pytest.raises(NotImplementedError, match="pack_padded_sequence"):
        rnn.pack_padded_sequence(nl.zeros(3, 2, 1), [3, 2])
    with pytest.raises(NotImplementedError, match="weight_norm"):
        nn.utils.weight_norm  # noqa: B018
    seqs = [np.arange(3.0).reshape(3, 1), np.ones((1, 1)), np.full((2, 1), 5.0)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            ours = rnn.pad_sequence([nl.tensor(s) for s in seqs], batch_first, -1.0, side)
            theirs = torch.nn.utils.rnn.pad_sequence(
                [torch.tensor(s) for s in seqs], batch_first, -1.0, side
            )
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_flatten_parameters_is_a_no_op():
    lstm = nn.LSTM(3, 4)
    before = [p.detach().numpy().copy() for p in lstm.parameters()]
    assert lstm.flatten_parameters() is None
    for b, p in zip(before, lstm.parameters()):
        np.testing.assert_array_equal(b, p.detach().numpy())


# --- dropout ----------------------------------------------------------------------------
@pytest.mark.parametrize("layer", ["Dropout1d", "Dropout2d"])
def test_channel_dropout_statistics(layer):
    """Whole channels are zeroed (each with probability p), the rest scaled by 1/(1-p),
    as PyTorch; evaluation is the identity."""
    nl.manual_seed(0)
    shape = (40, 50, 3, 3) if layer == "Dropout2d" else (40, 50, 6)
    x = np.random.default_rng(0).uniform(1, 2, size=shape).astype(np.float32)
    for lib, tensor in ((nn, nl.tensor), (torch.nn, torch.tensor)):
        m = getattr(lib, layer)(p=0.3)
        y = m(tensor(x)).detach().numpy()
        per_channel = y.reshape(40, 50, -1)
        zeroed = (per_channel == 0).all(axis=2)
        kept = ~zeroed
        # a channel is either all zero or all scaled
        np.testing.assert_allclose(per_channel[kept], x.reshape(40, 50, -1)[kept] / 0.7, rtol=1e-6)
        assert 0.25 < zeroed.mean() < 0.35, (lib, zeroed.mean())
        m.eval()
        np.testing.assert_array_equal(m(tensor(x)).detach().numpy(), x)


def test_dropout2d_on_2d_and_3d_input_as_pytorch():
    nl.manual_seed(1)
    x = nl.ones(200, 30)
    with pytest.warns(UserWarning, match="2-D input"):
        y = nn.Dropout2d(0.5)(x).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    with pytest.warns(UserWarning, match=r"\(N, C, L\)"):
        y = nn.Dropout2d(0.5)(nl.ones(100, 8, 5)).numpy()
    assert ((y == 0).all(axis=2) | (y == 2).all(axis=2)).all()
    with pytest.raises(ValueError, match="dropout1d"):
        nn.Dropout1d()(nl.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)


def test_channel_dropout_gradient_is_the_mask():
    nl.manual_seed(2)
    x = nl.ones(4, 6, 2, 2, requires_grad=True)
    y = nn.functional.dropout2d(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_inplace_is_accepted_and_leaves_the_input():
    import neuralab.nn.functional as F

    x = nl.tensor([-1.0, 0.5, 2.0])
    for module in (nn.ReLU(True), nn.ReLU(inplace=True), nn.LeakyReLU(0.2, inplace=True),
                   nn.ELU(inplace=True), nn.Dropout(0.5, inplace=True), nn.Hardtanh(inplace=True),
                   nn.ReLU6(inplace=True), nn.SiLU(inplace=True)):  # fmt: skip
        module.eval()
        module(x)
    for fn in (F.relu, F.leaky_relu, F.elu):
        y = fn(x, inplace=True)
        assert y is not x
    F.dropout(x, 0.5, training=True, inplace=True)
    np.testing.assert_array_equal(x.numpy(), [-1.0, 0.5, 2.0])
    assert "inplace=True" in repr(nn.ReLU(inplace=True))


# --- new layers against PyTorch -------------------------------------------------------------
ACTIVATIONS = {
    "Hardtanh": {},
    "Hardtanh_args": {"min_val": -0.5, "max_val": 2.0},
    "ReLU6": {},
    "SiLU": {},
    "Mish": {},
    "Softplus": {},
    "Softplus_args": {"beta": 2.0, "threshold": 3.0},
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ACTIVATIONS)
def test_activations_match_pytorch(case, dtype):
    name, kwargs = case.split("_")[0], ACTIVATIONS[case]
    x = np.random.default_rng(3).normal(scale=4, size=(5, 40)).astype(dtype)
    x[0, :6] = [-1.0, 1.0, 0.0, 6.0, 25.0, -30.0]  # bounds and thresholds
    a, b = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = getattr(nn, name)(**kwargs)(a), getattr(torch.nn, name)(**kwargs)(b)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(4).normal(size=x.shape).astype(dtype)
    (ya * nl.tensor(g)).sum().backward()
    (yb * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol * 10, atol=tol)


@pytest.mark.parametrize("name", ["SiLU", "Mish", "Softplus", "Hardtanh"])
def test_activations_gradcheck(name):
    x = nl.tensor(np.random.default_rng(5).normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(getattr(nn, name)(), (x,))


def test_softmax2d_matches_pytorch():
    x = np.random.default_rng(6).normal(size=(2, 3, 4, 5))
    for arr in (x, x[0]):
        np.testing.assert_allclose(
            nn.Softmax2d()(nl.tensor(arr)).numpy(),
            torch.nn.Softmax2d()(torch.tensor(arr)).numpy(),
            rtol=1e-12,
        )
    with pytest.raises(ValueError, match="Softmax2d"):
        nn.Softmax2d()(nl.zeros(3, 4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "shape,normalized,kwargs",
    [((4, 10), 10, {}), ((2, 3, 4, 5), (4, 5), {"eps": 1e-3}),
     ((3, 6), [6], {"elementwise_affine": False}), ((3, 6), 6, {"bias": False})],
)  # fmt: skip
def test_layer_norm_matches_pytorch(shape, normalized, kwargs, dtype):
    rng = np.random.default_rng(7)
    x = rng.normal(loc=2, size=shape).astype(dtype)
    ours = nn.LayerNorm(normalized, dtype=dtype, **kwargs)
    theirs = torch.nn.LayerNorm(normalized, dtype=getattr(torch, np.dtype(dtype).name), **kwargs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    if ours.weight is not None:  # train the affine parameters away from 1 and 0 first
        w = rng.normal(size=ours.weight.shape).astype(dtype)
        ours.weight.data.copy_(nl.tensor(w))
        theirs.weight.data.copy_(torch.tensor(w))
    a, b = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    tol = 1e-5 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=tol, atol=tol)
    g = rng.normal(size=shape).astype(dtype)
    (ya * nl.tensor(g)).sum().backward()
    (yb * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol * 10, atol=tol)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=tol * 10, atol=tol)


def test_layer_norm_gradcheck_and_errors():
    m = nn.LayerNorm(4, dtype=nl.float64)
    x = nl.tensor(np.random.default_rng(8).normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(lambda t: m(t), (x,))
    with pytest.raises(ValueError, match=r"layer_norm: expected input with shape \[\*, 4\]"):
        m(nl.zeros(3, 5, dtype=nl.float64))


def test_unflatten_and_containers():
    x = nl.tensor(np.arange(24.0).reshape(2, 12))
    np.testing.assert_array_equal(
        nn.Unflatten(1, (3, 4))(x).numpy(),
        torch.nn.Unflatten(1, (3, 4))(torch.tensor(x.numpy())).numpy(),
    )
    assert nn.Unflatten(-1, (2, 6))(x).shape == (2, 2, 6)
    d = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})
    d["c"] = nn.Linear(3, 1)
    assert list(d) == ["a", "b", "c"] and "a" in d and len(d) == 3
    assert sorted(d.state_dict()) == ["a.bias", "a.weight", "c.bias", "c.weight"]
    d.pop("c")
    assert len(list(d.parameters())) == 2
    plist = nn.ParameterList([nl.zeros(2), nn.Parameter(nl.ones(3))])
    plist.append(nl.zeros(1))
    assert len(plist) == 3 and all(isinstance(p, nn.Parameter) for p in plist)
    assert [p.shape for p in plist.parameters()] == [(2,), (3,), (1,)]
    assert list(plist.state_dict()) == ["0", "1", "2"]
    pdict = nn.ParameterDict({"w": nl.ones(2)})
    assert isinstance(pdict["w"], nn.Parameter) and list(pdict.state_dict()) == ["w"]


# --- factory kwargs and Module.to -------------------------------------------------------
FACTORIES = {
    "Linear": (3, 4),
    "Conv2d": (2, 3, 3),
    "BatchNorm1d": (4,),
    "BatchNorm2d": (4,),
    "LayerNorm": (4,),
    "Embedding": (5, 3),
    "RNN": (3, 4),
    "LSTM": (3, 4),
    "GRU": (3, 4),
    "RNNCell": (3, 4),
    "LSTMCell": (3, 4),
    "GRUCell": (3, 4),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_kwargs(name):
    args = FACTORIES[name]
    m = getattr(nn, name)(*args, device="cpu", dtype=nl.float64)
    assert all(p.dtype == nl.float64 for p in m.parameters())
    m = getattr(nn, name)(*args, device=device("cpu"))
    assert all(p.dtype == nl.float32 for p in m.parameters())
    with pytest.raises(NotImplementedError, match=r"CUDA|cuda"):
        getattr(nn, name)(*args, device="cuda")
    with pytest.raises(TypeError, match="float32 or float64"):
        getattr(nn, name)(*args, dtype=nl.int64)


def test_module_to_overloads():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = m[0].weight
    m(nl.ones(4, 2)).sum().backward()
    assert m.to("cpu") is m and m.to(device("cpu")) is m
    assert m.to(nl.float64) is m and weight.dtype == nl.float64 and weight.grad.dtype == nl.float64
    assert m[1].running_mean.dtype == nl.float64
    assert m[1].num_batches_tracked.dtype == nl.int64  # integer buffers keep their dtype
    m.to("cpu", nl.float32)
    assert weight.dtype == nl.float32 and m[0].weight is weight
    m.to(nl.zeros(1, dtype=nl.float64), non_blocking=True)
    assert weight.dtype == nl.float64
    m.to(device="cpu", dtype=nl.float32)
    assert weight.dtype == nl.float32
    assert m.type(nl.float64) is m and weight.dtype == nl.float64
    m.type("torch.FloatTensor")
    assert weight.dtype == nl.float32
    assert m.cpu() is m and m.double() is m and weight.dtype == nl.float64 and m.float() is m
    with pytest.raises(NotImplementedError, match=r"CUDA|cuda"):
        m.cuda()
    with pytest.raises(NotImplementedError, match=r"CUDA|cuda"):
        m.to("cuda")
    with pytest.raises(NotImplementedError, match="float16"):
        m.half()
    with pytest.raises(TypeError, match="floating point"):
        m.to(nl.int64)
    with pytest.raises(TypeError, match="unexpected keyword"):
        m.to(colour="red")


@pytest.mark.parametrize(
    "name, args",
    [("silu", ()), ("mish", ()), ("softplus", (2.0, 1.0)), ("hardtanh", (-0.5, 0.5)),
     ("relu6", ()), ("layer_norm", ((4,),))],
)  # fmt: skip
def test_functional_forms_match_torch(name, args):
    import torch

    import neuralab.nn.functional as F

    x = np.random.default_rng(0).normal(size=(3, 4)) * 4
    mine = nl.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, ref = getattr(F, name)(mine, *args), getattr(torch.nn.functional, name)(theirs, *args)
    np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=1e-6, atol=1e-9)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(mine.grad._data, theirs.grad.numpy(), rtol=1e-6, atol=1e-9)
