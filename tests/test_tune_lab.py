"""The lab's tuning study (neuralab.lab.tuning): strategies compared for the same epoch
budget, on a tiny digits setting."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("optuna")

from neuralab.lab import make_config
from neuralab.lab import tuning as study
from neuralab.lab.findings import Reading, find, findings_of
from neuralab.lab.report import Figure, Section, Table, write_report
from neuralab.lab.study import Seeds

TINY = {
    "strategies": ("random", "hyperband"),
    "data": "digits",
    "n_train": 300,
    "n_val": 150,
    "n_test": 200,
    "epochs": 3,
    "epoch_budget": 12,
    "widths": (16, 32),
}


def test_strategies_spend_the_same_budget_and_report(tmp_path: Path) -> None:
    config = study.Config(**TINY)
    results = [study.run(config, seed) for seed in (0, 1)]
    for r in results:
        for name in config.strategies:
            epochs = r.scalars[name]["epochs"]
            assert 12 <= epochs < 12 + 3  # the budget, the last trial may end past it
            curve = r.curves[name]["best_by_epoch"]
            assert len(curve) == 12
            # undefined (None) until the first complete trial, then defined to the end
            finite = [v for v in curve if v is not None]
            assert curve[len(curve) - len(finite) :] == finite
            assert finite and all(b >= a for a, b in itertools.pairwise(finite))
            assert finite[-1] == r.scalars[name]["best_val_accuracy"]
            assert 0.1 < r.scalars[name]["test_accuracy"] <= 1.0
        # without pruning: 12 / 3 = 4 trials; Hyperband stops some and tries more
        assert r.scalars["random"]["trials"] == 4 and r.scalars["random"]["pruned"] == 0
        assert r.scalars["hyperband"]["pruned"] > 0
        assert r.scalars["hyperband"]["trials"] > r.scalars["random"]["trials"]
    seeds = Seeds(results, [0, 1], bounds=study.STUDY.bounds_for(config))
    for name in config.strategies:  # intervals stay within what an accuracy can be
        accuracy = seeds.scalar(name, "test_accuracy")
        assert 0.0 <= accuracy.low <= accuracy.high <= 1.0
        curve = study._curve(seeds, name)
        assert (curve.high[~np.isnan(curve.high)] <= 1.0).all()
    blocks = study.report(config, seeds)
    assert [type(b) for b in blocks] == [Figure, Table, Figure, Reading]
    assert [row[0] for row in blocks[1].rows] == ["random", "Hyperband (TPE)"]
    found = findings_of(blocks)
    best = max(config.strategies, key=lambda n: seeds.scalar(n, "best_val_accuracy").mean)
    assert find(found, "best_val_accuracy_order").best == study.LABELS[best]
    # Hyperband stopped trials early and so tried more than the 12 / 3 = 4 of no pruning
    assert find(found, "hyperband_pruned").value.mean > 0
    tried = find(found, "hyperband_trials")
    assert tried.level == 4 and tried.holds
    # no pair of the reading's (TPE-random, Hyperband-TPE, random-grid) ran: no comparison
    assert not [f for f in found if f.key.startswith("test_accuracy:")]
    section = Section("tuning", "t", "q", {}, [0, 1], 1.0, blocks)
    page = write_report([section], tmp_path, {}, "tuning").read_text()
    assert "Search progress for the epochs spent" in page


def test_quick_settings_and_bad_settings() -> None:
    quick = make_config(study.STUDY, quick=True)
    assert quick.data == "digits" and quick.epoch_budget <= 30
    assert make_config(study.STUDY).data == "mnist"  # the full study: the MNIST MLP
    with pytest.raises(ValueError, match="strategies must be distinct names"):
        study.Config(strategies=("grid", "bayes"))
    with pytest.raises(ValueError, match=r"epoch_budget \(2\) must be at least one trial"):
        study.Config(epochs=3, epoch_budget=2)
    with pytest.raises(ValueError, match="need 0 < lr_low < lr_high"):
        study.Config(lr_low=0.1, lr_high=0.01)
