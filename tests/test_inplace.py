"""In-place methods, the version counter and ``.data``, compared with PyTorch.

Every scenario runs in PyTorch and in neuralab: both must raise PyTorch's "modified by an
inplace operation" error, or both must run and give the same gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab
from neuralab import ShapeError

INPLACE_ERROR = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)
X = [0.5, 1.0, 2.0]


def outcome(lib, scenario):
    """('raised', message) or ('ok', gradient as an array) for one library."""
    x = lib.tensor(X, requires_grad=True)
    try:
        scenario(lib, x)
    except RuntimeError as error:
        return "raised", str(error)
    return "ok", np.asarray(x.grad.detach().numpy() if lib is torch else x.grad.numpy())


def assert_same_outcome(scenario):
    theirs, ours = outcome(torch, scenario), outcome(neuralab, scenario)
    assert theirs[0] == ours[0], (theirs, ours)
    if ours[0] == "raised":
        assert INPLACE_ERROR in theirs[1]
        assert ours[1].startswith(INPLACE_ERROR)
    else:
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    return ours


# --- the version counter ----------------------------------------------------------------
def changed_after_mul_saved_it(m, x):
    y = x * 2
    z = y * y
    with m.no_grad():
        y += 100
    z.sum().backward()


def changed_but_not_saved(m, x):
    y = x * 2
    z = y + 1  # add saves nothing
    with m.no_grad():
        y.add_(1)
    z.sum().backward()


def exp_output_changed(m, x):
    y = x.exp()  # exp saves its output
    with m.no_grad():
        y.mul_(2)
    y.sum().backward()


def weight_changed_with_isub(m, x):
    h = x.reshape(1, 3) * 1.5  # a hidden activation: matmul needs W for dL/dh
    w = m.ones(3, 2, requires_grad=True)
    z = h @ w
    with m.no_grad():
        w -= 0.1
    z.sum().backward()


def weight_changed_with_sub_(m, x):
    h = x.reshape(1, 3) * 1.5
    w = m.ones(3, 2, requires_grad=True)
    z = h @ w
    with m.no_grad():
        w.sub_(0.1)
    z.sum().backward()


def changed_through_data(m, x):
    y = x * 2
    z = y * y
    y.data.add_(1)  # .data is outside autograd's view in both libraries
    z.sum().backward()


def sigmoid_output_changed(m, x):
    y = m.sigmoid(x)
    with m.no_grad():
        y.mul_(0.5)
    y.sum().backward()


def tanh_output_changed(m, x):
    y = m.tanh(x)
    with m.no_grad():
        y.zero_()
    y.sum().backward()


def changed_through_a_view(m, x):
    y = x * 2
    z = y * y
    with m.no_grad():
        y[:2].mul_(10)  # a view shares y's version counter
    z.sum().backward()


def base_changed_under_a_saved_view(m, x):
    y = x * 2
    v = y[1:]
    z = v * v
    with m.no_grad():
        y.mul_(3)
    z.sum().backward()


def changed_through_detach(m, x):
    y = x * 2
    z = y * y
    y.detach().add_(1)  # detach() shares the version counter (unlike .data)
    z.sum().backward()


def changed_with_setitem(m, x):
    y = x * 2
    z = y * y
    with m.no_grad():
        y[0] = 5.0
    z.sum().backward()


def changed_after_backward(m, x):
    y = x * 2
    z = y * y
    z.sum().backward()
    with m.no_grad():
        y.add_(1)


@pytest.mark.parametrize(
    "scenario, raises",
    [
        (changed_after_mul_saved_it, True),
        (changed_but_not_saved, False),
        (exp_output_changed, True),
        (weight_changed_with_isub, True),
        (weight_changed_with_sub_, True),
        (changed_through_data, False),
        (sigmoid_output_changed, True),
        (tanh_output_changed, True),
        (changed_through_a_view, True),
        (base_changed_under_a_saved_view, True),
        (changed_through_detach, True),
        (changed_with_setitem, True),
        (changed_after_backward, False),
    ],
)
def test_version_counter_matches_pytorch(scenario, raises):
    ours = assert_same_outcome(scenario)
    assert (ours[0] == "raised") is raises


def test_error_names_the_tensor_and_the_op():
    x = neuralab.tensor(X, requires_grad=True)
    y = x.exp()
    with neuralab.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[3\]\].*output of ExpBackward"):
        y.sum().backward()


def test_first_layer_weight_changed_never_gives_a_wrong_gradient():
    """``x @ W`` where x needs no gradient: PyTorch saves only x (W is not needed for dL/dW)
    and does not raise. neuralab's MatMul saves both operands, so it may refuse
    conservatively; if it runs, the gradient must equal PyTorch's."""

    def scenario(m, x):
        w = m.ones(3, 2, requires_grad=True)
        z = x.detach().reshape(1, 3) @ w
        with m.no_grad():
            w.sub_(0.1)
        z.sum().backward()
        x.grad = w.grad[:, :1].reshape(3)

    theirs, ours = outcome(torch, scenario), outcome(neuralab, scenario)
    assert theirs[0] == "ok"
    if ours[0] == "raised":
        assert ours[1].startswith(INPLACE_ERROR)
    else:
        np.testing.assert_allclose(ours[1], theirs[1])


