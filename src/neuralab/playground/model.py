"""The playground's configuration (every control of the page, checked) and the network and
optimizer it describes, built from neuralab's models, initializers and ``registry``.

    config = parse_config({"dataset": "spiral", "hidden": [8, 8], "activation": "tanh"})
    model = build_model(config)            # Linear(2, 8) Tanh Linear(8, 8) Tanh Linear(8, 2)
    optimizer = build_optimizer(config, model)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy

import neuralab as nl
from neuralab import nn, registry
from neuralab.models import ACTIVATIONS, MLP
from neuralab.playground.data import DATASETS, FEATURES
from neuralab.playground.images import (
    ARCHITECTURES,
    IMAGE_DATASETS,
    IMAGE_DEFAULTS,
    MAX_IMAGE_WIDTH,
    build_image_model,
    is_image,
)
from neuralab.playground.regression import REGRESSION, is_regression

__all__ = [
    "INITS",
    "MAX_LAYERS",
    "MAX_WIDTH",
    "OPTIMIZERS",
    "optimizer_options",
    "SCHEDULES",
    "Config",
    "build_model",
    "build_optimizer",
    "build_scheduler",
    "parse_config",
    "penalty",
]

MAX_LAYERS = 6
MAX_WIDTH = 16
INITS = ("xavier", "he", "normal")
"""Initializations: Xavier (Glorot) uniform, He (Kaiming) uniform, N(0, 0.1^2)."""
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
"""The page's optimizers (``optimizer_options`` maps them to ``registry.OPTIMIZERS``)."""
SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup")
"""The learning-rate schedules, stepped every epoch: ``registry.SCHEDULES`` names, and
``warmup`` (``optim.lr_scheduler.LinearLR``)."""


@dataclass(frozen=True)
class Config:
    """Every control of the playground; ``parse_config`` checks each.

    Args:
        dataset: A key of ``data.DATASETS`` (2-D classification: two logits,
            cross-entropy), of ``regression.REGRESSION`` (regression: one linear output,
            mean squared error) or of ``images.IMAGE_DATASETS`` (``mnist``,
            ``fashion-mnist``).
        noise: Noise of the points, 0 to 0.5.
        size: Number of points, 20 to 2000.
        test_fraction: Share of the points held out for testing, 0.1 to 0.9.
        features: Input features, keys of ``data.FEATURES`` (at least one).
        hidden: Widths of the hidden layers, 0 to ``MAX_LAYERS`` of them, each 1 to
            ``MAX_WIDTH`` (2-D points) or ``images.MAX_IMAGE_WIDTH`` (images).
        architecture: The image network: ``mlp`` (``hidden`` and the layer settings) or
            ``lenet5`` (``models.LeNet5``: its own layers, the activation; no batch norm
            or dropout). 2-D points take ``mlp`` only.
        train_size: Images drawn from the image data set's training file, 100 to 60000.
        test_size: Images drawn from its test file, 100 to 10000.
        activation: The hidden layers' activation, a key of ``models.ACTIVATIONS``.
        init: ``xavier``, ``he`` or ``normal``.
        batch_norm: A BatchNorm1d after each hidden Linear layer (before its activation);
            it needs batches of at least 2 points (a last batch of 1 is skipped).
        dropout: Probability of a Dropout after each hidden activation, 0 to 0.9.
        l1: L1 penalty rate on the weights, lambda_1 sum |w|, 0 to 1.
        l2: L2 penalty rate on the weights, lambda_2 sum w^2, 0 to 1.
        optimizer: ``sgd``, ``momentum`` (SGD with momentum), ``adam``, ``rmsprop``,
            ``adagrad``.
        lr: Learning rate, 0 < lr <= 10.
        momentum: ``momentum``'s factor mu (v <- mu v + g, w <- w - lr v), 0 to 0.999.
        beta1: Adam's decay of the gradient's mean, m <- b1 m + (1 - b1) g, 0 to 0.999.
        beta2: Adam's decay of the squared gradient's mean, v <- b2 v + (1 - b2) g^2, 0 to
            0.9999.
        alpha: RMSprop's decay of the squared gradient's mean, s <- a s + (1 - a) g^2, 0 to
            0.9999.
        schedule: The learning rate's schedule, stepped after every epoch: ``constant``,
            ``step`` (lr x gamma every ``step_size`` epochs), ``exponential``
            (lr x gamma every epoch), ``cosine`` (cosine annealing to 0 over
            ``step_size`` epochs, lr_t = lr (1 + cos(pi t / step_size)) / 2, then back up,
            as PyTorch's ``CosineAnnealingLR``) or ``warmup`` (linear warm-up from
            lr x gamma to lr over ``step_size`` epochs, lr_t = lr (gamma + (1 - gamma)
            min(t, step_size) / step_size), then constant).
        gamma: The schedule's factor (``warmup``: its starting factor), 0 < gamma <= 1.
        step_size: The schedule's length in epochs: between two steps of ``step``, of
            the cosine's half period, of the warm-up; 1 to 10000.
        batch_size: Points per update, 1 to 2000.
        seed: Seed of the data, the split, the weights and the batches, 0 to 2^31 - 1.

    Examples:
        >>> from neuralab.playground.model import Config
        >>> Config(dataset="xor").to_dict()["hidden"]
        [4, 2]
    """

    dataset: str = "circles"
    noise: float = 0.0
    size: int = 500
    test_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    architecture: str = "mlp"
    train_size: int = 5000
    test_size: int = 1000
    activation: str = "tanh"
    init: str = "xavier"
    batch_norm: bool = False
    dropout: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    optimizer: str = "sgd"
    lr: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    schedule: str = "constant"
    gamma: float = 0.5
    step_size: int = 20
    batch_size: int = 10
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON-ready values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _choice(field: str, value: Any, choices: Any) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{field}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _number(field: str, value: Any, low: float, high: float, *, integer: bool = False) -> Any:
    kind = "an integer" if integer else "a number"
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not math.isfinite(value):
        raise ValueError(f"{field}: expected {kind} in [{low:g}, {high:g}], got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{field}: expected {kind} in [{low:g}, {high:g}], got {value!r}")
    return int(value) if integer else float(value)


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{field}: expected true or false, got {value!r}")
    return value


