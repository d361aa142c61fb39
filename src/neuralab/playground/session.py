"""One playground session (one browser tab): the data, network and optimizer of a
configuration, the training loop, and the snapshots the page draws.

Plain synchronous code: the server runs it off its event loop (``server.py``).

    session = Session(parse_config({"dataset": "xor"}))
    session.train_epochs(10)
    view = session.snapshot()     # losses, accuracies, boundary and neuron grids
"""

from __future__ import annotations

import io
import math
import threading
import time
from typing import Any

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab import nn
from neuralab.inspect import backward_trace, diagnose
from neuralab.inspect import trace as trace_layers
from neuralab.models import activation
from neuralab.playground import data, regression
from neuralab.playground.model import (
    Config,
    build_model,
    build_optimizer,
    build_scheduler,
    penalty,
)

__all__ = ["BOUNDARY_RESOLUTION", "CURVE_POINTS", "NEURON_RESOLUTION", "Session"]

BOUNDARY_RESOLUTION = 50
NEURON_RESOLUTION = 20
CURVE_POINTS = 121
"""A 1-D regression set's fitted curve: the prediction at this many x1 over [-6, 6]."""
_GLOBAL_STREAM = threading.Lock()
"""Held while a session with dropout trains: dropout draws from neuralab's one global
generator, which the session swaps for its own stream; sessions without dropout draw
nothing from it and train at the same time as the others."""


def _round(values: numpy.ndarray) -> list[float | None]:
    """Values rounded to 3 decimals, NaN and infinities as None (JSON has no NaN)."""
    rounded = numpy.round(values.astype(numpy.float64), 3).ravel()
    return [v if math.isfinite(v) else None for v in rounded.tolist()]


def _number(value: float | None, digits: int = 5) -> float | None:
    """A float for JSON: rounded, or None when missing or not finite (a diverged run)."""
    return round(value, digits) if value is not None and math.isfinite(value) else None


def _significant_all(values: numpy.ndarray | None) -> list | None:
    """An array as nested lists of 3-significant-digit floats (None where not finite)."""
    if values is None:
        return None
    if values.ndim > 1:
        return [_significant_all(row) for row in values]
    return [_significant(float(v)) for v in values]


def _significant(value: float | None) -> float | None:
    """3 significant digits (gradient norms span many decades), None when not finite."""
    return float(f"{value:.3g}") if value is not None and math.isfinite(value) else None


def _diagnosis(
    model: nn.Module, inputs: nl.Tensor, targets: nl.Tensor, loss: Any = F.cross_entropy
) -> dict[str, Any]:
    """``neuralab.inspect.diagnose`` on one batch, in training mode, as the page shows it."""
    model.train()  # as in training (diagnose restores what it changes)
    found = diagnose(model, (inputs, targets), loss)
    return {
        "layers": [
            {
                "name": row.name,
                "kind": row.kind,
                "grad_norm": _significant(row.grad_norm),
                "dead_fraction": row.dead_fraction,
                "saturated_fraction": row.saturated_fraction,
            }
            for row in found.rows
        ],
        "warnings": found.warnings,
    }


