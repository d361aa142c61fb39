"""Recurrent layers (RNN, LSTM, GRU) and cells against PyTorch: values and gradients of the
input, the initial states and every parameter, with PyTorch's weights copied in; gradcheck
of the fused ops; truncated back-propagation through time; errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import nn
from neuralab.ops.recurrent import gru_layer, lstm_layer, rnn_layer

TORCH_DTYPE = {"float32": torch.float32, "float64": torch.float64}
TOL = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-9, "atol": 1e-11}}


def make_pair(kind: str, dtype: str = "float64", seed: int = 0, **options):
    """The same layer in both libraries: PyTorch's initial weights copied into ours."""
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, kind)(**options).to(TORCH_DTYPE[dtype])
    ours = getattr(nn, kind)(**options, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _pair_tensors(rng, shape, dtype):
    a = rng.standard_normal(shape).astype(dtype)
    return nl.tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


def _as_list(out):
    if isinstance(out, tuple):
        return [t for part in out for t in (part if isinstance(part, tuple) else (part,))]
    return [out]


def check_same(ours_out, theirs_out, leaves, ours, theirs, dtype, rng, tol=None):
    """Values of every output equal; then the gradients of a random projection of all
    outputs with respect to the leaves (inputs, states) and every parameter."""
    tol = tol or TOL[dtype]
    outs_a, outs_b = _as_list(ours_out), _as_list(theirs_out)
    assert len(outs_a) == len(outs_b)
    loss_a, loss_b = 0, 0
    for i, (a, b) in enumerate(zip(outs_a, outs_b)):
        assert a.shape == tuple(b.shape), f"output {i}: shape {a.shape} != {tuple(b.shape)}"
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a._data, b.detach().numpy(), **tol, err_msg=f"output {i}")
        v = rng.standard_normal(a.shape).astype(dtype)
        loss_a = loss_a + (a * nl.tensor(v)).sum()
        loss_b = loss_b + (b * torch.tensor(v)).sum()
    loss_a.backward()
    loss_b.backward()
    for i, (a, b) in enumerate(leaves):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), **tol, err_msg=f"leaf {i}")
    named = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(named)
    for name, p in ours.named_parameters():
        assert p.grad is not None and p.grad.dtype == np.dtype(dtype), name
        np.testing.assert_allclose(p.grad._data, named[name].grad.numpy(), **tol, err_msg=name)


def compare_layer(kind, shape=(5, 3, 4), dtype="float64", states=True, seed=0, tol=None,
                  **options):  # fmt: skip
    """A recurrent layer in both libraries on one input (and random initial states)."""
    options.setdefault("input_size", shape[-1])
    options.setdefault("hidden_size", 5)
    ours, theirs = make_pair(kind, dtype, seed, **options)
    rng = np.random.default_rng(seed)
    x_a, x_b = _pair_tensors(rng, shape, dtype)
    leaves = [(x_a, x_b)]
    args_a, args_b = (x_a,), (x_b,)
    if states:
        layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
        batch = () if len(shape) == 2 else (shape[0 if options.get("batch_first") else 1],)
        state_shape = (layers, *batch, options["hidden_size"])
        pairs = [_pair_tensors(rng, state_shape, dtype) for _ in range(2 if kind == "LSTM" else 1)]
        leaves += pairs
        if kind == "LSTM":
            args_a += ((pairs[0][0], pairs[1][0]),)
            args_b += ((pairs[0][1], pairs[1][1]),)
        else:
            args_a += (pairs[0][0],)
            args_b += (pairs[0][1],)
    check_same(ours(*args_a), theirs(*args_b), leaves, ours, theirs, dtype, rng, tol)


