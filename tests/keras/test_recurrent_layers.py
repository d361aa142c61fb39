"""neuralab.keras's SimpleRNN, LSTM, GRU and Bidirectional against the real Keras 3 (torch
backend): the same weights and data, outputs and gradients (input, initial states, every
weight) through a fixed random projection of every output; default initializers by their
statistics; output shapes; unsupported arguments raise."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab
import neuralab.keras as nk
from neuralab.keras import initializers
from neuralab.keras.layers import recurrent


@pytest.fixture(scope="module", autouse=True)
def _quick_clear_session(keras_ref):
    """keras.backend.clear_session() (run before each test by conftest) calls gc.collect(),
    ~0.5 s over the heap that torch and Keras leave after import; moving what is alive now
    to the permanent generation (gc.freeze) keeps it to milliseconds."""
    import gc

    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


RTOL, ATOL = 1e-5, 1e-6
# Gradients sum products over all time steps and gates, so float32 rounding differences
# accumulate a little more than in the outputs (seen: ~3e-7 absolute on values of ~1).
GRAD_ATOL = 5e-6

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 6


def _data(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((BATCH, STEPS, FEATURES)).astype("float32")


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _randomize(keras_layer, seed: int = 1) -> None:
    """Non-trivial weights on the Keras side (biases too), scaled to keep tanh unsaturated."""
    rng = np.random.default_rng(seed)
    keras_layer.set_weights(
        [0.5 * rng.standard_normal(w.shape).astype("float32") for w in keras_layer.get_weights()]
    )


def _run_keras(keras_ref, layer, x, states=(), training=None, probes=None):
    import torch

    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in states]
    kwargs = {"initial_state": st} if st else {}
    if training is not None:
        kwargs["training"] = training
    outs = _as_list(layer(xt, **kwargs))
    loss = sum((o * torch.tensor(p)).sum() for o, p in zip(outs, probes))
    loss.backward()
    grads = [xt.grad.numpy()] + [s.grad.numpy() for s in st]
    grads += [w.value.grad.numpy() for w in layer.weights]
    return [o.detach().numpy() for o in outs], grads


def _run_ours(layer, x, states=(), training=None, probes=None):
    xt = neuralab.tensor(x, requires_grad=True)
    st = [neuralab.tensor(s, requires_grad=True) for s in states]
    kwargs = {"initial_state": st} if st else {}
    if training is not None:
        kwargs["training"] = training
    outs = _as_list(layer(xt, **kwargs))
    loss = outs[0].mul(neuralab.tensor(probes[0])).sum()
    for o, p in zip(outs[1:], probes[1:]):
        loss = loss + o.mul(neuralab.tensor(p)).sum()
    loss.backward()
    grads = (
        [xt.grad.numpy()] + [s.grad.numpy() for s in st] + [w.grad.numpy() for w in layer.weights]
    )
    return [o.detach().numpy() for o in outs], grads


def _probes(layer, x, seed: int = 7) -> list:
    """One fixed random array per output of the layer: the loss is sum(output * probe)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape).astype("float32") for o in _as_list(layer(x))]


def _pair(keras_ref, name, kwargs, x, wrap=None):
    """The Keras layer (randomized weights) and ours with the same weights, both built."""
    ref = getattr(keras_ref.layers, name)(UNITS, **kwargs)
    ours = getattr(nk.layers, name)(UNITS, **kwargs)
    if wrap is not None:
        ref = keras_ref.layers.Bidirectional(ref, **wrap)
        ours = nk.layers.Bidirectional(ours, **wrap)
    ref(x)
    _randomize(ref)
    ours(x)
    ours.set_weights(ref.get_weights())
    return ours, ref


def _assert_same(ours, ref) -> None:
    (ours_out, ours_grads), (ref_out, ref_grads) = ours, ref
    assert len(ours_out) == len(ref_out) and len(ours_grads) == len(ref_grads)
    for a, b in zip(ours_out, ref_out):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    for a, b in zip(ours_grads, ref_grads):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=GRAD_ATOL)


def _compare(keras_ref, name, kwargs, states=(), wrap=None):
    """Same weights and data: outputs and gradients (input, states, weights) agree."""
    x = _data()
    ours, ref = _pair(keras_ref, name, kwargs, x, wrap)
    probes = _probes(ours, x)
    _assert_same(
        _run_ours(ours, x, states, probes=probes),
        _run_keras(keras_ref, ref, x, states, probes=probes),
    )
    return ours, ref


