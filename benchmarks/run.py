"""Speed against PyTorch, in one process, on the same machine.

Each case runs neuralab and PyTorch alternately, several repeats each, and reports the
minimum time per step of each and their ratio (neuralab / PyTorch: below 1 is faster).
Figures are given with the default thread count and with one thread. Cases: forward +
backward of the MNIST MLP; a full training step (forward, backward, Adam) of the LeNet-5
CNN at batch 64 and of an LSTM, GRU and RNN (input 32, hidden 128, 50 steps, batch 64,
a linear layer on the last output, cross-entropy), the same weights in both libraries.

    python benchmarks/run.py [--repeats 7] [--steps 100] [--only mlp|lenet|recurrent]
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
from neuralab import nn, optim
from neuralab.models import LeNet5

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


def training_step(model, head, opt, loss_fn, x, y):
    """zero_grad, forward, backward, optimizer step (same code for both libraries)."""
    opt.zero_grad()
    out = model(x)
    if head is not None:  # a recurrent layer: (output, state); classify the last step
        out = head(out[0][-1])
    loss = loss_fn(out, y)
    loss.backward()
    opt.step()
    return loss


def _pair(build_ours, build_theirs, x: np.ndarray, y: np.ndarray, head_in: int = 0):
    """The same model (torch's initial weights copied into neuralab's) and data in both."""
    torch.manual_seed(0)
    theirs, ours = build_theirs(), build_ours()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    cases = []
    for lib_nn, lib_optim, model, tensor in (
        (nn, optim, ours, nl.tensor),
        (torch.nn, torch.optim, theirs, torch.tensor),
    ):
        head = lib_nn.Linear(head_in, 10) if head_in else None
        params = list(model.parameters()) + (list(head.parameters()) if head else [])
        opt = lib_optim.Adam(params, lr=1e-3)
        cases.append((model, head, opt, lib_nn.CrossEntropyLoss(), tensor(x), tensor(y)))
    return cases


def lenet_cases(batch: int = 64):
    from cnn_parity import lenet_torch

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return _pair(LeNet5, lenet_torch, x, y)


def recurrent_cases(
    kind: str, steps: int = 50, batch: int = 64, inputs: int = 32, hidden: int = 128
):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps, batch, inputs)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return _pair(
        lambda: getattr(nn, kind)(inputs, hidden),
        lambda: getattr(torch.nn, kind)(inputs, hidden),
        x,
        y,
        head_in=hidden,
    )


def bench_training_step(cases, repeats: int, steps: int) -> tuple[float, float]:
    best_ours, best_theirs = float("inf"), float("inf")
    for _ in range(repeats):
        best_ours = min(best_ours, time_steps(training_step, cases[0], steps))
        best_theirs = min(best_theirs, time_steps(training_step, cases[1], steps))
    return best_ours, best_theirs


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


def report(label: str, n: int | None, ours: float, theirs: float) -> None:
    print(
        f"{label:44s} {n or 'default'!s:>7s} {ours * 1e6:8.0f}us {theirs * 1e6:8.0f}us "
        f"{ours / theirs:6.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--only", choices=("mlp", "lenet", "recurrent"))
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, numpy {np.__version__}, "
        f"torch {torch.__version__}, default threads: torch {torch.get_num_threads()}"
    )
    print(f"{'case':44s} {'threads':>7s} {'neuralab':>10s} {'torch':>10s} {'ratio':>6s}")
    for n in (None, 1):
        with threads(n):
            if args.only in (None, "mlp"):
                for batch in (64, 1024):
                    ours, theirs = bench_mlp_forward_backward(batch, args.repeats, args.steps)
                    report(f"MLP 784-128-64-10 fwd+bwd, batch {batch}", n, ours, theirs)
            if args.only in (None, "lenet"):
                ours, theirs = bench_training_step(lenet_cases(), args.repeats, args.steps)
                report("LeNet-5 train step, batch 64", n, ours, theirs)
            if args.only in (None, "recurrent"):
                for kind in ("LSTM", "GRU", "RNN"):
                    cases = recurrent_cases(kind)
                    ours, theirs = bench_training_step(cases, args.repeats, args.steps // 5)
                    report(f"{kind} 32-128, T 50, train step, batch 64", n, ours, theirs)


if __name__ == "__main__":
    main()
