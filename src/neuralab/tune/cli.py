"""``neuralab tune``: run, resume or join a tuning study from a TOML or YAML file.

    neuralab tune CONFIG [--storage URL] [--study NAME] [--trials N]
                         [--strategy grid|random|tpe|hyperband] [--timeout S]
                         [--epoch-budget E] [--out DIR] [--worker] [--compare S,S,...]
                         [--quiet]

The study's name defaults to the config's, else DATA-STRATEGY-HASH (``runner.study_name``:
two configurations never share one), and the report folder to runs/tune/NAME, so that
two studies never write over each other.

With ``--compare`` and ``--epoch-budget``, the epoch budget is each strategy's budget: the
file's ``trials`` cap is ignored (``--trials`` sets one). ``--compare`` cannot be combined
with ``--strategy`` or ``--worker``.

Exit status: 0 done, 1 bad configuration, data or storage, or an unexpected error (one
line, no traceback; an unexpected error's traceback is written to a file the line
names), 2 bad arguments (``neuralab.cli_checks``: a missing config file, ``--timeout
nan``, ...), 130 interrupted (the finished trials are kept; run
it again to resume).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from neuralab import cli_checks as checks
from neuralab.extras import MissingExtraError

__all__ = ["add_parser", "command"]


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``tune`` subcommand to ``neuralab``'s subparsers."""
    from neuralab.tune.config import STRATEGIES

    tune = commands.add_parser(
        "tune",
        help="search hyperparameters of the MLP with Optuna (resumable, distributable)",
        description="Search hyperparameters with Optuna; CONFIG is a TOML or YAML file "
        "(see neuralab.tune.config). Running the same command again resumes the study; "
        "several machines given the same --storage and --study share it.",
    )
    tune.add_argument(
        "config",
        type=checks.existing_file,
        help="the study's TOML (.toml), YAML (.yaml) or JSON (.json) file",
    )
    tune.add_argument(
        "--storage",
        help="database URL (sqlite:///PATH, postgresql://USER:PASSWORD@HOST/DB) or SQLite "
        "file (default: the config's, else OUT/study.db)",
    )
    tune.add_argument(
        "--study",
        metavar="NAME",
        help="the study's name (default: the config's, else DATA-STRATEGY-HASH, derived "
        "from the configuration, e.g. mnist-tpe-1a2b3c4d)",
    )
    tune.add_argument(
        "--trials",
        type=checks.count(),
        metavar="N",
        help="finished trials the study should hold (default: the config's)",
    )
    tune.add_argument(
        "--strategy", choices=STRATEGIES, help="search strategy (default: the config's)"
    )
    tune.add_argument(
        "--timeout",
        type=checks.positive_seconds,
        metavar="S",
        help="seconds for this worker (default: the config's, else none)",
    )
    tune.add_argument(
        "--epoch-budget",
        type=checks.count(10**9),
        metavar="E",
        help="epochs of all trials (default: the config's, else none)",
    )
    tune.add_argument(
        "--out",
        type=checks.output_folder,
        metavar="DIR",
        help="report folder (default: runs/tune/NAME, NAME the study's; with --compare "
        "the config's name, else DATA-compare-HASH)",
    )
    tune.add_argument(
        "--worker",
        action="store_true",
        help="only run trials (no retraining, no report): the extra workers of a search",
    )
    tune.add_argument(
        "--compare",
        metavar="S,S,...",
        help="run each strategy (e.g. grid,random,tpe,hyperband) with the same budget as a "
        "study of its own and compare them in the report; with --epoch-budget, that is each "
        "strategy's budget (the file's trials cap is ignored unless --trials is given)",
    )
    tune.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar and no line per trial (the summary and errors still)",
    )
    tune.set_defaults(tune_parser=tune)
    return tune


def command(args: argparse.Namespace) -> int:
    """Run ``neuralab tune`` with parsed arguments; return the exit status."""
    from neuralab.tune.config import load_config
    from neuralab.tune.runner import compare, run, study_name

    if args.compare and (args.strategy or args.worker):
        option = "--strategy" if args.strategy else "--worker"
        message = f"--compare runs every strategy it names itself; it cannot take {option}"
        parser = getattr(args, "tune_parser", None)
        if parser is not None:
            parser.error(message)  # exits with status 2
        print(f"neuralab tune: error: {message}", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config).replace(
            epoch_budget=args.epoch_budget, timeout=args.timeout
        )
        config = config.replace(name=args.study, trials=args.trials, strategy=args.strategy)
        strategies = [s.strip() for s in (args.compare or "").split(",") if s.strip()]
        label = "compare" if strategies else None
        out = args.out or str(Path("runs") / "tune" / study_name(config, label))
        storage = args.storage
        if storage is None and config.storage is None:  # workers too: OUT/study.db
            storage = str(Path(out) / "study.db")
        if strategies and args.epoch_budget is not None and args.trials is None:
            # the epoch budget is the budget compared: no trial cap binds before it
            config = dataclasses.replace(config, trials=None)
        cap = config.trials if not strategies else config.trials and config.trials * len(strategies)
        log = _TrialLog(cap, args.quiet)
        try:
            if strategies:
                compare(config, strategies, storage=storage, out=out, log=log)
            else:
                run(config, storage=storage, out=None if args.worker else out,
                    worker=args.worker, log=log)  # fmt: skip
        finally:
            log.bar.close()
    except KeyboardInterrupt:
        print(
            "neuralab tune: interrupted; the finished trials are kept in the storage, run "
            "the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except (OSError, ValueError, TypeError, MissingExtraError) as error:
        print(f"neuralab tune: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug or a library's failure: still one line
        from neuralab.cli_faults import crash_file, one_line

        print(
            f"neuralab tune: unexpected error: {type(error).__name__}: {one_line(error)} (the "
            f"finished trials are kept in the storage; the full traceback is in "
            f"{crash_file('tune', error)})",
            file=sys.stderr,
        )
        return 1
    return 0


class _TrialLog:
    """The runner's lines on standard output, with a bar over the trials (of ``total``,
    when known) on standard error when it is a terminal; ``quiet``: no bar and no line
    per trial."""

    def __init__(self, total: int | None, quiet: bool) -> None:
        from neuralab.progress import Bar, shown

        self.quiet = quiet
        self.bar = Bar(total, "tune", "trial", show=not quiet and shown())

    def __call__(self, line: str) -> None:
        trial = line.startswith("trial ")
        if not (trial and self.quiet):
            self.bar.close()
            print(line, flush=True)
        if trial:
            self.bar.update(1)
        else:
            self.bar.redraw()
