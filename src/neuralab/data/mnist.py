"""MNIST and Fashion-MNIST, read from their original IDX gzip files.

As ``torchvision.datasets.MNIST`` plus two options that say what an image is
(``scale`` and ``flatten``); ``arrays()`` and ``tensor_dataset()`` preprocess every image
at once for fast training. The files are found (``root``, ``$NEURALAB_DATA``, the user
cache), verified by checksum and, if absent and ``download``, downloaded once: see
``neuralab.data.files``.
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

    ``dataset[i]`` is ``(image, label)``, the image a NumPy array after ``transform``, the
    label an int after ``target_transform``. Attributes: ``data`` (all images as in the
    file, uint8, N x 28 x 28), ``targets`` (int64, N), ``classes``, ``files`` (the two
    paths read).

    A ``DataLoader`` over an MNIST dataset (or a ``Subset`` of one) gathers whole batches
    from ``arrays()`` instead of calling ``__getitem__`` per sample when the transforms are
    batched (or none).

    Args:
        root: A folder holding the four ``.gz`` files; None searches ``$NEURALAB_DATA`` and
            the user cache (see ``neuralab.data.files``). Defaults to None.
        train: The training split (60,000 images) if True, else the test split (10,000).
            Defaults to True.
        transform: A function applied to each image (a NumPy array); a ``batched`` one
            (``ToFloat``, ``Normalize``, a ``Compose`` of these) also runs on whole batches in
            ``arrays()`` and the DataLoader's fast path. Defaults to None.
        target_transform: A function applied to each label (an int). Defaults to None.
        download: Download the files once if they are not found (unlike torchvision,
            True by default; never downloaded twice). Defaults to True.
        flatten: Each image a vector of 784 values (for an MLP) instead of ``(1, 28, 28)``
            (channels first, for ``Conv2d``). Defaults to False.
        scale: ``(lo, hi)``: pixels become float32 ``lo + (hi - lo) * x / 255`` (``(0, 1)``
            as torchvision's ``ToTensor``; ``(-1, 1)`` for a tanh output, e.g. a GAN); None
            keeps the raw uint8 pixels, for a transform such as
            ``Compose([ToFloat(), Normalize(0.1307, 0.3081)])``. Defaults to (0.0, 1.0).

    Raises:
        TypeError: A train, download or flatten that is not a bool, a transform that is not
            callable, or a scale that is not a pair of numbers.
        ValueError: A scale with lo >= hi or not finite, or files whose image and label
            counts differ.
        DataNotFoundError: The files are not found and ``download`` is False (or the
            download fails).
        ChecksumError: A file whose checksum is wrong.

    Examples:
        >>> from neuralab.data import MNIST
        >>> # skipped: reads the 11 MB training files (and may download them)
        >>> train = MNIST(train=True, flatten=True)  # doctest: +SKIP
        >>> len(train), train[0][0].shape, train[0][1]  # doctest: +SKIP
        (60000, (784,), 5)
        >>> x, y = train.arrays()  # doctest: +SKIP
        >>> x.dtype, float(x.min()), float(x.max()), y.dtype  # doctest: +SKIP
        (dtype('float32'), 0.0, 1.0, dtype('int64'))
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
        """``(images, targets)`` of every sample, preprocessed at once.

        ``scale`` and ``flatten``, then ``transform`` on the whole batch when it is ``batched``
        (else once per image) and ``target_transform`` likewise. Cached until the transforms,
        ``scale`` or ``flatten`` change.

        Returns:
            Two NumPy arrays: images (N, 1, 28, 28) or (N, 784), targets (N,).
        """
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
        """A ``TensorDataset`` of ``arrays()``, for the fastest ``DataLoader``.

        Returns:
            A ``TensorDataset`` of float32 images (with ``scale``) and int64 labels.
        """
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
    """Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of clothing, 28 x 28.

    10 classes of exactly 6,000 training and 1,000 test images each. Same arguments,
    attributes and methods as ``MNIST``.

    Args:
        root: A folder holding the four ``.gz`` files; None searches ``$NEURALAB_DATA`` and
            the user cache (see ``neuralab.data.files``). Defaults to None.
        train: The training split (60,000 images) if True, else the test split (10,000).
            Defaults to True.
        transform: A function applied to each image (a NumPy array); a ``batched`` one
            (``ToFloat``, ``Normalize``, a ``Compose`` of these) also runs on whole batches in
            ``arrays()`` and the DataLoader's fast path. Defaults to None.
        target_transform: A function applied to each label (an int). Defaults to None.
        download: Download the files once if they are not found (unlike torchvision,
            True by default; never downloaded twice). Defaults to True.
        flatten: Each image a vector of 784 values (for an MLP) instead of ``(1, 28, 28)``
            (channels first, for ``Conv2d``). Defaults to False.
        scale: ``(lo, hi)``: pixels become float32 ``lo + (hi - lo) * x / 255`` (``(0, 1)``
            as torchvision's ``ToTensor``; ``(-1, 1)`` for a tanh output, e.g. a GAN); None
            keeps the raw uint8 pixels, for a transform such as
            ``Compose([ToFloat(), Normalize(0.1307, 0.3081)])``. Defaults to (0.0, 1.0).

    Raises:
        TypeError: A train, download or flatten that is not a bool, a transform that is not
            callable, or a scale that is not a pair of numbers.
        ValueError: A scale with lo >= hi or not finite, or files whose image and label
            counts differ.
        DataNotFoundError: The files are not found and ``download`` is False (or the
            download fails).
        ChecksumError: A file whose checksum is wrong.

    Examples:
        >>> from neuralab.data import FashionMNIST
        >>> # skipped: reads the data files (and may download them)
        >>> test = FashionMNIST(train=False)  # doctest: +SKIP
        >>> len(test), test[0][0].shape, test.classes[test[0][1]]  # doctest: +SKIP
        (10000, (1, 28, 28), 'Ankle boot')
    """

    key = "fashion-mnist"
    classes: ClassVar[list[str]] = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
