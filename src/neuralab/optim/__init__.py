"""Optimizers, as ``torch.optim``; schedules in ``optim.lr_scheduler``."""

from neuralab.optim import lr_scheduler
from neuralab.optim.adam import Adam, AdamW
from neuralab.optim.optimizer import Optimizer
from neuralab.optim.rmsprop import Adagrad, RMSprop
from neuralab.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
