"""PyTorch APIs that real programs call (pytorch/examples, the tutorials, makemore, the
GPT lecture) and neuralab lacked: each against PyTorch, values and gradients, and a
float64 gradcheck for the differentiable ones."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import check_op, gradcheck

import neuralab
import neuralab.nn as nn
from neuralab.autograd import Variable

# --- conv_transpose2d / ConvTranspose2d (dcgan), pixel_shuffle (super_resolution) ------------
CONV_T = {
    # (input shape, weight shape, kwargs)
    "dcgan_first": ((2, 3, 1, 1), (3, 4, 4, 4), {"stride": 1, "padding": 0}),
    "dcgan_up": ((2, 3, 4, 4), (3, 2, 4, 4), {"stride": 2, "padding": 1}),
    "output_padding": (
        (1, 2, 3, 3),
        (2, 3, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
    ),
    "rect_dilation": (
        (1, 2, 3, 4),
        (2, 2, 2, 3),
        {"stride": (2, 1), "padding": (0, 1), "dilation": 2},
    ),
    "groups": ((2, 4, 3, 3), (4, 3, 3, 3), {"stride": 2, "groups": 2}),
    "crop_more_than_kernel": ((1, 1, 5, 5), (1, 1, 2, 2), {"stride": 3, "padding": 2}),
}


@pytest.mark.parametrize("case", CONV_T)
def test_conv_transpose2d_matches_torch(case):
    x_shape, w_shape, kw = CONV_T[case]
    b_shape = (w_shape[1] * kw.get("groups", 1),)
    check_op(lambda m, x, w, b: m.F.conv_transpose2d(x, w, b, **kw), [x_shape, w_shape, b_shape])


def test_conv_transpose2d_unbatched_and_no_bias():
    check_op(lambda m, x, w: m.F.conv_transpose2d(x, w, stride=2), [(2, 3, 3), (2, 1, 2, 2)])


def test_conv_transpose2d_layer_is_torchs():
    torch.manual_seed(0)
    ref = torch.nn.ConvTranspose2d(3, 2, 4, 2, 1, bias=False)
    ours = nn.ConvTranspose2d(3, 2, 4, 2, 1, bias=False)
    assert ours.weight.shape == tuple(ref.weight.shape) and ours.bias is None
    bound = 1 / np.sqrt(2 * 4 * 4)  # kaiming_uniform_(a=sqrt 5) with fan_in = out * kh * kw
    assert (
        np.abs(ours.weight._data).max() <= bound and np.abs(ours.weight._data).max() > 0.9 * bound
    )
    ours.load_state_dict({"weight": neuralab.tensor(ref.weight.detach().numpy())})
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(
        ours(neuralab.tensor(x)).detach().numpy(),
        ref(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    assert repr(ours) == repr(ref)
    with pytest.raises(NotImplementedError, match="output_size"):
        ours(neuralab.tensor(x), output_size=(10, 10))


def test_conv_transpose2d_bad_input_names_the_op():
    with pytest.raises(ValueError, match="conv_transpose2d: weight of shape"):
        neuralab.nn.functional.conv_transpose2d(
            neuralab.zeros(1, 2, 3, 3), neuralab.zeros(3, 1, 2, 2)
        )
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        neuralab.nn.functional.conv_transpose2d(
            neuralab.zeros(1, 1, 3, 3), neuralab.zeros(1, 1, 2, 2), stride=1, output_padding=1
        )


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 3), 2), ((9, 2, 4), 3), ((1, 2, 4, 3, 3), 2)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape, r):
    check_op(lambda m, x: m.F.pixel_shuffle(x, r), [shape])
    inverse = (*shape[:-3], shape[-3] // (r * r), shape[-2] * r, shape[-1] * r)
    check_op(lambda m, x: m.F.pixel_unshuffle(x, r), [inverse])
    check_op(lambda m, x: m.F.pixel_unshuffle(m.F.pixel_shuffle(x, r), r) * 1.0, [shape])
    layer = nn.PixelShuffle(r)
    assert repr(layer) == repr(torch.nn.PixelShuffle(r))


# --- scatter (transforms tutorial's one-hot target_transform) ------------------------------
def test_scatter_value_into_zeros_as_the_transforms_tutorial():
    for y in range(10):
        ours = neuralab.zeros(10, dtype=neuralab.float).scatter_(0, neuralab.tensor(y), value=1)
        ref = torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_src_matches_torch_with_gradients(dim):
    index = np.array([[0, 2], [2, 1], [1, 0]])  # no repeats along either axis
    if dim == 0:
        index = np.array([[0, 2, 1], [2, 1, 0]])
    idx = {"neuralab": neuralab.tensor(index), "torch": torch.tensor(index)}
    check_op(lambda m, a, s: m.lib.scatter(a, dim, idx[m.name], s), [(3, 3), index.shape])
    check_op(lambda m, a: a.scatter(dim, idx[m.name], 2.5), [(3, 3)])
    # a src larger than index: the rest is unused (and gets a zero gradient; PyTorch's
    # backward refuses this case, so the gradient is checked by finite differences only)
    src_shape = (index.shape[0] + 1, index.shape[1] + 1)
    gradcheck(lambda m, a, s: m.lib.scatter(a, dim, idx[m.name], s), [(3, 3), src_shape])
    a, s = neuralab.zeros(3, 3), neuralab.arange(12.0).reshape(src_shape)
    ref = torch.zeros(3, 3).scatter(dim, idx["torch"], torch.arange(12.0).reshape(src_shape))
    np.testing.assert_array_equal(a.scatter(dim, idx["neuralab"], s).numpy(), ref.numpy())
    ours = neuralab.zeros(3, 3).scatter_(dim, idx["neuralab"], neuralab.ones(*src_shape))
    ref = torch.zeros(3, 3).scatter_(dim, idx["torch"], torch.ones(*src_shape))
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_scatter_bad_arguments_name_the_op():
    with pytest.raises(IndexError, match="scatter_: index 3 is out of bounds for dimension 0"):
        neuralab.zeros(3).scatter_(0, neuralab.tensor([3]), value=1.0)
    with pytest.raises(TypeError, match="give exactly one"):
        neuralab.zeros(3).scatter_(0, neuralab.tensor([1]))
    with pytest.raises(NotImplementedError, match="reduce='add'"):
        neuralab.zeros(3).scatter_(0, neuralab.tensor([1]), value=1.0, reduce="add")


# --- nonzero and where(condition) ----------------------------------------------------------
def test_nonzero_and_one_argument_where_match_torch():
    a = np.array([[0, 1, 0], [2, 0, 3]])
    ours, ref = neuralab.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(ours.nonzero().numpy(), ref.nonzero().numpy())
    assert ours.nonzero().dtype == neuralab.int64
    for o, r in zip(neuralab.where(ours > 0), torch.where(ref > 0)):
        np.testing.assert_array_equal(o.numpy(), r.numpy())
    for o, r in zip(neuralab.nonzero(ours, as_tuple=True), torch.nonzero(ref, as_tuple=True)):
        np.testing.assert_array_equal(o.numpy(), r.numpy())
    assert tuple(neuralab.tensor(5).nonzero().shape) == tuple(torch.tensor(5).nonzero().shape)


def test_tensor_where_method_is_where_of_self():
    check_op(lambda m, a, b: a.where(a > 0, b), [(3, 4), (4,)])


# --- in-place shape changes and the legacy add_(alpha, other) ------------------------------
def test_unsqueeze_and_squeeze_in_place():
    t = neuralab.tensor([1, 2, 3])
    assert t.unsqueeze_(-1) is t and t.shape == (3, 1)
    assert t.squeeze_() is t and t.shape == (3,)
    r = torch.tensor([1, 2, 3]).unsqueeze_(0)
    assert neuralab.tensor([1, 2, 3]).unsqueeze_(0).shape == tuple(r.shape)
    w = neuralab.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="unsqueeze_"):
        w.unsqueeze_(0)


def test_add_with_the_old_alpha_first_order_warns_and_matches_torch():
    p, g = np.ones(3, dtype=np.float32), np.arange(3, dtype=np.float32)
    with pytest.warns(UserWarning, match="deprecated"):
        ours = neuralab.tensor(p).add_(-0.1, neuralab.tensor(g))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.tensor(p).add_(-0.1, torch.tensor(g))
    np.testing.assert_allclose(ours.numpy(), ref.numpy())
    with pytest.warns(UserWarning):
        ours = neuralab.tensor(p).sub_(2, neuralab.tensor(g))
    np.testing.assert_allclose(ours.numpy(), p - 2 * g)
    with pytest.raises(TypeError, match="add_"):
        neuralab.tensor(p).add_(neuralab.tensor(g), neuralab.tensor(g))


# --- the graph as the neural-networks tutorial walks it ------------------------------------
def test_grad_fn_next_functions_walk():
    w = neuralab.ones(3, requires_grad=True)
    x = neuralab.ones(3)
    loss = ((w * x).relu() + 1).sum()
    add = loss.grad_fn.next_functions[0][0]
    relu, constant = add.next_functions
    assert constant == (None, 0)
    mul = relu[0].next_functions[0][0]
    (leaf, _), (nothing, _) = mul.next_functions
    assert leaf.name == "AccumulateGrad" and leaf.variable is w and nothing is None
    ref = ((torch.ones(3, requires_grad=True) * torch.ones(3)).relu() + 1).sum()
    assert len(ref.grad_fn.next_functions[0][0].next_functions) == len(add.next_functions)


# --- legacy names that old forks still call -------------------------------------------------
def test_variable_is_the_tensor_itself():
    t = neuralab.ones(2)
    assert Variable(t) is t and not t.requires_grad
    v = Variable(neuralab.ones(2), requires_grad=True)
    (v * 3).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [3.0, 3.0])
    with pytest.raises(TypeError, match="Variable: data must be a Tensor"):
        Variable([1.0])


def test_deprecated_init_and_clip_names_warn_and_work():
    with pytest.warns(FutureWarning, match=r"nn\.init\.orthogonal is now deprecated"):
        w = nn.init.orthogonal(neuralab.zeros(3, 3))
    np.testing.assert_allclose((w @ w.T).numpy(), np.eye(3), atol=1e-5)
    with pytest.warns(FutureWarning):
        assert nn.init.constant(neuralab.zeros(2), 0.5).tolist() == [0.5, 0.5]
    p = neuralab.ones(4, requires_grad=True)
    (p * 3).sum().backward()
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = nn.utils.clip_grad_norm(p, 1.0)
    assert abs(total.item() - 6.0) < 1e-6 and abs(p.grad.norm().item() - 1.0) < 1e-5
    with pytest.raises(NotImplementedError, match="dirac_"):
        nn.init.dirac_  # noqa: B018
    with pytest.raises(AttributeError):
        nn.init.not_a_name  # noqa: B018


def test_share_memory_and_load_state_dict_report():
    model = nn.Linear(2, 2)
    assert model.share_memory() is model
    report = nn.Linear(2, 2).load_state_dict(model.state_dict())
    assert repr(report) == repr(
        torch.nn.Linear(2, 2).load_state_dict(torch.nn.Linear(2, 2).state_dict())
    )
    report = nn.Linear(2, 2).load_state_dict({"weight": model.weight}, strict=False)
    assert report.missing_keys == ["bias"] and "missing_keys=['bias']" in repr(report)
