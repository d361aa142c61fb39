"""Study 2, the perceptron: AND and OR are learned, XOR never is, and the 2-2-1 MLP solves
XOR from its best start; the reading (findings) says so."""

from __future__ import annotations

import html as html_lib
import json

import numpy as np
import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import perceptron
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import make_config


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The study in quick mode over 2 seeds: the page and the per-seed results."""
    out = tmp_path_factory.mktemp("perceptron")
    page = lab.run_studies([perceptron.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["perceptron"]
    return page, data


def test_and_and_or_converge_but_xor_errs_in_every_epoch(quick):
    _, data = quick
    for result in data["results"]:
        curves, scalars = result["curves"], result["scalars"]
        for gate in ("AND", "OR"):
            errors = curves[f"perceptron {gate}"]["errors"]
            assert errors[-1] == 0 and scalars[f"perceptron {gate}"]["converged"] == 1
            assert scalars[f"perceptron {gate}"]["accuracy"] == 1
        xor = curves["perceptron XOR"]["errors"]
        assert len(xor) == data["config"]["epochs"]
        assert min(xor) >= 1  # at least one mistake in every epoch
        assert scalars["perceptron XOR"]["converged"] == 0
        assert scalars["perceptron XOR"]["accuracy"] < 1


def test_the_drawn_last_epoch_follows_the_perceptrons_rule():
    """The lines drawn for the last epoch are the rule applied by hand: they must end
    where neuralab.perceptron.Perceptron ends."""
    config = perceptron.Config(epochs=7)
    order = np.array([2, 0, 3, 1])
    for gate in ("AND", "XOR"):
        model, _ = perceptron.train_perceptron(config, gate, order, None)
        path = perceptron.last_epoch_path(config, gate, order, None)
        if model.converged_ and len(model.errors_) < config.epochs:
            assert path == []
        else:
            np.testing.assert_allclose(path[-1], [*model.weights, model.bias])


def test_the_mlp_solves_xor_from_its_best_start(quick):
    _, data = quick
    for result in data["results"]:
        mlp = result["scalars"][perceptron.MLP]
        assert mlp["best_accuracy"] == 1
        assert 0 < mlp["solved_fraction"] <= 1
        d = result["data"]["mlp"]
        assert d["accuracy"][d["best"]] == 1
        # the plotted probabilities are those of the trained batched network
        p = perceptron.mlp_probability(d["params"], d["best"], perceptron.X, "tanh")
        np.testing.assert_allclose(p, d["probabilities"][d["best"]], atol=1e-5)


def test_restarts_are_trained_independently():
    """Training 3 starts side by side gives each start what training it alone gives."""
    config = perceptron.Config(restarts=3, mlp_steps=100)
    nl.manual_seed(5)
    initial = perceptron.initial_mlps(3)
    together = perceptron.train_mlps(config, initial)
    for start in range(3):
        alone = perceptron.train_mlps(config, [q[start : start + 1] for q in initial])
        np.testing.assert_allclose(alone["final_loss"][0], together["final_loss"][start], rtol=1e-4)
        np.testing.assert_allclose(
            alone["probabilities"][0], together["probabilities"][start], atol=1e-5
        )


def test_report_shows_the_figures_and_reads_the_numbers(quick):
    page, data = quick
    html = page.read_text()
    for i in (1, 2, 3):
        assert f'src="images/perceptron-{i}.png"' in html
        assert (page.parent / "images" / f"perceptron-{i}.png").stat().st_size > 1000
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    for gate in ("AND", "OR"):  # learned on every seed
        assert found[f"learned:{gate}"]["count"] == found[f"learned:{gate}"]["total"] == 2
        assert f"epochs:{gate}" in found and f"fewest_errors:{gate}" not in found
    assert found["learned:XOR"]["count"] == 0  # never learned
    assert min(found["fewest_errors:XOR"]["value"]["values"]) >= 1  # never an error-free epoch
    assert found["last_epoch_errors:XOR"]["value"]["mean"] >= 1
    assert "separable" in found and "contrast_unclear" not in found
    assert found["best_start_solves"]["count"] == found["best_start_solves"]["total"] == 2
    solved = [r["scalars"][perceptron.MLP]["solved_fraction"] for r in data["results"]]
    assert found["mlp_solved"]["value"]["values"] == solved
    assert ("starts_stuck" in found) == (min(solved) < 1) != ("no_start_stuck" in found)
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_lib.escape(finding["text"]) in html


def test_the_reading_notes_when_the_contrast_does_not_show():
    """With one epoch not even AND is learned: the reading says the separable/non-separable
    contrast does not show, and gives each gate's remaining mistakes instead."""
    config = make_config(perceptron.STUDY, overrides={"epochs": 1, "restarts": 2, "mlp_steps": 5})
    seeds = lab.run_seeds(perceptron.STUDY, config)
    found = findings_of(perceptron.report(config, seeds))
    assert find(found, "learned:AND").count == 0
    assert find(found, "last_epoch_errors:AND").value.mean > 0
    assert find(found, "contrast_unclear") and not any(f.key == "separable" for f in found)


def test_bad_settings_are_named():
    for key, value, message in (
        ("init", "ones", "perceptron: init must be 'random' or 'zeros'"),
        ("mlp_activation", "relu", "perceptron: mlp_activation must be 'tanh' or 'sigmoid'"),
        ("restarts", "0", "perceptron: restarts must be at least 1"),
        ("lr", "-1", "perceptron: lr must be positive"),
        ("mlp_optimizer", "lbfgs", "perceptron: mlp_optimizer must be one of sgd, adam"),
    ):
        with pytest.raises(ValueError, match=message):
            make_config(perceptron.STUDY, overrides={key: value})
