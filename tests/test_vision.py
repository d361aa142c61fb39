"""neuralab.vision: torchvision's transforms and MNIST / Fashion-MNIST datasets, checked
against torch computations of what torchvision does (torchvision itself does not import
beside the pinned CPU torch). No test touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

import neuralab
from neuralab import Tensor
from neuralab.data import DataNotFoundError, files
from neuralab.utils.data import DataLoader, Subset, default_collate
from neuralab.vision import datasets, transforms

MEAN, STD = (0.1307,), (0.3081,)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str, timeout: float) -> None:
        raise AssertionError(f"the test tried to download {url}")

    monkeypatch.setattr(files, "_urlopen", refuse)


def torch_to_tensor(a: np.ndarray) -> torch.Tensor:
    """torchvision's to_tensor for an H x W [x C] uint8 ndarray."""
    a = a[:, :, None] if a.ndim == 2 else a
    return torch.from_numpy(a).permute(2, 0, 1).contiguous().to(torch.float32).div(255)


# ---- ToTensor, PILToTensor, ConvertImageDtype ------------------------------------------


def test_to_tensor_grayscale_and_color_match_torchvision() -> None:
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    out = transforms.ToTensor()(gray)
    assert isinstance(out, Tensor) and out.shape == (1, 28, 28) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), torch_to_tensor(gray).numpy())  # bit for bit
    assert out.numpy().min() >= 0.0 and out.numpy().max() <= 1.0
    color = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    out = transforms.ToTensor()(color)
    assert out.shape == (3, 5, 7)
    np.testing.assert_array_equal(out.numpy(), torch_to_tensor(color).numpy())
    gray[0, 0] = 7  # the output does not share memory with the picture
    assert out.numpy()[0, 0, 0] != 7 / 255 or color[0, 0, 0] == 7


def test_to_tensor_float_input_not_rescaled_and_bad_input() -> None:
    floats = np.array([[0.5, 2.0], [-1.0, 3.0]], dtype=np.float64)
    out = transforms.ToTensor()(floats)
    assert out.dtype == np.float64 and out.shape == (1, 2, 2)
    np.testing.assert_array_equal(out.numpy()[0], floats)
    with pytest.raises(TypeError, match="PIL Image or ndarray"):
        transforms.ToTensor()(neuralab.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="2/3 dimensional"):
        transforms.ToTensor()(np.zeros((1, 1, 2, 2), np.uint8))


def test_to_tensor_and_pil_to_tensor_take_pil_images() -> None:
    image_module = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    pic = image_module.fromarray(rgb, mode="RGB")
    np.testing.assert_array_equal(transforms.ToTensor()(pic).numpy(), torch_to_tensor(rgb).numpy())
    raw = transforms.PILToTensor()(pic)
    assert raw.dtype == np.uint8 and raw.shape == (3, 4, 6)
    np.testing.assert_array_equal(raw.numpy(), rgb.transpose(2, 0, 1))


def test_convert_image_dtype_matches_torchvision_formulas() -> None:
    rng = np.random.default_rng(2)
    u8 = rng.integers(0, 256, (1, 3, 3), dtype=np.uint8)
    f = transforms.ConvertImageDtype(neuralab.float32)(Tensor(u8))
    np.testing.assert_array_equal(f.numpy(), torch.from_numpy(u8).float().div(255).numpy())
    x = rng.random((1, 3, 3), dtype=np.float32)
    back = transforms.ConvertImageDtype(np.uint8)(Tensor(x))
    expected = (torch.from_numpy(x) * (255 + 1.0 - 1e-3)).to(torch.uint8).numpy()
    np.testing.assert_array_equal(back.numpy(), expected)


# ---- Normalize, Compose, Lambda --------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_matches_torch(dtype: type) -> None:
    rng = np.random.default_rng(3)
    x = rng.random((3, 4, 5)).astype(dtype)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = transforms.Normalize(mean, std)(Tensor(x))
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    m = torch.as_tensor(mean, dtype=tdtype).view(-1, 1, 1)
    s = torch.as_tensor(std, dtype=tdtype).view(-1, 1, 1)
    expected = torch.from_numpy(x).clone().sub_(m).div_(s).numpy()
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(x, x.copy())  # not in place by default


