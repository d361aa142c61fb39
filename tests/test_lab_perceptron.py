"""Study 2, the perceptron: AND and OR are learned, XOR never is, and the 2-2-1 MLP solves
XOR from its best start; the report reads its numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import perceptron
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
    assert "AND is learned on every seed" in html and "OR is learned on every seed" in html
    assert "XOR is never learned" in html and "never zero" in html
    assert "The perceptron&#x27;s single line can separate AND and OR but not XOR" in html
    assert "the best start of every seed solves it" in html
    n_solved = round(sum(r["scalars"][perceptron.MLP]["solved_fraction"] for r in data["results"])
                     * data["config"]["restarts"])  # fmt: skip
    total = 2 * data["config"]["restarts"]
    assert f"from {n_solved} of its {total} random starts" in html


def test_bad_settings_are_named():
    for key, value, message in (
        ("init", "ones", "perceptron: init must be 'random' or 'zeros'"),
        ("mlp_activation", "relu", "perceptron: mlp_activation must be 'tanh' or 'sigmoid'"),
        ("restarts", "0", "perceptron: restarts must be at least 1"),
        ("lr", "-1", "perceptron: lr must be positive"),
    ):
        with pytest.raises(ValueError, match=message):
            make_config(perceptron.STUDY, overrides={key: value})
