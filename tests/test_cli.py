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


def test_every_registry_data_set_trains_and_has_the_shape_the_command_checks(
    tmp_path, capsys, neuralab_data
):
    """The command's data sets are neuralab.registry's; the input size and classes it
    checks memory with before loading are those of the loaded arrays."""
    from neuralab import registry
    from neuralab.cli import DATASETS, load_data, main

    assert DATASETS == registry.DATASETS
    for name in DATASETS:
        train, test = load_data(name, None)
        features, classes = registry.SHAPES[name]
        assert train[0].shape[1] == test[0].shape[1] == features, name
        assert int(max(train[1].max(), test[1].max())) + 1 == classes, name
    out = tmp_path / "run"
    argv = ["train", "--data", "synthetic", "--epochs", "1", "--hidden", "32", "--out", str(out)]
    assert main([*argv, "--optimizer", "adagrad", "--lr", "0.05"]) == 0
    assert "test accuracy" in capsys.readouterr().out
    assert main(["evaluate", str(out)]) == 0 and "test accuracy" in capsys.readouterr().out
    assert main(["summary", "--data", "synthetic", "--hidden", "32"]) == 0
    assert "total parameters: 771" in capsys.readouterr().out  # 20*32+32 + 32*3+3
