"""Same start, same batches: train the MNIST MLP in neuralab and in PyTorch from identical
initial weights on identical batches and print both losses along the way; any gap left is
float32 rounding, not the algorithm.

    python benchmarks/same_trajectory.py [--steps 600]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import MNIST


def pair():
    tn = torch.nn
    theirs = tn.Sequential(
        tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 64), tn.ReLU(), tn.Linear(64, 10)
    )
    ours = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    )
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    args = parser.parse_args()
    x, y = MNIST(train=True, flatten=True, scale=(-1.0, 1.0)).arrays()
    order = np.random.default_rng(0).permutation(len(x))
    for name, lr in (("SGD", 0.01), ("Adam", 1e-3), ("RMSprop", 1e-3), ("Adagrad", 1e-2)):
        torch.manual_seed(0)
        ours, theirs = pair()
        opt_ours = getattr(optim, name)(ours.parameters(), lr=lr)
        opt_theirs = getattr(torch.optim, name)(theirs.parameters(), lr=lr)
        for step in range(args.steps):
            index = order[step * 64 : (step + 1) * 64]
            opt_theirs.zero_grad()
            loss_theirs = torch.nn.functional.cross_entropy(
                theirs(torch.from_numpy(x[index])), torch.from_numpy(y[index])
            )
            loss_theirs.backward()
            opt_theirs.step()
            opt_ours.zero_grad()
            loss_ours = nn.CrossEntropyLoss()(ours(nl.tensor(x[index])), nl.tensor(y[index]))
            loss_ours.backward()
            opt_ours.step()
            if step in (0, 10, 100, args.steps - 1):
                print(
                    f"{name:8s} step {step:4d}: neuralab {loss_ours.item():.4f}, "
                    f"PyTorch {loss_theirs.item():.4f}"
                )


if __name__ == "__main__":
    main()
