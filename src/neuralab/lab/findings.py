"""Findings: what a study concludes from its numbers, as data, and the one renderer that
turns them into sentences.

A study decides (from its estimates over seeds) *what* holds: which condition ranks
first, whether a difference stands out from the seed noise, whether a value passes a
threshold, how many seeds showed an event. Each such conclusion is a finding with a
``key`` the study chooses, so tests assert on the finding (``find(findings, "order")``)
and never on English text; ``render`` writes every kind of finding the same way in every
study. A ``Reading`` block (one paragraph per group of findings) puts them in the report,
and results.json keeps each finding as data (``to_dict``).

Kinds:
    Ranking      conditions ordered on a metric (best first)
    Difference   two conditions compared on a metric: which is better, by the paired
                 t-test over seeds (Welch's for independent samples) at level 0.05
    Threshold    a value compared with a reference level ("above the 10 % of guessing")
    Count        in how many of the seeds something happened
    Ratio        how many times one value is another
    Measure      one value with its interval
    Note         a fixed sentence the study chose from its numbers (an explanation);
                 its key says which one
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neuralab.lab.stats import Estimate, capital, compare

__all__ = [
    "Count",
    "Difference",
    "Finding",
    "Fmt",
    "Measure",
    "Note",
    "Ranking",
    "Ratio",
    "Reading",
    "Threshold",
    "difference",
    "find",
    "findings_of",
    "render",
]

ALPHA = 0.05  # significance level of a Difference


@dataclass(frozen=True)
class Fmt:
    """How a value is written: ``digits`` significant digits of ``value * scale`` and a
    ``unit`` (e.g. Fmt(3, 100, " %") for a fraction shown as a percentage)."""

    digits: int = 3
    scale: float = 1.0
    unit: str = ""

    def __call__(self, e: Estimate) -> str:
        return e.format(self.digits, self.scale, self.unit)


PERCENT = Fmt(3, 100.0, " %")


@dataclass
class Ranking:
    """``labels`` ordered best first on ``what`` (``estimates`` in the same order)."""

    key: str
    what: str
    labels: list[str]
    estimates: list[Estimate]
    lower_is_better: bool = True
    fmt: Fmt = field(default_factory=Fmt)

    @property
    def best(self) -> str:
        return self.labels[0]

    @property
    def worst(self) -> str:
        return self.labels[-1]


@dataclass
class Difference:
    """``a`` against ``b`` on ``what``. ``outcome``: 'same' (equal means), 'one_seed'
    (no interval to judge by), 'significant' (p < ALPHA) or 'noise'; ``better``: the
    label of the better one (None when the means are equal)."""

    key: str
    what: str
    a: str
    b: str
    a_value: Estimate
    b_value: Estimate
    lower_is_better: bool
    p: float
    test: str
    outcome: str
    better: str | None
    fmt: Fmt = field(default_factory=Fmt)

    @property
    def significant(self) -> bool:
        return self.outcome == "significant"


@dataclass
class Threshold:
    """``subject``'s ``what`` (``value``) against ``level``; ``holds``: the value is
    above the level (``above``) or below it; ``meaning``: what the level is."""

    key: str
    subject: str
    what: str
    value: Estimate
    level: float
    above: bool
    meaning: str
    fmt: Fmt = field(default_factory=Fmt)

    @property
    def holds(self) -> bool:
        return self.value.mean > self.level if self.above else self.value.mean < self.level


@dataclass
class Count:
    """``subject`` ``what`` (a verb phrase: 'diverged') in ``count`` of ``total`` seeds."""

    key: str
    subject: str
    what: str
    count: int
    total: int

    @property
    def every(self) -> bool:
        return self.count == self.total


@dataclass
class Ratio:
    """``a``'s ``what`` is ``ratio`` times ``b``'s."""

    key: str
    what: str
    a: str
    b: str
    ratio: float


@dataclass
class Measure:
    """``subject``'s ``what`` is ``value``."""

    key: str
    subject: str
    what: str
    value: Estimate
    fmt: Fmt = field(default_factory=Fmt)


@dataclass
class Note:
    """A fixed sentence the study chose from its numbers; ``key`` names the choice."""

    key: str
    text: str


Finding = Ranking | Difference | Threshold | Count | Ratio | Measure | Note


def difference(
    key: str,
    what: str,
    a: str,
    a_value: Estimate,
    b: str,
    b_value: Estimate,
    *,
    lower_is_better: bool = True,
    paired: bool = True,
    fmt: Fmt | None = None,
) -> Difference:
    """Compare a and b on ``what``: the paired t-test over seeds when both ran on the same
    seeds (the lab's conditions do), else Welch's t-test; significant when p < 0.05."""
    paired = paired and a_value.n == b_value.n
    p = compare(a_value, b_value, paired=paired)
    test = "paired t-test over seeds" if paired else "Welch's t-test"
    if a_value.mean == b_value.mean:
        outcome, better = "same", None
    else:
        better = a if (a_value.mean < b_value.mean) == lower_is_better else b
        if min(a_value.n, b_value.n) < 2:
            outcome = "one_seed"
        else:
            outcome = "significant" if p < ALPHA else "noise"
    return Difference(
        key, what, a, b, a_value, b_value, lower_is_better, p, test, outcome, better, fmt or Fmt()
    )


