"""Rosenblatt's perceptron (1958) and its learning rule, in plain NumPy.

A teaching piece, not an autograd model: one neuron with a step activation,

    z = w . x + b,        y = step(z) = 1 if z > 0 else 0,

trained one sample at a time by the perceptron rule (eta the learning rate, t the target)

    w <- w + eta (t - y) x,        b <- b + eta (t - y).

A correctly classified sample (t = y) changes nothing; a false negative (t=1, y=0) adds
eta x to w, turning w towards x; a false positive subtracts it. The convergence theorem
(Novikoff, 1962): if the two classes are linearly separable with margin gamma and
|x| <= R, the rule makes at most (R / gamma)^2 mistakes (starting from w = 0, b absorbed
into w), whatever eta > 0 is. AND and OR are separable; XOR is not (no line puts (0,1) and
(1,0) on one side and (0,0), (1,1) on the other), so on XOR the perceptron never stops
making mistakes, which motivated multi-layer networks.

The step uses ``z > 0`` (strict), so z = 0 gives 0: with zero initial weights every
sample is first classified 0 and only the positive samples cause updates in the first
pass. With ``z >= 0`` every sample would first be classified 1.
"""

from __future__ import annotations

from typing import Any

import numpy


def _check_X(X: Any, n_inputs: int) -> numpy.ndarray:
    X = numpy.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Perceptron: X must be 2-D (samples, features), got shape {X.shape}")
    if X.shape[1] != n_inputs:
        raise ValueError(
            f"Perceptron: X has {X.shape[1]} features per sample, expected n_inputs={n_inputs}"
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(f"Perceptron: X must be numeric, got dtype {X.dtype}")
    X = X.astype(numpy.float64)
    if not numpy.all(numpy.isfinite(X)):
        raise ValueError("Perceptron: X contains NaN or infinity")
    return X


def _check_y(y: Any, n_samples: int) -> numpy.ndarray:
    y = numpy.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"Perceptron: y must be 1-D (one target per sample), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"Perceptron: X has {n_samples} samples but y has {y.shape[0]} targets")
    if y.dtype.kind not in "biuf" or not numpy.all((y == 0) | (y == 1)):
        found = numpy.unique(y).tolist() if y.dtype.kind in "biuf" else y.dtype
        raise ValueError(f"Perceptron: targets must be binary 0/1, got values {found}")
    return y.astype(numpy.int64)


class Perceptron:
    """A single neuron with a step activation, trained by Rosenblatt's rule.

        y = step(w . x + b)  (1 if w . x + b > 0, else 0)
        w <- w + eta (t - y) x,   b <- b + eta (t - y)   for each misclassified (x, t)

    Attributes: ``weights`` (w, shape (n_inputs,), float64), ``bias`` (b, a float),
    ``errors_`` (after ``fit``, the number of misclassified samples in each epoch, counted
    as the samples are visited, i.e. the updates made in that epoch), ``converged_`` (after
    ``fit``, whether an epoch passed with no misclassification, i.e. the training data are
    separated by the final weights).

    Args:
        n_inputs: Number of input features.
        lr: The learning rate eta of ``w <- w + eta (t - y) x``. Defaults to 1.0.
        epochs: The most passes over the data that ``fit`` makes; it stops earlier after
            the first pass with no misclassified sample. Defaults to 100.
        seed: None starts from w = 0, b = 0; an int draws w ~ N(0, 0.01^2) from
            ``numpy.random.default_rng(seed)`` (b = 0). Defaults to None.

    Raises:
        TypeError: A n_inputs that is not an int.
        ValueError: n_inputs < 1, lr <= 0, or epochs not an int >= 1; on ``fit``/``predict``,
            X or y of the wrong shape, non-numeric or non-finite X, or targets not 0/1.

    Examples:
        >>> import numpy as np
        >>> from neuralab.perceptron import Perceptron
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
        >>> y = np.array([0, 0, 0, 1])  # AND: linearly separable
        >>> p = Perceptron(2).fit(X, y)
        >>> p.predict(X).tolist(), p.converged_
        ([0, 0, 0, 1], True)
        >>> Perceptron(2, epochs=20).fit(X, np.array([0, 1, 1, 0])).converged_  # XOR is not
        False
    """

    def __init__(
        self, n_inputs: int, lr: float = 1.0, epochs: int = 100, seed: int | None = None
    ) -> None:
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, numpy.integer)):
            raise TypeError(f"Perceptron: n_inputs must be an int, got {type(n_inputs).__name__}")
        if n_inputs < 1:
            raise ValueError(f"Perceptron: n_inputs must be >= 1, got {n_inputs}")
        if not lr > 0:
            raise ValueError(f"Perceptron: the learning rate lr must be > 0, got {lr}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, numpy.integer)) or epochs < 1:
            raise ValueError(f"Perceptron: epochs must be an int >= 1, got {epochs!r}")
        self.n_inputs, self.lr, self.epochs, self.seed = int(n_inputs), float(lr), int(epochs), seed
        self.errors_: list[int] = []
        self.converged_ = False
        self._reset()

    def _reset(self) -> None:
        """w = 0 (or w ~ N(0, 0.01^2) with a seed), b = 0."""
        if self.seed is None:
            self.weights = numpy.zeros(self.n_inputs)
        else:
            self.weights = numpy.random.default_rng(self.seed).normal(0.0, 0.01, self.n_inputs)
        self.bias = 0.0

    def net_input(self, X: Any) -> numpy.ndarray:
        """The net input z = X w + b, one value per sample.

        Args:
            X: Samples, shape (n, n_inputs).

        Returns:
            A float64 array of shape (n,).
        """
        return _check_X(X, self.n_inputs) @ self.weights + self.bias

    def predict(self, X: Any) -> numpy.ndarray:
        """The predicted classes: 1 where z = w . x + b > 0, else 0.

        Args:
            X: Samples, shape (n, n_inputs).

        Returns:
            An int64 array of shape (n,).
        """
        return (self.net_input(X) > 0).astype(numpy.int64)

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Train from the initial weights, sample by sample in the given order.

        For each epoch, for each (x, t): y = step(w . x + b); if y != t,
        w <- w + eta (t - y) x and b <- b + eta (t - y). Stops after ``epochs`` epochs or after
        the first epoch without a mistake.

        Args:
            X: Samples, shape (n, n_inputs).
            y: Targets 0 or 1, shape (n,).

        Returns:
            This perceptron.
        """
        X = _check_X(X, self.n_inputs)
        targets = _check_y(y, X.shape[0])
        self._reset()
        self.errors_, self.converged_ = [], False
        w, eta = self.weights, self.lr
        for _ in range(self.epochs):
            errors = 0
            for x, t in zip(X, targets):
                update = eta * (t - int(x @ w + self.bias > 0))
                if update:
                    w += update * x
                    self.bias += update
                    errors += 1
            self.errors_.append(errors)
            if errors == 0:
                self.converged_ = True
                break
        return self

    def __repr__(self) -> str:
        return f"Perceptron(n_inputs={self.n_inputs}, lr={self.lr}, epochs={self.epochs})"
