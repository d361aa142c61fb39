"""The engine's semantics: graph recording, accumulation, no_grad, retain_graph, detach,
dtypes, seeding and error messages, as PyTorch behaves."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
import neuralab.functional as F


def test_tensor_dtype_rules_follow_as_tensor():
    assert nl.tensor(1.5).dtype == np.float32
    assert nl.tensor([1.0, 2.0]).dtype == np.float32
    assert nl.tensor([1, 2]).dtype == np.int64
    assert nl.tensor(np.zeros(3, np.float64)).dtype == np.float64
    assert nl.tensor(np.zeros(3, np.int32)).dtype == np.int32
    assert nl.tensor([True, False]).dtype == np.bool_
    assert nl.tensor([1, 2], dtype=nl.float64).dtype == np.float64
    assert nl.randn(2, 3).dtype == np.float32
    assert nl.randn(2, 3, dtype=nl.float64).dtype == np.float64


def test_float32_stays_float32_through_ops_and_gradients():
    x = nl.randn(4, 3, requires_grad=True)
    y = (F.softmax(x * 2.0 + 1, dim=1).log() ** 2).mean() / 3
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_integer_tensor_meets_float_like_torch():
    ints = nl.tensor([1, 2, 3])
    assert (ints * nl.tensor([0.5, 0.5, 0.5])).dtype == np.float32
    assert (ints * 0.5).dtype == np.float32
    assert (ints / ints).dtype == np.float32
    assert (ints + 1).dtype == np.int64


def test_gradients_accumulate_across_backward_calls():
    x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad._data, 2 * x._data + 3)


def test_shared_subexpression_sums_both_paths():
    x = nl.tensor([0.5, -1.0], requires_grad=True)
    y = x.exp()
    z = (y * y + y).sum()  # dz/dx = (2 e^2x + e^x)
    z.backward()
    np.testing.assert_allclose(x.grad._data, 2 * np.exp(2 * x._data) + np.exp(x._data), rtol=1e-6)


def test_leaf_gradients_are_not_shared_arrays():
    a = nl.ones(3, requires_grad=True)
    b = nl.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad._data *= 0  # zeroing one gradient in place must not touch the other
    np.testing.assert_array_equal(b.grad._data, np.ones(3))


def test_backward_on_non_scalar_needs_a_gradient():
    x = nl.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()
    (x * 2).backward(nl.ones(3))
    np.testing.assert_allclose(x.grad._data, 2)
    with pytest.raises(RuntimeError, match="gradient has shape"):
        (x * 2).backward(nl.ones(4))


def test_backward_without_grad_raises_like_torch():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nl.tensor([1.0]).sum().backward()


def test_second_backward_needs_retain_graph():
    x = nl.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, 4 * np.exp(x._data), rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_no_grad_records_nothing_and_restores_the_mode():
    x = nl.randn(3, requires_grad=True)
    with nl.no_grad():
        y = x * 2
        assert not nl.is_grad_enabled()
        with nl.enable_grad():
            z = x * 2
    assert nl.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @nl.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad


def test_detach_cuts_the_graph_and_shares_memory():
    x = nl.randn(3, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 1.0
    assert np.shares_memory(y.detach()._data, y._data)


def test_only_floating_tensors_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nl.tensor([1, 2], requires_grad=True)


def test_retain_grad_keeps_intermediate_gradient():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad._data, 2 * h._data)
    assert (x * 2).grad is None


def test_manual_seed_reproduces_bit_for_bit():
    nl.manual_seed(7)
    a = (nl.randn(5), nl.rand(3), nl.randint(0, 10, (4,)), nl.randperm(6))
    nl.manual_seed(7)
    b = (nl.randn(5), nl.rand(3), nl.randint(0, 10, (4,)), nl.randperm(6))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x._data, y._data)
    nl.manual_seed(8)
    assert not np.array_equal(nl.randn(5)._data, a[0]._data)


def test_rng_state_round_trip():
    nl.manual_seed(1)
    state = nl.get_rng_state()
    first = nl.randn(4)._data
    nl.set_rng_state(state)
    np.testing.assert_array_equal(nl.randn(4)._data, first)


def test_max_with_dim_returns_values_and_indices():
    x = nl.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values._data, [5.0, 7.0])
    np.testing.assert_array_equal(indices._data, torch.tensor(x._data).max(dim=1).indices)


def test_max_ties_share_the_gradient_like_torch():
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], np.float32)
    x, t = nl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    x.max().backward()
    t.max().backward()
    np.testing.assert_allclose(x.grad._data, t.grad.numpy())
    x.grad, t.grad = None, None
    nl.maximum(x, nl.tensor(2.0)).sum().backward()
    torch.maximum(t, torch.tensor(2.0)).sum().backward()
    np.testing.assert_allclose(x.grad._data, t.grad.numpy())


def test_relu_gradient_at_zero_is_zero():
    x = nl.tensor([0.0, 1.0], requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0.0, 1.0])


def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: .*\(2, 3\), \(4,\)"):
        nl.randn(2, 3) + nl.randn(4)
    with pytest.raises(RuntimeError, match=r"mul: .*\(2, 3\), \(2,\)"):
        nl.randn(2, 3) * nl.randn(2)


def test_matmul_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be"):
        nl.randn(2, 3) @ nl.randn(4, 5)
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 3\) does not fit"):
        F.linear(nl.randn(2, 3), nl.randn(4, 5))


def test_bad_arguments_are_named():
    x = nl.randn(2, 3)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(IndexError, match="sum: dimension 2 out of range"):
        x.sum(dim=2)
    with pytest.raises(ValueError, match="permute"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match="clamp: at least one"):
        x.clamp()
    with pytest.raises(ValueError, match="pad: mode must be one of"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"cat: sizes must match .*\(2, 3\), \(3, 2\)"):
        nl.cat([x, nl.randn(3, 2)], dim=0)
    with pytest.raises(ValueError, match="gelu: approximate"):
        F.gelu(x, approximate="fast")
    with pytest.raises(TypeError, match="softmax: the 'dim' argument is required"):
        F.softmax(x)


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(nl.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            return (grad * ctx.saved[0],)  # should be 2x

    x = nl.randn(3, dtype=nl.float64, requires_grad=True)
    with pytest.raises(nl.autograd.GradcheckError, match="Jacobian mismatch"):
        nl.autograd.gradcheck(WrongSquare.apply, (x,))
    assert not nl.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False)
    with pytest.raises(TypeError, match="float64"):
        nl.autograd.gradcheck(lambda t: t * 2, (nl.randn(3, requires_grad=True),))


def test_tensor_repr_and_conversions():
    x = nl.tensor([[1.0, 2.0]], requires_grad=True)
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert float(x.sum()) == 3.0 and x.shape == (1, 2) and x.numel() == 2
    assert x.detach().numpy().tolist() == [[1.0, 2.0]]
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    assert x.double().dtype == np.float64 and x.long().dtype == np.int64
