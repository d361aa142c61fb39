"""The playground's data, its checked configuration and the network it builds."""

from __future__ import annotations

import numpy
import pytest

import neuralab as nl
from neuralab import nn
from neuralab.playground.data import DATASETS, DOMAIN, features, grid, make_dataset
from neuralab.playground.model import Config, build_model, build_optimizer, parse_config


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_is_two_balanced_labels_in_the_square(name):
    x, y = make_dataset(name, size=301, noise=0.2, seed=3)
    assert x.shape == (301, 2) and x.dtype == numpy.float32
    assert set(y.tolist()) == {0, 1} and abs(int(y.sum()) - 150) <= 1
    assert numpy.abs(x).max() <= DOMAIN
    again, _ = make_dataset(name, size=301, noise=0.2, seed=3)
    other, _ = make_dataset(name, size=301, noise=0.2, seed=4)
    assert numpy.array_equal(x, again) and not numpy.array_equal(x, other)


def test_the_labels_follow_each_sets_rule_without_noise():
    x, y = make_dataset("circles", size=200, noise=0.0, seed=0)
    radius = numpy.hypot(x[:, 0], x[:, 1])
    assert (radius[y == 1] <= 2.5 + 1e-5).all() and (radius[y == 0] >= 3.5 - 1e-5).all()
    x, y = make_dataset("gauss", size=200, noise=0.0, seed=0)
    assert x[y == 1].mean(0) == pytest.approx([2, 2], abs=0.3)
    assert x[y == 0].mean(0) == pytest.approx([-2, -2], abs=0.3)


def test_features_and_the_grid():
    x = numpy.array([[1.0, -2.0], [0.5, 3.0]])
    names = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"]
    got = features(x, names)
    a, b = x[:, 0], x[:, 1]
    want = numpy.stack([a, b, a * a, b * b, a * b, numpy.sin(a), numpy.sin(b)], axis=1)
    numpy.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError, match="features: unknown"):
        features(x, ["x3"])
    cells = grid(10)
    assert cells.shape == (100, 2) and cells[0, 0] < 0 < cells[0, 1]  # top left first


def test_a_config_changes_only_what_is_given():
    config = parse_config({"dataset": "xor", "hidden": [3, 5], "features": ["x1", "sin_x2"]})
    assert (config.dataset, config.hidden, config.features) == ("xor", (3, 5), ("x1", "sin_x2"))
    assert config.lr == Config().lr
    assert parse_config({"lr": 0.5}, base=config).hidden == (3, 5)
    assert parse_config(config.to_dict()) == config


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"dataset": "swirl"}, r"^dataset: expected one of circles, xor"),
        ({"noise": 0.9}, r"^noise: expected a number in \[0, 0.5\], got 0.9"),
        ({"noise": "0.1"}, r"^noise: expected a number"),
        ({"size": 10.5}, r"^size: expected an integer"),
        ({"size": True}, r"^size: expected an integer"),
        ({"test_fraction": 1}, r"^test_fraction: "),
        ({"features": []}, r"^features: expected a list"),
        ({"features": ["x1", "x1"]}, r"^features: expected a list of distinct"),
        ({"features": ["x9"]}, r"^features: expected one of x1, x2"),
        ({"hidden": [4, 0]}, r"^hidden: expected an integer in \[1, 16\], got 0"),
        ({"hidden": [2] * 7}, r"^hidden: expected a list of at most 6"),
        ({"hidden": "4,2"}, r"^hidden: "),
        ({"activation": "swish"}, r"^activation: expected one of"),
        ({"init": "zeros"}, r"^init: expected one of xavier, he, normal"),
        ({"l1": -0.1}, r"^l1: "),
        ({"l2": float("nan")}, r"^l2: "),
        ({"optimizer": "lbfgs"}, r"^optimizer: expected one of sgd, momentum, adam"),
        ({"lr": 0}, r"^lr: expected a number in \(0, 10\], got 0"),
        ({"lr": None}, r"^lr: "),
        ({"batch_size": 0}, r"^batch_size: "),
        ({"seed": -1}, r"^seed: "),
        ({"speed": 1}, r"^speed: unknown setting"),
        ({"batch_norm": "yes"}, r"^batch_norm: expected true or false, got 'yes'"),
        ({"batch_norm": 1}, r"^batch_norm: expected true or false"),
        ({"dropout": 0.95}, r"^dropout: expected a number in \[0, 0.9\]"),
        ({"batch_norm": True, "batch_size": 1}, r"^batch_size: batch norm needs batches of at"),
        (
            {"schedule": "cyclic"},
            r"^schedule: expected one of constant, step, exponential, cosine, warmup, got .cyclic.",
        ),
        ({"gamma": 0}, r"^gamma: expected a number in \(0, 1\], got 0"),
        ({"gamma": 1.5}, r"^gamma: "),
        ({"step_size": 0}, r"^step_size: expected an integer in \[1, 10000\]"),
        ({"momentum": 1}, r"^momentum: expected a number in \[0, 0.999\], got 1"),
        ({"beta1": -0.1}, r"^beta1: "),
        ({"beta2": 1.0}, r"^beta2: expected a number in \[0, 0.9999\]"),
        ({"alpha": "0.9"}, r"^alpha: expected a number"),
    ],
)
def test_every_bad_value_is_refused_naming_its_field(values, message):
    with pytest.raises(ValueError, match=message):
        parse_config(values)


