"""Keras's layers with Keras's names, arguments, defaults and channels-last data."""

from __future__ import annotations

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
from neuralab.keras.layers.recurrent import GRU, LSTM, Bidirectional, SimpleRNN

__all__ = [
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
