# ruff: noqa: E501  (one case per line: the table reads best unwrapped)
"""Hostile and careless calls to the tensor API, each run in PyTorch and in neuralab.

Table-driven: every case is one call written once against a module ``m`` (``torch`` or
``neuralab``). Where PyTorch refuses, neuralab must refuse too, with an exception of the
same family (neuralab's rule turns PyTorch's RuntimeError into a ValueError, TypeError
or IndexError subclass; most of its own errors are RuntimeErrors as well) and a message
that names the op. Where PyTorch accepts, neuralab must give the same value and dtype.
A short table lists where neuralab is deliberately stricter than PyTorch (a silent
broadcast or wrap-around that PyTorch lets through), and hypothesis sweeps index ranges.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralab as nl

NAN, INF = float("nan"), float("inf")

# PyTorch's exception -> what neuralab may raise for it.
FAMILY: dict[type, tuple[type, ...]] = {
    RuntimeError: (RuntimeError, ValueError, TypeError, IndexError),
    NotImplementedError: (NotImplementedError, TypeError),
    ValueError: (ValueError,),
    TypeError: (TypeError,),
    IndexError: (IndexError,),
    ZeroDivisionError: (ZeroDivisionError,),
}


def F(m: Any) -> Any:
    return m.nn.functional


def T(m: Any, *args: Any, **kw: Any) -> Any:
    return m.tensor(*args, **kw)


def D(m: Any) -> Any:
    return m.utils.data


def _run(fn: Callable, m: Any) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(m)
        except Exception as error:
            return "err", error


def _plain(value: Any) -> Any:
    """A result as NumPy (arrays), a dtype name, or a list of those."""
    if isinstance(value, (torch.Tensor, nl.Tensor)):
        return np.asarray(value.detach().numpy())
    if isinstance(value, torch.dtype):
        return str(value).replace("torch.", "")
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _assert_same(ours: Any, theirs: Any, name: str) -> None:
    ours, theirs = _plain(ours), _plain(theirs)
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), name
        for a, b in zip(ours, theirs):
            _assert_same(a, b, name)
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), f"{name}: got {ours!r}"
        assert ours.dtype == theirs.dtype, f"{name}: dtype {ours.dtype} != {theirs.dtype}"
        assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} != {theirs.shape}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, equal_nan=True)
    else:
        assert ours == theirs, f"{name}: {ours!r} != {theirs!r}"


def check(name: str, op: str, fn: Callable) -> None:
    """Run fn in PyTorch and neuralab: both refuse (same family, op named) or agree."""
    t_kind, t_value = _run(fn, torch)
    n_kind, n_value = _run(fn, nl)
    if t_kind == "err":
        assert n_kind == "err", (
            f"{name}: PyTorch raises {type(t_value).__name__}: {t_value}; neuralab returned "
            f"{_plain(n_value)!r}"
        )
        family = next((v for k, v in FAMILY.items() if isinstance(t_value, k)), (Exception,))
        assert isinstance(n_value, family), (
            f"{name}: PyTorch raises {type(t_value).__name__}, neuralab "
            f"{type(n_value).__name__}: {n_value}"
        )
        assert op.lower() in str(n_value).lower(), f"{name}: message {n_value!s} lacks {op!r}"
    else:
        assert n_kind == "ok", f"{name}: PyTorch returns, neuralab raises {n_value!r}"
        _assert_same(n_value, t_value, name)


X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
LOGITS = [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]


def _lin(m: Any, cls: str = "Linear") -> Any:
    m.manual_seed(0)
    return getattr(m.nn, cls)(3, 2)


def _rnn(m: Any, cls: str) -> Any:
    m.manual_seed(0)
    return getattr(m.nn, cls)(3, 4, batch_first=True)


def _loader(m: Any, dataset: Any = None, **kw: Any) -> list:
    if dataset is None:
        dataset = D(m).TensorDataset(m.arange(10).reshape(5, 2).float(), m.arange(5))
    return [b for b in D(m).DataLoader(dataset, **kw)]


# (name, what our message must name, call)
CASES: list[tuple[str, str, Callable]] = [
    # --- integer indices: gather / scatter / index_select / take / embedding / one_hot ---
    ("gather -1", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[-1], [0]]))),
    ("gather == size", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[3], [0]]))),
    ("gather in range", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[2, 2], [0, 1]]))),
    ("gather method -1", "gather", lambda m: T(m, X).gather(1, T(m, [[-1], [0]]))),
    ("gather float index", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[2.0], [0.0]]))),
    ("gather bool index", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[True], [False]]))),
    ("gather dim 2", "gather", lambda m: m.gather(T(m, X), 2, T(m, [[2], [0]]))),
    ("gather dim -3", "gather", lambda m: m.gather(T(m, X), -3, T(m, [[2], [0]]))),
    ("gather index too big", "gather", lambda m: m.gather(T(m, X), 0, T(m, [[1, 0, 1, 1]]))),
    ("gather smaller index", "gather", lambda m: m.gather(T(m, X), 1, T(m, [[1]]))),
    ("gather fewer dims", "gather", lambda m: m.gather(T(m, X), 1, T(m, [0, 1]))),
    ("gather 0-d", "gather", lambda m: m.gather(T(m, 5.0), 0, T(m, [0, 0]))),
    ("gather 0-d index 1", "gather", lambda m: m.gather(T(m, 5.0), 0, T(m, 1))),
    ("gather empty dim", "gather", lambda m: m.gather(m.ones(2, 0), 1, m.zeros(2, 1).long())),
    ("scatter -1", "scatter", lambda m: m.scatter(T(m, X), 1, T(m, [[-1], [0]]), T(m, [[9.0], [9.0]]))),
    ("scatter == size", "scatter", lambda m: m.scatter(T(m, X), 1, T(m, [[3], [0]]), T(m, [[9.0], [9.0]]))),
    ("scatter ok", "scatter", lambda m: m.scatter(T(m, X), 1, T(m, [[2], [0]]), T(m, [[9.0], [9.0]]))),
    ("scatter_ -1 value", "scatter_", lambda m: T(m, X).scatter_(1, T(m, [[-1], [0]]), 7.0)),
    ("scatter dim 2", "scatter", lambda m: m.scatter(T(m, X), 2, T(m, [[2], [0]]), 1.0)),
    ("index_select -1", "index_select", lambda m: m.index_select(T(m, X), 1, T(m, [-1]))),
    ("index_select == size", "index_select", lambda m: m.index_select(T(m, X), 1, T(m, [3]))),
    ("index_select ok", "index_select", lambda m: m.index_select(T(m, X), 1, T(m, [2, 0, 2]))),
    ("index_select 0-d index", "index_select", lambda m: T(m, X).index_select(0, T(m, 1))),
    ("index_select 2-d index", "index_select", lambda m: m.index_select(T(m, X), 0, T(m, [[0]]))),
    ("index_select float", "index_select", lambda m: m.index_select(T(m, X), 0, T(m, [0.0]))),
    ("take -1", "take", lambda m: m.take(T(m, X), T(m, [-1, -6]))),
    ("take == numel", "take", lambda m: m.take(T(m, X), T(m, [6]))),
    ("take -7", "take", lambda m: m.take(T(m, X), T(m, [-7]))),
    ("take 2-d", "take", lambda m: m.take(T(m, X), T(m, [[0, 5], [1, 2]]))),
    ("take_along_dim -1", "take_along_dim", lambda m: m.take_along_dim(T(m, X), T(m, [[-1], [0]]), 1)),
    ("take_along_dim flat -1", "take_along_dim", lambda m: m.take_along_dim(T(m, X), T(m, [-1]))),
    ("take_along_dim bcast", "take_along_dim", lambda m: m.take_along_dim(T(m, X), T(m, [[0, 2]]), 1)),
    ("embedding -1", "embedding", lambda m: F(m).embedding(T(m, [-1]), m.ones(3, 2))),
    ("embedding == rows", "embedding", lambda m: F(m).embedding(T(m, [3]), m.ones(3, 2))),
    ("embedding float", "embedding", lambda m: F(m).embedding(T(m, [1.0]), m.ones(3, 2))),
    ("Embedding -1", "embedding", lambda m: m.nn.Embedding(3, 2)(T(m, [-1]))),
    ("one_hot -1", "one_hot", lambda m: F(m).one_hot(T(m, [-1, 0]))),
    ("one_hot == classes", "one_hot", lambda m: F(m).one_hot(T(m, [3, 0]), 3)),
    ("one_hot float", "one_hot", lambda m: F(m).one_hot(T(m, [1.0, 0.0]))),
    ("one_hot ok", "one_hot", lambda m: F(m).one_hot(T(m, [2, 0]), 4)),
    ("getitem -1 allowed", "getitem", lambda m: T(m, X)[-1]),
    ("getitem tensor -1 allowed", "getitem", lambda m: T(m, X)[T(m, [-1, 0])]),
    ("getitem -3", "index", lambda m: T(m, X)[-3]),
    ("getitem tensor 2", "index", lambda m: T(m, X)[T(m, [2])]),
    # --- class-index targets ---
    ("ce target -1", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [-1, 0]))),
    ("ce target == C", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [3, 0]))),
    ("ce ignore_index", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [-100, 2]))),
    ("ce float class index", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [1.0, 0.0]))),
    ("ce int32 target", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [1, 0], dtype=m.int32))),
    ("ce uint8 target", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [1, 0], dtype=m.uint8))),
    ("ce bool target", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [True, False]))),
    ("ce int logits", "cross_entropy", lambda m: F(m).cross_entropy(T(m, [[1, 2]]), T(m, [1]))),
    ("ce batch mismatch", "cross_entropy", lambda m: F(m).cross_entropy(T(m, LOGITS), T(m, [1, 0, 1]))),
    ("ce 4-d target 3", "cross_entropy", lambda m: F(m).cross_entropy(m.ones(1, 3, 2, 2), T(m, [[[0, 3], [1, 2]]]))),
    ("ce NaN logits", "cross_entropy", lambda m: F(m).cross_entropy(T(m, [[NAN, 1.0, 2.0], [0.0, 1.0, 0.0]]), T(m, [1, 0]))),
    ("ce empty batch", "cross_entropy", lambda m: F(m).cross_entropy(m.ones(0, 3), T(m, [], dtype=m.int64))),
    ("nll target -1", "nll_loss", lambda m: F(m).nll_loss(T(m, LOGITS), T(m, [-1, 0]))),
    ("nll target float", "nll_loss", lambda m: F(m).nll_loss(T(m, LOGITS), T(m, [1.0, 0.0]))),
    ("NLLLoss target 3", "nll_loss", lambda m: m.nn.NLLLoss()(T(m, LOGITS), T(m, [3, 0]))),
    # --- tensor construction ---
    ("tensor str", "tensor", lambda m: T(m, "abc")),
    ("tensor list of str", "tensor", lambda m: T(m, ["a", "b"])),
    ("tensor str dtype float", "tensor", lambda m: T(m, ["1.5"], dtype=m.float32)),
    ("tensor numpy str", "tensor", lambda m: T(m, np.array(["a", "b"]))),
    ("tensor numpy object", "tensor", lambda m: T(m, np.array([1, 2], dtype=object))),
    ("tensor numpy datetime", "tensor", lambda m: T(m, np.array(["2020-01-01"], dtype="datetime64[D]"))),
    ("tensor numpy longdouble", "tensor", lambda m: T(m, np.ones(2, dtype=np.longdouble))),
    ("tensor numpy record", "tensor", lambda m: T(m, np.zeros(2, dtype=[("a", "f4")]))),
    ("tensor None", "tensor", lambda m: T(m, None)),
    ("tensor dict", "tensor", lambda m: T(m, {"a": 1})),
    ("tensor list with None", "tensor", lambda m: T(m, [1, None])),
    ("tensor bytes", "tensor", lambda m: T(m, b"ab")),
    ("tensor object()", "tensor", lambda m: T(m, object())),
    ("tensor ragged", "tensor", lambda m: T(m, [[1, 2], [3]])),
    ("tensor ragged deep", "tensor", lambda m: T(m, [[[1, 2]], [[3]]])),
    ("tensor 2**63", "tensor", lambda m: T(m, [2**63])),
    ("tensor -2**63-1", "tensor", lambda m: T(m, [-(2**63) - 1])),
    ("tensor 300 as int8", "tensor", lambda m: T(m, [300], dtype=m.int8)),
    ("tensor nan as int64", "tensor", lambda m: T(m, [NAN], dtype=m.int64)),
    ("tensor 1e20 as int64", "tensor", lambda m: T(m, [1e20], dtype=m.int64)),
    ("tensor floats as int64", "tensor", lambda m: T(m, [1.7, -1.7], dtype=m.int64)),
    ("tensor complex", "tensor", lambda m: T(m, [1 + 2j])),
    ("tensor bool+int", "tensor", lambda m: T(m, [True, 2])),
    ("tensor int+float", "tensor", lambda m: T(m, [1, 2.5])),
    ("tensor empty", "tensor", lambda m: T(m, [])),
    ("tensor 2**63-1", "tensor", lambda m: T(m, [2**63 - 1])),
    ("tensor numpy uint8", "tensor", lambda m: T(m, np.array([1, 2], dtype=np.uint8))),
    ("tensor int requires_grad", "grad", lambda m: T(m, [1, 2], requires_grad=True)),
    ("Tensor() str", "tensor", lambda m: m.Tensor(["a"])),
    ("as_tensor str", "tensor", lambda m: m.as_tensor(["a"])),
    ("from_numpy object", "from_numpy", lambda m: m.from_numpy(np.array([1], dtype=object))),
    ("arange wrong sign", "arange", lambda m: m.arange(0, 5, -1)),
    ("arange step 0", "arange", lambda m: m.arange(0, 5, 0)),
    ("arange nan", "arange", lambda m: m.arange(0, NAN)),
    ("arange inf", "arange", lambda m: m.arange(0, INF)),
    ("full nan int64", "full", lambda m: m.full((2,), NAN, dtype=m.int64)),
    ("full ok", "full", lambda m: m.full((2,), 3)),
    ("randint float bound", "randint", lambda m: m.randint(0, 2.5, (2,))),
    ("normal nan std", "normal", lambda m: m.normal(0.0, NAN, size=(2,))),
    ("normal negative std", "normal", lambda m: m.normal(0.0, -1.0, size=(2,))),
    ("zeros negative", "zeros", lambda m: m.zeros(-1)),
    # --- dtypes of layers and products ---
    ("Linear int64 input", "linear", lambda m: _lin(m)(m.ones(2, 3, dtype=m.int64))),
    ("Linear float64 input", "linear", lambda m: _lin(m)(m.ones(2, 3, dtype=m.float64))),
    ("Linear bool input", "linear", lambda m: _lin(m)(m.ones(2, 3, dtype=m.bool))),
    ("Linear double module float32", "linear", lambda m: _lin(m).double()(m.ones(2, 3))),
    ("Linear double module float64", "linear", lambda m: _lin(m).double()(m.ones(2, 3, dtype=m.float64)).dtype),
    ("F.linear int weight", "linear", lambda m: F(m).linear(m.ones(2, 3), m.ones(2, 3, dtype=m.int64))),
    ("F.linear float64 bias", "linear", lambda m: F(m).linear(m.ones(2, 3), m.ones(2, 3), m.ones(2, dtype=m.float64))),
    ("matmul int @ float", "matmul", lambda m: m.ones(2, 3, dtype=m.int64) @ m.ones(3, 2)),
    ("matmul f64 @ f32", "matmul", lambda m: m.matmul(m.ones(2, 3, dtype=m.float64), m.ones(3, 2))),
    ("mm f64 f32", "matmul", lambda m: m.mm(m.ones(2, 3, dtype=m.float64), m.ones(3, 2))),
    ("matmul int @ int", "matmul", lambda m: T(m, [[1, 2]]) @ T(m, [[3], [4]])),
    ("Conv2d int64 input", "conv2d", lambda m: m.nn.Conv2d(1, 2, 3)(m.ones(1, 1, 5, 5, dtype=m.int64))),
    ("Conv2d float64 input", "conv2d", lambda m: m.nn.Conv2d(1, 2, 3)(m.ones(1, 1, 5, 5, dtype=m.float64))),
    ("RNN float64 input", "rnn", lambda m: _rnn(m, "RNN")(m.ones(2, 5, 3, dtype=m.float64))[0]),
    ("LSTM int64 input", "lstm", lambda m: _rnn(m, "LSTM")(m.ones(2, 5, 3, dtype=m.int64))[0]),
    ("GRU float64 input", "gru", lambda m: _rnn(m, "GRU")(m.ones(2, 5, 3, dtype=m.float64))[0]),
    ("LSTMCell float64", "lstmcell", lambda m: m.nn.LSTMCell(3, 4)(m.ones(2, 3, dtype=m.float64))),
    ("BatchNorm1d float64", "batch_norm", lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 3, dtype=m.float64))),
    ("BatchNorm1d int64", "batch_norm", lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 3, dtype=m.int64))),
    ("BatchNorm2d float64", "batch_norm", lambda m: m.nn.BatchNorm2d(1)(m.ones(2, 1, 2, 2, dtype=m.float64))),
    ("LayerNorm float64", "layer_norm", lambda m: m.nn.LayerNorm(3)(m.ones(2, 3, dtype=m.float64))),
    ("Embedding float64 index", "embedding", lambda m: m.nn.Embedding(3, 2)(m.ones(2, dtype=m.float64))),
    ("softmax int", "softmax", lambda m: F(m).softmax(T(m, [1, 2]), dim=0)),
    ("log_softmax int", "log_softmax", lambda m: F(m).log_softmax(T(m, [1, 2]), dim=0)),
    ("elu int", "elu", lambda m: F(m).elu(T(m, [1, 2]))),
    ("gelu int", "gelu", lambda m: F(m).gelu(T(m, [1, 2]))),
    ("leaky_relu int", "leaky_relu", lambda m: F(m).leaky_relu(T(m, [1, 2]))),
    ("relu int", "relu", lambda m: F(m).relu(T(m, [-1, 2]))),
    ("sigmoid int", "sigmoid", lambda m: m.sigmoid(T(m, [1, 2]))),
    ("tanh bool", "tanh", lambda m: m.tanh(T(m, [True, False]))),
    ("exp int", "exp", lambda m: m.exp(T(m, [1, 2]))),
    ("log int", "log", lambda m: m.log(T(m, [1, 2]))),
    ("sqrt bool", "sqrt", lambda m: m.sqrt(T(m, [True]))),
    ("Dropout int", "dropout", lambda m: m.nn.Dropout(0.5)(m.ones(4, dtype=m.int64))),
    ("Dropout int eval", "dropout", lambda m: m.nn.Dropout(0.5).eval()(m.ones(4, dtype=m.int64))),
    # --- losses: NaN, empty, shapes as PyTorch ---
    ("mse nan", "mse_loss", lambda m: F(m).mse_loss(T(m, [1.0, NAN]), m.zeros(2))),
    ("mse inf - inf", "mse_loss", lambda m: F(m).mse_loss(T(m, [1.0, INF]), T(m, [0.0, INF]))),
    ("mse empty", "mse_loss", lambda m: F(m).mse_loss(m.ones(0), m.zeros(0))),
    ("mse empty sum", "mse_loss", lambda m: F(m).mse_loss(m.ones(0), m.zeros(0), reduction="sum")),
    ("mse (3,) vs (4,)", "mse_loss", lambda m: F(m).mse_loss(m.ones(3), m.zeros(4))),
    ("mse bad reduction", "reduction", lambda m: F(m).mse_loss(m.ones(2), m.zeros(2), reduction="avg")),
    ("l1 (3,) vs (4,)", "l1_loss", lambda m: F(m).l1_loss(m.ones(3), m.zeros(4))),
    ("bce input > 1", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy(T(m, [1.5]), T(m, [1.0]))),
    ("bce nan input", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy(T(m, [NAN]), T(m, [1.0]))),
    ("bce logits nan", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy_with_logits(T(m, [NAN]), T(m, [1.0]))),
    ("bce logits inf", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy_with_logits(T(m, [INF, -INF]), T(m, [1.0, 0.0]))),
    ("huber delta 0", "huber", lambda m: F(m).huber_loss(m.ones(2), m.zeros(2), delta=0.0)),
    # --- reductions, empties, division ---
    ("mean of empty", "mean", lambda m: m.ones(0).mean()),
    ("mean of empty dim", "mean", lambda m: m.ones(0, 3).mean(0)),
    ("sum of empty", "sum", lambda m: m.ones(0).sum()),
    ("prod of empty", "prod", lambda m: m.ones(0).prod()),
    ("max of empty", "max", lambda m: m.ones(0).max()),
    ("min of empty dim", "min", lambda m: m.ones(0, 2).min(0)),
    ("argmax of empty", "argmax", lambda m: m.ones(0).argmax()),
    ("var of one", "var", lambda m: m.ones(1).var()),
    ("mean of ints", "mean", lambda m: T(m, [1, 2]).mean()),
    ("sum of bools", "sum", lambda m: T(m, [True, True]).sum()),
    ("mean dim twice", "dim", lambda m: m.ones(2, 2).mean((0, -2))),
    ("sum dim out of range", "dim", lambda m: m.ones(2).sum(1)),
    ("softmax empty rows", "softmax", lambda m: F(m).softmax(m.ones(0, 3), dim=1)),
    ("softmax empty dim", "softmax", lambda m: F(m).softmax(m.ones(2, 0), dim=1)),
    ("softmax dim 3", "softmax", lambda m: F(m).softmax(m.ones(2, 2), dim=3)),
    ("float / 0", "div", lambda m: T(m, [1.0, -1.0, 0.0]) / 0),
    ("int / 0", "div", lambda m: T(m, [1, 2]) / 0),
    ("int // 0", "floor_divide", lambda m: T(m, [1, 2]) // 0),
    ("int // zero tensor", "floor_divide", lambda m: T(m, [1, 2]) // T(m, [0, 1])),
    ("int % 0", "remainder", lambda m: T(m, [1, 2]) % 0),
    ("float % 0", "remainder", lambda m: T(m, [1.0, 2.0]) % 0),
    ("float // 0", "floor_divide", lambda m: T(m, [1.0, -1.0]) // 0),
    ("log 0 and -1", "log", lambda m: m.log(T(m, [0.0, -1.0]))),
    ("0 ** -1", "pow", lambda m: T(m, [0.0]) ** -1),
    ("squeeze dim 2 of 1-d", "dim", lambda m: m.ones(2).squeeze(2)),
    ("unsqueeze dim 3 of 1-d", "dim", lambda m: m.ones(2).unsqueeze(3)),
    ("unsqueeze -2 of 1-d", "unsqueeze", lambda m: m.ones(2).unsqueeze(-2)),
    ("Flatten 0-d", "dim", lambda m: m.nn.Flatten()(T(m, 1.0))),
    ("flatten 0-d", "flatten", lambda m: m.flatten(T(m, 1.0))),
    ("flatten start > end", "flatten", lambda m: m.flatten(m.ones(2, 3, 4), 2, 1)),
    ("item of many", "element", lambda m: m.ones(2).item()),
    ("cat float32 with int64", "cat", lambda m: m.cat([m.ones(1), T(m, [1])])),
    ("stack int32 with int64", "stack", lambda m: m.stack([T(m, [1], dtype=m.int32), T(m, [2])])),
    ("clamp tensor bounds", "clamp", lambda m: m.clamp(m.ones(3), min=T(m, [0.0, 2.0, 0.0]))),
    ("randperm -1", "randperm", lambda m: m.randperm(-1)),
    ("one_hot float num_classes", "one_hot", lambda m: F(m).one_hot(T(m, [1]), 2.0)),
    ("gather uint8 index", "gather", lambda m: m.gather(m.ones(3), 0, T(m, [1], dtype=m.uint8))),
    ("gather int32 index", "gather", lambda m: m.gather(m.ones(3), 0, T(m, [1], dtype=m.int32))),
    ("embedding uint8 index", "embedding", lambda m: F(m).embedding(T(m, [1], dtype=m.uint8), m.ones(3, 2))),
    ("getitem uint8 is a mask", "getitem", lambda m: m.arange(3)[T(m, [1, 0, 1], dtype=m.uint8)]),
    # --- data loading ---
    ("DataLoader batch_size 0", "batch_size", lambda m: _loader(m, batch_size=0)),
    ("DataLoader batch_size -1", "batch_size", lambda m: _loader(m, batch_size=-1)),
    ("DataLoader batch_size 2.0", "batch_size", lambda m: _loader(m, batch_size=2.0)),
    ("DataLoader batch_size '2'", "batch_size", lambda m: _loader(m, batch_size="2")),
    ("DataLoader batch_size True", "batch_size", lambda m: _loader(m, batch_size=True)),
    ("DataLoader batch_size big", "batch_size", lambda m: _loader(m, batch_size=100)),
    ("DataLoader drop_last big", "batch", lambda m: _loader(m, batch_size=10, drop_last=True)),
    ("DataLoader empty", "batch", lambda m: _loader(m, D(m).TensorDataset(m.ones(0, 2)), batch_size=2)),
    ("DataLoader sampler and shuffle", "shuffle", lambda m: _loader(m, batch_size=2, shuffle=True, sampler=[0, 1])),
    ("DataLoader sampler out of range", "index", lambda m: _loader(m, batch_size=2, sampler=[0, 9])),
    ("collate ints and floats", "collate", lambda m: _loader(m, [1, 2.5], batch_size=2)),
    ("collate ragged", "stack", lambda m: _loader(m, [m.ones(2), m.ones(3)], batch_size=2)),
    ("TensorDataset size mismatch", "size", lambda m: D(m).TensorDataset(m.ones(3), m.ones(4))),
    ("TensorDataset index 5 of 5", "index", lambda m: D(m).TensorDataset(m.ones(5))[5]),
    ("random_split too long", "sum", lambda m: D(m).random_split(range(5), [2, 2])),
    ("WeightedRandomSampler 2-d", "weights", lambda m: list(D(m).WeightedRandomSampler([[1.0, 1.0]], 1))),
    ("BatchSampler 0", "batch_size", lambda m: D(m).BatchSampler(range(5), 0, False)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "op", "fn"), CASES, ids=[c[0] for c in CASES])
def test_same_as_pytorch(name: str, op: str, fn: Callable) -> None:
    check(name, op, fn)


# Where neuralab is stricter than PyTorch on purpose: PyTorch lets a silent wrong result
# through (with at most a warning), neuralab raises and names the op and both shapes.
STRICTER: list[tuple[str, type, str, Callable]] = [
    ("mse (N,1) vs (N,) broadcasts to (N,N) in PyTorch", ValueError, "mse_loss",
     lambda m: F(m).mse_loss(m.ones(3, 1), m.zeros(3))),
    ("l1 (N,) vs () broadcasts in PyTorch", ValueError, "l1_loss",
     lambda m: F(m).l1_loss(m.ones(3), T(m, 0.0))),
    ("huber (N,) vs (N,1)", ValueError, "huber_loss",
     lambda m: F(m).huber_loss(m.ones(3), m.zeros(3, 1))),
    ("take_along_dim index == size wraps in PyTorch", IndexError, "take_along_dim",
     lambda m: m.take_along_dim(T(m, X), T(m, [[3], [0]]), 1)),
    ("bce with logits target 2", ValueError, "binary_cross_entropy_with_logits",
     lambda m: F(m).binary_cross_entropy_with_logits(T(m, [0.5]), T(m, [2.0]))),
]  # fmt: skip


@pytest.mark.parametrize(("name", "error", "op", "fn"), STRICTER, ids=[c[0] for c in STRICTER])
def test_stricter_than_pytorch(name: str, error: type, op: str, fn: Callable) -> None:
    assert _run(fn, torch)[0] == "ok", f"{name}: PyTorch accepts this"
    with pytest.raises(error, match=op):
        fn(nl)


def test_shuffling_an_empty_dataset_yields_nothing() -> None:
    """PyTorch refuses RandomSampler on an empty dataset at construction; neuralab yields
    no batch (not a wrong result) so that ``fit`` can name the empty data itself."""
    assert (
        _run(lambda m: _loader(m, D(m).TensorDataset(m.ones(0, 2)), shuffle=True), torch)[0]
        == "err"
    )
    assert _loader(nl, D(nl).TensorDataset(nl.ones(0, 2)), batch_size=2, shuffle=True) == []


def test_stricter_mse_is_what_pytorch_warns_about() -> None:
    with pytest.warns(UserWarning, match="target size"):
        F(torch).mse_loss(torch.ones(3, 1), torch.zeros(3))


def test_errors_are_also_runtime_errors() -> None:
    """Code written for PyTorch catches RuntimeError; neuralab's errors are caught too."""
    for call in (
        lambda: nl.gather(nl.tensor(X), 1, nl.tensor([[-1], [0]])),
        lambda: _lin(nl)(nl.ones(2, 3, dtype=nl.int64)),
        lambda: nl.tensor([2**63]),
        lambda: nl.tensor([1, 2]) // 0,
    ):
        with pytest.raises(RuntimeError):
            call()


