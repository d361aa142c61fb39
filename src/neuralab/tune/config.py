"""A tuning study's configuration, from a TOML or YAML file or from Python.

The file has four tables (every key optional but ``search``)::

    [study]
    name = "digits-mlp"      # the study's name in the storage (--study overrides it;
                             # default: DATA-STRATEGY-HASH, from the configuration)
    strategy = "tpe"         # grid | random | tpe | hyperband (--strategy)
    trials = 20              # budget: finished trials in the study, all workers (--trials)
    epoch_budget = 60        # budget: epochs trained in all trials (optional)
    timeout = 600            # budget: seconds for this worker (optional)
    metric = "val_accuracy"  # or "val_loss" (maximized / minimized)
    seed = 0
    baseline = true          # a first trial with the [train] values, for comparison
    retrain = true           # retrain the best configuration on train + val, test it
    storage = "sqlite:///runs/tune/study.db"   # (--storage)

    [data]
    name = "digits"          # digits | mnist | fashion-mnist | synthetic
    n_train = 1000           # (None: all)
    n_val = 300              # (None: val_fraction of the training samples)
    n_test = 360
    folds = 1                # k-fold cross-validation over train + val when k > 1

    [train]
    epochs = 3               # epochs per trial (the pruners' maximum resource)
    lr = 1e-3                # fixed values of the parameters that are not searched
    optimizer = "adam"       # (and the baseline trial's values)

    [search]
    lr = { low = 1e-4, high = 0.3, log = true }
    optimizer = ["sgd", "adam", "rmsprop", "adagrad"]

See ``neuralab.tune.space`` for the search spec and the parameters.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuralab.data.splits import DATASETS
from neuralab.extras import require
from neuralab.tune.space import SearchSpace, as_space, check_values, defaults

__all__ = ["METRICS", "PRUNERS", "STRATEGIES", "DataConfig", "TuneConfig", "load_config"]

STRATEGIES = ("grid", "random", "tpe", "hyperband")
# Upper bounds of the sizes a file may ask for: far above any real study, low enough that
# a typo (``n_train = 1000000000``) is refused before anything is allocated.
MAX_SAMPLES = 1_000_000  # data.n_train, n_val, n_test
MAX_FOLDS = 100
MAX_COUNT = 1_000_000  # trials, startup_trials, train.epochs
MAX_EPOCH_BUDGET = 10**9
MAX_GRID = 1_000_000  # grid strategy: combinations of the grid values
MAX_FILE_BYTES = 1 << 20
PRUNERS = ("none", "median", "successive_halving", "hyperband")
METRICS = {"val_accuracy": "maximize", "val_loss": "minimize"}


@dataclass
class DataConfig:
    """Which data the trials train on (see ``neuralab.data.splits``).

    Args:
        name: 'digits', 'mnist', 'fashion-mnist' or 'synthetic'. Defaults to 'digits'.
        n_train: Training samples. Defaults to None (all).
        n_val: Validation samples. Defaults to None (``val_fraction`` of the training
            samples).
        n_test: Test samples. Defaults to None (all).
        val_fraction: The validation share when ``n_val`` is None, in (0, 1). Defaults to 0.2.
        folds: k-fold cross-validation over train + val when > 1. Defaults to 1.
        data_dir: Where the data files are. Defaults to None (``$NEURALAB_DATA`` or the user
            cache).

    Raises:
        ValueError: If ``name`` is unknown, a size or ``folds`` is not a positive int within
            bounds, or ``val_fraction`` is outside (0, 1).

    Examples:
        >>> from neuralab import tune
        >>> tune.DataConfig("synthetic", n_train=64, n_val=32, n_test=32).folds
        1
    """

    name: str = "digits"
    n_train: int | None = None
    n_val: int | None = None
    n_test: int | None = None
    val_fraction: float = 0.2
    folds: int = 1
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if self.name not in DATASETS:
            raise ValueError(f"data.name: expected one of {list(DATASETS)}, got {self.name!r}")
        for key in ("n_train", "n_val", "n_test"):
            _positive_int(f"data.{key}", getattr(self, key), optional=True, maximum=MAX_SAMPLES)
        _positive_int("data.folds", self.folds, maximum=MAX_FOLDS)
        if not (_real(self.val_fraction) and 0 < self.val_fraction < 1):
            raise ValueError(
                f"data.val_fraction: expected a number 0 < x < 1, got {self.val_fraction!r}"
            )


@dataclass
class TuneConfig:
    """A tuning study: what is searched, over which data, with which strategy and budget.

    Args:
        search: A ``SearchSpace``, a spec dict (``{"lr": {"low": 1e-4, "high": 0.3, "log":
            True}, "optimizer": ["sgd", "adam"]}``), or a define-by-run function of an Optuna
            trial returning parameter values.
        data: The data (a ``DataConfig`` or a dict of its fields). Defaults to
            ``DataConfig()`` (digits).
        fixed: Values of the parameters that are not searched (and the baseline's); see
            ``PARAMETERS``. Defaults to {}.
        epochs: Epochs per trial (the pruners' maximum resource). Defaults to 3.
        name: The study's name in the storage. Defaults to 'neuralab-tune'.
        strategy: 'grid', 'random', 'tpe' or 'hyperband'. Defaults to 'tpe'.
        trials: Budget: finished trials in the study, all workers. Defaults to 20.
        epoch_budget: Budget: epochs trained in all trials. Defaults to None.
        timeout: Budget: seconds for this worker. Defaults to None.
        metric: 'val_accuracy' (maximized) or 'val_loss' (minimized). Defaults to
            'val_accuracy'.
        seed: The sampler's and the trials' seed. Defaults to 0.
        baseline: Whether a first trial runs the ``fixed`` values, for comparison. Defaults to
            True.
        retrain: Whether the best configuration is retrained on train + val and tested.
            Defaults to True.
        storage: A database URL or SQLite file. Defaults to None (``OUT/study.db``).
        pruner: 'none', 'median', 'successive_halving' or 'hyperband'. Defaults to None
            (hyperband for the hyperband strategy, else none).
        sampler: The hyperband strategy's sampler, 'tpe' or 'random'. Defaults to None ('tpe').
        startup_trials: TPE's random trials first. Defaults to None (``trials // 4``, 3 to 10).
        reduction_factor: Successive halving / hyperband keep 1 in this many (>= 2). Defaults
            to 3.
        heartbeat: Seconds between a running trial's heartbeats (database storages). Defaults
            to 5.

    Raises:
        ValueError: If a value is out of its domain, no budget is given, the grid strategy has
            no spec or too many combinations, or the baseline lies outside the space.
        TypeError: If ``fixed`` is not a table of parameter values.

    Examples:
        >>> from neuralab import tune
        >>> config = tune.TuneConfig(search={"lr": {"low": 1e-4, "high": 0.3, "log": True}},
        ...                          data=tune.DataConfig("synthetic"), trials=10)
        >>> config.direction, config.search.names, config.strategy
        ('maximize', ['lr'], 'tpe')
    """

    search: Any
    data: DataConfig = field(default_factory=DataConfig)
    fixed: dict[str, Any] = field(default_factory=dict)
    epochs: int = 3
    name: str | None = None  # None: derived from the configuration (runner.study_name)
    strategy: str = "tpe"
    trials: int | None = 20
    epoch_budget: int | None = None
    timeout: float | None = None
    metric: str = "val_accuracy"
    seed: int = 0
    baseline: bool = True
    retrain: bool = True
    storage: str | None = None
    pruner: str | None = None  # None: hyperband for the hyperband strategy, else none
    sampler: str | None = None  # hyperband's sampler: "tpe" (default) or "random"
    startup_trials: int | None = None  # TPE's random start (default: trials // 4, 3..10)
    reduction_factor: int = 3  # successive halving / hyperband: keep 1 / factor
    heartbeat: int = 5  # seconds between a running trial's heartbeats (RDB storages)

    def __post_init__(self) -> None:
        self.search = as_space(self.search)
        if isinstance(self.data, Mapping):
            self.data = DataConfig(**self.data)
        self.fixed = check_values(self.fixed, "train")
        _positive_int("train.epochs", self.epochs, maximum=MAX_COUNT)
        if self.name is not None and (not isinstance(self.name, str) or not self.name):
            raise ValueError(f"study.name: expected a non-empty string, got {self.name!r}")
        _choice("strategy", self.strategy, STRATEGIES)
        _choice("metric", self.metric, tuple(METRICS))
        if self.pruner is not None:
            _choice("pruner", self.pruner, PRUNERS)
        if self.sampler is not None:
            _choice("sampler", self.sampler, ("tpe", "random"))
        _positive_int("trials", self.trials, optional=True, maximum=MAX_COUNT)
        _positive_int("epoch_budget", self.epoch_budget, optional=True, maximum=MAX_EPOCH_BUDGET)
        _positive_int("startup_trials", self.startup_trials, optional=True, maximum=MAX_COUNT)
        _positive_int("heartbeat", self.heartbeat, maximum=3600)
        _positive_int("reduction_factor", self.reduction_factor, maximum=1000)
        if self.reduction_factor < 2:
            raise ValueError(
                f"study.reduction_factor: expected an integer >= 2, got {self.reduction_factor}"
            )
        if self.timeout is not None and not (_real(self.timeout) and self.timeout > 0):
            raise ValueError(f"study.timeout: expected seconds > 0, got {self.timeout!r}")
        if self.trials is None and self.epoch_budget is None and self.timeout is None:
            raise ValueError("study: give a budget: trials, epoch_budget or timeout")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ValueError(f"study.seed: expected an integer, got {self.seed!r}")
        for key in ("baseline", "retrain"):
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"study.{key}: expected true or false, got {getattr(self, key)!r}")
        if self.strategy == "grid" and not isinstance(self.search, SearchSpace):
            raise ValueError("strategy 'grid' needs a search spec, not a define-by-run function")
        if isinstance(self.search, SearchSpace):
            sizes = [len(values) for values in self.search.grid().values()]
            if math.prod(sizes) > MAX_GRID:
                raise ValueError(
                    f"search: the grid has {' x '.join(map(str, sizes))} = "
                    f"{math.prod(sizes):,} combinations, more than {MAX_GRID:,}; give fewer "
                    "points or choices"
                )
        if isinstance(self.search, SearchSpace) and self.baseline:
            self.search.check_inside(self.baseline_params(), "baseline")

    @property
    def direction(self) -> str:
        """'maximize' or 'minimize', from the metric."""
        return METRICS[self.metric]

    @property
    def defaults(self) -> dict[str, Any]:
        """Every parameter's value when not searched: the defaults, then ``fixed``."""
        return {**defaults(), **self.fixed}

    def baseline_params(self) -> dict[str, Any]:
        """The baseline trial's values of the searched parameters."""
        values = self.defaults
        if isinstance(self.search, SearchSpace):
            return {name: values[name] for name in self.search.names}
        return {}

    @property
    def pruner_name(self) -> str:
        return self.pruner or ("hyperband" if self.strategy == "hyperband" else "none")

    def replace(self, **changes: Any) -> TuneConfig:
        """A copy with some fields changed (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain data (for results.json and the study's attributes)."""
        search: Any = (
            self.search.to_dict()
            if isinstance(self.search, SearchSpace)
            else getattr(self.search, "__qualname__", "define-by-run")
        )
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out.update(search=search, data=dataclasses.asdict(self.data), fixed=dict(self.fixed))
        if self.storage is not None:  # never a password in results.json or the report
            from neuralab.tune.storage import describe

            out["storage"] = describe(str(self.storage))
        return out


# --- files ---------------------------------------------------------------------------
_STUDY_KEYS = {
    "name", "strategy", "trials", "epoch_budget", "timeout", "metric", "seed", "baseline",
    "retrain", "storage", "pruner", "sampler", "startup_trials", "reduction_factor",
    "heartbeat",
}  # fmt: skip
_SECTIONS = ("study", "data", "train", "search")


def load_config(path: str | Path) -> TuneConfig:
    r"""Reads a study's configuration file: TOML (.toml), YAML (.yaml, .yml) or JSON (.json).

    The file has the tables [study], [data], [train] and [search] (see the module's
    docstring); it is at most 1 MiB, and sizes beyond the bounds are refused before anything
    is allocated.

    Args:
        path: The file.

    Returns:
        The ``TuneConfig``.

    Raises:
        ValueError: If the file is missing, too large, not UTF-8, cannot be parsed, or holds a
            bad table or value (the message names the file and the key).

    Examples:
        >>> import os, tempfile
        >>> from neuralab import tune
        >>> path = os.path.join(tempfile.mkdtemp(), "study.toml")
        >>> text = '[study]\ntrials = 5\n[search]\noptimizer = ["sgd", "adam"]\n'
        >>> _ = open(path, "w").write(text)
        >>> tune.load_config(path).search.grid()
        {'optimizer': ['sgd', 'adam']}
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"config: no such file {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml", ".json"):
        raise ValueError(f"config: expected a .toml, .yaml, .yml or .json file, got {path.name!r}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"config {path}: {size:,} bytes, more than a configuration's 1 MiB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"config {path}: not UTF-8 text ({error})") from None
    if suffix in (".yaml", ".yml"):  # said as such, not as a file that cannot be parsed
        require("yaml", "tune", "a YAML tuning configuration")
    try:
        if suffix == ".toml":
            raw = _toml().loads(text)
        elif suffix == ".json":
            raw = json.loads(text)
        else:
            raw = _yaml_load(text)
    except Exception as error:  # the parsers' own syntax errors, and RecursionError
        message = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"config {path}: cannot parse it: {message}") from None
    try:
        return config_from_dict(raw)
    except (TypeError, ValueError) as error:
        raise ValueError(f"config {path}: {error}") from None


def config_from_dict(raw: Any) -> TuneConfig:
    """A ``TuneConfig`` from the file's tables ``{study, data, train, search}``.

    Args:
        raw: The tables as a dict: 'search' (required), 'study', 'data', 'train'.

    Returns:
        The ``TuneConfig``.

    Raises:
        ValueError: If a table is unknown, missing ('search') or not a table, or a key or value
            is bad.

    Examples:
        >>> from neuralab import tune
        >>> search = {"optimizer": ["sgd", "adam"]}
        >>> config = tune.config_from_dict({"study": {"trials": 5}, "train": {"epochs": 2},
        ...                                 "search": search})
        >>> config.trials, config.epochs
        (5, 2)
    """
    if not isinstance(raw, Mapping):
        raise ValueError("expected tables [study], [data], [train] and [search]")
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ValueError(f"unknown table(s) {sorted(unknown)}; expected {list(_SECTIONS)}")
    if "search" not in raw:
        raise ValueError("missing the [search] table: which parameters to search")
    tables = {}
    for name in ("study", "data", "train"):
        table = raw.get(name) or {}
        if not isinstance(table, Mapping):
            raise ValueError(f"[{name}] must be a table, got {table!r}")
        tables[name] = dict(table)
    bad = set(tables["study"]) - _STUDY_KEYS
    if bad:
        raise ValueError(
            f"[study]: unknown key(s) {sorted(bad)}; expected some of {sorted(_STUDY_KEYS)}"
        )
    data_keys = {f.name for f in dataclasses.fields(DataConfig)}
    bad = set(tables["data"]) - data_keys
    if bad:
        raise ValueError(
            f"[data]: unknown key(s) {sorted(bad)}; expected some of {sorted(data_keys)}"
        )
    train = tables["train"]
    epochs = train.pop("epochs", 3)
    return TuneConfig(
        search=SearchSpace.from_dict(raw["search"] or {}),
        data=DataConfig(**tables["data"]),
        fixed=train,
        epochs=epochs,
        **tables["study"],
    )


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # pragma: no cover - Python 3.10

    return tomli  # pragma: no cover


def _yaml_load(text: str) -> Any:
    """``yaml.safe_load`` (plain data only, no Python objects), with YAML 1.2's floats:
    PyYAML follows YAML 1.1, where ``1e-4`` (no dot) is a string, not a number."""
    yaml = require("yaml", "tune", "a YAML tuning configuration")

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)
            |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*
            |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
            re.VERBOSE,
        ),
        list("-+0123456789."),
    )
    return yaml.load(text, Loader=Loader)  # a SafeLoader: plain data only


# --- checks --------------------------------------------------------------------------
def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _positive_int(
    name: str, value: Any, optional: bool = False, maximum: int | None = None
) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected a positive integer <= {maximum:,}, got {value!r}")


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {list(choices)}, got {value!r}")
