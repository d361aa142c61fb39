"""MkDocs hook: the command reference, rendered at build time from ``neuralab.cli``'s
argparse parsers (``build_parser``), so the page always says what the command does.

A page holding the line ``<!-- cli-reference -->`` gets, in its place, one section per
command (the top-level ``neuralab`` first, then every subcommand): its help line, its
usage as argparse prints it, and a table of its arguments (``-h``/``--help``, on every
command, left out) with each one's help, choices and default.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

MARKER = "<!-- cli-reference -->"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(action: argparse.Action) -> str:
    if isinstance(action, argparse._VersionAction):
        return ""
    if action.default is None or action.default is argparse.SUPPRESS:
        return ""
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        return "on" if action.default else "off"
    if isinstance(action.default, (list, tuple)):
        return f"`{' '.join(map(str, action.default))}`" if action.default else ""
    return f"`{action.default}`"


def _name(action: argparse.Action, formatter: argparse.HelpFormatter) -> str:
    if not action.option_strings:
        return f"`{formatter._metavar_formatter(action, action.dest)(1)[0]}`"
    if action.nargs == 0:
        return ", ".join(f"`{o}`" for o in action.option_strings)
    metavar = formatter._format_args(action, action.dest.upper())
    return ", ".join(f"`{o} {metavar}`" for o in action.option_strings)


def render_parser(title: str, parser: argparse.ArgumentParser, summary: str = "") -> str:
    """One command's section: heading, help line, usage and the arguments' table."""
    formatter = parser._get_formatter()
    lines = [f"## `{title}`", ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ".", ""]
    if parser.description:
        lines += [parser.description.replace("``", "`"), ""]
    usage = parser.format_usage().strip()
    lines += ["```text", usage.removeprefix("usage: "), "```", ""]
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._SubParsersAction, argparse._HelpAction)):
            continue  # the subcommands have their own sections; -h is on every command
        help_text = formatter._expand_help(action) if action.help else ""
        if action.help is argparse.SUPPRESS:
            continue
        default = _default(action)
        if default:  # the default has its column; the "(default: X)" the CLI adds goes
            help_text = re.sub(r"\s*\(default: [^();]*\)$", "", help_text)
        if action.choices and not isinstance(action.choices, dict):
            help_text += f" (one of: {', '.join(map(str, action.choices))})"
        rows.append(f"| {_name(action, formatter)} | {_cell(help_text)} | {default} |")
    if rows:
        lines += ["| argument | meaning | default |", "| --- | --- | --- |", *rows, ""]
    return "\n".join(lines)


def render(parser: argparse.ArgumentParser) -> str:
    """The whole reference: the top-level command, then each subcommand in order."""
    sections = [render_parser(parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                sections.append(render_parser(f"{parser.prog} {name}", sub, helps.get(name, "")))
    return "\n".join(sections)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker with the reference rendered from the current parsers."""
    if MARKER not in markdown:
        return markdown
    from neuralab.cli import build_parser

    return markdown.replace(MARKER, render(build_parser()))
