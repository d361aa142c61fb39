"""The search space: which hyperparameters of the MLP are searched, over which values.

A space is written as a small typed spec, one entry per hyperparameter (in a TOML or YAML
file, or as a Python dict)::

    lr = { low = 1e-4, high = 0.3, log = true }     # a float, log-uniform
    width = { low = 32, high = 256, step = 32 }      # an int (low and high are ints)
    optimizer = ["sgd", "adam", "rmsprop"]           # a list: categorical
    momentum = { low = 0.0, high = 0.99, grid = [0.0, 0.9] }   # explicit grid values

``type`` ("float", "int" or "categorical") may be given; otherwise it is the
hyperparameter's own kind. For the grid strategy a numeric range is cut into ``points``
values (default 3; geometric when ``log``), or takes its explicit ``grid`` values.

The hyperparameters the objective knows are listed in ``PARAMETERS`` with their kind,
their valid domain and their default (the value when a parameter is not searched, and the
baseline trial's value). A space may also be define-by-run: a function of an Optuna
trial returning a dict of these parameters (see ``neuralab.tune.run``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from neuralab import registry

__all__ = [
    "PARAMETERS",
    "Param",
    "ParameterInfo",
    "SearchSpace",
    "as_space",
    "check_values",
    "defaults",
]

KINDS = ("float", "int", "categorical")
MAX_POINTS = 1000  # grid points of one range (a typo like 1000000000 allocates nothing)


@dataclass(frozen=True)
class ParameterInfo:
    """A hyperparameter the objective understands: its kind, its domain and default."""

    kind: str  # "float", "int" or "categorical"
    default: Any
    help: str
    low: float | None = None  # numeric domain: low <= value (strictly when low_open)
    high: float | None = None  # numeric domain: value <= high (strictly when high_open)
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        """``value`` if it lies in this parameter's domain, else a ValueError naming it."""
        if self.kind == "categorical":
            if value not in self.choices:
                raise ValueError(
                    f"parameter {name!r}: expected one of {list(self.choices)}, got {value!r}"
                )
            return value
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if self.kind == "int" and not integral:
            raise ValueError(f"parameter {name!r}: expected an integer, got {value!r}")
        if self.kind == "float" and not (
            integral or (isinstance(value, numbers.Real) and not isinstance(value, bool))
        ):
            raise ValueError(f"parameter {name!r}: expected a number, got {value!r}")
        if self.kind == "float" and not math.isfinite(value):
            raise ValueError(f"parameter {name!r}: expected a finite number, got {value!r}")
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if too_low or too_high:
            raise ValueError(f"parameter {name!r}: expected {self.domain()}, got {value!r}")
        return value

    def domain(self) -> str:
        if self.kind == "categorical":
            return f"one of {list(self.choices)}"
        lo = "" if self.low is None else f"{self.low:g} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high:g}"
        return f"{'an integer' if self.kind == 'int' else 'a number'} {lo}x{hi}".strip()


# The registry's optimizers and schedules (``neuralab.registry``); tune calls the constant
# rate 'none', which the registry takes as another name for its 'constant'.
OPTIMIZERS = tuple(registry.OPTIMIZERS)
SCHEDULES = tuple("none" if name == "constant" else name for name in registry.SCHEDULES)
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "elu", "gelu")

PARAMETERS: dict[str, ParameterInfo] = {
    "lr": ParameterInfo("float", 1e-3, "learning rate", low=0.0, low_open=True, high=10.0),
    "momentum": ParameterInfo(
        "float", 0.9, "SGD momentum / RMSprop momentum", low=0.0, high=1.0, high_open=True
    ),
    "weight_decay": ParameterInfo("float", 0.0, "L2 penalty (AdamW: decoupled)", low=0.0),
    "dropout": ParameterInfo(
        "float", 0.0, "dropout after each hidden layer", low=0.0, high=1.0, high_open=True
    ),
    "batch_size": ParameterInfo("int", 64, "mini-batch size", low=1, high=65536),
    "width": ParameterInfo("int", 128, "units of the first hidden layer", low=1, high=65536),
    "depth": ParameterInfo(
        "int", 2, "hidden layers (each half as wide as the last)", low=1, high=64
    ),
    "optimizer": ParameterInfo("categorical", "adam", "optimizer", choices=OPTIMIZERS),
    "schedule": ParameterInfo("categorical", "none", "learning-rate schedule", choices=SCHEDULES),
    "activation": ParameterInfo("categorical", "relu", "hidden activation", choices=ACTIVATIONS),
}


