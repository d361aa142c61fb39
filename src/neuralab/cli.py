"""The ``neuralab`` command.

Every argument is checked before any work (``neuralab.cli_checks``); whatever goes wrong
afterwards is one line on standard error with the contract's exit status
(``neuralab.cli_faults``): 0 ok, 1 runtime failure, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab import cli_checks as checks
from neuralab import cli_faults, registry, strict_json
from neuralab.train import Callback


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


# The data sets, optimizers and models by name: neuralab.registry's. A data set's input
# size and classes are known before it is read (the model's memory is checked first).
DATASETS = registry.DATASETS
INPUTS = {name: registry.SHAPES[name][0] for name in DATASETS}
CLASSES = {name: registry.SHAPES[name][1] for name in DATASETS}
OPTIMIZERS = tuple(registry.OPTIMIZERS)
# what a checkpoint must agree on to be resumed (--epochs may change: train further)
RESUME_KEYS = ("data", "hidden", "optimizer", "lr", "batch_size", "seed")
MAX_CONFIG_BYTES = 1 << 20


def load_data(name: str, data_dir: str | None) -> tuple[Any, Any]:
    """(train, test) arrays of the registry's data set ``name``, inputs in [-1, 1]: all of
    MNIST's or Fashion-MNIST's training and test files, the digits' fixed 80 / 20 split,
    the synthetic set's 800 / 200 samples."""
    splits = registry.load_splits(name, n_val=0, data_dir=data_dir)
    return splits.train, splits.test


def build_model(data: str, hidden: list[int]) -> Any:
    """The registry's MLP for data set ``data``: inputs-hidden...-classes, ReLU between
    layers."""
    return registry.make_model(
        "mlp", in_features=INPUTS[data], classes=CLASSES[data], hidden=hidden
    )


# --- run folders ------------------------------------------------------------------------
def read_run_config(run: Path) -> dict[str, Any]:
    """A run folder's config.json, checked: an object with a known ``data`` name and
    ``hidden`` sizes whose model fits in memory; a ValueError naming the file and the key
    otherwise."""
    path = run / "config.json"
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise ValueError(f"{path}: {size:,} bytes, not a config.json written by neuralab train")
    try:
        config = json.loads(path.read_bytes())
    except RecursionError:
        raise ValueError(f"{path}: not valid JSON (nested too deeply)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(config).__name__}")
    if config.get("data") not in INPUTS:
        raise ValueError(
            f"{path}: 'data' must be one of {', '.join(DATASETS)}, got {config.get('data')!r}"
        )
    hidden = config.get("hidden")
    if not (
        isinstance(hidden, list)
        and all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in hidden)
    ):
        raise ValueError(f"{path}: 'hidden' must be a list of positive integers, got {hidden!r}")
    sizes = [INPUTS[config["data"]], *hidden, CLASSES[config["data"]]]
    checks.check_model_memory(sizes, what=f"{path}: hidden")
    return config


def run_folder(text: str) -> str:
    """argparse type: a folder that exists and holds a config.json (its contents are
    checked by ``read_run_config``)."""
    checks.existing_folder(text)
    if not (Path(text) / "config.json").is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a run folder (no config.json)")
    return text


def _write_json(path: Path, data: Any) -> None:
    from neuralab.io import atomic_write

    atomic_write(str(path), strict_json.dumps(data, indent=1).encode())


class _Progress(Callback):
    """The train command's callback: checkpoint after each epoch (atomically), then one
    line on standard output; remembers the last epoch safely on disk."""

    def __init__(self, checkpoint: Path, epochs: int) -> None:
        self.checkpoint, self.epochs, self.saved = checkpoint, epochs, 0

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        from neuralab.train import save_checkpoint

        save_checkpoint(trainer, self.checkpoint)
        self.saved = epoch
        shown = ", ".join(f"{k} {v:.4g}" for k, v in logs.items() if k in ("loss", "accuracy"))
        print(f"epoch {epoch}/{self.epochs}: {shown}", flush=True)


