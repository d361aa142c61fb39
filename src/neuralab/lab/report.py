"""The lab's report: each study's section (its question, settings, tables, plots and the
reading of its numbers) rendered into one HTML page with a table of contents, the plots
as PNG files beside it in ``images/``, and every number in ``results.json`` (strict
JSON: a NaN or infinite number is written as null and named under ``non_finite``). Every
file is written atomically (a temporary file renamed into place)."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neuralab.io import atomic_write
from neuralab.lab.findings import Reading

__all__ = ["Figure", "Pre", "Reading", "Section", "Table", "Text", "write_report"]


@dataclass
class Table:
    """A report block: a table of already formatted cells.

    Args:
        title: The table's caption.
        columns: The column headers.
        rows: The rows of cells.
        note: A note under the table. Defaults to ''.

    Examples:
        >>> from neuralab.lab.report import Table
        >>> Table("Accuracy", ["optimizer", "test accuracy"], [["SGD", "90.0 %"]]).columns
        ['optimizer', 'test accuracy']
    """

    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Figure:
    r"""A report block: a matplotlib figure and what it shows.

    ``render()`` turns it into PNG bytes once (and lets the figure go); the report writes
    those bytes.

    Args:
        figure: The matplotlib figure.
        title: What it shows.
        caption: The caption. Defaults to ''.
        png: The rendered PNG bytes. Defaults to None (rendered on demand).

    Examples:
        >>> from matplotlib.figure import Figure as MatplotlibFigure
        >>> from neuralab.lab.report import Figure
        >>> block = Figure(MatplotlibFigure(figsize=(2, 1)), "Loss")
        >>> block.render()[:4], block.figure
        (b'\x89PNG', None)
    """

    figure: Any
    title: str
    caption: str = ""
    png: bytes | None = field(default=None, repr=False)

    def render(self) -> bytes:
        if self.png is None:
            self.png = _png(self.figure)
            self.figure = None  # the PNG is all the report needs: free the figure's memory
        return self.png


@dataclass
class Text:
    """A report block: paragraphs of reading, written from the study's numbers.

    Args:
        *paragraphs: The paragraphs (empty ones are dropped).

    Examples:
        >>> from neuralab.lab.report import Text
        >>> Text("First.", "", "Second.").paragraphs
        ['First.', 'Second.']
    """

    paragraphs: list[str]

    def __init__(self, *paragraphs: str) -> None:
        self.paragraphs = [p for p in paragraphs if p]


@dataclass
class Pre:
    """A report block: preformatted text (a worked computation, a trace).

    Args:
        text: The text.
        title: Its title. Defaults to ''.

    Examples:
        >>> from neuralab.lab.report import Pre
        >>> Pre("z = w x + b = 0.7", title="One neuron").title
        'One neuron'
    """

    text: str
    title: str = ""


@dataclass
class Section:
    """One study's part of the report.

    Args:
        name: The study's name (the section's anchor).
        title: The section's title.
        question: The question the study answers.
        settings: The settings it ran with.
        seeds: The seeds.
        seconds: The time it took.
        blocks: Its report blocks. Defaults to [].

    Examples:
        >>> from neuralab.lab.report import Section, Text
        >>> section = Section("toy", "A toy", "Does it run?", {"n": 2}, [0, 1], 0.1,
        ...                   [Text("It runs.")])
        >>> len(section.blocks)
        1
    """

    name: str
    title: str
    question: str
    settings: dict[str, Any]
    seeds: list[int]
    seconds: float
    blocks: list[Any] = field(default_factory=list)


STATISTICS = (
    "How to read the numbers: every study runs each of its conditions with every seed. A "
    "number is the mean over the seeds, and ± gives the half-width of its 95 % confidence "
    "interval (Student's t; with 2 seeds the t quantile is 12.7, so intervals are wide). "
    "Where that interval would pass the range a quantity can take (a fraction below 0 or "
    "above 100 %, a count, loss or time below 0), it is cut at the bound and written out "
    "as mean [low, high]; error bars and bands are cut the same way. Comparisons between "
    "conditions use the paired t-test over seeds."
)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #222; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 2.5em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; } caption { font-weight: bold; text-align: left; padding: 0.3em 0; }
.question { font-style: italic; font-size: 1.05em; }
.settings { color: #555; font-size: 0.85em; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #444; font-size: 0.9em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #666; font-size: 0.85em; }
ul.toc { list-style: none; padding-left: 0.5em; } ul.toc li { margin: 0.3em 0; }
"""


