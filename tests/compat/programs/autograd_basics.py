"""Automatic differentiation with torch.autograd (the autogradqs tutorial and friends).

The tutorial draws w and b with torch.randn; here they come from fixed values so both
runs must agree to float32 rounding. (torch.autograd.grad is left out: neuralab has no
functional autograd API.)
"""

import torch

torch.manual_seed(0)


def metric(name, value):
    print(f"METRIC {name} {value if isinstance(value, str) else repr(value)}")


x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.linspace(-1.0, 1.0, 15).reshape(5, 3).requires_grad_()
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
metric("z_has_grad_fn", float(z.grad_fn is not None))
metric("w_is_leaf", float(w.is_leaf))
metric("z_is_leaf", float(z.is_leaf))
metric("w_grad_fn_is_none", float(w.grad_fn is None))
metric("loss", loss.item())

loss.backward()
print(w.grad)
print(b.grad)
for i, g in enumerate(w.grad.flatten().tolist()):
    metric(f"w_grad_{i}", g)
for i, g in enumerate(b.grad.tolist()):
    metric(f"b_grad_{i}", g)

# Disabling gradient tracking
z = torch.matmul(x, w) + b
metric("z_requires_grad", float(z.requires_grad))
with torch.no_grad():
    z = torch.matmul(x, w) + b
metric("z_requires_grad_no_grad", float(z.requires_grad))
z = torch.matmul(x, w) + b
z_det = z.detach()
metric("z_det_requires_grad", float(z_det.requires_grad))
metric("z_det_equal", float(torch.equal(z_det, z.detach())))


@torch.no_grad()
def evaluate(t):
    return t * 2


metric("decorated_no_grad", float(evaluate(w).requires_grad))

# Tensor gradients and Jacobian products
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
metric("first_call_sum", inp.grad.sum().item())
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
metric("second_call_sum", inp.grad.sum().item())
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")
metric("after_zero_sum", inp.grad.sum().item())

# retain_grad on a non-leaf tensor
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = a * a
h.retain_grad()
s = (h * torch.tensor([1.0, 10.0, 100.0])).sum()
s.backward()
metric("h_grad", str(h.grad.tolist()))
metric("a_grad", str(a.grad.tolist()))

# requires_grad_ switches tracking on an existing tensor
c = torch.tensor([2.0, -1.0])
metric("c_requires_grad_before", float(c.requires_grad))
c.requires_grad_(True)
(c.exp().sum() + (c**3).mean()).backward()
metric("c_grad_0", c.grad[0].item())
metric("c_grad_1", c.grad[1].item())

# chain of ops, gradient through indexing, division, broadcasting and reductions
p = torch.tensor([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]], requires_grad=True)
q = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
r = (p * q).tanh().sum(dim=1) / (q.norm() + 1) + p[:, 1].sigmoid() - torch.relu(p).max()
r.sum().backward()
for i, g in enumerate(p.grad.flatten().tolist()):
    metric(f"p_grad_{i}", g)
for i, g in enumerate(q.grad.tolist()):
    metric(f"q_grad_{i}", g)

# the gradient is None before backward and for tensors that do not require it
fresh = torch.ones(2, requires_grad=True)
metric("fresh_grad_is_none", float(fresh.grad is None))
metric("no_req_grad_is_none", float(torch.ones(2).grad is None))

# a scalar backward on a non-scalar output needs an explicit gradient
try:
    (fresh * 2).backward()
    metric("nonscalar_backward_raises", 0.0)
except RuntimeError:
    metric("nonscalar_backward_raises", 1.0)

# .data gives a view outside the graph: changing it does not record anything
d = torch.tensor([1.0, 2.0], requires_grad=True)
d.data.mul_(3)
metric("data_changed", str(d.tolist()))
(d**2).sum().backward()
metric("d_grad", str(d.grad.tolist()))
