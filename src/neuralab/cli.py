"""The ``neuralab`` command: ``neuralab`` alone prints ``GUIDE``; ``neuralab COMMAND
--help`` each command's options with their defaults.

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
from neuralab.progress import Bar, shown
from neuralab.train import Callback

DOCS = "the docs/ folder of neuralab's source ('make docs' builds site/index.html)"
DESCRIPTION = (
    "neuralab: a NumPy deep-learning library with its own autograd, and the lab, the "
    "classic studies of deep learning run on it. Run 'neuralab' alone for a short guide, "
    "'neuralab COMMAND --help' for a command's options."
)
GUIDE = f"""\
neuralab {nl.__version__}: deep learning from first principles, on NumPy.

Commands (each with an example; 'neuralab COMMAND --help' lists its options):
  demo        train a small MLP on three spirals, printing the loss
                neuralab demo --epochs 200
  train       train an MLP classifier and write its run folder (weights, history)
                neuralab train --data digits --epochs 5 --out runs/digits
  evaluate    test a run folder written by 'train' on its test set
                neuralab evaluate runs/digits
  summary     the MLP's layers and parameter counts
                neuralab summary --data mnist --hidden 128 64
  lab         run the classic studies, write an HTML report (runs/lab/index.html)
                neuralab lab --quick --out runs/lab
  tune        search hyperparameters with Optuna from a TOML or YAML file
                neuralab tune examples/tune-mnist.toml --trials 10
  playground  build a network in the browser and watch it learn (extra: playground)
                neuralab playground --port 8765   # opens http://127.0.0.1:8765

MNIST and Fashion-MNIST are read from --data-dir, else $NEURALAB_DATA, else the user
cache (~/.cache/neuralab, downloaded once and checked). Progress bars show on a terminal
(--quiet hides them). A non-empty --out folder is never replaced silently: see --force.
Documentation:
  {DOCS}.
