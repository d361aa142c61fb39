"""The lab's unit of work: a job, (study, config, seed) -> Result, a pure function.

``run_job(study, settings, seed)`` seeds itself (``neuralab.manual_seed(seed)``), runs
one seed of one study with one BLAS thread and depends on nothing global, so a job
gives the same numbers, bit for bit, in this process, in a worker process
(``Runner(workers=N)``: a ``ProcessPoolExecutor`` with the 'spawn' context) or on a Dask
distributed cluster (``Runner(cluster="tcp://HOST:8786")``: each job is one Dask task;
Dask runs a job again on another worker when its worker dies).

Each finished job's Result is written atomically to ``OUT/jobs/<study>/<key>.json``
(strict JSON, ``Result.to_dict(strict=True)``), where ``key`` is the SHA-256 of the
study, its run function, its config as canonical JSON, the seed and neuralab's version:
the same command run again loads finished jobs instead of running them, a changed
setting changes the key (and the job runs), and a killed run loses only the jobs that
were in flight. ``OUT/jobs/plan.json`` names the studies, configs and seeds of the last
run, from which ``neuralab lab --report-only OUT`` rebuilds the report.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuralab.lab.study import Result, Study, _pack, _unpack

__all__ = ["JOBS", "ClusterError", "Job", "Runner", "job_key", "load_job", "run_job", "save_job"]

JOBS = "jobs"  # under the report folder
PLAN = "plan.json"
CONNECT_SECONDS = 10.0  # how long a run waits for the Dask scheduler to answer


def _version() -> str:
    import neuralab

    return getattr(neuralab, "__version__", "")


def _run_id(study: Study) -> str:
    run = study.run
    return f"{getattr(run, '__module__', '?')}.{getattr(run, '__qualname__', '?')}"


def canonical(value: Any) -> str:
    """``value`` as canonical strict JSON (tagged floats and tuples, sorted keys)."""
    return json.dumps(_pack(value, "config"), sort_keys=True, separators=(",", ":"),
                      allow_nan=False)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """One seed of one study at one config."""

    study: Study
    settings: dict[str, Any]  # dataclasses.asdict(config)
    seed: int

    @property
    def key(self) -> str:
        return job_key(self.study, self.settings, self.seed)

    @property
    def label(self) -> str:
        return f"{self.study.name} seed {self.seed}"


def job_key(study: Study, settings: dict[str, Any], seed: int) -> str:
    """SHA-256 of (study name, its run function, config as canonical JSON, seed, version)."""
    text = json.dumps(
        [study.name, _run_id(study), canonical(settings), seed, _version()],
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _resolve(study: str | Study) -> Study:
    from neuralab.lab import get_study

    return get_study(study)


def run_job(study: str | Study, settings: dict[str, Any], seed: int) -> tuple[Result, float]:
    """Run one seed of ``study`` (a built-in's name, or a picklable Study) at the config
    ``settings`` with one BLAS thread; (its Result, seconds). Pure: the seed is set
    here and nothing else global is read."""
    import warnings

    import numpy

    from neuralab import backend
    from neuralab.lab import blas_threads

    chosen = _resolve(study)
    config = chosen.config(**settings)
    start = time.perf_counter()
    with blas_threads(1), numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        backend.manual_seed(seed)
        result = chosen.run(config, seed)
    return result, time.perf_counter() - start


_ONE_JOB = threading.Lock()


def _worker_job(study: str | Study, settings: dict[str, Any], seed: int) -> tuple[Result, float]:
    """``run_job`` in a worker process (a local pool's or a Dask worker's), one job at a
    time per process: the generator ``manual_seed`` sets and the BLAS limit belong to the
    process, so a Dask worker with several threads runs its jobs one after another, each
    bit for bit. A ValueError that is not neuralab's own message (see ``cli_faults``)
    comes back as a RuntimeError, so it is reported as a bug."""
    try:
        with _ONE_JOB:
            return run_job(study, settings, seed)
    except ValueError as error:
        from neuralab.cli_faults import _ours

        if _ours(error):
            raise
        raise RuntimeError(f"{type(error).__name__}: {error}") from error


def _worker_init() -> None:
    """A worker: one BLAS / OpenMP thread (workers x 1 <= cores), and Ctrl-C is left to
    the parent, which stops the workers itself."""
    import signal

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)


# Seconds one job (one seed) of each built-in study takes, (quick, full), measured with
# ``--workers 1`` on the project's 2-core machine. They only set the order in which jobs
# start: the longest first (LPT), so that no long job starts last while the other
# workers idle. A study not listed counts as the longest (it starts first).
EXPECTED_SECONDS = {
    "forward_pass": (0.05, 0.2),
    "perceptron": (0.2, 0.4),
    "activations": (2.4, 9.7),
    "losses": (0.9, 1.8),
    "optimizers": (2.1, 12.7),
    "schedules": (1.2, 28.1),
    "momentum": (1.0, 5.9),
    "initialization": (3.1, 35.3),
    "architectures": (8.8, 35.8),
    "gan": (14.3, 59.9),
    "tuning": (4.3, 28.8),
}


def longest_first(jobs: Sequence[Job], quick: bool) -> list[Job]:
    """``jobs`` in the order to start them: by expected time, longest first (ties keep
    their order)."""

    def expected(job: Job) -> float:
        times = EXPECTED_SECONDS.get(job.study.name)
        return math.inf if times is None else times[0 if quick else 1]

    return sorted(jobs, key=lambda job: -expected(job))


def job_path(out: Path, job: Job) -> Path:
    return Path(out) / JOBS / job.study.name / f"{job.key}.json"


def save_job(out: Path, job: Job, result: Result, seconds: float) -> bool:
    """Write the job's Result atomically (strict JSON); False when it is not plain data
    (the job then runs again next time) or the folder is not writable."""
    from neuralab.io import atomic_write

    try:
        text = json.dumps(
            {
                "study": job.study.name,
                "run": _run_id(job.study),
                "config": _pack(job.settings, "config"),
                "seed": job.seed,
                "version": _version(),
                "seconds": seconds,
                "result": result.to_dict(strict=True),
            },
            allow_nan=False,
        )
    except (TypeError, ValueError):
        return False
    path = job_path(out, job)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(str(path), text.encode())
    except OSError:
        return False
    return True


def _read(path: Path) -> dict[str, Any] | None:
    from neuralab.safe_io import read_json

    try:
        stored = read_json(str(path), max_bytes=1 << 30)
    except Exception:  # missing or damaged: the job runs again
        return None
    return stored if isinstance(stored, dict) else None


def load_job(out: Path, job: Job) -> tuple[Result, float] | None:
    """The job's kept Result and seconds, or None (not run, stale or damaged)."""
    stored = _read(job_path(out, job))
    if stored is None:
        return None
    try:
        same = (
            stored["study"] == job.study.name
            and stored["run"] == _run_id(job.study)
            and canonical(_unpack(stored["config"])) == canonical(job.settings)
            and stored["seed"] == job.seed
            and stored["version"] == _version()
        )
        if not same:
            return None
        return Result.from_dict(stored["result"]), float(stored["seconds"])
    except Exception:
        return None


def find_jobs(out: Path, name: str, settings: dict[str, Any]) -> dict[int, tuple[Result, float]]:
    """Every kept job of study ``name`` at ``settings`` in ``out`` ({seed: (Result,
    seconds)}), whatever neuralab version wrote it (for ``--report-only``)."""
    found: dict[int, tuple[Result, float]] = {}
    folder = Path(out) / JOBS / name
    if not folder.is_dir():
        return found
    want = canonical(settings)
    for path in sorted(folder.glob("*.json")):
        stored = _read(path)
        try:
            if stored is None or canonical(_unpack(stored["config"])) != want:
                continue
            found[int(stored["seed"])] = (
                Result.from_dict(stored["result"]),
                float(stored["seconds"]),
            )
        except Exception:
            continue
    return found


def write_plan(out: Path, mode: str, seeds: list[int], plan: list[tuple[Study, dict]]) -> None:
    """``OUT/jobs/plan.json``: the studies, configs and seeds this run is made of."""
    from neuralab.io import atomic_write

    text = json.dumps(
        {
            "mode": mode,
            "seeds": seeds,
            "studies": [{"name": s.name, "config": _pack(c, "config")} for s, c in plan],
        },
        allow_nan=False,
        indent=1,
    )
    with contextlib.suppress(OSError):
        folder = Path(out) / JOBS
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(str(folder / PLAN), text.encode())


def read_plan(out: Path) -> dict[str, Any] | None:
    stored = _read(Path(out) / JOBS / PLAN)
    if stored is None:
        return None
    try:
        return {
            "mode": str(stored["mode"]),
            "seeds": [int(s) for s in stored["seeds"]],
            "studies": [(str(s["name"]), _unpack(s["config"])) for s in stored["studies"]],
        }
    except Exception:
        return None


Done = Callable[[Job, Result, float], None]


class ClusterError(OSError):
    """The Dask cluster could not run the jobs: its scheduler is unreachable or was lost,
    or a job's workers kept dying (Dask runs a job whose worker died again elsewhere, up
    to ``distributed.scheduler.allowed-failures`` times, 3 by default)."""


class _WorkerTracebackError(Exception):
    """The traceback of an error raised on a Dask worker (the crash file shows it)."""

    def __str__(self) -> str:
        return str(self.args[0])


def import_distributed() -> Any:
    """Dask's ``distributed`` module, imported only when a run asks for a cluster; an
    ImportError saying how to install it otherwise."""
    from neuralab.extras import require

    return require("distributed", "cluster", "running the lab on a Dask cluster")


def _address(cluster: str) -> str:
    import argparse

    from neuralab.cli_checks import scheduler_address

    if not isinstance(cluster, str):
        raise TypeError(f"cluster must be a Dask scheduler address (str), got {cluster!r}")
    try:
        return scheduler_address(cluster)
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"cluster: {error}") from None


