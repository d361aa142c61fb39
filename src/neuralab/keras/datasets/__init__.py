"""``keras.datasets``: MNIST and Fashion-MNIST, read from the local IDX files by
``neuralab.data`` (found through ``$NEURALAB_DATA`` or the user cache; see
``neuralab.data.files``), with Keras's return format. The other Keras data sets
(cifar10, cifar100, imdb, reuters, boston_housing, california_housing) exist as modules
whose ``load_data`` raises NotImplementedError naming them.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from neuralab.keras.datasets import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]

NOT_BUILT = ("boston_housing", "california_housing", "cifar10", "cifar100", "imdb", "reuters")


def _not_built_module(name: str) -> types.ModuleType:
    module = types.ModuleType(f"{__name__}.{name}", f"keras.datasets.{name}: not built.")

    def load_data(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"neuralab.keras: datasets.{name}.load_data is not supported (neuralab reads "
            "MNIST and Fashion-MNIST only: datasets.mnist, datasets.fashion_mnist)"
        )

    module.load_data = load_data  # type: ignore[attr-defined]
    if name == "imdb" or name == "reuters":
        module.get_word_index = load_data  # type: ignore[attr-defined]
    return module


for _name in NOT_BUILT:
    globals()[_name] = sys.modules[f"{__name__}.{_name}"] = _not_built_module(_name)
del _name
