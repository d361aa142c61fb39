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
    """How a value is written: ``digits`` significant digits of ``value * scale`` and a ``unit``.

    Args:
        digits: Significant digits of the mean. Defaults to 3.
        scale: The factor applied first. Defaults to 1.0.
        unit: Appended to the number. Defaults to ''.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> findings.Fmt(3, 100.0, " %")(relu)
        '92.0 ± 2.5 %'
    """

    digits: int = 3
    scale: float = 1.0
    unit: str = ""

    def __call__(self, e: Estimate) -> str:
        return e.format(self.digits, self.scale, self.unit)


PERCENT = Fmt(3, 100.0, " %")


@dataclass
class Ranking:
    """A finding: conditions ordered best first on a metric.

    Args:
        key: The study's name for this finding (tests find it by key).
        what: The metric, in words.
        labels: The conditions, best first.
        estimates: Their estimates, in the same order.
        lower_is_better: Whether lower values are better. Defaults to True.
        fmt: How values are written. Defaults to ``Fmt()``.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> order = findings.Ranking("order", "test accuracy", ["relu", "tanh"], [relu, tanh],
        ...                          lower_is_better=False, fmt=findings.PERCENT)
        >>> order.best
        'relu'
        >>> print(findings.render(order))
        On test accuracy, relu comes first (92.0 ± 2.5 %) and tanh last (86.3 ± 3.8 %);
        in order: relu, tanh.
    """

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
    """A finding: two conditions compared on a metric (usually made by ``difference``).

    Args:
        key: The study's name for this finding.
        what: The metric, in words.
        a: The first condition.
        b: The second condition.
        a_value: ``a``'s estimate.
        b_value: ``b``'s estimate.
        lower_is_better: Whether lower values are better.
        p: The test's p-value.
        test: The test's name ('paired t-test over seeds' or "Welch's t-test").
        outcome: 'same' (equal means), 'one_seed' (no interval to judge by), 'significant'
            (p < 0.05) or 'noise'.
        better: The better condition's label (None when the means are equal).
        fmt: How values are written. Defaults to ``Fmt()``.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> gap = findings.difference("gap", "test accuracy", "relu", relu, "tanh", tanh,
        ...                           lower_is_better=False)
        >>> gap.better, gap.outcome, gap.significant
        ('relu', 'significant', True)
    """

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
    """A finding: a value compared with a reference level.

    Args:
        key: The study's name for this finding.
        subject: The condition.
        what: The metric, in words.
        value: Its estimate.
        level: The reference level.
        above: Whether the finding is that the value is above the level (else below).
        meaning: What the level is, in words ('guessing').
        fmt: How values are written. Defaults to ``Fmt()``.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> chance = findings.Threshold("chance", "tanh", "test accuracy", tanh, 0.1, True,
        ...                             "guessing", findings.PERCENT)
        >>> chance.holds, findings.render(chance)
        (True, "Tanh's test accuracy (86.3 ± 3.8 %) is above 10.0 %, guessing.")
    """

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
    """A finding: in how many of the seeds something happened.

    Args:
        key: The study's name for this finding.
        subject: The condition.
        what: What happened, a verb phrase ('diverged').
        count: In how many seeds.
        total: Of how many.

    Examples:
        >>> from neuralab.lab import findings
        >>> findings.render(findings.Count("diverged", "sigmoid", "diverged", 1, 3))
        'Sigmoid diverged in 1 of 3 seeds.'
    """

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
    """A finding: how many times one value is another.

    Args:
        key: The study's name for this finding.
        what: The quantity, in words.
        a: The first condition.
        b: The second condition.
        ratio: ``a``'s value over ``b``'s.

    Examples:
        >>> from neuralab.lab import findings
        >>> findings.render(findings.Ratio("speed", "training time", "relu", "tanh", 1.5))
        "Relu's training time is 1.5 times tanh's."
    """

    key: str
    what: str
    a: str
    b: str
    ratio: float


@dataclass
class Measure:
    """A finding: one value with its interval.

    Args:
        key: The study's name for this finding.
        subject: The condition.
        what: The quantity, in words.
        value: Its estimate.
        fmt: How the value is written. Defaults to ``Fmt()``.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> measure = findings.Measure("acc", "relu", "test accuracy", relu, findings.PERCENT)
        >>> findings.render(measure)
        "Relu's test accuracy is 92.0 ± 2.5 %."
    """

    key: str
    subject: str
    what: str
    value: Estimate
    fmt: Fmt = field(default_factory=Fmt)


