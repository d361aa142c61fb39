"""Keras 3's callbacks: the hooks ``model.fit`` calls, and the usual ones built on them.

``model.fit`` (``neuralab.keras.trainer``) runs ``neuralab.train.fit`` and forwards its hooks
here, so these callbacks see Keras's calls in Keras's order: ``on_train_begin``, then per
epoch ``on_epoch_begin(epoch)``, ``on_train_batch_begin/end(batch, logs)`` and
``on_epoch_end(epoch, logs)`` (epochs and batches counted from 0; ``logs`` holds running
means, as Keras's), then ``on_train_end``. ``self.model.stop_training = True`` stops
training after the current batch.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy

from neuralab.io import atomic_write
from neuralab.safe_io import read_bytes

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]


def print_msg(message: str, line_break: bool = True) -> None:
    """Write to standard output and flush, as Keras's ``io_utils.print_msg``."""
    sys.stdout.write(f"{message}\n" if line_break else message)
    sys.stdout.flush()


class Callback:
    """Base class of Keras callbacks: every hook is a no-op.

    Hooks: ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
    ``on_train_batch_begin/end(batch, logs)`` (and the test and predict ones); ``fit`` sets
    ``self.model`` and ``self.params`` ({'verbose', 'epochs', 'steps'}).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> class Losses(keras.callbacks.Callback):
        ...     def on_train_begin(self, logs=None):
        ...         self.seen = []
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.seen.append(epoch)
        >>> record = Losses()
        >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[record])
        >>> record.seen
        [0, 1]
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        return self._model

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Alias of ``on_train_batch_begin`` (what the default one calls)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Alias of ``on_train_batch_end`` (what the default one calls)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_train_begin(self, logs: dict | None = None) -> None: ...

    def on_train_end(self, logs: dict | None = None) -> None: ...

    def on_test_begin(self, logs: dict | None = None) -> None: ...

    def on_test_end(self, logs: dict | None = None) -> None: ...

    def on_predict_begin(self, logs: dict | None = None) -> None: ...

    def on_predict_end(self, logs: dict | None = None) -> None: ...


class History(Callback):
    """Records each epoch's logs; ``fit`` returns it and sets ``model.history``.

    ``history[name]`` is the list of a logged value's epoch values, ``epoch`` the epoch
    indices.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> history = model.fit(x, 2 * x, epochs=3, verbose=0)
        >>> history.epoch, sorted(history.history)
        ([0, 1, 2], ['loss'])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


# --- monitoring ------------------------------------------------------------------------
# Directions of Keras's built-in metrics, for mode='auto' when a metric object does not
# say (Keras reads ``metric._direction``).
_UP = ("accuracy", "acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "r2_score")


class _MonitorCallback(Callback):
    """Keras's ``MonitorCallback``: ``mode`` 'min'/'max', or 'auto' (loss -> min, a metric
    by its direction); an improvement is ``current - min_delta < best`` ('min', min_delta
    negated) or ``current - min_delta > best`` ('max'); no best yet always improves."""

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor, self.mode, self.best = monitor, mode, baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[float, float], bool] | None = None

    def _set_monitor_op(self) -> None:
        less, greater = (lambda a, b: a < b), (lambda a, b: a > b)
        if self.mode == "min":
            self.monitor_op = less
        elif self.mode == "max":
            self.monitor_op = greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = less
            for m in getattr(self.model, "_compiled_metric_objects", lambda: [])():
                if m.name == name:
                    direction = getattr(m, "_direction", None)
                    if direction is None:
                        direction = "up" if _base_name(m) in _UP else "down"
                    self.monitor_op = greater if direction == "up" else less
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should "
                    "be maximized or minimized. Pass `mode='max'` in order to monitor based "
                    "on the highest metric value, or pass `mode='min'` in order to use the "
                    "lowest value."
                )
        if self.monitor_op is less:
            self.min_delta *= -1

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(current - self.min_delta, reference))


def _base_name(metric: Any) -> str:
    """'binary_accuracy' -> 'accuracy' (the metric's kind, whatever its given name)."""
    kind = getattr(metric, "_kind", None) or type(metric).__name__
    snake = "".join("_" + c.lower() if c.isupper() else c for c in kind).lstrip("_")
    for up in _UP:
        if snake == up or snake.endswith("_" + up):
            return up
    return snake


