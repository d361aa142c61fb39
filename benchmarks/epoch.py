"""One training epoch on MNIST (cross-entropy, Adam 1e-3) of the MLP 784-128-64-10 (ReLU)
or of the LeNet-5 CNN, neuralab (``fit`` with its DataLoader) against PyTorch (the same
model, shuffled batches by index), alternately in one process; minimum of several
repeats; ratio = neuralab / PyTorch.

    python benchmarks/epoch.py [--model mlp|lenet] [--batches 64 1024] [--repeats 3] [--memory]

--memory also runs each framework's epoch in a fresh process and reports its peak
resident memory above the loaded data (Linux VmHWM after a reset).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
import torch
from cnn_parity import lenet_torch
from common import train_torch
from run import threads

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import MNIST, DataLoader
from neuralab.models import MLP, LeNet5
from neuralab.train import fit


def mlp_torch() -> torch.nn.Module:
    tn = torch.nn
    return tn.Sequential(
        tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 64), tn.ReLU(), tn.Linear(64, 10)
    )


MODELS = {"mlp": (MLP, mlp_torch), "lenet": (LeNet5, lenet_torch)}


def mnist_arrays(model: str) -> tuple[np.ndarray, np.ndarray]:
    return MNIST(train=True, flatten=model == "mlp", scale=(-1.0, 1.0)).arrays()


def epoch_neuralab(model_name: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    nl.manual_seed(0)
    model = MODELS[model_name][0]()
    data = nl.data.TensorDataset(nl.from_numpy(x), nl.from_numpy(y))  # as torch.from_numpy
    loader = DataLoader(data, batch, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=1, progress=False)
    return time.perf_counter() - start


def epoch_torch(model_name: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    torch.manual_seed(0)
    model = MODELS[model_name][1]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return train_torch(model, opt, x, y, 1, batch)[1][0]


def peak_memory(framework: str, model: str, batch: int) -> float:
    """MiB of peak resident memory above the loaded data, in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", framework, model, str(batch)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def child(framework: str, model: str, batch: int) -> None:
    """Peak RSS during the epoch minus RSS before it (Linux: the peak is reset first)."""
    x, y = mnist_arrays(model)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM, the peak resident set size
    base = _status_kib("VmRSS")
    (epoch_neuralab if framework == "neuralab" else epoch_torch)(model, x, y, batch)
    print((_status_kib("VmHWM") - base) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--model", choices=sorted(MODELS), default="mlp")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    x, y = mnist_arrays(args.model)
    print(
        f"numpy {np.__version__}, torch {torch.__version__}, torch threads "
        f"{torch.get_num_threads()}"
    )
    title = f"MNIST {args.model} epoch"
    print(f"{title:24s} {'threads':>7s} {'neuralab':>9s} {'torch':>9s} {'ratio':>6s}")
    for batch in args.batches:
        for n in (None, 1):
            with threads(n):
                ours = theirs = float("inf")
                for _ in range(args.repeats):
                    ours = min(ours, epoch_neuralab(args.model, x, y, batch))
                    theirs = min(theirs, epoch_torch(args.model, x, y, batch))
            print(
                f"{'batch ' + str(batch):24s} {n or 'default'!s:>7s} {ours:8.2f}s "
                f"{theirs:8.2f}s {ours / theirs:6.2f}"
            )
    if args.memory:
        for batch in args.batches:
            ours = peak_memory("neuralab", args.model, batch)
            theirs = peak_memory("torch", args.model, batch)
            print(
                f"peak memory above data, batch {batch}: neuralab {ours:.0f} MiB, "
                f"torch {theirs:.0f} MiB"
            )


if __name__ == "__main__":
    main()
