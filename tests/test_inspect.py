"""summary, trace and diagnose."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
from neuralab import nn
from neuralab.inspect import PROBLEMS, Diagnosis, diagnose, summary, trace


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


# --- diagnose ---------------------------------------------------------------------------


def small_net():
    """3-3-2, float64: ReLU unit 2 is dead on positive inputs (negative weights and bias),
    sigmoid output 0 is saturated by large weights, output 1 is not."""
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2), nn.Sigmoid()).double()
    w1 = np.array([[0.5, -0.2, 0.3], [0.1, 0.4, -0.6], [-0.7, -0.3, -0.2]])
    b1 = np.array([0.1, 0.2, -1.0])
    w2 = np.array([[20.0, 20.0, 0.5], [0.3, -0.4, 0.2]])
    b2 = np.array([5.0, 0.1])
    model.load_state_dict({"0.weight": w1, "0.bias": b1, "2.weight": w2, "2.bias": b2})
    x = np.random.default_rng(0).uniform(0.1, 1.0, size=(6, 3))
    y = np.random.default_rng(1).uniform(0.0, 1.0, size=(6, 2))
    return model, x, y, (w1, b1, w2, b2)


def test_diagnose_statistics_equal_a_hand_computation():
    model, x, y, (w1, b1, w2, b2) = small_net()
    d = diagnose(model, (x, y), nn.MSELoss())
    # forward by hand
    z1 = x @ w1.T + b1
    h = np.maximum(z1, 0)
    z2 = h @ w2.T + b2
    s = 1 / (1 + np.exp(-z2))
    loss = np.mean((s - y) ** 2)
    # backward by hand: L = mean over N x 2 entries of (s - y)^2
    ds = 2 * (s - y) / s.size
    dz2 = ds * s * (1 - s)
    dw2 = dz2.T @ h
    dz1 = (dz2 @ w2) * (z1 > 0)
    dw1 = dz1.T @ x
    assert [r.name for r in d.rows] == ["0", "1", "2", "3"]
    assert [r.kind for r in d.rows] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert [r.output_shape for r in d.rows] == [(6, 3), (6, 3), (6, 2), (6, 2)]
    assert d.loss == pytest.approx(loss, rel=1e-12)
    for row, out in zip(d.rows, (z1, h, z2, s)):
        assert row.act_mean == pytest.approx(out.mean(), rel=1e-12, abs=1e-15)
        assert row.act_std == pytest.approx(out.std(), rel=1e-12)
        assert row.sample_std == pytest.approx(out.std(axis=0).mean(), rel=1e-12)
    # unit 2 of the ReLU is 0 for every sample, the others are not: 1 of 3 units dead
    assert (h[:, 2] == 0).all() and (h[:, :2] > 0).any(axis=0).all()
    assert d["1"].dead_fraction == pytest.approx(1 / 3)
    # sigmoid output 0 is above 0.99 for every sample, output 1 inside: half the values
    saturated = np.mean((s < 0.01) | (s > 0.99))
    assert saturated == 0.5 and d["3"].saturated_fraction == saturated
    assert d["0"].dead_fraction is None and d["1"].saturated_fraction is None
    for row, w, dw in ((d["0"], w1, dw1), (d["2"], w2, dw2)):
        assert row.grad_norm == pytest.approx(np.linalg.norm(dw), rel=1e-10)
        assert row.weight_norm == pytest.approx(np.linalg.norm(w), rel=1e-12)
        assert row.ratio == pytest.approx(np.linalg.norm(dw) / np.linalg.norm(w), rel=1e-10)
    assert d["1"].grad_norm is None and d["1"].weight_norm is None and d["1"].ratio is None
    assert [r.name for r in d.weighted] == ["0", "2"]
    # the same norms as autograd's backward
    model.zero_grad()
    nn.MSELoss()(model(nl.tensor(x)), nl.tensor(y)).backward()
    assert d["0"].grad_norm == pytest.approx(np.linalg.norm(model[0].weight.grad._data), rel=1e-10)
    assert d["2"].grad_norm == pytest.approx(np.linalg.norm(model[2].weight.grad._data), rel=1e-10)


def test_diagnose_leaves_gradients_buffers_and_random_stream_as_they_were():
    model, x, y, _ = small_net()
    diagnose(model, (x, y), nn.MSELoss())
    assert all(p.grad is None for p in model.parameters())
    # accumulated gradients stay, untouched (the batch's gradients are computed apart)
    nn.MSELoss()(model(nl.tensor(x)), nl.tensor(y)).backward()
    before = {name: (p.grad, p.grad._data.copy()) for name, p in model.named_parameters()}
    diagnose(model, (x[:3], y[:3]), nn.MSELoss())
    for name, p in model.named_parameters():
        assert p.grad is before[name][0]
        np.testing.assert_array_equal(p.grad._data, before[name][1])
    # batch norm's running statistics and the global generator are restored
    nl.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.ReLU())
    data = (nl.randn(16, 4), nl.randn(16, 8))
    buffers = {k: v._data.copy() for k, v in net.named_buffers()}
    state = nl.get_rng_state()
    d = diagnose(net, data, nn.MSELoss())
    assert d["1"].weight_norm == pytest.approx(np.sqrt(8))  # batch norm's gamma = 1
    assert nl.get_rng_state() == state
    for k, v in net.named_buffers():
        np.testing.assert_array_equal(v._data, buffers[k])
    assert net.training and all(not m._forward_hooks for m in net.modules())


def test_leaky_relu_units_stuck_on_the_negative_side_count_as_dead():
    model = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(0.1)).double()
    w = np.array([[1.0, 1.0], [-1.0, -1.0], [-0.5, 2.0], [0.0, -3.0]])
    model.load_state_dict({"0.weight": w, "0.bias": np.zeros(4)})
    x = np.random.default_rng(2).uniform(0.5, 1.0, size=(8, 2))
    z = x @ w.T
    expected = np.mean((z <= 0).all(axis=0))
    d = diagnose(model, (x, np.zeros((8, 4))), nn.MSELoss())
    assert expected == 0.5  # units 1 and 3 are negative for every sample
    assert d["1"].dead_fraction == expected
    assert "dead units" not in d.problems  # 50 % is not more than 50 %
    assert "dead units" in diagnose(model, (x, np.zeros((8, 4))), nn.MSELoss(),
                                    dead_threshold=0.4).problems  # fmt: skip


def deep(activation, init, depth=8, width=48, seed=0):
    nl.manual_seed(seed)
    layers, fan_in = [], 20
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), activation()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 5))
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, nn.Linear):
            init(layer.weight)
            nn.init.zeros_(layer.bias)
    x = nl.randn(128, 20)
    y = nl.randint(0, 5, (128,))
    return model, (x, y)


def test_warnings_vanishing_for_a_deep_sigmoid_net_with_small_init():
    model, batch = deep(nn.Sigmoid, lambda w: nn.init.normal_(w, 0.0, 0.01))
    d = diagnose(model, batch, nn.CrossEntropyLoss())
    ratios = [r.ratio for r in d.weighted]
    assert ratios[0] * 1e3 < ratios[-1]
    assert d.problems == {"vanishing gradients"}
    assert any(w.startswith("vanishing gradients: the first weighted layer") for w in d.warnings)
    # the thresholds are the keyword arguments'
    relaxed = diagnose(model, batch, nn.CrossEntropyLoss(), vanishing_factor=1e40, min_ratio=1e-40)
    assert relaxed.warnings == []


def test_warnings_exploding_for_a_net_with_huge_init():
    model, batch = deep(nn.ReLU, lambda w: nn.init.normal_(w, 0.0, 3.0 / np.sqrt(w.shape[1])))
    d = diagnose(model, batch, nn.CrossEntropyLoss())
    assert "exploding gradients" in d.problems
    assert max(r.ratio for r in d.weighted) > 10
    assert "vanishing gradients" not in d.problems
    # non-finite inputs: non-finite loss and gradients
    x, y = batch
    bad = x._data.copy()
    bad[0, 0] = np.inf
    with np.errstate(invalid="ignore", over="ignore"):  # the forward pass meets inf
        d = diagnose(model, (bad, y), nn.CrossEntropyLoss())
    assert {"non-finite loss", "exploding gradients"} <= d.problems
    assert "non-finite gradients" in str(d)


def test_no_warnings_for_a_healthy_relu_net_with_he_init():
    for seed in range(3):
        model, batch = deep(nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
                            seed=seed)  # fmt: skip
        d = diagnose(model, batch, nn.CrossEntropyLoss())
        assert d.warnings == [], d.warnings
        dead = [r.dead_fraction for r in d.rows if r.kind == "ReLU"]
        assert len(dead) == 8 and max(dead) < 0.5


def test_warnings_for_dead_and_saturated_units_and_the_table():
    model, batch = deep(nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
    nn.init.constant_(model[4].bias, -100.0)  # every unit of the third ReLU dies
    d = diagnose(model, batch, nn.CrossEntropyLoss())
    assert d["5"].dead_fraction == 1.0
    assert "dead units" in d.problems
    model, batch = deep(nn.Tanh, lambda w: nn.init.normal_(w, 0.0, 10 / np.sqrt(w.shape[1])))
    d = diagnose(model, batch, nn.CrossEntropyLoss())
    assert "saturated units" in d.problems
    assert d.problems <= set(PROBLEMS)
    text = str(d)
    assert text.splitlines()[0].split()[:3] == ["layer", "type", "output"]
    assert "grad/weight" in text and "saturated units:" in text
    assert f"loss: {d.loss:.6g}" in text
    assert isinstance(d, Diagnosis)
    with pytest.raises(KeyError, match="no layer named 'nope'"):
        d["nope"]


def test_diagnose_rejects_bad_arguments():
    model, x, y, _ = small_net()
    with pytest.raises(ValueError, match="batch must be a pair"):
        diagnose(model, x, nn.MSELoss())
    with pytest.raises(ValueError, match="saturation must be in"):
        diagnose(model, (x, y), nn.MSELoss(), saturation=0.7)
    with pytest.raises(ValueError, match="max_ratio must be positive"):
        diagnose(model, (x, y), nn.MSELoss(), max_ratio=0)
    with pytest.raises(TypeError, match="loss must be"):
        diagnose(model, (x, y), "mse")
