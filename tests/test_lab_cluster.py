"""The lab on a real Dask distributed cluster (``neuralab lab --cluster ADDRESS``): a
scheduler and two workers started the way users start them (``dask scheduler``,
``dask worker ADDRESS --nthreads 1``) on loopback. A run there gives the local run's
numbers bit for bit, resumes like a local one, reports a job's error as the same one
line, and survives the death of the worker running a job (Dask runs it again on the
other). Without Dask the cluster tests skip, or fail with ``NEURALAB_REQUIRE_SYSTEM=1``
(CI installs it with the dev extra)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lab_cluster_study
import pytest
from test_lab_jobs import CHEAP, job_lines, strict_loads, untimed

from neuralab import cli, cli_faults, lab
from neuralab.lab import jobs

TESTS = Path(__file__).resolve().parent
SRC = str(Path(lab.__file__).resolve().parent.parent.parent)
DASK = Path(sys.executable).parent / "dask"  # the console script of the dask package
SHARED_DATASETS = TESTS.parent.parent / "shared" / "datasets"


def _missing(reason: str) -> None:
    if os.environ.get("NEURALAB_REQUIRE_SYSTEM") == "1":
        pytest.fail(f"Dask is required (NEURALAB_REQUIRE_SYSTEM=1) but {reason}")
    pytest.skip(f"Dask is not available: {reason}")


@pytest.fixture(scope="module")
def distributed():
    try:
        import distributed
    except ImportError:
        _missing(
            "the Python package distributed is not installed (pip install 'neuralab[cluster]')"
        )
    if not DASK.is_file():
        _missing(f"there is no dask command beside this Python ({DASK})")
    return distributed


@dataclass
class Cluster:
    address: str
    client: object  # a distributed.Client of the test's own
    processes: dict[str, subprocess.Popen]  # "scheduler" and the workers by name

    def kill(self, name: str) -> None:
        """Kill the process group (a worker's: its nanny and its worker process) at once."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _start(argv: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                     for p in sorted(folder.glob("*.log")))  # fmt: skip


@pytest.fixture(scope="module")
def cluster(distributed, tmp_path_factory) -> Iterator[Cluster]:
    """``dask scheduler`` on a free loopback port and two ``dask worker`` processes of
    one thread each, with NEURALAB_DATA and this checkout (and these tests' study module)
    on their PYTHONPATH; every process group is killed at the end, whatever happened."""
    folder = tmp_path_factory.mktemp("dask")
    data = os.environ.get("NEURALAB_DATA") or str(SHARED_DATASETS)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([SRC, str(TESTS)]),
        "NEURALAB_DATA": data,
        "XDG_CACHE_HOME": str(folder / "cache"),
        "OMP_NUM_THREADS": "1",
    }
    processes: dict[str, subprocess.Popen] = {}
    client = None
    try:
        scheduler_file = folder / "scheduler.json"
        processes["scheduler"] = _start(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--scheduler-file", str(scheduler_file), "--no-dashboard"],
            folder / "scheduler.log", env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file():
            assert processes["scheduler"].poll() is None, _logs(folder)
            assert time.monotonic() < deadline, _logs(folder)
            time.sleep(0.05)
        while True:  # the file may be seen before it is fully written
            with contextlib.suppress(ValueError, KeyError):
                address = json.loads(scheduler_file.read_text())["address"]
                break
            time.sleep(0.05)
        for name in ("w0", "w1"):
            processes[name] = _start(
                [str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard",
                 "--name", name, "--local-directory", str(folder / name),
                 "--death-timeout", "60"],
                folder / f"{name}.log", env,
            )  # fmt: skip
        client = distributed.Client(address, timeout=30, set_as_default=False)
        try:
            client.wait_for_workers(2, timeout=90)
        except TimeoutError:
            pytest.fail(f"the Dask workers did not join\n{_logs(folder)}")
        yield Cluster(address, client, processes)
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=5)
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for process in processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The cheap studies, quick, run in this process (workers=1)."""
    out = tmp_path_factory.mktemp("local")
    lab.run_studies(CHEAP, quick=True, out=out, log=None, workers=1)
    return out


@pytest.fixture(scope="module")
def on_cluster(cluster, tmp_path_factory):
    """The same run on the cluster; (its folder, its lines)."""
    out = tmp_path_factory.mktemp("on_cluster")
    lines: list[str] = []
    lab.run_studies(CHEAP, quick=True, out=out, log=lines.append, cluster=cluster.address)
    return out, lines


def results(out: Path) -> dict:
    return strict_loads((out / "results.json").read_text())


def test_a_cluster_run_gives_the_local_numbers_bit_for_bit(local, on_cluster, cluster):
    out, lines = on_cluster
    assert untimed(results(out)) == untimed(results(local))
    assert json.dumps(untimed(results(out))) == json.dumps(untimed(results(local)))
    assert sorted(p.name for p in (out / "jobs").rglob("*.json")) == sorted(
        p.name for p in (local / "jobs").rglob("*.json")
    )  # the same keys: the same jobs
    ran = sorted(line.split(":")[0] for line in job_lines("\n".join(lines)))
    assert ran == sorted(f"{s} seed {n}" for s in CHEAP for n in (0, 1))
    assert lines[0] == (
        f"running 4 job(s) on the Dask cluster at {cluster.address}: 2 worker(s), 2 thread(s)"
    )


def test_a_second_cluster_run_resumes_running_only_the_missing_job(on_cluster, cluster,
                                                                    tmp_path, capsys):  # fmt: skip
    out, _ = on_cluster
    copy = tmp_path / "lab"
    shutil.copytree(out / "jobs", copy / "jobs")
    study = lab.get_study("forward_pass")  # the cheaper page to draw
    lost = jobs.job_path(copy, jobs.Job(study, lab.make_config(study, True).__dict__, 1))
    lost.unlink()
    # the folder holds the jobs of a run of two studies: this run of one is another plan,
    # which replaces that run's report only with --force (its kept jobs are reused)
    argv = ["lab", "forward_pass", "--quick", "--out", str(copy), "--cluster", cluster.address]
    assert cli.main(argv) == 2 and "--force" in capsys.readouterr().err
    argv.append("--force")
    assert cli.main(argv) == 0
    said = capsys.readouterr().out
    assert [line.split(":")[0] for line in job_lines(said)] == ["forward_pass seed 1"]
    assert f"running 1 job(s) on the Dask cluster at {cluster.address}" in said
    assert "(1 of 2 job(s) kept from an earlier run)" in said
    assert lost.is_file()
    whole = untimed(results(out)["studies"]["forward_pass"])
    assert untimed(results(copy)["studies"]["forward_pass"]) == whole
    assert cli.main(argv) == 0  # everything kept: nothing is sent to the cluster
    said = capsys.readouterr().out
    assert job_lines(said) == [] and "Dask" not in said
    assert "(2 of 2 job(s) kept from an earlier run)" in said


def test_a_job_error_is_the_same_one_line_failure_as_locally(cluster, tmp_path, capsys):
    def run(**where) -> tuple[int, str]:
        status = cli_faults.guard("lab", lambda: lab.run_studies(
            [lab_cluster_study.FAILING], seeds=1, out=tmp_path / str(len(where)), log=None,
            **where,
        ))  # fmt: skip
        return status, capsys.readouterr().err

    status, here = run()
    assert status == 1 and "Invalid learning rate: -1.0" in here
    assert run(cluster=cluster.address) == (1, here)  # no crash file: neuralab's message
    assert len(here.splitlines()) == 1 and "unexpected" not in here


def test_a_job_whose_worker_is_killed_runs_again_on_the_other(cluster, tmp_path):
    """It leaves the cluster with one worker (the tests after it need one)."""
    slow = [lab_cluster_study.SLOW]
    lab.run_studies(slow, seeds=1, out=tmp_path / "local", log=None)
    lines: list[str] = []
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            lab.run_studies(slow, seeds=1, out=tmp_path / "cluster", log=lines.append,
                            cluster=cluster.address)  # fmt: skip
            outcome.append(None)
        except BaseException as error:  # shown below
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not any(cluster.client.processing().values()):  # the job is on a worker
        assert time.monotonic() < deadline and thread.is_alive(), (outcome, lines)
        time.sleep(0.05)
    busy = [a for a, keys in cluster.client.processing().items() if keys]
    name = cluster.client.scheduler_info()["workers"][busy[0]]["name"]
    time.sleep(0.3)  # inside the job's 2 s pause
    assert not (tmp_path / "cluster" / "jobs" / "slow").is_dir()  # not finished yet
    cluster.kill(name)
    assert cluster.processes[name].poll() is not None
    thread.join(timeout=90)
    assert not thread.is_alive() and outcome == [None], (outcome, lines)
    assert untimed(results(tmp_path / "cluster")) == untimed(results(tmp_path / "local"))
    assert [line.split(":")[0] for line in job_lines("\n".join(lines))] == ["slow seed 0"]
    assert list(cluster.client.nthreads().values()) == [1]  # only the other worker is left


def test_a_lost_scheduler_is_one_line_and_exit_1(cluster, tmp_path):
    """The last of the cluster tests: it stops the scheduler in the middle of a run."""
    argv = [sys.executable, "-m", "neuralab", "lab", "activations", "--quick", "--out",
            str(tmp_path / "lab"), "--cluster", cluster.address]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": SRC, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)  # fmt: skip
    first = process.stdout.readline()  # said before the jobs are sent
    assert first.startswith(f"running 2 job(s) on the Dask cluster at {cluster.address}")
    cluster.kill("scheduler")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, (out, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert f"lost on the Dask cluster at {cluster.address}" in err
    assert not (tmp_path / "lab" / "results.json").exists()


# --- what is refused before any work --------------------------------------------------
@pytest.mark.parametrize(
    "address", ["10.0.0.5", "http://10.0.0.5:8786", "tcp://10.0.0.5:99999", "tcp://h:8786/x",
                "tcp://[::1:8786", "tcp://ho st:8786"],
)  # fmt: skip
def test_a_malformed_address_is_a_usage_error(address, tmp_path, capsys):
    out = tmp_path / "lab"
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lab", "perceptron", "--quick", "--out", str(out), "--cluster", address])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--cluster" in err and "tcp://HOST:PORT" in err
    assert not out.exists()
    with pytest.raises(ValueError, match="cluster: expected a Dask scheduler address"):
        lab.run_studies(["perceptron"], quick=True, out=out, log=None, cluster=address)
    assert not out.exists()


def test_cluster_with_workers_or_report_only_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lab", "--cluster", "tcp://127.0.0.1:8786", "--workers", "2"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert cli.main(["lab", "--report-only", str(tmp_path), "--cluster", "127.0.0.1:8786"]) == 2
    assert "--report-only DIR takes no studies, --set, --list or --cluster" in (
        capsys.readouterr().err
    )
    with pytest.raises(ValueError, match="not both"):
        lab.run_studies(["perceptron"], workers=2, cluster="tcp://127.0.0.1:8786")


def test_without_dask_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    out = tmp_path / "lab"
    argv = ["lab", "perceptron", "--quick", "--out", str(out), "--cluster", "tcp://h:8786"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "pip install 'neuralab[cluster]'" in err
    assert not out.exists()
    with pytest.raises(ImportError, match=r"pip install 'neuralab\[cluster\]'"):
        lab.run_studies(["perceptron"], quick=True, out=out, log=None, cluster="tcp://h:8786")
    assert not out.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_naming_it(distributed, tmp_path, capsys,
                                                         monkeypatch):  # fmt: skip
    monkeypatch.setattr(jobs, "CONNECT_SECONDS", 1.0)  # 10 s in use
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    start = time.monotonic()
    assert cli.main(["lab", "perceptron", "--quick", "--out", str(tmp_path), "--cluster",
                     address]) == 1  # fmt: skip
    assert time.monotonic() - start < 20
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert f"cannot reach the Dask scheduler at {address}" in err
    assert "'dask scheduler'" in err and "unexpected" not in err
