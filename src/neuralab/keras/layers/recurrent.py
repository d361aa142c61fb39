"""Keras's recurrent layers SimpleRNN, LSTM, GRU (and the Bidirectional wrapper) on
(batch, time, features) data, with Keras's weights, gate orders and defaults.

Weights, in Keras's layout (k gates of ``units`` = H columns each):
  kernel (I, k*H), recurrent_kernel (H, k*H), bias (k*H,) — GRU with reset_after=True:
  bias (2, 3*H), row 0 the input bias, row 1 the recurrent bias.
Gate orders: LSTM i, f, c, o; GRU z, r, h.

  SimpleRNN  h_t = a(x_t K + h_{t-1} U + b)
  LSTM       [i, f, g, o] = x_t K + h_{t-1} U + b;  c_t = s(f) c_{t-1} + s(i) a(g);
             h_t = s(o) a(c_t)
  GRU        z = s(x_t K_z + b_z + h_{t-1} U_z + b'_z),  r likewise,
             reset_after:  n = a(x_t K_h + b_h + r * (h_{t-1} U_h + b'_h))
             otherwise:    n = a(x_t K_h + b_h + (r * h_{t-1}) U_h)
             h_t = z h_{t-1} + (1 - z) n
with a = activation (tanh), s = recurrent_activation (sigmoid).

Two ways to run a layer, the same results:
- fused (the usual case): neuralab's one-node-per-sequence ops
  (``neuralab.ops.recurrent``: time-major (T, N, I), PyTorch's weight layout (k*H, I) and
  gate orders i, f, g, o / r, z, n). Keras's weights are mapped to that layout at call time
  with differentiable ops (transposes, the GRU's column reorder z, r, h -> r, z, n), so the
  gradients land on Keras's weights. Used for tanh/sigmoid (SimpleRNN: tanh or relu), GRU
  reset_after=True, and no recurrent dropout (input dropout is one mask over all steps, as
  in Keras, applied to the input first).
- per step: the same formulas composed from neuralab ops over the time steps, for any
  other activation, GRU reset_after=False and recurrent dropout (Keras's per-gate masks).

Not supported (NotImplementedError): masking, weight constraints, use_cudnn=True.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy

from neuralab import ops
from neuralab.backend import generator
from neuralab.keras import activations, initializers, regularizers
from neuralab.keras.layers.layer import Layer, as_tensor
from neuralab.ops.recurrent import gru_layer, lstm_layer, rnn_layer
from neuralab.tensor import Tensor

# --- argument checks ------------------------------------------------------------------------


def _units(value: Any, who: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value <= 0:
        raise ValueError(
            f"{who}: received an invalid value for argument `units`, expected a positive "
            f"integer, got {value!r}"
        )
    return int(value)


def _rate(value: Any, who: str, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{who}: {arg} must be a float in [0, 1), got {value!r}")
    return float(value)


def _is(fn: Callable, name: str) -> bool:
    """Whether an activation function is Keras's ``name`` (fused ops know tanh, sigmoid, relu)."""
    return fn is activations.get(name)


def _columns(w: Tensor, gate: int, units: int) -> Tensor:
    """Gate ``gate``'s block of columns of a Keras weight (.., k*H)."""
    return w[..., gate * units : (gate + 1) * units]


def _gru_to_torch(w: Tensor, units: int) -> Tensor:
    """Keras's GRU gate blocks z, r, h (last axis) -> PyTorch's r, z, n."""
    return ops.cat([_columns(w, 1, units), _columns(w, 0, units), _columns(w, 2, units)], dim=-1)


def _dropout_mask(shape: tuple, rate: float, rng: numpy.random.Generator) -> Tensor:
    """Keras's dropout mask: 1 / (1 - rate) where kept (probability 1 - rate), else 0."""
    keep = rng.random(shape) >= rate
    return Tensor._from_array((keep / (1.0 - rate)).astype(numpy.float32))


def _project_parts(h: Tensor, w: Tensor, masks: list | None, gates: int, units: int) -> list:
    """[h_g @ w_g for each gate g]: with one mask per gate (Keras's recurrent dropout, its
    implementation 1), h is masked per gate; otherwise one product, split by gate."""
    if masks is not None and len(masks) == gates and gates > 1:
        return [(h * masks[g]) @ _columns(w, g, units) for g in range(gates)]
    z = (h if masks is None else h * masks[0]) @ w
    return [_columns(z, g, units) for g in range(gates)] if gates > 1 else [z]