def test_the_model_has_the_configured_layers_and_a_seeded_initialization():
    config = parse_config({"features": ["x1", "x2", "x1_x2"], "hidden": [5, 3], "init": "he"})
    model = build_model(config)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(3, 5), (5, 3), (3, 2)]
    assert sum(isinstance(m, nn.Tanh) for m in model) == 2
    assert all(not m.bias.detach().numpy().any() for m in linears)
    # He uniform: |w| <= sqrt(6 / fan_in)
    assert numpy.abs(linears[0].weight.detach().numpy()).max() <= numpy.sqrt(6 / 3)
    same = build_model(config)
    other = build_model(parse_config({**config.to_dict(), "seed": 1}))
    assert numpy.array_equal(linears[1].weight.detach().numpy(), same[2].weight.detach().numpy())
    assert not numpy.array_equal(
        linears[1].weight.detach().numpy(), other[2].weight.detach().numpy()
    )
    assert model(nl.zeros(4, 3)).shape == (4, 2)


def test_a_network_without_hidden_layers_is_logistic_regression():
    model = build_model(parse_config({"hidden": []}))
    assert len(model) == 1 and isinstance(model[0], nn.Linear)


@pytest.mark.parametrize(
    ("name", "kind", "momentum"),
    [
        ("sgd", "SGD", 0),
        ("momentum", "SGD", 0.9),
        ("adam", "Adam", None),
        ("rmsprop", "RMSprop", None),
        ("adagrad", "Adagrad", None),
    ],
)
def test_each_optimizer_choice(name, kind, momentum):
    config = parse_config({"optimizer": name, "lr": 0.2})
    optimizer = build_optimizer(config, build_model(config))
    assert type(optimizer).__name__ == kind
    assert optimizer.param_groups[0]["lr"] == 0.2
    if momentum is not None:
        assert optimizer.param_groups[0]["momentum"] == momentum


@pytest.mark.parametrize(
    ("values", "group"),
    [
        ({"optimizer": "momentum", "momentum": 0.5}, {"momentum": 0.5}),
        ({"optimizer": "adam", "beta1": 0.8, "beta2": 0.99}, {"betas": (0.8, 0.99)}),
        ({"optimizer": "rmsprop", "alpha": 0.9}, {"alpha": 0.9}),
    ],
)
def test_each_optimizers_hyperparameters_reach_it(values, group):
    config = parse_config(values)
    optimizer = build_optimizer(config, build_model(config))
    for key, value in group.items():
        assert optimizer.param_groups[0][key] == value


def test_batch_norm_and_dropout_layers():
    model = build_model(parse_config({"hidden": [3, 2], "batch_norm": True, "dropout": 0.2}))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout"] * 2 + ["Linear"]
    assert model[3].p == 0.2


@pytest.mark.parametrize("name", ["sine", "abs", "step", "plane", "bump"])
def test_every_regression_set_is_its_function_plus_noise(name):
    from neuralab.playground import regression

    shape = regression.REGRESSION[name]
    x, y = regression.make_dataset(name, size=400, noise=0.0, seed=2)
    assert x.shape == (400, 2) and y.shape == (400,) and y.dtype == numpy.float32
    assert numpy.abs(x).max() <= DOMAIN and ((x[:, 1] == 0).all() == (shape.inputs == 1))
    numpy.testing.assert_allclose(y, shape.f(x[:, 0], x[:, 1]), atol=1e-6)
    _, noisy = regression.make_dataset(name, size=400, noise=0.3, seed=2)
    assert 0.2 < float(numpy.std(noisy - y)) < 0.4
    config = parse_config({"dataset": name, "hidden": [3]})
    assert build_model(config)(nl.zeros(5, 2)).shape == (5, 1)  # one value, no softmax
    with pytest.raises(ValueError, match=r"^dataset: unknown name 'cosine'"):
        regression.make_dataset("cosine", 10, 0.0, 0)
