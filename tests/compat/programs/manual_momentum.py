"""SGD with momentum and weight decay written by hand under torch.no_grad(), in place.

Deterministic weights and data: both runs agree to float32 rounding. The hand-written
update follows torch.optim.SGD's documented rule (dampening 0, nesterov off):
    g = grad + wd * p;  buf = momentum * buf + g  (buf = g at the first step);  p -= lr * buf
and the result is checked against optim.SGD(momentum=0.9, weight_decay=1e-3).
"""

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)

X = torch.stack([torch.linspace(-2, 2, 40), torch.cos(torch.linspace(0, 6, 40))], dim=1)
y = (X[:, 0] * X[:, 1] > 0).long()  # two classes


def build():
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    with torch.no_grad():
        for k, p in enumerate(net.parameters()):
            p.copy_(torch.linspace(-0.7, 0.7, p.numel()).reshape(p.shape) * (1 + 0.1 * k))
    return net


net = build()
criterion = nn.CrossEntropyLoss()
lr, momentum, weight_decay = 0.1, 0.9, 1e-3
velocity = [torch.zeros_like(p) for p in net.parameters()]

for step in range(60):
    loss = criterion(net(X), y)
    net.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p, v in zip(net.parameters(), velocity):
            d_p = p.grad.add(p, alpha=weight_decay)
            if step == 0:
                v.copy_(d_p)
            else:
                v.mul_(momentum).add_(d_p)
            p.add_(v, alpha=-lr)
    if step % 20 == 0:
        print(f"step {step:3d} loss {loss.item():.5f}")

final_loss = criterion(net(X), y).item()

ref = build()
opt = optim.SGD(ref.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
for step in range(60):
    opt.zero_grad()
    criterion(ref(X), y).backward()
    opt.step()

diff = max((a - b).abs().max().item() for a, b in zip(net.parameters(), ref.parameters()))
buf_diff = max(
    (v - opt.state[p]["momentum_buffer"]).abs().max().item()
    for v, p in zip(velocity, ref.parameters())
)
with torch.no_grad():
    accuracy = (net(X).argmax(dim=1) == y).float().mean().item()

print("METRIC final_loss", repr(final_loss))
print("METRIC accuracy", repr(accuracy))
print("METRIC velocity_norm", repr(torch.cat([v.flatten() for v in velocity]).norm().item()))
print("METRIC max_param_diff_vs_optim", repr(diff))
print("METRIC max_buffer_diff_vs_optim", repr(buf_diff))
print("METRIC requires_grad_after", float(all(p.requires_grad for p in net.parameters())))