CASES = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"return_sequences": True}),
    ("SimpleRNN", {"return_sequences": True, "go_backwards": True}),
    ("SimpleRNN", {"return_state": True, "go_backwards": True}),
    ("SimpleRNN", {"activation": "relu", "return_sequences": True}),
    ("SimpleRNN", {"activation": "sigmoid", "return_sequences": True}),  # per-step path
    ("SimpleRNN", {"use_bias": False}),
    ("SimpleRNN", {"activation": None, "return_sequences": True}),  # linear, per step
    ("LSTM", {}),
    ("LSTM", {"return_sequences": True}),
    ("LSTM", {"return_sequences": True, "go_backwards": True}),
    ("LSTM", {"return_state": True}),
    ("LSTM", {"return_state": True, "return_sequences": True, "go_backwards": True}),
    ("LSTM", {"use_bias": False, "return_sequences": True}),
    ("LSTM", {"activation": "relu", "return_state": True}),  # per-step path
    ("LSTM", {"recurrent_activation": "tanh", "go_backwards": True}),  # per-step path
    ("LSTM", {"recurrent_activation": "hard_sigmoid", "return_sequences": True}),
    ("GRU", {}),
    ("GRU", {"return_sequences": True}),
    ("GRU", {"return_sequences": True, "go_backwards": True}),
    ("GRU", {"return_state": True, "go_backwards": True}),
    ("GRU", {"use_bias": False, "return_sequences": True}),
    ("GRU", {"reset_after": False, "return_sequences": True}),  # per-step path
    ("GRU", {"reset_after": False, "use_bias": False, "return_state": True}),
    ("GRU", {"activation": "relu", "return_sequences": True, "go_backwards": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_outputs_and_gradients_match_keras(keras_ref, name, kwargs):
    ours, _ = _compare(keras_ref, name, kwargs)
    fused = ours._fusable()
    assert fused == (
        kwargs.get("activation", "tanh") in ("tanh", "relu" if name == "SimpleRNN" else "tanh")
        and kwargs.get("recurrent_activation", "sigmoid") == "sigmoid"
        and kwargs.get("reset_after", True)
    )


def test_activation_functions_given_as_objects_take_the_fused_path():
    assert nk.layers.LSTM(4, activation=nk.activations.tanh)._fusable()
    assert nk.layers.SimpleRNN(4, activation=nk.activations.relu)._fusable()
    assert not nk.layers.GRU(4, recurrent_activation=nk.activations.hard_sigmoid)._fusable()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("LSTM", {"return_state": True}), ("GRU", {"return_sequences": True}),
     ("SimpleRNN", {"go_backwards": True}), ("LSTM", {"activation": "relu"})],
)  # fmt: skip
def test_initial_state_matches_keras(keras_ref, name, kwargs):
    rng = np.random.default_rng(3)
    n_states = 2 if name == "LSTM" else 1
    states = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(n_states)]
    _compare(keras_ref, name, kwargs, states=states)


def test_weights_have_keras_shapes_and_order(keras_ref):
    x = _data()
    for name, kwargs, bias in [
        ("SimpleRNN", {}, (UNITS,)),
        ("LSTM", {}, (4 * UNITS,)),
        ("GRU", {}, (2, 3 * UNITS)),
        ("GRU", {"reset_after": False}, (3 * UNITS,)),
    ]:
        ref, ours = (
            getattr(keras_ref.layers, name)(UNITS, **kwargs),
            getattr(nk.layers, name)(UNITS, **kwargs),
        )
        ref(x), ours(x)
        assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
        assert ours.get_weights()[-1].shape == bias
        assert [w.path.split("/")[-1] for w in ours.weights] == [
            w.path.split("/")[-1] for w in ref.weights
        ]
        assert ours.count_params() == ref.count_params()
    no_bias = nk.layers.LSTM(UNITS, use_bias=False)
    no_bias(x)
    assert len(no_bias.weights) == 2


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
def test_bidirectional_matches_keras(keras_ref, merge_mode):
    ours, ref = _compare(
        keras_ref, "LSTM", {"return_sequences": True}, wrap={"merge_mode": merge_mode}
    )
    # Keras's copies: forward_<name> (the weights first) and backward_<name> (go_backwards)
    assert ours.forward_layer.name == ref.forward_layer.name == "forward_lstm"
    assert ours.backward_layer.name == ref.backward_layer.name == "backward_lstm"
    assert ours.backward_layer.go_backwards and not ours.forward_layer.go_backwards
    assert ours.weights[:3] == ours.forward_layer.weights


def test_bidirectional_return_state_matches_keras(keras_ref):
    _compare(keras_ref, "GRU", {"return_state": True}, wrap={})