def test_inplace_on_a_leaf_that_requires_grad_raises_in_both():
    for lib in (torch, neuralab):
        x = lib.tensor(X, requires_grad=True)
        for change in (
            lambda t: t.add_(1),
            lambda t: t.mul_(2),
            lambda t: t.zero_(),
            lambda t: t.__setitem__(0, 1.0),
            lambda t: t.__iadd__(1),
        ):
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                change(x)
        np.testing.assert_array_equal(np.asarray(x.detach().numpy()), X)


def test_inplace_on_a_leaf_under_no_grad_keeps_it_a_leaf():
    results = []
    for lib in (torch, neuralab):
        x = lib.tensor(X, requires_grad=True)
        with lib.no_grad():
            x.add_(1)
            x.mul_(2)
            x[0] = 0.0
        assert x.requires_grad and x.is_leaf
        (x * x).sum().backward()
        results.append((x.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_allclose(results[1][0], results[0][0])
    np.testing.assert_allclose(results[1][1], results[0][1])


def test_augmented_assignment_on_a_graph_tensor_matches_pytorch():
    """``out += residual`` on a non-leaf: PyTorch records an in-place add; neuralab rebinds
    ``out`` to ``out + residual`` (out of place). Values and gradients agree."""
    results = []
    for lib in (torch, neuralab):
        x = lib.tensor(X, requires_grad=True)
        w = lib.tensor([0.3, -0.2, 0.1], requires_grad=True)
        residual = x
        out = lib.tanh(x * w) * 2  # tanh saves its output, so change the product's
        out += residual
        out *= 2
        out -= w
        out /= 3
        out.sum().backward()
        results.append([t.detach().numpy().copy() for t in (out, x.grad, w.grad)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_explicit_inplace_method_on_a_graph_tensor_is_refused():
    """PyTorch records ``y.add_(1)`` on a non-leaf in the graph; neuralab does not record
    in-place ops, so it refuses with NotImplementedError naming the method and the
    out-of-place way, rather than computing a wrong gradient."""
    x = torch.tensor(X, requires_grad=True)
    y = x * 2
    y.add_(1)  # fine in PyTorch
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]

    x = neuralab.tensor(X, requires_grad=True)
    y = x * 2
    for call, name in [
        (lambda: y.add_(1), "add_"),
        (lambda: y.mul_(2), "mul_"),
        (lambda: y.clamp_(min=0), "clamp_"),
        (lambda: y.__setitem__(0, 1.0), "__setitem__"),
    ]:
        with pytest.raises(NotImplementedError, match=rf"{name}.*out of place"):
            call()


# --- values of the in-place methods -----------------------------------------------------
A = np.array([[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]], dtype=np.float32)
B = np.array([[1.0, 2.0, -1.0], [0.5, 0.25, 4.0]], dtype=np.float32)
C = np.array([2.0, 3.0, 5.0], dtype=np.float32)

METHODS = {
    "add_": lambda t, b, c: t.add_(b, alpha=2),
    "add_ scalar": lambda t, b, c: t.add_(0.5),
    "sub_": lambda t, b, c: t.sub_(b, alpha=0.5),
    "mul_ broadcast": lambda t, b, c: t.mul_(c),
    "mul_ scalar": lambda t, b, c: t.mul_(-3),
    "div_": lambda t, b, c: t.div_(b),
    "pow_": lambda t, b, c: t.pow_(2),
    "pow_ tensor": lambda t, b, c: t.pow_(c / 2),
    "addcmul_": lambda t, b, c: t.addcmul_(b, c, value=0.5),
    "addcdiv_": lambda t, b, c: t.addcdiv_(b, c, value=-2),
    "lerp_ scalar": lambda t, b, c: t.lerp_(b, 0.3),
    "lerp_ tensor": lambda t, b, c: t.lerp_(b, c / 10),
    "clamp_": lambda t, b, c: t.clamp_(0.4, 1.8),
    "clamp_ min": lambda t, b, c: t.clamp_(min=1.0),
    "clamp_ max": lambda t, b, c: t.clamp_(max=1.0),
    "clip_": lambda t, b, c: t.clip_(0.3, 1.2),
    "masked_fill_": lambda t, b, c: t.masked_fill_(b > 0.6, -7.0),
    "zero_": lambda t, b, c: t.zero_(),
    "fill_": lambda t, b, c: t.fill_(3.5),
    "copy_": lambda t, b, c: t.copy_(b),
    "copy_ broadcast": lambda t, b, c: t.copy_(c),
    "neg_": lambda t, b, c: t.neg_(),
    "abs_": lambda t, b, c: t.sub_(1).abs_(),
    "exp_": lambda t, b, c: t.exp_(),
    "log_": lambda t, b, c: t.log_(),
    "sqrt_": lambda t, b, c: t.sqrt_(),
    "relu_": lambda t, b, c: t.sub_(1).relu_(),
    "sigmoid_": lambda t, b, c: t.sigmoid_(),
    "tanh_": lambda t, b, c: t.tanh_(),
    "iadd": lambda t, b, c: t.__iadd__(b),
    "isub": lambda t, b, c: t.__isub__(c),
    "imul": lambda t, b, c: t.__imul__(b),
    "itruediv": lambda t, b, c: t.__itruediv__(c),
}


@pytest.mark.parametrize("name", list(METHODS))
def test_inplace_method_values_match_pytorch_and_return_self(name):
    results = []
    for lib in (torch, neuralab):
        t, b, c = (lib.tensor(a.copy()) for a in (A, B, C))
        memory = t.numpy()
        result = METHODS[name](t, b, c)
        assert result is t
        assert np.shares_memory(t.numpy(), memory)  # changed in place, not replaced
        results.append(t.numpy().copy())
    assert results[1].dtype == results[0].dtype
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6, atol=1e-7)


def test_inplace_methods_date_each_change():
    t = neuralab.zeros(3)
    versions = [t._version]
    for change in (lambda: t.add_(1), lambda: t.mul_(2), lambda: t.__setitem__(0, 5.0)):
        change()
        versions.append(t._version)
    assert versions == sorted(set(versions))  # strictly increasing


def index_of(lib, kind, t):
    return {
        "int": 1,
        "negative int": -1,
        "tuple": (0, 2),
        "slice": slice(None, 1),
        "column": (slice(None), 1),
        "step slice": (slice(None), slice(None, None, 2)),
        "bool mask": t > 1,
        "integer tensor": lib.tensor([1, 0]),
        "tuple with tensor": (1, lib.tensor([0, 2])),
        "ellipsis": (Ellipsis, 0),
    }[kind]


SETITEM = [
    "int",
    "negative int",
    "tuple",
    "slice",
    "column",
    "step slice",
    "bool mask",
    "integer tensor",
    "tuple with tensor",
    "ellipsis",
]


@pytest.mark.parametrize("kind", SETITEM)
def test_setitem_matches_pytorch(kind):
    results = []
    for lib in (torch, neuralab):
        t = lib.tensor(A.copy())
        t[index_of(lib, kind, t)] = 9.0  # a scalar
        u = lib.tensor(A.copy())
        i = index_of(lib, kind, u)
        u[i] = u[i] * 0 - lib.tensor(1.5)  # a tensor of the selected shape
        results.append((t.numpy().copy(), u.numpy().copy()))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])


