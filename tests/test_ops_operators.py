"""Operators PyTorch programs use on tensors: % // & | ^ ~ (remainder, floor_divide, fmod,
logical_* and bitwise_*), add/sub with alpha=, out= on add/sub/mul/matmul, trace, formatting
of 0-d tensors (f"{loss:.4f}") and in-place methods on a reduction's 0-d result. Values,
dtypes and gradients equal PyTorch's; gradcheck in float64 for the differentiable ones; bad
input raises as PyTorch does, naming the op."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, compare_with_torch

import neuralab

# Negative operands on both sides, so the sign conventions show.
A_INT = [-7, -3, 0, 3, 7, -8]
B_INT = [2, -2, 3, -3, 2, 3]
A_FLOAT = [-7.5, -3.0, 0.0, 3.25, 7.0, -0.5]
B_FLOAT = [2.0, -2.0, 3.0, -3.0, 2.5, 0.75]

DIVISIONS = {
    "remainder": lambda m, a, b: m.remainder(a, b),
    "fmod": lambda m, a, b: m.fmod(a, b),
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "%": lambda m, a, b: a % b,
    "//": lambda m, a, b: a // b,
    "remainder_method": lambda m, a, b: a.remainder(b),
    "fmod_method": lambda m, a, b: a.fmod(b),
}


def _pair(values_a, values_b, dtype):
    ours = (
        neuralab.tensor(np.array(values_a, dtype=dtype)),
        neuralab.tensor(np.array(values_b, dtype=dtype)),
    )
    theirs = (
        torch.tensor(np.array(values_a, dtype=dtype)),
        torch.tensor(np.array(values_b, dtype=dtype)),
    )
    return ours, theirs


def _same(ours, theirs):
    expected = theirs.numpy()
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("name", sorted(DIVISIONS))
def test_division_ops_match_torch_with_negative_operands(name, dtype):
    a, b = (A_INT, B_INT) if dtype == "int64" else (A_FLOAT, B_FLOAT)
    ours, theirs = _pair(a, b, dtype)
    _same(DIVISIONS[name](neuralab, *ours), DIVISIONS[name](torch, *theirs))


def test_sign_conventions():
    a = neuralab.tensor([-7.0, 7.0, -7.0, 7.0])
    b = neuralab.tensor([2.0, -2.0, -2.0, 2.0])
    np.testing.assert_array_equal((a % b).numpy(), [1.0, -1.0, -1.0, 1.0])  # sign of b
    np.testing.assert_array_equal(neuralab.fmod(a, b).numpy(), [-1.0, 1.0, -1.0, 1.0])  # of a
    np.testing.assert_array_equal((a // b).numpy(), [-4.0, -4.0, 3.0, 3.0])  # floors


@pytest.mark.parametrize("name", ["remainder", "fmod", "floor_divide", "%", "//"])
def test_division_ops_broadcast_like_torch(name):
    a = np.array(A_FLOAT, dtype="float32").reshape(6, 1)
    b = np.array(B_FLOAT[:4], dtype="float32")
    ours = DIVISIONS[name](neuralab, neuralab.tensor(a), neuralab.tensor(b))
    theirs = DIVISIONS[name](torch, torch.tensor(a), torch.tensor(b))
    assert ours.shape == (6, 4)
    _same(ours, theirs)


SCALAR_CASES = {
    "t % 2.5": lambda t: t % 2.5,
    "t % -3": lambda t: t % -3,
    "5 % t": lambda t: 5 % t,
    "5.5 % t": lambda t: 5.5 % t,
    "t // 2.0": lambda t: t // 2.0,
    "t // -2": lambda t: t // -2,
    "7 // t": lambda t: 7 // t,
    "-7.5 // t": lambda t: -7.5 // t,
}


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("case", sorted(SCALAR_CASES))
def test_python_scalars_on_either_side_match_torch(case, dtype):
    values = B_INT if dtype == "int64" else B_FLOAT
    fn = SCALAR_CASES[case]
    _same(fn(neuralab.tensor(np.array(values, dtype))), fn(torch.tensor(np.array(values, dtype))))


@pytest.mark.parametrize("scalar", [2, 2.5, -3])
@pytest.mark.parametrize("name", ["fmod", "floor_divide", "remainder"])
def test_integer_tensor_with_scalar_gives_torchs_dtype(name, scalar):
    ours = getattr(neuralab, name)(neuralab.tensor(A_INT), scalar)
    theirs = getattr(torch, name)(torch.tensor(A_INT), scalar)
    _same(ours, theirs)


# Operands kept away from the discontinuities of % (a / b never near an integer).
def _away_from_jumps(n=12, seed=3):
    rng = np.random.default_rng(seed)
    b = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
    a = (rng.integers(-4, 4, n) + rng.uniform(0.2, 0.8, n)) * b
    return a, b


@pytest.mark.parametrize("name", ["remainder", "fmod"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_wrt_both_operands_match_torch(name, dtype):
    a, b = _away_from_jumps()
    a, b = a.reshape(3, 4).astype(dtype), b.reshape(3, 4).astype(dtype)
    ours = [neuralab.tensor(x, requires_grad=True) for x in (a, b)]
    theirs = [torch.tensor(x, requires_grad=True) for x in (a, b)]
    weight = np.random.default_rng(0).standard_normal((3, 4)).astype(dtype)
    (getattr(neuralab, name)(*ours) * neuralab.tensor(weight)).sum().backward()
    (getattr(torch, name)(*theirs) * torch.tensor(weight)).sum().backward()
    for mine, reference in zip(ours, theirs):
        assert mine.grad is not None and mine.grad.dtype == mine.dtype
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-5)
    # d(a % b)/db = -floor(a / b): not a constant, so this compares something real
    assert len(np.unique(ours[1].grad.numpy() / weight)) > 2


def test_remainder_gradient_broadcasts_back_like_torch():
    a = np.array([[-7.5, 3.2, 1.1], [1.1, -0.4, 5.3]])
    b = np.array([2.0, -1.5, 0.7])
    ours = [neuralab.tensor(x, requires_grad=True) for x in (a, b)]
    theirs = [torch.tensor(x, requires_grad=True) for x in (a, b)]
    (ours[0] % ours[1]).sum().backward()
    (theirs[0] % theirs[1]).sum().backward()
    for mine, reference in zip(ours, theirs):
        assert mine.grad.shape == mine.shape
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy())


def test_reflected_remainder_gradient_wrt_divisor():
    b = np.array([2.0, -1.5, 0.7])
    ours = neuralab.tensor(b, requires_grad=True)
    theirs = torch.tensor(b, requires_grad=True)
    (5.0 % ours).sum().backward()
    # torch has no derivative for Scalar % Tensor; its Tensor % Tensor form gives it
    (torch.tensor(5.0, dtype=torch.float64) % theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("name", ["remainder", "fmod"])
def test_gradcheck_away_from_discontinuities(name):
    a, b = _away_from_jumps(seed=7)
    inputs = [neuralab.tensor(x, requires_grad=True) for x in (a, b)]
    assert neuralab.autograd.gradcheck(getattr(neuralab, name), inputs)
    assert neuralab.autograd.gradcheck(lambda x: x % 1.3, inputs[:1])


def test_floor_divide_passes_no_gradient():
    x = neuralab.tensor([1.5, -2.5], requires_grad=True)
    assert not (x // 2.0).requires_grad


# --- logical and bitwise --------------------------------------------------------------
P = [True, False, True, False]
Q = [True, True, False, False]

BINARY_LOGIC = {
    "&": lambda m, a, b: a & b,
    "|": lambda m, a, b: a | b,
    "^": lambda m, a, b: a ^ b,
    "bitwise_and": lambda m, a, b: m.bitwise_and(a, b),
    "bitwise_or": lambda m, a, b: m.bitwise_or(a, b),
    "bitwise_xor": lambda m, a, b: a.bitwise_xor(b),
    "logical_and": lambda m, a, b: m.logical_and(a, b),
    "logical_or": lambda m, a, b: a.logical_or(b),
    "logical_xor": lambda m, a, b: m.logical_xor(a, b),
}


@pytest.mark.parametrize("kind", ["bool", "int64"])
@pytest.mark.parametrize("name", sorted(BINARY_LOGIC))
def test_logical_and_bitwise_ops_match_torch(name, kind):
    a, b = (P, Q) if kind == "bool" else (A_INT, B_INT)
    fn = BINARY_LOGIC[name]
    _same(
        fn(neuralab, neuralab.tensor(a), neuralab.tensor(b)),
        fn(torch, torch.tensor(a), torch.tensor(b)),
    )


def test_bitwise_broadcasts_like_torch():
    a, b = np.array(A_INT).reshape(6, 1), np.array([1, -2, 6])
    _same(neuralab.tensor(a) & neuralab.tensor(b), torch.tensor(a) & torch.tensor(b))
    _same(neuralab.tensor(a) ^ neuralab.tensor(b), torch.tensor(a) ^ torch.tensor(b))


REFLECTED = {
    "True & t": lambda t: True & t,
    "False | t": lambda t: False | t,
    "True ^ t": lambda t: True ^ t,
    "t & True": lambda t: t & True,
    "3 | t": lambda t: 3 | t,
    "1 ^ t": lambda t: 1 ^ t,
    "6 & t": lambda t: 6 & t,
    "t ^ -1": lambda t: t ^ -1,
}


@pytest.mark.parametrize("case", sorted(REFLECTED))
def test_scalars_on_either_side_of_bitwise(case):
    values = P if "True" in case or "False" in case else A_INT
    fn = REFLECTED[case]
    _same(fn(neuralab.tensor(values)), fn(torch.tensor(values)))


@pytest.mark.parametrize("values", [P, A_INT], ids=["bool", "int64"])
def test_invert_and_not_match_torch(values):
    ours, theirs = neuralab.tensor(values), torch.tensor(values)
    _same(~ours, ~theirs)
    _same(neuralab.bitwise_not(ours), torch.bitwise_not(theirs))
    _same(neuralab.logical_not(ours), torch.logical_not(theirs))
    _same(ours.logical_not(), theirs.logical_not())


def test_invert_of_bool_is_logical_not_not_minus_two():
    np.testing.assert_array_equal((~neuralab.tensor([True, False])).numpy(), [False, True])


def test_logical_ops_on_floats_treat_nonzero_as_true():
    a, b = [0.0, -1.5, 2.0, 0.0], [0.0, 0.0, 3.0, -0.5]
    for name in ["logical_and", "logical_or", "logical_xor"]:
        ours = getattr(neuralab, name)(neuralab.tensor(a), neuralab.tensor(b))
        _same(ours, getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
    _same(neuralab.logical_not(neuralab.tensor(a)), torch.logical_not(torch.tensor(a)))


BITWISE_ON_FLOATS = {
    "bitwise_and": lambda m, t: t & t,
    "bitwise_or": lambda m, t: m.bitwise_or(t, 1),
    "bitwise_xor": lambda m, t: t ^ t,
    "bitwise_not": lambda m, t: ~t,
}


@pytest.mark.parametrize("name", sorted(BITWISE_ON_FLOATS))
def test_bitwise_on_floats_raises_naming_the_op(name):
    fn = BITWISE_ON_FLOATS[name]
    with pytest.raises((TypeError, NotImplementedError, RuntimeError)):
        fn(torch, torch.tensor([1.5, 2.0]))
    with pytest.raises(TypeError, match=f"{name}.*float32"):
        fn(neuralab, neuralab.tensor([1.5, 2.0]))


def test_bitwise_error_names_the_float_operand_when_reflected():
    with pytest.raises(TypeError, match=r"bitwise_or.*float32"):
        1 | neuralab.tensor([1.5, 2.0])
    with pytest.raises(TypeError, match=r"bitwise_and.*float64"):
        neuralab.tensor([1, 2]) & neuralab.tensor([1.5, 2.0], dtype=neuralab.float64)


# --- add / sub with alpha= -----------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("alpha", [2.5, -3, 0])
def test_alpha_values_and_gradients_match_torch(alpha, dtype):
    compare_with_torch(
        lambda m, a, b: m.lib.add(a, b, alpha=alpha) * m.lib.sub(a, b, alpha=alpha),
        [(3, 4), (4,)],
        dtype=dtype,
    )
    compare_with_torch(
        lambda m, a, b: a.add(b, alpha=alpha) - b.sub(a, alpha=alpha), [(2, 3), (2, 3)], dtype=dtype
    )


def test_alpha_gradcheck():
    check_op(
        lambda m, a, b: m.lib.sub(a, b, alpha=-0.7) * m.lib.add(b, a, alpha=1.9), [(2, 3), (3,)]
    )


@pytest.mark.parametrize("other", [3, 2.5, -1])
@pytest.mark.parametrize("name", ["add", "sub"])
def test_alpha_with_a_python_number(name, other):
    for values in ([1.0, -2.0], [1, -2]):
        if isinstance(other, float) and isinstance(values[0], int):
            continue
        ours = getattr(neuralab, name)(neuralab.tensor(values), other, alpha=2)
        theirs = getattr(torch, name)(torch.tensor(values), other, alpha=2)
        _same(ours, theirs)


def test_alpha_on_integer_tensors():
    a, b = [1, 2, -3], [4, -5, 6]
    _same(
        neuralab.add(neuralab.tensor(a), neuralab.tensor(b), alpha=3),
        torch.add(torch.tensor(a), torch.tensor(b), alpha=3),
    )
    for name in ["add", "sub"]:
        with pytest.raises(RuntimeError):
            getattr(torch, name)(torch.tensor(a), torch.tensor(b), alpha=0.5)
        with pytest.raises(RuntimeError, match=f"{name}.*alpha"):
            getattr(neuralab, name)(neuralab.tensor(a), neuralab.tensor(b), alpha=0.5)


# --- out= ----------------------------------------------------------------------------
OUT_OPS = {
    "add": lambda m, a, b, out: m.add(a, b, out=out),
    "sub": lambda m, a, b, out: m.sub(a, b, out=out),
    "mul": lambda m, a, b, out: m.mul(a, b, out=out),
    "add_alpha": lambda m, a, b, out: m.add(a, b, alpha=-2, out=out),
    "matmul": lambda m, a, b, out: m.matmul(a, b.reshape(2, 1).expand(2, 2), out=out),
}
MATRIX = [[1.0, -2.0], [3.5, 4.0]]
ROW = [10.0, -20.0]


@pytest.mark.parametrize("name", sorted(OUT_OPS))
def test_out_is_written_in_place_when_shapes_agree(name):
    fn = OUT_OPS[name]
    out = neuralab.zeros(2, 2)
    row_view = out[0]
    buffer = out._data
    version = out._version
    result = fn(neuralab, neuralab.tensor(MATRIX), neuralab.tensor(ROW), out)
    expected = fn(torch, torch.tensor(MATRIX), torch.tensor(ROW), torch.zeros(2, 2))
    assert result is out
    assert out._data is buffer  # same memory ...
    np.testing.assert_allclose(out.numpy(), expected.numpy())
    np.testing.assert_allclose(row_view.numpy(), expected[0].numpy())  # ... seen by views
    assert out._version > version


def test_out_of_another_shape_is_resized():
    out = neuralab.zeros(3)
    result = neuralab.sub(neuralab.tensor(MATRIX), neuralab.tensor(ROW), out=out)
    expected = torch.sub(torch.tensor(MATRIX), torch.tensor(ROW))
    assert result is out and out.shape == (2, 2)
    np.testing.assert_allclose(out.numpy(), expected.numpy())


def test_out_keeps_its_dtype():
    out = neuralab.zeros(2, 2, dtype=neuralab.float64)
    neuralab.add(neuralab.tensor(MATRIX), neuralab.tensor(ROW), out=out)
    theirs = torch.add(
        torch.tensor(MATRIX), torch.tensor(ROW), out=torch.zeros(2, 2, dtype=torch.float64)
    )
    _same(out, theirs)


@pytest.mark.parametrize("name", sorted(OUT_OPS))
def test_out_with_an_input_requiring_grad_raises_like_torch(name):
    fn = OUT_OPS[name]
    with pytest.raises(RuntimeError, match="out="):
        fn(torch, torch.tensor(MATRIX, requires_grad=True), torch.tensor(ROW), torch.zeros(2, 2))
    out = neuralab.zeros(2, 2)
    with pytest.raises(RuntimeError, match=f"{name.split('_')[0]}.*out=.*requires grad"):
        fn(neuralab, neuralab.tensor(MATRIX, requires_grad=True), neuralab.tensor(ROW), out)
    np.testing.assert_array_equal(out.numpy(), np.zeros((2, 2)))  # untouched


def test_out_under_no_grad_is_allowed():
    x = neuralab.tensor(ROW, requires_grad=True)
    out = neuralab.zeros(2)
    with neuralab.no_grad():
        result = neuralab.mul(x, 3.0, out=out)
    assert result is out and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [30.0, -60.0])


def test_out_must_be_a_tensor():
    with pytest.raises(TypeError, match=r"add.*out.*Tensor"):
        neuralab.add(neuralab.tensor(ROW), 1.0, out=[0.0, 0.0])


# --- trace ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2)])
def test_trace_values_and_gradients_match_torch(shape):
    check_op(lambda m, a: m.lib.trace(a) * a.trace(), [shape])


def test_trace_of_integers_and_its_shape():
    values = [[1, 2, 3], [4, 5, 6]]
    ours, theirs = neuralab.trace(neuralab.tensor(values)), torch.trace(torch.tensor(values))
    assert ours.shape == ()
    _same(ours, theirs)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_trace_rejects_non_matrices(shape):
    with pytest.raises(RuntimeError, match="trace"):
        torch.trace(torch.zeros(shape))
    with pytest.raises(RuntimeError, match=r"trace.*2-D"):
        neuralab.trace(neuralab.zeros(shape))


def test_trace_rejects_non_tensors():
    with pytest.raises(TypeError, match="trace"):
        neuralab.trace(np.eye(2))


# --- format and in-place methods on 0-d results -------------------------------------
@pytest.mark.parametrize("spec", [".3f", "+.2f", "e", ".2e", "", "10.4f", ".1%", "g"])
@pytest.mark.parametrize("value", [3.14159, -0.000271828])
def test_format_of_0d_tensor_matches_torch(spec, value):
    assert format(neuralab.tensor(value), spec) == format(torch.tensor(value), spec)
    assert (
        f"{neuralab.tensor([value, 1.0]).sum():{spec}}"
        == f"{torch.tensor([value, 1.0]).sum():{spec}}"
    )


def test_format_of_integer_and_bool_0d_tensors():
    assert format(neuralab.tensor(7), "d") == format(torch.tensor(7), "d") == "7"
    assert format(neuralab.tensor(-7), "+05d") == format(torch.tensor(-7), "+05d")
    assert f"{neuralab.tensor(True)}" == f"{torch.tensor(True)}"


@pytest.mark.parametrize("values", [[1.0, 2.0], [3.5]], ids=["two", "one_element_1d"])
def test_format_spec_on_non_0d_tensor_raises_like_torch(values):
    with pytest.raises(TypeError):
        format(torch.tensor(values), ".2f")
    with pytest.raises(TypeError, match="format"):
        format(neuralab.tensor(values), ".2f")
    assert format(neuralab.tensor(values), "") == str(neuralab.tensor(values))


def test_in_place_methods_on_a_reductions_0d_result():
    for m in (neuralab, torch):
        x = m.tensor([1.0, 2.0]).sum()
        assert x.add_(1) is x
        x.mul_(2)
        x.sub_(0.5)
        assert x.item() == 7.5, m.__name__
        y = m.tensor([[1.0, 5.0], [3.0, 4.0]]).max()
        y.zero_()
        assert y.item() == 0.0
        z = m.tensor([1.0, 2.0, 6.0]).mean()
        z += 1
        z.clamp_(max=3.5)
        assert z.item() == 3.5
        assert f"{z:.2f}" == "3.50"


def test_in_place_on_0d_result_bumps_its_version():
    x = neuralab.tensor([1.0, 2.0]).sum()
    version = x._version
    x.add_(1)
    assert x._version > version
    assert isinstance(x._data, np.ndarray)