"""


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
    """The train command's callback: a bar over each epoch's batches on standard error
    when it is a terminal (``neuralab.progress``); after each epoch a checkpoint
    (atomically), then one line on standard output (none with ``quiet``); remembers the
    last epoch safely on disk."""

    def __init__(self, checkpoint: Path, epochs: int, batches: int, quiet: bool) -> None:
        self.checkpoint, self.epochs, self.saved = checkpoint, epochs, 0
        self.batches, self.quiet = batches, quiet
        self.bar = Bar(None, show=False)

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        show = not self.quiet and shown()
        self.bar = Bar(self.batches, f"epoch {epoch}/{self.epochs}", "batch", show)

    def on_batch_end(self, trainer: Any, batch: int, logs: dict[str, float]) -> None:
        self.bar.update(1, loss=logs["loss"])

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        from neuralab.train import save_checkpoint

        self.bar.close()
        save_checkpoint(trainer, self.checkpoint)
        self.saved = epoch
        if not self.quiet:
            said = ", ".join(f"{k} {v:.4g}" for k, v in logs.items() if k in ("loss", "accuracy"))
            print(f"epoch {epoch}/{self.epochs}: {said} ({logs['time']:.1f} s)", flush=True)

    def on_train_end(self, trainer: Any) -> None:
        self.bar.close()


# what ``neuralab train`` writes in its run folder (removed by --force)
RUN_FILES = ("config.json", "history.json", "checkpoint.safetensors", "weights.safetensors")


def _previous_config(out: Path) -> dict[str, Any] | None:
    from neuralab.safe_io import read_json

    try:
        previous = read_json(out / "config.json", "train")
    except (OSError, ValueError):
        return None
    return previous if isinstance(previous, dict) else None


def claim_run_folder(out: Path, config: dict[str, Any], force: bool, resume: bool) -> Path | None:
    """Check that ``train --out OUT`` may write there; the checkpoint to resume from, if any.

    OUT missing or empty: a new run. OUT holding an unfinished run of the same settings
    (a checkpoint, no weights yet): it resumes, as after Ctrl-C. OUT holding a finished
    run: refused, unless ``--resume`` (train it further, to a larger ``--epochs``) or
    ``--force`` (start over: train's files there are removed). Anything else there
    (another run's settings, other files): refused unless ``--force``. A refusal is a
    UsageError naming the way out."""
    from neuralab import io

    if not out.is_dir() or not any(out.iterdir()):
        if resume:
            raise cli_faults.UsageError(f"--resume: {out} holds no run to resume")
        return None
    if force:
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)
        return None
    checkpoint = out / "checkpoint.safetensors"
    previous = _previous_config(out)
    if previous is None or not checkpoint.is_file():
        raise cli_faults.UsageError(
            f"--out {out} is not empty and holds no run of 'neuralab train' to resume; use "
            "--force to write there anyway (train's files there are replaced), or choose "
            "another --out"
        )
    differ = [k for k in RESUME_KEYS if previous.get(k) != config[k]]
    if differ:
        was = ", ".join(f"{k} {previous.get(k)!r}" for k in differ)
        raise cli_faults.UsageError(
            f"--out {out} holds a run with other settings ({was}); use --force to replace "
            "it, or choose another --out"
        )
    finished = (out / "weights.safetensors").is_file()
    if finished and not resume:
        raise cli_faults.UsageError(
            f"--out {out} holds a finished run ({previous.get('epochs')} epochs); use "
            "--resume with a larger --epochs to train it further, --force to start over, "
            "or choose another --out"
        )
    try:
        state = io.load(checkpoint)
    except Exception as error:
        raise ValueError(
            f"{checkpoint}: cannot resume from it ({cli_faults.one_line(error)}); use "
            "--force to start over"
        ) from None
    done = state.get("epoch") if isinstance(state, dict) else None
    if finished and isinstance(done, int) and done >= config["epochs"]:
        raise cli_faults.UsageError(
            f"--resume: {out} already holds {done} epochs; give --epochs larger than {done}"
        )
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
    resume = claim_run_folder(out, config, args.force, args.resume)
    nl.manual_seed(args.seed)
    train, test = load_data(args.data, args.data_dir)
    model = build_model(args.data, args.hidden)
    opt = registry.make_optimizer(args.optimizer, model.parameters(), lr=args.lr)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "config.json", config)
    checkpoint = out / "checkpoint.safetensors"
    loader = DataLoader(TensorDataset(*train), args.batch_size, shuffle=True)
    progress = _Progress(checkpoint, args.epochs, len(loader), args.quiet)
    if resume is not None:
        print(f"resuming from {checkpoint}", flush=True)
    try:
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            loader,
            epochs=args.epochs,
            metrics=["accuracy"],
            callbacks=[HistoryLogger(out / "history.json"), progress],
            resume=resume,
            progress=False,  # the bar and the lines are _Progress's
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
    with _quiet_dask(args.cluster is not None), _other_run_is_usage_error(lab):
        lab.run_studies(
            args.studies or None,
            quick=args.quick,
            seeds=args.seeds,
            out=args.out,
            overrides=getattr(args, "overrides", None),
            log=_log,
            workers=args.workers or (1 if args.cluster else _cores()),
            cluster=args.cluster,
            force=args.force,
            progress=False if args.quiet else None,
        )
    return 0


@contextlib.contextmanager
def _other_run_is_usage_error(lab: Any) -> Iterator[None]:
    """``lab.OtherRunError`` (--out holds another run) as a usage error: exit 2."""
    try:
        yield
    except lab.OtherRunError as error:
        raise cli_faults.UsageError(cli_faults.one_line(error)) from None


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


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with each option's default after its help text ("(default: X)",
    a list as "128 64"), except where there is none (None, a flag that is off)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "(default" in text
            or not action.option_strings
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or default == []
            or action.nargs == 0
        ):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """argparse with the contract's usage errors: one line on standard error naming the
    argument (and where the usage is), exit status 2; every option's default in --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        line = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {line} (usage: {self.prog} --help)\n")


QUIET = "no progress bars, and no line per epoch, job or trial (results and errors still)"
DATA_DIR = (
    "folder of the MNIST / Fashion-MNIST IDX files; without it they are looked up in "
    "$NEURALAB_DATA, then the user cache (~/.cache/neuralab, downloaded there once)"
)


def build_parser() -> argparse.ArgumentParser:
    """The ``neuralab`` parser; every number and path goes through ``cli_checks``."""
    parser = _Parser(prog="neuralab", description=DESCRIPTION)
    parser.add_argument(
        "--version",
        action="version",
        version=f"neuralab {nl.__version__}",
        help="print neuralab's version and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    run_demo = commands.add_parser(
        "demo",
        help="train a small MLP on three spirals",
        description="Train a 2-64-64-3 MLP on three interleaved spirals with full-batch "
        "Adam written out by hand, printing the loss and the training accuracy.",
    )
    run_demo.add_argument("--epochs", type=checks.count(), default=500, help="training steps")
    run_demo.add_argument("--seed", type=checks.seed, default=0, help="random seed")
    hidden = {
        "nargs": "+",
        "type": checks.count(checks.MAX_SEED),  # bounded by memory: check_model_memory
        "default": [128, 64],
        "metavar": "N",
        "help": "hidden layer sizes, refused when the model would not fit in half of this "
        "machine's memory",
    }
    train = commands.add_parser(
        "train",
        help="train an MLP classifier and write its run folder",
        description="Train an MLP (ReLU between layers) on a data set and write OUT/ "
        "config.json, history.json, checkpoint.safetensors (after every epoch) and "
        "weights.safetensors, then print its test accuracy and F1. A run interrupted "
        "(Ctrl-C) resumes when the same command is run again; a finished run in OUT is "
        "never replaced without --force.",
    )
    train.add_argument("--data", choices=DATASETS, default="mnist", help="data set")
    train.add_argument("--hidden", **hidden)
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="optimizer")
    train.add_argument(
        "--lr",
        type=checks.learning_rate,
        default=1e-3,
        help=f"learning rate, 0 < lr <= {checks.MAX_LR:g}",
    )
    train.add_argument("--epochs", type=checks.count(), default=5, help="epochs to train")
    train.add_argument("--batch-size", type=checks.count(), default=64, help="batch size")
    train.add_argument("--seed", type=checks.seed, default=0, help="random seed")
    train.add_argument(
        "--out",
        type=checks.output_folder,
        default="runs/train",
        help="run folder: must be empty or new, or hold an interrupted run of the same "
        "settings (it resumes)",
    )
    again = train.add_mutually_exclusive_group()
    again.add_argument(
        "--force",
        action="store_true",
        help="start over in a non-empty --out (train's files there are replaced)",
    )
    again.add_argument(
        "--resume",
        action="store_true",
        help="train the finished run in --out further, from its checkpoint, to --epochs",
    )
    train.add_argument("--data-dir", type=checks.existing_folder, default=None, help=DATA_DIR)
    train.add_argument("--quiet", action="store_true", help=QUIET)
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a run folder on the test set",
        description="Load a run folder's weights and print its test loss, accuracy and F1.",
    )
    evaluate.add_argument("run", type=run_folder, help="a folder written by 'neuralab train'")
    evaluate.add_argument("--data-dir", type=checks.existing_folder, default=None, help=DATA_DIR)
    summarize = commands.add_parser(
        "summary",
        help="layers and parameter counts of the MLP",
        description="Print the layers, output shapes and parameter counts of the MLP that "
        "'neuralab train' would build.",
    )
    summarize.add_argument("--data", choices=DATASETS, default="mnist", help="data set")
    summarize.add_argument("--hidden", **hidden)
    lab = commands.add_parser(
        "lab",
        help="run the classic studies and write an HTML report with their results",
        description="Run the lab's studies (every one by default) over several seeds and "
        "write OUT/index.html, its images and OUT/results.json. Every finished job (study, "
        "seed) is kept in OUT/jobs/: the same command run again resumes. OUT holding "
        "another run (other studies, settings or seeds) is refused without --force.",
    )
    lab.add_argument("studies", nargs="*", help="studies to run (default: all; see --list)")
    lab.add_argument("--quick", action="store_true", help="small settings (minutes), 2 seeds")
    lab.add_argument(
        "--seeds",
        type=checks.count(1000),
        metavar="N",
        help="seeds per study, at most 1000 (default: 2 with --quick, else 5)",
    )
    lab.add_argument(
        "--out",
        type=checks.output_folder,
        default="runs/lab",
        help="report folder: new, empty, or holding this same run (it resumes)",
    )
    lab.add_argument(
        "--force",
        action="store_true",
        help="replace the report of another run in --out (its kept jobs stay, as a cache)",
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
        metavar="N",
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
    lab.add_argument("--quiet", action="store_true", help=QUIET)
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
    if args.command is None:
        print(GUIDE, end="")
        return 0

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