@pytest.mark.parametrize(
    "name, change",
    [
        ("add_", lambda t, o: t.add_(o)),
        ("sub_", lambda t, o: t.sub_(o, alpha=2)),
        ("mul_", lambda t, o: t.mul_(o)),
        ("div_", lambda t, o: t.div_(o)),
        ("addcmul_", lambda t, o: t.addcmul_(o, o)),
        ("lerp_", lambda t, o: t.lerp_(o, 0.5)),
        ("clamp_", lambda t, o: t.clamp_(o)),
        ("copy_", lambda t, o: t.copy_(o)),
        ("masked_fill_", lambda t, o: t.masked_fill_(o > 0, 1.0)),
        ("__setitem__", lambda t, o: t.__setitem__(0, o)),
    ],
)
def test_non_broadcastable_operand_raises_shape_error_naming_the_op(name, change):
    with pytest.raises(RuntimeError):
        change(torch.zeros(2, 3), torch.ones(4))
    with pytest.raises(ShapeError, match=rf"^{name.replace('_', '_')}: .*\(4,\).*\(2, 3\)"):
        change(neuralab.zeros(2, 3), neuralab.ones(4))


@pytest.mark.parametrize(
    "name, fill, check",
    [
        ("uniform_", lambda t, g: t.uniform_(-2, 3, generator=g), lambda a: (a >= -2) & (a < 3)),
        ("normal_", lambda t, g: t.normal_(5.0, 0.1, generator=g), lambda a: abs(a - 5) < 1),
        ("bernoulli_", lambda t, g: t.bernoulli_(0.3, generator=g), lambda a: (a == 0) | (a == 1)),
        ("random_", lambda t, g: t.random_(2, 7, generator=g), lambda a: (a >= 2) & (a < 7)),
        ("random_ high", lambda t, g: t.random_(4, generator=g), lambda a: (a >= 0) & (a < 4)),
    ],
)
def test_random_fills_are_reproducible_and_in_range(name, fill, check):
    draws = []
    for _ in range(2):
        t = neuralab.zeros(1000)
        assert fill(t, neuralab.Generator().manual_seed(7)) is t
        draws.append(t.numpy().copy())
    np.testing.assert_array_equal(draws[0], draws[1])
    assert check(draws[0]).all()
    assert len(np.unique(draws[0])) > 1
    assert draws[0].dtype == np.float32
    other = fill(neuralab.zeros(1000), neuralab.Generator().manual_seed(8)).numpy()
    assert not np.array_equal(other, draws[0])


