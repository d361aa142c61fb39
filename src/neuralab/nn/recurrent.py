"""Recurrent layers, as ``torch.nn``: RNN, LSTM, GRU (stacked, bidirectional) and their
single-step cells RNNCell, LSTMCell, GRUCell.

Each layer and direction runs its whole sequence in one fused op
(``neuralab.ops.recurrent``); the cells run the same ops on a sequence of one step.
Parameter names, shapes, gate order and initialization are PyTorch's, so a PyTorch
model's ``state_dict`` loads here and gives the same outputs:

  weight_ih_l{k}[_reverse] (G*H, I_k),  weight_hh_l{k}[_reverse] (G*H, H),
  bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse] (G*H,),
  G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n);  I_0 = input_size, I_k = D*H,
  every parameter ~ U(-1/sqrt(H), 1/sqrt(H)).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from neuralab import ops
from neuralab.creation import zeros
from neuralab.function import ShapeError
from neuralab.nn import init
from neuralab.nn.module import Module, Parameter, factory_dtype
from neuralab.ops.recurrent import _run_layer as _op
from neuralab.ops.regularization import dropout as _dropout
from neuralab.tensor import Tensor

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_sizes(name: str, **sizes: Any) -> None:
    for label, value in sizes.items():
        if not isinstance(value, (int, numbers.Integral)) or isinstance(value, bool):
            raise TypeError(f"{name}: {label} should be of type int, got {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name}: {label} must be greater than zero, got {value}")


def _rnn_mode(nonlinearity: str) -> str:
    return "RNN_RELU" if nonlinearity == "relu" else "RNN_TANH"


def _check_nonlinearity(name: str, nonlinearity: str) -> None:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"{name}: unknown nonlinearity {nonlinearity!r}; select from 'tanh' or 'relu'"
        )


def _run_layer(mode: str, x: Any, h0: Any, c0: Any, weights: list, reverse: bool) -> tuple:
    """One layer, one direction, whole sequence: (output (T, N, H), h_n, c_n or None)."""
    length = x.shape[0]
    out = _op(mode, x, h0, c0, weights, reverse)
    if mode == "LSTM":  # (h_1..h_T, c_T), or (c_T, h_1..h_T) in reverse
        if reverse:
            return out[1:], out[1], out[0]
        return out[:length], out[length - 1], out[length]
    return out, out[0 if reverse else length - 1], None


def _reset_uniform(module: Module) -> None:
    """PyTorch's recurrent init: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), H the
    hidden size."""
    bound = 1.0 / math.sqrt(module.hidden_size)
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """The stacked, optionally bidirectional recurrent layer shared by RNN, LSTM and GRU.

    Layer k reads the previous layer's output (both directions concatenated, with dropout in
    training between layers) and each direction runs from its own initial state; the output is
    the last layer's hidden states, h_n (and c_n) the final states of every layer and
    direction, index k * D + d. Each layer and direction runs its whole sequence in one fused
    op (``neuralab.ops.recurrent``).

    Parameters, as PyTorch (so a PyTorch ``state_dict`` loads): weight_ih_l{k}[_reverse]
    (G H, I_k), weight_hh_l{k}[_reverse] (G H, H), bias_ih_l{k}[_reverse] and
    bias_hh_l{k}[_reverse] (G H,), with I_0 = input_size and I_k = D H; all
    ~ U(-1/sqrt(H), 1/sqrt(H)).

    Args:
        input_size: I, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads layer k - 1's output. Defaults to 1.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        batch_first: input and output are (N, T, *) instead of (T, N, *) (the states are
            not). Defaults to False.
        dropout: the dropout probability on the output of every layer but the last, in
            training. Defaults to 0.0.
        bidirectional: run a second direction from the end of the sequence and concatenate;
            D = 2. Defaults to False.
        proj_size: LSTM projections are not implemented; must be 0. Defaults to 0.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive or ``dropout`` is outside [0, 1]; in the forward
            pass, if the input or a state has the wrong shape or dtype.
        TypeError: if a size is not an int, or ``bias``, ``batch_first`` or
            ``bidirectional`` not a bool.
        NotImplementedError: if ``proj_size`` is not 0.

    Shape:
        - Input: (T, N, I), (N, T, I) with ``batch_first``, or unbatched (T, I).
        - Hidden state: (D * num_layers, N, H), or (D * num_layers, H) unbatched; zeros if
          not given.
        - Output: (T, N, D * H) ((N, T, D * H) with ``batch_first``, (T, D * H) unbatched),
          the last layer's hidden state at every step.
        - Final state: (D * num_layers, N, H), index k * D + d for layer k and direction d.

    Examples:
        >>> import neuralab as nl
        >>> lstm = nl.nn.LSTM(4, 8)
        >>> isinstance(lstm, nl.nn.RNNBase), [w.shape for w in lstm.all_weights[0]]
        (True, [(32, 4), (32, 8), (32,), (32,)])
    """

    mode = "RNN_TANH"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(device, dtype, f"nn.{name}")
        if proj_size:
            raise NotImplementedError(
                f"nn.{name}(proj_size={proj_size}): LSTM projections are not implemented in "
                "neuralab; use proj_size=0 and an nn.Linear on the output"
            )
        if (
            not isinstance(dropout, numbers.Real)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{name}: dropout should be a number in range [0, 1] (the probability of an "
                f"element being zeroed), got {dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{name}: dropout option adds dropout after all but last recurrent layer, so "
                f"non-zero dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        for label, flag in (("bias", bias), ("batch_first", batch_first),
                            ("bidirectional", bidirectional)):  # fmt: skip
            if not isinstance(flag, bool):
                raise TypeError(f"{name}: {label} should be of type bool, got {flag!r}")
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout = float(dropout)
        gates = _GATES[self.mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                names = []
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(zeros(*shape, dtype=dtype)))
                    names.append(kind + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initializes every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), as PyTorch."""
        _reset_uniform(self)

    def flatten_parameters(self) -> None:
        """A no-op, for code written for PyTorch (which packs the weights for cuDNN there)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """[[weight_ih, weight_hh, (bias_ih, bias_hh)] for each layer and direction]."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks ---------------------------------------------------------------------
    def _check_input(self, input: Any) -> None:
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            layout = "(N, T, I)" if self.batch_first else "(T, N, I)"
            raise ValueError(
                f"{name}: expected input to be 2-D (T, I) or 3-D {layout}, got "
                f"{input.ndim}-D input of shape {input.shape}"
            )
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]} (input of shape {input.shape})"
            )
        time_axis = 1 if self.batch_first and input.ndim == 3 else 0
        if input.shape[time_axis] == 0:
            raise ValueError(
                f"{name}: expected a sequence length larger than 0, got input of shape "
                f"{input.shape} (time is axis {time_axis})"
            )
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                f"({weight_dtype}); convert the input (input.to({weight_dtype})) or the model "
                f"(model.to({input.dtype}))"
            )

    def _check_state(self, label: str, state: Any, batched: bool, batch: int) -> Tensor:
        """A (D*L, N, H) state (or (D*L, H) for unbatched input), as (D*L, N, H)."""
        name = type(self).__name__
        if not isinstance(state, Tensor):
            raise TypeError(f"{name}: {label} must be a Tensor, got {type(state).__name__}")
        layers = self.num_layers * (2 if self.bidirectional else 1)
        expected = (layers, batch, self.hidden_size) if batched else (layers, self.hidden_size)
        if state.ndim != len(expected):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise ShapeError(
                f"{name}: for {kind} input, {label} should be {len(expected)}-D "
                f"{expected}, got {state.ndim}-D of shape {state.shape}"
            )
        if state.shape != expected:
            raise ShapeError(f"{name}: expected {label} of shape {expected}, got {state.shape}")
        if state.dtype != self.weight_ih_l0.dtype:
            raise ValueError(
                f"{name}: {label} dtype ({state.dtype}) does not match weight dtype "
                f"({self.weight_ih_l0.dtype})"
            )
        return state if batched else ops.unsqueeze(state, 1)

    # --- forward --------------------------------------------------------------------
    def _run(self, input: Tensor, h0: Any, c0: Any) -> tuple:
        """(output, h_n, c_n or None) for time-major (T, N, I) input and (D*L, N, H) states."""
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        x = input
        h_n, c_n = [], []
        all_weights = self.all_weights
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout and self.training:
                x = _dropout(x, self.dropout, True)
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                weights = all_weights[k]
                if len(weights) == 2:
                    weights = [*weights, None, None]
                h = None if h0 is None else h0[k]
                c = None if c0 is None else c0[k]
                out, h_last, c_last = _run_layer(self.mode, x, h, c, weights, direction == 1)
                outputs.append(out)
                h_n.append(h_last)
                c_n.append(c_last)
            x = outputs[0] if directions == 1 else ops.cat(outputs, dim=2)
        return x, _stack(h_n), _stack(c_n) if lstm else None

    def _forward(self, input: Tensor, hx: Any) -> tuple:
        self._check_input(input)
        batched = input.ndim == 3
        if not batched:
            input = ops.unsqueeze(input, 1)
        elif self.batch_first:
            input = ops.transpose(input, 0, 1)
        batch = input.shape[1]
        h0 = c0 = None
        if self.mode == "LSTM" and hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(
                    f"{type(self).__name__}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}"
                )
            h0 = self._check_state("h_0", hx[0], batched, batch)
            c0 = self._check_state("c_0", hx[1], batched, batch)
        elif hx is not None:
            h0 = self._check_state("hx", hx, batched, batch)
        output, h_n, c_n = self._run(input, h0, c0)
        if not batched:
            output = ops.squeeze(output, 1)
            h_n = ops.squeeze(h_n, 1)
            c_n = None if c_n is None else ops.squeeze(c_n, 1)
        elif self.batch_first:
            output = ops.transpose(output, 0, 1)
        return output, h_n, c_n


