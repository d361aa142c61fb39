"""Study 3, activations: every activation trains the shallow network, sigmoid fails in the
deep one because its gradient vanishes, and the report's reading (its findings) says so."""

from __future__ import annotations

import html as html_lib
import json

import numpy as np
import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import activations
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import Result, Seeds, make_config


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The study in quick mode over 2 seeds: the page and the per-seed results."""
    out = tmp_path_factory.mktemp("activations")
    page = lab.run_studies([activations.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["activations"]
    return page, data


def test_the_shallow_network_trains_with_every_activation(quick):
    _, data = quick
    assert set(data["config"]["activations"]) == set(activations.ACTIVATIONS)
    for result in data["results"]:
        for activation in activations.ACTIVATIONS:
            s = result["scalars"][f"shallow {activation}"]
            # the standardized target has variance 1: predicting its mean gives MSE 1
            assert s["train_loss"] < 0.5, (activation, s["train_loss"])
            assert s["val_loss"] < 0.7, (activation, s["val_loss"])


def test_sigmoid_is_clearly_worse_than_relu_when_deep(quick):
    _, data = quick
    for result in data["results"]:
        s, r = result["scalars"]["deep sigmoid"], result["scalars"]["deep relu"]
        assert s["train_loss"] > 2 * r["train_loss"], (s["train_loss"], r["train_loss"])
        assert s["train_loss"] > r["train_loss"] + 0.2
        # the mechanism: the first layer's gradient vanishes for sigmoid, not for ReLU
        assert s["grad_ratio_init"] < 1e-3 * r["grad_ratio_init"]
        assert s["mean_slope_init"] <= 0.25 < r["mean_slope_init"]
        norms = result["curves"]["deep sigmoid"]["grad_norm_init"]
        assert len(norms) == data["config"]["deep_layers"] + 1
        assert norms[0] < norms[-1]


def test_data_are_standardized_and_seeded():
    config = activations.Config(n_samples=300)
    nl.manual_seed(3)
    x, y, xv, yv = activations.make_data(config)
    assert x.shape == (240, 10) and y.shape == (240, 1) and xv.shape == (60, 10)
    assert abs(float(y.mean())) < 1e-5 and abs(float(y.std()) - 1) < 1e-4
    nl.manual_seed(3)
    again = activations.make_data(config)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, xv, yv), again))


@pytest.mark.parametrize("name", activations.ACTIVATIONS)
def test_slope_is_the_activations_derivative(name):
    config = activations.Config()
    model = activations.build(config, name, "shallow")
    z = nl.tensor(np.linspace(-3, 3, 13), dtype=nl.float64, requires_grad=True)
    model[1](z).sum().backward()
    expected = activations.slope(name, z._data, config.leaky_slope)
    np.testing.assert_allclose(z.grad._data, expected, atol=1e-12)


def test_report_shows_the_figures_and_reads_the_numbers(quick):
    page, data = quick
    html = page.read_text()
    for i in (1, 2):
        assert f'src="images/activations-{i}.png"' in html
        assert (page.parent / "images" / f"activations-{i}.png").stat().st_size > 1000
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    assert found["shallow_trained"]["count"] == found["shallow_trained"]["total"] == 2
    assert not any(k.startswith("shallow_untrained:") for k in found)
    deep = found["deep:train_loss:relu-sigmoid"]
    assert deep["better"] == "ReLU" and deep["outcome"] == "significant"
    assert found["deep:train_loss_order"]["labels"][-1] == "Sigmoid"
    assert "backward_vanishes" in found and "forward_fades" in found
    assert found["sigmoid_slope"]["value"]["mean"] <= 0.25
    assert found["grad_ratio_init:relu/sigmoid"]["ratio"] > 1e3
    # the plateau of the mean predictor: sigmoid never leaves it, ReLU always does
    assert found["deep:plateau_epochs_order"]["labels"][-1] == "Sigmoid"
    assert found["stuck:sigmoid"]["count"] == 2 and "stuck:relu" not in found
    # depth hurts sigmoid's fit (the shallow one is better)
    assert found["depth:train_loss:sigmoid"]["better"] == "Sigmoid 10-10-1"
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_lib.escape(finding["text"]) in html


def test_the_reading_of_the_mechanism_needs_sigmoid_and_relu(quick):
    """Without sigmoid among the activations, the reading compares what ran and says
    nothing of sigmoid's slope or vanishing gradient."""
    _, data = quick
    config = make_config(activations.STUDY, quick=True, overrides={"activations": "relu,tanh"})
    results = [Result.from_dict(r) for r in data["results"]]
    for r in results:
        for kind in ("scalars", "curves"):
            for c in [c for c in getattr(r, kind) if c.split()[1] in ("sigmoid", "leaky_relu")]:
                del getattr(r, kind)[c]
    seeds = Seeds(results, data["seeds"], activations.STUDY.bounds_for(config))
    found = findings_of(activations.report(config, seeds))
    assert find(found, "deep:train_loss_order").labels == sorted(
        ["ReLU", "Tanh"], key=lambda n: seeds.scalar(f"deep {n.lower()}", "train_loss").mean
    )
    assert not any("sigmoid" in f.key for f in found)
    assert {f.key for f in found if f.key.startswith("depth:train_loss:")} == {
        "depth:train_loss:relu",
        "depth:train_loss:tanh",
    }


def test_bad_settings_are_named():
    for key, value, message in (
        ("activations", "relu,swish", "activations: activations must be a non-empty selection"),
        ("init", "he", "activations: init must be one of xavier, default, kaiming"),
        ("deep_layers", "1", "activations: deep_layers must be at least 2"),
        ("target", "cubic", "activations: target must be 'nonlinear' or 'linear'"),
        ("val_fraction", "1.5", r"activations: val_fraction must be in \(0, 1\)"),
    ):
        with pytest.raises(ValueError, match=message):
            make_config(activations.STUDY, overrides={key: value})
