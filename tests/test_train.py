"""The training loop: history, metrics, validation, schedules, callbacks, sample and class
weights, divergence, checkpoints and bit-identical resume (also after SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import neuralab as nl
from neuralab import nn, optim
from neuralab.callbacks import EarlyStopping, HistoryLogger, ModelCheckpoint
from neuralab.data import DataLoader, TensorDataset
from neuralab.train import NonFiniteLossError, evaluate, fit, predict


def blobs(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    x = (centers[y] + rng.normal(0, 0.6, (n, 2))).astype(np.float32)
    return x, y


def make_model(seed=0):
    nl.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))


def test_fit_learns_and_records_history():
    x, y = blobs()
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=0.05)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        (x, y),
        epochs=5,
        validation=0.2,
        metrics=["accuracy"],
        batch_size=32,
        progress=False,
    )
    assert len(history["loss"]) == 5 and len(history["val_accuracy"]) == 5
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert len(history["step_loss"]) == 5 * len(DataLoader(TensorDataset(nl.tensor(x[:320])), 32))
    assert history["lr"] == [0.05] * 5
    result = evaluate(model, nn.CrossEntropyLoss(), (x, y), metrics=["accuracy"])
    assert result["accuracy"] > 0.9
    scores = predict(model, x)
    assert scores.shape == (400, 3)
    assert (scores._data.argmax(1) == y).mean() == pytest.approx(result["accuracy"])


def test_nan_loss_stops_with_step_and_hint():
    x, y = blobs()
    x[5] = np.nan
    model = make_model()
    with pytest.raises(NonFiniteLossError, match=r"at step 1 .*learning rate"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            (x, y),
            epochs=1,
            batch_size=400,
            progress=False,
        )


def test_class_weight_equals_explicit_sample_weights():
    x, y = blobs()
    weights = np.array([1.0, 3.0, 0.5], dtype=np.float32)
    results = []
    for data, class_weight in (((x, y), weights), ((x, y, weights[y]), None)):
        model = make_model()
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            data,
            epochs=2,
            class_weight=class_weight,
            progress=False,
        )
        results.append(model.state_dict())
    for key in results[0]:
        np.testing.assert_array_equal(results[0][key]._data, results[1][key]._data)


def test_schedules_step_per_epoch_per_batch_and_on_plateau():
    x, y = blobs()
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        (x, y),
        epochs=3,
        batch_size=100,
        scheduler=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
        progress=False,
    )
    assert history["step_lr"] == [0.1] * 4 + [0.05] * 4 + [0.025] * 4
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    one_cycle = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=12)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        (x, y),
        epochs=3,
        batch_size=100,
        scheduler=one_cycle,
        progress=False,
    )
    assert len(set(history["step_lr"])) == 12  # a new rate every batch
    opt = optim.SGD(model.parameters(), lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.1, threshold=10.0)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        (x, y),
        epochs=2,
        validation=(x, y),
        scheduler=plateau,
        progress=False,
    )
    assert history["lr"][-1] == pytest.approx(0.01)  # no 1000 % improvement: reduced once


def test_early_stopping_restores_best_weights_and_loggers_write(tmp_path):
    x, y = blobs()
    model = make_model()
    stopper = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    opt = optim.SGD(model.parameters(), lr=5.0)  # large: validation loss soon gets worse
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        (x, y),
        epochs=30,
        validation=(x, y),
        callbacks=[
            stopper,
            HistoryLogger(tmp_path / "h.csv"),
            HistoryLogger(tmp_path / "h.json"),
            ModelCheckpoint(tmp_path / "best.safetensors", save_best_only=True),
        ],
        progress=False,
    )
    epochs_run = len(history["loss"])
    assert epochs_run < 30 and stopper.stopped_epoch == epochs_run
    best = min(history["val_loss"])
    assert evaluate(model, nn.CrossEntropyLoss(), (x, y))["loss"] == pytest.approx(best, rel=1e-5)
    rows = (tmp_path / "h.csv").read_text().strip().splitlines()
    assert rows[0].startswith("epoch,loss") and len(rows) == epochs_run + 1
    assert json.loads((tmp_path / "h.json").read_text())["val_loss"] == history["val_loss"]
    checkpoint = nl.load(tmp_path / "best.safetensors")
    assert checkpoint["epoch"] == 1 + int(np.argmin(history["val_loss"]))


def test_resume_from_checkpoint_is_bit_identical(tmp_path):
    x, y = blobs()

    def run(epochs, path=None, resume=None, model=None):
        model = model or make_model()
        opt = optim.Adam(model.parameters(), lr=0.01)
        sched = optim.lr_scheduler.StepLR(opt, 1, 0.9)
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            (x, y),
            epochs=epochs,
            scheduler=sched,
            checkpoint=path,
            resume=resume,
            progress=False,
        )
        return model

    straight = run(4)
    path = tmp_path / "ckpt.safetensors"
    run(2, path=path)
    nl.manual_seed(12345)  # whatever happened since, the checkpoint restores the state
    resumed = run(4, path=path, resume=path, model=make_model(seed=99))
    for key, value in straight.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[key]._data, value._data)


SCRIPT = """
import sys
import numpy as np
import neuralab as nl
from neuralab import nn, optim
from neuralab.train import fit
rng = np.random.default_rng(0)
x = rng.normal(size=(2000, 20)).astype(np.float32)
y = (x[:, :3].sum(1) > 0).astype(np.int64)
nl.manual_seed(0)
model = nn.Sequential(nn.Linear(20, 64), nn.Dropout(0.2), nn.ReLU(), nn.Linear(64, 2))
opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
fit(model, nn.CrossEntropyLoss(), opt, (x, y), epochs=int(sys.argv[2]), batch_size=16,
    checkpoint=sys.argv[1], resume=sys.argv[1], progress=False)
nl.save(model.state_dict(), sys.argv[3])
"""


def test_resume_after_sigkill_gives_identical_weights(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    epochs = "12"
    reference = tmp_path / "reference.safetensors"
    subprocess.run(
        [sys.executable, script, tmp_path / "a.ckpt", epochs, reference], check=True, env=env
    )
    checkpoint = tmp_path / "b.ckpt"
    process = subprocess.Popen(
        [sys.executable, script, checkpoint, epochs, tmp_path / "x"], env=env
    )
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.005)
    time.sleep(0.05)  # somewhere inside a later epoch
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    interrupted_at = nl.load(checkpoint)["epoch"]
    assert 1 <= interrupted_at < int(epochs)
    final = tmp_path / "final.safetensors"
    subprocess.run([sys.executable, script, checkpoint, epochs, final], check=True, env=env)
    expected, got = nl.load(reference), nl.load(final)
    assert list(expected) == list(got)
    for key in expected:
        np.testing.assert_array_equal(got[key]._data, expected[key]._data)