def _gamma(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not 0 < value <= 1:
        raise ValueError(f"gamma: expected a number in (0, 1], got {value!r}")
    return float(value)


def parse_config(values: dict[str, Any], base: Config | None = None) -> Config:
    """Check the controls ``values`` and return the configuration: ``base`` (default:
    ``Config()``) with those values changed.

    A data set of the other kind than ``base``'s (images instead of 2-D points, or back)
    starts from that kind's network and training settings, ``images.IMAGE_DEFAULTS`` or
    ``Config()``'s, for those of them ``values`` does not give.

    Args:
        values: Field name -> value, as JSON gives them (lists for tuples).
        base: The configuration to change. Defaults to ``Config()``.

    Returns:
        The new configuration.

    Raises:
        ValueError: An unknown field or a bad value; the message names the field first
            (``"lr: expected a number in (0, 10], got -1"``).

    Examples:
        >>> from neuralab.playground.model import parse_config
        >>> parse_config({"dataset": "xor", "hidden": [3]}).hidden
        (3,)
        >>> parse_config({"dataset": "mnist"}).hidden
        (64,)
        >>> parse_config({"lr": -1})
        Traceback (most recent call last):
        ValueError: lr: expected a number in (0, 10], got -1
    """
    if not isinstance(values, dict):
        raise ValueError(f"config: expected an object of settings, got {values!r}")
    names = [f.name for f in fields(Config)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown setting; expected some of {', '.join(names)}")
    base = base or Config()
    out = base.to_dict() | values
    dataset = _choice("dataset", out["dataset"], {**DATASETS, **REGRESSION, **IMAGE_DATASETS})
    image = is_image(dataset)
    if image != is_image(base.dataset):  # the other kind: its settings, unless given
        kind = IMAGE_DEFAULTS if image else Config().to_dict()
        out |= {k: kind[k] for k in IMAGE_DEFAULTS if k not in values}
    lr = out["lr"]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 10:
        raise ValueError(f"lr: expected a number in (0, 10], got {lr!r}")
    feats = out["features"]
    if not isinstance(feats, list) or not feats or len(set(map(str, feats))) != len(feats):
        raise ValueError(f"features: expected a list of distinct feature names, got {feats!r}")
    for name in feats:
        _choice("features", name, FEATURES)
    hidden = out["hidden"]
    if not isinstance(hidden, list) or len(hidden) > MAX_LAYERS:
        raise ValueError(f"hidden: expected a list of at most {MAX_LAYERS} widths, got {hidden!r}")
    for width in hidden:
        _number("hidden", width, 1, MAX_IMAGE_WIDTH if image else MAX_WIDTH, integer=True)
    if out["batch_norm"] is True and out["batch_size"] == 1:
        raise ValueError("batch_size: batch norm needs batches of at least 2 points, got 1")
    architecture = _choice("architecture", out["architecture"], ARCHITECTURES)
    if architecture == "lenet5":
        if not image:
            raise ValueError(
                "architecture: lenet5 reads images; choose the data set mnist or "
                f"fashion-mnist, or the mlp, got the data set {dataset!r}"
            )
        for name, off in (("batch_norm", False), ("dropout", 0)):
            if out[name] != off:
                raise ValueError(
                    f"{name}: LeNet-5 has no {name}; choose the mlp, got {out[name]!r}"
                )
    return Config(
        dataset=dataset,
        noise=_number("noise", out["noise"], 0, 0.5),
        size=_number("size", out["size"], 20, 2000, integer=True),
        test_fraction=_number("test_fraction", out["test_fraction"], 0.1, 0.9),
        features=tuple(feats),
        hidden=tuple(hidden),
        architecture=architecture,
        train_size=_number("train_size", out["train_size"], 100, 60_000, integer=True),
        test_size=_number("test_size", out["test_size"], 100, 10_000, integer=True),
        activation=_choice("activation", out["activation"], ACTIVATIONS),
        init=_choice("init", out["init"], INITS),
        batch_norm=_flag("batch_norm", out["batch_norm"]),
        dropout=_number("dropout", out["dropout"], 0, 0.9),
        l1=_number("l1", out["l1"], 0, 1),
        l2=_number("l2", out["l2"], 0, 1),
        optimizer=_choice("optimizer", out["optimizer"], OPTIMIZERS),
        lr=float(lr),
        momentum=_number("momentum", out["momentum"], 0, 0.999),
        beta1=_number("beta1", out["beta1"], 0, 0.999),
        beta2=_number("beta2", out["beta2"], 0, 0.9999),
        alpha=_number("alpha", out["alpha"], 0, 0.9999),
        schedule=_choice("schedule", out["schedule"], SCHEDULES),
        gamma=_gamma(out["gamma"]),
        step_size=_number("step_size", out["step_size"], 1, 10_000, integer=True),
        batch_size=_number("batch_size", out["batch_size"], 1, 2000, integer=True),
        seed=_number("seed", out["seed"], 0, 2**31 - 1, integer=True),
    )


def build_model(config: Config) -> nn.Sequential:
    """The network of ``config``: ``models.MLP`` from the features to two logits (one
    value, for a regression set), weights initialized by ``config.init`` from a generator
    seeded by ``config.seed``, biases 0.

    Args:
        config: The configuration.

    Returns:
        The model; input (N, len(features)), output (N, 2) logits or (N, 1) values.

    An image data set's network is ``images.build_image_model``'s.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.playground.model import Config, build_model
        >>> build_model(Config(hidden=(3,)))(nl.zeros(5, 2)).shape
        (5, 2)
    """
    if is_image(config.dataset):
        return build_image_model(config)
    model = MLP(
        len(config.features),
        config.hidden,
        1 if is_regression(config.dataset) else 2,
        activation=config.activation,
        batch_norm=config.batch_norm,
        dropout=config.dropout,
    )
    rng = numpy.random.default_rng(config.seed)
    for layer in model:
        if isinstance(layer, nn.Linear):
            if config.init == "xavier":
                nn.init.xavier_uniform_(layer.weight, generator=rng)
            elif config.init == "he":
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=rng)
            else:
                nn.init.normal_(layer.weight, 0.0, 0.1, generator=rng)
            nn.init.zeros_(layer.bias)
    return model


def build_optimizer(config: Config, model: nn.Module) -> Any:
    """The optimizer of ``config`` over ``model``'s parameters (``registry.make_optimizer``).

    Args:
        config: The configuration.
        model: The model.

    Returns:
        The optimizer.

    Examples:
        >>> from neuralab.playground.model import Config, build_model, build_optimizer
        >>> config = Config(optimizer="momentum", lr=0.1)
        >>> optimizer = build_optimizer(config, build_model(config))
        >>> type(optimizer).__name__, optimizer.param_groups[0]["momentum"]
        ('SGD', 0.9)
    """
    name, options = optimizer_options(config)
    return registry.make_optimizer(name, model.parameters(), lr=config.lr, **options)


def optimizer_options(config: Config) -> tuple[str, dict[str, Any]]:
    """``config``'s optimizer as a ``registry.OPTIMIZERS`` name and its hyperparameters
    besides the learning rate (PyTorch's argument names, so the exported scripts of both
    libraries pass them as they are).

    Args:
        config: The configuration.

    Returns:
        (name, options).

    Examples:
        >>> from neuralab.playground.model import Config, optimizer_options
        >>> optimizer_options(Config(optimizer="adam", beta2=0.99))
        ('adam', {'betas': (0.9, 0.99)})
    """
    if config.optimizer == "momentum":
        return "sgd", {"momentum": config.momentum}
    if config.optimizer == "adam":
        return "adam", {"betas": (config.beta1, config.beta2)}
    if config.optimizer == "rmsprop":
        return "rmsprop", {"alpha": config.alpha}
    return config.optimizer, {}


def build_scheduler(config: Config, optimizer: Any) -> Any:
    """The learning-rate schedule of ``config`` (``registry.make_scheduler``; ``warmup``:
    ``optim.lr_scheduler.LinearLR``), to step after every epoch; None for ``constant``.

    Args:
        config: The configuration.
        optimizer: The optimizer it changes.

    Returns:
        The scheduler, or None.

    Examples:
        >>> from neuralab.playground.model import Config, build_model, build_optimizer
        >>> from neuralab.playground.model import build_scheduler
        >>> config = Config(schedule="step", gamma=0.5, step_size=2, lr=0.1)
        >>> optimizer = build_optimizer(config, build_model(config))
        >>> scheduler = build_scheduler(config, optimizer)
        >>> for _ in range(4):
        ...     scheduler.step()
        >>> optimizer.param_groups[0]["lr"]
        0.025
    """
    if config.schedule == "warmup":
        return nl.optim.lr_scheduler.LinearLR(
            optimizer, start_factor=config.gamma, total_iters=config.step_size
        )
    options: dict[str, Any] = {}
    epochs = 1
    if config.schedule == "step":
        options = {"step_size": config.step_size, "gamma": config.gamma}
    elif config.schedule == "exponential":
        options = {"gamma": config.gamma}
    elif config.schedule == "cosine":
        epochs = config.step_size  # T_max
    return registry.make_scheduler(
        config.schedule, optimizer, epochs=epochs, steps_per_epoch=1, **options
    )


def penalty(config: Config, model: nn.Module) -> Any:
    """The regularization term added to the loss: lambda_1 sum |w| + lambda_2 sum w^2 over
    the weights of the Linear and Conv2d layers (not the biases); None when both rates
    are 0.

    Args:
        config: The configuration.
        model: The model.

    Returns:
        A scalar Tensor, or None.

    Examples:
        >>> from neuralab.playground.model import Config, build_model, penalty
        >>> model = build_model(Config(hidden=(), init="normal"))
        >>> w = model[0].weight.detach().numpy()
        >>> term = penalty(Config(l1=0.5, l2=0.0), model).item()
        >>> bool(abs(term - 0.5 * abs(w).sum()) < 1e-6), penalty(Config(), model) is None
        (True, True)
    """
    if not config.l1 and not config.l2:
        return None
    total = nl.tensor(0.0)
    for layer in model:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            if config.l1:
                total = total + config.l1 * layer.weight.abs().sum()
            if config.l2:
                total = total + config.l2 * (layer.weight * layer.weight).sum()
    return total