class Session:
    """The state of one playground: data, model, optimizer and training counters.

    ``config`` is the configuration, ``epoch`` the epochs trained (one epoch: every
    training point once, in batches), ``step`` the optimizer updates made.

    Args:
        config: The configuration.

    Examples:
        >>> from neuralab.playground.model import Config
        >>> from neuralab.playground.session import Session
        >>> session = Session(Config(dataset="xor", size=100))
        >>> session.train_epochs(2)
        >>> session.epoch, session.step, sorted(session.snapshot())[:3]
        (2, 10, ['boundary', 'diagnosis', 'domain'])
    """

    export_epochs = 100
    """Epochs of the script the page downloads, at least (more when trained longer)."""

    def __init__(self, config: Config) -> None:
        self.configure(config)

    def configure(self, config: Config) -> None:
        """Start over with ``config``: new data, a freshly initialized model, epoch 0.

        Args:
            config: The configuration.
        """
        self.config = config
        self.regression = regression.is_regression(config.dataset)
        make = regression.make_dataset if self.regression else data.make_dataset
        x, y = make(config.dataset, config.size, config.noise, config.seed)
        (self.x_train, self.y_train), (self.x_test, self.y_test) = data.train_test_split(
            x, y, config.test_fraction, config.seed
        )
        self._inputs_train = nl.tensor(data.features(self.x_train, config.features))
        self._inputs_test = nl.tensor(data.features(self.x_test, config.features))
        column = (slice(None), None) if self.regression else slice(None)  # (N, 1) values
        self._targets_train = nl.tensor(self.y_train[column])
        self._targets_test = nl.tensor(self.y_test[column])
        self._loss = F.mse_loss if self.regression else F.cross_entropy
        self._grid_boundary = nl.tensor(
            data.features(data.grid(BOUNDARY_RESOLUTION), config.features)
        )
        self._grid_neurons = nl.tensor(data.features(data.grid(NEURON_RESOLUTION), config.features))
        self._activation = type(activation(config.activation))
        self._start(build_model(config))

    def _start(self, model: nn.Module) -> None:
        """Train ``model`` from epoch 0: its optimizer and schedule, the batch order's
        generator and the session's random stream, all from ``config.seed``."""
        self._rng = numpy.random.default_rng(self.config.seed)
        self.model = model
        self._stream: dict | None = None  # the session's own random stream (dropout)
        self.optimizer = build_optimizer(self.config, self.model)
        self.scheduler = build_scheduler(self.config, self.optimizer)
        self.epoch = 0
        self.step = 0
        self._position = 0
        self._order = numpy.arange(len(self.y_train))
        self.data_changed = True

    def reset(self) -> None:
        """Start over with the same configuration (the same seed: the same start)."""
        self.configure(self.config)

    def train_steps(self, steps: int) -> None:
        """Make ``steps`` updates, each on the next batch of ``config.batch_size`` training
        points (reshuffled every epoch), minimizing cross-entropy + the L1/L2 penalty.

        Args:
            steps: How many updates.
        """
        self.model.train()
        if not self.config.dropout:  # nothing drawn from the global generator
            self._train_steps(steps)
            return
        with _GLOBAL_STREAM:  # dropout draws from the session's own stream, seeded by
            outer = nl.get_rng_state()  # config.seed, whatever other tabs draw in between
            if self._stream is None:
                nl.manual_seed(self.config.seed)
            else:
                nl.set_rng_state(self._stream)
            try:
                self._train_steps(steps)
            finally:
                self._stream = nl.get_rng_state()
                nl.set_rng_state(outer)

    def _train_steps(self, steps: int) -> None:
        n, batch = len(self.y_train), self.config.batch_size
        for _ in range(steps):
            if self._position == 0:
                self._order = self._rng.permutation(n)
            chosen = self._order[self._position : self._position + batch]
            if len(chosen) > 1 or not self.config.batch_norm:  # batch norm needs 2
                self._update(nl.tensor(chosen))
            self.step += 1
            self._position += batch
            if self._position >= n:
                self._position = 0
                self.epoch += 1
                if self.scheduler is not None:
                    self.scheduler.step()

    def _update(self, index: nl.Tensor) -> None:
        logits = self.model(self._inputs_train[index])
        targets = self._targets_train[index]
        loss = self._loss(logits, targets)
        self._seen(logits, targets, loss)
        extra = penalty(self.config, self.model)
        if extra is not None:
            loss = loss + extra
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def _seen(self, logits: nl.Tensor, targets: nl.Tensor, loss: nl.Tensor) -> None:
        """A training batch's outputs and loss, before the update (nothing to keep here)."""

    @property
    def steps_per_epoch(self) -> int:
        """Updates in one epoch: ceil(training points / batch size)."""
        return -(-len(self.y_train) // self.config.batch_size)

    def train_epochs(self, epochs: int = 1) -> None:
        """Train to the end of the current epoch, then ``epochs - 1`` more whole epochs.

        Args:
            epochs: How many epochs.
        """
        for _ in range(epochs):
            left = self.steps_per_epoch - self._position // self.config.batch_size
            self.train_steps(left)

    def train_for(self, seconds: float) -> int:
        """Train batch after batch until ``seconds`` have passed (at least one batch).

        Args:
            seconds: The time budget.

        Returns:
            The updates made.
        """
        start, done = time.perf_counter(), 0
        while True:
            self.train_steps(1)
            done += 1
            if time.perf_counter() - start >= seconds:
                return done

    def _evaluate(self, inputs: nl.Tensor, targets: nl.Tensor) -> tuple[float, float | None]:
        logits = self.model(inputs)
        loss = self._loss(logits, targets).item()
        if self.regression:
            return loss, None
        accuracy = float((logits.numpy().argmax(1) == targets.numpy()).mean())
        return loss, accuracy

    def snapshot(self, full: bool = True) -> dict[str, Any]:
        """What the page draws now.

        Args:
            full: Whether every view is wanted; a 2-D snapshot always holds them all (an
                image snapshot, ``ImageSession``, leaves out its heavy views while
                playing). Defaults to True.

        Returns:
            A JSON-ready dict: ``type`` ``"snapshot"``, ``epoch``, ``step``, ``lr`` (the
            learning rate now, after the schedule), ``train_loss``,
            ``test_loss`` (cross-entropy, without the penalty), ``train_accuracy``,
            ``test_accuracy``; ``boundary``: P(label 1) on a ``BOUNDARY_RESOLUTION``^2 grid
            over the square, row by row from the top; ``neurons``: per hidden layer, per
            unit, its activation on a ``NEURON_RESOLUTION``^2 grid; ``resolution`` and
            ``neuron_resolution``; ``domain``; ``diagnosis``: ``neuralab.inspect.diagnose``
            on the training set, ``{"layers": [{"name", "kind", "grad_norm",
            "dead_fraction", "saturated_fraction"}, ...], "warnings": [...]}``; and,
            ``weights``: each Linear layer's W (out x in, rows of 3-decimal values);
            ``gradients``: each Linear layer's dL/dW of the last update's batch (3
            significant digits; None before the first update); and,
            after a (re)configuration only, ``points``: ``{"train": [[x1, x2, label],
            ...], "test": [...]}``. A value that is not finite (a diverged run) is None.
            ``task`` is ``"classification"`` or ``"regression"``; for regression the
            losses are the mean squared error, the accuracies None, ``boundary`` holds the
            predicted values, ``points`` [x1, x2, y], ``value_domain`` bounds the values
            and, for a 1-D set, ``curve`` is the fitted curve, [[x1, prediction], ...] at
            ``CURVE_POINTS`` x1 over [-6, 6] (x2 = 0).
        """
        gradients = [  # the last step's batch gradients dL/dW, before diagnose runs its own
            _significant_all(None if layer.weight.grad is None else layer.weight.grad.numpy())
            for layer in self.model
            if isinstance(layer, nn.Linear)
        ]
        diagnosis = _diagnosis(self.model, self._inputs_train, self._targets_train, self._loss)
        self.model.eval()
        with nl.no_grad():
            train_loss, train_accuracy = self._evaluate(self._inputs_train, self._targets_train)
            test_loss, test_accuracy = self._evaluate(self._inputs_test, self._targets_test)
            if self.regression:  # the predicted surface
                probability = self.model(self._grid_boundary).numpy()[:, 0]
            else:
                probability = F.softmax(self.model(self._grid_boundary), dim=1).numpy()[:, 1]
            neurons, h = [], self._grid_neurons
            for layer in self.model:
                h = layer(h)
                if isinstance(layer, self._activation) and len(neurons) < len(self.config.hidden):
                    neurons.append([_round(column) for column in h.numpy().T])
        out = {
            "type": "snapshot",
            "epoch": self.epoch,
            "step": self.step,
            "lr": self.optimizer.param_groups[0]["lr"],
            "train_loss": _number(train_loss),
            "test_loss": _number(test_loss),
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "task": "regression" if self.regression else "classification",
            "resolution": BOUNDARY_RESOLUTION,
            "neuron_resolution": NEURON_RESOLUTION,
            "domain": data.DOMAIN,
            "boundary": _round(probability),
            "neurons": neurons,
            "diagnosis": diagnosis,
            "weights": [
                [_round(row) for row in layer.weight.detach().numpy()]
                for layer in self.model
                if isinstance(layer, nn.Linear)
            ],
            "gradients": gradients,
        }
        if self.regression and regression.REGRESSION[self.config.dataset].inputs == 1:
            out["curve"] = self._curve()
            out["value_domain"] = regression.VALUE_DOMAIN
        elif self.regression:
            out["value_domain"] = regression.VALUE_DOMAIN
        if self.data_changed:
            out["points"] = {
                "train": self._points(self.x_train, self.y_train),
                "test": self._points(self.x_test, self.y_test),
            }
            self.data_changed = False
        return out

    def trace(self, x1: float, x2: float, target: Any = None) -> dict[str, Any]:
        """Follow the point (x1, x2) through the network (``neuralab.inspect.trace``) and
        back (``neuralab.inspect.backward_trace``): the chain rule's factors of one
        backward step for the point's loss (without the L1/L2 penalty, in eval mode).

        Args:
            x1: The point's first coordinate.
            x2: The point's second coordinate.
            target: The point's label (0 or 1), or its value for regression. Defaults to
                the label (value) of the nearest training point.

        Returns:
            A JSON-ready dict: ``type`` ``"trace"``, ``point``, ``features`` (name and
            value of each input), ``layers``: per layer its ``kind`` and ``values`` (the
            weighted sums z = W x + b of a Linear layer, the activations of the others),
            ``probability``: P(label 1) = softmax(z_out)_1 (for regression
            ``prediction``, the output), and ``backward``: ``target``,
            ``loss`` and per layer (in forward order) ``kind``, ``grad_output`` (dL/dz of a
            Linear layer, dL/da of an activation), ``local`` (da/dz = f'(z); None for
            Linear), ``grad_input`` (dL/dx of a Linear layer, dL/dz of an activation) and
            ``grad_weight`` (dL/dW = dL/dz x^T, out x in; None but for Linear), 3
            significant digits.

        Raises:
            ValueError: A target that is not a label (not a finite number, for regression).
        """
        point = numpy.array([[x1, x2]], dtype=numpy.float32)
        inputs = data.features(point, self.config.features)
        number = isinstance(target, (int, float)) and not isinstance(target, bool)
        if target is None:
            nearest = numpy.argmin(((self.x_train - point) ** 2).sum(1))
            target = self.y_train[nearest].item()
        elif self.regression and not (number and math.isfinite(target)):
            raise ValueError(f"target: expected a finite number, got {target!r}")
        elif not self.regression and (not number or target not in (0, 1)):
            raise ValueError(f"target: expected a label, 0 or 1, got {target!r}")
        self.model.eval()
        with nl.no_grad():
            steps = trace_layers(self.model, nl.tensor(inputs)).steps
        goal = nl.tensor([[float(target)]]) if self.regression else nl.tensor([int(target)])
        back = backward_trace(self.model, nl.tensor(inputs), goal, self._loss)
        logits = steps[-1].output.astype(numpy.float64)
        out = self._trace_view(x1, x2, inputs, steps, back, target)
        if self.regression:
            out["prediction"] = _number(float(logits[0]), 4)
            return out
        with numpy.errstate(invalid="ignore"):  # NaN logits (a diverged run): None below
            probability = float(numpy.exp(logits[1] - numpy.logaddexp(logits[0], logits[1])))
        out["probability"] = _number(probability, 4)
        return out

    def _trace_view(
        self, x1: float, x2: float, inputs: numpy.ndarray, steps: list, back: Any, target: Any
    ) -> dict[str, Any]:
        return {
            "type": "trace",
            "point": [float(x1), float(x2)],
            "features": [[n, round(float(v), 4)] for n, v in zip(self.config.features, inputs[0])],
            "layers": [{"kind": s.kind, "values": _round(s.output)} for s in steps],
            "backward": {
                "target": round(float(target), 4) if self.regression else int(target),
                "loss": _significant(back.loss),
                "layers": [
                    {
                        "kind": b.kind,
                        "grad_output": _significant_all(b.grad_output),
                        "local": _significant_all(b.local),
                        "grad_input": _significant_all(b.grad_input),
                        "grad_weight": _significant_all(b.grad_weight),
                    }
                    for b in back.steps
                ],
            },
        }

    def weights(self) -> bytes:
        """The model's trained weights, as ``neuralab.save`` writes them (safetensors).

        Returns:
            The file's bytes: ``neuralab.load`` reads them back as the model's
            ``state_dict`` (``build_model(config).load_state_dict(...)``).
        """
        buffer = io.BytesIO()
        nl.save(self.model.state_dict(), buffer)
        return buffer.getvalue()

    def _curve(self) -> list[list[float | None]]:
        """The fitted curve of a 1-D regression set: [x1, prediction] at CURVE_POINTS x1."""
        x1 = numpy.linspace(-data.DOMAIN, data.DOMAIN, CURVE_POINTS, dtype=numpy.float32)
        points = numpy.stack([x1, numpy.zeros_like(x1)], axis=1)
        with nl.no_grad():
            values = self.model(nl.tensor(data.features(points, self.config.features))).numpy()
        return [[round(float(a), 3), v] for a, v in zip(x1, _round(values[:, 0]))]

    @staticmethod
    def _points(x: numpy.ndarray, y: numpy.ndarray) -> list[list[float]]:
        return numpy.round(numpy.column_stack([x, y]).astype(numpy.float64), 3).tolist()
