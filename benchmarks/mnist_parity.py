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
    x, y = torch.from_numpy(train[0]), torch.from_numpy(train[1])
    losses = []
    for _ in range(epochs):
        order, total = torch.randperm(len(x)), 0.0
        for i in range(0, len(x), 64):
            index = order[i : i + 64]
            opt.zero_grad()
            loss = tn.functional.cross_entropy(model(x[index]), y[index])
            loss.backward()
            opt.step()
            total += loss.item() * len(index)
        losses.append(total / len(x))
    with torch.no_grad():
        predicted = model(torch.from_numpy(test[0])).argmax(1).numpy()
    return losses, float((predicted == test[1]).mean())


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
