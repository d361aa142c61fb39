"""Locks that serialize the workers of one study around the few steps that must not
interleave: creating the database's tables and the study, and deciding to start a trial
(so that workers started at the same instant neither race to create the schema nor start
more trials than the budget).

- SQLite (the workers share one machine): an exclusive ``flock`` on the database's
  folder. No lock file is left behind, the lock works in a read-only folder, and the
  kernel drops it when the process dies (SIGKILL included).
- PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) keyed by the purpose,
  held on a connection of its own; the server drops it when the connection closes.
- MySQL / MariaDB: ``GET_LOCK``.
- Other databases, or a file system without ``flock``: no lock; the callers retry the
  known transient errors instead.

A lock is re-entrant-safe to release (``release`` twice is a no-op) and waits at most
``timeout`` seconds, then raises a TimeoutError naming the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Lock", "lock_for"]

TIMEOUT = 120.0  # seconds a worker waits for another worker's step (normally milliseconds)


def _pause(waited: int) -> None:
    """A short sleep that grows with the number of tries, with jitter (1 ms to 50 ms)."""
    time.sleep(min(0.05, 0.001 * 2 ** min(waited, 6)) * (0.5 + random.random()))


class Lock:
    """No lock: the base of the real ones (``acquire``/``release``, or ``with``)."""

    def __init__(self, where: str = "", timeout: float = TIMEOUT) -> None:
        self.where = where
        self.timeout = timeout

    def acquire(self) -> None:
        """Take the lock (wait for it at most ``timeout`` seconds)."""

    def release(self) -> None:
        """Let the lock go (nothing if it is not held)."""

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def _timed_out(self) -> TimeoutError:
        return TimeoutError(
            f"waited {self.timeout:.0f} s for another worker of {self.where} to let its lock "
            "go; is a worker stopped (Ctrl-Z) or hung?"
        )


class FolderLock(Lock):
    """An exclusive ``flock`` on a folder (the SQLite database's)."""

    def __init__(self, folder: Path, timeout: float = TIMEOUT) -> None:
        super().__init__(str(folder), timeout)
        self.folder = folder
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        fd = os.open(self.folder, os.O_RDONLY)
        deadline = time.monotonic() + self.timeout
        waited = 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise self._timed_out() from None
                _pause(waited)
                waited += 1
                continue
            except OSError:  # no flock on this file system: go on unlocked
                os.close(fd)
                return
            self._fd = fd
            return

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops its flock


class ServerLock(Lock):
    """An advisory lock of a database server, on a connection of its own."""

    def __init__(self, url: str, dialect: str, key: str, where: str, timeout: float = TIMEOUT):
        super().__init__(where, timeout)
        self.url, self.dialect = url, dialect
        digest = hashlib.blake2b(f"neuralab:{key}".encode(), digest_size=8).digest()
        self.number = int.from_bytes(digest, "big", signed=True)  # PostgreSQL: a bigint
        self.name = f"neuralab-{digest.hex()}"  # MySQL: a name (64 characters at most)
        self._engine: Any = None
        self._connection: Any = None

    def _statements(self) -> tuple[str, str, dict[str, Any]]:
        if self.dialect == "postgresql":
            return (
                "SELECT pg_try_advisory_lock(:k)",
                "SELECT pg_advisory_unlock(:k)",
                {"k": self.number},
            )
        return "SELECT GET_LOCK(:k, 0)", "SELECT RELEASE_LOCK(:k)", {"k": self.name}

    def acquire(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        take, _, values = self._statements()
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + self.timeout
        waited = 0
        try:
            while not connection.execute(text(take), values).scalar():
                if time.monotonic() >= deadline:
                    raise self._timed_out()
                _pause(waited)
                waited += 1
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def release(self) -> None:
        from sqlalchemy import text

        connection, self._connection = self._connection, None
        if connection is None:
            return
        _, give, values = self._statements()
        try:
            connection.execute(text(give), values)
        except Exception:  # closing the connection drops the lock all the same
            pass
        finally:
            with contextlib.suppress(Exception):
                connection.close()


def lock_for(url: str, key: str, where: str = "") -> Lock:
    """The lock of ``key`` (e.g. ``"schema"`` or ``"study:NAME"``) in the database ``url``:
    the folder's flock for SQLite (every key of one folder shares it), an advisory lock of
    the server for PostgreSQL and MySQL, else no lock."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    if dialect == "sqlite":
        return FolderLock(Path(parsed.database or ".").expanduser().resolve().parent)
    if dialect in ("postgresql", "mysql", "mariadb"):
        return ServerLock(url, "postgresql" if dialect == "postgresql" else "mysql", key, where)
    return Lock(where)
