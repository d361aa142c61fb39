"""Weight initialization with model.apply(init_fn) and torch.nn.init.

The weights are random, so the metrics are their statistics: large layers make the
sample standard deviations land within about 1% of the formulas (tolerance: 5%); the
constant and zero initializations must match exactly.
"""

import math

import torch
import torch.nn as nn

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200), nn.Tanh(), nn.Linear(200, 10)
        )
        self.conv = nn.Conv2d(16, 32, kernel_size=5)
        self.norm = nn.BatchNorm1d(300)

    def forward(self, x):
        return self.layers(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Conv2d):
        nn.init.kaiming_uniform_(m.weight, a=0, mode="fan_out", nonlinearity="relu")
        nn.init.constant_(m.bias, 0.1)
    elif isinstance(m, nn.BatchNorm1d):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


model = MLP()
visited = []
model.apply(lambda m: visited.append(type(m).__name__))
print("METRIC apply_order", ",".join(visited))
model.apply(init_weights)

fc1, fc2, fc3 = model.layers[0], model.layers[2], model.layers[4]
print("METRIC fc1_std_ratio", repr(fc1.weight.std().item() / math.sqrt(2 / 400)))
print("METRIC fc2_std_ratio", repr(fc2.weight.std().item() / math.sqrt(2 / 300)))
print("METRIC fc1_mean", repr(fc1.weight.mean().item()))
print("METRIC biases_zero", float(all((m.bias == 0).all().item() for m in (fc1, fc2, fc3))))
conv_bound = math.sqrt(2) * math.sqrt(3 / (32 * 5 * 5))
print("METRIC conv_max_over_bound", repr(model.conv.weight.abs().max().item() / conv_bound))
print("METRIC conv_std_ratio", repr(model.conv.weight.std().item() / (conv_bound / math.sqrt(3))))
print("METRIC conv_bias", repr(model.conv.bias.mean().item()))
print("METRIC bn_weight_sum", repr(model.norm.weight.sum().item()))

# The other initializers, directly on tensors
w = torch.empty(500, 400)
nn.init.xavier_uniform_(w)
print("METRIC xavier_uniform_std_ratio", repr(w.std().item() / math.sqrt(2 / 900)))
nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh"))
print("METRIC xavier_normal_tanh_std_ratio", repr(w.std().item() / ((5 / 3) * math.sqrt(2 / 900))))
nn.init.normal_(w, mean=1.0, std=0.02)
print("METRIC normal_mean", repr(w.mean().item()))
print("METRIC normal_std", repr(w.std().item()))
nn.init.uniform_(w, -0.5, 0.5)
print("METRIC uniform_in_range", float(((w >= -0.5) & (w <= 0.5)).all().item()))
print("METRIC uniform_std", repr(w.std().item()))
nn.init.trunc_normal_(w, std=0.02)
print("METRIC trunc_normal_std", repr(w.std().item()))
nn.init.constant_(w, 0.3)
print("METRIC constant_sum", repr(w.sum().item()))
nn.init.eye_(w[:, :])
print("METRIC eye_sum", repr(w.sum().item()))
print("METRIC gain_relu", repr(nn.init.calculate_gain("relu")))
print("METRIC gain_leaky", repr(nn.init.calculate_gain("leaky_relu", 0.2)))
print("METRIC gain_tanh", repr(nn.init.calculate_gain("tanh")))
print("METRIC gain_linear", repr(nn.init.calculate_gain("linear")))

# default nn.Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias
layer = nn.Linear(256, 256)
bound = 1 / math.sqrt(256)
print("METRIC default_linear_within_bound", float(layer.weight.abs().max().item() <= bound))
print("METRIC default_linear_std_ratio", repr(layer.weight.std().item() / (bound / math.sqrt(3))))

# initializers run without recording gradients, and return the tensor
p = nn.Parameter(torch.empty(3, 3))
out = nn.init.kaiming_uniform_(p, a=math.sqrt(5))
print("METRIC init_returns_same", float(out is p))
print("METRIC param_is_leaf", float(p.is_leaf and p.grad_fn is None))
