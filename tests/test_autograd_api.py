"""``autograd.grad``, ``autograd.backward``, ``backward(inputs=)``, custom
``autograd.Function`` and the grad-mode switches, compared with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab

A = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
B = [0.3, -0.6, 0.9]
C = [[1.0], [-2.0]]


def leaves(lib, dtype=None):
    dtype = dtype or lib.float64
    return [lib.tensor(v, dtype=dtype, requires_grad=True) for v in (A, B, C)]


def composite(lib, a, b, c):
    """A function of three inputs with broadcasting, a reduction and nonlinearities."""
    h = lib.tanh(a * b + c)
    return (h.exp() * a).sum(dim=1) + (b * b).sum()


def as_numpy(t):
    return None if t is None else t.detach().numpy()


def assert_close(ours, theirs):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        if t is None:
            assert o is None
        else:
            np.testing.assert_allclose(as_numpy(o), as_numpy(t), rtol=1e-10, atol=1e-12)


# --- autograd.grad --------------------------------------------------------------------
def test_grad_of_a_composite_function_matches_torch():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        out = composite(lib, a, b, c).sum()
        results.append(lib.autograd.grad(out, [a, b, c]))
        assert all(t.grad is None for t in (a, b, c))  # .grad untouched
    assert isinstance(results[1], tuple)
    assert_close(results[1], results[0])


def test_grad_with_grad_outputs_for_a_non_scalar_output():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        out = composite(lib, a, b, c)  # shape (2,)
        weights = lib.tensor([2.0, -0.5], dtype=lib.float64)
        results.append(lib.autograd.grad(out, (a, b), grad_outputs=weights))
    assert_close(results[1], results[0])


def test_grad_of_several_outputs_sums_them():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        outs = [(a * b).sum(), (b * b * c).sum()]
        results.append(lib.autograd.grad(outs, [b, c]))
    assert_close(results[1], results[0])


def test_grad_of_a_non_scalar_output_without_grad_outputs_raises():
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            lib.autograd.grad(composite(lib, a, b, c), [a])


def test_unused_input_raises_unless_allow_unused():
    for lib in (torch, neuralab):
        a, b, _ = leaves(lib)
        unused = lib.ones(2, dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="allow_unused=True"):
            lib.autograd.grad((a * b).sum(), [a, unused])

    results = []
    for lib in (torch, neuralab):
        a, b, _ = leaves(lib)
        unused = lib.ones(2, dtype=lib.float64, requires_grad=True)
        ga, gu = lib.autograd.grad((a * b).sum(), [a, unused], allow_unused=True)
        assert gu is None
        ga2, gz = lib.autograd.grad(
            (a * b).sum(), [a, unused], allow_unused=True, materialize_grads=True
        )
        results.append((ga, ga2, gz))
    assert_close(results[1], results[0])
    assert results[1][2].tolist() == [0.0, 0.0]


def test_grad_frees_the_graph_unless_retain_graph():
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        out = composite(lib, a, b, c).sum()
        first = lib.autograd.grad(out, [a], retain_graph=True)
        second = lib.autograd.grad(out, [a])  # the graph was kept
        assert_close(second, first)
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            lib.autograd.grad(out, [a])


def test_grad_with_respect_to_an_intermediate_tensor():
    results = []
    for lib in (torch, neuralab):
        a, b, _ = leaves(lib)
        h = a * b
        out = (h * h).sum()
        results.append(lib.autograd.grad(out, [h, b]))
    assert_close(results[1], results[0])


def test_grad_create_graph_is_not_implemented():
    a, b, _ = leaves(neuralab)
    with pytest.raises(NotImplementedError, match=r"create_graph=True.*higher-order"):
        neuralab.autograd.grad((a * b).sum(), [a], create_graph=True)
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        (a * b).sum().backward(create_graph=True)
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        neuralab.autograd.backward((a * b).sum(), create_graph=True)


# --- autograd.backward and backward(inputs=) ------------------------------------------
def test_autograd_backward_of_several_tensors_matches_torch():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        first = a * b  # (2, 3)
        second = (b * c).sum(dim=0)  # (3,)
        ga = lib.tensor(np.full((2, 3), 0.5))
        gb = lib.tensor([1.0, -1.0, 2.0], dtype=lib.float64)
        lib.autograd.backward([first, second], [ga, gb])
        results.append([t.grad for t in (a, b, c)])
    assert_close(results[1], results[0])


def test_backward_inputs_fills_only_those_grads():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        composite(lib, a, b, c).sum().backward(inputs=[b])
        assert a.grad is None and c.grad is None
        composite(lib, a, b, c).sum().backward(inputs=b)  # accumulates
        results.append([b.grad])
    assert_close(results[1], results[0])


def test_autograd_backward_with_inputs():
    results = []
    for lib in (torch, neuralab):
        a, b, c = leaves(lib)
        lib.autograd.backward(composite(lib, a, b, c).sum(), inputs=[a, c])
        assert b.grad is None
        results.append([a.grad, c.grad])
    assert_close(results[1], results[0])


# --- custom Functions -----------------------------------------------------------------
def legendre_class(lib):
    """The PyTorch tutorial's LegendrePolynomial3, written against ``lib``."""

    class LegendrePolynomial3(lib.autograd.Function):
        """P3(x) = (5x^3 - 3x) / 2;  dP3/dx = 1.5 (5x^2 - 1)"""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x**3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x**2 - 1)

    return LegendrePolynomial3