class Runner:
    """Runs jobs in this process (``workers=1``), on ``workers`` local processes, or on
    the Dask cluster whose scheduler is at ``cluster`` (``tcp://HOST:PORT``), and calls
    ``done(job, result, seconds)`` in this process as each one finishes (in the order
    they finish; the caller puts them in order). Ctrl-C cancels the jobs not yet
    started, stops the local workers and raises KeyboardInterrupt; an error in a job
    stops the others and is raised here."""

    def __init__(self, workers: int = 1, cluster: str | None = None) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        if cluster is not None:
            if workers != 1:
                raise ValueError(
                    f"give workers (local processes) or cluster (a Dask scheduler), not both: "
                    f"got workers={workers} and cluster={cluster!r}"
                )
            cluster = _address(cluster)
            import_distributed()  # said now, before any work
        self.workers, self.cluster = workers, cluster

    def run(
        self, jobs: Sequence[Job], done: Done, say: Callable[[str], None] | None = None
    ) -> None:
        """Run ``jobs``; ``say`` gets a line about the cluster (its workers) when there is one."""
        if not jobs:
            return
        if self.cluster is not None:
            self._on_cluster(jobs, done, say)
            return
        workers = min(self.workers, len(jobs))
        if workers == 1:
            for job in jobs:
                result, seconds = run_job(job.study, job.settings, job.seed)
                done(job, result, seconds)
            return
        self._parallel(jobs, done, workers)

    @staticmethod
    def _target(job: Job) -> str | Study:
        """What a worker is sent: a built-in study's name, else the Study itself."""
        from neuralab.lab import STUDY_MODULES, get_study

        if job.study.name in STUDY_MODULES and get_study(job.study.name) is job.study:
            return job.study.name
        return job.study

    def _parallel(self, jobs: Sequence[Job], done: Done, workers: int) -> None:
        import concurrent.futures as futures
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        pool = futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init)
        pending: dict[futures.Future, Job] = {}
        try:
            for job in jobs:
                future = pool.submit(_worker_job, self._target(job), job.settings, job.seed)
                pending[future] = job
            while pending:
                finished, _ = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for future in [f for f in pending if f in finished]:  # submission order
                    job = pending.pop(future)
                    error = future.exception()
                    if error is not None:
                        raise error  # raised here: a message of neuralab's stays one
                    result, seconds = future.result()
                    done(job, result, seconds)
        except BaseException:
            _stop(pool, pending)
            raise
        pool.shutdown(wait=True)

    def _on_cluster(
        self, jobs: Sequence[Job], done: Done, say: Callable[[str], None] | None
    ) -> None:
        """Each job a Dask task (``_worker_job`` with plain arguments, ``pure=False``),
        taken as it finishes (``as_completed``). A task whose worker died is Dask's to run
        again; closing the client (an error, Ctrl-C) releases the tasks not finished."""
        import asyncio

        from neuralab.cli_faults import one_line

        distributed = import_distributed()
        try:
            client = distributed.Client(self.cluster, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, asyncio.TimeoutError) as error:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.cluster} ({one_line(error)}); "
                "start it there with 'dask scheduler' (port 8786 by default) and check "
                "that this machine reaches that port"
            ) from None
        with client:
            if say is not None:
                say(_cluster_line(client, self.cluster, len(jobs)))
            pending = {
                client.submit(
                    _worker_job, self._target(job), job.settings, job.seed, pure=False
                ): job
                for job in jobs
            }
            try:
                for future in distributed.as_completed(list(pending), loop=client.loop):
                    job = pending.pop(future)
                    if future.status != "finished":
                        raise _failure(distributed, future, job, self.cluster)
                    result, seconds = future.result()
                    done(job, result, seconds)
            except BaseException:
                with contextlib.suppress(Exception):
                    client.cancel(list(pending))
                raise


