"""Layers and models, as ``torch.nn``."""

from neuralab.nn import init, utils
from neuralab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuralab.nn.containers import ModuleList, Sequential
from neuralab.nn.layers import Dropout, Flatten, Identity, Linear
from neuralab.nn.module import Module, Parameter
from neuralab.nn.normalization import BatchNorm1d, BatchNorm2d

__all__ = [
    "ELU", "GELU", "BatchNorm1d", "BatchNorm2d", "Dropout", "Flatten", "Identity",
    "LeakyReLU", "Linear", "LogSoftmax", "Module", "ModuleList", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Tanh", "init", "utils",
]  # fmt: skip