def _stack(states: list) -> Tensor:
    return ops.unsqueeze(states[0], 0) if len(states) == 1 else ops.stack(states, dim=0)


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh or relu.

    ``rnn(input, hx=None)`` returns ``(output, h_n)``; D = 2 if bidirectional else 1, G = 1.

    Parameters, as PyTorch (so a PyTorch ``state_dict`` loads): weight_ih_l{k}[_reverse]
    (G H, I_k), weight_hh_l{k}[_reverse] (G H, H), bias_ih_l{k}[_reverse] and
    bias_hh_l{k}[_reverse] (G H,), with I_0 = input_size and I_k = D H; all
    ~ U(-1/sqrt(H), 1/sqrt(H)).

    Args:
        input_size: I, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads layer k - 1's output. Defaults to 1.
        nonlinearity: ``'tanh'`` or ``'relu'``. Defaults to ``'tanh'``.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        batch_first: input and output are (N, T, *) instead of (T, N, *) (the states are
            not). Defaults to False.
        dropout: the dropout probability on the output of every layer but the last, in
            training. Defaults to 0.0.
        bidirectional: run a second direction from the end of the sequence and concatenate;
            D = 2. Defaults to False.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if ``nonlinearity`` is unknown, a size is not positive or ``dropout`` is
            outside [0, 1]; in the forward pass, if the input or hx has the wrong shape.
        TypeError: if a size is not an int, or ``bias``, ``batch_first`` or
            ``bidirectional`` not a bool.

    Shape:
        - Input: (T, N, I), (N, T, I) with ``batch_first``, or unbatched (T, I).
        - Hidden state: (D * num_layers, N, H), or (D * num_layers, H) unbatched; zeros if
          not given.
        - Output: (T, N, D * H) ((N, T, D * H) with ``batch_first``, (T, D * H) unbatched),
          the last layer's hidden state at every step.
        - Final state: (D * num_layers, N, H), index k * D + d for layer k and direction d.

    Examples:
        >>> import neuralab as nl
        >>> rnn = nl.nn.RNN(input_size=4, hidden_size=8, num_layers=2, batch_first=True)
        >>> output, h_n = rnn(nl.zeros(3, 5, 4))
        >>> output.shape, h_n.shape
        ((3, 5, 8), (2, 3, 8))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        _check_nonlinearity("RNN", nonlinearity)
        object.__setattr__(self, "nonlinearity", nonlinearity)  # read by RNNBase.__init__
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)  # fmt: skip

    @property
    def mode(self) -> str:  # type: ignore[override]
        return _rnn_mode(self.nonlinearity)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._forward(input, hx)
        return output, h_n


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter and Schmidhuber, 1997), PyTorch's formulation.

    With s the sigmoid, at each step:

        i = s(W_ii x + b_ii + W_hi h + b_hi),  f = s(W_if x + b_if + W_hf h + b_hf),
        g = tanh(W_ig x + b_ig + W_hg h + b_hg),  o = s(W_io x + b_io + W_ho h + b_ho),
        c' = f * c + i * g,  h' = o * tanh(c').

    ``lstm(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``; c has h's shape.
    D = 2 if bidirectional else 1; G = 4 (gates in the order i, f, g, o).

    Parameters, as PyTorch (so a PyTorch ``state_dict`` loads): weight_ih_l{k}[_reverse]
    (G H, I_k), weight_hh_l{k}[_reverse] (G H, H), bias_ih_l{k}[_reverse] and
    bias_hh_l{k}[_reverse] (G H,), with I_0 = input_size and I_k = D H; all
    ~ U(-1/sqrt(H), 1/sqrt(H)).

    Args:
        input_size: I, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads layer k - 1's output. Defaults to 1.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        batch_first: input and output are (N, T, *) instead of (T, N, *) (the states are
            not). Defaults to False.
        dropout: the dropout probability on the output of every layer but the last, in
            training. Defaults to 0.0.
        bidirectional: run a second direction from the end of the sequence and concatenate;
            D = 2. Defaults to False.
        proj_size: LSTM projections are not implemented; must be 0. Defaults to 0.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive or ``dropout`` is outside [0, 1]; in the forward
            pass, if the input or a state has the wrong shape or dtype.
        TypeError: if a size is not an int, or ``bias``, ``batch_first`` or
            ``bidirectional`` not a bool.
        NotImplementedError: if ``proj_size`` is not 0.

    Shape:
        - Input: (T, N, I), (N, T, I) with ``batch_first``, or unbatched (T, I).
        - Hidden state: (D * num_layers, N, H), or (D * num_layers, H) unbatched; zeros if
          not given.
        - Output: (T, N, D * H) ((N, T, D * H) with ``batch_first``, (T, D * H) unbatched),
          the last layer's hidden state at every step.
        - Final state: (D * num_layers, N, H), index k * D + d for layer k and direction d.

    Examples:
        >>> import neuralab as nl
        >>> lstm = nl.nn.LSTM(4, 8, bidirectional=True)
        >>> output, (h_n, c_n) = lstm(nl.zeros(5, 3, 4))
        >>> output.shape, h_n.shape, c_n.shape
        ((5, 3, 16), (2, 3, 8), (2, 3, 8))
    """

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, tuple]:
        output, h_n, c_n = self._forward(input, hx)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al., 2014), PyTorch's formulation.

    With s the sigmoid, at each step:

        r = s(W_ir x + b_ir + W_hr h + b_hr),  z = s(W_iz x + b_iz + W_hz h + b_hz),
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.

    ``gru(input, hx=None)`` returns ``(output, h_n)``; D = 2 if bidirectional else 1, G = 3
    (gates in the order r, z, n).

    Parameters, as PyTorch (so a PyTorch ``state_dict`` loads): weight_ih_l{k}[_reverse]
    (G H, I_k), weight_hh_l{k}[_reverse] (G H, H), bias_ih_l{k}[_reverse] and
    bias_hh_l{k}[_reverse] (G H,), with I_0 = input_size and I_k = D H; all
    ~ U(-1/sqrt(H), 1/sqrt(H)).

    Args:
        input_size: I, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads layer k - 1's output. Defaults to 1.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        batch_first: input and output are (N, T, *) instead of (T, N, *) (the states are
            not). Defaults to False.
        dropout: the dropout probability on the output of every layer but the last, in
            training. Defaults to 0.0.
        bidirectional: run a second direction from the end of the sequence and concatenate;
            D = 2. Defaults to False.
        proj_size: LSTM projections are not implemented; must be 0. Defaults to 0.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive or ``dropout`` is outside [0, 1]; in the forward
            pass, if the input or a state has the wrong shape or dtype.
        TypeError: if a size is not an int, or ``bias``, ``batch_first`` or
            ``bidirectional`` not a bool.
        NotImplementedError: if ``proj_size`` is not 0.

    Shape:
        - Input: (T, N, I), (N, T, I) with ``batch_first``, or unbatched (T, I).
        - Hidden state: (D * num_layers, N, H), or (D * num_layers, H) unbatched; zeros if
          not given.
        - Output: (T, N, D * H) ((N, T, D * H) with ``batch_first``, (T, D * H) unbatched),
          the last layer's hidden state at every step.
        - Final state: (D * num_layers, N, H), index k * D + d for layer k and direction d.

    Examples:
        >>> import neuralab as nl
        >>> gru = nl.nn.GRU(4, 8, num_layers=2)
        >>> output, h_n = gru(nl.zeros(5, 4))
        >>> output.shape, h_n.shape
        ((5, 8), (2, 8))
    """

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._forward(input, hx)
        return output, h_n


# --- cells ------------------------------------------------------------------------------
class RNNCellBase(Module):
    """One step of a recurrent layer, the base of RNNCell, LSTMCell and GRUCell.

    Parameters: weight_ih (G H, I), weight_hh (G H, H), bias_ih and bias_hh (G H,), all
    ~ U(-1/sqrt(H), 1/sqrt(H)); it runs the layer's fused op on a sequence of one step.

    Args:
        input_size: I, the features of the input.
        hidden_size: H, the features of the hidden state.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive; in the forward pass, if the input is not 1-D
            or 2-D or has the wrong size or dtype (``ShapeError`` for sizes).
        TypeError: if a size is not an int, ``bias`` not a bool, or the input or a state
            not a Tensor.

    Shape:
        - Input: (N, I) or (I,).
        - Hidden state: (N, H) or (H,); zeros if not given.
        - Output: (N, H) or (H,).

    Examples:
        >>> import neuralab as nl
        >>> cell = nl.nn.RNNCellBase(4, 8)
        >>> cell.weight_ih.shape, cell.weight_hh.shape
        ((8, 4), (8, 8))
    """

    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(device, dtype, f"nn.{name}")
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size)
        if not isinstance(bias, bool):
            raise TypeError(f"{name}: bias should be of type bool, got {bias!r}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = _GATES[self.mode] * hidden_size
        self.weight_ih = Parameter(zeros(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(zeros(gates, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(zeros(gates, dtype=dtype))
            self.bias_hh = Parameter(zeros(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-initializes every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), as PyTorch."""
        _reset_uniform(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Any, states: tuple) -> tuple:
        """Checks; returns the input as a (1, N, I) sequence, the states as (N, H) (zeros
        when None) and whether the input was batched."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(
                f"{name}: expected input to be 1-D (I,) or 2-D (N, I), got {input.ndim}-D "
                f"input of shape {input.shape}"
            )
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}: input has inconsistent input_size: got {input.shape[-1]}, "
                f"expected {self.input_size}"
            )
        if input.dtype != self.weight_ih.dtype:
            raise ValueError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                f"({self.weight_ih.dtype})"
            )
        batched = input.ndim == 2
        batch = input.shape[0] if batched else 1
        expected = (batch, self.hidden_size) if batched else (self.hidden_size,)
        out = []
        for label, state in states:
            if state is None:
                out.append(None)  # zeros
                continue
            if not isinstance(state, Tensor):
                raise TypeError(f"{name}: {label} must be a Tensor, got {type(state).__name__}")
            if state.shape != expected:
                raise ShapeError(
                    f"{name}: {label} must have shape {expected} for input of shape "
                    f"{input.shape}, got {state.shape}"
                )
            if state.dtype != input.dtype:
                raise ValueError(
                    f"{name}: {label} dtype ({state.dtype}) does not match the input's "
                    f"({input.dtype})"
                )
            out.append(state if batched else ops.unsqueeze(state, 0))
        return ops.reshape(input, (1, batch, self.input_size)), out, batched

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.

    ``cell(input, hx=None)`` returns h'.

    Args:
        input_size: I, the features of the input.
        hidden_size: H, the features of the hidden state.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        nonlinearity: ``'tanh'`` or ``'relu'``. Defaults to ``'tanh'``.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive; in the forward pass, if the input is not 1-D
            or 2-D or has the wrong size or dtype (``ShapeError`` for sizes).
        TypeError: if a size is not an int, ``bias`` not a bool, or the input or a state
            not a Tensor.

    Shape:
        - Input: (N, I) or (I,).
        - Hidden state: (N, H) or (H,); zeros if not given.
        - Output: (N, H) or (H,).

    Examples:
        >>> import neuralab as nl
        >>> cell = nl.nn.RNNCell(4, 8)
        >>> h = None
        >>> for x in nl.zeros(5, 3, 4):
        ...     h = cell(x, h)
        >>> h.shape
        (3, 8)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        _check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, (("hx", hx),))
        out = _op(_rnn_mode(self.nonlinearity), x, h, None, self._weights(), False)
        return out[0] if batched else out[0, 0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o as in ``LSTM``): c' = f * c + i * g, h' = o * tanh(c').

    ``cell(input, (h, c)=None)`` returns ``(h', c')``.

    Args:
        input_size: I, the features of the input.
        hidden_size: H, the features of the hidden state.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive; in the forward pass, if the input is not 1-D
            or 2-D or has the wrong size or dtype (``ShapeError`` for sizes).
        TypeError: if a size is not an int, ``bias`` not a bool, or the input or a state
            not a Tensor.

    Shape:
        - Input: (N, I) or (I,).
        - States h and c: (N, H) or (H,); zeros if not given.
        - Output: (h', c'), each (N, H) or (H,).

    Examples:
        >>> import neuralab as nl
        >>> cell = nl.nn.LSTMCell(4, 8)
        >>> h, c = cell(nl.zeros(3, 4))
        >>> h.shape, c.shape
        ((3, 8), (3, 8))
    """

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        x, (h, c), batched = self._prepare(input, (("h", hx[0]), ("c", hx[1])))
        out = _op("LSTM", x, h, c, self._weights(), False)
        if batched:
            return out[0], out[1]
        return out[0, 0], out[1, 0]


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n as in ``GRU``): h' = (1 - z) * n + z * h.

    ``cell(input, hx=None)`` returns h'.

    Args:
        input_size: I, the features of the input.
        hidden_size: H, the features of the hidden state.
        bias: learn the biases b_ih and b_hh. Defaults to True.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if a size is not positive; in the forward pass, if the input is not 1-D
            or 2-D or has the wrong size or dtype (``ShapeError`` for sizes).
        TypeError: if a size is not an int, ``bias`` not a bool, or the input or a state
            not a Tensor.

    Shape:
        - Input: (N, I) or (I,).
        - Hidden state: (N, H) or (H,); zeros if not given.
        - Output: (N, H) or (H,).

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.GRUCell(4, 8)(nl.zeros(4)).shape
        (8,)
    """

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, (("hx", hx),))
        out = _op("GRU", x, h, None, self._weights(), False)
        return out[0] if batched else out[0, 0]