class EarlyStopping(_MonitorCallback):
    """Stops training when ``monitor`` has stopped improving for ``patience`` epochs.

    An improvement is ``current < best - min_delta`` (minimized) or
    ``current > best + min_delta`` (maximized). As Keras, the wait counts from
    ``start_from_epoch``, training never stops at epoch 0, and a ``baseline`` must be beaten
    to reset the wait.

    Args:
        monitor: The logged value to watch. Defaults to 'val_loss'.
        min_delta: The smallest change that counts as an improvement. Defaults to 0.
        patience: Epochs without improvement before stopping. Defaults to 0.
        verbose: 1 prints a line when it acts. Defaults to 0.
        mode: 'min', 'max', or 'auto' (a loss is minimized, a metric by its direction).
            Defaults to 'auto'.
        baseline: A value the monitored quantity must beat. Defaults to None.
        restore_best_weights: Whether to put back the best epoch's weights at the end of
            training (even without stopping early). Defaults to False.
        start_from_epoch: Epochs to wait before counting. Defaults to 0.

    Raises:
        ValueError: If ``mode='auto'`` cannot tell the direction of ``monitor`` (at the
            start of training).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
        >>> history = model.fit(x, 2 * x, epochs=5, verbose=0, callbacks=[stop])
        >>> len(history.epoch), stop.stopped_epoch
        (2, 1)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: list | None = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> float | None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value


def _lr(optimizer: Any) -> float:
    """The learning rate as Keras reads it: a float32 variable, given back as a float."""
    return float(numpy.float32(optimizer.learning_rate))


class ReduceLROnPlateau(_MonitorCallback):
    """Reduces the learning rate when ``monitor`` has stopped improving.

    ``lr <- max(lr * factor, min_lr)`` after ``patience`` epochs without an improvement
    (``current < best - min_delta`` when minimized), then ``cooldown`` epochs during which
    the wait does not count; logs 'learning_rate'.

    Args:
        monitor: The logged value to watch. Defaults to 'val_loss'.
        factor: The factor of each reduction (< 1). Defaults to 0.1.
        patience: Epochs without improvement before a reduction. Defaults to 10.
        verbose: 1 prints a line when it acts. Defaults to 0.
        mode: 'min', 'max', or 'auto' (a loss is minimized, a metric by its direction).
            Defaults to 'auto'.
        min_delta: The smallest change that counts as an improvement. Defaults to 0.0001.
        cooldown: Epochs after a reduction during which the wait does not count. Defaults to 0.
        min_lr: The lowest learning rate. Defaults to 0.0.
        **kwargs: Keras's deprecated ``epsilon`` (as ``min_delta``).

    Raises:
        ValueError: If ``factor >= 1``, or ``mode='auto'`` cannot tell the direction of
            ``monitor``.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
        ...                                            min_delta=10.0)
        >>> history = model.fit(x, 2 * x, epochs=3, verbose=0, callbacks=[reduce])
        >>> [round(lr, 4) for lr in history.history["learning_rate"]]  # logged before reducing
        [0.1, 0.1, 0.05]
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor, self.min_lr, self.patience = factor, min_lr, patience
        self.verbose, self.cooldown = verbose, cooldown
        self.cooldown_counter = self.wait = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best, self.cooldown_counter, self.wait = None, 0, 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = _lr(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which "
                f"is not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _lr(optimizer)
                if old_lr > numpy.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning "
                            f"rate to {new_lr}."
                        )
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at each epoch's start: ``lr <- schedule(epoch, lr)``.

    ``schedule(epoch)`` with one argument is accepted too; 'learning_rate' is logged at each
    epoch's end.

    Args:
        schedule: ``schedule(epoch, lr) -> new lr`` (epochs from 0).
        verbose: 1 prints the new rate each epoch. Defaults to 0.

    Raises:
        ValueError: If ``schedule`` does not return a float (during training).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> halve = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
        >>> history = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[halve])
        >>> [round(lr, 4) for lr in history.history["learning_rate"]]
        [0.05, 0.025]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        try:
            lr = self.schedule(epoch, _lr(optimizer))
        except TypeError:  # the old API: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, numpy.float32, numpy.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _lr(self.model.optimizer)


