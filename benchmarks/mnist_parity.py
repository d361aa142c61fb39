"""Training results of the MNIST MLP 784-128-64-10 (ReLU, cross-entropy, batch 64, inputs
in [-1, 1], 5 epochs) in neuralab and in PyTorch, for SGD(0.01), Adam(1e-3),
RMSprop(1e-3) and Adagrad(1e-2), over several seeds: mean training loss per epoch and
test accuracy, as mean +- standard deviation over seeds.

    python benchmarks/mnist_parity.py [--seeds 3] [--epochs 5]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from common import accuracy_torch, train_torch

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import MNIST, DataLoader, TensorDataset
from neuralab.train import evaluate, fit

OPTIMIZERS = {"SGD": 0.01, "Adam": 1e-3, "RMSprop": 1e-3, "Adagrad": 1e-2}


def run_neuralab(name, lr, seed, epochs, train, test):
    nl.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )
    opt = getattr(optim, name)(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(nl.tensor(train[0]), nl.tensor(train[1])), 64, shuffle=True)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, progress=False)
    accuracy = evaluate(model, None, test, metrics=["accuracy"])["accuracy"]
    return history["loss"], accuracy


def run_torch(name, lr, seed, epochs, train, test):
    torch.manual_seed(seed)
    tn = torch.nn
    model = tn.Sequential(
        tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 64), tn.ReLU(), tn.Linear(64, 10)
    )
    opt = getattr(torch.optim, name)(model.parameters(), lr=lr)
    losses, _ = train_torch(model, opt, *train, epochs, 64)
    return losses, accuracy_torch(model, *test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    train = MNIST(train=True, flatten=True, scale=(-1.0, 1.0)).arrays()
    test = MNIST(train=False, flatten=True, scale=(-1.0, 1.0)).arrays()
    print("| optimizer | library | mean training loss per epoch | test accuracy |")
    print("| --- | --- | --- | --- |")
    for name, lr in OPTIMIZERS.items():
        for library, run in (("neuralab", run_neuralab), ("PyTorch", run_torch)):
            results = [run(name, lr, seed, args.epochs, train, test) for seed in range(args.seeds)]
            losses = np.array([r[0] for r in results])
            accuracy = np.array([r[1] for r in results]) * 100
            curve = ", ".join(f"{m:.3f}" for m in losses.mean(0))
            score = f"{accuracy.mean():.2f} ± {accuracy.std():.2f} %"
            print(f"| {name}({lr:g}) | {library} | {curve} | {score} |", flush=True)


if __name__ == "__main__":
    main()
