"""Every optimizer and option: 50 steps from the same parameters with the same gradients
give PyTorch's parameters (float64, 1e-6 relative); groups, state_dict, zero_grad, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import optim

SHAPES = [(4, 3), (3,)]

CASES = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "sgd_dampening": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    "sgd_maximize": ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_betas_eps": ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    "adam_amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True}),
    "adam_weight_decay": ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    "adam_maximize": ("Adam", {"lr": 0.01, "maximize": True}),
    "adamw": ("AdamW", {"lr": 0.01}),
    "adamw_amsgrad_decay": ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    "rmsprop_centered": ("RMSprop", {"lr": 0.01, "centered": True}),
    "rmsprop_all": ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True,
                                "weight_decay": 0.1, "alpha": 0.9}),
    "adagrad": ("Adagrad", {"lr": 0.1}),
    "adagrad_lr_decay": ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    "adagrad_initial": ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5,
                                    "weight_decay": 0.1}),
}  # fmt: skip


def pair(name, options, groups=False, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in SHAPES]
    ours = [nl.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    if groups:
        ours = [{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.003}]
        theirs = [{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": 0.003}]
    return getattr(optim, name)(ours, **options), getattr(torch.optim, name)(theirs, **options)


def run(ours, theirs, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        for p, q in zip(_params(ours), _params(theirs)):
            g = rng.normal(size=p.shape)
            p.grad, q.grad = nl.tensor(g.copy()), torch.tensor(g.copy())
        ours.step()
        theirs.step()


def _params(opt):
    return [p for g in opt.param_groups for p in g["params"]]


def assert_same(ours, theirs):
    for p, q in zip(_params(ours), _params(theirs)):
        np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_fifty_steps_match_torch(case):
    ours, theirs = pair(*CASES[case])
    run(ours, theirs, 50)
    assert_same(ours, theirs)


@pytest.mark.parametrize("case", ["sgd_momentum", "adam_amsgrad", "rmsprop_all", "adagrad"])
def test_parameter_groups_match_torch(case):
    ours, theirs = pair(*CASES[case], groups=True)
    run(ours, theirs, 20)
    assert_same(ours, theirs)
    assert ours.param_groups[1]["lr"] == 0.003


@pytest.mark.parametrize("case", ["sgd_nesterov", "adam_amsgrad", "rmsprop_all", "adagrad"])
def test_state_dict_round_trip_continues_identically(case, tmp_path):
    name, options = CASES[case]
    ours, theirs = pair(name, options)
    run(ours, theirs, 10)
    path = tmp_path / "opt.safetensors"
    nl.save(ours.state_dict(), path)
    params = [nl.tensor(p._data.copy(), requires_grad=True) for p in _params(ours)]
    restored = getattr(optim, name)(params, **options)
    restored.load_state_dict(nl.load(path))
    run(restored, theirs, 10, seed=2)
    assert_same(restored, theirs)


def test_zero_grad_both_modes():
    p = nl.zeros(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = nl.ones(3)
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and not p.grad._data.any()
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # no gradient: nothing changes
    assert not p._data.any()


def test_step_returns_closure_loss():
    p = nl.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 1.0
    assert p.item() == 0.0


def test_bad_arguments_are_named():
    p = nl.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):  # PyTorch's messages
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"Invalid beta parameter at index 0: 1\.0"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="more than one group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(TypeError, match="require grad"):
        optim.SGD([nl.zeros(2)], lr=0.1)
