"""Where a study's trials are kept: an embedded SQLite file by default, or any database
URL Optuna supports, shared by workers on several machines.

- ``None`` or a path (``runs/tune/study.db``): SQLite, ``sqlite:///<absolute path>``.
  Every finished trial is committed when it ends, so a study stopped by Ctrl-C or
  SIGKILL loses at most the trial that was running; running the same command again
  resumes it.
- ``postgresql://user:password@host:5432/db`` (psycopg 3 is used when psycopg2 is not
  installed), ``mysql+pymysql://...``: a server every worker reaches; workers on several
  machines started with the same ``--storage`` and ``--study`` share one study.

A running trial writes a heartbeat every ``heartbeat`` seconds; a trial whose worker
died (SIGKILL, a lost machine) has no heartbeat for ``3 x heartbeat`` seconds; it is then
marked failed and a copy of it, with the same parameters, is queued (at most twice), so
the budget counts it no more and its configuration is tried again from its first epoch.

Workers may start at the same instant on a new database: the tables are created under a
lock (``neuralab.tune.locking``: the folder's flock for SQLite, an advisory lock for
PostgreSQL), and the few errors of such a race that remain possible (another program
creating the tables, "database is locked") are retried with a growing pause. A fault of
the database while a study runs (a full disk, a read-only folder, a server gone) is a
``StorageError``: one line naming the database and the problem; every finished trial
stays committed, and the same command resumes the study once the fault is fixed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import random
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from neuralab.tune.locking import lock_for

__all__ = [
    "DIALECTS",
    "StorageError",
    "describe",
    "explain",
    "open_storage",
    "retrying",
    "storage_errors",
    "storage_url",
    "transient",
    "where",
]

T = TypeVar("T")

DIALECTS = ("sqlite", "postgresql", "mysql", "mariadb", "oracle", "mssql")
GRACE_FACTOR = 3


def storage_url(storage: str | os.PathLike | None, default: str | os.PathLike) -> str:
    """The database URL of ``storage``: a URL as it is (PostgreSQL through psycopg 3 when
    psycopg2 is absent), a file path or None (then ``default``) as SQLite. A malformed URL
    or an unknown database raises a ValueError naming the accepted forms."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = os.fspath(default if storage is None else storage)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"storage: expected a database URL or a file path, got {storage!r}")
    memory = "storage: an SQLite URL needs a file, sqlite:///PATH (not in memory)"
    if "://" not in text:  # a path: SQLite
        if text.strip() == ":memory:":
            raise ValueError(memory)
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            raise ValueError(f"storage: {text!r} is a folder; give a file such as study.db")
        return f"sqlite:///{path}"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as error:
        raise ValueError(
            f"storage: cannot parse the URL {describe(text)!r} ({error}); expected "
            "sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/DATABASE or another "
            "SQLAlchemy database URL"
        ) from None
    dialect = url.get_backend_name()
    if dialect not in DIALECTS:
        raise ValueError(
            f"storage: unknown database {dialect!r} in {describe(text)!r}; expected one of "
            f"{', '.join(DIALECTS)} (e.g. sqlite:///study.db or postgresql://HOST/DATABASE)"
        )
    if dialect == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError(memory)
        path = Path(url.database).expanduser()
        return f"sqlite:///{path.resolve()}"
    if dialect == "postgresql" and url.get_driver_name() == "psycopg2":
        has2 = importlib.util.find_spec("psycopg2") is not None
        if not has2 and "+" not in url.drivername:
            url = url.set(drivername="postgresql+psycopg")
            return url.render_as_string(hide_password=False)
    return text


def describe(text: str) -> str:
    """The URL with its password hidden (for messages and reports)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(text).render_as_string(hide_password=True)
    except Exception:
        return text.split("@")[-1] if "@" in text else text


def _sqlite_connect(path: str) -> Any:
    """An SQLite connection in write-ahead-log mode with ``synchronous=NORMAL``: a commit
    is not flushed to the disk at once (fast), yet no committed trial is lost when the
    process is killed (only a crash of the whole machine can lose the last commits).
    Several processes of one machine may share the file; they wait up to 60 s for a
    lock."""
    import sqlite3

    connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class StorageError(OSError, ValueError):
    """The study's database failed: it cannot be reached, opened or written (a full disk,
    a read-only folder, a server that is down). One line naming the database and the
    problem; the finished trials are kept (each one was committed when it ended)."""


#: (text in the driver's message, what it means): the causes a user can do something about
_CAUSES = (
    ("database or disk is full", "the disk is full"),
    ("no space left on device", "the disk is full"),
    ("disk quota exceeded", "the disk quota is exceeded"),
    ("readonly database", "the database file or its folder is read-only"),
    ("read-only file system", "the file system is read-only"),
    ("permission denied", "permission denied"),
    ("unable to open database file", "the file cannot be created or opened (is its folder "
     "missing or read-only, or the disk full?)"),
    ("disk i/o error", "a disk I/O error (is the disk full, read-only or failing?)"),
    ("database is locked", "the database stayed locked by another process"),
    ("database disk image is malformed", "the database file is corrupt"),
    ("file is not a database", "the file is not an SQLite database"),
)  # fmt: skip

#: errors that a worker started together with others may meet once and should retry
_TRANSIENT = (
    "already exists",
    "database is locked",
    "database table is locked",
    "duplicate key",
    "unique constraint",
    "deadlock",
    "could not serialize",
)

ATTEMPTS = 8  # tries of a step that met a transient error (1 + 2 + 4 ... backoff, < 10 s)


def where(url: str) -> str:
    """The database as messages name it: an SQLite file's path, else the URL without
    its password."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    return describe(url)


