"""Loading is all or nothing: a bad checkpoint or state dict raises a clear error naming
the file and the entry, and leaves the model, the optimizer (every group's hyper-parameters
and state arrays), the scheduler, the random generator and the history bit for bit as they
were. Bad mutations are generated systematically from a good checkpoint (drop each key,
add an unknown one, change each value's type, shape, dtype, sign, finiteness). Also: the
optimizers' argument checks equal PyTorch's, and fit's and the callbacks' arguments are
checked before any work."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuralab as nl
from neuralab import backend, nn, optim
from neuralab.callbacks import EarlyStopping, HistoryLogger, ModelCheckpoint
from neuralab.optim.optimizer import StateDictError
from neuralab.train import CheckpointError, History, Trainer, fit

X = np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3)
Y = np.array([0, 1, 0, 1, 1, 0, 1, 0])


def make(seed: int, kind: str = "adam"):
    nl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    if kind == "adam":
        opt = optim.Adam(model.parameters(), lr=0.01)
    else:
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    return model, opt, sched


def train(model, opt, sched, epochs, path=None):
    return fit(model, nn.CrossEntropyLoss(), opt, (X, Y), epochs, scheduler=sched,
               batch_size=4, checkpoint=path, progress=False)  # fmt: skip


def snapshot(model, opt, sched) -> dict:
    """Everything loading may change, copied (arrays with their dtypes)."""
    return {
        "model": {k: v.numpy().copy() for k, v in model.state_dict().items()},
        "groups": [
            {k: (list(map(id, v)) if k == "params" else copy.deepcopy(v)) for k, v in g.items()}
            for g in opt.param_groups
        ],
        "state": {id(p): copy.deepcopy(s) for p, s in opt.state.items()},
        "sched": copy.deepcopy(sched.state_dict()),
        "rng": backend.get_rng_state(),
    }


def same(a, b) -> bool:
    """Bit-for-bit equality of nested snapshots (NaN equal to NaN, dtypes compared)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
            and a.shape == b.shape and a.tobytes() == b.tobytes()
        )  # fmt: skip
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


@pytest.fixture(scope="module", params=["adam", "sgd"])
def good(request, tmp_path_factory):
    """A checkpoint after 2 epochs, and its optimizer kind."""
    path = tmp_path_factory.mktemp("ckpt") / "good.safetensors"
    train(*make(0, request.param), 2, path)
    return path, request.param


def live(kind):
    """Objects whose state differs from the checkpoint's everywhere (other weights, a
    stepped optimizer with another lr, another scheduler epoch, another RNG state)."""
    model, opt, sched = make(7, kind)
    train(model, opt, sched, 1)
    nl.manual_seed(99)
    return model, opt, sched


