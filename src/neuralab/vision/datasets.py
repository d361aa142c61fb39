"""Datasets with ``torchvision.datasets``'s signatures: ``MNIST`` and ``FashionMNIST``.

``MNIST(root, train=True, transform=None, target_transform=None, download=False)``:

- ``ds[i]`` is ``(image, label)``: the image is what ``transform`` makes of the raw
  picture, a uint8 H x W NumPy array (torchvision gives a PIL image; ``ToTensor`` takes
  either), the label an int (after ``target_transform``).
- ``.data``: every image, a uint8 Tensor N x 28 x 28; ``.targets``: the labels, an
  int64 Tensor; ``.classes``, ``.class_to_idx``, ``len(ds)``. Assigning ``.data`` /
  ``.targets`` (e.g. to keep some classes) changes the samples, as in torchvision.
- The files: the original IDX gzip files, looked for in ``root/MNIST/raw/`` (where
  torchvision puts them), ``root/mnist/``, ``root`` itself, then ``$NEURALAB_DATA`` and
  the user cache (``neuralab.data.files``); each is checked against its published
  SHA-256. ``download=True`` downloads missing files (into the user cache) and does
  nothing when they are present; without them a ``DataNotFoundError`` names every place
  looked at.

Reading reuses ``neuralab.data.mnist`` and ``neuralab.data.idx``. When ``transform`` is
deterministic and per-pixel (``ToTensor``, ``Normalize``, ``Compose`` of these: any
transform with a ``_batch`` form) and ``target_transform`` is None, a ``DataLoader``
gathers each batch's raw images with one fancy index and transforms them at once, bit
for bit what the per-sample pipeline gives, instead of calling ``ds[i]`` per sample.
"""

from __future__ import annotations

import numbers
import os
from typing import Any, ClassVar

import numpy

from neuralab import backend
from neuralab.data import mnist as _mnist
from neuralab.tensor import Tensor

__all__ = ["MNIST", "FashionMNIST"]


def _array(value: Any) -> numpy.ndarray:
    return value._data if isinstance(value, Tensor) else numpy.asarray(value)