def _cell(value: Any) -> str:
    return html.escape(str(value))


def _table(block: Table) -> str:
    head = "".join(f"<th>{_cell(c)}</th>" for c in block.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in block.rows
    )
    note = f'<p class="note">{_cell(block.note)}</p>' if block.note else ""
    return (
        f"<table><caption>{_cell(block.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    # zlib level 1: a fifth less time than the default 6 for files 4 % larger
    figure.savefig(buffer, format="png", dpi=100, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _section(section: Section, images: Path) -> str:
    parts = [
        f'<h2 id="{_cell(section.name)}">{_cell(section.title)}</h2>',
        f'<p class="question">{_cell(section.question)}</p>',
        '<p class="settings">Settings: '
        + ", ".join(f"{_cell(k)} = {_cell(v)}" for k, v in section.settings.items())
        + f"; seeds {_cell(section.seeds)}; ran in {section.seconds:.1f} s.</p>",
    ]
    figures = 0
    for block in section.blocks:
        if isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, (Text, Reading)):
            parts.extend(f"<p>{_cell(p)}</p>" for p in block.paragraphs)
        elif isinstance(block, Pre):
            title = f"<p><b>{_cell(block.title)}</b></p>" if block.title else ""
            parts.append(f"{title}<pre>{_cell(block.text)}</pre>")
        elif isinstance(block, Figure):
            figures += 1
            name = f"{section.name}-{figures}.png"
            atomic_write(str(images / name), block.render())
            caption = f"<b>{_cell(block.title)}.</b> {_cell(block.caption)}"
            parts.append(
                f'<figure><img src="images/{name}" alt="{_cell(block.title)}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        else:
            raise TypeError(f"report: unknown block {type(block).__name__} in {section.name}")
    return "\n".join(parts)


NON_FINITE_NOTE = (
    "These numbers were NaN or infinite (a run that diverged, or a quantity that is "
    "undefined); JSON has no such numbers, so each is written as null here and named below "
    "with what it was."
)


def results_json(results: dict[str, Any]) -> str:
    """results.json's text: strict JSON (RFC 8259), which every JSON reader accepts. A
    NaN or infinite number is written as null, and a top-level ``non_finite`` entry
    names each one ({"note": ..., "values": {dotted path: "nan" | "inf" | "-inf"}})."""
    from neuralab.strict_json import finite_or_null

    clean, found = finite_or_null(results)
    if found:
        clean["non_finite"] = {"note": NON_FINITE_NOTE, "values": found}
    return json.dumps(clean, indent=1, allow_nan=False)


def write_report(
    sections: Sequence[Section], out: str | Path, results: dict[str, Any], title: str
) -> Path:
    """Writes the report: ``out/index.html`` (with ``out/images/*.png``) and ``out/results.json``.

    Every file is written atomically; results.json is strict JSON (a NaN or infinite number
    is written as null).

    Args:
        sections: The studies' sections.
        out: The report's folder.
        results: The data results.json holds.
        title: The page's title.

    Returns:
        The path of ``out/index.html``.

    Examples:
        >>> import tempfile
        >>> from neuralab.lab.report import Section, Text, write_report
        >>> section = Section("toy", "A toy", "Does it run?", {}, [0], 0.1, [Text("It runs.")])
        >>> page = write_report([section], tempfile.mkdtemp(), {"toy": {}}, "Lab")
        >>> "It runs." in page.read_text(), sorted(p.name for p in page.parent.iterdir())
        (True, ['images', 'index.html', 'results.json'])
    """
    out = Path(out)
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    body = [_section(s, images) for s in sections]
    toc = "".join(
        f'<li><a href="#{_cell(s.name)}">{_cell(s.title)}</a> — {_cell(s.question)}</li>'
        for s in sections
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_cell(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_cell(title)}</h1><p class='note'>{_cell(STATISTICS)}</p>"
        f"<nav><h3>Contents</h3><ul class='toc'>{toc}</ul></nav>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    atomic_write(str(out / "results.json"), results_json(results).encode())
    path = out / "index.html"
    atomic_write(str(path), page.encode())
    return path
