"""Safe file writing and reading: the one mechanism behind every file neuralab writes.

Writing (``atomic_write``, ``atomic_open``):

- only a regular file (or a path that does not exist yet) is ever replaced. A directory,
  a device node (``/dev/null``), a FIFO or a socket, directly or through a symbolic link,
  is refused with ``NotARegularFileError`` (``IsADirectoryError`` for a directory) naming
  the path, before anything is written;
- the bytes go to a temporary file in the target's folder, named
  ``.<name>.<pid>.<host><random>.tmp``; they are flushed and ``fsync``-ed, the file is
  renamed onto the target (``os.replace``, atomic) and the folder is ``fsync``-ed. A crash
  at any moment leaves the old file or the new one, never a mixture; on an error the
  temporary file is removed;
- a temporary file that a killed process left behind is removed by the next write to the
  same target: one whose process (on this host, in this pid namespace) no longer
  exists, or one older than ``STALE_AFTER_S``. A temporary file of a live writer in
  another process is left alone, so concurrent writers do not break each other.

Reading (``open_regular``, ``read_bytes``, ``read_json``): regular files only (a FIFO is
never opened for a blocking read), sizes checked before the bytes are read, JSON
nesting capped; every error is an ``OSError`` or a ``ValueError`` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "STALE_AFTER_S",
    "NotARegularFileError",
    "atomic_open",
    "atomic_write",
    "json_depth",
    "loads_json",
    "open_regular",
    "read_bytes",
    "read_json",
    "temp_files",
]

STALE_AFTER_S = 3600.0  # a temporary file older than this is stale whoever owns it
MAX_JSON_BYTES = 64 << 20  # JSON files read with read_json: at most 64 MiB
MAX_JSON_DEPTH = 100  # and nested at most this deep

_SUFFIX = ".tmp"
_MAX_BASE_BYTES = 150  # the target's name is cut to this in the temporary's name


def _pid_space() -> str:
    """Where this process's pids mean something: the host and its pid namespace."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return hashlib.sha256(f"{socket.gethostname()}/{namespace}".encode()).hexdigest()[:6]


_HOST = _pid_space()  # in temporary names: whose pids may be probed with os.kill
_TOKEN = re.compile(r"(\d{1,10})\.([0-9a-f]{6})[0-9a-f]{10}")
_live: set[str] = set()  # this process's temporary files being written now
_live_lock = threading.Lock()


class NotARegularFileError(OSError, ValueError):
    """A path that must be a regular file is a device, a FIFO, a socket or the like.

    Both an OSError and a ValueError.

    Examples:
        >>> from neuralab.io import NotARegularFileError, read_json
        >>> read_json("/dev/null")
        Traceback (most recent call last):
        neuralab.safe_io.NotARegularFileError: ...
    """


# --- what a path is ---------------------------------------------------------------------
def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _refuse(path: str, mode: int, what: str, doing: str) -> OSError:
    kind = _kind(mode)
    real = os.path.realpath(path)
    via = f" (a link to {real!r})" if os.path.islink(path) else ""
    message = f"{what}: {path!r}{via} is {kind}, not a regular file; {doing}"
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, message, path)
    return NotARegularFileError(errno.EINVAL, message, path)


def _named(exc: OSError, what: str, path: str, doing: str) -> OSError:
    """``exc`` again (same errno, so the same OSError subclass), naming ``path``."""
    detail = exc.strerror or str(exc)
    return OSError(exc.errno, f"{what}: {doing} {path!r}: {detail}", path)


def _target(path: str, what: str) -> str:
    """The file to replace for ``path`` (through symbolic links), refusing non-regular ones."""
    if path.endswith(("/", os.sep)):
        raise IsADirectoryError(errno.EISDIR, f"{what}: {path!r} names a directory", path)
    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    except OSError as exc:  # a loop of links, a file used as a folder, no permission
        raise _named(exc, what, path, "cannot write") from None
    if not stat.S_ISREG(mode):
        raise _refuse(path, mode, what, "refusing to replace it")
    return real


# --- temporary files --------------------------------------------------------------------
def _prefix(base: str) -> str:
    cut = base.encode("utf-8", "surrogateescape")[:_MAX_BASE_BYTES]
    return f".{cut.decode('utf-8', 'ignore')}."


def temp_files(path: str | os.PathLike) -> list[str]:
    """The temporary files of writes to ``path`` present now (any process's)."""
    directory, base = os.path.split(os.path.realpath(os.fspath(path)))
    prefix = _prefix(base)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(
        os.path.join(directory, n)
        for n in names
        if n.startswith(prefix)
        and n.endswith(_SUFFIX)
        and _TOKEN.fullmatch(n[len(prefix) : -len(_SUFFIX)])
    )


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) is not a probe on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    except (OverflowError, ValueError, OSError):
        return False
    return True


def _is_stale(path: str, pid: int, host: str, now: float) -> bool:
    try:
        age = now - os.lstat(path).st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_S:
        return True
    if host != _HOST:  # another machine's (or container's) writer: only its age tells
        return False
    if pid == os.getpid():
        with _live_lock:
            return path not in _live
    return not _pid_alive(pid)


def remove_stale_temps(path: str | os.PathLike) -> list[str]:
    """Remove the stale temporary files of writes to ``path``; returns those removed."""
    real = os.path.realpath(os.fspath(path))
    prefix = _prefix(os.path.basename(real))
    now, removed = time.time(), []
    for temp in temp_files(real):
        token = _TOKEN.fullmatch(os.path.basename(temp)[len(prefix) : -len(_SUFFIX)])
        if token and _is_stale(temp, int(token[1]), token[2], now):
            with contextlib.suppress(OSError):  # gone already, or not ours to remove
                os.unlink(temp)
                removed.append(temp)
    return removed


