"""The lab's report as a reader sees it: opened in headless Chromium (Debian's chromium,
driven by Playwright), every image loads, the page raises no error, logs no console
error, no request fails, and the table of contents links to every section. Skipped when
Playwright or Chromium is missing, unless NEURALAB_REQUIRE_SYSTEM=1 (as on CI), where a
missing browser is a failure."""

from __future__ import annotations

import re

import pytest
from chromium import chromium_or_skip

from neuralab import lab
from neuralab.lab.browser import check_report


@pytest.fixture(scope="module")
def browser() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A small real report: two cheap studies on small settings, one seed."""
    out = tmp_path_factory.mktemp("report")
    page = lab.run_studies(
        ["forward_pass", "perceptron"],
        seeds=1,
        out=out,
        log=None,
        overrides={"perceptron": {"epochs": 6, "mlp_steps": 100, "restarts": 2}},
    )
    return page


def test_the_report_opens_cleanly_in_chromium(browser, report, tmp_path):
    html = report.read_text()
    expected_images = re.findall(r'<img src="([^"]+)"', html)
    assert len(expected_images) >= 3
    shot = tmp_path / "screenshot.png"
    result = check_report(report, screenshot=shot, executable=browser)
    assert result.problems == []
    assert result.title.startswith("neuralab lab report")
    # every image of the page was there and decoded
    assert [src for src, _ in result.images] == expected_images
    assert all(loaded for _, loaded in result.images)
    # the table of contents: one link per study, each to its section
    assert [href for href, _ in result.links] == ["#forward_pass", "#perceptron"]
    assert all(found for _, found in result.links)
    # the screenshot step a person runs (tools/check_report.py --screenshot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_check_catches_a_broken_page(browser, tmp_path):
    """The checker itself can fail: a missing image, a script error and a dangling link."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>broken</title></head><body>"
        '<a href="#here">here</a> <a href="#nowhere">nowhere</a><h2 id="here">here</h2>'
        '<img src="images/missing.png" alt="missing">'
        "<script>throw new Error('boom')</script></body></html>"
    )
    result = check_report(page, executable=browser)
    assert not result.ok
    text = "\n".join(result.problems)
    assert "image did not load: images/missing.png" in text
    assert "page error: " in text and "boom" in text
    assert "request failed: " in text and "missing.png" in text
    assert "link to nothing: #nowhere" in text and "#here" not in text


def test_a_missing_page_or_chromium_is_named(tmp_path):
    """No browser is started: both problems are found before, as FileNotFoundError."""
    pytest.importorskip("playwright")
    with pytest.raises(FileNotFoundError, match="no page at"):
        check_report(tmp_path / "none.html")
    page = tmp_path / "index.html"
    page.write_text("<html><body>empty</body></html>")
    with pytest.raises(FileNotFoundError, match=r"'/nonexistent' is not an executable file"):
        check_report(page, executable="/nonexistent")
