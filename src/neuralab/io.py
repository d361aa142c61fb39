"""Save and load state dicts and checkpoints as safetensors files, as ``torch.save`` /
``torch.load`` do for ``.pt`` files, but without pickle.

File format. A safetensors file is an 8-byte little-endian header length, a JSON header
(each tensor's dtype, shape and byte range, plus ``__metadata__``, a str -> str map) and
the raw tensor bytes. ``save`` writes:

- every array leaf (a Tensor, a NumPy array or a NumPy scalar) as a tensor named by the
  '.'-joined path of keys and list positions that leads to it: a flat state dict
  ``{'fc.weight': w}`` gives the tensor ``fc.weight``, a checkpoint
  ``{'optimizer': {'state': {0: {'exp_avg': m}}}}`` the tensor ``optimizer.state.0.exp_avg``,
  so other safetensors readers (PyTorch's included) see the usual names. If two paths
  join to the same name (keys that contain '.', or ``0`` beside ``'0'``), the later one
  gets a suffix ``#1``, ``#2``, ...;
- the structure as JSON in the metadata entry ``"neuralab"``:
  ``{"version": 1, "tree": node}``, where a node is one of

  ====================================  ============================================
  ``{"dict": [[key, node], ...]}``      a dict, in order; ``key`` a JSON string for a
                                        str key and a JSON number for an int key, so
                                        ``{0: ...}`` and ``{'0': ...}`` stay apart
  ``{"list": [node, ...]}``             a list
  ``{"tuple": [node, ...]}``            a tuple
  ``{"value": v}``                      None, a bool, an int, a float (NaN and
                                        infinities included) or a str
  ``{"Tensor": name}``                  a neuralab Tensor, stored as tensor ``name``
  ``{"ndarray": name}``                 a NumPy array
  ``{"scalar": name}``                  a NumPy scalar (a 0-d tensor)
  ====================================  ============================================

``load`` rebuilds the structure from that tree, so ``load(save(x)) == x`` structurally:
Tensors come back as Tensors (dtype and shape kept; no gradient, Parameters as plain
Tensors), arrays as arrays, scalars, strings, lists and tuples as themselves, int keys
as ints. A file without the ``"neuralab"`` entry (written by another program) loads as
a flat dict of name -> Tensor.

Safety. Writing is atomic: the bytes go to a temporary file in the target's directory,
are flushed and ``os.fsync``-ed, and ``os.replace`` puts the file in place, so a crash
leaves either the old file or the new one, never a half-written one; on an error the
temporary file is removed. Loading parses JSON and raw bytes only: it never unpickles.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import numbers
import os
import stat
import uuid
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy

from neuralab import backend, device
from neuralab.tensor import Tensor

__all__ = ["load", "save"]

METADATA_KEY = "neuralab"
FORMAT_VERSION = 1

_DTYPES = frozenset(
    numpy.dtype(name)
    for name in (
        "bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
        "float16", "float32", "float64",
    )
)  # fmt: skip
_ARRAY_KINDS = ("Tensor", "ndarray", "scalar")
_SCALARS = (type(None), bool, int, float, str)


def _safetensors_numpy() -> Any:
    try:
        import safetensors.numpy
    except ImportError as exc:  # pragma: no cover - safetensors is installed in the tests
        raise ImportError(
            "neuralab.save/load need the safetensors package: pip install safetensors"
        ) from exc
    return safetensors.numpy


# --- save -------------------------------------------------------------------------------
class _Encoder:
    """Walks a nested structure; collects the arrays (by unique name) and returns the tree."""

    def __init__(self) -> None:
        self.arrays: dict[str, numpy.ndarray] = {}

    def node(self, value: Any, path: tuple) -> dict:
        if isinstance(value, Tensor):
            return {"Tensor": self.array(value._data, path)}
        if isinstance(value, numpy.ndarray):
            return {"ndarray": self.array(value, path)}
        if isinstance(value, numpy.generic):
            return {"scalar": self.array(numpy.asarray(value), path)}
        if isinstance(value, Mapping):
            return {
                "dict": [[self.key(k, path), self.node(v, (*path, k))] for k, v in value.items()]
            }
        if isinstance(value, (list, tuple)):
            items = [self.node(v, (*path, i)) for i, v in enumerate(value)]
            return {"tuple" if isinstance(value, tuple) else "list": items}
        if isinstance(value, _SCALARS):
            return {"value": value}
        if hasattr(value, "state_dict"):
            _refuse_object(value)
        kind = type(value).__name__
        raise TypeError(
            f"save: {f'the value at key {_name(path)!r}' if path else 'the object'} has "
            f"unsupported type {kind}; "
            "expected a Tensor, a NumPy array or scalar, a dict, a list, a tuple, None, "
            "a bool, an int, a float or a str"
        )

    def key(self, key: Any, path: tuple) -> str | int:
        if isinstance(key, str):
            return key
        if isinstance(key, numbers.Integral) and not isinstance(key, (bool, numpy.bool_)):
            return int(key)
        where = f"the dict at key {_name(path)!r}" if path else "the top-level dict"
        raise TypeError(
            f"save: unsupported key {key!r} ({type(key).__name__}) in {where}; "
            "keys must be str or int"
        )

    def array(self, array: Any, path: tuple) -> str:
        name = _name(path)
        if isinstance(array, numpy.generic):  # a Tensor may hold a NumPy scalar
            array = numpy.asarray(array)
        elif backend.array_module(array) is not numpy:  # pragma: no cover - CuPy only
            array = array.get()
        if array.dtype not in _DTYPES:
            raise TypeError(
                f"save: the array at key {name!r} has unsupported dtype {array.dtype}; expected "
                f"one of {', '.join(sorted(str(d) for d in _DTYPES))}"
            )
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        unique, n = name, 0
        while unique in self.arrays:
            n += 1
            unique = f"{name}#{n}"
        self.arrays[unique] = array
        return unique


def _name(path: tuple) -> str:
    return ".".join(str(p) for p in path) if path else "tensor"


def _refuse_object(obj: Any) -> None:
    """Name the safe way when asked to save what only pickle could (a model, an optimizer)."""
    what = type(obj).__name__
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        raise TypeError(
            f"save: neuralab does not pickle whole objects (a {what}): a pickle can run any "
            "code when loaded. Save its state instead: `neuralab.save(model.state_dict(), "
            "PATH)`, and later `model = MyModel(); model.load_state_dict(neuralab.load(PATH))`"
        )
    raise TypeError(
        f"save: can't save a {what}; expected a Tensor, an array or a dict/list/tuple of "
        "them with numbers, strings, bools and None (a state dict or a checkpoint dict)"
    )


def save(
    obj: Any,
    f: str | os.PathLike | BinaryIO,
    pickle_module: Any = None,
    pickle_protocol: int | None = None,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Save a state dict, a nested checkpoint dict or a Tensor to ``f`` as safetensors.

    ``f`` is a path or a binary file object (``io.BytesIO()``, ``open(p, "wb")``).
    ``obj`` maps str (or int) keys to Tensors, NumPy arrays or scalars, nested dicts,
    lists, tuples, None, bools, ints, floats and strs. Writing to a path is atomic (a
    temporary file, fsync, ``os.replace``): if it fails, the file at ``path`` is as it
    was. Models and optimizers themselves are refused (pickle): save their
    ``state_dict()``. The pickle arguments are accepted for PyTorch's sake and unused.
    See the module's docstring for the layout.
    """
    if hasattr(obj, "state_dict") and not isinstance(obj, Mapping):
        _refuse_object(obj)
    encoder = _Encoder()
    tree = encoder.node(obj, ())
    header = json.dumps({"version": FORMAT_VERSION, "tree": tree})
    data = _safetensors_numpy().save(encoder.arrays, metadata={METADATA_KEY: header})
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            name = getattr(f, "name", "<file object>")
            raise TypeError(f"save: {name!r} must be opened in binary mode ('wb')")
        f.write(data)
        return
    atomic_write(os.fspath(f), data)


