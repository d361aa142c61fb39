"""Training results of the LeNet-5 style CNN on MNIST (``neuralab.models.LeNet5``: conv
5x5x6 pad 2, ReLU, max pool 2, conv 5x5x16, ReLU, max pool 2, 120, 84, 10; Adam 1e-3,
batch 64, inputs in [-1, 1], 3 epochs) in neuralab and in PyTorch, over several seeds:
mean training loss per epoch, test accuracy (mean +- sample standard deviation over seeds,
and each seed's) and seconds per epoch (not interleaved: benchmarks/epoch.py measures speed).

    python benchmarks/cnn_parity.py [--seeds 3] [--epochs 3]
    python benchmarks/cnn_parity.py --same-start [--epochs 2]

--same-start instead trains both from PyTorch's initial weights (seed 0) on the same
shuffled batches, step by step, and prints both libraries' mean loss per epoch and test
accuracy: what is left of the difference is float32 rounding, not the seeds.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from common import accuracy_torch, train_torch

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import MNIST, DataLoader, TensorDataset
from neuralab.models import LeNet5
from neuralab.train import evaluate, fit


def lenet_torch() -> torch.nn.Module:
    """The same architecture as ``neuralab.models.LeNet5()``, in torch.nn."""
    tn = torch.nn
    return tn.Sequential(
        tn.Conv2d(1, 6, 5, padding=2), tn.ReLU(), tn.MaxPool2d(2),
        tn.Conv2d(6, 16, 5), tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(),
        tn.Linear(400, 120), tn.ReLU(), tn.Linear(120, 84), tn.ReLU(), tn.Linear(84, 10),
    )  # fmt: skip


def run_neuralab(seed, epochs, train, test):
    nl.manual_seed(seed)
    model = LeNet5()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(*train), 64, shuffle=True)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, progress=False)
    accuracy = evaluate(model, None, test, metrics=["accuracy"])["accuracy"]
    return history["loss"], accuracy, history["time"]


def run_torch(seed, epochs, train, test):
    torch.manual_seed(seed)
    model = lenet_torch()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses, seconds = train_torch(model, opt, *train, epochs, 64)
    return losses, accuracy_torch(model, *test), seconds


def same_start(epochs: int, train, test) -> None:
    """Both libraries from the same initial weights on the same batches, step by step."""
    x, y = train
    torch.manual_seed(0)
    theirs, ours = lenet_torch(), LeNet5()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    opt_t = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    opt_n = optim.Adam(ours.parameters(), lr=1e-3)
    loss_t, loss_n = torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    print("| epoch | PyTorch mean training loss | neuralab mean training loss |")
    print("| --- | --- | --- |")
    for epoch in range(1, epochs + 1):
        order, total_t, total_n = rng.permutation(len(x)), 0.0, 0.0
        for i in range(0, len(x), 64):
            xb, yb = x[order[i : i + 64]], y[order[i : i + 64]]
            opt_t.zero_grad()
            lt = loss_t(theirs(torch.from_numpy(xb)), torch.from_numpy(yb))
            lt.backward()
            opt_t.step()
            opt_n.zero_grad()
            ln = loss_n(ours(nl.tensor(xb)), nl.tensor(yb))
            ln.backward()
            opt_n.step()
            total_t += lt.item() * len(xb)
            total_n += ln.item() * len(xb)
        print(f"| {epoch} | {total_t / len(x):.4f} | {total_n / len(x):.4f} |", flush=True)
    accuracy_n = evaluate(ours, None, test, metrics=["accuracy"])["accuracy"]
    print(f"test accuracy: PyTorch {100 * accuracy_torch(theirs, *test):.2f} %, "
          f"neuralab {100 * accuracy_n:.2f} %")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--same-start", action="store_true")
    args = parser.parse_args()
    train = MNIST(train=True, scale=(-1.0, 1.0)).arrays()
    test = MNIST(train=False, scale=(-1.0, 1.0)).arrays()
    print(f"torch threads {torch.get_num_threads()}")
    if args.same_start:
        same_start(args.epochs, train, test)
        return
    print("| library | mean training loss per epoch | test accuracy | per seed | s / epoch |")
    print("| --- | --- | --- | --- | --- |")
    for library, run in (("neuralab", run_neuralab), ("PyTorch", run_torch)):
        results = [run(seed, args.epochs, train, test) for seed in range(args.seeds)]
        losses = np.array([r[0] for r in results])
        accuracy = np.array([r[1] for r in results]) * 100
        seconds = np.array([r[2] for r in results])
        curve = ", ".join(f"{m:.4f}" for m in losses.mean(0))
        spread = accuracy.std(ddof=1) if len(accuracy) > 1 else 0.0
        score = f"{accuracy.mean():.2f} ± {spread:.2f} %"
        each = ", ".join(f"{a:.2f}" for a in accuracy)
        print(f"| {library} | {curve} | {score} | {each} | {np.median(seconds):.1f} |", flush=True)


if __name__ == "__main__":
    main()
