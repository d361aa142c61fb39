"""The lab's wall-clock time with 1 and 2 local workers and on a loopback Dask cluster
(``dask scheduler`` and ``--workers`` ``dask worker`` processes of one thread each, started
as a user starts them), in one run on one machine; each run's results.json is checked
equal to the first's, bit for bit but for the timings.

    python benchmarks/lab_scaling.py [--full] [--workers 2] [--out /tmp/lab-scaling]

MNIST is read from NEURALAB_DATA (else ../shared/datasets beside the checkout).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _without_timings(value):
    """results.json's data with the wall-clock timings (``seconds*``) left out."""
    if isinstance(value, dict):
        return {
            k: _without_timings(v) for k, v in value.items() if not str(k).startswith("seconds")
        }
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def comparable(out: Path) -> dict:
    """Every seed's results of every study in ``out``, the timings left out."""
    data = json.loads((out / "results.json").read_text())
    return {name: _without_timings(e["results"]) for name, e in data["studies"].items()}


def run_lab(argv: list[str], out: Path, env: dict[str, str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "neuralab"), "lab", *argv, "--out", str(out)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


@contextlib.contextmanager
def loopback_cluster(workers: int, env: dict[str, str]) -> Iterator[str]:
    """A scheduler on a free loopback port and ``workers`` worker processes; yields its
    address once every worker has joined; kills them all at the end."""
    from distributed import Client

    folder = Path(tempfile.mkdtemp(prefix="lab-dask-"))
    processes = []

    def start(argv: list[str], log: str) -> None:
        with open(folder / log, "wb") as sink:
            processes.append(
                subprocess.Popen(
                    argv, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True
                )
            )

    try:
        scheduler_file = folder / "scheduler.json"
        start(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--scheduler-file", str(scheduler_file), "--no-dashboard"],
            "scheduler.log",
        )  # fmt: skip
        address = None
        while address is None:
            with contextlib.suppress(OSError, ValueError, KeyError):
                address = json.loads(scheduler_file.read_text())["address"]
            time.sleep(0.1)
        for i in range(workers):
            start(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                 "--local-directory", str(folder / f"w{i}")],
                f"w{i}.log",
            )  # fmt: skip
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for process in processes:
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full mode (default: --quick)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers to compare")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "lab-scaling")
    args = parser.parse_args()
    data = os.environ.get("NEURALAB_DATA") or str(ROOT.parent / "shared" / "datasets")
    env = {**os.environ, "NEURALAB_DATA": data, "PYTHONPATH": str(ROOT / "src")}
    mode = [] if args.full else ["--quick"]
    rows = []
    base = args.out / "workers-1"
    rows.append(("--workers 1", run_lab([*mode, "--workers", "1"], base, env)))
    reference = comparable(base)
    out = args.out / f"workers-{args.workers}"
    seconds = run_lab([*mode, "--workers", str(args.workers)], out, env)
    rows.append((f"--workers {args.workers}", seconds))
    assert comparable(out) == reference, f"{out}: results differ from {base}"
    with loopback_cluster(args.workers, env) as address:
        out = args.out / "cluster"
        seconds = run_lab([*mode, "--cluster", address], out, env)
        rows.append((f"--cluster (loopback, {args.workers} dask workers)", seconds))
    assert comparable(out) == reference, f"{out}: results differ from {base}"
    print(f"neuralab lab {' '.join(mode) or '(full)'}, {os.cpu_count()} cores")
    print("| command | wall clock | speed-up |")
    print("|---|---:|---:|")
    for label, seconds in rows:
        print(f"| `{label}` | {seconds:.1f} s | {rows[0][1] / seconds:.2f}x |")
    print("results.json equal in every run (but for the timings)")


if __name__ == "__main__":
    main()
