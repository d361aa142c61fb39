"""Study 8, initialization and gradient flow: on the quick settings, the behaviours the
study exists to show, its report, and its settings' errors."""

from __future__ import annotations

import html as html_text
import json
import math

import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import initialization
from neuralab.lab.findings import Difference, find, findings_of
from neuralab.lab.initialization import CHANCE, Config
from neuralab.lab.study import make_config


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, per-seed results, out dir,
    results.json's findings by key)."""
    out = tmp_path_factory.mktemp("initialization")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([initialization.STUDY], quick=True, seeds=2, out=out, log=None)
    study = json.loads((out / "results.json").read_text())["studies"]["initialization"]
    found = {f["key"]: f for f in study["findings"]}
    html = html_text.unescape(page.read_text())
    return html, [r["scalars"] for r in study["results"]], out, found


def per_seed(results, condition, metric):
    return [r[condition][metric] for r in results]


def test_deep_sigmoid_with_small_init_starves_the_first_layer(quick):
    _, results, _, _ = quick
    for ratio in per_seed(results, "sigmoid/small", "grad_first_over_last_init"):
        assert ratio < 1e-2  # the first layer's gradient is > 100x below the last's
    # with batch normalization the gradient reaches the first layer
    for ratio in per_seed(results, "sigmoid/small+BN", "grad_first_over_last_init"):
        assert ratio > 1e-2


def test_he_init_keeps_the_relu_spread_while_small_init_collapses_it(quick):
    _, results, _, _ = quick
    for spread in per_seed(results, "relu/he", "act_spread_init"):
        assert spread < 4  # largest / smallest layer's activation std
    firsts = per_seed(results, "relu/small", "act_std_first_init")
    lasts = per_seed(results, "relu/small", "act_std_last_init")
    for first, last in zip(firsts, lasts):
        assert last < 1e-3 * first


def test_batch_norm_makes_the_small_init_sigmoid_net_train(quick):
    _, results, _, _ = quick
    chance = math.log(10)
    for start, final in zip(
        per_seed(results, "sigmoid/small", "initial_loss"),
        per_seed(results, "sigmoid/small", "final_loss"),
    ):
        assert final > 0.95 * min(start, chance)  # stuck near chance without
    for start, final in zip(
        per_seed(results, "sigmoid/small+BN", "initial_loss"),
        per_seed(results, "sigmoid/small+BN", "final_loss"),
    ):
        assert final < 0.7 * start  # the loss drops clearly with batch norm


def test_clipping_keeps_the_exploding_net_finite(quick):
    _, results, _, _ = quick
    assert per_seed(results, "relu/large", "diverged") == [1.0, 1.0]
    assert all(s >= 1 for s in per_seed(results, "relu/large", "divergence_step"))
    assert per_seed(results, "relu/large+clip", "diverged") == [0.0, 0.0]
    for start, final in zip(
        per_seed(results, "relu/large+clip", "initial_loss"),
        per_seed(results, "relu/large+clip", "final_loss"),
    ):
        assert math.isfinite(final) and final < start


def test_report_shows_profiles_curves_tables_warnings_and_a_reading(quick):
    html, results, out, found = quick
    for i in range(1, 6):
        assert f'src="images/initialization-{i}.png"' in html
        assert (out / "images" / f"initialization-{i}.png").read_bytes()[:4] == b"\x89PNG"
    assert "Warnings of neuralab.inspect.diagnose" in html
    assert "vanishing gradients (2/2)" in html and "exploding gradients (2/2)" in html
    assert "grad/weight" in html  # diagnose's own table
    for finding in found.values():  # the reading is the findings, each as its sentence
        assert finding["text"] in html
    # the gradient vanishes on its way back to the input (deep sigmoid)
    assert found["grad_ratio:sigmoid/small"]["ratio"] < 1e-2
    assert "sigmoid, small N(0, 0.01²)" in found["vanishes_toward_input"]["text"]
    assert found["warned:sigmoid/small"]["count"] == 2
    # He's init keeps the ReLU net's activation std within a small factor across depth
    he = found["act_spread:relu/he"]
    assert he["value"]["mean"] < he["level"] < found["act_spread:relu/small"]["value"]["mean"]
    # with batch normalization the small-init sigmoid net trains; it did not without
    assert found["trains:sigmoid/small+BN"]["count"] == 2
    assert found["trains:sigmoid/small"]["count"] == 0
    assert found["bn_rescues:sigmoid/small"]["kind"] == "note"
    assert found["final_loss:sigmoid/small+BN-sigmoid/small"]["better"].endswith("+ batch norm")
    # the exploding net: NaN in every seed, at the recorded steps; clipped: finite everywhere
    assert (found["diverged:relu/large"]["count"], found["diverged:relu/large"]["total"]) == (2, 2)
    steps = found["divergence_step:relu/large"]["value"]["values"]
    assert steps == per_seed(results, "relu/large", "divergence_step")
    assert found["diverged:relu/large+clip"]["count"] == 0
    assert "clipping_keeps_finite" in found
    assert found["final_loss:relu/large+clip"]["value"]["mean"] < CHANCE


