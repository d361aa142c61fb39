"""Learning-rate schedules, as ``torch.optim.lr_scheduler`` (same chainable formulas, so
the sequences are equal to PyTorch's). Call ``scheduler.step()`` after ``optimizer.step()``:
once per epoch, or once per batch for CyclicLR and OneCycleLR."""

from __future__ import annotations

import copy
import math
import numbers
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy

from neuralab.optim.optimizer import Optimizer, StateDictError


class _Loadable:
    """``load_state_dict`` all or nothing: ``_check_state`` validates the whole dict
    against ``state_dict()`` (the same keys, each value of the same kind: an int for an
    int, a number that is not NaN for a float, lists of the same length, ...), then
    ``_apply_state`` sets it. On an error (``StateDictError`` naming the key) nothing
    has changed."""

    def state_dict(self) -> dict[str, Any]:  # pragma: no cover - defined by each class
        raise NotImplementedError

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._check_state(state_dict)
        self._apply_state(state_dict)

    def _check_state(self, state_dict: Any) -> None:
        check_state(self, state_dict, self.state_dict())

    def _apply_state(self, state_dict: Mapping[str, Any]) -> None:
        self.__dict__.update(copy.deepcopy(dict(state_dict)))


def check_state(scheduler: Any, state_dict: Any, own: dict[str, Any]) -> None:
    """Raise StateDictError unless ``state_dict`` has exactly the keys of ``own`` (the
    scheduler's current state) with values of the same kinds; ``last_epoch`` an int
    >= -1."""
    who = f"{type(scheduler).__name__}.load_state_dict"
    if not isinstance(state_dict, Mapping):
        raise StateDictError(f"{who}: expected a dict, got {type(state_dict).__name__}")
    missing = sorted(map(str, set(own) - set(state_dict)))
    unknown = sorted(map(str, set(state_dict) - set(own)))
    if missing or unknown:
        parts = [f"missing key(s) {missing}"] if missing else []
        parts += [f"unknown key(s) {unknown}"] if unknown else []
        raise StateDictError(
            f"{who}: {'; '.join(parts)}: was it saved by another scheduler type or configuration?"
        )
    for key, reference in own.items():
        _same_kind(reference, state_dict[key], f"{who}: {key!r}")
    epoch = state_dict.get("last_epoch", 0)
    if epoch < -1:
        raise StateDictError(f"{who}: 'last_epoch' must be >= -1, got {epoch}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, (bool, numpy.bool_))


def _same_kind(reference: Any, value: Any, where: str) -> None:
    if isinstance(reference, (bool, numpy.bool_)):
        ok = isinstance(value, (bool, numpy.bool_))
    elif _is_int(reference):
        ok = _is_int(value)
    elif isinstance(reference, numbers.Real):
        ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, numpy.bool_))
        if ok and math.isnan(value):
            raise StateDictError(f"{where}: expected a number, got NaN")
    elif isinstance(reference, str):
        ok = isinstance(value, str)
    elif isinstance(reference, (list, tuple)):
        ok = isinstance(value, (list, tuple)) and len(value) == len(reference)
        if ok:
            for i, (r, v) in enumerate(zip(reference, value)):
                _same_kind(r, v, f"{where}[{i}]")
    elif isinstance(reference, Mapping):
        ok = isinstance(value, Mapping)
        if ok:
            for k in set(reference) & set(value):
                _same_kind(reference[k], value[k], f"{where}[{k!r}]")
    else:  # None (a function's slot) or an object: any value
        return
    if not ok:
        raise StateDictError(
            f"{where}: expected a value like {reference!r} ({type(reference).__name__}), "
            f"got {value!r} ({type(value).__name__})"
        )


