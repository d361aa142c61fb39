"""Data: datasets, the DataLoader, transforms, and the data sets themselves.

- ``dataset``: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``,
  ``ConcatDataset``, ``ChainDataset``, ``random_split``, ``train_val_split``
- ``sampler``: ``Sampler``, ``SequentialSampler``, ``RandomSampler``,
  ``SubsetRandomSampler``, ``WeightedRandomSampler``, ``BatchSampler``
- ``loader``: ``DataLoader``, ``default_collate``, ``default_convert``,
  ``get_worker_info``
- ``transforms``: ``Compose``, ``Normalize``, ``Lambda``, ``ToFloat``
- ``idx``, ``files``: the IDX format; finding, verifying and downloading the files
- ``mnist``: ``MNIST``, ``FashionMNIST``
- ``digits``, ``synthetic``: ``load_digits``, ``make_classification``, ``make_regression``,
  ``make_gaussian_mixture`` (scikit-learn)
- ``sequences``: long-range sequence tasks, ``first_symbol_recall``, ``adding_problem``

Names follow ``torch.utils.data`` and ``torchvision``. Nothing here unpickles.
"""

from __future__ import annotations

from neuralab.data import files, idx, transforms
from neuralab.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
    train_val_split,
)
from neuralab.data.digits import load_digits
from neuralab.data.files import ChecksumError, DataNotFoundError
from neuralab.data.idx import read_idx
from neuralab.data.loader import (
    DataLoader,
    WorkerInfo,
    default_collate,
    default_convert,
    get_worker_info,
)
from neuralab.data.mnist import MNIST, FashionMNIST
from neuralab.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from neuralab.data.sequences import adding_problem, first_symbol_recall
from neuralab.data.synthetic import (
    gaussian_mixture_centers,
    make_classification,
    make_gaussian_mixture,
    make_regression,
)
from neuralab.data.transforms import Compose, Lambda, Normalize, ToFloat

__all__ = [
    "MNIST",
    "BatchSampler",
    "ChainDataset",
    "ChecksumError",
    "Compose",
    "ConcatDataset",
    "DataLoader",
    "DataNotFoundError",
    "Dataset",
    "FashionMNIST",
    "IterableDataset",
    "Lambda",
    "Normalize",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "ToFloat",
    "WeightedRandomSampler",
    "WorkerInfo",
    "adding_problem",
    "default_collate",
    "default_convert",
    "files",
    "first_symbol_recall",
    "gaussian_mixture_centers",
    "get_worker_info",
    "idx",
    "load_digits",
    "make_classification",
    "make_gaussian_mixture",
    "make_regression",
    "random_split",
    "read_idx",
    "train_val_split",
    "transforms",
]