def _resumable(out: Path, config: dict[str, Any]) -> Path | None:
    """The run folder's checkpoint when it was written with the same settings."""
    from neuralab import io
    from neuralab.safe_io import read_json

    checkpoint = out / "checkpoint.safetensors"
    if not checkpoint.is_file():
        return None
    try:
        previous = read_json(out / "config.json", "train")
    except (OSError, ValueError):
        return None
    if not isinstance(previous, dict) or any(previous.get(k) != config[k] for k in RESUME_KEYS):
        return None
    try:
        io.load(checkpoint)
    except Exception as error:
        raise ValueError(
            f"{checkpoint}: cannot resume from it ({cli_faults.one_line(error)}); delete it "
            "to start over"
        ) from None
    return checkpoint


def train_command(args: argparse.Namespace) -> int:
    from neuralab import nn
    from neuralab.callbacks import HistoryLogger
    from neuralab.data import DataLoader, TensorDataset
    from neuralab.train import evaluate, fit

    out = Path(args.out)
    config = {
        "data": args.data,
        "hidden": args.hidden,
        "optimizer": args.optimizer,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "epochs": args.epochs,
    }
    resume = _resumable(out, config)
    nl.manual_seed(args.seed)
    train, test = load_data(args.data, args.data_dir)
    model = build_model(args.data, args.hidden)
    opt = registry.make_optimizer(args.optimizer, model.parameters(), lr=args.lr)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "config.json", config)
    checkpoint = out / "checkpoint.safetensors"
    progress = _Progress(checkpoint, args.epochs)
    if resume is not None:
        print(f"resuming from {checkpoint}", flush=True)
    try:
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            DataLoader(TensorDataset(*train), args.batch_size, shuffle=True),
            epochs=args.epochs,
            metrics=["accuracy"],
            callbacks=[HistoryLogger(out / "history.json"), progress],
            resume=resume,
            progress=None if args.progress else False,
        )
    except KeyboardInterrupt:
        if progress.saved or resume is not None:
            kept = f"{checkpoint} keeps the last finished epoch"
            if progress.saved:
                kept = f"{checkpoint} keeps epoch {progress.saved} of {args.epochs}"
            raise cli_faults.Interrupted(
                f"{kept}; run the same command again to resume from it"
            ) from None
        raise cli_faults.Interrupted(
            "no epoch had finished, nothing to resume; run the command again to start over"
        ) from None
    nl.save(model.state_dict(), out / "weights.safetensors")
    result = evaluate(model, nn.CrossEntropyLoss(), test, metrics=["accuracy", "f1"])
    print(" ".join(f"test {k} {v:.4f}" for k, v in result.items()))
    print(f"wrote {out}/weights.safetensors, history.json, checkpoint.safetensors")
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    from neuralab import nn
    from neuralab.train import evaluate

    run = Path(args.run)
    config = read_run_config(run)
    weights_path = run / "weights.safetensors"
    if not weights_path.is_file():
        raise ValueError(
            f"{run} has no weights.safetensors: its training did not finish (run its "
            f"'neuralab train --out {run}' command again to resume it)"
        )
    model = build_model(config["data"], config["hidden"])
    try:
        model.load_state_dict(nl.load(weights_path))
    except (OSError, MemoryError):
        raise
    except Exception as error:
        raise ValueError(
            f"{weights_path}: cannot load it into the model of config.json "
            f"({cli_faults.one_line(error)})"
        ) from None
    _, test = load_data(config["data"], args.data_dir)
    result = evaluate(model, nn.CrossEntropyLoss(), test, metrics=["accuracy", "f1"])
    print(" ".join(f"test {k} {v:.4f}" for k, v in result.items()))
    return 0


