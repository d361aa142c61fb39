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


def manual_seed(seed: int) -> numpy.random.Generator:
    """Seed every random choice neuralab makes (init, dropout, shuffling), bit for bit."""
    global _generator
    if not isinstance(seed, (int, numpy.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: expected an int seed, got {type(seed).__name__}")
    _generator = numpy.random.default_rng(int(seed))
    return _generator


def generator() -> numpy.random.Generator:
    """The global random generator that ``manual_seed`` resets."""
    return _generator


def get_rng_state() -> dict:
    """The generator's state, for checkpoints (``torch.get_rng_state``)."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state from ``get_rng_state``."""
    _generator.bit_generator.state = state