def scaled_shift_class(lib):
    """Two tensor inputs and a non-differentiable number: f(x, w, k) = k * x * w."""

    class ScaledProduct(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, k):
            ctx.save_for_backward(x, w)
            ctx.k = k
            return k * x * w

        @staticmethod
        def backward(ctx, grad_output):
            x, w = ctx.saved_tensors
            grad_x = grad_output * ctx.k * w if ctx.needs_input_grad[0] else None
            grad_w = grad_output * ctx.k * x if ctx.needs_input_grad[1] else None
            return grad_x, grad_w, None

    return ScaledProduct


def test_legendre_polynomial_custom_function_matches_torch():
    """The tutorial's training step: y = a + b P3(c + d x)."""
    results = []
    for lib in (torch, neuralab):
        P3 = legendre_class(lib)
        x = lib.linspace(-1.0, 1.0, 20, dtype=lib.float64)
        y = lib.tensor(np.sin(np.linspace(-1.0, 1.0, 20)))
        a, b, c, d = (
            lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)
        )
        prediction = a + b * P3.apply(c + d * x)
        loss = ((prediction - y) ** 2).sum()
        loss.backward()
        results.append([prediction, loss] + [t.grad for t in (a, b, c, d)])
        assert prediction.grad_fn is not None
    assert_close(results[1], results[0])


def test_custom_function_with_a_non_differentiable_input_matches_torch():
    results = []
    for lib in (torch, neuralab):
        Fn = scaled_shift_class(lib)
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(B, dtype=lib.float64, requires_grad=True)
        out = Fn.apply(x, w, 2.5)
        (out * out).sum().backward()
        results.append([out, x.grad, w.grad])
    assert_close(results[1], results[0])


def test_custom_function_needs_input_grad_and_no_graph_inside_forward():
    seen = {}

    class Probe(neuralab.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            seen["grad mode"] = neuralab.is_grad_enabled()
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None

    x = neuralab.ones(2, requires_grad=True)
    out = Probe.apply(x, neuralab.ones(2))
    assert seen == {"needs": (True, False), "grad mode": False}
    assert out.grad_fn is not None and out.grad_fn.name == "ProbeBackward"
    with neuralab.no_grad():
        assert Probe.apply(x, neuralab.ones(2)).grad_fn is None


def test_custom_function_returning_too_few_gradients_raises():
    class Short(neuralab.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = neuralab.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Short\.backward returned 1 gradients"):
        Short.apply(x, neuralab.ones(2, requires_grad=True)).sum().backward()


# --- grad mode switches ---------------------------------------------------------------
def test_set_grad_enabled_as_a_call_and_as_a_context():
    for lib in (torch, neuralab):
        x = lib.ones(2, requires_grad=True)
        try:
            lib.set_grad_enabled(False)
            assert not lib.is_grad_enabled()
            assert (x * 2).grad_fn is None
        finally:
            lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert (x * 2).grad_fn is None
            with lib.set_grad_enabled(True):
                assert (x * 2).grad_fn is not None
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled() and (x * 2).grad_fn is not None


def test_inference_mode_as_context_and_decorator():
    for lib in (torch, neuralab):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            assert (x * 2).requires_grad is False
        with lib.inference_mode(False):
            assert (x * 2).requires_grad is True

        @lib.inference_mode()
        def predict(t):
            return t * 2

        assert predict(x).requires_grad is False
        assert lib.is_grad_enabled()


def test_no_grad_as_a_decorator_with_and_without_parentheses():
    for lib in (torch, neuralab):
        x = lib.ones(2, requires_grad=True)

        @lib.no_grad
        def bare(t):
            return t * 2

        @lib.no_grad()
        def called(t):
            return t * 2

        assert bare(x).requires_grad is False
        assert called(x).requires_grad is False
        assert bare.__name__ == "bare"
        assert lib.is_grad_enabled()
        with lib.no_grad(), lib.enable_grad():
            assert (x * 2).requires_grad is True


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError), neuralab.no_grad():
        raise ValueError
    assert neuralab.is_grad_enabled()


def test_the_torch_autograd_function_import_path_and_its_decorators():
    from neuralab.autograd.function import Function, once_differentiable

    class Square(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            ctx.mark_dirty()  # accepted, as torch programs call it
            return a * a

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return 2 * a * grad

    t = neuralab.tensor([3.0, -1.0], requires_grad=True)
    Square.apply(t).sum().backward()
    assert t.grad.tolist() == [6.0, -2.0]
