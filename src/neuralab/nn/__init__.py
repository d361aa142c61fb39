"""Layers and models, as ``torch.nn``.

A ``torch.nn`` name that neuralab does not have (``nn.Transformer``, ``nn.ConvTranspose2d``,
...) raises NotImplementedError naming it and the nearest neuralab way; a name that is not
in ``torch.nn`` either is an AttributeError as usual.
"""

from typing import Any

from neuralab.nn import functional, init, parallel, utils
from neuralab.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmax2d,
    Softplus,
    Tanh,
)
from neuralab.nn.containers import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from neuralab.nn.conv import Conv2d, ConvTranspose2d
from neuralab.nn.embedding import Embedding
from neuralab.nn.layers import (
    Dropout,
    Dropout1d,
    Dropout2d,
    Flatten,
    Identity,
    Linear,
    PixelShuffle,
    PixelUnshuffle,
    Unflatten,
)
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
from neuralab.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from neuralab.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from neuralab.nn.recurrent import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    RNNBase,
    RNNCell,
    RNNCellBase,
)
from neuralab.torch_names import TORCH_NN
from neuralab.unsupported import missing

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "ELU",
    "Embedding",
    "Flatten",
    "GELU",
    "GRU",
    "GRUCell",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LSTM",
    "LSTMCell",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "PixelShuffle",
    "PixelUnshuffle",
    "QuantileLoss",
    "RNN",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softmax2d",
    "Softplus",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "parallel",
    "utils",
]


def __getattr__(name: str) -> Any:
    raise missing(name, "torch.nn", TORCH_NN)
