"""What every public docstring must hold, for the tests of each part of the API.

A public object is one a module names in ``__all__`` (or, without ``__all__``, a name not
starting with ``_`` defined in that module). Its docstring needs a summary line, an
``Args:`` section naming every parameter other than ``self``/``*args``/``**kwargs`` when it
has any (and naming nothing else: griffe warns on an entry that is not a parameter, which
fails the docs site's ``mkdocs build --strict``), and an ``Examples:`` section. Layers
also need ``Shape:``; whatever documents ``Raises:`` must name an exception class.
Classes are checked on the class docstring, which documents the constructor's arguments
(Google style, as mkdocstrings renders them).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator
from types import ModuleType

SECTION = re.compile(r"^\s*(Args|Arguments|Shape|Returns|Yields|Raises|Examples?):\s*$", re.M)


def public_objects(module_name: str) -> Iterator[tuple[str, object]]:
    """Yield ``(qualified name, object)`` for each public class and function of a module."""
    module: ModuleType = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module_name
        ]
    for name in names:
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            yield f"{module_name}.{name}", value


def _parameters(obj: object) -> list[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    params = signature.parameters.values()
    return [p.name for p in params if p.name != "self" and p.kind not in skip]


def _all_parameters(obj: object) -> set[str]:
    try:  # a class's signature is its constructor's, without ``self``
        return set(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return set()


def documented_names(args: str) -> list[str]:
    """The names of an ``Args:`` section's entries (its least indented lines)."""
    lines = [line for line in args.splitlines() if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in lines), default=0)
    entries = [line[indent:] for line in lines if len(line) - len(line.lstrip()) == indent]
    return [m[1] for m in (re.match(r"\*{0,2}(\w+)\s*(?:\(.*\))?:", e) for e in entries) if m]


def sections(doc: str) -> dict[str, str]:
    """Split a Google-style docstring into ``{section name: body}``."""
    found = list(SECTION.finditer(doc))
    out = {}
    for match, following in zip(found, [*found[1:], None], strict=False):
        end = following.start() if following else len(doc)
        name = {"Arguments": "Args", "Example": "Examples"}.get(match[1], match[1])
        out[name] = doc[match.end() : end]
    return out


def problems(obj: object, *, layer: bool = False) -> list[str]:
    """What the docstring of ``obj`` lacks; empty when it follows the rules above."""
    doc = inspect.getdoc(obj) if obj.__doc__ else None
    if not doc:
        return ["no docstring"]
    found = sections(doc)
    missing = []
    params = _parameters(obj)
    if params:
        if "Args" not in found:
            missing.append("no Args section")
        else:
            missing += [
                f"Args does not name {name!r}"
                for name in params
                if not re.search(rf"^\s*\**{re.escape(name)}\b", found["Args"], re.M)
            ]
    if "Args" in found:
        known = _all_parameters(obj)
        missing += [
            f"Args names {name!r}, which is not a parameter"
            for name in documented_names(found["Args"])
            if name not in known
        ]
    if "Examples" not in found:
        missing.append("no Examples section")
    if layer and "Shape" not in found:
        missing.append("no Shape section")
    if "Raises" in found and not re.search(r"\b\w+(Error|Exception|Warning)\b", found["Raises"]):
        missing.append("Raises names no exception class")
    return missing
