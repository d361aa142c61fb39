"""One MNIST training-set epoch of data loading only (iterate the loader, no model):
``Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])`` per sample through
``DataLoader(batch_size=64, shuffle=True)``, neuralab against PyTorch, interleaved in one
process, minimum of the repeats; ratio = neuralab / PyTorch (below 1: neuralab faster).

    python benchmarks/vision_pipeline.py [--repeats 3] [--data DIR]

PyTorch's side is torchvision's ``datasets.MNIST`` + ``transforms`` when torchvision
imports. Otherwise (no torchvision wheel imports beside the pinned CPU torch here) it is a
torch ``Dataset`` doing torchvision's per-sample work with torch ops, line for line as
torchvision 0.28 does it: ``Image.fromarray(img.numpy(), mode="L")`` (when Pillow is
installed), ToTensor's ``from_numpy(np.array(pic)).view().permute().contiguous()
.to(float32).div(255)``, Normalize's ``clone``, ``as_tensor`` of mean and std, the zero
check and ``sub_().div_()``; the output says which.

neuralab runs two ways: the default (its DataLoader sees that the transforms are
per-pixel and deterministic, gathers each batch's raw images with one index and
transforms them at once) and per-sample (``collate_fn=default_collate`` forces one
``ds[i]`` per sample, the same work as PyTorch's loop).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch

from neuralab.utils.data import DataLoader, default_collate
from neuralab.vision import datasets, transforms

MEAN, STD = (0.1307,), (0.3081,)


def torch_side(root: str) -> tuple[object, str]:
    """PyTorch's dataset and a line saying what it is."""
    try:
        import torchvision  # noqa: F401
        from torchvision import datasets as tv_datasets
        from torchvision import transforms as tv_transforms
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
    else:
        t = tv_transforms.Compose([tv_transforms.ToTensor(), tv_transforms.Normalize(MEAN, STD)])
        return tv_datasets.MNIST(root, train=True, transform=t), "torch + torchvision"
    return TorchMNIST(root), f"torch + a stand-in for torchvision's per-sample work ({reason})"


class TorchMNIST(torch.utils.data.Dataset):
    """torchvision's MNIST with ToTensor and Normalize, written out with torch ops."""

    def __init__(self, root: str) -> None:
        raw = datasets.MNIST(root, train=True)  # the same arrays, read by neuralab
        self.data = torch.from_numpy(raw.data.numpy().copy())
        self.targets = torch.from_numpy(raw.targets.numpy().copy())
        try:
            from PIL import Image

            self.image = Image
        except ImportError:
            self.image = None

    def __len__(self) -> int:
        return len(self.data)

    def to_tensor(self, pic):  # torchvision.transforms.functional.to_tensor
        if self.image is None:
            img = torch.from_numpy(pic[:, :, None]).permute((2, 0, 1)).contiguous()
            return img.to(dtype=torch.get_default_dtype()).div(255)
        img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
        img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
        img = img.permute((2, 0, 1)).contiguous()
        return img.to(dtype=torch.get_default_dtype()).div(255)

    @staticmethod
    def normalize(tensor):  # torchvision.transforms.functional.normalize
        if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
            raise TypeError("expected a float tensor")
        tensor = tensor.clone()
        mean = torch.as_tensor(MEAN, dtype=tensor.dtype, device=tensor.device)
        std = torch.as_tensor(STD, dtype=tensor.dtype, device=tensor.device)
        if (std == 0).any():
            raise ValueError("std evaluated to zero")
        return tensor.sub_(mean.view(-1, 1, 1)).div_(std.view(-1, 1, 1))

    def __getitem__(self, index: int):
        img, target = self.data[index], int(self.targets[index])
        img = img.numpy() if self.image is None else self.image.fromarray(img.numpy(), mode="L")
        return self.normalize(self.to_tensor(img)), target


def epoch(loader) -> float:
    start = time.perf_counter()
    for _images, _labels in loader:
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=os.environ.get("NEURALAB_DATA", "data"))
    args = parser.parse_args()
    torch.manual_seed(0)
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    ours = datasets.MNIST(args.data, train=True, transform=t)
    theirs, what = torch_side(args.data)
    loaders = {
        "neuralab (default)": DataLoader(ours, batch_size=64, shuffle=True),
        "neuralab (per-sample)": DataLoader(
            ours, batch_size=64, shuffle=True, collate_fn=default_collate
        ),
        "torch": torch.utils.data.DataLoader(theirs, batch_size=64, shuffle=True),
    }
    times: dict[str, list[float]] = {name: [] for name in loaders}
    for _ in range(args.repeats):
        for name, loader in loaders.items():
            times[name].append(epoch(loader))
    best = {name: min(ts) for name, ts in times.items()}
    print(f"MNIST train epoch, loading only, batch 64, shuffled; torch side: {what}")
    print(f"python {sys.version.split()[0]}, torch {torch.__version__}, {args.repeats} repeats")
    for name, seconds in best.items():
        print(f"  {name:24s} {seconds:7.3f} s")
    for name in ("neuralab (default)", "neuralab (per-sample)"):
        print(f"  ratio {name} / torch: {best[name] / best['torch']:.3f}")


if __name__ == "__main__":
    main()