def _write_bytes(f: BinaryIO, data: bytes) -> None:
    f.write(data)


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it onto
    ``path`` (``os.replace`` is atomic); remove the temporary file on any error."""
    path = os.path.realpath(path)  # through a symlink, replace the file it points to
    directory, base = os.path.split(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"save: no such directory {directory!r}", directory)
    tmp = os.path.join(directory, f".{base}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_bytes(f, data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):  # keep an existing file's permissions
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


# --- load -------------------------------------------------------------------------------
def _metadata(data: bytes, path: str) -> dict:
    """The ``__metadata__`` of a safetensors file's header, checking that it is one."""
    if len(data) < 8:
        raise ValueError(f"load: {path!r} is not a safetensors file ({len(data)} bytes)")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise ValueError(
            f"load: {path!r} is not a safetensors file or is truncated: its header claims "
            f"{size} bytes but the file has {len(data)}"
        )
    try:
        header = json.loads(data[8 : 8 + size])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"load: {path!r} is not a safetensors file (bad header: {exc})") from None
    if not isinstance(header, dict):
        raise ValueError(f"load: {path!r} is not a safetensors file (its header is not a map)")
    metadata = header.get("__metadata__") or {}
    if not isinstance(metadata, dict):
        raise ValueError(f"load: {path!r} is not a safetensors file (bad __metadata__)")
    return metadata


