"""Every schedule: the learning rate (and momentum, where cycled) over 200 steps equals
PyTorch's; ReduceLROnPlateau on the same metrics; state_dict round trips."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import optim

CASES = {
    "step": ("StepLR", {"step_size": 30, "gamma": 0.5}),
    "multistep": ("MultiStepLR", {"milestones": [20, 50, 50, 120], "gamma": 0.3}),
    "exponential": ("ExponentialLR", {"gamma": 0.98}),
    "cosine": ("CosineAnnealingLR", {"T_max": 60, "eta_min": 0.001}),
    "cyclic_triangular": ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 15}),
    "cyclic_triangular2": ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10,
                                        "step_size_down": 25, "mode": "triangular2"}),
    "cyclic_exp_range": ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20,
                                      "mode": "exp_range", "gamma": 0.99}),
    "onecycle": ("OneCycleLR", {"max_lr": 0.5, "total_steps": 200}),
    "onecycle_linear_3phase": ("OneCycleLR", {"max_lr": 0.5, "epochs": 10,
                                              "steps_per_epoch": 20, "anneal_strategy": "linear",
                                              "three_phase": True, "pct_start": 0.25}),
}  # fmt: skip


def optimizers(kind="SGD"):
    p, q = nl.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    if kind == "SGD":
        return optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    return optim.Adam([p], lr=0.1), torch.optim.Adam([q], lr=0.1)


def momentum(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_two_hundred_steps_match_torch(case, kind):
    name, options = CASES[case]
    ours_opt, theirs_opt = optimizers(kind)
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **options)
    for step in range(200):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12), step
        assert momentum(ours_opt) == pytest.approx(momentum(theirs_opt), rel=1e-12), step
        ours_opt.step()
        theirs_opt.step()
        if name == "OneCycleLR" and step == 198:
            break
        ours.step()
        theirs.step()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"mode": "max", "patience": 2, "factor": 0.5},
        {"patience": 1, "threshold": 0.1, "threshold_mode": "abs", "cooldown": 3},
        {"patience": 0, "min_lr": 0.02, "factor": 0.3},
    ],
)
def test_reduce_on_plateau_matches_torch(options):
    ours_opt, theirs_opt = optimizers()
    ours = optim.lr_scheduler.ReduceLROnPlateau(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **options)
    rng = np.random.default_rng(0)
    metrics = np.concatenate(
        [
            np.linspace(1, 0.5, 10),
            np.full(15, 0.5),
            0.5 - np.cumsum(rng.uniform(0, 0.001, 30)),
            rng.uniform(0.4, 0.6, 45),
        ]
    )
    for m in metrics:
        ours.step(m)
        theirs.step(m)
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    assert ours.get_last_lr()[0] < 0.1  # the schedule did reduce


@pytest.mark.parametrize("case", ["step", "cosine", "cyclic_triangular2", "onecycle"])
def test_state_dict_round_trip(case, tmp_path):
    name, options = CASES[case]
    opt, _ = optimizers()
    scheduler = getattr(optim.lr_scheduler, name)(opt, **options)
    for _ in range(37):
        opt.step()
        scheduler.step()
    nl.save({"scheduler": scheduler.state_dict(), "optimizer": opt.state_dict()},
            tmp_path / "s.safetensors")  # fmt: skip
    expected = []
    for _ in range(20):
        scheduler.step()
        expected.append(scheduler.get_last_lr()[0])
    opt2, _ = optimizers()
    restored = getattr(optim.lr_scheduler, name)(opt2, **options)
    saved = nl.load(tmp_path / "s.safetensors")
    opt2.load_state_dict(saved["optimizer"])
    restored.load_state_dict(saved["scheduler"])
    got = []
    for _ in range(20):
        restored.step()
        got.append(restored.get_last_lr()[0])
    assert got == pytest.approx(expected, rel=1e-12)


def test_bad_arguments_are_named():
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="step_size"):
        optim.lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match=r"factor must be < 1\.0"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="mode must be"):
        optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="square")
    with pytest.raises(ValueError, match="total_steps"):
        optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(TypeError, match="not an Optimizer"):
        optim.lr_scheduler.StepLR(object(), step_size=1)
