"""A playground session on images (MNIST, Fashion-MNIST): the training loop of ``Session``
on an image subset and an MLP or LeNet-5, and the snapshots the page's image views draw.

A snapshot while playing is light (the counters and the training batches' loss); the
heavy views (the test set's loss, accuracy and confusion matrix, the sample predictions,
the first layer's filters, the diagnosis) come at most every ``HEAVY_SECONDS``, take
at most about ``HEAVY_SHARE`` of the time (but come at least every ``HEAVY_MAX_SECONDS``),
and are in every snapshot asked for in full.

    session = session_for(parse_config({"dataset": "mnist"}))   # an ImageSession
    session.train_epochs(1)
    view = session.snapshot()     # losses, accuracies, confusion, samples, filters
"""

from __future__ import annotations

import base64
import time
from typing import Any

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab import nn
from neuralab.metrics import confusion_matrix
from neuralab.playground.images import (
    CLASSES,
    IMAGE_SIZE,
    build_image_model,
    image_shape,
    is_image,
    load_images,
)
from neuralab.playground.model import Config
from neuralab.playground.session import Session, _diagnosis, _number, _round

__all__ = [
    "DIAGNOSE_SIZE",
    "FILTERS",
    "HEAVY_MAX_SECONDS",
    "HEAVY_SECONDS",
    "HEAVY_SHARE",
    "SAMPLES",
    "ImageSession",
    "session_for",
]

SAMPLES = 16
"""Test images shown with their predicted and true labels (the first of the test subset)."""
FILTERS = 16
"""First-layer filters shown, at most (LeNet-5's conv1 has 6)."""
DIAGNOSE_SIZE = 256
"""Training images ``neuralab.inspect.diagnose`` runs on (the first of the subset)."""
HEAVY_SECONDS = 0.5
"""While playing, seconds from one heavy snapshot to the next, at least."""
HEAVY_SHARE = 0.2
"""While playing, the share of the time the heavy views may take, at most: the next heavy
snapshot waits max(HEAVY_SECONDS, cost of the last one / HEAVY_SHARE), but never more than
HEAVY_MAX_SECONDS."""
HEAVY_MAX_SECONDS = 2.0
_CHUNK = 500  # test images per forward pass (LeNet-5's im2col of 10,000 images is large)


def _pixels(values: numpy.ndarray) -> str:
    """uint8 values as base64, for the page's JSON."""
    return base64.b64encode(numpy.ascontiguousarray(values, dtype=numpy.uint8)).decode("ascii")


def _signed_pixels(weights: numpy.ndarray) -> numpy.ndarray:
    """Each picture (axis 0) scaled by its largest |w| to uint8: 128 + 127 w / max |w| (128
    is 0); values that are not finite become 128."""
    w = numpy.nan_to_num(weights.astype(numpy.float64), nan=0.0, posinf=0.0, neginf=0.0)
    peak = numpy.abs(w).reshape(len(w), -1).max(axis=1)
    peak[peak == 0] = 1.0
    scaled = 128 + 127 * w / peak.reshape(-1, *([1] * (w.ndim - 1)))
    return numpy.clip(numpy.round(scaled), 0, 255).astype(numpy.uint8)


