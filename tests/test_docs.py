"""Every page's code runs as written (tests/docs_blocks.py says how), and the shown
output is what it prints."""

from __future__ import annotations

import re

import pytest
from docs_blocks import ROOT, Command, blocks, pages, run_page, shell_commands


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_page_runs_as_written(page, neuralab_data, tmp_path, monkeypatch):
    """As a reader runs it after the documented install (NumPy only: the ``fast`` extra's
    LSTM computes exp and tanh itself, so its printed losses may differ in the last digit)."""
    if not blocks(page.read_text()):
        pytest.skip("no runnable block")
    monkeypatch.setenv("NEURALAB_NUMBA", "0")
    run_page(page, tmp_path)


def test_the_block_reader_pairs_code_with_its_output():
    text = "\n".join([
        "```python", "print(1 + 1)", "```", "", "```text", "2", "```",
        "<!-- no-run -->", "```python", "raise SystemExit", "```",
        "```sh", "make run", "```", "```python", "x = 3", "```", "text", "```text", "3", "```",
    ])  # fmt: skip
    found = blocks(text)
    assert [(b.code, b.expected) for b in found] == [("print(1 + 1)", "2\n"), ("x = 3", None)]


def test_shell_blocks_run_neuralab_lines_and_skip_installation_lines():
    body = "\n".join([
        "pip install 'neuralab[lab]'", "git clone URL && cd neuralab", "make test",
        "# a comment", "neuralab lab --list   # the studies",
        "NEURALAB_DATA=/data neuralab train --epochs 1 --out 'runs/a b'",
        "neuralab train --lr nan  # exit 2",
    ])  # fmt: skip
    assert shell_commands(body, "sh") == [
        Command(["lab", "--list"]),
        Command(["train", "--epochs", "1", "--out", "runs/a b"], {"NEURALAB_DATA": "/data"}),
        Command(["train", "--lr", "nan"], status=2),
    ]
    console = "$ neuralab summary --data digits\nModel: ...\n$ pip install neuralab"
    assert shell_commands(console, "console") == [Command(["summary", "--data", "digits"])]
    with pytest.raises(ValueError, match="no-run"):
        shell_commands("dask scheduler", "sh")
    with pytest.raises(ValueError, match="line 2"):
        blocks("\n```sh\nrm -rf runs\n```\n")
    assert blocks("<!-- no-run -->\n```sh\ndask scheduler\n```\n") == []


def test_a_shell_block_runs_and_its_exit_status_is_checked(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```sh\nneuralab train --lr nan  # exit 2\n```\n")
    run_page(page, tmp_path)  # exits 2, as the page says
    page.write_text("```sh\nneuralab train --lr nan\n```\n")
    with pytest.raises(AssertionError, match="exited 2 where the page expects 0"):
        run_page(page, tmp_path)


def test_the_readme_is_short_and_its_links_reach_their_pages():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    targets = re.findall(r"\]\(((?!https?://)[^)#\s]+)(?:#[^)]*)?\)", readme)
    assert any(t.startswith("docs/") for t in targets)
    for target in targets:
        assert (ROOT / target).exists(), target
