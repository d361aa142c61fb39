"""The nn.Module API users rely on: named_parameters, state_dict keys, buffers,
ModuleList/ModuleDict, children/modules, freezing with requires_grad_(False),
train()/eval() flags, parameter counts, zero_grad, and repr-free introspection.

Deterministic: only shapes, names, counts and flags are reported.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return x + self.drop(F.gelu(self.fc(self.norm(x))))


class Model(nn.Module):
    def __init__(self, dim=16, depth=3, classes=4):
        super().__init__()
        self.embed = nn.Linear(8, dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(dim, classes), "reg": nn.Linear(dim, 1)})
        self.register_buffer("scale", torch.tensor(0.5))
        self.temperature = nn.Parameter(torch.ones(1))

    def forward(self, x):
        h = self.embed(x) * self.scale
        for block in self.blocks:
            h = block(h)
        return self.heads["cls"](h) / self.temperature, self.heads["reg"](h)


model = Model()
names = [name for name, _ in model.named_parameters()]
print("METRIC param_names", ",".join(names))
print("METRIC num_params", sum(p.numel() for p in model.parameters()))
print("METRIC num_trainable", sum(p.numel() for p in model.parameters() if p.requires_grad))
print("METRIC state_dict_keys", ",".join(model.state_dict().keys()))
print("METRIC buffers", ",".join(name for name, _ in model.named_buffers()))
print("METRIC children", ",".join(name for name, _ in model.named_children()))
print("METRIC num_modules", len(list(model.modules())))
print("METRIC module_types", ",".join(sorted({type(m).__name__ for m in model.modules()})))
print("METRIC blocks_len", len(model.blocks))
print("METRIC heads_keys", ",".join(model.heads.keys()))
print("METRIC is_training", float(model.training))

x = torch.randn(5, 8)
logits, value = model(x)
print("METRIC logits_shape", str(tuple(logits.shape)))
print("METRIC value_shape", str(tuple(value.shape)))

model.eval()
print("METRIC eval_flags", float(not model.training and not model.blocks[0].drop.training))
with torch.no_grad():
    a, _ = model(x)
    b, _ = model(x)
print("METRIC eval_deterministic", float(torch.equal(a, b)))
model.train()
print("METRIC train_flags", float(model.training and model.blocks[2].drop.training))

# freeze everything but the heads (fine-tuning)
for param in model.parameters():
    param.requires_grad = False
for param in model.heads.parameters():
    param.requires_grad_(True)
trainable = [name for name, p in model.named_parameters() if p.requires_grad]
print("METRIC trainable_after_freeze", ",".join(trainable))
logits, value = model(x)
(logits.sum() + value.sum()).backward()
print("METRIC frozen_grad_none", float(model.embed.weight.grad is None))
print("METRIC head_grad_set", float(model.heads["cls"].weight.grad is not None))
model.zero_grad()
print("METRIC zero_grad_none", float(model.heads["cls"].weight.grad is None))

# a Parameter is a Tensor that requires grad; assignment registers it
p = nn.Parameter(torch.zeros(3))
print("METRIC parameter_requires_grad", float(p.requires_grad))
print("METRIC parameter_is_tensor", float(isinstance(p, torch.Tensor)))
model.extra = nn.Parameter(torch.zeros(2))
print("METRIC extra_registered", float("extra" in dict(model.named_parameters())))
model.register_parameter("bias_term", None)
print("METRIC none_param_not_listed", float("bias_term" not in dict(model.named_parameters())))

# Sequential: indexing, len, slicing and add_module
seq = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
seq.add_module("out", nn.Linear(4, 2))
print("METRIC seq_len", len(seq))
print("METRIC seq_last_out_features", seq[-1].out_features)
print("METRIC seq_out_by_name", seq.out.in_features)
print("METRIC seq_slice_len", len(seq[:2]))
print("METRIC seq_state_keys", ",".join(seq.state_dict().keys()))

# the buffer moves with the module and is not a parameter
model.double()
print("METRIC buffer_dtype", str(model.scale.dtype).replace("torch.", ""))
print("METRIC buffer_not_param", float("scale" not in dict(model.named_parameters())))
print("METRIC buffer_in_state", float("scale" in model.state_dict()))
