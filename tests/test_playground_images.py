"""The playground's image mode: the MNIST / Fashion-MNIST subsets, the image networks and
their settings, ``ImageSession``'s training and snapshots, and the exported scripts."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy
import pytest
from exported_script import run_exported

import neuralab as nl
from neuralab import nn
from neuralab.data import MNIST
from neuralab.playground import image_session
from neuralab.playground.export import script, torch_script
from neuralab.playground.image_session import SAMPLES, ImageSession, session_for
from neuralab.playground.images import IMAGE_DEFAULTS, build_image_model, load_images
from neuralab.playground.model import Config, build_model, parse_config, penalty
from neuralab.playground.session import Session

SMALL = {"train_size": 600, "test_size": 200}


def test_the_subset_is_the_seeds_draw_from_the_files(neuralab_data):
    (x, y), (xt, yt) = load_images("mnist", 300, 100, seed=5)
    assert x.shape == (300, 28, 28) and x.dtype == numpy.float32 and yt.shape == (100,)
    assert x.min() == 0.0 and x.max() == 1.0 and set(y.tolist()) <= set(range(10))
    rng = numpy.random.default_rng(5)  # as documented: training indices, then test ones
    train_index = numpy.sort(rng.choice(60_000, 300, replace=False))
    test_index = numpy.sort(rng.choice(10_000, 100, replace=False))
    train_file = MNIST(root=neuralab_data, train=True, download=False, scale=None)
    test_file = MNIST(root=neuralab_data, train=False, download=False, scale=None)
    numpy.testing.assert_array_equal(numpy.round(x * 255), train_file.data[train_index])
    numpy.testing.assert_array_equal(y, train_file.targets[train_index])
    numpy.testing.assert_array_equal(numpy.round(xt * 255), test_file.data[test_index])
    (again, _), _ = load_images("mnist", 300, 100, seed=5)
    (other, _), _ = load_images("mnist", 300, 100, seed=6)
    assert numpy.array_equal(x, again) and not numpy.array_equal(x, other)
    (fashion, _), _ = load_images("fashion-mnist", 300, 100, seed=5)
    assert not numpy.array_equal(x, fashion)


def test_missing_files_are_an_error_naming_the_folder_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ValueError) as error:
        load_images("fashion-mnist", 100, 100, seed=0)
    message = str(error.value)
    assert message.startswith("dataset: the Fashion-MNIST files were not found")
    assert str(tmp_path / "empty") in message and "fashion-mnist/" in message
    assert "set NEURALAB_DATA to the folder" in message and "never downloads" in message
    session = Session(Config())
    with pytest.raises(ValueError, match=r"^dataset: the Fashion-MNIST files were not found"):
        session_for(parse_config({"dataset": "fashion-mnist"}), session)
    assert session.config == Config()  # left as it was


def test_choosing_images_takes_the_image_settings_unless_given():
    config = parse_config({"dataset": "mnist"})
    assert {k: config.to_dict()[k] for k in IMAGE_DEFAULTS} == IMAGE_DEFAULTS
    given = parse_config({"dataset": "mnist", "lr": 0.01, "hidden": [200, 100]})
    assert (given.lr, given.hidden, given.optimizer) == (0.01, (200, 100), "adam")
    # within a kind nothing is reset; back to 2-D points: the 2-D settings
    assert parse_config({"dataset": "fashion-mnist"}, base=given).hidden == (200, 100)
    back = parse_config({"dataset": "spiral"}, base=given)
    assert (back.hidden, back.lr, back.optimizer) == (Config().hidden, Config().lr, "sgd")
    assert parse_config(config.to_dict()) == config  # a full configuration round-trips


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"architecture": "lenet5"}, r"^architecture: lenet5 reads images; choose the data"),
        ({"architecture": "resnet"}, r"^architecture: expected one of mlp, lenet5"),
        ({"dataset": "mnist", "architecture": "lenet5", "dropout": 0.2}, r"^dropout: LeNet-5"),
        ({"dataset": "mnist", "architecture": "lenet5", "batch_norm": True}, r"^batch_norm: "),
        ({"dataset": "mnist", "hidden": [513]}, r"^hidden: expected an integer in \[1, 512\]"),
        ({"hidden": [17]}, r"^hidden: expected an integer in \[1, 16\]"),
        ({"dataset": "mnist", "train_size": 99}, r"^train_size: expected an integer in \[100"),
        ({"dataset": "mnist", "train_size": 60_001}, r"^train_size: "),
        ({"dataset": "mnist", "test_size": 10_001}, r"^test_size: expected an integer in"),
        ({"dataset": "mnist", "test_size": 500.5}, r"^test_size: "),
        ({"dataset": "cifar10"}, r"^dataset: expected one of circles, .*, mnist, fashion-mnist"),
    ],
)
def test_a_bad_image_setting_is_refused_naming_its_field(values, message):
    with pytest.raises(ValueError, match=message):
        parse_config(values)


def test_the_image_networks_and_their_seeded_initialization():
    config = parse_config({"dataset": "mnist", "hidden": [32, 16], "batch_norm": True})
    mlp = build_model(config)
    assert [type(m).__name__ for m in mlp][:4] == ["Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert mlp(nl.zeros(3, 784)).shape == (3, 10)
    lenet = build_image_model(parse_config({"dataset": "mnist", "architecture": "lenet5"}))
    assert lenet(nl.zeros(2, 1, 28, 28)).shape == (2, 10)
    conv = lenet[0].weight.detach().numpy()
    assert 0 < numpy.abs(conv).max() <= numpy.sqrt(6 / 25)  # He uniform, fan_in 1 x 5 x 5
    assert not lenet[0].bias.detach().numpy().any()
    same = build_image_model(parse_config({"dataset": "mnist", "architecture": "lenet5"}))
    other = build_image_model(
        parse_config({"dataset": "mnist", "architecture": "lenet5", "seed": 1})
    )
    assert numpy.array_equal(same[0].weight.detach().numpy(), conv)
    assert not numpy.array_equal(other[0].weight.detach().numpy(), conv)
    # the L1 / L2 penalty covers the convolutions' weights too
    term = penalty(parse_config({"dataset": "mnist", "architecture": "lenet5", "l1": 1.0}), lenet)
    weights = [m.weight.detach().numpy() for m in lenet if isinstance(m, (nn.Linear, nn.Conv2d))]
    assert term.item() == pytest.approx(sum(numpy.abs(w).sum() for w in weights), rel=1e-5)


@pytest.mark.parametrize("architecture", ["mlp", "lenet5"])
def test_a_few_steps_lower_the_loss(architecture, neuralab_data):
    config = parse_config({"dataset": "mnist", "architecture": architecture, **SMALL})
    session = session_for(config)
    assert isinstance(session, ImageSession) and session.steps_per_epoch == 19  # 600 / 32
    before = session.snapshot()
    session.train_steps(40)
    after = session.snapshot()
    assert (after["epoch"], after["step"]) == (2, 40)
    assert after["test_loss"] < 0.7 * before["test_loss"]
    assert after["test_accuracy"] > 0.6 > before["test_accuracy"]
    assert after["train_loss"] < before["train_loss"]


def test_the_confusion_matrix_counts_the_test_predictions(neuralab_data):
    from sklearn.metrics import confusion_matrix

    session = session_for(parse_config({"dataset": "fashion-mnist", **SMALL}))
    session.train_epochs(1)
    view = session.snapshot()
    confusion = numpy.array(view["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 200
    session.model.eval()
    with nl.no_grad():
        predicted = session.model(nl.tensor(session.x_test.reshape(-1, 784))).numpy().argmax(1)
    expected = confusion_matrix(session.y_test, predicted, labels=range(10))
    numpy.testing.assert_array_equal(confusion, expected)
    assert view["test_accuracy"] == pytest.approx(numpy.trace(expected) / 200)
    # the samples: the first test images, their labels and the predictions
    assert view["classes"][0] == "T-shirt/top" and len(view["predictions"]) == SAMPLES
    assert [p for p, _ in view["predictions"]] == predicted[:SAMPLES].tolist()
    assert all(0.1 <= p <= 1 for _, p in view["predictions"])  # the top class's probability
    pixels = numpy.frombuffer(base64.b64decode(view["samples"]["base64"]), numpy.uint8)
    numpy.testing.assert_array_equal(
        pixels.reshape(SAMPLES, 28, 28), numpy.round(session.x_test[:SAMPLES] * 255)
    )
    assert view["samples"]["labels"] == session.y_test[:SAMPLES].tolist()


def test_training_is_deterministic_for_a_seed(neuralab_data):
    values = {"dataset": "mnist", "dropout": 0.2, "l2": 0.001, **SMALL}
    first, second = (session_for(parse_config(values)) for _ in range(2))
    first.train_steps(25)
    second.train_steps(25)
    assert first.snapshot() == second.snapshot()
    other = session_for(parse_config({**values, "seed": 3}))
    other.train_steps(25)
    assert other.snapshot()["confusion"] != first.snapshot()["confusion"]
    start = session_for(parse_config(values)).snapshot()
    first.reset()
    assert first.step == 0 and first.snapshot() == start


def test_the_filters_are_the_first_layers_weights(neuralab_data):
    mlp = session_for(parse_config({"dataset": "mnist", "hidden": [8], **SMALL}))
    filters = mlp.snapshot()["filters"]
    assert (filters["count"], filters["size"]) == (8, 28)
    pixels = numpy.frombuffer(base64.b64decode(filters["base64"]), numpy.uint8).reshape(8, 784)
    w = mlp.model[0].weight.detach().numpy()
    expected = numpy.round(128 + 127 * w / numpy.abs(w).max(axis=1, keepdims=True))
    numpy.testing.assert_array_equal(pixels, expected)
    lenet = session_for(parse_config({"dataset": "mnist", "architecture": "lenet5", **SMALL}))
    view = lenet.snapshot()
    assert (view["filters"]["count"], view["filters"]["size"]) == (6, 5)
    kinds = [row["kind"] for row in view["diagnosis"]["layers"]]
    assert kinds[:3] == ["Conv2d", "ReLU", "MaxPool2d"] and kinds[-1] == "Linear"
    assert view["diagnosis"]["layers"][0]["grad_norm"] > 0


def test_while_playing_the_heavy_views_come_only_when_due(neuralab_data, monkeypatch):
    session = session_for(parse_config({"dataset": "mnist", **SMALL}))
    full = session.snapshot()
    assert full["heavy"] and full["test_step"] == 0
    session.train_steps(5)
    monkeypatch.setattr(image_session, "HEAVY_SECONDS", 1e9)  # not due, however slow this is
    monkeypatch.setattr(image_session, "HEAVY_MAX_SECONDS", 1e9)
    light = session.snapshot(full=False)
    assert not light["heavy"] and "confusion" not in light and "filters" not in light
    assert light["step"] == 5 and light["test_step"] == 0
    assert light["test_loss"] == full["test_loss"]  # the last measured, with its step
    assert len(json.dumps(light)) < 400
    monkeypatch.setattr(image_session, "HEAVY_SECONDS", 0.0)
    monkeypatch.setattr(image_session, "HEAVY_MAX_SECONDS", 0.0)
    due = session.snapshot(full=False)
    assert due["heavy"] and due["test_step"] == 5 and "confusion" in due
    assert len(json.dumps(due)) < 40_000


def test_the_training_loss_is_the_batches_mean_since_the_last_snapshot(neuralab_data):
    session = session_for(parse_config({"dataset": "mnist", "batch_size": 100, **SMALL}))
    session.snapshot()
    losses = []
    original = session._update

    def record(index):
        import neuralab.functional as F

        with nl.no_grad():
            session.model.train()
            logits = session.model(session._inputs_train[index])
        losses.append(F.cross_entropy(logits, session._targets_train[index]).item())
        original(index)

    session._update = record
    session.train_steps(3)
    assert session.snapshot()["train_loss"] == pytest.approx(numpy.mean(losses), abs=1e-5)


def test_a_diverged_image_run_snapshots_as_json_without_nan(neuralab_data):
    session = session_for(parse_config({"dataset": "mnist", **SMALL}))
    session.model[0].weight.detach().numpy()[:] = float("nan")
    session.train_steps(1)
    view = session.snapshot()
    json.dumps(view, allow_nan=False)
    assert view["test_loss"] is None and view["train_loss"] is None
    with pytest.raises(ValueError, match=r"^trace: following a point needs a 2-D data set"):
        session.trace(0.0, 0.0)


def _run(path: Path, data: Path) -> list[str]:
    return run_exported(path, data).strip().splitlines()


def _losses(line: str) -> tuple[float, float, float]:
    found = re.fullmatch(r"epoch \d+  train loss (\S+)  test loss (\S+)  test accuracy (\S+)", line)
    assert found, line
    return float(found[1]), float(found[2]), float(found[3])


@pytest.mark.parametrize(
    "values",
    [
        {"dataset": "mnist", "hidden": [32], "l2": 0.001, "schedule": "step", "step_size": 1},
        {"dataset": "fashion-mnist", "architecture": "lenet5", "init": "xavier",
         "optimizer": "momentum", "lr": 0.05, "train_size": 300},
    ],
)  # fmt: skip
def test_the_exported_scripts_follow_the_sessions_run(values, neuralab_data, tmp_path):
    config = parse_config({**SMALL, **values})
    session = session_for(config)
    session.train_epochs(2)
    expected = session.snapshot()
    path = tmp_path / "exported.py"
    path.write_text(script(config, epochs=2))
    lines = _run(path, neuralab_data)
    assert len(lines) == 2 and lines[-1].startswith("epoch 2 ")
    first, last = _losses(lines[0]), _losses(lines[1])
    assert last[1] == pytest.approx(expected["test_loss"], abs=2e-4)
    assert last[2] == pytest.approx(expected["test_accuracy"])
    assert last[1] < 2.3 and first[2] > 0.1  # it trains: below chance's ln 10
    if values["dataset"] == "mnist":
        assert last[1] < first[1]
    pytest.importorskip("torch")
    path.write_text(torch_script(config, epochs=2))
    torch_last = _losses(_run(path, neuralab_data)[-1])
    # the same subset, weights, batches and updates: the same losses up to float32 rounding
    assert torch_last[1] == pytest.approx(expected["test_loss"], abs=2e-3)
    assert torch_last[0] == pytest.approx(last[0], abs=2e-3)


@pytest.mark.parametrize(
    ("schedule", "torch_name"),
    [("step", "StepLR"), ("exponential", "ExponentialLR"), ("cosine", "CosineAnnealingLR"),
     ("warmup", "LinearLR")],
)  # fmt: skip
def test_every_schedule_reaches_an_image_models_pytorch_script(schedule, torch_name):
    config = parse_config({"dataset": "mnist", **SMALL, "schedule": schedule})
    assert f"scheduler = torch.optim.lr_scheduler.{torch_name}(" in torch_script(config, epochs=2)


def test_the_session_for_a_configuration_keeps_or_replaces_the_session(neuralab_data):
    points = Session(Config())
    images = session_for(parse_config({"dataset": "mnist", **SMALL}), points)
    assert isinstance(images, ImageSession) and images is not points
    same = session_for(parse_config({"dataset": "fashion-mnist", **SMALL}), images)
    assert same is images and same.config.dataset == "fashion-mnist"
    back = session_for(parse_config({"dataset": "xor"}, base=same.config), same)
    assert type(back) is Session and back.config.hidden == Config().hidden


def test_a_costly_heavy_view_waits_in_proportion_but_not_past_the_cap(neuralab_data, monkeypatch):
    session = session_for(parse_config({"dataset": "mnist", **SMALL}))
    session.snapshot()
    session._heavy_cost = 1.0  # as if the heavy views took 1 s: wait 1 / HEAVY_SHARE = 5 s
    session._heavy_at -= 3.0  # 3 s ago
    monkeypatch.setattr(image_session, "HEAVY_SECONDS", 0.0)
    monkeypatch.setattr(image_session, "HEAVY_MAX_SECONDS", 10.0)
    assert not session.snapshot(full=False)["heavy"]
    monkeypatch.setattr(image_session, "HEAVY_MAX_SECONDS", 2.0)  # the cap: at least every 2 s
    assert session.snapshot(full=False)["heavy"]
