"""The search strategies, as Optuna samplers and pruners.

| strategy   | sampler                                        | pruner                   |
| ---------- | ---------------------------------------------- | ------------------------ |
| grid       | ``GridSampler`` over the spec's grid values    | none                     |
| random     | ``RandomSampler``                              | none                     |
| tpe        | ``TPESampler`` (Bayesian: a tree-structured    | none                     |
|            | Parzen estimator of good and bad parameters)   |                          |
| hyperband  | ``TPESampler`` (or random)                     | ``HyperbandPruner``      |

The pruner can be chosen apart (``pruner``: none, median, successive_halving,
hyperband): successive halving keeps the best 1 / ``reduction_factor`` of the trials at
each rung (1, 3, 9, ... epochs); Hyperband runs several such brackets with different
starting budgets. The random and TPE samplers are seeded from (seed, trials already in the
study), so one worker's study is reproducible and workers sharing a study draw different
points; the grid sampler is seeded with the seed alone (its shuffled grid must be the same
in every worker: trial i evaluates grid point i).
"""

from __future__ import annotations

from typing import Any

from neuralab.tune.config import TuneConfig
from neuralab.tune.space import SearchSpace

__all__ = ["make_pruner", "make_sampler", "trial_seed"]


def trial_seed(seed: int, trials_so_far: int) -> int:
    """The sampler's seed for the next trial: a function of the study's seed and of how
    many trials the study holds."""
    import numpy

    return int(numpy.random.SeedSequence([seed, trials_so_far]).generate_state(1)[0])


def startup_trials(config: TuneConfig) -> int:
    """TPE's random trials before it models the results: ``startup_trials``, or a quarter
    of the trial budget (or of the full trials the epoch budget pays for), between 3 and
    10."""
    if config.startup_trials is not None:
        return config.startup_trials
    budget = config.trials
    if budget is None and config.epoch_budget is not None:
        budget = config.epoch_budget // (config.epochs * config.data.folds)
    return max(3, min(10, (budget or 40) // 4))


def make_sampler(config: TuneConfig, trials_so_far: int = 0) -> Any:
    """The strategy's sampler, seeded for the next trial."""
    import optuna

    seed = trial_seed(config.seed, trials_so_far)
    kind = config.strategy
    if kind == "hyperband":
        kind = config.sampler or "tpe"
    if kind == "grid":  # one seed: every worker shuffles the grid alike (trial i: point i)
        assert isinstance(config.search, SearchSpace)
        return optuna.samplers.GridSampler(config.search.grid(), seed=config.seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(n_startup_trials=startup_trials(config), seed=seed)


def make_pruner(config: TuneConfig) -> Any:
    """The study's pruner (see the module's docstring); resources are epochs (times the
    number of folds with cross-validation)."""
    import optuna

    steps = config.epochs * config.data.folds
    name = config.pruner_name
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    if name == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=1, reduction_factor=config.reduction_factor
        )
    return optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=steps, reduction_factor=config.reduction_factor
    )
