"""neuralab.tune on SQLite: every strategy runs and keeps to its budget, pruning stops bad
trials, the baseline and the retrained best are reported, a study killed with SIGKILL
resumes with every finished trial kept, and the command and its report work.

Every study is tiny (scikit-learn's digits, a few hundred images, an MLP of 16 units, two
or three epochs): a trial takes a few hundredths of a second.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from neuralab import tune  # noqa: E402
from neuralab.cli import main  # noqa: E402
from neuralab.data.splits import load_splits  # noqa: E402

SPACE = {
    "lr": {"low": 1e-3, "high": 0.5, "log": True},
    "optimizer": ["sgd", "adam"],
}
FIXED = {"width": 16, "depth": 1, "batch_size": 32}


@pytest.fixture(scope="module")
def splits() -> tune.Splits:
    return load_splits("digits", n_train=300, n_val=150, n_test=200, seed=0)


def tiny(**changes) -> tune.TuneConfig:
    values = {
        "search": SPACE,
        "data": tune.DataConfig("digits", n_train=300, n_val=150, n_test=200),
        "fixed": FIXED,
        "epochs": 2,
        "trials": 6,
        "retrain": False,
    }
    values.update(changes)
    return tune.TuneConfig(**values)


def load(storage: Path, name: str):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{storage}")


@pytest.mark.parametrize("strategy", ["random", "tpe", "hyperband"])
def test_each_strategy_runs_and_keeps_to_its_trial_budget(
    strategy: str, tmp_path: Path, splits: tune.Splits
) -> None:
    result = tune.run(
        tiny(strategy=strategy, baseline=False),
        storage=tmp_path / "s.db",
        study="s",
        out=None,
        log=None,
        splits=splits,
    )
    study = load(tmp_path / "s.db", "s")
    states = [t.state.name for t in study.trials]
    assert len(states) == 6 and set(states) <= {"COMPLETE", "PRUNED"}
    assert [t.number for t in result.trials] == list(range(6))
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert result.best["value"] == max(t.value for t in complete)
    for t in study.trials:  # the parameters lie in the space, one report per epoch
        assert 1e-3 <= t.params["lr"] <= 0.5 and t.params["optimizer"] in ("sgd", "adam")
        assert sorted(t.intermediate_values) == list(range(1, t.user_attrs["epochs"] + 1))
    assert result.epochs_spent == sum(t.user_attrs["epochs"] for t in study.trials)
    if strategy != "hyperband":  # no pruner: every trial trains every epoch
        assert states == ["COMPLETE"] * 6 and result.epochs_spent == 12


def test_strategies_are_seeded(tmp_path: Path, splits: tune.Splits) -> None:
    params = []
    for name in ("a", "b"):
        r = tune.run(
            tiny(strategy="tpe", trials=4, baseline=False),
            storage=tmp_path / f"{name}.db",
            study="s",
            out=None,
            log=None,
            splits=splits,
        )
        params.append([(t.params, t.value) for t in r.trials])
    assert params[0] == params[1]
    lrs = {t[0]["lr"] for t in params[0]}
    assert len(lrs) == 4  # and the trials differ from one another


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used")
def test_workers_starting_trials_together_draw_different_values(
    tmp_path: Path, splits: tune.Splits
) -> None:
    """Two workers that open the study and start trials at the same instant (both
    samplers made before either trial exists) draw different values: a trial's values
    depend on its number, not on what a worker saw when it started. And they are the
    values one worker alone draws for those trial numbers."""
    from neuralab.tune.runner import open_study

    for strategy in ("random", "tpe"):
        config = tiny(strategy=strategy, baseline=False, name=strategy)
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        (a, _), (b, _) = open_study(config, url), open_study(config, url)
        together = [a.ask(), b.ask(), b.ask(), a.ask()]
        drawn = [(t.suggest_float("lr", 1e-3, 0.5, log=True), t.number) for t in together]
        assert len({lr for lr, _ in drawn}) == 4, drawn
        solo, _ = open_study(config, f"sqlite:///{tmp_path / f'solo-{strategy}.db'}")
        alone = [solo.ask() for _ in range(4)]
        expected = {t.number: t.suggest_float("lr", 1e-3, 0.5, log=True) for t in alone}
        assert {n: lr for lr, n in drawn} == expected


def test_the_baseline_is_queued_once_by_the_worker_that_creates_the_study(tmp_path: Path) -> None:
    from neuralab.tune.runner import open_study

    url = f"sqlite:///{tmp_path / 's.db'}"
    config = tiny(name="base")
    for _ in range(3):  # the creator, then two workers joining it
        study, _ = open_study(config, url)
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == 1 and trials[0].user_attrs == {"baseline": True}
    assert trials[0].state.name == "WAITING"


def test_grid_covers_the_grid_once(tmp_path: Path, splits: tune.Splits) -> None:
    space = {
        "lr": {"low": 0.01, "high": 0.1, "log": True, "points": 2},
        "optimizer": ["sgd", "adam"],
    }
    result = tune.run(
        tiny(search=space, strategy="grid", trials=50, baseline=False),
        storage=tmp_path / "s.db",
        study="g",
        out=None,
        log=None,
        splits=splits,
    )
    seen = sorted((t.params["lr"], t.params["optimizer"]) for t in result.trials)
    assert seen == sorted((lr, o) for lr in (0.01, 0.1) for o in ("sgd", "adam"))
    # a smaller budget than the grid stops at the budget
    result = tune.run(
        tiny(search=space, strategy="grid", trials=3, baseline=False),
        storage=tmp_path / "s.db",
        study="g3",
        out=None,
        log=None,
        splits=splits,
    )
    assert len(result.trials) == 3 and len({str(t.params) for t in result.trials}) == 3


def test_grid_with_a_step_that_does_not_divide_the_range(tmp_path: Path, capsys) -> None:
    """width 32..120 by 32: the grid is 32, 64, 96 (Optuna's range), the importances are
    computed, and the command writes its report (it used to try 128, outside Optuna's
    range, and fANOVA's ZeroDivisionError crashed every run of the study)."""
    path = tmp_path / "g.toml"
    path.write_text(
        CONFIG.format(trials=20, n_train=300, epochs=1).replace("width = 16", "width = 64")
        + "width = { low = 32, high = 120, step = 32 }\n"
    )
    out = tmp_path / "out"
    assert main(["tune", str(path), "--strategy", "grid", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    study = json.loads((out / "results.json").read_text())["studies"][0]
    widths = {t["params"]["width"] for t in study["trials"]}
    assert widths == {32, 64, 96}
    assert len(study["trials"]) == 3 * 3 * 2 + 1  # the grid and the baseline
    assert study["importances"] and set(study["importances"]) == {"lr", "optimizer", "width"}


def test_a_failed_importance_ranking_is_a_note(
    tmp_path: Path, splits: tune.Splits, monkeypatch
) -> None:
    def fail(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(optuna.importance, "get_param_importances", fail)
    result = tune.run(tiny(trials=3), storage=tmp_path / "s.db", study="i",
                      out=tmp_path / "r", log=None, splits=splits)  # fmt: skip
    assert result.importances is None
    assert result.importance_note == "not computed: ZeroDivisionError: float division by zero"
    assert (tmp_path / "r" / "index.html").exists()


def test_pruning_stops_bad_trials(tmp_path: Path, splits: tune.Splits) -> None:
    """Successive halving on per-epoch validation accuracy: the trials it stops were
    behind the others at the epoch they were stopped, and they train fewer epochs."""
    config = tiny(
        search={"lr": {"low": 1e-5, "high": 0.5, "log": True}},
        fixed={**FIXED, "optimizer": "sgd"},
        strategy="random",
        pruner="successive_halving",
        epochs=4,
        trials=14,
        baseline=False,
    )
    result = tune.run(
        config, storage=tmp_path / "s.db", study="p", out=None, log=None, splits=splits
    )
    pruned = [t for t in result.trials if t.state == "PRUNED"]
    complete = [t for t in result.trials if t.state == "COMPLETE"]
    assert pruned and complete
    assert result.epochs_spent < 14 * 4
    for t in pruned:
        step = max(t.intermediate)
        assert step < 4 and t.epochs == step
        earlier = [u for u in result.trials if u.number < t.number and step in u.intermediate]
        assert t.intermediate[step] < max(u.intermediate[step] for u in earlier)
    # and the finished trials did better than the stopped ones at the first epoch
    mean = lambda ts: sum(t.intermediate[1] for t in ts) / len(ts)  # noqa: E731
    assert mean(pruned) < mean(complete)


def test_hyperband_prunes_with_the_hyperband_strategy(tmp_path: Path, splits: tune.Splits) -> None:
    config = tiny(
        search={"lr": {"low": 1e-5, "high": 0.5, "log": True}},
        fixed={**FIXED, "optimizer": "sgd"},
        strategy="hyperband",
        epochs=9,
        trials=12,
        baseline=False,
    )
    result = tune.run(
        config, storage=tmp_path / "s.db", study="h", out=None, log=None, splits=splits
    )
    assert any(t.state == "PRUNED" for t in result.trials)
    assert result.epochs_spent < 12 * 9
    # a trial that trained all 9 epochs is never pruned at the last one (rung 9)
    assert all(t.epochs < 9 for t in result.trials if t.state == "PRUNED")
    assert all(t.epochs == 9 for t in result.trials if t.state == "COMPLETE")


def test_a_trial_is_never_pruned_at_its_last_step() -> None:
    class Trial:
        def __init__(self) -> None:
            self.reports: list[tuple[int, float]] = []

        def report(self, value: float, step: int) -> None:
            self.reports.append((step, value))

        def should_prune(self) -> bool:
            return True  # a pruner that wants every trial stopped

    from neuralab.tune.objective import ReportToTrial

    trial = Trial()
    callback = ReportToTrial(trial, "val_accuracy", offset=3, last=6)
    with pytest.raises(optuna.TrialPruned, match="pruned at step 5"):
        callback.on_epoch_end(None, 2, {"val_accuracy": 0.5})
    callback.on_epoch_end(None, 3, {"val_accuracy": 0.6})  # step 6: kept
    assert trial.reports == [(5, 0.5), (6, 0.6)]


def test_epoch_budget(tmp_path: Path, splits: tune.Splits) -> None:
    result = tune.run(
        tiny(trials=None, epoch_budget=7, baseline=False),
        storage=tmp_path / "s.db",
        study="e",
        out=None,
        log=None,
        splits=splits,
    )
    # 2 epochs per trial: stops at the first trial that reaches the budget
    assert result.epochs_spent == 8 and len(result.trials) == 4


def test_baseline_retrain_and_report(tmp_path: Path, splits: tune.Splits) -> None:
    lines: list[str] = []
    result = tune.run(
        tiny(retrain=True, trials=4),
        storage=tmp_path / "s.db",
        study="b",
        out=tmp_path / "report",
        log=lines.append,
        splits=splits,
    )
    first = result.trials[0]
    assert first.baseline and first.params == {"lr": 1e-3, "optimizer": "adam"}
    assert result.baseline["value"] == first.value
    # the progress lines: one per trial, with the count and the best so far
    trial_lines = [line for line in lines if line.startswith("trial ")]
    assert len(trial_lines) == 4 and "4/4 finished" in trial_lines[-1]
    assert f"best val_accuracy {result.best['value']:.4f}" in trial_lines[-1]
    # the best configuration retrained on train + val and tested: a real test score
    assert 0.1 < result.test["test_accuracy"] <= 1 and math.isfinite(result.test["test_loss"])
    assert result.baseline_test is not None
    data = json.loads((tmp_path / "report" / "results.json").read_text())
    saved = data["studies"][0]
    assert saved["best"] == result.best and saved["test"] == result.test
    assert len(saved["trials"]) == 4
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Optimization history" in page and "Trials of study" in page
    assert "Parameter importances" in page
    assert set(result.importances) == {"lr", "optimizer"}
    assert math.isclose(sum(result.importances.values()), 1.0, rel_tol=1e-6)
    images = list((tmp_path / "report" / "images").glob("*.png"))
    assert len(images) == 2 and all(p.stat().st_size > 5000 for p in images)


def test_a_best_configuration_that_diverges_when_retrained_still_gets_its_report(
    tmp_path: Path, splits: tune.Splits, monkeypatch
) -> None:
    from neuralab.train import NonFiniteLossError
    from neuralab.tune import runner

    train = runner.train_and_evaluate

    def diverging_retrain(params, train_data, val, **kwargs):
        if val is None:  # the retraining on train + val (trials validate)
            raise NonFiniteLossError("loss is nan at epoch 1")
        return train(params, train_data, val, **kwargs)

    monkeypatch.setattr(runner, "train_and_evaluate", diverging_retrain)
    lines: list[str] = []
    result = tune.run(tiny(retrain=True, trials=3), storage=tmp_path / "s.db", study="n",
                      out=tmp_path / "r", log=lines.append, splits=splits)  # fmt: skip
    assert result.best is not None and result.test is None and result.baseline_test is None
    assert "diverged when retrained on train + val" in result.retrain_note
    assert any("\nretraining: the best trial's configuration" in line for line in lines)
    saved = json.loads((tmp_path / "r" / "results.json").read_text())["studies"][0]
    assert saved["test"] is None and saved["retrain_note"] == result.retrain_note
    assert "diverged when retrained" in (tmp_path / "r" / "index.html").read_text()


def test_k_fold_cross_validation(tmp_path: Path) -> None:
    config = tiny(
        data=tune.DataConfig("digits", n_train=240, n_val=60, n_test=100, folds=3),
        trials=2,
        baseline=False,
    )
    result = tune.run(config, storage=tmp_path / "s.db", study="k", out=None, log=None)
    for t in result.trials:  # 3 folds x 2 epochs, one report each
        assert t.epochs == 6 and sorted(t.intermediate) == list(range(1, 7))
        # the value is the mean of the folds' last epochs
        finals = [t.intermediate[2], t.intermediate[4], t.intermediate[6]]
        assert t.value == pytest.approx(sum(finals) / 3)
    splits = load_splits("digits", n_train=240, n_val=60, folds=3, seed=0)
    assert len(splits.folds) == 3
    for train, val in splits.folds:
        assert len(train[0]) + len(val[0]) == 300 and len(val[0]) == 100


def test_define_by_run_space(tmp_path: Path, splits: tune.Splits) -> None:
    def space(trial) -> dict:
        optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        params = {"optimizer": optimizer, "lr": trial.suggest_float("lr", 1e-3, 0.1, log=True)}
        if optimizer == "sgd":
            params["momentum"] = trial.suggest_float("momentum", 0.0, 0.95)
        return params

    result = tune.run(tiny(search=space, trials=6), storage=tmp_path / "s.db", study="d",
                      out=None, log=None, splits=splits)  # fmt: skip
    assert len(result.trials) == 6 and not any(t.baseline for t in result.trials)
    for t in result.trials:
        assert ("momentum" in t.params) == (t.params["optimizer"] == "sgd")
    # importances rank the parameters every complete trial has, and name the others
    complete = [t for t in result.trials if t.state == "COMPLETE"]
    assert {t.params["optimizer"] for t in complete} == {"sgd", "adam"}  # (seeded)
    assert set(result.importances) == {"lr", "optimizer"}
    assert result.importance_note.endswith("not every complete trial has them: momentum")

    def bad(trial) -> dict:
        return {"learning_rate": trial.suggest_float("learning_rate", 0.1, 1.0)}

    with pytest.raises(ValueError, match="unknown parameter 'learning_rate'"):
        tune.run(tiny(search=bad), storage=tmp_path / "s.db", study="bad", out=None, log=None,
                 splits=splits)  # fmt: skip


def test_a_study_name_is_not_reused_for_another_configuration(
    tmp_path: Path, splits: tune.Splits
) -> None:
    kwargs = {"storage": tmp_path / "s.db", "study": "x", "out": None, "log": None}
    tune.run(tiny(trials=2, baseline=False), splits=splits, **kwargs)
    with pytest.raises(ValueError, match=r"created with another configuration \(different search"):
        tune.run(
            tiny(trials=2, baseline=False, search={"lr": [0.1, 0.01]}), splits=splits, **kwargs
        )
    # the same configuration with a larger budget continues the study
    result = tune.run(tiny(trials=3, baseline=False), splits=splits, **kwargs)
    assert len(result.trials) == 3


def test_compare_strategies_for_the_same_epoch_budget(tmp_path: Path, splits: tune.Splits) -> None:
    config = tiny(
        search={"lr": {"low": 1e-4, "high": 0.5, "log": True, "points": 4}},
        epochs=3,
        trials=None,
        epoch_budget=12,
    )
    results = tune.compare(
        config, ["grid", "random", "hyperband"], storage=tmp_path / "s.db",
        out=tmp_path / "cmp", log=None, splits=splits,
    )  # fmt: skip
    assert [r.strategy for r in results] == ["grid", "random", "hyperband"]
    for r in results:  # each spends the budget (the last trial may finish past it)
        assert 12 <= r.epochs_spent < 12 + 3
        epochs, best = r.best_so_far()
        assert epochs[-1] == r.epochs_spent and all(b >= a for a, b in itertools.pairwise(best))
    page = (tmp_path / "cmp" / "index.html").read_text()
    assert "Strategies compared" in page and page.count('<h2 id="study-') == 3


# --- the command ---------------------------------------------------------------------
CONFIG = """
[study]
name = "cli"
strategy = "tpe"
trials = {trials}
heartbeat = 1

[data]
name = "digits"
n_train = {n_train}
n_val = 150
n_test = 200

[train]
epochs = {epochs}
width = 16
depth = 1
batch_size = 32

[search]
lr = {{ low = 1e-3, high = 0.5, log = true }}
optimizer = ["sgd", "adam"]
"""


def test_command_runs_a_study_and_resumes_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=3, n_train=300, epochs=2))
    db, out = tmp_path / "s.db", tmp_path / "out"
    args = ["tune", str(path), "--storage", str(db), "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "3/3 finished" in text and "best retrained on train + val" in text
    first = {t.number: t.value for t in load(db, "cli").trials}
    assert main([*args, "--trials", "5", "--strategy", "tpe"]) == 0
    study = load(db, "cli")
    assert len(study.trials) == 5 and {t.number: t.value for t in study.trials[:3]} == first
    assert json.loads((out / "results.json").read_text())["studies"][0]["counts"] == {"COMPLETE": 5}


def test_command_worker_runs_trials_only(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=2, n_train=300, epochs=1))
    out = tmp_path / "out"
    assert main(["tune", str(path), "--out", str(out), "--worker"]) == 0
    text = capsys.readouterr().out
    assert "2/2 finished" in text
    # the summary, without test scores (a worker does not retrain)
    assert "2 trials (2 complete), 2 epochs in all" in text and "\nbest: trial " in text
    assert "test accuracy" not in text
    assert len(load(out / "study.db", "cli").trials) == 2  # the default storage: OUT/study.db
    assert not (out / "index.html").exists() and not (out / "results.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--storage", "mongodb://h/db"], "neuralab tune: storage: unknown database 'mongodb'"),
        (["--strategy", "grid", "--study", "other"], None),
        (["--storage", "sqlite:///:memory:"], "neuralab tune: storage: an SQLite URL needs a file"),
    ],
)
def test_command_errors(tmp_path: Path, capsys, extra: list[str], message: str | None) -> None:
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=2, n_train=300, epochs=1))
    code = main(["tune", str(path), "--out", str(tmp_path / "o"), *extra])
    err = capsys.readouterr().err
    if message is None:  # grid over a spec is fine
        assert code == 0
    else:
        assert code == 1 and message in err and "Traceback" not in err


