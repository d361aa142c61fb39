"""The lab: the classic studies of deep learning, run with one command and shown as one
report.

    neuralab lab [STUDY ...] [--quick] [--seeds N] [--out DIR] [--set key=value]
                 [--workers N | --cluster tcp://HOST:PORT]
    neuralab lab --report-only DIR
    neuralab lab --list

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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from neuralab.extras import require
from neuralab.lab import findings
from neuralab.lab.report import Figure, Section, Text, write_report
from neuralab.lab.study import Result, Seeds, Study, make_config

__all__ = [
    "STUDY_MODULES",
    "OtherRunError",
    "Result",
    "Seeds",
    "Study",
    "get_study",
    "listing",
    "make_config",
    "report_only",
    "run_seeds",
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
    """A built-in study by name (a ``Study`` is returned as it is).

    Args:
        name: One of ``STUDY_MODULES``, or a ``Study``.

    Returns:
        The ``Study``.

    Raises:
        ValueError: If the name is not a built-in study.

    Examples:
        >>> from neuralab import lab
        >>> lab.get_study("activations").title
        '3. Activation functions'
    """
    if isinstance(name, Study):
        return name
    if name not in STUDY_MODULES:
        raise ValueError(f"unknown study {name!r}; the studies are: {', '.join(STUDY_MODULES)}")
    return importlib.import_module(f"neuralab.lab.{name}").STUDY


def studies() -> list[Study]:
    """Every built-in study, in the report's order.

    Returns:
        The ``Study`` of each of ``STUDY_MODULES``.

    Examples:
        >>> from neuralab import lab
        >>> [study.name for study in lab.studies()][:3]
        ['forward_pass', 'perceptron', 'activations']
    """
    return [get_study(name) for name in STUDY_MODULES]


def _setting(value: Any) -> str:
    """A setting as ``--set`` reads it (tuples as comma-separated items)."""
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    return str(value)


def listing(width: int = 100) -> str:
    """What ``neuralab lab --list`` prints.

    For every study: its name, title and question, its settings with their full-mode values
    and what quick mode changes, in the ``--set key=value`` syntax.

    Args:
        width: The lines' width. Defaults to 100.

    Returns:
        The text.

    Examples:
        >>> from neuralab import lab
        >>> lab.listing().splitlines()[0]
        'forward_pass     1. The forward pass, step by step'
    """
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
    workers: int = 1,
    cluster: str | None = None,
    resume: bool = True,
    force: bool = False,
    progress: bool | None = None,
) -> Path:
    """Runs the studies over seeds and writes the report; returns the page's path.

    Writes ``out/index.html``, its images and ``out/results.json``. The work is one job per
    (study, seed), each seeded with ``neuralab.manual_seed(seed)`` and run with one BLAS
    thread, so two runs give the same numbers (but for wall-clock timings), whether on one
    process, ``workers`` processes or a Dask ``cluster``. Every finished job is kept in
    ``out/jobs/`` (written atomically): the same call again (``resume``) loads the finished
    jobs instead of running them, so an interrupted run (Ctrl-C raises
    ``cli_faults.Interrupted`` saying what was kept) loses only the jobs in flight. A study
    whose numbers are not finite (a diverged run) says so in words in its section and in
    results.json, where each such number is null.

    Args:
        selection: Study names or ``Study`` objects. Defaults to None (every built-in study).
        quick: Whether to use each study's quick mode. Defaults to False.
        seeds: Seeds per study. Defaults to None (quick: 2, full: 5).
        out: The report's folder. Defaults to 'lab-report'.
        overrides: ``{study name: {setting: value}}`` on top of the (quick) config.
            Defaults to None.
        log: Where progress lines go (None: nowhere). Defaults to ``print``.
        threads: Kept for compatibility (jobs always use one BLAS thread). Defaults to 1.
        workers: Processes to run the jobs on. Defaults to 1.
        cluster: A Dask scheduler's address ``tcp://HOST:PORT`` to run the jobs on (needs
            ``neuralab[cluster]``). Defaults to None.
        resume: Whether to load the jobs already finished in ``out``. Defaults to True.
        force: Whether to replace a report of another run in ``out`` (its kept jobs stay, as
            a cache keyed by their settings). Defaults to False: ``out`` must be empty,
            missing, or hold this same run (the same studies, settings, mode and seeds: it
            resumes), else ``OtherRunError``.
        progress: A line per finished job through ``log`` and, when standard error is a
            terminal, an overall bar with the time left. Defaults to None (False: neither,
            True: the bar even when not a terminal).

    Returns:
        The path of ``out/index.html``.

    Raises:
        ValueError: If a study is unknown, or ``overrides`` names a study not selected or a
            setting it lacks.
        OtherRunError: If ``out`` holds another run and not ``force``.

    Examples:
        >>> import dataclasses
        >>> from neuralab import lab
        >>> @dataclasses.dataclass
        ... class Config:
        ...     n: int = 10
        >>> def run(config, seed):
        ...     result = lab.Result()
        ...     result.scalar("wide", "score", config.n + seed)
        ...     return result
        >>> toy = lab.Study("toy", "A toy study", "Does it run?", Config, run,
        ...                 report=lambda config, seeds: [], quick={"n": 2})
        >>> import tempfile
        >>> page = lab.run_studies([toy], quick=True, out=tempfile.mkdtemp(), log=None)
        >>> page.name
        'index.html'
    """
    from neuralab.cli_faults import Interrupted
    from neuralab.lab import jobs as lab_jobs

    del threads  # every job runs with one BLAS thread (see above)
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
    runner = lab_jobs.Runner(workers, cluster)
    seed_list = list(range(n_seeds))
    out = Path(out)
    mode = "quick" if quick else "full"
    plan = [(s, dataclasses.asdict(c)) for s, c in zip(chosen, configs)]
    all_jobs = [lab_jobs.Job(s, settings, seed) for s, settings in plan for seed in seed_list]
    require("matplotlib", "lab", "neuralab.lab")  # said now, not after the training
    require("scipy", "lab", "neuralab.lab")
    claim_folder(out, mode, seed_list, plan, force)
    lab_jobs.write_plan(out, mode, seed_list, plan)

    finished: dict[tuple[str, int], tuple[Result, float, bool]] = {}
    for job in all_jobs if resume else []:
        kept = lab_jobs.load_job(out, job)
        if kept is not None:
            finished[(job.study.name, job.seed)] = (*kept, True)
    to_run = [j for j in all_jobs if (j.study.name, j.seed) not in finished]
    to_run = lab_jobs.longest_first(to_run, quick)
    rendered: dict[str, tuple[Section, dict[str, Any], str]] = {}

    def render_ready(study: Study, config: Any, say: Callable[[str], None]) -> None:
        if study.name in rendered:
            return
        outcomes = [finished.get((study.name, seed)) for seed in seed_list]
        if any(o is None for o in outcomes):
            return
        section, entry, diverged = study_section(
            study, config, seed_list, [o[0] for o in outcomes], sum(o[1] for o in outcomes)
        )
        rendered[study.name] = (section, entry, diverged)
        kept = sum(o[2] for o in outcomes)
        how = f"{entry['seconds']:.1f} s"
        if kept:
            how += f" ({kept} of {len(outcomes)} job(s) kept from an earlier run)"
        say(f"{study.title}: {how}")
        if diverged:
            say(f"{study.title}: {diverged}")

    by_name = {s.name: (s, c) for s, c in zip(chosen, configs)}
    with lab_jobs.progress(len(to_run), log, progress) as tell:

        def say(line: str) -> None:
            tell(line, job=False)

        def done(job: lab_jobs.Job, result: Result, seconds: float) -> None:
            finished[(job.study.name, job.seed)] = (result, seconds, False)
            lab_jobs.save_job(out, job, result, seconds)
            tell(f"  {job.label}: {seconds:.1f} s")
            render_ready(*by_name[job.study.name], say)

        try:
            for study, config in zip(chosen, configs):
                render_ready(study, config, say)  # every job kept
            runner.run(to_run, done, say)
            return _write(out, [rendered[s.name] for s in chosen], mode, n_seeds, log)
        except KeyboardInterrupt:
            ran = sum(not kept for _, _, kept in finished.values())
            where = out / lab_jobs.JOBS
            if finished:
                raise Interrupted(
                    f"{len(finished)} of {len(all_jobs)} jobs are finished ({ran} in this "
                    f"run) and kept in {where}; run the same command again to resume (they "
                    "are not run again)"
                ) from None
            raise Interrupted("no job had finished, nothing was kept") from None


def run_seeds(study: str | Study, config: Any, seeds: Sequence[int] = (0, 1)) -> Seeds:
    """Runs a study at a config once per seed, as the lab does, and returns the ``Seeds``.

    Each run is seeded and uses one BLAS thread. This is what a study's own test needs:
    ``findings_of(STUDY.report(config, run_seeds(STUDY, config)))``.

    Args:
        study: A built-in study's name or a ``Study``.
        config: The study's config.
        seeds: The seeds. Defaults to (0, 1).

    Returns:
        The ``Seeds`` its report reads.

    Examples:
        >>> import dataclasses
        >>> from neuralab import lab
        >>> @dataclasses.dataclass
        ... class Config:
        ...     n: int = 10
        >>> def run(config, seed):
        ...     result = lab.Result()
        ...     result.scalar("wide", "score", config.n + seed)
        ...     return result
        >>> toy = lab.Study("toy", "A toy study", "Does it run?", Config, run,
        ...                 report=lambda config, seeds: [], quick={"n": 2})
        >>> seeds = lab.run_seeds(toy, Config(n=10), seeds=(0, 1, 2))
        >>> seeds.scalar("wide", "score").mean
        11.0
    """
    from neuralab.lab import jobs as lab_jobs

    chosen = get_study(study)
    settings = dataclasses.asdict(config)
    results = [lab_jobs.run_job(chosen, settings, seed)[0] for seed in seeds]
    return Seeds(results, list(seeds), chosen.bounds_for(config))


class OtherRunError(ValueError):
    """``run_studies``: the report folder holds another run (or other files), which it
    would replace; ``force=True`` (``neuralab lab --force``) replaces it.

    Examples:
        >>> import dataclasses, tempfile
        >>> from neuralab import lab
        >>> @dataclasses.dataclass
        ... class Config:
        ...     n: int = 10
        >>> def run(config, seed):
        ...     result = lab.Result()
        ...     result.scalar("wide", "score", config.n + seed)
        ...     return result
        >>> toy = lab.Study("toy", "A toy study", "Does it run?", Config, run,
        ...                 report=lambda config, seeds: [], quick={"n": 2})
        >>> out = tempfile.mkdtemp()
        >>> _ = lab.run_studies([toy], quick=True, out=out, log=None)
        >>> try:
        ...     lab.run_studies([toy], quick=True, seeds=3, out=out, log=None)
        ... except lab.OtherRunError:
        ...     print("refused")
        refused
        >>> lab.run_studies([toy], quick=True, seeds=3, out=out, log=None, force=True).name
        'index.html'
    """


REPORT_FILES = ("index.html", "results.json")


def claim_folder(
    out: Path, mode: str, seeds: list[int], plan: list[tuple[Study, dict]], force: bool
) -> None:
    """Check that ``out`` may receive this run: missing, empty, or holding the same plan
    (``out/jobs/plan.json``: it resumes). Otherwise raise OtherRunError naming what is
    there, or with ``force`` remove the previous report (index.html, results.json and
    images/*.png; the kept jobs stay)."""
    from neuralab.lab import jobs as lab_jobs

    if not out.is_dir() or not any(out.iterdir()):
        return
    previous = lab_jobs.read_plan(out)
    wanted = [(s.name, settings) for s, settings in plan]
    if previous is not None and lab_jobs.canonical(previous) == lab_jobs.canonical(
        {"mode": mode, "seeds": seeds, "studies": wanted}
    ):
        return
    if not force:
        if previous is None:
            held = "files that are not a lab run of this command"
        else:
            names = ", ".join(name for name, _ in previous["studies"])
            held = (
                f"another lab run ({previous['mode']} mode, {len(previous['seeds'])} seed(s): "
                f"{names})"
            )
        raise OtherRunError(
            f"{out} holds {held}; use --force to replace its report (or force=True), or "
            "choose another --out folder"
        )
    for name in REPORT_FILES:
        (out / name).unlink(missing_ok=True)
    for image in (out / "images").glob("*.png"):
        image.unlink()


class NoResultsError(ValueError):
    """``report_only``: the folder holds no results to make a report from."""


def report_only(out: str | Path, log: Callable[[str], None] | None = print) -> Path:
    """Rebuilds the report from the results kept in ``out``, without training.

    Rewrites ``out/index.html`` (with its images) and ``out/results.json`` from the jobs in
    ``out/jobs/`` of the run ``out/jobs/plan.json`` describes, else from
    ``out/results.json``. A built-in study is shown when every one of its seeds is there;
    the missing ones are named through ``log``.

    Args:
        out: The report's folder.
        log: Where the missing studies are named (None: nowhere). Defaults to ``print``.

    Returns:
        The path of ``out/index.html``.

    Raises:
        NoResultsError: If no complete study is kept there (a ``ValueError``; it names what
            is missing).

    Examples:
        >>> import tempfile
        >>> from neuralab import lab
        >>> lab.report_only(tempfile.mkdtemp(), log=None)
        Traceback (most recent call last):
        neuralab.lab.NoResultsError: ... holds no lab results (no jobs/plan.json, no results.json)
    """
    from neuralab.lab import jobs as lab_jobs

    out = Path(out)
    parts, missing = [], []
    plan = lab_jobs.read_plan(out)
    if plan is not None:
        mode, seed_list = plan["mode"], plan["seeds"]
        for name, settings in plan["studies"]:
            try:
                study = get_study(name)
                config = study.config(**settings)
            except (ValueError, TypeError):
                missing.append(f"{name} (not a built-in study of this version)")
                continue
            found = lab_jobs.find_jobs(out, name, settings)
            absent = [s for s in seed_list if s not in found]
            if absent:
                missing.append(f"{name} (seed{'s' * (len(absent) > 1)} "
                               f"{', '.join(map(str, absent))} of {len(seed_list)})")  # fmt: skip
                continue
            outcomes = [found[s] for s in seed_list]
            results, seconds = [o[0] for o in outcomes], sum(o[1] for o in outcomes)
            parts.append(study_section(study, config, seed_list, results, seconds))
    else:
        stored = _stored_results(out)
        if stored is None:
            raise NoResultsError(f"{out} holds no lab results (no jobs/plan.json, no results.json)")
        mode = str(stored.get("mode", "full"))
        seed_list = []
        for name, entry in stored.get("studies", {}).items():
            try:
                study = get_study(name)
                config = study.config(**_as_fields(study, entry["config"]))
                seed_list = [int(s) for s in entry["seeds"]]
                outcomes = [Result.from_dict(r) for r in entry["results"]]
                parts.append(
                    study_section(study, config, seed_list, outcomes, float(entry["seconds"]))
                )
            except Exception as error:  # named; the others are still shown
                missing.append(f"{name} (its results.json entry is unusable: {error})")
    if not parts:
        where = "; missing: " + ", ".join(missing) if missing else ""
        raise NoResultsError(f"{out} holds no complete study to report{where}")
    if missing and log:
        log(f"not in the report (no results kept): {', '.join(missing)}")
    n_seeds = max(len(p[1]["seeds"]) for p in parts)
    return _write(out, parts, mode, n_seeds, log)


def _stored_results(out: Path) -> dict[str, Any] | None:
    """out/results.json with its non-finite numbers put back (they are null there and
    named under ``non_finite``); None when there is none."""
    from neuralab.safe_io import read_json

    path = out / "results.json"
    if not path.is_file():
        return None
    try:
        stored = read_json(str(path), max_bytes=1 << 30)
    except Exception:
        return None
    if not isinstance(stored, dict):
        return None
    values = stored.pop("non_finite", {}).get("values", {})
    for where, what in values.items():
        *parents, last = where.split(".")
        node: Any = stored
        try:
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if isinstance(node, list):
                node[int(last)] = float(what)
            elif isinstance(node, dict) and last in node:
                node[last] = float(what)
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # a key with a dot in it: left as null
    return stored


def _as_fields(study: Study, settings: dict[str, Any]) -> dict[str, Any]:
    """results.json's settings with its lists back as the tuples the config holds."""
    defaults = dataclasses.asdict(study.config())
    return {
        k: tuple(v) if isinstance(v, list) and isinstance(defaults.get(k), tuple) else v
        for k, v in settings.items()
    }


def study_section(
    study: Study, config: Any, seed_list: list[int], outcomes: list[Result], seconds: float
) -> tuple[Section, dict[str, Any], str]:
    """A study's report section (its plots drawn), its results.json entry and what was
    not finite, from its Results over the seeds (fresh or kept)."""
    settings = dataclasses.asdict(config)
    seeds_result = Seeds(outcomes, seed_list, study.bounds_for(config))
    blocks = study.report(config, seeds_result)
    for block in blocks:
        if isinstance(block, Figure):
            block.render()  # drawn now: the figure's memory is freed at once
    entry = {
        "title": study.title,
        "question": study.question,
        "config": settings,
        "seeds": seed_list,
        "seconds": seconds,
        "summary": seeds_result.summary(),
        "findings": [findings.to_dict(f) for f in findings.findings_of(blocks)],
        "results": [r.to_dict() for r in outcomes],
    }
    diverged = _not_finite(entry)
    if diverged:
        entry["diverged"] = diverged
        blocks = [Text(diverged), *blocks]
    section = Section(study.name, study.title, study.question, settings, seed_list, seconds, blocks)
    return section, entry, diverged


def _write(
    out: Path,
    parts: list[tuple[Section, dict[str, Any], str]],
    mode: str,
    n_seeds: int,
    log: Callable[[str], None] | None,
) -> Path:
    results: dict[str, Any] = {"mode": mode, "studies": {}}
    for section, entry, _ in parts:
        results["studies"][section.name] = entry
    title = f"neuralab lab report ({mode} mode, {n_seeds} seed{'s' * (n_seeds > 1)})"
    page = write_report([p[0] for p in parts], out, results, title)
    if log:
        log(f"wrote {page} and {out / 'results.json'}")
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