def _cluster_line(client: Any, address: str, n_jobs: int) -> str:
    """What the cluster has to run ``n_jobs`` on (its workers and their threads)."""
    workers = client.nthreads()  # {worker address: its threads}
    threads = sum(workers.values())
    line = (
        f"running {n_jobs} job(s) on the Dask cluster at {address}: {len(workers)} "
        f"worker(s), {threads} thread(s)"
    )
    if not workers:
        line += f" (the jobs wait for one: start it with 'dask worker {address} --nthreads 1')"
    return line


def _failure(distributed: Any, future: Any, job: Job, address: str) -> BaseException:
    """What a Dask task that did not finish raises here: the job's own error, raised
    anew in this process (so a message of neuralab's stays a one-line message, as with
    local workers) with the worker's traceback as its cause; a ClusterError when its
    workers kept dying or the scheduler was lost."""
    if future.status != "error":
        return ClusterError(
            f"{job.label}: lost on the Dask cluster at {address} (its task is "
            f"{future.status}: was the scheduler stopped?)"
        )
    error = future.exception()
    if isinstance(error, distributed.KilledWorker):
        return ClusterError(
            f"{job.label}: every Dask worker that ran it died (Dask gave up after "
            "distributed.scheduler.allowed-failures retries); out of memory? see the "
            "workers' logs"
        )
    remote = "".join(traceback.format_exception(type(error), error, future.traceback()))
    error = error.with_traceback(None)
    error.__cause__ = _WorkerTracebackError(f"\n{remote}")
    return error


def _stop(pool: Any, pending: dict) -> None:
    """Cancel the jobs not started and end the workers now (their jobs are lost)."""
    for future in pending:
        future.cancel()
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to end them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


@contextlib.contextmanager
def progress(
    total: int, log: Callable[[str], None] | None, show: bool | None = None
) -> Iterator[Callable[..., None]]:
    """A per-job line through ``log`` and an overall bar of ``total`` jobs with the time
    left on standard error (``neuralab.progress.Bar``: when it is a terminal, or ``show``);
    ``show=False``: neither the bar nor the per-job lines. Yields ``say(line, job=True)``:
    a line, and with ``job`` the bar advances by one job."""
    from neuralab.progress import Bar, shown

    bar = Bar(total, "lab", "job", show=log is not None and total > 1 and shown(show))

    def say(line: str, job: bool = True) -> None:
        if log is not None and not (job and show is False):
            bar.close()  # the line goes above the bar
            log(line)
            bar.redraw()
        if job:
            bar.update(1)

    try:
        yield say
    finally:
        bar.close()
