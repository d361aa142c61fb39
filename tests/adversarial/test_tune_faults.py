"""``neuralab tune`` under faults: workers started at the same instant on a new database
(SQLite and PostgreSQL), a disk that fills up and a folder that turns read-only while a
study runs.

- Four worker processes wait at a barrier (a file per round), then call the command at
  the same instant on a database that does not exist yet: every one exits 0 and the study
  holds exactly its budget of trials, the baseline once. Five rounds, each on a new file;
  the workers are started once and run the rounds one after the other (imports are paid
  once, and from the second round on nothing else separates their starts).
- A full disk: simulated with SQLite's own size limit (``PRAGMA max_page_count`` set on
  every connection once some trials have finished: SQLite then fails exactly as it does
  on a full disk, SQLITE_FULL), and for real on a small tmpfs where mounting is allowed
  (as root). A read-only database: ``PRAGMA query_only``, and a tmpfs remounted
  read-only. Each time: exit 1, one line naming the database and the problem, no
  traceback (nor a heartbeat thread's), the finished trials kept, and the same command
  run again afterwards resumes the study to its budget.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from postgres import postgres_url  # noqa: E402, F401  (the fixture)

from neuralab.cli import main  # noqa: E402
from neuralab.tune import runner, storage  # noqa: E402

CONFIG = """
[study]
name = "faults"
strategy = "random"
trials = {trials}
heartbeat = 1

[data]
name = "digits"
n_train = 120
n_val = 60
n_test = 60

[train]
epochs = 1
width = 8
depth = 1
batch_size = 64

[search]
lr = {{ low = 1e-3, high = 0.5, log = true }}
optimizer = ["sgd", "adam"]
"""

WORKERS, ROUNDS, TRIALS = 4, 5, 6

# A worker: imports first, then for each round signals it is ready, waits for the start
# file and runs the command; its exit status goes to a file.
WORKER = r"""
import json, sys, time
from pathlib import Path

import optuna, sklearn.datasets, sqlalchemy  # noqa: F401  (imported before the start)
from neuralab.cli import main

sync, me, rounds = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
for r, args in enumerate(rounds):
    (sync / f"ready-{r}-{me}").touch()
    deadline = time.monotonic() + 120
    while not (sync / f"go-{r}").exists():
        if time.monotonic() > deadline:
            sys.exit(f"worker {me}: no start signal for round {r}")
        time.sleep(0.0005)
    code = main(args)
    (sync / f"exit-{r}-{me}").write_text(str(code))
    (sync / f"exit-{r}-{me}").rename(sync / f"done-{r}-{me}")  # whole, or not there
    print(f"=== round {r} exit {code}", flush=True)
