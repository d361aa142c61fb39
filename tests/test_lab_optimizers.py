"""Study 5 (optimizers) on its quick settings: every optimizer learns, Adam beats plain
SGD at the same number of steps, the report shows the table and its reading; and the
shared helpers of studies 5-7 (MNIST subsample, window means)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import neuralab as nl
from neuralab import lab
from neuralab.lab import optimizers, toolkit
from neuralab.lab.findings import Reading, find, findings_of
from neuralab.lab.study import Seeds, make_config


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, results.json's entry)."""
    out = tmp_path_factory.mktemp("optimizers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([optimizers.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["optimizers"]
    return page.read_text(), data


def html_text(text: str) -> str:
    import html

    return html.escape(text)


def test_every_optimizer_learns(quick):
    _, data = quick
    for result in data["results"]:
        for name in optimizers.OPTIMIZERS:
            scalars = result["scalars"][name]
            assert scalars["diverged"] == 0
            assert scalars["test_accuracy"] > 0.5, name  # chance is 0.1
            assert scalars["final_train_loss"] < np.log(10)  # below the loss of guessing


def test_adam_beats_plain_sgd_at_the_same_steps(quick):
    _, data = quick
    for result in data["results"]:
        adam, sgd = result["scalars"]["adam"], result["scalars"]["sgd"]
        assert adam["final_train_loss"] < 0.5 * sgd["final_train_loss"]
        assert adam["test_accuracy"] > sgd["test_accuracy"] + 0.05
        # momentum at SGD's learning rate (effective rate lr / (1 - mu)) also beats plain SGD
        assert result["scalars"]["momentum"]["final_train_loss"] < sgd["final_train_loss"]
    assert data["summary"]["adam"]["test_accuracy"]["mean"] > 0.85


def test_report_renders_the_table_plots_and_reading(quick):
    html, data = quick
    assert 'src="images/optimizers-1.png"' in html and 'src="images/optimizers-2.png"' in html
    assert "time per epoch" in html and "final training loss" in html
    for label in optimizers.LABELS.values():
        assert f"<td>{label}</td>" in html
    summary = data["summary"]
    best = max(optimizers.OPTIMIZERS, key=lambda n: summary[n]["test_accuracy"]["mean"])
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    assert found["test_accuracy_order"]["labels"][0] == optimizers.LABELS[best]
    assert found["worst_learns"]["level"] == 0.1 and found["worst_learns"]["value"]["mean"] > 0.5
    adam_sgd = found["final_train_loss:adam-sgd"]
    assert adam_sgd["better"] == "Adam" and adam_sgd["outcome"] in ("significant", "noise")
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_text(finding["text"]) in html
    # timings are the only metrics allowed to differ between runs, and they are named so
    timing = [m for m in data["results"][0]["scalars"]["adam"] if m.startswith("seconds")]
    assert timing == ["seconds_per_epoch"]


def test_the_reading_names_the_state_of_the_optimizers_that_ran(neuralab_data):
    """Without SGD among the optimizers, the reading does not mention it."""
    config = make_config(
        optimizers.STUDY,
        overrides={"n_train": 128, "n_test": 64, "epochs": 1, "optimizers": "adam,rmsprop"},
    )
    results = []
    for seed, seconds in ((0, {"adam": 1.0, "rmsprop": 2.0}), (1, {"adam": 1.1, "rmsprop": 2.2})):
        nl.manual_seed(seed)
        result = optimizers.run(config, seed)
        for name, value in seconds.items():  # distinct timings: the paragraph on cost is written
            result.scalar(name, "seconds_per_epoch", value)
        results.append(result)
    seeds = Seeds(results, [0, 1], optimizers.STUDY.bounds_for(config))
    blocks = optimizers.report(config, seeds)
    found = findings_of(blocks)
    cost = find(found, "cost_ratio")
    assert (cost.a, cost.b) == ("RMSprop", "Adam") and cost.ratio == pytest.approx(2.0)
    assert find(found, "seconds_per_epoch:adam-rmsprop").better == "Adam"
    assert {f.key for f in found if f.key.startswith("state:")} == {"state:adam", "state:rmsprop"}
    assert not any(k.endswith("-sgd") or k == "state:sgd" for k in (f.key for f in found))
    assert "SGD" not in " ".join(p for b in blocks if isinstance(b, Reading) for p in b.paragraphs)


def test_runs_repeat_and_start_alike(neuralab_data):
    config = make_config(
        optimizers.STUDY,
        overrides={
            "n_train": 256,
            "n_test": 64,
            "epochs": 1,
            "optimizers": ("sgd", "adam"),
            "loss_window": 1,
        },
    )
    results = []
    for _ in range(2):
        nl.manual_seed(3)
        results.append(optimizers.run(config, 3))
    a, b = results
    for name in ("sgd", "adam"):
        sa = {k: v for k, v in a.scalars[name].items() if not k.startswith("seconds")}
        sb = {k: v for k, v in b.scalars[name].items() if not k.startswith("seconds")}
        assert sa == sb
        assert a.curves[name] == b.curves[name]
    # every optimizer's first step sees the same weights and the same batch: the same loss
    sgd, adam = results[0].curves["sgd"]["step_loss"], results[0].curves["adam"]["step_loss"]
    assert len(sgd) == 4 and sgd[0] == adam[0] and sgd[1:] != adam[1:]


def test_load_mnist_subsamples_are_seeded_and_disjoint(neuralab_data):
    nl.manual_seed(0)
    a = toolkit.load_mnist(200, 50, n_val=100)
    nl.manual_seed(0)
    b = toolkit.load_mnist(200, 50, n_val=100)
    nl.manual_seed(1)
    c = toolkit.load_mnist(200, 50, n_val=100)
    assert a.train[0].shape == (200, 784) and a.val[0].shape == (100, 784)
    assert a.test[0].shape == (50, 784) and a.train[1].dtype == np.int64
    assert a.train[0].dtype == np.float32 and a.train[0].min() >= -1 and a.train[0].max() <= 1
    np.testing.assert_array_equal(a.train[0], b.train[0])
    np.testing.assert_array_equal(a.test[1], b.test[1])
    assert not np.array_equal(a.train[0], c.train[0])
    train_rows = {row.tobytes() for row in a.train[0]}
    assert not any(row.tobytes() in train_rows for row in a.val[0])  # disjoint
    with pytest.raises(ValueError, match="60000 samples of 'mnist'"):
        toolkit.load_mnist(60_000, 10, n_val=1)


def test_window_means():
    assert toolkit.window_means([1, 3, 5, 7, 9], 2) == [2, 6, 9]
    np.testing.assert_allclose(toolkit.window_steps(5, 2), [1.5, 3.5, 5])
    assert toolkit.window_means([4.0], 10) == [4.0]


def test_bad_settings_are_named(tmp_path):
    study = optimizers.STUDY
    with pytest.raises(ValueError, match="optimizers: optimizers must be distinct names among"):
        make_config(study, overrides={"optimizers": "sgd,nadam"})
    with pytest.raises(ValueError, match="optimizers: epochs must be positive, got 0"):
        make_config(study, overrides={"epochs": "0"})
    with pytest.raises(ValueError, match=r"optimizers: momentum must be in \[0, 1\)"):
        make_config(study, overrides={"momentum": "1.5"})
    with pytest.raises(ValueError, match="optimizers: adam_lr must be positive"):
        make_config(study, overrides={"adam_lr": "-1e-3"})
    with pytest.raises(ValueError, match="n_train must be at most 60000"):
        make_config(study, quick=True, overrides={"n_train": "70000"})
    with pytest.raises(ValueError, match="optimizers: epochs must be positive"):
        lab.run_studies([study], out=tmp_path, overrides={"optimizers": {"epochs": "0"}}, log=None)
