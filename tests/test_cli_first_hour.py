"""The command line in a new user's first hour (issue 16): it explains itself (a guide,
--version, every option's help and default), shows progress on a terminal only, and
never replaces earlier results without being told to."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy
import pytest

import neuralab as nl
from neuralab import cli, lab
from neuralab.progress import Bar, format_seconds
from neuralab.train import History


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


# --- explains itself ---------------------------------------------------------------------
def test_neuralab_alone_prints_a_guide_naming_every_command_with_an_example(capsys):
    assert cli.main([]) == 0
    guide = capsys.readouterr().out
    for name in subparsers(cli.build_parser()):
        assert f"\n  {name} " in guide, name  # what it does
        assert f"neuralab {name} " in guide, name  # an example
    assert "docs/" in guide and "--quiet" in guide and "--force" in guide
    assert "$NEURALAB_DATA" in guide


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"neuralab {nl.__version__}\n"


def test_top_level_help_describes_the_tool(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "The ``neuralab`` command" not in text
    assert "deep-learning library" in text and "--version" in text


def test_every_option_has_help_and_shows_its_default():
    parser = cli.build_parser()
    for name, sub in {"neuralab": parser, **subparsers(parser)}.items():
        text = sub.format_help()
        for action in sub._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            where = f"{name} {action.option_strings or action.dest}"
            assert action.help and action.help is not argparse.SUPPRESS, where
            shown = action.default not in (None, False, [], argparse.SUPPRESS)
            if action.option_strings and shown:
                default = action.default
                if isinstance(default, list):
                    default = " ".join(map(str, default))
                assert f"(default: {default})" in " ".join(text.split()), where


def test_the_data_dir_help_says_where_mnist_is_looked_up():
    """The lookup the code does (neuralab.data.files.search_dirs): --data-dir, then
    $NEURALAB_DATA, then the user cache; ../shared/datasets is the Makefile's setting."""
    train = subparsers(cli.build_parser())["train"]
    text = " ".join(train.format_help().split())
    assert "$NEURALAB_DATA, then the user cache" in text
    assert "shared" not in text


def test_data_dirs_are_looked_up_in_the_documented_order(tmp_path, monkeypatch):
    from neuralab.data import files

    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dirs = [Path(d) for d in files.search_dirs(tmp_path / "given")]
    assert dirs == [tmp_path / "given", tmp_path / "env", tmp_path / "cache" / "neuralab"]


# --- progress -----------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def train(tmp_path: Path, *extra: str, out: str = "run", epochs: int = 1) -> list[str]:
    return [
        "train", "--data", "synthetic", "--hidden", "8", "--epochs", str(epochs),
        "--out", str(tmp_path / out), *extra,
    ]  # fmt: skip


def test_train_draws_a_bar_on_a_terminal_and_nothing_when_piped(tmp_path, capsys, monkeypatch):
    assert cli.main(train(tmp_path, out="piped")) == 0
    piped = capsys.readouterr()
    assert piped.err == "" and "epoch 1/1: loss" in piped.out
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(train(tmp_path, out="tty")) == 0
    assert "epoch 1/1" in terminal.getvalue() and "batch" in terminal.getvalue()
    assert "13/13 batch" in terminal.getvalue()  # 800 samples / 64 a batch, the last drawn
    # stdout holds the same lines but the seconds
    same = capsys.readouterr().out
    strip = lambda s: [line.split(" (")[0] for line in s.splitlines() if "wrote" not in line]  # noqa: E731
    assert strip(same) == strip(piped.out)


def test_quiet_silences_the_bar_and_the_epoch_lines(tmp_path, capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(train(tmp_path, "--quiet")) == 0
    out = capsys.readouterr().out
    assert terminal.getvalue() == "" and "epoch" not in out and "test accuracy" in out


def test_fit_draws_its_bar_and_epoch_lines_without_tqdm(monkeypatch, capsys):
    from neuralab import nn, optim
    from neuralab.train import fit

    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm fails
    model = nn.Linear(3, 2)
    x = numpy.ones((20, 3), numpy.float32)
    y = numpy.zeros(20, numpy.int64)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), 0.1), (x, y),
        epochs=2, batch_size=5, progress=True)  # fmt: skip
    err = capsys.readouterr().err
    assert "4/4 batch" in err and "epoch 2/2: loss" in err


