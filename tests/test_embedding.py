"""Embedding (module and functional) against PyTorch: lookups, the scatter-add gradient,
padding_idx, max_norm renormalization, scale_grad_by_freq, init and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
import neuralab.functional as F
from neuralab import nn, optim

TOL = {"float32": {"rtol": 1e-6, "atol": 1e-7}, "float64": {"rtol": 1e-12, "atol": 1e-14}}


def compare(indices, rows=10, dim=4, dtype="float64", seed=0, **options):
    """F.embedding in both libraries: output, gradient of the table, and the table itself
    (max_norm renormalizes it in place)."""
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(rows, dim)).astype(dtype)
    w_a = nl.tensor(table.copy(), requires_grad=True)
    w_b = torch.tensor(table.copy(), requires_grad=True)
    idx = np.asarray(indices, dtype=np.int64)
    out_a = F.embedding(nl.tensor(idx), w_a, **options)
    out_b = torch.nn.functional.embedding(torch.tensor(idx), w_b, **options)
    assert out_a.shape == tuple(out_b.shape) and out_a.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out_a._data, out_b.detach().numpy(), **TOL[dtype])
    v = rng.normal(size=out_a.shape).astype(dtype)
    (out_a * nl.tensor(v)).sum().backward()
    (out_b * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(w_a.grad._data, w_b.grad.numpy(), **TOL[dtype])
    np.testing.assert_allclose(w_a._data, w_b.detach().numpy(), **TOL[dtype])
    return w_a


INDICES = {
    "vector": [1, 3, 3, 0, 9],
    "matrix_with_repeats": [[1, 2, 1, 1], [9, 2, 0, 1]],
    "scalar": 7,
    "3-D": np.arange(24).reshape(2, 3, 4) % 10,
    "empty": np.zeros((0, 3), dtype=np.int64),
}
OPTIONS = {
    "plain": {},
    "padding_idx": {"padding_idx": 1},
    "negative_padding_idx": {"padding_idx": -1},
    "scale_grad_by_freq": {"scale_grad_by_freq": True},
    "padding_and_scaling": {"padding_idx": 2, "scale_grad_by_freq": True},
    "max_norm": {"max_norm": 1.0},
    "max_norm_p1": {"max_norm": 1.5, "norm_type": 1.0},
    "max_norm_pinf": {"max_norm": 0.5, "norm_type": float("inf")},
    "max_norm_p3": {"max_norm": 1.2, "norm_type": 3.0},
}


@pytest.mark.parametrize("indices", sorted(INDICES))
@pytest.mark.parametrize("options", sorted(OPTIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_matches_torch(indices, options, dtype):
    compare(INDICES[indices], dtype=dtype, **OPTIONS[options])


def test_padding_row_gets_no_gradient_and_stays_zero_in_training():
    nl.manual_seed(0)
    layer = nn.Embedding(6, 3, padding_idx=2)
    np.testing.assert_array_equal(layer.weight._data[2], 0)
    opt = optim.SGD(layer.parameters(), lr=0.5, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        layer(nl.tensor([[2, 1, 2], [0, 2, 5]])).pow(2).sum().backward()
        np.testing.assert_array_equal(layer.weight.grad._data[2], 0)
        opt.step()
    np.testing.assert_array_equal(layer.weight._data[2], 0)
    assert np.abs(layer.weight._data[[0, 1, 5]]).sum() > 0


def test_module_matches_torch_with_copied_weights():
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(12, 5, padding_idx=-2, max_norm=2.0, scale_grad_by_freq=True)
    ours = nn.Embedding(12, 5, padding_idx=-2, max_norm=2.0, scale_grad_by_freq=True)
    assert ours.padding_idx == theirs.padding_idx == 10
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[10, 3, 3, 11], [0, 3, 7, 10]])
    out_a, out_b = ours(nl.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(out_a._data, out_b.detach().numpy(), rtol=1e-6)
    out_a.sum().backward()
    out_b.sum().backward()
    np.testing.assert_allclose(ours.weight.grad._data, theirs.weight.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.weight._data, theirs.weight.detach().numpy(), rtol=1e-6)


def test_default_init_is_standard_normal():
    nl.manual_seed(0)
    w = nn.Embedding(2000, 50).weight._data
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert nn.Embedding(4, 2, dtype="float64").weight.dtype == np.float64


def test_index_inputs_may_be_arrays_lists_or_int32():
    layer = nn.Embedding(5, 2)
    expected = layer.weight._data[[4, 0]]
    for idx in ([4, 0], np.array([4, 0], dtype=np.int32), nl.tensor([4, 0])):
        np.testing.assert_array_equal(layer(idx)._data, expected)


def test_gradcheck_of_the_table():
    """The plain lookup's gradient is the true derivative (padding_idx and
    scale_grad_by_freq change it on purpose, and are checked against PyTorch above)."""
    rng = np.random.default_rng(0)
    w = nl.tensor(rng.normal(size=(5, 3)), requires_grad=True)
    idx = nl.tensor([[0, 4, 4], [2, 0, 4]])
    assert nl.autograd.gradcheck(lambda w: F.embedding(idx, w), (w,))


def test_from_pretrained_freezes_by_default_and_shares_the_table():
    table = nl.tensor(np.arange(12.0).reshape(4, 3))
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(nl.tensor([3]))._data, [[9.0, 10.0, 11.0]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.padding_idx == 0


@pytest.mark.parametrize(
    "options",
    [{}, {"padding_idx": 0}, {"max_norm": 1.0, "norm_type": 1.0}, {"scale_grad_by_freq": True}],
)
def test_repr_reads_like_torch(options):
    assert repr(nn.Embedding(10, 3, **options)) == repr(torch.nn.Embedding(10, 3, **options))


def test_errors_name_the_index_and_the_table():
    layer = nn.Embedding(10, 3)
    with pytest.raises(IndexError, match=r"embedding: index 12 is out of range for a table of "
                       r"10 rows \(valid indices: 0 to 9\)"):  # fmt: skip
        layer(nl.tensor([1, 12, 3]))
    with pytest.raises(IndexError, match="embedding: index -1 is out of range for a table of 10"):
        layer(nl.tensor([[0, -1]]))
    with pytest.raises(TypeError, match="embedding: indices must have an integer dtype"):
        layer(nl.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Embedding: padding_idx must be within num_embeddings "
                       r"\(10\), got 10"):  # fmt: skip
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(ValueError, match=r"embedding: padding_idx must be within num_embeddings"):
        F.embedding(nl.tensor([1]), nl.randn(4, 2), padding_idx=-5)
    with pytest.raises(ValueError, match=r"embedding: weight must be 2-D"):
        F.embedding(nl.tensor([1]), nl.randn(4))