def test_linear_dtype_message_names_both_dtypes() -> None:
    with pytest.raises(TypeError, match=r"linear: input dtype int64 does not match weight float32"):
        _lin(nl)(nl.ones(2, 3, dtype=nl.int64))


def test_gather_negative_index_gradient_never_wraps() -> None:
    """The issue's case: gather with -1 used to pick the last column silently."""
    x = nl.ones(2, 3, requires_grad=True)
    with pytest.raises(IndexError, match=r"gather: index -1 is out of bounds for dimension 1"):
        nl.gather(x, 1, nl.tensor([[-1], [0]]))
    assert x.grad is None


# --- hypothesis: index ranges -------------------------------------------------------
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@SETTINGS
@given(shape=shapes, data=st.data())
def test_gather_index_ranges(shape: tuple, data: st.DataObject) -> None:
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    index_shape = tuple(
        data.draw(st.integers(1, n + (2 if d == dim % len(shape) else 0)))
        for d, n in enumerate(shape)
    )
    values = data.draw(
        st.lists(st.integers(-size - 1, size), min_size=int(np.prod(index_shape)),
                 max_size=int(np.prod(index_shape)))
    )  # fmt: skip
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    index = np.array(values, dtype=np.int64).reshape(index_shape)
    check(f"gather {shape} dim={dim} {index.tolist()}", "gather",
          lambda m: m.gather(T(m, x), dim, T(m, index)))  # fmt: skip


