"""Study 7 (momentum) on its quick settings: on the ill-conditioned quadratic momentum 0.9
reaches the tolerance in far fewer steps than plain gradient descent, 0.99 overshoots
more than 0.9, the path is the heavy-ball recursion; on the MNIST MLP momentum 0.9 ends
with a lower training loss than none; the report renders with its reading as findings."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from neuralab import lab
from neuralab.lab import momentum
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import make_config

CONFIG = make_config(momentum.STUDY, quick=True)


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, results.json's entry)."""
    out = tmp_path_factory.mktemp("momentum")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([momentum.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["momentum"]
    return page.read_text(), data


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_quick_settings_are_the_ill_conditioned_quadratic():
    assert CONFIG.b / CONFIG.a >= 50 and {0.0, 0.9, 0.99} <= set(CONFIG.momenta)


def test_momentum_reaches_the_tolerance_in_far_fewer_steps(quick):
    _, data = quick
    for result in data["results"]:
        s = result["scalars"]
        plain, heavy = s["momentum 0"], s["momentum 0.9"]
        assert math.isfinite(heavy["quad_steps_to_tolerance"])
        assert 4 * heavy["quad_steps_to_tolerance"] < plain["quad_steps_to_tolerance"]
        distance = result["curves"]["momentum 0.9"]["quad_distance"]
        reached = int(heavy["quad_steps_to_tolerance"])
        assert distance[reached - 1] >= CONFIG.tolerance
        assert max(distance[reached:]) < CONFIG.tolerance


def test_too_much_momentum_overshoots_and_rings(quick):
    _, data = quick
    for result in data["results"]:
        s = result["scalars"]
        heavy, extreme = s["momentum 0.9"], s["momentum 0.99"]
        assert extreme["quad_overshoot_w1"] > 5 * heavy["quad_overshoot_w1"]
        assert extreme["quad_max_abs_w2"] > heavy["quad_max_abs_w2"]
        assert extreme["quad_final_distance"] > 1e6 * heavy["quad_final_distance"]
        assert s["momentum 0"]["quad_overshoot_w1"] == 0  # no momentum: never past the minimum


def test_the_path_is_the_heavy_ball_recursion(quick):
    _, data = quick
    trajectories = data["results"][0]["data"]["trajectories"]
    curvature = np.array([CONFIG.a, CONFIG.b])
    for m in CONFIG.momenta:
        path = np.asarray(trajectories[momentum.label(m)])
        assert path.shape == (CONFIG.draw_steps + 1, 2)
        w, v = np.array(CONFIG.start, dtype=float), np.zeros(2)
        expected = [w.copy()]
        for t in range(CONFIG.draw_steps):
            g = curvature * w  # grad 1/2 (a w1^2 + b w2^2)
            v = g if t == 0 else m * v + g
            w = w - CONFIG.quad_lr * v
            expected.append(w.copy())
        np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-9)


def test_the_contraction_factor_is_sqrt_m_when_the_roots_are_complex():
    assert momentum.contraction(0.005, 0.99, 1.0) == pytest.approx(math.sqrt(0.99))
    assert momentum.contraction(0.005, 0.0, 100.0) == pytest.approx(0.5)  # |1 - lr b|
    assert momentum.steps_to_tolerance(np.array([3.0, 0.5, 2.0, 0.1, 0.01]), 1.0) == 3
    assert momentum.steps_to_tolerance(np.array([3.0, 0.5, 2.0]), 1.0) == math.inf


def test_momentum_lowers_the_training_loss_of_the_network(quick):
    _, data = quick
    for result in data["results"]:
        s = result["scalars"]
        assert s["momentum 0.9"]["net_train_loss"] < 0.5 * s["momentum 0"]["net_train_loss"]
        assert s["momentum 0.9"]["net_test_accuracy"] > s["momentum 0"]["net_test_accuracy"]
        assert s["momentum 0.9"]["net_diverged"] == 0


def test_report_renders_the_trajectories_tables_and_reading(quick):
    html, data = quick
    for i in (1, 2, 3):
        assert f'src="images/momentum-{i}.png"' in html
    assert "effective lr = lr / (1 - m)" in html and "predicted factor per step" in html
    s = data["results"][0]["scalars"]
    steps = {n: s[n]["quad_steps_to_tolerance"] for n in s}
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    order = found["quad_steps_order"]
    assert order["labels"] == sorted(steps, key=steps.get)
    assert [e["mean"] for e in order["estimates"]] == sorted(steps.values())
    assert order["labels"][0] == "momentum 0.9"
    speedup = found["quad_speedup"]  # momentum 0.9 takes this many times fewer steps than none
    assert (speedup["a"], speedup["b"]) == ("momentum 0", "momentum 0.9")
    assert speedup["ratio"] == pytest.approx(steps["momentum 0"] / steps["momentum 0.9"])
    assert "momentum_faster" in found and "momentum_not_faster" not in found
    assert "extreme_overshoots" in found  # momentum 0.99 overshoots far more than 0.9
    assert found["overshoot_ratio"]["ratio"] > 5 and found["swing_ratio"]["ratio"] > 1
    assert found["factor:momentum 0.99"]["value"]["mean"] == pytest.approx(math.sqrt(0.99))
    loss = found["net_train_loss:momentum 0.9-momentum 0"]
    assert loss["better"] == "momentum 0.9" and loss["test"] == "paired t-test over seeds"
    assert found["net_train_loss_order"]["labels"][0] == min(
        s, key=lambda n: data["summary"][n]["net_train_loss"]["mean"]
    )
    assert not any(k.startswith("diverged:") for k in found)
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html.count(html_escape(finding["text"])) == 1


def test_the_reading_compares_only_the_momenta_that_ran(neuralab_data):
    """Without momentum 0 and 0.9 there is no speed-up, no overshoot comparison and no
    paired test on the network: only the rankings."""
    config = make_config(
        momentum.STUDY,
        overrides={"momenta": "0.5,0.99", "n_train": 128, "n_test": 64, "epochs": 1},
    )
    seeds = lab.run_seeds(momentum.STUDY, config)
    found = findings_of(momentum.report(config, seeds))
    assert [f.key for f in found] == ["quad_steps_order", "net_train_loss_order"]
    assert find(found, "quad_steps_order").labels == ["momentum 0.5", "momentum 0.99"]


def test_bad_settings_are_named(tmp_path):
    study = momentum.STUDY
    with pytest.raises(ValueError, match=r"momentum: every momentum must be in \[0, 1\)"):
        make_config(study, overrides={"momenta": "0,0.9,1.0"})
    with pytest.raises(ValueError, match=r"quad_lr must be below 2 / max\(a, b\) = 0.02"):
        make_config(study, overrides={"quad_lr": "0.05"})
    with pytest.raises(ValueError, match="momentum: start must be two numbers"):
        make_config(study, overrides={"start": "1,2,3"})
    with pytest.raises(ValueError, match="momentum: momenta must be distinct"):
        make_config(study, overrides={"momenta": "0.9,0.9"})
    with pytest.raises(ValueError, match="momentum: b must be positive"):
        lab.run_studies([study], out=tmp_path, overrides={"momentum": {"b": "-1"}}, log=None)
