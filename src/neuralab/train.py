"""The training loop: ``fit``, ``evaluate`` and ``predict``, with history, callbacks,
checkpoints and resume.

One epoch of ``fit`` is, for each batch (x, y[, w]):

    optimizer.zero_grad();  loss = loss_fn(model(x), y[, sample_weight=w]);
    loss.backward();  optimizer.step();  [scheduler.step() for per-batch schedules]

then validation, per-epoch schedules, metrics, callbacks and the checkpoint. A checkpoint
holds the model, optimizer, scheduler, history, the epoch and the random generator's state,
so training resumed from it continues bit for bit as if it had never stopped.

Hooks for front ends (the Keras API in ``neuralab.keras`` drives this loop through them):

- callbacks may also define ``on_epoch_begin(trainer, epoch)`` (``epoch`` counts from 1,
  like ``on_epoch_end``), ``on_batch_begin(trainer, batch)`` and
  ``on_batch_end(trainer, batch, logs)`` with ``batch`` the index within the epoch (from 0)
  and ``logs = {"loss": this batch's loss, "size": its number of samples}`` (progress bars,
  stopping on NaN). ``trainer.stop_training`` set in ``on_batch_end`` ends the epoch there.
- ``metrics`` entries may be names (computed once over the epoch's outputs) or objects with
  ``update_state(y_true, y_pred, sample_weight=None)``, ``result()`` and ``reset_state()``,
  streamed batch by batch (reset at each epoch and each evaluation); ``result()`` is a float
  logged under ``obj.name``, or a dict of name -> float.
- ``validation`` may be a DataLoader: the validation set with its own batch size;
  ``validation_freq`` runs it every n-th epoch (an int) or at the listed epochs (from 1).
- ``check_finite=False`` lets training go on through a NaN/Inf loss (a callback decides).
"""

from __future__ import annotations

import copy
import math
import numbers
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy

from neuralab import backend, io
from neuralab.nn.module import Module
from neuralab.progress import Bar, shown
from neuralab.tensor import Tensor, no_grad

PER_BATCH_SCHEDULERS = ("OneCycleLR", "CyclicLR")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; training was stopped (a FloatingPointError).

    ``fit(check_finite=False)`` lets training go on instead (a callback decides).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import NonFiniteLossError, fit
        >>> model = nl.nn.Linear(1, 1)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.1)
        >>> def nan_loss(out, y):
        ...     return (out - y).sum() * float("nan")
        >>> fit(model, nan_loss, opt, (nl.ones(4, 1), nl.ones(4, 1)), progress=False)
        Traceback (most recent call last):
        neuralab.train.NonFiniteLossError: ...
    """


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed from; raised before anything was changed.

    Unreadable, incomplete, or made for another model, optimizer or scheduler; the message
    names the file and the entry. A ValueError.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.train import CheckpointError, load_checkpoint
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.safetensors"
        >>> _ = path.write_bytes(b"not a checkpoint")
        >>> load_checkpoint(path)
        Traceback (most recent call last):
        neuralab.train.CheckpointError: resume: cannot read checkpoint ...
    """


CHECKPOINT_FORMAT = "neuralab.checkpoint/2"
# /1: written before the optimizer's and scheduler's types were stored
_FORMATS = {
    "neuralab.checkpoint/1": frozenset(
        {"format", "epoch", "step", "model", "optimizer", "scheduler", "rng", "history"}
    ),
    CHECKPOINT_FORMAT: frozenset(
        {"format", "epoch", "step", "model", "optimizer_type", "optimizer", "scheduler_type",
         "scheduler", "rng", "history"}
    ),
}  # fmt: skip


