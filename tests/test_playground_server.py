"""The playground's server (its pages, API and WebSocket protocol, through Starlette's
TestClient) and the ``neuralab playground`` command's arguments."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
from starlette.testclient import TestClient

from neuralab import cli
from neuralab.playground import server
from neuralab.playground.browser import free_port
from neuralab.playground.model import Config

SNAPSHOT_FIELDS = {
    "type", "epoch", "step", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
    "resolution", "neuron_resolution", "domain", "boundary", "neurons", "config", "playing",
}  # fmt: skip


@pytest.fixture
def client():
    with TestClient(server.create_app()) as client:
        yield client


def test_the_page_its_files_and_the_config_api(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<canvas id="boundary"' in page.text and "/static/app.js" in page.text
    for path in ("/static/app.js", "/static/style.css"):
        assert client.get(path).status_code == 200
    assert client.get("/static/missing.js").status_code == 404
    info = client.get("/api/config").json()
    assert info["defaults"] == Config().to_dict()
    assert info["choices"]["dataset"] == [
        "circles", "xor", "gauss", "spiral", "moons", "sine", "abs", "step", "plane", "bump",
        "mnist", "fashion-mnist",
    ]  # fmt: skip
    assert info["regression"] == {"sine": 1, "abs": 1, "step": 1, "plane": 2, "bump": 2}
    assert info["choices"]["architecture"] == ["mlp", "lenet5"]
    assert info["image_defaults"]["hidden"] == [64] and info["limits"]["image_width"] == 512
    assert "tanh" in info["choices"]["activation"] and "adam" in info["choices"]["optimizer"]


def test_config_then_step_answers_snapshots(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "xor", "hidden": [3], "size": 100})
        first = ws.receive_json()
        assert set(first) >= SNAPSHOT_FIELDS and "points" in first
        assert first["type"] == "snapshot" and first["epoch"] == 0 and not first["playing"]
        assert first["config"]["dataset"] == "xor" and first["config"]["hidden"] == [3]
        assert [len(layer) for layer in first["neurons"]] == [3]
        for _ in range(5):
            ws.send_json({"type": "step"})
            view = ws.receive_json()
        assert view["epoch"] == 5 and view["step"] == 25 and "points" not in view
        assert view["train_loss"] < first["train_loss"]
        ws.send_json({"type": "reset"})
        again = ws.receive_json()
        assert again["epoch"] == 0 and again["train_loss"] == first["train_loss"]


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"type": "config", "lr": -1}, "lr: expected a number in (0, 10], got -1"),
        ({"type": "config", "hidden": [4, 99]}, "hidden: expected an integer in [1, 16], got 99"),
        ({"type": "config", "dataset": "cifar10"}, "dataset: expected one of circles"),
        (
            {"type": "config", "architecture": "lenet5"},
            "architecture: lenet5 reads images; choose the data set mnist or fashion-mnist",
        ),
        ({"type": "config", "colour": "red"}, "colour: unknown setting"),
        (
            {"type": "fly"},
            "type: expected one of config, play, pause, step, reset, trace, export, weights",
        ),
        ({"type": "trace", "x1": 7, "x2": 0}, "x1: expected a number in [-6, 6], got 7"),
        ({"type": "trace", "x1": 0}, "x2: expected a number in [-6, 6], got None"),
        ([1, 2], "message: expected a JSON object"),
    ],
)
def test_a_bad_message_is_an_error_naming_the_field_and_the_session_lives_on(
    client, message, error
):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "moons"})
        before = ws.receive_json()
        ws.send_json(message)
        reply = ws.receive_json()
        assert reply["type"] == "error" and reply["message"].startswith(error)
        ws.send_json({"type": "step"})  # still serving, with the config it had
        after = ws.receive_json()
        assert after["type"] == "snapshot" and after["config"] == before["config"]


def test_text_that_is_not_json_is_an_error(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_text("{play")
        reply = ws.receive_json()
        assert reply["type"] == "error" and reply["message"].startswith("message: ")


def test_play_streams_snapshots_until_pause(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "circles"})
        ws.receive_json()
        start = time.perf_counter()
        ws.send_json({"type": "play"})
        views = [ws.receive_json() for _ in range(10)]
        elapsed = time.perf_counter() - start
        assert all(v["type"] == "snapshot" and v["playing"] for v in views)
        steps = [v["step"] for v in views]
        assert steps == sorted(steps) and steps[0] > 0 and len(set(steps)) == 10
        # INTERVAL apart (15 a second; benchmarks/playground_speed.py measures it with a
        # browser); twice that here, on a loaded test machine
        assert elapsed < 10 * 2 * server.INTERVAL
        ws.send_json({"type": "pause"})
        view = ws.receive_json()
        while view["playing"]:  # snapshots sent before the pause arrived
            view = ws.receive_json()
        ws.send_json({"type": "step"})
        stepped = ws.receive_json()
        assert not stepped["playing"] and stepped["step"] > view["step"]


def test_two_sockets_are_independent_sessions(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        a.send_json({"type": "config", "dataset": "xor", "hidden": [2]})
        b.send_json({"type": "config", "dataset": "spiral", "hidden": [6, 6]})
        view_a, view_b = a.receive_json(), b.receive_json()
        assert view_a["config"]["dataset"] == "xor" and view_b["config"]["dataset"] == "spiral"
        for _ in range(3):
            a.send_json({"type": "step"})
            view_a = a.receive_json()
        b.send_json({"type": "step"})
        view_b = b.receive_json()
        assert (view_a["epoch"], view_b["epoch"]) == (3, 1)
        assert [len(x) for x in view_b["neurons"]] == [6, 6]
        a.send_json({"type": "config", "lr": 5})
        b.send_json({"type": "step"})
        assert a.receive_json()["config"]["lr"] == 5
        assert b.receive_json()["config"]["lr"] == Config().lr


def test_export_sends_the_script_of_the_current_config(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "gauss", "optimizer": "rmsprop"})
        ws.receive_json()
        ws.send_json({"type": "export"})
        reply = ws.receive_json()
        assert reply["type"] == "script" and reply["filename"].endswith(".py")
        assert "make_dataset('gauss'" in reply["text"]
        assert "registry.make_optimizer('rmsprop'" in reply["text"]
        compile(reply["text"], reply["filename"], "exec")
        ws.send_json({"type": "export", "framework": "torch"})
        reply = ws.receive_json()
        assert reply["filename"] == "playground_torch.py"
        assert "make_dataset('gauss'" in reply["text"] and "torch.optim.RMSprop(" in reply["text"]
        compile(reply["text"], reply["filename"], "exec")
        ws.send_json({"type": "export", "framework": "jax"})
        reply = ws.receive_json()
        assert reply == {
            "type": "error",
            "message": "framework: expected neuralab or torch, got 'jax'",
        }


def test_closing_the_socket_stops_its_training(client, monkeypatch):
    tabs = []
    original = server._Tab.__init__

    def keep(self, socket):
        original(self, socket)
        tabs.append(self)

    monkeypatch.setattr(server._Tab, "__init__", keep)
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "play"})
        ws.receive_json()
    deadline = time.perf_counter() + 5
    while not tabs[0]._loop_task.done() and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert not tabs[0].playing and tabs[0]._loop_task.done()
    thread = f"{tabs[0].name}_"  # joined once the slice in flight has ended
    assert _wait_for(lambda: not any(name.startswith(thread) for name in _tab_threads()))
    step = tabs[0].session.step
    time.sleep(0.3)
    assert tabs[0].session.step == step


def _tab_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith(server.THREAD_PREFIX)}


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:
        time.sleep(0.02)
    return condition()


def test_two_playing_tabs_train_at_the_same_time_in_their_own_threads(client, monkeypatch):
    from neuralab.playground.session import Session

    slices = []  # (thread, start, end) of every training slice
    original = Session.train_for

    def timed(self, seconds):
        start = time.perf_counter()
        done = original(self, seconds)
        slices.append((threading.current_thread().name, start, time.perf_counter()))
        return done

    monkeypatch.setattr(Session, "train_for", timed)
    before = _tab_threads()
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        for ws in (a, b):
            ws.send_json({"type": "config", "dataset": "spiral", "hidden": [8, 8]})
            ws.receive_json()
            ws.send_json({"type": "play"})
        views = {"a": [], "b": []}
        for _ in range(8):  # both stream while the other plays
            views["a"].append(a.receive_json())
            views["b"].append(b.receive_json())
        for ws in (a, b):
            ws.send_json({"type": "pause"})
        threads = _tab_threads() - before
    assert all(v["playing"] and v["step"] > 0 for part in views.values() for v in part)
    names = {name for name, _, _ in slices}
    assert len(names) == 2 and names <= threads  # a thread per tab
    # with one thread for both, slices would take turns and never overlap in time
    first, second = sorted(names)
    overlaps = [
        (s, t)
        for s in slices
        if s[0] == first
        for t in slices
        if t[0] == second and s[1] < t[2] and t[1] < s[2]
    ]
    assert overlaps, slices


def test_closing_a_tab_joins_its_thread_and_many_tabs_leak_none(client):
    before = _tab_threads()
    with client.websocket_connect("/ws") as keep:
        keep.send_json({"type": "step"})
        keep.receive_json()
        kept = _tab_threads() - before
        assert len(kept) == 1
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "play"})
            ws.receive_json()
            assert len(_tab_threads() - before) == 2
        assert _wait_for(lambda: _tab_threads() - before == kept)  # only the closed one went
        for _ in range(20):
            with client.websocket_connect("/ws") as ws:
                ws.send_json({"type": "step"})
                ws.receive_json()
        assert _wait_for(lambda: _tab_threads() - before == kept)
        keep.send_json({"type": "step"})  # the other tab serves on
        assert keep.receive_json()["epoch"] == 2
    assert _wait_for(lambda: not _tab_threads() - before)


# --- the command ------------------------------------------------------------------------
@pytest.mark.parametrize("port", ["0", "65536", "-1", "http", "80.5"])
def test_the_command_refuses_a_bad_port(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["playground", "--port", port, "--no-browser"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and f"expected a port number 1-65535, got '{port}'" in err


@pytest.mark.parametrize(
    ("host", "warned"), [("127.0.0.1", False), ("localhost", False), ("0.0.0.0", True)]
)
def test_the_command_serves_on_loopback_and_warns_otherwise(host, warned, monkeypatch, capsys):
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    port = free_port()  # the command checks it can listen there before serving
    assert cli.main(["playground", "--host", host, "--port", str(port), "--no-browser"]) == 0
    assert served["host"] == host and served["port"] == port
    out, err = capsys.readouterr()
    assert f"http://{host}:{port}/" in out
    assert ("warning: listening on 0.0.0.0" in err) is warned


def test_the_default_address_is_loopback():
    args = cli.build_parser().parse_args(["playground"])
    assert (args.host, args.port, args.no_browser) == ("127.0.0.1", 8765, False)


def test_trace_answers_the_path_of_a_point(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "hidden": [2, 2]})
        ws.receive_json()
        ws.send_json({"type": "trace", "x1": -1, "x2": 2.5})
        reply = ws.receive_json()
        assert reply["type"] == "trace" and reply["point"] == [-1.0, 2.5]
        assert [layer["kind"] for layer in reply["layers"]] == ["Linear", "Tanh"] * 2 + ["Linear"]
        assert 0 <= reply["probability"] <= 1


def test_a_failure_inside_the_server_is_an_error_message_not_a_closed_socket(client, monkeypatch):
    from neuralab.playground.session import Session

    def broken(self, epochs=1):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(Session, "train_epochs", broken)
    monkeypatch.setattr(Session, "train_for", lambda self, seconds: broken(self))
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "step"})
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert reply["message"].startswith("internal error (ZeroDivisionError: a bug)")
        ws.send_json({"type": "play"})
        reply = ws.receive_json()
        assert reply["type"] == "error" and "ZeroDivisionError" in reply["message"]
        ws.send_json({"type": "reset"})  # still serving
        assert ws.receive_json()["type"] == "snapshot"


def test_weights_are_the_trained_models_state_dict_as_safetensors(client):
    import base64
    import io

    import numpy

    import neuralab as nl
    from neuralab.playground.data import features, grid
    from neuralab.playground.model import build_model, parse_config

    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "config", "dataset": "xor", "hidden": [3, 2]})
        ws.receive_json()
        for _ in range(3):
            ws.send_json({"type": "step"})
            view = ws.receive_json()
        ws.send_json({"type": "weights"})
        reply = ws.receive_json()
    assert reply["type"] == "weights" and reply["filename"].endswith(".safetensors")
    data = base64.b64decode(reply["base64"])
    state = nl.load(io.BytesIO(data))
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    config = parse_config(view["config"])
    model = build_model(config)  # fresh weights, then the trained ones loaded
    model.load_state_dict(state)
    with nl.no_grad():
        inputs = nl.tensor(features(grid(50), config.features))
        p = nl.functional.softmax(model(inputs), dim=1).numpy()[:, 1]
    numpy.testing.assert_allclose(p, view["boundary"], atol=1e-3)  # the page's boundary


def test_a_port_in_use_is_one_line_and_exit_status_1(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["playground", "--port", str(port), "--no-browser"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"neuralab playground: error: cannot listen on 127.0.0.1 port {port}: ")
    assert "in use" in err and len(err.splitlines()) == 1


def test_ctrl_c_stops_the_server_with_one_line_and_status_0():
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    command = [sys.executable, "-m", "neuralab", "playground", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # until it serves the page
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        process.send_signal(signal.SIGINT)  # what Ctrl+C sends
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    assert process.returncode == 0
    assert out.startswith(f"neuralab playground: http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    assert err.strip() == "neuralab playground: stopped"  # no traceback, no server log
