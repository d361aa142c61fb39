"""Rosenblatt's perceptron: learns AND and OR, fails on XOR, follows the rule by hand."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.perceptron import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("targets", [AND, OR], ids=["AND", "OR"])
@pytest.mark.parametrize("seed", [None, 0, 1])
@pytest.mark.parametrize("lr", [1.0, 0.1])
def test_learns_linearly_separable_gates(targets, seed, lr):
    p = Perceptron(2, lr=lr, epochs=100, seed=seed)
    assert p.fit(X, targets) is p
    assert p.converged_ is True
    assert p.errors_[-1] == 0 and all(e > 0 for e in p.errors_[:-1])
    np.testing.assert_array_equal(p.predict(X), targets)
    assert p.predict(X).dtype == np.int64


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_does_not_converge_on_xor(seed):
    p = Perceptron(2, lr=1.0, epochs=50, seed=seed).fit(X, XOR)
    assert p.converged_ is False
    assert len(p.errors_) == 50
    assert min(p.errors_) > 0  # never an epoch without a mistake
    assert np.any(p.predict(X) != XOR)


def test_hand_traced_and():
    """AND, w = (0, 0), b = 0, eta = 1, samples in the order (0,0), (0,1), (1,0), (1,1);
    step(z) = 1 if z > 0 else 0, update w += (t - y) x, b += (t - y) on a mistake.

    Epoch 1:
      (0,0) t=0: z = 0 -> y = 0  correct
      (0,1) t=0: z = 0 -> y = 0  correct
      (1,0) t=0: z = 0 -> y = 0  correct
      (1,1) t=1: z = 0 -> y = 0  wrong: w = (0,0) + (1,1) = (1,1), b = 0 + 1 = 1
      -> w = (1, 1), b = 1, 1 error.
    Epoch 2:
      (0,0) t=0: z = 1 -> y = 1  wrong: w = (1,1) - (0,0) = (1,1), b = 0
      (0,1) t=0: z = 1 -> y = 1  wrong: w = (1,1) - (0,1) = (1,0), b = -1
      (1,0) t=0: z = 0 -> y = 0  correct
      (1,1) t=1: z = 0 -> y = 0  wrong: w = (1,0) + (1,1) = (2,1), b = 0
      -> w = (2, 1), b = 0, 3 errors.
    Epochs 3-6 continue the same way (3, 2, 1, 0 errors) and end at w = (2, 1), b = -2,
    the line 2 x1 + x2 = 2 that passes through (1, 0) (z = 0 -> 0) and leaves (1, 1) above.
    """
    p = Perceptron(2, lr=1.0, epochs=1).fit(X, AND)
    np.testing.assert_array_equal(p.weights, [1.0, 1.0])
    assert p.bias == 1.0 and p.errors_ == [1] and p.converged_ is False

    p = Perceptron(2, lr=1.0, epochs=2).fit(X, AND)
    np.testing.assert_array_equal(p.weights, [2.0, 1.0])
    assert p.bias == 0.0 and p.errors_ == [1, 3]

    p = Perceptron(2, lr=1.0, epochs=100).fit(X, AND)
    np.testing.assert_array_equal(p.weights, [2.0, 1.0])
    assert p.bias == -2.0 and p.errors_ == [1, 3, 3, 2, 1, 0] and p.converged_ is True


def test_learning_rate_scales_weights_from_zero():
    """From w = 0 every update is a multiple of eta, so the mistakes are the same and the
    weights scale by eta."""
    p1 = Perceptron(2, lr=1.0).fit(X, OR)
    p2 = Perceptron(2, lr=0.5).fit(X, OR)
    assert p1.errors_ == p2.errors_
    np.testing.assert_allclose(p2.weights, 0.5 * p1.weights)
    assert p2.bias == pytest.approx(0.5 * p1.bias)


def test_fit_restarts_from_initial_weights():
    p = Perceptron(2, seed=3)
    first = p.fit(X, AND).weights.copy()
    np.testing.assert_array_equal(p.fit(X, AND).weights, first)


def test_accepts_bool_and_float_targets_and_lists():
    p = Perceptron(2).fit(X.tolist(), AND.astype(bool))
    np.testing.assert_array_equal(p.predict(X), AND)
    np.testing.assert_array_equal(Perceptron(2).fit(X, OR.astype(float)).predict(X), OR)


def test_bad_inputs():
    p = Perceptron(2)
    with pytest.raises(ValueError, match="2-D"):
        p.fit(np.array([0, 1, 1]), [0, 1, 1])
    with pytest.raises(ValueError, match=r"3 features.*n_inputs=2"):
        p.fit(np.zeros((4, 3)), AND)
    with pytest.raises(ValueError, match="4 samples but y has 3"):
        p.fit(X, [0, 0, 1])
    with pytest.raises(ValueError, match=r"binary 0/1.*-1"):
        p.fit(X, [-1, -1, -1, 1])
    with pytest.raises(ValueError, match="1-D"):
        p.fit(X, AND.reshape(4, 1))
    with pytest.raises(ValueError, match="NaN"):
        p.fit(np.array([[0.0, np.nan]] * 4), AND)
    with pytest.raises(ValueError, match="numeric"):
        p.fit(np.array([["a", "b"]] * 4), AND)
    with pytest.raises(ValueError, match="2-D"):
        p.predict([1.0, 0.0])
    with pytest.raises(ValueError, match="lr"):
        Perceptron(2, lr=0)
    with pytest.raises(ValueError, match="epochs"):
        Perceptron(2, epochs=0)
    with pytest.raises(ValueError, match="n_inputs"):
        Perceptron(0)
    with pytest.raises(TypeError, match="n_inputs"):
        Perceptron(2.0)
