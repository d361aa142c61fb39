"""neuralab.keras.optimizers against Keras 3 (torch backend): the same initial weights and
the same gradients, the weights compared after every step."""

from __future__ import annotations

import numpy as np
import pytest

import neuralab as nl
import neuralab.keras.optimizers as nko
from neuralab import nn

RTOL, ATOL = 1e-5, 1e-6
SHAPES = [(3, 4), (4,), (2, 3, 2)]


@pytest.fixture(scope="module")
def oracle():
    """Keras 3 on torch for the numeric comparisons (no layer names involved, so no
    per-test ``clear_session``, which costs ~0.4 s of garbage collection each time);
    tests that compare names take ``keras_ref``."""
    import keras

    assert keras.backend.backend() == "torch"
    return keras


def _data(steps: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads = [[rng.normal(size=s).astype(np.float32) * 2 for s in SHAPES] for _ in range(steps)]
    return weights, grads


def _keras_run(keras, make, weights, grads):
    opt = make(keras.optimizers)
    variables = [keras.Variable(w.copy()) for w in weights]
    history = []
    for step in grads:
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in step], variables))
        history.append([keras.ops.convert_to_numpy(v.value).copy() for v in variables])
    return history, opt


def _ours_run(make, weights, grads):
    opt = make(nko)
    params = [nn.Parameter(nl.tensor(w.copy())) for w in weights]
    opt.build(params)
    history = []
    for step in grads:
        opt.zero_grad()
        for p, g in zip(params, step):
            p.grad = nl.tensor(g.copy())
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


def _compare(keras, make, steps=5, seed=0):
    weights, grads = _data(steps, seed)
    theirs, kopt = _keras_run(keras, make, weights, grads)
    ours, opt = _ours_run(make, weights, grads)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=ATOL, err_msg=f"step {i + 1}")
    # the weights moved (the comparison is not between two unchanged copies)
    assert not np.allclose(ours[-1][0], weights[0])
    assert opt.iterations == steps == int(kopt.iterations.numpy())
    return opt, kopt


CASES = {
    "sgd": lambda o: o.SGD(),
    "sgd_lr": lambda o: o.SGD(learning_rate=0.1),
    "sgd_momentum": lambda o: o.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda o: o.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam": lambda o: o.Adam(),
    "adam_args": lambda o: o.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3),
    "adam_amsgrad": lambda o: o.Adam(learning_rate=0.01, amsgrad=True),
    "adamw": lambda o: o.AdamW(),
    "adamw_wd": lambda o: o.AdamW(learning_rate=0.01, weight_decay=0.1),
    "rmsprop": lambda o: o.RMSprop(),
    "rmsprop_momentum": lambda o: o.RMSprop(learning_rate=0.01, momentum=0.9),
    "rmsprop_centered": lambda o: o.RMSprop(learning_rate=0.01, centered=True, rho=0.8),
    "rmsprop_both": lambda o: o.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adagrad": lambda o: o.Adagrad(),
    "adagrad_args": lambda o: o.Adagrad(learning_rate=0.1, initial_accumulator_value=0.5),
    "adadelta": lambda o: o.Adadelta(learning_rate=1.0),
    "adamax": lambda o: o.Adamax(learning_rate=0.01),
    "nadam": lambda o: o.Nadam(learning_rate=0.01),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_matches_keras(oracle, case):
    _compare(oracle, CASES[case])


COMMON = {
    "weight_decay": {"weight_decay": 0.05},
    "clipnorm": {"clipnorm": 1.0},
    "clipvalue": {"clipvalue": 0.5},
    "global_clipnorm": {"global_clipnorm": 2.0},
}


