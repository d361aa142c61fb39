"""The tuning report, in the lab's HTML report: the trials table, the optimization
history, the learning curves with the pruned trials, the parameter importances and, for
several strategies run with the same budget, their comparison.

``write_tune_report(results, out)`` writes ``out/index.html``, its plots and
``out/results.json`` through ``neuralab.lab.report.write_report``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from neuralab.lab import plots
from neuralab.lab.report import Figure, Section, Table, Text, write_report
from neuralab.tune.runner import TuneResult

__all__ = [
    "comparison_blocks",
    "comparison_figure",
    "curves_figure",
    "history_figure",
    "importance_figure",
    "study_blocks",
    "trials_table",
    "write_tune_report",
]

STATE_COLORS = {"COMPLETE": "#1f77b4", "PRUNED": "#d62728", "FAIL": "#7f7f7f"}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def trials_table(result: TuneResult, limit: int = 200) -> Table:
    """Every trial (the first ``limit``): state, value, epochs, time and parameters."""
    names = sorted({k for t in result.trials for k in t.params})
    rows = []
    for t in sorted(result.trials, key=lambda t: t.number)[:limit]:
        label = f"{t.number} (baseline)" if t.baseline else str(t.number)
        if result.best is not None and t.number == result.best["number"]:
            label += " (best)"
        value = t.value if t.value is not None else t.last_value
        shown = _fmt(value) if t.value is not None else f"({_fmt(value)})"
        rows.append(
            [label, t.state.lower(), shown, _fmt(t.epochs), _fmt(t.seconds)]
            + [_fmt(t.params.get(n)) for n in names]
        )
    return Table(
        f"Trials of study {result.study!r} ({result.strategy})",
        ["trial", "state", result.metric, "epochs", "seconds", *names],
        rows,
        note="A pruned trial's value, in parentheses, is the last one it reported before it "
        "was stopped."
        + (
            f" {len(result.trials) - limit} more trials in results.json."
            if len(result.trials) > limit
            else ""
        ),
    )


def history_figure(result: TuneResult, ax: Any = None) -> Any:
    """Each trial's value by trial number (pruned trials at their last value), the best so
    far, and the baseline."""
    fig = None
    if ax is None:
        fig, (ax,) = plots.new_figure(width=6.4, height=4.0)
    trials = sorted(result.trials, key=lambda t: t.number)
    for state, marker in (("COMPLETE", "o"), ("PRUNED", "x")):
        points = [(t.number, t.last_value) for t in trials if t.state == state]
        points = [(n, v) for n, v in points if v is not None and math.isfinite(v)]
        if points:
            ax.scatter(*zip(*points), marker=marker, color=STATE_COLORS[state], label=state.lower())
    better = max if result.direction == "maximize" else min
    xs, ys, best = [], [], None
    for t in trials:
        if t.state == "COMPLETE" and t.value is not None:
            best = t.value if best is None else better(best, t.value)
        if best is not None:
            xs.append(t.number)
            ys.append(best)
    if xs:
        ax.step(xs, ys, where="post", color="#2ca02c", label="best so far")
    if result.baseline is not None:
        ax.axhline(result.baseline["value"], color="#ff7f0e", linestyle="--", label="baseline")
    ax.set(
        title=f"Optimization history ({result.strategy})",
        xlabel="trial number",
        ylabel=f"{result.metric} (validation)",
    )
    ax.grid(alpha=0.3)
    _integer_ticks(ax)
    ax.legend(fontsize="small")
    return fig


def curves_figure(result: TuneResult, ax: Any = None) -> Any:
    """Each trial's validation metric per epoch: pruned trials stop early."""
    fig = None
    if ax is None:
        fig, (ax,) = plots.new_figure(width=6.4, height=4.0)
    labelled = set()
    for t in sorted(result.trials, key=lambda t: t.number):
        if not t.intermediate:
            continue
        steps = sorted(t.intermediate)
        color = STATE_COLORS.get(t.state, "#7f7f7f")
        label = t.state.lower() if t.state not in labelled else None
        labelled.add(t.state)
        ax.plot(
            steps,
            [t.intermediate[s] for s in steps],
            color=color,
            alpha=0.6,
            marker=".",
            label=label,
        )
    ax.set(
        title="Validation metric per epoch of each trial",
        xlabel="epoch (step reported to the pruner)",
        ylabel=f"{result.metric} (validation)",
    )
    ax.grid(alpha=0.3)
    _integer_ticks(ax)
    if labelled:
        ax.legend(fontsize="small")
    return fig


