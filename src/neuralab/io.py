"""Save and load state dicts and checkpoints as safetensors files, without pickle.

As ``torch.save`` / ``torch.load`` do for ``.pt`` files. A safetensors file is an 8-byte
little-endian header length, a JSON header (each tensor's dtype, shape and byte range,
plus ``__metadata__``, a str -> str map) and the raw tensor bytes. ``save`` writes:

- every array leaf (a Tensor, a NumPy array or a NumPy scalar) as a tensor named by the
  '.'-joined path of keys and list positions that leads to it: a flat state dict
  ``{'fc.weight': w}`` gives the tensor ``fc.weight``, a checkpoint
  ``{'optimizer': {'state': {0: {'exp_avg': m}}}}`` the tensor ``optimizer.state.0.exp_avg``,
  so other safetensors readers (PyTorch's included) see the usual names. If two paths
  join to the same name (keys that contain '.', or ``0`` beside ``'0'``), the later one
  gets a suffix ``#1``, ``#2``, ...;
- the structure as JSON in the metadata entry ``"neuralab"``:
  ``{"version": 1, "tree": node}``, where a node is one of
  ``{"dict": [[key, node], ...]}`` (a dict, in order; ``key`` a JSON string for a str key
  and a JSON number for an int key, so ``{0: ...}`` and ``{'0': ...}`` stay apart),
  ``{"list": [node, ...]}``, ``{"tuple": [node, ...]}``, ``{"value": v}`` (None, a bool,
  an int, a float, NaN and infinities included, or a str), ``{"Tensor": name}``,
  ``{"ndarray": name}`` or ``{"scalar": name}`` (a NumPy scalar, as a 0-d tensor).

``load`` rebuilds the structure from that tree, so ``load(save(x)) == x`` structurally:
Tensors come back as Tensors (dtype and shape kept; no gradient, Parameters as plain
Tensors), arrays as arrays, scalars, strings, lists and tuples as themselves, int keys
as ints. A file without the ``"neuralab"`` entry (written by another program) loads as
a flat dict of name -> Tensor.

Reserved: the top-level key ``__metadata__`` (the safetensors header's own entry) and
keys that are not valid Unicode are refused, as is nesting deeper than ``MAX_DEPTH``
(or a structure that contains itself), before the target file is touched: ``save``
never writes a file that ``load`` cannot read.

Safety. Writing goes through ``neuralab.safe_io.atomic_write``: regular files only (a
device, a FIFO, a directory, or a link to one, is refused), a temporary file in the
target's folder, fsync, ``os.replace``, so a crash leaves either the old file or the
new one; stale temporary files of killed writers are removed. Every file carries a
SHA-256 of each tensor and of its header (``neuralab.safetensors_format``), checked on
load: a flipped byte is reported with the file and the tensor. Loading reads no more
than the header promises (the header itself is capped), parses JSON and raw bytes only,
never unpickles, and every error names the file.
"""

from __future__ import annotations

import io
import json
import numbers
import os
import stat
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy

from neuralab import backend, device, safe_io
from neuralab import safetensors_format as st
from neuralab.safe_io import NotARegularFileError, read_json
from neuralab.tensor import Tensor

__all__ = ["NotARegularFileError", "atomic_write", "load", "read_json", "save"]

METADATA_KEY = "neuralab"
FORMAT_VERSION = 1
MAX_DEPTH = 100  # nested dicts / lists / tuples in a saved structure
_TREE_DEPTH = 3 * MAX_DEPTH + 4  # JSON levels of the tree (a dict level takes 3)
RESERVED_KEY = "__metadata__"

_ARRAY_KINDS = ("Tensor", "ndarray", "scalar")
_SCALARS = (type(None), bool, int, float, str)


# --- save -------------------------------------------------------------------------------
class _Encoder:
    """Walks a nested structure; collects the arrays (by unique name) and returns the tree."""

    def __init__(self) -> None:
        self.arrays: dict[str, numpy.ndarray] = {}

    def node(self, value: Any, path: tuple) -> dict:
        if len(path) > MAX_DEPTH:
            raise ValueError(
                f"save: the value at key {_name(path[:8])}... is nested more than {MAX_DEPTH} "
                "levels deep (does the structure contain itself?)"
            )
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
        if isinstance(value, str):
            _check_text(value, f"the str at key {_name(path)!r}" if path else "the str")
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
        where = f"the dict at key {_name(path)!r}" if path else "the top-level dict"
        if isinstance(key, str):
            if not path and key == RESERVED_KEY:
                raise ValueError(
                    f"save: the key {RESERVED_KEY!r} is reserved (it is the safetensors "
                    "header's metadata entry, and a file with it cannot be loaded); rename it"
                )
            _check_text(key, f"the key {key!r} in {where}")
            return key
        if isinstance(key, numbers.Integral) and not isinstance(key, (bool, numpy.bool_)):
            return int(key)
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
        if (array.dtype.kind, array.dtype.itemsize) not in st._CODES:
            raise TypeError(
                f"save: the array at key {name!r} has unsupported dtype {array.dtype}; expected "
                f"one of {', '.join(str(d) for d in st.DTYPES.values())}"
            )
        unique, n = name, 0
        while unique in self.arrays or unique == RESERVED_KEY:
            n += 1
            unique = f"{name}#{n}"
        self.arrays[unique] = array
        return unique