@dataclass
class History:
    """What training produced, as ``fit`` returns it.

    One value per epoch for each logged name (``"loss"``, ``"val_loss"``, ``"accuracy"``,
    ``"val_accuracy"``, ``"lr"``, ``"time"``, ...) and one per step for ``"step_loss"`` and
    ``"step_lr"``. ``history["loss"]`` reads either kind.

    Args:
        epochs: Per-epoch values by name. Defaults to an empty dict.
        steps: Per-step values: ``"step_loss"`` and ``"step_lr"``. Defaults to empty lists.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> history = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=3,
        ...               batch_size=16, metrics=["accuracy"], progress=False)
        >>> sorted(history.epochs), len(history["step_loss"])
        (['accuracy', 'loss', 'lr', 'time'], 12)
        >>> history["loss"][-1] < history["loss"][0]
        True
    """

    epochs: dict[str, list] = field(default_factory=dict)
    steps: dict[str, list] = field(default_factory=lambda: {"step_loss": [], "step_lr": []})

    def log_epoch(self, logs: dict[str, float]) -> None:
        """Append one epoch's values.

        Args:
            logs: Values by name.
        """
        for key, value in logs.items():
            self.epochs.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        """Short, whatever the length of training: the epochs, the logged names and the
        last epoch's loss and metrics, e.g. ``History(epochs=5, keys=['loss', 'lr'],
        last={'loss': 0.1234})``; the values are in ``history.epochs`` / ``.steps``."""
        n = max((len(v) for v in self.epochs.values()), default=0)
        last = {
            k: round(v[-1], 4) if isinstance(v[-1], float) else v[-1]
            for k, v in self.epochs.items()
            if v and k not in ("lr", "time")
        }
        return f"History(epochs={n}, keys={list(self.epochs)}, last={last})"

    def __getitem__(self, key: str) -> list:
        return self.steps[key] if key in self.steps else self.epochs[key]

    def __contains__(self, key: str) -> bool:
        return key in self.steps or key in self.epochs

    def to_dict(self) -> dict[str, list]:
        """The epoch and step values in one dict, for saving.

        Returns:
            A dict name -> list.
        """
        return {**self.epochs, **self.steps}

    @classmethod
    def from_dict(cls, data: dict[str, list]) -> History:
        """A History from ``to_dict``'s dict.

        Args:
            data: A dict name -> list.

        Returns:
            A new History.
        """
        steps = {k: list(data.get(k, [])) for k in ("step_loss", "step_lr")}
        epochs = {k: list(v) for k, v in data.items() if k not in steps}
        return cls(epochs, steps)


