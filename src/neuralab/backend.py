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
    """The array module (``numpy``, or ``cupy`` where installed) that owns ``array``.

    Args:
        array: An array.

    Returns:
        The module.

    Examples:
        >>> import numpy as np
        >>> from neuralab.backend import array_module
        >>> array_module(np.zeros(2)) is np
        True
    """
    if type(array) is _ndarray:
        return numpy
    module = type(array).__module__.split(".", 1)[0]
    if module == "cupy":  # pragma: no cover - exercised only where CuPy is installed
        import cupy

        return cupy
    return numpy


def default_float() -> numpy.dtype:
    """The floating dtype that Python floats and new parameters get (float32 unless set).

    Returns:
        A NumPy dtype.

    Examples:
        >>> from neuralab.backend import default_float
        >>> default_float()
        dtype('float32')
    """
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Set the default floating dtype, as ``torch.set_default_dtype`` does.

    Args:
        dtype: float32 or float64.

    Raises:
        TypeError: Any other dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.set_default_dtype(nl.float64)
        >>> nl.tensor([1.0]).dtype
        dtype('float64')
        >>> nl.set_default_dtype(nl.float32)
    """
    global _default_float
    dtype = numpy.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> numpy.dtype:
    """The default floating dtype (``torch.get_default_dtype``).

    Returns:
        A NumPy dtype.

    Examples:
        >>> import neuralab as nl
        >>> nl.get_default_dtype()
        dtype('float32')
    """
    return _default_float


# --- randomness -----------------------------------------------------------------------
_generator = numpy.random.default_rng()
_seed: list[int | None] = [None]


def _check_seed(seed: Any, who: str) -> int:
    if not isinstance(seed, (int, numpy.integer)) or isinstance(seed, (bool, numpy.bool_)):
        raise TypeError(f"{who}: expected an int seed, got {type(seed).__name__}")
    return int(seed)


def manual_seed(seed: int) -> numpy.random.Generator:
    """Seed every random choice neuralab makes (init, dropout, shuffling), bit for bit.

    Args:
        seed: An int.

    Returns:
        The new global ``numpy.random.Generator``.

    Raises:
        TypeError: A seed that is not an int.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> a = nl.rand(3)
        >>> _ = nl.manual_seed(0)
        >>> bool((nl.rand(3) == a).all())
        True
    """
    global _generator
    _seed[0] = _check_seed(seed, "manual_seed")
    _generator = numpy.random.default_rng(_seed[0])
    return _generator


def initial_seed() -> int:
    """The seed last given to ``manual_seed`` (``torch.initial_seed``).

    Returns:
        The seed.

    Raises:
        RuntimeError: manual_seed was never called.

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(42)
        >>> nl.initial_seed()
        42
    """
    if _seed[0] is None:
        raise RuntimeError("initial_seed: the global generator was not seeded; call manual_seed")
    return _seed[0]


class Generator:
    """An independent stream of random numbers, as ``torch.Generator``.

    ``randn(3, generator=g)`` draws from ``g`` alone, leaving the global generator
    (``manual_seed``) untouched. It wraps a NumPy ``Generator`` (PCG64), so its numbers
    differ from PyTorch's for the same seed. Methods: ``manual_seed(seed)`` (returns the
    generator), ``seed()``, ``initial_seed()``, ``get_state()``, ``set_state(state)``.

    Args:
        device: Only the CPU is accepted. Defaults to ``"cpu"``.

    Raises:
        NotImplementedError: A device other than the CPU.

    Examples:
        >>> import neuralab as nl
        >>> g = nl.Generator().manual_seed(2147483647)
        >>> a = nl.randn(3, generator=g)
        >>> _ = g.manual_seed(2147483647)
        >>> bool((nl.randn(3, generator=g) == a).all()), g.initial_seed()
        (True, 2147483647)
    """

    def __init__(self, device: Any = "cpu") -> None:
        from neuralab.device import check

        self.device = check(device, "Generator")
        self._seed = int(numpy.random.SeedSequence().entropy % 2**63)
        self._rng = numpy.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed the stream.

        Args:
            seed: An int.

        Returns:
            This generator.

        Raises:
            TypeError: A seed that is not an int.
        """
        self._seed = _check_seed(seed, "Generator.manual_seed")
        self._rng = numpy.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy; returns the new seed."""
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % 2**63))._seed

    def initial_seed(self) -> int:
        """The seed the stream started from."""
        return self._seed

    def get_state(self) -> dict:
        """The stream's state (the NumPy bit generator's dict), for ``set_state``."""
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Restore a state from ``get_state``.

        Args:
            state: The dict ``get_state`` returned.

        Returns:
            This generator.
        """
        self._rng.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<neuralab.Generator seed={self._seed}>"


def generator(source: Any = None, who: str = "generator") -> numpy.random.Generator:
    """The NumPy generator that ``source`` stands for.

    Args:
        source: None for the global generator that ``manual_seed`` resets; a neuralab
            ``Generator`` for its stream; a ``numpy.random.Generator`` for itself; an int for
            a new generator seeded with it. Defaults to None.
        who: The caller's name, for the error message. Defaults to ``"generator"``.

    Returns:
        A ``numpy.random.Generator``.

    Raises:
        TypeError: A source of any other kind.

    Examples:
        >>> from neuralab.backend import generator
        >>> int(generator(7).integers(100)) == int(generator(7).integers(100))
        True
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
    """The global generator's state, for checkpoints (``torch.get_rng_state``).

    Returns:
        A dict (the PCG64 bit generator's state) for ``set_rng_state``.

    Examples:
        >>> import neuralab as nl
        >>> state = nl.get_rng_state()
        >>> a = nl.rand(2)
        >>> nl.set_rng_state(state)
        >>> bool((nl.rand(2) == a).all())
        True
    """
    return _generator.bit_generator.state


def check_rng_state(state: Any, who: str = "set_rng_state") -> None:
    """Raise unless ``state`` is a complete, valid state of the global generator; changes nothing.

    NumPy's own setter accepts float or bool counters, unknown keys and an out-of-range
    ``has_uint32``; this check refuses them, so a bad state is found before any of a
    checkpoint is applied.

    Args:
        state: A state as ``get_rng_state`` returns it.
        who: The caller's name, for the error message. Defaults to ``"set_rng_state"``.

    Raises:
        TypeError: state is not a dict.
        ValueError: A state with missing, unknown or invalid entries.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.backend import check_rng_state
        >>> check_rng_state(nl.get_rng_state())  # valid: no error
        >>> check_rng_state({"bit_generator": "PCG64"})
        Traceback (most recent call last):
        ValueError: ...
    """
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
    """Restore a state from ``get_rng_state``.

    The state is checked whole first: a bad state raises and leaves the generator as it was.

    Args:
        state: The dict ``get_rng_state`` returned.

    Raises:
        TypeError: state is not a dict.
        ValueError: A state with missing, unknown or invalid entries.

    Examples:
        >>> import neuralab as nl
        >>> state = nl.get_rng_state()
        >>> first = nl.randn(2)
        >>> nl.set_rng_state(state)
        >>> bool((nl.randn(2) == first).all())
        True
    """
    check_rng_state(state)
    _generator.bit_generator.state = state
