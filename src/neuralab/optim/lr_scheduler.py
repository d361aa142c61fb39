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
    """Raise StateDictError unless a scheduler state dict fits the scheduler.

    Args:
        scheduler: The scheduler the state is loaded into (named in the message).
        state_dict: The state dict to check.
        own: The scheduler's own ``state_dict()``: the keys and kinds of value expected.

    Raises:
        StateDictError: ``state_dict`` is not a dict, lacks or adds a key, or holds a value
            of another kind than ``own``.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.StepLR(opt, step_size=2)
        >>> check_state(sched, sched.state_dict(), sched.state_dict())  # fits: no error
    """
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
    """Base class of the learning-rate schedulers.

    ``last_epoch`` counts the calls to ``step``; subclasses implement ``get_lr``, which gives
    each group's new rate. Building a scheduler makes its first step (to epoch 0). Call
    ``scheduler.step()`` after ``optimizer.step()``.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        TypeError: ``optimizer`` is not an Optimizer.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
        >>> rates = []
        >>> for _ in range(4):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.05, 0.0333, 0.025]
    """

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
        """The rate of each parameter group at the current ``last_epoch`` (one per subclass).

        Returns:
            One float per parameter group.
        """
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one step, setting each group's ``"lr"``.

        Args:
            epoch: Jump to this epoch instead (by the closed form where one exists), as
                PyTorch's deprecated ``step(epoch)``. Defaults to None.
        """
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
        """The rates the last ``step`` set, one per parameter group.

        Returns:
            A list of floats.
        """
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's attributes but the optimizer, for ``load_state_dict``.

        Returns:
            A dict of attribute names to values.
        """
        return {k: v for k, v in self.__dict__.items() if k != "optimizer" and not callable(v)}


