"""Callbacks for ``fit``: early stopping, checkpoints and loggers."""

from __future__ import annotations

import csv
import math
import numbers
import os
from pathlib import Path
from typing import Any

from neuralab.io import atomic_write
from neuralab.strict_json import dumps as strict_dumps
from neuralab.train import Callback, Trainer, save_checkpoint


def _better(mode: str, value: float, best: float, min_delta: float) -> bool:
    """'min': value < best - min_delta;  'max': value > best + min_delta."""
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _check_mode(cls: str, mode: str) -> str:
    if not isinstance(mode, str) or mode not in ("min", "max"):
        raise ValueError(f"{cls}: mode must be 'min' or 'max', got {mode!r}")
    return mode


def _check_monitor(cls: str, monitor: Any) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"{cls}: monitor must be a logged name (a str), got {monitor!r}")
    return monitor


def _check_flag(cls: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{cls}: {name} must be True or False, got {value!r}")
    return value


def _monitored(cls: str, monitor: str, logs: dict[str, float]) -> float:
    if monitor not in logs:
        raise KeyError(f"{cls}: monitored value {monitor!r} is not logged; logged: {sorted(logs)}")
    return logs[monitor]


class EarlyStopping(Callback):
    """Stop training when a logged value has stopped improving.

    Training stops after ``patience`` epochs in which ``monitor`` did not improve on its
    best by more than ``min_delta`` (lower is better in mode ``"min"``). With
    ``restore_best_weights`` the model gets back its best epoch's weights. Attributes:
    ``best``, ``best_epoch``, ``stopped_epoch``.

    Args:
        monitor: The logged name to watch (e.g. ``"val_loss"``, ``"val_accuracy"``).
            Defaults to ``"val_loss"``.
        patience: Epochs without improvement tolerated. Defaults to 0.
        min_delta: Least change that counts as an improvement. Defaults to 0.0.
        mode: ``"min"`` or ``"max"``. Defaults to ``"min"``.
        restore_best_weights: Load the best epoch's weights when stopping.
            Defaults to False.

    Raises:
        TypeError: A monitor that is not a str, a patience that is not an int, or a flag
            that is not a bool.
        ValueError: A negative patience, a non-finite min_delta or an unknown mode.
        KeyError: (During fit) a monitor that is not logged.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> from neuralab.callbacks import EarlyStopping
        >>> stop = EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
        >>> history = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=10,
        ...               callbacks=[stop], progress=False)
        >>> len(history["loss"]), stop.stopped_epoch  # no epoch improves by 10
        (2, 2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "min",
        restore_best_weights: bool = False,
    ) -> None:
        who = "EarlyStopping"
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise (ValueError if isinstance(patience, int) else TypeError)(
                f"{who}: patience must be an int >= 0 (epochs without improvement), got "
                f"{patience!r}"
            )
        if (
            isinstance(min_delta, bool)
            or not isinstance(min_delta, numbers.Real)
            or not math.isfinite(min_delta)
        ):
            raise ValueError(f"{who}: min_delta must be a finite number, got {min_delta!r}")
        self.monitor, self.patience = _check_monitor(who, monitor), patience
        self.min_delta = abs(min_delta)
        self.mode = _check_mode(who, mode)
        self.restore_best_weights = _check_flag(who, "restore_best_weights", restore_best_weights)
        self.best = math.inf if mode == "min" else -math.inf
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self._best_state: dict | None = None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Compare the monitored value with the best; stop after ``patience`` epochs without gain.

        Args:
            trainer: The trainer (its ``stop_training`` is set to stop).
            epoch: The epoch just finished, from 1.
            logs: The epoch's logged values.
        """
        value = _monitored("EarlyStopping", self.monitor, logs)
        if _better(self.mode, value, self.best, self.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_state = {
                    k: v._data.copy() for k, v in trainer.model.state_dict().items()
                }
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            if self._best_state is not None:
                trainer.model.load_state_dict(self._best_state)


class ModelCheckpoint(Callback):
    """Write a checkpoint after each epoch, or only when ``monitor`` improves.

    A checkpoint holds the model, optimizer, scheduler, epoch and random state; ``fit``'s
    ``resume`` continues from it.

    Args:
        path: The file; it may contain ``{epoch}``, replaced by the epoch number.
        monitor: The logged name watched with save_best_only. Defaults to ``"val_loss"``.
        mode: ``"min"`` or ``"max"``. Defaults to ``"min"``.
        save_best_only: Write only when monitor improves. Defaults to False.

    Raises:
        TypeError: A path that is not a str or Path, a monitor that is not a str, or a
            flag that is not a bool.
        ValueError: An unknown mode.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> import tempfile, pathlib
        >>> from neuralab.callbacks import ModelCheckpoint
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> save = ModelCheckpoint(folder / "epoch{epoch}.safetensors")
        >>> _ = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=2,
        ...         callbacks=[save], progress=False)
        >>> sorted(p.name for p in folder.iterdir())
        ['epoch1.safetensors', 'epoch2.safetensors']
    """

    def __init__(
        self,
        path: str | Path,
        monitor: str = "val_loss",
        mode: str = "min",
        save_best_only: bool = False,
    ) -> None:
        who = "ModelCheckpoint"
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{who}: path must be a str or a Path, got {type(path).__name__}")
        self.path, self.monitor = os.fspath(path), _check_monitor(who, monitor)
        self.save_best_only = _check_flag(who, "save_best_only", save_best_only)
        self.mode = _check_mode(who, mode)
        self.best = math.inf if mode == "min" else -math.inf

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Write the checkpoint (with ``save_best_only``, only when the monitored value improved).

        Args:
            trainer: The trainer whose checkpoint to write.
            epoch: The epoch just finished, from 1 (fills ``{epoch}`` in the path).
            logs: The epoch's logged values.
        """
        if self.save_best_only:
            value = _monitored("ModelCheckpoint", self.monitor, logs)
            if not _better(self.mode, value, self.best, 0.0):
                return
            self.best = value
        save_checkpoint(trainer, self.path.format(epoch=epoch))


class HistoryLogger(Callback):
    """Write the per-epoch history to ``path`` after every epoch.

    CSV (one row per epoch) when the name ends in .csv, strict JSON otherwise (a NaN or
    infinite value is written as null). Each write replaces the file atomically.

    Args:
        path: The file.

    Raises:
        TypeError: A path that is not a str or Path.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.train import fit
        >>> _ = nl.manual_seed(0)
        >>> x = nl.randn(64, 3)
        >>> y = (x.sum(dim=1) > 0).long()
        >>> model = nl.nn.Linear(3, 2)
        >>> opt = nl.optim.SGD(model.parameters(), lr=0.5)
        >>> import tempfile, pathlib
        >>> from neuralab.callbacks import HistoryLogger
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "history.csv"
        >>> _ = fit(model, nl.nn.CrossEntropyLoss(), opt, (x, y), epochs=2,
        ...         callbacks=[HistoryLogger(path)], progress=False)
        >>> len(path.read_text().splitlines())  # a header and two epochs
        3
    """

    def __init__(self, path: str | Path) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"HistoryLogger: path must be a str or a Path, got {type(path).__name__}"
            )
        self.path = Path(path)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """Rewrite the history file with every epoch so far.

        Args:
            trainer: The trainer whose history to write.
            epoch: The epoch just finished, from 1.
            logs: The epoch's logged values.
        """
        epochs = trainer.history.epochs
        _write_text(
            self.path,
            _csv(epochs)
            if self.path.suffix == ".csv"
            else strict_dumps(trainer.history.to_dict(), indent=1),  # NaN -> null
        )


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(os.fspath(path), text.encode())


def _csv(epochs: dict[str, list[Any]]) -> str:
    import io

    out = io.StringIO()
    names = list(epochs)
    writer = csv.writer(out)
    writer.writerow(["epoch", *names])
    count = max((len(v) for v in epochs.values()), default=0)
    for i in range(count):
        writer.writerow([i + 1, *(epochs[n][i] if i < len(epochs[n]) else "" for n in names)])
    return out.getvalue()
