"""The IDX file format of MNIST and Fashion-MNIST (usually gzip-compressed).

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then
the values in row-major order, big-endian. The magic is ``0x0000TTDD``: two zero bytes,
the type code ``TT`` and the number of dimensions ``DD``. MNIST's image files have magic
2051 (0x00000803: uint8, 3 dimensions: count, rows, columns) and its label files 2049
(0x00000801: uint8, 1 dimension: count).

Reading is bounded by the header: the magic and the dimensions are read (and, for a gzip
file, decompressed) first; the number of bytes they promise is checked (at most
``MAX_BYTES``; for gzip data, no more than deflate could expand the file to) before any
more is read, and then exactly that many bytes are read or decompressed, incrementally:
a gzip bomb stops at the promised size plus one byte. Every problem (not gzip data, an
unknown magic, the wrong magic for the caller, absurd dimensions, a file shorter or
longer than its header says) raises a ValueError that names the file.
"""

from __future__ import annotations

import io
import math
import os
import zlib
from typing import BinaryIO

import numpy

from neuralab import safe_io

__all__ = [
    "IMAGES_MAGIC",
    "LABELS_MAGIC",
    "MAX_BYTES",
    "decode_idx",
    "gunzip",
    "parse_idx",
    "read_idx",
]

IMAGES_MAGIC = 2051  # 0x00000803: uint8 images, 3 dims (count, rows, columns)
LABELS_MAGIC = 2049  # 0x00000801: uint8 labels, 1 dim (count)
_KIND = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}
MAX_BYTES = 1 << 32  # the values of one IDX file: at most 4 GiB
_DEFLATE_RATIO = 1032  # deflate expands at most about 1032-fold
_CHUNK = 1 << 20
_INPUT = 8 << 10  # compressed bytes given to zlib at a time: what a member switch copies

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


# --- byte sources: a plain stream, or gzip members decompressed on demand ----------------
class _Plain:
    """Reads ``raw`` after the ``pending`` bytes already taken from it."""

    def __init__(self, raw: BinaryIO, pending: bytes, name: str) -> None:
        self.raw, self.pending, self.name = raw, pending, name

    def _raw(self, n: int) -> bytes:
        if self.pending:
            chunk, self.pending = self.pending[:n], self.pending[n:]
            return chunk
        return self.raw.read(n)

    def read(self, n: int) -> bytearray:
        """Up to ``n`` bytes; fewer only at the end."""
        out = bytearray()
        while len(out) < n and (chunk := self._raw(min(_CHUNK, n - len(out)))):
            out += chunk
        return out


class _Gunzip(_Plain):
    """Decompresses the gzip members of ``raw`` on demand, never more than asked for."""

    def __init__(self, raw: BinaryIO, pending: bytes, name: str) -> None:
        super().__init__(raw, pending, name)
        self.inflater = zlib.decompressobj(wbits=31)

    def read(self, n: int) -> bytearray:
        out = bytearray()
        while len(out) < n:
            if self.inflater.eof:  # another gzip member, or the end
                chunk = self.inflater.unused_data or self._raw(_INPUT)
                if not chunk:
                    break
                self.inflater = zlib.decompressobj(wbits=31)
            elif self.inflater.unconsumed_tail:
                chunk = self.inflater.unconsumed_tail
            else:
                chunk = self._raw(_INPUT)
                if not chunk:
                    raise ValueError(
                        f"{self.name}: corrupt or truncated gzip data (the compressed data "
                        "ends before the end-of-stream marker)"
                    )
            try:
                out += self.inflater.decompress(chunk, n - len(out))
            except zlib.error as exc:
                raise ValueError(f"{self.name}: corrupt or truncated gzip data ({exc})") from None
        return out


def _source(raw: BinaryIO, name: str) -> tuple[_Plain, bool]:
    """The byte source for ``raw`` (decompressing when it starts with gzip's magic)."""
    head = _Plain(raw, b"", name).read(2)
    if bytes(head) == _GZIP_MAGIC:
        return _Gunzip(raw, bytes(head), name), True
    return _Plain(raw, bytes(head), name), False


