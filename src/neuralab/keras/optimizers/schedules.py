"""Keras 3's learning-rate schedules: ``schedule(step) -> learning rate``.

An optimizer built with a schedule evaluates it at ``optimizer.iterations`` (the number of
steps already taken) before each step. Values are computed in float32, as Keras does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

F32 = np.float32


class LearningRateSchedule:
    """The base class of learning-rate schedules: ``schedule(step) -> learning rate``.

    Subclasses define ``__call__(step)`` and ``get_config()``; an optimizer built with a
    schedule evaluates it at ``optimizer.iterations`` before each step.

    Examples:
        >>> from neuralab import keras
        >>> class Halving(keras.optimizers.schedules.LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** (step // 10)
        ...     def get_config(self):
        ...         return {}
        >>> optimizer = keras.optimizers.SGD(learning_rate=Halving())
        >>> optimizer.learning_rate
        0.1
    """

    def __call__(self, step: Any) -> float:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)


class _Builtin(LearningRateSchedule):
    """The schedules here: each constructor argument is kept as an attribute of its name,
    and ``get_config`` gives them back in the constructor's order."""

    def _keep(self, settings: dict[str, Any]) -> None:
        settings.pop("self")
        self.__dict__.update(settings)
        self._config_keys = tuple(settings)
        if "decay_steps" in settings and settings["decay_steps"] <= 0:
            raise ValueError(
                f"Argument `decay_steps` must be > 0. Received: decay_steps={self.decay_steps}"
            )

    def get_config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self._config_keys}


class ExponentialDecay(_Builtin):
    """Exponential decay: ``lr = initial_learning_rate * decay_rate ^ (step / decay_steps)``.

    The exponent is floored when ``staircase`` is True.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: The number of steps per factor of ``decay_rate`` (> 0).
        decay_rate: The factor.
        staircase: Whether to decay in discrete steps. Defaults to False.
        name: The schedule's name. Defaults to 'ExponentialDecay'.

    Raises:
        ValueError: If ``decay_steps <= 0``.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
        >>> schedule(0), schedule(10), schedule(20)
        (0.1, 0.05, 0.025)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self._keep(locals())

    def __call__(self, step: Any) -> float:
        p = F32(step) / F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return float(F32(self.initial_learning_rate) * np.power(F32(self.decay_rate), p))


class PiecewiseConstantDecay(_Builtin):
    """Piecewise constant learning rate.

    ``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``; ``values[0]`` up to
    ``boundaries[0]``, ``values[-1]`` after the last boundary.

    Args:
        boundaries: The increasing step boundaries.
        values: The learning rates, one more than ``boundaries``.
        name: The schedule's name. Defaults to 'PiecewiseConstant'.

    Raises:
        ValueError: If ``len(values) != len(boundaries) + 1``.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.PiecewiseConstantDecay([100], [0.1, 0.01])
        >>> schedule(100), schedule(101)
        (0.1, 0.01)
    """

    def __init__(
        self, boundaries: list[Any], values: list[float], name: str = "PiecewiseConstant"
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self._keep(locals())

    def __call__(self, step: Any) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(F32(value))
        return float(F32(self.values[-1]))


class PolynomialDecay(_Builtin):
    """Polynomial decay: ``lr = (initial - end) * (1 - step / decay_steps) ^ power + end``.

    ``step`` is capped at ``decay_steps``; with ``cycle``, ``decay_steps`` grows to the first
    multiple of itself above ``step`` instead.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: The number of steps to reach ``end_learning_rate`` (> 0).
        end_learning_rate: The final learning rate. Defaults to 0.0001.
        power: The polynomial's power. Defaults to 1.0.
        cycle: Whether to restart the decay after ``decay_steps``. Defaults to False.
        name: The schedule's name. Defaults to 'PolynomialDecay'.

    Raises:
        ValueError: If ``decay_steps <= 0``.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0)
        >>> schedule(0), schedule(5), schedule(50)
        (0.1, 0.05, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self._keep(locals())

    def __call__(self, step: Any) -> float:
        lr0, end = F32(self.initial_learning_rate), F32(self.end_learning_rate)
        step = F32(step)
        decay_steps = F32(self.decay_steps)
        if self.cycle:
            multiplier = F32(1.0) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return float((lr0 - end) * np.power(F32(1) - p, F32(self.power)) + end)


class InverseTimeDecay(_Builtin):
    """Inverse time decay: ``lr = initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    The ratio ``step / decay_steps`` is floored when ``staircase`` is True.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: The step scale (> 0).
        decay_rate: The decay rate.
        staircase: Whether to decay in discrete steps. Defaults to False.
        name: The schedule's name. Defaults to 'InverseTimeDecay'.

    Raises:
        ValueError: If ``decay_steps <= 0``.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 1.0)
        >>> schedule(0), schedule(10)
        (0.1, 0.05)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        self._keep(locals())

    def __call__(self, step: Any) -> float:
        p = F32(step) / F32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return float(F32(self.initial_learning_rate) / (F32(1) + F32(self.decay_rate) * p))


class CosineDecay(_Builtin):
    """Cosine decay with an optional linear warmup.

    Warmup (when ``warmup_target`` is set): ``lr`` goes linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``; then
    ``lr = peak * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha)`` with ``t``
    the steps since the warmup, capped at ``decay_steps`` (``peak`` is ``warmup_target``, or
    ``initial_learning_rate`` without warmup).

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: The number of decay steps (> 0).
        alpha: The final learning rate as a fraction of ``peak``. Defaults to 0.0.
        name: The schedule's name. Defaults to 'CosineDecay'.
        warmup_target: The learning rate at the end of the warmup. Defaults to None (no
            warmup).
        warmup_steps: The number of warmup steps. Defaults to 0.

    Raises:
        ValueError: If ``decay_steps <= 0``.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.CosineDecay(0.1, 10)
        >>> schedule(0), schedule(5), schedule(10)
        (0.1, 0.05, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self._keep(locals())

    def _decay(self, step: np.float32, decay_steps: np.float32, peak: np.float32) -> float:
        fraction = step / decay_steps
        cosine = F32(0.5) * (F32(1) + np.cos(F32(math.pi) * fraction))
        decayed = F32(1 - self.alpha) * cosine + F32(self.alpha)
        return float(peak * decayed)

    def __call__(self, step: Any) -> float:
        lr0 = F32(self.initial_learning_rate)
        decay_steps = F32(self.decay_steps)
        step = F32(step)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), decay_steps, lr0)
        target = F32(self.warmup_target)
        warmup_steps = F32(self.warmup_steps)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return float((target - lr0) * (step / warmup_steps) + lr0)
        return self._decay(step - warmup_steps, decay_steps, target)


