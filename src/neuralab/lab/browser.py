"""Open a lab report in headless Chromium and check what a reader would see: every image
loads (``naturalWidth > 0``), the page raises no JavaScript error, logs no console error
and no request fails, and every link of the table of contents points at a section of the
page. Optionally save a full-page screenshot for a person to look at.

    python tools/check_report.py runs/lab/index.html --screenshot runs/lab/screenshot.png

Needs Playwright (``pip install playwright``, in the project's dev extra) and a Chromium
binary: ``$CHROMIUM``, else Debian's ``chromium`` package (``/usr/bin/chromium``) or
another chromium / google-chrome on PATH. Playwright's own browser download is not needed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from neuralab.safe_io import atomic_write

__all__ = ["FLAGS", "ReportCheck", "check_report", "chromium_path"]

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

_IMAGES = (
    "Array.from(document.images).map(i => [i.getAttribute('src'),"
    " i.complete && i.naturalWidth > 0])"
)
# In-page links and whether the element they name exists.
_LINKS = (
    "Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => [a.getAttribute('href'),"
    " document.getElementById(decodeURIComponent(a.hash.slice(1))) !== null])"
)


@dataclass
class ReportCheck:
    """What the browser saw: the page's title, each image's src and whether it loaded,
    each in-page link and whether its target exists, and the problems found (empty when
    the page is fine)."""

    title: str
    images: list[tuple[str, bool]] = field(default_factory=list)
    links: list[tuple[str, bool]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def chromium_path() -> str | None:
    """$CHROMIUM, else the first of chromium / chromium-browser / google-chrome on PATH,
    else /usr/bin/chromium if it exists; None when there is none."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def check_report(
    page_path: str | Path,
    screenshot: str | Path | None = None,
    executable: str | None = None,
    timeout_ms: float = 60_000,
) -> ReportCheck:
    """Load ``page_path`` (a file) in headless Chromium (``executable``, default
    ``chromium_path()``) and return what it saw; write a full-page PNG to ``screenshot``
    if given. Raises FileNotFoundError when the page or a Chromium is missing."""
    from playwright.sync_api import sync_playwright

    page_file = Path(page_path).resolve()
    if not page_file.is_file():
        raise FileNotFoundError(f"check_report: no page at {page_file}")
    executable = executable or chromium_path()
    if executable is None:
        raise FileNotFoundError(
            "check_report: no Chromium found: install Debian's chromium or set $CHROMIUM"
        )
    if shutil.which(executable) is None:
        raise FileNotFoundError(
            f"check_report: the Chromium {executable!r} is not an executable file "
            "(install Debian's chromium or set $CHROMIUM to one)"
        )
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"console {message.type}: {message.text}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(timeout_ms)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", on_console)
            page.on(
                "requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
            )
            page.goto(page_file.as_uri(), wait_until="load")
            images = [(src, bool(loaded)) for src, loaded in page.evaluate(_IMAGES)]
            links = [(href, bool(found)) for href, found in page.evaluate(_LINKS)]
            title = page.title()
            if screenshot is not None:
                atomic_write(screenshot, page.screenshot(full_page=True))
        finally:
            browser.close()
    problems += [f"image did not load: {src}" for src, loaded in images if not loaded]
    problems += [f"link to nothing: {href}" for href, found in links if not found]
    return ReportCheck(title, images, links, problems)
