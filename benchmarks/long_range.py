"""RNN against LSTM (and GRU) on a long-range dependency, as the sequence grows: recall
the first of ``length`` random symbols (8 symbols, chance 12.5 %), with the same hidden
size, optimizer and number of steps for every cell. Prints the held-out accuracy curve
of each run and a table of final accuracies (mean over seeds), and writes both to
``benchmarks/results/long_range.json`` and a plot to ``benchmarks/results/long_range.png``.

    python benchmarks/long_range.py [--lengths 5 10 20 40 80] [--seeds 2] [--steps 1500]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import first_symbol_recall
from neuralab.models import SequenceClassifier
from neuralab.train import predict

RESULTS = Path(__file__).resolve().parent / "results"
SYMBOLS = 8
DISTRACTORS = 8  # first_symbol_recall's default: inputs are one-hot over both


def run(cell: str, length: int, seed: int, steps: int, hidden: int, batch: int, every: int):
    """Train on fresh batches; return [(step, held-out accuracy)] and seconds taken."""
    nl.manual_seed(seed)
    model = SequenceClassifier(SYMBOLS + DISTRACTORS, hidden, SYMBOLS, cell=cell)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    x_test, y_test = first_symbol_recall(1000, length, SYMBOLS, seed=10_000 + seed)
    curve, start = [], time.perf_counter()
    for step in range(1, steps + 1):
        x, y = first_symbol_recall(batch, length, SYMBOLS)
        opt.zero_grad()
        loss = loss_fn(model(nl.tensor(x)), nl.tensor(y))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % every == 0 or step == steps:
            accuracy = float((predict(model, x_test).data.argmax(1) == y_test).mean())
            curve.append((step, accuracy))
    return curve, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[5, 10, 20, 40, 80])
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm", "gru"])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args()
    results: dict = {"settings": vars(args), "curves": {}, "final": {}}
    for length in args.lengths:
        for cell in args.cells:
            finals = []
            for seed in range(args.seeds):
                curve, seconds = run(
                    cell, length, seed, args.steps, args.hidden, args.batch, args.every
                )
                results["curves"][f"{cell} T={length} seed={seed}"] = curve
                finals.append(curve[-1][1])
                points = " ".join(f"{a:.2f}" for _, a in curve)
                print(
                    f"{cell:4s} T={length:3d} seed {seed}: {points}  ({seconds:.0f} s)", flush=True
                )
            results["final"][f"{cell} T={length}"] = float(np.mean(finals))
    print("\n| length | " + " | ".join(args.cells) + " |")
    print("| --- |" + " --- |" * len(args.cells))
    for length in args.lengths:
        row = [f"{100 * results['final'][f'{c} T={length}']:.1f} %" for c in args.cells]
        print(f"| {length} | " + " | ".join(row) + " |")
    RESULTS.mkdir(exist_ok=True)
    nl.io.atomic_write(RESULTS / "long_range.json", json.dumps(results, indent=1).encode())
    if not args.no_plot:
        plot(results, args)


def plot(results: dict, args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(args.lengths), figsize=(3.2 * len(args.lengths), 3.2))
    for ax, length in zip(np.atleast_1d(axes), args.lengths):
        for cell, color in zip(args.cells, ("tab:red", "tab:blue", "tab:green")):
            for seed in range(args.seeds):
                curve = np.array(results["curves"][f"{cell} T={length} seed={seed}"])
                ax.plot(curve[:, 0], 100 * curve[:, 1], color=color, alpha=0.8,
                        label=cell.upper() if seed == 0 else None)  # fmt: skip
        ax.axhline(100 / SYMBOLS, color="gray", linestyle=":", label="chance")
        ax.set(title=f"sequence length {length}", xlabel="training step", ylim=(0, 102))
        ax.set_ylabel("held-out accuracy (%)")
    np.atleast_1d(axes)[0].legend()
    fig.suptitle("Recall the first symbol: RNN vs LSTM vs GRU (hidden 32)")
    fig.tight_layout()
    fig.savefig(RESULTS / "long_range.png", dpi=110)
    print(f"wrote {RESULTS / 'long_range.png'}")


if __name__ == "__main__":
    main()
