#!/usr/bin/env python
"""Polynomial regression, after pytorch/examples regression/main.py.

The example draws the target polynomial with torch.randn; here it is fixed (the random
batches still come from torch.randn), so the learned coefficients must match the target
in both runs.
"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)

POLY_DEGREE = 4
W_target = torch.tensor([[1.5], [-2.0], [0.5], [0.8]])
b_target = torch.tensor([0.3])


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = "y = "
    for i, w in enumerate(W):
        result += "{:+.2f} x^{} ".format(w, i + 1)
    result += "{:+.2f}".format(b[0])
    return result


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.randn(batch_size)
    x = make_features(random)
    y = f(x)
    return x, y


# Define model
fc = torch.nn.Linear(W_target.size(0), 1)

batch_idx = 0
while True:
    batch_idx += 1
    # Get data
    batch_x, batch_y = get_batch()

    # Reset gradients
    fc.zero_grad()

    # Forward pass
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()

    # Backward pass
    output.backward()

    # Apply gradients
    for param in fc.parameters():
        param.data.add_(-0.01 * param.grad)

    # Stop criterion
    if loss < 1e-4 or batch_idx >= 20000:
        break

print("Loss: {:.6f} after {} batches".format(loss, batch_idx))
print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))

print("METRIC converged", float(loss < 1e-4))
for i, w in enumerate(fc.weight.view(-1).tolist()):
    print(f"METRIC w{i + 1} {w!r}")
print(f"METRIC b {fc.bias.item()!r}")
with torch.no_grad():
    x_test = make_features(torch.linspace(-1, 1, 21))
    print(f"METRIC test_mse {F.mse_loss(fc(x_test), f(x_test)).item()!r}")
