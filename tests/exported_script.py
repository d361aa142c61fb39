"""Running a script the playground exported, as a user would: a fresh Python with only
neuralab's source on its path, no PATH, one BLAS thread."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def run_exported(script: Path, data: Path | None = None) -> str:
    """Run ``script`` (``NEURALAB_DATA=data`` when given); assert it exits 0; its stdout."""
    env = {"PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1", "PATH": ""}
    if data is not None:
        env["NEURALAB_DATA"] = str(data)
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env
    )
    assert run.returncode == 0, run.stderr
    return run.stdout
