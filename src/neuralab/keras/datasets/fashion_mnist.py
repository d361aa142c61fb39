"""``keras.datasets.fashion_mnist``: Zalando's Fashion-MNIST (10 classes of clothing:
T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot)."""

from __future__ import annotations

from neuralab.data.mnist import FashionMNIST
from neuralab.keras.datasets._idx import Split, load

__all__ = ["load_data"]


def load_data() -> tuple[Split, Split]:
    """Loads Fashion-MNIST as Keras returns it: ``((x_train, y_train), (x_test, y_test))``.

    ``x`` is uint8 of shape (60000, 28, 28) and (10000, 28, 28), pixels 0..255; ``y`` uint8
    labels 0..9 of shape (60000,) and (10000,). Read from the original IDX files by
    ``neuralab.data.FashionMNIST`` (``$NEURALAB_DATA``, the user cache, or downloaded once).

    Returns:
        The training and test pairs.

    Examples:
        >>> from neuralab import keras
        >>> # skipped as doctests: they read (or download) 70,000 images
        >>> train, test = keras.datasets.fashion_mnist.load_data()  # doctest: +SKIP
        >>> (x_train, y_train), (x_test, y_test) = train, test  # doctest: +SKIP
        >>> x_test.shape, y_test.max()  # doctest: +SKIP
        ((10000, 28, 28), 9)
    """
    return load(FashionMNIST)
