"""Keras's ``load_data`` format over neuralab's MNIST readers (no second IDX parser)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy

Split = tuple[numpy.ndarray, numpy.ndarray]


def load(dataset: type, root: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) as in the files
    (0 background, 255 ink) and uint8 labels (N,), read by ``dataset`` (``MNIST`` or
    ``FashionMNIST`` of ``neuralab.data``)."""
    splits = []
    for train in (True, False):
        data = dataset(root=root, train=train, scale=None)
        splits.append((numpy.ascontiguousarray(data.data), data.targets.astype(numpy.uint8)))
    return splits[0], splits[1]


def keras_cache_path(path: Any) -> Path:
    """Where Keras would look for ``path``: as given when absolute, else under
    ``$KERAS_HOME`` (default ``~/.keras``) / datasets."""
    p = Path(os.fspath(path)).expanduser()
    if p.is_absolute() or p.exists():
        return p
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    return home / "datasets" / p
