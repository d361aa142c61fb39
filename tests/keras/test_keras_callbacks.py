"""Keras callbacks on neuralab's fit against Keras 3's own: the same epochs stopped at,
learning-rate sequences, CSV rows, checkpoints, restored weights and hook calls."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pytest
from test_keras_fit import _close_history, _close_weights, _compile, _data, _pair

from neuralab import keras as nk
from neuralab.keras import callbacks as ncb

RTOL = 1e-5


def _run(
    keras, make, epochs=6, lr=0.1, metrics=None, x=None, y=None, loss="binary_crossentropy", **fit
):
    """Fit a Keras model and its neuralab twin with callbacks ``make(module)`` each."""
    if x is None:
        x, y = _data(60)
    km, nm = _pair(keras)
    _compile(keras, km, nm, lr=lr, loss=loss, metrics=metrics)
    args = dict(epochs=epochs, batch_size=16, shuffle=False, verbose=0, **fit)
    hk = km.fit(x, y, callbacks=make(keras.callbacks), **args)
    hn = nm.fit(x, y, callbacks=make(ncb), **args)
    return km, nm, hk, hn


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=";"))


@pytest.mark.parametrize("restore", [False, True])
def test_early_stopping_epochs_and_restored_weights(keras_ref, restore):
    def make(cb):
        return [
            cb.EarlyStopping(
                monitor="val_loss", min_delta=0.02, patience=1, restore_best_weights=restore
            )
        ]

    km, nm, hk, hn = _run(keras_ref, make, epochs=20, validation_split=0.25)
    assert len(hk.epoch) < 20  # it did stop early
    _close_history(hk, hn)
    _close_weights(km, nm)


def test_early_stopping_auto_mode_on_accuracy_and_baseline(keras_ref):
    def make(cb):
        return [cb.EarlyStopping(monitor="accuracy", patience=2, baseline=0.99, start_from_epoch=1)]

    _, _, hk, hn = _run(keras_ref, make, epochs=12, metrics=["accuracy"])
    assert len(hk.epoch) < 12
    _close_history(hk, hn)
    with pytest.raises(ValueError, match="mode='max'"):
        _run(keras_ref, lambda cb: [cb.EarlyStopping(monitor="mystery")], epochs=1)


def test_reduce_lr_on_plateau_sequence(keras_ref):
    def make(cb):
        return [
            cb.ReduceLROnPlateau(
                monitor="loss", factor=0.5, patience=1, min_delta=0.03, cooldown=1, min_lr=0.02
            )
        ]

    km, nm, hk, hn = _run(keras_ref, make, epochs=10)
    assert list(hn.history) == ["loss", "learning_rate"] == list(hk.history)
    assert len(set(hk.history["learning_rate"])) > 2  # reduced more than once, then floored
    _close_history(hk, hn)
    np.testing.assert_allclose(
        float(np.float32(nm.optimizer.learning_rate)), float(km.optimizer.learning_rate), RTOL
    )


def test_learning_rate_scheduler(keras_ref):
    def make(cb):
        return [cb.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch % 2 else lr)]

    _, _, hk, hn = _run(keras_ref, make, epochs=5, validation_split=0.2, metrics=["accuracy"])
    assert list(hn.history)[-1] == "learning_rate"
    _close_history(hk, hn)


def test_csv_logger_rows(keras_ref, tmp_path):
    paths = iter([tmp_path / "keras.csv", tmp_path / "ours.csv"])

    def make(cb):
        return [cb.CSVLogger(next(paths), separator=";")]

    _run(keras_ref, make, epochs=3, metrics=["accuracy"])
    rows = [_read(tmp_path / n) for n in ("keras.csv", "ours.csv")]
    assert rows[1][0] == rows[0][0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(rows[1]) == len(rows[0]) == 4
    for ours, theirs in zip(rows[1][1:], rows[0][1:], strict=True):
        assert ours[0] == theirs[0] and ours[3:] == theirs[3:] == ["NA", "NA"]
        np.testing.assert_allclose(
            [float(v) for v in ours[1:3]], [float(v) for v in theirs[1:3]], RTOL
        )
    # append=True keeps the rows already there and writes no second header
    x, y = _data(60)
    _, nm = _pair(keras_ref)
    nm.compile(
        nk.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy", metrics=["accuracy"]
    )
    nm.fit(x, y, epochs=1, verbose=0, callbacks=[ncb.CSVLogger(tmp_path / "ours.csv", ";", True)])
    again = _read(tmp_path / "ours.csv")
    assert again[:4] == rows[1] and len(again) == 5 and again[4][0] == "0"


def test_model_checkpoint_names_and_best_only(keras_ref, tmp_path):
    def make(suffix):
        def callbacks(cb):
            return [
                cb.ModelCheckpoint(
                    str(tmp_path / f"{{epoch:02d}}-{{val_loss:.2f}}{suffix}"),
                    save_weights_only=True,
                ),
                cb.ModelCheckpoint(
                    str(tmp_path / f"best{suffix}"),
                    monitor="val_loss",
                    save_weights_only=True,
                    save_best_only=True,
                ),
            ]

        return callbacks

    x, y = _data(60)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, lr=0.5, loss="binary_crossentropy")
    args = dict(epochs=4, batch_size=16, shuffle=False, verbose=0, validation_split=0.25)
    hk = km.fit(x, y, callbacks=make(".weights.h5")(keras_ref.callbacks), **args)
    nm.fit(x, y, callbacks=make(".weights.safetensors")(ncb), **args)
    theirs = sorted(f.removesuffix(".weights.h5") for f in os.listdir(tmp_path) if f.endswith("h5"))
    ours = sorted(
        f.removesuffix(".weights.safetensors")
        for f in os.listdir(tmp_path)
        if f.endswith("safetensors")
    )
    assert ours == theirs and len(ours) == 5
    expected = [f"{e + 1:02d}-{v:.2f}" for e, v in enumerate(hk.history["val_loss"])]
    assert sorted(expected + ["best"]) == ours
    # the best file holds the best epoch's weights: the same as Keras's
    km.load_weights(tmp_path / "best.weights.h5")
    nm.load_weights(tmp_path / "best.weights.safetensors")
    _close_weights(km, nm)


def test_terminate_on_nan_stops_after_the_batch(keras_ref, capsys):
    x, y = _data(64)
    # batch 2 of 4 (batch size 16) overflows the squared error: the loss becomes inf (NaN
    # in the data itself is refused by neuralab's fit before training starts)
    y = y.astype("float32")
    y[40] = 3e38
    seen = {}

    def make(cb):
        batches = seen.setdefault(cb.__name__, [])
        return [
            cb.TerminateOnNaN(),
            cb.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b)),
        ]

    # mse: Keras on torch refuses NaN inputs to binary cross-entropy
    _, _, hk, hn = _run(keras_ref, make, epochs=3, x=x, y=y, loss="mse")
    assert seen[ncb.__name__] == seen[keras_ref.callbacks.__name__] == [0, 1, 2]
    assert len(hn.epoch) == len(hk.epoch) == 1 and not math.isfinite(hn.history["loss"][0])
    assert capsys.readouterr().out.count("Batch 2: Invalid loss, terminating training") == 2


def test_lambda_callback_call_order_and_logs(keras_ref):
    calls = {}

    def make(cb):
        log = calls.setdefault(cb.__name__, [])
        return [
            cb.LambdaCallback(
                on_train_begin=lambda logs: log.append(("train_begin",)),
                on_epoch_begin=lambda e, logs: log.append(("epoch_begin", e)),
                on_train_batch_begin=lambda b, logs: log.append(("batch_begin", b)),
                on_train_batch_end=lambda b, logs: log.append(("batch_end", b, sorted(logs))),
                on_epoch_end=lambda e, logs: log.append(("epoch_end", e, sorted(logs))),
                on_train_end=lambda logs: log.append(("train_end", sorted(logs))),
            )
        ]

    _run(keras_ref, make, epochs=2, initial_epoch=0, metrics=["accuracy"], validation_split=0.2)
    ours, theirs = calls[ncb.__name__], calls[keras_ref.callbacks.__name__]
    assert (
        ours == theirs
        and ("epoch_end", 1, ["accuracy", "loss", "val_accuracy", "val_loss"]) in ours
    )


def test_batch_logs_are_running_means(keras_ref):
    logs = {}

    def make(cb):
        got = logs.setdefault(cb.__name__, [])
        return [cb.LambdaCallback(on_train_batch_end=lambda b, logs: got.append(dict(logs)))]

    _run(keras_ref, make, epochs=1, metrics=["accuracy"])
    ours, theirs = logs[ncb.__name__], logs[keras_ref.callbacks.__name__]
    assert [list(d) for d in ours] == [list(d) for d in theirs]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(list(a.values()), list(b.values()), RTOL)


def test_user_history_and_stop_training_flag(keras_ref):
    history = ncb.History()
    x, y = _data(30)
    _, nm = _pair(keras_ref)
    nm.compile(nk.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")

    class StopAfterOne(ncb.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    returned = nm.fit(x, y, epochs=5, verbose=0, callbacks=[history, StopAfterOne()])
    assert returned is history is nm.history and history.epoch == [0]
    assert history.params == {"verbose": 0, "epochs": 5, "steps": 1}


def test_callbacks_not_built_are_named():
    with pytest.raises(NotImplementedError, match=r"keras\.callbacks\.TensorBoard"):
        ncb.TensorBoard  # noqa: B018
    with pytest.raises(AttributeError):
        ncb.NoSuchCallback  # noqa: B018
