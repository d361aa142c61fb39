"""The shared toolkit of the lab's studies: data (a seeded MNIST subsample), training
(the MLP through ``fit``, the paired trainer), curves (window means), and the comparison
helper that turns conditions x metrics into the standard table, bar figure and findings.
Optimizers, schedules, data sets and models by name come from ``neuralab.registry``;
plots from ``neuralab.lab.plots``; findings from ``neuralab.lab.findings``."""

from neuralab.lab.toolkit.compare import Comparison, Metric, compare
from neuralab.lab.toolkit.curves import geometric_band, window_means, window_steps
from neuralab.lab.toolkit.data import MNIST_TEST, MNIST_TRAIN, MnistData, load_mnist
from neuralab.lab.toolkit.training import (
    Training,
    initial_weights,
    paired_trainer,
    steps_per_epoch,
    train_mlp,
    train_model,
)

__all__ = [
    "MNIST_TEST",
    "MNIST_TRAIN",
    "Comparison",
    "Metric",
    "MnistData",
    "Training",
    "compare",
    "geometric_band",
    "initial_weights",
    "load_mnist",
    "paired_trainer",
    "steps_per_epoch",
    "train_mlp",
    "train_model",
    "window_means",
    "window_steps",
]
