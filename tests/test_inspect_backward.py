"""inspect.backward_trace: the chain rule's factors for one sample equal autograd's."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
import neuralab.functional as F
from neuralab import nn
from neuralab.inspect import backward_trace


def _autograd(model, x, target, loss_fn):
    """Autograd's gradients for one sample: each parameter's .grad and dL/dx."""
    model.zero_grad()
    inputs = nl.tensor(x[None], requires_grad=True)
    loss = loss_fn(model(inputs), target)
    loss.backward()
    return loss.item(), inputs.grad.numpy()[0]


@pytest.mark.parametrize(
    ("layers", "loss_fn", "target"),
    [
        ([nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2)],
         F.cross_entropy, nl.tensor([1])),
        ([nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.GELU(), nn.Linear(4, 1)],
         F.mse_loss, nl.tensor([[0.7]])),
        ([nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ELU(), nn.Dropout(0.5), nn.Linear(4, 3)],
         F.cross_entropy, nl.tensor([2])),
    ],
)  # fmt: skip
def test_the_factors_are_autograds_gradients_for_the_sample(layers, loss_fn, target):
    nl.manual_seed(3)
    model = nn.Sequential(*layers)
    if isinstance(layers[1], nn.BatchNorm1d):  # statistics that are not 0 and 1
        model.train()
        model(nl.randn(16, 3) * 2 + 1)
    model.eval()
    x = np.array([0.8, -1.3, 0.4], dtype=np.float32)
    back = backward_trace(model, nl.tensor(x), target, loss_fn)
    assert all(p.grad is None for p in model.parameters())  # .grad left alone
    loss, grad_x = _autograd(model, x, target, loss_fn)
    assert back.loss == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(back.steps[0].grad_input, grad_x, rtol=1e-4, atol=1e-6)
    for step, layer in zip(back.steps, layers):
        assert step.kind == type(layer).__name__
        if isinstance(layer, nn.Linear):
            np.testing.assert_allclose(step.grad_weight, layer.weight.grad.numpy(), atol=1e-6)
            np.testing.assert_allclose(step.grad_bias, layer.bias.grad.numpy(), atol=1e-6)
            assert step.local is None
        else:  # dL/dz = dL/da * da/dz, and the next layer's dL/dx is this dL/da
            np.testing.assert_allclose(step.grad_input, step.grad_output * step.local)
    for before, after in zip(back.steps, back.steps[1:]):
        np.testing.assert_allclose(before.grad_output, after.grad_input, rtol=1e-6)


def test_the_local_factor_is_the_activations_derivative():
    nl.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 2), nn.Sigmoid())
    back = backward_trace(model, nl.tensor([0.5, 2.0]), nl.tensor([[0.0, 1.0]]), F.mse_loss)
    with nl.no_grad():
        z = model[0](nl.tensor([[0.5, 2.0]])).numpy()[0]
        logits = model[2](model[1](model[0](nl.tensor([[0.5, 2.0]])))).numpy()[0]
    np.testing.assert_allclose(back.steps[1].local, 1 - np.tanh(z) ** 2, rtol=1e-5)
    s = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(back.steps[3].local, s * (1 - s), rtol=1e-5)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([nn.Linear(2, 2), nn.Softmax(dim=1)], r"layer '1' \(Softmax\) is not elementwise"),
        (
            [nn.Linear(2, 2), nn.Dropout(0.2), nn.Linear(2, 2)],
            r"layer '1' \(Dropout\) is in training",
        ),
    ],
)
def test_a_layer_it_cannot_follow_is_a_clear_error(layers, message):
    model = nn.Sequential(*layers)
    with pytest.raises(ValueError, match="^backward_trace: " + message):
        backward_trace(model, nl.tensor([1.0, 2.0]), nl.tensor([0]), F.cross_entropy)
    with pytest.raises(ValueError, match="expected one sample"):
        backward_trace(model.eval(), nl.ones(3, 2), nl.tensor([0, 0, 0]), F.cross_entropy)
