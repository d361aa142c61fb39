"""Every page's code runs as written (tests/docs_blocks.py says how), and the shown
output is what it prints."""

from __future__ import annotations

import pytest
from docs_blocks import ROOT, blocks, pages, run_page


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_page_runs_as_written(page, neuralab_data, tmp_path):
    if not blocks(page.read_text()):
        pytest.skip("no python block")
    run_page(page, tmp_path)


def test_the_block_reader_pairs_code_with_its_output():
    text = "\n".join([
        "```python", "print(1 + 1)", "```", "", "```text", "2", "```",
        "<!-- no-run -->", "```python", "raise SystemExit", "```",
        "```sh", "make run", "```", "```python", "x = 3", "```", "text", "```text", "3", "```",
    ])  # fmt: skip
    found = blocks(text)
    assert [(b.code, b.expected) for b in found] == [("print(1 + 1)", "2\n"), ("x = 3", None)]
