"""Names to objects: one table each for optimizers, learning-rate schedules, data sets and
models, used by the command line (``neuralab train``), the lab's studies, ``neuralab
tune`` and the playground. Adding an optimizer or a schedule here makes it available to
all of them.

    opt = make_optimizer("sgd", model.parameters(), lr=0.01, momentum=0.9)
    sched = make_scheduler("cosine", opt, epochs=10, steps_per_epoch=938)
    model = make_model("mlp", in_features=784, classes=10, hidden=(128, 64))
    splits = load_splits("mnist", n_train=10_000, n_val=1_000, n_test=2_000, seed=0)

Every option has PyTorch's meaning; an option an entry does not take, or an unknown
name, is a ValueError that lists what is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from neuralab import optim
from neuralab.data.splits import DATASETS, SHAPES, Splits, load_splits

__all__ = [
    "DATASETS",
    "MODELS",
    "OPTIMIZERS",
    "SCHEDULES",
    "SHAPES",
    "Splits",
    "load_splits",
    "make_model",
    "make_optimizer",
    "make_scheduler",
    "optimizer_label",
    "schedule_steps_per_batch",
]


@dataclass(frozen=True)
class _Entry:
    """A named maker: its display label, the function and the options it accepts."""

    label: str
    make: Callable[..., Any]
    options: tuple[str, ...]


def _check(kind: str, table: dict[str, _Entry], name: str, options: dict[str, Any]) -> _Entry:
    if name not in table:
        raise ValueError(f"{kind}: unknown name {name!r}; expected one of {', '.join(table)}")
    entry = table[name]
    unknown = sorted(k for k, v in options.items() if k not in entry.options and v)
    if unknown:
        takes = ", ".join(entry.options) or "no options"
        raise ValueError(f"{kind} {name!r}: does not take {', '.join(unknown)} (it takes {takes})")
    return entry


# --- optimizers -----------------------------------------------------------------------
OPTIMIZERS: dict[str, _Entry] = {
    "sgd": _Entry("SGD", optim.SGD, ("momentum", "nesterov", "weight_decay")),
    "adam": _Entry("Adam", optim.Adam, ("betas", "weight_decay")),
    "adamw": _Entry("AdamW", optim.AdamW, ("betas", "weight_decay")),
    "rmsprop": _Entry("RMSprop", optim.RMSprop, ("alpha", "momentum", "weight_decay")),
    "adagrad": _Entry("Adagrad", optim.Adagrad, ("weight_decay",)),
}


def make_optimizer(name: str, parameters: Iterable[Any], *, lr: float, **options: Any) -> Any:
    """The optimizer ``name`` over ``parameters``, with learning rate ``lr`` and options.

    Options have PyTorch's names (``momentum``, ``nesterov``, ``betas``, ``alpha``,
    ``weight_decay``). An option left at 0/None/False is not passed, so ``momentum=0.0`` is
    accepted by every optimizer; a non-zero one the optimizer does not take is an error
    (never silently ignored).

    Args:
        name: ``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"`` or ``"adagrad"`` (the keys of
            ``OPTIMIZERS``).
        parameters: The parameters to optimize.
        lr: The learning rate.
        **options: The optimizer's options.

    Returns:
        The optimizer.

    Raises:
        ValueError: An unknown name, or an option the optimizer does not take.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.registry import make_optimizer
        >>> model = nl.nn.Linear(2, 1)
        >>> opt = make_optimizer("sgd", model.parameters(), lr=0.1, momentum=0.9)
        >>> type(opt).__name__, opt.param_groups[0]["momentum"]
        ('SGD', 0.9)
        >>> make_optimizer("adam", model.parameters(), lr=0.1, momentum=0.9)
        Traceback (most recent call last):
        ValueError: optimizer 'adam': does not take momentum (it takes betas, weight_decay)
    """
    entry = _check("optimizer", OPTIMIZERS, name, options)
    given = {k: v for k, v in options.items() if v}
    return entry.make(list(parameters), lr=lr, **given)


def optimizer_label(name: str, momentum: float = 0.0) -> str:
    """The optimizer's display name (``"SGD + momentum"`` for SGD with momentum).

    Args:
        name: A key of ``OPTIMIZERS``.
        momentum: The momentum it is used with. Defaults to 0.0.

    Returns:
        The label.

    Raises:
        ValueError: An unknown name.

    Examples:
        >>> from neuralab.registry import optimizer_label
        >>> optimizer_label("sgd", momentum=0.9), optimizer_label("adamw")
        ('SGD + momentum', 'AdamW')
    """
    _check("optimizer", OPTIMIZERS, name, {})
    label = OPTIMIZERS[name].label
    return f"{label} + momentum" if name == "sgd" and momentum else label


# --- learning-rate schedules ------------------------------------------------------------
def _step(opt: Any, epochs: int, steps: int, step_size: int | None = None, gamma: float = 0.1):
    return optim.lr_scheduler.StepLR(opt, step_size or max(1, epochs // 3), gamma)


def _exponential(opt: Any, epochs: int, steps: int, gamma: float = 0.9):
    return optim.lr_scheduler.ExponentialLR(opt, gamma)


def _plateau(opt: Any, epochs: int, steps: int, factor: float = 0.1, patience: int = 10):
    return optim.lr_scheduler.ReduceLROnPlateau(opt, factor=factor, patience=patience)


def _cyclic(
    opt: Any,
    epochs: int,
    steps: int,
    base_lr: float | None = None,
    max_lr: float | None = None,
    step_size_up: int | None = None,
):
    lr = opt.param_groups[0]["lr"]
    return optim.lr_scheduler.CyclicLR(
        opt,
        base_lr if base_lr is not None else lr / 10,
        max_lr if max_lr is not None else lr,
        step_size_up=step_size_up or max(1, steps // 2),
        cycle_momentum=False,
    )


def _cosine(opt: Any, epochs: int, steps: int, eta_min: float = 0.0):
    return optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=eta_min)


def _onecycle(
    opt: Any, epochs: int, steps: int, max_lr: float | None = None, pct_start: float = 0.3
):
    peak = max_lr if max_lr is not None else opt.param_groups[0]["lr"]
    cycles = "momentum" in opt.defaults or "betas" in opt.defaults  # Adagrad has neither
    return optim.lr_scheduler.OneCycleLR(
        opt, peak, total_steps=epochs * steps, pct_start=pct_start, cycle_momentum=cycles
    )


SCHEDULES: dict[str, _Entry] = {
    "constant": _Entry("constant", lambda *a: None, ()),
    "step": _Entry("step decay", _step, ("step_size", "gamma")),
    "exponential": _Entry("exponential decay", _exponential, ("gamma",)),
    "plateau": _Entry("reduce on plateau", _plateau, ("factor", "patience")),
    "cyclic": _Entry("cyclic (triangle)", _cyclic, ("base_lr", "max_lr", "step_size_up")),
    "cosine": _Entry("cosine annealing", _cosine, ("eta_min",)),
    "onecycle": _Entry("one-cycle", _onecycle, ("max_lr", "pct_start")),
}
# Other spellings accepted for a schedule: tune's configs say 'none' for the constant rate.
SCHEDULE_ALIASES = {"none": "constant", "one_cycle": "onecycle"}


def make_scheduler(
    name: str, optimizer: Any, *, epochs: int, steps_per_epoch: int, **options: Any
) -> Any:
    """The learning-rate schedule ``name`` for ``optimizer`` over a whole training run.

    Defaults by name:

    - ``constant`` (or ``none``): no scheduler (None);
    - ``step``: x0.1 every third of training (``step_size``, ``gamma``);
    - ``exponential``: x0.9 per epoch (``gamma``);
    - ``plateau``: x0.1 after 10 epochs without improvement (``factor``, ``patience``);
    - ``cyclic``: a triangle from lr/10 to lr, half a cycle per epoch (``base_lr``,
      ``max_lr``, ``step_size_up``);
    - ``cosine``: lr -> eta_min over training,
      lr_t = eta_min + (lr - eta_min) (1 + cos(pi t / T)) / 2 (``eta_min``);
    - ``onecycle``: peak at the optimizer's lr 30 % into training, cycling the momentum
      (or Adam's beta1) where the optimizer has one (``max_lr``, ``pct_start``).

    ``neuralab.train.fit`` steps cyclic and onecycle per batch, plateau on the validation
    loss, the others per epoch (``schedule_steps_per_batch``).

    Args:
        name: A key of ``SCHEDULES`` (or an alias: ``none``, ``one_cycle``).
        optimizer: The optimizer.
        epochs: Epochs of training.
        steps_per_epoch: Batches per epoch.
        **options: The schedule's options (None keeps the default).

    Returns:
        The scheduler, or None for ``constant``.

    Raises:
        ValueError: An unknown name, or an option the schedule does not take.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.registry import make_scheduler
        >>> opt = nl.optim.SGD(nl.nn.Linear(2, 1).parameters(), lr=0.1)
        >>> type(make_scheduler("cosine", opt, epochs=10, steps_per_epoch=100)).__name__
        'CosineAnnealingLR'
        >>> make_scheduler("constant", opt, epochs=10, steps_per_epoch=100) is None
        True
    """
    entry = _check("schedule", SCHEDULES, SCHEDULE_ALIASES.get(name, name), options)
    given = {k: v for k, v in options.items() if v is not None}
    return entry.make(optimizer, epochs, steps_per_epoch, **given)


def schedule_steps_per_batch(name: str) -> bool:
    """Whether the schedule ``name`` is stepped after every batch (else every epoch).

    Args:
        name: A schedule name or alias.

    Returns:
        True for ``cyclic`` and ``onecycle``.

    Examples:
        >>> from neuralab.registry import schedule_steps_per_batch
        >>> schedule_steps_per_batch("onecycle"), schedule_steps_per_batch("step")
        (True, False)
    """
    return SCHEDULE_ALIASES.get(name, name) in ("cyclic", "onecycle")


# --- models -------------------------------------------------------------------------------
def _mlp(in_features: int, classes: int, hidden: Sequence[int] = (128, 64), **options: Any):
    from neuralab.models import MLP

    return MLP(in_features, tuple(hidden), classes, **options)


def _lenet5(in_features: int, classes: int, **options: Any):
    from neuralab.models import LeNet5

    if in_features != 784:
        raise ValueError(f"model 'lenet5': expects 28 x 28 images (784 inputs), got {in_features}")
    return LeNet5(classes, **options)


MODELS: dict[str, _Entry] = {
    "mlp": _Entry("MLP", _mlp, ("hidden", "activation", "dropout", "batch_norm")),
    "lenet5": _Entry("LeNet-5 CNN", _lenet5, ("activation",)),
}


def make_model(name: str, *, in_features: int, classes: int, **options: Any) -> Any:
    """The model ``name``, for ``in_features`` inputs and ``classes`` outputs.

    ``"mlp"``: ``neuralab.models.MLP`` in_features-hidden-classes, ReLU by default
    (options ``hidden``, ``activation``, ``dropout``, ``batch_norm``); ``"lenet5"``:
    ``neuralab.models.LeNet5`` for 28 x 28 images, input (N, 1, 28, 28) (option
    ``activation``).

    Args:
        name: A key of ``MODELS``.
        in_features: Number of input features (784 for lenet5).
        classes: Number of classes.
        **options: The model's options.

    Returns:
        The model (a ``neuralab.nn.Module``).

    Raises:
        ValueError: An unknown name, an option the model does not take, or lenet5 with
            in_features other than 784.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.registry import make_model
        >>> model = make_model("mlp", in_features=4, classes=3, hidden=(8,))
        >>> model(nl.zeros(2, 4)).shape
        (2, 3)
    """
    entry = _check("model", MODELS, name, options)
    return entry.make(in_features, classes, **options)
