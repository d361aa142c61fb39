"""Speed against PyTorch, in one process, on the same machine.

Each case runs neuralab and PyTorch alternately, several repeats each, and reports the
minimum time per step of each and their ratio (neuralab / PyTorch: below 1 is faster).
Figures are given with the default thread count and with one thread.

    python benchmarks/run.py [--repeats 7] [--steps 100]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import platform
import time

import numpy as np
import torch

import neuralab as nl
import neuralab.functional as F

SIZES = (784, 128, 64, 10)


def _mlp_parameters(rng: np.random.Generator) -> list[np.ndarray]:
    arrays = []
    for fan_in, fan_out in itertools.pairwise(SIZES):
        bound = 1 / np.sqrt(fan_in)
        arrays.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        arrays.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return arrays


def mlp_step_neuralab(params, x, y):
    """One forward + backward of the MLP 784-128-64-10 with softmax cross-entropy."""
    for p in params:
        p.grad = None
    h = F.relu(F.linear(x, params[0], params[1]))
    h = F.relu(F.linear(h, params[2], params[3]))
    loss = F.cross_entropy(F.linear(h, params[4], params[5]), y)
    loss.backward()
    return loss


def mlp_step_torch(params, x, y):
    for p in params:
        p.grad = None
    h = torch.relu(torch.nn.functional.linear(x, params[0], params[1]))
    h = torch.relu(torch.nn.functional.linear(h, params[2], params[3]))
    loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, params[4], params[5]), y)
    loss.backward()
    return loss


def time_steps(step, args, steps: int) -> float:
    step(*args)  # warm up
    start = time.perf_counter()
    for _ in range(steps):
        step(*args)
    return (time.perf_counter() - start) / steps


def bench_mlp_forward_backward(batch: int, repeats: int, steps: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    arrays = _mlp_parameters(rng)
    x = rng.uniform(-1, 1, (batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, 10, batch)
    ours = ([nl.tensor(a, requires_grad=True) for a in arrays], nl.tensor(x), nl.tensor(y))
    theirs = (
        [torch.tensor(a, requires_grad=True) for a in arrays],
        torch.tensor(x),
        torch.tensor(y),
    )
    best_ours, best_theirs = float("inf"), float("inf")
    for _ in range(repeats):  # interleaved, so drifts in machine speed hit both alike
        best_ours = min(best_ours, time_steps(mlp_step_neuralab, ours, steps))
        best_theirs = min(best_theirs, time_steps(mlp_step_torch, theirs, steps))
    return best_ours, best_theirs


@contextlib.contextmanager
def threads(n: int | None):
    """Limit NumPy's BLAS and PyTorch to n threads (None: leave the defaults)."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    with threadpool_limits(limits=n):
        yield
    torch.set_num_threads(before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, numpy {np.__version__}, "
        f"torch {torch.__version__}, default threads: torch {torch.get_num_threads()}"
    )
    print(f"{'case':44s} {'threads':>7s} {'neuralab':>10s} {'torch':>10s} {'ratio':>6s}")
    for batch in (64, 1024):
        for n in (None, 1):
            with threads(n):
                ours, theirs = bench_mlp_forward_backward(batch, args.repeats, args.steps)
            label = f"MLP 784-128-64-10 fwd+bwd, batch {batch}"
            print(
                f"{label:44s} {n or 'default'!s:>7s} {ours * 1e6:8.0f}us {theirs * 1e6:8.0f}us "
                f"{ours / theirs:6.2f}"
            )


if __name__ == "__main__":
    main()
