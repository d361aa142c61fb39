"""Open a lab report in headless Chromium and check it: every image loads, the page raises
no JavaScript error and logs no console error, and no request fails. Optionally save a
full-page screenshot for a person to look at.

    python tools/check_report.py runs/lab/index.html [--screenshot runs/lab/screenshot.png]

Needs Playwright (``pip install playwright``, in the project's dev extra) and a Chromium
binary: Debian's ``chromium`` package (``/usr/bin/chromium``) or $CHROMIUM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

# Flags that keep Chromium off the network and quiet on a machine without a display.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """$CHROMIUM, else the first of chromium / chromium-browser / google-chrome on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def check_report(page_path: str | Path, screenshot: str | Path | None = None) -> dict:
    """Load the page; return {'title', 'images': [(src, loaded)], 'problems': [...]}."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $CHROMIUM")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(Path(page_path).resolve().as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.getAttribute('src'),"
                " i.complete && i.naturalWidth > 0])"
            )
            problems += [f"image did not load: {src}" for src, loaded in images if not loaded]
            title = page.title()
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"title": title, "images": [tuple(i) for i in images], "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="the report's index.html")
    parser.add_argument("--screenshot", help="write a full-page PNG screenshot here")
    args = parser.parse_args()
    result = check_report(args.page, args.screenshot)
    print(f"{result['title']}: {len(result['images'])} images")
    for problem in result["problems"]:
        print(problem)
    if args.screenshot:
        print(f"wrote {args.screenshot}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
