"""The ``neuralab`` command against hostile and careless input, faults and Ctrl-C.

The contract (docs/reference/reliability.md): bad arguments exit 2 with one line naming the
argument, before any work and without creating a file; runtime failures exit 1 with
one line; an unexpected error prints one line naming where its traceback went; Ctrl-C
exits 130 saying what was kept, and running the same command again resumes; every JSON
file is strict JSON (no NaN / Infinity)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest

from neuralab import cli

SRC = str(Path(cli.__file__).resolve().parent.parent)


def strict_loads(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity, as strict readers do."""

    def refuse(name: str):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def run_main(argv: list[str], capsys) -> tuple[int, str]:
    """main(argv) as the command runs it: the exit status (argparse's SystemExit too)
    and standard error."""
    try:
        code = cli.main(argv)
    except SystemExit as stop:
        code = stop.code
    return code, capsys.readouterr().err


def assert_one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": SRC,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }


TUNE = "[study]\ntrials = 2\n[search]\nlr = {low = 1e-3, high = 0.1}\n"
SEARCH = "[search]\nlr = {low = 0.001, high = 0.1}\n"

BAD_ARGUMENTS = [
    (["train", "--lr", "nan"], "--lr"),
    (["train", "--lr", "inf"], "--lr"),
    (["train", "--lr", "-inf"], "--lr"),
    (["train", "--lr", "1e30"], "--lr"),
    (["train", "--lr", "0"], "--lr"),
    (["train", "--lr", "fast"], "--lr"),
    (["train", "--epochs", "1.5"], "--epochs"),
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--epochs", "10000000000"], "--epochs"),
    (["train", "--batch-size", "-4"], "--batch-size"),
    (["train", "--seed", "-1"], "--seed"),
    (["train", "--seed", str(2**63)], "--seed"),
    (["train", "--seed", "nan"], "--seed"),
    (["train", "--hidden", "0"], "--hidden"),
    (["train", "--hidden", "100000", "100000", "100000"], "--hidden"),
    (["summary", "--hidden", "1000000000"], "--hidden"),
    (["train", "--data", "cifar"], "--data"),
    (["train", "--out", "a-file"], "--out"),
    (["train", "--out", "a-file/run"], "--out"),
    (["train", "--out", ""], "--out"),
    (["train", "--data-dir", "no-such-folder"], "--data-dir"),
    (["evaluate", "no-such-run"], "run"),
    (["evaluate", "a-file"], "run"),
    (["demo", "--epochs", "0"], "--epochs"),
    (["demo", "--seed", "-5"], "--seed"),
    (["lab", "--seeds", "0"], "--seeds"),
    (["lab", "--out", "a-file"], "--out"),
    (["lab", "forward_pass", "--set", "free=nan"], "free"),
    (["lab", "forward_pass", "--set", "learning_rate=inf"], "learning_rate"),
    (["lab", "perceptron", "--set", "mlp_steps=1000000000000"], "mlp_steps"),
    (["lab", "forward_pass", "--set", "speed=2"], "speed"),
    (["lab", "nope"], "nope"),
    (["tune", "missing.toml"], "config"),
    (["tune", "tune.toml", "--timeout", "nan"], "--timeout"),
    (["tune", "tune.toml", "--timeout", "-1"], "--timeout"),
    (["tune", "tune.toml", "--trials", "0"], "--trials"),
    (["tune", "tune.toml", "--epoch-budget", "1e3"], "--epoch-budget"),
    (["tune", "tune.toml", "--out", "a-file"], "--out"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_ARGUMENTS, ids=lambda a: " ".join(a))
def test_bad_arguments_exit_2_in_one_line_before_any_work(
    argv, named, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "tune.toml").write_text(TUNE)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, err = run_main(argv, capsys)
    assert code == 2, err
    line = assert_one_line(err)
    assert line.startswith(f"neuralab {argv[0]}: error: ") and named in line, line
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


def test_model_memory_is_estimated_before_allocating(capsys):
    code, err = run_main(["summary", "--hidden", "1000000000"], capsys)
    line = assert_one_line(err)
    assert code == 2 and "795,000,000,010 parameters" in line and "TiB" in line


def test_a_bad_argument_from_the_real_command(tmp_path):
    """As a user runs it: a subprocess, exit 2, one line, no run folder."""
    result = subprocess.run(
        [sys.executable, "-m", "neuralab", "train", "--lr", "nan", "--out", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env(tmp_path),
    )
    assert result.returncode == 2
    assert "--lr" in assert_one_line(result.stderr) and not (tmp_path / "run").exists()


# --- runtime failures: exit 1, one line --------------------------------------------------
def _run_folder(tmp_path: Path, config: str | None, weights: bytes | None = None) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    if config is not None:
        (run / "config.json").write_text(config)
    if weights is not None:
        (run / "weights.safetensors").write_bytes(weights)
    return run


@pytest.mark.parametrize(
    ("config", "weights", "expected"),
    [
        ("{not json", None, r"config\.json: not valid JSON"),
        ("[" * 100_000, None, r"config\.json: not valid JSON"),
        ('["digits"]', None, r"config\.json: expected a JSON object"),
        ('{"data": "cifar", "hidden": [8]}', None, r"'data' must be one of digits, mnist, fashion"),
        ('{"data": "digits", "hidden": [8, -1]}', None, r"'hidden' must be a list of positive"),
        ('{"data": "digits", "hidden": [1000000000, 1000000000]}', None, r"hidden .* memory"),
        ('{"data": "digits", "hidden": [8]}', None, r"no weights\.safetensors: its training"),
        ('{"data": "digits", "hidden": [8]}', b"garbage!", r"weights\.safetensors: cannot load"),
    ],
)
def test_malformed_run_folders_are_named_in_one_line(tmp_path, capsys, config, weights, expected):
    run = _run_folder(tmp_path, config, weights)
    code, err = run_main(["evaluate", str(run)], capsys)
    assert code == 1
    assert re.search(expected, assert_one_line(err)), err


def test_weights_of_another_model_are_refused_naming_the_file(tmp_path, capsys):
    import neuralab as nl

    run = _run_folder(tmp_path, '{"data": "digits", "hidden": [8]}')
    nl.save(cli.build_model("digits", [9]).state_dict(), run / "weights.safetensors")
    code, err = run_main(["evaluate", str(run)], capsys)
    assert code == 1 and "weights.safetensors: cannot load it" in assert_one_line(err)


def test_an_unknown_data_name_is_refused_not_replaced():
    with pytest.raises(ValueError, match=r"expected one of \['digits', 'mnist', .*got 'cifar'"):
        cli.load_data("cifar", None)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("points.toml", "[search]\nlr = {low = 1e-3, high = 0.1, points = 1000000000}", "points"),
        ("big.toml", f'[data]\nname = "synthetic"\nn_train = 1000000000\n{SEARCH}', "data.n_train"),
        ("wide.toml", "[search]\nwidth = {low = 1, high = 1000000000}\n", "width"),
        ("grid.toml", "[study]\nbaseline = false\n[search]\n" + "".join(
            f"{p} = {{low = 0.01, high = 0.5, points = 1000}}\n"
            for p in ("lr", "momentum", "weight_decay")
        ), "combinations"),
        ("epochs.toml", f"[train]\nepochs = 1000000000\n{SEARCH}", "train.epochs"),
        ("broken.toml", "[search\nlr = ", "cannot parse it"),
        ("broken.yaml", "search: [unclosed\n", "cannot parse it"),
        ("broken.json", '{"search": ', "cannot parse it"),
        ("deep.json", "[" * 100_000, "cannot parse it"),
        ("nan.json", '{"search": {"lr": {"low": NaN, "high": 0.1}}}', "lr"),
    ],
)  # fmt: skip
def test_tune_config_files_are_bounded_and_named(tmp_path, capsys, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    code, err = run_main(["tune", str(path), "--out", str(tmp_path / "o")], capsys)
    line = assert_one_line(err)
    assert code == 1 and name in line and expected in line, line
    assert not (tmp_path / "o").exists()


def test_a_diverging_run_stops_in_one_line(tmp_path, capsys, monkeypatch):
    x = numpy.ones((64, 64), dtype=numpy.float32)
    x[5, 3] = numpy.nan  # a NaN in the data: the loss is NaN at the first step
    data = (x, numpy.zeros(64, dtype=numpy.int64))
    monkeypatch.setattr(cli, "load_data", lambda name, root: (data, data))
    argv = ["train", "--data", "digits", "--hidden", "8", "--out", str(tmp_path / "run")]
    code, err = run_main(argv, capsys)
    line = assert_one_line(err)
    assert code == 1 and "the loss became nan at step 1" in line and "NaN/Inf" in line


def test_an_unexpected_error_names_its_traceback_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def broken(*args, **kwargs):
        return {}["missing"]

    monkeypatch.setattr(cli, "summary_command", broken)
    code, err = run_main(["summary", "--data", "digits", "--hidden", "8"], capsys)
    line = assert_one_line(err)
    assert code == 1 and "unexpected error: KeyError" in line
    path = Path(re.search(r"traceback is in (\S+?);", line).group(1))
    assert path.parent == tmp_path / "neuralab" / "crashes"
    assert "Traceback" in path.read_text() and "broken" in path.read_text()


def test_a_closed_pipe_ends_quietly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "neuralab", "lab", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(tmp_path),
    )
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert err == "" and process.returncode in (0, 1)


