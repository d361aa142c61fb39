"""The playground's training loop, its snapshots and the exported script."""

from __future__ import annotations

import json
import re

import numpy
import pytest
from exported_script import run_exported

import neuralab as nl
from neuralab.playground.data import features, grid
from neuralab.playground.export import script, torch_script
from neuralab.playground.model import parse_config
from neuralab.playground.regression import REGRESSION
from neuralab.playground.session import (
    BOUNDARY_RESOLUTION,
    CURVE_POINTS,
    NEURON_RESOLUTION,
    Session,
)


@pytest.mark.parametrize("dataset", ["xor", "circles"])
def test_a_few_epochs_lower_the_loss(dataset):
    session = Session(parse_config({"dataset": dataset}))  # the defaults: SGD, 2-4-2-2 tanh
    before = session.snapshot()
    session.train_epochs(20)
    after = session.snapshot()
    assert after["epoch"] == 20 and after["step"] == 20 * 25  # 250 training points / 10
    assert after["train_loss"] < 0.6 * before["train_loss"]
    assert after["test_loss"] < 0.6 * before["test_loss"]
    assert after["test_accuracy"] > 0.8


def test_training_is_deterministic_for_a_seed_and_reset_starts_over():
    config = parse_config({"dataset": "moons", "optimizer": "adam", "l1": 0.001, "l2": 0.01})
    first, second = Session(config), Session(config)
    start = first.snapshot()
    second.snapshot()
    first.train_epochs(3)
    second.train_epochs(3)
    assert first.snapshot() == second.snapshot()
    other = Session(parse_config({**config.to_dict(), "seed": 1}))
    other.train_epochs(3)
    assert other.snapshot()["boundary"] != first.snapshot()["boundary"]
    first.reset()
    assert first.epoch == 0 and first.snapshot() == start


def test_steps_and_epochs_count_batches():
    session = Session(parse_config({"size": 50, "test_fraction": 0.5, "batch_size": 10}))
    assert session.steps_per_epoch == 3  # 25 training points
    session.train_steps(4)
    assert (session.epoch, session.step) == (1, 4)
    session.train_epochs(1)  # to the end of epoch 2
    assert (session.epoch, session.step) == (2, 6)
    assert session.train_for(0.0) == 1


def test_a_snapshot_holds_what_the_page_draws():
    session = Session(parse_config({"hidden": [3, 2], "size": 100, "test_fraction": 0.3}))
    view = session.snapshot()
    assert view["type"] == "snapshot"
    assert len(view["boundary"]) == BOUNDARY_RESOLUTION**2
    assert all(0 <= p <= 1 for p in view["boundary"])
    assert [len(layer) for layer in view["neurons"]] == [3, 2]
    assert all(len(unit) == NEURON_RESOLUTION**2 for layer in view["neurons"] for unit in layer)
    assert all(-1 <= v <= 1 for layer in view["neurons"] for u in layer for v in u)  # tanh
    assert len(view["points"]["train"]) == 70 and len(view["points"]["test"]) == 30
    assert {p[2] for p in view["points"]["train"]} == {0.0, 1.0}
    assert "points" not in session.snapshot()  # sent once per (re)configuration
    session.reset()
    assert "points" in session.snapshot()


def _session_and_its_script(config, epochs: int, tmp_path, exporter=script) -> tuple[dict, str]:
    """Train a session ``epochs`` epochs and run its exported script (neuralab's, or
    ``torch_script``) as long: (the session's snapshot, what the script printed)."""
    session = Session(config)
    session.train_epochs(epochs)
    path = tmp_path / "exported.py"
    path.write_text(exporter(config, epochs=epochs))
    return session.snapshot(), run_exported(path)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"batch_norm": True, "dropout": 0.1, "size": 242},
        {"schedule": "cosine", "step_size": 6},
        {"schedule": "warmup", "step_size": 5, "gamma": 0.2},
        {"optimizer": "adam", "beta1": 0.8, "beta2": 0.99},
    ],
)
def test_the_exported_script_runs_and_reaches_the_sessions_loss(extra, tmp_path):
    config = parse_config(
        {
            "dataset": "xor",
            "optimizer": "momentum",
            "l2": 0.001,
            "hidden": [5],
            "init": "he",
            "schedule": "step",
            "gamma": 0.5,
            "step_size": 8,
            **extra,
        }
    )
    expected, stdout = _session_and_its_script(config, 20, tmp_path)
    expected = expected["test_loss"]
    lines = stdout.strip().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("epoch 20 ")
    final = float(re.search(r"test loss (\S+)", lines[-1]).group(1))
    first = float(re.search(r"test loss (\S+)", lines[0]).group(1))
    assert final < first and final < 0.5
    assert final == pytest.approx(expected, rel=0.05, abs=0.01)
    assert numpy.isfinite(final)


