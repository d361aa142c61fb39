"""Adadelta, Adamax, NAdam, RAdam: 40 steps from the same parameters with the same gradients
give PyTorch's parameters (float64, 1e-7 relative); state_dict round trips continue identically."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import optim

SHAPES = [(4, 3), (3,)]
CASES = {
    "adadelta": ("Adadelta", {}),
    "adadelta_all": ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}),
    "adadelta_maximize": ("Adadelta", {"maximize": True}),
    "adamax": ("Adamax", {}),
    "adamax_all": ("Adamax", {"lr": 0.01, "betas": (0.8, 0.95), "weight_decay": 0.1}),
    "nadam": ("NAdam", {}),
    "nadam_decay": ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    "nadam_decoupled": ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    "radam": ("RAdam", {}),
    "radam_decay": ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    "radam_decoupled": ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
}


def pair(name, options, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in SHAPES]
    ours = [nl.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return getattr(optim, name)(ours, **options), getattr(torch.optim, name)(theirs, **options)


def run(ours, theirs, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        for p, q in zip(ours.param_groups[0]["params"], theirs.param_groups[0]["params"]):
            g = rng.normal(size=p.shape)
            p.grad = nl.tensor(g.copy())
            q.grad = torch.tensor(g.copy())
        ours.step()
        theirs.step()


def assert_same(ours, theirs):
    for p, q in zip(ours.param_groups[0]["params"], theirs.param_groups[0]["params"]):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_matches_pytorch(case):
    name, options = CASES[case]
    ours, theirs = pair(name, options)
    run(ours, theirs, 40)
    assert_same(ours, theirs)


@pytest.mark.parametrize("case", ["adadelta", "adamax", "nadam", "radam"])
def test_state_dict_round_trip(case):
    name, options = CASES[case]
    ours, theirs = pair(name, options)
    run(ours, theirs, 7)
    fresh, _ = pair(name, options)
    for p, q in zip(fresh.param_groups[0]["params"], ours.param_groups[0]["params"]):
        p.data.copy_(q.data)
    fresh.load_state_dict(ours.state_dict())
    run(fresh, theirs, 10, seed=2)
    assert_same(fresh, theirs)


def test_defaults_are_pytorchs():
    p = nl.zeros(2, requires_grad=True)
    for name in ("Adadelta", "Adamax", "NAdam", "RAdam"):
        ours = getattr(optim, name)([p]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key)


def test_bad_arguments_and_lbfgs():
    p = nl.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="rho"):
        optim.Adadelta([p], rho=1.5)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0"):
        optim.NAdam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="momentum_decay"):
        optim.NAdam([p], momentum_decay=-1)
    with pytest.raises(NotImplementedError, match="LBFGS"):
        optim.LBFGS([p])
