"""Worked examples checked against hand-derived formulas and against PyTorch."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import neuralab as nl
import neuralab.functional as F

X = [0.5, 0.2, 0.1]
W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]  # hidden j <- input i
B1 = [0.1, 0.2]
W2 = [[0.7, 0.9], [0.8, 0.1]]  # output k <- hidden j
B2 = [0.3, 0.4]
TARGET = [1.0, 0.0]


def sigma(z):
    return 1 / (1 + math.exp(-z))


def hand_forward_backward():
    """The textbook computation, one neuron at a time, for loss E = 1/2 sum_k (o_k - t_k)^2."""
    h = [sigma(sum(W1[j][i] * X[i] for i in range(3)) + B1[j]) for j in range(2)]
    o = [sigma(sum(W2[k][j] * h[j] for j in range(2)) + B2[k]) for k in range(2)]
    loss = 0.5 * sum((o[k] - TARGET[k]) ** 2 for k in range(2))
    # dE/dnet_k = (o_k - t_k) o_k (1 - o_k);  dE/dW2_kj = delta_k h_j
    delta_out = [(o[k] - TARGET[k]) * o[k] * (1 - o[k]) for k in range(2)]
    grad_w2 = [[delta_out[k] * h[j] for j in range(2)] for k in range(2)]
    # dE/dnet_j = sum_k delta_k W2_kj h_j (1 - h_j);  dE/dW1_ji = delta_j x_i
    delta_hidden = [
        sum(delta_out[k] * W2[k][j] for k in range(2)) * h[j] * (1 - h[j]) for j in range(2)
    ]
    grad_w1 = [[delta_hidden[j] * X[i] for i in range(3)] for j in range(2)]
    return h, o, loss, grad_w1, delta_hidden, grad_w2, delta_out


@pytest.mark.parametrize("dtype", [nl.float32, nl.float64])
def test_one_hidden_layer_forward_and_backward_by_hand(dtype):
    h_ref, o_ref, loss_ref, gw1, gb1, gw2, gb2 = hand_forward_backward()
    w1, b1, w2, b2 = (nl.tensor(v, dtype=dtype, requires_grad=True) for v in (W1, B1, W2, B2))
    x = nl.tensor(X, dtype=dtype)
    h = nl.sigmoid(x @ w1.T + b1)
    o = nl.sigmoid(h @ w2.T + b2)
    loss = 0.5 * ((o - nl.tensor(TARGET, dtype=dtype)) ** 2).sum()
    loss.backward()
    rtol = 1e-6 if dtype == nl.float32 else 1e-12
    np.testing.assert_allclose(h._data, h_ref, rtol=rtol)
    np.testing.assert_allclose(o._data, o_ref, rtol=rtol)
    np.testing.assert_allclose(loss.item(), loss_ref, rtol=rtol)
    for param, expected in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
        np.testing.assert_allclose(param.grad._data, expected, rtol=rtol * 10)
    # The numbers a reader can check by hand (values printed in many textbooks' style):
    assert h_ref[0] == pytest.approx(sigma(0.05 + 0.06 + 0.05 + 0.1))
    assert o_ref[1] == pytest.approx(sigma(0.8 * h_ref[0] + 0.1 * h_ref[1] + 0.4))


def test_three_layer_mlp_with_softmax_cross_entropy_matches_torch():
    rng = np.random.default_rng(0)
    sizes = [20, 32, 16, 5]
    weights = [
        (rng.normal(0, 1 / math.sqrt(i), (o, i)).astype(np.float32), rng.normal(0, 0.1, o))
        for i, o in itertools.pairwise(sizes)
    ]
    x = rng.normal(size=(64, 20)).astype(np.float32)
    y = rng.integers(0, 5, 64)

    def run(m, params):
        h = m.lib.tensor(x)
        for i, (w, b) in enumerate(params):
            h = m.F.linear(h, w, b)
            if i < len(params) - 1:
                h = m.F.relu(h) if i == 0 else m.lib.tanh(h)
        loss = m.F.cross_entropy(h, m.lib.tensor(y))
        loss.backward()
        return loss

    ours = [
        (nl.tensor(w, requires_grad=True), nl.tensor(b.astype(np.float32), requires_grad=True))
        for w, b in weights
    ]
    theirs = [
        (
            torch.tensor(w, requires_grad=True),
            torch.tensor(b.astype(np.float32), requires_grad=True),
        )
        for w, b in weights
    ]
    from helpers import NL, TORCH

    loss_ours, loss_theirs = run(NL, ours), run(TORCH, theirs)
    np.testing.assert_allclose(loss_ours.item(), loss_theirs.item(), rtol=1e-5)
    for (w, b), (tw, tb) in zip(ours, theirs):
        np.testing.assert_allclose(w.grad._data, tw.grad.numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(b.grad._data, tb.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_fused_linear_equals_composition():
    rng = np.random.default_rng(1)
    x = nl.tensor(rng.normal(size=(2, 7, 4)), requires_grad=True)
    w = nl.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b = nl.tensor(rng.normal(size=3), requires_grad=True)
    F.linear(x, w, b).sum().backward()
    fused = [t.grad._data.copy() for t in (x, w, b)]
    for t in (x, w, b):
        t.grad = None
    (x @ w.T + b).sum().backward()
    for got, t in zip(fused, (x, w, b)):
        np.testing.assert_allclose(got, t.grad._data, rtol=1e-12)
