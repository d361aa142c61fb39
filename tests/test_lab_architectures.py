"""Study 9 (architectures) on its quick settings: the CNN beats the MLP on MNIST with fewer
parameters; the LSTM (its forget gate opened by ``forget_bias``) recalls the first symbol
at lengths where the vanilla RNN stays near chance, and at PyTorch's init it does not;
the report renders, and its reading (findings) says so."""

from __future__ import annotations

import html as html_text
import itertools
import json

import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import architectures
from neuralab.lab.findings import Count, find, findings_of
from neuralab.lab.study import TIMING_PREFIX, Result, Seeds, make_config

CONFIG = make_config(architectures.STUDY, quick=True)


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, results.json's entry, out dir)."""
    out = tmp_path_factory.mktemp("architectures")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([architectures.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["architectures"]
    return html_text.unescape(page.read_text()), data, out


def mlp_parameters(sizes: tuple[int, ...]) -> int:
    """A fully connected net's weights and biases: sum over layers of (n_in + 1) n_out."""
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def test_quick_settings_reach_a_long_dependency():
    assert max(CONFIG.lengths) >= 40 and min(CONFIG.lengths) <= 5
    assert set(CONFIG.cells) == {"rnn", "lstm"} and CONFIG.forget_bias is not None


def test_the_cnn_beats_the_mlp_with_fewer_parameters(quick):
    _, data, _ = quick
    for result in data["results"]:
        mlp, cnn = result["scalars"]["mlp"], result["scalars"]["cnn"]
        assert mlp["parameters"] == mlp_parameters((784, 128, 64, 10))
        assert cnn["parameters"] < 0.7 * mlp["parameters"]
        assert cnn["test_accuracy"] > mlp["test_accuracy"] + 0.02
        assert mlp["test_accuracy"] > 0.5  # both learn (chance is 0.1)
        # weight sharing is not free: each filter is applied at every position
        assert cnn["seconds_per_epoch"] > mlp["seconds_per_epoch"]
        curve = result["curves"]["cnn"]["train_loss"]
        assert curve[-1] < 0.5 * curve[0]


def test_the_lstm_remembers_where_the_rnn_forgets(quick):
    _, data, _ = quick
    chance = 1 / CONFIG.symbols
    short, longest = min(CONFIG.lengths), max(CONFIG.lengths)
    for result in data["results"]:
        s = result["scalars"]
        # a short sequence is easy for both: the task itself is learnable
        assert s[f"rnn T={short}"]["accuracy"] > 0.9
        assert s[f"lstm T={short}"]["accuracy"] > 0.9
        # the long one: the LSTM recalls the symbol, the RNN stays near chance
        assert s[f"lstm T={longest}"]["accuracy"] > 0.9
        assert s[f"rnn T={longest}"]["accuracy"] < chance + 0.15
        steps = result["data"]["recurrent_steps"]
        assert steps[-1] == CONFIG.steps
        assert len(result["curves"][f"lstm T={longest}"]["accuracy"]) == len(steps)


def test_at_pytorchs_init_the_lstm_also_forgets(neuralab_data):
    """Why forget_bias is a setting: with f_t ~ 1/2 at the start, the LSTM stays near
    chance on the long sequence in the same number of steps."""
    config = make_config(architectures.STUDY, quick=True, overrides={"forget_bias": "none"})
    assert config.forget_bias is None
    nl.manual_seed(0)
    _, accuracy = architectures._train_recurrent("lstm", max(config.lengths), config, seed=0)
    assert accuracy[-1] < 1 / config.symbols + 0.15


def test_in_full_settings_the_lstm_learns_at_t_80(neuralab_data):
    """Issue 14, item 7: at T = 80 the full settings' LSTM (warm-up over 100 steps to
    1e-3, then a cosine decay) recalls the first symbol; at a constant 3e-3 it settled
    on a plateau in about half of the seeds. Measured here for seed 0 (seeds 0-4, the
    full study's, all reach 100 % by step 400)."""
    config = make_config(architectures.STUDY)
    assert max(config.lengths) == 80 and config.recurrent_learning_rate == 1e-3
    steps, accuracy = architectures._train_recurrent("lstm", 80, config, seed=0)
    assert steps[-1] == config.steps and accuracy[-1] > 0.99


def test_report_renders_tables_plots_and_reading(quick):
    html, data, out = quick
    for i in (1, 2):
        assert f'src="images/architectures-{i}.png"' in html
        assert (out / "images" / f"architectures-{i}.png").read_bytes()[:4] == b"\x89PNG"
    assert "<td>LeNet-5 CNN</td>" in html and "<td>61,706</td>" in html
    assert f"LSTM forget-gate bias {CONFIG.forget_bias:+g}" in html
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    assert found["test_accuracy:cnn-mlp"]["better"] == "LeNet-5 CNN"
    assert found["parameters"]["ratio"] == pytest.approx(61_706 / 109_386)
    for t in CONFIG.lengths:  # the LSTM recalls the first symbol at every length, every seed
        assert found[f"learned:lstm T={t}"]["count"] == found[f"learned:lstm T={t}"]["total"] == 2
    longest = max(CONFIG.lengths)
    assert found[f"near_chance:rnn T={longest}"]["count"] == 2
    lstm_rnn = found["longest:lstm-rnn"]
    assert lstm_rnn["better"] == "LSTM" and lstm_rnn["outcome"] == "significant"
    assert "warmup" in found  # why the recurrent learning rate warms up
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert finding["text"] in html
    # timings are the only metrics allowed to differ between runs, and they are named so
    timing = [m for m in data["results"][0]["scalars"]["cnn"] if m.startswith(TIMING_PREFIX)]
    assert timing == ["seconds_per_epoch"]


def made_up(config, accuracy: dict, mlp=(0.95, 0.96), cnn=(0.90, 0.92)) -> Seeds:
    """Two seeds of made-up results: the image models' test accuracies and each recurrent
    condition's final accuracy ({condition: (seed 0, seed 1)})."""
    results = []
    for seed in (0, 1):
        r = Result()
        for name, value in (("mlp", mlp[seed]), ("cnn", cnn[seed])):
            r.scalar(name, "parameters", 1000.0)
            r.scalar(name, "test_accuracy", value)
            r.scalar(name, "train_loss", 0.1)
            r.scalar(name, "seconds_per_epoch", 1.0)
            r.curve(name, "train_loss", [1.0, 0.5])
        for condition, values in accuracy.items():
            r.scalar(condition, "accuracy", values[seed])
            r.curve(condition, "accuracy", [0.5, values[seed]])
        r.data = {"image_steps": 2 * config.loss_window, "recurrent_steps": [1, 2]}
        results.append(r)
    return Seeds(results, [0, 1], architectures.STUDY.bounds_for(config))


def test_the_image_reading_when_the_mlp_wins():
    """Where the MLP wins (made-up numbers, cells=lstm as set from the command line), the
    reading says so, and only what ran is read: no RNN, no comparison with it."""
    config = make_config(
        architectures.STUDY, quick=True, overrides={"cells": "lstm", "lengths": "5"}
    )
    seeds = made_up(config, {"lstm T=5": (1.0, 0.95)})
    found = findings_of(architectures.report(config, seeds))
    assert find(found, "test_accuracy:cnn-mlp").better == "MLP 784-128-64-10"
    assert find(found, "parameters").ratio == 1.0 and find(found, "time").ratio == 1.0
    assert not any(f.key == "convolution_cost" for f in found)  # the CNN is not slower here
    assert find(found, "learned:lstm T=5").count == 2
    assert not any("rnn" in f.key for f in found)


def test_the_recurrent_reading_counts_the_seeds_that_learn():
    """Per cell and length: in how many seeds it recalls the symbol (≥ 90 %) and in how
    many it stays near chance (within 10 points of it); without a warm-up, the reading
    says what that risks."""
    config = make_config(
        architectures.STUDY, quick=True, overrides={"lengths": "5,40", "warmup_steps": "0"}
    )
    accuracy = {
        "rnn T=5": (1.0, 0.95),
        "lstm T=5": (1.0, 1.0),
        "rnn T=40": (0.13, 0.5),
        "lstm T=40": (0.875, 1.0),
    }
    found = findings_of(architectures.report(config, made_up(config, accuracy)))
    counts = {f.key: f.count for f in found if isinstance(f, Count)}
    assert counts == {
        "learned:rnn T=5": 2,
        "learned:rnn T=40": 0,
        "near_chance:rnn T=40": 1,
        "learned:lstm T=5": 2,
        "learned:lstm T=40": 1,
    }
    assert find(found, "longest:lstm-rnn").better == "LSTM"
    assert any(f.key == "no_warmup" for f in found) and not any(f.key == "warmup" for f in found)


def test_the_recurrent_learning_rate_warms_up_then_decays():
    """Linear warm-up over warmup_steps (capped at half the steps) to the peak, then a
    cosine that falls every step down to 0 at the last one."""
    factor = architectures._warmup_cosine(100, 1500)
    lrs = [factor(s) for s in range(1500)]
    assert lrs[0] == pytest.approx(0.01) and lrs[49] == pytest.approx(0.5)
    assert lrs[99] == 1.0 and lrs[100] == pytest.approx(1.0, abs=1e-5)
    assert all(a > b for a, b in itertools.pairwise(lrs[99:]))
    assert lrs[-1] == pytest.approx(0.0, abs=1e-12) and lrs[799] == pytest.approx(0.5)
    tiny = make_config(architectures.STUDY, overrides={"steps": "20"})
    assert architectures._warmup(tiny) == 10
    assert architectures._warmup(CONFIG) == min(CONFIG.warmup_steps, CONFIG.steps // 2)


TINY = {
    "train_images": "256",
    "test_images": "128",
    "epochs": "1",
    "lengths": "3",
    "steps": "20",
    "evaluate_every": "10",
    "loss_window": "2",
}


def test_a_seed_gives_the_same_numbers_twice(neuralab_data):
    config = make_config(architectures.STUDY, overrides=TINY)
    results = []
    for _ in range(2):
        nl.manual_seed(5)
        results.append(architectures.run(config, 5))
    a, b = results
    for condition in a.scalars:
        untimed = [
            {k: v for k, v in r.scalars[condition].items() if not k.startswith(TIMING_PREFIX)}
            for r in (a, b)
        ]
        assert untimed[0] == untimed[1]
    assert a.curves == b.curves and a.data == b.data


def test_a_recurrent_run_depends_on_its_seed_and_length_alone(neuralab_data):
    """The recurrent runs do not depend on what ran before them (the MNIST part, other
    lengths): a run repeated by itself, after other random draws, gives the same curve."""
    config = make_config(architectures.STUDY, overrides=TINY)
    nl.manual_seed(5)
    first = architectures.run(config, 5)
    fewer = make_config(architectures.STUDY, overrides={**TINY, "train_images": "64"})
    nl.manual_seed(5)
    assert architectures.run(fewer, 5).curves["lstm T=3"] == first.curves["lstm T=3"]
    nl.manual_seed(123)
    nl.randn(10)
    _, accuracy = architectures._train_recurrent("rnn", 3, config, 5)
    assert accuracy == first.curves["rnn T=3"]["accuracy"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cells", "rnn,transformer", "cells must be among"),
        ("lengths", "0,5", "lengths must be positive"),
        ("symbols", "1", "symbols must be at least 2"),
        ("epochs", "0", "epochs must be positive"),
        ("loss_window", "0", "loss_window must be positive"),
        ("warmup_steps", "-1", "warmup_steps must be non-negative"),
    ],
)
def test_bad_settings_are_named(key, value, message):
    with pytest.raises(ValueError, match=f"architectures: {message}"):
        make_config(architectures.STUDY, quick=True, overrides={key: value})