@SETTINGS
@given(shape=shapes, data=st.data())
def test_index_select_take_embedding_ranges(shape: tuple, data: st.DataObject) -> None:
    dim = data.draw(st.integers(0, len(shape) - 1))
    n = int(np.prod(shape))
    x = np.arange(n, dtype=np.float32).reshape(shape)
    picks = data.draw(st.lists(st.integers(-n - 1, n), min_size=0, max_size=5))
    index = np.array(picks, dtype=np.int64)
    check(f"index_select {shape} {dim} {picks}", "index_select",
          lambda m: m.index_select(T(m, x), dim, T(m, index)))  # fmt: skip
    check(f"take {shape} {picks}", "take", lambda m: m.take(T(m, x), T(m, index)))
    table = x.reshape(-1, shape[-1])
    check(f"embedding {table.shape} {picks}", "embedding",
          lambda m: F(m).embedding(T(m, index), T(m, table)))  # fmt: skip


@SETTINGS
@given(classes=st.integers(1, 4), data=st.data())
def test_class_targets_ranges(classes: int, data: st.DataObject) -> None:
    targets = data.draw(st.lists(st.integers(-2, classes + 1) | st.just(-100), min_size=1,
                                 max_size=4))  # fmt: skip
    logits = np.linspace(-1, 1, len(targets) * classes, dtype=np.float32)
    logits = logits.reshape(len(targets), classes)
    target = np.array(targets, dtype=np.int64)
    check(f"cross_entropy C={classes} {targets}", "cross_entropy",
          lambda m: F(m).cross_entropy(T(m, logits), T(m, target)))  # fmt: skip
    check(f"nll_loss C={classes} {targets}", "nll_loss",
          lambda m: F(m).nll_loss(T(m, logits), T(m, target)))  # fmt: skip
    ok = target[target != -100]
    check(f"one_hot C={classes} {ok.tolist()}", "one_hot",
          lambda m: F(m).one_hot(T(m, ok), classes))  # fmt: skip


def test_mean_of_empty_is_nan_without_a_warning_as_pytorch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs = torch.ones(0, 3).mean(0)
        x = nl.ones(0, 3, requires_grad=True)
        ours = x.mean(0)
        ours.sum().backward()
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.numpy())
    assert x.grad is not None and x.grad.shape == (0, 3)
