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

__all__ = [
    "Activation",
    "Add",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Permute",
    "Reshape",
    "add",
    "concatenate",
]


def __getattr__(name: str) -> object:
    """A Keras name that neuralab.keras lacks raises NotImplementedError naming it."""
    from neuralab.keras.keras_names import missing

    raise missing(name, "layers")
