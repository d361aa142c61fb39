"""The lab's machinery: statistics over seeds, configs from the command line, the report
files, the command, and study 1 (the forward pass)."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats as scipy_stats

import neuralab as nl
from neuralab import cli, lab
from neuralab.lab import forward_pass, perceptron, plots
from neuralab.lab.findings import Fmt, difference, render
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, band, compare, estimate
from neuralab.lab.study import Result, Seeds, Study, make_config


def test_estimate_is_students_t_interval():
    values = [1.0, 2.0, 4.0]
    e = estimate(values)
    low, high = scipy_stats.t.interval(0.95, 2, loc=np.mean(values), scale=scipy_stats.sem(values))
    assert e.mean == pytest.approx(7 / 3)
    assert (e.low, e.high) == (pytest.approx(low), pytest.approx(high))
    assert e.format(3) == f"2.33 ± {(high - low) / 2:.3g}"
    single = estimate([0.5])
    assert single.low == single.high == 0.5 and single.format() == "0.500"
    with pytest.raises(ValueError):
        estimate([])


def test_band_is_pointwise_and_cut_to_the_shortest_curve():
    b = band([[1, 2, 3], [3, 4], [2, 3, 9]])
    np.testing.assert_allclose(b.mean, [2, 3])
    half = scipy_stats.t.ppf(0.975, 2) * 1 / np.sqrt(3)
    np.testing.assert_allclose(b.high - b.mean, [half, half])
    assert band([[1, 2]]).n == 1


def verdict(name_a, a, name_b, b, *, what, lower_is_better=True, scale=1.0, unit="", paired=True):
    """The sentence of the Difference finding of a and b."""
    found = difference("k", what, name_a, a, name_b, b, lower_is_better=lower_is_better,
                       paired=paired, fmt=Fmt(3, scale, unit))  # fmt: skip
    return render(found)


def test_compare_and_verdict_are_written_from_the_numbers():
    good, bad = estimate([0.10, 0.11, 0.12]), estimate([0.50, 0.52, 0.48])
    assert compare(good, bad) < 0.001
    text = verdict("Huber", good, "MSE", bad, what="test error")
    assert text.startswith("Huber has the better test error (0.110")
    assert "significant" in text
    noisy = estimate([0.2, 0.6, 0.15])
    text = verdict("A", noisy, "B", estimate([0.3, 0.31, 0.29]), what="loss")
    assert "within the seed-to-seed noise" in text and text.startswith("B has")
    text = verdict("A", good, "B", bad, what="accuracy", lower_is_better=False)
    assert text.startswith("B has the better accuracy")
    assert "single seed" in verdict("A", estimate([1.0]), "B", estimate([2.0]), what="x")


def test_paired_comparison_removes_what_the_seeds_share():
    """Two conditions on the same 3 seeds: each seed shifts both alike, so Welch's test
    sees only noise while the paired test on the per-seed differences sees the effect."""
    a = estimate([1.00, 2.00, 3.00])
    b = estimate([1.10, 2.12, 3.09])
    assert compare(a, b) > 0.5  # Welch
    paired = compare(a, b, paired=True)
    assert paired == pytest.approx(scipy_stats.ttest_rel(a.values, b.values).pvalue)
    assert paired < 0.01
    assert compare(a, estimate([1.1, 2.1, 3.1]), paired=True) == 0.0  # a constant shift
    assert compare(a, a, paired=True) == 1.0
    text = verdict("A", a, "B", b, what="error")
    assert text.startswith("A has the better error") and "paired t-test over seeds" in text
    assert "significant" in text
    text = verdict("A", a, "B", b, what="error", paired=False)
    assert "within the seed-to-seed noise (Welch's t-test" in text
    with pytest.raises(ValueError, match="paired values need equal counts"):
        compare(a, estimate([1.0, 2.0]), paired=True)


def test_an_interval_is_cut_at_the_bounds_of_its_quantity():
    """Two seeds, 100 % and 60 %: the t interval (t = 12.7) is 80 ± 254 %, which says
    nothing possible; cut at the range of a fraction it is written out as [low, high]."""
    e = estimate([1.0, 0.6], bounds=FRACTION)
    assert e.cut and (e.low, e.high) == (0.0, 1.0) and e.mean == pytest.approx(0.8)
    assert e.format(3, 100, " %") == "80.0 % [0.0, 100.0]"
    assert estimate([1.0, 0.6]).format(3, 100, " %") == "80.0 ± 254.1 %"  # without bounds
    # cut on one side only, the other end of the t interval kept
    top = estimate([0.98, 0.99, 1.0], bounds=FRACTION)
    t_low = scipy_stats.t.interval(0.95, 2, loc=0.99, scale=scipy_stats.sem([0.98, 0.99, 1.0]))[0]
    assert top.cut and top.high == 1.0 and top.low == pytest.approx(t_low)
    assert top.format(3, 100, " %") == f"99.0 % [{100 * t_low:.1f}, 100.0]"
    # a count: cut at 0 only
    count = estimate([0.0, 3.0], bounds=NON_NEGATIVE)
    assert (
        count.cut
        and count.low == 0.0
        and count.high > 3
        and count.format(2) == (f"1.5 [0.0, {count.high:.1f}]")
    )
    # an interval inside the bounds is the plain t interval, written as ± half-width
    inside = estimate([0.5, 0.51, 0.49], bounds=FRACTION)
    assert not inside.cut and inside == estimate([0.5, 0.51, 0.49])
    assert "±" in inside.format() and estimate([0.5], bounds=FRACTION).format() == "0.500"
    assert e.to_dict()["cut"] is True and inside.to_dict()["cut"] is False
    with pytest.raises(ValueError, match="outside the bounds"):
        estimate([0.5, 1.5], bounds=FRACTION)
    # a verdict shows the cut intervals too
    text = verdict("A", e, "B", estimate([0.5, 0.4], bounds=FRACTION), what="accuracy",
                   lower_is_better=False, scale=100, unit=" %")  # fmt: skip
    assert text.startswith("A has the better accuracy (80.0 % [0.0, 100.0] against")


def test_a_band_is_cut_at_the_bounds_and_seeds_apply_each_metrics_bounds():
    curves = [[0.0, 0.9, 1.0], [0.2, 0.3, 0.96]]
    cut = band(curves, bounds=FRACTION)
    plain = band(curves)
    assert plain.low.min() < 0 and plain.high.max() > 1  # the t band leaves [0, 1]
    np.testing.assert_allclose(cut.mean, plain.mean)
    np.testing.assert_allclose(cut.low, np.clip(plain.low, 0, 1))
    np.testing.assert_allclose(cut.high, np.clip(plain.high, 0, 1))
    results = []
    for values in ([1.0, 0.0, 2.0], [0.6, 1.0, 9.0]):
        r = Result()
        r.scalar("x", "accuracy", values[0])
        r.scalar("x", "count", values[1])
        r.scalar("x", "loss_change", values[2])
        r.curve("x", "accuracy", [values[0], values[0]])
        results.append(r)
    seeds = Seeds(results, [0, 1], {"accuracy": FRACTION, "count": NON_NEGATIVE})
    assert seeds.scalar("x", "accuracy").high == 1.0 and seeds.scalar("x", "count").low == 0.0
    assert not seeds.scalar("x", "loss_change").cut  # no bounds declared: the t interval
    assert seeds.curve("x", "accuracy").high.max() == 1.0
    summary = seeds.summary()["x"]
    assert summary["accuracy"]["cut"] and summary["accuracy"]["low"] == 0.0
    with pytest.raises(ValueError, match=r"x accuracy: estimate: value 1\.0 lies outside"):
        Seeds(results[:1], [0], {"accuracy": (0.0, 0.5)}).scalar("x", "accuracy")


def test_error_bars_stay_within_the_bounds():
    from matplotlib.container import ErrorbarContainer

    from neuralab.lab.plots import new_figure

    e = estimate([1.0, 0.6], bounds=FRACTION)
    _, (ax,) = new_figure()
    plots.bar_panel(ax, ["a"], [e], title="t", xlabel="x", ylabel="y", scale=100)
    (bars,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    ends = np.concatenate([seg[:, 1] for seg in bars.lines[2][0].get_segments()])
    assert ends.min() == pytest.approx(0.0) and ends.max() == pytest.approx(100.0)


@dataclass
class TinyConfig:
    steps: int = 10
    rate: float = 0.5
    name: str = "a"
    flag: bool = False
    sizes: tuple[int, ...] = (1, 2)
    limit: float | None = None


def tiny_run(config: TinyConfig, seed: int) -> Result:
    result = Result()
    noise = nl.backend.generator().normal()
    result.scalar("only", "value", config.steps * config.rate + noise)
    result.curve("only", "curve", np.arange(config.steps) + noise)
    return result


def tiny_report(config: TinyConfig, seeds) -> list:
    from neuralab.lab.plots import line_figure

    e = seeds.scalar("only", "value")
    return [
        Table("values", ["condition", "value"], [["only", e.format()]]),
        Figure(line_figure("curve", "step", "value", {"only": seeds.curve("only", "curve")}), "c"),
        Text(f"The value is {e.mean:.3f}."),
    ]


TINY = Study("tiny", "Tiny", "Does it work?", TinyConfig, tiny_run, tiny_report, {"steps": 3})


def test_run_studies_cuts_intervals_at_the_studys_bounds_and_says_so(tmp_path):
    """A study's bounds reach its Seeds (here a function of the config), and the page's
    note on statistics says how a cut interval is written."""
    bounded = dataclasses.replace(TINY, bounds=lambda config: {"value": (0.0, config.steps)})
    page = lab.run_studies([bounded], quick=True, out=tmp_path, log=None)
    summary = json.loads((tmp_path / "results.json").read_text())["studies"]["tiny"]["summary"]
    value = summary["only"]["value"]
    assert value["high"] <= 3 and value["low"] >= 0
    html = page.read_text()
    assert "How to read the numbers" in html and "mean [low, high]" in html


def test_make_config_parses_command_line_values_and_names_errors():
    config = make_config(
        TINY, quick=True, overrides={"rate": "0.25", "flag": "yes", "sizes": "3,4", "limit": "2"}
    )
    assert config == TinyConfig(steps=3, rate=0.25, flag=True, sizes=(3, 4), limit=2.0)
    assert make_config(TINY, overrides={"limit": "none"}).limit is None
    assert make_config(TINY).steps == 10
    with pytest.raises(ValueError, match="has no setting 'speed'; its settings are: steps"):
        make_config(TINY, overrides={"speed": "1"})
    with pytest.raises(ValueError, match="steps='ten' is not a valid int"):
        make_config(TINY, overrides={"steps": "ten"})
    with pytest.raises(ValueError, match="flag='maybe' is not a valid bool"):
        make_config(TINY, overrides={"flag": "maybe"})


def test_run_studies_writes_the_page_images_and_json(tmp_path):
    page = lab.run_studies([TINY], quick=True, out=tmp_path, log=None)
    html = page.read_text()
    assert page == tmp_path / "index.html"
    assert '<a href="#tiny">Tiny</a>' in html and "Does it work?" in html
    assert 'src="images/tiny-1.png"' in html
    assert (tmp_path / "images" / "tiny-1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((tmp_path / "results.json").read_text())
    study = data["studies"]["tiny"]
    assert data["mode"] == "quick" and study["seeds"] == [0, 1] and study["config"]["steps"] == 3
    values = [r["scalars"]["only"]["value"] for r in study["results"]]
    assert study["summary"]["only"]["value"]["mean"] == pytest.approx(np.mean(values))
    assert not list(tmp_path.glob("**/*.tmp"))  # atomic writes leave no temporary files
    # seeded: a second run gives the same numbers
    again = lab.run_studies([TINY], quick=True, out=tmp_path / "again", log=None)
    data2 = json.loads((again.parent / "results.json").read_text())
    assert data2["studies"]["tiny"]["results"] == study["results"]


def test_run_studies_rejects_bad_selections(tmp_path):
    with pytest.raises(ValueError, match="unknown study 'nope'"):
        lab.run_studies(["nope"], out=tmp_path)
    with pytest.raises(ValueError, match="not run"):
        lab.run_studies([TINY], out=tmp_path, overrides={"other": {"x": 1}})
    with pytest.raises(ValueError, match="seeds must be at least 1"):
        lab.run_studies([TINY], out=tmp_path, seeds=0)


def test_forward_pass_hand_gradients_equal_autograd_and_the_step_goes_downhill():
    for activation in ("sigmoid", "tanh", "relu"):
        config = forward_pass.Config(activation=activation)
        result = forward_pass.run(config, seed=0)
        email = result.scalars["email"]
        assert email["max_gradient_difference"] < 1e-12
        assert email["forward_difference"] < 1e-12
        assert email["loss_after_step"] < email["loss"]
        d = result.data
        # the output error signal is y - t, and every factor multiplies out
        assert d["factors"]["dL/dz_o"] == pytest.approx(d["y"] - d["t"])
        assert d["factors"]["dL/dz_o"] == pytest.approx(
            d["factors"]["dL/dy"] * d["factors"]["dy/dz_o"]
        )
    # the fixed weights do what the text says: this spammy email is called spam
    assert forward_pass.run(forward_pass.Config(), 0).data["y"] > 0.5


def test_forward_pass_report_reads_its_numbers(tmp_path):
    page = lab.run_studies(
        ["forward_pass"], seeds=1, out=tmp_path, log=None,
        overrides={"forward_pass": {"target": "0"}},
    )  # fmt: skip
    data = json.loads((tmp_path / "results.json").read_text())["studies"]["forward_pass"]
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data
    assert found["spam_call"]["value"]["mean"] > found["spam_call"]["level"] == 0.5  # says spam
    assert "call:wrong" in found and "call:right" not in found  # ... and the label is not spam
    assert found["error_signal"]["value"]["mean"] == pytest.approx(
        found["spam_call"]["value"]["mean"]
    )
    assert found["hand_equals_autograd"]["value"]["mean"] < 1e-12
    assert found["loss_after_step"]["value"]["mean"] < found["loss"]["value"]["mean"]
    assert "step:downhill" in found and "step:uphill" not in found
    html = page.read_text()
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_lib.escape(finding["text"]) in html


def test_lab_command_lists_runs_and_rejects_bad_settings(tmp_path, capsys):
    assert cli.main(["lab", "--list"]) == 0
    assert "forward_pass" in capsys.readouterr().out
    assert cli.main(["lab", "forward_pass", "--set", "weights=none"]) == 2
    assert "weights must be 'fixed' or 'random'" in capsys.readouterr().err
    assert cli.main(["lab", "nope"]) == 2
    assert "unknown study 'nope'" in capsys.readouterr().err
    assert cli.main(["lab", "forward_pass", "--set", "speed=2"]) == 2
    assert "has no setting 'speed'" in capsys.readouterr().err
    assert cli.main(["lab", "--set", "rate=2"]) == 2
    assert "name the study" in capsys.readouterr().err
    out = tmp_path / "report"
    assert cli.main(["lab", "forward_pass", "--seeds", "1", "--out", str(out)]) == 0
    assert (out / "index.html").exists() and (out / "results.json").exists()


def test_lab_command_lists_every_study_with_its_quick_settings(capsys):
    assert cli.main(["lab", "--list"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the listing wraps long lines
    for study in lab.studies():
        assert study.name in out and study.title in out and study.question in out
    assert out.count("quick mode:") == len(lab.studies())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forward_pass", "--set", "perceptron.epochs=3"], "--set names perceptron, not among"),
        (["forward_pass", "--set", "learning_rate=fast"], "learning_rate='fast' is not a valid"),
        (["forward_pass", "--set", "target"], "--set expects [STUDY.]KEY=VALUE, got 'target'"),
        (["--set", "nope.steps=1"], "unknown study 'nope'; the studies are: forward_pass"),
    ],
)
def test_lab_command_names_bad_settings_and_exits_2(argv, message, capsys, tmp_path):
    assert cli.main(["lab", *argv, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "index.html").exists()  # nothing ran


def test_lab_command_rejects_zero_seeds():
    with pytest.raises(SystemExit) as stop:
        cli.main(["lab", "forward_pass", "--seeds", "0"])
    assert stop.value.code == 2


def test_lab_command_runs_the_chosen_studies_with_their_settings(tmp_path, capsys):
    out = tmp_path / "two"
    argv = ["lab", "forward_pass", "perceptron", "forward_pass", "--quick", "--seeds", "3"]
    settings = ["forward_pass.target=0", "perceptron.epochs=4", "perceptron.restarts=2"]
    argv += [item for s in settings for item in ("--set", s)] + ["--out", str(out)]
    assert cli.main(argv) == 0
    log = capsys.readouterr().out
    assert log.count("1. The forward pass") == 1  # a study named twice runs once
    assert f"wrote {out / 'index.html'}" in log
    data = json.loads((out / "results.json").read_text())
    assert list(data["studies"]) == ["forward_pass", "perceptron"] and data["mode"] == "quick"
    fp, pc = data["studies"]["forward_pass"], data["studies"]["perceptron"]
    assert fp["config"]["target"] == 0.0 and fp["seeds"] == [0, 1, 2]
    assert pc["config"]["epochs"] == 4 and pc["config"]["restarts"] == 2
    assert pc["config"]["mlp_steps"] == perceptron.STUDY.quick["mlp_steps"]  # quick, else
    html = (out / "index.html").read_text()
    assert html.count('<h2 id="forward_pass">') == 1 and 'href="#perceptron"' in html


def test_the_installed_command_exits_2_on_an_unknown_study():
    result = subprocess.run(
        [sys.executable, "-m", "neuralab.cli", "lab", "nope"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unknown study 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_every_listed_setting_reads_back_through_set():
    """--list shows each setting as --set accepts it: feeding every one back gives the
    defaults (the full config) again, for every built-in study."""
    listing = " ".join(lab.listing().split())
    for study in lab.studies():
        full = study.config()
        shown = {k: lab._setting(v) for k, v in dataclasses.asdict(full).items()}
        for key, text in shown.items():
            assert f"{key}={text}" in listing
        assert make_config(study, overrides=shown) == full, study.name


def test_lab_command_exits_1_without_the_data(tmp_path, monkeypatch, capsys):
    from neuralab.data import files

    def offline(url, timeout):
        raise OSError("offline (test)")

    monkeypatch.setenv("NEURALAB_DATA", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(files, "_urlopen", offline)
    argv = ["lab", "optimizers", "--seeds", "1", "--set", "n_train=64", "--set", "n_test=32"]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("neuralab lab: ") and "not found" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "index.html").exists()
