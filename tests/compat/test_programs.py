"""Issues #11 and #12: PyTorch and Keras programs run on neuralab with only their imports
changed.

Each program in ``programs/`` runs twice in a subprocess (see ``harness.py``): with its
real library (the reference: PyTorch, or Keras 3 on PyTorch for ``keras_*.py``) and with
``torch`` / ``keras`` bound to neuralab (``run_as.py``). Both must exit 0 and report the
same ``METRIC`` names; values must agree within the program's tolerances below.

Tolerances: every metric not matched by a pattern here is compared with ``EXACT``
(1e-5 absolute + 1e-5 relative; strings equal). Only programs whose results depend on
random numbers (weights, batches, samples, which differ between the two libraries'
generators) have looser ones, set from the spread of the PyTorch results over seeds
0..4 (``python tests/compat/harness.py --backend torch --seeds 5 NAME``) with a margin,
and far below what a wrong gradient, layer or optimizer would produce.

The Keras programs set their initial weights from NumPy (``set_weights``), so both runs
start from the same weights, and fit with ``shuffle=False``: what is left to differ is
float32 rounding (and, in ``keras_mnist_mlp``, the Dropout masks: seed noise).

The reference side's output is kept in pytest's cache (``.pytest_cache``) keyed by the
program, launcher, stand-in torchvision, harness and library versions, so a rerun only
runs neuralab; ``NEURALAB_COMPAT_FRESH=1`` (or ``pytest --cache-clear``) runs both.
"""

from __future__ import annotations

import pytest
from harness import EXACT, Tol, compare, data_root, programs, reference_run, run_program


# Keras programs trained from the same NumPy weights without shuffling: float32 rounding
# only. Measured by running Keras itself with floatx float64 (tests/compat/README.md):
# that moves the binary classifier's 20-epoch curve by at most 8e-6 relative, the CNN's
# and the weighted-loss runs' by 5e-7, so 1e-4 relative leaves a 10x margin; a wrong
# gradient, loss or optimizer moves them by percents. An accuracy may differ by one
# sample if a prediction sits on the threshold (none moved in float64).
def keras_float32(one_sample: float) -> dict[str, Tol]:
    return {"*accuracy*": Tol(abs=one_sample * 1.01), "*": Tol(abs=1e-5, rel=1e-4)}