def _record_masks(monkeypatch):
    made = []
    original = recurrent._dropout_mask

    def recording(shape, rate, rng):
        mask = original(shape, rate, rng)
        made.append(mask.numpy())
        return mask

    monkeypatch.setattr(recurrent, "_dropout_mask", recording)
    return made


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SimpleRNN", {"dropout": 0.3, "recurrent_dropout": 0.4, "return_sequences": True}),
        ("LSTM", {"dropout": 0.3}),
        ("LSTM", {"dropout": 0.3, "recurrent_dropout": 0.4, "return_state": True}),
        ("LSTM", {"recurrent_dropout": 0.4, "go_backwards": True}),
        ("GRU", {"dropout": 0.3, "return_sequences": True}),
        ("GRU", {"dropout": 0.3, "recurrent_dropout": 0.4}),
        ("GRU", {"dropout": 0.3, "recurrent_dropout": 0.4, "reset_after": False}),
    ],
)
def test_dropout_in_training_matches_keras_with_the_same_masks(
    keras_ref, monkeypatch, name, kwargs
):
    """Our layer draws its masks; Keras's cell is handed the same masks (its mask cache), so
    both must give the same outputs and gradients in training."""
    import torch

    made = _record_masks(monkeypatch)
    x = _data()
    ours, ref = _pair(keras_ref, name, kwargs, x)
    probes = _probes(ours, x)
    made.clear()
    ours_out, ours_grads = _run_ours(ours, x, training=True, probes=probes)
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[name]
    per_gate = name != "SimpleRNN" and kwargs.get("recurrent_dropout", 0) > 0
    count = gates if per_gate else 1
    n_in = count if kwargs.get("dropout", 0) > 0 else 0
    n_rec = count if kwargs.get("recurrent_dropout", 0) > 0 else 0
    assert len(made) == n_in + n_rec
    in_masks, rec_masks = made[:n_in], made[n_in:]
    for m, rate in [(m, kwargs.get("dropout")) for m in in_masks] + [
        (m, kwargs.get("recurrent_dropout")) for m in rec_masks
    ]:  # Keras's mask values: 0 or 1 / (1 - rate)
        assert set(np.unique(m)) <= {0.0, np.float32(1 / (1 - rate))}
    cell = ref.cell

    def as_keras(masks):
        if not masks:
            return None
        tensors = [torch.tensor(m) for m in masks]
        return tensors if per_gate else tensors[0]

    cell._dropout_mask = as_keras(in_masks)
    cell._recurrent_dropout_mask = as_keras(rec_masks)
    ref_run = _run_keras(keras_ref, ref, x, training=True, probes=probes)
    _assert_same((ours_out, ours_grads), ref_run)
    # the masks change the result: training differs from inference
    inference = _as_list(ours(x, training=False))[0].detach().numpy()
    assert not np.allclose(inference, ours_out[0])


