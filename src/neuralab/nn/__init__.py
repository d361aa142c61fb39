"""Layers and models, as ``torch.nn``."""

from neuralab.nn import init, utils
from neuralab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuralab.nn.containers import ModuleList, Sequential
from neuralab.nn.layers import Dropout, Flatten, Identity, Linear
from neuralab.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    QuantileLoss,
    SmoothL1Loss,
)
from neuralab.nn.module import Module, Parameter
from neuralab.nn.normalization import BatchNorm1d, BatchNorm2d

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Flatten",
    "GELU",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "QuantileLoss",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Tanh",
    "init",
    "utils",
]