"""


def _config(tmp_path: Path, trials: int = TRIALS) -> Path:
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=trials))
    return path


def _race(tmp_path: Path, storages: list[str]) -> list[list[int]]:
    """Run WORKERS workers on each storage in turn, all started at the same instant;
    return each round's exit statuses."""
    config = _config(tmp_path)
    sync = tmp_path / "sync"
    sync.mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    src = str(Path(runner.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    logs = [tmp_path / f"worker{k}.log" for k in range(WORKERS)]
    processes = []
    for k in range(WORKERS):
        rounds = [
            ["tune", str(config), "--storage", url, "--study", "faults", "--worker",
             "--out", str(tmp_path / f"out{k}")]
            for url in storages
        ]  # fmt: skip
        with logs[k].open("w") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, str(sync), str(k), json.dumps(rounds)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        codes = []
        for r in range(len(storages)):
            ready = [sync / f"ready-{r}-{k}" for k in range(WORKERS)]
            deadline = time.monotonic() + 120
            while not all(p.exists() for p in ready):
                dead = [k for k, p in enumerate(processes) if p.poll() is not None]
                assert not dead, f"workers {dead} ended early:\n" + logs[dead[0]].read_text()
                assert time.monotonic() < deadline, "the workers did not get ready"
                time.sleep(0.002)
            (sync / f"go-{r}").touch()  # all four start now
            done = [sync / f"done-{r}-{k}" for k in range(WORKERS)]
            while not all(p.exists() for p in done):
                dead = [k for k, p in enumerate(processes) if p.poll() not in (None, 0)]
                assert not dead, f"worker {dead[0]} died:\n" + logs[dead[0]].read_text()
                assert time.monotonic() < deadline, "a round took more than 120 s"
                time.sleep(0.005)
            codes.append([int(p.read_text()) for p in done])
        for p in processes:
            p.wait(60)
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    for k, p in enumerate(processes):
        assert p.returncode == 0, logs[k].read_text()
    for r, round_codes in enumerate(codes):
        assert round_codes == [0] * WORKERS, (r, round_codes, [log.read_text() for log in logs])
    return codes


def _check_study(url: str) -> None:
    """Exactly the budget of trials, all complete, numbered 0..TRIALS-1, one baseline."""
    study = optuna.load_study(study_name="faults", storage=url)
    trials = study.get_trials(deepcopy=False)
    assert [t.state.name for t in trials] == ["COMPLETE"] * TRIALS, url
    assert sorted(t.number for t in trials) == list(range(TRIALS))
    assert sum(bool(t.user_attrs.get("baseline")) for t in trials) == 1
    assert study.user_attrs["neuralab"]["strategy"] == "random"


def test_workers_started_together_on_a_new_sqlite_file(tmp_path: Path) -> None:
    """Five rounds of four workers started at the same instant on a new SQLite file (in
    a folder that does not exist yet): none dies ("table studies already exists" was the
    bug), and each study holds exactly its budget."""
    urls = [f"sqlite:///{tmp_path / f'round{r}' / 'study.db'}" for r in range(ROUNDS)]
    _race(tmp_path, urls)
    for url in urls:
        _check_study(url)
    # no lock file or temporary is left beside the database (only SQLite's own)
    names = {p.name for p in (tmp_path / "round0").iterdir()}
    assert names <= {"study.db", "study.db-wal", "study.db-shm"}, names


def test_workers_started_together_on_a_new_postgresql_database(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    """The same on a real PostgreSQL server: each round a new, empty database, where the
    workers would race to create the tables, their types and the study."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(postgres_url)
    names = [f"race_{os.getpid()}_{r}" for r in range(3)]
    admin = f"host={base.host} port={base.port} user={base.username} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE DATABASE {name}")
    urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
    _race(tmp_path, urls)
    for url in urls:
        _check_study(url)


# --- a full disk, a read-only database ------------------------------------------------
class FaultySQLite:
    """Every SQLite connection the study opens, and a fault (a PRAGMA) that can be set on
    all of them at once, and on every later one."""

    def __init__(self) -> None:
        self.connections: list[sqlite3.Connection] = []
        self.pragmas: list[str] = []
        self.original = storage._sqlite_connect

    def connect(self, path: str) -> sqlite3.Connection:
        connection = self.original(path)
        for pragma in self.pragmas:
            connection.execute(pragma)
        self.connections.append(connection)
        return connection

    def strike(self, pragma: str) -> None:
        self.pragmas.append(pragma)
        for connection in self.connections:
            with contextlib.suppress(sqlite3.ProgrammingError):  # closed
                connection.execute(pragma)


def _after_trials(monkeypatch: pytest.MonkeyPatch, count: int, action) -> None:
    """Call ``action()`` once, when ``count`` trials of this run have finished."""
    progress = runner._progress

    def wrapped(*args, **kwargs):
        report = progress(*args, **kwargs)
        seen = []

        def callback(study, trial) -> None:
            report(study, trial)
            seen.append(trial.number)
            if len(seen) == count:
                action()

        return callback

    monkeypatch.setattr(runner, "_progress", wrapped)


def _complete(db: Path) -> dict[int, float]:
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        rows = conn.execute(
            "SELECT t.number, v.value FROM trials t JOIN trial_values v "
            "ON v.trial_id = t.trial_id WHERE t.state = 'COMPLETE'"
        ).fetchall()
    return dict(rows)


def _one_line_error(err: str, db: Path, *words: str) -> None:
    assert "Traceback" not in err and "Exception in thread" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("neuralab tune: storage: ") and str(db) in line, line
    assert all(w in line for w in words), line
    for internal in ("sqlalche.me", "StorageInternalError", "[SQL:", "An exception is raised"):
        assert internal not in line, line


def _resume(args: list[str], db: Path, before: dict[int, float], trials: int, capsys) -> None:
    """The same command, once the fault is gone: the study reaches its budget, and every
    trial finished before the fault is kept unchanged."""
    assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    after = _complete(db)
    assert len(after) == trials
    assert {n: after[n] for n in before} == before


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize(
    ("pragma", "words"),
    [
        ("PRAGMA max_page_count = 1", ("disk is full",)),  # clamped: the file cannot grow
        ("PRAGMA query_only = 1", ("read-only",)),
    ],
    ids=["full-disk", "read-only"],
)
def test_a_database_fault_mid_study_is_one_line_and_the_study_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, pragma: str, words: tuple[str]
) -> None:
    db = tmp_path / "study.db"
    with contextlib.closing(sqlite3.connect(db)) as conn:  # small pages: the file grows often
        conn.execute("PRAGMA page_size = 512")
        conn.execute("PRAGMA journal_mode = WAL")
    args = ["tune", str(_config(tmp_path, 16)), "--storage", str(db), "--worker",
            "--out", str(tmp_path / "out")]  # fmt: skip
    faulty = FaultySQLite()
    monkeypatch.setattr(storage, "_sqlite_connect", faulty.connect)
    _after_trials(monkeypatch, 3, lambda: faulty.strike(pragma))
    assert main(args) == 1
    _one_line_error(capsys.readouterr().err, db, *words)
    before = _complete(db)
    assert 3 <= len(before) < 16  # the trials finished before the fault are there
    monkeypatch.undo()
    _resume(args, db, before, 16, capsys)


@pytest.mark.parametrize("pragma", ["PRAGMA query_only = 1", "PRAGMA max_page_count = 1"])
def test_a_database_that_cannot_be_written_at_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, pragma: str
) -> None:
    """A new database on a full disk or read-only from the start: one line, exit 1."""
    faulty = FaultySQLite()
    faulty.pragmas.append(pragma)
    monkeypatch.setattr(storage, "_sqlite_connect", faulty.connect)
    db = tmp_path / "new" / "study.db"
    args = ["tune", str(_config(tmp_path, 2)), "--storage", str(db), "--worker"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 1
    _one_line_error(capsys.readouterr().err, db, "cannot open")


# --- a real full disk and read-only file system: a small tmpfs ------------------------
@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs (skipped where mounting is not allowed)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if os.geteuid() != 0 or not mount or not umount:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run([umount, "-l", str(disk)], capture_output=True, check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the disk is full (to its last byte); return it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)  # a partial write fills what is left
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                break
    finally:
        os.close(fd)
    assert shutil.disk_usage(folder).free < 4096
    return filler


def test_a_real_full_disk(
    tmpfs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The disk fills up after three trials (a file written until ENOSPC)."""
    db = tmpfs / "study.db"
    args = ["tune", str(_config(tmp_path, 16)), "--storage", str(db), "--worker",
            "--out", str(tmp_path / "o")]  # fmt: skip
    fillers: list[Path] = []
    _after_trials(monkeypatch, 3, lambda: fillers.append(_fill(tmpfs)))
    assert main(args) == 1
    _one_line_error(capsys.readouterr().err, db, f"the disk holding {tmpfs} is full")
    before = _complete(db)
    assert 3 <= len(before) < 16
    monkeypatch.undo()
    fillers[0].unlink()
    _resume(args, db, before, 16, capsys)


def test_a_real_read_only_file_system(tmpfs: Path, tmp_path: Path, capsys) -> None:
    """The study's file system remounted read-only between two runs: the second is
    refused in one line; remounted writable, the same command resumes."""
    db = tmpfs / "study.db"
    args = ["tune", str(_config(tmp_path, 4)), "--storage", str(db), "--worker",
            "--out", str(tmp_path / "o")]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    before = _complete(db)
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True, check=False
    )
    if remount.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {remount.stderr.strip()}")
    try:
        assert main([*args, "--trials", "8"]) == 1
        _one_line_error(capsys.readouterr().err, db, f"the folder {tmpfs} is not writable")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)
    _resume([*args, "--trials", "8"], db, before, 8, capsys)
