"""neuralab.utils.data: PyTorch's import path and signatures for the data API
(DataLoader's keyword arguments, samplers, default_collate's rules, random_split with a
Generator), checked against torch.utils.data where both exist."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import neuralab
from neuralab import Tensor
from neuralab.backend import Generator
from neuralab.utils import data as nud


class Squares(nud.Dataset):
    """A map-style dataset with per-sample Python work: (i, i * i) as numbers."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        return np.float32([i]), i * i


def order(loader) -> list[int]:
    return [int(v) for batch in loader for v in batch[0].numpy().reshape(-1)]


def test_import_paths_are_pytorchs() -> None:
    assert neuralab.utils.data.DataLoader is neuralab.data.DataLoader
    assert nud.TensorDataset is neuralab.data.TensorDataset
    assert nud.dataloader.default_collate is nud.default_collate
    assert nud.sampler.RandomSampler is nud.RandomSampler
    with pytest.raises(NotImplementedError, match="tensorboard"):
        _ = neuralab.utils.tensorboard
    with pytest.raises(NotImplementedError, match="DistributedSampler"):
        _ = nud.DistributedSampler


def test_loader_len_dataset_and_next_iter() -> None:
    ds = nud.TensorDataset(Tensor(np.arange(10.0)), Tensor(np.arange(10)))
    loader = nud.DataLoader(ds, batch_size=4)
    assert len(loader) == 3 and len(loader.dataset) == 10
    x, y = next(iter(loader))
    assert x.numpy().tolist() == [0.0, 1.0, 2.0, 3.0] and y.dtype == np.int64
    assert isinstance(loader.sampler, nud.SequentialSampler)
    shuffled = nud.DataLoader(ds, batch_size=4, shuffle=True, drop_last=True)
    assert isinstance(shuffled.sampler, nud.RandomSampler) and len(shuffled) == 2
    assert sum(len(b[0]) for b in shuffled) == 8


@pytest.mark.parametrize("dataset", [lambda: nud.TensorDataset(np.arange(23)), lambda: Squares(23)])
def test_num_workers_pin_memory_and_worker_init_fn(dataset) -> None:
    calls, infos = [], []

    def init(worker_id: int) -> None:
        calls.append(worker_id)
        infos.append(nud.get_worker_info())

    plain = nud.DataLoader(dataset(), batch_size=5)
    workers = nud.DataLoader(
        dataset(),
        batch_size=5,
        num_workers=2,
        pin_memory=True,
        worker_init_fn=init,
        prefetch_factor=2,
        persistent_workers=True,
        timeout=10,
    )
    assert order(workers) == order(plain) == list(range(23))
    assert order(workers) == list(range(23))  # a second epoch: worker_init_fn not again
    assert calls == [0] and infos[0].id == 0 and infos[0].num_workers == 1
    assert nud.get_worker_info() is None  # outside worker_init_fn: single-process
    assert workers.num_workers == 2 and workers.pin_memory is True


def test_dataloader_rejects_what_pytorch_rejects() -> None:
    ds = nud.TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="prefetch_factor"):
        nud.DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers"):
        nud.DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="non-negative"):
        nud.DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        nud.DataLoader(ds, shuffle=True, sampler=[0, 1])
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        nud.DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(TypeError, match="collate_fn"):
        nud.DataLoader(ds, collate_fn=3)


@pytest.mark.parametrize("dataset", [lambda: nud.TensorDataset(np.arange(50)), lambda: Squares(50)])
def test_generator_makes_the_order_reproducible(dataset) -> None:
    g = Generator().manual_seed(7)
    loader = nud.DataLoader(dataset(), batch_size=8, shuffle=True, generator=g)
    first, second = order(loader), order(loader)
    assert sorted(first) == list(range(50)) and first != second  # epochs differ
    g.manual_seed(7)  # reseeding after building the loader counts, as in PyTorch
    assert order(loader) == first
    other = nud.DataLoader(
        dataset(), batch_size=8, shuffle=True, generator=Generator().manual_seed(7)
    )
    assert order(other) == first
    neuralab.manual_seed(3)
    a = order(nud.DataLoader(dataset(), batch_size=8, shuffle=True))
    neuralab.manual_seed(3)
    assert order(nud.DataLoader(dataset(), batch_size=8, shuffle=True)) == a


