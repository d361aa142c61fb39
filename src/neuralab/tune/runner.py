"""Running a tuning study: the trial loop with its budget, progress, the results, the best
configuration retrained and tested, and the comparison of strategies.

``run(config, storage=..., study=...)`` is what ``neuralab tune`` calls. Several processes
(on one machine with SQLite, or on many with PostgreSQL) may run it on the same study at
once: each one takes the next trial while the study holds fewer finished (complete or
pruned) plus running trials than the budget (counting and starting a trial under a lock,
so workers started together start exactly the budget), then waits for the others' last
trials, so every worker ends seeing the same complete study and the same best trial. A
fault of the database (a full disk, a read-only folder) stops the worker with a
one-line StorageError naming it; the finished trials are kept and the same command
resumes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from neuralab.data.splits import Splits, load_splits
from neuralab.extras import require
from neuralab.train import NonFiniteLossError
from neuralab.tune.config import TuneConfig
from neuralab.tune.locking import Lock, lock_for
from neuralab.tune.objective import Objective, test_scores, train_and_evaluate
from neuralab.tune.space import SearchSpace
from neuralab.tune.storage import (
    describe,
    open_storage,
    retrying,
    storage_errors,
    storage_url,
)
from neuralab.tune.strategies import make_pruner, make_sampler

__all__ = ["TrialRecord", "TuneResult", "compare", "load_data", "run"]

Log = Callable[[str], None] | None


@dataclass
class TrialRecord:
    """One trial as the results show it.

    Args:
        number: The trial's number in the study.
        state: 'COMPLETE', 'PRUNED', 'FAIL', 'RUNNING' or 'WAITING'.
        params: The trial's parameter values.
        value: The final metric, or None.
        epochs: The epochs it trained, or None.
        seconds: How long it ran, or None.
        baseline: Whether it is the baseline trial.
        intermediate: The metric after each epoch (epoch -> value).
        completed: When it finished (seconds since the epoch), or None.

    Examples:
        >>> from neuralab import tune
        >>> record = tune.TrialRecord(3, "PRUNED", {"lr": 0.01}, None, 2, 1.5, False,
        ...                           {1: 0.62, 2: 0.70}, None)
        >>> record.last_value
        0.7
    """

    number: int
    state: str  # COMPLETE, PRUNED, FAIL, RUNNING, WAITING
    params: dict[str, Any]
    value: float | None
    epochs: int | None
    seconds: float | None
    baseline: bool
    intermediate: dict[int, float]
    completed: float | None  # completion time, seconds since the epoch

    @property
    def last_value(self) -> float | None:
        """The value, or for a pruned trial its last reported metric."""
        if self.value is not None:
            return self.value
        return self.intermediate[max(self.intermediate)] if self.intermediate else None


@dataclass
class TuneResult:
    """What a study produced (and ``results.json`` holds).

    Args:
        study: The study's name.
        storage: Its storage, described without a password.
        strategy: The search strategy.
        metric: The metric ('val_accuracy' or 'val_loss').
        direction: 'maximize' or 'minimize'.
        trials: Every trial's ``TrialRecord``.
        best: The best trial (``{'number', 'params', 'value'}``), or None.
        baseline: The baseline trial, or None.
        importances: Each parameter's importance (Optuna's fANOVA), or None.
        importance_note: Why there are no importances, when there are none.
        test: The best configuration's test scores after retraining, or None.
        baseline_test: The baseline's test scores, or None.
        seconds: The study's wall time.
        config: The configuration as plain data. Defaults to {}.
        retrain_note: Why a retrained configuration has no test scores. Defaults to ''.

    Examples:
        >>> from neuralab import tune
        >>> trials = [tune.TrialRecord(0, "COMPLETE", {"lr": 0.1}, 0.8, 3, 1.0, False, {}, 1.0),
        ...           tune.TrialRecord(1, "COMPLETE", {"lr": 0.01}, 0.9, 3, 1.0, False, {}, 2.0)]
        >>> result = tune.TuneResult("demo", "sqlite", "tpe", "val_accuracy", "maximize", trials,
        ...                          None, None, None, "", None, None, 2.0)
        >>> result.epochs_spent, result.best_so_far()
        (6, ([3, 6], [0.8, 0.9]))
    """

    study: str
    storage: str
    strategy: str
    metric: str
    direction: str
    trials: list[TrialRecord]
    best: dict[str, Any] | None
    baseline: dict[str, Any] | None
    importances: dict[str, float] | None
    importance_note: str
    test: dict[str, float] | None
    baseline_test: dict[str, float] | None
    seconds: float
    config: dict[str, Any] = field(default_factory=dict)
    retrain_note: str = ""  # why a retrained configuration has no test scores

    @property
    def finished(self) -> list[TrialRecord]:
        return [t for t in self.trials if t.state in ("COMPLETE", "PRUNED")]

    @property
    def epochs_spent(self) -> int:
        """Epochs trained by the finished trials (the comparisons' budget)."""
        return sum(t.epochs or 0 for t in self.finished)

    def best_so_far(self) -> tuple[list[int], list[float]]:
        """(cumulative epochs, best value so far) after each finished trial, in order of
        completion (trials that ended without a value are steps of the epochs only)."""
        better = max if self.direction == "maximize" else min
        epochs, values, total, best = [], [], 0, math.nan
        ordered = sorted(self.finished, key=lambda t: (t.completed or 0.0, t.number))
        for t in ordered:
            total += t.epochs or 0
            if t.state == "COMPLETE" and t.value is not None:
                best = t.value if math.isnan(best) else better(best, t.value)
            epochs.append(total)
            values.append(best)
        return epochs, values

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["epochs_spent"] = self.epochs_spent
        out["counts"] = _counts(self.trials)
        return out


def _counts(trials: Sequence[TrialRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in trials:
        counts[t.state] = counts.get(t.state, 0) + 1
    return counts


@contextlib.contextmanager
def quiet_optuna() -> Iterator[None]:
    """Optuna's own log lines and experimental-feature warnings off (progress is ours)."""
    import optuna

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            yield
        finally:
            optuna.logging.set_verbosity(level)


def load_data(config: TuneConfig) -> Splits:
    """The study's data (the same in every worker: it depends on the seed only)."""
    return load_splits(**asdict(config.data), seed=config.seed)


def study_name(config: TuneConfig, label: str | None = None) -> str:
    """The study's name: ``config.name``, else ``DATA-LABEL-HASH`` (LABEL: the strategy by
    default), HASH the first 8 hex digits of the SHA-256 of what workers sharing a study
    must agree on (its search space, fixed values, epochs, data, metric, strategy,
    pruner and seed): two configurations never share a name, the same one (a resumed or
    joined search) always does."""
    if config.name is not None:
        return config.name
    text = json.dumps(_fingerprint(config), sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{config.data.name}-{label or config.strategy}-{digest}"


def _fingerprint(config: TuneConfig) -> dict[str, Any]:
    """What workers sharing a study must agree on."""
    search = config.search.to_dict() if isinstance(config.search, SearchSpace) else "function"
    return json.loads(
        json.dumps(
            {
                "strategy": config.strategy,
                "pruner": config.pruner_name,
                "metric": config.metric,
                "epochs": config.epochs,
                "search": search,
                "fixed": config.fixed,
                "data": asdict(config.data) | {"data_dir": None},
                "seed": config.seed,
            },
            sort_keys=True,
        )
    )


def open_study(config: TuneConfig, url: str) -> tuple[Any, Any]:
    """(study, storage): create or load the study ``config.name`` in ``url``; a study of
    that name made with another configuration is refused (its trials would not be
    comparable). It is done under the study's lock (``neuralab.tune.locking``), so of the
    workers starting together exactly one creates the study, records its configuration
    and queues the baseline trial; the others find them. Transient database errors are
    retried; a lasting one is a StorageError naming the database."""
    storage = open_storage(url, config.heartbeat)

    def setup() -> Any:
        with lock_for(url, f"study:{config.name}", describe(url)):
            return _create_or_load(config, url, storage)

    try:
        with storage_errors(url):
            study = retrying(setup, url)
    except BaseException:
        storage.engine.dispose()
        raise
    return study, storage


def _create_or_load(config: TuneConfig, url: str, storage: Any) -> Any:
    """The study ``config.name``, created (with its configuration and
    baseline) when missing, else loaded and checked against the configuration."""
    import optuna

    kwargs = {
        "storage": storage,
        "study_name": config.name,
        "sampler": make_sampler(config),
        "pruner": make_pruner(config),
    }
    try:
        study = optuna.create_study(direction=config.direction, **kwargs)
        created = True
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(**kwargs)
        created = False
    if study.direction.name.lower() != config.direction:
        raise ValueError(
            f"study {config.name!r} in {describe(url)} {study.direction.name.lower()}s its "
            f"value, this configuration {config.direction}s {config.metric}; use another "
            "--study name"
        )
    mine = _fingerprint(config)
    theirs = study.user_attrs.get("neuralab")
    if theirs is None:
        study.set_user_attr("neuralab", mine)
    elif theirs != mine:
        keys = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        raise ValueError(
            f"study {config.name!r} in {describe(url)} was created with another configuration "
            f"(different {', '.join(keys)}); use another --study name or the same config file"
        )
    if created and config.baseline and isinstance(config.search, SearchSpace):
        study.enqueue_trial(config.baseline_params(), user_attrs={"baseline": True})
    return study


@dataclass
class _Status:
    finished: int
    epochs: int
    running_numbers: list[int]

    @property
    def running(self) -> int:
        return len(self.running_numbers)


def _status(study: Any) -> _Status:
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    finished = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    return _Status(
        len(finished),
        sum(int(t.user_attrs.get("epochs", 0)) for t in finished),
        [t.number for t in trials if t.state == TrialState.RUNNING],
    )


def _watch(storage: Any, study_name: str, numbers: list[int], watched: set[int]) -> None:
    """Record one heartbeat for each running trial this worker has not seen yet. A worker
    killed after creating a trial but before its first heartbeat leaves a running trial
    that Optuna never judges stale (it has no heartbeat to be late); with this one it is
    failed (and retried) a grace period later, while a live trial's own heartbeats keep
    it running."""
    new = [n for n in numbers if n not in watched]
    if not new:
        return
    study_id = storage.get_study_id_from_name(study_name)
    for number in new:
        storage.record_heartbeat(storage.get_trial_id_from_study_id_trial_number(study_id, number))
        watched.add(number)


def _trial_cap(config: TuneConfig) -> int | None:
    """The trial budget; for the grid strategy at most the grid (plus the baseline)."""
    if config.strategy != "grid":
        return config.trials
    assert isinstance(config.search, SearchSpace)
    grid = config.search.grid_size + int(config.baseline)
    return grid if config.trials is None else min(config.trials, grid)


def _describe_value(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _progress(config: TuneConfig, log: Log, cap: int | None) -> Callable[[Any, Any], None]:
    def callback(study: Any, trial: Any) -> None:
        if log is None:
            return
        status = _status(study)
        try:
            best = study.best_trial
            best_text = f"best {config.metric} {best.value:.4f} (trial {best.number})"
        except ValueError:
            best_text = "no complete trial yet"
        state = trial.state.name.lower()
        value = trial.value
        if value is None and trial.intermediate_values:
            value = trial.intermediate_values[max(trial.intermediate_values)]
        epochs = trial.user_attrs.get("epochs", "?")
        seconds = trial.user_attrs.get("seconds", 0.0)
        budget = f"/{cap}" if cap is not None else ""
        mark = " (baseline)" if trial.user_attrs.get("baseline") else ""
        log(
            f"trial {trial.number}{mark} {state}: {config.metric} {_describe_value(value)} "
            f"after {epochs} epoch(s), {seconds:.1f} s | {status.finished}{budget} finished, "
            f"{status.epochs} epochs in all, {best_text}"
        )

    return callback


def _should_launch(config: TuneConfig, status: _Status, cap: int | None, deadline: float) -> bool:
    if time.monotonic() >= deadline:
        return False
    if cap is not None and status.finished + status.running >= cap:
        return False
    per_trial = config.epochs * config.data.folds
    return not (
        config.epoch_budget is not None
        and status.epochs + status.running * per_trial >= config.epoch_budget
    )


def _complete(config: TuneConfig, status: _Status, cap: int | None, deadline: float) -> bool:
    if time.monotonic() >= deadline or status.running == 0:
        return True
    if cap is not None and status.finished >= cap:
        return True
    return config.epoch_budget is not None and status.epochs >= config.epoch_budget


def optimize(
    config: TuneConfig,
    study: Any,
    storage: Any,
    splits: Splits,
    log: Log = print,
    poll: float = 0.5,
) -> None:
    """Run trials of ``study`` (kept in ``storage``) until its budget is spent (see the
    module's docstring)."""
    import optuna

    objective = Objective(
        config.search,
        config.defaults,
        splits,
        epochs=config.epochs,
        metric=config.metric,
        seed=config.seed,
    )
    cap = _trial_cap(config)
    deadline = time.monotonic() + (config.timeout if config.timeout is not None else math.inf)
    progress = _progress(config, log, cap)
    watched: set[int] = set()
    gate = _launch_lock(storage, config.name)

    def released(trial: Any) -> Any:  # the trial exists: others may count it now
        gate.release()
        return objective(trial)

    while True:
        gate.acquire()
        try:
            optuna.storages.fail_stale_trials(study)  # trials of dead workers: failed, retried
            status = _status(study)
            _watch(storage, config.name, status.running_numbers, watched)
            if _should_launch(config, status, cap, deadline):
                study.optimize(released, n_trials=1, callbacks=[progress])
                continue
        finally:
            gate.release()
        if _complete(config, status, cap, deadline):
            return
        time.sleep(poll)  # other workers are finishing the last trials


def _launch_lock(storage: Any, name: str) -> Lock:
    """The lock held from counting the study's trials to creating the next one, so that
    workers deciding together start no more trials than the budget (SQLite and
    PostgreSQL; elsewhere no lock, and a race may start one extra trial per worker)."""
    url = getattr(storage, "url", None)
    return lock_for(url, f"launch:{name}", describe(url)) if isinstance(url, str) else Lock()


def collect(study: Any, config: TuneConfig, url: str, seconds: float) -> TuneResult:
    """The study's trials, best and baseline trials and parameter importances."""
    records = []
    for t in study.get_trials(deepcopy=False):
        completed = t.datetime_complete.timestamp() if t.datetime_complete else None
        epochs = t.user_attrs.get("epochs")
        records.append(
            TrialRecord(
                number=t.number,
                state=t.state.name,
                params=dict(t.params),
                value=None if t.value is None else float(t.value),
                epochs=None if epochs is None else int(epochs),
                seconds=t.user_attrs.get("seconds"),
                baseline=bool(t.user_attrs.get("baseline")),
                intermediate={int(k): float(v) for k, v in t.intermediate_values.items()},
                completed=completed,
            )
        )
    complete = [t for t in records if t.state == "COMPLETE"]
    best = None
    if complete:
        b = study.best_trial
        best = {"number": b.number, "params": dict(b.params), "value": float(b.value)}
    base = next((t for t in records if t.baseline and t.state == "COMPLETE"), None)
    baseline = (
        None
        if base is None
        else {"number": base.number, "params": base.params, "value": base.value}
    )
    importances, note = _importances(study, complete, config.seed)
    return TuneResult(
        study=config.name,
        storage=describe(url),
        strategy=config.strategy,
        metric=config.metric,
        direction=config.direction,
        trials=records,
        best=best,
        baseline=baseline,
        importances=importances,
        importance_note=note,
        test=None,
        baseline_test=None,
        seconds=seconds,
        config=config.to_dict(),
    )


def _importances(
    study: Any, complete: list[TrialRecord], seed: int
) -> tuple[dict[str, float] | None, str]:
    """(importances, note): fANOVA over the complete trials, of the parameters every
    complete trial has (a define-by-run space's conditional parameters are left out, and
    the note names them) and whose values differ."""
    names = {k for t in complete for k in t.params}
    shared = {k for k in names if all(k in t.params for t in complete)}
    varying = sorted(k for k in shared if len({repr(t.params[k]) for t in complete}) > 1)
    left_out = sorted(names - shared)
    if len(complete) < 2 or not varying:
        note = "too few complete trials with differing parameters to rank them"
    else:
        import optuna

        try:
            evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
            ranked = optuna.importance.get_param_importances(
                study, evaluator=evaluator, params=varying
            )
            importances = {k: float(v) for k, v in ranked.items()}
            note = "fANOVA (a random forest of the complete trials' values)"
            if left_out:
                note += f"; left out, as not every complete trial has them: {', '.join(left_out)}"
            return importances, note
        except Exception as error:  # a failed ranking must not lose the study's report
            note = f"not computed: {type(error).__name__}: {error}"
    return None, note


def retrain(config: TuneConfig, params: dict[str, Any], splits: Splits) -> dict[str, float] | None:
    """Train ``params`` (with the fixed values) on training + validation for the trials'
    epochs and return its test loss and accuracy; None when the training diverges (its
    loss became NaN or infinite)."""
    try:
        model, _ = train_and_evaluate(
            {**config.defaults, **params},
            splits.train_val,
            None,
            epochs=config.epochs,
            in_features=splits.in_features,
            classes=splits.classes,
            seed=config.seed,
        )
    except NonFiniteLossError:
        return None
    scores = test_scores(model, splits.test)
    return scores if all(math.isfinite(v) for v in scores.values()) else None


def run(
    config: TuneConfig,
    *,
    storage: str | os.PathLike | None = None,
    study: str | None = None,
    trials: int | None = None,
    strategy: str | None = None,
    out: str | os.PathLike | None = "runs/tune",
    worker: bool = False,
    log: Log = print,
    splits: Splits | None = None,
) -> TuneResult:
    """Runs (or resumes, or joins) a study and returns its results.

    Unless ``worker``, the best configuration (and the baseline) is then retrained on
    training + validation and tested (a retraining that diverges has no test scores, and
    ``retrain_note`` says so), and ``OUT/results.json`` and the HTML report ``OUT/index.html``
    are written.

    Args:
        config: The study's configuration.
        storage: A database URL or an SQLite file. Defaults to None (``config.storage``, else
            ``OUT/study.db``).
        study: The study's name, overriding the config's. Defaults to None (the config's
            name, else ``study_name(config)``, derived from the configuration).
        trials: The trial budget, overriding the config's. Defaults to None.
        strategy: The strategy, overriding the config's. Defaults to None.
        out: The folder of the results and report (None: no files). Defaults to 'runs/tune'.
        worker: Whether this process only runs trials and logs the summary (no retraining, no
            files), as the extra workers of a distributed search. Defaults to False.
        log: Where progress lines go (None: nowhere). Defaults to ``print``.
        splits: The data, when already loaded. Defaults to None (loaded from ``config.data``).

    Returns:
        The ``TuneResult``.

    Raises:
        ValueError: If the storage holds a study of the same name with another configuration.

    Examples:
        >>> import os, tempfile
        >>> from neuralab import tune
        >>> config = tune.TuneConfig(search={"lr": {"low": 1e-3, "high": 0.1, "log": True}},
        ...     data=tune.DataConfig("synthetic", n_train=64, n_val=32, n_test=32), epochs=1,
        ...     trials=2, baseline=False, retrain=False)
        >>> db = os.path.join(tempfile.mkdtemp(), "study.db")
        >>> # skipped as a doctest: an Optuna study in SQLite takes seconds
        >>> result = tune.run(config, storage=db, out=None, log=None)  # doctest: +SKIP
        >>> len(result.trials), result.direction  # doctest: +SKIP
        (2, 'maximize')
    """
    require("optuna", "tune", "neuralab.tune")
    if out is not None and not worker:  # said now, not after the trials
        require("matplotlib", "tune", "neuralab.tune's report")
    config = config.replace(
        storage=None if storage is None else os.fspath(storage),
        name=study,
        trials=trials,
        strategy=strategy,
    )
    config = dataclasses.replace(config, name=study_name(config))
    default = Path(out if out is not None else ".") / "study.db"
    url = storage_url(config.storage, default)
    started = time.perf_counter()
    with quiet_optuna(), storage_errors(url):  # a database fault: one line naming it
        the_study, the_storage = open_study(config, url)
        try:
            splits = splits if splits is not None else load_data(config)
            if log:
                log(
                    f"study {config.name!r} in {describe(url)}: strategy {config.strategy}, "
                    f"pruner {config.pruner_name}, {config.metric} ({config.direction}), budget "
                    + ", ".join(
                        f"{k} {v}"
                        for k, v in (
                            ("trials", _trial_cap(config)),
                            ("epochs", config.epoch_budget),
                            ("seconds", config.timeout),
                        )
                        if v is not None
                    )
                )
            optimize(config, the_study, the_storage, splits, log)
            result = collect(the_study, config, url, time.perf_counter() - started)
        finally:  # the database's connections closed (SQLite: its -wal file folded in)
            the_storage.engine.dispose()
    if config.retrain and result.best is not None and not worker:
        _retrain_best_and_baseline(config, result, splits)
    if log:
        log(summary(result))
    if out is not None and not worker:
        _write_report([result], out, log)
    return result


def _write_report(results: list[TuneResult], out: str | os.PathLike, log: Log) -> None:
    from neuralab.tune.report import write_tune_report

    page = write_tune_report(results, out)
    if log:
        log(f"wrote {page} and {Path(out) / 'results.json'}")


def _retrain_best_and_baseline(config: TuneConfig, result: TuneResult, splits: Splits) -> None:
    """Set the test scores of the best and baseline trials, retrained on train + val; a
    retraining that diverges leaves its scores None and says so in ``retrain_note``."""
    assert result.best is not None
    notes = []
    result.test = retrain(config, result.best["params"], splits)
    if result.test is None:
        notes.append(
            f"the best trial's configuration (trial {result.best['number']}) diverged when "
            "retrained on train + val (its loss became NaN or infinite): no test score"
        )
    if result.baseline is not None and result.baseline["number"] != result.best["number"]:
        result.baseline_test = retrain(config, result.baseline["params"], splits)
        if result.baseline_test is None:
            notes.append("the baseline diverged when retrained on train + val: no test score")
    elif result.baseline is not None and result.test is not None:
        result.baseline_test = dict(result.test)
    result.retrain_note = "; ".join(notes)


def summary(result: TuneResult) -> str:
    """A few lines: the counts, the best trial, the baseline and the test scores."""
    counts = ", ".join(f"{v} {k.lower()}" for k, v in sorted(_counts(result.trials).items()))
    lines = [f"{len(result.trials)} trials ({counts}), {result.epochs_spent} epochs in all"]
    if result.best is not None:
        params = ", ".join(f"{k}={_short(v)}" for k, v in result.best["params"].items())
        lines.append(
            f"best: trial {result.best['number']}, {result.metric} "
            f"{result.best['value']:.4f} ({params})"
        )
    if result.baseline is not None:
        lines.append(
            f"baseline: trial {result.baseline['number']}, {result.metric} "
            f"{result.baseline['value']:.4f}"
        )
    if result.test is not None:
        lines.append(
            f"best retrained on train + val: test accuracy {result.test['test_accuracy']:.4f}, "
            f"test loss {result.test['test_loss']:.4f}"
            + (
                f" (baseline: {result.baseline_test['test_accuracy']:.4f})"
                if result.baseline_test
                else ""
            )
        )
    if result.retrain_note:
        lines.append(f"retraining: {result.retrain_note}")
    return "\n".join(lines)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def compare(
    config: TuneConfig,
    strategies: Sequence[str] = ("grid", "random", "tpe", "hyperband"),
    *,
    storage: str | os.PathLike | None = None,
    out: str | os.PathLike | None = "runs/tune",
    log: Log = print,
    splits: Splits | None = None,
) -> list[TuneResult]:
    """Runs one study per strategy with the same budget and data, and compares them.

    Each study is named ``<name>-<strategy>`` (without a name, each its ``study_name``) and
    runs without the baseline; one report compares them (unless ``out`` is None). With both
    ``trials`` and ``epoch_budget`` each search stops at the first it reaches (the grid also
    at its size): a warning says when the strategies' budgets differ.

    Args:
        config: The studies' shared configuration.
        strategies: The strategies to compare. Defaults to ('grid', 'random', 'tpe',
            'hyperband').
        storage: A database URL or an SQLite file. Defaults to None (``config.storage``, else
            ``OUT/study.db``).
        out: The folder of the report (None: no files). Defaults to 'runs/tune'.
        log: Where progress lines go (None: nowhere). Defaults to ``print``.
        splits: The data, when already loaded. Defaults to None (loaded once from
            ``config.data``).

    Returns:
        One ``TuneResult`` per strategy, in order.

    Raises:
        ValueError: If a strategy is unknown or none is given.

    Examples:
        >>> import os, tempfile
        >>> from neuralab import tune
        >>> config = tune.TuneConfig(search={"lr": {"low": 1e-3, "high": 0.1, "log": True}},
        ...     data=tune.DataConfig("synthetic", n_train=64, n_val=32, n_test=32), epochs=1,
        ...     trials=1)
        >>> db = os.path.join(tempfile.mkdtemp(), "compare.db")
        >>> # skipped as a doctest: one Optuna study per strategy takes seconds
        >>> results = tune.compare(config, ("random", "tpe"), storage=db,  # doctest: +SKIP
        ...                        out=None, log=None)
        >>> [r.strategy for r in results]  # doctest: +SKIP
        ['random', 'tpe']
    """
    require("optuna", "tune", "neuralab.tune")
    if out is not None:
        require("matplotlib", "tune", "neuralab.tune's report")
    from neuralab.tune.config import STRATEGIES

    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        raise ValueError(f"compare: strategies must be among {list(STRATEGIES)}, got {unknown}")
    splits = splits if splits is not None else load_data(config)
    if storage is None:
        storage = config.storage or Path(out if out is not None else ".") / "study.db"
    variants = [
        dataclasses.replace(
            config,
            strategy=name,
            name=None if config.name is None else f"{config.name}-{name}",
            baseline=False,
        )
        for name in strategies
    ]
    per_trial = config.epochs * config.data.folds
    for variant in variants:
        cap = _trial_cap(variant)
        budget = config.epoch_budget
        if log and budget is not None and cap is not None and cap * per_trial < budget:
            log(
                f"warning: {variant.strategy} runs at most {cap} trials ({cap * per_trial} "
                f"epochs), less than the epoch budget of {budget}"
            )
    results = []
    for variant in variants:
        if log:
            log(f"--- strategy {variant.strategy}")
        results.append(run(variant, storage=storage, out=None, log=log, splits=splits))
    if log:
        from neuralab.tune.report import budget_note

        note = budget_note(results)
        if note:
            log(f"warning: {note}")
    if out is not None:
        _write_report(results, out, log)
    return results