# --- the shared recurrent layer -------------------------------------------------------------


class _RNN(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, states, dropout masks, the
    choice fused / per step, and Keras's outputs (return_sequences, return_state,
    go_backwards, stateful)."""

    _gates: ClassVar[int] = 1
    _n_states: ClassVar[int] = 1

    def __init__(
        self,
        units: int,
        *,
        activation: Any,
        recurrent_activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        recurrent_initializer: Any,
        bias_initializer: Any,
        kernel_regularizer: Any,
        recurrent_regularizer: Any,
        bias_regularizer: Any,
        activity_regularizer: Any,
        kernel_constraint: Any,
        recurrent_constraint: Any,
        bias_constraint: Any,
        dropout: float,
        recurrent_dropout: float,
        seed: int | None,
        return_sequences: bool,
        return_state: bool,
        go_backwards: bool,
        stateful: bool,
        unroll: bool,
        use_cudnn: Any = "auto",
        config: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        kind = type(self).__name__
        super().__init__(**kwargs)
        for arg, value in (
            ("kernel_constraint", kernel_constraint),
            ("recurrent_constraint", recurrent_constraint),
            ("bias_constraint", bias_constraint),
        ):
            if value is not None:
                raise NotImplementedError(f"neuralab.keras: {kind}({arg}=...) is not supported")
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{kind}: invalid value for argument `use_cudnn`, expected one of "
                f"{{'auto', True, False}}, got {use_cudnn!r}"
            )
        if use_cudnn is True:
            raise NotImplementedError(
                f"neuralab.keras: {kind}(use_cudnn=True) is not supported (no cuDNN); "
                "use_cudnn='auto' runs neuralab's fused ops"
            )
        self.units = _units(units, kind)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.dropout = _rate(dropout, kind, "dropout")
        self.recurrent_dropout = _rate(recurrent_dropout, kind, "recurrent_dropout")
        self.seed = seed
        self._rng = generator(int(seed), kind) if seed is not None else None
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # a speed hint in Keras; the results are the same
        self.use_cudnn = use_cudnn
        self.states: list[Tensor] | None = None  # stateful: the last call's final states
        self._config = config

    # --- weights ----------------------------------------------------------------------------
    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: tuple) -> None:
        kind = type(self).__name__
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{kind} {self.name}: expected input of shape (batch, time, features) with "
                f"known features, got {input_shape}"
            )
        width = self._gates * self.units
        self.kernel = self.add_weight(
            (input_shape[-1], width),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            (self.units, width),
            self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            name="recurrent_kernel",
        )
        self.bias = (
            self.add_weight(
                self._bias_shape(),
                self._bias_initializer(),
                regularizer=self.bias_regularizer,
                name="bias",
            )
            if self.use_bias
            else None
        )

    # --- calling ----------------------------------------------------------------------------
    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        kind = type(self).__name__
        if mask is not None:
            raise NotImplementedError(f"neuralab.keras: {kind}: masking (mask=) is not supported")
        if sequences.ndim != 3 or sequences.shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"{kind} {self.name}: expected input of shape (batch, time, "
                f"{self.kernel.shape[0]}), got {tuple(sequences.shape)}"
            )
        if sequences.shape[1] == 0:
            raise ValueError(f"{kind} {self.name}: the input has no time steps")
        states = self._initial_states(sequences, initial_state)
        in_masks, rec_masks = self._dropout_masks(sequences, training)
        if self._fusable() and rec_masks is None:
            x = sequences if in_masks is None else sequences * ops.unsqueeze(in_masks[0], 1)
            seq, finals = self._run_fused(x.transpose(0, 1), states)
            outputs = None
            if self.return_sequences:  # processing order: reversed time with go_backwards
                outputs = (ops.flip(seq, 0) if self.go_backwards else seq).transpose(0, 1)
        else:
            outputs, finals = self._run_steps(sequences, states, in_masks, rec_masks)
        if self.stateful:
            self.states = [Tensor._from_array(numpy.array(s._data)) for s in finals]
        output = outputs if self.return_sequences else finals[0]
        result = [output, *finals] if self.return_state else output
        if self._activity_regularizer is not None:
            for out in result if isinstance(result, list) else [result]:
                self.add_loss(self._activity_regularizer(out) / out.shape[0])
        return result

    def _initial_states(self, x: Tensor, initial_state: Any) -> list:
        """The states to start from: initial_state, else the stored ones (stateful), else
        zeros (None: the fused ops start from zeros)."""
        kind, batch = type(self).__name__, x.shape[0]
        if initial_state is None:
            if not self.stateful:
                return [None] * self._n_states
            if self.states is None:
                return [None] * self._n_states
            if self.states[0].shape[0] != batch:
                raise ValueError(
                    f"{kind} {self.name}: if an RNN is stateful, the batch size of the input "
                    f"sequences must be the same as the batch size of the initial state. "
                    f"Expected batch size: {self.states[0].shape[0]}, received: {batch}"
                )
            return list(self.states)
        given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(given) != self._n_states:
            raise ValueError(
                f"{kind} {self.name}: initial_state must hold {self._n_states} state(s) of "
                f"shape (batch, {self.units}), got {len(given)}"
            )
        states = [as_tensor(s, f"{kind} {self.name}: initial_state") for s in given]
        for s in states:
            if tuple(s.shape) != (batch, self.units):
                raise ValueError(
                    f"{kind} {self.name}: each initial state must have shape "
                    f"({batch}, {self.units}), got {tuple(s.shape)}"
                )
        return states

    def reset_state(self) -> None:
        """Stateful layers: start the next call from zero states."""
        if self.states is not None:
            self.states = [Tensor._from_array(numpy.zeros_like(s._data)) for s in self.states]

    reset_states = reset_state

    def _dropout_masks(self, x: Tensor, training: bool | None) -> tuple:
        """Keras's masks, fixed over the time steps of one call, in training only: the input
        mask (N, I) and recurrent mask (N, H), one per gate when recurrent_dropout > 0 (for
        LSTM and GRU: Keras's implementation 1), else one input mask shared by the gates."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return None, None
        rng = self._rng if self._rng is not None else generator()
        batch, features = x.shape[0], x.shape[2]
        count = self._gates if self.recurrent_dropout > 0 else 1
        in_masks = rec_masks = None
        if self.dropout > 0:
            in_masks = [_dropout_mask((batch, features), self.dropout, rng) for _ in range(count)]
        if self.recurrent_dropout > 0:
            rec_masks = [
                _dropout_mask((batch, self.units), self.recurrent_dropout, rng)
                for _ in range(count)
            ]
        return in_masks, rec_masks

    def _input_projection(self, x: Tensor, in_masks: list | None) -> Tensor:
        """x K (+ input bias) for all steps at once, (N, T, k*H); per-gate input masks."""
        if in_masks is None:
            proj = x @ self.kernel
        elif len(in_masks) == 1:
            proj = (x * ops.unsqueeze(in_masks[0], 1)) @ self.kernel
        else:
            proj = ops.cat(
                [
                    (x * ops.unsqueeze(m, 1)) @ _columns(self.kernel, g, self.units)
                    for g, m in enumerate(in_masks)
                ],
                dim=-1,
            )
        bias = self._input_bias()
        return proj if bias is None else proj + bias

    def _input_bias(self) -> Tensor | None:
        return self.bias

    def _run_steps(self, x: Tensor, states: list, in_masks: list | None, rec_masks: list | None):
        """The per-step path: the cell over the steps in processing order."""
        batch = x.shape[0]
        states = [
            Tensor._from_array(numpy.zeros((batch, self.units), numpy.float32)) if s is None else s
            for s in states
        ]
        proj = self._input_projection(x, in_masks)
        steps = range(x.shape[1] - 1, -1, -1) if self.go_backwards else range(x.shape[1])
        outputs = []
        for t in steps:
            states = self._cell(proj[:, t], states, rec_masks)
            if self.return_sequences:
                outputs.append(states[0])
        return (ops.stack(outputs, dim=1) if self.return_sequences else None), states

    # --- per subclass -----------------------------------------------------------------------
    def _fusable(self) -> bool:
        raise NotImplementedError

    def _run_fused(self, x: Tensor, states: list) -> tuple:
        """Run the fused op on time-major x (T, N, I): (hidden states (T, N, H) aligned with
        the input's steps, [final states])."""
        raise NotImplementedError

    def _cell(self, xp: Tensor, states: list, rec_masks: list | None) -> list:
        """One step from the input projection xp (N, k*H): the new states (h first)."""
        raise NotImplementedError

    # --- shapes and config ------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        batch, length = sequences_shape[0], sequences_shape[1]
        out = (batch, length, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self._n_states
        return out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._config}


def _settings(local: dict[str, Any]) -> dict[str, Any]:
    """A subclass's constructor arguments (its ``locals()``) as the base's keywords."""
    args = {k: v for k, v in local.items() if k not in ("self", "kwargs", "__class__")}
    return args


# --- SimpleRNN ------------------------------------------------------------------------------


class SimpleRNN(_RNN):
    """Fully connected recurrent layer: ``h_t = activation(x_t K + h_{t-1} U + b)``.

    Args:
        units: The size of the hidden state (a positive int).
        activation: The activation ``a``. Defaults to 'tanh'.
        use_bias: Whether to add biases. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        recurrent_initializer: The initializer of the recurrent kernel (a name or an initializer).
            Defaults to 'orthogonal'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        recurrent_regularizer: A regularizer of the recurrent kernel (its penalty joins
            ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        recurrent_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        dropout: The fraction of the inputs dropped in training, in [0, 1). Defaults to 0.0.
        recurrent_dropout: The fraction of the recurrent state dropped in training, in [0, 1).
            Defaults to 0.0.
        return_sequences: Whether to return every step's output (else the last). Defaults to
            False.
        return_state: Whether to also return the final state(s). Defaults to False.
        go_backwards: Whether to read the sequence backwards (and return the reversed
            sequence). Defaults to False.
        stateful: Whether each batch's final state is the next batch's initial state.
            Defaults to False.
        unroll: Without effect (neuralab runs a fused loop). Defaults to False.
        seed: A seed of the dropout masks. Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, T, features).
        - Output: (N, units), or (N, T, units) with ``return_sequences=True``; with
          ``return_state=True`` a list [output, h] of (N, units) states.

    Raises:
        ValueError: If ``units`` is not a positive int, a dropout rate is outside [0, 1), the
            input is not (N, T, features) with T > 0, or ``initial_state`` has the wrong shape.
        NotImplementedError: If a constraint, masking or ``use_cudnn=True`` is asked for.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 5, 3), "float32")
        >>> keras.layers.SimpleRNN(4)(x).shape
        (2, 4)
        >>> keras.layers.SimpleRNN(4, return_sequences=True)(x).shape
        (2, 5, 4)
        >>> layer = keras.layers.SimpleRNN(4)
        >>> _ = layer(x)
        >>> [tuple(w.shape) for w in layer.weights]
        [(3, 4), (4, 4), (4,)]
    """

    _gates = 1
    _n_states = 1

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        settings = _settings(locals())
        super().__init__(**settings, recurrent_activation=None, config=dict(settings), **kwargs)

    def _fusable(self) -> bool:
        return _is(self.activation, "tanh") or _is(self.activation, "relu")

    def _run_fused(self, x: Tensor, states: list) -> tuple:
        nonlinearity = "relu" if _is(self.activation, "relu") else "tanh"
        seq = rnn_layer(
            x,
            states[0],
            self.kernel.T,
            self.recurrent_kernel.T,
            self.bias,
            None,
            nonlinearity=nonlinearity,
            reverse=self.go_backwards,
        )
        return seq, [seq[0] if self.go_backwards else seq[-1]]

    def _cell(self, xp: Tensor, states: list, rec_masks: list | None) -> list:
        (z,) = _project_parts(states[0], self.recurrent_kernel, rec_masks, 1, self.units)
        return [self.activation(xp + z)]


# --- LSTM -----------------------------------------------------------------------------------


class LSTM(_RNN):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997).

    ``i, f, o = s(x_t K_* + h_{t-1} U_* + b_*)``, ``g = a(x_t K_c + h_{t-1} U_c + b_c)``,
    ``c_t = f c_{t-1} + i g``, ``h_t = o a(c_t)``; states [h, c]; Keras's gate order i, f, c, o.

    Args:
        units: The size of the hidden state (a positive int).
        activation: The activation ``a``. Defaults to 'tanh'.
        recurrent_activation: The gates' activation ``s``. Defaults to 'sigmoid'.
        use_bias: Whether to add biases. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        recurrent_initializer: The initializer of the recurrent kernel (a name or an initializer).
            Defaults to 'orthogonal'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        unit_forget_bias: Whether the forget gate's bias starts at 1. Defaults to True.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        recurrent_regularizer: A regularizer of the recurrent kernel (its penalty joins
            ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        recurrent_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        dropout: The fraction of the inputs dropped in training, in [0, 1). Defaults to 0.0.
        recurrent_dropout: The fraction of the recurrent state dropped in training, in [0, 1).
            Defaults to 0.0.
        seed: A seed of the dropout masks. Defaults to None.
        return_sequences: Whether to return every step's output (else the last). Defaults to
            False.
        return_state: Whether to also return the final state(s). Defaults to False.
        go_backwards: Whether to read the sequence backwards (and return the reversed
            sequence). Defaults to False.
        stateful: Whether each batch's final state is the next batch's initial state.
            Defaults to False.
        unroll: Without effect (neuralab runs a fused loop). Defaults to False.
        use_cudnn: 'auto' or False (there is no cuDNN). Defaults to 'auto'.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, T, features).
        - Output: (N, units), or (N, T, units) with ``return_sequences=True``; with
          ``return_state=True`` a list [output, h, c] of (N, units) states.

    Raises:
        ValueError: If ``units`` is not a positive int, a dropout rate is outside [0, 1), the
            input is not (N, T, features) with T > 0, or ``initial_state`` has the wrong shape.
        NotImplementedError: If a constraint, masking or ``use_cudnn=True`` is asked for.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 5, 3), "float32")
        >>> keras.layers.LSTM(4)(x).shape
        (2, 4)
        >>> keras.layers.LSTM(4, return_sequences=True)(x).shape
        (2, 5, 4)
        >>> layer = keras.layers.LSTM(4)
        >>> _ = layer(x)
        >>> [tuple(w.shape) for w in layer.weights]
        [(3, 16), (4, 16), (16,)]
    """

    _gates = 4
    _n_states = 2

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        settings = _settings(locals())
        forget_bias = bool(settings.pop("unit_forget_bias"))
        config = {**settings, "unit_forget_bias": forget_bias}
        super().__init__(**settings, config=config, **kwargs)
        self.unit_forget_bias = forget_bias

    def _bias_initializer(self) -> Any:
        """unit_forget_bias: [init(H), ones(H), init(2H)] — the forget gate's bias starts at 1
        (Jozefowicz et al., 2015)."""
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, units = initializers.get(self.bias_initializer), self.units

        def with_forget_ones(shape: tuple, dtype: Any = None) -> Tensor:
            ones = Tensor._from_array(numpy.ones((units,), numpy.float32))
            return ops.cat([init((units,), dtype), ones, init((2 * units,), dtype)], dim=0)

        return with_forget_ones

    def _fusable(self) -> bool:
        return _is(self.activation, "tanh") and _is(self.recurrent_activation, "sigmoid")

    def _run_fused(self, x: Tensor, states: list) -> tuple:
        out = lstm_layer(
            x,
            states[0],
            states[1],
            self.kernel.T,  # Keras's i, f, c, o is PyTorch's i, f, g, o
            self.recurrent_kernel.T,
            self.bias,
            None,
            reverse=self.go_backwards,
        )
        length = x.shape[0]
        if self.go_backwards:  # (c_T, h_1..h_T)
            return out[1:], [out[1], out[0]]
        return out[:length], [out[length - 1], out[length]]

    def _cell(self, xp: Tensor, states: list, rec_masks: list | None) -> list:
        h, c = states
        zh = _project_parts(h, self.recurrent_kernel, rec_masks, 4, self.units)
        zi, zf, zg, zo = (_columns(xp, g, self.units) + zh[g] for g in range(4))
        s, a = self.recurrent_activation, self.activation
        c = s(zf) * c + s(zi) * a(zg)
        return [s(zo) * a(c), c]


# --- GRU ------------------------------------------------------------------------------------


class GRU(_RNN):
    """Gated recurrent unit layer (Cho et al., 2014), Keras's gate order z, r, h.

    ``z, r = s(x_t K_* + h_{t-1} U_* + b_*)``, ``n = a(x_t K_h + r * (h_{t-1} U_h) + b_h)``
    (``reset_after=True``; else ``r`` multiplies ``h_{t-1}`` before ``U_h``),
    ``h_t = z h_{t-1} + (1 - z) n``.

    Args:
        units: The size of the hidden state (a positive int).
        activation: The activation ``a``. Defaults to 'tanh'.
        recurrent_activation: The gates' activation ``s``. Defaults to 'sigmoid'.
        use_bias: Whether to add biases. Defaults to True.
        kernel_initializer: The initializer of ``kernel`` (a name or an initializer).
            Defaults to 'glorot_uniform'.
        recurrent_initializer: The initializer of the recurrent kernel (a name or an initializer).
            Defaults to 'orthogonal'.
        bias_initializer: The initializer of ``bias`` (a name or an initializer).
            Defaults to 'zeros'.
        kernel_regularizer: A regularizer of ``kernel`` (its penalty joins ``model.losses``).
            Defaults to None.
        recurrent_regularizer: A regularizer of the recurrent kernel (its penalty joins
            ``model.losses``).
            Defaults to None.
        bias_regularizer: A regularizer of ``bias`` (its penalty joins ``model.losses``).
            Defaults to None.
        activity_regularizer: A regularizer of the layer's output. Defaults to None.
        kernel_constraint: Only None (constraints are not supported). Defaults to None.
        recurrent_constraint: Only None (constraints are not supported). Defaults to None.
        bias_constraint: Only None (constraints are not supported). Defaults to None.
        dropout: The fraction of the inputs dropped in training, in [0, 1). Defaults to 0.0.
        recurrent_dropout: The fraction of the recurrent state dropped in training, in [0, 1).
            Defaults to 0.0.
        seed: A seed of the dropout masks. Defaults to None.
        return_sequences: Whether to return every step's output (else the last). Defaults to
            False.
        return_state: Whether to also return the final state(s). Defaults to False.
        go_backwards: Whether to read the sequence backwards (and return the reversed
            sequence). Defaults to False.
        stateful: Whether each batch's final state is the next batch's initial state.
            Defaults to False.
        unroll: Without effect (neuralab runs a fused loop). Defaults to False.
        reset_after: Whether ``r`` applies after the recurrent product (two bias rows, as
            cuDNN). Defaults to True.
        use_cudnn: 'auto' or False (there is no cuDNN). Defaults to 'auto'.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, T, features).
        - Output: (N, units), or (N, T, units) with ``return_sequences=True``; with
          ``return_state=True`` a list [output, h] of (N, units) states.

    Raises:
        ValueError: If ``units`` is not a positive int, a dropout rate is outside [0, 1), the
            input is not (N, T, features) with T > 0, or ``initial_state`` has the wrong shape.
        NotImplementedError: If a constraint, masking or ``use_cudnn=True`` is asked for.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 5, 3), "float32")
        >>> keras.layers.GRU(4)(x).shape
        (2, 4)
        >>> keras.layers.GRU(4, return_sequences=True)(x).shape
        (2, 5, 4)
        >>> layer = keras.layers.GRU(4)
        >>> _ = layer(x)
        >>> [tuple(w.shape) for w in layer.weights]
        [(3, 12), (4, 12), (2, 12)]
    """

    _gates = 3
    _n_states = 1

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        reset_after: bool = True,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        settings = _settings(locals())
        reset = bool(settings.pop("reset_after"))
        super().__init__(**settings, config={**settings, "reset_after": reset}, **kwargs)
        self.reset_after = reset

    def _bias_shape(self) -> tuple:
        """reset_after: separate input and recurrent biases, (2, 3H)."""
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self) -> Tensor | None:
        if self.bias is None:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def _fusable(self) -> bool:
        return (
            self.reset_after
            and _is(self.activation, "tanh")
            and _is(self.recurrent_activation, "sigmoid")
        )

    def _run_fused(self, x: Tensor, states: list) -> tuple:
        units = self.units
        bias_ih = bias_hh = None
        if self.bias is not None:
            bias_ih = _gru_to_torch(self.bias[0], units)
            bias_hh = _gru_to_torch(self.bias[1], units)
        seq = gru_layer(
            x,
            states[0],
            _gru_to_torch(self.kernel, units).T,
            _gru_to_torch(self.recurrent_kernel, units).T,
            bias_ih,
            bias_hh,
            reverse=self.go_backwards,
        )
        return seq, [seq[0] if self.go_backwards else seq[-1]]

    def _cell(self, xp: Tensor, states: list, rec_masks: list | None) -> list:
        (h,) = states
        units, s, a = self.units, self.recurrent_activation, self.activation
        xz, xr, xh = (_columns(xp, g, units) for g in range(3))
        if self.reset_after:
            rz, rr, rh = _project_parts(h, self.recurrent_kernel, rec_masks, 3, units)
            if self.bias is not None:
                rz = rz + _columns(self.bias[1], 0, units)
                rr = rr + _columns(self.bias[1], 1, units)
                rh = rh + _columns(self.bias[1], 2, units)
            z, r = s(xz + rz), s(xr + rr)
            n = a(xh + r * rh)
        else:
            zr = self.recurrent_kernel[:, : 2 * units]
            masks = None if rec_masks is None else rec_masks[:2]
            rz, rr = _project_parts(h, zr, masks, 2, units)
            z, r = s(xz + rz), s(xr + rr)
            h_h = h if rec_masks is None else h * rec_masks[-1]
            n = a(xh + (r * h_h) @ _columns(self.recurrent_kernel, 2, units))
        return [z * h + (1 - z) * n]


# --- Bidirectional --------------------------------------------------------------------------


class Bidirectional(Layer):
    """Runs a recurrent layer forward and a copy of it backward, and merges their outputs.

    ``y = merge(forward(x), backward(x))`` with merge 'concat' (on the last axis), 'sum',
    'ave', 'mul', or None (both outputs, as a list). Weights: the forward layer's, then the
    backward layer's.

    Args:
        layer: A ``SimpleRNN``, ``LSTM`` or ``GRU``; the backward copy flips ``go_backwards``.
        merge_mode: 'concat', 'sum', 'ave', 'mul' or None. Defaults to 'concat'.
        weights: Only None (use ``set_weights``). Defaults to None.
        backward_layer: The backward layer, when not a copy of ``layer``. Defaults to None.
        **kwargs: The base ``Layer``'s arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ...).

    Shape:
        - Input: (N, T, features).
        - Output: the wrapped layer's, with the last axis doubled for 'concat'.

    Raises:
        ValueError: If ``layer`` (or ``backward_layer``) is not a recurrent layer, ``merge_mode``
            is unknown, or the two layers disagree (same ``go_backwards``, other settings).
        NotImplementedError: If ``weights`` is given.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> x = np.ones((2, 5, 3), "float32")
        >>> keras.layers.Bidirectional(keras.layers.SimpleRNN(4))(x).shape
        (2, 8)
        >>> keras.layers.Bidirectional(keras.layers.LSTM(4), merge_mode="sum")(x).shape
        (2, 4)
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, _RNN):
            raise ValueError(
                "Bidirectional: please initialize `Bidirectional` layer with a neuralab.keras "
                f"recurrent layer (SimpleRNN, LSTM, GRU), got {layer!r}"
            )
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(
                f"Bidirectional: invalid merge mode {merge_mode!r}; merge mode should be one "
                "of {'sum', 'mul', 'ave', 'concat', None}"
            )
        if weights is not None:
            raise NotImplementedError(
                "neuralab.keras: Bidirectional(weights=...) is not supported; use set_weights"
            )
        super().__init__(**kwargs)
        self.forward_layer = _clone(layer, f"forward_{layer.name.removeprefix('forward_')}")
        if backward_layer is None:
            name = f"backward_{layer.name.removeprefix('backward_')}"
            backward_layer = _clone(layer, name, go_backwards=not layer.go_backwards)
        elif not isinstance(backward_layer, _RNN):
            raise ValueError(f"Bidirectional: backward_layer must be a recurrent layer, got "
                             f"{backward_layer!r}")  # fmt: skip
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Bidirectional: forward layer and backward layer should have different "
                "`go_backwards` values"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, attr) != getattr(self.backward_layer, attr):
                raise ValueError(
                    f"Bidirectional: forward layer and backward layer are expected to have "
                    f'the same value for attribute "{attr}"'
                )
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state
        self.stateful = self.forward_layer.stateful

    def build(self, input_shape: tuple) -> None:
        for layer in (self.forward_layer, self.backward_layer):
            layer._maybe_build(input_shape)

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)  # fmt: skip
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)  # fmt: skip
        states: list = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, 1)
        if self.merge_mode == "concat":
            output: Any = ops.cat([y, y_rev], dim=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], shape[1:]
        if self.merge_mode == "concat":
            shape = (*shape[:-1], shape[-1] * 2)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state or self.merge_mode is None:
            return outputs + states + states
        return shape

    def reset_state(self) -> None:
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "merge_mode": self.merge_mode}


def _clone(layer: _RNN, name: str, **changes: Any) -> _RNN:
    """A fresh copy of a recurrent layer (same arguments, new weights), renamed."""
    config = {**layer.get_config(), **changes, "name": name}
    return type(layer)(**config)
