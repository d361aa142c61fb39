"""The code blocks of the README and of the documentation pages, run as a reader runs
them: page by page, every ```python block and every ``neuralab`` command of a shell
block, in page order, the Python in one namespace (as if pasted into one notebook), all
in one fresh folder.

Conventions (for authors of pages):
- A ```python block is run. A ```text block right after it (nothing but blank lines
  between) is what the block prints: its standard output must equal it (trailing spaces
  and blank lines at the end ignored). Print rounded values (``f"{loss:.3f}"``) so that
  the output is the same on every machine.
- A ```sh, ```bash or ```console block is run line by line (in a ```console block only
  the lines starting with ``$ ``; the others are output). A line ``neuralab ARGS`` runs
  as ``python -m neuralab ARGS`` with the interpreter running the tests (``VAR=value``
  prefixes set its environment; ``NEURALAB_DATA`` comes from the tests' fixture), in the
  page's folder, within ``COMMAND_TIMEOUT_S`` seconds, and must exit 0, or the status
  its comment gives when it starts with ``# exit N`` (``neuralab lab --set x=1  # exit
  2``). A ```text block right after it is the commands' standard output, as for Python.
- Installation lines are shown, not run: ``pip ...``, ``make ...``, ``git clone ...``,
  ``cd ...``, ``python -m venv ...``, ``source ...`` (and comments). Any other line
  (another program, a shell variable) makes the block an error unless it is marked
  ``<!-- no-run -->``, so nothing is left out of the tests by accident.
- A block preceded by the line ``<!-- no-run -->`` is shown but not run (a sketch that
  needs a cluster, the full lab's quarter of an hour); the page's text says why. Other
  languages (```toml, ```yaml, ```text) are never run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n"  # the opening fence and its language
    r"(?P<body>.*?)^(?P=indent)```[ \t]*$",  # the body, up to a closing fence as indented
    re.S | re.M,
)
SHELL = ("sh", "bash", "console")
INSTALL = re.compile(r"^(pip3?|make|git|cd|source|python3? -m (venv|pip))\b")
ENV = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*$")
EXIT = re.compile(r"#\s*exit (\d+)\b")
COMMAND_TIMEOUT_S = 120


@dataclass
class Command:
    """One ``neuralab`` line of a shell block: its arguments, extra environment and the
    exit status the page expects."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    status: int = 0


@dataclass
class Block:
    """One runnable block of a page: Python code (``code``) or ``neuralab`` commands
    (``commands``), the output shown after it (None when no ```text block follows),
    and its line in the page."""

    code: str
    expected: str | None
    line: int
    commands: list[Command] | None = None


def pages() -> list[Path]:
    """The README and every Markdown page under docs/, in a stable order."""
    docs = sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").is_dir() else []
    return [ROOT / "README.md", *docs]


def shell_commands(body: str, lang: str) -> list[Command]:
    """The ``neuralab`` commands of a shell block; ValueError for a line that is neither
    one nor an installation line (the block must then be marked ``<!-- no-run -->``)."""
    commands = []
    for raw in body.splitlines():
        line = raw.strip()
        if lang == "console":
            if not line.startswith("$ "):
                continue
            line = line[2:].strip()
        if not line or line.startswith("#") or INSTALL.match(line):
            continue
        status = EXIT.search(line)
        words = shlex.split(line, comments=True)
        env = {}
        while words and ENV.match(words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        if not words or words[0] != "neuralab":
            raise ValueError(
                f"{raw.strip()!r} is neither a neuralab command nor an installation line; "
                "mark the block <!-- no-run --> and say why in the text"
            )
        commands.append(Command(words[1:], env, int(status.group(1)) if status else 0))
    return commands


def blocks(text: str) -> list[Block]:
    """The page's runnable blocks, in order, each with the output shown after it."""
    found = list(FENCE.finditer(text))
    out = []
    for i, match in enumerate(found):
        lang = match.group("lang")
        if lang != "python" and lang not in SHELL:
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
        line = text.count("\n", 0, match.start()) + 1
        if lang == "python":
            out.append(Block(code, expected, line))
            continue
        try:
            commands = shell_commands(code, lang)
        except ValueError as error:
            raise ValueError(f"the {lang} block at line {line}: {error}") from None
        if commands:
            out.append(Block(code, expected, line, commands))
    return out


def _clean(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.rstrip().splitlines())


def run_command(command: Command, folder: Path, where: str) -> str:
    """Run one ``neuralab`` command in ``folder``; its standard output, or an
    AssertionError with its exit status and the end of its standard error."""
    env = {**os.environ, **command.env}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    shown = shlex.join(["neuralab", *command.args])
    try:
        done = subprocess.run(
            [sys.executable, "-m", "neuralab", *command.args],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{where}: `{shown}` ran past {COMMAND_TIMEOUT_S} s") from None
    if done.returncode != command.status:
        raise AssertionError(
            f"{where}: `{shown}` exited {done.returncode} where the page expects "
            f"{command.status}; its standard error ends:\n{done.stderr[-2000:]}"
        )
    return done.stdout


def run_page(page: Path, folder: Path) -> None:
    """Run every block of ``page`` in order with ``folder`` as the working directory
    (Python in one namespace); an AssertionError names the page, the block's line and
    what differed."""
    namespace: dict = {"__name__": "__main__"}
    where = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for block in blocks(page.read_text()):
            printed = io.StringIO()
            if block.commands is not None:
                for command in block.commands:
                    printed.write(run_command(command, folder, f"{where}:{block.line}"))
            else:
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
