"""``model.compile/fit/evaluate/predict`` against Keras 3 (torch backend): the same initial
weights, no shuffling, so one batch order -> the same per-epoch logs within float32
tolerance, the same History keys, params and progress line."""

from __future__ import annotations

import re

import numpy as np
import pytest

from neuralab import keras as nk

RTOL, ATOL = 1e-5, 1e-6


def _data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))  # float64 on purpose: both cast it to float32
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x, y


def _pair(keras, hidden=3, out=1, activation="sigmoid", regularizer=(None, None)):
    keras.utils.set_random_seed(0)  # the same starting weights every run: tests repeatable
    km = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(hidden, activation="relu", kernel_regularizer=regularizer[0]),
            keras.layers.Dense(out, activation=activation),
        ]
    )
    nm = nk.Sequential(
        [
            nk.Input((4,)),
            nk.layers.Dense(hidden, activation="relu", kernel_regularizer=regularizer[1]),
            nk.layers.Dense(out, activation=activation),
        ]
    )
    nm.set_weights(km.get_weights())
    return km, nm


def _compile(keras, km, nm, lr=0.1, **kwargs):
    km.compile(keras.optimizers.SGD(learning_rate=lr), **kwargs)
    nm.compile(nk.optimizers.SGD(learning_rate=lr), **kwargs)


def _close_history(hk, hn):
    assert list(hn.history) == list(hk.history)
    for key in hk.history:
        np.testing.assert_allclose(hn.history[key], hk.history[key], rtol=RTOL, atol=ATOL)
    assert hn.epoch == hk.epoch


def _close_weights(km, nm, rtol=RTOL, atol=ATOL):
    for a, b in zip(nm.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def test_fit_validation_split_matches_keras(keras_ref):
    x, y = _data()
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, loss="binary_crossentropy", metrics=["accuracy"])
    args = dict(epochs=3, batch_size=16, validation_split=0.2, shuffle=False, verbose=0)
    hk, hn = km.fit(x, y, **args), nm.fit(x, y, **args)
    assert list(hn.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    _close_history(hk, hn)
    assert hn.params == hk.params and nm.history is hn
    _close_weights(km, nm)
    # evaluate: [loss, accuracy] as Keras, or a dict; predict: NumPy
    np.testing.assert_allclose(nm.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0), RTOL)
    dk = km.evaluate(x, y, verbose=0, return_dict=True)
    dn = nm.evaluate(x, y, verbose=0, return_dict=True)
    assert list(dn) == list(dk)
    np.testing.assert_allclose(list(dn.values()), list(dk.values()), RTOL)
    pn = nm.predict(x, batch_size=7, verbose=0)
    assert isinstance(pn, np.ndarray) and pn.dtype == np.float32
    np.testing.assert_allclose(pn, km.predict(x, verbose=0), RTOL, ATOL)


def test_validation_split_takes_the_last_rows(keras_ref):
    x, y = _data(50)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, lr=0.0, loss="binary_crossentropy")
    h = nm.fit(x, y, epochs=1, batch_size=8, validation_split=0.3, shuffle=True, verbose=0)
    split = int(np.floor(50 * 0.7))  # 35 rows train, the last 15 validate
    assert h.params["steps"] == int(np.ceil(split / 8))
    np.testing.assert_allclose(
        h.history["val_loss"][0], nm.evaluate(x[split:], y[split:], verbose=0), RTOL
    )
    with pytest.raises(ValueError, match="not sufficient to split"):
        nm.fit(x[:1], y[:1], validation_split=0.5, verbose=0)


def test_validation_data_weights_and_weighted_metrics(keras_ref):
    x, y = _data(80)
    xv, yv = _data(30, seed=1)
    wv = np.linspace(0.1, 2.0, 30).astype("float32")
    w = np.linspace(2.0, 0.5, 80)
    km, nm = _pair(keras_ref)
    _compile(
        keras_ref,
        km,
        nm,
        loss="binary_crossentropy",
        metrics=["accuracy"],
        weighted_metrics=["accuracy"],
    )
    args = dict(
        epochs=2,
        batch_size=10,
        shuffle=False,
        verbose=0,
        sample_weight=w,
        validation_data=(xv, yv, wv),
        validation_batch_size=7,
    )
    hk, hn = km.fit(x, y, **args), nm.fit(x, y, **args)
    assert "weighted_accuracy" in hn.history
    _close_history(hk, hn)
    _close_weights(km, nm)


def test_class_weight_matches_keras(keras_ref):
    x, y = _data(60)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, loss="binary_crossentropy", weighted_metrics=["accuracy"])
    args = dict(epochs=2, batch_size=16, shuffle=False, verbose=0, class_weight={0: 0.3, 1: 2.5})
    args["validation_split"] = 0.25  # class weights are for training rows only
    _close_history(km.fit(x, y, **args), nm.fit(x, y, **args))
    _close_weights(km, nm)
    with pytest.raises(ValueError, match="class_weight"):
        nm.fit(x, y, class_weight={0: 1.0}, sample_weight=np.ones(60), verbose=0)


def test_regularization_penalty_is_in_the_loss(keras_ref):
    x, y = _data(40)
    # Keras's l2 penalty 0.01 * sum(w**2), written out here (regularizers.get('l2') is the
    # "basics" helper's)
    km, nm = _pair(
        keras_ref, regularizer=(keras_ref.regularizers.L2(0.01), lambda w: 0.01 * (w**2).sum())
    )
    _compile(keras_ref, km, nm, loss="binary_crossentropy")
    args = dict(epochs=2, batch_size=8, shuffle=False, verbose=0, validation_split=0.2)
    _close_history(km.fit(x, y, **args), nm.fit(x, y, **args))
    np.testing.assert_allclose(nm.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0), RTOL)


