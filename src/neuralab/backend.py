"""Array-module selection, default dtypes and the random generator.

Every op asks this module for the array module of its inputs instead of importing
NumPy for array math, so a CuPy backend (arrays on a CUDA device) needs no change in
the ops: ``xp = array_module(a)`` returns ``numpy`` for NumPy arrays and ``cupy`` for
CuPy arrays when CuPy is installed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

float32 = numpy.dtype("float32")
float64 = numpy.dtype("float64")
int64 = numpy.dtype("int64")
bool_ = numpy.dtype("bool")

_default_float = float32
_ndarray = numpy.ndarray


def array_module(array: Any) -> ModuleType:
    """The array module (``numpy`` or ``cupy``) that owns ``array``."""
    if type(array) is _ndarray:
        return numpy
    module = type(array).__module__.split(".", 1)[0]
    if module == "cupy":  # pragma: no cover - exercised only where CuPy is installed
        import cupy

        return cupy
    return numpy


def default_float() -> numpy.dtype:
    """The floating dtype that Python floats and new parameters get (float32 unless set)."""
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Set the default floating dtype, as ``torch.set_default_dtype`` does (float32 or float64)."""
    global _default_float
    dtype = numpy.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> numpy.dtype:
    """The default floating dtype (``torch.get_default_dtype``)."""
    return _default_float


# --- randomness -----------------------------------------------------------------------
_generator = numpy.random.default_rng()
_seed: list[int | None] = [None]


def _check_seed(seed: Any, who: str) -> int:
    if not isinstance(seed, (int, numpy.integer)) or isinstance(seed, (bool, numpy.bool_)):
        raise TypeError(f"{who}: expected an int seed, got {type(seed).__name__}")
    return int(seed)


def manual_seed(seed: int) -> numpy.random.Generator:
    """Seed every random choice neuralab makes (init, dropout, shuffling), bit for bit."""
    global _generator
    _seed[0] = _check_seed(seed, "manual_seed")
    _generator = numpy.random.default_rng(_seed[0])
    return _generator


def initial_seed() -> int:
    """The seed last given to ``manual_seed`` (``torch.initial_seed``)."""
    if _seed[0] is None:
        raise RuntimeError("initial_seed: the global generator was not seeded; call manual_seed")
    return _seed[0]


class Generator:
    """An independent stream of random numbers, as ``torch.Generator``.

    ``g = Generator().manual_seed(2147483647)`` and ``randn(3, generator=g)`` draw from ``g``
    alone, leaving the global generator (``manual_seed``) untouched. It wraps a NumPy
    ``Generator`` (PCG64), so its numbers differ from PyTorch's for the same seed.
    """

    def __init__(self, device: Any = "cpu") -> None:
        from neuralab.device import check

        self.device = check(device, "Generator")
        self._seed = int(numpy.random.SeedSequence().entropy % 2**63)
        self._rng = numpy.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = _check_seed(seed, "Generator.manual_seed")
        self._rng = numpy.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy; returns the new seed."""
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % 2**63))._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<neuralab.Generator seed={self._seed}>"


def generator(source: Any = None, who: str = "generator") -> numpy.random.Generator:
    """The NumPy generator that ``source`` stands for.

    None: the global generator that ``manual_seed`` resets; a neuralab ``Generator``: its
    stream; a ``numpy.random.Generator``: itself; an int: a new generator seeded with it.
    """
    if source is None:
        return _generator
    if isinstance(source, Generator):
        return source._rng
    if isinstance(source, numpy.random.Generator):
        return source
    if isinstance(source, (int, numpy.integer)) and not isinstance(source, (bool, numpy.bool_)):
        return numpy.random.default_rng(int(source))
    raise TypeError(
        f"{who}: generator must be a neuralab.Generator, a numpy.random.Generator, an int "
        f"seed or None (the global generator), got {type(source).__name__}"
    )


def get_rng_state() -> dict:
    """The generator's state, for checkpoints (``torch.get_rng_state``)."""
    return _generator.bit_generator.state


def check_rng_state(state: Any, who: str = "set_rng_state") -> None:
    """Raise ValueError / TypeError unless ``state`` is a complete, valid state of the
    global generator (as ``get_rng_state`` returns it); changes nothing.

    NumPy's own setter accepts float or bool counters, unknown keys and an out-of-range
    ``has_uint32``; this check refuses them, so a bad state is found before any of a
    checkpoint is applied."""
    kind = type(_generator.bit_generator).__name__
    if not isinstance(state, dict):
        raise TypeError(f"{who}: the RNG state must be a dict, got {type(state).__name__}")
    if kind != "PCG64":  # pragma: no cover - the global generator is always PCG64
        try:
            type(_generator.bit_generator)().state = state
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise ValueError(f"{who}: not a valid {kind} state: {exc}") from None
        return
    expected = {"bit_generator", "state", "has_uint32", "uinteger"}
    if set(state) != expected:
        raise ValueError(
            f"{who}: the RNG state must have exactly the keys {sorted(expected)}, got "
            f"{sorted(map(str, state))}"
        )
    if state["bit_generator"] != kind:
        raise ValueError(
            f"{who}: the RNG state is for {state['bit_generator']!r}, expected {kind!r}"
        )
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise ValueError(f"{who}: the RNG state's 'state' must be a dict with 'state' and 'inc'")
    for key, value, bound in (
        ("state.state", inner["state"], 2**128),
        ("state.inc", inner["inc"], 2**128),
        ("has_uint32", state["has_uint32"], 2),
        ("uinteger", state["uinteger"], 2**32),
    ):
        if not _is_int(value) or not 0 <= int(value) < bound:
            raise ValueError(
                f"{who}: the RNG state's {key!r} must be an int in [0, {bound}), got {value!r}"
            )
    if int(inner["inc"]) % 2 != 1:
        raise ValueError(f"{who}: the RNG state's 'state.inc' must be odd, got {inner['inc']}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, (bool, numpy.bool_))


def set_rng_state(state: dict) -> None:
    """Restore a state from ``get_rng_state`` (checked whole first: a bad state raises
    and leaves the generator as it was)."""
    check_rng_state(state)
    _generator.bit_generator.state = state