def _create_temp(directory: str, base: str, what: str, path: str) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        token = f"{os.getpid()}.{_HOST}{secrets.token_hex(5)}"
        temp = os.path.join(directory, f"{_prefix(base)}{token}{_SUFFIX}")
        with _live_lock:
            _live.add(temp)
        try:
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 40 random bits collided
            continue
        except OSError as exc:
            with _live_lock:
                _live.discard(temp)
            raise _named(exc, what, path, "cannot write") from None
        except BaseException:
            with _live_lock:
                _live.discard(temp)
            raise


def _fsync_directory(directory: str) -> None:
    if hasattr(os, "O_DIRECTORY"):  # makes the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# --- writing ----------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, what: str = "write") -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; on leaving the block without an
    error it replaces ``path`` atomically (fsync, rename, fsync of the folder), on an
    error it is removed and ``path`` is as it was. ``what`` starts the error messages.

    Refuses (before writing anything) a ``path`` that is, or links to, a directory, a
    device, a FIFO or a socket; removes stale temporary files of earlier writes."""
    name = os.fspath(path)
    target = _target(name, what)
    directory, base = os.path.split(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"{what}: no such directory {directory!r}", name)
    remove_stale_temps(target)
    temp, fd = _create_temp(directory, base, what, name)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            try:
                f.flush()
                os.fsync(f.fileno())
            except OSError as exc:
                raise _named(exc, what, name, "cannot write") from None
        with contextlib.suppress(OSError):  # keep an existing file's permissions
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        _target(name, what)  # once more, just before the rename: still a regular file?
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _named(exc, what, name, "cannot replace") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    finally:
        with _live_lock:
            _live.discard(temp)
    _fsync_directory(directory)


def _write_all(f: BinaryIO, data: bytes) -> None:
    f.write(data)


def atomic_write(
    path: str | os.PathLike,
    data: bytes | bytearray | memoryview,
    what: str = "write",
    write: Callable[[BinaryIO, Any], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` atomically (see ``atomic_open``): a crash leaves the
    old file or the new one. ``write(f, data)`` writes the bytes (default ``f.write``)."""
    name = os.fspath(path)
    with atomic_open(name, what) as f:
        try:
            (write or _write_all)(f, data)
        except OSError as exc:  # a full disk, a quota, an I/O error
            raise _named(exc, what, name, "cannot write") from exc


# --- reading ----------------------------------------------------------------------------
def open_regular(path: str | os.PathLike, what: str = "read") -> tuple[BinaryIO, int]:
    """``path`` opened for binary reading, and its size; refuses (without blocking) what
    is not a regular file. Errors name the path."""
    name = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{what}: no such file {name!r}", name) from None
    except OSError as exc:
        raise _named(exc, what, name, "cannot open") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(name, info.st_mode, what, "refusing to read it")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike, what: str = "read", max_bytes: int | None = None) -> bytes:
    """The content of the regular file ``path``; refuses one larger than ``max_bytes``
    before reading it."""
    name = os.fspath(path)
    f, size = open_regular(name, what)
    with f:
        if max_bytes is not None and size > max_bytes:
            raise ValueError(
                f"{what}: {name!r} is {size} bytes, more than the {max_bytes} accepted"
            )
        try:
            data = f.read(size + 1 if max_bytes is None else max_bytes + 1)
        except OSError as exc:
            raise _named(exc, what, name, "cannot read") from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew while we read
        raise ValueError(f"{what}: {name!r} is more than the {max_bytes} bytes accepted")
    return data


def json_depth(value: Any) -> int:
    """How deeply ``value`` (parsed JSON) nests lists and dicts, without recursion."""
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            depth = max(depth, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return depth


def loads_json(text: str | bytes, name: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse ``text`` as JSON; a ValueError naming ``name`` when it is not valid UTF-8 or
    JSON, or nests deeper than ``max_depth``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"{name}: JSON nested more than {max_depth} levels deep") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not valid JSON ({exc})") from None
    if json_depth(value) > max_depth:
        raise ValueError(f"{name}: JSON nested more than {max_depth} levels deep")
    return value


def read_json(
    path: str | os.PathLike,
    what: str = "read",
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse the JSON file ``path``, with its size and nesting capped; errors name the file.

    Args:
        path: The file (a regular file).
        what: The caller's name, for the error messages. Defaults to ``"read"``.
        max_bytes: Largest file accepted. Defaults to ``MAX_JSON_BYTES`` (64 MiB).
        max_depth: Deepest nesting accepted. Defaults to ``MAX_JSON_DEPTH`` (100).

    Returns:
        The parsed value.

    Raises:
        FileNotFoundError: A missing file.
        NotARegularFileError: A path that is not a regular file.
        ValueError: Invalid JSON, a file larger than max_bytes or nested deeper than
            max_depth.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.io import read_json
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "config.json"
        >>> _ = path.write_text('{"lr": 0.1, "layers": [64, 32]}')
        >>> read_json(path)
        {'lr': 0.1, 'layers': [64, 32]}
    """
    name = os.fspath(path)
    return loads_json(read_bytes(name, what, max_bytes), f"{what}: {name!r}", max_depth)
