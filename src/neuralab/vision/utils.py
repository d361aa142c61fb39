"""``torchvision.utils``: importable, so programs that import it at the top (the VAE and
DCGAN examples) run up to the point where they save image grids; ``make_grid`` and
``save_image`` raise NotImplementedError naming the nearest way."""

from __future__ import annotations

from typing import Any

NEAREST = "plot the images with matplotlib (plt.imshow(tensor.numpy()[0, 0], cmap='gray'))"


def make_grid(tensor: Any, *args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError(f"torchvision.utils.make_grid is not implemented; {NEAREST}")


def save_image(tensor: Any, fp: Any, *args: Any, **kwargs: Any) -> None:
    raise NotImplementedError(f"torchvision.utils.save_image is not implemented; {NEAREST}")