KINDS = ["RNN", "LSTM", "GRU"]
CONFIGS = {
    "one_layer": ((6, 3, 4), {}),
    "two_layers_bidirectional": ((5, 2, 3), {"num_layers": 2, "bidirectional": True}),
    "three_layers_no_bias": ((4, 2, 3), {"num_layers": 3, "bias": False}),
    "batch_first_bidirectional": ((2, 5, 3), {"batch_first": True, "bidirectional": True}),
    "batch_first_two_layers": ((3, 4, 2), {"batch_first": True, "num_layers": 2}),
    "one_step_batch_of_one": ((1, 1, 3), {"bidirectional": True}),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("states", [True, False], ids=["with_states", "zero_states"])
def test_layer_matches_torch_float64(kind, config, states):
    shape, options = CONFIGS[config]
    compare_layer(kind, shape, "float64", states, **options)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "config", ["one_layer", "two_layers_bidirectional", "batch_first_two_layers"]
)
def test_layer_matches_torch_float32(kind, config):
    shape, options = CONFIGS[config]
    compare_layer(kind, shape, "float32", True, **options)


@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True, "bias": False}])
def test_relu_rnn_matches_torch(options):
    compare_layer("RNN", (6, 3, 4), "float64", nonlinearity="relu", **options)
    compare_layer("RNN", (6, 3, 4), "float32", nonlinearity="relu", **options)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("states", [True, False], ids=["with_states", "zero_states"])
def test_unbatched_input_matches_torch(kind, states):
    compare_layer(kind, (5, 3), "float64", states, num_layers=2, bidirectional=True)
    compare_layer(kind, (5, 3), "float64", states, batch_first=True)


def test_random_configurations_match_torch():
    """15 configurations drawn from a fixed seed: sizes, lengths, layers, directions,
    batch_first, bias, initial states, dtype."""
    rng = np.random.default_rng(2024)
    for i in range(15):
        kind = KINDS[rng.integers(3)]
        options = {
            "hidden_size": int(rng.integers(1, 7)),
            "num_layers": int(rng.integers(1, 4)),
            "bidirectional": bool(rng.integers(2)),
            "batch_first": bool(rng.integers(2)),
            "bias": bool(rng.random() < 0.8),
        }
        if kind == "RNN" and rng.random() < 0.3:
            options["nonlinearity"] = "relu"
        length, batch, features = (int(n) for n in rng.integers(1, 7, size=3))
        shape = (batch, length, features) if options["batch_first"] else (length, batch, features)
        dtype = "float64" if rng.random() < 0.5 else "float32"
        compare_layer(kind, shape, dtype, bool(rng.integers(2)), seed=i, **options)


def test_long_sequence_float32_stays_close_to_torch():
    """60 steps: float32 rounding accumulates through the recurrence (about 2e-6 here)."""
    tol = {"rtol": 1e-4, "atol": 1e-5}
    compare_layer("LSTM", (60, 4, 8), "float32", hidden_size=16, num_layers=2, tol=tol)
    compare_layer("GRU", (60, 4, 8), "float32", hidden_size=16, tol=tol)


# --- dropout between layers ----------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_dropout_is_inactive_in_eval_mode(kind):
    ours, theirs = make_pair(kind, "float64", input_size=3, hidden_size=4, num_layers=3,
                             dropout=0.5, bidirectional=True)  # fmt: skip
    ours.eval()
    theirs.eval()
    rng = np.random.default_rng(0)
    x_a, x_b = _pair_tensors(rng, (5, 2, 3), "float64")
    check_same(ours(x_a), theirs(x_b), [(x_a, x_b)], ours, theirs, "float64", rng)


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_changes_training_outputs_and_zero_dropout_equals_eval(kind):
    layer = getattr(nn, kind)(3, 4, num_layers=2, dropout=0.5)
    x = nl.randn(6, 2, 3)
    layer.eval()
    reference = layer(x)[0]._data
    layer.train()
    nl.manual_seed(0)
    first = layer(x)[0]._data
    assert not np.allclose(first, reference)
    nl.manual_seed(0)
    np.testing.assert_array_equal(layer(x)[0]._data, first)  # reproducible from the seed
    layer.dropout = 0.0
    np.testing.assert_array_equal(layer(x)[0]._data, reference)


