"""The playground server's protocol in image mode (Starlette's TestClient): choosing MNIST
switches the tab to an image session, steps and play answer image snapshots (light ones
while playing), export and weights work for the image networks, and missing files are an
error message that leaves the session as it was."""

from __future__ import annotations

import base64
import io
import time

import numpy
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
from starlette.testclient import TestClient

import neuralab as nl
from neuralab.playground import server
from neuralab.playground.model import build_model, parse_config

SMALL = {"train_size": 500, "test_size": 200}


@pytest.fixture
def client():
    with TestClient(server.create_app()) as client:
        yield client


def test_choosing_mnist_switches_to_images_and_back(client, neuralab_data):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "mnist", **SMALL})
        view = ws.receive_json()
        assert view["type"] == "snapshot" and view["mode"] == "image" and view["heavy"]
        assert view["config"]["hidden"] == [64] and view["config"]["optimizer"] == "adam"
        assert view["classes"] == [str(d) for d in range(10)] and len(view["predictions"]) == 16
        assert numpy.array(view["confusion"]).sum() == 200
        assert "boundary" not in view and "points" not in view
        ws.send_json({"type": "step"})
        stepped = ws.receive_json()
        assert stepped["epoch"] == 1 and stepped["step"] == 16 and stepped["heavy"]
        assert stepped["test_step"] == 16 and stepped["test_loss"] < view["test_loss"]
        assert "samples" not in stepped  # the images come once per configuration
        ws.send_json({"type": "config", "architecture": "lenet5"})
        lenet = ws.receive_json()
        assert lenet["config"]["architecture"] == "lenet5" and lenet["epoch"] == 0
        assert lenet["filters"]["count"] == 6 and "samples" in lenet
        ws.send_json({"type": "trace", "x1": 0, "x2": 0})
        assert ws.receive_json() == {
            "type": "error",
            "message": "trace: following a point needs a 2-D data set, not images",
        }
        ws.send_json({"type": "config", "dataset": "xor"})
        back = ws.receive_json()
        assert "mode" not in back and "points" in back and back["config"]["hidden"] == [4, 2]
        assert back["config"]["architecture"] == "mlp"


def test_play_sends_light_snapshots_and_pause_a_full_one(client, neuralab_data):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "fashion-mnist", **SMALL})
        ws.receive_json()
        start = time.perf_counter()
        ws.send_json({"type": "play"})
        views = [ws.receive_json() for _ in range(12)]
        elapsed = time.perf_counter() - start
        assert all(v["type"] == "snapshot" and v["playing"] for v in views)
        steps = [v["step"] for v in views]
        assert steps == sorted(steps) and steps[-1] > steps[0]
        light = [v for v in views if not v["heavy"]]
        assert light and all("confusion" not in v and "filters" not in v for v in light)
        assert elapsed < 30  # about 15 a second on an idle core
        ws.send_json({"type": "pause"})
        while (view := ws.receive_json())["playing"]:
            pass
        assert view["heavy"] and view["test_step"] == view["step"] and "confusion" in view


def test_export_and_weights_of_an_image_network(client, neuralab_data):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "mnist", "hidden": [16], **SMALL})
        ws.receive_json()
        ws.send_json({"type": "step"})
        view = ws.receive_json()
        ws.send_json({"type": "export"})
        neuralab = ws.receive_json()
        ws.send_json({"type": "export", "framework": "torch"})
        torch = ws.receive_json()
        ws.send_json({"type": "weights"})
        weights = ws.receive_json()
    assert "load_images('mnist', 500, 200, seed=0)" in neuralab["text"]
    assert "EPOCHS = 10" in neuralab["text"]  # an image script trains 10 epochs by default
    assert "MLP(784, [16], 10" in neuralab["text"] and "torch.optim.Adam(" in torch["text"]
    compile(neuralab["text"], neuralab["filename"], "exec")
    compile(torch["text"], torch["filename"], "exec")
    state = nl.load(io.BytesIO(base64.b64decode(weights["base64"])))
    assert state["0.weight"].shape == (16, 784)
    model = build_model(parse_config(view["config"]))
    model.load_state_dict(state)  # the trained weights: the page's test loss again
    (_, _), (x_test, y_test) = _subset(view["config"])
    model.eval()
    with nl.no_grad():
        loss = nl.functional.cross_entropy(
            model(nl.tensor(x_test.reshape(-1, 784))), nl.tensor(y_test)
        )
    assert loss.item() == pytest.approx(view["test_loss"], abs=1e-4)


def _subset(config):
    from neuralab.playground.images import load_images

    return load_images(config["dataset"], config["train_size"], config["test_size"], config["seed"])


def test_missing_files_are_an_error_and_the_session_lives_on(client, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "moons"})
        before = ws.receive_json()
        ws.send_json({"type": "config", "dataset": "mnist"})
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert reply["message"].startswith("dataset: the MNIST files were not found")
        assert "NEURALAB_DATA" in reply["message"] and "mnist/" in reply["message"]
        ws.send_json({"type": "step"})
        after = ws.receive_json()
        assert after["config"] == before["config"] and after["epoch"] == 1
