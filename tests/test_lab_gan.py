"""Study 10 (GAN) on its quick settings: on the 2-D mixture the generator covers every mode
and the game settles near its equilibrium (L_D ~ 2 log 2, D(G(z)) ~ 1/2); both losses are
recorded at every step and samples at several steps; on MNIST the generated images move
from noise towards digits; the report renders and reads its numbers."""

from __future__ import annotations

import html as html_text
import json
import math

import numpy as np
import pytest

import neuralab as nl
from neuralab import lab
from neuralab.data import gaussian_mixture_centers
from neuralab.gan import mode_coverage
from neuralab.lab import gan
from neuralab.lab.findings import find, findings_of
from neuralab.lab.study import Seeds, make_config

CONFIG = make_config(gan.STUDY, quick=True)


@pytest.fixture(scope="module")
def quick(datasets_dir, tmp_path_factory):
    """The quick study over 2 seeds, run once: (page text, results.json's entry, out dir)."""
    out = tmp_path_factory.mktemp("gan")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_DATA", str(datasets_dir))
        page = lab.run_studies([gan.STUDY], quick=True, seeds=2, out=out, log=None)
    data = json.loads((out / "results.json").read_text())["studies"]["gan"]
    return html_text.unescape(page.read_text()), data, out


def test_the_generator_covers_every_mode_of_the_mixture(quick):
    _, data, _ = quick
    centers = gaussian_mixture_centers(CONFIG.modes, CONFIG.radius)
    for result in data["results"]:
        s = result["scalars"]["mixture"]
        assert s["modes_covered"] == CONFIG.modes  # no mode collapse
        assert s["high_quality"] > 0.6
        counts = result["data"]["mixture"]["counts"]
        assert len(counts) == CONFIG.modes and min(counts) > 0
        # from the noise before training (a blob at the origin) to every mode
        coverage = result["curves"]["mixture"]["modes_covered"]
        assert coverage[0] < CONFIG.modes and coverage[-1] == CONFIG.modes
        # the samples kept for the plot tell the same story on their own
        final = result["data"]["mixture"]["samples"][str(CONFIG.mixture_steps)]
        assert mode_coverage(np.array(final), centers, CONFIG.std).covered == CONFIG.modes


def test_the_mixture_game_settles_near_its_equilibrium(quick):
    _, data, _ = quick
    for result in data["results"]:
        s = result["scalars"]["mixture"]
        assert abs(s["final_d_loss"] - 2 * math.log(2)) < 0.25  # L_D = 2 log 2 ~ 1.386
        assert abs(s["final_d_fake"] - 0.5) < 0.15  # D can barely tell the samples apart


def test_losses_are_recorded_over_training_and_samples_at_several_steps(quick):
    _, data, _ = quick
    for result in data["results"]:
        for part, steps in (("mixture", CONFIG.mixture_steps), ("mnist", CONFIG.mnist_steps)):
            curves = result["curves"][part]
            for name in ("d_loss", "g_loss"):
                assert len(curves[name]) == math.ceil(steps / CONFIG.smoothing)
                assert all(math.isfinite(v) and v > 0 for v in curves[name])
            shown = result["data"][part]["steps"]
            every = steps // CONFIG.snapshots
            assert shown == list(range(0, steps + 1, every))  # step 0 = before training
        digits = result["data"]["mnist"]["samples"]
        for step in result["data"]["mnist"]["steps"]:
            images = np.array(digits[str(step)])
            assert images.shape == (gan.DIGITS, 784)
            assert images.min() >= -1 and images.max() <= 1  # tanh output, like the data


def test_mnist_samples_move_from_noise_towards_digits(quick):
    _, data, _ = quick
    for result in data["results"]:
        s = result["scalars"]["mnist"]
        correlation = result["curves"]["mnist"]["mean_image_correlation"]
        # before training the mean image is noise; after it, it looks like the mean digit
        assert abs(correlation[0]) < 0.3 and s["mean_image_correlation"] > 0.4
        assert 0 < s["pixel_spread"] < s["data_pixel_spread"] + 0.1