class MNIST(_mnist.MNIST):
    """The MNIST digits, as ``torchvision.datasets.MNIST``.

    ``ds[i]`` is ``(image, label)``: the image is what ``transform`` makes of the raw picture,
    a uint8 H x W NumPy array (torchvision gives a PIL image; ``ToTensor`` takes either), the
    label an int. ``.data``: every image, a uint8 Tensor N x 28 x 28; ``.targets``: the
    labels, an int64 Tensor; ``.classes``, ``.class_to_idx``. Assigning ``.data`` /
    ``.targets`` (e.g. to keep some classes) changes the samples, as in torchvision.

    Args:
        root: The data folder; the files are looked for in ``root/MNIST/raw/`` (where
            torchvision puts them; ``FashionMNIST/raw`` for Fashion-MNIST), ``root/mnist/``,
            ``root``, then ``$NEURALAB_DATA`` and the user cache.
        train: The training split (60,000 images) if True, else the test split (10,000).
            Defaults to True.
        transform: A function of the raw picture (a uint8 H x W array), e.g. ``ToTensor()``.
            Defaults to None.
        target_transform: A function of the label (an int). Defaults to None.
        download: Download missing files into the user cache (nothing when present).
            Defaults to False.

    Raises:
        DataNotFoundError: Missing files without download; the message names every place
            looked at.
        ChecksumError: A file whose SHA-256 is not the published one.
        TypeError: A flag that is not a bool, or a transform that is not callable.

    Examples:
        >>> from neuralab.vision import datasets, transforms
        >>> # skipped: reads the 11 MB training files
        >>> ds = datasets.MNIST("data", transform=transforms.ToTensor())  # doctest: +SKIP
        >>> x, y = ds[0]  # doctest: +SKIP
        >>> len(ds), x.shape, y, ds.data.dtype  # doctest: +SKIP
        (60000, (1, 28, 28), 5, dtype('uint8'))
    """

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Any = None,
        target_transform: Any = None,
        download: bool = False,
    ) -> None:
        self.root = root
        super().__init__(
            root, train, transform, target_transform, download, flatten=False, scale=None
        )

    # .data / .targets: Tensors over the arrays the samples are read from.
    @property  # type: ignore[override]
    def data(self) -> Tensor:
        """Every image, a uint8 Tensor N x 28 x 28 (assignable, as in torchvision)."""
        return Tensor._from_array(self._images)

    @data.setter
    def data(self, value: Any) -> None:
        self._images = _array(value)

    @property  # type: ignore[override]
    def targets(self) -> Tensor:
        """The labels, an int64 Tensor of N (assignable, as in torchvision)."""
        return Tensor._from_array(self._labels)

    @targets.setter
    def targets(self, value: Any) -> None:
        self._labels = _array(value)

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Each class name's index, ``{"0 - zero": 0, ...}``."""
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(
                f"{type(self).__name__}: index must be an int, got {type(index).__name__}"
            )
        image = self._images[index].copy()  # never a view into .data
        target: Any = int(self._labels[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _arrays(self) -> tuple[Any, Any] | None:
        """(raw images, labels) when the transforms can run on whole batches (see the
        module's docstring), else None (one ``ds[i]`` per sample)."""
        if self.target_transform is not None:
            return None
        if self.transform is not None and getattr(self.transform, "_batch", None) is None:
            return None
        return self._images, self._labels.astype(backend.int64, copy=False)

    def _row_transforms(self) -> tuple[Any, None]:
        """The transform's batch form for the images (None: no transform), none for labels."""
        return (None if self.transform is None else self.transform._batch), None

    def arrays(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Not here: ``arrays()`` belongs to ``neuralab.data.MNIST``.

        Raises:
            NotImplementedError: Always; use ``.data`` and ``.targets``, or a DataLoader.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.arrays() is neuralab.data.{type(self).__name__}'s; here "
            "use .data and .targets, or a DataLoader"
        )

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    StandardTransform\nTransform: {self.transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's clothing images), as ``torchvision.datasets.FashionMNIST``.

    The same interface as ``MNIST``; 10 classes of clothing.

    Args:
        root: The data folder; the files are looked for in ``root/MNIST/raw/`` (where
            torchvision puts them; ``FashionMNIST/raw`` for Fashion-MNIST), ``root/mnist/``,
            ``root``, then ``$NEURALAB_DATA`` and the user cache.
        train: The training split (60,000 images) if True, else the test split (10,000).
            Defaults to True.
        transform: A function of the raw picture (a uint8 H x W array), e.g. ``ToTensor()``.
            Defaults to None.
        target_transform: A function of the label (an int). Defaults to None.
        download: Download missing files into the user cache (nothing when present).
            Defaults to False.

    Raises:
        DataNotFoundError: Missing files without download; the message names every place
            looked at.
        ChecksumError: A file whose SHA-256 is not the published one.
        TypeError: A flag that is not a bool, or a transform that is not callable.

    Examples:
        >>> from neuralab.vision import datasets
        >>> # skipped: reads the data files
        >>> ds = datasets.FashionMNIST("data", train=False)  # doctest: +SKIP
        >>> len(ds), ds.classes[ds[0][1]]  # doctest: +SKIP
        (10000, 'Ankle boot')
    """

    key = "fashion-mnist"
    classes: ClassVar[list[str]] = _mnist.FashionMNIST.classes


# torchvision.datasets names that neuralab.vision does not provide.
_MISSING = [
    "CIFAR10",
    "CIFAR100",
    "CelebA",
    "Cityscapes",
    "CocoDetection",
    "DatasetFolder",
    "EMNIST",
    "FakeData",
    "Flowers102",
    "ImageFolder",
    "ImageNet",
    "KMNIST",
    "LSUN",
    "Omniglot",
    "QMNIST",
    "SVHN",
    "STL10",
    "VOCDetection",
    "VOCSegmentation",
    "VisionDataset",
]


def __getattr__(name: str) -> Any:
    if name in _MISSING:
        raise NotImplementedError(
            f"torchvision.datasets.{name} is not implemented in neuralab.vision.datasets; "
            f"available: {', '.join(__all__)} (or wrap your arrays in "
            "neuralab.utils.data.TensorDataset)"
        )
    raise AttributeError(f"module 'neuralab.vision.datasets' has no attribute {name!r}")