def test_dropout_on_a_single_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


# --- cells -------------------------------------------------------------------------------
def compare_cell(kind, batch, dtype, state=True, seed=0, **options):
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, kind)(3, 4, **options).to(TORCH_DTYPE[dtype])
    ours = getattr(nn, kind)(3, 4, **options, dtype=dtype)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(seed)
    lead = () if batch is None else (batch,)
    x_a, x_b = _pair_tensors(rng, (*lead, 3), dtype)
    leaves = [(x_a, x_b)]
    if not state:
        out_a, out_b = ours(x_a), theirs(x_b)
    elif kind == "LSTMCell":
        (h_a, h_b), (c_a, c_b) = (_pair_tensors(rng, (*lead, 4), dtype) for _ in range(2))
        leaves += [(h_a, h_b), (c_a, c_b)]
        out_a, out_b = ours(x_a, (h_a, c_a)), theirs(x_b, (h_b, c_b))
    else:
        h_a, h_b = _pair_tensors(rng, (*lead, 4), dtype)
        leaves.append((h_a, h_b))
        out_a, out_b = ours(x_a, h_a), theirs(x_b, h_b)
    check_same(out_a, out_b, leaves, ours, theirs, dtype, rng)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batch", [3, None], ids=["batched", "unbatched"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cells_match_torch(kind, batch, dtype):
    compare_cell(kind, batch, dtype)
    compare_cell(kind, batch, dtype, state=False)
    compare_cell(kind, batch, dtype, bias=False)


def test_relu_rnn_cell_matches_torch():
    compare_cell("RNNCell", 3, "float64", nonlinearity="relu")


def test_cell_steps_equal_the_layer():
    """Running LSTMCell step by step gives the LSTM layer's outputs (shared weights)."""
    nl.manual_seed(0)
    layer, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = nl.randn(7, 2, 3)
    output, (_, c_n) = layer(x)
    h = c = None
    for t in range(7):
        h, c = cell(x[t], None if h is None else (h, c))
        np.testing.assert_allclose(h._data, output._data[t], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(c._data, c_n._data[0], rtol=1e-6, atol=1e-7)


# --- parameters, init, repr ------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_shapes_and_init_follow_torch(kind):
    options = {"num_layers": 2, "bidirectional": True}
    ours = getattr(nn, kind)(10, 20, **options)
    theirs = getattr(torch.nn, kind)(10, 20, **options)
    shapes = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert {k: v.shape for k, v in ours.state_dict().items()} == shapes
    assert list(ours.state_dict()) == list(shapes)
    bound = 1 / math.sqrt(20)
    values = np.concatenate([p._data.ravel() for p in ours.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound
    assert abs(values.var() - bound**2 / 3) < 0.05 * bound**2  # U(-b, b): variance b^2 / 3
    assert len(ours.all_weights) == 4 and len(ours.all_weights[0]) == 4
    cell = getattr(nn, kind + "Cell")(10, 20, bias=False)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert np.abs(cell.weight_hh._data).max() <= bound


@pytest.mark.parametrize(
    ("kind", "args", "options"),
    [
        ("RNN", (3, 4), {}),
        ("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu", "bias": False}),
        ("LSTM", (3, 4), {"batch_first": True, "dropout": 0.5, "num_layers": 2}),
        ("GRU", (3, 4), {"bidirectional": True}),
        ("RNNCell", (3, 4), {"nonlinearity": "relu"}),
        ("LSTMCell", (3, 4), {"bias": False}),
        ("GRUCell", (3, 4), {}),
    ],
)
def test_repr_reads_like_torch(kind, args, options):
    assert repr(getattr(nn, kind)(*args, **options)) == repr(
        getattr(torch.nn, kind)(*args, **options)
    )


@pytest.mark.parametrize("kind", KINDS)
def test_no_grad_forward_gives_the_same_values_without_a_graph(kind):
    layer = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True).double()
    x = nl.randn(5, 2, 3, dtype="float64")
    with nl.no_grad():
        out, state = layer(x)
    assert out.dtype == np.float64 and not out.requires_grad and out.grad_fn is None
    with_graph, state_graph = layer(x)
    assert with_graph.requires_grad
    np.testing.assert_array_equal(with_graph._data, out._data)
    for a, b in zip(_as_list(state), _as_list(state_graph)):
        np.testing.assert_array_equal(a._data, b._data)


def test_backward_twice_with_retained_graph_doubles_the_gradients():
    layer = nn.LSTM(3, 4, bidirectional=True).double()
    x = nl.tensor(np.random.default_rng(0).normal(size=(5, 2, 3)), requires_grad=True)
    out, (_, c_n) = layer(x)
    loss = out.sum() + c_n.sum()
    loss.backward(retain_graph=True)
    first = [p.grad._data.copy() for p in layer.parameters()] + [x.grad._data.copy()]
    loss.backward()
    second = [p.grad._data for p in layer.parameters()] + [x.grad._data]
    for a, b in zip(first, second):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-12)