def defaults() -> dict[str, Any]:
    """Every parameter's default value."""
    return {name: info.default for name, info in PARAMETERS.items()}


def _info(name: str) -> ParameterInfo:
    if name not in PARAMETERS:
        raise ValueError(f"unknown parameter {name!r}; the parameters are: {', '.join(PARAMETERS)}")
    return PARAMETERS[name]


def check_values(values: Mapping[str, Any], what: str = "values") -> dict[str, Any]:
    """``values`` as a dict after checking every name is known and every value is valid."""
    if not isinstance(values, Mapping):
        raise TypeError(f"{what}: expected a table of parameter = value, got {values!r}")
    return {name: _info(name).check(name, value) for name, value in values.items()}


@dataclass(frozen=True)
class Param:
    """One searched hyperparameter: a float or int range, or categorical choices.

    Args:
        name: The parameter (one of ``PARAMETERS``).
        kind: 'float', 'int' or 'categorical'.
        low: The range's lower bound. Defaults to None.
        high: The range's upper bound. Defaults to None.
        log: Whether to search the range log-uniformly. Defaults to False.
        step: A step of the range's grid. Defaults to None.
        choices: The categorical choices. Defaults to ().
        grid: The values the grid strategy tries. Defaults to () (``points`` values over the
            range, geometric when ``log``, or every choice).
        points: The grid's number of values of a range. Defaults to 3.

    Raises:
        ValueError: If the parameter is unknown, or the kind, range, step, choices or grid do
            not fit its domain.

    Examples:
        >>> from neuralab import tune
        >>> tune.Param("width", "int", low=32, high=256, step=32).grid_values()
        [32, 160, 256]
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()
    grid: tuple[Any, ...] = ()
    points: int = 3

    def __post_init__(self) -> None:
        info = _info(self.name)
        where = f"search.{self.name}"
        if self.kind not in KINDS:
            raise ValueError(f"{where}: type must be one of {list(KINDS)}, got {self.kind!r}")
        if self.kind != info.kind and not (self.kind == "categorical" or info.kind == "float"):
            raise ValueError(
                f"{where}: {self.name} is a {info.kind} parameter, it cannot be searched as "
                f"{self.kind!r}"
            )
        if self.kind == "categorical":
            if not self.choices:
                raise ValueError(f"{where}: choices must be a non-empty list")
            for choice in self.choices:
                info.check(self.name, choice)
            if len(set(map(repr, self.choices))) != len(self.choices):
                raise ValueError(f"{where}: choices must be distinct, got {list(self.choices)}")
        else:
            if self.low is None or self.high is None:
                raise ValueError(f"{where}: a {self.kind} range needs both low and high")
            for key in ("low", "high"):
                value = getattr(self, key)
                if self.kind == "int" and not (
                    isinstance(value, numbers.Integral) and not isinstance(value, bool)
                ):
                    raise ValueError(f"{where}: {key} must be an integer, got {value!r}")
                info.check(self.name, value)
            if not self.low < self.high:
                raise ValueError(
                    f"{where}: empty range, low must be less than high "
                    f"(got low={self.low!r}, high={self.high!r})"
                )
            if self.log and self.low <= 0:
                raise ValueError(f"{where}: a log range needs low > 0, got low={self.low!r}")
            if self.step is not None:
                if self.log:
                    raise ValueError(f"{where}: step and log cannot be used together")
                if not self.step > 0 or (self.kind == "int" and int(self.step) != self.step):
                    raise ValueError(
                        f"{where}: step must be a positive {self.kind}, got {self.step!r}"
                    )
            if isinstance(self.points, bool) or not isinstance(self.points, int):
                raise ValueError(f"{where}: points must be an integer, got {self.points!r}")
            if not 1 <= self.points <= MAX_POINTS:
                raise ValueError(
                    f"{where}: points must be an integer 1 <= points <= {MAX_POINTS:,}, got "
                    f"{self.points}"
                )
            for value in self.grid:
                info.check(self.name, value)
                if not self.low <= value <= self.high:
                    raise ValueError(
                        f"{where}: grid value {value!r} is outside [{self.low}, {self.high}]"
                    )
        if self.kind == "categorical" and self.grid:
            raise ValueError(f"{where}: a categorical parameter's grid is its choices")
        if self.kind != "categorical" and self.step is not None:
            for value in self.grid:
                if not self._on_step(value):
                    raise ValueError(
                        f"{where}: grid value {value!r} is not low + a multiple of step "
                        f"(low={self.low!r}, step={self.step!r})"
                    )

    @property
    def top(self) -> Any:
        """The highest value the range can take: ``high``, or with a ``step`` that does
        not divide high - low the last step below it, low + floor((high - low) / step) *
        step (as Optuna's suggest_int and suggest_float do)."""
        if self.step is None or self.kind == "categorical":
            return self.high
        low, step = Decimal(str(self.low)), Decimal(str(self.step))
        top = low + (Decimal(str(self.high)) - low) // step * step
        return int(top) if self.kind == "int" else float(top)

    def _on_step(self, value: Any) -> bool:
        if self.step is None:
            return True
        steps = (Decimal(str(value)) - Decimal(str(self.low))) / Decimal(str(self.step))
        return abs(steps - steps.to_integral_value()) < Decimal("1e-9")

    def suggest(self, trial: Any) -> Any:
        """The trial's value for this parameter (define-by-run, Optuna's suggest_*)."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":  # top: high, or the last step below it
            return trial.suggest_int(
                self.name, int(self.low), int(self.top), step=int(self.step or 1), log=self.log
            )
        return trial.suggest_float(
            self.name, float(self.low), float(self.top), step=self.step, log=self.log
        )

    def grid_values(self) -> list[Any]:
        """The values the grid strategy tries."""
        if self.kind == "categorical":
            return list(self.choices)
        if self.grid:
            return list(dict.fromkeys(self.grid))
        n, low, high = self.points, self.low, self.top
        if n == 1:
            values = [math.sqrt(low * high) if self.log else (low + high) / 2]
        elif self.log:
            ratio = math.log(high / low)
            values = [low * math.exp(ratio * i / (n - 1)) for i in range(n)]
        else:
            values = [low + (high - low) * i / (n - 1) for i in range(n)]
        if self.step is not None:  # onto the range's step grid, as suggest_* would
            last = round((high - low) / self.step)
            values = [low + min(last, round((v - low) / self.step)) * self.step for v in values]
        if self.kind == "int":
            values = [round(v) for v in values]
        else:
            values = [float(f"{v:.6g}") for v in values]
        return list(dict.fromkeys(values))

    def contains(self, value: Any) -> bool:
        """Whether the range (on its step grid, if any) or the choices hold ``value``."""
        if self.kind == "categorical":
            return value in self.choices
        return (
            isinstance(value, numbers.Real)
            and self.low <= value <= self.top
            and self._on_step(value)
        )


@dataclass(frozen=True)
class SearchSpace:
    """The searched hyperparameters, in order (see the module's docstring for the spec).

    Args:
        params: The ``Param`` of each searched hyperparameter. Defaults to ().

    Raises:
        ValueError: If a parameter is given twice or the space is empty.

    Examples:
        >>> from neuralab import tune
        >>> space = tune.SearchSpace.from_dict(
        ...     {"lr": {"low": 1e-4, "high": 0.3, "log": True}, "optimizer": ["sgd", "adam"]})
        >>> space.names
        ['lr', 'optimizer']
        >>> space.grid()
        {'lr': [0.0001, 0.00547723, 0.3], 'optimizer': ['sgd', 'adam']}
    """

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"search: a parameter is given twice in {names}")
        if not names:
            raise ValueError("search: the search space is empty; give at least one parameter")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> SearchSpace:
        """A space from ``{name: range table | list of choices}``; clear errors for
        unknown parameters, bad keys, empty ranges and values out of the domain."""
        if not isinstance(spec, Mapping):
            raise TypeError(f"search: expected a table of parameters, got {spec!r}")
        return cls(tuple(_param(name, entry) for name, entry in spec.items()))

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Every parameter's value for ``trial``."""
        return {p.name: p.suggest(trial) for p in self.params}

    def grid(self) -> dict[str, list[Any]]:
        """The grid strategy's values of each parameter."""
        return {p.name: p.grid_values() for p in self.params}

    @property
    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.grid().values())

    def check_inside(self, values: Mapping[str, Any], what: str) -> None:
        """Raise a ValueError if a searched parameter's value in ``values`` is outside its
        range (e.g. the baseline's)."""
        for p in self.params:
            if p.name in values and not p.contains(values[p.name]):
                raise ValueError(
                    f"{what}: {p.name} = {values[p.name]!r} is outside the searched "
                    f"{'choices' if p.kind == 'categorical' else 'range'} of {p.name}"
                    + (
                        f" ({p.low!r} to {p.top!r} by steps of {p.step!r})"
                        if p.kind != "categorical" and p.step is not None
                        else ""
                    )
                )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in self.params:
            if p.kind == "categorical":
                out[p.name] = list(p.choices)
            else:
                entry: dict[str, Any] = {"type": p.kind, "low": p.low, "high": p.high}
                if p.log:
                    entry["log"] = True
                if p.step is not None:
                    entry["step"] = p.step
                if p.grid:
                    entry["grid"] = list(p.grid)
                entry["points"] = p.points
                out[p.name] = entry
        return out


_RANGE_KEYS = {"type", "low", "high", "log", "step", "grid", "points", "choices"}


def _param(name: str, entry: Any) -> Param:
    info = _info(name)
    where = f"search.{name}"
    if isinstance(entry, (list, tuple)):
        return Param(name, "categorical", choices=tuple(entry))
    if not isinstance(entry, Mapping):
        raise ValueError(
            f"{where}: expected a list of choices or a table with low and high, got {entry!r}"
        )
    unknown = set(entry) - _RANGE_KEYS
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {sorted(unknown)}; expected some of {sorted(_RANGE_KEYS)}"
        )
    kind = entry.get("type", "categorical" if "choices" in entry else info.kind)
    if kind == "categorical":
        choices = entry.get("choices")
        if not isinstance(choices, (list, tuple)):
            raise ValueError(
                f"{where}: {name} is categorical ({info.domain()}); give a list of choices"
            )
        return Param(name, "categorical", choices=tuple(choices))
    if info.kind == "categorical":
        raise ValueError(
            f"{where}: {name} is categorical ({info.domain()}); give a list of choices"
        )
    low, high = entry.get("low"), entry.get("high")
    if kind == "float":
        low, high = (float(v) if _number(v) else v for v in (low, high))
    log = entry.get("log", False)
    if not isinstance(log, bool):
        raise ValueError(f"{where}: log must be true or false, got {log!r}")
    grid = entry.get("grid", ())
    if not isinstance(grid, (list, tuple)):
        raise ValueError(f"{where}: grid must be a list of values, got {grid!r}")
    return Param(
        name,
        kind,
        low=low,
        high=high,
        log=log,
        step=entry.get("step"),
        grid=tuple(grid),
        points=entry.get("points", 3),
    )


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


SpaceLike = SearchSpace | Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]


def as_space(space: SpaceLike) -> SearchSpace | Callable[[Any], Mapping[str, Any]]:
    """A SearchSpace from a spec dict; a SearchSpace or a define-by-run function as is."""
    if isinstance(space, SearchSpace) or callable(space):
        return space
    if isinstance(space, Mapping):
        return SearchSpace.from_dict(space)
    raise TypeError(
        f"space: expected a SearchSpace, a dict spec or a function of a trial, got {space!r}"
    )