# --- the renderer -----------------------------------------------------------------------
def _ranking(f: Ranking) -> str:
    if len(f.labels) == 1:
        return f"{f.labels[0]}: {f.what} {f.fmt(f.estimates[0])}."
    best, worst = f.fmt(f.estimates[0]), f.fmt(f.estimates[-1])
    order = ", ".join(f.labels)
    return (
        f"On {f.what}, {f.best} comes first ({best}) and {f.worst} last ({worst}); "
        f"in order: {order}."
    )


def _difference(f: Difference) -> str:
    fa, fb = f.fmt(f.a_value), f.fmt(f.b_value)
    if f.outcome == "same":
        return capital(f"{f.a} and {f.b} reach the same {f.what} ({fa}).")
    worse = f.b if f.better == f.a else f.a
    fbest, fworst = (fa, fb) if f.better == f.a else (fb, fa)
    sentence = capital(f"{f.better} has the better {f.what} ({fbest} against {fworst} for {worse})")
    if f.outcome == "one_seed":
        return sentence + "; with a single seed there is no telling whether that is noise."
    if f.outcome == "significant":
        return sentence + f"; the difference is significant ({f.test}, p = {f.p:.2g})."
    return (
        sentence + f", but the difference is within the seed-to-seed noise ({f.test}, "
        f"p = {f.p:.2g}): more seeds would be needed to tell them apart."
    )


def _threshold(f: Threshold) -> str:
    side = ("" if f.holds else "not ") + ("above" if f.above else "below")
    level = f.fmt(Estimate(f.level, f.level, f.level, (f.level,)))
    return f"{capital(f.subject)}'s {f.what} ({f.fmt(f.value)}) is {side} {level}, {f.meaning}."


def _count(f: Count) -> str:
    seeds = "seed" if f.total == 1 else "seeds"
    return f"{capital(f.subject)} {f.what} in {f.count} of {f.total} {seeds}."


def _ratio(f: Ratio) -> str:
    return f"{capital(f.a)}'s {f.what} is {f.ratio:.3g} times {f.b}'s."


def _measure(f: Measure) -> str:
    return f"{capital(f.subject)}'s {f.what} is {f.fmt(f.value)}."


_RENDER = {
    Ranking: _ranking,
    Difference: _difference,
    Threshold: _threshold,
    Count: _count,
    Ratio: _ratio,
    Measure: _measure,
    Note: lambda f: f.text,
}


def render(finding: Finding) -> str:
    """One finding as one sentence."""
    try:
        return _RENDER[type(finding)](finding)
    except KeyError:
        raise TypeError(f"render: not a finding: {finding!r}") from None


def to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data: its kind, its fields (estimates as mean, interval
    and values) and its sentence."""
    data: dict[str, Any] = {"kind": type(finding).__name__.lower()}
    for f in dataclasses.fields(finding):
        value = getattr(finding, f.name)
        if isinstance(value, Estimate):
            value = value.to_dict()
        elif isinstance(value, list):
            value = [v.to_dict() if isinstance(v, Estimate) else v for v in value]
        elif isinstance(value, Fmt):
            continue
        data[f.name] = value
    data["text"] = render(finding)
    return data


class Reading:
    """A report block: the reading of a study's numbers, one paragraph per group of
    findings (``Reading([f1, f2], [f3])``; a lone finding is a group of one)."""

    def __init__(self, *groups: Finding | Sequence[Finding]) -> None:
        self.groups = [list(g) if isinstance(g, (list, tuple)) else [g] for g in groups]
        self.groups = [g for g in self.groups if g]

    @property
    def findings(self) -> list[Finding]:
        return [f for group in self.groups for f in group]

    @property
    def paragraphs(self) -> list[str]:
        return [" ".join(render(f) for f in group) for group in self.groups]


def findings_of(blocks: Sequence[Any]) -> list[Finding]:
    """Every finding in a study's report blocks, in order."""
    return [f for b in blocks if isinstance(b, Reading) for f in b.findings]


def find(findings: Sequence[Finding], key: str) -> Finding:
    """The finding with ``key``; a KeyError lists the keys there are."""
    for f in findings:
        if f.key == key:
            return f
    raise KeyError(f"no finding {key!r}; the findings are: {', '.join(f.key for f in findings)}")
