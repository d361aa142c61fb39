"""Elementwise math beyond arithmetic (log10 ... atan; rounding; special-value tests):
values and gradients equal PyTorch's in float32 and float64, gradcheck in float64 for the
differentiable ones; rounding passes a zero gradient as PyTorch does; integer inputs give
PyTorch's dtypes; bad arguments raise clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab

POS = (0.2, 2.0)
SMALL = (-0.9, 2.0)  # log1p's domain
TRIG = (-1.2, 1.2)  # tan away from its poles

DIFFERENTIABLE = {
    "log10": (lambda m, a: m.lib.log10(a), POS),
    "log10_method": (lambda m, a: a.log10(), POS),
    "log2": (lambda m, a: m.lib.log2(a), POS),
    "log1p": (lambda m, a: m.lib.log1p(a), SMALL),
    "expm1": (lambda m, a: a.expm1(), (-2.0, 2.0)),
    "sin": (lambda m, a: m.lib.sin(a), (-3.0, 3.0)),
    "cos": (lambda m, a: a.cos(), (-3.0, 3.0)),
    "tan": (lambda m, a: m.lib.tan(a), TRIG),
    "sinh": (lambda m, a: m.lib.sinh(a), (-2.0, 2.0)),
    "cosh": (lambda m, a: a.cosh(), (-2.0, 2.0)),
    "atan": (lambda m, a: m.lib.atan(a), (-3.0, 3.0)),
    "arctan_method": (lambda m, a: a.arctan(), (-3.0, 3.0)),
    "rsqrt": (lambda m, a: m.lib.rsqrt(a), POS),
    "reciprocal": (lambda m, a: a.reciprocal(), POS),
    "square": (lambda m, a: m.lib.square(a), (-2.0, 2.0)),
    "composed": (lambda m, a: (a.sin() * a.cos()).log1p().square(), (0.1, 1.0)),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable_matches_torch_and_gradcheck(name):
    fn, domain = DIFFERENTIABLE[name]
    check_op(fn, [(3, 4)], domain)


STEPS = {
    "floor": lambda m, a: m.lib.floor(a * 3),
    "ceil": lambda m, a: (a * 3).ceil(),
    "trunc": lambda m, a: m.lib.trunc(a * 3),
    "fix": lambda m, a: (a * 3).fix(),
    "round": lambda m, a: m.lib.round(a * 3),
    "round_decimals": lambda m, a: (a * 3).round(decimals=1),
    "sign": lambda m, a: m.lib.sign(a) * a,  # sign's zero gradient plus a's own
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(STEPS))
def test_steps_match_torch_with_zero_gradient(name, dtype):
    compare_with_torch(STEPS[name], [(4, 5)], dtype=dtype)


def test_step_gradient_is_zero_not_missing():
    x = neuralab.tensor([0.3, -1.7, 2.5], requires_grad=True)
    x.floor().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_round_halves_to_even_like_torch():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, 1.25, 1.35]
    ours = neuralab.round(neuralab.tensor(values)).numpy()
    np.testing.assert_array_equal(ours, torch.round(torch.tensor(values)).numpy())
    ours = neuralab.round(neuralab.tensor(values), decimals=1).numpy()
    np.testing.assert_allclose(ours, torch.round(torch.tensor(values), decimals=1).numpy())


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_special_value_tests_match_torch(name):
    values = [0.0, float("nan"), float("inf"), -float("inf"), -2.5]
    ours = getattr(neuralab, name)(neuralab.tensor(values))
    method = getattr(neuralab.tensor(values), name)()
    expected = getattr(torch, name)(torch.tensor(values)).numpy()
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.numpy(), expected)
    np.testing.assert_array_equal(method.numpy(), expected)


@pytest.mark.parametrize(
    "name", ["sin", "log10", "reciprocal", "rsqrt", "square", "floor", "sign", "expm1"]
)
def test_integer_inputs_give_torchs_dtype_and_values(name):
    values = [1, 2, 3]
    ours = getattr(neuralab, name)(neuralab.tensor(values))
    theirs = getattr(torch, name)(torch.tensor(values))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_nonpositive_inputs_give_nan_and_inf_like_torch():
    values = [0.0, -1.0, 4.0]
    for name in ["log10", "log2", "rsqrt", "reciprocal"]:
        ours = getattr(neuralab, name)(neuralab.tensor(values)).numpy()
        theirs = getattr(torch, name)(torch.tensor(values)).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=name)


@pytest.mark.parametrize("name", ["sin", "floor", "isnan", "square"])
def test_non_tensor_input_is_a_type_error_naming_the_op(name):
    with pytest.raises(TypeError, match=name):
        getattr(neuralab, name)(1.5)


def test_round_rejects_non_integer_decimals():
    with pytest.raises(TypeError, match="decimals"):
        neuralab.round(neuralab.tensor([1.0]), decimals=1.5)
