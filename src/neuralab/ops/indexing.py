"""The one place where ops check the integer indices they are given.

``gather``, ``scatter``, ``index_select``, ``take``, ``embedding``, ``one_hot`` and the
class-index losses all read positions out of an integer tensor. NumPy would wrap a
negative index around (``-1`` picks the last element) and that is a silent wrong result
where PyTorch raises; so each of these ops asks ``check_index`` first, which refuses a
non-integer dtype (``DTypeError``) and any index outside ``[0, size)`` (``IndexRangeError``,
both an IndexError and a RuntimeError), naming the op, the index and the size. Plain
Python-style negative indexing through ``x[i]`` is PyTorch's too, and stays allowed there.

The check is one ``min`` and one ``max`` over the index array: cheap next to the gather.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy

from neuralab.tensor import DTypeError, IndexRangeError, Tensor


def index_array(op: str, index: Any, what: str = "index") -> Any:
    """The array of an integer index tensor (or array); a float or bool one raises."""
    array = index._data if isinstance(index, Tensor) else index
    dtype = getattr(array, "dtype", None)
    if dtype is None:
        raise TypeError(f"{op}: {what} must be an integer tensor, got {type(index).__name__}")
    if dtype.kind not in "iu" or dtype.itemsize < 4:
        raise DTypeError(
            f"{op}: {what} must have an integer dtype (int64 or int32), got {dtype}"
            + ("; PyTorch reads uint8/bool as a mask, not as indices" if dtype.kind in "ub" else "")
        )
    return array


def check_range(op: str, array: Any, size: int, dim: Any = None, what: str = "index") -> None:
    """Refuse any entry of ``array`` outside ``[0, size)``, as PyTorch does."""
    if not array.size:
        return
    low, high = array.min(), array.max()
    if low < 0 or high >= size:
        bad = int(low) if low < 0 else int(high)
        where = f"dimension {dim} with size {size}" if dim is not None else f"size {size}"
        raise IndexRangeError(
            f"{op}: {what} {bad} is out of bounds for {where} (valid: 0 to {size - 1})"
        )


def check_index(op: str, index: Any, size: int, dim: Any = None, what: str = "index") -> Any:
    """``index_array`` then ``check_range``: the checked array of an integer index."""
    array = index_array(op, index, what)
    check_range(op, array, size, dim, what)
    return array


def check_dim(op: str, dim: Any, ndim: int) -> int:
    """``dim`` normalized to ``[0, ndim)`` (a 0-d tensor takes -1 and 0, as PyTorch);
    anything else raises IndexError with PyTorch's range."""
    bound = max(ndim, 1)
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"{op}(): 'dim' must be an int, got {dim!r}")
    dim = operator.index(dim)
    if not -bound <= dim < bound:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-bound}, "
            f"{bound - 1}], but got {dim})"
        )
    return dim % bound


def check_class_target(op: str, target: Any, classes: int, ignore_index: int) -> None:
    """Class-index targets of a classification loss: int64 (or uint8) as PyTorch takes
    them, each in [0, classes) unless it is ``ignore_index``."""
    dtype = target.dtype
    if dtype.kind not in "iu" or (dtype.itemsize != 8 and dtype != numpy.uint8):
        raise DTypeError(
            f"{op}: class-index target must have dtype int64 (or uint8), got {dtype}"
            + ("; convert it with .long()" if dtype.kind in "iub" else "")
        )
    if target.size and not (target.min() >= 0 and target.max() < classes):
        counted = target[target != ignore_index]
        bad = counted[(counted < 0) | (counted >= classes)]
        if bad.size:
            raise IndexRangeError(
                f"{op}: target {int(bad[0])} is out of bounds for {classes} classes "
                f"(valid: 0 to {classes - 1}, or ignore_index={ignore_index})"
            )


def check_float(op: str, array: Any, what: str = "input") -> None:
    """Refuse an integer or bool array where the op needs a floating one (softmax, losses),
    as PyTorch does ("not implemented for 'Long'")."""
    if array.dtype.kind not in "fc":
        raise DTypeError(
            f"{op}: {what} must be a floating point tensor, got {array.dtype}; convert it "
            "with .float()"
        )


def dtype_mismatch(op: str, input: Any, *others: tuple[str, Any]) -> DTypeError | None:
    """The error for an input whose dtype differs from its parameters' (an int64 or
    float64 input to a float32 ``Linear``), or None when all agree. PyTorch refuses these
    ("mat1 and mat2 must have the same dtype"); NumPy would silently promote to float64.
    Callers test ``x.dtype != w.dtype`` themselves first (one comparison on the hot path)
    and call this only to build the message."""
    dtype = getattr(input, "dtype", None)
    named = [(name, t.dtype) for name, t in others if t is not None and t.dtype != dtype]
    if not named:
        return None
    listed = ", ".join(f"{name} {d}" for name, d in named)
    first = named[0][1]
    return DTypeError(
        f"{op}: input dtype {dtype} does not match {listed} (mat1 and mat2 must have the "
        f"same dtype); convert the input (input.to({first})) or the parameters "
        f"(module.to({dtype}))"
    )