class _Decoder:
    """Rebuilds the structure from the tree, taking each named array exactly once."""

    def __init__(self, arrays: dict[str, numpy.ndarray]) -> None:
        self.arrays = arrays
        self.used: set[str] = set()

    def node(self, node: Any) -> Any:
        if not isinstance(node, dict) or len(node) != 1:
            raise ValueError(f"bad node {node!r}")
        ((kind, body),) = node.items()
        if kind == "value" and isinstance(body, _SCALARS):
            return body
        if kind == "dict" and isinstance(body, list):
            return {self.key(item): self.node(item[1]) for item in body}
        if kind in ("list", "tuple") and isinstance(body, list):
            items = [self.node(v) for v in body]
            return tuple(items) if kind == "tuple" else items
        if kind in _ARRAY_KINDS and isinstance(body, str):
            if body not in self.arrays or body in self.used:
                raise ValueError(f"tensor {body!r} missing or used twice")
            self.used.add(body)
            array = self.arrays[body]
            return Tensor(array) if kind == "Tensor" else array if kind == "ndarray" else array[()]
        raise ValueError(f"bad node {node!r}")

    @staticmethod
    def key(item: Any) -> str | int:
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError(f"bad dict item {item!r}")
        key = item[0]
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValueError(f"bad dict key {key!r}")
        return key


def load(
    f: str | os.PathLike | BinaryIO,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load what ``save`` wrote (or any safetensors file) from a path or a binary file object.

    Returns the saved structure, with Tensors as neuralab Tensors of the saved dtype and
    shape; a safetensors file from another program gives a flat dict name -> Tensor.
    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    valid safetensors file. Never unpickles: loading is always ``weights_only``.
    ``map_location`` may name the CPU (a device, 'cpu', or a dict / function that PyTorch
    programs pass); other devices raise NotImplementedError.
    """
    if isinstance(map_location, (str, device.device)):
        device.check(map_location, "load(map_location=...)")
    if hasattr(f, "read"):
        path = getattr(f, "name", "<file object>")
        if isinstance(f, io.TextIOBase):
            raise TypeError(f"load: {path!r} must be opened in binary mode ('rb')")
        data = f.read()
        if not isinstance(data, bytes):
            raise TypeError(f"load: {path!r} must be opened in binary mode ('rb')")
    else:
        path = os.fspath(f)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, f"load: no such file {path!r}", path) from None
    metadata = _metadata(data, path)
    try:
        arrays = _safetensors_numpy().load(data)
    except Exception as exc:  # safetensors raises SafetensorError for malformed files
        raise ValueError(f"load: {path!r} is not a valid safetensors file: {exc}") from exc
    arrays = {k: a if a.flags.writeable else a.copy() for k, a in arrays.items()}
    if METADATA_KEY not in metadata:
        return {name: Tensor(array) for name, array in arrays.items()}
    decoder = _Decoder(arrays)
    try:
        header = json.loads(metadata[METADATA_KEY])
        if not isinstance(header, dict) or header.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown format version in {str(header)[:80]!r}")
        obj = decoder.node(header.get("tree"))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"load: {path!r} has malformed neuralab metadata: {exc}") from None
    if decoder.used != set(arrays):
        extra = sorted(set(arrays) - decoder.used)
        raise ValueError(f"load: {path!r} has tensors not named in its metadata: {extra}")
    return obj
