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
starting budgets. The random and TPE samplers draw each trial's values with a sampler
seeded from (seed, the trial's number): a trial's number is unique in the study (the
storage hands it out), so workers sharing a study draw different points even when they
start trials at the same instant, and one worker's study is reproducible. The grid
sampler is seeded with the seed alone (its shuffled grid must be the same in every
worker: trial i evaluates grid point i).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from neuralab.tune.config import TuneConfig
from neuralab.tune.space import SearchSpace

__all__ = ["TrialSeededSampler", "make_pruner", "make_sampler", "trial_seed"]


def trial_seed(seed: int, number: int) -> int:
    """The sampler's seed for trial ``number`` of a study seeded with ``seed``."""
    import numpy

    return int(numpy.random.SeedSequence([seed, number]).generate_state(1)[0])


class TrialSeededSampler:
    """An Optuna sampler that draws each trial's values with its own sampler,
    ``factory(trial_seed(seed, trial.number))``: the values of trial n depend on the seed,
    on n and on the trials before it (TPE's model), never on when a worker started it."""

    def __init__(self, factory: Callable[[int], Any], seed: int) -> None:
        self._factory, self._seed = factory, seed
        self._current: tuple[int, Any] | None = None

    def _for(self, trial: Any) -> Any:
        if self._current is None or self._current[0] != trial.number:
            self._current = (trial.number, self._factory(trial_seed(self._seed, trial.number)))
        return self._current[1]

    def infer_relative_search_space(self, study: Any, trial: Any) -> Any:
        return self._for(trial).infer_relative_search_space(study, trial)

    def sample_relative(self, study: Any, trial: Any, search_space: Any) -> Any:
        return self._for(trial).sample_relative(study, trial, search_space)

    def sample_independent(
        self, study: Any, trial: Any, param_name: str, param_distribution: Any
    ) -> Any:
        return self._for(trial).sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Any, trial: Any) -> None:
        self._for(trial).before_trial(study, trial)

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self._for(trial).after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:  # the seeds come from the trial numbers
        pass


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


def make_sampler(config: TuneConfig) -> Any:
    """The strategy's sampler (see the module's docstring)."""
    import optuna

    kind = config.strategy
    if kind == "hyperband":
        kind = config.sampler or "tpe"
    if kind == "grid":  # one seed: every worker shuffles the grid alike (trial i: point i)
        assert isinstance(config.search, SearchSpace)
        return optuna.samplers.GridSampler(config.search.grid(), seed=config.seed)
    startup = startup_trials(config)

    def factory(seed: int) -> Any:
        if kind == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        return optuna.samplers.TPESampler(n_startup_trials=startup, seed=seed)

    return _as_optuna_sampler(TrialSeededSampler)(factory, config.seed)


@functools.cache
def _as_optuna_sampler(cls: type) -> type:
    """``cls`` as a subclass of Optuna's BaseSampler (Optuna is imported only when used)."""
    import optuna

    return type(cls.__name__, (cls, optuna.samplers.BaseSampler), {})


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
