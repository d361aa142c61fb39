"""Learning-rate schedulers: the usual epoch loop printing scheduler.get_last_lr().

No randomness reaches the learning rates, so both runs must print the same schedule.
"""

import math

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

torch.manual_seed(0)

model = nn.Linear(4, 2)
x = torch.randn(16, 4)
target = torch.randn(16, 2)
loss_fn = nn.MSELoss()


def train_one_epoch(optimizer, scheduler=None):
    optimizer.zero_grad()
    loss = loss_fn(model(x), target)
    loss.backward()
    optimizer.step()
    if scheduler is not None:  # per-batch schedulers (OneCycleLR) step here
        scheduler.step()
    return loss.item()


def run(name, make_scheduler, epochs=10, lr=0.1, **opt_kwargs):
    optimizer = optim.SGD(model.parameters(), lr=lr, **opt_kwargs)
    scheduler = make_scheduler(optimizer)
    for epoch in range(epochs):
        train_one_epoch(optimizer)
        scheduler.step()
        lr_now = scheduler.get_last_lr()[0]
        print(f"{name} epoch {epoch}: lr {lr_now:.6f}")
        print(f"METRIC {name}_{epoch} {lr_now!r}")
    # the optimizer's param_groups hold the same value
    print(f"METRIC {name}_group_lr {optimizer.param_groups[0]['lr']!r}")


run("steplr", lambda opt: StepLR(opt, step_size=3, gamma=0.5))
run("lambdalr", lambda opt: LambdaLR(opt, lr_lambda=lambda epoch: 0.95**epoch))
run("multiplicativelr", lambda opt: MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9))
run("linearlr", lambda opt: LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=4))
run("exponentiallr", lambda opt: ExponentialLR(opt, gamma=0.8))
run("cosine", lambda opt: CosineAnnealingLR(opt, T_max=8, eta_min=0.001), epochs=12)
run("multistep", lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 5], gamma=0.1))


def warmup_then_decay(opt):
    warmup = LinearLR(opt, start_factor=0.1, total_iters=3)
    decay = ExponentialLR(opt, gamma=0.9)
    return SequentialLR(opt, schedulers=[warmup, decay], milestones=[3])


run("sequential", warmup_then_decay)

# warm-up as users write it with LambdaLR
warmup_epochs = 3
run(
    "lambda_warmup_cosine",
    lambda opt: LambdaLR(
        opt,
        lambda e: (
            (e + 1) / warmup_epochs
            if e < warmup_epochs
            else 0.5 * (1 + math.cos(math.pi * (e - warmup_epochs) / 7))
        ),
    ),
)

# ReduceLROnPlateau gets the validation loss; a fixed sequence makes it deterministic
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)
val_losses = [1.0, 0.9, 0.85, 0.86, 0.87, 0.88, 0.84, 0.845, 0.85, 0.851, 0.852, 0.853]
for epoch, val_loss in enumerate(val_losses):
    train_one_epoch(optimizer)
    scheduler.step(val_loss)
    print(f"plateau epoch {epoch}: val {val_loss} lr {scheduler.get_last_lr()[0]}")
    print(f"METRIC plateau_{epoch} {optimizer.param_groups[0]['lr']!r}")
print(f"METRIC plateau_last_lr {scheduler.get_last_lr()[0]!r}")

# OneCycleLR steps every batch
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
steps_per_epoch, epochs = 5, 4
scheduler = OneCycleLR(optimizer, max_lr=0.1, steps_per_epoch=steps_per_epoch, epochs=epochs)
print(f"METRIC onecycle_initial {optimizer.param_groups[0]['lr']!r}")
for epoch in range(epochs):
    for batch in range(steps_per_epoch):
        train_one_epoch(optimizer, scheduler)
        print(f"METRIC onecycle_{epoch}_{batch} {scheduler.get_last_lr()[0]!r}")
        print(f"METRIC onecycle_momentum_{epoch}_{batch} {optimizer.param_groups[0]['momentum']!r}")

# Adam with StepLR, and the scheduler's state_dict
optimizer = optim.Adam(model.parameters(), lr=1e-3)
scheduler = StepLR(optimizer, step_size=2, gamma=0.1)
for epoch in range(5):
    train_one_epoch(optimizer)
    scheduler.step()
state = scheduler.state_dict()
print(f"METRIC adam_steplr_last_epoch {state['last_epoch']!r}")
print(f"METRIC adam_steplr_lr {scheduler.get_last_lr()[0]!r}")
fresh = StepLR(optim.Adam(model.parameters(), lr=1e-3), step_size=2, gamma=0.1)
fresh.load_state_dict(state)
print(f"METRIC adam_steplr_loaded_last_epoch {fresh.last_epoch!r}")
