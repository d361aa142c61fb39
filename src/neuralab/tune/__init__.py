"""Hyperparameter tuning on Optuna, from a laptop to many machines.

    from neuralab import tune

    config = tune.TuneConfig(
        search={"lr": {"low": 1e-4, "high": 0.3, "log": True},
                "optimizer": ["sgd", "adam", "rmsprop", "adagrad"],
                "width": {"low": 32, "high": 256, "step": 32}},
        data=tune.DataConfig("digits"),
        epochs=5, trials=30, strategy="tpe",
    )
    result = tune.run(config, storage="runs/tune/study.db", study="digits", out="runs/tune")
    result.best, result.test          # best trial; its test scores, retrained on train + val

or ``neuralab tune CONFIG.toml [--storage URL] [--study NAME] [--trials N] [--strategy S]``
(``neuralab.tune.config`` describes the file). The pieces, one idea each:

- ``space``: the search spec (typed ranges and choices) and the parameters the MLP
  objective knows; ``config``: the study's configuration and its TOML/YAML file;
- ``data``: training, validation, test (and k-fold) arrays; ``objective``: one trial
  trains the MLP with ``neuralab.train.fit`` and reports each epoch to the pruner;
- ``strategies``: grid, random, TPE, Hyperband as Optuna samplers and pruners;
- ``storage``: SQLite by default, any database URL to share a study between machines;
- ``runner``: the trial loop with its budget, resume, retraining of the best
  configuration, and the comparison of strategies; ``report``: the HTML report.

A distributed search: start ``neuralab tune CONFIG --storage postgresql://... --study
NAME`` on each machine (``--worker`` on all but one); see docs/guide/tuning.md.
"""

from __future__ import annotations

from neuralab.data.splits import Splits, load_splits
from neuralab.tune.config import DataConfig, TuneConfig, config_from_dict, load_config
from neuralab.tune.runner import TrialRecord, TuneResult, compare, run
from neuralab.tune.space import PARAMETERS, Param, SearchSpace

__all__ = [
    "PARAMETERS",
    "DataConfig",
    "Param",
    "SearchSpace",
    "Splits",
    "TrialRecord",
    "TuneConfig",
    "TuneResult",
    "compare",
    "config_from_dict",
    "load_config",
    "load_splits",
    "run",
]
