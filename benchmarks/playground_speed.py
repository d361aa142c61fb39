"""The playground's speed: training steps per second and updates (snapshots) per second
with a browser attached, against the same training without the server, for the 2-D default
network (circles, 2-4-2-2 tanh, SGD, batch 10), the MNIST MLP default (5,000 training
images, 784-64-10 ReLU, Adam, batch 32; its heavy views counted apart) and LeNet-5 on the
same images.

- without the server: ``Session.train_steps`` in a loop, in this process;
- with a browser: the real server (``python -m neuralab playground``) in a subprocess and
  the page in headless Chromium playing; the steps and the snapshots are read from the
  WebSocket frames the page receives.

    python benchmarks/playground_speed.py [--seconds 10] [--case 2d|mnist|lenet5]

Needs the playground extra, Playwright and a Chromium (as tests/test_playground_browser.py);
the MNIST case reads the files from --data-dir ($NEURALAB_DATA, else ../shared/datasets).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from neuralab.lab.browser import FLAGS, chromium_path
from neuralab.playground.browser import serve
from neuralab.playground.image_session import session_for
from neuralab.playground.model import parse_config

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
CASES = {
    "2d": ("the 2-D default", {}, ""),
    "mnist": ("the MNIST MLP default", {"dataset": "mnist"}, "#dataset=mnist"),
    "lenet5": (
        "LeNet-5 on MNIST",
        {"dataset": "mnist", "architecture": "lenet5"},
        "#dataset=mnist&architecture=lenet5",
    ),
}
"""name -> (title, the configuration's settings, the page's link hash)."""


def without_server(settings: dict, seconds: float) -> float:
    """Training steps per second of the session, no server, no snapshots."""
    session = session_for(parse_config(settings))
    session.train_steps(100)  # warm up
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        session.train_steps(100)
        steps += 100
    return steps / (time.perf_counter() - start)


# Before the page's script: every snapshot received while playing is recorded with the
# browser's clock, (time in s, step, heavy).
RECORD = """
window.__frames = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "snapshot" && message.playing) {
      window.__frames.push([performance.now() / 1000, message.step, message.heavy !== false]);
    }
  });
  return socket;
};
window.WebSocket.OPEN = Native.OPEN;
"""


def with_browser(link: str, seconds: float) -> tuple[float, float, float]:
    """(training steps per second, snapshots per second, full snapshots per second) while
    the page plays."""
    from playwright.sync_api import sync_playwright

    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script(RECORD)
            page.goto(url + link)
            page.wait_for_function(
                "!isNaN(parseFloat(document.getElementById('test-loss').textContent))"
            )
            page.click("#play")
            page.wait_for_timeout((1.0 + seconds) * 1000)  # one second to settle, then measure
            frames = page.evaluate("window.__frames")
            page.click("#play")
        finally:
            browser.close()
    kept = [(t, s, heavy) for t, s, heavy in frames if t >= frames[0][0] + 1.0]
    (t0, s0, _), (t1, s1, _) = kept[0], kept[-1]
    full = sum(heavy for _, _, heavy in kept[1:])
    return (s1 - s0) / (t1 - t0), (len(kept) - 1) / (t1 - t0), full / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--case", choices=list(CASES), action="append")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("NEURALAB_DATA") or (str(SHARED) if SHARED.is_dir() else None),
        help="folder of the MNIST files (default: $NEURALAB_DATA, else ../shared/datasets)",
    )
    args = parser.parse_args()
    if args.data_dir:
        os.environ["NEURALAB_DATA"] = args.data_dir  # this process's and the server's
    for case in args.case or list(CASES):
        title, settings, link = CASES[case]
        alone = without_server(settings, args.seconds)
        steps, updates, full = with_browser(link, args.seconds)
        print(f"{title}:")
        print(f"  without the server: {alone:,.0f} training steps/s")
        print(f"  with a browser:     {steps:,.0f} training steps/s ({steps / alone:.0%}), "
              f"{updates:.1f} updates/s ({full:.1f}/s with every view)")  # fmt: skip


if __name__ == "__main__":
    main()
