"""Keras's layers with Keras's names, arguments, defaults and channels-last data."""

from __future__ import annotations

from neuralab.keras.layers.convolutional import Conv1D, Conv2D
from neuralab.keras.layers.core import (
    Activation,
    Add,
    Concatenate,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Permute,
    Reshape,
    add,
    concatenate,
)
from neuralab.keras.layers.layer import Input, InputLayer, KerasTensor, Layer
from neuralab.keras.layers.normalization import BatchNormalization
from neuralab.keras.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from neuralab.keras.layers.recurrent import GRU, LSTM, Bidirectional, SimpleRNN

# Keras's aliases
Convolution1D, Convolution2D = Conv1D, Conv2D
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = (
    MaxPooling1D,
    MaxPooling2D,
    AveragePooling1D,
    AveragePooling2D,
)
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D

__all__ = [
    "Conv1D",
    "Conv2D",
    "Convolution1D",
    "Convolution2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "Activation",
    "Add",
    "BatchNormalization",
    "Bidirectional",
    "Concatenate",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRU",
    "Input",
    "InputLayer",
    "KerasTensor",
    "LSTM",
    "Layer",
    "Permute",
    "Reshape",
    "SimpleRNN",
    "add",
    "concatenate",
]


def __getattr__(name: str) -> object:
    """A Keras name that neuralab.keras lacks raises NotImplementedError naming it."""
    from neuralab.keras.keras_names import missing

    raise missing(name, "layers")
