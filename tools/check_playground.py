"""Start the playground, open it in headless Chromium, train for a while and save a
screenshot for a person to look at; print what the page shows and any JavaScript error,
console error or failed request.

    .venv/bin/python tools/check_playground.py --screenshot runs/playground.png
    .venv/bin/python tools/check_playground.py --config 'dataset=spiral&hidden=8,8' --play 10
    .venv/bin/python tools/check_playground.py --config 'dataset=mnist' --screenshot mnist.png
    .venv/bin/python tools/check_playground.py --trace 2,-1 --element '#output-panel' \
        --screenshot runs/trace.png      # a point traced, the output column only

An image data set (``dataset=mnist``, ``dataset=fashion-mnist``) is read from ``--data-dir``
(default: ``$NEURALAB_DATA``, else ``../shared/datasets`` beside the repository, as the
Makefile does); in image mode the tool also checks that the sample predictions, the
confusion matrix and the filters are drawn, and prints the confusion matrix's summary.

Exit status 0 when the page is fine, 1 when a problem was found (each one printed), 2 when
no Chromium or Playwright was found. The server is the real one, ``python -m neuralab
playground`` on a free loopback port (``neuralab.playground.browser.serve``); the test
suite drives the same page (tests/test_playground_browser.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from neuralab.lab.browser import FLAGS, chromium_path
from neuralab.playground.browser import serve

SHOWN = "!isNaN(parseFloat(document.getElementById('test-loss').textContent))"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
IMAGE_VIEWS = """(() => ({
  samples: document.querySelectorAll('#samples figure[data-predicted]').length,
  filters: document.querySelectorAll('#filters canvas').length,
  confusion: document.getElementById('confusion-info').textContent,
}))()"""


def check_image_views(page: Any, problems: list[str]) -> None:
    """In image mode: the samples have predictions, the filters and the confusion matrix
    are drawn; prints the confusion matrix's summary."""
    if page.evaluate("document.body.dataset.mode") != "image":
        return
    views = page.evaluate(IMAGE_VIEWS)
    if views["samples"] != 16:
        problems.append(f"image mode: {views['samples']} sample predictions shown, not 16")
    if not views["filters"]:
        problems.append("image mode: no filters drawn")
    if not views["confusion"]:
        problems.append("image mode: no confusion matrix drawn")
    print(f"confusion matrix: {views['confusion']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", help="write a full-page PNG screenshot here")
    parser.add_argument(
        "--config",
        default="",
        help="settings as in the page's URL hash, e.g. 'dataset=xor&optimizer=adam'",
    )
    parser.add_argument("--play", type=float, default=5.0, help="seconds to train (default 5)")
    parser.add_argument(
        "--trace", help="after training, click the output picture at X1,X2 (e.g. '2,-1')"
    )
    parser.add_argument(
        "--element", help="screenshot only this element (a CSS selector, e.g. '#trace')"
    )
    parser.add_argument("--chromium", help="the Chromium binary (default: $CHROMIUM or PATH)")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("NEURALAB_DATA") or (str(SHARED) if SHARED.is_dir() else None),
        help="folder of the MNIST / Fashion-MNIST files (default: $NEURALAB_DATA, else "
        "../shared/datasets beside the repository)",
    )
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["NEURALAB_DATA"] = args.data_dir  # the server's, started below
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    executable = args.chromium or chromium_path()
    if executable is None:
        print("no Chromium found: install Debian's chromium or set $CHROMIUM", file=sys.stderr)
        return 2
    problems: list[str] = []
    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console error: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(url + ("#" + args.config if args.config else ""))
            try:
                page.wait_for_function(SHOWN, timeout=30_000)
            except PlaywrightTimeout:
                problems.append("the page showed no training state within 30 s")
                args.play = 0
            if args.play > 0:
                page.click("#play")
                time.sleep(args.play)
                page.click("#play")
            if args.trace:
                x1, x2 = (float(v) for v in args.trace.split(","))
                box = page.query_selector("#boundary").bounding_box()
                domain = page.evaluate("lastView.domain")
                position = {
                    "x": (x1 + domain) / (2 * domain) * box["width"],
                    "y": (domain - x2) / (2 * domain) * box["height"],
                }
                page.click("#boundary", position=position)
                page.wait_for_function("document.getElementById('trace').textContent !== ''")
                print(page.inner_text("#trace"))
            stats = " ".join(page.text_content(".stats").split())
            print(f"{url}: {stats}")
            check_image_views(page, problems)
            if page.is_visible("#error"):
                problems.append(f"the page shows an error: {page.text_content('#error')}")
            if args.screenshot:
                if args.element:
                    page.locator(args.element).screenshot(path=args.screenshot)
                else:
                    page.screenshot(path=args.screenshot, full_page=True)
                print(f"wrote {args.screenshot}")
        finally:
            browser.close()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
