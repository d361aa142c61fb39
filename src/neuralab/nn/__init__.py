"""Layers and models, as ``torch.nn``."""

from neuralab.nn import init, utils
from neuralab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuralab.nn.containers import ModuleList, Sequential
from neuralab.nn.conv import Conv2d
from neuralab.nn.embedding import Embedding
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
from neuralab.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from neuralab.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Embedding",
    "Flatten",
    "GELU",
    "GRU",
    "GRUCell",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LSTM",
    "LSTMCell",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "QuantileLoss",
    "RNN",
    "RNNCell",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Tanh",
    "init",
    "utils",
]