def _integer_ticks(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def importance_figure(result: TuneResult, ax: Any = None) -> Any:
    """The parameters' importances (fraction of the value's variance each explains)."""
    fig = None
    if ax is None:
        fig, (ax,) = plots.new_figure(width=6.4, height=3.6)
    items = sorted((result.importances or {}).items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items], [v for _, v in items], color=plots.COLORS[0])
    ax.set(
        title="Parameter importances",
        xlabel=f"importance for {result.metric} (fraction, sums to 1)",
        ylabel="parameter",
    )
    ax.grid(alpha=0.3, axis="x")
    return fig


def study_blocks(result: TuneResult) -> list:
    """Table, plots and reading of one study."""
    fig, (ax1, ax2) = plots.new_figure(2, width=6.0, height=4.2)
    history_figure(result, ax1)
    curves_figure(result, ax2)
    blocks: list = [
        Figure(
            fig,
            "Optimization history and learning curves",
            "Left: every trial's validation value (crosses: pruned trials at their last "
            "report), the best so far and the baseline. Right: the value after each epoch.",
        ),
        trials_table(result),
    ]
    if result.importances:
        blocks.append(
            Figure(importance_figure(result), "Parameter importances", result.importance_note)
        )
    blocks.append(Text(*_reading(result)))
    return blocks


def _reading(result: TuneResult) -> list[str]:
    counts: dict[str, int] = {}
    for t in result.trials:
        counts[t.state] = counts.get(t.state, 0) + 1
    text = [
        f"{len(result.trials)} trials ("
        + ", ".join(f"{v} {k.lower()}" for k, v in sorted(counts.items()))
        + f") trained {result.epochs_spent} epochs in all, in {result.seconds:.1f} s."
    ]
    if result.best is not None:
        params = ", ".join(f"{k} = {_fmt(v)}" for k, v in result.best["params"].items())
        text.append(
            f"The best trial, {result.best['number']}, reached {result.metric} "
            f"{result.best['value']:.4f} with {params}."
            + (
                f" The baseline (trial {result.baseline['number']}) reached "
                f"{result.baseline['value']:.4f}."
                if result.baseline is not None
                else ""
            )
        )
    if result.test is not None:
        text.append(
            f"Retrained on training + validation data, the best configuration has test "
            f"accuracy {result.test['test_accuracy']:.4f} (test loss "
            f"{result.test['test_loss']:.4f})"
            + (
                f"; the baseline {result.baseline_test['test_accuracy']:.4f}."
                if result.baseline_test
                else "."
            )
        )
    if result.retrain_note:
        text.append(f"Retraining: {result.retrain_note}.")
    if result.importances:
        top = max(result.importances, key=result.importances.get)
        text.append(
            f"The most important parameter is {top} ({result.importances[top]:.2f} of the "
            "variance explained)."
        )
    return text