def test_collate_fn_drop_last_samplers_and_batch_sampler() -> None:
    ds = Squares(10)
    sizes = nud.DataLoader(ds, batch_size=4, collate_fn=len)
    assert list(sizes) == [4, 4, 2]
    assert list(nud.DataLoader(ds, batch_size=4, drop_last=True, collate_fn=len)) == [4, 4]
    picked = nud.DataLoader(ds, batch_size=2, sampler=[9, 3, 3, 0])
    assert order(picked) == [9, 3, 3, 0] and len(picked) == 2
    by_batch = nud.DataLoader(ds, batch_sampler=[[1, 2, 3], [7]])
    assert [b[1].numpy().tolist() for b in by_batch] == [[1, 4, 9], [49]]
    tensors = nud.TensorDataset(np.arange(10) * 10)
    assert [b[0].numpy().tolist() for b in nud.DataLoader(tensors, batch_sampler=[[2, 0]])] == [
        [20, 0]
    ]
    single = list(nud.DataLoader(ds, batch_size=None))
    assert len(single) == 10 and isinstance(single[2][0], Tensor) and single[2][1] == 4
    sub = nud.DataLoader(ds, batch_size=3, sampler=nud.SubsetRandomSampler([1, 5, 8], generator=0))
    assert sorted(order(sub)) == [1, 5, 8]


def test_batch_sampler_matches_torch() -> None:
    for n, size, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]:
        ours = list(nud.BatchSampler(nud.SequentialSampler(range(n)), size, drop))
        theirs = list(tud.BatchSampler(tud.SequentialSampler(range(n)), size, drop))
        assert ours == theirs
        assert len(nud.BatchSampler(nud.SequentialSampler(range(n)), size, drop)) == len(theirs)
    assert list(nud.BatchSampler([4, 2, 0], 2, False)) == [[4, 2], [0]]


def test_random_and_weighted_samplers() -> None:
    rs = nud.RandomSampler(range(10), generator=Generator().manual_seed(0))
    assert sorted(rs) == list(range(10)) and len(rs) == 10
    more = list(nud.RandomSampler(range(4), num_samples=10, generator=1))
    assert len(more) == 10 and sorted(more[:4]) == sorted(more[4:8]) == [0, 1, 2, 3]
    rep = list(nud.RandomSampler(range(3), replacement=True, num_samples=100, generator=2))
    assert len(rep) == 100 and set(rep) == {0, 1, 2}
    w = nud.WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, generator=3)
    counts = np.bincount(list(w), minlength=3)
    assert counts[0] == 0 and 0.70 < counts[2] / 4000 < 0.80
    with pytest.raises(ValueError, match="without replacement"):
        nud.WeightedRandomSampler([0.0, 1.0], 2, replacement=False)