def test_random_fill_statistics_match_pytorch():
    ours = neuralab.zeros(20000).normal_(2.0, 0.5, generator=neuralab.Generator().manual_seed(0))
    theirs = torch.zeros(20000).normal_(2.0, 0.5, generator=torch.Generator().manual_seed(0))
    assert abs(ours.mean().item() - theirs.mean().item()) < 0.02
    assert abs(ours.std().item() - theirs.std().item()) < 0.02
    share = neuralab.zeros(20000).bernoulli_(0.3, generator=neuralab.Generator().manual_seed(1))
    assert abs(share.mean().item() - 0.3) < 0.02


# --- .data ------------------------------------------------------------------------------
def test_data_is_a_tensor_sharing_memory_outside_the_graph():
    for lib in (torch, neuralab):
        p = lib.tensor(X, requires_grad=True)
        d = p.data
        assert isinstance(d, lib.Tensor)
        assert d.requires_grad is False and d.grad_fn is None and d.is_leaf
        assert np.shares_memory(d.numpy(), p.detach().numpy())
        d[0] = 7.0
        assert p[0].item() == 7.0


def test_sgd_update_through_data_matches_pytorch():
    results = []
    for lib in (torch, neuralab):
        p = lib.tensor(X, requires_grad=True)
        for _ in range(2):
            loss = (p * p * p).sum()
            loss.backward()
            p.data -= 0.1 * p.grad
            p.grad.data.zero_()
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)