TOLERANCES: dict[str, dict[str, Tol]] = {
    # deterministic: fixed weights and data, or no random numbers reach a metric
    "autograd_basics": {},
    "checkpoint": {},
    "custom_dataset": {},
    "devices": {},
    "lr_schedulers": {},
    "manual_momentum": {},
    "manual_sgd": {},
    "module_api": {},
    "tensor_tutorial": {},
    # Keras, deterministic (see keras_float32)
    "keras_binary_classifier": {
        # the He-normal draws before set_weights (seed spread over 5 seeds)
        "he_std_ratio_*": Tol(abs=0.12),  # 0.985..1.053
        "he_max_over_bound_*": Tol(abs=0.06),  # 0.969..0.999
        **keras_float32(1 / 160),  # 160 validation samples
    },
    "keras_weighted_loss": {
        "*predicted_positive_fraction": Tol(abs=1.01 / 400),
        **keras_float32(9 / 1824),  # a positive weighs 9 of the total weight 1,824
    },
    "keras_small_cnn": keras_float32(1 / 200),  # 200 validation samples
    "keras_lstm": {
        # the counter's loss falls to 0.01, where float64 moves it by 1.1e-5 (1e-3 of it)
        "counter_*loss*": Tol(abs=1e-4),
        "counter_predict_sum": Tol(rel=5e-4),  # float64: 3.9e-5 relative
        **keras_float32(1 / 200),  # 200 test samples
    },
    "keras_mnist_mlp": {
        # the Dropout masks differ (seed spread over 5 seeds; weights fixed)
        "loss_epoch*": Tol(rel=0.15),  # spreads 4%, 8%, 6% of the loss
        "val_accuracy_epoch*": Tol(abs=0.04),  # spreads 0.005..0.018
        "best_val_loss": Tol(abs=0.04),  # 0.156..0.175
        "best_val_accuracy": Tol(abs=0.03),  # 0.943..0.958
        "test_loss": Tol(abs=0.05),  # 0.218..0.241
        "test_accuracy": Tol(abs=0.03),  # 0.9225..0.9375
        "lr_reductions": Tol(abs=3),  # 2..4
        "epochs_run": Tol(abs=3),  # 12 (of 12) in 5 of 5; stopping follows val_loss's noise
        # the rest is exact: data, shapes, and what the callbacks did against the history
    },
    # trained from random weights (seed spread in the comments)
    "mnist_cnn": {
        "test_accuracy": Tol(abs=5.0),  # 89.2..92.0
        "last_running_loss": Tol(abs=0.15),  # 0.24..0.33
        "first_image_sum": Tol(abs=1e-3),
    },
    "mnist_adadelta": {
        "test_accuracy": Tol(abs=4.0),  # 91.2..92.8
        "test_loss": Tol(rel=0.25),  # 0.256..0.284
    },
    "fashion_quickstart": {
        "*accuracy": Tol(abs=4.0),  # 74.0..76.8
        "test_loss": Tol(rel=0.15),  # 0.647..0.681
        "pixel_max": Tol(abs=1e-6),
    },
    "lstm_classifier": {
        "test_accuracy": Tol(abs=3.0),  # 99.8..100
        "final_train_loss": Tol(abs=0.05),  # 0.0006..0.0095
    },
    "makemore_mlp": {
        "onehot_bigram_loss": Tol(rel=0.02),  # 2.2727..2.2760
        "mlp_train_loss": Tol(rel=0.10),  # 1.585..1.639
        "mlp_val_loss": Tol(rel=0.20),  # 2.40..2.69 (the split is random too)
        "mlp_loss_log10_last100_mean": Tol(abs=0.05),  # 0.189..0.219
        "sample_mean_length": Tol(abs=3.0),  # 6.6..7.6
    },
    "gan_2d": {
        "D_loss_last100": Tol(abs=0.05),  # 1.383..1.393 (2 ln 2 at equilibrium)
        "G_loss_last100": Tol(abs=0.05),  # 0.692..0.700 (ln 2)
        "mean_error": Tol(abs=0.8),  # 0.13..0.65
        "std_*": Tol(abs=0.4),  # 0.15..0.61
    },
    "gpt_lecture": {
        "initial_train_loss": Tol(abs=0.1),  # 2.888..2.914 (ln 18 = 2.89 at init)
        "final_*_loss": Tol(abs=0.12),  # train 0.460..0.519, val 0.474..0.515
        "sample_known_word_fraction": Tol(abs=0.25),  # 0.80..0.96
    },
    "vae": {
        "*_loss": Tol(rel=0.06),  # first 36.8..37.9, final train 27.9..28.3, test 27.3..27.9
        "test_kld_per_image": Tol(abs=1.0),  # 1.95..2.54
    },
    "dcgan_tiny": {
        "D_loss_last_epoch": Tol(abs=0.2),  # 1.080..1.180
        "G_loss_last_epoch": Tol(abs=0.25),  # 0.693..0.803
        "fake_mean": Tol(abs=0.2),  # -0.212..-0.132
    },
    "polynomial_regression": {
        "w*": Tol(abs=0.05),  # within 0.025 of the target
        "b": Tol(abs=0.05),
        "test_mse": Tol(abs=1e-3),  # 1.9e-4..2.7e-4
    },
    "weight_init": {
        "*_ratio": Tol(rel=0.05),  # within 1% of 1
        "fc1_mean": Tol(abs=2e-3),
        # max |w| / bound of 2,400 uniform draws: just under 1, above 0.99 for any seed
        "conv_max_over_bound": Tol(abs=0.01),
        "normal_mean": Tol(abs=2e-3),
        "normal_std": Tol(rel=0.05),
        "uniform_std": Tol(rel=0.02),
        "trunc_normal_std": Tol(rel=0.05),
    },
}

PROGRAMS = programs()


def test_every_program_declares_its_tolerances() -> None:
    names = {p.stem for p in PROGRAMS}
    assert names == set(TOLERANCES), (
        f"undeclared: {sorted(names - set(TOLERANCES))}; "
        f"no such program: {sorted(set(TOLERANCES) - names)}"
    )
    assert len(names) >= 16


@pytest.fixture(scope="session")
def compat_data() -> object:
    try:
        return data_root()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_matches_pytorch(program, compat_data, request) -> None:
    # the PyTorch run is cached (keyed by everything it depends on) in pytest's cache, when on
    reference = reference_run(program, compat_data, getattr(request.config, "cache", None))
    if not reference.ok:
        pytest.fail("the PyTorch reference run failed:\n" + reference.failure(), pytrace=False)
    assert reference.metrics, f"{program.name} reported no METRIC lines under PyTorch"

    ours = run_program(program, "neuralab", compat_data)
    if not ours.ok:
        pytest.fail(ours.failure(), pytrace=False)

    problems = compare(reference.metrics, ours.metrics, TOLERANCES.get(program.stem, {}))
    if problems:
        pytest.fail(
            f"{program.name}: {len(problems)} metric(s) differ from PyTorch:\n"
            + "\n".join(problems),
            pytrace=False,
        )


def test_exact_is_the_default() -> None:
    assert compare({"a": 1.0, "s": "x"}, {"a": 1.0 + 5e-6, "s": "x"}, {}) == []
    assert compare({"a": 1.0}, {"a": 1.001}, {})
    assert compare({"a": 1.0}, {"a": 1.001}, {"a": Tol(abs=0.01)}) == []
    assert compare({"s": "x"}, {"s": "y"}, {"s": Tol(abs=1.0)})
    assert compare({"a": 1.0}, {}, {}) == ["a: missing (reference 1.0)"]
    assert EXACT.accepts(float("nan"), float("nan"))
