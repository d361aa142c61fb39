"""neuralab.tune's search spec, configuration files and storage URLs: what is accepted,
and clear errors (naming the parameter and what was expected) for what is not. No
training here."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytest.importorskip("optuna")

from neuralab import tune
from neuralab.tune.config import config_from_dict
from neuralab.tune.storage import storage_url

TOML = """
[study]
name = "digits-mlp"
strategy = "random"
trials = 7
metric = "val_loss"
seed = 3

[data]
name = "digits"
n_train = 300
n_val = 100

[train]
epochs = 2
width = 32
optimizer = "sgd"

[search]
lr = { low = 1e-4, high = 0.3, log = true }
optimizer = ["sgd", "adam"]
depth = { low = 1, high = 3 }
"""

YAML = """
study: {name: digits-mlp, strategy: random, trials: 7, metric: val_loss, seed: 3}
data: {name: digits, n_train: 300, n_val: 100}
train: {epochs: 2, width: 32, optimizer: sgd}
search:
  lr: {low: 1.0e-4, high: 0.3, log: true}
  optimizer: [sgd, adam]
  depth: {low: 1, high: 3}
"""


def test_toml_and_yaml_files_give_the_same_config(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(TOML)
    (tmp_path / "a.yaml").write_text(YAML)
    a, b = tune.load_config(tmp_path / "a.toml"), tune.load_config(tmp_path / "a.yaml")
    assert a.to_dict() == b.to_dict()
    assert (a.name, a.strategy, a.trials, a.metric, a.direction) == (
        "digits-mlp", "random", 7, "val_loss", "minimize"
    )  # fmt: skip
    assert a.epochs == 2 and a.defaults["width"] == 32 and a.defaults["optimizer"] == "sgd"
    assert a.search.names == ["lr", "optimizer", "depth"]
    lr, _, depth = a.search.params
    assert (lr.kind, lr.log, depth.kind) == ("float", True, "int")
    # the baseline takes the [train] values of the searched parameters (else the defaults)
    assert a.baseline_params() == {"lr": 1e-3, "optimizer": "sgd", "depth": 2}


def test_grid_values() -> None:
    space = tune.SearchSpace.from_dict(
        {
            "lr": {"low": 1e-3, "high": 1e-1, "log": True},
            "width": {"low": 16, "high": 64, "step": 16, "points": 4},
            "momentum": {"low": 0.0, "high": 0.99, "grid": [0.0, 0.9]},
            "optimizer": ["sgd", "adam"],
        }
    )
    grid = space.grid()
    assert grid["lr"] == pytest.approx([1e-3, 1e-2, 1e-1])
    assert grid["width"] == [16, 32, 48, 64]
    assert grid["momentum"] == [0.0, 0.9]
    assert grid["optimizer"] == ["sgd", "adam"]
    assert space.grid_size == 3 * 4 * 2 * 2


def test_a_step_that_does_not_divide_the_range_ends_at_the_last_step() -> None:
    """width 32..120 by 32 takes 32, 64, 96 (as Optuna's suggest_int): the grid never goes
    past 96 (it once held 128, outside the range Optuna searched, and fANOVA crashed)."""
    space = tune.SearchSpace.from_dict(
        {
            "width": {"low": 32, "high": 120, "step": 32},
            "dropout": {"low": 0.0, "high": 0.5, "step": 0.2, "points": 4},
        }
    )
    width, dropout = space.params
    assert (width.top, dropout.top) == (96, 0.4)
    assert space.grid() == {"width": [32, 64, 96], "dropout": [0.0, 0.2, 0.4]}
    assert width.contains(96) and not width.contains(120) and not width.contains(100)
    with pytest.raises(ValueError, match=r"width = 120 is outside .* \(32 to 96 by steps of 32\)"):
        space.check_inside({"width": 120}, "baseline")
    with pytest.raises(ValueError, match="grid value 40 is not low \\+ a multiple of step"):
        tune.SearchSpace.from_dict({"width": {"low": 32, "high": 120, "step": 32, "grid": [40]}})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"lr": {"low": 0.1, "high": 0.1}}, "search.lr: empty range"),
        ({"lr": {"low": 0.5, "high": 0.1}}, "search.lr: empty range"),
        ({"width": {"low": 64, "high": 16}}, "search.width: empty range"),
        ({"optimizer": []}, "search.optimizer: choices must be a non-empty list"),
        ({"learning_rate": {"low": 0.1, "high": 1}}, "unknown parameter 'learning_rate'"),
        ({"lr": {"low": 0.0, "high": 1.0, "log": True}}, "parameter 'lr': expected a number 0"),
        ({"momentum": {"low": -1e-3, "high": 0.5, "log": True}}, "parameter 'momentum'"),
        ({"width": {"low": 1.5, "high": 8}}, "search.width: low must be an integer"),
        ({"optimizer": ["sgd", "lbfgs"]}, "expected one of ['sgd', 'adam'"),
        ({"lr": {"low": 1e-3, "hi": 1.0}}, "search.lr: unknown key(s) ['hi']"),
        ({"lr": 0.1}, "search.lr: expected a list of choices or a table"),
        ({"lr": {"low": 1e-3, "high": 1.0, "grid": [2.0]}}, "grid value 2.0 is outside"),
        ({"optimizer": {"low": 1, "high": 2}}, "search.optimizer: optimizer is categorical"),
        ({}, "the search space is empty"),
    ],
)
def test_bad_search_specs_are_named(spec: dict, message: str) -> None:
    with pytest.raises(ValueError) as error:
        tune.SearchSpace.from_dict(spec)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"study": {"trials": 5}}, "missing the [search] table"),
        ({"search": {"lr": [0.1]}, "model": {}}, "unknown table(s) ['model']"),
        ({"search": {"lr": [0.1]}, "study": {"trails": 5}}, "[study]: unknown key(s) ['trails']"),
        ({"search": {"lr": [0.1]}, "study": {"strategy": "bayes"}}, "strategy: expected one of"),
        ({"search": {"lr": [0.1]}, "study": {"trials": 0}}, "trials: expected a positive integer"),
        ({"search": {"lr": [0.1]}, "study": {"metric": "accuracy"}}, "metric: expected one of"),
        ({"search": {"lr": [0.1]}, "train": {"widht": 3}}, "unknown parameter 'widht'"),
        ({"search": {"lr": [0.1]}, "train": {"batch_size": 0}}, "parameter 'batch_size'"),
        ({"search": {"lr": [0.1]}, "data": {"name": "cifar"}}, "data.name: expected one of"),
        ({"search": {"lr": [0.1]}, "data": {"folds": 0}}, "data.folds: expected a positive"),
        (
            {"search": {"lr": {"low": 0.01, "high": 0.1}}, "train": {"lr": 0.5}},
            "baseline: lr = 0.5 is outside the searched range of lr",
        ),
        (
            {"search": {"lr": [0.1]}, "study": {"trials": None}},
            "study: give a budget: trials, epoch_budget or timeout",
        ),
        (
            {"search": {"lr": [0.1]}, "study": {"baseline": "false"}},
            "study.baseline: expected true",
        ),
        ({"search": {"lr": [0.1]}, "study": {"retrain": "no"}}, "study.retrain: expected true or"),
        ({"search": {"lr": [0.1]}, "study": {"retrain": 0}}, "study.retrain: expected true or"),
    ],
)
def test_bad_configs_are_named(raw: dict, message: str) -> None:
    with pytest.raises(ValueError) as error:
        config_from_dict(raw)
    assert message in str(error.value)


def test_bad_config_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        tune.load_config(tmp_path / "missing.toml")
    (tmp_path / "a.ini").write_text("{}")
    with pytest.raises(ValueError, match=r"expected a \.toml, \.yaml, \.yml or \.json file"):
        tune.load_config(tmp_path / "a.ini")
    (tmp_path / "broken.toml").write_text("[search\nlr = ")
    with pytest.raises(ValueError, match=r"broken\.toml: cannot parse it"):
        tune.load_config(tmp_path / "broken.toml")
    (tmp_path / "bad.toml").write_text("[search]\nlr = { low = 1.0, high = 0.1 }\n")
    with pytest.raises(ValueError, match=r"bad.toml: search.lr: empty range"):
        tune.load_config(tmp_path / "bad.toml")


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    """A YAML file cannot build Python objects (yaml.safe_load)."""
    (tmp_path / "evil.yaml").write_text("search: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ValueError, match="cannot parse it"):
        tune.load_config(tmp_path / "evil.yaml")


def test_yaml_reads_exponents_without_a_dot_as_numbers(tmp_path: Path) -> None:
    """YAML 1.2 floats: ``1e-4`` is a number (PyYAML's YAML 1.1 reads it as a string);
    ``1_000``, ``.5`` and hex ints still parse, and a bare word stays a string."""
    (tmp_path / "a.yaml").write_text(
        YAML.replace("1.0e-4", "1e-4").replace("high: 0.3", "high: 3E-1")
        + "  batch_size: [0x40, 1_000]\n"
    )
    config = tune.load_config(tmp_path / "a.yaml")
    lr = config.search.params[0]
    assert (lr.low, lr.high) == (1e-4, 0.3) and isinstance(lr.low, float)
    assert config.search.params[3].choices == (64, 1000)
    from neuralab.tune.config import _yaml_load

    assert _yaml_load("a: [1e3, -2.5E-2, .5, 7, 1e, nan]") == {
        "a": [1e3, -0.025, 0.5, 7, "1e", "nan"]
    }


def test_grid_needs_a_spec() -> None:
    with pytest.raises(ValueError, match="strategy 'grid' needs a search spec"):
        tune.TuneConfig(search=lambda trial: {}, strategy="grid")


def test_storage_urls(tmp_path: Path) -> None:
    assert storage_url(None, tmp_path / "s.db") == f"sqlite:///{tmp_path / 's.db'}"
    assert storage_url(str(tmp_path / "x.db"), "unused") == f"sqlite:///{tmp_path / 'x.db'}"
    url = storage_url("postgresql://u:pw@db.example:5432/tune", "unused")
    assert url.startswith("postgresql") and url.endswith("@db.example:5432/tune")
    for bad, message in [
        ("postgresql://u:pw@host:notaport/db", "storage: cannot parse the URL"),
        ("mongodb://host/db", "storage: unknown database 'mongodb'"),
        ("sqlite://", "an SQLite URL needs a file"),
        ("sqlite:///:memory:", "an SQLite URL needs a file"),
        (":memory:", "an SQLite URL needs a file"),
        (str(tmp_path), "is a folder"),
    ]:
        with pytest.raises(ValueError) as error:
            storage_url(bad, "unused")
        assert message in str(error.value), bad
        assert "pw" not in str(error.value)  # passwords are never echoed


def test_unreachable_storage_is_a_clear_error(tmp_path: Path) -> None:
    from neuralab.tune.storage import open_storage

    with pytest.raises(ValueError, match=r"storage: cannot open postgresql\+psycopg://u:\*\*\*"):
        open_storage("postgresql+psycopg://u:secret@127.0.0.1:9/db?connect_timeout=2")


def test_param_domain_checks() -> None:
    info = tune.PARAMETERS["batch_size"]
    assert info.check("batch_size", 32) == 32
    for bad in (0, 3.5, True, "64"):
        with pytest.raises(ValueError, match="parameter 'batch_size'"):
            info.check("batch_size", bad)
    with pytest.raises(ValueError, match="expected a finite number"):
        tune.PARAMETERS["lr"].check("lr", math.inf)


def test_the_configuration_never_shows_a_password() -> None:
    config = config_from_dict(
        {
            "search": {"lr": [0.1]},
            "study": {"storage": "postgresql://u:s3cret@h:5432/db", "baseline": False},
        }
    )
    assert config.storage == "postgresql://u:s3cret@h:5432/db"  # used to connect
    shown = config.to_dict()["storage"]
    assert "s3cret" not in shown and shown.startswith("postgresql://u:***@h:5432/db")


def test_the_guides_config_is_the_example_file_and_loads() -> None:
    """The tuning guide's configuration is examples/tune-mnist.toml, and it loads as written."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    example = root / "examples" / "tune-mnist.toml"
    shown = re.findall(r"```toml\n(.*?)```", (root / "docs/guide/tuning.md").read_text(), re.S)
    assert shown == [example.read_text()]
    config = tune.load_config(example)
    assert config.strategy == "tpe" and config.trials == 20 and config.epochs == 4
    assert set(config.search.names) == {"lr", "optimizer", "batch_size", "width", "depth"}


def test_the_spaces_optimizers_and_schedules_are_the_registrys() -> None:
    """Every optimizer and schedule tune accepts is built by neuralab.registry; momentum
    goes to the optimizers that take one (SGD, RMSprop) and to no other."""
    from neuralab import registry
    from neuralab.tune import objective
    from neuralab.tune.space import defaults

    assert set(tune.PARAMETERS["optimizer"].choices) == set(registry.OPTIMIZERS)
    assert {"none", "onecycle"} <= set(tune.PARAMETERS["schedule"].choices)
    params = {**defaults(), "momentum": 0.5, "weight_decay": 1e-4}
    model = objective.build_model(params, 8, 3)
    assert [p.shape for p in model.parameters()][::2] == [(128, 8), (64, 128), (3, 64)]
    for name in tune.PARAMETERS["optimizer"].choices:
        group = objective.build_optimizer({**params, "optimizer": name}, model.parameters())
        group = group.param_groups[0]
        assert (group["lr"], group["weight_decay"]) == (params["lr"], 1e-4)
        assert group.get("momentum") == (0.5 if name in ("sgd", "rmsprop") else None)
    sgd = objective.build_optimizer({**params, "optimizer": "sgd"}, model.parameters())
    for name in tune.PARAMETERS["schedule"].choices:
        scheduler = objective.build_scheduler({**params, "schedule": name}, sgd, 3, 10)
        assert (scheduler is None) == (name == "none"), name
    with pytest.raises(ValueError, match="optimizer: unknown name 'nadam'"):
        objective.build_optimizer({**params, "optimizer": "nadam"}, model.parameters())