def test_the_bar_gives_the_time_left_from_the_rate_so_far():
    bar = Bar(total=10, desc="x", unit="job", show=True, stream=io.StringIO())
    bar.done = 4
    line = bar.line(elapsed=8.0)  # 2 s a job, 6 jobs left: 12 s
    assert " 40% |########" in line and "4/10 job" in line and "[00:08<00:12," in line
    assert "2 s/job]" in line  # under one a second: seconds per job
    assert format_seconds(3725) == "1:02:05" and format_seconds(float("inf")) == "--:--"
    hidden = io.StringIO()
    with Bar(total=3, show=False, stream=hidden) as quiet:
        quiet.update(3)
    assert hidden.getvalue() == ""


def test_lab_prints_a_line_per_job_and_a_bar_with_the_time_left(tmp_path, capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = ["lab", "forward_pass", "--quick", "--workers", "1", "--out", str(tmp_path)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "  forward_pass seed 0: " in out and "  forward_pass seed 1: " in out
    assert "lab  50% |" in terminal.getvalue() and "1/2 job [" in terminal.getvalue()
    assert cli.main([*argv[:-2], "--quiet", "--out", str(tmp_path / "q")]) == 0
    assert "seed 0:" not in capsys.readouterr().out


# --- never silently replaced --------------------------------------------------------------
def test_train_refuses_a_finished_run_and_says_how_to_go_on(tmp_path, capsys):
    assert cli.main(train(tmp_path)) == 0
    weights = (tmp_path / "run" / "weights.safetensors").read_bytes()
    capsys.readouterr()
    assert cli.main(train(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "holds a finished run" in err and "--resume" in err and "--force" in err
    assert (tmp_path / "run" / "weights.safetensors").read_bytes() == weights
    # another setting: refused, naming it
    assert cli.main([*train(tmp_path), "--lr", "0.01"]) == 2
    assert "other settings (lr 0.001)" in capsys.readouterr().err
    # --resume trains it further: 2 epochs in all, the first one kept
    assert cli.main(train(tmp_path, "--resume", epochs=2)) == 0
    out = capsys.readouterr().out
    assert "resuming from" in out and "epoch 2/2" in out and "epoch 1/2" not in out
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["loss"]) == 2
    assert cli.main(train(tmp_path, "--resume", epochs=2)) == 2
    assert "already holds 2 epochs" in capsys.readouterr().err
    # --force starts over
    assert cli.main(train(tmp_path, "--force")) == 0
    assert len(json.loads((tmp_path / "run" / "history.json").read_text())["loss"]) == 1


def test_train_refuses_a_folder_of_other_files(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    assert cli.main(train(tmp_path)) == 2
    assert "holds no run of 'neuralab train'" in capsys.readouterr().err
    assert cli.main(train(tmp_path, "--resume")) == 2
    assert cli.main(train(tmp_path, "--force")) == 0
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"  # not train's: kept
    assert cli.main(["train", "--resume", "--out", str(tmp_path / "new")]) == 2
    assert "holds no run to resume" in capsys.readouterr().err


def test_lab_refuses_another_run_in_its_folder_and_force_removes_the_old_images(tmp_path, capsys):
    out = tmp_path / "lab"
    first = ["lab", "forward_pass", "--quick", "--seeds", "1", "--workers", "1", "--out", str(out)]
    assert cli.main(first) == 0
    old = sorted(p.name for p in (out / "images").iterdir())
    assert old and all(name.startswith("forward_pass-") for name in old)
    capsys.readouterr()
    other = ["lab", "perceptron", *first[2:]]
    assert cli.main(other) == 2
    err = capsys.readouterr().err
    assert "another lab run (quick mode, 1 seed(s): forward_pass)" in err and "--force" in err
    assert sorted(p.name for p in (out / "images").iterdir()) == old  # untouched
    assert cli.main([*other, "--force"]) == 0
    images = sorted(p.name for p in (out / "images").iterdir())
    assert images and all(name.startswith("perceptron-") for name in images)
    assert list(json.loads((out / "results.json").read_text())["studies"]) == ["perceptron"]
    # the same run again resumes (every job kept) without --force
    assert cli.main(other) == 0
    assert "(1 of 1 job(s) kept from an earlier run)" in capsys.readouterr().out


def test_lab_refuses_a_folder_of_other_files(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(lab.OtherRunError, match="not a lab run"):
        lab.run_studies(["forward_pass"], quick=True, seeds=1, out=tmp_path, log=None)
    assert (tmp_path / "mine.txt").exists()


TUNE = """\
[study]
strategy = "{strategy}"
trials = 2
retrain = false
baseline = false

[data]
name = "digits"
n_train = 200
n_val = 100
n_test = 100

[train]
epochs = 1
width = 8
depth = 1

[search]
lr = {{ low = 1e-3, high = 0.3, log = true }}
"""


def test_tune_names_its_study_from_the_configuration():
    pytest.importorskip("optuna")
    from neuralab.tune.config import config_from_dict
    from neuralab.tune.runner import study_name

    def config(strategy: str = "random", lr_high: float = 0.3, n_train: int = 200):
        return config_from_dict(
            {
                "study": {"strategy": strategy, "trials": 2},
                "data": {"name": "digits", "n_train": n_train},
                "search": {"lr": {"low": 1e-3, "high": lr_high, "log": True}},
            }
        )

    name = study_name(config())
    assert name.startswith("digits-random-") and len(name.rsplit("-", 1)[1]) == 8
    assert study_name(config()) == name  # the same configuration: the same study
    others = {study_name(c) for c in (config("tpe"), config(lr_high=0.1), config(n_train=300))}
    assert name not in others and len(others) == 3
    assert study_name(config().replace(name="mine")) == "mine"


def test_two_tune_commands_one_after_the_other_do_not_clash(tmp_path, capsys, monkeypatch):
    """The README's two tuning commands (the same file, another --strategy) each get their
    study and folder: the second no longer exits 1 on a name clash."""
    pytest.importorskip("optuna")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "t.toml"
    path.write_text(TUNE.format(strategy="random"))
    assert cli.main(["tune", str(path), "--quiet"]) == 0
    assert cli.main(["tune", str(path), "--strategy", "tpe", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert not [line for line in out.splitlines() if line.startswith("trial ")]  # --quiet
    folders = sorted(p.name for p in (tmp_path / "runs" / "tune").iterdir())
    assert [f.rsplit("-", 1)[0] for f in folders] == ["digits-random", "digits-tpe"]
    for folder in folders:
        results = json.loads((tmp_path / "runs" / "tune" / folder / "results.json").read_text())
        assert results["studies"][0]["study"] == folder
    # the same command again resumes its study (2 trials already: none more)
    assert cli.main(["tune", str(path)]) == 0
    again = capsys.readouterr().out
    assert "digits-random-" in again
    assert not [line for line in again.splitlines() if line.startswith("trial ")]


def test_the_example_tune_file_names_no_study():
    pytest.importorskip("optuna")
    from neuralab import tune

    root = Path(__file__).resolve().parents[1]
    config = tune.load_config(root / "examples" / "tune-mnist.toml")
    assert config.name is None


# --- History ------------------------------------------------------------------------------
def test_history_repr_is_short_whatever_the_training():
    history = History()
    for epoch in range(500):
        history.log_epoch({"loss": 1 / (epoch + 1), "val_loss": 2.0, "lr": 0.1, "time": 0.5})
        history.steps["step_loss"].extend([0.5] * 100)
    text = repr(history)
    assert text == "History(epochs=500, keys=['loss', 'val_loss', 'lr', 'time'], " \
        "last={'loss': 0.002, 'val_loss': 2.0})"  # fmt: skip
    assert repr(History()) == "History(epochs=0, keys=[], last={})"