def _driver_error(error: BaseException) -> BaseException:
    """The error the database driver raised under SQLAlchemy's and Optuna's wrappers."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        orig = getattr(error, "orig", None)
        if isinstance(orig, BaseException):
            return orig
        cause = error.__cause__ or error.__context__
        if cause is None:
            return error
        error = cause
    return error


def explain_driver(error: BaseException) -> str:
    """The first line of the database driver's own message for ``error``."""
    root = _driver_error(error)
    text = root.strerror if isinstance(root, OSError) and root.strerror else str(root).strip()
    return text.splitlines()[0].strip() if text else type(root).__name__


def explain(error: BaseException) -> str:
    """One line saying what went wrong with the database (the driver's own message in
    brackets when a known cause is recognized)."""
    first = explain_driver(error)
    lowered = str(_driver_error(error)).lower()  # not SQLAlchemy's text: it quotes the SQL
    for needle, meaning in _CAUSES:
        if needle in lowered:
            return meaning if needle == first.lower() else f"{meaning} ({first})"
    return first


def transient(error: BaseException) -> bool:
    """Whether ``error`` is one that workers started together meet while they race to
    create the same tables or study (or a lock held a moment), and a retry cures."""
    text = str(_driver_error(error)).lower()
    return any(needle in text for needle in _TRANSIENT)


def _database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    return (SQLAlchemyError, sqlite3.Error, optuna.exceptions.StorageInternalError)


def _folder_problem(url: str) -> str | None:
    """What is wrong with an SQLite database's folder, if anything: its disk full, or
    the folder not writable (a read-only file system, or no permission)."""
    if not url.startswith("sqlite:///"):
        return None
    folder = Path(url[len("sqlite:///") :]).parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    free = stats.f_bfree if os.geteuid() == 0 else stats.f_bavail  # root may use the reserve
    if free * stats.f_frsize < 64 * 1024 or (stats.f_files and stats.f_ffree == 0):
        return f"the disk holding {folder} is full"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable (a read-only file system or no permission)"
    return None


def fault(error: BaseException, url: str, doing: str = "") -> StorageError:
    """A one-line StorageError for ``error`` met on the database ``url`` while ``doing``
    (e.g. "cannot open"): the database, then the problem (for SQLite the state of its
    folder when that explains it: a full disk, a read-only folder)."""
    what = f"{doing} {where(url)}" if doing else where(url)
    problem = explain(error)
    folder = _folder_problem(url)
    if folder is not None:
        driver = explain_driver(error)
        problem = f"{folder} ({driver})" if driver else folder
    message = f"storage: {what}: {problem}"
    if not doing:
        message += "; the finished trials are kept: fix it, then run the same command to resume"
    return StorageError(message)


@contextlib.contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Turn a database error raised inside (SQLAlchemy's, the driver's, or Optuna's
    ``StorageInternalError`` wrapping them) into a one-line StorageError naming the
    database and the problem (a full disk, a read-only folder, a lost server)."""
    try:
        yield
    except StorageError:
        raise
    except Exception as error:
        # Optuna may raise another error while it handles a database's (its trial loop
        # asserts on a trial it could not finish): the database's error is the cause
        cause = _database_error_in(error)
        if cause is None:
            raise
        raise fault(cause, url) from None


def _database_error_in(error: BaseException) -> BaseException | None:
    """``error`` or the first error of its chain (cause, context) that is a database's."""
    kinds, seen = _database_errors(), set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kinds):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def retrying(step: Callable[[], T], url: str, attempts: int = ATTEMPTS) -> T:
    """``step()``, tried again after a transient error (see ``transient``) with a growing,
    jittered pause (at most ``attempts`` tries, under 10 s in all)."""
    for attempt in range(attempts):
        try:
            return step()
        except _database_errors() as error:
            if attempt == attempts - 1 or not transient(error):
                raise
        time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def _heartbeat_storage() -> type:
    """RDBStorage whose heartbeats never raise: a heartbeat runs in a thread of its own,
    where an error (a full disk, a lock held a moment) would print a traceback and stop
    the heartbeats of a trial that is still running. A missed heartbeat is only skipped;
    the trial's own writes report a lasting fault."""
    import optuna

    class Storage(optuna.storages.RDBStorage):
        def record_heartbeat(self, trial_id: int) -> None:
            try:
                super().record_heartbeat(trial_id)
            except _database_errors():
                pass

    return Storage


def open_storage(url: str, heartbeat: int = 5) -> Any:
    """An Optuna RDBStorage on ``url`` (tables created when missing) with heartbeats
    every ``heartbeat`` seconds. The tables are created under a lock (``locking``) so
    workers started at the same instant on a new database do not race to create them; a
    transient error is retried. A database that cannot be reached, created or written
    raises a StorageError (a ValueError and an OSError) naming it and the problem."""
    import optuna

    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite:///") :])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"storage: cannot create the folder {path.parent}: {error.strerror or error}"
            ) from None
        engine_kwargs["creator"] = functools.partial(_sqlite_connect, str(path))
    else:
        engine_kwargs["pool_pre_ping"] = True
    callback = optuna.storages.RetryHeartbeatStaleTrialCallback
    storage_class = _heartbeat_storage()

    def create() -> Any:
        with lock_for(url, "schema", describe(url)), warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return storage_class(
                url,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat,
                grace_period=GRACE_FACTOR * heartbeat,
                heartbeat_stale_trial_callback=callback(max_retry=2),
            )

    try:
        return retrying(create, url)
    except (*_database_errors(), ImportError, OSError, ValueError, RuntimeError) as error:
        raise fault(error, url, "cannot open") from None