# --- the format ---------------------------------------------------------------------------
def _read(
    source: _Plain, name: str, magic: int | None, size: int | None, compressed: bool
) -> numpy.ndarray:
    """The IDX array from ``source``; ``size``: the bytes of the (possibly compressed)
    input, when known, to refuse a header that promises more than it can hold."""
    head = source.read(4)
    if len(head) < 4:
        raise ValueError(f"{name}: too short for an IDX file ({len(head)} bytes)")
    found = int.from_bytes(head, "big")
    type_code, ndim = head[2], head[3]
    if head[:2] != b"\x00\x00" or type_code not in _TYPES or ndim == 0:
        raise ValueError(
            f"{name}: not an IDX file: bad magic number {_describe(found)}; expected "
            f"{_describe(magic) if magic is not None else '0x0000TTDD (type TT, DD dims)'}"
        )
    if magic is not None and found != magic:
        raise ValueError(
            f"{name}: wrong IDX magic number {_describe(found)}, expected {_describe(magic)}"
        )
    header = 4 + 4 * ndim
    dims = source.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
            f"the data has {4 + len(dims)}"
        )
    shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
    dtype = _TYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if expected > MAX_BYTES:
        raise ValueError(
            f"{name}: absurd IDX dimensions {shape}: they promise {expected} bytes of "
            f"{dtype.name}, more than the {MAX_BYTES} accepted"
        )
    if size is not None:
        most = size * _DEFLATE_RATIO + 1024 if compressed else size
        if header + expected > most:
            raise ValueError(
                f"{name}: truncated IDX data: the header promises shape {shape} ({expected} "
                f"bytes of {dtype.name}), more than the file's {size} bytes can hold"
            )
    body = source.read(expected)
    if len(body) < expected:
        raise ValueError(
            f"{name}: truncated IDX data: the header promises shape {shape} ({expected} bytes "
            f"of {dtype.name}), but only {len(body)} bytes follow"
        )
    if source.read(1):
        extra = f"{size - header - expected} extra" if size and not compressed else "or more"
        raise ValueError(
            f"{name}: IDX size mismatch: the header promises shape {shape} ({expected} "
            f"bytes), but {expected + 1} bytes follow ({extra})"
        )
    array = numpy.frombuffer(body, dtype=dtype).reshape(shape)  # writable: body is ours
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def gunzip(data: bytes, name: str = "<bytes>", limit: int = MAX_BYTES) -> bytes:
    """Decompress gzip ``data``, no more than ``limit`` bytes.

    Args:
        data: The gzip bytes.
        name: The file, named in the errors. Defaults to ``"<bytes>"``.
        limit: Most bytes accepted after decompression. Defaults to ``MAX_BYTES`` (4 GiB).

    Returns:
        The decompressed bytes.

    Raises:
        ValueError: Not gzip data, data cut short, or data that expands past ``limit``.

    Examples:
        >>> import gzip
        >>> from neuralab.data.idx import gunzip
        >>> gunzip(gzip.compress(b"abc"))
        b'abc'
        >>> gunzip(gzip.compress(b"abcd"), limit=3)
        Traceback (most recent call last):
        ValueError: <bytes>: gzip data expands to more than the 3 bytes accepted
    """
    if data[:2] != _GZIP_MAGIC:
        raise ValueError(f"{name}: not a gzip file (it starts with {bytes(data[:2])!r})")
    out = _Gunzip(io.BytesIO(data), b"", name).read(limit + 1)
    if len(out) > limit:
        raise ValueError(f"{name}: gzip data expands to more than the {limit} bytes accepted")
    return bytes(out)


def parse_idx(data: bytes, name: str = "<bytes>", magic: int | None = None) -> numpy.ndarray:
    """The array stored in uncompressed IDX bytes, in native byte order (a writable copy).

    Args:
        data: The IDX bytes: magic, dimensions, values.
        name: The file, named in the errors. Defaults to ``"<bytes>"``.
        magic: The magic number expected (e.g. ``IMAGES_MAGIC``), or None for any.
            Defaults to None.

    Returns:
        A NumPy array of the file's dtype and dimensions.

    Raises:
        ValueError: An unknown or unexpected magic, absurd dimensions, or data shorter or
            longer than the header says.

    Examples:
        >>> from neuralab.data.idx import LABELS_MAGIC, parse_idx
        >>> raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])  # uint8, 1 dim of 3
        >>> parse_idx(raw, magic=LABELS_MAGIC).tolist()
        [7, 8, 9]
    """
    return _read(_Plain(io.BytesIO(data), b"", name), name, magic, len(data), False)


def decode_idx(data: bytes, name: str = "<bytes>", magic: int | None = None) -> numpy.ndarray:
    """The array stored in IDX bytes, gzip-compressed or not.

    Decompresses no more than the header promises.

    Args:
        data: The IDX bytes, gzip-compressed or not.
        name: The file, named in the errors. Defaults to ``"<bytes>"``.
        magic: The magic number expected, or None for any. Defaults to None.

    Returns:
        A NumPy array of the file's dtype and dimensions.

    Raises:
        ValueError: Bad gzip data, or a bad IDX header or length (see ``parse_idx``).

    Examples:
        >>> import gzip
        >>> from neuralab.data.idx import decode_idx
        >>> raw = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4])  # uint8, 2 x 2
        >>> decode_idx(gzip.compress(raw)).tolist()
        [[1, 2], [3, 4]]
    """
    source, compressed = _source(io.BytesIO(data), name)
    return _read(source, name, magic, len(data), compressed)


def read_idx(path: str | os.PathLike, magic: int | None = None) -> numpy.ndarray:
    """Read an IDX file, gzip-compressed (detected by its first bytes) or not.

    This reads the file as it is; the MNIST datasets verify its checksum first
    (``neuralab.data.files``). Only regular files are read, and no more than the header
    promises.

    Args:
        path: The file.
        magic: The magic number expected (``IMAGES_MAGIC`` = 2051, ``LABELS_MAGIC`` = 2049),
            or None for any valid IDX file. Defaults to None.

    Returns:
        A NumPy array of the file's dtype and dimensions.

    Raises:
        ValueError: A bad gzip stream, IDX header or length; the message names the file.
        OSError: The file cannot be read or is not a regular file.

    Examples:
        >>> import gzip, tempfile, pathlib
        >>> from neuralab.data import read_idx
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
        >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 5, 0])))
        >>> read_idx(path, magic=2049).tolist()
        [5, 0]
    """
    name = os.fspath(path)
    f, size = safe_io.open_regular(name, "read_idx")
    with f:
        source, compressed = _source(f, name)
        try:
            return _read(source, name, magic, size, compressed)
        except OSError as exc:
            raise OSError(exc.errno, f"read_idx: cannot read {name!r}: {exc}", name) from None
