"""TEMPORARY stand-ins for ``neuralab.keras.losses/metrics/optimizers`` (the "optim" helper's
modules), installed only while those modules are missing, so the fit/callback tests run
before they land. Each follows Keras's formula; once the real modules are merged these are
unused (``install()`` finds them) and this file can go."""

from __future__ import annotations

import importlib
import sys
import types
import typing

import numpy

import neuralab
import neuralab.keras
from neuralab import optim

EPS = 1e-7


def _same_rank(y_true, y_pred):
    if y_true.dim() == y_pred.dim() - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    return y_true.float(), y_pred


def _reduce(per_sample, sample_weight):
    """Keras's 'sum_over_batch_size': sum(loss * w) / number of loss elements."""
    if sample_weight is not None:
        w = (
            sample_weight
            if isinstance(sample_weight, neuralab.Tensor)
            else neuralab.tensor(numpy.asarray(sample_weight, numpy.float32))
        )
        per_sample = per_sample * w.float().reshape(per_sample.shape)
    return per_sample.sum() / per_sample.numel()


class _Loss:
    def __init__(self, fn, name):
        self.fn, self.name = fn, name

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return _reduce(self.fn(y_true, y_pred), sample_weight)


def _bce(y, p):
    p = p.clamp(EPS, 1 - EPS)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean(-1)


def _mse(y, p):
    return ((y - p) ** 2).mean(-1)


def _scce(y, p):  # sparse categorical cross-entropy on probabilities
    p = p / p.sum(-1, keepdim=True)
    p = p.clamp(EPS, 1 - EPS)
    idx = y.reshape(-1).long()
    return -(p.log()[neuralab.arange(len(idx)), idx])


class _Losses(types.ModuleType):
    _ALL: typing.ClassVar[dict] = {
        "binary_crossentropy": _bce,
        "mse": _mse,
        "mean_squared_error": _mse,
    }

    def get(self, identifier):
        if identifier == "sparse_categorical_crossentropy":
            return _SparseLoss()
        return _Loss(self._ALL[identifier], identifier)


class _SparseLoss:
    name = "sparse_categorical_crossentropy"

    def __call__(self, y_true, y_pred, sample_weight=None):
        return _reduce(_scce(y_true, y_pred), sample_weight)


class _Mean:
    """Keras's MeanMetricWrapper: total += sum(v * w), count += sum(w); float32 state."""

    def __init__(self, fn, name, direction):
        self.fn, self.name, self._direction = fn, name, direction
        self.reset_state()

    def reset_state(self):
        self.total, self.count = numpy.float32(0), numpy.float32(0)

    def update_state(self, y_true, y_pred, sample_weight=None):
        v = self.fn(y_true.numpy(), y_pred.numpy()).astype(numpy.float32)
        w = (
            numpy.ones_like(v)
            if sample_weight is None
            else numpy.asarray(
                sample_weight.numpy() if hasattr(sample_weight, "numpy") else sample_weight,
                numpy.float32,
            ).reshape(v.shape)
        )
        self.total += numpy.float32((v * w).sum())
        self.count += numpy.float32(w.sum())

    def result(self):
        return float(self.total / self.count) if self.count else 0.0


def _binary_accuracy(y, p):
    y = y.reshape(p.shape) if y.size == p.size else y
    return ((p > 0.5).astype(numpy.float32) == y).astype(numpy.float32).mean(-1)


def _sparse_accuracy(y, p):
    return (p.argmax(-1) == y.reshape(len(y), -1)[:, 0]).astype(numpy.float32)


def _mse_metric(y, p):
    y = y.reshape(p.shape) if y.size == p.size else y
    return ((y - p) ** 2).mean(-1)


class _Metrics(types.ModuleType):
    _ALL: typing.ClassVar[dict] = {
        "binary_accuracy": (_binary_accuracy, "up"),
        "sparse_categorical_accuracy": (_sparse_accuracy, "up"),
        "mse": (_mse_metric, "down"),
    }

    def get(self, identifier):
        fn, direction = self._ALL[identifier]
        return _Mean(fn, identifier, direction)


class SGD(optim.SGD):
    """Keras's plain SGD (w <- w - lr g), built lazily over the trainable weights."""

    def __init__(self, learning_rate=0.01):
        self._initial_lr, self.built = learning_rate, False

    def build(self, variables):
        optim.SGD.__init__(self, list(variables), lr=self._initial_lr)
        self.built = True

    @property
    def learning_rate(self):
        return self.param_groups[0]["lr"] if self.built else self._initial_lr

    @learning_rate.setter
    def learning_rate(self, value):
        if self.built:
            self.param_groups[0]["lr"] = float(value)
        else:
            self._initial_lr = float(value)


class _Optimizers(types.ModuleType):
    SGD = SGD

    def get(self, identifier):
        return SGD() if identifier == "sgd" else identifier


def install() -> None:
    """Put a stand-in in place of each of the three modules that is not there yet."""
    for name, cls in (("losses", _Losses), ("metrics", _Metrics), ("optimizers", _Optimizers)):
        full = f"neuralab.keras.{name}"
        try:
            importlib.import_module(full)
        except ImportError:
            module = cls(full)
            sys.modules[full] = module
            setattr(neuralab.keras, name, module)


def sgd(learning_rate):
    """An SGD of the real module when present, else the stand-in."""
    install()
    return sys.modules["neuralab.keras.optimizers"].SGD(learning_rate=learning_rate)