def _per_group(name: str, value: Any, optimizer: Optimizer) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"expected {len(optimizer.param_groups)} values for {name}, got {len(value)}"
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler(_Loadable):
    """Base: ``last_epoch`` counts the calls to ``step``; ``get_lr`` gives the new rates."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer"
            )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (``epoch`` given: jump there, by the closed form where one
        exists, as PyTorch's deprecated ``step(epoch)``)."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer" and not callable(v)}


class StepLR(LRScheduler):
    """lr = base_lr * gamma^floor(epoch / step_size)"""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [g["lr"] for g in groups]
        return [g["lr"] * self.gamma for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma^(number of milestones reached)"""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Sequence[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = dict(Counter(int(m) for m in milestones))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        hits = self.milestones.get(self.last_epoch, self.milestones.get(str(self.last_epoch), 0))
        return [g["lr"] * self.gamma**hits for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(int(m) for m, n in self.milestones.items() for _ in range(n))
        reached = bisect_right(milestones, self.last_epoch)
        return [base * self.gamma**reached for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma^epoch"""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = 1 if self.last_epoch == 0 else self.gamma
        return [g["lr"] * factor for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2, computed in
    PyTorch's recursive form (so values match exactly and continue past T_max)."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, low = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if t == 0:
            return [g["lr"] for g in groups]
        if (t - 1 - T) % (2 * T) == 0:
            return [
                g["lr"] + (base - low) * (1 - math.cos(math.pi / T)) / 2
                for base, g in zip(self.base_lrs, groups)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (g["lr"] - low) + low for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), one function for every group or one per group.

    ``state_dict`` keeps a lambda only if it is a callable object (its ``__dict__``), never
    a function or a lambda, as PyTorch."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _lambdas(type(self).__name__, lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else f.__dict__.copy()
            for f in self.lr_lambdas
        ]
        return state

    def _check_state(self, state_dict: Any) -> None:
        super()._check_state(state_dict)
        for i, (f, saved) in enumerate(zip(self.lr_lambdas, state_dict["lr_lambdas"])):
            if saved is not None and (
                not isinstance(saved, Mapping) or isinstance(f, types.FunctionType)
            ):
                raise StateDictError(
                    f"{type(self).__name__}.load_state_dict: lr_lambdas[{i}] holds {saved!r}, "
                    "but that lambda is a function (only callable objects keep a state)"
                )

    def _apply_state(self, state_dict: Mapping[str, Any]) -> None:
        state = copy.deepcopy(dict(state_dict))
        lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for f, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                f.__dict__.update(saved)


def _lambdas(name: str, lr_lambda: Any, optimizer: Optimizer) -> list:
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != len(optimizer.param_groups):
            raise ValueError(
                f"{name}: expected {len(optimizer.param_groups)} lr_lambdas, got {len(lr_lambda)}"
            )
        return list(lr_lambda)
    if not callable(lr_lambda):
        raise TypeError(f"{name}: lr_lambda must be a function or a list of functions")
    return [lr_lambda] * len(optimizer.param_groups)


class MultiplicativeLR(LambdaLR):
    """lr_t = lr_(t-1) * lr_lambda(t) for t > 0 (lr_0 = base_lr)."""

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch > 0:
            return [g["lr"] * f(self.last_epoch) for f, g in zip(self.lr_lambdas, groups)]
        return [g["lr"] for g in groups]


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for epoch < total_iters, then base_lr."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(
                f"ConstantLR: constant multiplicative factor expected to be between 0 and 1, "
                f"got {factor}"
            )
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in groups]
        if self.last_epoch != self.total_iters:
            return [g["lr"] for g in groups]
        return [g["lr"] * (1.0 / self.factor) for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [base * factor for base in self.base_lrs]


class LinearLR(LRScheduler):
    """lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters)
    / total_iters), computed in PyTorch's recursive form."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(
                "LinearLR: starting multiplicative factor expected to be greater than 0 and "
                f"less or equal to 1, got {start_factor}"
            )
        if not 0 <= end_factor <= 1:
            raise ValueError(
                f"LinearLR: ending multiplicative factor expected to be between 0 and 1, "
                f"got {end_factor}"
            )
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, start, end, n = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return [g["lr"] * start for g in groups]
        if t > n:
            return [g["lr"] for g in groups]
        ratio = 1.0 + (end - start) / (n * start + (t - 1) * (end - start))
        return [g["lr"] * ratio for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [base * factor for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - min(epoch, total_iters) / total_iters)^power, computed in
    PyTorch's recursive form."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, n = self.last_epoch, self.total_iters
        if t == 0 or t > n:
            return [g["lr"] for g in groups]
        decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [g["lr"] * decay for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * left**self.power for base in self.base_lrs]


def _check_schedulers(name: str, schedulers: Sequence[Any], optimizer: Any) -> list:
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{name} expects at least one scheduler")
    for i, scheduler in enumerate(schedulers):
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support ReduceLROnPlateau (scheduler at index {i}): it "
                "needs a metric at every step"
            )
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name}: {type(scheduler).__name__} (index {i}) is not a scheduler")
        if optimizer is not None and scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but the one "
                f"at index {i} ({type(scheduler).__name__}) has another"
            )
    return schedulers


