"""Keras 3's API on neuralab's engine: ``from neuralab import keras``.

A thin layer over ``neuralab.nn``, ``optim``, ``losses``, ``metrics`` and ``train.fit``:
Keras's names, defaults and channels-last data, the same engine underneath.
"""

from __future__ import annotations

from neuralab.keras import activations, backend, initializers, layers, regularizers
from neuralab.keras.layers import Input, KerasTensor, Layer
from neuralab.keras.models import Model, Sequential

__all__ = [
    "Input",
    "KerasTensor",
    "Layer",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "initializers",
    "layers",
    "regularizers",
]


def __getattr__(name: str) -> object:
    """A Keras name that neuralab.keras lacks raises NotImplementedError naming it."""
    from neuralab.keras.keras_names import missing

    raise missing(name, "")