class ModelCheckpoint(_MonitorCallback):
    """Saves the model or its weights after every epoch (or every ``save_freq`` batches).

    The path may name ``{epoch}`` (from 1) and any logged value, e.g.
    'w-{epoch:02d}-{val_loss:.2f}.weights.h5'. Weights are saved with
    ``model.save_weights``, models with ``model.save``.

    Args:
        filepath: Where to save (a format string).
        monitor: The logged value to watch. Defaults to 'val_loss'.
        verbose: 1 prints a line when it acts. Defaults to 0.
        save_best_only: Whether to save only when ``monitor`` improves. Defaults to False.
        save_weights_only: Whether to save the weights only. Defaults to False.
        mode: 'min', 'max', or 'auto' (a loss is minimized, a metric by its direction).
            Defaults to 'auto'.
        save_freq: 'epoch', or an int number of batches. Defaults to 'epoch'.
        initial_value_threshold: A value the first saved ``monitor`` must beat. Defaults to
            None.

    Raises:
        ValueError: If ``save_freq`` is neither 'epoch' nor an int.
        KeyError: If ``filepath`` names a value that is not logged (when saving).
        OSError: If the formatted path is an existing directory (when saving).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> path = os.path.join(folder, "w-{epoch}.weights.h5")
        >>> save = keras.callbacks.ModelCheckpoint(path, save_weights_only=True)
        >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[save])
        >>> sorted(os.listdir(folder))
        ['w-1.weights.h5', 'w-2.weights.h5']
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose, self.filepath = verbose, os.fspath(filepath)
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or "
                "integer values"
            )
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                filepath = self.filepath.format(epoch=epoch + 1, **logs)
            else:
                filepath = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from None
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used "
                f"is an existing directory: {filepath}"
            )
        if not self._should_save(epoch, logs, filepath):
            return
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")


class CSVLogger(Callback):
    """Writes one CSV row per epoch: 'epoch' (from 0), then the logged values by name.

    The names are sorted (plus their 'val_' twins when no validation ran in the first
    epoch), 'NA' marks a missing value; the file is rewritten atomically after every epoch.

    Args:
        filename: The CSV file.
        separator: The field separator. Defaults to ','.
        append: Whether to keep what the file held before training. Defaults to False.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> log = keras.callbacks.CSVLogger(path)
        >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[log])
        >>> open(path).read().splitlines()[0]  # no validation: 'val_' columns kept as 'NA'
        'epoch,loss,val_loss'
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep, self.filename, self.append = separator, os.fspath(filename), append
        self.keys: list[str] | None = None
        self._before = ""
        self._buffer: io.StringIO | None = None
        self._writer: csv.DictWriter | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._before = ""
        if self.append and os.path.exists(self.filename):
            self._before = read_bytes(self.filename, "CSVLogger").decode("utf-8")
        self.keys, self._writer, self._buffer = None, None, io.StringIO()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self._writer is None:

            class Dialect(csv.excel):
                delimiter = self.sep

            self._writer = csv.DictWriter(
                self._buffer, fieldnames=["epoch", *self.keys], dialect=Dialect
            )
            if not self._before:
                self._writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _csv_value(logs.get(k, "NA"))) for k in self.keys)
        self._writer.writerow(row)
        atomic_write(self.filename, (self._before + self._buffer.getvalue()).encode())

    def on_train_end(self, logs: dict | None = None) -> None:
        self._writer = None


