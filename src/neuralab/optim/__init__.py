"""Optimizers, as ``torch.optim``; schedules in ``optim.lr_scheduler``."""

from neuralab.optim import lr_scheduler
from neuralab.optim.adadelta import Adadelta, Adamax
from neuralab.optim.adam import Adam, AdamW
from neuralab.optim.nadam import LBFGS, NAdam, RAdam
from neuralab.optim.optimizer import Optimizer
from neuralab.optim.rmsprop import Adagrad, RMSprop
from neuralab.optim.sgd import SGD

__all__ = [
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "lr_scheduler",
]


def __getattr__(name: str) -> object:
    """A ``torch.optim`` name neuralab lacks raises NotImplementedError naming it."""
    from neuralab.torch_names import TORCH_OPTIM
    from neuralab.unsupported import missing

    raise missing(name, "torch.optim", TORCH_OPTIM)
