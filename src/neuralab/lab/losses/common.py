"""What the three experiments of the losses study share: their settings (``Config``, one
``--set`` name each), seeded data and splits, the registry's MLP trained through ``fit``,
and the paired count of seeds where one loss beats another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy

from neuralab import backend, registry
from neuralab.lab.findings import Count
from neuralab.lab.study import Seeds
from neuralab.lab.toolkit import Metric
from neuralab.train import History, fit

__all__ = ["CLS_FEATURES", "REG_FEATURES", "Config", "data_seed", "mlp", "split", "train", "wins"]

REG_FEATURES, CLS_FEATURES = 10, 20


@dataclass
class Config:
    # A. regression with outliers
    reg_train: int = 1000  # training samples (their targets partly corrupted)
    reg_test: int = 1000  # clean test samples
    reg_noise: float = 20.0  # standard deviation of the targets' Gaussian noise
    outliers: float = 0.1  # fraction of training targets corrupted
    outlier_scale: float = 10.0  # outlier size, in standard deviations of the targets
    huber_delta: float = 1.0  # in units of the targets' robust spread
    quantile: float = 0.9
    reg_hidden: int = 0  # 0: a linear model; else one ReLU hidden layer of this width
    reg_epochs: int = 100
    reg_lr: float = 0.01  # Adam
    # B. class imbalance
    imb_samples: int = 4000  # half for training, half for testing
    imbalance: float = 0.05  # fraction of the minority class
    imb_epochs: int = 50
    imb_lr: float = 1e-3  # Adam
    # C. activation and loss pairs
    pair_samples: int = 2000  # 75 % training, 25 % validation
    pair_classes: int = 4  # classes of the softmax pair's problem
    pair_epochs: int = 30
    pair_optimizer: str = "sgd"  # 'sgd' or 'adam'
    pair_lr: float = 0.02
    target_fraction: float = 0.9  # of the best validation accuracy of the pair
    batch_size: int = 32

    def __post_init__(self) -> None:
        def bad(message: str) -> ValueError:
            return ValueError(f"losses: {message}")

        for name in ("reg_train", "reg_test", "imb_samples", "pair_samples"):
            if getattr(self, name) < 20:
                raise bad(f"{name} must be at least 20, got {getattr(self, name)}")
        for name in ("reg_epochs", "imb_epochs", "pair_epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise bad(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("reg_lr", "imb_lr", "pair_lr", "huber_delta", "outlier_scale"):
            if not getattr(self, name) > 0:
                raise bad(f"{name} must be positive, got {getattr(self, name)}")
        if not self.reg_noise >= 0:
            raise bad(f"reg_noise must be non-negative, got {self.reg_noise}")
        if not 0 <= self.outliers < 0.5:
            raise bad(f"outliers must be in [0, 0.5), got {self.outliers}")
        if not 0 < self.quantile < 1:
            raise bad(f"quantile must be in (0, 1), got {self.quantile}")
        if self.reg_hidden < 0:
            raise bad(f"reg_hidden must be 0 (a linear model) or more, got {self.reg_hidden}")
        if not 0 < self.imbalance < 0.5:
            raise bad(f"imbalance must be in (0, 0.5), got {self.imbalance}")
        if self.pair_classes < 3:
            raise bad(f"pair_classes must be at least 3, got {self.pair_classes}")
        if self.pair_optimizer not in ("sgd", "adam"):
            raise bad(f"pair_optimizer must be 'sgd' or 'adam', got {self.pair_optimizer!r}")
        if not 0 < self.target_fraction <= 1:
            raise bad(f"target_fraction must be in (0, 1], got {self.target_fraction}")


def data_seed() -> int:
    """A data seed drawn from the global generator (so manual_seed fixes the data)."""
    return int(backend.generator().integers(2**31 - 1))


def split(n: int, n_first: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """A random split of range(n): ``n_first`` indices, then the others."""
    order = backend.generator().permutation(n)
    return order[:n_first], order[n_first:]


def mlp(in_features: int, hidden: int, out: int) -> Any:
    """The registry's MLP in_features-hidden-out with ReLU (hidden 0: a linear model)."""
    sizes = (hidden,) if hidden else ()
    return registry.make_model("mlp", in_features=in_features, classes=out, hidden=sizes)


def train(
    model: Any,
    loss: Any,
    optimizer: str,
    lr: float,
    data: tuple,
    epochs: int,
    config: Config,
    **options: Any,
) -> History:
    """Train ``model`` on ``data`` with ``loss`` and the registry's ``optimizer`` at rate
    ``lr``, in mini-batches of ``config.batch_size`` (``options``: fit's, e.g.
    ``validation``); the History."""
    opt = registry.make_optimizer(optimizer, model.parameters(), lr=lr)
    return fit(
        model, loss, opt, data, epochs, batch_size=config.batch_size, progress=False, **options
    )


def wins(seeds: Seeds, a: str, b: str, metric: Metric, what: str = "") -> Count:
    """In how many seeds ``a`` beats ``b`` on ``metric`` (both ran on each seed's data: a
    paired count); ``what``: the verb phrase (default 'has a lower <metric> than <b>')."""
    pairs = list(zip(seeds.values(a, metric.name), seeds.values(b, metric.name)))
    won = sum(x != y and (x < y) == metric.lower_is_better for x, y in pairs)
    side = "lower" if metric.lower_is_better else "higher"
    what = what or f"has a {side} {metric.what} than {b}"
    return Count(f"wins:{metric.name}:{a}-{b}", a, what, won, len(pairs))
