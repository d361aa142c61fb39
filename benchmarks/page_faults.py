"""Page faults and time per training step, each library in a fresh process of its own (as
users run it: neuralab's process never imports torch): LeNet-5 at batch 64 and an LSTM
(input 32, hidden 128, 50 steps, batch 64, a linear layer on the last output), Adam and
cross-entropy, as in ``run.py``.

Fresh memory costs one page fault per 4 KiB on first touch; a step that allocates megabytes
anew pays them every step (how many depends on the C allocator's state, hence one fresh
process per figure). neuralab's hot ops take their big arrays from
``neuralab.ops.array_cache``, so after the first steps they should fault no more.

    python benchmarks/page_faults.py [--threads 1] [--steps 30]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _case(lib, case: str):
    """One training step of ``lib`` (neuralab or torch) on the case, as a function."""
    rng = np.random.default_rng(0)
    nn = lib.nn
    lib.manual_seed(0)
    if case == "lenet":
        x = rng.uniform(-1, 1, (64, 1, 28, 28)).astype(np.float32)
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )  # fmt: skip
        head = None
    else:
        x = rng.standard_normal((50, 64, 32)).astype(np.float32)
        model, head = nn.LSTM(32, 128), nn.Linear(128, 10)
    y = rng.integers(0, 10, 64)
    params = list(model.parameters()) + (list(head.parameters()) if head else [])
    opt, loss_fn = lib.optim.Adam(params, lr=1e-3), nn.CrossEntropyLoss()
    x, y = lib.tensor(x), lib.tensor(y)

    def step() -> None:
        opt.zero_grad()
        out = model(x)
        if head is not None:
            out = head(out[0][-1])
        loss_fn(out, y).backward()
        opt.step()

    return step


def child(framework: str, case: str, threads: int | None, steps: int) -> None:
    """Print the faults and milliseconds per step after 5 warm-up steps."""
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    if framework == "torch":
        import torch as lib

        if threads:
            lib.set_num_threads(threads)
    else:
        import neuralab as lib
    step = _case(lib, case)
    for _ in range(5):
        step()
    faults, start = _faults(), time.perf_counter()
    for _ in range(steps):
        step()
    print((_faults() - faults) / steps, (time.perf_counter() - start) / steps * 1e3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="default: library defaults")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--child", nargs=2, metavar=("FRAMEWORK", "CASE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.threads, args.steps)
        return
    print(f"{'case':8s} {'threads':>7s} {'neuralab faults':>16s} {'ms':>7s} "
          f"{'torch faults':>13s} {'ms':>7s}")  # fmt: skip
    for case in ("lenet", "lstm"):
        row = []
        for framework in ("neuralab", "torch"):
            command = [sys.executable, __file__, "--child", framework, case]
            command += ["--steps", str(args.steps)]
            if args.threads:
                command += ["--threads", str(args.threads)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            row += [float(v) for v in out.stdout.split()]
        print(f"{case:8s} {args.threads or 'default'!s:>7s} {row[0]:16.0f} {row[1]:7.1f} "
              f"{row[2]:13.0f} {row[3]:7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