def _check_text(text: str, what: str) -> None:
    """Refuse a str that UTF-8 cannot encode (a lone surrogate): it would not round-trip."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"save: {what} is not valid Unicode ({exc.reason} at position {exc.start}); "
            "it cannot be stored in a file"
        ) from None


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


def dumps(obj: Any) -> bytes:
    """The bytes ``save`` writes for ``obj`` (safetensors, with the structure and the
    checksums in its metadata); raises before anything is written."""
    if hasattr(obj, "state_dict") and not isinstance(obj, Mapping):
        _refuse_object(obj)
    encoder = _Encoder()
    tree = encoder.node(obj, ())
    header = json.dumps({"version": FORMAT_VERSION, "tree": tree})
    return st.serialize(encoder.arrays, {METADATA_KEY: header})


def save(
    obj: Any,
    f: str | os.PathLike | BinaryIO,
    pickle_module: Any = None,
    pickle_protocol: int | None = None,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Save a state dict, a nested checkpoint dict or a Tensor to ``f`` as safetensors.

    Writing to a path is atomic (a temporary file, fsync, ``os.replace``): if it fails, the
    file at ``f`` is as it was; a path that is a directory, a device, a FIFO or a socket is
    refused. The file carries a checksum of its tensors, verified by ``load``. See the
    module's docstring for the format.

    Args:
        obj: A Tensor, or a dict with str (or int) keys of Tensors, NumPy arrays or scalars,
            nested dicts, lists, tuples, None, bools, ints, floats and strs.
        f: A path, or a binary file object (``io.BytesIO()``, ``open(p, "wb")``).
        pickle_module: Accepted for PyTorch's sake; unused. Defaults to None.
        pickle_protocol: Accepted for PyTorch's sake; unused. Defaults to None.
        _use_new_zipfile_serialization: Accepted for PyTorch's sake; unused.
            Defaults to True.

    Raises:
        TypeError: A value or key of an unsupported type, or a model or optimizer itself
            (save its ``state_dict()``).
        ValueError: The reserved key ``__metadata__``, text that is not valid Unicode, or
            nesting deeper than ``MAX_DEPTH``.
        NotARegularFileError: A path that is a device, a FIFO or a socket.
        OSError: The file cannot be written.

    Examples:
        >>> import io
        >>> import neuralab as nl
        >>> model = nl.nn.Linear(2, 1)
        >>> buffer = io.BytesIO()
        >>> nl.save({"model": model.state_dict(), "epoch": 3}, buffer)
        >>> _ = buffer.seek(0)
        >>> state = nl.load(buffer)
        >>> state["epoch"], sorted(state["model"])
        (3, ['bias', 'weight'])
    """
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            name = getattr(f, "name", "<file object>")
            raise TypeError(f"save: {name!r} must be opened in binary mode ('wb')")
        f.write(dumps(obj))
        return
    data = dumps(obj)  # every refusal happens here, before the target is touched
    atomic_write(f, data, what="save")


def _write_bytes(f: BinaryIO, data: bytes) -> None:
    f.write(data)


def atomic_write(path: str | os.PathLike, data: bytes, what: str = "write") -> None:
    """Replace ``path`` with ``data`` atomically (``neuralab.safe_io.atomic_write``).

    A temporary file beside it, fsync, rename, fsync of the folder; regular files only;
    stale temporary files removed; on any error ``path`` is as it was.

    Args:
        path: The file to replace (or create).
        data: The bytes to write.
        what: The caller's name, for the error messages. Defaults to ``"write"``.

    Raises:
        NotARegularFileError: A path that is a device, a FIFO, a socket or a directory.
        OSError: The file cannot be written.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.io import atomic_write
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
        >>> atomic_write(path, b"hello")
        >>> path.read_bytes()
        b'hello'
    """
    safe_io.atomic_write(path, data, what, write=_write_bytes)


