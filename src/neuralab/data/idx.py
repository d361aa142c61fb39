"""The IDX file format of MNIST and Fashion-MNIST (usually gzip-compressed).

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then
the values in row-major order, big-endian. The magic is ``0x0000TTDD``: two zero bytes,
the type code ``TT`` and the number of dimensions ``DD``. MNIST's image files have magic
2051 (0x00000803: uint8, 3 dimensions: count, rows, columns) and its label files 2049
(0x00000801: uint8, 1 dimension: count).

Every problem (not gzip data, an unknown magic, the wrong magic for the caller, a file
shorter or longer than its header says) raises a ValueError that names the file.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy

__all__ = ["IMAGES_MAGIC", "LABELS_MAGIC", "gunzip", "parse_idx", "read_idx"]

IMAGES_MAGIC = 2051  # 0x00000803: uint8 images, 3 dims (count, rows, columns)
LABELS_MAGIC = 2049  # 0x00000801: uint8 labels, 1 dim (count)
_KIND = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}

# IDX type code -> NumPy dtype (multi-byte values are big-endian in the file).
_TYPES = {
    0x08: numpy.dtype("u1"),
    0x09: numpy.dtype("i1"),
    0x0B: numpy.dtype(">i2"),
    0x0C: numpy.dtype(">i4"),
    0x0D: numpy.dtype(">f4"),
    0x0E: numpy.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _describe(magic: int) -> str:
    kind = _KIND.get(magic)
    return f"{magic} (0x{magic:08x}{', ' + kind if kind else ''})"


def gunzip(data: bytes, name: str = "<bytes>") -> bytes:
    """Decompress gzip ``data``; ``name`` (the file) appears in the error if it is not
    valid gzip data or is cut short."""
    if data[:2] != _GZIP_MAGIC:
        raise ValueError(f"{name}: not a gzip file (it starts with {data[:2]!r})")
    try:
        decompressor = zlib.decompressobj(wbits=31)  # one gzip member: the fast path
        out = decompressor.decompress(data)
        if not decompressor.eof:
            raise EOFError("the compressed data ends before the end-of-stream marker")
        if decompressor.unused_data:  # several gzip members, or trailing bytes
            out = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{name}: corrupt or truncated gzip data ({exc})") from None
    return out


def parse_idx(data: bytes, name: str = "<bytes>", magic: int | None = None) -> numpy.ndarray:
    """The array stored in uncompressed IDX bytes ``data``, in native byte order (a
    writable copy). ``magic``: the magic number the caller expects (e.g. ``IMAGES_MAGIC``);
    ``name``: the file, for the errors."""
    if len(data) < 4:
        raise ValueError(f"{name}: too short for an IDX file ({len(data)} bytes)")
    found = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[:2] != b"\x00\x00" or type_code not in _TYPES or ndim == 0:
        raise ValueError(
            f"{name}: not an IDX file: bad magic number {_describe(found)}; expected "
            f"{_describe(magic) if magic is not None else '0x0000TTDD (type TT, DD dims)'}"
        )
    if magic is not None and found != magic:
        raise ValueError(
            f"{name}: wrong IDX magic number {_describe(found)}, expected {_describe(magic)}"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
            f"the data has {len(data)}"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _TYPES[type_code]
    expected = int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
    body = len(data) - header
    if body < expected:
        raise ValueError(
            f"{name}: truncated IDX data: the header promises shape {shape} ({expected} bytes "
            f"of {dtype.name}), but only {body} bytes follow"
        )
    if body > expected:
        raise ValueError(
            f"{name}: IDX size mismatch: the header promises shape {shape} ({expected} "
            f"bytes), but {body} bytes follow ({body - expected} extra)"
        )
    array = numpy.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return array.reshape(shape).astype(dtype.newbyteorder("="))  # a native, writable copy


def read_idx(path: str | os.PathLike, magic: int | None = None) -> numpy.ndarray:
    """Read an IDX file, gzip-compressed (detected by its first bytes) or not.

    ``magic``: the magic number expected (``IMAGES_MAGIC`` = 2051, ``LABELS_MAGIC`` =
    2049), or None for any valid IDX file. This reads the file as it is; the MNIST
    datasets verify its checksum first (``neuralab.data.files``).
    """
    name = os.fspath(path)
    with open(name, "rb") as f:
        data = f.read()
    if data[:2] == _GZIP_MAGIC:
        data = gunzip(data, name)
    return parse_idx(data, name, magic)
