"""The command line's one validation layer: argparse ``type=`` functions shared by every
``neuralab`` subcommand, and the checks that need several arguments at once. They run
while the arguments are parsed, before any data is read or any file written, so a bad
value is a usage error (exit 2, one line naming the argument).

Numbers are finite and inside stated bounds (a learning rate 0 < lr <= ``MAX_LR``,
counts 1 <= n <= their maximum, seeds 0 <= seed < 2**63); the MLP's hidden sizes are
refused when their parameters would not fit in memory (``check_model_memory``); an
output folder must not be an existing file nor lie under one, and must be writable; a
Dask scheduler's address is ``tcp://HOST:PORT`` (``scheduler_address``).
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import math
import os
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_COUNT",
    "MAX_LR",
    "MAX_SEED",
    "ModelTooLargeError",
    "check_model_memory",
    "count",
    "existing_file",
    "existing_folder",
    "format_bytes",
    "learning_rate",
    "memory_limit",
    "output_folder",
    "positive_seconds",
    "scheduler_address",
    "seed",
]

MAX_LR = 10.0  # a sane bound: a larger learning rate is a typo (1e30), not a setting
MAX_COUNT = 1_000_000  # epochs, batch size, seeds per study, trials, ...
MAX_SEED = 2**63 - 1
BYTES_PER_PARAMETER = 16  # float32 weights, gradients and two optimizer moments


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except (TypeError, ValueError, OverflowError):
        noun = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None


def _finite(text: str) -> float:
    value = _number(text, float)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def learning_rate(text: str) -> float:
    """A learning rate: finite, 0 < lr <= MAX_LR."""
    value = _finite(text)
    if not 0 < value <= MAX_LR:
        raise argparse.ArgumentTypeError(
            f"expected a learning rate 0 < lr <= {MAX_LR:g}, got {text!r}"
        )
    return value


def positive_seconds(text: str) -> float:
    """A duration in seconds: finite and positive."""
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {text!r}")
    return value


def count(maximum: int = MAX_COUNT) -> Any:
    """A type for a count: an integer 1 <= n <= maximum."""

    def parse(text: str) -> int:
        value = _number(text, int)
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"expected a positive int (1 <= n <= {maximum:,}), got {text!r}"
            )
        return value

    parse.__name__ = "count"
    return parse


def seed(text: str) -> int:
    """A random seed: an integer 0 <= seed < 2**63."""
    value = _number(text, int)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a seed 0 <= seed < 2**63, got {text!r}")
    return value


def existing_folder(text: str) -> str:
    """A folder that exists."""
    if not text:
        raise argparse.ArgumentTypeError("expected a folder, got an empty path")
    if not Path(text).is_dir():
        what = "is not a folder" if Path(text).exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {what}")
    return text


def existing_file(text: str) -> str:
    """A file that exists (a regular file or a link to one)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a file, got an empty path")
    if not Path(text).is_file():
        what = "is not a file" if Path(text).exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {what}")
    return text


def output_folder(text: str) -> str:
    """A folder to write into: not an existing file (nor under one), and writable (its
    nearest existing parent when it does not exist yet)."""
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"expected a folder, got {text!r}")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot be created: {str(existing)!r} is a file, not a folder"
        )
    if existing.is_dir() and not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text!r}: folder {str(existing)!r} is not writable")
    return text


SCHEMES = ("tcp", "tls")  # Dask's network transports (tls takes its keys from Dask's config)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


def scheduler_address(text: str) -> str:
    """A Dask scheduler's address, ``tcp://HOST:PORT`` (``tls://`` too; a bare HOST:PORT
    means tcp): HOST a host name, an IPv4 address or an [IPv6] one in brackets, 1 <= PORT
    <= 65535. Returned with its scheme. Nothing is contacted here."""
    expected = "expected a Dask scheduler address tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme not in SCHEMES:
        raise argparse.ArgumentTypeError(
            f"{expected}, got {text!r} (the scheme must be {' or '.join(SCHEMES)})"
        )
    try:
        parts = urllib.parse.urlsplit(f"//{rest}")
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number or is out of range
        host, port = None, None
    if port is None or not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r} (a port 1..65535 is needed)")
    try:
        ipaddress.ip_address(host or "")
        numeric = True
    except ValueError:
        numeric = False
    written = f"[{host}]" if host and ":" in host else host
    if not (numeric or _HOSTNAME.fullmatch(host or "")) or f"{written}:{port}" != rest.lower():
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r}")
    return f"{scheme}://{written}:{port}"


# --- memory -----------------------------------------------------------------------------
class ModelTooLargeError(ValueError):
    """The sizes asked for would need more memory than this machine allows."""


def memory_limit() -> int:
    """Bytes a model may take: half of this machine's physical memory (8 GiB when it
    cannot be read)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        total = 16 * 2**30
    return max(total, 2**30) // 2


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError  # pragma: no cover


def mlp_parameters(sizes: Sequence[int]) -> int:
    """Weights and biases of the MLP with these layer sizes (inputs, hidden..., outputs)."""
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def check_model_memory(sizes: Sequence[int], batch: int = 1, what: str = "--hidden") -> int:
    """The estimated bytes to train an MLP of these layer sizes (float32 weights,
    gradients, two optimizer moments, and a batch's activations); a ModelTooLargeError naming
    ``what``, the estimate and the limit when it is above ``memory_limit()``."""
    parameters = mlp_parameters(sizes)
    need = parameters * BYTES_PER_PARAMETER + 3 * 4 * batch * sum(sizes)
    limit = memory_limit()
    if need > limit:
        raise ModelTooLargeError(
            f"{what} {' '.join(map(str, sizes[1:-1]))}: the MLP {'-'.join(map(str, sizes))} "
            f"has {parameters:,} parameters and would need about {format_bytes(need)} of "
            f"memory, more than the {format_bytes(limit)} allowed (half of this machine's)"
        )
    return need
