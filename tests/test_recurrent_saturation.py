"""Recurrent layers with saturated gates: the gate nonlinearities are computed from exp
(sigmoid(z) = 1 / (1 + e^-z)), which overflows to inf for very negative sums; the result
must still be the right limit (0 or 1, tanh = -1 or 1), finite, equal to PyTorch's, and
no overflow warning may escape."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import nn


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_saturated_gates_match_torch_without_warnings(kind, dtype):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(4, 6).to(getattr(torch, dtype))
    ours = getattr(nn, kind)(4, 6, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((7, 3, 4)) * 1e4).astype(dtype)  # gate sums far beyond +-88
    x_ours = nl.tensor(x, requires_grad=True)
    x_theirs = torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ours(x_ours)[0]
        out.sum().backward()
    expected = theirs(x_theirs)[0]
    expected.sum().backward()
    assert np.isfinite(out._data).all() and np.isfinite(x_ours.grad._data).all()
    np.testing.assert_allclose(out._data, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x_ours.grad._data, x_theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            dict(ours.named_parameters())[name].grad._data, p.grad.numpy(), rtol=1e-4,
            atol=1e-4, err_msg=name,
        )  # fmt: skip
