"""neuralab.registry: names to optimizers, schedules, models and data sets, one table each."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab import nn, optim, registry
from neuralab.models import MLP, LeNet5


def params():
    return list(nn.Linear(3, 2).parameters())


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("sgd", optim.SGD),
        ("adam", optim.Adam),
        ("adamw", optim.AdamW),
        ("rmsprop", optim.RMSprop),
        ("adagrad", optim.Adagrad),
    ],
)
def test_every_optimizer_name_builds_its_class_with_the_rate(name, cls):
    opt = registry.make_optimizer(name, params(), lr=0.05, weight_decay=1e-4)
    assert type(opt) is cls
    assert opt.param_groups[0]["lr"] == 0.05 and opt.param_groups[0]["weight_decay"] == 1e-4


def test_options_reach_the_optimizer_and_unknown_ones_are_refused():
    sgd = registry.make_optimizer("sgd", params(), lr=0.1, momentum=0.9, nesterov=True)
    assert sgd.param_groups[0]["momentum"] == 0.9 and sgd.param_groups[0]["nesterov"]
    adam = registry.make_optimizer("adam", params(), lr=0.1, momentum=0.0)  # 0: not passed
    assert type(adam) is optim.Adam
    with pytest.raises(ValueError, match="optimizer 'adam': does not take momentum"):
        registry.make_optimizer("adam", params(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="unknown name 'adm'; expected one of sgd, adam"):
        registry.make_optimizer("adm", params(), lr=0.1)
    assert registry.optimizer_label("sgd", momentum=0.9) == "SGD + momentum"
    assert registry.optimizer_label("rmsprop") == "RMSprop"


def test_schedules_by_name_with_their_documented_defaults():
    sched = optim.lr_scheduler

    def make(name, **options):
        opt = registry.make_optimizer("sgd", params(), lr=0.1)
        return registry.make_scheduler(name, opt, epochs=9, steps_per_epoch=10, **options)

    assert make("constant") is None and make("none") is None  # tune's spelling
    step = make("step")
    assert type(step) is sched.StepLR and step.step_size == 3 and step.gamma == 0.1
    assert make("exponential").gamma == 0.9
    assert type(make("plateau")) is sched.ReduceLROnPlateau
    cosine = make("cosine", eta_min=1e-3)
    assert cosine.T_max == 9 and cosine.eta_min == 1e-3
    onecycle = make("onecycle")
    assert type(onecycle) is sched.OneCycleLR and onecycle.total_steps == 90
    assert type(make("one_cycle", pct_start=0.5)) is sched.OneCycleLR
    adagrad = registry.make_optimizer("adagrad", params(), lr=0.1)  # no momentum to cycle
    one = registry.make_scheduler("onecycle", adagrad, epochs=2, steps_per_epoch=5)
    assert not one.cycle_momentum
    cyclic = make("cyclic")
    assert type(cyclic) is sched.CyclicLR and cyclic.base_lrs == [pytest.approx(0.01)]
    assert registry.schedule_steps_per_batch("cyclic") and not registry.schedule_steps_per_batch(
        "step"
    )
    with pytest.raises(ValueError, match="schedule 'step': does not take eta_min"):
        make("step", eta_min=0.1)
    with pytest.raises(ValueError, match="schedule: unknown name 'linear'"):
        make("linear")


def test_models_by_name():
    mlp = registry.make_model("mlp", in_features=64, classes=3, hidden=(16, 8), dropout=0.1)
    assert isinstance(mlp, MLP)
    shapes = [tuple(p.shape) for p in mlp.parameters()]
    assert shapes == [(16, 64), (16,), (8, 16), (8,), (3, 8), (3,)]
    assert isinstance(registry.make_model("lenet5", in_features=784, classes=10), LeNet5)
    with pytest.raises(ValueError, match="expects 28 x 28 images"):
        registry.make_model("lenet5", in_features=64, classes=10)
    with pytest.raises(ValueError, match="model 'lenet5': does not take hidden"):
        registry.make_model("lenet5", in_features=784, classes=10, hidden=(3,))


def test_data_sets_by_name_are_seeded_and_disjoint(neuralab_data):
    a = registry.load_splits("mnist", n_train=100, n_val=20, n_test=30, seed=4)
    b = registry.load_splits("mnist", n_train=100, n_val=20, n_test=30, seed=4)
    c = registry.load_splits("mnist", n_train=100, n_val=20, n_test=30, seed=5)
    assert a.train[0].shape == (100, 784) and a.val[0].shape == (20, 784)
    assert a.test[0].shape == (30, 784) and (a.in_features, a.classes) == (784, 10)
    np.testing.assert_array_equal(a.train[0], b.train[0])
    assert not np.array_equal(a.train[0], c.train[0])
    rows = {r.tobytes() for r in a.train[0]}
    assert not any(r.tobytes() in rows for r in a.val[0])
    assert set(registry.DATASETS) == {"digits", "mnist", "fashion-mnist", "synthetic"}
    with pytest.raises(ValueError, match=r"data\.name: expected one of"):
        registry.load_splits("cifar", seed=0)