def test_report_renders_samples_curves_and_reading(quick):
    html, data, out = quick
    for i in (1, 2, 3, 4):
        assert f'src="images/gan-{i}.png"' in html
        assert (out / "images" / f"gan-{i}.png").read_bytes()[:4] == b"\x89PNG"
    n = len(data["seeds"])
    found = {f["key"]: f for f in data["findings"]}  # the reading, as data in results.json
    assert (found["all_modes"]["count"], found["all_modes"]["total"]) == (n, n)
    assert "collapse:none" in found and "collapse:some" not in found  # no mode collapse
    assert "game:settled" in found  # D can barely tell real from generated points
    summary = data["summary"]["mnist"]["mean_image_correlation"]
    assert found["mnist_correlation"]["value"]["mean"] == summary["mean"]
    assert "mnist_correlation_start" in found and found["variety"]["kind"] == "threshold"
    for finding in data["findings"]:  # each one is in the page, as its sentence
        assert finding["text"] in html


TINY = {
    "mixture_steps": "40",
    "mixture_hidden": "16",
    "mixture_batch": "32",
    "mnist_steps": "8",
    "mnist_images": "256",
    "mnist_hidden": "16,32",
    "mnist_batch": "16",
    "snapshots": "2",
    "smoothing": "4",
}


def test_a_seed_gives_the_same_numbers_twice(neuralab_data):
    config = make_config(gan.STUDY, overrides=TINY)
    results = []
    for _ in range(2):
        nl.manual_seed(2)
        results.append(gan.run(config, 2).to_dict())
    assert json.dumps(results[0]) == json.dumps(results[1])


def test_mnist_can_be_left_out(tmp_path):
    lab.run_studies(
        [gan.STUDY], seeds=1, out=tmp_path, log=None, overrides={"gan": {**TINY, "mnist_steps": 0}}
    )
    study = json.loads((tmp_path / "results.json").read_text())["studies"]["gan"]
    assert set(study["results"][0]["scalars"]) == {"mixture"}
    keys = [f["key"] for f in study["findings"]]  # the reading says nothing of MNIST
    assert not any(k.startswith(("mnist", "variety")) for k in keys) and "all_modes" in keys


def test_the_reading_names_collapse_an_unsettled_game_and_too_little_variety(neuralab_data):
    """With one seed short of a mode, D(G(z)) far from 1/2 and samples with little spread,
    the reading chooses the other explanations."""
    config = make_config(gan.STUDY, overrides=TINY)
    results = []
    for seed in (0, 1):
        nl.manual_seed(seed)
        result = gan.run(config, seed)
        result.scalar("mixture", "modes_covered", float(config.modes - seed))
        result.scalar("mixture", "final_d_fake", 0.9)
        result.scalar("mnist", "pixel_spread", 0.01)
        results.append(result)
    seeds = Seeds(results, [0, 1], gan.STUDY.bounds_for(config))
    found = findings_of(gan.report(config, seeds))
    assert (find(found, "all_modes").count, find(found, "all_modes").total) == (1, 2)
    keys = {f.key for f in found}
    assert {"collapse:some", "game:unsettled", "variety:less"} <= keys
    assert not keys & {"collapse:none", "game:settled", "variety:as_data"}
    assert not find(found, "variety").holds


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("modes", "0", "modes must be positive"),
        ("mnist_steps", "-1", "mnist_steps must be 0"),
        ("std", "0", "std and radius must be positive"),
        ("mnist_images", "70000", "mnist_images must be in 1..60000"),
    ],
)
def test_bad_settings_are_named(key, value, message):
    with pytest.raises(ValueError, match=f"gan: {message}"):
        make_config(gan.STUDY, quick=True, overrides={key: value})
