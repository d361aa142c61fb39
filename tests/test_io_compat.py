"""``save``/``load`` called as PyTorch programs call them: file objects, any tree at the
top, training checkpoints, ``map_location``/``weights_only``, and whole models refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

import neuralab
from neuralab import nn


def round_trip(obj):
    buffer = io.BytesIO()
    neuralab.save(obj, buffer)
    buffer.seek(0)
    return neuralab.load(buffer)


def assert_same_tree(ours, expected):
    assert type(ours) is type(expected)
    if isinstance(expected, neuralab.Tensor):
        assert ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.numpy(), expected.detach().numpy())
    elif isinstance(expected, dict):
        assert list(ours) == list(expected)
        for key in expected:
            assert_same_tree(ours[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(ours) == len(expected)
        for a, b in zip(ours, expected):
            assert_same_tree(a, b)
    else:
        assert ours == expected


@pytest.mark.parametrize(
    "obj",
    [
        neuralab.tensor([[1.0, 2.0], [3.0, 4.0]]),
        neuralab.tensor([1, 2, 3]),
        [neuralab.ones(2), 3, "a", None, 1.5],
        (neuralab.zeros(2, dtype=neuralab.float64), True, [neuralab.tensor(7)]),
        {"weights": neuralab.ones(3), "step": 10, "nested": {0: neuralab.zeros(1)}},
    ],
)
def test_top_level_trees_round_trip_through_bytes_io(obj):
    assert_same_tree(round_trip(obj), obj)


def test_the_same_trees_round_trip_in_torch():
    """PyTorch keeps the same structures (the reference behaviour)."""
    obj = (torch.zeros(2), [torch.ones(1), 3], {"k": "v"})
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer)
    assert type(loaded) is tuple and type(loaded[1]) is list and loaded[2] == {"k": "v"}


def test_save_and_load_through_open_files(tmp_path):
    path = tmp_path / "tensor.pt"
    t = neuralab.randn(3, 4)
    with open(path, "wb") as f:
        neuralab.save({"t": t, "name": "x"}, f)
    with open(path, "rb") as f:
        loaded = neuralab.load(f)
    assert loaded["name"] == "x"
    np.testing.assert_array_equal(loaded["t"].numpy(), t.numpy())
    assert neuralab.load(str(path))["name"] == "x"  # and through the path


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(neuralab.relu(self.fc1(x)))


def train_steps(model, optimizer, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = neuralab.tensor(rng.normal(size=(5, 4)).astype(np.float32))
        loss = (model(x) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_checkpoint_round_trips_and_resumes_training(tmp_path):
    neuralab.manual_seed(0)
    model = Net()
    optimizer = neuralab.optim.Adam(model.parameters(), lr=0.01)
    train_steps(model, optimizer, 3, seed=1)
    path = tmp_path / "checkpoint.pt"
    neuralab.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}, path
    )

    checkpoint = neuralab.load(path, map_location="cpu", weights_only=True)
    assert checkpoint["epoch"] == 3
    fresh = Net()
    fresh.load_state_dict(checkpoint["model"])
    fresh_optimizer = neuralab.optim.Adam(fresh.parameters(), lr=0.01)
    fresh_optimizer.load_state_dict(checkpoint["optimizer"])
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)

    train_steps(model, optimizer, 2, seed=2)  # both continue identically
    train_steps(fresh, fresh_optimizer, 2, seed=2)
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


@pytest.mark.parametrize(
    "make", [lambda m: m, lambda m: {"m": m}, lambda m: [m], lambda m: {"a": {"b": m}}]
)
def test_saving_a_whole_model_raises_naming_state_dict_and_keeps_the_file(tmp_path, make):
    path = tmp_path / "model.pt"
    neuralab.save({"old": neuralab.ones(1)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"state_dict\(\)"):
        neuralab.save(make(Net()), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # no temporary left


def test_saving_an_optimizer_raises_naming_state_dict():
    optimizer = neuralab.optim.SGD(Net().parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"state_dict\(\)"):
        neuralab.save(optimizer, io.BytesIO())


@pytest.mark.parametrize(
    "map_location",
    [
        "cpu",
        neuralab.device("cpu"),
        {"cuda:0": "cpu"},
        lambda storage, location: storage,
        None,
    ],
)
def test_load_accepts_cpu_map_locations(tmp_path, map_location):
    path = tmp_path / "sd.pt"
    neuralab.save({"w": neuralab.ones(2)}, path)
    loaded = neuralab.load(path, map_location=map_location, weights_only=True)
    assert loaded["w"].tolist() == [1.0, 1.0]
    assert loaded["w"].device == neuralab.device("cpu")


@pytest.mark.parametrize("where", ["cuda", "cuda:0", neuralab.device("cuda", 1), "mps"])
def test_load_to_an_accelerator_raises_not_implemented(tmp_path, where):
    path = tmp_path / "sd.pt"
    neuralab.save({"w": neuralab.ones(2)}, path)
    with pytest.raises(NotImplementedError, match=r"map_location.*not supported"):
        neuralab.load(path, map_location=where)


def test_text_mode_files_raise_type_error_naming_binary_mode(tmp_path):
    path = tmp_path / "sd.pt"
    neuralab.save({"w": neuralab.ones(2)}, path)
    with (
        open(path, encoding="latin-1") as f,
        pytest.raises(TypeError, match=r"binary mode \('rb'\)"),
    ):
        neuralab.load(f)
    with (
        open(tmp_path / "other.pt", "w") as f,
        pytest.raises(TypeError, match=r"binary mode \('wb'\)"),
    ):
        neuralab.save({"w": neuralab.ones(2)}, f)


def test_loaded_tensors_are_plain_tensors_without_grad():
    p = nn.Parameter(neuralab.ones(3))
    loaded = round_trip({"p": p})["p"]
    assert type(loaded) is neuralab.Tensor
    assert loaded.requires_grad is False


def test_load_from_a_text_mode_file_names_binary_mode(tmp_path):
    path = tmp_path / "w.safetensors"
    neuralab.save({"w": neuralab.ones(2)}, path)
    with open(path) as f, pytest.raises(TypeError, match="binary mode"):
        neuralab.load(f)