# --- gradcheck of the fused ops ----------------------------------------------------------------
def _op_inputs(gates, bias, rng, length=3, batch=2, features=2, hidden=2, cell=False):
    shapes = [(length, batch, features), (batch, hidden)]
    if cell:
        shapes.append((batch, hidden))
    shapes += [(gates * hidden, features), (gates * hidden, hidden)]
    if bias:
        shapes += [(gates * hidden,), (gates * hidden,)]
    return [nl.tensor(rng.normal(size=s), requires_grad=True) for s in shapes]


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("op", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_fused_ops_gradcheck(op, bias, reverse):
    rng = np.random.default_rng(1)
    if op == "lstm":
        inputs = _op_inputs(4, bias, rng, cell=True)
        fn = lambda x, h, c, *w: lstm_layer(x, h, c, *w, reverse=reverse)  # noqa: E731
    elif op == "gru":
        inputs = _op_inputs(3, bias, rng)
        fn = lambda x, h, *w: gru_layer(x, h, *w, reverse=reverse)  # noqa: E731
    else:
        inputs = _op_inputs(1, bias, rng)
        if op == "rnn_relu":  # keep the pre-activations away from relu's kink
            inputs[0]._data += 2.0
        nonlinearity = op[4:]
        fn = lambda x, h, *w: rnn_layer(  # noqa: E731
            x, h, *w, nonlinearity=nonlinearity, reverse=reverse
        )
    assert nl.autograd.gradcheck(fn, inputs)


@pytest.mark.parametrize("op", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("which", ["bias_ih", "bias_hh"])
def test_fused_ops_gradcheck_with_one_bias(op, which):
    """Only one of the two biases (the GRU's b_hn sits inside r * (W_hn h + b_hn))."""
    rng = np.random.default_rng(2)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[op]
    inputs = _op_inputs(gates, True, rng, cell=op == "lstm")
    drop = len(inputs) - (2 if which == "bias_ih" else 1)
    bias = inputs.pop(drop)
    assert bias.shape == (gates * 2,)
    fn = {"rnn": rnn_layer, "lstm": lstm_layer, "gru": gru_layer}[op]
    if which == "bias_ih":
        assert nl.autograd.gradcheck(lambda *a: fn(*a[:-1], None, a[-1]), inputs)
    else:
        assert nl.autograd.gradcheck(lambda *a: fn(*a, None), inputs)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_only_where_needed(kind):
    """Data that needs no gradient gets none; the parameters' gradients are unchanged."""
    ours, theirs = make_pair(kind, "float64", input_size=3, hidden_size=4, num_layers=2)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    x_a = nl.tensor(x)
    out_a, _ = ours(x_a)
    out_b, _ = theirs(torch.tensor(x))
    out_a.sum().backward()
    out_b.sum().backward()
    assert x_a.grad is None
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            dict(ours.named_parameters())[name].grad._data, p.grad.numpy(), rtol=1e-9, atol=1e-11
        )
    ours.requires_grad_(False)
    out, _ = ours(x_a)
    assert not out.requires_grad
    ours.zero_grad()  # frozen layer: only the input's gradient
    x_a, x_b = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(x_a)[0].sum().backward()
    theirs(x_b)[0].sum().backward()
    np.testing.assert_allclose(x_a.grad._data, x_b.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert all(p.grad is None for p in ours.parameters())


# --- truncated back-propagation through time -------------------------------------------------
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_truncated_bptt_matches_torch_and_stops_at_chunk_boundaries(kind):
    """A long sequence in chunks, the carried state detached between chunks: each chunk's
    gradients equal PyTorch's doing the same, and no gradient reaches earlier chunks."""
    ours, theirs = make_pair(kind, "float64", input_size=3, hidden_size=4, num_layers=2)
    rng = np.random.default_rng(0)
    sequence = rng.standard_normal((24, 2, 3))
    chunks = [sequence[i : i + 6] for i in range(0, 24, 6)]
    state_a = state_b = None
    inputs_a = []
    for chunk in chunks:
        x_a = nl.tensor(chunk.copy(), requires_grad=True)
        x_b = torch.tensor(chunk, requires_grad=True)
        inputs_a.append(x_a)
        ours.zero_grad()
        theirs.zero_grad()
        out_a, state_a = ours(x_a, state_a)
        out_b, state_b = theirs(x_b, state_b)
        v = rng.standard_normal(out_a.shape)
        loss_a = (out_a * nl.tensor(v)).sum()
        loss_b = (out_b * torch.tensor(v)).sum()
        if kind == "LSTM":  # the carried cell state also enters the loss
            loss_a = loss_a + state_a[1].sum()
            loss_b = loss_b + state_b[1].sum()
        earlier = [x.grad._data.copy() for x in inputs_a[:-1]]
        loss_a.backward()
        loss_b.backward()
        np.testing.assert_allclose(x_a.grad._data, x_b.grad.numpy(), rtol=1e-9, atol=1e-11)
        for name, p in theirs.named_parameters():
            np.testing.assert_allclose(
                dict(ours.named_parameters())[name].grad._data, p.grad.numpy(), rtol=1e-9,
                atol=1e-11, err_msg=name,
            )  # fmt: skip
        for before, x in zip(earlier, inputs_a[:-1]):  # earlier chunks untouched
            np.testing.assert_array_equal(x.grad._data, before)
        # detach the carried state (as PyTorch users do between chunks)
        if kind == "LSTM":
            state_a = (state_a[0].detach(), state_a[1].detach())
            state_b = (state_b[0].detach(), state_b[1].detach())
        else:
            state_a, state_b = state_a.detach(), state_b.detach()


def test_state_carried_without_detach_backpropagates_into_the_previous_chunk():
    layer = nn.GRU(3, 4).double()
    x1 = nl.tensor(np.ones((4, 2, 3)), requires_grad=True)
    x2 = nl.tensor(np.ones((4, 2, 3)), requires_grad=True)
    _, h = layer(x1)
    out, _ = layer(x2, h)
    out.sum().backward()
    assert x1.grad is not None and np.abs(x1.grad._data).sum() > 0


# --- errors -----------------------------------------------------------------------------------
def test_errors_name_the_layer_and_the_problem():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"LSTM: input.size\(-1\) must be equal to input_size. "
                       r"Expected 3, got 5"):  # fmt: skip
        lstm(nl.randn(6, 2, 5))
    with pytest.raises(ValueError, match=r"LSTM: expected input to be 2-D \(T, I\) or 3-D "):
        lstm(nl.randn(6, 2, 3, 1))
    with pytest.raises(
        ValueError, match=r"LSTM: expected h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"
    ):
        lstm(nl.randn(6, 2, 3), (nl.zeros(1, 2, 4), nl.zeros(2, 2, 4)))
    with pytest.raises(
        ValueError, match=r"LSTM: expected c_0 of shape \(2, 2, 4\), got \(2, 3, 4\)"
    ):
        lstm(nl.randn(6, 2, 3), (nl.zeros(2, 2, 4), nl.zeros(2, 3, 4)))
    with pytest.raises(TypeError, match=r"LSTM: hx must be a tuple \(h_0, c_0\)"):
        lstm(nl.randn(6, 2, 3), nl.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"GRU: for unbatched 2-D input, hx should be 2-D"):
        nn.GRU(3, 4)(nl.randn(6, 3), nl.zeros(1, 1, 4))
    with pytest.raises(ValueError, match=r"RNN: for batched 3-D input, hx should be 3-D"):
        nn.RNN(3, 4)(nl.randn(6, 2, 3), nl.zeros(1, 4))
    with pytest.raises(ValueError, match=r"GRU: input dtype \(float64\) does not match weight "):
        nn.GRU(3, 4)(nl.randn(6, 2, 3, dtype="float64"))
    with pytest.raises(ValueError, match=r"RNN: unknown nonlinearity 'sigmoid'; select from "):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"RNNCell: unknown nonlinearity 'gelu'"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    for bad in (-0.1, 1.5, True):
        with pytest.raises(ValueError, match=r"GRU: dropout should be a number in range \[0, 1\]"):
            nn.GRU(3, 4, num_layers=2, dropout=bad)
    with pytest.raises(ValueError, match="LSTM: hidden_size must be greater than zero, got 0"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="RNN: num_layers must be greater than zero, got 0"):
        nn.RNN(3, 4, num_layers=0)
    with pytest.raises(TypeError, match="GRU: input_size should be of type int, got float"):
        nn.GRU(3.0, 4)
    with pytest.raises(ValueError, match=r"LSTM: expected a sequence length larger than 0"):
        nn.LSTM(3, 4)(nl.randn(0, 2, 3))
    with pytest.raises(
        ValueError, match=r"GRU: .* larger than 0, .*\(2, 0, 3\) \(time is axis 1\)"
    ):
        nn.GRU(3, 4, batch_first=True)(nl.randn(2, 0, 3))


def test_cell_errors_name_the_cell_and_the_problem():
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ValueError, match=r"LSTMCell: expected input to be 1-D \(I,\) or 2-D "):
        cell(nl.randn(2, 2, 3))
    with pytest.raises(ValueError, match=r"LSTMCell: input has inconsistent input_size: got 2, "
                       r"expected 3"):  # fmt: skip
        cell(nl.randn(5, 2))
    with pytest.raises(ValueError, match=r"LSTMCell: h must have shape \(5, 4\) for input of "
                       r"shape \(5, 3\), got \(2, 4\)"):  # fmt: skip
        cell(nl.randn(5, 3), (nl.zeros(2, 4), nl.zeros(5, 4)))
    with pytest.raises(ValueError, match=r"GRUCell: hx must have shape \(4,\)"):
        nn.GRUCell(3, 4)(nl.randn(3), nl.zeros(1, 4))


def test_op_level_errors():
    x, h = nl.randn(5, 2, 3), nl.zeros(2, 4)
    with pytest.raises(ValueError, match=r"lstm_layer: weight_ih must have shape \(16, 3\)"):
        lstm_layer(x, h, h, nl.randn(16, 2), nl.randn(16, 4))
    with pytest.raises(ValueError, match=r"gru_layer: hx must have shape \(2, 4\)"):
        gru_layer(x, nl.zeros(3, 4), nl.randn(12, 3), nl.randn(12, 4))
    with pytest.raises(ValueError, match=r"rnn_layer: expected a sequence of at least one step"):
        rnn_layer(nl.randn(0, 2, 3), h, nl.randn(4, 3), nl.randn(4, 4))
    with pytest.raises(ValueError, match=r"rnn_layer: nonlinearity must be 'tanh' or 'relu'"):
        rnn_layer(x, h, nl.randn(4, 3), nl.randn(4, 4), nonlinearity="elu")