class _Composite(LRScheduler):
    """state_dict of a scheduler made of schedulers: its own attributes, and theirs."""

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def _check_state(self, state_dict: Any) -> None:
        who = f"{type(self).__name__}.load_state_dict"
        saved = state_dict.get("_schedulers") if isinstance(state_dict, Mapping) else None
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self._schedulers):
            raise StateDictError(
                f"{who}: '_schedulers' must be a list of {len(self._schedulers)} scheduler states"
            )
        own = self.state_dict()
        check_state(self, state_dict, own)
        for scheduler, s in zip(self._schedulers, saved):
            scheduler._check_state(s)

    def _apply_state(self, state_dict: Mapping[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        self.__dict__.update(copy.deepcopy(state))
        for scheduler, s in zip(self._schedulers, saved):
            scheduler._apply_state(s)


class SequentialLR(_Composite):
    """Run schedulers[0] until milestones[0], then schedulers[1] (restarted at its epoch 0)
    until milestones[1], and so on: epoch t belongs to schedulers[i], i = number of
    milestones <= t."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        schedulers = _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "SequentialLR expects number of schedulers provided to be one more than the "
                f"number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers, self._milestones = schedulers, list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first.step()  # its initial step
        self._last_lr = first.get_last_lr()

    def _undo(self, scheduler: Any) -> None:
        """Take back the step every scheduler made when it was built."""
        if hasattr(scheduler, "_schedulers"):
            for s in scheduler._schedulers:
                self._undo(s)
        elif hasattr(scheduler, "last_epoch") and scheduler is not self:
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step every scheduler in turn at each step: their factors multiply (each works on the
    rate the previous one left)."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        schedulers = _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        self._last_lr = [g["lr"] for g in schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [g["lr"] for g in self._schedulers[-1].optimizer.param_groups]


def _set_momentum(group: dict, momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _momentum_key(cls: str, optimizer: Optimizer) -> bool:
    """Whether the optimizer's momentum is its first beta (Adam) rather than 'momentum'."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{cls}: optimizer must support momentum or beta1 with cycle_momentum")
    return "betas" in optimizer.defaults


class CyclicLR(LRScheduler):
    """The rate cycles between base_lr and max_lr (Smith, 2017), per batch:
    cycle = floor(1 + t / (up + down)), x = position in the cycle, rising for the first
    up/(up+down) of it; lr = base_lr + (max_lr - base_lr) * ramp(x) * scale, scale = 1
    (triangular), 1 / 2^(cycle - 1) (triangular2) or gamma^t (exp_range). Momentum moves the
    other way between max_momentum and base_momentum."""

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}"
            )
        base_lrs = _per_group("base_lr", base_lr, optimizer)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", max_lr, optimizer)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = (
            scale_mode
            if scale_fn is not None
            else ("iterations" if mode == "exp_range" else "cycle")
        )
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key("CyclicLR", optimizer)
            self.base_momentums = _per_group("base_momentum", base_momentum, optimizer)
            self.max_momentums = _per_group("max_momentum", max_momentum, optimizer)
            if last_epoch == -1:
                for m, group in zip(self.max_momentums, optimizer.param_groups):
                    _set_momentum(group, m, self.use_beta1)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        ramp = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        base_lrs = getattr(self, "base_lrs", [g["lr"] for g in self.optimizer.param_groups])
        lrs = [lo + (hi - lo) * ramp * scale for lo, hi in zip(base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, lo, hi in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums
            ):
                _set_momentum(group, hi - (hi - lo) * ramp * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.pop("_scale_fn_custom", None)
        return state


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2017), per batch: the rate rises from
    max_lr/div_factor to max_lr over the first pct_start of the steps, then anneals to
    max_lr/(div_factor*final_div_factor) (three_phase: back to the start first, then
    down); cosine annealing a(s, e, f) = e + (s - e)(1 + cos(pi f))/2 or linear. Momentum
    moves opposite, between max_momentum and base_momentum."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if total_steps is None:
            if not epochs or not steps_per_epoch or epochs <= 0 or steps_per_epoch <= 0:
                raise ValueError(
                    "OneCycleLR: give total_steps, or epochs and steps_per_epoch (positive ints)"
                )
            total_steps = epochs * steps_per_epoch
        if total_steps <= 0:
            raise ValueError(f"OneCycleLR: total_steps must be positive, got {total_steps}")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        rise = float(pct_start * total_steps) - 1
        if three_phase:
            self.phases = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (
                    float(2 * pct_start * total_steps) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ),
                (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self.phases = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = _per_group("max_lr", max_lr, optimizer)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key("OneCycleLR", optimizer)
            highs = _per_group("max_momentum", max_momentum, optimizer)
            lows = _per_group("base_momentum", base_momentum, optimizer)
            if last_epoch == -1:
                for hi, lo, group in zip(highs, lows, optimizer.param_groups):
                    _set_momentum(group, hi, self.use_beta1)
                    group["max_momentum"], group["base_momentum"] = hi, lo
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {t} times with total_steps={self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_from, lr_to, m_from, m_to) in enumerate(self.phases):
                if t <= end or i == len(self.phases) - 1:
                    fraction = (t - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], fraction))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[m_from], group[m_to], fraction)
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start = end
        return lrs


class ReduceLROnPlateau(_Loadable):
    """Multiply the rate by ``factor`` when the monitored metric has not improved for
    ``patience`` steps. Improvement ('min', rel): m < best (1 - threshold); (abs):
    m < best - threshold; 'max' mirrors. After a reduction, wait ``cooldown`` steps;
    never go below min_lr, and skip changes smaller than eps."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1.0, got {factor}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        self.optimizer = optimizer
        self.min_lrs = _per_group("min_lr", min_lr, optimizer)
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, value: float, best: float) -> bool:
        if self.mode == "min":
            bar = (
                best * (1 - self.threshold)
                if self.threshold_mode == "rel"
                else best - self.threshold
            )
            return value < bar
        bar = best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return value > bar

    def step(self, metrics: float) -> None:
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, floor)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}


def __getattr__(name: str) -> object:
    """A ``torch.optim.lr_scheduler`` name neuralab lacks raises NotImplementedError naming it."""
    from neuralab.torch_names import TORCH_LR_SCHEDULER
    from neuralab.unsupported import missing

    raise missing(name, "torch.optim.lr_scheduler", TORCH_LR_SCHEDULER)
