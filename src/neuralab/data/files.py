"""Finding, verifying and downloading the data sets' files.

Where files are looked for, in this order (the first directory holding the file wins):

1. the ``root`` argument, when given;
2. the directory in the ``NEURALAB_DATA`` environment variable;
3. the user cache: ``$XDG_CACHE_HOME/neuralab``, else ``~/.cache/neuralab``.

In each directory ``<dir>/<folder>/<file>`` (folder ``mnist`` or ``fashion-mnist``, or
torchvision's ``MNIST/raw`` / ``FashionMNIST/raw``) and then ``<dir>/<file>`` are tried.

Every file is checked against its published size and SHA-256 before use (the MD5s are
kept for reference); a file that does not match raises ``ChecksumError`` naming it and
is never used. A file that passed is remembered for the process (by path, device,
inode, size and modification time), so hashing, tens of ms for the larger files, happens
once per file per process.

When a file is found nowhere and ``download=True``, it is downloaded into the user cache
from the data set's mirrors, with a progress bar when standard error is a terminal
(``neuralab.progress``), verified while it streams, and put in place atomically
(``neuralab.safe_io.atomic_open``: a temporary file in the same folder, then
``os.replace``): a failed or mismatching download leaves nothing behind. Only regular
files are read, and a file of the wrong size is refused before it is read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple

from neuralab import safe_io

__all__ = [
    "FILES",
    "MIRRORS",
    "ChecksumError",
    "DataNotFoundError",
    "cache_dir",
    "download_file",
    "fetch",
    "locate",
    "read_verified",
    "search_dirs",
]


class FileInfo(NamedTuple):
    """A published file: its size in bytes and checksums (hex)."""

    size: int
    md5: str
    sha256: str


# From the publishers (the checksums torchvision and the Fashion-MNIST repository use).
FILES: dict[str, dict[str, FileInfo]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": FileInfo(
            9912422,
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ),
        "train-labels-idx1-ubyte.gz": FileInfo(
            28881,
            "d53e105ee54ea40749a09fcbcd1e9432",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ),
        "t10k-images-idx3-ubyte.gz": FileInfo(
            1648877,
            "9fb629c4189551a2d022fa330f9573f3",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        "t10k-labels-idx1-ubyte.gz": FileInfo(
            4542,
            "ec29112dd5afa0611ce80d1b7f02629c",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": FileInfo(
            26421880,
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        "train-labels-idx1-ubyte.gz": FileInfo(
            29515,
            "25c81989df183df01b3e8a0aad5dffbe",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        "t10k-images-idx3-ubyte.gz": FileInfo(
            4422102,
            "bef4ecab320f06d8554ea6380940ec79",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
        "t10k-labels-idx1-ubyte.gz": FileInfo(
            5148,
            "bb300cfdad3c16e7a12a480ee83cd310",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
    },
}

# Folders tried inside a data directory, first the canonical one (downloads go there).
FOLDERS: dict[str, tuple[str, ...]] = {
    "mnist": ("mnist", "MNIST/raw"),
    "fashion-mnist": ("fashion-mnist", "FashionMNIST/raw"),
}
TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}
ENV_VAR = "NEURALAB_DATA"
TIMEOUT_S = 60.0
_CHUNK = 1 << 20

# sha256 -> (data set, file name), to say which file a mismatching one actually is.
_KNOWN = {info.sha256: (key, name) for key, files in FILES.items() for name, info in files.items()}
_KNOWN_SIZES = {info.size for files in FILES.values() for info in files.values()}
_verified: set[tuple] = set()


def _urlopen(url: str, timeout: float) -> Any:
    """``urllib.request.urlopen`` (imported on first use; tests replace this function)."""
    import urllib.request

    return urllib.request.urlopen(url, timeout=timeout)


class ChecksumError(ValueError):
    """A data file whose size or SHA-256 differs from the published one.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.data import files
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "t10k-labels-idx1-ubyte.gz"
        >>> _ = bad.write_bytes(b"not the labels")
        >>> try:
        ...     files.read_verified(bad, "mnist", "t10k-labels-idx1-ubyte.gz")
        ... except files.ChecksumError:
        ...     print("refused")
        refused
    """


class DataNotFoundError(FileNotFoundError):
    """A data file found in no data directory and not downloaded (a FileNotFoundError).

    Its message says where the file was looked for and where to put it.

    Examples:
        >>> from neuralab.data import files
        >>> issubclass(files.DataNotFoundError, FileNotFoundError)
        True
    """


def _info(dataset: str, filename: str) -> FileInfo:
    if dataset not in FILES:
        raise ValueError(f"unknown data set {dataset!r}; expected one of {sorted(FILES)}")
    if filename not in FILES[dataset]:
        raise ValueError(
            f"unknown {TITLES[dataset]} file {filename!r}; expected one of {sorted(FILES[dataset])}"
        )
    return FILES[dataset][filename]


def cache_dir() -> Path:
    """The user cache for data sets: ``$XDG_CACHE_HOME/neuralab`` or ``~/.cache/neuralab``.

    Returns:
        The folder's path (it may not exist yet).

    Examples:
        >>> from neuralab.data import files
        >>> files.cache_dir().name
        'neuralab'
    """
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "neuralab"


def search_dirs(root: str | os.PathLike | None = None) -> list[Path]:
    """The data directories in lookup order: ``root``, ``$NEURALAB_DATA``, the user cache.

    Args:
        root: A directory searched first, or None. Defaults to None.

    Returns:
        The directories, without repeats.

    Examples:
        >>> from neuralab.data import files
        >>> dirs = files.search_dirs("/tmp/my-data")
        >>> str(dirs[0]), dirs[-1] == files.cache_dir()
        ('/tmp/my-data', True)
    """
    dirs = []
    if root is not None:
        dirs.append(Path(os.fspath(root)).expanduser())
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(cache_dir())
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def locate(dataset: str, filename: str, root: str | os.PathLike | None = None) -> Path | None:
    """Where a data set's file is, not verified yet.

    The first existing ``<dir>/<folder>/<filename>`` or ``<dir>/<filename>`` over the
    directories of ``search_dirs(root)`` (folder ``mnist`` or ``fashion-mnist``, or
    torchvision's ``MNIST/raw`` / ``FashionMNIST/raw``).

    Args:
        dataset: ``"mnist"`` or ``"fashion-mnist"``.
        filename: One of the data set's four file names.
        root: A directory searched first, or None. Defaults to None.

    Returns:
        The path, or None if the file is nowhere.

    Raises:
        ValueError: An unknown data set or file name.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.data import files
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> (root / "mnist").mkdir()
        >>> _ = (root / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")
        >>> files.locate("mnist", "t10k-labels-idx1-ubyte.gz", root).relative_to(root).as_posix()
        'mnist/t10k-labels-idx1-ubyte.gz'
    """
    _info(dataset, filename)
    for directory in search_dirs(root):
        for folder in (*FOLDERS[dataset], ""):
            path = directory / folder / filename if folder else directory / filename
            if path.is_file():
                return path
    return None


def _identity(path: Path, stat: os.stat_result) -> tuple:
    return (os.path.realpath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mismatch(
    path: Any, info: FileInfo, size: int, digest: str | None, downloaded: bool = False
) -> ChecksumError:
    if size != info.size:
        what = "truncated" if size < info.size else "too long"
        detail = f"it has {size} bytes, the published file {info.size} ({what})"
    else:
        detail = f"its SHA-256 is {digest}, the published one {info.sha256}"
    known = _KNOWN.get(digest or "")
    if downloaded:
        hint = "; the download is corrupt or incomplete and was discarded"
    elif known:
        hint = f"; it is in fact {TITLES[known[0]]}'s {known[1]}: check the folder. Not used"
    else:
        hint = "; the file is corrupt or incomplete: delete it and get it again. Not used"
    return ChecksumError(f"{path}: checksum mismatch: {detail}{hint}.")


def read_verified(path: str | os.PathLike, dataset: str, filename: str) -> bytes:
    """The bytes of ``path``, checked to be the published ``dataset`` file ``filename``.

    Size and SHA-256 are checked (hashed once per file per process). A file of the wrong
    size is refused before it is read (it is hashed only when its size is that of another
    published file, to say which one it is).

    Args:
        path: The file to read (a regular file).
        dataset: ``"mnist"`` or ``"fashion-mnist"``.
        filename: Which published file it should be.

    Returns:
        The file's bytes.

    Raises:
        ChecksumError: The size or SHA-256 differs from the published one.
        ValueError: An unknown data set or file name.
        OSError: The file cannot be read or is not a regular file.

    Examples:
        >>> import tempfile, pathlib
        >>> from neuralab.data import files
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "labels.gz"
        >>> _ = bad.write_bytes(b"short")
        >>> files.read_verified(bad, "mnist", "t10k-labels-idx1-ubyte.gz")
        Traceback (most recent call last):
        neuralab.data.files.ChecksumError: ...
    """
    info = _info(dataset, filename)
    path = Path(os.fspath(path))
    f, size = safe_io.open_regular(path, "read")
    with f:
        identity = _identity(path, os.fstat(f.fileno()))
        if size != info.size and size not in _KNOWN_SIZES:
            raise _mismatch(path, info, size, None)
        data = f.read(size + 1)  # size: a published size, so bounded
    if identity in _verified and len(data) == info.size:
        return data
    if len(data) != info.size:
        digest = _sha256(data)
        raise _mismatch(path, info, len(data), digest if digest in _KNOWN else None)
    digest = _sha256(data)
    if digest != info.sha256:
        raise _mismatch(path, info, len(data), digest)
    _verified.add(identity)
    return data


def _progress_bar(total: int, desc: str, show: bool | None) -> Any:
    from neuralab.progress import Bar

    return Bar(total, desc, "MiB", show, scale=2**20)


def _download_one(url: str, target: Path, info: FileInfo, show: bool | None) -> None:
    """Stream ``url`` into a temporary file beside ``target`` (``safe_io.atomic_open``),
    verify, and rename into place; a failed or mismatching download leaves nothing."""
    hasher, received = hashlib.sha256(), 0
    with (
        _urlopen(url, timeout=TIMEOUT_S) as response,
        safe_io.atomic_open(target, "download") as out,
        _progress_bar(info.size, target.name, show) as bar,
    ):
        while chunk := response.read(_CHUNK):
            received += len(chunk)
            if received > info.size:
                raise ChecksumError(
                    f"{url}: the download is longer than the published {info.size} "
                    "bytes; it was discarded"
                )
            out.write(chunk)
            hasher.update(chunk)
            bar.update(len(chunk))
        digest = hasher.hexdigest()
        if received != info.size or digest != info.sha256:
            raise _mismatch(url, info, received, digest, downloaded=True)
    _verified.add(_identity(target, target.stat()))


def _where_to_put(dataset: str, filename: str, root: Any) -> str:
    folder = FOLDERS[dataset][0]
    places = [str(d / folder / filename) for d in search_dirs(root)]
    urls = [base + filename for base in MIRRORS[dataset]]
    return (
        f"Download {filename} (e.g. from {urls[0]}) and put it at one of: "
        f"{', '.join(places)}; or set {ENV_VAR} to a directory holding {folder}/{filename}"
    )


def download_file(
    dataset: str,
    filename: str,
    directory: str | os.PathLike | None = None,
    mirrors: tuple[str, ...] | None = None,
    progress: bool | None = None,
) -> Path:
    """Download ``filename`` of ``dataset``, trying each mirror in turn.

    The bytes are verified (size and SHA-256) while they stream and before the file
    appears; a failed or mismatching download leaves nothing behind.

    Args:
        dataset: ``"mnist"`` or ``"fashion-mnist"``.
        filename: One of the data set's four file names.
        directory: Where to put the file; None for the user cache's data set folder.
            Defaults to None.
        mirrors: Base URLs to try; None for ``MIRRORS[dataset]``. Defaults to None.
        progress: Show a progress bar; None shows one when standard error is a terminal.
            Defaults to None.

    Returns:
        The downloaded file's path.

    Raises:
        DataNotFoundError: Every mirror failed (each one's error is listed).
        ValueError: An unknown data set or file name.

    Examples:
        >>> from neuralab.data import files
        >>> # skipped: needs the network
        >>> files.download_file("mnist", "t10k-labels-idx1-ubyte.gz")  # doctest: +SKIP
        PosixPath('/root/.cache/neuralab/mnist/t10k-labels-idx1-ubyte.gz')
    """
    info = _info(dataset, filename)
    folder = Path(os.fspath(directory)) if directory is not None else None
    folder = folder or cache_dir() / FOLDERS[dataset][0]
    target = folder / filename
    errors = []
    for base in mirrors if mirrors is not None else MIRRORS[dataset]:
        url = base if base.endswith(filename) else base.rstrip("/") + "/" + filename
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _download_one(url, target, info, progress)
            return target
        except (OSError, ValueError) as exc:  # URLError is an OSError
            errors.append(f"{url}: {exc}")
    raise DataNotFoundError(
        f"could not download {TITLES[dataset]}'s {filename} into {folder}: "
        + ("; ".join(errors) or "no mirror to try")
    )


def fetch(
    dataset: str,
    filename: str,
    root: str | os.PathLike | None = None,
    download: bool = True,
    progress: bool | None = None,
) -> tuple[Path, bytes]:
    """The verified bytes of ``dataset``'s ``filename`` and the path they came from.

    Found in the data directories (see the module docs) or, with ``download``, downloaded
    once into the user cache.

    Args:
        dataset: ``"mnist"`` or ``"fashion-mnist"``.
        filename: One of the data set's four file names.
        root: A directory searched first, or None. Defaults to None.
        download: Download the file if it is found nowhere. Defaults to True.
        progress: Show a progress bar while downloading; None shows one when standard error
            is a terminal. Defaults to None.

    Returns:
        ``(path, data)``.

    Raises:
        ChecksumError: A file that does not match the published one.
        DataNotFoundError: No file, and no download (or a failed one); the message says
            where to put the file.

    Examples:
        >>> from neuralab.data import files
        >>> # skipped: needs the data files (or the network)
        >>> path, data = files.fetch("mnist", "t10k-labels-idx1-ubyte.gz")  # doctest: +SKIP
        >>> len(data)  # doctest: +SKIP
        4542
    """
    path = locate(dataset, filename, root)
    if path is not None:
        return path, read_verified(path, dataset, filename)
    searched = ", ".join(str(d) for d in search_dirs(root))
    where = _where_to_put(dataset, filename, root)
    if not download:
        raise DataNotFoundError(
            f"{TITLES[dataset]}'s {filename} was not found in {searched} (download=False). {where}."
        )
    try:
        path = download_file(dataset, filename, progress=progress)
    except DataNotFoundError as exc:
        raise DataNotFoundError(
            f"{TITLES[dataset]}'s {filename} was not found in {searched}, and {exc}. {where}."
        ) from None
    return path, read_verified(path, dataset, filename)