def _csv_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) or (isinstance(value, numpy.ndarray) and value.ndim):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class TerminateOnNaN(Callback):
    """Stops training (after the batch) when a batch's loss is NaN or infinite.

    Args:
        raise_error: Whether to raise ``RuntimeError`` instead of stopping. Defaults to False.

    Raises:
        RuntimeError: With ``raise_error``, when the loss is NaN or infinite.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> model.optimizer.learning_rate = 1e30  # diverges in the first epoch
        >>> stop = keras.callbacks.TerminateOnNaN()
        >>> with np.errstate(all="ignore"):
        ...     history = model.fit(x, 2 * x, epochs=3, batch_size=4, verbose=0, callbacks=[stop])
        Batch 1: Invalid loss, terminating training
        >>> history.epoch
        [0]
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions.

    Args:
        on_epoch_begin (Callable | None): ``f(epoch, logs)``. Defaults to None.
        on_epoch_end (Callable | None): ``f(epoch, logs)``. Defaults to None.
        on_train_begin (Callable | None): ``f(logs)``. Defaults to None.
        on_train_end (Callable | None): ``f(logs)``. Defaults to None.
        on_train_batch_begin (Callable | None): ``f(batch, logs)``. Defaults to None.
        on_train_batch_end (Callable | None): ``f(batch, logs)``. Defaults to None.
        **kwargs: Any other hook by name (``on_test_begin=...``).

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> losses = []
        >>> log = keras.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: losses.append(round(logs["loss"], 2)))
        >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[log])
        >>> len(losses)
        2
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in given.items():
            if fn is not None:
                setattr(self, name, fn)


# --- progress --------------------------------------------------------------------------
class Progbar:
    """Keras's progress bar: ``12/25 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.6931``.

    Values are shown as given (Keras's ``ProgbarLogger`` passes running means). Colours
    (ANSI codes) only when standard output is a terminal; otherwise the line is rewritten
    with a carriage return, as Keras does.
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval=0.05):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self._colour = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
        self._values: dict[str, float] = {}
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self._colour else text

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            self._values[k] = v
        self._seen_so_far = current
        now = time.time()
        per_step = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = "\b" * self._prev_total_width + "\r"
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = self._style(f"{current:{digits}d}/{self.target}", "1") + " "
                done = int(self.width * float(current) / self.target)
                if done > 0:
                    bar += self._style("━" * done, "32")
                bar += self._style("━" * (self.width - done), "37")
                plain = len(f"{current:{digits}d}/{self.target}") + 1 + self.width
            else:
                bar = f"{current:7d}/Unknown"
                plain = len(bar)
            if self.target is not None and self.target > 0 and not finalize:
                eta = per_step * (self.target - current)
                if eta > 3600:
                    eta_text = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
                elif eta > 60:
                    eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
                else:
                    eta_text = f"{int(eta)}s"
            else:
                eta_text = f"{now - self._start:.0f}s"
            info = " " + self._style(eta_text, "1") + _format_time(per_step, "step")
            plain += 1 + len(eta_text) + len(_format_time(per_step, "step"))
            for k, v in self._values.items():
                text = f" - {k}: " + (f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}")
                info += text
                plain += len(text)
            message += bar + info
            if self._prev_total_width > plain:
                message += " " * (self._prev_total_width - plain)
            if finalize:
                message += "\n"
            print_msg(message, line_break=False)
            self._prev_total_width = plain
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -"
            info += _format_time(per_step, "step")
            for k, v in self._values.items():
                info += f" - {k}: " + (f"{v:.4f}" if v > 1e-3 else f"{v:.4e}")
            print_msg(info)
        self._last_update = now

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, leaving out the first (slow) step once there are others."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def _format_time(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1000.0:.0f}ms/{unit}"
    return f" {seconds * 1000000.0:.0f}us/{unit}"


class ProgbarLogger(Callback):
    """Prints the progress of training: 'Epoch i/n' and a progress bar per epoch.

    With ``verbose=1`` the bar of each epoch is updated in place; with ``verbose=2``, one line
    per epoch. ``fit`` adds it when ``verbose`` is not 0.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> x = np.linspace(-1, 1, 16, dtype="float32").reshape(-1, 1)
        >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> _ = model.fit(x, 2 * x, epochs=1, verbose=2)
        1/1 - ... - loss: ...
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen, self.progbar, self.target = 0, None, None
        self.verbose, self.epochs = 1, 1

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs, self.target = params["epochs"], params["steps"]

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.seen, self.progbar = 0, Progbar(self.target, verbose=self.verbose)
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.target is None:
            self.target = self.progbar.target = self.seen
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)


def __getattr__(name: str) -> object:
    """A Keras callback neuralab.keras lacks (BackupAndRestore, TensorBoard, ...) raises
    NotImplementedError naming it."""
    from neuralab.keras.keras_names import missing

    raise missing(name, "callbacks")
