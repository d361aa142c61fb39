"""Strict JSON out: every JSON file neuralab writes parses with a strict reader.

Python's ``json`` writes ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON
(RFC 8259) and which strict readers (JavaScript's ``JSON.parse``, ``jq``, Go, Rust's
serde) reject. Here a non-finite number becomes ``null`` and the place where it was is
recorded, so the writer can say in words what happened (a run that diverged), e.g.
``{"non_finite": {"studies.optimizers.summary.sgd.loss.mean": "nan"}}``:

    clean, found = finite_or_null(data)     # found: {"a.b.0": "nan", ...}
    text = dumps(data)                      # the same conversion, then allow_nan=False
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "finite_or_null"]


def finite_or_null(data: Any, where: str = "") -> tuple[Any, dict[str, str]]:
    """``data`` with every non-finite float (Python's or NumPy's) replaced by None, and
    {dotted path: "nan" | "inf" | "-inf"} of what was replaced. Tuples become lists and
    NumPy numbers Python numbers, as ``json`` would write them."""
    found: dict[str, str] = {}
    return _clean(data, where, found, 0), found


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never writes NaN or Infinity: non-finite numbers become null
    (see ``finite_or_null``), then ``allow_nan=False`` makes sure of it."""
    clean, _ = finite_or_null(data)
    return json.dumps(clean, allow_nan=False, **kwargs)


_MAX_DEPTH = 200


def _clean(value: Any, where: str, found: dict[str, str], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError(f"JSON: data nested deeper than {_MAX_DEPTH} levels at {where or '.'}")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number):
            return number
        found[where or "."] = "nan" if math.isnan(number) else ("inf" if number > 0 else "-inf")
        return None
    if isinstance(value, Mapping):
        return {
            k: _clean(v, f"{where}.{k}" if where else str(k), found, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [
            _clean(v, f"{where}.{i}" if where else str(i), found, depth + 1)
            for i, v in enumerate(value)
        ]
    tolist = getattr(value, "tolist", None)  # a NumPy array
    if callable(tolist):
        return _clean(tolist(), where, found, depth)
    return value  # json.dumps names what it cannot write
