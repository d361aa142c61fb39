"""``torchvision.utils``: importable, so programs that import it at the top (the VAE and
DCGAN examples) run up to the point where they save image grids; ``make_grid`` and
``save_image`` raise NotImplementedError naming the nearest way."""

from __future__ import annotations

from typing import Any

NEAREST = "plot the images with matplotlib (plt.imshow(tensor.numpy()[0, 0], cmap='gray'))"


def make_grid(tensor: Any, *args: Any, **kwargs: Any) -> Any:
    """Not implemented (``torchvision.utils.make_grid``): raises, naming the nearest way.

    Args:
        tensor: The images.
        *args: Ignored.
        **kwargs: Ignored.

    Raises:
        NotImplementedError: Always; plot the images with matplotlib instead.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.utils import make_grid
        >>> make_grid(nl.zeros(4, 1, 28, 28))
        Traceback (most recent call last):
        NotImplementedError: torchvision.utils.make_grid is not implemented; ...
    """
    raise NotImplementedError(f"torchvision.utils.make_grid is not implemented; {NEAREST}")


def save_image(tensor: Any, fp: Any, *args: Any, **kwargs: Any) -> None:
    """Not implemented (``torchvision.utils.save_image``): raises, naming the nearest way.

    Args:
        tensor: The images.
        fp: The file.
        *args: Ignored.
        **kwargs: Ignored.

    Raises:
        NotImplementedError: Always; plot the images with matplotlib instead.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.utils import save_image
        >>> save_image(nl.zeros(1, 28, 28), "out.png")
        Traceback (most recent call last):
        NotImplementedError: torchvision.utils.save_image is not implemented; ...
    """
    raise NotImplementedError(f"torchvision.utils.save_image is not implemented; {NEAREST}")