def test_command_reports_an_unexpected_error_in_one_line(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from neuralab.tune import runner

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(runner, "run", broken)
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=2, n_train=300, epochs=1))
    assert main(["tune", str(path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("neuralab tune: unexpected error: ZeroDivisionError: float division")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("extra", [["--strategy", "tpe"], ["--worker"]])
def test_compare_refuses_strategy_and_worker(tmp_path: Path, capsys, extra: list[str]) -> None:
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=2, n_train=300, epochs=1))
    with pytest.raises(SystemExit) as exit:
        main(["tune", str(path), "--compare", "random,tpe", "--out", str(tmp_path / "o"), *extra])
    assert exit.value.code == 2
    assert f"--compare runs every strategy it names itself; it cannot take {extra[0]}" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "o").exists()


def test_command_compare_spends_the_epoch_budget_and_reports_it(tmp_path: Path, capsys) -> None:
    """--compare with --epoch-budget: the file's trials = 2 does not cap the strategies
    (the epoch budget is what they are compared for); the grid, smaller than the budget,
    is warned about; the reading's numbers are each strategy's own."""
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=2, n_train=300, epochs=3))
    out = tmp_path / "cmp"
    args = ["tune", str(path), "--compare", "grid,random,hyperband", "--epoch-budget", "30"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert (
        "warning: grid runs at most 6 trials (18 epochs), less than the epoch budget of 30" in text
    )
    studies = {s["strategy"]: s for s in json.loads((out / "results.json").read_text())["studies"]}
    assert studies["grid"]["epochs_spent"] == 18
    for name in ("random", "hyperband"):
        assert 30 <= studies[name]["epochs_spent"] < 33
    assert len(studies["random"]["trials"]) == 10
    hb = studies["hyperband"]
    pruned = hb["counts"].get("PRUNED", 0)
    assert pruned > 0 and len(hb["trials"]) > 10
    page = (out / "index.html").read_text()
    assert (
        f"hyperband pruned {pruned} of its {len(hb['trials'])} trials: it tried "
        f"{len(hb['trials'])} configurations in {hb['epochs_spent']} epochs (grid 6 in 18, "
        f"random 10 in {studies['random']['epochs_spent']})."
    ) in page
    assert "The budgets differ: grid 6 trials, 18 epochs" in page
    assert "strategies = grid, random, hyperband" in page
    assert "name = cli," not in page and "strategy = tpe" not in page


def test_command_bad_config(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tune.toml"
    path.write_text("[search]\nlr = { low = 0.1, high = 0.01 }\n")
    assert main(["tune", str(path)]) == 1
    assert "search.lr: empty range" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tune", str(path), "--trials", "0"])
    assert "--trials: expected a positive int" in capsys.readouterr().err


def _running_mid_training(db: Path) -> bool:
    """Whether a running trial has reported at least one epoch."""
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return bool(
                conn.execute(
                    "SELECT COUNT(*) FROM trials t JOIN trial_intermediate_values v "
                    "ON v.trial_id = t.trial_id WHERE t.state = 'RUNNING'"
                ).fetchone()[0]
            )
        except sqlite3.OperationalError:
            return False


def _finished(db: Path) -> dict[int, tuple[str, float]]:
    """Read the finished trials straight from the SQLite file (no Optuna, no lock held)."""
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            rows = conn.execute(
                "SELECT t.number, t.state, v.value FROM trials t JOIN trial_values v "
                "ON v.trial_id = t.trial_id WHERE t.state = 'COMPLETE'"
            ).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return {}
    return {n: (s, v) for n, s, v in rows}


def test_resume_after_sigkill_keeps_every_finished_trial(tmp_path: Path) -> None:
    """SIGKILL a ``neuralab tune`` process mid-study, then run it again: every trial that
    had finished is kept as it was, the killed trial is retried, the budget is met."""
    path = tmp_path / "tune.toml"
    path.write_text(CONFIG.format(trials=8, n_train=1000, epochs=20))
    db = tmp_path / "s.db"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "neuralab", "tune", str(path), "--storage", str(db),
               "--out", str(tmp_path / "out")]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (db.exists() and len(_finished(db)) >= 2 and _running_mid_training(db)):
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "no trial finished within 60 s"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)  # in the middle of a trial
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    before = _finished(db)
    study = load(db, "cli")
    assert len(before) < 8 and any(t.state.name == "RUNNING" for t in study.trials)
    killed = next(t for t in study.trials if t.state.name == "RUNNING")
    # resume (heartbeat 1 s: the killed trial is recognized as dead after 3 s)
    result = tune.run(
        tune.load_config(path), storage=db, study="cli", out=None, log=None, worker=True
    )
    after = {t.number: (t.state, t.value) for t in result.trials if t.state == "COMPLETE"}
    assert {n: after[n] for n in before} == before  # every finished trial kept, unchanged
    assert len(after) == 8
    states = {t.number: t.state for t in result.trials}
    assert states[killed.number] == "FAIL"
    # the killed trial was queued again (same parameters) and completed
    study = load(db, "cli")
    retried = [t for t in study.trials if t.system_attrs.get("failed_trial") == killed.number]
    assert len(retried) == 1 and retried[0].state.name == "COMPLETE", [
        (t.number, t.state.name, t.params, t.system_attrs) for t in study.trials
    ]
    assert all(retried[0].params[k] == v for k, v in killed.params.items())


def test_a_trial_orphaned_before_its_first_heartbeat_is_failed_and_retried(
    tmp_path: Path, splits: tune.Splits
) -> None:
    """A worker killed between creating a trial and its first heartbeat leaves a running
    trial with no heartbeat; the next worker still recognizes it as dead (after the grace
    period of 3 heartbeats) and completes the budget instead of waiting for it forever."""
    kwargs = {"storage": tmp_path / "s.db", "study": "o", "out": None, "log": None}
    config = tiny(trials=1, baseline=False, heartbeat=1)
    tune.run(config, splits=splits, **kwargs)
    orphan = load(tmp_path / "s.db", "o").ask()  # RUNNING, never a heartbeat
    started = time.monotonic()
    result = tune.run(tiny(trials=3, baseline=False, heartbeat=1), splits=splits, **kwargs)
    assert time.monotonic() - started < 30
    states = {t.number: t.state for t in result.trials}
    assert states[orphan.number] == "FAIL"
    assert sum(s == "COMPLETE" for s in states.values()) == 3
