"""The ``neuralab`` command: the demo learns, and bad arguments exit 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys

from neuralab.cli import demo


def test_demo_learns_the_spirals(capsys):
    accuracy = demo(epochs=200, seed=0)
    assert accuracy > 0.95
    assert "loss" in capsys.readouterr().out


def test_bad_arguments_exit_2_with_usage():
    result = subprocess.run(
        [sys.executable, "-m", "neuralab.cli", "demo", "--epochs", "zero"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