def test_iterable_dataset_batches_in_stream_order() -> None:
    class Stream(nud.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.numpy().tolist() for b in nud.DataLoader(Stream(), batch_size=3)] == [
        [0, 1, 2],
        [3, 4, 5],
        [6],
    ]
    assert len(list(nud.DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    assert [int(b) for b in nud.DataLoader(Stream() + Stream(), batch_size=None)][-1] == 6
    with pytest.raises(ValueError, match="shuffle"):
        nud.DataLoader(Stream(), shuffle=True)
    with pytest.raises(TypeError):
        len(nud.DataLoader(Stream()))


def _same(ours, theirs) -> None:
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, Tensor), type(ours)
        assert ours.dtype == theirs.numpy().dtype, (ours.dtype, theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            _same(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    else:
        assert ours == theirs


@pytest.mark.parametrize(
    "batch",
    [
        [1, 2, 3],
        [0.5, 1.25],
        [True, False],
        [np.float32(1.5), np.float32(2.0)],
        [np.int32(3), np.int32(4)],
        [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)],
        [np.arange(3), np.arange(3)],
        ["a", "b"],
        [(np.ones(2), 1, "x"), (np.zeros(2), 2, "y")],
        [
            {"img": np.ones((1, 2), np.uint8), "label": 3},
            {"img": np.ones((1, 2), np.uint8), "label": 4},
        ],
        [[1.0, 2], [3.0, 4]],
    ],
)
def test_default_collate_follows_torch(batch) -> None:
    theirs = tud.default_collate(batch)
    ours = nud.default_collate(batch)
    _same(ours, theirs)


def test_default_collate_stacks_tensors() -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.random((3, 2)).astype(np.float32) for _ in range(4)]
    _same(
        nud.default_collate([Tensor(a) for a in arrays]),
        tud.default_collate([torch.from_numpy(a) for a in arrays]),
    )
    with pytest.raises(TypeError, match="collate_fn"):
        nud.default_collate([object()])


def test_random_split_with_a_generator() -> None:
    ds = nud.TensorDataset(np.arange(100))
    a = nud.random_split(ds, [0.7, 0.2, 0.1], generator=Generator().manual_seed(42))
    b = nud.random_split(ds, [0.7, 0.2, 0.1], generator=Generator().manual_seed(42))
    assert [len(s) for s in a] == [70, 20, 10]
    assert [s.indices.tolist() for s in a] == [s.indices.tolist() for s in b]
    every = sorted(i for s in a for i in s.indices.tolist())
    assert every == list(range(100))
    c = nud.random_split(ds, [0.7, 0.2, 0.1], generator=Generator().manual_seed(43))
    assert a[0].indices.tolist() != c[0].indices.tolist()
    lengths = nud.random_split(range(10), [3, 7], generator=Generator().manual_seed(0))
    assert [len(s) for s in lengths] == [3, 7]
    theirs = tud.random_split(range(10), [0.34, 0.33, 0.33])
    assert [len(s) for s in nud.random_split(range(10), [0.34, 0.33, 0.33])] == [
        len(s) for s in theirs
    ]
    with pytest.raises(ValueError, match="sum"):
        nud.random_split(ds, [50, 40])


def test_concat_dataset_matches_torch() -> None:
    parts = [list(range(3)), list(range(10, 15)), list(range(20, 22))]
    ours = nud.ConcatDataset([nud.Subset(p, range(len(p))) for p in parts])
    theirs = tud.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 10
    assert [ours[i] for i in range(-10, 10)] == [theirs[i] for i in range(-10, 10)]
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    with pytest.raises(IndexError):
        ours[10]
    both = nud.TensorDataset(np.arange(2)) + nud.TensorDataset(np.arange(5, 8))
    assert isinstance(both, nud.ConcatDataset) and len(both) == 5
    assert order(nud.DataLoader(both, batch_size=2)) == [0, 1, 5, 6, 7]


def test_a_sampler_subclass_with_its_own_iter_is_followed_as_in_torch():
    import torch.utils.data as td

    data = np.arange(10.0)

    class Reverse(nud.SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    class TorchReverse(td.SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    mine = nud.DataLoader(
        nud.TensorDataset(neuralab.tensor(data)), sampler=Reverse(data), batch_size=4
    )
    ds = td.TensorDataset(torch.tensor(data))
    theirs = td.DataLoader(ds, sampler=TorchReverse(data), batch_size=4)
    assert [b[0].tolist() for b in mine] == [b[0].tolist() for b in theirs]


def test_a_sequential_sampler_shorter_than_the_data_set_is_its_length():
    data = neuralab.arange(10)
    loader = nud.DataLoader(
        nud.TensorDataset(data), sampler=nud.SequentialSampler(range(5)), batch_size=4
    )
    assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4]]
