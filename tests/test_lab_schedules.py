"""Study 6 (learning-rate schedules) on its quick settings: the learning rate that fit
recorded at every step follows each schedule's formula, every schedule trains to a useful
accuracy, and the report renders with its reading as findings."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from neuralab import lab
from neuralab.lab import schedules
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import make_config

CONFIG = make_config(schedules.STUDY, quick=True)


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, results.json's entry)."""
    out = tmp_path_factory.mktemp("schedules")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([schedules.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["schedules"]
    return page.read_text(), data


def html_text(text: str) -> str:
    import html

    return html.escape(text)


def recorded(result: dict, name: str) -> list[tuple[int, float]]:
    """(step t from 0, the learning rate used at step t) as recorded."""
    rates = result["curves"][name]["step_lr"]
    return [(i * CONFIG.lr_every, lr) for i, lr in enumerate(rates)]


def per_epoch(data: dict) -> int:
    return data["results"][0]["data"]["steps_per_epoch"]


def test_quick_settings_give_the_schedules_room_to_act():
    assert CONFIG.lr_every == 1 and CONFIG.epochs >= 2 * CONFIG.step_size
    assert CONFIG.cycle_epochs < CONFIG.epochs


def test_constant_step_and_exponential_follow_their_formulas(quick):
    _, data = quick
    n = per_epoch(data)
    lr0 = CONFIG.lr
    for result in data["results"]:
        steps = recorded(result, "constant")
        assert len(steps) == CONFIG.epochs * n
        assert all(lr == lr0 for _, lr in steps)
        for t, lr in recorded(result, "step"):
            assert lr == pytest.approx(lr0 * CONFIG.step_gamma ** ((t // n) // CONFIG.step_size))
        # StepLR halves the rate exactly at the first step of epoch step_size
        step = dict(recorded(result, "step"))
        boundary = CONFIG.step_size * n
        assert step[boundary] == pytest.approx(step[boundary - 1] / 2)
        for t, lr in recorded(result, "exponential"):
            assert lr == pytest.approx(lr0 * CONFIG.exp_gamma ** (t // n))


def test_cosine_follows_its_formula_and_its_last_step_runs_above_eta_min(quick):
    _, data = quick
    n, epochs, low = per_epoch(data), CONFIG.epochs, CONFIG.cosine_eta_min
    for result in data["results"]:
        for t, lr in recorded(result, "cosine"):
            e = t // n
            assert lr == pytest.approx(
                low + (CONFIG.lr - low) * (1 + math.cos(math.pi * e / epochs)) / 2
            )
        # the last epoch runs at e = E - 1; eta_min (e = E) is set after it and never used
        last = low + (CONFIG.lr - low) * (1 + math.cos(math.pi * (epochs - 1) / epochs)) / 2
        assert result["scalars"]["cosine"]["last_lr"] == pytest.approx(last)
        assert result["scalars"]["cosine"]["last_lr"] > 2 * low


def test_cyclic_is_a_triangle_between_base_and_max(quick):
    _, data = quick
    half = schedules.half_cycle_steps(CONFIG, per_epoch(data))
    base, top = CONFIG.cyclic_base_lr, CONFIG.cyclic_max_lr
    for result in data["results"]:
        steps = recorded(result, "cyclic")
        for t, lr in steps:
            x = abs(t / half - 2 * math.floor(1 + t / (2 * half)) + 1)
            assert lr == pytest.approx(base + (top - base) * max(0.0, 1 - x))
        rates = [lr for _, lr in steps]
        assert min(rates) == pytest.approx(base) and max(rates) == pytest.approx(top)
        assert rates[half] == pytest.approx(top) and rates[2 * half] == pytest.approx(base)


def test_one_cycle_peaks_at_max_lr_after_the_warm_up(quick):
    _, data = quick
    total = CONFIG.epochs * per_epoch(data)
    top = CONFIG.one_cycle_max_lr
    start, end = top / 25, top / 25 / 1e4
    rise = CONFIG.one_cycle_pct_start * total - 1
    for result in data["results"]:
        steps = recorded(result, "one_cycle")
        rates = [lr for _, lr in steps]
        assert len(rates) == total
        peak = rates.index(max(rates))
        # the peak falls between two steps when pct_start * total is not a whole number
        assert max(rates) == pytest.approx(top, rel=1e-3) and max(rates) <= top
        assert abs(peak - rise) <= 1 and 0.2 * total < peak < 0.5 * total
        assert rates[0] == pytest.approx(start) and rates[-1] == pytest.approx(end)
        for t, lr in steps:  # cosine warm-up, then cosine annealing
            if t <= rise:
                expected = top + (start - top) / 2 * (1 + math.cos(math.pi * t / rise))
            else:
                f = (t - rise) / (total - 1 - rise)
                expected = end + (top - end) / 2 * (1 + math.cos(math.pi * f))
            assert lr == pytest.approx(expected)


def test_plateau_reduces_after_epochs_without_improvement(quick):
    _, data = quick
    n = per_epoch(data)
    reductions = 0
    for result in data["results"]:
        val_loss = result["curves"]["plateau"]["val_loss"]
        used = result["curves"]["plateau"]["epoch_lr"]
        # replay the rule on the recorded validation losses
        lr, best, bad, expected = CONFIG.lr, math.inf, 0, []
        for value in val_loss:
            expected.append(lr)
            if value < best * (1 - 1e-4):
                best, bad = value, 0
            else:
                bad += 1
            if bad > CONFIG.plateau_patience:
                lr, bad = lr * CONFIG.plateau_factor, 0
                reductions += 1
        assert used == pytest.approx(expected)
        assert result["scalars"]["plateau"]["last_lr"] == pytest.approx(expected[-1])
        for t, rate in recorded(result, "plateau"):  # constant within each epoch
            assert rate == pytest.approx(used[t // n])
    assert reductions >= 1  # the quick settings do reach a plateau


def test_the_reported_rates_are_the_rates_training_used(quick):
    """The table's rate is the one the last step used, and epoch_lr the rate of each
    epoch's last step, both from the schedules' formulas (not the rate a scheduler set
    after a step, which no step used: one-cycle's 1.4e-5 instead of its last 4e-7)."""
    _, data = quick
    n, epochs, lr0 = per_epoch(data), CONFIG.epochs, CONFIG.lr
    total = epochs * n
    top = CONFIG.one_cycle_max_lr
    for result in data["results"]:
        for name in schedules.SCHEDULES:
            rates = [lr for _, lr in recorded(result, name)]
            assert len(rates) == total
            assert result["scalars"][name]["last_lr"] == rates[-1], name
            assert result["curves"][name]["epoch_lr"] == rates[n - 1 :: n], name
        last = result["scalars"]
        assert last["constant"]["last_lr"] == lr0
        assert last["step"]["last_lr"] == pytest.approx(
            lr0 * CONFIG.step_gamma ** ((epochs - 1) // CONFIG.step_size)
        )
        assert last["exponential"]["last_lr"] == pytest.approx(
            lr0 * CONFIG.exp_gamma ** (epochs - 1)
        )
        assert last["one_cycle"]["last_lr"] == pytest.approx(top / 25 / 1e4)
        step_epochs = result["curves"]["step"]["epoch_lr"]
        assert step_epochs == pytest.approx(
            [lr0 * CONFIG.step_gamma ** (e // CONFIG.step_size) for e in range(epochs)]
        )
        # a per-batch schedule: the rate of each epoch's last step t = (e + 1) n - 1
        half = schedules.half_cycle_steps(CONFIG, n)
        base, peak = CONFIG.cyclic_base_lr, CONFIG.cyclic_max_lr
        for e, lr in enumerate(result["curves"]["cyclic"]["epoch_lr"]):
            t = (e + 1) * n - 1
            x = abs(t / half - 2 * math.floor(1 + t / (2 * half)) + 1)
            assert lr == pytest.approx(base + (peak - base) * max(0.0, 1 - x))


def test_every_schedule_trains_to_a_useful_accuracy(quick):
    _, data = quick
    for result in data["results"]:
        for name in schedules.SCHEDULES:
            scalars = result["scalars"][name]
            assert scalars["diverged"] == 0
            assert scalars["test_accuracy"] > 0.7, name  # chance is 0.1
            assert scalars["final_train_loss"] < 1.0, name


def test_report_renders_the_rates_losses_table_and_reading(quick):
    html, data = quick
    assert 'src="images/schedules-1.png"' in html and 'src="images/schedules-2.png"' in html
    assert "learning rate of the last step" in html and "test accuracy" in html
    assert "final learning rate" not in html
    for label in schedules.LABELS.values():
        assert f"<td>{label}</td>" in html
    summary = data["summary"]
    mean = {n: {k: v["mean"] for k, v in summary[n].items()} for n in schedules.SCHEDULES}
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    best = max(schedules.SCHEDULES, key=lambda n: mean[n]["test_accuracy"])
    assert found["test_accuracy_order"]["labels"][0] == schedules.LABELS[best]
    lowest = min(schedules.SCHEDULES, key=lambda n: mean[n]["final_train_loss"])
    assert found["final_train_loss_order"]["labels"][0] == schedules.LABELS[lowest]
    # against the constant rate: the lowest training loss (paired test), and the best accuracy
    others = [n for n in schedules.SCHEDULES if n != "constant"]
    challenger = min(others, key=lambda n: mean[n]["final_train_loss"])
    against = found[f"final_train_loss:{challenger}-constant"]
    assert against["test"] == "paired t-test over seeds" and against["outcome"] != "one_seed"
    assert against["a_value"]["values"] == [
        r["scalars"][challenger]["final_train_loss"] for r in data["results"]
    ]
    clearly = [
        k
        for k, f in found.items()
        if k.startswith("final_train_loss:")
        and f["outcome"] == "significant"
        and f["better"] == f["a"]
    ]
    assert ("decay_settles" in found) == bool(clearly)
    assert ("none_clearly_below" in found) == (not clearly)
    top = max(others, key=lambda n: mean[n]["test_accuracy"])
    assert found[f"test_accuracy:{top}-constant"]["a"] == schedules.LABELS[top]
    # reduce-on-plateau: how many times it lowered the rate training used, in each seed
    counts = [
        sum(after < before for before, after in itertools.pairwise(rates))
        for rates in (r["curves"]["plateau"]["epoch_lr"] for r in data["results"])
    ]
    acted = found["plateau_lowered"]
    assert (acted["count"], acted["total"]) == (sum(c > 0 for c in counts), len(counts))
    if any(counts):
        assert found["plateau_reductions"]["value"]["values"] == counts
        assert "plateau_follows_noise" in found and "plateau_never" not in found
    else:
        assert "plateau_never" in found
    # every schedule reaches a useful accuracy: the lowest one is above the level
    useful = [f for k, f in found.items() if k.startswith("useful:")]
    worst = min(schedules.SCHEDULES, key=lambda n: mean[n]["test_accuracy"])
    assert [f["subject"] for f in useful] == [schedules.LABELS[worst]]
    assert useful[0]["level"] == 0.7 and useful[0]["value"]["mean"] > 0.7
    assert "every_useful" in found
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert html_text(finding["text"]) in html


def test_the_reading_without_the_constant_rate_or_the_plateau(neuralab_data):
    """Schedules chosen with --set (the registry's 'one_cycle' alias among them): the
    reading compares only what ran, and names each schedule below the useful accuracy."""
    config = make_config(
        schedules.STUDY,
        quick=True,
        overrides={"schedules": "cosine,one_cycle", "n_train": 256, "n_test": 64, "epochs": 2},
    )
    seeds = lab.run_seeds(schedules.STUDY, config)
    found = findings_of(schedules.report(config, seeds))
    keys = {f.key for f in found}
    assert not any("constant" in k or k.startswith("plateau") for k in keys)
    accuracy = {n: seeds.scalar(n, "test_accuracy").mean for n in config.schedules}
    below = [n for n in config.schedules if accuracy[n] < schedules.USEFUL_ACCURACY]
    assert below  # 2 epochs of 4 steps do not train the MLP to 70 %
    useful = [f for f in found if f.key.startswith("useful:")]
    assert [f.key for f in useful] == [f"useful:{n}" for n in below]
    assert not any(f.holds for f in useful) and "every_useful" not in keys
    assert find(found, "test_accuracy_order").labels == [
        schedules.LABELS[n] for n in sorted(config.schedules, key=lambda n: -accuracy[n])
    ]


def test_bad_settings_are_named(tmp_path):
    study = schedules.STUDY
    with pytest.raises(ValueError, match="schedules: schedules must be distinct names among"):
        make_config(study, overrides={"schedules": "constant,warmup"})
    with pytest.raises(ValueError, match=r"schedules: step_gamma must be in \(0, 1\)"):
        make_config(study, overrides={"step_gamma": "2"})
    with pytest.raises(ValueError, match=r"cyclic_base_lr \(0.5\) must be below cyclic_max_lr"):
        make_config(study, overrides={"cyclic_base_lr": "0.5"})
    with pytest.raises(ValueError, match="schedules: cosine_eta_min must be in"):
        make_config(study, overrides={"cosine_eta_min": "1.0"})
    with pytest.raises(ValueError, match="one_cycle_pct_start must be in"):
        make_config(study, overrides={"one_cycle_pct_start": "1.5"})
    with pytest.raises(ValueError, match="schedules: epochs must be positive"):
        lab.run_studies([study], out=tmp_path, overrides={"schedules": {"epochs": "0"}}, log=None)
