"""The objective: one trial trains the MLP with the trial's hyperparameters and returns
its validation metric.

A trial builds ``neuralab.models.MLP(in, hidden, classes)`` with ``depth`` hidden layers
of ``width``, ``width / 2``, ... units, its optimizer and schedule (all three by name from
``neuralab.registry``), and trains it with ``neuralab.train.fit``. After every epoch the
validation metric goes to the trial (``trial.report(value, step)``); when the study's
pruner says the trial is worse than the others were at that step, ``optuna.TrialPruned``
stops it (the ``ReportToTrial`` callback). With k-fold cross-validation the folds are
trained one after the other, step ``fold * epochs + epoch``, and the value is the mean
over folds of the last epoch's metric. Every trial starts from the same seed, so two
trials differ only by their hyperparameters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy

import neuralab as nl
from neuralab import nn, registry
from neuralab.data.splits import Arrays, Splits
from neuralab.models import MLP
from neuralab.train import Callback, NonFiniteLossError, Trainer, evaluate, fit
from neuralab.tune.space import SearchSpace, check_values

__all__ = [
    "Objective",
    "ReportToTrial",
    "build_model",
    "build_optimizer",
    "build_scheduler",
    "hidden_sizes",
    "test_scores",
    "train_and_evaluate",
]


def hidden_sizes(width: int, depth: int) -> list[int]:
    """``depth`` hidden layers, each half as wide as the one before (at least 4 units)."""
    return [max(4, width // 2**i) for i in range(depth)]


def build_model(params: Mapping[str, Any], in_features: int, classes: int) -> MLP:
    """The registry's MLP of ``params`` (width, depth, activation, dropout)."""
    return registry.make_model(
        "mlp",
        in_features=in_features,
        classes=classes,
        hidden=hidden_sizes(params["width"], params["depth"]),
        activation=params["activation"],
        dropout=params["dropout"],
    )


def build_optimizer(params: Mapping[str, Any], parameters: list) -> Any:
    """The registry's optimizer of ``params`` (optimizer, lr, weight_decay, and momentum
    for the optimizers that take one: SGD and RMSprop; the others have none to set)."""
    name, options = params["optimizer"], {"weight_decay": params["weight_decay"]}
    if name in registry.OPTIMIZERS and "momentum" in registry.OPTIMIZERS[name].options:
        options["momentum"] = params["momentum"]
    return registry.make_optimizer(name, parameters, lr=params["lr"], **options)


def build_scheduler(
    params: Mapping[str, Any], optimizer: Any, epochs: int, steps_per_epoch: int
) -> Any:
    """The registry's schedule of ``params``: None for 'none' (a constant rate), else as
    ``neuralab.registry.make_scheduler`` makes it (step: x0.1 every third of training;
    exponential: x0.9 per epoch; cosine: to 0 over training; onecycle: peak at lr; ...)."""
    return registry.make_scheduler(
        params["schedule"], optimizer, epochs=epochs, steps_per_epoch=steps_per_epoch
    )


class ReportToTrial(Callback):
    """Report ``metric`` to the Optuna trial after every epoch, at step ``offset + epoch``,
    and stop a trial the pruner wants stopped by raising ``optuna.TrialPruned``; never at
    step ``last`` (the trial's final step: it has been trained fully, so stopping it
    would only throw its value away)."""

    def __init__(self, trial: Any, metric: str, offset: int = 0, last: int | None = None) -> None:
        self.trial, self.metric, self.offset, self.last = trial, metric, offset, last
        self.epochs = 0

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        import optuna

        self.epochs += 1
        value = float(logs[self.metric])
        step = self.offset + epoch
        self.trial.report(value, step)
        if step != self.last and self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned at step {step} ({self.metric} {value:.4g})")


def train_and_evaluate(
    params: Mapping[str, Any],
    train: Arrays,
    val: Arrays | None,
    *,
    epochs: int,
    in_features: int,
    classes: int,
    seed: int,
    callbacks: tuple[Callback, ...] = (),
) -> tuple[Any, dict[str, list[float]]]:
    """Train the MLP of ``params`` on ``train`` for ``epochs`` epochs (validating on
    ``val`` after each); return (model, per-epoch history)."""
    from neuralab.data import DataLoader, TensorDataset

    nl.manual_seed(seed)
    model = build_model(params, in_features, classes)
    optimizer = build_optimizer(params, list(model.parameters()))
    loader = DataLoader(
        TensorDataset(*train), params["batch_size"], shuffle=True, generator=seed + 1
    )
    scheduler = build_scheduler(params, optimizer, epochs, len(loader))
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        loader,
        epochs,
        validation=val,
        metrics=["accuracy"],
        scheduler=scheduler,
        callbacks=callbacks,
        progress=False,
    )
    return model, history.epochs


def test_scores(model: Any, test: Arrays) -> dict[str, float]:
    """Test loss and accuracy of a trained model."""
    logs = evaluate(model, nn.CrossEntropyLoss(), test, ["accuracy"])
    return {"test_loss": float(logs["loss"]), "test_accuracy": float(logs["accuracy"])}


class Objective:
    """The function Optuna calls for each trial: parameters (fixed values, then the
    trial's suggestions), training with per-epoch reports, and the validation metric.
    ``space``: a SearchSpace or a define-by-run function of the trial."""

    def __init__(
        self,
        space: SearchSpace | Callable[[Any], Mapping[str, Any]],
        fixed: Mapping[str, Any],
        splits: Splits,
        *,
        epochs: int,
        metric: str,
        seed: int,
    ) -> None:
        self.space, self.fixed, self.splits = space, dict(fixed), splits
        self.epochs, self.metric, self.seed = epochs, metric, seed

    def params(self, trial: Any) -> dict[str, Any]:
        if isinstance(self.space, SearchSpace):
            suggested = self.space.suggest(trial)
        else:
            suggested = check_values(self.space(trial), "define-by-run space")
        return {**self.fixed, **suggested}

    def __call__(self, trial: Any) -> float:
        import optuna

        params = self.params(trial)
        spent, started = 0, time.perf_counter()
        finals = []
        last = len(self.splits.folds) * self.epochs
        try:
            for k, (train, val) in enumerate(self.splits.folds):
                report = ReportToTrial(trial, self.metric, offset=k * self.epochs, last=last)
                try:
                    _, history = train_and_evaluate(
                        params,
                        train,
                        val,
                        epochs=self.epochs,
                        in_features=self.splits.in_features,
                        classes=self.splits.classes,
                        seed=self.seed,
                        callbacks=(report,),
                    )
                finally:
                    spent += report.epochs
                finals.append(float(history[self.metric][-1]))
        except NonFiniteLossError as error:
            trial.set_user_attr("diverged", True)
            raise optuna.TrialPruned(f"diverged: {error}") from None
        finally:
            trial.set_user_attr("epochs", spent)
            trial.set_user_attr("seconds", time.perf_counter() - started)
        value = float(numpy.mean(finals))
        if not math.isfinite(value):
            trial.set_user_attr("diverged", True)
            raise optuna.TrialPruned("the validation metric is not finite")
        return value