def summary_command(args: argparse.Namespace) -> int:
    from neuralab.inspect import summary

    print(summary(build_model(args.data, args.hidden), (1, INPUTS[args.data])))
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


def check_lab_arguments(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """The studies named and every ``--set`` value, checked against the studies' config
    types; the overrides by study. A ValueError names what is wrong."""
    from neuralab import lab

    overrides = _parse_settings(args.set, args.studies)
    for name in [*args.studies, *overrides]:
        lab.get_study(name)
    skipped = sorted(set(overrides) - set(args.studies)) if args.studies else []
    if skipped:
        raise ValueError(f"--set names {', '.join(skipped)}, not among the studies run")
    for name, values in overrides.items():
        lab.make_config(lab.get_study(name), args.quick, values)
    return overrides


def lab_command(args: argparse.Namespace) -> int:
    from neuralab import lab

    if args.list:
        print(lab.listing())
        return 0
    if args.report_only is not None:
        try:
            lab.report_only(args.report_only, log=_log)
        except lab.NoResultsError as error:
            raise cli_faults.UsageError(cli_faults.one_line(error)) from None
        return 0
    with _quiet_dask(args.cluster is not None):
        lab.run_studies(
            args.studies or None,
            quick=args.quick,
            seeds=args.seeds,
            out=args.out,
            overrides=getattr(args, "overrides", None),
            log=_log,
            workers=args.workers or (1 if args.cluster else _cores()),
            cluster=args.cluster,
        )
    return 0


@contextlib.contextmanager
def _quiet_dask(quiet: bool) -> Iterator[None]:
    """No log records up to ERROR while ``quiet``: Dask's client logs a lost connection
    with its traceback, and the command says what failed in one line of its own (the
    scheduler and the workers keep their logs)."""
    before = logging.root.manager.disable
    if quiet:
        logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(before)


def _cores() -> int:
    """The cores this process may use (its CPU affinity where the system says)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on every system
        return os.cpu_count() or 1


def _log(line: str) -> None:
    print(line, flush=True)


class _Parser(argparse.ArgumentParser):
    """argparse with the contract's usage errors: one line on standard error naming the
    argument (and where the usage is), exit status 2."""

    def error(self, message: str) -> NoReturn:
        line = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {line} (usage: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``neuralab`` parser; every number and path goes through ``cli_checks``."""
    parser = _Parser(prog="neuralab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="train a small MLP on three spirals")
    run_demo.add_argument("--epochs", type=checks.count(), default=500)
    run_demo.add_argument("--seed", type=checks.seed, default=0)
    hidden = {
        "nargs": "+",
        "type": checks.count(checks.MAX_SEED),  # bounded by memory: check_model_memory
        "default": [128, 64],
        "help": "hidden layer sizes (default: 128 64; refused when the model would not fit "
        "in half of this machine's memory)",
    }
    train = commands.add_parser("train", help="train an MLP classifier and write its run folder")
    train.add_argument("--data", choices=DATASETS, default="mnist")
    train.add_argument("--hidden", **hidden)
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    train.add_argument(
        "--lr",
        type=checks.learning_rate,
        default=1e-3,
        help=f"learning rate, 0 < lr <= {checks.MAX_LR:g} (default: 0.001)",
    )
    train.add_argument("--epochs", type=checks.count(), default=5)
    train.add_argument("--batch-size", type=checks.count(), default=64)
    train.add_argument("--seed", type=checks.seed, default=0)
    train.add_argument(
        "--out",
        type=checks.output_folder,
        default="runs/train",
        help="run folder (default: runs/train); a run interrupted there resumes from its "
        "checkpoint when the same command is run again",
    )
    train.add_argument(
        "--data-dir", type=checks.existing_folder, default=None, help="folder of the IDX files"
    )
    train.add_argument("--progress", action="store_true", help="show a progress bar")
    evaluate = commands.add_parser("evaluate", help="evaluate a run folder on the test set")
    evaluate.add_argument("run", type=run_folder, help="a folder written by 'neuralab train'")
    evaluate.add_argument("--data-dir", type=checks.existing_folder, default=None)
    summarize = commands.add_parser("summary", help="layers and parameter counts of the MLP")
    summarize.add_argument("--data", choices=DATASETS, default="mnist")
    summarize.add_argument("--hidden", **hidden)
    lab = commands.add_parser(
        "lab", help="run the classic studies and write an HTML report with their results"
    )
    lab.add_argument("studies", nargs="*", help="studies to run (default: all; see --list)")
    lab.add_argument("--quick", action="store_true", help="small settings (minutes), 2 seeds")
    lab.add_argument(
        "--seeds", type=checks.count(1000), help="seeds per study (quick 2, full 5; at most 1000)"
    )
    lab.add_argument(
        "--out",
        type=checks.output_folder,
        default="runs/lab",
        help="report folder (default: runs/lab); every finished job (study, seed) is kept "
        "in DIR/jobs/ and reused when the same command is run again",
    )
    lab.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="[STUDY.]KEY=VALUE",
        help="change a study's setting (repeatable)",
    )
    where = lab.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=checks.count(1024),
        default=None,
        help="run the jobs (one per study and seed) on N processes (default: one per core); "
        "the numbers are the same, bit for bit, for every N",
    )
    where.add_argument(
        "--cluster",
        metavar="ADDRESS",
        type=checks.scheduler_address,
        default=None,
        help="run the jobs on the Dask cluster whose scheduler is at ADDRESS "
        "(tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786; needs neuralab[cluster]); the same "
        "numbers, bit for bit",
    )
    lab.add_argument(
        "--report-only",
        metavar="DIR",
        type=checks.existing_folder,
        default=None,
        help="rebuild DIR's report from the results kept there, without training",
    )
    lab.add_argument("--list", action="store_true", help="name the studies and their settings")
    from neuralab.tune.cli import add_parser as add_tune_parser

    add_tune_parser(commands)
    from neuralab.playground.cli import add_parser as add_playground_parser

    add_playground_parser(commands)
    return parser


