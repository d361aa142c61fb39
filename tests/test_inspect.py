"""summary and trace."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab import nn
from neuralab.inspect import summary, trace


def mlp():
    return nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )


def test_summary_counts_and_shapes():
    model = mlp()
    table = summary(model, (1, 784))
    assert table.total == table.trainable == 109_386 == sum(p.numel() for p in model.parameters())
    assert [r.output_shape for r in table.rows] == [(1, 128), (1, 128), (1, 64), (1, 64), (1, 10)]
    assert [r.parameters for r in table.rows] == [100_480, 0, 8_256, 0, 650]
    text = str(table)
    assert "total parameters: 109,386" in text and "Linear" in text
    assert all(not m._forward_hooks for m in model.modules())


def test_summary_of_nested_model_and_frozen_parameters():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
            self.head = nn.Linear(3, 2)

        def forward(self, x):
            return self.head(self.body(x))

    net = Net()
    net.head.requires_grad_(False)
    table = summary(net, (2, 4))
    assert [r.name for r in table.rows] == ["body.0", "body.1", "head"]
    assert table.total == 23 and table.trainable == 15


def test_hooks_are_removed_when_forward_fails():
    model = mlp()
    with pytest.raises(ValueError):
        summary(model, (1, 5))
    assert all(not m._forward_hooks for m in model.modules())


def test_trace_shows_weighted_sums_and_activations_by_hand():
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    w1, b1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), np.array([0.1, 0.2])
    w2, b2 = np.array([[0.7, 0.9]]), np.array([0.3])
    model.load_state_dict({"0.weight": w1, "0.bias": b1, "2.weight": w2, "2.bias": b2})
    x = np.array([0.5, 0.2, 0.1], dtype=np.float32)
    steps = trace(model, x).steps
    z1 = w1 @ x + b1
    h = 1 / (1 + np.exp(-z1))
    z2 = w2 @ h + b2
    np.testing.assert_allclose(steps[0].weighted_sums, z1, rtol=1e-6)
    np.testing.assert_allclose(steps[1].output, h, rtol=1e-6)
    np.testing.assert_allclose(steps[2].weighted_sums, z2, rtol=1e-6)
    np.testing.assert_allclose(steps[3].output, 1 / (1 + np.exp(-z2)), rtol=1e-6)
    assert steps[1].weighted_sums is None
    text = str(trace(model, x))
    assert f"{z1[0]:.4f}" in text and "weighted sums z = W x + b" in text
    with pytest.raises(ValueError, match="one sample"):
        trace(model, nl.zeros(2, 3))