class Callback:
    """Hooks called by ``fit``; set ``trainer.stop_training = True`` to stop after an epoch.

    Override any of ``on_train_begin(trainer)``, ``on_epoch_begin(trainer, epoch)``,
    ``on_batch_begin(trainer, batch)``, ``on_batch_end(trainer, batch, logs)``,
    ``on_epoch_end(trainer, epoch, logs)`` and ``on_train_end(trainer)``. Epochs count from
    1, batches from 0; ``logs`` holds the epoch's values (``on_epoch_end``) or the batch's
    ``{"loss", "size"}`` (``on_batch_end``).

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> from neuralab.train import Callback
        >>> class StopAt(Callback):
        ...     def on_epoch_end(self, trainer, epoch, logs):
        ...         if logs["loss"] < 0.5:
        ...             trainer.stop_training = True
        >>> history = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=20,
        ...               callbacks=[StopAt()], progress=False)
        >>> len(history["loss"]) < 20
        True
    """

    def on_train_begin(self, trainer: Trainer) -> None:
        """Called once before the first epoch.

        Args:
            trainer: The trainer.
        """

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None:
        """Called before each epoch.

        Args:
            trainer: The trainer.
            epoch: The epoch about to run, from 1.
        """

    def on_batch_begin(self, trainer: Trainer, batch: int) -> None:
        """Called before each batch.

        Args:
            trainer: The trainer.
            batch: The batch's index within the epoch, from 0.
        """

    def on_batch_end(self, trainer: Trainer, batch: int, logs: dict[str, float]) -> None:
        """Called after each batch; ``trainer.stop_training = True`` ends the epoch there.

        Args:
            trainer: The trainer.
            batch: The batch's index within the epoch, from 0.
            logs: ``{"loss": the batch's loss, "size": its number of samples}``.
        """

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Called after each epoch (and its validation); ``trainer.stop_training = True`` stops.

        Args:
            trainer: The trainer.
            epoch: The epoch just finished, from 1.
            logs: The epoch's logged values (``"loss"``, ``"val_loss"``, metrics, ``"lr"``...).
        """

    def on_train_end(self, trainer: Trainer) -> None:
        """Called once after the last epoch.

        Args:
            trainer: The trainer.
        """


@dataclass
class Trainer:
    """The state shared with callbacks during ``fit``.

    Args:
        model: The model being trained.
        optimizer: Its optimizer.
        scheduler: Its learning-rate scheduler, or None.
        history: The History so far.
        epoch: Epochs completed. Defaults to 0.
        step: Optimizer steps taken. Defaults to 0.
        stop_training: Set by a callback to end training after the epoch (or batch).
            Defaults to False.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import History, Trainer
        >>> model = nl.nn.Linear(2, 1)
        >>> trainer = Trainer(model, nl.optim.SGD(model.parameters(), lr=0.1), None, History())
        >>> sorted(trainer.checkpoint())[:4]
        ['epoch', 'format', 'history', 'model']
    """

    model: Module
    optimizer: Any
    scheduler: Any
    history: History
    epoch: int = 0
    step: int = 0
    stop_training: bool = False

    def checkpoint(self) -> dict[str, Any]:
        """Everything needed to resume: written after an epoch is complete.

        Returns:
            A dict of the model, optimizer and scheduler states, epoch, step, random state and
            history.
        """
        return {
            "format": CHECKPOINT_FORMAT,
            "epoch": self.epoch,
            "step": self.step,
            "model": dict(self.model.state_dict()),
            "optimizer_type": type(self.optimizer).__name__,
            "optimizer": self.optimizer.state_dict(),
            "scheduler_type": _type_name(self.scheduler),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "rng": backend.get_rng_state(),
            "history": self.history.to_dict(),
        }

    def restore(self, state: dict[str, Any], source: Any = None) -> None:
        """Resume from a checkpoint, all or nothing.

        The whole checkpoint is validated first (every entry, against this model, optimizer
        and scheduler), then applied; any error leaves the model, optimizer, scheduler, random
        generator and history as they were.

        Args:
            state: A dict from ``checkpoint()`` (or ``load_checkpoint``).
            source: The file it came from, named in errors. Defaults to None.

        Raises:
            CheckpointError: An invalid checkpoint, naming source and the entry.
        """
        where = "resume" if source is None else f"resume: {str(source)!r}"
        try:
            _check_checkpoint(self, state)
        except CheckpointError as exc:
            raise CheckpointError(f"{where}: {exc}") from None
        except (KeyError, AttributeError, TypeError, ValueError, IndexError, RuntimeError,
                OverflowError, RecursionError) as exc:  # fmt: skip
            raise CheckpointError(f"{where}: {type(exc).__name__}: {exc}") from exc
        saved = self._snapshot()
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            if self.scheduler is not None:
                self.scheduler.load_state_dict(state["scheduler"])
            backend.set_rng_state(state["rng"])
        except BaseException as exc:
            self._rollback(saved)
            if not isinstance(exc, Exception):
                raise
            raise CheckpointError(f"{where}: {type(exc).__name__}: {exc}") from exc
        self.history = History.from_dict(state["history"])
        self.epoch, self.step = int(state["epoch"]), int(state["step"])

    def _snapshot(self) -> dict[str, Any]:
        return {
            "model": {k: v._data.copy() for k, v in self.model.state_dict().items()},
            "optimizer": copy.deepcopy(self.optimizer.state_dict()),
            "scheduler": None
            if self.scheduler is None
            else copy.deepcopy(self.scheduler.state_dict()),
            "rng": backend.get_rng_state(),
        }

    def _rollback(self, saved: dict[str, Any]) -> None:
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        backend.set_rng_state(saved["rng"])


def _type_name(obj: Any) -> str | None:
    return None if obj is None else type(obj).__name__


def _check_checkpoint(trainer: Trainer, state: Any) -> None:
    """Raise CheckpointError (naming the entry) unless ``state`` is a complete checkpoint
    that fits the trainer's model, optimizer and scheduler; changes nothing."""
    if not isinstance(state, Mapping):
        raise CheckpointError(f"not a neuralab checkpoint (a {type(state).__name__}, not a dict)")
    if "format" not in state:
        raise CheckpointError("not a neuralab checkpoint (it has no 'format' entry)")
    keys = _FORMATS.get(state["format"]) if isinstance(state["format"], str) else None
    if keys is None:
        raise CheckpointError(
            f"unknown checkpoint format {state['format']!r} (expected {CHECKPOINT_FORMAT!r})"
        )
    missing = sorted(keys - set(state))
    unknown = sorted(map(str, set(state) - keys))
    if missing or unknown:
        parts = [f"missing entr{'y' if len(missing) == 1 else 'ies'} {missing}"] if missing else []
        parts += [f"unknown entr{'y' if len(unknown) == 1 else 'ies'} {unknown}"] if unknown else []
        raise CheckpointError(f"incomplete checkpoint: {'; '.join(parts)}")
    for key in ("epoch", "step"):
        value = state[key]
        if not _is_int(value) or value < 0:
            raise CheckpointError(f"entry {key!r} must be an int >= 0, got {value!r}")
    for key, obj in (("optimizer_type", trainer.optimizer), ("scheduler_type", trainer.scheduler)):
        if key in state and state[key] != _type_name(obj):
            raise CheckpointError(
                f"entry {key!r}: the checkpoint was written with {state[key]!r}, this run has "
                f"{_type_name(obj)!r}"
            )
    if (state["scheduler"] is None) != (trainer.scheduler is None):
        raise CheckpointError(
            "entry 'scheduler': the checkpoint "
            + ("has no scheduler state" if state["scheduler"] is None else "has a scheduler state")
            + f", this run {'has' if trainer.scheduler is not None else 'has no'} scheduler"
        )
    checks = [
        ("model", lambda v: trainer.model._check_state_dict(v, strict=True)),
        ("optimizer", getattr(trainer.optimizer, "_check_state_dict", None)),
        ("scheduler", getattr(trainer.scheduler, "_check_state", None)),
        ("rng", lambda v: backend.check_rng_state(v, "rng")),
        ("history", lambda v: _check_history(v, state["epoch"], state["step"])),
    ]
    for key, check in checks:
        if check is None or state[key] is None:
            continue
        try:
            check(state[key])
        except (KeyError, AttributeError, TypeError, ValueError, IndexError, RuntimeError,
                OverflowError) as exc:  # fmt: skip
            raise CheckpointError(f"entry {key!r}: {exc}") from None


