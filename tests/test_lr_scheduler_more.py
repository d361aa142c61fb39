"""LambdaLR, MultiplicativeLR, ConstantLR, LinearLR, PolynomialLR, SequentialLR and
ChainedScheduler: get_last_lr() over 60 steps equals PyTorch's; state_dict round trips."""

from __future__ import annotations

import pytest
import torch

import neuralab as nl
from neuralab import optim
from neuralab.optim import lr_scheduler as ours_lr

tl = torch.optim.lr_scheduler


class Warmup:
    """A callable object: its state is saved in state_dict (a lambda's is not)."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.steps)


def optimizers(groups=1):
    ps = [nl.zeros(2, requires_grad=True) for _ in range(groups)]
    qs = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    lrs = [0.1, 0.03][:groups]
    ours = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD(
        [{"params": [q], "lr": lr} for q, lr in zip(qs, lrs)], lr=0.1, momentum=0.9
    )
    return ours, theirs


def single(name, **kw):
    return lambda lib, opt: getattr(lib, name)(opt, **kw)


CASES = {
    "lambda": single("LambdaLR", lr_lambda=lambda e: 0.95**e),
    "lambda_object": single("LambdaLR", lr_lambda=Warmup(10)),
    "multiplicative": single("MultiplicativeLR", lr_lambda=lambda e: 0.97),
    "constant": single("ConstantLR"),
    "constant_args": single("ConstantLR", factor=0.5, total_iters=12),
    "linear": single("LinearLR"),
    "linear_args": single("LinearLR", start_factor=0.1, end_factor=0.5, total_iters=20),
    "polynomial": single("PolynomialLR"),
    "polynomial_args": single("PolynomialLR", total_iters=30, power=2.0),
    "sequential": lambda lib, opt: lib.SequentialLR(
        opt,
        [lib.LinearLR(opt, start_factor=0.1, total_iters=8), lib.ExponentialLR(opt, 0.9)],
        milestones=[8],
    ),
    "sequential_three": lambda lib, opt: lib.SequentialLR(
        opt,
        [
            lib.ConstantLR(opt, factor=0.2, total_iters=5),
            lib.CosineAnnealingLR(opt, T_max=20),
            lib.StepLR(opt, step_size=7, gamma=0.5),
        ],
        milestones=[5, 25],
    ),
    "chained": lambda lib, opt: lib.ChainedScheduler(
        [lib.ConstantLR(opt, factor=0.1, total_iters=4), lib.ExponentialLR(opt, gamma=0.9)]
    ),
    "chained_with_optimizer": lambda lib, opt: lib.ChainedScheduler(
        [lib.LinearLR(opt, total_iters=10), lib.MultiStepLR(opt, [15, 30], 0.5)], optimizer=opt
    ),
}


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("case", CASES)
def test_matches_pytorch(case, groups):
    ours_opt, theirs_opt = optimizers(groups)
    ours, theirs = CASES[case](ours_lr, ours_opt), CASES[case](tl, theirs_opt)
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    for _ in range(60):
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12, abs=1e-15)
        assert [g["lr"] for g in ours_opt.param_groups] == pytest.approx(
            [g["lr"] for g in theirs_opt.param_groups], rel=1e-12, abs=1e-15
        )


def test_lambda_list_per_group():
    ours_opt, theirs_opt = optimizers(2)
    fs = [lambda e: 0.9**e, lambda e: 1 / (1 + e)]
    ours, theirs = ours_lr.LambdaLR(ours_opt, fs), tl.LambdaLR(theirs_opt, fs)
    for _ in range(20):
        theirs_opt.step()
        ours.step()
        theirs.step()
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    with pytest.raises(ValueError, match="2 lr_lambdas"):
        ours_lr.LambdaLR(ours_opt, fs[:1])


def test_lambda_state_dict_keeps_objects_not_functions():
    ours_opt, theirs_opt = optimizers(2)
    ours = ours_lr.LambdaLR(ours_opt, [lambda e: 1.0, Warmup(5)])
    theirs = tl.LambdaLR(theirs_opt, [lambda e: 1.0, Warmup(5)])
    for _ in range(3):
        theirs_opt.step()
        ours.step()
        theirs.step()
    state, expected = ours.state_dict(), theirs.state_dict()
    assert state["lr_lambdas"] == expected["lr_lambdas"] == [None, {"steps": 5}]
    assert state["last_epoch"] == expected["last_epoch"] == 3
    other_opt, _ = optimizers(2)
    other = ours_lr.LambdaLR(other_opt, [lambda e: 1.0, Warmup(99)])
    other.load_state_dict(state)
    assert other.lr_lambdas[1].steps == 5 and other.last_epoch == 3


@pytest.mark.parametrize("case", ["linear_args", "polynomial_args", "sequential", "chained"])
def test_state_dict_round_trip(case):
    ours_opt, _ = optimizers()
    first = CASES[case](ours_lr, ours_opt)
    for _ in range(12):
        first.step()
    saved = first.state_dict()
    expected = []
    for _ in range(20):
        first.step()
        expected += first.get_last_lr()
    other_opt, _ = optimizers()
    second = CASES[case](ours_lr, other_opt)
    second.load_state_dict(saved)
    for g, lr in zip(other_opt.param_groups, saved.get("_last_lr", [])):
        g["lr"] = lr
    got = []
    for _ in range(20):
        second.step()
        got += second.get_last_lr()
    assert got == pytest.approx(expected, rel=1e-12)


def test_bad_arguments():
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="start"):
        ours_lr.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        ours_lr.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="one more"):
        ours_lr.SequentialLR(opt, [ours_lr.ConstantLR(opt)], milestones=[3])
    other, _ = optimizers()
    with pytest.raises(ValueError, match="same optimizer"):
        ours_lr.SequentialLR(opt, [ours_lr.ConstantLR(other)], milestones=[])
    plateau = ours_lr.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        ours_lr.ChainedScheduler([plateau])
