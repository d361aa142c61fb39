"""Findings as data (neuralab.lab.findings) and the comparison helper (lab.toolkit.compare)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats as scipy_stats

from neuralab.lab import findings as F
from neuralab.lab.report import Figure, Table
from neuralab.lab.stats import FRACTION, estimate
from neuralab.lab.study import Result, Seeds
from neuralab.lab.toolkit import Metric, compare


def test_a_difference_is_tested_by_the_paired_t_test():
    a, b = [0.10, 0.12, 0.11, 0.13], [0.20, 0.23, 0.21, 0.22]
    d = F.difference("loss", "loss", "A", estimate(a), "B", estimate(b))
    assert d.better == "A" and d.outcome == "significant" and d.significant
    assert d.p == pytest.approx(scipy_stats.ttest_rel(a, b).pvalue)
    assert d.test == "paired t-test over seeds"
    higher = F.difference(
        "acc", "accuracy", "A", estimate(a), "B", estimate(b), lower_is_better=False
    )
    assert higher.better == "B"


def test_noise_one_seed_and_equal_means_are_told_apart():
    noisy = F.difference(
        "k", "loss", "A", estimate([1.0, 2.0, 3.0]), "B", estimate([2.1, 1.0, 3.1])
    )
    assert noisy.outcome == "noise" and noisy.p > 0.05 and not noisy.significant
    single = F.difference("k", "loss", "A", estimate([1.0]), "B", estimate([2.0]))
    assert single.outcome == "one_seed" and single.better == "A"
    same = F.difference("k", "loss", "A", estimate([1.0, 2.0]), "B", estimate([2.0, 1.0]))
    assert same.outcome == "same" and same.better is None
    welch = F.difference("k", "loss", "A", estimate([1.0, 1.1]), "B", estimate([2.0, 2.2, 2.1]))
    assert welch.test == "Welch's t-test"
    expected = scipy_stats.ttest_ind([1.0, 1.1], [2.0, 2.2, 2.1], equal_var=False).pvalue
    assert welch.p == pytest.approx(expected)


def test_the_renderer_writes_each_kind_from_its_fields():
    e = estimate([0.91, 0.93], bounds=FRACTION)
    sig = F.difference("k", "loss", "A", estimate([1.0, 1.1, 1.2]), "B", estimate([2.0, 2.2, 2.3]))
    assert F.render(sig).startswith("A has the better loss (1.10 ± ")
    assert "significant (paired t-test over seeds, p = " in F.render(sig)
    noise = F.difference(
        "k", "loss", "A", estimate([1.0, 2.0, 3.0]), "B", estimate([2.1, 1.0, 3.1])
    )
    assert "within the seed-to-seed noise" in F.render(noise)
    t = F.Threshold(
        "t", "Adam", "test accuracy", e, 0.1, True, "the accuracy of guessing", F.PERCENT
    )
    assert t.holds and F.render(t).startswith("Adam's test accuracy (92.0 ")
    assert "is above 10.0 %, the accuracy of guessing." in F.render(t)
    low = F.Threshold("t", "SGD", "accuracy", estimate([0.05, 0.07]), 0.1, True, "guessing")
    assert not low.holds and " is not above " in F.render(low)
    c = F.Count("c", "the RNN", "reached 100 %", 0, 5)
    assert not c.every and F.render(c) == "The RNN reached 100 % in 0 of 5 seeds."
    assert F.Count("c", "LSTM", "learned", 1, 1).every
    assert F.render(F.Ratio("r", "time per epoch", "Adam", "SGD", 1.5)) == (
        "Adam's time per epoch is 1.5 times SGD's."
    )
    assert F.render(F.Note("why", "Because.")) == "Because."
    with pytest.raises(TypeError, match="not a finding"):
        F.render("text")


def test_findings_are_json_data_and_found_by_key():
    e = estimate([0.5, 0.7])
    ranking = F.Ranking("order", "accuracy", ["B", "A"], [e, e], lower_is_better=False)
    data = F.to_dict(ranking)
    assert data["kind"] == "ranking" and data["labels"] == ["B", "A"]
    assert data["estimates"][0]["values"] == [0.5, 0.7] and data["text"] == F.render(ranking)
    json.dumps(data, allow_nan=False)  # plain JSON
    reading = F.Reading([ranking, F.Note("n", "Two.")], F.Note("m", "Three."), [])
    assert reading.paragraphs == [F.render(ranking) + " Two.", "Three."]
    assert F.findings_of([Table("t", [], []), reading]) == reading.findings
    assert F.find(reading.findings, "m").text == "Three."
    with pytest.raises(KeyError, match="no finding 'x'; the findings are: order, n, m"):
        F.find(reading.findings, "x")


def _seeds(values: dict[str, list[float]]) -> Seeds:
    results = []
    for i in range(len(next(iter(values.values())))):
        r = Result()
        for condition, vs in values.items():
            r.scalar(condition, "accuracy", vs[i])
            r.scalar(condition, "loss", 1 - vs[i])
        results.append(r)
    return Seeds(results, list(range(len(results))), {"accuracy": FRACTION})


def test_compare_makes_the_table_figure_and_findings():
    seeds = _seeds({"a": [0.9, 0.92, 0.91], "b": [0.5, 0.55, 0.52], "c": [0.7, 0.72, 0.69]})
    labels = {"a": "Alpha", "b": "Beta", "c": "Gamma"}
    metrics = [
        Metric("accuracy", "accuracy", lower_is_better=False, fmt=F.PERCENT, axis="accuracy (%)"),
        Metric("loss", "loss"),
    ]
    cmp = compare(
        seeds,
        ["a", "b", "c"],
        labels,
        metrics,
        pairs=[("a", "b"), ("a", "zz")],
        title="T",
        settings={"a": "x", "b": "y", "c": "z"},
    )
    assert cmp.table.columns == ["condition", "settings", "accuracy", "loss"]
    assert cmp.table.rows[0][:2] == ["Alpha", "x"] and cmp.table.rows[0][2].endswith(" %")
    assert isinstance(cmp.figure, Figure)
    assert cmp.ranking("accuracy").labels == ["Alpha", "Gamma", "Beta"]
    assert cmp.ranking("loss").labels == ["Alpha", "Gamma", "Beta"]  # lower is better
    keys = [f.key for f in cmp.findings]
    assert keys == ["accuracy_order", "accuracy:a-b", "loss_order", "loss:a-b"]  # 'zz' not run
    assert all(d.better == "Alpha" and d.significant for d in cmp.differences())
    assert cmp.estimates["accuracy"]["b"].mean == pytest.approx(np.mean([0.5, 0.55, 0.52]))
    plain = compare(seeds, ["a"], labels, [Metric("loss", "loss")], title="T", key="p:")
    assert plain.figure is None and [f.key for f in plain.findings] == []
