"""The playground's web app (Starlette): the page, its files and one WebSocket per tab.

Routes:

- ``GET /``: the page (``static/index.html``); ``/static/...``: its script and style;
- ``GET /api/config``: the default configuration, the choices of every control and the
  regression sets (name -> 1 or 2 inputs);
- ``/ws``: the session of one tab. The page sends JSON messages
  ``{"type": "config", FIELD: VALUE, ...}`` (change settings, start over), ``{"type":
  "play"}``, ``"pause"``, ``"step"`` (one epoch), ``"reset"``, ``{"type": "trace", "x1":
  X1, "x2": X2}`` (optionally ``"target"``, the point's label or value), ``{"type":
  "export", "framework": "neuralab" | "torch"}`` and ``"weights"``; the server answers
  ``{"type": "snapshot", ...}``
  (``Session.snapshot`` plus ``config`` and ``playing``), ``{"type": "trace", ...}``
  (``Session.trace``: the point's path through the network and back), ``{"type": "script",
  "filename": ..., "text": ...}`` for ``export``, ``{"type": "weights", "filename": ...,
  "base64": ...}`` (``Session.weights``, safetensors) for ``weights``, and
  ``{"type": "error", "message": ...}`` for a bad message or value (the session is left as
  it was). An image data set (``mnist``, ``fashion-mnist``) gives the tab an
  ``ImageSession``, whose snapshots while playing are light (``"heavy": false``).

Each tab's session runs in its own worker thread (``_Tab.worker``, named
``THREAD_PREFIX``-N), never on the event loop; while playing, the server trains, sends a
snapshot, and again, every ``INTERVAL`` seconds, so each playing tab gets about 1 /
INTERVAL updates a second, at the same time as the others (no turn-taking; neuralab's grad
mode is per thread, so one tab's ``no_grad`` snapshot leaves another tab's step alone).
Closing the tab (the socket) stops its training and joins its thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from neuralab.models import ACTIVATIONS
from neuralab.playground import export
from neuralab.playground.data import DATASETS, DOMAIN, FEATURES
from neuralab.playground.image_session import session_for
from neuralab.playground.images import (
    ARCHITECTURES,
    IMAGE_DATASETS,
    IMAGE_DEFAULTS,
    MAX_IMAGE_WIDTH,
)
from neuralab.playground.model import (
    INITS,
    MAX_LAYERS,
    MAX_WIDTH,
    OPTIMIZERS,
    SCHEDULES,
    Config,
    parse_config,
)
from neuralab.playground.regression import REGRESSION
from neuralab.playground.session import Session

__all__ = ["INTERVAL", "THREAD_PREFIX", "create_app"]

STATIC = Path(__file__).parent / "static"
_LOG = logging.getLogger(__name__)
INTERVAL = 1 / 15
"""Seconds from one snapshot to the next while playing (15 updates a second when the
machine keeps up): training, then the snapshot, whose time is taken from the next
training slice (which keeps at least a fifth of INTERVAL)."""
THREAD_PREFIX = "neuralab-playground-tab"
"""The name of each tab's worker thread: ``THREAD_PREFIX``-N_0 (N counts the tabs)."""
_TABS = itertools.count(1)


def _internal(error: Exception) -> str:
    return f"internal error ({type(error).__name__}: {error}); the server's log has the details"


