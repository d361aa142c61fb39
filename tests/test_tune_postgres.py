"""Several workers sharing one study on a real PostgreSQL server (started on loopback by
the ``postgres_url`` fixture of ``tests/postgres.py``): every trial is recorded exactly
once, none is lost, and every worker sees the same best trial."""

from __future__ import annotations

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
epochs = 3
width = 16
depth = 1
batch_size = 32

[search]
lr = {{ low = 1e-3, high = 0.5, log = true }}
optimizer = ["sgd", "adam", "rmsprop"]
"""

WORKERS, TRIALS = 3, 16


def test_workers_share_one_study_on_postgresql(tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=TRIALS))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # the tables first, so that no worker starts late after losing the race to create them
    # (workers do retry that race: tune.storage.open_storage)
    from neuralab.tune.storage import open_storage

    open_storage(postgres_url).engine.dispose()
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
    numbers = [t.number for t in study.trials]
    # every trial recorded exactly once: numbers 0..n-1, each run by exactly one worker
    assert sorted(numbers) == list(range(len(numbers)))
    assert sum(len(r) for r in ran) == len(numbers) and set().union(*ran) == set(numbers)
    # none lost: all finished, the budget met (a race may add at most one per extra worker)
    assert {t.state.name for t in study.trials} <= {"COMPLETE", "PRUNED"}
    assert TRIALS <= len(numbers) <= TRIALS + WORKERS - 1
    assert all(t.value is not None and t.user_attrs["epochs"] == 3 for t in study.trials)
    # the same best trial seen from every worker, and from the database
    bests = [json.loads((tmp_path / f"w{k}" / "results.json").read_text())["studies"][0]["best"]
             for k in range(WORKERS)]  # fmt: skip
    assert all(b == bests[0] for b in bests)
    assert bests[0]["number"] == study.best_trial.number
    assert bests[0]["value"] == study.best_value
