"""The code blocks of the README and of the documentation pages, run as a reader runs
them: page by page, every ```python block in order in one namespace (as if pasted into
one notebook), in a fresh folder.

Conventions (for authors of pages):
- A ```python block is run. A ```text block right after it (nothing but blank lines
  between) is what the block prints: its standard output must equal it (trailing spaces
  and blank lines at the end ignored). Print rounded values (``f"{loss:.3f}"``) so that
  the output is the same on every machine.
- A block preceded by the line ``<!-- no-run -->`` is shown but not run (e.g. a sketch
  that needs a cluster). Other languages (```sh, ```toml, ```console) are never run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n"  # the opening fence and its language
    r"(?P<body>.*?)^(?P=indent)```[ \t]*$",  # the body, up to a closing fence as indented
    re.S | re.M,
)


@dataclass
class Block:
    """One ```python block of a page: its code, the output shown after it (None when no
    ```text block follows), and its line in the page."""

    code: str
    expected: str | None
    line: int


def pages() -> list[Path]:
    """The README and every Markdown page under docs/, in a stable order."""
    docs = sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").is_dir() else []
    return [ROOT / "README.md", *docs]


def blocks(text: str) -> list[Block]:
    """The page's runnable blocks, each with the output shown after it."""
    found = list(FENCE.finditer(text))
    out = []
    for i, match in enumerate(found):
        if match.group("lang") != "python":
            continue
        before = text[: match.start()].rstrip().splitlines()
        if before and before[-1].strip() == "<!-- no-run -->":
            continue
        expected = None
        if i + 1 < len(found):
            nxt = found[i + 1]
            if nxt.group("lang") == "text" and not text[match.end() : nxt.start()].strip():
                expected = nxt.group("body")
        indent = len(match.group("indent"))
        code = "\n".join(line[indent:] for line in match.group("body").splitlines())
        out.append(Block(code, expected, text.count("\n", 0, match.start()) + 1))
    return out


def _clean(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.rstrip().splitlines())


def run_page(page: Path, folder: Path) -> None:
    """Run every block of ``page`` in order in one namespace with ``folder`` as the
    working directory; an AssertionError names the page, the block's line and what
    differed."""
    namespace: dict = {"__name__": "__main__"}
    where = page.relative_to(ROOT)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for block in blocks(page.read_text()):
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    exec(compile(block.code, f"{where}:{block.line}", "exec"), namespace)
            except Exception as error:
                raise AssertionError(
                    f"{where}, the block at line {block.line} raised "
                    f"{type(error).__name__}: {error}"
                ) from error
            if block.expected is not None and _clean(printed.getvalue()) != _clean(block.expected):
                raise AssertionError(
                    f"{where}, the block at line {block.line} printed\n{printed.getvalue()}\n"
                    f"where the page shows\n{block.expected}"
                )
    finally:
        os.chdir(cwd)
