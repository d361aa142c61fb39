"""Data: datasets, the DataLoader, transforms, and the data sets themselves.

- ``dataset``: ``Dataset``, ``TensorDataset``, ``Subset``, ``random_split``,
  ``train_val_split``
- ``loader``: ``DataLoader``, ``default_collate``
- ``transforms``: ``Compose``, ``Normalize``, ``Lambda``, ``ToFloat``
- ``idx``, ``files``: the IDX format; finding, verifying and downloading the files
- ``mnist``: ``MNIST``, ``FashionMNIST``
- ``digits``, ``synthetic``: ``load_digits``, ``make_classification``, ``make_regression``
  (scikit-learn)

Names follow ``torch.utils.data`` and ``torchvision``. Nothing here unpickles.
"""

from __future__ import annotations

from neuralab.data import files, idx, transforms
from neuralab.data.dataset import Dataset, Subset, TensorDataset, random_split, train_val_split
from neuralab.data.digits import load_digits
from neuralab.data.files import ChecksumError, DataNotFoundError
from neuralab.data.idx import read_idx
from neuralab.data.loader import DataLoader, default_collate
from neuralab.data.mnist import MNIST, FashionMNIST
from neuralab.data.synthetic import make_classification, make_regression
from neuralab.data.transforms import Compose, Lambda, Normalize, ToFloat

__all__ = [
    "MNIST",
    "ChecksumError",
    "Compose",
    "DataLoader",
    "DataNotFoundError",
    "Dataset",
    "FashionMNIST",
    "Lambda",
    "Normalize",
    "Subset",
    "TensorDataset",
    "ToFloat",
    "default_collate",
    "files",
    "idx",
    "load_digits",
    "make_classification",
    "make_regression",
    "random_split",
    "read_idx",
    "train_val_split",
    "transforms",
]
