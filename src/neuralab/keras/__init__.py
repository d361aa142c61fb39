"""Keras 3's API on neuralab's engine: ``from neuralab import keras`` (or
``import neuralab as tf`` and ``tf.keras``).

A thin layer over ``neuralab.nn``, ``optim``, ``losses``, ``metrics`` and ``train.fit``:
Keras's names, defaults and channels-last data, the same engine underneath. A Keras name
that is not built here raises ``NotImplementedError`` naming it.
"""

from __future__ import annotations

from neuralab.keras import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from neuralab.keras.layers import Input, InputLayer, KerasTensor, Layer
from neuralab.keras.layers.layer import Variable
from neuralab.keras.losses import Loss
from neuralab.keras.metrics import Metric
from neuralab.keras.models import Model, Sequential
from neuralab.keras.optimizers import Optimizer

__version__ = "3.15.1"  # the Keras API this follows

__all__ = [
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Model",
    "Optimizer",
    "Sequential",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]


def __getattr__(name: str) -> object:
    """A Keras name that neuralab.keras lacks raises NotImplementedError naming it."""
    from neuralab.keras.keras_names import missing

    raise missing(name, "")
