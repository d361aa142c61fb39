"""One training epoch on MNIST (cross-entropy, Adam 1e-3) of the MLP 784-128-64-10 (ReLU)
or of the LeNet-5 CNN, neuralab (``fit`` with its DataLoader) against PyTorch (the same
model, shuffled batches by index), each epoch in a fresh process of its own, the two
libraries alternating; minimum of several repeats; ratio = neuralab / PyTorch.

A fresh process per epoch is how users run either library: neuralab's never imports torch,
and neither inherits the other's state of the C allocator (which changes how many page
faults a step pays). Each process imports its library (and neuralab the ``fast`` extra's
Numba, when installed), loads the data, then reports its peak resident memory above that
(Linux VmHWM after a reset) over one untimed warm-up step (a forward and backward of the
first batch: PyTorch's first-call setup, neuralab's first-call loading of compiled kernels)
and the timed epoch; the data set is shared with the library in both (``nl.from_numpy``,
``torch.from_numpy``), not copied.

    python benchmarks/epoch.py [--model mlp|lenet] [--batches 64 1024] [--repeats 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np


def mnist_arrays(model: str) -> tuple[np.ndarray, np.ndarray]:
    from neuralab.data import MNIST

    return MNIST(train=True, flatten=model == "mlp", scale=(-1.0, 1.0)).arrays()


def epoch_neuralab(model_name: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    import neuralab as nl
    from neuralab import nn, optim
    from neuralab.data import DataLoader
    from neuralab.models import MLP, LeNet5
    from neuralab.train import fit

    nl.manual_seed(0)
    model = {"mlp": MLP, "lenet": LeNet5}[model_name]()
    data = nl.data.TensorDataset(nl.from_numpy(x), nl.from_numpy(y))
    loader = DataLoader(data, batch, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(nl.from_numpy(x[:batch])), nl.from_numpy(y[:batch])).backward()  # warm-up
    opt.zero_grad()
    start = time.perf_counter()
    fit(model, loss_fn, opt, loader, epochs=1, progress=False)
    return time.perf_counter() - start


def epoch_torch(model_name: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    import torch
    from cnn_parity import lenet_torch
    from common import train_torch

    def mlp_torch() -> torch.nn.Module:
        tn = torch.nn
        return tn.Sequential(
            tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 64), tn.ReLU(), tn.Linear(64, 10)
        )

    torch.manual_seed(0)
    model = {"mlp": mlp_torch, "lenet": lenet_torch}[model_name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    loss_fn(model(torch.from_numpy(x[:batch])), torch.from_numpy(y[:batch])).backward()  # warm-up
    opt.zero_grad()
    return train_torch(model, opt, x, y, 1, batch)[1][0]


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def child(framework: str, model: str, batch: int, threads: int | None) -> None:
    """Print the epoch's seconds and its peak RSS minus the RSS before it (MiB; the peak is
    reset first)."""
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
        if framework == "torch":
            import torch

            torch.set_num_threads(threads)
    if framework == "torch":
        import torch  # imports are not part of the epoch, in either library
    else:
        from neuralab.ops import _numba

        _numba.kernels()  # the fast extra's Numba, when installed
    x, y = mnist_arrays(model)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM, the peak resident set size
    base = _status_kib("VmRSS")
    seconds = (epoch_neuralab if framework == "neuralab" else epoch_torch)(model, x, y, batch)
    print(seconds, (_status_kib("VmHWM") - base) / 1024)


def run_child(framework: str, model: str, batch: int, threads: int | None) -> list[float]:
    command = [sys.executable, __file__, "--child", framework, model, str(batch)]
    command += ["--threads", str(threads)] if threads else []
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", choices=["lenet", "mlp"], default="mlp")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--threads", type=int, nargs="+", default=[0, 1], help="0: default")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        framework, model, batch = args.child
        child(framework, model, int(batch), args.threads[0] or None)
        return
    import torch

    print(f"numpy {np.__version__}, torch {torch.__version__}, default threads "
          f"{torch.get_num_threads()}; each epoch in a fresh process")  # fmt: skip
    title = f"MNIST {args.model} epoch"
    print(f"{title:16s} {'threads':>7s} {'neuralab':>9s} {'torch':>9s} {'ratio':>6s} "
          f"{'peak MiB':>9s} {'torch':>6s}")  # fmt: skip
    for batch in args.batches:
        for n in args.threads:
            ours = theirs = (float("inf"), 0.0)
            for _ in range(args.repeats):
                ours = min(ours, tuple(run_child("neuralab", args.model, batch, n)))
                theirs = min(theirs, tuple(run_child("torch", args.model, batch, n)))
            print(f"{'batch ' + str(batch):16s} {n or 'default'!s:>7s} {ours[0]:8.2f}s "
                  f"{theirs[0]:8.2f}s {ours[0] / theirs[0]:6.2f} {ours[1]:9.0f} "
                  f"{theirs[1]:6.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
