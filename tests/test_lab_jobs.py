"""The lab's jobs: (study, config, seed) -> Result, kept on disk as each finishes, run on
several processes with the same numbers bit for bit, resumed after Ctrl-C, and the
report rebuilt from the kept results without training (``neuralab.lab.jobs``)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neuralab import cli, lab
from neuralab.lab import jobs
from neuralab.lab.study import Result

SRC = str(Path(lab.__file__).resolve().parent.parent.parent)
CHEAP = ["forward_pass", "perceptron"]  # the cheapest studies, well under a second a job


def strict_loads(text: str):
    def refuse(name: str):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def untimed(value):
    """``value`` without its wall-clock timings (keys named ``seconds*``)."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if not k.startswith("seconds")}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def job_lines(log: str) -> list[str]:
    """The per-job lines of a run's output: '  STUDY seed N: X s' for each job it ran."""
    return [line.strip() for line in log.splitlines() if line.startswith("  ")]


def test_a_result_round_trips_through_strict_json_exactly():
    result = Result()
    result.scalar("a", "loss", float("nan"))
    result.scalar("a", "grad", float("inf"))
    result.scalar("b", "loss", -0.0)
    result.curve("a", "loss", [1.0, None, float("-inf"), 0.1 + 0.2])
    result.data.update({"sizes": (3, 4), "nested": {"list": [1, 2.5, (None, "x")]}, "n": 7})
    text = json.dumps(result.to_dict(strict=True), allow_nan=False)
    back = Result.from_dict(strict_loads(text))
    assert back == result
    assert math.isnan(back.scalars["a"]["loss"]) and back.scalars["a"]["grad"] == math.inf
    assert math.copysign(1, back.scalars["b"]["loss"]) == -1  # -0.0 kept
    assert back.curves["a"]["loss"][1] is None  # undefined stays None, not NaN
    assert back.curves["a"]["loss"][3] == 0.1 + 0.2
    assert back.data["sizes"] == (3, 4) and back.data["nested"]["list"][2] == (None, "x")
    assert Result.from_dict(result.to_dict()) == result  # the plain dict too
    changed = Result.from_dict(strict_loads(text))
    changed.curves["a"]["loss"][1] = float("nan")
    assert changed != result  # None and NaN are told apart
    with pytest.raises(TypeError, match="object is not plain JSON data"):
        Result(data={"x": object()}).to_dict(strict=True)