def test_assigning_data_replaces_the_values():
    for lib in (torch, neuralab):
        p = lib.tensor(X, requires_grad=True)
        p.data = lib.tensor([4.0, 5.0, 6.0])
        assert p.requires_grad and p.is_leaf
        assert p.tolist() == [4.0, 5.0, 6.0]
        (p * 2).sum().backward()
        assert p.grad.tolist() == [2.0, 2.0, 2.0]


def test_max_over_a_dim_of_data_gives_values_and_indices():
    outputs = [[0.1, 2.0, 0.3], [5.0, -1.0, 0.0]]
    ours_in = neuralab.tensor(outputs, requires_grad=True)
    theirs_in = torch.tensor(outputs, requires_grad=True)
    ours_values, ours_predicted = neuralab.max(ours_in.data, 1)
    theirs_values, theirs_predicted = torch.max(theirs_in.data, 1)
    assert ours_predicted.tolist() == theirs_predicted.tolist() == [1, 0]
    assert ours_values.tolist() == theirs_values.tolist()
    assert (ours_predicted == neuralab.tensor([1, 1])).sum().item() == 1


# --- review findings: each was a silent wrong answer --------------------------------------
def test_an_optimizer_step_between_forward_and_backward_raises_as_in_torch():
    for lib in (torch, neuralab):
        w = lib.tensor([[1.0, 2.0]], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        x = lib.tensor([[3.0, 4.0]], requires_grad=True)
        loss = (x * w).tanh().sum()  # saves w
        (w * 1).sum().backward()
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_load_state_dict_between_forward_and_backward_raises():
    layer = neuralab.nn.Linear(2, 1)
    x = neuralab.ones(1, 2, requires_grad=True)
    loss = layer(x).sum()
    layer.load_state_dict({k: v * 2 for k, v in layer.state_dict().items()})
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_in_place_changes_of_one_element_reach_the_tensor_as_in_torch():
    for lib in (torch, neuralab):
        v = lib.tensor([1.0, 2.0, 3.0])
        v[0].add_(10)
        x = lib.zeros(2, 3)
        x[0, 1].fill_(5)
        assert v.tolist() == [11.0, 2.0, 3.0] and x.tolist() == [[0, 5, 0], [0, 0, 0]]
        s = (lib.ones(3, requires_grad=True) * 2).sum()
        s.data.fill_(9)
        assert s.item() == 9.0


def test_setitem_of_a_value_that_needs_grad_is_refused_not_silently_cut():
    w = neuralab.tensor([1.0, 2.0], requires_grad=True)
    out = neuralab.zeros(3)
    with pytest.raises(NotImplementedError, match="stack"):
        out[0] = (w * 2).sum()
    with neuralab.no_grad():
        out[0] = (w * 2).sum()  # outside the graph it is a plain copy
    assert out.tolist() == [6.0, 0.0, 0.0]


def test_out_refuses_a_lossy_cast_as_in_torch():
    for lib in (torch, neuralab):
        with pytest.raises(RuntimeError, match="can't be cast"):
            lib.add(lib.ones(2), 0.5, out=lib.zeros(2, dtype=lib.int64))
