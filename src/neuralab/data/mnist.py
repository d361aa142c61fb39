"""MNIST and Fashion-MNIST, read from their original IDX gzip files.

``MNIST(root=None, train=True, transform=None, target_transform=None, download=True,
flatten=False, scale=(0.0, 1.0))``, as ``torchvision.datasets.MNIST`` plus two options
that say what an image is:

- ``scale=(lo, hi)``: pixels become float32 ``lo + (hi - lo) * x / 255`` (``(0, 1)``, as
  torchvision's ``ToTensor``; ``(-1, 1)`` for a tanh output, e.g. a GAN). ``scale=None``
  keeps the raw uint8 pixels, for a ``transform`` such as
  ``Compose([ToFloat(), Normalize(0.1307, 0.3081)])``.
- ``flatten=False``: an image is ``(1, 28, 28)`` (channels first, for ``Conv2d``);
  ``flatten=True``: a vector of 784 values (for an MLP).

``dataset[i]`` is ``(image, label)``, the image a NumPy array after ``transform``, the
label an int after ``target_transform``. ``.data`` holds all images as they are in the
file (uint8, N x 28 x 28), ``.targets`` the labels (int64, N).

For fast training, ``arrays()`` preprocesses every image at once (vectorized) and
``tensor_dataset()`` wraps the result in a ``TensorDataset`` (float32 images, int64
labels). A ``DataLoader`` over an MNIST dataset (or a ``Subset`` of one) does the same by
itself when the transforms are ``batched`` (``ToFloat``, ``Normalize``, ``Compose`` of
these, or none): it then gathers whole batches instead of calling ``__getitem__`` per
sample.

The files are found (``root``, ``$NEURALAB_DATA``, the user cache), verified by checksum
and, if absent and ``download``, downloaded once: see ``neuralab.data.files``. Unlike
torchvision, ``download`` defaults to True; the files are never downloaded twice.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy

from neuralab import backend
from neuralab.data import files, idx
from neuralab.data.dataset import Dataset, TensorDataset
from neuralab.data.transforms import is_batched
from neuralab.tensor import Tensor

__all__ = ["MNIST", "FashionMNIST"]

_SPLITS = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _check_scale(scale: Any) -> tuple[float, float] | None:
    if scale is None:
        return None
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise TypeError(
            f"scale must be None or a pair (lo, hi) of numbers, got {scale!r}"
        ) from None
    if not (numpy.isfinite(lo) and numpy.isfinite(hi) and lo < hi):
        raise ValueError(
            f"scale must be a pair (lo, hi) of finite numbers with lo < hi, got {scale}"
        )
    return lo, hi


def _as_array(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else numpy.asarray(x)


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28 x 28.

    See the module's docstring for the arguments. Attributes: ``data`` (uint8, N x 28 x
    28), ``targets`` (int64, N), ``classes``, ``files`` (the two paths read).
    """

    key = "mnist"  # the data set's name in neuralab.data.files
    classes: ClassVar[list[str]] = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = True,
        flatten: bool = False,
        scale: tuple[float, float] | None = (0.0, 1.0),
    ) -> None:
        name = type(self).__name__
        for arg, value in (("train", train), ("download", download), ("flatten", flatten)):
            if not isinstance(value, (bool, numpy.bool_)):
                raise TypeError(f"{name}: {arg} must be a bool, got {value!r}")
        for arg, value in (("transform", transform), ("target_transform", target_transform)):
            if value is not None and not callable(value):
                raise TypeError(
                    f"{name}: {arg} must be callable or None, got {type(value).__name__}"
                )
        try:
            self.scale = _check_scale(scale)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name}: {exc}") from None
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        self.flatten = bool(flatten)
        images_file, labels_file = _SPLITS[self.train]
        images_path, images = self._read(images_file, root, download, idx.IMAGES_MAGIC)
        labels_path, labels = self._read(labels_file, root, download, idx.LABELS_MAGIC)
        self.data: numpy.ndarray = images
        if len(labels) != len(self.data):
            raise ValueError(
                f"{name}: {images_path} holds {len(self.data)} images but {labels_path} "
                f"{len(labels)} labels"
            )
        self.targets: numpy.ndarray = labels.astype(backend.int64)
        self.files: tuple[Path, Path] = (images_path, labels_path)
        self._cache: tuple[tuple, tuple[numpy.ndarray, numpy.ndarray]] | None = None

    def _read(
        self, filename: str, root: Any, download: bool, magic: int
    ) -> tuple[Path, numpy.ndarray]:
        """Find (or download), verify, decompress and parse one IDX file."""
        path, raw = files.fetch(self.key, filename, root, download)
        return path, idx.decode_idx(raw, str(path), magic)

    def __len__(self) -> int:
        return len(self.data)

    def _preprocess(self, images: numpy.ndarray) -> numpy.ndarray:
        """uint8 images (n, rows, cols) -> scaled, shaped images (n, 1, rows, cols) or (n, D):
        ``lo + (hi - lo) * x / 255`` in float32 when ``scale`` is set, else uint8."""
        x = images
        if self.scale is not None:
            lo, hi = self.scale
            x = numpy.divide(images, 255.0, dtype=backend.float32)
            if (lo, hi) != (0.0, 1.0):
                x *= hi - lo
                x += lo
        return x.reshape(len(x), -1) if self.flatten else x[:, None]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(
                f"{type(self).__name__}: index must be an int, got {type(index).__name__}"
            )
        image = self._preprocess(self.data[index][None])[0]
        if self.scale is None:
            image = image.copy()  # never a view into .data
        target: Any = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def arrays(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(images, targets) of every sample, preprocessed at once: ``scale`` and
        ``flatten``, then ``transform`` on the whole batch when it is ``batched`` (else
        once per image) and ``target_transform`` likewise. Cached until the transforms,
        ``scale`` or ``flatten`` change."""
        key = (self.scale, self.flatten, self.transform, self.target_transform)
        if self._cache is not None and all(a is b for a, b in zip(self._cache[0], key)):
            return self._cache[1]
        x = self._preprocess(self.data)
        if self.transform is not None:
            if is_batched(self.transform):
                x = _as_array(self.transform(x))
            else:
                x = numpy.stack([_as_array(self.transform(image)) for image in x])
        y = self.targets
        if self.target_transform is not None:
            if is_batched(self.target_transform):
                y = _as_array(self.target_transform(y))
            else:
                y = numpy.array([_as_array(self.target_transform(int(t))) for t in y])
        self._cache = (key, (x, y))
        return x, y

    def tensor_dataset(self) -> TensorDataset:
        """A ``TensorDataset`` of ``arrays()``: float32 images (with ``scale``) and int64
        labels, for the fastest ``DataLoader``."""
        return TensorDataset(*self.arrays())

    def _arrays(self) -> tuple[numpy.ndarray, numpy.ndarray] | None:
        if is_batched(self.transform) and is_batched(self.target_transform):
            return self.arrays()
        return None  # per-sample (possibly random) transforms: one __getitem__ per sample

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return (
            f"{type(self).__name__}(split={split!r}, samples={len(self)}, "
            f"flatten={self.flatten}, scale={self.scale}, root={str(self.files[0].parent)!r})"
        )


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of clothing,
    28 x 28, 10 classes of exactly 6,000 training and 1,000 test images each. Same
    arguments and attributes as ``MNIST``."""

    key = "fashion-mnist"
    classes: ClassVar[list[str]] = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
