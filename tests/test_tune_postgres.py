"""Several workers sharing one study on a real PostgreSQL server (started on loopback by
the ``postgres_url`` fixture of ``tests/postgres.py``): started together on an empty
database, every trial is run by exactly one worker with values of its own, the baseline
is queued once, none is lost, and every worker sees the same best trial."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from postgres import postgres_url  # noqa: E402, F401  (the fixture)

CONFIG = """
[study]
name = "shared"
strategy = "tpe"
trials = {trials}
heartbeat = 1

[data]
name = "digits"
n_train = 800
n_val = 200
n_test = 200

[train]
epochs = 6
width = 128
depth = 2
batch_size = 16

[search]
lr = {{ low = 1e-3, high = 0.5, log = true }}
optimizer = ["sgd", "adam", "rmsprop"]
"""

WORKERS, TRIALS = 3, 16


def test_workers_share_one_study_on_postgresql(tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    """Three workers started together on an empty database (they race to create the
    tables and the study), the last one with --worker: each trial is run by exactly one
    worker, with values no other trial has, the baseline is queued once, and the two
    reporting workers see the same best trial."""
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=TRIALS))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "neuralab",
                "tune",
                str(path),
                "--storage",
                postgres_url,
                "--study",
                "shared",
                "--out",
                str(tmp_path / f"w{k}"),
                *(["--worker"] if k == WORKERS - 1 else []),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(WORKERS)
    ]
    outputs = []
    for p in processes:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        outputs.append(out)
    # which trials each worker ran, from its progress lines
    ran = [{int(n) for n in re.findall(r"^trial (\d+)", out, re.MULTILINE)} for out in outputs]
    print("trials run by each worker:", [sorted(r) for r in ran])
    assert all(ran), f"a worker ran no trial: {ran}"  # the study really was shared
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    trials = study.trials
    numbers = [t.number for t in trials]
    # each trial run by exactly one worker: no worker's trials overlap another's, and
    # together they are every trial of the study
    assert sorted(numbers) == list(range(len(numbers)))
    assert all(not (a & b) for a, b in itertools.combinations(ran, 2))
    assert set().union(*ran) == set(numbers)
    # none lost: all finished, the budget met (a race may add at most one per extra worker)
    assert {t.state.name for t in trials} <= {"COMPLETE", "PRUNED"}
    assert TRIALS <= len(numbers) <= TRIALS + WORKERS - 1
    assert all(t.value is not None and t.user_attrs["epochs"] == 6 for t in trials)
    # one baseline, and no two trials trained the same values
    assert sum(bool(t.user_attrs.get("baseline")) for t in trials) == 1
    params = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(params)) == len(params), params
    # the --worker wrote no report but printed the study's summary
    assert not (tmp_path / f"w{WORKERS - 1}").exists()
    assert f"{len(trials)} trials (" in outputs[-1] and "\nbest: trial " in outputs[-1]
    # the same best trial seen from the reporting workers, and from the database
    bests = [json.loads((tmp_path / f"w{k}" / "results.json").read_text())["studies"][0]["best"]
             for k in range(WORKERS - 1)]  # fmt: skip
    assert all(b == bests[0] for b in bests)
    assert bests[0]["number"] == study.best_trial.number
    assert bests[0]["value"] == study.best_value