def _check_history(history: Any, epochs: int, steps: int) -> None:
    """A history: a dict of name -> list of numbers, at most one per epoch done (one per
    step for 'step_loss' and 'step_lr')."""
    if not isinstance(history, Mapping):
        raise TypeError(f"expected a dict of lists, got {type(history).__name__}")
    for name, values in history.items():
        if not isinstance(name, str) or not isinstance(values, (list, tuple)):
            raise TypeError(f"{name!r}: expected a list of numbers, got {type(values).__name__}")
        per_step = name in ("step_loss", "step_lr")
        if len(values) > (steps if per_step else epochs):
            raise ValueError(
                f"{name!r} has {len(values)} values, more than the "
                f"{f'{steps} steps' if per_step else f'{epochs} epochs'} done"
            )
        for i, v in enumerate(values):
            if isinstance(v, (bool, numpy.bool_)) or not isinstance(v, numbers.Real):
                raise TypeError(f"{name!r}[{i}]: expected a number, got {v!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, (bool, numpy.bool_))


def load_checkpoint(path: str | Path) -> Any:
    """Read a checkpoint file written by ``save_checkpoint``.

    Args:
        path: The checkpoint file.

    Returns:
        The checkpoint dict, for ``Trainer.restore``.

    Raises:
        CheckpointError: The file cannot be parsed (naming it).
        OSError: A missing or unreadable file.

    Examples:
        >>> import tempfile, pathlib
        >>> import neuralab as nl
        >>> from neuralab.train import History, Trainer, load_checkpoint, save_checkpoint
        >>> model = nl.nn.Linear(2, 1)
        >>> trainer = Trainer(model, nl.optim.SGD(model.parameters(), lr=0.1), None, History())
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.safetensors"
        >>> save_checkpoint(trainer, path)
        >>> state = load_checkpoint(path)
        >>> state["epoch"], sorted(state["model"])
        (0, ['bias', 'weight'])
    """
    try:
        return io.load(path)
    except OSError:
        raise
    except (KeyError, AttributeError, TypeError, ValueError, IndexError, RecursionError,
            OverflowError, UnicodeError, MemoryError) as exc:  # fmt: skip
        message = str(exc) if str(path) in str(exc) else f"{type(exc).__name__}: {exc}"
        raise CheckpointError(f"resume: cannot read checkpoint {str(path)!r}: {message}") from exc


def save_checkpoint(trainer: Trainer, path: str | Path) -> None:
    """Write the trainer's checkpoint atomically (a crash never leaves half a file).

    Args:
        trainer: The trainer whose ``checkpoint()`` to write.
        path: The file.

    Raises:
        OSError: The file cannot be written.

    Examples:
        >>> import tempfile, pathlib
        >>> import neuralab as nl
        >>> from neuralab.train import History, Trainer, save_checkpoint
        >>> model = nl.nn.Linear(2, 1)
        >>> trainer = Trainer(model, nl.optim.SGD(model.parameters(), lr=0.1), None, History())
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.safetensors"
        >>> save_checkpoint(trainer, path)
        >>> path.exists()
        True
    """
    io.save(trainer.checkpoint(), path)


def fit(
    model: Module,
    loss: Callable[..., Tensor],
    optimizer: Any,
    train: Any,
    epochs: int = 1,
    *,
    validation: Any = None,
    scheduler: Any = None,
    callbacks: Sequence[Callback] = (),
    metrics: Sequence[Any] = (),
    batch_size: int = 32,
    shuffle: bool = True,
    class_weight: Any = None,
    clip_grad_norm: float | None = None,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
    progress: bool | None = None,
    validation_freq: int | Sequence[int] = 1,
    check_finite: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` epochs and return its ``History``.

    Each batch: ``optimizer.zero_grad()``, ``loss(model(x), y)`` (with ``sample_weight=w``
    for (x, y, w) batches), ``backward()``, ``optimizer.step()``; then validation,
    per-epoch schedules, metrics, callbacks and the checkpoint. Training resumed from a
    checkpoint continues bit for bit. See the module's docstring for the hooks.

    Args:
        model: The model to train.
        loss: A loss function or module: ``loss(output, target)`` -> a one-element Tensor.
        optimizer: The optimizer of the model's parameters.
        train: A DataLoader, a Dataset, or a tuple of arrays/Tensors (x, y) or
            (x, y, sample_weight).
        epochs: Number of epochs (in all, when resuming). Defaults to 1.
        validation: Like train, or a float: the fraction of train to hold out.
            Defaults to None.
        scheduler: A learning-rate scheduler: stepped per batch for OneCycleLR and
            CyclicLR, per epoch otherwise; ReduceLROnPlateau is stepped with the validation
            loss (the training loss without validation). Defaults to None.
        callbacks: Callback objects. Defaults to ().
        metrics: Names (``"accuracy"``, ``"f1"``..., computed over the epoch's outputs) or
            streaming metric objects (``update_state``, ``result``, ``reset_state``).
            Defaults to ().
        batch_size: Samples per batch when train is not a DataLoader. Defaults to 32.
        shuffle: Shuffle train every epoch when it is not a DataLoader. Defaults to True.
        class_weight: Per-class weights (a sequence or ``{class: weight}``); each sample's
            loss is weighted by its class's weight. Defaults to None.
        clip_grad_norm: Clip the gradients' total norm to this before each step.
            Defaults to None.
        checkpoint: A path written after every epoch. Defaults to None.
        resume: A checkpoint to continue from (the same path is fine). Defaults to None.
        progress: A progress bar per epoch and a line per finished epoch on standard
            error; None shows them when standard error is a terminal. Defaults to None.
        validation_freq: Validate every n-th epoch (an int) or at the listed epochs
            (from 1). Defaults to 1.
        check_finite: Raise NonFiniteLossError on a NaN or infinite loss. Defaults to True.

    Returns:
        The ``History``.

    Raises:
        NonFiniteLossError: A NaN or infinite loss (with check_finite).
        CheckpointError: A resume checkpoint that does not fit.
        ValueError: Bad epochs, batch_size, clip_grad_norm or validation_freq, empty data,
            or non-finite inputs.
        TypeError: Data of an unsupported kind, or counts that are not ints.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> history = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=5,
        ...               validation=0.25, metrics=["accuracy"], progress=False)
        >>> sorted(history.epochs)
        ['accuracy', 'loss', 'lr', 'time', 'val_accuracy', 'val_loss']
        >>> history["val_accuracy"][-1] > 0.7
        True
    """
    from neuralab.data import DataLoader, train_val_split

    _check_fit_arguments(epochs, batch_size, clip_grad_norm, validation_freq)
    if isinstance(validation, float):
        train_set, validation = train_val_split(_as_dataset(train), validation, seed=0)
        train = train_set
    loader = (
        train
        if isinstance(train, DataLoader)
        else DataLoader(_as_dataset(train), batch_size=batch_size, shuffle=shuffle)
    )
    val_loader = None
    if validation is not None:
        val_loader = (
            validation
            if isinstance(validation, DataLoader)
            else DataLoader(_as_dataset(validation), batch_size=max(batch_size, 256))
        )
    _check_not_empty(loader)
    if val_loader is not None:
        _check_not_empty(val_loader, "validation")
        _check_finite_data(val_loader.dataset, "validation")
    weights = _class_weights(class_weight)
    trainer = Trainer(model, optimizer, scheduler, History())
    if resume is not None and Path(resume).exists():
        trainer.restore(load_checkpoint(resume), source=resume)
    per_batch = scheduler is not None and type(scheduler).__name__ in PER_BATCH_SCHEDULERS
    plateau = scheduler is not None and type(scheduler).__name__ == "ReduceLROnPlateau"
    show = shown(progress)
    names, streamed = _split_metrics(metrics)
    _check_metric_names(names)  # an unknown name fails now, not after the first epoch
    for cb in callbacks:
        cb.on_train_begin(trainer)
    while trainer.epoch < epochs and not trainer.stop_training:
        started = time.perf_counter()
        _hook(callbacks, "on_epoch_begin", trainer, trainer.epoch + 1)
        model.train()
        outputs, targets, losses = [], [], []
        for m in streamed:
            m.reset_state()
        bar = Bar(_length(loader), f"epoch {trainer.epoch + 1}/{epochs}", "batch", show)
        for index, batch in enumerate(loader):
            _hook(callbacks, "on_batch_begin", trainer, index)
            x, y, w = _unpack(batch)
            if weights is not None:
                w = _sample_weights_from_classes(weights, y, w)
            optimizer.zero_grad()
            out = model(x)
            value = loss(out, y) if w is None else loss(out, y, sample_weight=w)
            loss_value = value.item()
            trainer.step += 1
            if check_finite and not math.isfinite(loss_value):
                raise NonFiniteLossError(
                    f"fit: the loss became {loss_value} at step {trainer.step} (epoch "
                    f"{trainer.epoch + 1}); try a smaller learning rate, gradient clipping "
                    "(clip_grad_norm=1.0), or check the inputs for NaN/Inf"
                )
            value.backward()
            if clip_grad_norm is not None:
                from neuralab.nn.utils import clip_grad_norm_

                clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            trainer.history.steps["step_loss"].append(loss_value)
            trainer.history.steps["step_lr"].append(optimizer.param_groups[0]["lr"])
            if per_batch:
                scheduler.step()
            losses.append((loss_value, len(y)))
            if names:
                outputs.append(out._data)
                targets.append(y._data)
            for m in streamed:
                m.update_state(y, out.detach(), sample_weight=w)
            bar.update(1, loss=loss_value)
            _hook(callbacks, "on_batch_end", trainer, index, {"loss": loss_value, "size": len(y)})
            if trainer.stop_training:
                break
        if not losses and not trainer.stop_training:
            raise ValueError(
                f"fit: the training data gave no batches in epoch {trainer.epoch + 1} "
                "(empty data, or drop_last with fewer samples than batch_size)"
            )
        logs = {"loss": _weighted_mean(losses), "lr": optimizer.param_groups[0]["lr"]}
        if names:
            logs.update(_metrics(names, targets, outputs, prefix=""))
        logs.update(_results(streamed))
        if val_loader is not None and _should_validate(trainer.epoch + 1, validation_freq):
            logs.update(
                {f"val_{k}": v for k, v in evaluate(model, loss, val_loader, metrics).items()}
            )
        if scheduler is not None and not per_batch:
            if plateau:
                scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                scheduler.step()
        trainer.epoch += 1
        logs["time"] = time.perf_counter() - started
        trainer.history.log_epoch(logs)
        bar.close()
        if show:
            print(_describe(trainer.epoch, epochs, logs), file=sys.stderr)
        for cb in callbacks:
            cb.on_epoch_end(trainer, trainer.epoch, logs)
        if checkpoint is not None:
            save_checkpoint(trainer, checkpoint)
    for cb in callbacks:
        cb.on_train_end(trainer)
    return trainer.history


def evaluate(
    model: Module, loss: Callable[..., Tensor] | None, data: Any, metrics: Iterable[Any] = ()
) -> dict[str, float]:
    """The mean loss (weighted by batch size) and the metrics over ``data``, in eval mode.

    No graph is recorded; streaming metric objects are reset first, then updated batch by
    batch.

    Args:
        model: The model.
        loss: A loss function, or None for metrics only.
        data: A DataLoader, a Dataset or a tuple (x, y) or (x, y, sample_weight).
        metrics: Metric names or streaming metric objects. Defaults to ().

    Returns:
        A dict: ``"loss"`` (when loss is given) and each metric's value.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> from neuralab.train import evaluate
        >>> _ = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=5, progress=False)
        >>> logs = evaluate(model, nl.nn.CrossEntropyLoss(), (x, y), metrics=["accuracy"])
        >>> sorted(logs), logs["accuracy"] > 0.8
        (['accuracy', 'loss'], True)
    """
    from neuralab.data import DataLoader

    loader = data if isinstance(data, DataLoader) else DataLoader(_as_dataset(data), 256)
    was_training = model.training
    model.eval()
    losses, outputs, targets = [], [], []
    names, streamed = _split_metrics(metrics)
    for m in streamed:
        m.reset_state()
    with no_grad():
        for batch in loader:
            x, y, w = _unpack(batch)
            out = model(x)
            if loss is not None:
                value = loss(out, y) if w is None else loss(out, y, sample_weight=w)
                losses.append((value.item(), len(y)))
            outputs.append(out._data)
            targets.append(y._data)
            for m in streamed:
                m.update_state(y, out, sample_weight=w)
    model.train(was_training)
    logs = {"loss": _weighted_mean(losses)} if loss is not None else {}
    if names:
        logs.update(_metrics(names, targets, outputs, prefix=""))
    logs.update(_results(streamed))
    return logs


def predict(model: Module, data: Any, batch_size: int = 256) -> Tensor:
    """The model's outputs for every sample of ``data``, computed in eval mode without a graph.

    Args:
        model: The model.
        data: Inputs (a Tensor or array), a Dataset or DataLoader of inputs or of
            (inputs, ...) batches.
        batch_size: Samples per forward pass. Defaults to 256.

    Returns:
        The outputs, concatenated into one Tensor.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import predict
        >>> model = nl.nn.Linear(3, 2)
        >>> out = predict(model, nl.randn(10, 3), batch_size=4)
        >>> out.shape, out.requires_grad
        ((10, 2), False)
    """
    from neuralab.data import DataLoader, TensorDataset

    if isinstance(data, (Tensor, numpy.ndarray)):
        data = TensorDataset(Tensor(data) if not isinstance(data, Tensor) else data)
    loader = data if isinstance(data, DataLoader) else DataLoader(_as_dataset(data), batch_size)
    was_training = model.training
    model.eval()
    outputs = []
    with no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            outputs.append(model(x)._data)
    model.train(was_training)
    return Tensor(numpy.concatenate(outputs)) if outputs else Tensor(numpy.empty(0))


# --- helpers ---------------------------------------------------------------------------
def _check_fit_arguments(
    epochs: Any, batch_size: Any, clip_grad_norm: Any, validation_freq: Any
) -> None:
    """fit's own numbers, checked before any work."""
    if not _is_int(epochs) or epochs < 0:
        raise (ValueError if _is_int(epochs) else TypeError)(
            f"fit: epochs must be an int >= 0, got {epochs!r}"
        )
    if not _is_int(batch_size) or batch_size < 1:
        raise (ValueError if _is_int(batch_size) else TypeError)(
            f"fit: batch_size must be an int >= 1, got {batch_size!r}"
        )
    if clip_grad_norm is not None and (
        isinstance(clip_grad_norm, (bool, numpy.bool_))
        or not isinstance(clip_grad_norm, numbers.Real)
        or not clip_grad_norm > 0
    ):
        raise ValueError(f"fit: clip_grad_norm must be a number > 0, got {clip_grad_norm!r}")
    freqs = [validation_freq] if _is_int(validation_freq) else validation_freq
    if (
        not isinstance(freqs, (list, tuple, range))
        or not freqs
        or not all(_is_int(f) and f >= 1 for f in freqs)
    ):
        raise ValueError(
            "fit: validation_freq must be an int >= 1 or a list of epochs (ints >= 1), got "
            f"{validation_freq!r}"
        )


def _check_not_empty(loader: Any, what: str = "training") -> None:
    try:
        size = len(loader)
    except TypeError:  # a stream without a length: found empty after the epoch instead
        return
    if size == 0:
        raise ValueError(
            f"fit: the {what} data is empty (no batches: {len(loader.dataset)} samples"
            + (", drop_last with fewer samples than batch_size)" if loader.drop_last else ")")
        )


def _check_finite_data(dataset: Any, what: str) -> None:
    """Refuse NaN/Inf in the floating arrays of a TensorDataset (or a Subset of one), so
    that a bad value is named before training rather than turning into a NaN loss."""
    from neuralab.data import Subset, TensorDataset

    indices = None
    while isinstance(dataset, Subset):
        indices = dataset.indices if indices is None else numpy.asarray(dataset.indices)[indices]
        dataset = dataset.dataset
    if not isinstance(dataset, TensorDataset):
        return
    names = ("inputs", "targets", "sample weights")
    for i, tensor in enumerate(dataset.tensors):
        array = tensor._data if indices is None else tensor._data[indices]
        if array.dtype.kind in "fc" and not numpy.isfinite(array).all():
            bad = numpy.argwhere(~numpy.isfinite(array.reshape(len(array), -1)).all(axis=1))
            raise ValueError(
                f"fit: the {what} data holds NaN or Inf in its {names[min(i, 2)]} (sample "
                f"{int(bad[0, 0])} of the {what} set); clean or drop those samples"
            )


def _as_dataset(data: Any) -> Any:
    from neuralab.data import Dataset, TensorDataset

    if isinstance(data, Dataset):
        return data
    if isinstance(data, (tuple, list)) and 2 <= len(data) <= 3:
        return TensorDataset(*(d if isinstance(d, Tensor) else Tensor(d) for d in data))
    raise TypeError(
        "expected a DataLoader, a Dataset or a tuple (x, y[, sample_weight]) of arrays, "
        f"got {type(data).__name__}"
    )


def _unpack(batch: Any) -> tuple[Tensor, Tensor, Tensor | None]:
    if len(batch) == 2:
        return batch[0], batch[1], None
    if len(batch) == 3:
        return batch[0], batch[1], batch[2]
    raise ValueError(f"fit: a batch must be (x, y) or (x, y, sample_weight), got {len(batch)}")


def _class_weights(class_weight: Any) -> numpy.ndarray | None:
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        size = max(class_weight) + 1
        weights = numpy.ones(size, dtype=numpy.float32)
        for cls, w in class_weight.items():
            weights[cls] = w
        return weights
    return numpy.asarray(class_weight, dtype=numpy.float32)


def _sample_weights_from_classes(weights: numpy.ndarray, y: Tensor, w: Tensor | None) -> Tensor:
    labels = y._data.astype(numpy.int64).reshape(len(y), -1)[:, 0]
    if labels.max(initial=0) >= len(weights):
        raise ValueError(
            f"fit: class_weight has {len(weights)} entries, found class {labels.max()}"
        )
    per_sample = weights[labels]
    return Tensor(per_sample if w is None else per_sample * w._data)


def _weighted_mean(pairs: list[tuple[float, int]]) -> float:
    total = sum(n for _, n in pairs)
    return sum(v * n for v, n in pairs) / total if total else float("nan")


def _metrics(names: Iterable[str], targets: list, outputs: list, prefix: str) -> dict[str, float]:
    from neuralab.metrics import get_metric

    y_true, y_score = numpy.concatenate(targets), numpy.concatenate(outputs)
    return {prefix + name: float(get_metric(name)(y_true, y_score)) for name in names}


def _check_metric_names(names: Iterable[str]) -> None:
    from neuralab.metrics import get_metric

    for name in names:
        get_metric(name)


def _split_metrics(metrics: Iterable[Any]) -> tuple[list[str], list[Any]]:
    """Names (computed over the whole epoch) apart from streamed metric objects."""
    metrics = list(metrics)
    return [m for m in metrics if isinstance(m, str)], [
        m for m in metrics if not isinstance(m, str)
    ]


def _results(streamed: list[Any]) -> dict[str, float]:
    logs: dict[str, float] = {}
    for m in streamed:
        result = m.result()
        logs.update(result if isinstance(result, dict) else {m.name: float(result)})
    return logs


def _should_validate(epoch: int, freq: int | Sequence[int]) -> bool:
    """Keras's rule: every ``freq``-th epoch (counted from 1), or the epochs listed."""
    return epoch % freq == 0 if isinstance(freq, int) else epoch in freq


def _hook(callbacks: Sequence[Any], name: str, *args: Any) -> None:
    for cb in callbacks:
        method = getattr(cb, name, None)
        if method is not None:
            method(*args)


def _length(loader: Any) -> int | None:
    """The batches in an epoch, or None when the loader does not say."""
    try:
        return len(loader)
    except TypeError:
        return None


def _describe(epoch: int, epochs: int, logs: dict[str, float]) -> str:
    parts = [f"{k} {v:.4g}" for k, v in logs.items() if k not in ("time",)]
    return f"epoch {epoch}/{epochs}: " + ", ".join(parts) + f" ({logs['time']:.1f} s)"
