"""RNN against LSTM (and GRU) on a long-range dependency, as the sequence grows: recall
the first of ``length`` symbols, the other ``length - 1`` drawn from 8 distractor symbols
(``neuralab.data.first_symbol_recall``; 8 symbols to recall, chance 12.5 %), with the same
hidden size, optimizer (Adam, gradient norm clipped to 1) and number of steps for every
cell. The LSTM's forget gate starts open (``SequenceClassifier(forget_bias=...)``; 5 by
default: sigmoid(5) = 0.993, so the cell keeps 0.993^80 = 0.58 of step 1 after 80 steps,
where PyTorch's init keeps 0.5^80). Prints the held-out accuracy curve of each run and a
table of final accuracies (mean and range over seeds), and writes both to
``benchmarks/results/long_range.json`` and a plot to ``benchmarks/results/long_range.png``.

    python benchmarks/long_range.py [--lengths 10 20 40 80 120] [--seeds 3] [--steps 1000]
    python benchmarks/long_range.py --cells lstm --forget-bias 0 --name lstm_torch_init
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


def run(cell: str, length: int, seed: int, args: argparse.Namespace):
    """Train on fresh batches; return [(step, held-out accuracy)] and seconds taken."""
    nl.manual_seed(seed)
    forget_bias = args.forget_bias if cell == "lstm" else None
    model = SequenceClassifier(
        SYMBOLS + DISTRACTORS, args.hidden, SYMBOLS, cell=cell, forget_bias=forget_bias
    )
    opt = optim.Adam(model.parameters(), lr=args.lr)
    steps, batch, every = args.steps, args.batch, args.every
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
            accuracy = float((predict(model, x_test)._data.argmax(1) == y_test).mean())
            curve.append((step, accuracy))
    return curve, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 20, 40, 80, 120])
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm", "gru"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument(
        "--forget-bias", type=float, default=5.0, help="the LSTM's; 0: PyTorch's init"
    )
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--name", default="long_range", help="of the files in results/")
    args = parser.parse_args()
    args.forget_bias = args.forget_bias or None
    results: dict = {"settings": vars(args), "curves": {}, "final": {}}
    for length in args.lengths:
        for cell in args.cells:
            finals = []
            for seed in range(args.seeds):
                curve, seconds = run(cell, length, seed, args)
                results["curves"][f"{cell} T={length} seed={seed}"] = curve
                finals.append(curve[-1][1])
                points = " ".join(f"{a:.2f}" for _, a in curve)
                print(
                    f"{cell:4s} T={length:3d} seed {seed}: {points}  ({seconds:.0f} s)", flush=True
                )
            results["final"][f"{cell} T={length}"] = finals
    print(f"\nheld-out accuracy after {args.steps} steps, mean (min-max) over {args.seeds} seeds")
    print("| length | " + " | ".join(c.upper() for c in args.cells) + " |")
    print("| --- |" + " --- |" * len(args.cells))
    for length in args.lengths:
        row = [_cell(results["final"][f"{c} T={length}"]) for c in args.cells]
        print(f"| {length} | " + " | ".join(row) + " |")
    RESULTS.mkdir(exist_ok=True)
    nl.io.atomic_write(RESULTS / f"{args.name}.json", json.dumps(results, indent=1).encode())
    if not args.no_plot:
        plot(results, args)


def _cell(finals: list[float]) -> str:
    a = 100 * np.array(finals)
    return f"{a.mean():.1f} % ({a.min():.0f}-{a.max():.0f})"


def plot(results: dict, args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(args.lengths), figsize=(3.2 * len(args.lengths), 3.2))
    for ax, length in zip(np.atleast_1d(axes), args.lengths):
        for cell in args.cells:
            color = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}[cell]
            for seed in range(args.seeds):
                curve = np.array(results["curves"][f"{cell} T={length} seed={seed}"])
                ax.plot(curve[:, 0], 100 * curve[:, 1], color=color, alpha=0.8,
                        label=cell.upper() if seed == 0 else None)  # fmt: skip
        ax.axhline(100 / SYMBOLS, color="gray", linestyle=":", label="chance")
        ax.set(title=f"sequence length {length}", xlabel="training step", ylim=(0, 102))
        ax.set_ylabel("held-out accuracy (%)")
    np.atleast_1d(axes)[0].legend()
    cells = " vs ".join(c.upper() for c in args.cells)
    bias = "PyTorch's init" if args.forget_bias is None else f"+{args.forget_bias:g}"
    fig.suptitle(
        f"Recall the first symbol: {cells} (hidden {args.hidden}, LSTM forget-gate bias "
        f"{bias}, one line per seed)"
    )
    fig.tight_layout()
    fig.savefig(RESULTS / f"{args.name}.png", dpi=80)
    print(f"wrote {RESULTS / f'{args.name}.png'}")


if __name__ == "__main__":
    main()
