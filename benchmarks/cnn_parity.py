"""Training results of the LeNet-5 style CNN on MNIST (``neuralab.models.LeNet5``: conv
5x5x6 pad 2, ReLU, max pool 2, conv 5x5x16, ReLU, max pool 2, 120, 84, 10; Adam 1e-3,
batch 64, inputs in [-1, 1], 3 epochs) in neuralab and in PyTorch, over several seeds:
mean training loss per epoch, test accuracy (mean +- standard deviation over seeds) and
seconds per epoch.

    python benchmarks/cnn_parity.py [--seeds 3] [--epochs 3]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    train = MNIST(train=True, scale=(-1.0, 1.0)).arrays()
    test = MNIST(train=False, scale=(-1.0, 1.0)).arrays()
    print(f"torch threads {torch.get_num_threads()}")
    print("| library | mean training loss per epoch | test accuracy | seconds per epoch |")
    print("| --- | --- | --- | --- |")
    for library, run in (("neuralab", run_neuralab), ("PyTorch", run_torch)):
        results = [run(seed, args.epochs, train, test) for seed in range(args.seeds)]
        losses = np.array([r[0] for r in results])
        accuracy = np.array([r[1] for r in results]) * 100
        seconds = np.array([r[2] for r in results])
        curve = ", ".join(f"{m:.4f}" for m in losses.mean(0))
        score = f"{accuracy.mean():.2f} ± {accuracy.std():.2f} %"
        print(f"| {library} | {curve} | {score} | {np.median(seconds):.1f} |", flush=True)


if __name__ == "__main__":
    main()