def check_arguments(args: argparse.Namespace) -> None:
    """The checks that need several arguments (model memory, run folders, --set values);
    a failure is a ``UsageError``: one line, exit 2, before any work."""
    try:
        if args.command in ("train", "summary"):
            batch = getattr(args, "batch_size", 1)
            checks.check_model_memory([INPUTS[args.data], *args.hidden, CLASSES[args.data]], batch)
        elif args.command == "lab" and args.report_only is not None:
            if args.studies or args.set or args.list or args.cluster:
                raise ValueError("--report-only DIR takes no studies, --set, --list or --cluster")
        elif args.command == "lab" and not args.list:
            args.overrides = check_lab_arguments(args)
            if args.cluster:
                from neuralab.lab.jobs import import_distributed

                try:
                    import_distributed()
                except ImportError as error:
                    raise ValueError(f"--cluster: {error}") from None
    except ValueError as error:
        raise cli_faults.UsageError(cli_faults.one_line(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Run the ``neuralab`` command; return its exit status (0 ok, 1 runtime failure, 2
    usage error, 130 interrupted; see ``neuralab.cli_faults``)."""
    args = build_parser().parse_args(argv)

    def work() -> int:
        check_arguments(args)
        if args.command == "tune":
            from neuralab.tune.cli import command as tune_command

            return tune_command(args)
        if args.command == "playground":
            from neuralab.playground.cli import command as playground_command

            return playground_command(args)
        if args.command == "demo":
            demo(args.epochs, args.seed)
            return 0
        handler = {
            "train": train_command,
            "evaluate": evaluate_command,
            "summary": summary_command,
            "lab": lab_command,
        }[args.command]
        return handler(args)

    return cli_faults.guard(args.command, work)


if __name__ == "__main__":
    sys.exit(main())
