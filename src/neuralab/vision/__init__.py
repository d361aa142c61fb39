"""``neuralab.vision``: where ``torchvision`` stands.

``from neuralab.vision import datasets, transforms``: ``datasets.MNIST`` and
``datasets.FashionMNIST`` with torchvision's signatures, and the common transforms
(``ToTensor``, ``Normalize``, ``Compose``, ``Lambda``, flips and crops); ``utils`` imports,
its ``make_grid`` / ``save_image`` raise. Other
torchvision modules and names raise NotImplementedError naming them.
"""

from __future__ import annotations

from neuralab.vision import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]

_MISSING = {
    "models": "build the network from neuralab.nn (neuralab.models has small ready ones)",
    "io": "read images with PIL or imageio and pass NumPy arrays",
    "ops": "no detection ops (nms, roi_align) in neuralab",
}


def __getattr__(name: str) -> object:
    if name in _MISSING:
        raise NotImplementedError(
            f"torchvision.{name} is not implemented in neuralab.vision; {_MISSING[name]}"
        )
    raise AttributeError(f"module 'neuralab.vision' has no attribute {name!r}")
