"""torchvision.datasets.MNIST / FashionMNIST, reading local files only (see ../README.md).

Follows torchvision 0.28's ``datasets/mnist.py``: files under
``root/<ClassName>/raw/``, uncompressed IDX, ``data`` uint8 NxHxW, ``targets`` int64,
items ``(PIL image mode "L", int)``.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

try:
    from PIL import Image
except ImportError:  # pragma: no cover - Pillow is in the dev environment
    Image = None

__all__ = ["MNIST", "FashionMNIST"]

_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def _read_idx(path: str) -> torch.Tensor:
    """An unsigned-byte IDX file (the only type MNIST uses) as a uint8 tensor."""
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if ty != 8 or not 1 <= nd <= 3:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    shape = [int.from_bytes(data[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(nd)]
    array = np.frombuffer(data, dtype=np.uint8, offset=4 * (nd + 1)).reshape(shape)
    return torch.from_numpy(array.copy())


class MNIST(Dataset):
    classes = [  # noqa: RUF012 - a list, as in torchvision
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: Any,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        self.root = os.path.expanduser(str(root))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        split = "train" if train else "t10k"
        self.data = _read_idx(os.path.join(self.raw_folder, f"{split}-images-idx3-ubyte"))
        self.targets = _read_idx(os.path.join(self.raw_folder, f"{split}-labels-idx1-ubyte")).long()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        return all(os.path.isfile(os.path.join(self.raw_folder, f)) for f in _FILES)

    def download(self) -> None:
        """Extract missing files from the ``.gz`` beside them; never fetches anything."""
        if self._check_exists():
            return
        for name in _FILES:
            target = os.path.join(self.raw_folder, name)
            if not os.path.isfile(target) and os.path.isfile(target + ".gz"):
                with gzip.open(target + ".gz", "rb") as src, open(target + ".part", "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.replace(target + ".part", target)
        if not self._check_exists():
            raise RuntimeError(
                f"torchvision_ref cannot download; put the files in {self.raw_folder}"
            )

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img, target = self.data[index], int(self.targets[index])
        img = img.numpy()
        if Image is not None:
            img = Image.fromarray(img, mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        split = "Train" if self.train is True else "Test"
        return (
            f"Dataset {self.__class__.__name__}\n    Number of datapoints: {len(self)}\n"
            f"    Root location: {self.root}\n    Split: {split}"
        )


class FashionMNIST(MNIST):
    classes = [  # noqa: RUF012 - a list, as in torchvision
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
