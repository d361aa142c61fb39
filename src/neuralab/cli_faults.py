"""What the ``neuralab`` command does when something goes wrong: one line on standard
error, never a traceback, and the exit status of the contract:

- 2: a usage error (``UsageError``; argparse's own errors exit 2 before this runs);
- 1: a runtime failure a user can cause (a missing or corrupted file, a full disk,
  bad data, a loss that became NaN, too little memory): ``neuralab CMD: error: ...``;
- 1: an unexpected internal error: one line, and the full traceback written to a file
  under the user cache (``$XDG_CACHE_HOME/neuralab/crashes/``) whose path the line names;
- 130: interrupted (Ctrl-C): the command's ``Interrupted`` message says what was kept
  and how to resume;
- a closed standard output (``neuralab lab --list | head``) ends quietly with 1.

``guard(command, work)`` runs ``work()`` under these rules and returns the status.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

__all__ = ["Interrupted", "UsageError", "guard", "one_line"]

PACKAGE = str(Path(__file__).resolve().parent)


class UsageError(ValueError):
    """A bad argument found after parsing (still before any work): exit 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with what was kept and how to resume (exit 130)."""


def one_line(error: BaseException) -> str:
    """The error's message on one line (OSError: its text and the file)."""
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
        if error.filename is not None and str(error.filename) not in text:
            text = f"{text}: {error.filename}"
    else:
        text = str(error) or type(error).__name__
    if isinstance(error, MemoryError):
        text = f"out of memory ({text})"
    return " ".join(text.split())


def _ours(error: BaseException) -> bool:
    """Whether ``error`` was raised by neuralab's own code (its innermost frame is in the
    package): a ValueError there is a message for the user, elsewhere a bug of ours."""
    tb = error.__traceback__
    if tb is None:
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    return os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(PACKAGE)


def _known(error: BaseException) -> bool:
    from neuralab.extras import MissingExtraError
    from neuralab.train import NonFiniteLossError

    known = (OSError, MemoryError, NonFiniteLossError, UnicodeError, MissingExtraError)
    if isinstance(error, known):
        return True
    return isinstance(error, ValueError) and _ours(error)


def crash_file(command: str, error: BaseException) -> str:
    """Write the traceback of ``error`` under the user cache (else the temporary folder)
    and return the file's path."""
    import tempfile

    from neuralab.data.files import cache_dir

    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    name = f"{command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in (cache_dir() / "crashes", Path(tempfile.gettempdir()) / "neuralab-crashes"):
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            from neuralab.io import atomic_write

            atomic_write(str(path), text.encode())
            return str(path)
    return "nowhere (the cache and the temporary folder are not writable)"


def guard(command: str, work: Callable[[], int]) -> int:
    """Run ``work()`` and turn what it raises into a one-line message and an exit status
    (see the module's docstring). Floating-point warnings (overflow in a diverging run)
    are silenced: a non-finite loss is reported in words instead."""
    prefix = f"neuralab {command}"
    try:
        import numpy

        with numpy.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return work()
    except SystemExit:
        raise
    except Interrupted as interrupted:
        print(f"{prefix}: interrupted; {interrupted}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted; nothing was kept", file=sys.stderr)
        return 130
    except UsageError as error:
        print(f"{prefix}: error: {one_line(error)} (usage: {prefix} --help)", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as error:
        if _known(error):
            print(f"{prefix}: error: {one_line(error)}", file=sys.stderr)
            return 1
        where = crash_file(command, error)
        print(
            f"{prefix}: unexpected error: {type(error).__name__}: {one_line(error)} (the full "
            f"traceback is in {where}; please report it)",
            file=sys.stderr,
        )
        return 1