def test_dropout_is_off_in_inference_and_masks_follow_the_rate(keras_ref):
    x = _data()
    ours = nk.layers.GRU(UNITS, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    plain = nk.layers.GRU(UNITS, return_sequences=True)
    ours(x), plain(x)
    plain.set_weights(ours.get_weights())
    np.testing.assert_array_equal(ours(x).detach().numpy(), plain(x).detach().numpy())
    mask = recurrent._dropout_mask((400, 500), 0.3, np.random.default_rng(0)).numpy()
    assert abs((mask == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(mask.mean(), 1.0, atol=0.01)  # expectation kept


def test_seeded_dropout_is_reproducible():
    x = _data()
    a = nk.layers.LSTM(UNITS, dropout=0.5, seed=3)
    b = nk.layers.LSTM(UNITS, dropout=0.5, seed=3)
    a(x), b(x)
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(
        a(x, training=True).detach().numpy(), b(x, training=True).detach().numpy()
    )


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_stateful_carries_states_like_keras(keras_ref, name):
    x1, x2 = _data(1), _data(2)
    ref = getattr(keras_ref.layers, name)(UNITS, stateful=True, return_state=True)
    ours = getattr(nk.layers, name)(UNITS, stateful=True, return_state=True)
    ref(x1)
    _randomize(ref)
    ours(x1)
    ours.set_weights(ref.get_weights())
    ref.reset_state()
    ours.reset_state()
    for x in (x1, x2):  # the second call starts from the first one's final states
        for a, b in zip(_as_list(ours(x)), _as_list(ref(x))):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=RTOL, atol=ATOL)
    ours.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(
        ours(x2)[0].detach().numpy(), ref(x2)[0].detach().numpy(), rtol=RTOL, atol=ATOL
    )
    with pytest.raises(ValueError, match="batch size"):
        ours(x1[:2])


def test_unit_forget_bias_and_default_initializers_like_keras(keras_ref):
    x = np.zeros((2, 3, 32), "float32")
    units = 64
    ref, ours = keras_ref.layers.LSTM(units), nk.layers.LSTM(units)
    ref(x), ours(x)
    bias, ref_bias = ours.bias.numpy(), ref.cell.bias.numpy()
    np.testing.assert_array_equal(bias, ref_bias)  # zeros, forget gate ones, zeros
    assert (bias[units : 2 * units] == 1).all() and (
        np.delete(bias, np.s_[units : 2 * units]) == 0
    ).all()
    no_forget = nk.layers.LSTM(units, unit_forget_bias=False)
    no_forget(x)
    assert (no_forget.bias.numpy() == 0).all()
    # kernel: Glorot uniform, limit sqrt(6 / (fan_in + fan_out)), fans (32, 4*64)
    limit = np.sqrt(6 / (32 + 4 * units))
    for kernel in (ours.kernel.numpy(), ref.cell.kernel.numpy()):
        assert np.abs(kernel).max() <= limit
        assert abs(kernel.std() - limit / np.sqrt(3)) < 0.05 * limit
        assert abs(kernel.mean()) < 0.02 * limit


@pytest.mark.skipif(
    not any(hasattr(initializers, n) for n in ("Orthogonal", "OrthogonalInitializer")),
    reason="needs the real keras.initializers (branch basics) with 'orthogonal'; main has a shim",
)
@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_default_recurrent_kernel_is_orthogonal_like_keras(keras_ref, name):
    x = np.zeros((2, 3, 5), "float32")
    units = 16
    ref, ours = getattr(keras_ref.layers, name)(units), getattr(nk.layers, name)(units)
    ref(x), ours(x)
    for _layer, u in (
        (ours, ours.recurrent_kernel.numpy()),
        (ref, ref.cell.recurrent_kernel.numpy()),
    ):
        assert u.shape == (units, {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[name] * units)
        # rows fewer than columns: orthonormal rows, U U^T = I
        np.testing.assert_allclose(u @ u.T, np.eye(units), atol=1e-5)


def test_activity_regularizer_penalizes_every_output_per_sample_like_keras(keras_ref):
    x = _data()
    ref = keras_ref.layers.LSTM(
        UNITS, return_state=True, activity_regularizer=keras_ref.regularizers.L2(0.05)
    )
    ours = nk.layers.LSTM(
        UNITS, return_state=True, activity_regularizer=lambda y: 0.05 * (y * y).sum()
    )
    ref(x)
    _randomize(ref)
    ours(x)
    ours.set_weights(ref.get_weights())
    ref(x), ours(x)
    assert len(ours.losses) == len(ref.losses) == 3  # output, h, c
    np.testing.assert_allclose(
        [float(v.detach().numpy()) for v in ours.losses],
        [float(v.detach().numpy()) for v in ref.losses],
        rtol=1e-5,
    )


def test_regularizers_add_keras_penalties(keras_ref):
    x = _data()
    ref = keras_ref.layers.GRU(
        UNITS,
        kernel_regularizer=keras_ref.regularizers.L2(0.01),
        recurrent_regularizer=keras_ref.regularizers.L1(0.02),
        bias_regularizer=keras_ref.regularizers.L2(0.03),
    )
    ours = nk.layers.GRU(
        UNITS,
        kernel_regularizer=lambda w: 0.01 * (w * w).sum(),
        recurrent_regularizer=lambda w: 0.02 * w.abs().sum(),
        bias_regularizer=lambda w: 0.03 * (w * w).sum(),
    )
    ref(x)
    _randomize(ref)
    ours(x)
    ours.set_weights(ref.get_weights())
    ref(x), ours(x)
    assert len(ours.losses) == len(ref.losses) == 3
    np.testing.assert_allclose(
        sorted(float(v.detach().numpy()) for v in ours.losses),
        sorted(float(v.detach().numpy()) for v in ref.losses),
        rtol=1e-5,
    )


SHAPE_CASES = [
    ("SimpleRNN", {}),
    ("LSTM", {"return_sequences": True}),
    ("LSTM", {"return_state": True}),
    ("GRU", {"return_sequences": True, "return_state": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), SHAPE_CASES)
@pytest.mark.parametrize("shape", [(None, 7, 3), (4, None, 3), (2, 5, 3)])
def test_compute_output_shape_matches_keras(keras_ref, name, kwargs, shape):
    ref = getattr(keras_ref.layers, name)(UNITS, **kwargs)
    ours = getattr(nk.layers, name)(UNITS, **kwargs)
    expected = ref.compute_output_shape(shape)
    got = ours.compute_output_shape(shape)
    if kwargs.get("return_state"):
        assert isinstance(got, list)
        assert [tuple(s) for s in got] == [tuple(s) for s in expected]
    else:
        assert tuple(got) == tuple(expected)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_output_shape_matches_keras(keras_ref, merge_mode, return_state):
    kwargs = {"return_sequences": True, "return_state": return_state}
    ref = keras_ref.layers.Bidirectional(keras_ref.layers.LSTM(UNITS, **kwargs), merge_mode)
    ours = nk.layers.Bidirectional(nk.layers.LSTM(UNITS, **kwargs), merge_mode)
    expected = ref.compute_output_shape((None, 5, 3))
    got = ours.compute_output_shape((None, 5, 3))
    if isinstance(got, list):
        assert [tuple(s) for s in got] == [tuple(s) for s in expected]
    else:
        assert tuple(got) == tuple(expected)
    # the eager outputs have those shapes (batch 2)
    outs = _as_list(ours(np.zeros((2, 5, 3), "float32")))
    shapes = got if isinstance(got, list) else [got]
    assert [tuple(o.shape) for o in outs] == [(2, *s[1:]) for s in shapes]


def test_functional_graph_with_states():
    inputs = nk.Input((5, FEATURES))
    out, h, c = nk.layers.LSTM(UNITS, return_state=True, return_sequences=True)(inputs)
    assert out.shape == (None, 5, UNITS) and h.shape == c.shape == (None, UNITS)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: nk.layers.LSTM(4, kernel_constraint="non_neg"), "kernel_constraint"),
        (lambda: nk.layers.GRU(4, recurrent_constraint="non_neg"), "recurrent_constraint"),
        (lambda: nk.layers.SimpleRNN(4, bias_constraint="non_neg"), "bias_constraint"),
        (lambda: nk.layers.LSTM(4, use_cudnn=True), "use_cudnn"),
    ],
)
def test_unsupported_arguments_raise(make, match):
    with pytest.raises(NotImplementedError, match=match):
        make()


def test_masking_raises():
    layer = nk.layers.LSTM(4)
    x = _data()
    with pytest.raises(NotImplementedError, match="mask"):
        layer(x, mask=np.ones((BATCH, STEPS), bool))


def test_bad_arguments_and_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="units"):
        nk.layers.LSTM(0)
    with pytest.raises(ValueError, match="dropout"):
        nk.layers.GRU(4, dropout=1.5)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        nk.layers.GRU(4, recurrent_dropout=-0.1)
    with pytest.raises(ValueError, match="merge mode"):
        nk.layers.Bidirectional(nk.layers.LSTM(4), merge_mode="max")
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        nk.layers.LSTM(4)(np.zeros((2, 3), "float32"))
    layer = nk.layers.GRU(4)
    layer(_data())
    with pytest.raises(ValueError, match="expected input of shape"):
        layer(np.zeros((2, 3, FEATURES + 1), "float32"))
    with pytest.raises(ValueError, match="initial_state"):
        layer(_data(), initial_state=[np.zeros((BATCH, 4), "float32")] * 2)
    with pytest.raises(ValueError, match="initial state must have shape"):
        layer(_data(), initial_state=[np.zeros((BATCH, 5), "float32")])


def test_get_config_round_trip_gives_the_same_layer():
    layer = nk.layers.GRU(5, reset_after=False, go_backwards=True, dropout=0.2, name="g")
    config = layer.get_config()
    assert config["units"] == 5 and config["reset_after"] is False and config["go_backwards"]
    clone = nk.layers.GRU(**config)
    x = _data()
    layer(x), clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(x).detach().numpy(), clone(x).detach().numpy())


def test_in_a_sequential_model_like_keras(keras_ref):
    """LSTM -> GRU -> Dense in a Sequential model: the same weights (model order) give the
    same predictions."""
    x = _data()

    def stack(k):
        return k.Sequential(
            [
                k.Input((STEPS, FEATURES)),
                k.layers.Bidirectional(k.layers.LSTM(UNITS, return_sequences=True)),
                k.layers.GRU(UNITS),
                k.layers.Dense(2),
            ]
        )

    ref, ours = stack(keras_ref), stack(nk)
    _randomize(ref)
    ours.set_weights(ref.get_weights())
    assert ours.count_params() == ref.count_params()
    np.testing.assert_allclose(
        ours(x).detach().numpy(), ref(x).detach().numpy(), rtol=RTOL, atol=ATOL
    )
