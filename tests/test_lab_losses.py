"""Study 4, losses: robust losses resist outliers, class weights raise the minority
recall, cross-entropy converges faster than MSE after a sigmoid or softmax output; the
report's reading is findings (asserted on as data, never as text)."""

from __future__ import annotations

import html as html_module
import json

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import lab
from neuralab.lab import losses
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import Result, Seeds, make_config


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The study in quick mode over 2 seeds: the page and the per-seed results."""
    out = tmp_path_factory.mktemp("losses")
    page = lab.run_studies([losses.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["losses"]
    return page, data


def test_huber_and_mae_beat_mse_on_clean_test_data_with_outliers(quick):
    _, data = quick
    huber = f"Huber (delta {data['config']['huber_delta']:g})"
    quantile = f"quantile {data['config']['quantile']:g}"
    for result in data["results"]:
        s = result["scalars"]
        assert s[huber]["test_rmse"] < s["MSE"]["test_rmse"]
        assert s["MAE"]["test_rmse"] < s["MSE"]["test_rmse"]
        assert s[huber]["test_mae"] < s["MSE"]["test_mae"]
        # the outliers are what hurts MSE: trained on the clean targets it does fine
        assert s[losses.CLEAN]["test_rmse"] < s["MSE"]["test_rmse"]
        # the 0.9-quantile model puts most clean targets below its predictions
        assert s[quantile]["coverage"] > 0.8 > s["MSE"]["coverage"]
        assert result["data"]["outliers"]["outliers_in_train"] > 0


def test_class_weights_raise_the_minority_recall(quick):
    _, data = quick
    plain, weighted = losses.IMBALANCE
    for result in data["results"]:
        s = result["scalars"]
        assert s[weighted]["minority_recall"] > s[plain]["minority_recall"]
        assert s[weighted]["predicted_minority"] > s[plain]["predicted_minority"]
        w = result["data"]["imbalance"]["class_weights"]
        assert w[1] > 10 * w[0]  # 95/5: the minority weighs about 19x more


def test_cross_entropy_converges_faster_than_mse_after_sigmoid_and_softmax(quick):
    _, data = quick
    for result in data["results"]:
        s = result["scalars"]
        for good, other in losses.PAIRS.values():
            assert s[good]["epochs_to_target"] < s[other]["epochs_to_target"], (good, other)
            assert s[good]["mean_val_accuracy"] > s[other]["mean_val_accuracy"], (good, other)
            assert s[good]["reached_target"] == 1


def test_softmax_mse_is_the_mean_squared_error_of_the_probabilities():
    logits = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    target = np.array([0, 3, 1, 1, 2])
    z = nl.tensor(logits, requires_grad=True)
    value = losses.softmax_mse(z, nl.tensor(target))
    value.backward()
    zt = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.mse_loss(
        torch.softmax(zt, 1), torch.nn.functional.one_hot(torch.tensor(target), 4).float()
    )
    expected.backward()
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
    np.testing.assert_allclose(z.grad._data, zt.grad.numpy(), rtol=1e-4, atol=1e-7)


def test_report_shows_the_figures_and_reads_the_numbers(quick):
    page, data = quick
    html = page.read_text()
    for i in (1, 2, 3):
        assert f'src="images/losses-{i}.png"' in html
        assert (page.parent / "images" / f"losses-{i}.png").stat().st_size > 1000
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    huber = f"Huber (delta {data['config']['huber_delta']:g})"
    assert found[f"test_rmse:{huber}-MSE"]["better"] == huber
    assert found["test_rmse:MAE-MSE"]["better"] == "MAE"
    for robust in (huber, "MAE"):  # seed by seed, every loss sees the same data
        wins = found[f"wins:test_rmse:{robust}-MSE"]
        assert (wins["count"], wins["total"]) == (2, 2)
    assert "robust:both_lower" in found and "robust:not_both_lower" not in found
    assert found["rmse_ratio:MSE"]["ratio"] > found[f"rmse_ratio:{huber}"]["ratio"]
    assert found["minority_recall:weighted CE-unweighted CE"]["better"] == "weighted CE"
    assert "weights:raise_recall" in found
    wins = found["wins:epochs_to_target:sigmoid+BCE-sigmoid+MSE"]
    assert (wins["count"], wins["total"]) == (2, 2)
    assert "sigmoid:faster" in found and "softmax:faster" in found
    assert "step:sgd" in found and "step:adam" not in found
    for name in (n for pair in losses.PAIRS.values() for n in pair):  # misses are counted
        reached = sum(r["scalars"][name]["reached_target"] for r in data["results"])
        assert (f"reached:{name}" in found) == (reached < 2)
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_module.escape(finding["text"]) in html
    # the reading follows its experiment: A's findings come before B's, B's before C's
    keys = list(found)
    assert keys.index("robust:both_lower") < keys.index("weights:raise_recall")
    assert keys.index("weights:raise_recall") < keys.index("sigmoid:faster")


def test_the_reading_chooses_its_explanation_from_the_numbers(quick):
    """Where the numbers go the other way, the reading chooses the other explanation
    (the notes' keys say which)."""
    _, data = quick
    config = losses.Config(**data["config"])
    results = [Result.from_dict(r) for r in data["results"]]
    for result in results:
        s = result.scalars
        s["MSE"]["test_rmse"] = 0.5 * s["MAE"]["test_rmse"]  # MSE beats the robust losses
        s["weighted CE"]["minority_recall"] = s["unweighted CE"]["minority_recall"]
        s["softmax+MSE"]["epochs_to_target"] = 1.0  # first to the target, lower mean accuracy
    seeds = Seeds(results, data["seeds"], losses.STUDY.bounds_for(config))
    found = findings_of(losses.report(config, seeds))
    keys = {f.key for f in found}
    assert {"robust:not_both_lower", "weights:no_recall_gain", "softmax:measures_disagree"} <= keys
    assert not keys & {"robust:both_lower", "weights:raise_recall", "softmax:faster"}
    assert "sigmoid:faster" in keys  # untouched
    assert find(found, "test_rmse:MAE-MSE").better == "MSE"
    assert find(found, "wins:test_rmse:MAE-MSE").count == 0
    assert find(found, "minority_recall:weighted CE-unweighted CE").outcome == "same"


def test_the_reading_on_step_sizes_follows_the_pair_optimizer(tmp_path):
    """Adam's step does not scale with the gradient: with pair_optimizer=adam the reading
    does not claim that every MSE step is smaller (it chooses Adam's explanation)."""
    lab.run_studies(
        [losses.STUDY], quick=True, seeds=1, out=tmp_path, log=None,
        overrides={"losses": {"pair_optimizer": "adam"}},
    )  # fmt: skip
    data = json.loads((tmp_path / "results.json").read_text())["studies"]["losses"]
    keys = [f["key"] for f in data["findings"]]
    assert "step:adam" in keys and "step:sgd" not in keys


def test_bad_settings_are_named():
    for key, value, message in (
        ("outliers", "0.7", r"losses: outliers must be in \[0, 0.5\)"),
        ("quantile", "1", r"losses: quantile must be in \(0, 1\)"),
        ("pair_optimizer", "lbfgs", "losses: pair_optimizer must be 'sgd' or 'adam'"),
        ("imbalance", "0", r"losses: imbalance must be in \(0, 0.5\)"),
        ("reg_train", "5", "losses: reg_train must be at least 20"),
    ):
        with pytest.raises(ValueError, match=message):
            make_config(losses.STUDY, overrides={key: value})