class ImageSession(Session):
    """The state of one playground on images: data, model, optimizer and counters.

    ``config`` is the configuration (an image data set), ``epoch`` the epochs trained,
    ``step`` the optimizer updates made; ``x_train``, ``y_train``, ``x_test``, ``y_test``
    the image subset (float32 images (n, 28, 28) in [0, 1], int64 labels).

    Args:
        config: The configuration.

    Raises:
        ValueError: The data set's files are missing (the message says where to put
            them) or corrupt.

    Examples:
        >>> from neuralab.playground.image_session import ImageSession
        >>> from neuralab.playground.model import parse_config
        >>> # skipped: reads the MNIST files from $NEURALAB_DATA
        >>> session = ImageSession(parse_config({"dataset": "mnist"}))  # doctest: +SKIP
        >>> session.train_epochs(1)  # doctest: +SKIP
        >>> view = session.snapshot()  # doctest: +SKIP
        >>> view["epoch"], view["step"], view["test_accuracy"] > 0.8  # doctest: +SKIP
        (1, 157, True)
    """

    export_epochs = 10

    def configure(self, config: Config) -> None:
        """Start over with ``config``: a new image subset, a freshly initialized model,
        epoch 0. The session is left as it was when the data cannot be read.

        Args:
            config: The configuration (an image data set).

        Raises:
            ValueError: Not an image data set, or its files are missing or corrupt.
        """
        if not is_image(config.dataset):
            raise ValueError(f"dataset: expected mnist or fashion-mnist, got {config.dataset!r}")
        train, test = load_images(config.dataset, config.train_size, config.test_size, config.seed)
        self.config = config
        (self.x_train, self.y_train), (self.x_test, self.y_test) = train, test
        shape = image_shape(config.architecture)
        self._inputs_train = nl.tensor(self.x_train.reshape(-1, *shape))
        self._inputs_test = nl.tensor(self.x_test.reshape(-1, *shape))
        self._targets_train = nl.tensor(self.y_train)
        self.regression, self._loss = False, F.cross_entropy  # as Session's attributes
        self._start(build_image_model(config))
        self._batches = [0.0, 0, 0]  # since the last snapshot: loss sum, right, images
        self._train: tuple[float | None, float] | None = None  # the last train loss, accuracy
        self._test: dict[str, Any] = {}  # the last heavy snapshot's test views
        self._heavy_at: float | None = None
        self._heavy_cost = 0.0

    def _seen(self, logits: nl.Tensor, targets: nl.Tensor, loss: nl.Tensor) -> None:
        """Count the batch for the light updates: its summed loss, right answers, images."""
        n = targets.shape[0]
        self._batches[0] += loss.item() * n
        self._batches[1] += int((logits.detach().numpy().argmax(1) == targets.numpy()).sum())
        self._batches[2] += n

    def _train_view(self) -> tuple[float | None, float]:
        """The training batches' mean loss and accuracy since the last snapshot; before
        any training, the model's on the first 1,000 training images."""
        total, right, n = self._batches
        if n:
            self._train = (_number(total / n), right / n)
            self._batches = [0.0, 0, 0]
        elif self._train is None:
            self.model.eval()
            with nl.no_grad():
                logits = self.model(self._inputs_train[:1000])
                loss = F.cross_entropy(logits, self._targets_train[:1000]).item()
            right = logits.numpy().argmax(1) == self.y_train[:1000]
            self._train = (_number(loss), float(right.mean()))
        return self._train

    def _test_logits(self) -> numpy.ndarray:
        self.model.eval()
        with nl.no_grad():
            parts = [
                self.model(self._inputs_test[i : i + _CHUNK]).numpy()
                for i in range(0, len(self.y_test), _CHUNK)
            ]
        return numpy.concatenate(parts).astype(numpy.float64)

    def _filters(self) -> dict[str, Any]:
        """The first weighted layer's weights as pictures: an MLP's first Linear layer's
        rows as 28 x 28 images, LeNet-5's conv1 kernels as 5 x 5."""
        first = next(m for m in self.model if isinstance(m, (nn.Linear, nn.Conv2d)))
        w = first.weight.detach().numpy()[:FILTERS]
        w = w[:, 0] if isinstance(first, nn.Conv2d) else w.reshape(len(w), IMAGE_SIZE, IMAGE_SIZE)
        return {"count": len(w), "size": w.shape[1], "base64": _pixels(_signed_pixels(w))}

    def _diagnosis(self) -> dict[str, Any]:
        """``_diagnosis`` on the first training images, its dropout masks drawn from a
        stream seeded by ``config.seed`` (the same for the same run, whatever else draws)."""
        outer = nl.get_rng_state()
        nl.manual_seed(self.config.seed)
        try:
            batch = slice(0, DIAGNOSE_SIZE)
            return _diagnosis(self.model, self._inputs_train[batch], self._targets_train[batch])
        finally:
            nl.set_rng_state(outer)

    def _heavy(self) -> dict[str, Any]:
        start = time.perf_counter()
        logits = self._test_logits()
        with numpy.errstate(invalid="ignore", over="ignore"):
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
            loss = float(-log_p[numpy.arange(len(logits)), self.y_test].mean())
        predicted = logits.argmax(axis=1)
        samples = numpy.exp(log_p[:SAMPLES])
        view = {
            "heavy": True,
            "test_step": self.step,
            "test_loss": _number(loss),
            "test_accuracy": float((predicted == self.y_test).mean()),
            "confusion": confusion_matrix(self.y_test, predicted, num_classes=10).tolist(),
            "predictions": [
                [int(label), p] for label, p in zip(predicted[:SAMPLES], _round(samples.max(1)))
            ],
            "filters": self._filters(),
            "diagnosis": self._diagnosis(),
        }
        self._heavy_cost = time.perf_counter() - start
        self._heavy_at = time.perf_counter()
        return view

    def snapshot(self, full: bool = True) -> dict[str, Any]:
        """What the page's image views draw now.

        Args:
            full: Every view (after a step, a pause, a change); False while playing, when
                the heavy views come only when due (``HEAVY_SECONDS``, ``HEAVY_SHARE``).
                Defaults to True.

        Returns:
            A JSON-ready dict: ``type`` ``"snapshot"``, ``mode`` ``"image"``, ``epoch``,
            ``step``, ``lr``; ``train_loss`` and ``train_accuracy``: the mean cross-entropy
            (without the penalty) and accuracy of the training batches since the last
            snapshot (before any training: the model's on the first 1,000 training
            images); ``test_loss``, ``test_accuracy`` on the whole test subset, measured
            at update ``test_step``. With ``heavy`` True (every full snapshot, and when
            due): ``confusion``, the 10 x 10 counts C[true][predicted] on the test subset;
            ``predictions``, [predicted label, its probability] of each sample image;
            ``filters``: ``{"count", "size", "base64"}``, the first layer's weights as
            ``count`` uint8 pictures of ``size`` x ``size`` (128 + 127 w / max |w|: 128 is
            0); ``diagnosis`` as a 2-D snapshot's, on the first ``DIAGNOSE_SIZE`` training
            images. After a (re)configuration, also ``classes`` (the 10 names) and
            ``samples``: ``{"size": 28, "labels": [...], "base64": ...}``, the first
            ``SAMPLES`` test images as uint8 pixels. A value that is not finite is None.
        """
        wait = min(HEAVY_MAX_SECONDS, max(HEAVY_SECONDS, self._heavy_cost / HEAVY_SHARE))
        due = self._heavy_at is None or time.perf_counter() - self._heavy_at >= wait
        train_loss, train_accuracy = self._train_view()
        if full or due:
            self._test = self._heavy()
        out = {
            "type": "snapshot",
            "mode": "image",
            "epoch": self.epoch,
            "step": self.step,
            "lr": self.optimizer.param_groups[0]["lr"],
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            **{k: self._test[k] for k in ("test_step", "test_loss", "test_accuracy")},
            "heavy": False,
        }
        if full or due:
            out |= self._test
        if self.data_changed:
            out["classes"] = CLASSES[self.config.dataset]
            out["samples"] = {
                "size": IMAGE_SIZE,
                "labels": self.y_test[:SAMPLES].tolist(),
                "base64": _pixels(numpy.round(self.x_test[:SAMPLES] * 255)),
            }
            self.data_changed = False
        return out

    def trace(self, x1: float, x2: float, target: Any = None) -> dict[str, Any]:
        """Refused: following a point through the network is for 2-D points.

        Args:
            x1: The point's first coordinate.
            x2: The point's second coordinate.
            target: The point's label or value. Defaults to None.

        Raises:
            ValueError: Always, naming the message type.
        """
        raise ValueError("trace: following a point needs a 2-D data set, not images")


def session_for(config: Config, current: Session | None = None) -> Session:
    """The session of ``config``: ``current`` configured anew when it is of the right kind
    (``ImageSession`` for images, ``Session`` for 2-D points), else a new one.

    Args:
        config: The configuration.
        current: The session in use, or None.

    Returns:
        The session, configured with ``config``.

    Raises:
        ValueError: The image files are missing or corrupt (``current`` is unchanged).

    Examples:
        >>> from neuralab.playground.image_session import session_for
        >>> from neuralab.playground.model import parse_config
        >>> session = session_for(parse_config({"dataset": "xor"}))
        >>> type(session).__name__, session_for(parse_config({}), session) is session
        ('Session', True)
    """
    kind = ImageSession if is_image(config.dataset) else Session
    if current is not None and type(current) is kind:
        current.configure(config)
        return current
    return kind(config)
