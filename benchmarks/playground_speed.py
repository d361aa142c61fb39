"""The playground's speed: training steps per second and updates (snapshots) per second
for the 2-D default network (circles, 2-4-2-2 tanh, SGD, batch 10) with a browser
attached, against the same training without the server.

- without the server: ``Session.train_steps`` in a loop, in this process;
- with a browser: the real server (``python -m neuralab playground``) in a subprocess and
  the page in headless Chromium playing; the steps and the snapshots are read from the
  WebSocket frames the page receives.

    python benchmarks/playground_speed.py [--seconds 10]

Needs the playground extra, Playwright and a Chromium (as tests/test_playground_browser.py).
"""

from __future__ import annotations

import argparse
import time

from neuralab.lab.browser import FLAGS, chromium_path
from neuralab.playground.browser import serve
from neuralab.playground.model import Config
from neuralab.playground.session import Session


def without_server(seconds: float) -> float:
    """Training steps per second of the default session, no server, no snapshots."""
    session = Session(Config())
    session.train_steps(100)  # warm up
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        session.train_steps(100)
        steps += 100
    return steps / (time.perf_counter() - start)


# Before the page's script: every snapshot received while playing is recorded with the
# browser's clock, (time in s, step).
RECORD = """
window.__frames = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "snapshot" && message.playing) {
      window.__frames.push([performance.now() / 1000, message.step]);
    }
  });
  return socket;
};
window.WebSocket.OPEN = Native.OPEN;
"""


def with_browser(seconds: float) -> tuple[float, float]:
    """(training steps per second, snapshots per second) while the page plays."""
    from playwright.sync_api import sync_playwright

    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page()
            page.add_init_script(RECORD)
            page.goto(url)
            page.wait_for_function(
                "!isNaN(parseFloat(document.getElementById('test-loss').textContent))"
            )
            page.click("#play")
            page.wait_for_timeout((1.0 + seconds) * 1000)  # one second to settle, then measure
            frames = page.evaluate("window.__frames")
            page.click("#play")
        finally:
            browser.close()
    kept = [(t, s) for t, s in frames if t >= frames[0][0] + 1.0]
    (t0, s0), (t1, s1) = kept[0], kept[-1]
    return (s1 - s0) / (t1 - t0), (len(kept) - 1) / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    alone = without_server(args.seconds)
    steps, updates = with_browser(args.seconds)
    print(f"without the server: {alone:,.0f} training steps/s")
    print(f"with a browser:     {steps:,.0f} training steps/s ({steps / alone:.0%}), "
          f"{updates:.1f} updates/s")  # fmt: skip


if __name__ == "__main__":
    main()