@pytest.mark.parametrize("kind", ["SGD", "Adam", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("arg", sorted(COMMON))
def test_common_arguments_match_keras(oracle, kind, arg):
    kwargs = {"learning_rate": 0.05, **COMMON[arg]}
    if kind == "SGD":
        kwargs["momentum"] = 0.5
    _compare(oracle, lambda o: getattr(o, kind)(**kwargs))


def test_clipnorm_is_active():
    """The clipping in the comparisons above does change the step (gradients have norm > 1)."""
    weights, grads = _data(1)
    plain, _ = _ours_run(lambda o: o.SGD(learning_rate=0.1), weights, grads)
    clipped, _ = _ours_run(lambda o: o.SGD(learning_rate=0.1, clipnorm=1.0), weights, grads)
    step = weights[0] - clipped[0][0]
    assert np.linalg.norm(step) == pytest.approx(0.1, rel=1e-5)
    assert not np.allclose(plain[0][0], clipped[0][0])


def test_schedule_in_optimizer_matches_keras(oracle):
    def make(o):
        schedule = o.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
        return o.SGD(learning_rate=schedule, momentum=0.5, weight_decay=0.01)

    opt, kopt = _compare(oracle, make, steps=6)
    assert opt.learning_rate == pytest.approx(float(kopt.learning_rate), rel=1e-6)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3, rel=1e-6)


SCHEDULES = {
    "exponential": lambda s: s.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.7),
    "exponential_stair": lambda s: s.ExponentialDecay(0.1, 3, 0.7, staircase=True),
    "piecewise": lambda s: s.PiecewiseConstantDecay([3, 7], [0.1, 0.05, 0.01]),
    "inverse_time": lambda s: s.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5),
    "inverse_time_stair": lambda s: s.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
    "polynomial": lambda s: s.PolynomialDecay(0.1, decay_steps=8, power=2.0),
    "polynomial_cycle": lambda s: s.PolynomialDecay(0.1, 4, end_learning_rate=0.01, cycle=True),
    "cosine": lambda s: s.CosineDecay(0.1, decay_steps=10),
    "cosine_alpha": lambda s: s.CosineDecay(0.1, decay_steps=10, alpha=0.2),
    "cosine_warmup": lambda s: s.CosineDecay(0.0, decay_steps=8, warmup_target=0.1, warmup_steps=4),
}


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_schedule_values_match_keras(oracle, case):
    ours = SCHEDULES[case](nko.schedules)
    theirs = SCHEDULES[case](oracle.optimizers.schedules)
    for step in range(16):
        expected = float(oracle.ops.convert_to_numpy(theirs(step)))
        assert ours(step) == pytest.approx(expected, rel=1e-6, abs=1e-9), step
    assert ours.get_config() == theirs.get_config()


def test_get_and_names_match_keras(keras_ref):
    for ident in ["sgd", "adam", "rmsprop", "adagrad", "adamw", "adadelta", "adamax", "nadam"]:
        ours, theirs = nko.get(ident), keras_ref.optimizers.get(ident)
        assert type(ours).__name__ == type(theirs).__name__.replace("torch_", "")
        assert ours.name == theirs.name
        config = {k: v for k, v in theirs.get_config().items() if k != "learning_rate"}
        assert {k: v for k, v in ours.get_config().items() if k != "learning_rate"} == config
        assert ours.learning_rate == pytest.approx(float(theirs.learning_rate), rel=1e-7)
    adam = nko.Adam(learning_rate=0.01)
    assert nko.get(adam) is adam
    again = nko.get({"class_name": "Adam", "config": adam.get_config()})
    assert isinstance(again, nko.Adam) and again.learning_rate == pytest.approx(0.01)
    assert nko.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret"):
        nko.get("nope")
    with pytest.raises(NotImplementedError, match="Ftrl"):
        nko.get("Ftrl")


