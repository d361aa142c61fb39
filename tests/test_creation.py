"""Creation functions with PyTorch's signatures, dtypes and shapes; Generator; the legacy
constructors and small top-level helpers. Each case runs in PyTorch and in neuralab."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab


def dtype_name(t):
    return str(t.dtype).removeprefix("torch.")


CASES = {
    "zeros": lambda m: m.zeros(2, 3),
    "zeros tuple": lambda m: m.zeros((2, 3)),
    "zeros list": lambda m: m.zeros([2, 3]),
    "zeros size=": lambda m: m.zeros(size=(2, 3)),
    "zeros 0-d": lambda m: m.zeros(()),
    "zeros empty dim": lambda m: m.zeros(0, 3),
    "zeros bool": lambda m: m.zeros(2, dtype=m.bool),
    "ones int64": lambda m: m.ones(2, dtype=m.int64),
    "ones 0-d tensor size": lambda m: m.ones(m.tensor(3)),
    "empty": lambda m: m.empty(2, 3),
    "empty size=": lambda m: m.empty(size=(4,)),
    "full bool": lambda m: m.full((2,), True),
    "full int": lambda m: m.full((2, 3), 7),
    "full float": lambda m: m.full([2], 1.5),
    "full dtype": lambda m: m.full((2,), 1, dtype=m.float64),
    "arange int": lambda m: m.arange(5),
    "arange start stop step": lambda m: m.arange(1, 10, 3),
    "arange negative step": lambda m: m.arange(5, 0, -1),
    "arange float step": lambda m: m.arange(0, 1, 0.25),
    "arange float end": lambda m: m.arange(2.5),
    "arange float start": lambda m: m.arange(0.5, 3),
    "arange dtype": lambda m: m.arange(3, dtype=m.float32),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace float64": lambda m: m.linspace(-1, 1, 4, dtype=m.float64),
    "eye": lambda m: m.eye(3),
    "eye rectangular": lambda m: m.eye(2, 4),
    "eye int": lambda m: m.eye(2, dtype=m.int64),
    "randn": lambda m: m.randn(2, 3),
    "randn tuple": lambda m: m.randn((2, 3)),
    "randn size=": lambda m: m.randn(size=(2, 3)),
    "randn float64": lambda m: m.randn(2, dtype=m.float64),
    "rand": lambda m: m.rand(4),
    "rand size=": lambda m: m.rand(size=[2, 2]),
    "randint(high, size)": lambda m: m.randint(5, (3,)),
    "randint(low, high, size)": lambda m: m.randint(2, 5, (3, 2)),
    "randint size=": lambda m: m.randint(0, 5, size=(3,)),
    "randint dtype": lambda m: m.randint(0, 5, (3,), dtype=m.int32),
    "randperm": lambda m: m.randperm(6),
    "normal size": lambda m: m.normal(0.0, 1.0, size=(2, 3)),
    "normal tensor mean": lambda m: m.normal(m.zeros(3), 1.0),
    "normal float64 tensors": lambda m: m.normal(
        m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)
    ),
    "zeros_like int": lambda m: m.zeros_like(m.ones(2, dtype=m.int64)),
    "ones_like dtype": lambda m: m.ones_like(m.ones(3), dtype=m.int64),
    "full_like": lambda m: m.full_like(m.ones(2, 3), 7),
    "full_like int truncates": lambda m: m.full_like(m.ones(2, dtype=m.int64), 2.7),
    "empty_like": lambda m: m.empty_like(m.ones(2, 3, dtype=m.float64)),
    "randint_like(high)": lambda m: m.randint_like(m.ones(2, 3), 10),
    "randint_like(low, high)": lambda m: m.randint_like(m.ones(2, dtype=m.int64), 3, 10),
    "randn_like": lambda m: m.randn_like(m.ones(2, dtype=m.float64)),
    "rand_like": lambda m: m.rand_like(m.ones(3)),
    "tensor ints": lambda m: m.tensor([1, 2]),
    "tensor floats": lambda m: m.tensor([1.0, 2.0]),
    "tensor bools": lambda m: m.tensor([True]),
    "tensor scalar": lambda m: m.tensor(3.0),
    "tensor float64 ndarray": lambda m: m.tensor(np.ones(2)),
    "as_tensor float64 ndarray": lambda m: m.as_tensor(np.ones(2)),
    "from_numpy int32": lambda m: m.from_numpy(np.ones(2, np.int32)),
    "from_numpy float64": lambda m: m.from_numpy(np.ones((2, 2))),
    "LongTensor(data)": lambda m: m.LongTensor([1, 2]),
    "FloatTensor(shape)": lambda m: m.FloatTensor(2, 3),
    "FloatTensor(data)": lambda m: m.FloatTensor([1, 2]),
    "DoubleTensor(n)": lambda m: m.DoubleTensor(3),
    "IntTensor(data)": lambda m: m.IntTensor([1]),
    "BoolTensor(data)": lambda m: m.BoolTensor([1, 0]),
    "ByteTensor(n)": lambda m: m.ByteTensor(2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_dtype_and_shape_match_torch(name):
    ours, theirs = CASES[name](neuralab), CASES[name](torch)
    assert isinstance(ours, neuralab.Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert dtype_name(ours) == dtype_name(theirs)


DETERMINISTIC = [
    "zeros",
    "zeros bool",
    "ones int64",
    "full bool",
    "full int",
    "full float",
    "arange int",
    "arange start stop step",
    "arange negative step",
    "arange float step",
    "arange float end",
    "arange float start",
    "linspace",
    "linspace float64",
    "eye",
    "eye rectangular",
    "full_like int truncates",
    "tensor ints",
    "tensor float64 ndarray",
    "LongTensor(data)",
    "FloatTensor(data)",
    "BoolTensor(data)",
]


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_values_match_torch(name):
    ours, theirs = CASES[name](neuralab), CASES[name](torch)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_random_values_are_in_range():
    neuralab.manual_seed(0)
    assert set(neuralab.randint(2, 5, (500,)).tolist()) == {2, 3, 4}
    assert set(neuralab.randint(3, size=(500,)).tolist()) == {0, 1, 2}
    assert sorted(neuralab.randperm(7).tolist()) == list(range(7))
    r = neuralab.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    n = neuralab.normal(3.0, 0.1, size=(2000,)).numpy()
    assert abs(n.mean() - 3.0) < 0.01 and abs(n.std() - 0.1) < 0.01
    means = neuralab.normal(neuralab.tensor([0.0, 100.0]), 0.001)
    np.testing.assert_allclose(means.numpy(), [0.0, 100.0], atol=0.01)


def test_requires_grad_on_creation():
    for lib in (torch, neuralab):
        for t in (
            lib.zeros(2, requires_grad=True),
            lib.randn(2, requires_grad=True),
            lib.full((2,), 1.0, requires_grad=True),
            lib.tensor([1.0], requires_grad=True),
        ):
            assert t.requires_grad and t.is_leaf


# --- memory: tensor copies, as_tensor / from_numpy share ---------------------------------
def test_tensor_copies_an_ndarray_while_as_tensor_and_from_numpy_share_it():
    for lib in (torch, neuralab):
        array = np.arange(4, dtype=np.float32)
        copied, shared, from_np = lib.tensor(array), lib.as_tensor(array), lib.from_numpy(array)
        array[0] = 42.0
        assert copied[0].item() == 0.0
        assert shared[0].item() == 42.0
        assert from_np[0].item() == 42.0
        from_np[1] = -1.0
        assert array[1] == -1.0


def test_as_tensor_of_a_tensor_is_the_tensor():
    for lib in (torch, neuralab):
        t = lib.ones(2)
        assert lib.as_tensor(t) is t
        assert lib.as_tensor(t, dtype=lib.float64).dtype == lib.float64


def test_from_numpy_refuses_what_is_not_an_ndarray():
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(TypeError, match="from_numpy"):
        neuralab.from_numpy([1, 2])


# --- Generator ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "draw",
    [
        lambda m, g: m.randn(5, generator=g),
        lambda m, g: m.rand(2, 3, generator=g),
        lambda m, g: m.randint(0, 100, (5,), generator=g),
        lambda m, g: m.randperm(10, generator=g),
        lambda m, g: m.normal(0.0, 1.0, size=(5,), generator=g),
        lambda m, g: m.zeros(5).uniform_(generator=g),
    ],
)
def test_generator_is_reproducible_and_leaves_the_global_stream(draw):
    for lib in (torch, neuralab):
        first = draw(lib, lib.Generator().manual_seed(1234)).tolist()
        second = draw(lib, lib.Generator().manual_seed(1234)).tolist()
        assert first == second
        assert draw(lib, lib.Generator().manual_seed(99)).tolist() != first

        lib.manual_seed(0)
        expected = lib.rand(4).tolist()
        lib.manual_seed(0)
        draw(lib, lib.Generator().manual_seed(5))
        assert lib.rand(4).tolist() == expected  # the global stream did not move


def test_generator_seed_and_state_as_torch():
    for lib in (torch, neuralab):
        g = lib.Generator()
        assert g.manual_seed(2147483647) is g
        assert g.initial_seed() == 2147483647
        state = g.get_state()
        a = lib.randn(4, generator=g).tolist()
        b = lib.randn(4, generator=g).tolist()
        assert a != b
        g.set_state(state)
        assert lib.randn(4, generator=g).tolist() == a


def test_manual_seed_sets_initial_seed_and_repeats_the_stream():
    for lib in (torch, neuralab):
        lib.manual_seed(42)
        assert lib.initial_seed() == 42
        a = lib.randn(3).tolist()
        lib.manual_seed(42)
        assert lib.randn(3).tolist() == a


def test_bad_generator_raises_type_error():
    with pytest.raises(TypeError, match="randn: generator"):
        neuralab.randn(2, generator="seed")


# --- bad sizes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, call",
    [
        ("zeros", lambda m: m.zeros(-1)),
        ("ones", lambda m: m.ones(2, -3)),
        ("empty", lambda m: m.empty((2, -1))),
        ("randn", lambda m: m.randn(2, -3)),
        ("rand", lambda m: m.rand(-2)),
        ("zeros", lambda m: m.zeros(2.5)),
        ("full", lambda m: m.full((-1,), 1.0)),
        ("randint", lambda m: m.randint(0, 3, (-1,))),
    ],
)
def test_bad_sizes_raise_value_error_naming_the_function(name, call):
    with pytest.raises((RuntimeError, TypeError)):
        call(torch)
    with pytest.raises(ValueError, match=rf"^{name}: .*non-negative"):
        call(neuralab)


def test_bad_random_arguments_raise_naming_the_function():
    with pytest.raises(RuntimeError):
        torch.randint(5, 5, (2,))
    with pytest.raises(ValueError, match="randint: expected low < high"):
        neuralab.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint"):
        neuralab.randint(5)
    with pytest.raises(TypeError, match="randn: expected a floating dtype"):
        neuralab.randn(2, dtype=neuralab.int64)
    with pytest.raises(ValueError, match="arange: step"):
        neuralab.arange(0, 3, 0)
    with pytest.raises(TypeError, match="zeros"):
        neuralab.zeros(2, colour="red")


# --- small helpers ---------------------------------------------------------------------
def test_is_tensor_numel_is_floating_point_as_torch():
    for lib in (torch, neuralab):
        t = lib.zeros(2, 3)
        assert lib.is_tensor(t) and not lib.is_tensor([1, 2]) and not lib.is_tensor(np.ones(2))
        assert lib.numel(t) == 6 == t.numel() == t.nelement()
        assert lib.is_floating_point(t)
        assert not lib.is_floating_point(lib.zeros(2, dtype=lib.int64))


def test_size_is_a_tuple_like_torch_size():
    ours, theirs = neuralab.Size([2, 3, 4]), torch.Size([2, 3, 4])
    assert ours == theirs == (2, 3, 4)
    assert ours.numel() == theirs.numel() == 24
    assert neuralab.Size([]).numel() == torch.Size([]).numel() == 1
    assert isinstance(ours, tuple)
    assert neuralab.zeros(ours).shape == tuple(torch.zeros(theirs).shape)
    assert neuralab.zeros(2, 3).size() == tuple(torch.zeros(2, 3).size())
    assert neuralab.zeros(2, 3).size(1) == torch.zeros(2, 3).size(1) == 3


def test_randint_takes_low_and_high_as_keywords_like_torch():
    for lib in (torch, neuralab):
        t = lib.randint(low=2, high=5, size=(50,))
        assert t.shape == (50,) and t.min().item() >= 2 and t.max().item() < 5
        assert lib.randint(high=3, size=(4,)).max().item() < 3
