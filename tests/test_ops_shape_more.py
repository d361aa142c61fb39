"""Shape helpers (view_as, reshape_as, expand_as, t, narrow, repeat, tile, chunk, split,
unbind, flip, roll, tril, triu, meshgrid) and the new_* constructors: values and
gradients equal PyTorch's, gradcheck in float64, and PyTorch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import check_op

import neuralab
from neuralab import ShapeError

CASES = {
    "view_as": (lambda m, a, b: a.view_as(b) * b, [(3, 4), (2, 6)]),
    "reshape_as": (lambda m, a, b: a.reshape_as(b) * 2, [(3, 4), (4, 3)]),
    "expand_as": (lambda m, a, b: a.expand_as(b) * b, [(1, 4), (3, 4)]),
    "t": (lambda m, a: a.t() * 2, [(3, 4)]),
    "t_1d": (lambda m, a: m.lib.t(a) * 2, [(4,)]),
    "narrow": (lambda m, a: a.narrow(1, 1, 2) * 2, [(3, 4)]),
    "narrow_neg_start": (lambda m, a: m.lib.narrow(a, 0, -2, 2) * 2, [(3, 4)]),
    "repeat": (lambda m, a: a.repeat(2, 3) * 2, [(3, 4)]),
    "repeat_new_axes": (lambda m, a: a.repeat(2, 1, 3), [(3, 4)]),
    "repeat_tuple": (lambda m, a: a.repeat((1, 2)), [(3, 4)]),
    "tile_short": (lambda m, a: m.lib.tile(a, (2,)), [(3, 4)]),
    "chunk": (lambda m, a: a.chunk(3, dim=1), [(3, 4)]),
    "chunk_fn": (lambda m, a: m.lib.chunk(a, 2), [(5, 2)]),
    "split_int": (lambda m, a: a.split(3, dim=1), [(2, 7)]),
    "split_list": (lambda m, a: m.lib.split(a, [1, 0, 3], dim=-1), [(2, 4)]),
    "unbind": (lambda m, a: a.unbind(1), [(3, 4)]),
    "unbind_fn": (lambda m, a: m.lib.unbind(a), [(3, 4)]),
    "flip": (lambda m, a: m.lib.flip(a, (0, 2)) * 2, [(2, 3, 4)]),
    "flip_method_varargs": (lambda m, a: a.flip(0, 1) * 2, [(3, 4)]),
    "fliplr": (lambda m, a: m.lib.fliplr(a) * 2, [(3, 4)]),
    "flipud": (lambda m, a: m.lib.flipud(a) * 2, [(3, 4)]),
    "roll_flat": (lambda m, a: a.roll(5) * 2, [(3, 4)]),
    "roll_dims": (lambda m, a: m.lib.roll(a, (1, -3), (0, 1)) * 2, [(3, 4)]),
    "roll_one_dim": (lambda m, a: a.roll(2, 1) * 2, [(3, 4)]),
    "tril": (lambda m, a: a.tril() * 2, [(4, 4)]),
    "tril_diag": (lambda m, a: m.lib.tril(a, diagonal=-1) * 2, [(2, 4, 3)]),
    "triu": (lambda m, a: m.lib.triu(a) * 2, [(3, 5)]),
    "triu_diag": (lambda m, a: a.triu(2) * 2, [(2, 3, 5)]),
    "meshgrid_ij": (lambda m, a, b: m.lib.meshgrid(a, b, indexing="ij"), [(3,), (4,)]),
    "meshgrid_xy": (lambda m, a, b, c: m.lib.meshgrid(a, b, c, indexing="xy"), [(3,), (4,), (2,)]),
    "meshgrid_list": (lambda m, a, b: m.lib.meshgrid([a, b], indexing="xy"), [(3,), (2,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_and_gradcheck(name):
    fn, shapes = CASES[name]
    check_op(fn, shapes)


def test_chunk_may_give_fewer_pieces_like_torch():
    for size, chunks in [(5, 3), (6, 4), (4, 4), (1, 3)]:
        ours = neuralab.ones(size).chunk(chunks)
        theirs = torch.ones(size).chunk(chunks)
        assert [p.shape[0] for p in ours] == [p.shape[0] for p in theirs]


def test_meshgrid_without_indexing_warns_and_uses_ij():
    a, b = neuralab.arange(3), neuralab.arange(2)
    with pytest.warns(UserWarning, match="indexing"):
        x, y = neuralab.meshgrid(a, b)
    assert x.shape == (3, 2) and y.shape == (3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        neuralab.meshgrid(a, b, indexing="ij")


def test_meshgrid_of_zero_dim_tensors():
    x, y = neuralab.meshgrid(neuralab.tensor(1.0), neuralab.tensor([0.0, 1.0, 2.0]), indexing="ij")
    tx, ty = torch.meshgrid(torch.tensor(1.0), torch.arange(3.0), indexing="ij")
    assert x.shape == tuple(tx.shape) and y.tolist() == ty.tolist()


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda x: neuralab.ones(2, 2, 2).t(), ShapeError, r"t\(\) expects a tensor with <= 2"),
        (lambda x: x.narrow(0, 2, 2), IndexError, r"start \(2\) \+ length \(2\) exceeds"),
        (lambda x: x.narrow(0, 5, 1), IndexError, "out of range"),
        (lambda x: x.repeat(2), ShapeError, "can not be smaller"),
        (lambda x: x.split([1, 1]), ShapeError, "sum exactly to 3"),
        (lambda x: x.split(0), ShapeError, "split_size"),
        (lambda x: x.chunk(0), ShapeError, "greater than 0"),
        (lambda x: x.unbind(2), IndexError, "unbind: dimension 2 out of range"),
        (lambda x: x.flip(0, 0), ShapeError, "more than once"),
        (lambda x: x.roll((1, 2), 0), ShapeError, "same length"),
        (lambda x: neuralab.tril(neuralab.ones(3)), ShapeError, "at least 2 dimensions"),
        (lambda x: neuralab.meshgrid(x, indexing="ij"), ShapeError, "0D or 1D"),
        (lambda x: neuralab.meshgrid(x[0], indexing="yx"), ValueError, "'ij' or 'xy'"),
        (
            lambda x: neuralab.meshgrid(x[0], neuralab.arange(2), indexing="ij"),
            TypeError,
            "same dtype",
        ),
        (lambda x: x.view_as(neuralab.ones(5)), ShapeError, "cannot reshape"),
        (lambda x: neuralab.narrow(neuralab.tensor(1.0), 0, 0, 1), IndexError, "0-d"),
    ],
)
def test_errors(call, kind, message):
    x = neuralab.ones(3, 4)
    with pytest.raises(kind, match=message):
        call(x)


def test_shape_errors_are_also_runtime_errors_as_in_torch():
    with pytest.raises(RuntimeError):
        neuralab.ones(2, 2, 2).t()


# --- new_* ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["new_zeros", "new_ones", "new_empty"])
@pytest.mark.parametrize("source", [np.float64, np.int64, np.float32])
def test_new_constructors_take_self_dtype(name, source):
    ours = getattr(neuralab.tensor(np.zeros(2, source)), name)(2, 3)
    theirs = getattr(torch.tensor(np.zeros(2, source)), name)(2, 3)
    assert ours.shape == (2, 3) and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    if name != "new_empty":
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    tuple_form = getattr(neuralab.tensor(np.zeros(2, source)), name)((4,))
    assert tuple_form.shape == (4,)


def test_new_full_and_new_tensor():
    x = neuralab.tensor(np.zeros(2, np.float64))
    full = x.new_full((2, 2), 3)
    assert full.dtype == np.float64 and full.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    made = x.new_tensor([1, 2], requires_grad=True)
    assert made.dtype == np.float64 and made.requires_grad and made.is_leaf
    ints = x.new_tensor([1, 2], dtype=neuralab.int64)
    assert ints.dtype == np.int64
    assert torch.zeros(2, dtype=torch.float64).new_tensor([1, 2]).dtype == torch.float64


def test_new_tensor_copies_and_warns_for_a_tensor():
    x = neuralab.zeros(2)
    source = neuralab.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="clone"):
        made = x.new_tensor(source)
    made[0] = 9.0
    assert source.tolist() == [1.0, 2.0]


def test_new_constructors_check_device_and_size():
    x = neuralab.zeros(2)
    assert x.new_zeros(2, device="cpu").shape == (2,)
    with pytest.raises(NotImplementedError, match="cuda"):
        x.new_zeros(2, device="cuda")
    with pytest.raises(ValueError, match="new_ones"):
        x.new_ones(-1)
