"""neuralab.io: safetensors round trips of state dicts and checkpoints, atomic writes,
clear errors, files from other programs, no pickle."""

from __future__ import annotations

import json
import math
import os
import pickle

import numpy as np
import pytest
import safetensors.numpy
import torch
from safetensors.torch import load_file as torch_load_file

import neuralab
import neuralab.io as nio
from neuralab.nn import Parameter


def assert_same(a, b, path="obj"):
    """a and b are equal structurally: same types, keys (and key types), dtypes, shapes
    and values."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        assert [type(k) for k in a] == [type(k) for k in b], f"{path}: key types differ"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, (neuralab.Tensor, np.ndarray, np.generic)):
        x, y = np.asarray(a), np.asarray(b)
        assert x.dtype == y.dtype and x.shape == y.shape, f"{path}: {x.dtype}{x.shape}"
        np.testing.assert_array_equal(x, y, err_msg=path)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def roundtrip(obj, tmp_path):
    path = tmp_path / "x.safetensors"
    nio.save(obj, path)
    return nio.load(path)


def rng_array(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


DTYPES = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_flat_state_dict_roundtrip(dtype, tmp_path):
    sd = {
        "fc1.weight": neuralab.tensor(rng_array((4, 3), dtype)),
        "fc1.bias": neuralab.tensor(rng_array((4,), dtype, 1)),
        "scalar": neuralab.tensor(rng_array((), dtype, 2)),
        "empty": neuralab.tensor(rng_array((0, 5), dtype, 3)),
    }
    out = roundtrip(sd, tmp_path)
    assert_same(sd, out)
    assert all(isinstance(v, neuralab.Tensor) for v in out.values())


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    out = roundtrip({"w": neuralab.ones(3, 2)}, tmp_path)
    out["w"]._data += 1  # an optimizer updates in place
    assert np.all(out["w"]._data == 2)


def test_module_state_dict_roundtrip(tmp_path):
    neuralab.manual_seed(0)
    model = neuralab.nn.Sequential(neuralab.nn.Linear(5, 4), neuralab.nn.Linear(4, 2))
    sd = model.state_dict()
    out = roundtrip(sd, tmp_path)
    assert list(out) == list(sd)
    for k in sd:
        np.testing.assert_array_equal(out[k]._data, sd[k]._data)
        assert out[k].dtype == np.float32 and not out[k].requires_grad


def test_parameters_and_non_contiguous_arrays(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    obj = {"p": Parameter(neuralab.tensor(base)), "view": base.T, "strided": base[:, ::2]}
    out = roundtrip(obj, tmp_path)
    assert type(out["p"]) is neuralab.Tensor and not out["p"].requires_grad
    np.testing.assert_array_equal(out["p"]._data, base)
    assert_same(out["view"], base.T.copy())
    assert_same(out["strided"], base[:, ::2].copy())


def test_nested_checkpoint_roundtrip(tmp_path):
    m = neuralab.tensor(rng_array((3, 2), "float32"))
    checkpoint = {
        "model": {"fc.weight": neuralab.tensor(rng_array((3, 2), "float32")), "fc.bias": m},
        "optimizer": {
            "state": {
                0: {"step": 10, "exp_avg": m, "exp_avg_sq": neuralab.tensor(m._data**2)},
                1: {"step": 10, "momentum_buffer": None},
            },
            "param_groups": [
                {"params": [0, 1], "lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                 "amsgrad": False, "weight_decay": 0.0, "name": "all"},
            ],
        },
        "epoch": 3,
        "best_loss": float("inf"),
        "nan": float("nan"),
        "history": [0.5, 0.25, 0.125],
        "labels": np.array([3, 1, 2], dtype=np.int64),
        "mask": neuralab.tensor(np.array([True, False])),
        "np_scalar": np.float32(0.1),
        "tag": "résumé ✓",
        "flags": [True, None, "x", 7, -2**70],
        "tensors_in_list": [neuralab.zeros(2), (neuralab.ones(1, dtype="float64"), 2)],
        "empty": {},
    }  # fmt: skip
    out = roundtrip(checkpoint, tmp_path)
    assert_same(checkpoint, out)
    assert list(out["optimizer"]["state"]) == [0, 1]  # int keys come back as ints
    assert type(out["np_scalar"]) is np.float32


def test_int_and_str_keys_that_look_alike_stay_apart(tmp_path):
    obj = {0: neuralab.ones(1), "0": neuralab.zeros(1), "a.b": neuralab.ones(2), "a": {"b": 5}}
    obj["a"]["b"] = neuralab.full((2,), 3.0)  # joins to "a.b" too
    out = roundtrip(obj, tmp_path)
    assert_same(obj, out)
    assert list(out) == [0, "0", "a.b", "a"]


def test_tensor_names_are_dotted_paths_readable_by_other_programs(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    w = rng_array((2, 3), "float32")
    nio.save({"model": {"fc.weight": neuralab.tensor(w)}, "opt": {"state": {0: {"m": w}}}}, path)
    theirs = torch_load_file(path)
    assert sorted(theirs) == ["model.fc.weight", "opt.state.0.m"]
    np.testing.assert_array_equal(theirs["model.fc.weight"].numpy(), w)


def test_file_written_by_safetensors_loads(tmp_path):
    path = tmp_path / "foreign.safetensors"
    arrays = {"encoder.weight": rng_array((3, 4), "float64"), "ids": rng_array((5,), "int64")}
    safetensors.numpy.save_file(arrays, path, metadata={"format": "pt"})
    out = nio.load(path)
    assert sorted(out) == sorted(arrays)
    for k, v in arrays.items():
        assert isinstance(out[k], neuralab.Tensor)
        assert_same(out[k]._data, v)


def test_file_written_by_torch_loads(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "torch.safetensors"
    w = torch.randn(4, 3)
    save_file({"layer.weight": w}, path)
    np.testing.assert_array_equal(nio.load(path)["layer.weight"]._data, w.numpy())


# --- atomic writes ----------------------------------------------------------------------
def _temp_files(directory):
    return [p for p in os.listdir(directory) if p.endswith(".tmp")]


def test_failed_save_leaves_old_file_intact_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    nio.save({"w": neuralab.ones(100)}, path)
    before = path.read_bytes()

    def crash_midway(f, data):
        f.write(data[: len(data) // 2])
        f.flush()
        raise OSError("disk full")

    monkeypatch.setattr(nio, "_write_bytes", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        nio.save({"w": neuralab.zeros(100), "b": neuralab.zeros(50)}, path)
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []
    np.testing.assert_array_equal(nio.load(path)["w"]._data, np.ones(100, np.float32))


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    def crash(f, data):
        f.write(data[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(nio, "_write_bytes", crash)
    with pytest.raises(KeyboardInterrupt):
        nio.save({"w": neuralab.ones(3)}, tmp_path / "new.safetensors")
    assert os.listdir(tmp_path) == []


def test_save_fsyncs_before_replacing(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    nio.save({"w": neuralab.ones(3)}, tmp_path / "m.safetensors")
    assert calls[:2] == ["fsync", "replace"]
    assert _temp_files(tmp_path) == []


def test_overwrite_keeps_permissions(tmp_path):
    path = tmp_path / "m.safetensors"
    nio.save({"w": neuralab.ones(3)}, path)
    os.chmod(path, 0o600)
    nio.save({"w": neuralab.zeros(3)}, str(path))
    assert os.stat(path).st_mode & 0o777 == 0o600
    np.testing.assert_array_equal(nio.load(str(path))["w"]._data, np.zeros(3, np.float32))


def test_unsupported_value_fails_before_touching_the_file(tmp_path):
    path = tmp_path / "m.safetensors"
    nio.save({"w": neuralab.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"'model\.fn'.*function"):
        nio.save({"model": {"fn": lambda x: x}}, path)
    with pytest.raises(TypeError, match=r"'state\.0\.c'.*complex128"):
        nio.save({"state": {0: {"c": np.zeros(2, complex)}}}, path)
    with pytest.raises(TypeError, match=r"'s'.*set"):
        nio.save({"s": {1, 2}}, path)
    with pytest.raises(TypeError, match="keys must be str or int"):
        nio.save({"d": {1.5: 1}}, path)
    with pytest.raises(TypeError, match="the object has unsupported type set"):
        nio.save({neuralab.ones(2)}, path)
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        nio.save({"w": neuralab.ones(3)}, tmp_path / "nope" / "m.safetensors")


# --- load errors ------------------------------------------------------------------------
def test_missing_file(tmp_path):
    path = tmp_path / "missing.safetensors"
    with pytest.raises(FileNotFoundError, match=r"missing\.safetensors") as info:
        nio.load(path)
    assert info.value.filename == str(path)


@pytest.mark.parametrize("cut", [0, 5, 8, 40, -3])
def test_truncated_file(tmp_path, cut):
    path = tmp_path / "m.safetensors"
    nio.save({"w": neuralab.ones(10), "b": neuralab.zeros(4)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(ValueError, match=r"m\.safetensors"):
        nio.load(path)


@pytest.mark.parametrize(
    "content",
    [
        b"hello, this is plain text and not a tensor file at all",
        pickle.dumps({"w": [1.0, 2.0]}),
        (5).to_bytes(8, "little") + b"[1,2]",
        (7).to_bytes(8, "little") + b"\xff\xfe{}{}{",
    ],
)
def test_not_a_safetensors_file(tmp_path, content):
    path = tmp_path / "weights.bin"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"weights\.bin.*not a"):
        nio.load(path)


def test_corrupt_neuralab_metadata(tmp_path):
    path = tmp_path / "m.safetensors"
    w = np.ones(2, np.float32)
    for bad in ("{not json", json.dumps({"version": 99, "tree": {}}),
                json.dumps({"version": 1, "tree": {"dict": [["w", {"Tensor": "nope"}]]}}),
                json.dumps({"version": 1, "tree": {"dict": [["x", {"value": 1}]]}}),
                json.dumps({"version": 1, "tree": {"weird": 1}})):  # fmt: skip
        safetensors.numpy.save_file({"w": w}, path, metadata={"neuralab": bad})
        with pytest.raises(ValueError, match=r"m\.safetensors"):
            nio.load(path)


def test_load_never_unpickles(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("unpickling is forbidden")

    path = tmp_path / "m.safetensors"
    nio.save({"w": neuralab.ones(2), "meta": {"epoch": 1, "names": ["a"]}}, path)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    assert nio.load(path)["meta"] == {"epoch": 1, "names": ["a"]}