def test_the_job_key_names_study_config_seed_and_version():
    study = lab.get_study("perceptron")
    settings = lab.make_config(study, quick=True).__dict__
    key = jobs.job_key(study, settings, 0)
    assert key == jobs.job_key(study, dict(settings), 0) and len(key) == 64
    assert key != jobs.job_key(study, settings, 1)
    assert key != jobs.job_key(study, {**settings, "epochs": settings["epochs"] + 1}, 0)
    assert key != jobs.job_key(lab.get_study("forward_pass"), settings, 0)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The cheap studies, quick, run once in this process (workers=1)."""
    out = tmp_path_factory.mktemp("serial")
    lines: list[str] = []
    lab.run_studies(CHEAP, quick=True, out=out, log=lines.append, workers=1)
    return out, lines


def test_workers_give_the_same_results_bit_for_bit(serial, tmp_path):
    out, _ = serial
    lines: list[str] = []
    lab.run_studies(CHEAP, quick=True, out=tmp_path, log=lines.append, workers=2)
    one = strict_loads((out / "results.json").read_text())
    two = strict_loads((tmp_path / "results.json").read_text())
    assert untimed(one) == untimed(two)
    assert json.dumps(untimed(one)) == json.dumps(untimed(two))  # same order, same text
    assert sorted(p.name for p in (out / "jobs").rglob("*.json")) == sorted(
        p.name for p in (tmp_path / "jobs").rglob("*.json")
    )  # the same keys
    ran = sorted(line.split(":")[0].strip() for line in lines if line.startswith("  "))
    assert ran == sorted(f"{s} seed {n}" for s in CHEAP for n in (0, 1))


def test_resume_runs_only_the_missing_job_and_a_changed_setting_reruns(serial, tmp_path):
    out, _ = serial
    for path in out.rglob("*"):  # a copy of the finished run
        if path.is_file():
            target = tmp_path / path.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    before = strict_loads((tmp_path / "results.json").read_text())
    study = lab.get_study("perceptron")
    settings = lab.make_config(study, quick=True).__dict__
    lost = jobs.job_path(tmp_path, jobs.Job(study, settings, 1))
    lost.unlink()
    lines: list[str] = []
    lab.run_studies(CHEAP, quick=True, out=tmp_path, log=lines.append, workers=1)
    assert [line.split(":")[0] for line in job_lines("\n".join(lines))] == ["perceptron seed 1"]
    assert "(2 of 2 job(s) kept from an earlier run)" in "\n".join(lines)
    assert lost.exists()
    after = strict_loads((tmp_path / "results.json").read_text())
    assert untimed(after) == untimed(before)
    # a changed setting is another run: refused in the same folder without force, and
    # with it another job, both seeds of that study run again
    changed = {"perceptron": {"epochs": str(settings["epochs"] + 1)}}
    with pytest.raises(lab.OtherRunError, match="another lab run"):
        lab.run_studies(CHEAP, quick=True, out=tmp_path, log=None, overrides=changed)
    lines.clear()
    lab.run_studies(
        CHEAP, quick=True, out=tmp_path, log=lines.append, overrides=changed, force=True
    )
    ran = [line.split(":")[0] for line in job_lines("\n".join(lines))]
    assert ran == ["perceptron seed 0", "perceptron seed 1"]


def test_report_only_rebuilds_the_page_from_the_kept_jobs(serial, tmp_path, capsys):
    out, _ = serial
    folder = tmp_path / "copy"
    for path in (out / "jobs").rglob("*"):
        if path.is_file():
            target = folder / path.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    assert cli.main(["lab", "--report-only", str(folder)]) == 0
    assert (folder / "index.html").read_bytes() == (out / "index.html").read_bytes()
    assert (folder / "results.json").read_bytes() == (out / "results.json").read_bytes()
    assert sorted(p.name for p in (folder / "images").iterdir()) == sorted(
        p.name for p in (out / "images").iterdir()
    )
    # from results.json alone (no jobs): the same page
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "results.json").write_bytes((out / "results.json").read_bytes())
    assert cli.main(["lab", "--report-only", str(alone)]) == 0
    assert (alone / "index.html").read_bytes() == (out / "index.html").read_bytes()
    capsys.readouterr()
    # a missing job: its study is left out and named
    next((folder / "jobs" / "perceptron").glob("*.json")).unlink()
    assert cli.main(["lab", "--report-only", str(folder)]) == 0
    said = capsys.readouterr().out
    assert "not in the report (no results kept): perceptron (seed" in said
    assert "The perceptron" not in (folder / "index.html").read_text()
    # nothing to report from: a usage error, exit 2, naming the folder
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["lab", "--report-only", str(empty)]) == 2
    assert "holds no lab results" in capsys.readouterr().err
    assert cli.main(["lab", "perceptron", "--report-only", str(folder)]) == 2


def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": SRC,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OMP_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }


def test_ctrl_c_with_workers_exits_130_and_the_rerun_uses_the_kept_jobs(tmp_path):
    argv = [sys.executable, "-m", "neuralab", "lab", *CHEAP, "activations", "--quick",
            "--out", "lab", "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=env(tmp_path),
    )  # fmt: skip
    seen, deadline = [], time.monotonic() + 60
    for line in process.stdout:  # the longest jobs start first: activations, then the cheap
        seen.append(line)
        if "Activation functions" in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "run the same command again to resume" in err and "jobs are finished" in err
    assert not (tmp_path / "lab" / "results.json").exists()
    kept = list((tmp_path / "lab" / "jobs").rglob("*/*.json"))
    assert len(kept) >= 2  # the activations jobs
    resumed = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path,
                             env=env(tmp_path), timeout=120)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    ran = [line.split(":")[0] for line in job_lines(resumed.stdout)]
    assert not any(s.startswith("activations") for s in ran), ran
    assert "2 of 2 job(s) kept from an earlier run" in resumed.stdout
    results = strict_loads((tmp_path / "lab" / "results.json").read_text())
    assert list(results["studies"]) == [*CHEAP, "activations"]


def test_jobs_start_longest_first():
    """The runner starts the longest jobs first (LPT), so no long job starts last."""
    from neuralab.lab.study import Study

    own = Study("own", "Own", "?", dict, lambda c, s: None, lambda c, s: [])
    plan = [
        jobs.Job(lab.get_study(name), {}, seed)
        for name in ("forward_pass", "gan", "losses")
        for seed in (0, 1)
    ] + [jobs.Job(own, {}, 0)]
    quick = [(j.study.name, j.seed) for j in jobs.longest_first(plan, quick=True)]
    assert quick == [
        ("own", 0),  # not measured: counted as the longest
        ("gan", 0),
        ("gan", 1),
        ("losses", 0),
        ("losses", 1),
        ("forward_pass", 0),
        ("forward_pass", 1),
    ]
    assert set(jobs.EXPECTED_SECONDS) == set(lab.STUDY_MODULES)  # every built-in measured
