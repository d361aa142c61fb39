"""The comparison every study makes: conditions x metrics over seeds, turned into the
standard table (mean ± 95 % interval), a bar figure (one panel per metric that asks for
one) and findings (a Ranking per metric, a Difference per pair asked for).

    comparison = compare(
        seeds, ["sgd", "adam"], {"sgd": "SGD", "adam": "Adam"},
        [Metric("test_accuracy", "test accuracy", lower_is_better=False, fmt=PERCENT,
                axis="test accuracy (%)")],
        pairs=[("adam", "sgd")], title="Test accuracy after training",
    )
    blocks = [comparison.table, comparison.figure, Reading(comparison.findings)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from neuralab.lab import plots
from neuralab.lab.findings import Difference, Finding, Fmt, Ranking, difference
from neuralab.lab.report import Figure, Table
from neuralab.lab.stats import Estimate
from neuralab.lab.study import Seeds

__all__ = ["Comparison", "Metric", "compare"]


@dataclass(frozen=True)
class Metric:
    """A scalar of the studies' Results, as a comparison shows it.

    Args:
        name: The scalar's metric name in the Results.
        what: What it is in words (the table's column and the findings' wording).
        lower_is_better: Whether lower values are better. Defaults to True.
        fmt: How it is written. Defaults to ``Fmt()``.
        axis: The y label of its bar panel ('' for no panel). Defaults to ''.

    Examples:
        >>> from neuralab import lab
        >>> from neuralab.lab import toolkit
        >>> from neuralab.lab.findings import PERCENT
        >>> runs = [{"sgd": 0.90, "adam": 0.95}, {"sgd": 0.91, "adam": 0.97},
        ...         {"sgd": 0.89, "adam": 0.96}]
        >>> results = [lab.Result({c: {"acc": v} for c, v in run.items()}) for run in runs]
        >>> seeds = lab.Seeds(results, [0, 1, 2])
        >>> accuracy = toolkit.Metric("acc", "test accuracy", lower_is_better=False, fmt=PERCENT)
        >>> accuracy.fmt(seeds.scalar("adam", "acc"))
        '96.0 ± 2.5 %'
    """

    name: str
    what: str
    lower_is_better: bool = True
    fmt: Fmt = field(default_factory=Fmt)
    axis: str = ""


@dataclass
class Comparison:
    """What ``compare`` returns: the estimates, the table, the bar figure and the findings.

    The findings are ``{key}{metric}_order`` (a Ranking, with two or more conditions) and
    ``{key}{metric}:{a}-{b}`` (a Difference) for each pair.

    Args:
        estimates: ``estimates[metric][condition]``.
        table: The standard table (mean ± 95 % interval).
        figure: The bar figure, or None when no metric asks for a panel.
        findings: The findings.

    Examples:
        >>> from neuralab import lab
        >>> from neuralab.lab import toolkit
        >>> from neuralab.lab.findings import PERCENT
        >>> runs = [{"sgd": 0.90, "adam": 0.95}, {"sgd": 0.91, "adam": 0.97},
        ...         {"sgd": 0.89, "adam": 0.96}]
        >>> results = [lab.Result({c: {"acc": v} for c, v in run.items()}) for run in runs]
        >>> seeds = lab.Seeds(results, [0, 1, 2])
        >>> accuracy = toolkit.Metric("acc", "test accuracy", lower_is_better=False, fmt=PERCENT)
        >>> comparison = toolkit.compare(seeds, ["sgd", "adam"], {"sgd": "SGD", "adam": "Adam"},
        ...                              [accuracy], pairs=[("adam", "sgd")], title="Accuracy")
        >>> comparison.ranking("acc").best, comparison.differences()[0].significant
        ('Adam', True)
    """

    estimates: dict[str, dict[str, Estimate]]
    table: Table
    figure: Figure | None
    findings: list[Finding]

    def ranking(self, metric: str) -> Ranking:
        return next(f for f in self.findings if f.key.endswith(f"{metric}_order"))

    def differences(self) -> list[Difference]:
        return [f for f in self.findings if isinstance(f, Difference)]


def compare(
    seeds: Seeds,
    conditions: Sequence[str],
    labels: Mapping[str, str],
    metrics: Sequence[Metric],
    *,
    pairs: Sequence[tuple[str, str]] = (),
    settings: Mapping[str, str] | None = None,
    title: str,
    column: str = "condition",
    note: str = "",
    figure_title: str = "",
    caption: str = "Error bars: 95 % interval over seeds.",
    key: str = "",
) -> Comparison:
    """Compares conditions on metrics over seeds: the standard table, bar figure and findings.

    For each metric: a Ranking of the conditions (with two or more), and a Difference for
    each pair asked for (the paired t-test over seeds).

    Args:
        seeds: The study's ``Seeds``.
        conditions: The conditions, in the table's order.
        labels: ``{condition: label}`` as shown.
        metrics: The ``Metric`` of each column.
        pairs: (a, b) condition pairs to test; a pair with a condition not run is left out.
            Defaults to ().
        settings: A settings column ``{condition: text}``. Defaults to None.
        title: The table's title.
        column: The first column's header. Defaults to 'condition'.
        note: A note under the table. Defaults to ''.
        figure_title: The figure's title. Defaults to '' (``title``).
        caption: The figure's caption. Defaults to 'Error bars: 95 % interval over seeds.'.
        key: A prefix of the findings' keys (when a study makes several comparisons).
            Defaults to ''.

    Returns:
        The ``Comparison``.

    Raises:
        KeyError: If a condition has no such scalar.

    Examples:
        >>> from neuralab import lab
        >>> from neuralab.lab import toolkit
        >>> from neuralab.lab.findings import PERCENT
        >>> runs = [{"sgd": 0.90, "adam": 0.95}, {"sgd": 0.91, "adam": 0.97},
        ...         {"sgd": 0.89, "adam": 0.96}]
        >>> results = [lab.Result({c: {"acc": v} for c, v in run.items()}) for run in runs]
        >>> seeds = lab.Seeds(results, [0, 1, 2])
        >>> accuracy = toolkit.Metric("acc", "test accuracy", lower_is_better=False, fmt=PERCENT)
        >>> comparison = toolkit.compare(seeds, ["sgd", "adam"], {"sgd": "SGD", "adam": "Adam"},
        ...                              [accuracy], title="Accuracy")
        >>> comparison.table.rows
        [['SGD', '90.0 ± 2.5 %'], ['Adam', '96.0 ± 2.5 %']]
        >>> comparison.figure is None  # no metric asks for a panel (axis='')
        True
    """
    conditions = list(conditions)
    estimates = {m.name: {c: seeds.scalar(c, m.name) for c in conditions} for m in metrics}
    columns = [column, *(["settings"] if settings else []), *(m.what for m in metrics)]
    rows = [
        [
            labels[c],
            *([settings[c]] if settings else []),
            *(m.fmt(estimates[m.name][c]) for m in metrics),
        ]
        for c in conditions
    ]
    table = Table(f"{title} (mean ± 95 % interval over seeds)", columns, rows, note=note)
    findings: list[Finding] = []
    for m in metrics:
        if len(conditions) > 1:
            sign = 1 if m.lower_is_better else -1
            order = sorted(conditions, key=lambda c: sign * estimates[m.name][c].mean)
            findings.append(
                Ranking(
                    f"{key}{m.name}_order",
                    m.what,
                    [labels[c] for c in order],
                    [estimates[m.name][c] for c in order],
                    m.lower_is_better,
                    m.fmt,
                )
            )
        for a, b in pairs:
            if a in conditions and b in conditions:
                findings.append(
                    difference(
                        f"{key}{m.name}:{a}-{b}",
                        m.what,
                        labels[a],
                        estimates[m.name][a],
                        labels[b],
                        estimates[m.name][b],
                        lower_is_better=m.lower_is_better,
                        fmt=m.fmt,
                    )
                )
    figure = _bars(metrics, conditions, labels, estimates, figure_title or title, caption, column)
    return Comparison(estimates, table, figure, findings)


def _bars(
    metrics: Sequence[Metric],
    conditions: list[str],
    labels: Mapping[str, str],
    estimates: dict[str, dict[str, Estimate]],
    title: str,
    caption: str,
    xlabel: str,
) -> Figure | None:
    drawn = [m for m in metrics if m.axis]
    if not drawn:
        return None
    fig, axes = plots.new_figure(len(drawn), width=5.6, height=4.2)
    for ax, m in zip(axes, drawn):
        plots.bar_panel(
            ax,
            [labels[c] for c in conditions],
            [estimates[m.name][c] for c in conditions],
            title=m.what[:1].upper() + m.what[1:],
            xlabel=xlabel,
            ylabel=m.axis,
            scale=m.fmt.scale,
        )
    return Figure(fig, title, caption)
