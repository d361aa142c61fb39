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
    """What ``train_mlp`` returns.

    Args:
        history: The ``fit`` History: per epoch 'loss', 'time', 'lr' (with validation
            'val_loss' and 'val_accuracy'); per step 'step_loss' and 'step_lr'.
        train_loss: The trained model's loss over the training images.
        test_loss: Its test loss.
        test_accuracy: Its test accuracy (a fraction).
        last_lr: The learning rate the last training step used.
        diverged: Whether training stopped on a non-finite loss (losses inf, accuracy 0).
            Defaults to False.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> rng = np.random.default_rng(0)  # random images: a fast stand-in for MNIST
        >>> x = rng.uniform(-1, 1, (64, 784)).astype("float32")
        >>> y = rng.integers(0, 10, 64)
        >>> data = toolkit.MnistData((x, y), None, (x[:32], y[:32]))
        >>> sgd = lambda parameters: nl.optim.SGD(parameters, lr=0.1)
        >>> training = toolkit.train_mlp(data, sgd, epochs=2, batch_size=32, hidden=(16,))
        >>> training.diverged, sorted(training.history.epochs), training.last_lr
        (False, ['loss', 'lr', 'time'], 0.1)
    """

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
    """Trains the MLP 784-hidden-10 (ReLU) with cross-entropy through ``neuralab.train.fit``.

    It trains on ``data.train`` (validating on ``data.val``, if any) and evaluates on
    ``data.test``. A NaN or infinite loss ends training early and sets ``diverged``.

    Args:
        data: The data.
        make_optimizer: ``make_optimizer(parameters) -> optimizer``.
        epochs: Epochs to train.
        batch_size: The mini-batch size. Defaults to 64.
        hidden: The hidden layers' widths. Defaults to (128, 64).
        make_scheduler: ``make_scheduler(optimizer, steps_per_epoch) -> scheduler`` (``fit``
            steps OneCycleLR and CyclicLR per batch, ReduceLROnPlateau on the validation loss,
            the others per epoch). Defaults to None.
        initial_state: Weights to start from (so several conditions start alike). Defaults to
            None.
        shuffle_seed: The batches' order (same seed, same batches). Defaults to None.

    Returns:
        The ``Training``.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> rng = np.random.default_rng(0)  # random images: a fast stand-in for MNIST
        >>> x = rng.uniform(-1, 1, (64, 784)).astype("float32")
        >>> y = rng.integers(0, 10, 64)
        >>> data = toolkit.MnistData((x, y), None, (x[:32], y[:32]))
        >>> sgd = lambda parameters: nl.optim.SGD(parameters, lr=0.1)
        >>> training = toolkit.train_mlp(data, sgd, epochs=1, batch_size=32, hidden=(16,))
        >>> 0.0 <= training.test_accuracy <= 1.0, training.history.epochs["lr"]
        (True, [0.1])
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
    """Trains any classifier (logits out) with cross-entropy, as ``train_mlp`` does.

    Args:
        model: The classifier of ``data``'s inputs.
        data: The data.
        make_optimizer: ``make_optimizer(parameters) -> optimizer``.
        epochs: Epochs to train.
        batch_size: The mini-batch size. Defaults to 64.
        make_scheduler: ``make_scheduler(optimizer, steps_per_epoch) -> scheduler`` (``fit``
            steps OneCycleLR and CyclicLR per batch, ReduceLROnPlateau on the validation loss,
            the others per epoch). Defaults to None.
        initial_state: Weights to start from (so several conditions start alike). Defaults to
            None.
        shuffle_seed: The batches' order (same seed, same batches). Defaults to None.
        callbacks: ``fit`` callbacks. Defaults to ().
        clip_grad_norm: Passed to ``fit``. Defaults to None.
        evaluate_train: Whether ``train_loss`` is a pass of the trained model over every
            training image (about a third of an epoch), else the last epoch's mean training
            loss. Defaults to True.

    Returns:
        The ``Training``.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> rng = np.random.default_rng(0)  # random images: a fast stand-in for MNIST
        >>> x = rng.uniform(-1, 1, (64, 784)).astype("float32")
        >>> y = rng.integers(0, 10, 64)
        >>> data = toolkit.MnistData((x, y), None, (x[:32], y[:32]))
        >>> sgd = lambda parameters: nl.optim.SGD(parameters, lr=0.1)
        >>> model = nl.nn.Sequential(nl.nn.Linear(784, 10))
        >>> training = toolkit.train_model(model, data, sgd, epochs=1, batch_size=32,
        ...                                evaluate_train=False)
        >>> training.train_loss == training.history.epochs["loss"][-1]
        True
    """
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
    """Mini-batches per epoch over ``n`` samples: ``ceil(n / batch_size)``.

    The last mini-batch may be smaller.

    Args:
        n: The number of samples.
        batch_size: The mini-batch size.

    Returns:
        The number of mini-batches.

    Examples:
        >>> from neuralab.lab import toolkit
        >>> toolkit.steps_per_epoch(100, 32)
        4
    """
    return -(-n // batch_size)


def initial_weights(hidden: Sequence[int] = (128, 64)) -> dict:
    """A copy of a freshly initialized MLP's weights (from the global generator).

    Args:
        hidden: The hidden layers' widths. Defaults to (128, 64).

    Returns:
        The state dict, as NumPy arrays.

    Examples:
        >>> from neuralab.lab import toolkit
        >>> weights = toolkit.initial_weights((16,))
        >>> {name: w.shape for name, w in weights.items()}
        {'0.weight': (16, 784), '0.bias': (16,), '2.weight': (10, 16), '2.bias': (10,)}
    """
    model = make_model("mlp", in_features=784, classes=10, hidden=hidden)
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def paired_trainer(
    data: MnistData, *, epochs: int, batch_size: int, hidden: Sequence[int]
) -> Callable[..., Training]:
    """``train_mlp`` with the initial weights and the batches' order drawn once.

    Every condition the returned function trains, as
    ``train(make_optimizer, make_scheduler=None)``, starts from the same weights and sees the
    same batches (both drawn from the global generator), so conditions are compared in pairs.

    Args:
        data: The data.
        epochs: Epochs to train.
        batch_size: The mini-batch size.
        hidden: The hidden layers' widths.

    Returns:
        ``train(make_optimizer, make_scheduler=None) -> Training``.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.lab import toolkit
        >>> _ = nl.manual_seed(0)
        >>> rng = np.random.default_rng(0)  # random images: a fast stand-in for MNIST
        >>> x = rng.uniform(-1, 1, (64, 784)).astype("float32")
        >>> y = rng.integers(0, 10, 64)
        >>> data = toolkit.MnistData((x, y), None, (x[:32], y[:32]))
        >>> sgd = lambda parameters: nl.optim.SGD(parameters, lr=0.1)
        >>> train = toolkit.paired_trainer(data, epochs=1, batch_size=32, hidden=(16,))
        >>> train(sgd).train_loss == train(sgd).train_loss
        True
    """
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