def test_normalize_inplace_and_errors() -> None:
    x = Tensor(np.full((1, 2, 2), 0.5, np.float32))
    same = transforms.Normalize(0.5, 0.25, inplace=True)(x)
    assert same is x and np.all(x.numpy() == 0.0)
    with pytest.raises(TypeError, match="float tensor"):
        transforms.Normalize(MEAN, STD)(Tensor(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\)"):
        transforms.Normalize(MEAN, STD)(Tensor(np.zeros((2, 2), np.float32)))
    with pytest.raises(ValueError, match="division by zero"):
        transforms.Normalize(0.0, 0.0)(Tensor(np.zeros((1, 2, 2), np.float32)))
    with pytest.raises(ValueError, match="channels"):
        transforms.Normalize((0.1, 0.2), (1.0, 1.0))(Tensor(np.zeros((3, 2, 2), np.float32)))
    with pytest.raises(TypeError, match="Tensor Image"):
        transforms.Normalize(MEAN, STD)([[0.0]])


def test_compose_lambda_and_the_usual_mnist_pipeline() -> None:
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    out = t(image)
    expected = torch_to_tensor(image).sub_(torch.tensor(MEAN).view(-1, 1, 1))
    expected = expected.div_(torch.tensor(STD).view(-1, 1, 1))
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    # the batch form gives the same bits on a stack of pictures
    stack = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    batched = t._batch(stack)
    np.testing.assert_array_equal(batched, np.stack([t(s).numpy() for s in stack]))
    doubled = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 2)])
    assert doubled(image).shape == (1, 28, 28)
    assert getattr(doubled, "_batch", None) is None  # a Lambda has no batch form


# ---- random and geometric transforms ---------------------------------------------------


def test_flips_follow_p_and_the_global_seed() -> None:
    x = Tensor(np.arange(12, dtype=np.float32).reshape(1, 3, 4))
    flipped = transforms.RandomHorizontalFlip(p=1.0)(x)
    np.testing.assert_array_equal(flipped.numpy(), x.numpy()[..., ::-1])
    assert transforms.RandomHorizontalFlip(p=0.0)(x) is x
    np.testing.assert_array_equal(
        transforms.RandomVerticalFlip(p=1.0)(x).numpy(), x.numpy()[..., ::-1, :]
    )
    picture = np.arange(6, dtype=np.uint8).reshape(2, 3)  # H x W: flips the columns
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(1.0)(picture), picture[:, ::-1])
    flip = transforms.RandomHorizontalFlip()
    neuralab.manual_seed(5)
    first = [flip(x) is x for _ in range(20)]
    neuralab.manual_seed(5)
    assert [flip(x) is x for _ in range(20)] == first and 0 < sum(first) < 20


def test_random_crop_with_padding_is_a_window_of_the_padded_image() -> None:
    image = np.arange(1, 785, dtype=np.int64).reshape(28, 28).astype(np.uint8)
    crop = transforms.RandomCrop(28, padding=4)
    padded = np.pad(image, 4)
    neuralab.manual_seed(0)
    for _ in range(10):
        out = crop(image)
        assert out.shape == (28, 28) and out.dtype == np.uint8
        hits = [
            (i, j)
            for i in range(9)
            for j in range(9)
            if np.array_equal(padded[i : i + 28, j : j + 28], out)
        ]
        assert hits
    t = transforms.RandomCrop((2, 3))(Tensor(np.zeros((3, 5, 6), np.float32)))
    assert t.shape == (3, 2, 3)
    with pytest.raises(ValueError, match="larger than the input"):
        transforms.RandomCrop(40)(image)
    assert transforms.RandomCrop(30, pad_if_needed=True)(image).shape == (30, 30)


def test_center_crop_matches_torchvision_rounding() -> None:
    x = np.arange(7 * 8, dtype=np.float32).reshape(1, 7, 8)
    out = transforms.CenterCrop((4, 3))(Tensor(x))
    top, left = round((7 - 4) / 2.0), round((8 - 3) / 2.0)
    np.testing.assert_array_equal(out.numpy(), x[:, top : top + 4, left : left + 3])


def test_unknown_torchvision_names_raise_not_implemented_naming_them() -> None:
    with pytest.raises(NotImplementedError, match="Resize"):
        transforms.Resize(32)
    with pytest.raises(NotImplementedError, match="ColorJitter"):
        _ = transforms.ColorJitter
    with pytest.raises(NotImplementedError, match="CIFAR10"):
        _ = datasets.CIFAR10
    with pytest.raises(NotImplementedError, match=r"torchvision\.models"):
        _ = neuralab.vision.models
    assert not hasattr(transforms, "NoSuchThing")  # an unknown name stays an AttributeError


# ---- datasets ---------------------------------------------------------------------------