TINY = {
    "activations": "relu",
    "inits": "small,he",
    "batchnorm": "relu/small",
    "depth": "3",
    "width": "16",
    "train_size": "256",
    "test_size": "128",
    "probe_size": "64",
    "epochs": "1",
}


def test_a_smaller_selection_reports(datasets_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA", str(datasets_dir))
    page = lab.run_studies(
        [initialization.STUDY], seeds=1, out=tmp_path, log=None, overrides={"initialization": TINY}
    )
    html = html_text.unescape(page.read_text())
    assert "relu, He normal" in html
    assert "sigmoid, " not in html  # only the chosen activation
    study = json.loads((tmp_path / "results.json").read_text())["studies"]["initialization"]
    keys = {f["key"] for f in study["findings"]}
    assert {"act_spread:relu/he", "act_spread:relu/small", "trains:relu/small+BN"} <= keys
    assert not any("sigmoid" in k or "tanh" in k for k in keys)
    assert set(study["results"][0]["scalars"]) == {
        "relu/small",
        "relu/he",
        "relu/small+BN",
        "relu/large",
        "relu/large+clip",
    }


def test_a_net_that_does_not_explode_is_read_as_such(neuralab_data):
    """With weights half He's the 'exploding' net stays finite: the reading says so and
    compares the clipped and unclipped runs instead."""
    config = make_config(initialization.STUDY, overrides={**TINY, "explode_gain": "0.5"})
    seeds = lab.run_seeds(initialization.STUDY, config)
    found = findings_of(initialization.report(config, seeds))
    assert find(found, "diverged:relu/large").count == 0
    assert find(found, "no_explosion").text
    assert isinstance(find(found, "final_loss:relu/large+clip-relu/large"), Difference)
    assert not any(f.key.startswith("clipping_") for f in found)


def test_a_seed_gives_the_same_numbers_twice(datasets_dir, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA", str(datasets_dir))
    config = make_config(initialization.STUDY, overrides=TINY)
    results = []
    for _ in range(2):
        nl.manual_seed(3)
        results.append(initialization.run(config, 3).to_dict())
    assert json.dumps(results[0]) == json.dumps(results[1])  # NaN included


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("activations", "swish", "activations must be among sigmoid, tanh, relu"),
        ("inits", "orthogonal", "inits must be among small, xavier, he"),
        ("batchnorm", "relu/orthogonal", "batchnorm entries must be 'activation/init'"),
        ("depth", "1", "depth must be at least 2"),
        ("batch_size", "1", "batch_size must be in"),
        ("lr", "0", "lr must be positive"),
        ("momentum", "1", r"momentum must be in \[0, 1\)"),
        ("train_size", "70000", "MNIST has 60000 training"),
    ],
)
def test_bad_settings_are_named(key, value, message):
    with pytest.raises(ValueError, match=f"initialization: {message}"):
        make_config(initialization.STUDY, quick=True, overrides={key: value})


def test_quick_settings_are_small_and_defaults_are_the_full_study():
    full, quick = Config(), make_config(initialization.STUDY, quick=True)
    assert full.depth >= 10 and 64 <= quick.width <= full.width <= 256
    assert quick.train_size < full.train_size and quick.epochs < full.epochs


def test_geometric_band_averages_the_logs_and_skips_non_positive_values():
    """The toolkit's geometric mean over seeds, which the profile plots draw."""
    from neuralab.lab.toolkit import geometric_band

    b = geometric_band([[1e-6, 10.0, 0.0], [1e-4, 1000.0, 4.0]])
    assert b.n == 2
    assert b.mean[:2] == pytest.approx([1e-5, 100.0])  # 10^(mean of log10)
    assert b.low[0] < 1e-5 < b.high[0]
    assert math.isnan(b.mean[2])  # a value of 0 counts as missing