_SCHEDULES = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
    )
}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """A schedule as data: ``{'class_name': ..., 'config': schedule.get_config()}``.

    Args:
        schedule: A ``LearningRateSchedule``.

    Returns:
        A dict ``deserialize`` reads back.

    Examples:
        >>> from neuralab import keras
        >>> schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 1.0)
        >>> keras.optimizers.schedules.serialize(schedule)
        {'class_name': 'InverseTimeDecay',
         'config': {'initial_learning_rate': 0.1, 'decay_steps': 10, 'decay_rate': 1.0,
                    'staircase': False, 'name': 'InverseTimeDecay'}}
    """
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """A new schedule from ``serialize``'s dict.

    Args:
        config: ``{'class_name': ..., 'config': {...}}``.

    Returns:
        A new ``LearningRateSchedule``.

    Raises:
        ValueError: If the class name is not a known schedule.
        NotImplementedError: If it is 'CosineDecayRestarts'.

    Examples:
        >>> from neuralab import keras
        >>> settings = {"initial_learning_rate": 0.1, "decay_steps": 10}
        >>> config = {"class_name": "CosineDecay", "config": settings}
        >>> keras.optimizers.schedules.deserialize(config)(10)
        0.0
    """
    name = config.get("class_name")
    if name not in _SCHEDULES:
        if name == "CosineDecayRestarts":
            raise NotImplementedError(
                "neuralab.keras: optimizers.schedules.CosineDecayRestarts is not supported"
            )
        raise ValueError(f"Unknown learning rate schedule: {name!r}; known: {sorted(_SCHEDULES)}")
    return _SCHEDULES[name].from_config(config.get("config", {}))