@dataclass
class Note:
    """A finding: a fixed sentence the study chose from its numbers; ``key`` names the choice.

    Args:
        key: The study's name for this finding.
        text: The sentence.

    Examples:
        >>> from neuralab.lab import findings
        >>> findings.render(findings.Note("why", "ReLU does not saturate."))
        'ReLU does not saturate.'
    """

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
    """Compares two conditions on a metric: the ``Difference`` finding.

    The paired t-test over seeds when both ran on the same seeds (the lab's conditions do),
    else Welch's t-test; the difference is significant when p < 0.05.

    Args:
        key: The study's name for this finding.
        what: The metric, in words.
        a: The first condition.
        a_value: Its estimate.
        b: The second condition.
        b_value: Its estimate.
        lower_is_better: Whether lower values are better. Defaults to True.
        paired: Whether the values are paired by seed (used when both have as many).
            Defaults to True.
        fmt: How values are written. Defaults to None (``Fmt()``).

    Returns:
        The ``Difference``.

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> gap = findings.difference("gap", "test accuracy", "relu", relu, "tanh", tanh,
        ...                           lower_is_better=False, fmt=findings.PERCENT)
        >>> print(findings.render(gap))
        Relu has the better test accuracy (92.0 ± 2.5 % against 86.3 ± 3.8 % for tanh);
        the difference is significant (paired t-test over seeds, p = 0.0034).
    """
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
    """One finding as one sentence (the one renderer of every study's findings).

    Args:
        finding: Any finding.

    Returns:
        The sentence.

    Raises:
        TypeError: If ``finding`` is not a finding.

    Examples:
        >>> from neuralab.lab import findings
        >>> findings.render(findings.Count("diverged", "sigmoid", "diverged", 3, 3))
        'Sigmoid diverged in 3 of 3 seeds.'
    """
    try:
        return _RENDER[type(finding)](finding)
    except KeyError:
        raise TypeError(f"render: not a finding: {finding!r}") from None


def to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data: its kind, its fields and its sentence.

    Estimates are written as mean, interval and values.

    Args:
        finding: Any finding.

    Returns:
        The dict results.json keeps.

    Examples:
        >>> from neuralab.lab import findings
        >>> findings.to_dict(findings.Count("diverged", "sigmoid", "diverged", 1, 3))
        {'kind': 'count', 'key': 'diverged', 'subject': 'sigmoid', 'what': 'diverged', 'count': 1,
         'total': 3, 'text': 'Sigmoid diverged in 1 of 3 seeds.'}
    """
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
    """A report block: the reading of a study's numbers, one paragraph per group of findings.

    ``Reading([f1, f2], [f3])``; a lone finding is a group of one.

    Args:
        *groups: Findings, or lists of findings (one paragraph each).

    Examples:
        >>> from neuralab.lab import findings, stats
        >>> relu = stats.estimate([0.91, 0.93, 0.92], bounds=stats.FRACTION)
        >>> tanh = stats.estimate([0.85, 0.88, 0.86], bounds=stats.FRACTION)
        >>> gap = findings.difference("gap", "test accuracy", "relu", relu, "tanh", tanh,
        ...                           lower_is_better=False)
        >>> reading = findings.Reading(gap, [findings.Note("why", "ReLU does not saturate.")])
        >>> len(reading.paragraphs), reading.paragraphs[1]
        (2, 'ReLU does not saturate.')
    """

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
    """Every finding in a study's report blocks, in order.

    Args:
        blocks: The blocks a study's ``report`` returns (``Reading`` blocks hold findings).

    Returns:
        The findings.

    Examples:
        >>> from neuralab.lab import findings
        >>> note = findings.Note("why", "ReLU does not saturate.")
        >>> findings.findings_of(["a table", findings.Reading(note)]) == [note]
        True
    """
    return [f for b in blocks if isinstance(b, Reading) for f in b.findings]


def find(findings: Sequence[Finding], key: str) -> Finding:
    """The finding with ``key`` (what a study's test asserts on, rather than on text).

    Args:
        findings: Findings, e.g. from ``findings_of``.
        key: The key.

    Returns:
        The finding.

    Raises:
        KeyError: If no finding has that key (the message lists the keys).

    Examples:
        >>> from neuralab.lab import findings
        >>> found = [findings.Count("diverged", "sigmoid", "diverged", 1, 3)]
        >>> findings.find(found, "diverged").count
        1
    """
    for f in findings:
        if f.key == key:
            return f
    raise KeyError(f"no finding {key!r}; the findings are: {', '.join(f.key for f in findings)}")
