"""The lab: the classic studies of deep learning, run with one command and shown as one
report.

    neuralab lab [STUDY ...] [--quick] [--seeds N] [--out DIR] [--set key=value] [--list]

or from Python, ``neuralab.lab.run_studies(["activations"], quick=True, out="report")``.
Each study (``neuralab.lab.<name>``) is a typed ``Config`` (its defaults are the full
settings), ``run(config, seed) -> Result`` and ``report(config, seeds) -> blocks``; see
``neuralab.lab.study`` to write one's own. Every study runs over several seeds (quick: 2,
full: 5) and reports means with 95 % confidence intervals.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from neuralab import backend
from neuralab.lab.report import Figure, Section, write_report
from neuralab.lab.study import Result, Seeds, Study, make_config

__all__ = [
    "STUDY_MODULES",
    "Result",
    "Seeds",
    "Study",
    "get_study",
    "listing",
    "make_config",
    "run_studies",
    "studies",
]

# The built-in studies, in the report's order (module names under neuralab.lab).
STUDY_MODULES = (
    "forward_pass",
    "perceptron",
    "activations",
    "losses",
    "optimizers",
    "schedules",
    "momentum",
    "initialization",
    "architectures",
    "gan",
    "tuning",
)

QUICK_SEEDS, FULL_SEEDS = 2, 5


def get_study(name: str | Study) -> Study:
    """A built-in study by name (or a Study, returned as it is)."""
    if isinstance(name, Study):
        return name
    if name not in STUDY_MODULES:
        raise ValueError(f"unknown study {name!r}; the studies are: {', '.join(STUDY_MODULES)}")
    return importlib.import_module(f"neuralab.lab.{name}").STUDY


def studies() -> list[Study]:
    """Every built-in study, in order."""
    return [get_study(name) for name in STUDY_MODULES]


def _setting(value: Any) -> str:
    """A setting as ``--set`` reads it (tuples as comma-separated items)."""
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    return str(value)


def listing(width: int = 100) -> str:
    """What ``neuralab lab --list`` prints: for every study its name, title and question,
    its settings with their full-mode values, and what quick mode changes, in the
    ``--set key=value`` syntax."""
    import textwrap

    indent = " " * 17
    lines = []
    for study in studies():
        full = dataclasses.asdict(study.config())
        quick = ", ".join(f"{k}={_setting(v)}" for k, v in study.quick.items())
        lines.append(f"{study.name:16s} {study.title}")
        for label, text in (
            ("", study.question),
            ("settings: ", " ".join(f"{k}={_setting(v)}" for k, v in full.items())),
            ("quick mode: ", quick or "the full settings"),
        ):
            lines += textwrap.wrap(
                label + text,
                width,
                initial_indent=indent,
                subsequent_indent=indent + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    return "\n".join(lines)


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Limit BLAS to ``limit`` threads (None: leave it) when threadpoolctl, a dependency of
    scikit-learn, is installed. The studies' matrices are small: one thread is about as
    fast as two on an idle machine, and many times faster on a busy one, where BLAS's
    spinning threads fight other processes for the cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        limit = None
    if limit is None:
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def run_studies(
    selection: Sequence[str | Study] | None = None,
    *,
    quick: bool = False,
    seeds: int | None = None,
    out: str | Path = "lab-report",
    overrides: dict[str, dict[str, Any]] | None = None,
    log: Callable[[str], None] | None = print,
    threads: int | None = 1,
) -> Path:
    """Run the studies (all by default) over ``seeds`` seeds (quick: 2, full: 5), write
    ``out/index.html``, its images and ``out/results.json``; return the page's path.

    overrides: {study name: {setting: value}} on top of the (quick) config. threads: BLAS
    threads while the studies run (None: the library's default). Each run is
    seeded with ``neuralab.manual_seed(seed)`` first, so two runs give the same numbers
    (but for wall-clock timings).
    """
    chosen = []
    for study in (get_study(s) for s in (selection or STUDY_MODULES)):
        if study.name in [c.name for c in chosen]:
            continue  # a study named twice runs once
        chosen.append(study)
    overrides = dict(overrides or {})
    unknown = set(overrides) - {s.name for s in chosen}
    if unknown:
        raise ValueError(f"settings given for studies that are not run: {sorted(unknown)}")
    configs = [make_config(s, quick, overrides.get(s.name)) for s in chosen]  # fail early
    n_seeds = seeds if seeds is not None else (QUICK_SEEDS if quick else FULL_SEEDS)
    if n_seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {n_seeds}")
    seed_list = list(range(n_seeds))
    sections, results = [], {"mode": "quick" if quick else "full", "studies": {}}
    for study, config in zip(chosen, configs):
        start = time.perf_counter()
        outcomes = []
        with blas_threads(threads):
            for seed in seed_list:
                backend.manual_seed(seed)
                outcomes.append(study.run(config, seed))
        seeds_result = Seeds(outcomes, seed_list, study.bounds_for(config))
        blocks = study.report(config, seeds_result)
        for block in blocks:
            if isinstance(block, Figure):
                block.render()  # drawn now: the study's time includes its plots
        seconds = time.perf_counter() - start
        settings = dataclasses.asdict(config)
        sections.append(
            Section(study.name, study.title, study.question, settings, seed_list, seconds, blocks)
        )
        results["studies"][study.name] = {
            "title": study.title,
            "question": study.question,
            "config": settings,
            "seeds": seed_list,
            "seconds": seconds,
            "summary": seeds_result.summary(),
            "results": [r.to_dict() for r in outcomes],
        }
        if log:
            log(f"{study.title}: {seconds:.1f} s")
    title = f"neuralab lab report ({results['mode']} mode, {n_seeds} seed{'s' * (n_seeds > 1)})"
    page = write_report(sections, out, results, title)
    if log:
        log(f"wrote {page} and {Path(out) / 'results.json'}")
    return page
