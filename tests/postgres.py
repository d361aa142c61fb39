"""A throwaway PostgreSQL server for the tests, on loopback, from the system packages.

``postgres_url`` (session-scoped fixture): initdb in a temporary folder, the server on a
free port of 127.0.0.1 (fsync off: the data are thrown away), one empty database; the URL
``postgresql+psycopg://postgres@127.0.0.1:PORT/DB``. PostgreSQL refuses to run as root, so
as root the server runs as the unprivileged ``postgres`` user (Debian's package creates
it). Without the server binaries the tests skip, or fail with
``NEURALAB_REQUIRE_SYSTEM=1`` (CI installs Debian's postgresql).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["postgres_url"]


def _missing(reason: str) -> None:
    if os.environ.get("NEURALAB_REQUIRE_SYSTEM") == "1":
        pytest.fail(f"PostgreSQL is required (NEURALAB_REQUIRE_SYSTEM=1) but {reason}")
    pytest.skip(f"PostgreSQL is not available: {reason}")


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _runner() -> tuple[list[str], int | None, int | None]:
    """The command prefix running as an unprivileged user, and its uid/gid (as root)."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        _missing("running as root and there is no 'postgres' user to run the server as")
    runuser = shutil.which("runuser")
    prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-c"]
    return prefix, user.pw_uid, user.pw_gid


def _run(prefix: list[str], args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if prefix and prefix[0] == "su":  # su takes one command string
        import shlex

        args = [shlex.join(args)]
    return subprocess.run(
        [*prefix, *args], capture_output=True, text=True, timeout=60, check=False, **kwargs
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh database on a private PostgreSQL server (see the module)."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _missing("no initdb found (/usr/lib/postgresql/*/bin or PATH)")
    try:
        import psycopg
    except ImportError:
        _missing("the Python driver psycopg is not installed")
    prefix, uid, gid = _runner()
    root = Path(tempfile.mkdtemp(prefix="neuralab-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if uid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    port = _free_port()
    started = False
    try:
        done = _run(
            prefix,
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
        )  # fmt: skip
        if done.returncode != 0:
            pytest.fail(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        done = _run(
            prefix,
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
             str(root / "server.log"), "-w", "-t", "60", "start"],
        )  # fmt: skip
        if done.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            pytest.fail(f"the PostgreSQL server did not start: {done.stderr.strip()}\n{log}")
        started = True
        database = f"tune_{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
                    autocommit=True,
                ) as conn:
                    conn.execute(f"CREATE DATABASE {database}")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        if started:
            _run(prefix, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        with contextlib.suppress(OSError):
            shutil.rmtree(root)
