"""The Chromium the browser tests drive (the lab's report, the playground)."""

from __future__ import annotations

import os

import pytest

from neuralab.lab.browser import chromium_path

REQUIRED = os.environ.get("NEURALAB_REQUIRE_SYSTEM") == "1"


def chromium_or_skip() -> str:
    """The Chromium to use; skips (or fails under NEURALAB_REQUIRE_SYSTEM=1) without one."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "Playwright is not installed (pip install -e '.[dev]')"
    else:
        executable = chromium_path()
        if executable is not None:
            return executable
        missing = "no Chromium found (apt-get install chromium, or set $CHROMIUM)"
    if REQUIRED:
        pytest.fail(f"NEURALAB_REQUIRE_SYSTEM=1 but {missing}")
    pytest.skip(missing)
