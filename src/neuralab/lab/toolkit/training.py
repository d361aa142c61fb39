"""Training for the lab's studies: the MNIST MLP trained through ``neuralab.train.fit``
(``train_mlp``), any classifier the same way (``train_model``), and the paired trainer
that starts every condition of a study from the same weights on the same batches."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import neuralab as nl
from neuralab import nn
from neuralab.lab.toolkit.data import MnistData
from neuralab.registry import make_model
from neuralab.train import Callback, History, NonFiniteLossError, evaluate, fit

__all__ = [
    "Training",
    "initial_weights",
    "paired_trainer",
    "steps_per_epoch",
    "train_mlp",
    "train_model",
]


@dataclass
class Training:
    """What ``train_mlp`` returns: the fit History (per-epoch 'loss', 'time', 'lr', with
    validation 'val_loss' and 'val_accuracy'; per-step 'step_loss' and 'step_lr'), the
    trained model's loss over the training images, its test loss and accuracy (a
    fraction), the learning rate the last training step used (not the rate a scheduler
    step after it set, which no step used), and whether training stopped on a non-finite
    loss (diverged: losses inf, accuracy 0)."""

    history: History
    train_loss: float
    test_loss: float
    test_accuracy: float
    last_lr: float
    diverged: bool = False


def train_mlp(
    data: MnistData,
    make_optimizer: Callable[[list], Any],
    *,
    epochs: int,
    batch_size: int = 64,
    hidden: Sequence[int] = (128, 64),
    make_scheduler: Callable[[Any, int], Any] | None = None,
    initial_state: dict | None = None,
    shuffle_seed: int | None = None,
) -> Training:
    """Train the MLP 784-hidden-10 (ReLU) with cross-entropy on ``data.train`` through
    ``neuralab.train.fit`` and evaluate it on ``data.test``.

    make_optimizer(parameters) -> optimizer; make_scheduler(optimizer, steps_per_epoch)
    -> scheduler (fit steps OneCycleLR and CyclicLR per batch, ReduceLROnPlateau on the
    validation loss, the others per epoch). initial_state: weights to start from (so
    several optimizers start alike); shuffle_seed: the batches' order (same seed, same
    batches). A NaN or infinite loss ends training early and sets ``diverged``.
    """
    model = make_model("mlp", in_features=784, classes=10, hidden=hidden)
    return train_model(
        model,
        data,
        make_optimizer,
        epochs=epochs,
        batch_size=batch_size,
        make_scheduler=make_scheduler,
        initial_state=initial_state,
        shuffle_seed=shuffle_seed,
    )


def train_model(
    model: Any,
    data: MnistData,
    make_optimizer: Callable[[list], Any],
    *,
    epochs: int,
    batch_size: int = 64,
    make_scheduler: Callable[[Any, int], Any] | None = None,
    initial_state: dict | None = None,
    shuffle_seed: int | None = None,
    callbacks: Sequence[Callback] = (),
    clip_grad_norm: float | None = None,
    evaluate_train: bool = True,
) -> Training:
    """Train ``model`` (a classifier of ``data``'s inputs, logits out) with cross-entropy
    as ``train_mlp`` does (see there); ``callbacks`` and ``clip_grad_norm`` are passed
    to ``fit``. ``evaluate_train=False``: ``train_loss`` is the last epoch's mean
    training loss instead of a pass of the trained model over every training image
    (which costs about a third of an epoch)."""
    from neuralab.data import DataLoader, TensorDataset

    if initial_state is not None:
        model.load_state_dict(initial_state)
    optimizer = make_optimizer(list(model.parameters()))
    loader = DataLoader(
        TensorDataset(*data.train), batch_size, shuffle=True, generator=shuffle_seed
    )
    scheduler = make_scheduler(optimizer, len(loader)) if make_scheduler is not None else None
    loss = nn.CrossEntropyLoss()
    history, diverged = History(), False

    class _Keep(Callback):  # keeps the history if training stops on a NaN
        def on_train_begin(self, trainer: Any) -> None:
            trainer.history = history

    try:
        fit(
            model,
            loss,
            optimizer,
            loader,
            epochs,
            validation=data.val,
            metrics=["accuracy"] if data.val is not None else (),
            scheduler=scheduler,
            callbacks=[_Keep(), *callbacks],
            clip_grad_norm=clip_grad_norm,
            progress=False,
        )
    except NonFiniteLossError:
        diverged = True
    if diverged:
        train_loss, test_loss, test_accuracy = math.inf, math.inf, 0.0
    else:
        train_loss = (
            evaluate(model, loss, data.train)["loss"]
            if evaluate_train
            else float(history.epochs["loss"][-1])
        )
        logs = evaluate(model, loss, data.test, ["accuracy"])
        test_loss, test_accuracy = logs["loss"], logs["accuracy"]
    used = history.steps["step_lr"]  # the rate of each step, recorded before the scheduler's
    lr = float(used[-1]) if used else float(optimizer.param_groups[0]["lr"])
    return Training(history, train_loss, test_loss, test_accuracy, lr, diverged)


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Mini-batches per epoch over n samples (the last one may be smaller)."""
    return -(-n // batch_size)


def initial_weights(hidden: Sequence[int] = (128, 64)) -> dict:
    """A copy of a freshly initialized MLP's weights (from the global generator)."""
    model = make_model("mlp", in_features=784, classes=10, hidden=hidden)
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def paired_trainer(
    data: MnistData, *, epochs: int, batch_size: int, hidden: Sequence[int]
) -> Callable[..., Training]:
    """``train_mlp`` with the initial weights and the batches' order drawn once (from the
    global generator): every condition the returned function trains, as
    ``train(make_optimizer, make_scheduler=None)``, starts from the same weights and sees
    the same batches."""
    start = initial_weights(hidden)
    shuffle_seed = int(nl.backend.generator().integers(2**31))

    def train(
        make_optimizer: Callable[[list], Any],
        make_scheduler: Callable[[Any, int], Any] | None = None,
    ) -> Training:
        return train_mlp(
            data,
            make_optimizer,
            epochs=epochs,
            batch_size=batch_size,
            hidden=hidden,
            make_scheduler=make_scheduler,
            initial_state=start,
            shuffle_seed=shuffle_seed,
        )

    return train