def test_sparse_categorical_and_initial_epoch(keras_ref):
    rng = np.random.default_rng(3)
    x, labels = rng.normal(size=(45, 4)), rng.integers(0, 3, size=45)
    km, nm = _pair(keras_ref, hidden=5, out=3, activation="softmax")
    _compile(keras_ref, km, nm, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    args = dict(epochs=4, initial_epoch=1, batch_size=10, shuffle=False, verbose=0)
    args.update(validation_split=0.2, validation_freq=2)
    hk, hn = km.fit(x, labels, **args), nm.fit(x, labels, **args)
    _close_history(hk, hn)  # validation at epochs 2 and 4 only: val lists are shorter
    assert hn.epoch == [1, 2, 3] and len(hn.history["val_loss"]) == 2


def test_on_batch_methods_match_keras(keras_ref):
    x, y = _data(20)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, loss="binary_crossentropy", metrics=["accuracy"])
    np.testing.assert_allclose(nm.train_on_batch(x, y), km.train_on_batch(x, y), RTOL)
    dk, dn = km.train_on_batch(x, y, return_dict=True), nm.train_on_batch(x, y, return_dict=True)
    assert list(dn) == list(dk)
    np.testing.assert_allclose(nm.test_on_batch(x, y), km.test_on_batch(x, y), RTOL)
    np.testing.assert_allclose(nm.predict_on_batch(x), km.predict_on_batch(x), RTOL, ATOL)
    _close_weights(km, nm)


def test_evaluate_without_metrics_is_a_float(keras_ref):
    x, y = _data(30)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, loss="mse")
    k, n = km.evaluate(x, y, verbose=0), nm.evaluate(x, y, batch_size=4, verbose=0)
    assert isinstance(n, float) and isinstance(k, float)
    np.testing.assert_allclose(n, k, RTOL)
    assert nm.metrics_names == km.metrics_names == ["loss"]


def _last_lines(text):
    """Each printed line as a terminal would leave it (after carriage returns and
    backspaces), ANSI colours removed, times replaced by 'T'."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\b", "")
    lines = [line.split("\r")[-1] for line in text.split("\n") if line.strip()]
    return [re.sub(r"\d+(\.\d+)?(ms|us|s)\b", "T", line) for line in lines]


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_lines_match_keras(keras_ref, capsys, verbose):
    x, y = _data(40)
    km, nm = _pair(keras_ref)
    _compile(keras_ref, km, nm, loss="binary_crossentropy", metrics=["accuracy"])
    args = dict(epochs=2, batch_size=8, shuffle=False, verbose=verbose, validation_split=0.25)
    capsys.readouterr()
    km.fit(x, y, **args)
    keras_out = capsys.readouterr().out
    nm.fit(x, y, **args)
    ours = capsys.readouterr().out
    assert "\x1b[" not in ours  # no colours when standard output is not a terminal
    assert _last_lines(ours) == _last_lines(keras_out)
    assert (
        re.fullmatch(
            r"4/4 ━{20} T T/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4}"
            r" - val_loss: \d\.\d{4}",
            _last_lines(ours)[1],
        )
        or verbose == 2
    )


def test_unsupported_arguments_are_named(keras_ref):
    x, y = _data(20)
    _, nm = _pair(keras_ref)
    with pytest.raises(NotImplementedError, match="steps_per_execution"):
        nm.compile(nk.optimizers.SGD(learning_rate=0.1), loss="mse", steps_per_execution=4)
    with pytest.raises(NotImplementedError, match="loss"):
        nm.compile(nk.optimizers.SGD(learning_rate=0.1), loss=["mse", "mse"])
    with pytest.raises(ValueError, match="compile"):
        nm.fit(x, y, verbose=0)
    nm.compile(
        nk.optimizers.SGD(learning_rate=0.1), loss="mse", run_eagerly=True, jit_compile=False
    )  # speed only
    with pytest.raises(NotImplementedError, match="shuffle='batch'"):
        nm.fit(x, y, shuffle="batch", verbose=0)
    with pytest.raises(NotImplementedError, match="steps_per_epoch"):
        nm.fit(x, y, steps_per_epoch=3, verbose=0)


def test_bad_data_and_arguments_are_refused_before_training():
    from neuralab.train import NonFiniteLossError

    model = nk.Sequential([nk.Input((4,)), nk.layers.Dense(1)])
    model.compile(nk.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.ones((8, 4), dtype="float32")
    y = np.ones(8, dtype="float32")
    before = model.get_weights()
    bad = x.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="x holds NaN or Inf \\(first at row 5\\)"):
        model.fit(bad, y, verbose=0)
    with pytest.raises(ValueError, match="validation_split must be in \\[0, 1\\)"):
        model.fit(x, y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(x, y, batch_size=0, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)  # nothing trained
    # a loss that becomes inf stops training with the step (neuralab's rule; with
    # TerminateOnNaN among the callbacks, training stops the Keras way instead)
    huge = y.copy()
    huge[3] = 3e38
    with pytest.raises(NonFiniteLossError, match="step 1"):
        model.fit(x, huge, batch_size=4, shuffle=False, verbose=0)