def comparison_figure(results: Sequence[TuneResult], ax: Any = None) -> Any:
    """The best value so far against the epochs spent, one line per strategy."""
    fig = None
    if ax is None:
        fig, (ax,) = plots.new_figure(width=6.4, height=4.2)
    for result, color in zip(results, plots.COLORS * 3):
        epochs, best = result.best_so_far()
        if epochs:
            ax.step(epochs, best, where="post", color=color, label=result.strategy, marker=".")
    ax.set(
        title="Best validation value for the epochs spent",
        xlabel="epochs trained, all trials together",
        ylabel=f"best {results[0].metric} so far",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def comparison_table(results: Sequence[TuneResult]) -> Table:
    rows = []
    for r in results:
        counts = {s: sum(t.state == s for t in r.trials) for s in ("COMPLETE", "PRUNED")}
        rows.append(
            [
                r.strategy,
                len(r.finished),
                counts["PRUNED"],
                r.epochs_spent,
                _fmt(None if r.best is None else r.best["value"]),
                _fmt(None if r.test is None else r.test["test_accuracy"]),
                f"{r.seconds:.1f}",
            ]
        )
    return Table(
        "Strategies compared for the same budget",
        [
            "strategy",
            "trials",
            "pruned",
            "epochs",
            f"best {results[0].metric}",
            "test accuracy (best, retrained)",
            "seconds",
        ],
        rows,
        note="Each strategy is a study of its own on the same data with the same budget.",
    )


def budget_note(results: Sequence[TuneResult]) -> str:
    """A warning when the strategies did not spend the same budget: with an epoch budget,
    epochs more than one trial apart (a trial cap or the grid's size ended a search first);
    without one, different numbers of trials. Else ''."""
    if len(results) < 2:
        return ""
    config = results[0].config
    if config.get("epoch_budget") is not None:
        data = config.get("data") or {}
        per_trial = int(config.get("epochs", 1)) * int(data.get("folds", 1))
        spent = [r.epochs_spent for r in results]
        if max(spent) - min(spent) <= per_trial:
            return ""
        why = "a trial cap, the grid's size or a timeout ended some searches first"
    else:
        if len({len(r.finished) for r in results}) == 1:
            return ""
        why = "the grid's size or a timeout ended some searches first"
    return (
        "The budgets differ: "
        + ", ".join(
            f"{r.strategy} {len(r.finished)} trials, {r.epochs_spent} epochs" for r in results
        )
        + f" ({why}); compare their best values with that in mind."
    )


def comparison_blocks(results: Sequence[TuneResult]) -> list:
    """The comparison of several strategies: plot, table and reading."""
    better = max if results[0].direction == "maximize" else min
    with_best = [r for r in results if r.best is not None]
    text = []
    if with_best:
        winner = better(with_best, key=lambda r: r.best["value"])
        text.append(
            f"{winner.strategy} found the best {winner.metric}, {winner.best['value']:.4f}, "
            f"in {winner.epochs_spent} epochs ("
            + ", ".join(f"{r.strategy} {r.best['value']:.4f}" for r in with_best if r is not winner)
            + ")."
        )
    for r in results:
        n = sum(t.state == "PRUNED" for t in r.trials)
        if not n:
            continue
        others = ", ".join(
            f"{o.strategy} {len(o.finished)} in {o.epochs_spent}" for o in results if o is not r
        )
        text.append(
            f"{r.strategy} pruned {n} of its {len(r.finished)} trials: it tried "
            f"{len(r.finished)} configurations in {r.epochs_spent} epochs"
            + (f" ({others})." if others else ".")
        )
    note = budget_note(results)
    if note:
        text.append(note)
    return [
        Figure(
            comparison_figure(results),
            "Strategies for the same budget",
            "The best value found so far after each finished trial, against the epochs "
            "spent by all trials up to it.",
        ),
        comparison_table(results),
        Text(*text),
    ]


def write_tune_report(
    results: Sequence[TuneResult], out: str | os.PathLike, title: str | None = None
) -> Path:
    """Write the report of one study or of several compared strategies; return the page."""
    if not results:
        raise ValueError("write_tune_report: no results")
    sections = []
    shared = ("search", "fixed", "name", "strategy", "storage")
    settings = {k: v for k, v in results[0].config.items() if k not in shared}
    if len(results) > 1:
        settings = {
            "strategies": ", ".join(r.strategy for r in results),
            "studies": ", ".join(r.study for r in results),
            "storage": results[0].storage,
            **settings,
        }
        sections.append(
            Section(
                "comparison",
                "Strategies compared",
                "Which search strategy finds the best configuration for the same budget?",
                settings,
                [results[0].config.get("seed", 0)],
                sum(r.seconds for r in results),
                comparison_blocks(results),
            )
        )
    for r in results:
        sections.append(
            Section(
                f"study-{r.strategy}" if len(results) > 1 else "study",
                f"Study {r.study!r}: {r.strategy}",
                f"Which hyperparameters give the best {r.metric}?",
                {
                    "storage": r.storage,
                    **{k: v for k, v in r.config.items() if k in ("search", "fixed", "epochs")},
                },
                [r.config.get("seed", 0)],
                r.seconds,
                study_blocks(r),
            )
        )
    data = {"studies": [r.to_dict() for r in results]}
    if title is None:
        title = (
            f"neuralab tune: study {results[0].study!r}"
            if len(results) == 1
            else "neuralab tune: " + ", ".join(r.strategy for r in results) + " compared"
        )
    return write_report(sections, out, data, title)