def test_the_schedule_changes_the_learning_rate_every_epoch():
    step = Session(parse_config({"schedule": "step", "gamma": 0.5, "step_size": 2, "lr": 0.4}))
    lrs = []
    for _ in range(5):
        step.train_epochs(1)
        lrs.append(step.snapshot()["lr"])
    assert lrs == pytest.approx([0.4, 0.2, 0.2, 0.1, 0.1])
    decay = Session(parse_config({"schedule": "exponential", "gamma": 0.9, "lr": 0.1}))
    decay.train_steps(decay.steps_per_epoch * 3 - 1)  # not yet the end of epoch 3
    assert decay.snapshot()["lr"] == pytest.approx(0.1 * 0.9**2)
    decay.train_steps(1)
    assert decay.snapshot()["lr"] == pytest.approx(0.1 * 0.9**3)
    assert Session(parse_config({})).snapshot()["lr"] == 0.03


def test_a_trace_follows_one_point_through_the_network():
    session = Session(parse_config({"hidden": [3], "features": ["x1", "x2", "x1_x2"]}))
    session.train_epochs(2)
    trace = session.trace(1.5, -2.0)
    assert trace["type"] == "trace" and trace["point"] == [1.5, -2.0]
    assert trace["features"] == [["x1", 1.5], ["x2", -2.0], ["x1_x2", -3.0]]
    assert [layer["kind"] for layer in trace["layers"]] == ["Linear", "Tanh", "Linear"]
    z, a, out = (numpy.array(layer["values"]) for layer in trace["layers"])
    assert z.shape == (3,) and out.shape == (2,)
    numpy.testing.assert_allclose(a, numpy.tanh(z), atol=2e-3)  # values rounded to 3 places
    w = session.model[0].weight.detach().numpy()
    b = session.model[0].bias.detach().numpy()
    numpy.testing.assert_allclose(z, w @ [1.5, -2.0, -3.0] + b, atol=2e-3)
    # the probability is the boundary's at that point: softmax of the output's logits
    p = 1 / (1 + numpy.exp(out[0] - out[1]))
    assert trace["probability"] == pytest.approx(p, abs=2e-3)


