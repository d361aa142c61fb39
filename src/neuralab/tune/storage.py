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
"""

from __future__ import annotations

import functools
import importlib.util
import os
import random
import time
import warnings
from pathlib import Path
from typing import Any

__all__ = ["DIALECTS", "describe", "open_storage", "storage_url"]

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


def open_storage(url: str, heartbeat: int = 5) -> Any:
    """An Optuna RDBStorage on ``url`` (tables created when missing) with heartbeats
    every ``heartbeat`` seconds. A database that cannot be reached raises a ValueError
    naming it. Workers that start together may race to create the tables; the ones that
    lose try again."""
    import optuna
    from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError

    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs["creator"] = functools.partial(_sqlite_connect, str(path))
    else:
        engine_kwargs["pool_pre_ping"] = True
    callback = optuna.storages.RetryHeartbeatStaleTrialCallback
    for attempt in range(5):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=engine_kwargs,
                    heartbeat_interval=heartbeat,
                    grace_period=GRACE_FACTOR * heartbeat,
                    heartbeat_stale_trial_callback=callback(max_retry=2),
                )
        except (IntegrityError, ProgrammingError):
            # workers starting together race to create the tables: the loser retries
            if attempt == 4:
                raise
            time.sleep(0.1 + 0.4 * random.random())
        except (SQLAlchemyError, ImportError, ValueError, OSError) as error:
            text = str(error).strip()
            first = text.splitlines()[0] if text else type(error).__name__
            raise ValueError(f"storage: cannot open {describe(url)}: {first}") from None
    raise AssertionError("unreachable")  # pragma: no cover
