"""``neuralab.utils.data``: PyTorch's import path for the data API
(``from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split``).

One implementation, in ``neuralab.data``; this module re-exports it: datasets
(``neuralab.data.dataset``), samplers (``neuralab.data.sampler``) and the
``DataLoader`` with ``default_collate`` (``neuralab.data.loader``). As in
``torch.utils.data``, the submodules are reachable as ``dataset``, ``sampler`` and
``dataloader``.
"""

from __future__ import annotations

from neuralab.data import dataset, sampler
from neuralab.data import loader as dataloader
from neuralab.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from neuralab.data.loader import (
    DataLoader,
    WorkerInfo,
    default_collate,
    default_convert,
    get_worker_info,
)
from neuralab.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "WorkerInfo",
    "dataloader",
    "dataset",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "sampler",
]

_MISSING = {
    "DistributedSampler": "neuralab trains in one process; use RandomSampler",
    "StackDataset": "zip the datasets in a Dataset of your own",
}


def __getattr__(name: str) -> object:
    if name in _MISSING:
        raise NotImplementedError(
            f"torch.utils.data.{name} is not implemented in neuralab.utils.data; {_MISSING[name]}"
        )
    raise AttributeError(f"module 'neuralab.utils.data' has no attribute {name!r}")
