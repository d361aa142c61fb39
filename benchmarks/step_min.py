"""The cases of ``run.py`` (MLP forward + backward at batch 64; LSTM, GRU and RNN training
steps) timed step by step, neuralab and PyTorch alternating every step, reporting the
minimum single-step time of each and their ratio. For the MLP, the same forward + backward
written by hand in NumPy (no graph) alternates with them: the floor of any NumPy framework.

On a shared, loaded machine ``run.py``'s figure (the best mean over blocks of steps) moves
with the load of the moment; the minimum over many single steps comes closer to the cost of
a step on an idle core. Both are reported in benchmarks/results/recurrent-mlp-2026-12-03.md.

    python benchmarks/step_min.py [--threads 1] [--reps 60] [--only LSTM GRU RNN MLP]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from run import (
    _mlp_parameters,
    mlp_step_neuralab,
    mlp_step_torch,
    recurrent_cases,
    threads,
    training_step,
)

import neuralab as nl


def mlp_cases(batch: int = 64) -> list[tuple]:
    rng = np.random.default_rng(0)
    arrays = _mlp_parameters(rng)
    x = rng.uniform(-1, 1, (batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return [
        ([nl.tensor(a, requires_grad=True) for a in arrays], nl.tensor(x), nl.tensor(y)),
        ([torch.tensor(a, requires_grad=True) for a in arrays], torch.tensor(x), torch.tensor(y)),
    ]


def mlp_step_numpy(params: list, x: np.ndarray, y: np.ndarray) -> None:
    """The same forward + backward written by hand in NumPy, no graph: the floor that any
    NumPy-based framework pays (its products and elementwise passes)."""
    w1, b1, w2, b2, w3, b3 = params
    a1 = np.maximum(x @ w1.T + b1, 0)
    a2 = np.maximum(a1 @ w2.T + b2, 0)
    z = a2 @ w3.T + b3
    e = np.exp(z - z.max(1, keepdims=True))
    g = e / e.sum(1, keepdims=True)  # dL/dz = (softmax - onehot) / N
    g[np.arange(len(y)), y] -= 1
    g /= len(y)
    _ = g.T @ a2, g.sum(0)
    da2 = (g @ w3) * (a2 > 0)
    _ = da2.T @ a1, da2.sum(0)
    da1 = (da2 @ w2) * (a1 > 0)
    _ = da1.T @ x, da1.sum(0)


def best_steps(steps: tuple, cases: list, reps: int) -> list[float]:
    """Minimum single-step time of each library, alternating every step."""
    best = [float("inf")] * len(steps)
    for step, case in zip(steps, cases):
        step(*case)  # warm up
    for _ in range(reps):
        for i, (step, case) in enumerate(zip(steps, cases)):
            start = time.perf_counter()
            step(*case)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="default: library defaults")
    parser.add_argument("--reps", type=int, default=60)
    parser.add_argument("--only", nargs="+", default=["LSTM", "GRU", "RNN", "MLP"])
    args = parser.parse_args()
    print(f"{'case':6s} {'threads':>7s} {'neuralab':>10s} {'torch':>10s} {'ratio':>6s}")
    with threads(args.threads):
        for kind in args.only:
            if kind == "MLP":
                steps, cases, reps = (
                    (mlp_step_neuralab, mlp_step_torch),
                    mlp_cases(),
                    args.reps * 10,
                )
            else:
                steps, cases, reps = (training_step,) * 2, recurrent_cases(kind), args.reps
            if kind == "MLP":  # the hand-written NumPy floor, alternating with both
                rng = np.random.default_rng(0)
                floor_case = (
                    _mlp_parameters(rng),
                    rng.uniform(-1, 1, (64, 784)).astype(np.float32),
                    rng.integers(0, 10, 64),
                )
                steps, cases = (*steps, mlp_step_numpy), [*cases, floor_case]
            times = best_steps(steps, cases, reps)
            ours, theirs = times[:2]
            print(
                f"{kind:6s} {args.threads or 'default'!s:>7s} {ours * 1e6:8.0f}us "
                f"{theirs * 1e6:8.0f}us {ours / theirs:6.2f}",
                flush=True,
            )
            if kind == "MLP":
                print(f"  hand-written NumPy: {times[2] * 1e6:.0f}us, {times[2] / theirs:.2f} "
                      "of PyTorch")  # fmt: skip


if __name__ == "__main__":
    main()
