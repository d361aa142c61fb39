"""Saving and resuming training: torch.save of a checkpoint dict, torch.load, load_state_dict.

The pattern from the "Saving and loading a general checkpoint" recipe: train, save
{'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss'}, load into fresh objects
and continue; the resumed run must equal an uninterrupted one. Also a state dict saved
into an io.BytesIO buffer. Weights and data are fixed values, so both runs agree.
"""

import io
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 12)
        self.bn = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


def fixed_init(model):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(
                torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.7 + i).view_as(p) * 0.4
            )


X = torch.sin(torch.arange(96, dtype=torch.float32)).view(16, 6)
Y = torch.arange(16) % 3


def train_epoch(model, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X), Y)
    loss.backward()
    optimizer.step()
    return loss.item()


def make():
    model = Net()
    fixed_init(model)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    return model, optimizer


# uninterrupted: 6 epochs
model, optimizer = make()
for epoch in range(6):
    loss = train_epoch(model, optimizer)
uninterrupted = [p.detach().clone() for p in model.parameters()]
uninterrupted_loss = loss

# interrupted: 3 epochs, checkpoint, new objects, 3 more epochs
model, optimizer = make()
for epoch in range(3):
    loss = train_epoch(model, optimizer)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "checkpoint.pt")
    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        path,
    )
    print("saved", os.path.getsize(path) > 0)

    model, optimizer = make()
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()  # make sure the values come from the file
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    start_epoch = checkpoint["epoch"] + 1
    saved_loss = checkpoint["loss"]

model.train()
for epoch in range(start_epoch, 6):
    loss = train_epoch(model, optimizer)

resume_diff = max((a - b).abs().max().item() for a, b in zip(model.parameters(), uninterrupted))
print("METRIC start_epoch", start_epoch)
print("METRIC saved_loss", repr(saved_loss))
print("METRIC saved_loss_is_float", float(isinstance(saved_loss, float)))
print("METRIC resumed_loss", repr(loss))
print("METRIC uninterrupted_loss", repr(uninterrupted_loss))
print("METRIC resume_max_diff", repr(resume_diff))

state = model.state_dict()
print("keys:", list(state.keys()))
print("METRIC state_keys", ",".join(state.keys()))
# (Not the running mean: batch norm makes the loss blind to fc1.bias, whose gradient is
# rounding noise that Adam scales up, differently in each library.)
print("METRIC bn_running_var_sum", repr(state["bn.running_var"].sum().item()))
print("METRIC bn_num_batches_tracked", state["bn.num_batches_tracked"].item())
opt_state = optimizer.state_dict()
print("METRIC opt_state_len", len(opt_state["state"]))
print("METRIC opt_param_groups_lr", repr(opt_state["param_groups"][0]["lr"]))
print("METRIC opt_step", float(opt_state["state"][0]["step"]))

# Save the state dict into memory and read it back (e.g. to send it somewhere)
buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
copy = Net()
copy.load_state_dict(torch.load(buffer))
model.eval()
copy.eval()
with torch.no_grad():
    out_diff = (model(X) - copy(X)).abs().max().item()
print("METRIC bytesio_output_diff", repr(out_diff))
print("METRIC bytesio_nonempty", float(buffer.getbuffer().nbytes > 0))

# a strict load reports missing and unexpected keys
partial = {k: v for k, v in state.items() if not k.startswith("fc2")}
result = Net().load_state_dict(partial, strict=False)
print("METRIC missing_keys", ",".join(sorted(result.missing_keys)))
print("METRIC unexpected_keys_count", len(result.unexpected_keys))
try:
    Net().load_state_dict(partial)
    print("METRIC strict_load_raises", 0.0)
except RuntimeError:
    print("METRIC strict_load_raises", 1.0)