def _coordinate(name: str, value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not -DOMAIN <= value <= DOMAIN:
        raise ValueError(f"{name}: expected a number in [-{DOMAIN:g}, {DOMAIN:g}], got {value!r}")
    return float(value)


class _Tab:
    """One WebSocket's session and its play loop. Every use of the session runs in the
    tab's own thread (``worker``), one at a time (``_lock``); the play loop stops at
    ``pause`` or a closed socket, and ``close`` joins the thread."""

    def __init__(self, socket: WebSocket) -> None:
        self.socket = socket
        self.session: Session | None = None
        self.playing = False
        self._lock = asyncio.Lock()
        self._loop_task: asyncio.Task | None = None
        self.name = f"{THREAD_PREFIX}-{next(_TABS)}"  # its thread: {name}_0
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name)

    async def run(self, work: Any, *args: Any) -> Any:
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self.worker, work, *args)

    async def snapshot(self, full: bool = True) -> None:
        assert self.session is not None
        view = await self.run(self.session.snapshot, full)
        view["config"] = self.session.config.to_dict()
        view["playing"] = self.playing
        await self.socket.send_json(view)

    async def _play(self) -> None:
        clock = asyncio.get_running_loop().time
        overhead = 0.0  # seconds the last snapshot took to make and send
        try:
            while self.playing:
                assert self.session is not None
                await self.run(self.session.train_for, max(0.2 * INTERVAL, INTERVAL - overhead))
                if self.playing:
                    start = clock()
                    await self.snapshot(full=False)
                    overhead = clock() - start
        except Exception as error:
            self.playing = False
            if self.socket.client_state != WebSocketState.CONNECTED:
                return  # the tab is gone (a send failed): _socket cleans up
            _LOG.exception("playground: training failed")  # a failure in training: say so
            with contextlib.suppress(Exception):
                await self.socket.send_json({"type": "error", "message": _internal(error)})

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if self.session is None:
            self.session = await self.run(Session, Config())
        if kind == "config":
            values = {k: v for k, v in message.items() if k != "type"}
            config = parse_config(values, base=self.session.config)
            self.session = await self.run(session_for, config, self.session)
            await self.snapshot()
        elif kind == "play":
            self.playing = True
            if self._loop_task is None or self._loop_task.done():
                self._loop_task = asyncio.create_task(self._play())
        elif kind == "pause":
            self.playing = False
            await self.snapshot()
        elif kind == "step":
            self.playing = False
            await self.run(self.session.train_epochs, 1)
            await self.snapshot()
        elif kind == "reset":
            await self.run(self.session.reset)
            await self.snapshot()
        elif kind == "trace":
            x1 = _coordinate("x1", message.get("x1"))
            x2 = _coordinate("x2", message.get("x2"))
            target = message.get("target")
            await self.socket.send_json(await self.run(self.session.trace, x1, x2, target))
        elif kind == "weights":
            data = await self.run(self.session.weights)
            await self.socket.send_json(
                {
                    "type": "weights",
                    "filename": "playground_model.safetensors",
                    "base64": base64.b64encode(data).decode("ascii"),
                }
            )
        elif kind == "export":
            framework = message.get("framework", "neuralab")
            if framework not in ("neuralab", "torch"):
                raise ValueError(f"framework: expected neuralab or torch, got {framework!r}")
            write = export.script if framework == "neuralab" else export.torch_script
            epochs = max(self.session.epoch, self.session.export_epochs)
            text = write(self.session.config, epochs=epochs)
            filename = "playground_model.py" if framework == "neuralab" else "playground_torch.py"
            await self.socket.send_json({"type": "script", "filename": filename, "text": text})
        else:
            raise ValueError(
                "type: expected one of config, play, pause, step, reset, trace, export, weights, "
                f"got {kind!r}"
            )

    async def close(self) -> None:
        """Stop playing, let the slice in flight end, and join the tab's thread (waiting
        in another thread, so the event loop serves the other tabs meanwhile). The thread
        ends after its slice even if this is cancelled (as a test client does)."""
        self.playing = False
        self.worker.shutdown(wait=False)  # takes no more work; the play loop sees playing
        if self._loop_task is not None:
            with contextlib.suppress(Exception):
                await self._loop_task
        await asyncio.to_thread(self.worker.shutdown, wait=True)


async def _socket(websocket: WebSocket) -> None:
    await websocket.accept()
    tab = _Tab(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise ValueError(f"message: expected a JSON object, got {text[:80]!r}")
                await tab.handle(message)
            except json.JSONDecodeError as error:
                await websocket.send_json({"type": "error", "message": f"message: {error}"})
            except ValueError as error:
                await websocket.send_json({"type": "error", "message": str(error)})
            except (WebSocketDisconnect, asyncio.CancelledError):
                raise
            except Exception as error:  # a bug, not a bad value: say so, keep serving
                _LOG.exception("playground: %r failed", text[:80])
                await websocket.send_json({"type": "error", "message": _internal(error)})
    except WebSocketDisconnect:
        pass
    finally:
        await tab.close()


async def _page(request: Any) -> FileResponse:
    return FileResponse(STATIC / "index.html")


async def _config(request: Any) -> JSONResponse:
    return JSONResponse(
        {
            "defaults": Config().to_dict(),
            "choices": {
                "dataset": [*DATASETS, *REGRESSION, *IMAGE_DATASETS],
                "image_dataset": list(IMAGE_DATASETS),
                "architecture": list(ARCHITECTURES),
                "features": list(FEATURES),
                "activation": list(ACTIVATIONS),
                "init": list(INITS),
                "optimizer": list(OPTIMIZERS),
                "schedule": list(SCHEDULES),
            },
            "limits": {"layers": MAX_LAYERS, "width": MAX_WIDTH, "image_width": MAX_IMAGE_WIDTH},
            "image_defaults": IMAGE_DEFAULTS,
            "regression": {name: shape.inputs for name, shape in REGRESSION.items()},
        }
    )


def create_app() -> Starlette:
    """The playground's Starlette app (serve it with uvicorn).

    Returns:
        The app.

    Examples:
        >>> from starlette.testclient import TestClient
        >>> from neuralab.playground.server import create_app
        >>> TestClient(create_app()).get("/api/config").json()["defaults"]["dataset"]
        'circles'
    """
    return Starlette(
        routes=[
            Route("/", _page),
            Route("/api/config", _config),
            WebSocketRoute("/ws", _socket),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