def test_the_snapshot_diagnoses_each_layer_and_warns():
    view = Session(parse_config({"hidden": [3]})).snapshot()
    layers = view["diagnosis"]["layers"]
    assert [(r["name"], r["kind"]) for r in layers] == [
        ("0", "Linear"),
        ("1", "Tanh"),
        ("2", "Linear"),
    ]
    assert layers[0]["grad_norm"] > 0 and layers[1]["grad_norm"] is None
    assert 0 <= layers[1]["saturated_fraction"] <= 1 and layers[1]["dead_fraction"] is None
    # six sigmoid layers: the first layers' gradients vanish
    deep = Session(parse_config({"activation": "sigmoid", "hidden": [8] * 6})).snapshot()
    warnings = deep["diagnosis"]["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("vanishing gradients: ")
    assert view["diagnosis"]["warnings"] == []


def test_a_diverged_run_snapshots_as_json_without_nan():
    session = Session(parse_config({"hidden": [3]}))
    session.model[0].weight.detach().numpy()[0, 0] = float("nan")
    view = session.snapshot()
    json.dumps(view, allow_nan=False)  # the page's JSON.parse refuses NaN
    assert view["train_loss"] is None and view["test_loss"] is None
    assert None in view["boundary"]
    assert json.dumps(session.trace(0.0, 1.0), allow_nan=False)


@pytest.mark.parametrize(
    "values",
    [
        {"dataset": "circles", "optimizer": "adam", "hidden": [6], "init": "xavier",
         "beta1": 0.8, "beta2": 0.99},
        {"dataset": "xor", "optimizer": "momentum", "activation": "relu", "init": "he",
         "l1": 0.001, "schedule": "exponential", "gamma": 0.95, "momentum": 0.5},
        {"dataset": "moons", "optimizer": "rmsprop", "lr": 0.01, "init": "normal", "l2": 0.01,
         "schedule": "step", "step_size": 3, "alpha": 0.9},
        {"dataset": "gauss", "optimizer": "adam", "batch_norm": True, "size": 42},
        {"dataset": "bump", "optimizer": "adam", "hidden": [6, 6], "noise": 0.1},
        {"dataset": "xor", "optimizer": "momentum", "schedule": "cosine", "step_size": 4},
        {"dataset": "moons", "optimizer": "adam", "schedule": "warmup", "step_size": 6,
         "gamma": 0.1},
    ],
)  # fmt: skip
def test_the_pytorch_script_follows_the_sessions_run(values, tmp_path):
    pytest.importorskip("torch")
    config = parse_config(values)
    expected, stdout = _session_and_its_script(config, 10, tmp_path, torch_script)
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("epoch 10 ")
    test_loss = float(re.search(r"test loss (\S+)", last).group(1))
    train_loss = float(re.search(r"train loss (\S+)", last).group(1))
    # the same weights, batches and updates: the same losses up to float32 rounding
    assert test_loss == pytest.approx(expected["test_loss"], abs=2e-3)
    assert train_loss == pytest.approx(expected["train_loss"], abs=2e-3)


def test_the_snapshot_holds_every_weight_for_the_diagram():
    session = Session(parse_config({"hidden": [3, 2], "features": ["x1", "x2", "sin_x1"]}))
    session.train_epochs(1)
    weights = session.snapshot()["weights"]
    assert [numpy.array(w).shape for w in weights] == [(3, 3), (2, 3), (2, 2)]
    numpy.testing.assert_allclose(weights[1], session.model[2].weight.detach().numpy(), atol=5e-4)


def test_dropout_draws_from_the_sessions_own_stream():
    config = parse_config({"dataset": "moons", "dropout": 0.3, "hidden": [8, 8]})
    alone, interleaved = Session(config), Session(config)
    other = Session(parse_config({"dropout": 0.5, "seed": 7}))
    alone.train_epochs(2)
    for _ in range(2):
        other.train_epochs(1)  # another tab's dropout draws in between
        interleaved.train_epochs(1)
        nl.manual_seed(123)  # and anyone else's use of the global stream
    assert interleaved.snapshot()["boundary"] == alone.snapshot()["boundary"]
    reseeded = Session(parse_config({**config.to_dict(), "seed": 1}))
    reseeded.train_epochs(2)
    assert reseeded.snapshot()["boundary"] != alone.snapshot()["boundary"]


def test_batch_norm_skips_a_last_batch_of_one_point():
    config = parse_config({"size": 42, "batch_size": 10, "batch_norm": True, "hidden": [4]})
    session = Session(config)  # 21 training points: batches of 10, 10 and 1
    assert session.steps_per_epoch == 3
    before = session.snapshot()
    session.train_epochs(5)
    view = session.snapshot()
    running_var = session.model[1].running_var.numpy()
    assert numpy.isfinite(running_var).all() and view["train_loss"] is not None
    assert view["train_loss"] < before["train_loss"]
    assert [len(layer) for layer in view["neurons"]] == [4]  # the activations, not the norm
    assert all(-1 <= v <= 1 for unit in view["neurons"][0] for v in unit)


def test_the_backward_trace_is_autograds_gradient_for_the_point():
    session = Session(parse_config({"hidden": [4, 3], "features": ["x1", "x2", "sin_x1"]}))
    session.train_epochs(2)
    trace = session.trace(1.5, -2.0, target=1)
    back = trace["backward"]
    assert back["target"] == 1
    kinds = [layer["kind"] for layer in back["layers"]]
    assert kinds == [layer["kind"] for layer in trace["layers"]]
    inputs = nl.tensor([[1.5, -2.0, numpy.sin(1.5)]])
    session.model.eval()
    session.model.zero_grad()
    loss = nl.functional.cross_entropy(session.model(inputs), nl.tensor([1]))
    loss.backward()
    assert back["loss"] == pytest.approx(loss.item(), rel=1e-2)
    linears = [layer for layer in session.model if isinstance(layer, nl.nn.Linear)]
    drawn = [layer for layer in back["layers"] if layer["kind"] == "Linear"]
    for layer, factors in zip(linears, drawn, strict=True):
        want = layer.weight.grad.numpy()
        numpy.testing.assert_allclose(factors["grad_weight"], want, rtol=6e-3, atol=1e-9)
        assert factors["local"] is None
    for layer in back["layers"]:
        if layer["kind"] == "Tanh":  # dL/dz = dL/da * da/dz, da/dz = 1 - tanh(z)^2 in (0, 1]
            product = numpy.multiply(layer["grad_output"], layer["local"])
            numpy.testing.assert_allclose(layer["grad_input"], product, rtol=2e-2, atol=1e-9)
            assert all(0 < v <= 1 for v in layer["local"])
    # without a target: the nearest training point's label
    nearest = numpy.argmin(((session.x_train - [1.5, -2.0]) ** 2).sum(1))
    assert session.trace(1.5, -2.0)["backward"]["target"] == session.y_train[nearest]
    with pytest.raises(ValueError, match=r"^target: expected a label, 0 or 1, got 3"):
        session.trace(0.0, 0.0, target=3)


def test_the_snapshot_carries_the_last_updates_batch_gradients():
    session = Session(parse_config({"hidden": [3], "l2": 0.01}))
    assert session.snapshot()["gradients"] == [None, None]  # no update yet
    seen = []
    step = session.optimizer.step

    def spy():
        seen.append([layer.weight.grad.numpy().copy() for layer in session.model[::2]])
        step()

    session.optimizer.step = spy
    session.train_steps(3)
    gradients = session.snapshot()["gradients"]
    assert [numpy.array(g).shape for g in gradients] == [(3, 2), (2, 3)]
    for got, want in zip(gradients, seen[-1], strict=True):
        numpy.testing.assert_allclose(got, want, rtol=6e-3, atol=1e-9)
    assert not numpy.allclose(seen[-1][0], seen[-2][0])  # not any earlier batch's


@pytest.mark.parametrize(("dataset", "inputs"), [("sine", 1), ("abs", 1), ("bump", 2)])
def test_a_regression_set_is_fitted_by_mean_squared_error(dataset, inputs):
    config = parse_config(
        {"dataset": dataset, "hidden": [8, 8], "optimizer": "adam", "noise": 0.05}
    )
    session = Session(config)
    before = session.snapshot()
    session.train_epochs(30)
    view = session.snapshot()
    json.dumps(view, allow_nan=False)
    assert view["task"] == "regression" and view["test_accuracy"] is None
    assert view["test_loss"] < 0.3 * before["test_loss"] and view["test_loss"] < 0.1
    # the test loss is the mean squared error of the predictions on the test points
    with nl.no_grad():
        session.model.eval()
        inputs_test = nl.tensor(features(session.x_test, config.features))
        predicted = session.model(inputs_test).numpy()[:, 0]
    assert view["test_loss"] == pytest.approx(((predicted - session.y_test) ** 2).mean(), rel=1e-3)
    train = numpy.array(before["points"]["train"])
    assert train.shape == (len(session.y_train), 3)
    numpy.testing.assert_allclose(train[:, 2], session.y_train, atol=1e-3)  # values, not labels
    assert len(view["boundary"]) == BOUNDARY_RESOLUTION**2
    if inputs == 1:
        curve = numpy.array(view["curve"])
        assert curve.shape == (CURVE_POINTS, 2) and (train[:, 1] == 0).all()
        truth = REGRESSION[dataset].f(curve[:, 0], 0 * curve[:, 0])
        assert numpy.abs(curve[:, 1] - truth).mean() < 0.2  # the fit follows the function
    else:
        assert "curve" not in view
        cells = grid(BOUNDARY_RESOLUTION)
        truth = REGRESSION[dataset].f(cells[:, 0], cells[:, 1])
        assert numpy.abs(numpy.array(view["boundary"]) - truth).mean() < 0.2


def test_a_regression_trace_predicts_a_value_and_backs_up_its_squared_error():
    session = Session(parse_config({"dataset": "plane", "hidden": [3]}))
    session.train_epochs(2)
    trace = session.trace(1.0, 2.0, target=0.5)
    assert "probability" not in trace and trace["backward"]["target"] == 0.5
    prediction = trace["prediction"]
    assert trace["layers"][-1]["values"] == [pytest.approx(prediction, abs=1e-3)]
    last = trace["backward"]["layers"][-1]
    assert last["grad_output"] == [pytest.approx(2 * (prediction - 0.5), rel=1e-2)]  # d(e^2)/de
    assert trace["backward"]["loss"] == pytest.approx((prediction - 0.5) ** 2, rel=1e-2)
    with pytest.raises(ValueError, match=r"^target: expected a finite number, got 'a'"):
        session.trace(0.0, 0.0, target="a")


def test_the_exported_script_fits_a_regression_set_as_the_session_does(tmp_path):
    config = parse_config({"dataset": "sine", "hidden": [8], "optimizer": "adam", "lr": 0.03})
    expected, stdout = _session_and_its_script(config, 15, tmp_path)
    expected = expected["test_loss"]
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("epoch 15 ") and "accuracy" not in last
    assert float(re.search(r"test loss (\S+)", last).group(1)) == pytest.approx(expected, abs=2e-4)


def test_cosine_annealing_and_warm_up_follow_their_formulas_epoch_by_epoch():
    import math

    cosine = Session(parse_config({"schedule": "cosine", "step_size": 4, "lr": 0.2}))
    warmup = Session(parse_config({"schedule": "warmup", "step_size": 4, "gamma": 0.25}))
    assert warmup.snapshot()["lr"] == pytest.approx(0.03 * 0.25)  # it starts low
    for epoch in range(1, 9):
        cosine.train_epochs(1)
        warmup.train_epochs(1)
        want = 0.2 * (1 + math.cos(math.pi * epoch / 4)) / 2  # 0 at epoch 4, back up by 8
        assert cosine.snapshot()["lr"] == pytest.approx(want, abs=1e-9)
        rise = 0.25 + 0.75 * min(epoch, 4) / 4
        assert warmup.snapshot()["lr"] == pytest.approx(0.03 * rise)
