"""The playground's image data and networks: a seeded subset of MNIST or Fashion-MNIST, read
from the local IDX files with ``neuralab.data`` (never downloaded), and the MLP or
LeNet-5 that classifies it.

    (x_train, y_train), (x_test, y_test) = load_images("mnist", 5000, 1000, seed=0)
    model = build_image_model(parse_config({"dataset": "mnist", "architecture": "lenet5"}))

The files are looked up as everywhere in neuralab (``neuralab.data.files``):
``$NEURALAB_DATA``, then the user cache; the playground never downloads them, and says
where to put them when they are missing.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

import numpy

from neuralab import nn
from neuralab.data import MNIST, DataNotFoundError, FashionMNIST, files
from neuralab.models import MLP, LeNet5

if TYPE_CHECKING:
    from neuralab.playground.model import Config

__all__ = [
    "ARCHITECTURES",
    "CLASSES",
    "IMAGE_DATASETS",
    "IMAGE_DEFAULTS",
    "IMAGE_SIZE",
    "MAX_IMAGE_WIDTH",
    "build_image_model",
    "image_shape",
    "initialize",
    "is_image",
    "load_images",
]

IMAGE_DATASETS = {"mnist": MNIST, "fashion-mnist": FashionMNIST}
"""The image data sets: name -> the ``neuralab.data`` class that reads its IDX files."""
ARCHITECTURES = ("mlp", "lenet5")
"""The image networks: ``models.MLP`` on the 784 pixels, or ``models.LeNet5``."""
IMAGE_SIZE = 28
MAX_IMAGE_WIDTH = 512
"""The widest hidden layer of an image MLP (a 2-D network's is ``model.MAX_WIDTH``)."""
CLASSES = {
    "mnist": [str(digit) for digit in range(10)],
    "fashion-mnist": list(FashionMNIST.classes),
}
"""The class names the page shows, per image data set."""
IMAGE_DEFAULTS: dict[str, Any] = {
    "architecture": "mlp",
    "hidden": [64],
    "activation": "relu",
    "init": "he",
    "batch_norm": False,
    "dropout": 0.0,
    "optimizer": "adam",
    "lr": 0.001,
    "batch_size": 32,
}
"""The network and training settings an image data set starts from (``parse_config``
takes them when the data set changes from 2-D points to images, for the settings it is
not given): a 784-64-10 ReLU MLP, He initialization, Adam at 0.001, batches of 32."""


def is_image(dataset: str) -> bool:
    """Whether ``dataset`` is an image data set (``IMAGE_DATASETS``), not 2-D points.

    Args:
        dataset: A data set's name.

    Returns:
        True for ``mnist`` and ``fashion-mnist``.

    Examples:
        >>> from neuralab.playground.images import is_image
        >>> is_image("mnist"), is_image("spiral")
        (True, False)
    """
    return dataset in IMAGE_DATASETS


def image_shape(architecture: str) -> tuple[int, ...]:
    """The shape of one image as ``architecture`` reads it.

    Args:
        architecture: ``mlp`` (a vector of 784 pixels) or ``lenet5`` (1 x 28 x 28).

    Returns:
        The shape without the batch axis.

    Examples:
        >>> from neuralab.playground.images import image_shape
        >>> image_shape("mlp"), image_shape("lenet5")
        ((784,), (1, 28, 28))
    """
    if architecture == "lenet5":
        return (1, IMAGE_SIZE, IMAGE_SIZE)
    return (IMAGE_SIZE * IMAGE_SIZE,)


@functools.lru_cache(maxsize=4)
def _read(dataset: str, train: bool, data_dir: str | None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """One whole file pair as uint8 images (n, 28, 28) and int64 labels, read once per
    process and data folder (``data_dir``: ``$NEURALAB_DATA`` when it was read)."""
    found = IMAGE_DATASETS[dataset](train=train, download=False, scale=None)
    found.data.flags.writeable = found.targets.flags.writeable = False
    return found.data, found.targets


def _missing(dataset: str, error: Exception) -> ValueError:
    folder = files.FOLDERS[dataset][0]
    searched = ", ".join(str(d) for d in files.search_dirs())
    return ValueError(
        f"dataset: the {files.TITLES[dataset]} files were not found (looked in {searched}); "
        f"put the four .gz files in a folder {folder}/ and set {files.ENV_VAR} to the folder "
        f"that holds {folder}/ (e.g. {files.ENV_VAR}=../shared/datasets). The playground "
        f"never downloads them. ({error})"
    )


def load_images(
    dataset: str, train_size: int, test_size: int, seed: int
) -> tuple[tuple[numpy.ndarray, numpy.ndarray], tuple[numpy.ndarray, numpy.ndarray]]:
    """A seeded subset of an image data set: ``train_size`` images drawn from its training
    file and ``test_size`` from its test file, pixels scaled to [0, 1].

    Args:
        dataset: ``mnist`` or ``fashion-mnist``.
        train_size: Training images, 1 to 60,000.
        test_size: Test images, 1 to 10,000.
        seed: Seed of the draw (``numpy.random.default_rng(seed)``: the training indices
            first, then the test ones; each kept in the file's order).

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: float32 images (n, 28, 28), pixel / 255,
        and int64 labels 0-9.

    Raises:
        ValueError: An unknown data set, a size out of range, or files that are missing
            (the message names the folder and ``$NEURALAB_DATA``) or corrupt.

    Examples:
        >>> from neuralab.playground.images import load_images
        >>> # skipped: reads the MNIST files from $NEURALAB_DATA
        >>> (x, y), (xt, yt) = load_images("mnist", 500, 100, seed=0)  # doctest: +SKIP
        >>> x.shape, x.dtype, float(x.max()), yt.shape  # doctest: +SKIP
        ((500, 28, 28), dtype('float32'), 1.0, (100,))
    """
    if dataset not in IMAGE_DATASETS:
        raise ValueError(f"dataset: expected one of {', '.join(IMAGE_DATASETS)}, got {dataset!r}")
    try:
        train = _read(dataset, True, os.environ.get(files.ENV_VAR))
        test = _read(dataset, False, os.environ.get(files.ENV_VAR))
    except DataNotFoundError as error:
        raise _missing(dataset, error) from None
    rng = numpy.random.default_rng(seed)
    out = []
    parts = ((train, train_size, "train_size"), (test, test_size, "test_size"))
    for (images, labels), size, name in parts:
        if not 1 <= size <= len(images):
            raise ValueError(f"{name}: expected an integer in [1, {len(images)}], got {size}")
        index = numpy.sort(rng.choice(len(images), size, replace=False))
        out.append((numpy.divide(images[index], 255.0, dtype=numpy.float32), labels[index]))
    return out[0], out[1]


def initialize(model: nn.Module, init: str, seed: int) -> None:
    """Draw the weights of every Linear and Conv2d layer of ``model``, in order, from one
    generator seeded by ``seed``; biases 0.

    Args:
        model: The network.
        init: ``xavier`` (Glorot uniform), ``he`` (Kaiming uniform, ReLU gain) or
            ``normal`` (N(0, 0.1^2)).
        seed: Seed of the generator.

    Examples:
        >>> from neuralab.models import LeNet5
        >>> from neuralab.playground.images import initialize
        >>> model = LeNet5()
        >>> initialize(model, "normal", seed=0)
        >>> float(model[0].bias.abs().sum().item())
        0.0
    """
    rng = numpy.random.default_rng(seed)
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            if init == "xavier":
                nn.init.xavier_uniform_(layer.weight, generator=rng)
            elif init == "he":
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=rng)
            else:
                nn.init.normal_(layer.weight, 0.0, 0.1, generator=rng)
            nn.init.zeros_(layer.bias)


def build_image_model(config: Config) -> nn.Sequential:
    """The image network of ``config``: ``models.MLP`` 784 -> hidden -> 10 (with its
    activation, batch norm and dropout) or ``models.LeNet5`` (with its activation),
    initialized by ``initialize``.

    Args:
        config: The configuration (an image data set).

    Returns:
        The model; input (N, 784) for the MLP, (N, 1, 28, 28) for LeNet-5; output (N, 10)
        logits.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.playground.images import build_image_model
        >>> from neuralab.playground.model import parse_config
        >>> model = build_image_model(parse_config({"dataset": "mnist", "hidden": [32]}))
        >>> model(nl.zeros(2, 784)).shape, sum(p.numel() for p in model.parameters())
        ((2, 10), 25450)
    """
    if config.architecture == "lenet5":
        model: nn.Sequential = LeNet5(10, 1, activation=config.activation)
    else:
        model = MLP(
            IMAGE_SIZE * IMAGE_SIZE,
            config.hidden,
            10,
            activation=config.activation,
            batch_norm=config.batch_norm,
            dropout=config.dropout,
        )
    initialize(model, config.init, config.seed)
    return model
