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
from neuralab.lab.report import Figure, Section, Text, write_report
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


UNFINISHED = ".unfinished"  # under the report folder: studies finished before a stop


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

    Every finished study's results are kept in ``out/.unfinished/`` until the report is
    written: a run that is interrupted (Ctrl-C raises ``cli_faults.Interrupted`` saying
    what was kept) or fails, then started again with the same settings, reuses them
    instead of running those studies again. A study whose numbers are not finite (a run
    that diverged) says so in words in its section and in results.json, where each such
    number is null (``neuralab.strict_json``).
    """
    from neuralab.cli_faults import Interrupted

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
    if isinstance(n_seeds, bool) or not isinstance(n_seeds, int):
        raise TypeError(f"seeds must be an integer, got {n_seeds!r}")
    if n_seeds < 1:
        raise ValueError(f"seeds must be at least 1, got {n_seeds}")
    seed_list = list(range(n_seeds))
    sections, results = [], {"mode": "quick" if quick else "full", "studies": {}}
    kept = _Kept(Path(out) / UNFINISHED)
    done: list[str] = []
    try:
        for study, config in zip(chosen, configs):
            settings = dataclasses.asdict(config)
            start = time.perf_counter()
            outcomes, seconds = kept.load(study.name, settings, seed_list)
            if outcomes is None:
                outcomes = []
                with blas_threads(threads):
                    for seed in seed_list:
                        backend.manual_seed(seed)
                        outcomes.append(study.run(config, seed))
                seconds = time.perf_counter() - start
                kept.save(study.name, settings, seed_list, outcomes, seconds)
                how = f"{seconds:.1f} s"
            else:
                how = f"kept from the interrupted run ({seconds:.1f} s then)"
            seeds_result = Seeds(outcomes, seed_list, study.bounds_for(config))
            blocks = study.report(config, seeds_result)
            for block in blocks:
                if isinstance(block, Figure):
                    block.render()  # drawn now: the study's time includes its plots
            entry = {
                "title": study.title,
                "question": study.question,
                "config": settings,
                "seeds": seed_list,
                "seconds": seconds,
                "summary": seeds_result.summary(),
                "results": [r.to_dict() for r in outcomes],
            }
            diverged = _not_finite(entry)
            if diverged:
                entry["diverged"] = diverged
                blocks = [Text(diverged), *blocks]
            sections.append(
                Section(
                    study.name, study.title, study.question, settings, seed_list, seconds, blocks
                )
            )
            results["studies"][study.name] = entry
            done.append(study.name)
            if log:
                log(f"{study.title}: {how}")
                if diverged:
                    log(f"{study.title}: {diverged}")
    except KeyboardInterrupt:
        finished = kept.names()
        if finished:
            raise Interrupted(
                f"the finished studies ({', '.join(finished)}) are kept in {kept.folder}; run "
                "the same command again to resume (they are not run again)"
            ) from None
        raise Interrupted("no study had finished, nothing was kept") from None
    title = f"neuralab lab report ({results['mode']} mode, {n_seeds} seed{'s' * (n_seeds > 1)})"
    page = write_report(sections, out, results, title)
    kept.clear()
    if log:
        log(f"wrote {page} and {Path(out) / 'results.json'}")
    return page


def _not_finite(entry: dict[str, Any]) -> str:
    """In words, which of a study's numbers are NaN or infinite (empty when none)."""
    from neuralab.strict_json import finite_or_null

    _, found = finite_or_null({"summary": entry["summary"], "results": entry["results"]})
    if not found:
        return ""
    places = sorted(found)
    shown = ", ".join(f"{p} = {found[p]}" for p in places[:5])
    more = f" and {len(places) - 5} more" if len(places) > 5 else ""
    return (
        f"{len(places)} number(s) of this study are not finite: the training diverged or the "
        f"quantity is undefined ({shown}{more}); results.json holds null for each"
    )


class _Kept:
    """Finished studies' results on disk (``folder/NAME.json``, strict JSON written
    atomically) with the settings and seeds they were run with; ``load`` returns them
    only for the same settings, seeds and neuralab version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _key(self, name: str, settings: dict[str, Any], seeds: list[int]) -> Any:
        import neuralab

        return _pack({"study": name, "settings": settings, "seeds": seeds,
                      "version": getattr(neuralab, "__version__", "")})  # fmt: skip

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def save(
        self,
        name: str,
        settings: dict[str, Any],
        seeds: list[int],
        outcomes: list[Result],
        seconds: float,
    ) -> None:
        import json

        from neuralab.io import atomic_write

        results = [r.to_dict() for r in outcomes]
        packed = _pack(results)
        if packed is None or repr(_unpack(packed)) != repr(results):
            return  # not plain JSON data: the study runs again on a resume
        text = json.dumps(
            {"key": self._key(name, settings, seeds), "seconds": seconds, "results": packed},
            allow_nan=False,
        )
        with contextlib.suppress(OSError):  # keeping it is a convenience, not the result
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(str(self.folder / f"{name}.json"), text.encode())

    def load(
        self, name: str, settings: dict[str, Any], seeds: list[int]
    ) -> tuple[list[Result] | None, float]:
        import json

        path = self.folder / f"{name}.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored["key"] != self._key(name, settings, seeds):
                return None, 0.0
            results = [Result(**_unpack(r)) for r in stored["results"]]
            return results, float(stored["seconds"])
        except Exception:  # missing, stale or damaged: run the study again
            return None, 0.0

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _pack(value: Any) -> Any:
    """Plain data as strict JSON: tuples and non-finite floats tagged; None when ``value``
    holds anything else (the caller then does not keep it)."""
    import math

    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [_pack(v) for v in value]
        if any(i is None and v is not None for i, v in zip(items, value)):
            return None
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict) and all(isinstance(k, str) and not k.startswith("$") for k in value):
        items = {k: _pack(v) for k, v in value.items()}
        if any(items[k] is None and value[k] is not None for k in value):
            return None
        return items
    return None


def _unpack(value: Any) -> Any:
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$float"}:
            return float(value["$float"])
        if set(value) == {"$tuple"}:
            return tuple(_unpack(v) for v in value["$tuple"])
        return {k: _unpack(v) for k, v in value.items()}
    return value
