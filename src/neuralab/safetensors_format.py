"""The safetensors file format, written and read with every size checked and a checksum.

A safetensors file is an 8-byte little-endian header length ``N``, ``N`` bytes of JSON
header (each tensor's ``dtype``, ``shape`` and ``data_offsets`` into the data section,
plus ``__metadata__``, a str -> str map), then the data section: the tensors'
little-endian bytes, back to back.

Writing (``serialize``) adds the metadata entry ``"neuralab.sha256"``: JSON
``{"header": H, "tensors": {name: T}}`` where each ``T`` is the SHA-256 of a tensor's
bytes and ``H`` the SHA-256 of the rest of the header in canonical form (sorted keys,
no spaces). Reading (``read``) verifies it when present and names the tensor (or the
header) whose bytes changed; files without it (older ones, other programs') load as
they are.

Reading is bounded: the header length is capped (``MAX_HEADER_BYTES``), the header is
validated (dtypes, shapes, offsets that tile the data section exactly) before a byte
of data is read, the data section is read in chunks up to exactly the size the header
promises, and a file or stream that is shorter or longer than that is refused. Every
error is a ValueError that names the file.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, BinaryIO

import numpy

from neuralab import safe_io

__all__ = ["CHECKSUM_KEY", "MAX_HEADER_BYTES", "read", "serialize"]

MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
MAX_HEADER_DEPTH = 8  # a valid header nests 3 deep
CHECKSUM_KEY = "neuralab.sha256"
_CHUNK = 16 << 20

DTYPES: dict[str, numpy.dtype] = {
    "BOOL": numpy.dtype("bool"),
    "U8": numpy.dtype("u1"),
    "I8": numpy.dtype("i1"),
    "U16": numpy.dtype("<u2"),
    "I16": numpy.dtype("<i2"),
    "U32": numpy.dtype("<u4"),
    "I32": numpy.dtype("<i4"),
    "U64": numpy.dtype("<u8"),
    "I64": numpy.dtype("<i8"),
    "F16": numpy.dtype("<f2"),
    "F32": numpy.dtype("<f4"),
    "F64": numpy.dtype("<f8"),
}
_CODES = {(dtype.kind, dtype.itemsize): code for code, dtype in DTYPES.items()}


def _canonical(header: dict) -> bytes:
    """The header without the checksum entry, as the bytes the header checksum covers."""
    metadata = {k: v for k, v in (header.get("__metadata__") or {}).items() if k != CHECKSUM_KEY}
    rest = {k: v for k, v in header.items() if k != "__metadata__"}
    return json.dumps(
        {**rest, "__metadata__": metadata}, sort_keys=True, separators=(",", ":")
    ).encode()


# --- writing ----------------------------------------------------------------------------
def serialize(arrays: dict[str, numpy.ndarray], metadata: dict[str, str]) -> bytes:
    """The safetensors bytes of ``arrays`` (name -> C-contiguous array of a dtype in
    ``DTYPES``) with ``metadata`` and the checksum entry. Tensors are laid out by
    decreasing item size, so each is aligned in the data section."""
    order = sorted(arrays, key=lambda name: (-arrays[name].dtype.itemsize, name))
    header: dict[str, Any] = {}
    blobs, digests, offset = [], {}, 0
    for name in order:
        array = arrays[name]
        code = _CODES[(array.dtype.kind, array.dtype.itemsize)]
        blob = numpy.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()
        header[name] = {
            "dtype": code,
            "shape": [int(n) for n in array.shape],
            "data_offsets": [offset, offset + len(blob)],
        }
        digests[name] = hashlib.sha256(blob).hexdigest()
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = dict(metadata)
    checksum = {"header": hashlib.sha256(_canonical(header)).hexdigest(), "tensors": digests}
    header["__metadata__"][CHECKSUM_KEY] = json.dumps(checksum, separators=(",", ":"))
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)  # the data section starts 8-byte aligned
    return b"".join([len(text).to_bytes(8, "little"), text, *blobs])


# --- reading ----------------------------------------------------------------------------
def _read_exact(f: BinaryIO, n: int, name: str, what: str) -> bytearray:
    """Exactly ``n`` bytes from ``f`` (read in chunks: memory follows what arrives)."""
    out = bytearray()
    while len(out) < n:
        chunk = f.read(min(_CHUNK, n - len(out)))
        if chunk is None or not isinstance(chunk, (bytes, bytearray)):
            raise TypeError(f"{name} must be opened in binary, blocking mode ('rb')")
        if not chunk:
            raise ValueError(
                f"{name} is truncated: {what} needs {n} bytes, only {len(out)} are left"
            )
        out += chunk
    return out


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _entries(header: Any, name: str) -> tuple[dict[str, tuple], dict[str, str], int]:
    """Each tensor's (dtype, shape, begin, end), the metadata and the data section's size,
    all checked."""
    if not isinstance(header, dict):
        raise ValueError(f"{name} is not a safetensors file (its header is not a JSON map)")
    metadata = header.get("__metadata__")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"{name}: bad __metadata__ in the header (expected a str -> str map)")
    entries = {}
    for tensor, info in header.items():
        if tensor == "__metadata__":
            continue
        where = f"{name}: tensor {tensor!r}"
        if not isinstance(info, dict):
            raise ValueError(f"{where}: its header entry is not a map")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPES:
            raise ValueError(
                f"{where}: unsupported dtype {dtype!r}; expected one of {', '.join(DTYPES)}"
            )
        if not isinstance(shape, list) or not all(_is_count(n) for n in shape):
            raise ValueError(f"{where}: bad shape {shape!r}")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(_is_count(n) for n in offsets)
            or offsets[0] > offsets[1]
        ):
            raise ValueError(f"{where}: bad data_offsets {offsets!r}")
        nbytes = math.prod(shape) * DTYPES[dtype].itemsize  # Python ints: no overflow
        if offsets[1] - offsets[0] != nbytes:
            raise ValueError(
                f"{where}: shape {shape} of {dtype} needs {nbytes} bytes, but its data_offsets "
                f"{offsets} span {offsets[1] - offsets[0]}"
            )
        entries[tensor] = (DTYPES[dtype], tuple(shape), offsets[0], offsets[1])
    end = 0
    for tensor, (_, _, begin, stop) in sorted(entries.items(), key=lambda e: e[1][2:]):
        if begin != end:
            raise ValueError(
                f"{name}: tensor {tensor!r} starts at byte {begin} of the data, expected {end} "
                "(tensors must tile the data section)"
            )
        end = stop
    return entries, metadata, end


def _verify(header: dict, entries: dict, data: bytearray, metadata: dict, name: str) -> None:
    text = metadata.get(CHECKSUM_KEY)
    if text is None:
        return  # an older file, or another program's
    try:
        checksum = json.loads(text)
        expected, tensors = checksum["header"], checksum["tensors"]
        if not isinstance(expected, str) or not isinstance(tensors, dict):
            raise TypeError
    except (ValueError, TypeError, KeyError, RecursionError):
        raise ValueError(f"{name}: bad {CHECKSUM_KEY} entry in its metadata") from None
    if set(tensors) != set(entries):
        raise ValueError(
            f"{name}: checksum mismatch: the checksums name tensors {sorted(tensors)[:5]}, "
            f"the header {sorted(entries)[:5]}; the file is corrupt"
        )
    if hashlib.sha256(_canonical(header)).hexdigest() != expected:
        raise ValueError(
            f"{name}: checksum mismatch in the header (shapes, dtypes or metadata changed "
            "since it was written); the file is corrupt"
        )
    view = memoryview(data)
    for tensor, (_, _, begin, end) in sorted(entries.items(), key=lambda e: e[1][2]):
        if hashlib.sha256(view[begin:end]).hexdigest() != tensors[tensor]:
            raise ValueError(
                f"{name}: checksum mismatch in tensor {tensor!r} (bytes {begin}..{end} of the "
                "data section changed since it was written); the file is corrupt"
            )


def read(
    f: BinaryIO, name: str, size: int | None = None
) -> tuple[dict[str, numpy.ndarray], dict[str, str]]:
    """The tensors (name -> native-endian writable array, in file order) and metadata of
    the safetensors file or stream ``f``. ``size``: the bytes ``f`` holds from its
    position, when known (checked before reading); else ``f`` is read up to exactly what
    the header promises and must end there. ``name`` (the file) starts every error."""
    if size is not None and size < 8:
        raise ValueError(f"{name} is not a safetensors file ({size} bytes)")
    prefix = _read_exact(f, 8, name, "a safetensors header length")
    length = int.from_bytes(prefix, "little")
    if length > MAX_HEADER_BYTES:
        raise ValueError(
            f"{name} is not a safetensors file: its header claims {length} bytes, more than "
            f"the {MAX_HEADER_BYTES} accepted"
        )
    if size is not None and 8 + length > size:
        raise ValueError(
            f"{name} is not a safetensors file or is truncated: its header claims {length} "
            f"bytes but the file has {size}"
        )
    raw = _read_exact(f, length, name, "its header")
    if not raw.lstrip()[:1] == b"{":
        raise ValueError(f"{name} is not a safetensors file (its header is not a JSON map)")
    try:
        header = safe_io.loads_json(bytes(raw), "header", MAX_HEADER_DEPTH)
    except ValueError as exc:
        raise ValueError(f"{name} is not a safetensors file (bad {exc})") from None
    entries, metadata, total = _entries(header, name)
    if size is not None and 8 + length + total != size:
        what = "truncated" if 8 + length + total > size else "longer than its header says"
        raise ValueError(
            f"{name} is {what}: its header promises {total} bytes of tensor data, the file "
            f"holds {size - 8 - length}"
        )
    data = _read_exact(f, total, name, "the tensor data")
    if size is None and f.read(1):
        raise ValueError(
            f"{name} is longer than its header says: more bytes follow the {total} bytes of "
            "tensor data"
        )
    _verify(header, entries, data, metadata, name)
    arrays = {}
    for tensor, (dtype, shape, begin, end) in entries.items():
        array = numpy.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=begin)
        if dtype.kind == "b" and end > begin and data[begin:end].translate(None, b"\0\1"):
            raise ValueError(f"{name}: tensor {tensor!r}: BOOL bytes other than 0 and 1")
        arrays[tensor] = array.reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    return arrays, metadata
