"""The ``neuralab`` command."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab.io import atomic_write, read_json


def spirals(points_per_class: int, classes: int, seed: int) -> tuple[numpy.ndarray, ...]:
    """Interleaved spirals in the plane, one arm per class (a problem no linear model solves):
    arm k at radius r in [0, 1] has angle 4 r + 2 pi k / classes plus Gaussian noise."""
    rng = numpy.random.default_rng(seed)
    r = numpy.tile(numpy.linspace(0.05, 1, points_per_class), classes)
    labels = numpy.repeat(numpy.arange(classes), points_per_class)
    angle = 4 * r + 2 * numpy.pi * labels / classes + rng.normal(0, 0.2, r.size)
    x = numpy.stack([r * numpy.sin(angle), r * numpy.cos(angle)], axis=1).astype(numpy.float32)
    return x, labels


def demo(epochs: int, seed: int) -> float:
    """Train a 2-64-64-3 MLP on three spirals with full-batch gradient descent and Adam's
    update written out, printing the loss; returns the final training accuracy."""
    nl.manual_seed(seed)
    x, y = spirals(200, 3, seed)
    inputs, targets = nl.tensor(x), nl.tensor(y)
    sizes = [2, 64, 64, 3]
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1 / numpy.sqrt(fan_in)
        params.append(nl.rand(fan_out, fan_in) * (2 * bound) - bound)
        params.append(nl.zeros(fan_out))
    params = [p.detach().requires_grad_() for p in params]
    moments = [(numpy.zeros_like(p._data), numpy.zeros_like(p._data)) for p in params]
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    start = time.perf_counter()
    for step in range(1, epochs + 1):
        h = inputs
        for i in range(0, len(params) - 2, 2):
            h = F.relu(F.linear(h, params[i], params[i + 1]))
        logits = F.linear(h, params[-2], params[-1])
        loss = F.cross_entropy(logits, targets)
        for p in params:
            p.grad = None
        loss.backward()
        with nl.no_grad():
            for p, (m, v) in zip(params, moments):
                g = p.grad._data
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                m_hat = m / (1 - beta1**step)
                v_hat = v / (1 - beta2**step)
                p._data -= lr * m_hat / (numpy.sqrt(v_hat) + eps)
        if step == 1 or step % (epochs // 10 or 1) == 0:
            accuracy = float((logits._data.argmax(1) == y).mean())
            print(f"step {step:4d}  loss {loss.item():.4f}  train accuracy {accuracy:.3f}")
    print(f"{epochs} steps in {time.perf_counter() - start:.2f} s")
    return accuracy


DATASETS = ("mnist", "fashion-mnist", "digits")
OPTIMIZERS = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


def load_data(name: str, data_dir: str | None) -> tuple[Any, Any, int]:
    """(train, test) TensorDatasets with inputs in [-1, 1], and the input size."""
    from neuralab import data

    if name == "digits":
        dataset = data.load_digits(scale=(-1.0, 1.0), as_dataset=True)
        train, test = data.train_val_split(dataset, 0.2, seed=0)
        return train, test, 64
    cls = data.MNIST if name == "mnist" else data.FashionMNIST
    splits = [cls(root=data_dir, train=t, flatten=True, scale=(-1.0, 1.0)) for t in (True, False)]
    return splits[0].tensor_dataset(), splits[1].tensor_dataset(), 784


def build_model(inputs: int, hidden: list[int], classes: int = 10) -> Any:
    """The MLP inputs-hidden...-classes with ReLU between layers."""
    from neuralab.models import MLP

    return MLP(inputs, hidden, classes)


def train_command(args: argparse.Namespace) -> int:
    from neuralab import nn, optim
    from neuralab.callbacks import HistoryLogger
    from neuralab.data import DataLoader
    from neuralab.train import evaluate, fit

    nl.manual_seed(args.seed)
    train, test, inputs = load_data(args.data, args.data_dir)
    model = build_model(inputs, args.hidden)
    opt = getattr(optim, OPTIMIZERS[args.optimizer])(model.parameters(), lr=args.lr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        DataLoader(train, args.batch_size, shuffle=True),
        epochs=args.epochs,
        metrics=["accuracy"],
        callbacks=[HistoryLogger(out / "history.json")],
        checkpoint=out / "checkpoint.safetensors",
        progress=None if args.progress else False,
    )
    nl.save(model.state_dict(), out / "weights.safetensors")
    config = json.dumps({"data": args.data, "hidden": args.hidden})
    atomic_write(out / "config.json", config.encode())
    result = evaluate(model, nn.CrossEntropyLoss(), test, metrics=["accuracy", "f1"])
    print(" ".join(f"test {k} {v:.4f}" for k, v in result.items()))
    print(f"wrote {out}/weights.safetensors, history.json, checkpoint.safetensors")
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    from neuralab import nn
    from neuralab.train import evaluate

    run = Path(args.run)
    config = read_json(run / "config.json", "evaluate")
    _, test, inputs = load_data(config["data"], args.data_dir)
    model = build_model(inputs, config["hidden"])
    model.load_state_dict(nl.load(run / "weights.safetensors"))
    result = evaluate(model, nn.CrossEntropyLoss(), test, metrics=["accuracy", "f1"])
    print(" ".join(f"test {k} {v:.4f}" for k, v in result.items()))
    return 0


def summary_command(args: argparse.Namespace) -> int:
    from neuralab.inspect import summary

    inputs = 64 if args.data == "digits" else 784
    print(summary(build_model(inputs, args.hidden), (1, inputs)))
    return 0


def _parse_settings(items: list[str], chosen: list[str]) -> dict[str, dict[str, str]]:
    """``--set [STUDY.]KEY=VALUE`` items as {study: {key: value}}; a bare KEY needs exactly
    one chosen study."""
    settings: dict[str, dict[str, str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set expects [STUDY.]KEY=VALUE, got {item!r}")
        study, dot, key = key.rpartition(".")
        if not dot:
            if len(chosen) != 1:
                raise ValueError(
                    f"--set {item}: name the study (STUDY.{key}=...) when running "
                    f"{'all studies' if not chosen else 'several studies'}"
                )
            study = chosen[0]
        settings.setdefault(study, {})[key] = value
    return settings


def lab_command(args: argparse.Namespace) -> int:
    from neuralab import lab

    if args.list:
        print(lab.listing())
        return 0
    try:
        overrides = _parse_settings(args.set, args.studies)
        for name in [*args.studies, *overrides]:
            lab.get_study(name)
        skipped = sorted(set(overrides) - set(args.studies)) if args.studies else []
        if skipped:
            raise ValueError(f"--set names {', '.join(skipped)}, not among the studies run")
        for name, values in overrides.items():
            lab.make_config(lab.get_study(name), args.quick, values)
    except ValueError as error:
        print(f"neuralab lab: {error}", file=sys.stderr)
        return 2
    lab.run_studies(
        args.studies or None,
        quick=args.quick,
        seeds=args.seeds,
        out=args.out,
        overrides=overrides,
    )
    return 0


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neuralab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="train a small MLP on three spirals")
    run_demo.add_argument("--epochs", type=int, default=500)
    run_demo.add_argument("--seed", type=int, default=0)
    hidden = {
        "nargs": "+",
        "type": _positive(int),
        "default": [128, 64],
        "help": "hidden layer sizes (default: 128 64)",
    }
    train = commands.add_parser("train", help="train an MLP classifier and write its run folder")
    train.add_argument("--data", choices=DATASETS, default="mnist")
    train.add_argument("--hidden", **hidden)
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    train.add_argument("--lr", type=_positive(float), default=1e-3)
    train.add_argument("--epochs", type=_positive(int), default=5)
    train.add_argument("--batch-size", type=_positive(int), default=64)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="runs/train")
    train.add_argument("--data-dir", default=None, help="folder of the IDX files")
    train.add_argument("--progress", action="store_true", help="show a progress bar")
    evaluate = commands.add_parser("evaluate", help="evaluate a run folder on the test set")
    evaluate.add_argument("run", help="a folder written by 'neuralab train'")
    evaluate.add_argument("--data-dir", default=None)
    summarize = commands.add_parser("summary", help="layers and parameter counts of the MLP")
    summarize.add_argument("--data", choices=DATASETS, default="mnist")
    summarize.add_argument("--hidden", **hidden)
    lab = commands.add_parser(
        "lab", help="run the classic studies and write an HTML report with their results"
    )
    lab.add_argument("studies", nargs="*", help="studies to run (default: all; see --list)")
    lab.add_argument("--quick", action="store_true", help="small settings (minutes), 2 seeds")
    lab.add_argument("--seeds", type=_positive(int), help="seeds per study (quick 2, full 5)")
    lab.add_argument("--out", default="runs/lab", help="report folder (default: runs/lab)")
    lab.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="[STUDY.]KEY=VALUE",
        help="change a study's setting (repeatable)",
    )
    lab.add_argument("--list", action="store_true", help="name the studies and their settings")
    from neuralab.tune.cli import add_parser as add_tune_parser

    add_tune_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "tune":
        from neuralab.tune.cli import command as tune_command

        return tune_command(args)
    if args.command == "demo":
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        demo(args.epochs, args.seed)
        return 0
    if args.command == "evaluate" and not (Path(args.run) / "config.json").exists():
        parser.error(f"{args.run} is not a run folder (no config.json)")
    handler = {
        "train": train_command,
        "evaluate": evaluate_command,
        "summary": summary_command,
        "lab": lab_command,
    }
    try:
        return handler[args.command](args)
    except (OSError, ValueError) as error:  # missing data, unreadable files: no traceback
        print(f"neuralab {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
