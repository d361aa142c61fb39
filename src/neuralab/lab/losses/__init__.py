"""Study 4, loss functions: which loss for which problem, in three experiments, one module
each (their docstrings hold the losses' formulas and gradients):

- ``outliers`` (A): regression with a fraction of the training targets corrupted; MSE,
  MAE, Huber and the quantile loss against the clean test targets. MSE's gradient grows
  with the residual, so outliers pull its fit; MAE and Huber cap each sample's pull.
- ``imbalance`` (B): a 5 % minority class; the cross-entropy unweighted and with the
  balanced class weights w_c = n / (C n_c); the minority class's recall, precision, F1.
- ``pairs`` (C): sigmoid and softmax outputs with the cross-entropy or MSE; how fast each
  pair converges. MSE's gradient with respect to the logits is the cross-entropy's times
  the output activation's slope, which vanishes where the output saturates.

``common`` holds the settings (``Config``) and what the experiments share. Each
experiment is ``run(config, result) -> data`` (its scalars and curves into the seed's
Result) and ``report(config, seeds) -> blocks`` (figure, table, reading as findings).
"""

from __future__ import annotations

import warnings

from neuralab.lab.losses import imbalance, outliers, pairs
from neuralab.lab.losses.common import Config
from neuralab.lab.losses.imbalance import IMBALANCE
from neuralab.lab.losses.outliers import CLEAN
from neuralab.lab.losses.pairs import PAIRS, softmax_mse
from neuralab.lab.stats import FRACTION, NON_NEGATIVE
from neuralab.lab.study import Result, Seeds, Study

__all__ = ["CLEAN", "IMBALANCE", "PAIRS", "STUDY", "Config", "report", "run", "softmax_mse"]

# The experiments in the order they run (each draws its data from the seeded generator)
# and are reported; the keys are their entries in a Result's data.
EXPERIMENTS = {"outliers": outliers, "imbalance": imbalance, "pairs": pairs}


def run(config: Config, seed: int) -> Result:
    result = Result()
    result.data = {name: part.run(config, result) for name, part in EXPERIMENTS.items()}
    return result


def report(config: Config, seeds: Seeds) -> list:
    with warnings.catch_warnings():  # scipy warns on t-tests of (nearly) constant values
        warnings.simplefilter("ignore", RuntimeWarning)
        return [block for part in EXPERIMENTS.values() for block in part.report(config, seeds)]


_NON_NEGATIVE = (
    "test_rmse test_mae predicted_minority epochs_to_target train_loss relative_train_loss"
)
_FRACTIONS = (
    "coverage minority_recall minority_precision minority_f1 accuracy reached_target "
    "mean_val_accuracy first_epoch_val_accuracy final_val_accuracy val_accuracy"
)
STUDY = Study(
    name="losses",
    title="4. Loss functions",
    question=(
        "Which loss resists outliers, what does class weighting do for a rare class, and "
        "why is cross-entropy the loss for sigmoid and softmax outputs?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={
        "reg_train": 400,
        "reg_test": 400,
        "reg_epochs": 40,
        "imb_samples": 2000,
        "imb_epochs": 20,
        "pair_samples": 1000,
        "pair_epochs": 15,
    },
    bounds={
        **dict.fromkeys(_NON_NEGATIVE.split(), NON_NEGATIVE),
        **dict.fromkeys(_FRACTIONS.split(), FRACTION),
    },
)