# --- systematic mutations -------------------------------------------------------------
def leaves(node, path=()):
    """(path, value) of every dict entry and list item, depth first."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield (*path, key), value
        if isinstance(value, (dict, list)):  # a tuple (betas) is one value
            yield from leaves(value, (*path, key))


def get(node, path):
    for key in path:
        node = node[key]
    return node


def mutations(ckpt):
    """(name, mutated checkpoint, must_fail) for each way to break it."""
    out = [("add unknown top-level entry", {**ckpt, "bogus": 1}, True)]
    for path, value in list(leaves(ckpt)):
        parent = get(ckpt, path[:-1])
        where = ".".join(map(str, path))
        top = path[0]

        def variant(new, _path=path):
            c = copy.deepcopy(ckpt)
            get(c, _path[:-1])[_path[-1]] = new
            return c

        if isinstance(parent, dict):
            c = copy.deepcopy(ckpt)
            del get(c, path[:-1])[path[-1]]
            # a parameter without optimizer state (or with an empty one: SGD's only
            # buffer), or a history series, may be absent
            optional = (top == "optimizer" and len(path) == 3 and path[1] == "state") or (
                top == "history" and len(path) == 2
            )
            optional |= top == "optimizer" and len(path) == 4 and len(parent) == 1
            out.append((f"drop {where}", c, not optional))
        if isinstance(value, dict):
            c = copy.deepcopy(ckpt)
            get(c, path)["unknown_key"] = 1.0
            out.append((f"unknown key in {where}", c, top != "history"))
        if isinstance(value, nl.Tensor):
            a = value.numpy()
            out.append((f"shape of {where}", variant(nl.tensor(np.concatenate([a, a]))), True))
            # PyTorch casts integer weights into float parameters; optimizer state must float
            out.append((f"int dtype {where}", variant(nl.tensor(a.astype(np.int64))),
                        top == "optimizer"))  # fmt: skip
            out.append((f"str for {where}", variant("x"), True))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append((f"str for {where}", variant("1"), True))
            out.append((f"list for {where}", variant([value]), True))
            if top in ("epoch", "step"):
                out.append((f"negative {where}", variant(-1), True))
                out.append((f"float {where}", variant(value + 0.5), True))
            if top in ("optimizer", "scheduler") and isinstance(value, float):
                out.append((f"nan {where}", variant(math.nan), True))
            if top == "optimizer" and path[-1] == "lr":
                out.append((f"negative {where}", variant(-0.1), True))
        elif isinstance(value, (tuple, list)) and path[-1] != "params":
            # a shorter history is possible (validation_freq), a longer one is not
            out.append((f"shorter {where}", variant(list(value)[:-1]), top != "history"))
            if top == "history":
                out.append((f"longer {where}", variant([*value, 0.0]), True))
        elif isinstance(value, str):
            out.append((f"other str for {where}", variant(value + "x"), True))
        if value is not None and not isinstance(value, dict):
            out.append((f"dict for {where}", variant({"a": 1.0}), True))
    # the cases from the issue
    c = copy.deepcopy(ckpt)
    c["optimizer"]["state"][99] = c["optimizer"]["state"][0]
    out.append(("state naming parameter 99", c, True))
    other = {**ckpt, "rng": {**ckpt["rng"], "bit_generator": "MT19937"}}
    out.append(("rng of another generator", other, True))
    return out


def test_every_mutation_is_refused_cleanly_and_changes_nothing(good, tmp_path):
    path, kind = good
    ckpt = nl.load(path)
    cases = mutations(ckpt)
    refused = 0
    for name, mutated, must_fail in cases:
        model, opt, sched = live(kind)
        before = snapshot(model, opt, sched)
        target = tmp_path / "bad.safetensors"
        nl.save(mutated, target)
        try:
            fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 2, scheduler=sched,
                resume=target, progress=False)  # fmt: skip
        except CheckpointError as exc:
            refused += 1
            message = str(exc)
            assert str(target) in message, (name, message)
            assert "Traceback" not in message and len(message) < 2000, name
            assert same(snapshot(model, opt, sched), before), f"{name}: state changed"
            continue
        assert not must_fail, f"{name}: accepted"
    assert refused > 40


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda c: c["rng"].update(has_uint32="x"), ["rng", "has_uint32"]),
        (lambda c: c["rng"]["state"].update(state=1.5), ["rng", "state"]),
        (lambda c: c["optimizer"]["state"].update({99: c["optimizer"]["state"][0]}), ["99"]),
        (lambda c: c.pop("format"), ["format"]),
        (lambda c: c["history"].update(loss=["a"]), ["history", "loss"]),
        (lambda c: c.update(epoch=-1), ["epoch"]),
        (lambda c: c.update(step=2.5), ["step"]),
        (lambda c: c["scheduler"].pop("gamma"), ["scheduler", "gamma"]),
        (lambda c: c["scheduler"].update(extra=1), ["scheduler", "extra"]),
        (lambda c: c["model"].update({"0.weight": nl.zeros(5, 3)}), ["model", "0.weight"]),
    ],
)
def test_issue_cases_name_the_entry(good, tmp_path, mutate, words):
    path, kind = good
    ckpt = nl.load(path)
    mutate(ckpt)
    target = tmp_path / "c.safetensors"
    nl.save(ckpt, target)
    model, opt, sched = live(kind)
    before = snapshot(model, opt, sched)
    with pytest.raises(CheckpointError) as info:
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 3, scheduler=sched, resume=target,
            progress=False)  # fmt: skip
    assert str(target) in str(info.value)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert "KeyError: 99" not in str(info.value)
    assert same(snapshot(model, opt, sched), before)


def test_another_optimizer_type_is_refused_naming_both(good, tmp_path):
    path, kind = good
    other = "sgd" if kind == "adam" else "adam"
    model, opt, sched = live(other)
    before = snapshot(model, opt, sched)
    with pytest.raises(CheckpointError) as info:
        Trainer(model, opt, sched, History()).restore(nl.load(path), source=path)
    names = {"adam": "Adam", "sgd": "SGD"}
    assert names[kind] in str(info.value) and names[other] in str(info.value)
    assert same(snapshot(model, opt, sched), before)
    # without the checkpoint's type entry, the state itself betrays the other type
    with pytest.raises(StateDictError, match="another optimizer type"):
        opt.load_state_dict(nl.load(path)["optimizer"])
    assert same(snapshot(model, opt, sched), before)


def test_a_good_checkpoint_resumes_and_scheduler_presence_must_match(good, tmp_path):
    path, kind = good
    model, opt, sched = live(kind)
    Trainer(model, opt, sched, History()).restore(nl.load(path), source=path)
    saved = nl.load(path)
    for key, value in saved["model"].items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value.numpy())
    model, opt, _ = live(kind)
    with pytest.raises(CheckpointError, match="scheduler"):
        Trainer(model, opt, None, History()).restore(nl.load(path), source=path)


@pytest.mark.parametrize(
    "payload",
    [[1, 2], {"format": 3}, {"format": "neuralab.checkpoint/9"}, "text", {"a": {"b": None}}],
)
def test_files_that_are_not_checkpoints(tmp_path, payload):
    target = tmp_path / "odd.safetensors"
    nl.save(payload, target)
    model, opt, sched = live("adam")
    before = snapshot(model, opt, sched)
    with pytest.raises(CheckpointError, match=r"odd\.safetensors"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 1, scheduler=sched, resume=target)
    assert same(snapshot(model, opt, sched), before)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_flipped_bytes_give_one_clear_error(good, tmp_path, data):
    path, kind = good
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    target = tmp_path / "flipped.safetensors"
    target.write_bytes(bytes(raw))
    model, opt, sched = live(kind)
    before = snapshot(model, opt, sched)
    try:
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 0, scheduler=sched, resume=target)
    except CheckpointError as exc:
        assert "flipped.safetensors" in str(exc)
        assert same(snapshot(model, opt, sched), before)


# --- state dicts of each object -------------------------------------------------------
def test_module_load_state_dict_is_all_or_nothing():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    good = {k: nl.tensor(np.full(v.shape, 2.0, np.float32)) for k, v in before.items()}
    bad_cases = [
        {**good, "1.bias": nl.zeros(3)},  # the last entry has the wrong shape
        {**good, "1.bias": "zeros"},
        {**good, "1.bias": None},
        {**good, "1.bias": np.array(["a", "b"])},
        {**good, "extra": nl.zeros(1)},
        {k: v for k, v in good.items() if k != "1.bias"},
    ]
    for bad in bad_cases:
        with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict"):
            model.load_state_dict(bad)
        for k, v in model.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), before[k])
    with pytest.raises(RuntimeError, match="size mismatch"):  # strict=False checks shapes too
        model.load_state_dict({**good, "1.bias": nl.zeros(3)}, strict=False)
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), before["0.weight"])
    with pytest.raises(TypeError, match="dict-like"):
        model.load_state_dict([1, 2])
    nan = {**good, "0.bias": nl.tensor(np.full(4, np.nan, np.float32))}
    model.load_state_dict(nan)  # PyTorch keeps NaN weights; so do we
    assert np.isnan(model[0].bias.detach().numpy()).all()


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_optimizer_load_state_dict_is_all_or_nothing(kind):
    model, opt, sched = live(kind)
    state = copy.deepcopy(opt.state_dict())
    name = "exp_avg" if kind == "adam" else "momentum_buffer"
    bad = []
    for mutate in (
        lambda s: s["state"][3].update({name: nl.zeros(7)}),  # wrong shape
        lambda s: s["state"][3].update({name: nl.tensor(np.zeros(2, np.int64))}),
        lambda s: s["state"][3].update(bogus=nl.zeros(2)),
        lambda s: s["state"][3].pop(name) if kind == "adam" else s["state"][3].update(step=1.0),
        lambda s: s["param_groups"][0].update(lr=math.nan),
        lambda s: s["param_groups"][0].update(lr=math.inf),
        lambda s: s["param_groups"][0].update(lr="0.1"),
        lambda s: s["param_groups"][0].update(weight_decay=-1.0),
        lambda s: s["param_groups"][0].update(params=[0, 1, 2]),
        lambda s: s["param_groups"][0].update(params=[0, 1, 2, 2]),
        lambda s: s["state"].update({99: s["state"][0]}),
        lambda s: s.pop("param_groups"),
        lambda s: s.update(bogus=1),
    ):
        s = copy.deepcopy(state)
        mutate(s)
        bad.append(s)
    opt.param_groups[0]["lr"] = 0.123
    before = snapshot(model, opt, sched)
    for s in bad:
        with pytest.raises(StateDictError, match="load_state_dict"):
            opt.load_state_dict(s)
        assert same(snapshot(model, opt, sched), before)
    opt.load_state_dict(state)  # the good one still loads, and step() works after it
    assert opt.param_groups[0]["lr"] != 0.123
    opt.step()


def test_scheduler_load_state_dict_is_all_or_nothing():
    model, opt, sched = live("adam")
    good = sched.state_dict()
    before = snapshot(model, opt, sched)
    for bad in (
        {k: v for k, v in good.items() if k != "last_epoch"},
        {**good, "bogus": 1},
        {**good, "last_epoch": 1.5},
        {**good, "last_epoch": -5},
        {**good, "gamma": math.nan},
        {**good, "base_lrs": [0.1, 0.2]},
        {**good, "step_size": "1"},
        "state",
    ):
        with pytest.raises(StateDictError, match=r"StepLR\.load_state_dict"):
            sched.load_state_dict(bad)
        assert same(snapshot(model, opt, sched), before)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(StateDictError, match="best"):
        plateau.load_state_dict({**plateau.state_dict(), "best": "low"})


def test_set_rng_state_refuses_what_numpy_accepts_and_changes_nothing():
    nl.manual_seed(5)
    good = backend.get_rng_state()
    for bad in (
        {**good, "state": {"state": 1.5, "inc": 3}},
        {**good, "state": {"state": True, "inc": 3}},
        {**good, "has_uint32": 5},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "uinteger"},
        {**good, "bit_generator": "MT19937"},
        None,
    ):
        with pytest.raises((ValueError, TypeError), match="set_rng_state"):
            nl.set_rng_state(bad)
        assert backend.get_rng_state() == good
    nl.set_rng_state(good)


# --- constructor arguments, as PyTorch ------------------------------------------------
NAN, INF = math.nan, math.inf
VALUES = [NAN, INF, -INF, -1.0, -1e-12, 0.0, 0.5, 1.0, 2.0]
ARGUMENTS = {
    "SGD": ["lr", "momentum", "dampening", "weight_decay"],
    "Adam": ["lr", "eps", "weight_decay", "betas0", "betas1"],
    "AdamW": ["lr", "eps", "weight_decay", "betas0", "betas1"],
    "RMSprop": ["lr", "alpha", "eps", "momentum", "weight_decay"],
    "Adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    "Adadelta": ["lr", "rho", "eps", "weight_decay"],
    "Adamax": ["lr", "eps", "weight_decay", "betas0", "betas1"],
    "NAdam": ["lr", "eps", "weight_decay", "momentum_decay", "betas0"],
    "RAdam": ["lr", "eps", "weight_decay", "betas1"],
}


def outcome(module, name, kwargs):
    p = module.zeros(2, requires_grad=True)
    try:
        getattr(module.optim, name)([p], **kwargs)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return "accepted", ""


@pytest.mark.parametrize(
    "name, arg", [(n, a) for n, args in ARGUMENTS.items() for a in args], ids=str
)
def test_optimizer_arguments_are_checked_as_pytorch_does(name, arg):
    for value in VALUES:
        kwargs = (
            {"betas": (value, 0.9) if arg == "betas0" else (0.9, value)}
            if (arg.startswith("betas"))
            else {arg: value}
        )
        ours, theirs = outcome(nl, name, kwargs), outcome(torch, name, kwargs)
        if theirs[0] == "accepted" and not math.isfinite(value):
            # neuralab's one rule beyond PyTorch's: a hyper-parameter must be finite
            assert ours[0] == "ValueError" and "(must be finite)" in ours[1], (name, kwargs)
        else:
            assert ours == theirs, (name, kwargs)
    kwargs = {"lr": 0.1, "nesterov": True}
    if name == "SGD":
        assert outcome(nl, name, kwargs) == outcome(torch, name, kwargs)


# --- fit's and the callbacks' own arguments -------------------------------------------
@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"epochs": True}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 2.0}, TypeError, "batch_size"),
        ({"clip_grad_norm": NAN}, ValueError, "clip_grad_norm"),
        ({"validation_freq": 0}, ValueError, "validation_freq"),
    ],
)
def test_fit_arguments_are_checked_before_training(kwargs, error, words):
    model, opt, sched = live("sgd")
    before = snapshot(model, opt, sched)
    with pytest.raises(error, match=words):
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), **{"epochs": 1, **kwargs})
    assert same(snapshot(model, opt, sched), before)


def test_fit_refuses_empty_data_and_nan_validation_before_training():
    model, opt, sched = live("sgd")
    before = snapshot(model, opt, sched)
    with pytest.raises(ValueError, match="training data is empty"):
        fit(model, nn.CrossEntropyLoss(), opt, (X[:0], Y[:0]), 2)
    bad = X.copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="validation data holds NaN or Inf in its inputs"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 2, validation=(bad, Y))
    with pytest.raises(ValueError, match="validation data is empty"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, Y), 2, validation=(X[:0], Y[:0]))
    assert same(snapshot(model, opt, sched), before)


@pytest.mark.parametrize(
    "make_callback",
    [
        lambda: EarlyStopping(patience=-1),
        lambda: EarlyStopping(patience=1.5),
        lambda: EarlyStopping(min_delta=NAN),
        lambda: EarlyStopping(monitor=None),
        lambda: EarlyStopping(mode="up"),
        lambda: ModelCheckpoint(3),
        lambda: ModelCheckpoint("x", save_best_only="yes"),
        lambda: HistoryLogger(None),
    ],
)
def test_callback_arguments_are_checked(make_callback):
    with pytest.raises((ValueError, TypeError)):
        make_callback()