# --- load -------------------------------------------------------------------------------
class _Decoder:
    """Rebuilds the structure from the tree, taking each named array exactly once."""

    def __init__(self, arrays: dict[str, numpy.ndarray]) -> None:
        self.arrays = arrays
        self.used: set[str] = set()

    def node(self, node: Any) -> Any:
        if not isinstance(node, dict) or len(node) != 1:
            raise ValueError(f"bad node {str(node)[:80]!r}")
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
            if kind == "scalar":
                if array.ndim != 0:
                    raise ValueError(f"tensor {body!r} is not a scalar (shape {array.shape})")
                return array[()]
            return Tensor(array) if kind == "Tensor" else array
        raise ValueError(f"bad node {str(node)[:80]!r}")

    @staticmethod
    def key(item: Any) -> str | int:
        if not isinstance(item, list) or len(item) != 2:
            raise ValueError(f"bad dict item {str(item)[:80]!r}")
        key = item[0]
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValueError(f"bad dict key {key!r}")
        return key


def _read_stream(f: Any, name: str) -> tuple[dict[str, numpy.ndarray], dict[str, str]]:
    """Read a file object: its size is known (and checked first) when it is a regular
    file or an in-memory buffer; otherwise it is read up to what the header promises."""
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"load: {name!r} must be opened in binary mode ('rb')")
    size = None
    try:
        position = f.tell()
        if hasattr(f, "fileno"):
            info = os.fstat(f.fileno())
            size = info.st_size - position if stat.S_ISREG(info.st_mode) else None
        elif f.seekable():
            size = f.seek(0, os.SEEK_END) - position
            f.seek(position)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        size = None
    return st.read(f, f"load: {name!r}", size)


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

    Reads no more than the header promises and never unpickles: loading is always
    ``weights_only``.

    Args:
        f: A path, or a binary file object.
        map_location: The CPU (a device, ``"cpu"``, or a dict / function as PyTorch programs
            pass) or None; other devices raise. Defaults to None.
        pickle_module: Accepted for PyTorch's sake; unused. Defaults to None.
        weights_only: Accepted; loading is always weights-only. Defaults to None.
        mmap: Accepted; unused. Defaults to None.
        **pickle_load_args: Accepted for PyTorch's sake; unused.

    Returns:
        The saved structure, with Tensors as neuralab Tensors of the saved dtype and shape;
        a safetensors file from another program gives a flat dict name -> Tensor.

    Raises:
        FileNotFoundError: A missing file.
        NotARegularFileError: A device or FIFO (an OSError).
        ValueError: A file that is not a valid safetensors file, is truncated or longer than
            its header says, or fails its checksum; every error names the file.
        NotImplementedError: A map_location that is not the CPU.

    Examples:
        >>> import io
        >>> import neuralab as nl
        >>> buffer = io.BytesIO()
        >>> nl.save({"w": nl.tensor([1.0, 2.0]), "steps": [1, 2]}, buffer)
        >>> _ = buffer.seek(0)
        >>> nl.load(buffer, map_location="cpu")
        {'w': tensor([1., 2.]), 'steps': [1, 2]}
    """
    if isinstance(map_location, (str, device.device)):
        device.check(map_location, "load(map_location=...)")
    if hasattr(f, "read"):
        path = str(getattr(f, "name", "<file object>"))
        arrays, metadata = _read_stream(f, path)
    else:
        path = os.fspath(f)
        stream, size = safe_io.open_regular(path, "load")
        with stream:
            try:
                arrays, metadata = st.read(stream, f"load: {path!r}", size)
            except OSError as exc:  # an I/O error while reading
                raise OSError(exc.errno, f"load: cannot read {path!r}: {exc}", path) from None
    if METADATA_KEY not in metadata:
        return {name: Tensor(array) for name, array in arrays.items()}
    decoder = _Decoder(arrays)
    try:
        header = safe_io.loads_json(metadata[METADATA_KEY], "the structure", _TREE_DEPTH)
        if not isinstance(header, dict) or header.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown format version in {str(header)[:80]!r}")
        obj = decoder.node(header.get("tree"))
    except (ValueError, TypeError, RecursionError) as exc:
        raise ValueError(f"load: {path!r} has malformed neuralab metadata: {exc}") from None
    if decoder.used != set(arrays):
        extra = sorted(set(arrays) - decoder.used)
        raise ValueError(f"load: {path!r} has tensors not named in its metadata: {extra[:10]}")
    return obj