# --- strict JSON -------------------------------------------------------------------------
def test_strict_json_never_writes_nan():
    from neuralab.strict_json import dumps, finite_or_null

    data = {"a": float("nan"), "b": [1.0, float("inf"), numpy.float32("-inf")], "c": (2, 3)}
    assert strict_loads(dumps(data)) == {"a": None, "b": [1.0, None, None], "c": [2, 3]}
    assert finite_or_null(data)[1] == {"a": "nan", "b.1": "inf", "b.2": "-inf"}


def test_a_diverging_study_reports_it_in_words_and_strict_json(tmp_path, capsys):
    out = tmp_path / "lab"
    argv = ["lab", "forward_pass", "--seeds", "1", "--set", "learning_rate=1e30"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    assert "the training diverged" in capsys.readouterr().out
    results = strict_loads((out / "results.json").read_text())
    study = results["studies"]["forward_pass"]
    assert "not finite: the training diverged" in study["diverged"]
    assert study["results"][0]["scalars"]["email"]["loss_after_step"] is None
    where = "studies.forward_pass.results.0.scalars.email.loss_after_step"
    assert results["non_finite"]["values"][where] == "nan"
    assert "the training diverged" in (out / "index.html").read_text()


# --- Ctrl-C ------------------------------------------------------------------------------
def _interrupt_after(argv: list[str], cwd: Path, started: str) -> tuple[int, str, str]:
    """Run the command, send SIGINT once a line of its output contains ``started``;
    (exit status, stdout, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "neuralab", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env(cwd),
    )
    seen = []
    deadline = time.monotonic() + 60
    for line in process.stdout:
        seen.append(line)
        if started in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, "".join(seen) + out, err


def test_ctrl_c_in_train_keeps_a_checkpoint_that_resumes_exactly(tmp_path, capsys):
    import neuralab as nl

    argv = ["train", "--data", "digits", "--hidden", "16", "--batch-size", "16",
            "--optimizer", "sgd", "--lr", "0.05", "--out", "run"]  # fmt: skip
    code, _, err = _interrupt_after([*argv, "--epochs", "1000"], tmp_path, "epoch 1/")
    assert code == 130, err
    line = assert_one_line(err)
    assert "interrupted" in line and "run the same command again to resume" in line
    kept = int(re.search(r"keeps epoch (\d+) of 1000", line).group(1))
    assert kept >= 1 and not (tmp_path / "run" / "weights.safetensors").exists()
    # resume: the same command (here asking for one epoch more than was kept)
    more = ["--epochs", str(kept + 1)]
    resumed = subprocess.run(
        [sys.executable, "-m", "neuralab", *argv, *more],
        capture_output=True, text=True, cwd=tmp_path, env=env(tmp_path), timeout=120,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming from" in resumed.stdout and f"epoch {kept + 1}/{kept + 1}" in resumed.stdout
    assert "epoch 1/" not in resumed.stdout
    # bit for bit what an uninterrupted run of kept + 1 epochs gives
    argv[-1] = str(tmp_path / "straight")
    assert cli.main([*argv, *more]) == 0
    capsys.readouterr()
    a = nl.load(tmp_path / "run" / "weights.safetensors")
    b = nl.load(tmp_path / "straight" / "weights.safetensors")
    assert all(numpy.array_equal(a[k].numpy(), b[k].numpy()) for k in b)
    history = strict_loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["loss"]) == kept + 1


def test_ctrl_c_in_lab_keeps_the_finished_jobs(tmp_path):
    argv = ["lab", "forward_pass", "perceptron", "--quick", "--seeds", "1", "--out", "lab",
            "--workers", "1"]  # fmt: skip
    # the longest job (the perceptron's) runs first; stop once it is done: the forward
    # pass's job may or may not finish before the signal, and the report is not written
    code, _, err = _interrupt_after(argv, tmp_path, "perceptron seed 0:")
    assert code == 130, err
    line = assert_one_line(err)
    assert "of 2 jobs are finished" in line and "run the same command again to resume" in line
    assert not (tmp_path / "lab" / "results.json").exists()
    resumed = subprocess.run(
        [sys.executable, "-m", "neuralab", *argv],
        capture_output=True, text=True, cwd=tmp_path, env=env(tmp_path), timeout=120,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert "1 of 1 job(s) kept from an earlier run" in resumed.stdout
    assert "perceptron seed 0:" not in resumed.stdout  # not run again
    results = strict_loads((tmp_path / "lab" / "results.json").read_text())
    assert set(results["studies"]) == {"forward_pass", "perceptron"}


def test_an_unknown_metric_is_refused_before_the_first_epoch():
    from neuralab import nn, optim
    from neuralab.train import fit

    model, begun = nn.Linear(2, 2), []

    class Watch:
        def on_epoch_begin(self, trainer, epoch):
            begun.append(epoch)

    data = (numpy.ones((4, 2), numpy.float32), numpy.zeros(4, numpy.int64))
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="unknown metric 'acc'"):
        fit(model, nn.CrossEntropyLoss(), opt, data, metrics=["acc"], callbacks=[Watch()])
    assert begun == []


def test_the_history_file_is_strict_json(tmp_path):
    from neuralab.callbacks import HistoryLogger
    from neuralab.train import History

    class Trainer:
        history = History({"loss": [0.5], "val_loss": [float("nan")]})

    HistoryLogger(tmp_path / "history.json").on_epoch_end(Trainer(), 1, {})
    history = strict_loads((tmp_path / "history.json").read_text())
    assert history["loss"] == [0.5] and history["val_loss"] == [None]
