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


def test_train_evaluate_and_summary_commands(tmp_path, capsys):
    from neuralab.cli import main

    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                "digits",
                "--epochs",
                "2",
                "--hidden",
                "32",
                "--optimizer",
                "sgd",
                "--lr",
                "0.1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    trained = capsys.readouterr().out
    assert "test accuracy" in trained
    for name in ("weights.safetensors", "history.json", "checkpoint.safetensors", "config.json"):
        assert (out / name).exists()
    assert main(["evaluate", str(out)]) == 0
    evaluated = capsys.readouterr().out
    tested = [line for line in trained.splitlines() if line.startswith("test ")]
    assert evaluated.splitlines()[0] == tested[0]  # same weights, same numbers
    assert main(["summary", "--data", "digits", "--hidden", "32"]) == 0
    assert "total parameters: 2,410" in capsys.readouterr().out  # 64*32+32 + 32*10+10


def test_command_errors_exit_without_traceback(tmp_path, monkeypatch, capsys):
    import pytest

    from neuralab.cli import main
    from neuralab.data import files

    def offline(url, timeout):
        raise OSError("offline (test)")

    for argv in (["train", "--lr", "-1"], ["train", "--data", "cifar"], ["evaluate", "nowhere"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(files, "_urlopen", offline)
    assert main(["train", "--data", "mnist", "--out", str(tmp_path / "r")]) == 1
    assert "not found" in capsys.readouterr().err
