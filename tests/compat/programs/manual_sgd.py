"""Gradient descent written by hand on ``.data``, as older tutorials and course code do.

The weights start from fixed values (no random numbers anywhere), so both runs must
agree to float32 rounding. Three update styles that users write are used in turn:
``p.data -= lr * p.grad``, ``p.data.add_(p.grad, alpha=-lr)`` and
``with torch.no_grad(): p -= lr * p.grad``; the result is checked against optim.SGD.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)

# A 1-D regression problem with fixed data
x = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(x) + 0.25 * x


def make_model():
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    for i, p in enumerate(model.parameters()):
        # deterministic initial weights: p.data = ... replaces the values in place
        p.data = 0.5 * torch.sin(torch.arange(p.numel(), dtype=torch.float32) + i).view_as(p)
    return model


model = make_model()
lr = 0.05
losses = []

for t in range(300):
    y_pred = model(x)
    loss = F.mse_loss(y_pred, y)
    losses.append(loss.item())
    loss.backward()
    if t < 100:
        for p in model.parameters():
            p.data -= lr * p.grad
            p.grad.zero_()
    elif t < 200:
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
            p.grad.data.zero_()
    else:
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
        model.zero_grad()
    if t % 50 == 49:
        print(t, loss.item())

# The same 300 steps with the library's optimizer
reference = make_model()
optimizer = optim.SGD(reference.parameters(), lr=lr)
for t in range(300):
    optimizer.zero_grad()
    loss = F.mse_loss(reference(x), y)
    loss.backward()
    optimizer.step()

max_diff = max(
    (a - b).abs().max().item() for a, b in zip(model.parameters(), reference.parameters())
)
first = model[0]

print("METRIC loss_start", repr(losses[0]))
print("METRIC loss_100", repr(losses[100]))
print("METRIC loss_200", repr(losses[200]))
print("METRIC loss_end", repr(losses[-1]))
print("METRIC weight0_sum", repr(first.weight.sum().item()))
print("METRIC bias_last", repr(model[2].bias.item()))
# model.zero_grad() sets the gradients to None (set_to_none=True is the default)
print("METRIC grad_is_none", float(all(p.grad is None for p in model.parameters())))
print("METRIC data_requires_grad", float(first.weight.data.requires_grad))
print("METRIC max_diff_vs_optim_sgd", repr(max_diff))
