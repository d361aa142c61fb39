"""neuralab.data: datasets, DataLoader, transforms, IDX files, MNIST / Fashion-MNIST,
digits and synthetic generators. No test touches the network: downloads are served from
local files (file:// URLs or a replaced opener)."""

from __future__ import annotations

import collections
import io
import os
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

import neuralab
from neuralab import Tensor
from neuralab.data import (
    MNIST,
    ChecksumError,
    Compose,
    DataLoader,
    DataNotFoundError,
    Dataset,
    FashionMNIST,
    Lambda,
    Normalize,
    Subset,
    TensorDataset,
    ToFloat,
    default_collate,
    files,
    idx,
    load_digits,
    make_classification,
    make_regression,
    random_split,
    read_idx,
    train_val_split,
)
from neuralab.data.transforms import is_batched

T10K = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
LABELS = "t10k-labels-idx1-ubyte.gz"
_real_urlopen = files._urlopen


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache, no NEURALAB_DATA, and no network (file:// URLs only)."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("NEURALAB_DATA", raising=False)

    def offline(url: str, *args, **kwargs):
        if not url.startswith("file:"):
            raise urllib.error.URLError(f"network disabled in tests ({url})")
        return _real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(files, "_urlopen", offline)
    return cache / "neuralab"


def _link(src_dir: Path, dst_dir: Path, names=T10K) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        (dst_dir / name).symlink_to(src_dir / name)
    return dst_dir


def _flip_byte(path: Path, offset: int = 100) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _all_files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


# --- real MNIST / Fashion-MNIST ------------------------------------------------------------
@pytest.fixture(scope="module")
def mnist_test(datasets_dir: Path) -> MNIST:
    return MNIST(root=datasets_dir, train=False, download=False)


def test_mnist_train_shapes_dtypes_and_class_counts(neuralab_data: Path) -> None:
    ds = MNIST(train=True)
    assert ds.data.shape == (60000, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.shape == (60000,) and ds.targets.dtype == np.int64
    counts = np.bincount(ds.targets, minlength=10)
    assert counts.sum() == 60000 and counts[5] == 5421 and counts[1] == 6742
    assert counts.min() == counts[5] and counts.max() == counts[1]
    assert ds.files[0] == neuralab_data / "mnist" / "train-images-idx3-ubyte.gz"
    assert ds.data.max() == 255 and ds.data.min() == 0


def test_mnist_test_split(mnist_test: MNIST) -> None:
    assert len(mnist_test) == 10000 and mnist_test.data.shape == (10000, 28, 28)
    counts = np.bincount(mnist_test.targets, minlength=10)
    assert counts.min() == 892 and counts.max() == 1135


@pytest.mark.parametrize("train, per_class", [(True, 6000), (False, 1000)])
def test_fashion_mnist_is_balanced(neuralab_data: Path, train: bool, per_class: int) -> None:
    ds = FashionMNIST(train=train)
    assert ds.data.shape == (10 * per_class, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.dtype == np.int64
    assert np.bincount(ds.targets).tolist() == [per_class] * 10
    assert ds.files[1].parent == neuralab_data / "fashion-mnist"
    assert len(ds.classes) == 10 and ds.classes[9] == "Ankle boot"


def test_mnist_sample_and_scaled_arrays(datasets_dir: Path) -> None:
    ds = MNIST(root=datasets_dir, train=False, flatten=True, scale=(-1, 1))
    image, label = ds[3]
    assert image.shape == (784,) and image.dtype == np.float32 and isinstance(label, int)
    x, y = ds.arrays()
    assert x.shape == (10000, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == -1.0 and x.max() == 1.0
    assert np.abs(x[:500] - (ds.data[:500].reshape(500, -1) / 255.0 * 2 - 1)).max() < 1e-6
    np.testing.assert_array_equal(image, x[3])
    tds = ds.tensor_dataset()
    assert isinstance(tds, TensorDataset) and tds.tensors[0].dtype == np.float32
    assert ds.arrays()[0] is x  # cached


def test_mnist_default_images_have_a_channel_axis(mnist_test: MNIST) -> None:
    image, _ = mnist_test[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    # x / 255 exactly as torchvision's ToTensor
    expected = torch.from_numpy(mnist_test.data[0]).float().div(255).numpy()
    np.testing.assert_array_equal(image[0], expected)


def test_mnist_transforms_vectorized_equal_per_sample(datasets_dir: Path) -> None:
    norm = Compose([ToFloat(), Normalize(0.1307, 0.3081)])
    ds = MNIST(root=datasets_dir, train=False, scale=None, transform=norm,
               target_transform=Lambda(lambda t: t % 2, batched=True))  # fmt: skip
    x, y = ds.arrays()
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.float32
    for i in (0, 17, 9999):
        image, target = ds[i]
        np.testing.assert_array_equal(image, x[i])
        assert target == y[i] == ds.targets[i] % 2
    expected = (ds.data[:500, None].astype(np.float32) / 255 - 0.1307) / 0.3081
    assert np.abs(x[:500] - expected).max() < 1e-5


def test_mnist_raw_samples_do_not_alias_data(mnist_test: MNIST, datasets_dir: Path) -> None:
    ds = MNIST(root=datasets_dir, train=False, scale=None)
    image, _ = ds[0]
    assert image.dtype == np.uint8 and image.shape == (1, 28, 28)
    image[...] = 7
    assert not np.all(ds.data[0] == 7)


def test_mnist_bad_arguments(datasets_dir: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        MNIST(root=datasets_dir, train=False, scale=(1, 0))
    with pytest.raises(TypeError, match="scale"):
        MNIST(root=datasets_dir, train=False, scale="0-1")
    with pytest.raises(TypeError, match="transform must be callable"):
        MNIST(root=datasets_dir, train=False, transform=3)
    with pytest.raises(TypeError, match="train must be a bool"):
        MNIST(root=datasets_dir, train="yes")
    with pytest.raises(TypeError, match="index must be an int"):
        MNIST(root=datasets_dir, train=False)[1.5]


# --- lookup: root, NEURALAB_DATA, user cache --------------------------------------------
def test_lookup_root_flat_layout(datasets_dir: Path, tmp_path: Path) -> None:
    flat = _link(datasets_dir / "mnist", tmp_path / "flat")
    ds = MNIST(root=flat, train=False, download=False)
    assert ds.files == (flat / T10K[0], flat / T10K[1])


def test_lookup_torchvision_layout(datasets_dir: Path, tmp_path: Path) -> None:
    _link(datasets_dir / "fashion-mnist", tmp_path / "tv" / "FashionMNIST" / "raw")
    ds = FashionMNIST(root=tmp_path / "tv", train=False, download=False)
    assert ds.files[0] == tmp_path / "tv" / "FashionMNIST" / "raw" / T10K[0]


def test_lookup_order_root_then_env_then_cache(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.setenv("NEURALAB_DATA", str(datasets_dir))
    _link(datasets_dir / "mnist", isolated / "mnist")  # the cache holds them too
    assert files.search_dirs(tmp_path / "r") == [tmp_path / "r", datasets_dir, isolated]
    # a root without the files: NEURALAB_DATA comes next, before the cache
    assert MNIST(root=tmp_path / "empty", train=False).files[0].parent == datasets_dir / "mnist"
    # the root is searched first: its corrupt file is found (and rejected) before the others
    bad = tmp_path / "bad" / "mnist"
    bad.mkdir(parents=True)
    shutil.copyfile(datasets_dir / "mnist" / LABELS, bad / LABELS)
    _flip_byte(bad / LABELS)
    with pytest.raises(ChecksumError, match=str(bad / LABELS)):
        MNIST(root=tmp_path / "bad", train=False)
    monkeypatch.delenv("NEURALAB_DATA")
    assert MNIST(train=False).files[0].parent == isolated / "mnist"


def test_cache_dir_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert files.cache_dir() == tmp_path / "x" / "neuralab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert files.cache_dir() == tmp_path / "home" / ".cache" / "neuralab"


# --- checksums ----------------------------------------------------------------------------
def test_corrupted_copy_is_rejected_naming_the_file(datasets_dir: Path, tmp_path: Path) -> None:
    root = _link(datasets_dir / "mnist", tmp_path / "mnist", names=T10K[:1])
    shutil.copyfile(datasets_dir / "mnist" / LABELS, root / LABELS)
    _flip_byte(root / LABELS)
    with pytest.raises(ChecksumError, match="checksum mismatch") as err:
        MNIST(root=tmp_path, train=False, download=False)
    assert str(root / LABELS) in str(err.value) and "SHA-256" in str(err.value)


def test_truncated_copy_is_rejected_naming_the_file(datasets_dir: Path, tmp_path: Path) -> None:
    root = _link(datasets_dir / "mnist", tmp_path / "mnist", names=T10K[1:])
    data = (datasets_dir / "mnist" / T10K[0]).read_bytes()
    (root / T10K[0]).write_bytes(data[: len(data) // 2])
    with pytest.raises(ChecksumError, match="truncated") as err:
        MNIST(root=tmp_path, train=False, download=False)
    assert str(root / T10K[0]) in str(err.value)


def test_file_of_the_other_data_set_is_named(datasets_dir: Path, tmp_path: Path) -> None:
    flat = _link(datasets_dir / "fashion-mnist", tmp_path / "flat")
    with pytest.raises(ChecksumError, match="Fashion-MNIST's t10k-images"):
        MNIST(root=flat, train=False, download=False)


def test_checksum_is_computed_once_per_file(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / LABELS
    shutil.copyfile(datasets_dir / "mnist" / LABELS, copy)
    calls = []
    real = files._sha256
    monkeypatch.setattr(files, "_sha256", lambda data: calls.append(1) or real(data))
    first = files.read_verified(copy, "mnist", LABELS)
    assert files.read_verified(copy, "mnist", LABELS) == first
    assert len(calls) == 1
    _flip_byte(copy)  # a changed file is hashed again, and rejected
    os.utime(copy, ns=(1, 1))
    with pytest.raises(ChecksumError, match=str(copy)):
        files.read_verified(copy, "mnist", LABELS)


# --- downloads (local only) ---------------------------------------------------------------
def test_download_from_file_url_into_the_cache(
    datasets_dir: Path, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.setitem(files.MIRRORS, "mnist", ((datasets_dir / "mnist").as_uri() + "/",))
    ds = MNIST(train=False)
    assert ds.files == (isolated / "mnist" / T10K[0], isolated / "mnist" / T10K[1])
    assert _all_files(isolated) == [f"mnist/{T10K[0]}", f"mnist/{T10K[1]}"]
    # found in the cache the second time: no download
    monkeypatch.setitem(files.MIRRORS, "mnist", ("file:///nonexistent/",))
    assert MNIST(train=False).files == ds.files


def _serve(monkeypatch: pytest.MonkeyPatch, payload: bytes) -> list[str]:
    urls: list[str] = []

    def opener(url: str, *args, **kwargs):
        urls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(files, "_urlopen", opener)
    return urls


@pytest.mark.parametrize("damage", ["flip", "truncate", "extend"])
def test_bad_download_is_rejected_and_leaves_nothing(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    data = bytearray((datasets_dir / "mnist" / LABELS).read_bytes())
    if damage == "flip":
        data[200] ^= 0x01
    elif damage == "truncate":
        data = data[:-10]
    else:
        data += b"\0" * 10
    urls = _serve(monkeypatch, bytes(data))
    target = tmp_path / "dl"
    with pytest.raises(DataNotFoundError, match="could not download") as err:
        files.download_file("mnist", LABELS, directory=target, mirrors=("https://m.test/a/",))
    assert urls == ["https://m.test/a/" + LABELS]
    assert {"flip": "checksum", "truncate": "truncated", "extend": "longer"}[damage] in str(
        err.value
    )
    assert _all_files(target) == []


def test_download_tries_the_next_mirror(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = (datasets_dir / "mnist" / LABELS).read_bytes()

    def opener(url: str, *args, **kwargs):
        if "first" in url:
            raise urllib.error.URLError("unreachable")
        return io.BytesIO(good)

    monkeypatch.setattr(files, "_urlopen", opener)
    path = files.download_file(
        "mnist", LABELS, directory=tmp_path, mirrors=("http://first/", "http://second/"),
        progress=True,
    )  # fmt: skip
    assert path == tmp_path / LABELS and path.read_bytes() == good
    assert _all_files(tmp_path) == [LABELS]


def test_no_network_says_where_to_put_the_files(isolated: Path) -> None:
    with pytest.raises(DataNotFoundError) as err:
        MNIST(train=False)
    message = str(err.value)
    assert "network disabled" in message and "NEURALAB_DATA" in message
    assert str(isolated / "mnist" / T10K[0]) in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in message
    assert _all_files(isolated.parent) == []
    with pytest.raises(FileNotFoundError, match=r"download=False"):
        FashionMNIST(train=False, download=False)


# --- the IDX format -----------------------------------------------------------------------
def _idx(magic: int, dims: tuple[int, ...], body: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + body


def test_read_idx_raw_and_gzip(tmp_path: Path) -> None:
    import gzip

    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = tmp_path / "images.idx"
    raw.write_bytes(_idx(idx.IMAGES_MAGIC, (2, 3, 4), images.tobytes()))
    np.testing.assert_array_equal(read_idx(raw, magic=idx.IMAGES_MAGIC), images)
    values = np.array([1.5, -2.0], dtype=">f4")
    packed = tmp_path / "floats.idx.gz"
    packed.write_bytes(gzip.compress(_idx(0x00000D01, (2,), values.tobytes())))
    out = read_idx(packed)
    assert out.dtype == np.float32 and out.dtype.isnative and out.tolist() == [1.5, -2.0]
    assert read_idx(raw).flags.writeable


@pytest.mark.parametrize(
    "content, message",
    [
        (_idx(idx.LABELS_MAGIC, (3,), b"\1\2\3"), "wrong IDX magic number 2049"),
        (b"PK\3\4" + bytes(20), "not an IDX file: bad magic"),
        (_idx(idx.IMAGES_MAGIC, (2, 2, 2), bytes(7)), "truncated IDX data"),
        (_idx(idx.IMAGES_MAGIC, (2, 2, 2), bytes(9)), "size mismatch"),
        (idx.IMAGES_MAGIC.to_bytes(4, "big") + bytes(6), "truncated IDX header"),
        (b"\1", "too short"),
    ],
)
def test_read_idx_errors_name_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as err:
        read_idx(path, magic=idx.IMAGES_MAGIC)
    assert str(path) in str(err.value)


def test_truncated_gzip_names_the_file(tmp_path: Path, datasets_dir: Path) -> None:
    path = tmp_path / LABELS
    path.write_bytes((datasets_dir / "mnist" / LABELS).read_bytes()[:1000])
    with pytest.raises(ValueError, match="corrupt or truncated gzip") as err:
        read_idx(path)
    assert str(path) in str(err.value)


# --- Dataset, TensorDataset, Subset -------------------------------------------------------
def test_dataset_is_abstract() -> None:
    with pytest.raises(TypeError):
        Dataset()

    class OnlyGetitem(Dataset):
        def __getitem__(self, i):
            return i

    with pytest.raises(TypeError):
        OnlyGetitem()


def test_tensor_dataset() -> None:
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    ds = TensorDataset(Tensor(x), np.arange(6))
    assert len(ds) == 6
    a, b = ds[2]
    assert isinstance(a, Tensor) and a._data.tolist() == [4.0, 5.0] and b.item() == 2
    assert ds.tensors[1].dtype == np.int64
    with pytest.raises(ValueError, match=r"same size in the first dimension.*\[6, 5\]"):
        TensorDataset(x, np.arange(5))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(np.float32(1.0))


def test_subset() -> None:
    ds = TensorDataset(np.arange(10))
    sub = Subset(ds, [7, -1, 2])
    assert len(sub) == 3 and sub.indices.tolist() == [7, 9, 2]
    assert sub[1][0].item() == 9
    with pytest.raises(IndexError, match="index 10 is out of range for a dataset of 10"):
        Subset(ds, [1, 10])
    with pytest.raises(TypeError, match="ints"):
        Subset(ds, [0.5])


def test_random_split_sizes_and_disjointness() -> None:
    ds = TensorDataset(np.arange(11))
    parts = random_split(ds, [0.3, 0.3, 0.4], generator=0)
    expected = [len(p) for p in torch.utils.data.random_split(range(11), [0.3, 0.3, 0.4])]
    assert [len(p) for p in parts] == expected
    seen = np.concatenate([p.indices for p in parts])
    assert sorted(seen.tolist()) == list(range(11))
    a, b = random_split(ds, [4, 7], generator=np.random.default_rng(1))
    assert (len(a), len(b)) == (4, 7) and not set(a.indices) & set(b.indices)
    again = random_split(ds, [4, 7], generator=np.random.default_rng(1))
    assert again[0].indices.tolist() == a.indices.tolist()
    with pytest.raises(ValueError, match="sum to 10"):
        random_split(ds, [4, 6])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(ds, [0.5, 0.6])
    with pytest.raises(TypeError, match="generator"):
        random_split(ds, [5, 6], generator="seed")


def test_train_val_split() -> None:
    ds = TensorDataset(np.arange(100))
    train, val = train_val_split(ds, 0.2, seed=3)
    assert (len(train), len(val)) == (80, 20)
    assert sorted([*train.indices, *val.indices]) == list(range(100))
    assert train_val_split(ds, 0.2, seed=3)[1].indices.tolist() == val.indices.tolist()
    assert train_val_split(ds, 0.2, seed=4)[1].indices.tolist() != val.indices.tolist()
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        train_val_split(ds, 1.5)
    with pytest.raises(ValueError, match="empty validation"):
        train_val_split(TensorDataset(np.arange(3)), 0.01)


# --- DataLoader ---------------------------------------------------------------------------
def _order(loader: DataLoader) -> list[int]:
    return np.concatenate([batch[0]._data for batch in loader]).tolist()


@pytest.mark.parametrize("drop_last, batches, last", [(False, 4, 1), (True, 3, 3)])
def test_loader_batch_count(drop_last: bool, batches: int, last: int) -> None:
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=3, drop_last=drop_last)
    sizes = [len(b[0]) for b in loader]
    assert len(loader) == len(sizes) == batches and sizes[-1] == last
    assert len(DataLoader(TensorDataset(np.arange(9)), batch_size=3, drop_last=drop_last)) == 3


def test_loader_unshuffled_order_and_dtypes() -> None:
    x = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10, dtype=np.int64)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert all(isinstance(b, tuple) and len(b) == 2 for b in batches)
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([b[0]._data for b in batches]), x)
    xb._data[...] = 0  # batches are copies
    assert x[0, 0] != 0


def test_loader_shuffle_covers_every_sample_once_per_epoch() -> None:
    loader = DataLoader(TensorDataset(np.arange(103)), batch_size=8, shuffle=True, generator=0)
    first, second = _order(loader), _order(loader)
    assert sorted(first) == sorted(second) == list(range(103))
    assert first != second != list(range(103))  # a new order each epoch


def test_loader_seeds() -> None:
    ds = TensorDataset(np.arange(50))
    assert _order(DataLoader(ds, 5, shuffle=True, generator=7)) == _order(
        DataLoader(ds, 5, shuffle=True, generator=np.random.default_rng(7))
    )
    assert _order(DataLoader(ds, 5, shuffle=True, generator=7)) != _order(
        DataLoader(ds, 5, shuffle=True, generator=8)
    )


def test_loader_manual_seed_reproducibility() -> None:
    loader = DataLoader(TensorDataset(np.arange(64)), batch_size=16, shuffle=True)
    neuralab.manual_seed(123)
    run1 = [_order(loader), _order(loader)]
    neuralab.manual_seed(123)
    run2 = [_order(loader), _order(loader)]
    assert run1 == run2 and run1[0] != run1[1]
    neuralab.manual_seed(124)
    assert _order(loader) != run1[0]


def test_loader_fast_path_never_calls_getitem(
    monkeypatch: pytest.MonkeyPatch, mnist_test: MNIST
) -> None:
    def fail(self, index):
        raise AssertionError("per-sample __getitem__ called")

    monkeypatch.setattr(TensorDataset, "__getitem__", fail)
    monkeypatch.setattr(MNIST, "__getitem__", fail)
    data = np.arange(40) * 10
    sub = Subset(Subset(TensorDataset(data, np.arange(40)), np.arange(20, 40)), [0, 5, 19])
    batches = list(DataLoader(sub, batch_size=2))
    assert [b[0]._data.tolist() for b in batches] == [[200, 250], [390]]
    assert sorted(_order(DataLoader(sub, batch_size=2, shuffle=True))) == [200, 250, 390]
    xb, yb = next(iter(DataLoader(mnist_test, batch_size=64, shuffle=True)))
    assert xb.shape == (64, 1, 28, 28) and xb.dtype == np.float32 and yb.dtype == np.int64


def test_loader_per_sample_transform_uses_getitem(datasets_dir: Path) -> None:
    calls = collections.Counter()

    def noisy(image):
        calls["n"] += 1
        return image

    ds = MNIST(root=datasets_dir, train=False, transform=Lambda(noisy))
    assert not is_batched(ds.transform) and ds._arrays() is None
    loader = DataLoader(Subset(ds, range(10)), batch_size=4)
    xb, yb = next(iter(loader))
    assert xb.shape == (4, 1, 28, 28) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert calls["n"] == 4


class _Samples(Dataset):
    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int):
        return np.full(3, i, dtype=np.float32), i, 0.5 * i


def test_loader_generic_path_default_collate() -> None:
    batches = list(DataLoader(_Samples(), batch_size=2))
    x, y, w = batches[0]
    assert x.shape == (2, 3) and x.dtype == np.float32
    assert y.dtype == np.int64 and y._data.tolist() == [0, 1]
    assert w.dtype == np.float64 and len(batches) == 3  # Python floats: float64, as torch
    shuffled = DataLoader(_Samples(), 2, shuffle=True, generator=1)
    labels = np.concatenate([b[1]._data for b in shuffled]).tolist()
    assert sorted(labels) == [0, 1, 2, 3, 4] and len(shuffled) == 3
    custom = DataLoader(TensorDataset(np.arange(4)), 2, collate_fn=lambda s: len(s))
    assert list(custom) == [2, 2]


def test_default_collate_structures() -> None:
    point = collections.namedtuple("Point", "x y")
    out = default_collate([point(1, 2.0), point(3, 4.0)])
    assert isinstance(out, point) and out.x.dtype == np.int64 and out.y.dtype == np.float64
    d = default_collate([{"a": np.zeros(2), "s": "u"}, {"a": np.ones(2), "s": "v"}])
    assert d["a"].shape == (2, 2) and d["a"].dtype == np.float64 and d["s"] == ["u", "v"]
    assert default_collate([True, False]).dtype == np.bool_
    stacked = default_collate([Tensor(np.ones(2, np.float32))] * 3)
    assert stacked.shape == (3, 2) and stacked.dtype == np.float32
    with pytest.raises(ValueError, match="same number of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="collate_fn"):
        default_collate([object()])


def test_loader_bad_arguments() -> None:
    ds = TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(TypeError, match="shuffle must be a bool"):
        DataLoader(ds, shuffle="yes")
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator="seed")
    with pytest.raises(TypeError, match="dataset must support"):
        DataLoader(42)


# --- transforms ---------------------------------------------------------------------------
def test_to_float() -> None:
    x = np.array([[0, 128, 255]], dtype=np.uint8)
    out = ToFloat()(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, torch.from_numpy(x).float().div(255).numpy())
    assert ToFloat(scale=0.5)(x).tolist() == [[0.0, 64.0, 127.5]]
    floats = np.array([0.25], dtype=np.float64)
    assert ToFloat()(floats).dtype == np.float32 and ToFloat()(floats)[0] == 0.25  # not rescaled
    assert isinstance(ToFloat()(Tensor(x)), Tensor)
    with pytest.raises(TypeError, match="floating dtype"):
        ToFloat(dtype=np.int32)


def test_normalize_formula_and_channels() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((4, 3, 5, 5), dtype=np.float32)
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    out = Normalize(mean, std)(x)
    expected = (torch.from_numpy(x) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[
        :, None, None
    ]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-6)
    np.testing.assert_allclose(Normalize(mean, std)(x[1]), out[1], rtol=1e-6)  # one (C, H, W)
    flat = rng.random((2, 784), dtype=np.float32)
    np.testing.assert_array_equal(Normalize(0.5, 0.25)(flat), (flat - 0.5) / 0.25)
    np.testing.assert_array_equal(Normalize([0.5], [0.25])(flat), (flat - 0.5) / 0.25)
    with pytest.raises(ValueError, match="std must not be zero"):
        Normalize(0.0, 0.0)
    with pytest.raises(TypeError, match=r"floating input.*ToFloat"):
        Normalize(0.5, 0.5)(np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"3 channel values need input of shape"):
        Normalize(mean, std)(flat)


def test_compose_and_lambda() -> None:
    pipeline = Compose([ToFloat(), Lambda(lambda v: v * 2, batched=True), Normalize(1.0, 0.5)])
    x = np.array([0, 255], dtype=np.uint8)
    assert pipeline(x).tolist() == [-2.0, 2.0]
    assert pipeline.batched and is_batched(None)
    assert not Compose([ToFloat(), Lambda(np.flip)]).batched
    assert "Normalize" in repr(pipeline)
    with pytest.raises(TypeError, match="transform 1 must be callable"):
        Compose([ToFloat(), 3])
    with pytest.raises(TypeError, match="lambd must be callable"):
        Lambda(None)


# --- digits and synthetic data ------------------------------------------------------------
def test_load_digits() -> None:
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and np.bincount(y).size == 10
    images = load_digits(flatten=False, scale=None, as_dataset=True)
    assert images.tensors[0].shape == (1797, 1, 8, 8) and images.tensors[0]._data.max() == 16
    assert load_digits(n_class=3)[1].max() == 2
    with pytest.raises(ValueError, match="n_class"):
        load_digits(n_class=11)


def test_make_classification_matches_sklearn_and_dtypes() -> None:
    from sklearn.datasets import make_classification as sk

    X, y = make_classification(200, 5, n_informative=3, n_redundant=1, n_classes=3, seed=4)
    X_ref, y_ref = sk(200, 5, n_informative=3, n_redundant=1, n_classes=3, random_state=4)
    assert X.dtype == np.float32 and y.dtype == np.int64 and X.shape == (200, 5)
    np.testing.assert_array_equal(X, X_ref.astype(np.float32))
    np.testing.assert_array_equal(y, y_ref)


def test_make_classification_imbalance() -> None:
    _, y = make_classification(20000, imbalance=0.05, seed=0)
    assert abs(np.mean(y == 1) - 0.05) < 0.01
    _, y = make_classification(
        10000, n_classes=3, n_informative=3, weights=[0.6, 0.3, 0.1], flip_y=0.0, seed=1
    )
    np.testing.assert_allclose(np.bincount(y) / len(y), [0.6, 0.3, 0.1], atol=0.002)
    ds = make_classification(50, imbalance=0.2, seed=0, as_dataset=True)
    assert isinstance(ds, TensorDataset) and len(ds) == 50
    with pytest.raises(ValueError, match="not both"):
        make_classification(weights=[0.9, 0.1], imbalance=0.1)
    with pytest.raises(ValueError, match=r"imbalance must be in \(0, 1\)"):
        make_classification(imbalance=1.5)
    with pytest.raises(ValueError, match="weights must have n_classes=2"):
        make_classification(weights=[0.5, 0.3, 0.2])


def test_make_regression_outliers() -> None:
    X, y, mask = make_regression(1000, 5, n_informative=3, noise=0.1, outliers=0.1, seed=2,
                                 return_outliers=True)  # fmt: skip
    X0, y0 = make_regression(1000, 5, n_informative=3, noise=0.1, seed=2)
    assert X.dtype == y.dtype == np.float32 and y.shape == (1000,) and mask.dtype == np.bool_
    assert mask.sum() == 100
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y[~mask], y0[~mask])
    errors = np.abs(y[mask] - y0[mask])
    assert errors.min() >= 10.0 * y0.std() * 0.999 and errors.max() <= 20.0 * y0.std() * 1.001
    assert np.sum(y[mask] > y0[mask]) not in (0, 100)  # both signs
    with pytest.raises(ValueError, match=r"outliers must be in \[0, 1\)"):
        make_regression(outliers=1.0)


def test_synthetic_seed_none_follows_manual_seed() -> None:
    neuralab.manual_seed(5)
    a = make_regression(20, 3, outliers=0.2, seed=None)
    neuralab.manual_seed(5)
    b = make_regression(20, 3, outliers=0.2, seed=None)
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(TypeError, match="seed"):
        make_regression(seed=-1)
