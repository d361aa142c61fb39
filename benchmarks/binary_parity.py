"""The binary classifier 20-32-16-1 (ReLU, sigmoid output, binary cross-entropy, Adam 1e-3,
20 epochs, batch 32, 20 % of the training set held out for validation) on a synthetic
1,000-sample, 20-feature problem (scikit-learn's make_classification, 10 informative
features; 200 samples kept for testing): test accuracy of neuralab beside PyTorch's,
over several seeds.

    python benchmarks/binary_parity.py [--seeds 5]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import make_classification
from neuralab.train import fit, predict


def data(seed: int):
    x, y = make_classification(1000, 20, n_informative=10, seed=seed)
    return (x[:800], y[:800].astype(np.float32)[:, None]), (x[800:], y[800:])


def run_neuralab(seed, train, test):
    nl.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid()
    )
    history = fit(
        model,
        nn.BCELoss(),
        optim.Adam(model.parameters(), lr=1e-3),
        train,
        epochs=20,
        batch_size=32,
        validation=0.2,
        progress=False,
    )
    predicted = (predict(model, test[0])._data[:, 0] > 0.5).astype(int)
    return float((predicted == test[1]).mean()), history["val_loss"][-1]


def run_torch(seed, train, test):
    torch.manual_seed(seed)
    tn = torch.nn
    model = tn.Sequential(
        tn.Linear(20, 32), tn.ReLU(), tn.Linear(32, 16), tn.ReLU(), tn.Linear(16, 1), tn.Sigmoid()
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(train[0]), torch.from_numpy(train[1])
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    val, fit_part = order[: len(x) // 5], order[len(x) // 5 :]
    for _ in range(20):
        shuffled = fit_part[torch.randperm(len(fit_part))]
        for i in range(0, len(shuffled), 32):
            index = shuffled[i : i + 32]
            opt.zero_grad()
            tn.functional.binary_cross_entropy(model(x[index]), y[index]).backward()
            opt.step()
    with torch.no_grad():
        val_loss = tn.functional.binary_cross_entropy(model(x[val]), y[val]).item()
        predicted = (model(torch.from_numpy(test[0]))[:, 0] > 0.5).numpy().astype(int)
    return float((predicted == test[1]).mean()), val_loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print("| library | test accuracy | final validation loss |")
    print("| --- | --- | --- |")
    for library, run in (("neuralab", run_neuralab), ("PyTorch", run_torch)):
        results = np.array([run(seed, *data(seed)) for seed in range(args.seeds)])
        accuracy, val_loss = results[:, 0] * 100, results[:, 1]
        print(
            f"| {library} | {accuracy.mean():.1f} ± {accuracy.std():.1f} % | "
            f"{val_loss.mean():.3f} ± {val_loss.std():.3f} |"
        )


if __name__ == "__main__":
    main()