class StepLR(LRScheduler):
    """Decay the rate by ``gamma`` every ``step_size`` epochs.

        lr = base_lr * gamma^floor(epoch / step_size)

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        step_size: Epochs between two decays.
        gamma: Multiplicative factor of each decay. Defaults to 0.1.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: ``step_size`` < 1.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [g["lr"] for g in groups]
        return [g["lr"] * self.gamma for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Decay the rate by ``gamma`` at each milestone epoch.

        lr = base_lr * gamma^(number of milestones <= epoch)

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        milestones: Epochs at which to decay (a repeated milestone decays twice).
        gamma: Multiplicative factor of each decay. Defaults to 0.1.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.05, 0.05, 0.025, 0.025]
    """

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
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
        groups = self.optimizer.param_groups
        hits = self.milestones.get(self.last_epoch, self.milestones.get(str(self.last_epoch), 0))
        return [g["lr"] * self.gamma**hits for g in groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(int(m) for m, n in self.milestones.items() for _ in range(n))
        reached = bisect_right(milestones, self.last_epoch)
        return [base * self.gamma**reached for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decay the rate by ``gamma`` every epoch.

        lr = base_lr * gamma^epoch

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        gamma: Multiplicative factor per epoch.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> rates = []
        >>> for _ in range(4):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.05, 0.025, 0.0125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
        factor = 1 if self.last_epoch == 0 else self.gamma
        return [g["lr"] * factor for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the rate along a half cosine from base_lr down to ``eta_min`` in ``T_max`` epochs.

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    Computed in PyTorch's recursive form, so the values match PyTorch's exactly and continue
    (rising again) past T_max.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        T_max: Epochs of the half period.
        eta_min: Lowest rate. Defaults to 0.0.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: ``T_max`` < 1.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.0854, 0.05, 0.0146, 0.0]
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
    """Set the rate to base_lr times a function of the epoch.

        lr = base_lr * lr_lambda(epoch)

    ``state_dict`` keeps a lambda only if it is a callable object (its ``__dict__``), never
    a function or a lambda, as PyTorch.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        lr_lambda: A function of the epoch, or a list of them, one per parameter group.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: A list of lr_lambda whose length is not the number of groups.
        TypeError: ``lr_lambda`` is neither callable nor a list.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.9 ** epoch)
        >>> rates = []
        >>> for _ in range(3):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.09, 0.081]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _lambdas(type(self).__name__, lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; each lambda as its ``__dict__`` if a callable object, else None.

        Returns:
            A dict of attribute names to values.
        """
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
    """Multiply the rate by a function of the epoch at each step.

        lr_t = lr_(t-1) * lr_lambda(t)  for t > 0,  lr_0 = base_lr

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        lr_lambda: A function of the epoch, or a list of them, one per parameter group.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: A list of lr_lambda whose length is not the number of groups.
        TypeError: ``lr_lambda`` is neither callable nor a list.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5)
        >>> rates = []
        >>> for _ in range(3):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.05, 0.025]
    """

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
        groups = self.optimizer.param_groups
        if self.last_epoch > 0:
            return [g["lr"] * f(self.last_epoch) for f, g in zip(self.lr_lambdas, groups)]
        return [g["lr"] for g in groups]


class ConstantLR(LRScheduler):
    """Scale the rate by a constant factor until ``total_iters`` epochs have passed.

        lr = base_lr * factor  (epoch < total_iters),  base_lr  (afterwards)

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        factor: The factor, in [0, 1]. Defaults to 1/3.
        total_iters: Epochs during which the factor applies. Defaults to 5.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: ``factor`` outside [0, 1].

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
        >>> rates = []
        >>> for _ in range(4):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.05, 0.05, 0.1, 0.1]
    """

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
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
    """Change the rate's factor linearly from ``start_factor`` to ``end_factor`` (a warm-up).

        lr = base_lr * (start_factor + (end_factor - start_factor)
                        * min(epoch, total_iters) / total_iters)

    Computed in PyTorch's recursive form.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        start_factor: The factor at epoch 0, in (0, 1]. Defaults to 1/3.
        end_factor: The factor from epoch ``total_iters`` on, in [0, 1]. Defaults to 1.0.
        total_iters: Epochs of the linear change. Defaults to 5.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: ``start_factor`` outside (0, 1] or ``end_factor`` outside [0, 1].

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.025, 0.05, 0.075, 0.1, 0.1]
    """

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
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
    """Decay the rate polynomially to zero in ``total_iters`` epochs.

        lr = base_lr * (1 - min(epoch, total_iters) / total_iters)^power

    Computed in PyTorch's recursive form.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        total_iters: Epochs of the decay. Defaults to 5.
        power: Power of the polynomial. Defaults to 1.0.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.0563, 0.025, 0.0062, 0.0]
    """

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
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
    """Run schedulers one after another, switching at the milestones.

    Epoch t belongs to ``schedulers[i]``, i = number of milestones <= t; each scheduler
    restarts at its own epoch 0 when its turn comes.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        schedulers: The schedulers, all of ``optimizer``; not ReduceLROnPlateau.
        milestones: The epochs at which to switch: one fewer than the schedulers.
        last_epoch: Index of the last step when resuming. Defaults to -1.

    Raises:
        ValueError: No schedulers, a ReduceLROnPlateau, a scheduler of another optimizer, or
            a number of milestones other than ``len(schedulers) - 1``.
        TypeError: An entry that is not a scheduler.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.optim import lr_scheduler
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> warmup = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> sched = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.05, 0.075, 0.1, 0.05, 0.025]
    """

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
        """Advance one step: the scheduler whose turn it is steps (or restarts)."""
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedulers together: their factors multiply.

    At each step every scheduler steps in turn, each on the rate the previous one left.

    Args:
        schedulers: The schedulers, all of one optimizer; not ReduceLROnPlateau.
        optimizer: The optimizer they must all belong to; None takes the first one's.
            Defaults to None.

    Raises:
        ValueError: No schedulers, a ReduceLROnPlateau, or a scheduler of another optimizer.
        TypeError: An entry that is not a scheduler.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.optim import lr_scheduler
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = lr_scheduler.ChainedScheduler([
        ...     lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
        ...     lr_scheduler.ExponentialLR(opt, gamma=0.5),
        ... ])
        >>> rates = []
        >>> for _ in range(4):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.05, 0.025, 0.025, 0.0125]
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        schedulers = _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        self._last_lr = [g["lr"] for g in schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler in turn."""
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
    """Cycle the rate between ``base_lr`` and ``max_lr`` (Smith, 2017); step it per batch.

    With up = step_size_up, down = step_size_down and t the step:

        cycle = floor(1 + t / (up + down))
        x = 1 + t / (up + down) - cycle  (position in the cycle, in [0, 1))
        ramp = x / r  (x <= r),  (x - 1) / (r - 1)  (otherwise),  r = up / (up + down)
        lr = base_lr + (max_lr - base_lr) * ramp * scale

    scale is 1 (``"triangular"``), 1 / 2^(cycle - 1) (``"triangular2"``), gamma^t
    (``"exp_range"``) or ``scale_fn`` of the cycle or the step. With cycle_momentum the
    momentum (or Adam's first beta) moves the other way, from max_momentum to base_momentum.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        base_lr: Lowest rate, one for all groups or a list (one per group).
        max_lr: Highest rate, one for all groups or a list.
        step_size_up: Steps of the rising half of a cycle. Defaults to 2000.
        step_size_down: Steps of the falling half; None for ``step_size_up``.
            Defaults to None.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"`` (ignored with
            ``scale_fn``). Defaults to ``"triangular"``.
        gamma: Base of the ``"exp_range"`` scale. Defaults to 1.0.
        scale_fn: A custom scale of one argument, replacing ``mode``. Defaults to None.
        scale_mode: What ``scale_fn`` takes: ``"cycle"`` or ``"iterations"`` (the step).
            Defaults to ``"cycle"``.
        cycle_momentum: Also cycle the momentum. Defaults to True.
        base_momentum: Lowest momentum (at max_lr), one or per group. Defaults to 0.8.
        max_momentum: Highest momentum (at base_lr), one or per group. Defaults to 0.9.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: An unknown ``mode`` without ``scale_fn``, a list whose length is not the
            number of groups, or cycle_momentum with an optimizer without momentum or betas.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = nl.optim.lr_scheduler.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
        >>> rates = []
        >>> for _ in range(6):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    """

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
        """The scale of the cycle's amplitude (see the class docstring).

        Args:
            x: The cycle number or the step, by ``scale_mode``.

        Returns:
            The scale.
        """
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
        """The scheduler's state, without a custom ``scale_fn`` (a function is not saved).

        Returns:
            A dict of attribute names to values.
        """
        state = super().state_dict()
        state.pop("_scale_fn_custom", None)
        return state


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2017); step it once per batch.

    The rate rises from ``initial_lr = max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start`` of the steps, then anneals down to
    ``min_lr = initial_lr / final_div_factor``. With ``three_phase`` it first comes back
    down to initial_lr (symmetrically), then anneals to min_lr. Each phase anneals from s
    to e over a fraction f of it:

        a(s, e, f) = e + (s - e) * (1 + cos(pi * f)) / 2  (anneal_strategy "cos")
        a(s, e, f) = s + (e - s) * f  ("linear")

    With cycle_momentum the momentum (or Adam's first beta) moves opposite to the rate,
    between max_momentum (at the lowest rates) and base_momentum (at max_lr).

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        max_lr: Peak rate, one for all groups or a list (one per group).
        total_steps: Number of steps of the cycle; if None, ``epochs * steps_per_epoch``.
            Defaults to None.
        epochs: Epochs, used with steps_per_epoch when total_steps is None. Defaults to None.
        steps_per_epoch: Batches per epoch, used with epochs. Defaults to None.
        pct_start: Fraction of the steps spent rising, in [0, 1]. Defaults to 0.3.
        anneal_strategy: ``"cos"`` or ``"linear"``. Defaults to ``"cos"``.
        cycle_momentum: Also cycle the momentum. Defaults to True.
        base_momentum: Momentum at max_lr, one or per group. Defaults to 0.85.
        max_momentum: Momentum at the lowest rates, one or per group. Defaults to 0.95.
        div_factor: initial_lr = max_lr / div_factor. Defaults to 25.0.
        final_div_factor: min_lr = initial_lr / final_div_factor. Defaults to 1e4.
        three_phase: Come back to initial_lr before annealing to min_lr (fast.ai's
            schedule is the two-phase one). Defaults to False.
        last_epoch: Index of the last step when resuming; -1 starts afresh (and records each
            group's ``"initial_lr"``). Defaults to -1.

    Raises:
        ValueError: Neither total_steps nor positive epochs and steps_per_epoch, a
            total_steps <= 0, pct_start outside [0, 1], an unknown anneal_strategy,
            cycle_momentum with an optimizer without momentum or betas, or a step past
            total_steps.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = nl.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
        >>> rates = []
        >>> for _ in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        ...     opt.step()
        ...     sched.step()
        >>> rates
        [0.04, 0.9505, 0.6113, 0.1883, 0.0]
    """

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
        """The rate of each parameter group at the current ``last_epoch``, by the formula above."""
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
    """Multiply the rate by ``factor`` when a metric has stopped improving for ``patience`` steps.

    Call ``scheduler.step(metric)`` once per epoch. A value m improves on the best b when

        m < b * (1 - threshold)  (mode "min", threshold_mode "rel")
        m < b - threshold        (mode "min", threshold_mode "abs")

    and mirrored (> b * (1 + threshold), > b + threshold) in mode ``"max"``. After
    ``patience`` steps without improvement every group's rate becomes
    ``max(lr * factor, min_lr)`` (changes smaller than eps are skipped), then ``cooldown``
    steps pass before counting again.

    Args:
        optimizer: The optimizer whose groups' ``"lr"`` the scheduler sets.
        mode: ``"min"`` (lower is better, e.g. a loss) or ``"max"``. Defaults to ``"min"``.
        factor: Multiplier of the rate, < 1. Defaults to 0.1.
        patience: Steps without improvement tolerated. Defaults to 10.
        threshold: Least change that counts as an improvement. Defaults to 1e-4.
        threshold_mode: ``"rel"`` or ``"abs"``. Defaults to ``"rel"``.
        cooldown: Steps to wait after a reduction. Defaults to 0.
        min_lr: Lowest rate, one or per group. Defaults to 0.0.
        eps: Smallest change of rate that is applied. Defaults to 1e-8.

    Raises:
        ValueError: ``factor`` >= 1, an unknown ``mode`` or ``threshold_mode``, or a list
            of min_lr whose length is not the number of groups.

    Examples:
        >>> import neuralab as nl
        >>> opt = nl.optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = nl.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
        >>> rates = []
        >>> for val_loss in [1.0, 0.9, 0.9, 0.9, 0.9]:
        ...     sched.step(val_loss)
        ...     rates.append(round(sched.get_last_lr()[0], 4))
        >>> rates
        [0.1, 0.1, 0.1, 0.05, 0.05]
    """

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
        """Whether ``value`` improves on ``best`` by the mode and threshold.

        Args:
            value: The new metric.
            best: The best metric so far.

        Returns:
            True if it counts as an improvement.
        """
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
        """Record one epoch's metric and reduce the rates if it has plateaued.

        Args:
            metrics: The monitored value (a number or a one-element Tensor).
        """
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
        """The current rates, one per parameter group.

        Returns:
            A list of floats.
        """
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's attributes but the optimizer, for ``load_state_dict``.

        Returns:
            A dict of attribute names to values.
        """
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}


def __getattr__(name: str) -> object:
    """A ``torch.optim.lr_scheduler`` name neuralab lacks raises NotImplementedError naming it."""
    from neuralab.torch_names import TORCH_LR_SCHEDULER
    from neuralab.unsupported import missing

    raise missing(name, "torch.optim.lr_scheduler", TORCH_LR_SCHEDULER)