def test_learning_rate_property_and_param_groups():
    opt = nko.SGD(learning_rate=0.1)
    p = nn.Parameter(nl.tensor(np.ones(3, np.float32)))
    opt.build([p])
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    opt.learning_rate = 0.5
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)
    opt.param_groups[0]["lr"] = 0.25  # what a neuralab scheduler/callback does
    p.grad = nl.tensor(np.ones(3, np.float32))
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), 0.75)
    assert opt.learning_rate == pytest.approx(0.25)
    scheduled = nko.SGD(learning_rate=nko.schedules.ExponentialDecay(0.1, 1, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1


def test_fit_drives_keras_optimizer():
    """neuralab.train.fit drives the optimizer: zero_grad(), step(), param_groups."""
    from neuralab.train import fit

    nl.manual_seed(0)
    model = nn.Linear(2, 1)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    y = (x @ np.array([[1.5], [-2.0]], np.float32) + 0.5).astype(np.float32)
    opt = nko.Adam(learning_rate=0.05)
    opt.build(list(model.parameters()))
    history = fit(model, nn.MSELoss(), opt, (x, y), epochs=30, batch_size=16, progress=False)
    assert history["loss"][-1] < 0.05 * history["loss"][0]
    assert opt.iterations == 30 * 4
    assert history["lr"][-1] == pytest.approx(0.05)


def test_state_dict_round_trip():
    weights, grads = _data(4)
    _, opt = _ours_run(lambda o: o.Adam(learning_rate=0.01), weights, grads[:2])
    state = opt.state_dict()
    params = [nn.Parameter(nl.tensor(w.copy())) for w in weights]
    other = nko.Adam(learning_rate=0.01)
    other.build(params)
    other.load_state_dict(state)
    assert other.iterations == 2
    for p in other._trainable_variables:
        assert set(other.state[p]) == {"momentum", "velocity"}


def test_bad_arguments():
    with pytest.raises(NotImplementedError, match="use_ema"):
        nko.Adam(use_ema=True)
    with pytest.raises(NotImplementedError, match="gradient_accumulation_steps"):
        nko.SGD(gradient_accumulation_steps=2)
    with pytest.raises(NotImplementedError, match="loss_scale_factor"):
        nko.SGD(loss_scale_factor=128.0)
    with pytest.raises(ValueError, match="only one of"):
        nko.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        nko.SGD(learning_rate="fast")
    with pytest.raises(ValueError, match="momentum"):
        nko.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="not recognized"):
        nko.Adam(betas=(0.9, 0.99))
    with pytest.raises(RuntimeError, match="build"):
        nko.Adam().step()


def test_missing_gradient_and_excluded_variable_match_keras(oracle):
    """A variable without a gradient is neither updated nor decayed; an excluded one is
    updated without decay (AdamW's exclude_from_weight_decay)."""
    weights, grads = _data(3)
    kopt = oracle.optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    kvars = [oracle.Variable(w.copy()) for w in weights]
    kopt.exclude_from_weight_decay(var_list=[kvars[1]])
    opt = nko.AdamW(learning_rate=0.1, weight_decay=0.5)
    params = [nn.Parameter(nl.tensor(w.copy())) for w in weights]
    opt.exclude_from_weight_decay(var_list=[params[1]])
    opt.build(params)
    kopt.build(kvars)
    for step in grads:
        step = [step[0], step[1], None]
        kstep = [None if g is None else oracle.ops.convert_to_tensor(g) for g in step]
        with pytest.warns(UserWarning):
            kopt.apply_gradients(zip(kstep, kvars))
        opt.zero_grad()
        for p, g in zip(params, step):
            p.grad = None if g is None else nl.tensor(g.copy())
        opt.step()
        for p, v in zip(params, kvars):
            np.testing.assert_allclose(
                p.detach().numpy(), oracle.ops.convert_to_numpy(v.value), rtol=RTOL, atol=ATOL
            )
    np.testing.assert_array_equal(params[2].detach().numpy(), weights[2])


def test_callable_learning_rate():
    lr = {"value": 0.5}
    opt = nko.SGD(learning_rate=lambda: lr["value"])
    p = nn.Parameter(nl.tensor(np.ones(2, np.float32)))
    opt.build([p])
    p.grad = nl.tensor(np.ones(2, np.float32))
    opt.step()
    lr["value"] = 0.25
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), 1 - 0.5 - 0.25)