def test_mnist_has_torchvisions_interface(datasets_dir: Path, no_network: None) -> None:
    ds = datasets.MNIST(datasets_dir, train=False)
    assert len(ds) == 10_000
    image, label = ds[0]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert type(label) is int and label == 7  # the first test digit is a 7
    assert isinstance(ds.data, Tensor) and ds.data.dtype == np.uint8
    assert ds.data.shape == (10_000, 28, 28)
    assert isinstance(ds.targets, Tensor) and ds.targets.dtype == np.int64
    np.testing.assert_array_equal(image, ds.data.numpy()[0])
    image[:] = 0  # a sample is a copy, never a view of .data
    assert ds.data.numpy()[0].any()
    assert ds.classes[7] == "7 - seven" and ds.class_to_idx["7 - seven"] == 7
    assert "Number of datapoints: 10000" in repr(ds) and "Split: Test" in repr(ds)
    fashion = datasets.FashionMNIST(datasets_dir, train=False)
    assert fashion.classes[9] == "Ankle boot" and len(fashion) == 10_000
    assert not np.array_equal(fashion.data.numpy()[0], ds.data.numpy()[0])


def test_mnist_transforms_and_the_usual_pipeline(datasets_dir: Path) -> None:
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    ds = datasets.MNIST(datasets_dir, train=False, transform=t, target_transform=float)
    x, y = ds[3]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and y == float(ds.targets[3].item())
    raw = ds.data.numpy()[3]
    expected = (torch_to_tensor(raw) - torch.tensor(MEAN).view(-1, 1, 1)) / torch.tensor(STD).view(
        -1, 1, 1
    )
    np.testing.assert_array_equal(x.numpy(), expected.numpy())


def test_dataloader_batches_equal_the_per_sample_pipeline(datasets_dir: Path) -> None:
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    ds = datasets.MNIST(datasets_dir, train=False, transform=t)
    sub = Subset(ds, range(1000, 1300))
    fast = DataLoader(
        sub, batch_size=64, shuffle=True, generator=neuralab.backend.Generator().manual_seed(1)
    )
    slow = DataLoader(
        sub,
        batch_size=64,
        shuffle=True,
        generator=neuralab.backend.Generator().manual_seed(1),
        collate_fn=default_collate,  # forces one ds[i] per sample
    )
    n = 0
    for (x1, y1), (x2, y2) in zip(fast, slow, strict=True):
        assert x1.dtype == np.float32 and y1.dtype == np.int64 and x1.shape[1:] == (1, 28, 28)
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
        n += len(y1)
    assert n == 300
    # no transform: raw uint8 batches, as default_collate of the raw pictures
    xb, yb = next(iter(DataLoader(datasets.MNIST(datasets_dir, train=False), batch_size=8)))
    assert xb.dtype == np.uint8 and xb.shape == (8, 28, 28) and yb.dtype == np.int64


def test_assigning_data_and_targets_filters_the_dataset(datasets_dir: Path) -> None:
    ds = datasets.MNIST(datasets_dir, train=False, transform=transforms.ToTensor())
    keep = ds.targets.numpy() < 2
    ds.data, ds.targets = ds.data[Tensor(keep)], ds.targets[Tensor(keep)]
    assert len(ds) == int(keep.sum())
    labels = np.concatenate([y.numpy() for _, y in DataLoader(ds, batch_size=500)])
    assert set(labels.tolist()) == {0, 1} and len(labels) == len(ds)


def test_mnist_finds_torchvisions_layout_and_falls_back(
    datasets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.delenv("NEURALAB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    raw = tmp_path / "tv" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        os.symlink(datasets_dir / "mnist" / name, raw / name)
    ds = datasets.MNIST(tmp_path / "tv", train=False, download=True)  # present: no download
    assert ds.files[0].parent == raw and len(ds) == 10_000
    flat = tmp_path / "flat"
    flat.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        os.symlink(datasets_dir / "mnist" / name, flat / name)
    assert datasets.MNIST(flat, train=False).files[0].parent == flat
    # root without the files: NEURALAB_DATA is the fallback
    monkeypatch.setenv("NEURALAB_DATA", str(datasets_dir))
    assert len(datasets.MNIST(tmp_path / "empty", train=False)) == 10_000


def test_missing_files_name_where_they_were_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.delenv("NEURALAB_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(DataNotFoundError) as info:
        datasets.FashionMNIST(tmp_path / "nowhere", train=True, download=False)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and str(tmp_path / "nowhere") in message
    assert "download=False" in message and "NEURALAB_DATA" in message


def test_torchvision_utils_imports_and_names_what_it_lacks():
    import neuralab.vision.utils as vutils

    for fn in (vutils.make_grid, vutils.save_image):
        with pytest.raises(NotImplementedError, match=rf"torchvision\.utils\.{fn.__name__}"):
            fn(neuralab.zeros(1, 1, 2, 2), "x.png")
