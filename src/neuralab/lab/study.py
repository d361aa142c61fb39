"""What a study is: a typed config, a run function and a report function.

    @dataclass
    class Config:               # the full settings as defaults
        epochs: int = 100
        hidden: int = 10

    def run(config: Config, seed: int) -> Result: ...      # one seed, plain data
    def report(config: Config, results: Seeds) -> list[Block]: ...   # tables, plots, findings

    STUDY = Study("activations", "Activation functions", "Which activation ...?",
                  Config, run, report, quick={"epochs": 20})

``run`` returns a ``Result``: ``scalars[condition][metric]`` (one number each),
``curves[condition][name]`` (one list each) and ``data`` (anything else JSON-ready). The
lab runs it once per seed and hands ``report`` the results of every seed as ``Seeds``,
which turns them into means with 95 % confidence intervals (``Seeds.scalar``) and curves
with bands (``Seeds.curve``). A study names the range of its bounded quantities in
``Study.bounds`` ({metric or curve name: (low, high)}, e.g. ``stats.FRACTION`` for an
accuracy), and their intervals and bands are cut there. What a study concludes is data:
findings (``neuralab.lab.findings``) in ``Reading`` blocks, written as sentences by one
renderer and kept in results.json; the shared pieces (data, training, the standard
comparison) are in ``neuralab.lab.toolkit``. Nothing outside a study knows
its internals, so a user's own study is written the same way and run with
``neuralab.lab.run_studies([STUDY])``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neuralab.lab.stats import Band, Estimate, band, estimate

__all__ = ["Result", "Seeds", "Study", "TIMING_PREFIX", "make_config"]

# Scalars whose metric name starts with this are wall-clock timings: they are reported,
# but they are the one thing a second run does not reproduce exactly.
TIMING_PREFIX = "seconds"

# The largest integer a setting takes from the command line (``--set key=value``).
MAX_SETTING = 10_000_000


@dataclass
class Result:
    """One seed's results: numbers, curves and other data, all JSON-ready.

    ``scalars[condition][metric]`` holds one number each, ``curves[condition][name]`` one
    list each, ``data`` anything else JSON-ready; ``scalar(...)`` and ``curve(...)`` record
    them.

    Args:
        scalars: ``{condition: {metric: value}}``. Defaults to {}.
        curves: ``{condition: {name: values}}``. Defaults to {}.
        data: Other JSON-ready data. Defaults to {}.

    Examples:
        >>> from neuralab import lab
        >>> result = lab.Result()
        >>> result.scalar("relu", "test_accuracy", 0.92)
        >>> result.curve("relu", "loss", [2.3, 0.9, None])
        >>> result.to_dict()
        {'scalars': {'relu': {'test_accuracy': 0.92}},
         'curves': {'relu': {'loss': [2.3, 0.9, None]}},
         'data': {}}
        >>> lab.Result.from_dict(result.to_dict(strict=True)) == result
        True
    """

    scalars: dict[str, dict[str, float]] = field(default_factory=dict)
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def scalar(self, condition: str, metric: str, value: float) -> None:
        self.scalars.setdefault(condition, {})[metric] = float(value)

    def curve(self, condition: str, name: str, values: Sequence[float | None]) -> None:
        """Record a curve; None marks a point where the quantity is undefined (written as
        null, read as NaN by bands and plots, and not reported as a diverged run)."""
        self.curves.setdefault(condition, {})[name] = [
            None if v is None else float(v) for v in values
        ]

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        """The result as a dict. ``strict=True``: as strict JSON data that ``from_dict``
        turns back into an equal Result, bit for bit: a non-finite float is written
        ``{"$float": "nan"}`` (a None stays null: an undefined point of a curve), a tuple
        ``{"$tuple": [...]}``; a TypeError names a value that is not plain data."""
        plain = {"scalars": self.scalars, "curves": self.curves, "data": self.data}
        return _pack(plain, "result") if strict else plain

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        """The Result of ``to_dict()`` or ``to_dict(strict=True)`` (tags undone)."""
        unpacked = _unpack(dict(d))
        unknown = set(unpacked) - {"scalars", "curves", "data"}
        if unknown:
            raise ValueError(f"Result.from_dict: unknown keys {sorted(unknown)}")
        return cls(
            scalars=unpacked.get("scalars", {}),
            curves=unpacked.get("curves", {}),
            data=unpacked.get("data", {}),
        )

    def __eq__(self, other: object) -> bool:
        """Equal bit for bit (NaN equals NaN here: the same result read back)."""
        if not isinstance(other, Result):
            return NotImplemented
        return repr(_pack(self.to_dict(), "")) == repr(_pack(other.to_dict(), ""))


def _pack(value: Any, where: str) -> Any:
    """Plain data as strict JSON data: non-finite floats and tuples tagged (see
    ``Result.to_dict``); a TypeError names anything that is not plain data."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):  # NumPy integers as Python's
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, list):
        return [_pack(v, f"{where}.{i}") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"$tuple": [_pack(v, f"{where}.{i}") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str) or k.startswith("$"):
                raise TypeError(f"{where}: key {k!r} is not a plain string key")
        return {k: _pack(v, f"{where}.{k}") for k, v in value.items()}
    raise TypeError(f"{where}: {type(value).__name__} is not plain JSON data")


def _unpack(value: Any) -> Any:
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$float"}:
            return float(value["$float"])
        if set(value) == {"$tuple"}:
            return tuple(_unpack(v) for v in value["$tuple"])
        return {k: _unpack(v) for k, v in value.items()}
    return value


class Seeds:
    """A study's results over seeds, aggregated on demand: what a study's ``report`` reads.

    ``scalar(condition, metric)`` is the mean over seeds with its 95 % confidence interval
    (an ``Estimate``), ``curve(condition, name)`` the mean curve with its band (a ``Band``),
    both cut at the quantity's ``bounds``.

    Args:
        results: One ``Result`` per seed.
        seeds: The seeds, in the same order.
        bounds: ``{metric or curve name: (low, high)}``, the range of that quantity; its
            intervals and bands are cut there. Defaults to None.

    Raises:
        ValueError: If ``results`` is empty.

    Examples:
        >>> from neuralab import lab
        >>> results = [lab.Result({"relu": {"accuracy": a}}) for a in (0.91, 0.93, 0.92)]
        >>> seeds = lab.Seeds(results, [0, 1, 2], bounds={"accuracy": (0.0, 1.0)})
        >>> seeds.conditions, str(seeds.scalar("relu", "accuracy"))
        (['relu'], '0.920 ± 0.025')
    """

    def __init__(
        self,
        results: Sequence[Result],
        seeds: Sequence[int],
        bounds: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        """``bounds``: {metric or curve name: (low, high)}, the range of that quantity;
        its intervals and bands are cut there."""
        if not results:
            raise ValueError("Seeds: no results")
        self.results, self.seeds = list(results), list(seeds)
        self.bounds = dict(bounds or {})

    def __len__(self) -> int:
        return len(self.results)

    @property
    def conditions(self) -> list[str]:
        return list(self.results[0].scalars or self.results[0].curves)

    def values(self, condition: str, metric: str) -> list[float]:
        try:
            return [r.scalars[condition][metric] for r in self.results]
        except KeyError:
            raise KeyError(f"no scalar {metric!r} for condition {condition!r}") from None

    def scalar(self, condition: str, metric: str) -> Estimate:
        """Mean over seeds with its 95 % confidence interval (cut at the metric's bounds)."""
        try:
            return estimate(self.values(condition, metric), bounds=self.bounds.get(metric))
        except ValueError as error:
            raise ValueError(f"{condition} {metric}: {error}") from None

    def curve(self, condition: str, name: str) -> Band:
        """Mean curve over seeds with its 95 % confidence band (cut at the curve's bounds)."""
        try:
            curves = [r.curves[condition][name] for r in self.results]
        except KeyError:
            raise KeyError(f"no curve {name!r} for condition {condition!r}") from None
        try:
            return band(curves, bounds=self.bounds.get(name))
        except ValueError as error:
            raise ValueError(f"{condition} {name}: {error}") from None

    @property
    def first(self) -> Result:
        """The first seed's result (for what is shown for one run, e.g. a trajectory)."""
        return self.results[0]

    def summary(self) -> dict[str, dict[str, dict]]:
        """Every scalar as mean, interval and values (for results.json)."""
        return {
            c: {m: self.scalar(c, m).to_dict() for m in metrics}
            for c, metrics in self.results[0].scalars.items()
        }


@dataclass(frozen=True)
class Study:
    """A study: a typed config, a run function and a report function.

    ``run(config, seed) -> Result`` does one seed's work and
    ``report(config, seeds) -> blocks`` makes its report section. The config class's defaults are
    the full settings; ``quick`` overrides some for quick
    mode. The lab runs ``run`` once per seed and hands ``report`` the results as ``Seeds``;
    the blocks are report blocks (``Table``, ``Figure``, ``Text``) and ``Reading`` blocks of
    findings. See ``neuralab.lab.study`` for a full example.

    Args:
        name: The study's name on the command line.
        title: The report section's title.
        question: The question it answers.
        config: The config dataclass (its defaults: the full settings).
        run: ``run(config, seed) -> Result``, one seed's work.
        report: ``report(config, seeds) -> list of blocks``.
        quick: The overrides of quick mode. Defaults to {}.
        bounds: The range of its bounded quantities (``{metric or curve name: (low,
            high)}``, or a function of the config returning it); intervals and bands are cut
            there. Defaults to {}.

    Examples:
        >>> import dataclasses
        >>> from neuralab import lab
        >>> @dataclasses.dataclass
        ... class Config:
        ...     n: int = 10
        >>> def run(config, seed):
        ...     result = lab.Result()
        ...     result.scalar("wide", "score", config.n + seed)
        ...     return result
        >>> toy = lab.Study("toy", "A toy study", "Does it run?", Config, run,
        ...                 report=lambda config, seeds: [], quick={"n": 2})
        >>> seeds = lab.run_seeds(toy, lab.make_config(toy, quick=True), seeds=(0, 1))
        >>> seeds.scalar("wide", "score").values
        (2.0, 3.0)
    """

    name: str
    title: str
    question: str
    config: type
    run: Callable[[Any, int], Result]
    report: Callable[[Any, Seeds], list]
    quick: dict[str, Any] = field(default_factory=dict)
    bounds: Mapping[str, tuple[float, float]] | Callable[[Any], Mapping] = field(
        default_factory=dict
    )

    def bounds_for(self, config: Any) -> dict[str, tuple[float, float]]:
        """The ranges of the study's bounded quantities at ``config``."""
        return dict(self.bounds(config) if callable(self.bounds) else self.bounds)


def make_config(study: Study, quick: bool = False, overrides: dict[str, Any] | None = None) -> Any:
    """A study's config: its defaults, the quick overrides if ``quick``, then ``overrides``.

    Args:
        study: The study.
        quick: Whether to apply the study's quick-mode overrides. Defaults to False.
        overrides: ``{setting: value}``; strings (from ``--set key=value``) are converted to
            each field's type. Defaults to None.

    Returns:
        An instance of the study's config class.

    Raises:
        ValueError: If a setting is unknown or a value does not convert to its type.

    Examples:
        >>> import dataclasses
        >>> from neuralab import lab
        >>> @dataclasses.dataclass
        ... class Config:
        ...     n: int = 10
        >>> def run(config, seed):
        ...     result = lab.Result()
        ...     result.scalar("wide", "score", config.n + seed)
        ...     return result
        >>> toy = lab.Study("toy", "A toy study", "Does it run?", Config, run,
        ...                 report=lambda config, seeds: [], quick={"n": 2})
        >>> lab.make_config(toy), lab.make_config(toy, quick=True)
        (Config(n=10), Config(n=2))
        >>> lab.make_config(toy, overrides={"n": "5"})  # a string from --set n=5
        Config(n=5)
    """
    fields = {f.name: f for f in dataclasses.fields(study.config)}
    hints = typing.get_type_hints(study.config)
    values: dict[str, Any] = dict(study.quick) if quick else {}
    for key, value in (overrides or {}).items():
        if key not in fields:
            raise ValueError(
                f"study {study.name!r} has no setting {key!r}; its settings are: "
                f"{', '.join(fields)}"
            )
        try:
            values[key] = _convert(value, hints[key]) if isinstance(value, str) else value
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"study {study.name!r}: setting {key}={value!r} is not a valid "
                f"{_type_name(hints[key])} ({error})"
            ) from None
    return study.config(**values)


def _type_name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def _convert(text: str, kind: Any) -> Any:
    """Parse ``text`` as a value of the type hint ``kind`` (int, float, bool, str, a union
    with None, tuple[X, ...] / list[X] as comma-separated items). A float must be finite
    and an integer at most ``MAX_SETTING`` in size (no study needs more; a size beyond
    it would only exhaust memory or time)."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if text.strip().lower() == "none":
            return None
        for option in options:
            try:
                return _convert(text, option)
            except (TypeError, ValueError):
                continue
        raise ValueError(f"expected one of {[_type_name(o) for o in options]}")
    if origin in (tuple, list):
        args = [a for a in typing.get_args(kind) if a is not Ellipsis] or [str]
        items = [item.strip() for item in text.split(",") if item.strip()]
        return origin(_convert(item, args[0]) for item in items)
    if kind is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind is float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {text.strip()}")
        return value
    if kind is int:
        value = int(text)
        if abs(value) > MAX_SETTING:
            raise ValueError(f"expected an integer of at most {MAX_SETTING:,} in size, got {value}")
        return value
    if kind is str:
        return text
    raise TypeError(f"cannot parse a {_type_name(kind)} from the command line")
