"""Recurrent layers as fused ops: one graph node runs a whole sequence of one layer in one
direction (forward: a loop over time; backward: back-propagation through time, a loop back
over time).

Shapes: x (T, N, I), h0 and c0 (N, H), weight_ih (G*H, I), weight_hh (G*H, H), biases
(G*H,), with G = 1 (RNN), 4 (LSTM, PyTorch's gate order i, f, g, o) or 3 (GRU, r, z, n).
``reverse=True`` runs the sequence from t = T-1 down to 0 (the backward direction of a
bidirectional layer); the outputs stay aligned with the inputs' time steps.

The cost is in the T small steps each way, so a step is kept to one small matrix product
and a few NumPy calls on contiguous blocks:

- inside the ops, a step's arrays are *feature-major*: the gate sums z_t^T are (G*H, N),
  so each gate is a contiguous block of rows (NumPy runs elementwise calls on contiguous
  blocks several times faster than on column slices). The LSTM's gates are reordered once
  per call to o, i, f, g, so that the sigmoid gates are one block; the parameters keep
  PyTorch's layout.
- RNN and LSTM: every step's input [h_{t-1}; x_t; 1] sits in one buffer, so a step is ONE
  product [W_hh | W_ih | b] [h_{t-1}; x_t; 1] (no separate input projection, nothing to
  add), and after the loop d[W_hh | W_ih | b] is one product over all steps. The GRU,
  whose r gate multiplies the hidden part of n alone, projects x for all steps in one
  batched product before the loop and computes W_hh h_{t-1} per step.
- sigmoid(z) = 1 / (1 + e^-z): the sigmoid gates' weight rows are negated once per call,
  so one exp call (NumPy's float32 exp costs about half its tanh) and two cheap passes
  cover the sigmoid gates of a step, and the LSTM's g too (tanh(z) = 2 sigmoid(2z) - 1,
  its rows scaled by -2).
- backward writes each step's gate-sum gradients into a gate-major (G, T, N) buffer,
  which is already the (G, T*N) matrix of the products after the loop (no transposed
  copy).
- when a gradient will be needed, forward also stores, per step, the factors of the
  backward rule that do not depend on the incoming gradient (gate derivatives times their
  partners) while those values are in cache; backward's loop then keeps only the
  recurrence dh_{t-1} = W_hh^T dz_t and a few products, and computes the weight, bias and
  input gradients after it, one matrix product each over all time steps.
- per-step arrays are views of buffers allocated once per call (``out=``), taken from the
  array cache (``neuralab.ops.array_cache``), which hands them out again in the next call
  once nothing else uses them.

The ``Function`` base returns one array per op; the LSTM therefore returns its hidden
sequence with the last cell state appended on the time axis, (T + 1, N, H), and
``neuralab.nn.LSTM`` splits it by indexing. Outputs are views of feature-major buffers
(not C-contiguous); every op of the library accepts them.
"""

from __future__ import annotations

from typing import Any

from neuralab.backend import array_module
from neuralab.function import Function, ShapeError
from neuralab.ops._numba import kernels_for
from neuralab.ops.array_cache import cache
from neuralab.tensor import Tensor, is_grad_enabled


# --- shared helpers ---------------------------------------------------------------------
def _empty(shape: tuple, like: Any) -> Any:
    """An uninitialized array of ``shape`` with the dtype and array module of ``like``, from
    the array cache (an LSTM step's buffers are megabytes; see ``neuralab.ops.array_cache``)."""
    return cache.empty(shape, like.dtype, array_module(like))


def _steps(length: int, reverse: bool) -> range:
    """The time steps in processing order."""
    return range(length - 1, -1, -1) if reverse else range(length)


def _add_biases(b_ih: Any, b_hh: Any) -> Any:
    if b_ih is None:
        return b_hh
    return b_ih if b_hh is None else b_ih + b_hh


def _row_scale(rows: int, first: int, value: float, like: Any, rest: float = 1.0) -> Any:
    """A (rows, 1) column: ``value`` on the first ``first`` rows, ``rest`` below."""
    scale = array_module(like).full((rows, 1), rest, dtype=like.dtype)
    scale[:first] = value
    return scale


def _sigmoid_of_negated(a: Any) -> Any:
    """In place: a = -z  ->  sigmoid(z) = 1 / (1 + e^-z).

    One exp and two cheap passes: NumPy's float32 exp is about twice as fast as its tanh,
    so this beats sigmoid(z) = (1 + tanh(z/2)) / 2. e^-z overflows to inf for z < -88
    (float32), which gives the right limit 0 (callers silence the overflow warning)."""
    xp = array_module(a)
    xp.exp(a, out=a)
    a += 1
    return xp.divide(1, a, out=a)


def _feature_major(grad: Any) -> Any:
    """A gradient (T', N, H) as a contiguous (T', H, N) array (cached)."""
    t, n, h = grad.shape
    out = _empty((t, h, n), grad)
    out[...] = grad.transpose(0, 2, 1)
    return out


def _by_rows(dz: Any) -> Any:
    """Per-step gradients (T, G, N) -> (G, T*N) (cached): one row per gate unit, every
    step and sample side by side, so that a sum over time is one matrix product."""
    t, g, n = dz.shape
    out = _empty((g, t, n), dz)
    out[...] = dz.transpose(1, 0, 2)
    return out.reshape(g, t * n)


# --- per-step inputs [h_{t-1}; x_t; 1] (RNN and LSTM) ----------------------------------
def _step_inputs(x: Any, h0: Any, hidden: int, has_bias: bool, reverse: bool, lead: int) -> tuple:
    """Every step's input [h_{t-1}; x_t; 1] side by side in one buffer (F, T + 1 + lead, N),
    F = H + I (+ 1 with a bias), so that a step is ONE matrix product with
    [W_hh | W_ih | b] (no separate input projection, no adding) and the weights'
    gradient after the loop is one product over all steps too.

    Step t reads slot t + s and writes h_t into the h rows of the slot of the step that
    reads it next (t + s + 1 forward, t + s - 1 in reverse); the h rows of the step
    processed first hold h0. s = 0 forward, 1 + lead in reverse; ``lead`` = 1 leaves one
    more slot for the LSTM's last cell state (after the sequence forward, before it in
    reverse). Returns (buffer, s).
    """
    length, batch, features = x.shape
    start = 1 + lead if reverse else 0
    buf = _empty((hidden + features + has_bias, length + 1 + lead, batch), x)
    buf[hidden : hidden + features, start : start + length] = x.transpose(2, 0, 1)
    if has_bias:
        buf[-1, start : start + length] = 1
    buf[:hidden, start + (length - 1 if reverse else 0)] = h0.T
    return buf, start


def _cat_weights(weight_ih: Any, weight_hh: Any, bias: Any) -> Any:
    """[W_hh | W_ih | b]: (G, H + I (+ 1))."""
    parts = (weight_hh, weight_ih) if bias is None else (weight_hh, weight_ih, bias[:, None])
    return array_module(weight_ih).concatenate(parts, axis=1)


def _split_cat(grad: Any, hidden: int, features: int, has_bias: bool) -> tuple:
    """The gradient of [W_hh | W_ih | b] -> (dW_hh, dW_ih, db or None)."""
    bias = grad[:, hidden + features] if has_bias else None
    return grad[:, :hidden], grad[:, hidden : hidden + features], bias


def _cat_grads(dz: Any, buf: Any, start: int, w_ih: Any, needs_w: bool, needs_x: bool) -> tuple:
    """After the loop, from dz (G, T, N) (C-contiguous: backward writes step t's gradients
    into dz[:, t], so that no transposed copy is needed here): d[W_hh | W_ih | b] =
    sum_t dz_t [h_{t-1}; x_t; 1]^T, one product over all steps (dz as (G, T*N)), and
    dx_t = dz_t W_ih (each or None)."""
    _, length, batch = dz.shape
    dz2 = dz.reshape(dz.shape[0], -1)
    grad_cat = None
    if needs_w:
        inputs = buf[:, start : start + length].reshape(buf.shape[0], -1)
        grad_cat = dz2 @ inputs.T
    grad_x = (dz2.T @ w_ih).reshape(length, batch, w_ih.shape[1]) if needs_x else None
    return grad_cat, grad_x


# --- vanilla RNN ------------------------------------------------------------------------
class RNNLayer(Function):
    """Elman RNN over a sequence:  h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),
    act = tanh or relu. Output: (h_1, ..., h_T), (T, N, H).

    Backward through time, with dh_t = g_t + dh_t^(rec) (the gradient from the output at t
    plus the one from step t+1) and the activation's derivative act' = 1 - h_t^2 (tanh)
    or [h_t > 0] (relu):
      dz_t = dh_t * act'_t,   dh_{t-1}^(rec) = dz_t W_hh   (dh0 = dh_0^(rec))
      dW_ih = sum_t dz_t^T x_t,  dW_hh = sum_t dz_t^T h_{t-1},  db_ih = db_hh = sum_t dz_t,
      dx_t = dz_t W_ih.
    """

    @staticmethod
    def forward(ctx, x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, *,
                nonlinearity="tanh", reverse=False, grad=True):  # fmt: skip
        xp = array_module(x)
        length, batch, _ = x.shape
        hidden = weight_hh.shape[1]
        bias = _add_biases(bias_ih, bias_hh)
        buf, start = _step_inputs(x, h0, hidden, bias is not None, reverse, 0)
        w = _cat_weights(weight_ih, weight_hh, bias)
        relu = nonlinearity == "relu"
        a = _empty((hidden, batch), x)
        step = -1 if reverse else 1
        for t in _steps(length, reverse):
            xp.matmul(w, buf[:, start + t], out=a)
            h = buf[:hidden, start + t + step]
            if relu:
                xp.maximum(a, 0, out=h)
            else:
                xp.tanh(a, out=h)
        seq = buf[:hidden, start + step : start + step + length]  # (H, T, N)
        if grad:
            ctx.relu, ctx.reverse, ctx.bias = relu, reverse, bias is not None
            ctx.save_for_backward(buf, start, weight_ih, weight_hh)
        return seq.transpose(1, 2, 0)

    @staticmethod
    def backward(ctx, grad):
        buf, start, w_ih, w_hh = ctx.saved
        xp = array_module(grad)
        needs = ctx.needs_input_grad
        g = _feature_major(grad)
        length, hidden, _ = g.shape
        seq = buf[:hidden, start + (-1 if ctx.reverse else 1) :]
        dz = _empty((hidden, length, g.shape[2]), g)  # gate-major: see _cat_grads
        deriv = xp.empty_like(g[0])
        dh_rec = xp.empty_like(deriv)
        w_hh_t = w_hh.T
        steps = _steps(length, not ctx.reverse)  # back through time
        last = steps[-1]
        for k, t in enumerate(steps):
            h = seq[:, t]
            if ctx.relu:
                xp.sign(h, out=deriv)  # 1 where h > 0, else 0
            else:
                xp.multiply(h, h, out=deriv)
                xp.subtract(1, deriv, out=deriv)  # 1 - h^2
            d = dz[:, t]
            if k:
                xp.add(g[t], dh_rec, out=d)
                d *= deriv
            else:
                xp.multiply(g[t], deriv, out=d)
            if t != last or needs[1]:
                xp.matmul(w_hh_t, d, out=dh_rec)
        grad_cat, grad_x = _cat_grads(dz, buf, start, w_ih, any(needs[2:]), needs[0])
        grad_w_hh = grad_w_ih = grad_b = None
        if grad_cat is not None:
            grad_w_hh, grad_w_ih, grad_b = _split_cat(grad_cat, hidden, w_ih.shape[1], ctx.bias)
        return (
            grad_x,
            dh_rec.T if needs[1] else None,
            grad_w_ih,
            grad_w_hh,
            grad_b if needs[4] else None,
            grad_b.copy() if needs[5] else None,
        )


# --- LSTM -------------------------------------------------------------------------------
def _lstm_rows(w: Any) -> Any:
    """PyTorch's gate blocks (i, f, g, o) -> the internal order (o, i, f, g)."""
    h = w.shape[0] // 4
    return array_module(w).concatenate((w[3 * h :], w[: 3 * h]))


def _lstm_rows_back(g: Any) -> Any:
    """The internal order (o, i, f, g) -> PyTorch's (i, f, g, o)."""
    h = g.shape[0] // 4
    return array_module(g).concatenate((g[h:], g[:h]))


class LSTMLayer(Function):
    """LSTM over a sequence (PyTorch's formulation, gate order i, f, g, o):

      i = s(W_ii x + b_ii + W_hi h + b_hi),  f = s(W_if x + b_if + W_hf h + b_hf),
      g = tanh(W_ig x + b_ig + W_hg h + b_hg),  o = s(W_io x + b_io + W_ho h + b_ho),
      c' = f * c + i * g,  h' = o * tanh(c'),   s = sigmoid.

    Output (T + 1, N, H): the hidden states h_1..h_T (aligned with the input's steps) and
    the last cell state c_T, after them (forward) or before them (reverse=True): the slot
    past the sequence in processing order.

    Backward through time, with dh_t = g^h_t + dh_t^(rec) and dc_t = dc_t^(rec) +
    dh_t * o_t * (1 - tanh^2 c_t) (dc_T^(rec) = the gradient of c_T):
      do = dh_t * tanh(c_t),  di = dc_t * g_t,  df = dc_t * c_{t-1},  dg = dc_t * i_t,
      dz = (do o(1-o), di i(1-i), df f(1-f), dg (1-g^2)) (gradients of the gate sums),
      dc_{t-1}^(rec) = dc_t * f_t,  dh_{t-1}^(rec) = dz_t W_hh,
      dW_ih = sum_t dz_t^T x_t,  dW_hh = sum_t dz_t^T h_{t-1},  db_ih = db_hh = sum_t dz_t,
      dx_t = dz_t W_ih,  dh0 = dh_0^(rec),  dc0 = dc_0^(rec).

    Inside (gates in the order o, i, f, g): one exp per step gives a = s(z) for the sigmoid
    gates and a = s(2z) for g (the weight rows are scaled by -1 and -2 once per call, so
    a = 1 / (1 + e^(Wu)) for all rows), g = tanh(z) = 2a - 1, and s' = a (1 - a),
    tanh'(z) = 4 a (1 - a). Forward overwrites each step's gate values, once used, with
    K = a (1 - a) * (tanh c_t, g, c_{t-1}, i), and keeps K_c = o (1 - tanh^2 c_t) and f;
    a backward step is then dz' = (dh, dc, dc, dc) * K, dc = dc^(rec) + dh K_c. The 4 of
    the g gate goes into the weights once (dh^(rec) = (W_hh * (1, 1, 1, 4))^T dz') and into
    the rows of dW after the loop.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, *,
                reverse=False, grad=True):  # fmt: skip
        xp = array_module(x)
        length, batch, _ = x.shape
        hidden = weight_hh.shape[1]
        h2, h3 = 2 * hidden, 3 * hidden
        bias = _add_biases(bias_ih, bias_hh)
        buf, start = _step_inputs(x, h0, hidden, bias is not None, reverse, 1)
        w = _lstm_rows(_cat_weights(weight_ih, weight_hh, bias))
        w *= _row_scale(4 * hidden, h3, -1, x, rest=-2)  # a = s(z) on o, i, f, s(2z) on g
        z = _empty((length, 4 * hidden, batch), x)  # gate values, then K
        k_c = _empty((length, hidden, batch), z) if grad else None
        forget = _empty(k_c.shape, z) if grad else None
        d = xp.empty_like(z[0])
        ig = _empty((hidden, batch), z)
        tc = xp.empty_like(ig)
        c_a, c_b = xp.empty_like(ig), xp.empty_like(ig)
        c = c0.T
        step = -1 if reverse else 1
        fast = kernels_for(x)
        one, two = x.dtype.type(1), x.dtype.type(2)
        with xp.errstate(over="ignore"):  # e^(-z) = inf for very negative z: s(z) = 0
            for t in _steps(length, reverse):
                a = z[t]
                xp.matmul(w, buf[:, start + t], out=a)  # -z (o, i, f), -2z (g)
                if fast is not None:  # the same step, fused (neuralab.ops._numba_lstm)
                    fast.sigmoid_of_negated(a.reshape(-1))
                    c_new = c_a if c is not c_a else c_b
                    fast.lstm_gates(z, t, c, c_new, forget if grad else z, grad, one, two)
                    fast.tanh_into(c_new.reshape(-1), tc.reshape(-1))
                    slot = start + t + step
                    fast.lstm_out(z, t, tc, buf, slot, k_c if grad else z, grad, one)
                    c = c_new
                    continue
                _sigmoid_of_negated(a)
                if grad:
                    xp.subtract(1, a, out=d)
                    d *= a  # a (1 - a)
                o, i, f, g = a[:hidden], a[hidden:h2], a[h2:h3], a[h3:]
                g *= 2
                g -= 1  # tanh(z) = 2 s(2z) - 1
                c_new = c_a if c is not c_a else c_b
                xp.multiply(f, c, out=c_new)
                xp.multiply(i, g, out=ig)
                c_new += ig  # c' = f c + i g
                xp.tanh(c_new, out=tc)
                h = buf[:hidden, start + t + step]
                xp.multiply(o, tc, out=h)  # h' = o tanh(c')
                if grad:  # K replaces the gate values in z; f is kept for dc_{t-1} = dc f
                    kc = k_c[t]
                    xp.multiply(h, tc, out=kc)
                    xp.subtract(o, kc, out=kc)  # K_c = o (1 - tanh^2 c') = o - h' tanh c'
                    forget[t] = f
                    xp.multiply(d[:hidden], tc, out=o)  # K_o = a_o (1 - a_o) tanh c'
                    d_g = d[h3:]
                    d_g *= i  # K_g = a_g (1 - a_g) i, before i is overwritten
                    xp.multiply(d[hidden:h2], g, out=i)  # K_i = a_i (1 - a_i) g
                    xp.multiply(d[h2:h3], c, out=f)  # K_f = a_f (1 - a_f) c
                    g[...] = d_g
                c = c_new
        last_cell = 0 if reverse else length + 1
        buf[:hidden, last_cell] = c
        if grad:
            ctx.reverse, ctx.bias = reverse, bias is not None
            ctx.save_for_backward(buf, start, w, z, forget, k_c)
        first = 0 if reverse else 1
        return buf[:hidden, first : first + length + 1].transpose(1, 2, 0)

    @staticmethod
    def backward(ctx, grad):
        buf, start, w, k, forget, k_c = ctx.saved
        xp = array_module(grad)
        needs = ctx.needs_input_grad
        length, gates, batch = k.shape
        hidden = gates // 4
        h3 = 3 * hidden
        four = _row_scale(gates, h3, 1, k, rest=4)  # tanh'(z) = 4 a (1 - a) on g
        w_q = w * _row_scale(gates, h3, -1, k, rest=-2)  # W * (1, 1, 1, 4) (w has -1, -2)
        g = _feature_major(grad)
        cell_grad = g[0] if ctx.reverse else g[length]
        seq_grad = g[1:] if ctx.reverse else g[:length]
        dz = _empty((4, hidden, length, batch), k)  # gate-major: see _cat_grads
        dz_steps = dz.reshape(gates, length, batch)
        dh = xp.empty_like(k_c[0])
        dc = xp.empty_like(dh)
        tmp = xp.empty_like(dh)
        dh_rec = xp.empty_like(dh)
        dc_rec = cell_grad.copy()
        w_hh_t = w_q[:, :hidden].T
        steps = _steps(length, not ctx.reverse)  # back through time
        last = steps[-1]
        fast = kernels_for(g)
        for n, t in enumerate(steps):
            if fast is not None:  # the same step fused (neuralab.ops._numba_lstm)
                fast.lstm_step_backward(
                    g, int(ctx.reverse), t, dh_rec, n > 0, k_c, k, forget, dc_rec, dz
                )
                if t != last or needs[1]:
                    xp.matmul(w_hh_t, dz_steps[:, t], out=dh_rec)
                continue
            dh_t = xp.add(seq_grad[t], dh_rec, out=dh) if n else seq_grad[t]
            xp.multiply(dh_t, k_c[t], out=tmp)
            xp.add(dc_rec, tmp, out=dc)  # dc = dc^(rec) + dh o (1 - tanh^2 c)
            xp.multiply(dh_t, k[t, :hidden], out=dz[0, :, t])  # dz'_o = dh K_o
            xp.multiply(  # (dz'_i, dz'_f, dz'_g) = dc (K_i, K_f, K_g)
                dc, k[t, hidden:].reshape(3, hidden, batch), out=dz[1:, :, t]
            )
            xp.multiply(dc, forget[t], out=dc_rec)  # dc_{t-1} = dc f
            if t != last or needs[1]:
                xp.matmul(w_hh_t, dz_steps[:, t], out=dh_rec)
        features = w.shape[1] - hidden - ctx.bias
        w_ih_q = w_q[:, hidden : hidden + features]
        grad_cat, grad_x = _cat_grads(dz_steps, buf, start, w_ih_q, any(needs[3:]), needs[0])
        grad_w_hh = grad_w_ih = grad_b = None
        if grad_cat is not None:
            grad_cat *= four
            grad_w_hh, grad_w_ih, grad_b = _split_cat(
                _lstm_rows_back(grad_cat), hidden, features, ctx.bias
            )
        return (
            grad_x,
            dh_rec.T if needs[1] else None,
            dc_rec.T if needs[2] else None,
            grad_w_ih,
            grad_w_hh,
            grad_b if needs[5] else None,
            grad_b.copy() if needs[6] else None,
        )


# --- GRU --------------------------------------------------------------------------------
def _prev_split(length: int, reverse: bool) -> tuple[slice, slice, int]:
    """(cur, prev, first): step cur[k] reads the state written by step prev[k]; step
    ``first`` (processed first) reads the initial state instead."""
    if reverse:
        return slice(0, length - 1), slice(1, length), length - 1
    return slice(1, length), slice(0, length - 1), 0


def _augment(x: Any, bias: Any) -> Any:
    """x (T, N, I) -> (T, N, I + 1) with a column of ones when there is a bias (so that
    [W | b] [x; 1] = W x + b), else x made contiguous."""
    if bias is None:
        return array_module(x).ascontiguousarray(x)
    out = _empty(x.shape[:2] + (x.shape[2] + 1,), x)
    out[..., :-1] = x
    out[..., -1] = 1
    return out


def _with_bias(weight: Any, bias: Any) -> Any:
    """[W | b]: (G, I) -> (G, I + 1); W itself when there is no bias."""
    if bias is None:
        return weight
    return array_module(weight).concatenate((weight, bias[:, None]), axis=1)


def _project(w_aug: Any, x_aug: Any) -> Any:
    """z_t^T = [W | b] [x_t; 1]^T for every step in one batched product: (T, G, N)."""
    t, n, _ = x_aug.shape
    out = _empty((t, w_aug.shape[0], n), x_aug)
    return array_module(x_aug).matmul(w_aug, x_aug.transpose(0, 2, 1), out=out)


def _weight_grads(dz: Any, dz_h: Any, x_aug: Any, hidden: Any, h0: Any, w_ih: Any,
                  needs: tuple, reverse: bool) -> tuple:  # fmt: skip
    """After the loop, one matrix product each over all time steps:

      [dW_ih | db] = sum_t dz_t^T [x_t, 1],  dW_hh = sum_t dz^h_t^T h_{t-1},
      dx_t = dz_t W_ih

    dz: the gate sums' gradients (T, G, N); dz_h: the hidden side's (the GRU's n gate
    differs: dn * r). h_{t-1} is the hidden sequence (H, T', N) shifted by one step, h0 (N, H) at
    the first step: the product is split in two so that the shifted sequence is never
    copied. Returns (dx, [dW_ih | db], dW_hh, dz_h as (G, T*N)) in the internal row order.
    """
    length, gates, batch = dz.shape
    need_x, need_wih, need_whh = needs
    dz2 = _by_rows(dz)
    grad_x = grad_w_ih = grad_w_hh = None
    if need_x:
        grad_x = (dz2.T @ w_ih).reshape(length, batch, w_ih.shape[1])
    if need_wih:
        grad_w_ih = dz2 @ x_aug.reshape(length * batch, -1)
    dzh2 = _by_rows(dz_h)
    if need_whh:
        cur, prev, first = _prev_split(length, reverse)
        grad_w_hh = dz_h[first] @ h0
        if length > 1:
            rows = hidden.shape[0]
            steps = dzh2.reshape(gates, length, batch)[:, cur].reshape(gates, -1)
            grad_w_hh += steps @ hidden[:, prev].reshape(rows, -1).T
    return grad_x, grad_w_ih, grad_w_hh, dzh2


def _split_bias(grad_aug: Any, has_bias: bool) -> tuple:
    """[dW | db] -> (dW, db)."""
    if grad_aug is None or not has_bias:
        return grad_aug, None
    return grad_aug[:, :-1], grad_aug[:, -1]


class GRULayer(Function):
    """GRU over a sequence (PyTorch's formulation, gate order r, z, n):

      r = s(W_ir x + b_ir + W_hr h + b_hr),  z = s(W_iz x + b_iz + W_hz h + b_hz),
      n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.

    Output: (h_1, ..., h_T), (T, N, H).

    Backward through time, with dh_t = g_t + dh_t^(rec) and m_t = W_hn h_{t-1} + b_hn:
      dn = dh_t (1 - z) (1 - n^2)          (gradient of n's sum),
      dz = dh_t (h_{t-1} - n) z (1 - z),  dr = dn * m_t * r (1 - r),
      input side dz^x_t = (dr, dz, dn),  hidden side dz^h_t = (dr, dz, dn * r),
      dh_{t-1}^(rec) = dh_t * z + dz^h_t W_hh,
      dW_ih = sum_t dz^x_t^T x_t,  db_ih = sum_t dz^x_t,  dW_hh = sum_t dz^h_t^T h_{t-1},
      db_hh = sum_t dz^h_t,  dx_t = dz^x_t W_ih,  dh0 = dh_0^(rec).

    Forward stores K = (r (1 - r) m_t, z (1 - z) (h_{t-1} - n), (1 - z)(1 - n^2)) per step,
    so a backward step is (dz, dn) = dh * (K_z, K_n), dr = dn * K_r.
    """

    @staticmethod
    def forward(ctx, x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, *,
                reverse=False, grad=True):  # fmt: skip
        xp = array_module(x)
        length, batch, _ = x.shape
        hidden = weight_hh.shape[1]
        h2 = 2 * hidden
        bias = None  # input side: b_ih, plus b_hh for r and z (b_hn stays inside r * m)
        if bias_ih is not None or bias_hh is not None:
            bias = xp.zeros(3 * hidden, dtype=x.dtype)
            if bias_ih is not None:
                bias += bias_ih
            if bias_hh is not None:
                bias[:h2] += bias_hh[:h2]
        b_hn = None if bias_hh is None else bias_hh[h2:, None]
        x_aug = _augment(x, bias)
        negate = _row_scale(3 * hidden, h2, -1, x)  # -z on r and z: see _sigmoid_of_negated
        z = _project(_with_bias(weight_ih, bias) * negate, x_aug)  # (T, 3H, N)
        w_hh_neg = weight_hh * negate
        out = _empty((hidden, length, batch), z)  # h_t at [:, t]
        k = _empty(z.shape, z) if grad else None
        m = xp.empty_like(z[0])
        tmp = xp.empty_like(m[:hidden])
        diff = xp.empty_like(tmp)
        h = h0.T
        with xp.errstate(over="ignore"):  # e^(-z) = inf for very negative z: s(z) = 0
            for t in _steps(length, reverse):
                a = z[t]
                xp.matmul(w_hh_neg, h, out=m)
                m_n = m[h2:]
                if b_hn is not None:
                    m_n += b_hn
                rz = a[:h2]
                rz += m[:h2]
                _sigmoid_of_negated(rz)
                r, zg, n = a[:hidden], a[hidden:h2], a[h2:]
                xp.multiply(r, m_n, out=tmp)
                n += tmp
                xp.tanh(n, out=n)  # n = tanh(W_in x + b_in + r m)
                xp.subtract(h, n, out=diff)
                xp.multiply(zg, diff, out=tmp)
                h_new = out[:, t]
                xp.add(n, tmp, out=h_new)  # h' = n + z (h - n)
                if grad:
                    k_r, k_z, k_n = k[t, :hidden], k[t, hidden:h2], k[t, h2:]
                    xp.subtract(1, zg, out=k_n)
                    xp.multiply(k_n, zg, out=k_z)
                    k_z *= diff  # K_z = z (1 - z) (h - n)
                    xp.multiply(n, n, out=tmp)
                    xp.subtract(1, tmp, out=tmp)
                    k_n *= tmp  # K_n = (1 - z) (1 - n^2)
                    xp.subtract(1, r, out=k_r)
                    k_r *= r
                    k_r *= m_n  # K_r = r (1 - r) m
                h = h_new
        if grad:
            ctx.reverse, ctx.bias = reverse, bias is not None
            ctx.save_for_backward(x_aug, h0, weight_ih, weight_hh, z, k, out)
        return out.transpose(1, 2, 0)

    @staticmethod
    def backward(ctx, grad):
        x_aug, h0, w_ih, w_hh, z, k, out = ctx.saved
        xp = array_module(grad)
        needs = ctx.needs_input_grad
        length, gates, batch = k.shape
        hidden = gates // 3
        h2 = 2 * hidden
        g = _feature_major(grad)
        dzx = _empty(k.shape, k)
        dzh = _empty(k.shape, k)
        dh = xp.empty_like(g[0])
        tmp = xp.empty_like(dh)
        dh_rec = xp.empty_like(dh)
        w_hh_t = w_hh.T
        steps = _steps(length, not ctx.reverse)  # back through time
        last = steps[-1]
        for n, t in enumerate(steps):
            dh_t = xp.add(g[t], dh_rec, out=dh) if n else g[t]
            d, e = dzx[t], dzh[t]
            xp.multiply(  # (dz, dn) = dh (K_z, K_n)
                dh_t,
                k[t, hidden:].reshape(2, hidden, batch),
                out=d[hidden:].reshape(2, hidden, batch),
            )
            dn = d[h2:]
            xp.multiply(dn, k[t, :hidden], out=d[:hidden])  # dr = dn K_r
            e[:h2] = d[:h2]
            xp.multiply(dn, z[t, :hidden], out=e[h2:])  # dn * r
            if t != last or needs[1]:
                xp.matmul(w_hh_t, e, out=dh_rec)
                xp.multiply(dh_t, z[t, hidden:h2], out=tmp)
                dh_rec += tmp  # dh_{t-1} = dh z + W_hh^T dz^h
        grad_x, grad_aug, grad_w_hh, dzh2 = _weight_grads(
            dzx, dzh, x_aug, out, h0, w_ih,
            (needs[0], needs[2] or needs[4] or needs[5], needs[3]), ctx.reverse,
        )  # fmt: skip
        grad_w_ih, grad_b = _split_bias(grad_aug, ctx.bias)
        grad_b_hh = None
        if needs[5]:
            grad_b_hh = xp.empty(gates, dtype=dh.dtype)
            grad_b_hh[:h2] = grad_b[:h2]
            grad_b_hh[h2:] = dzh2[h2:].sum(axis=1)
        return (
            grad_x,
            dh_rec.T if needs[1] else None,
            grad_w_ih if needs[2] else None,
            grad_w_hh,
            grad_b if needs[4] else None,
            grad_b_hh,
        )


# --- public functions -------------------------------------------------------------------
def _data(t: Any) -> Any:
    return t._data if isinstance(t, Tensor) else t


def _check(name: str, gates: int, x: Any, states: tuple, weight_ih: Any, weight_hh: Any,
           bias_ih: Any, bias_hh: Any) -> None:  # fmt: skip
    """Shapes and dtypes of one layer's inputs; raises ShapeError naming what does not fit."""
    xs, wi, wh = _data(x), _data(weight_ih), _data(weight_hh)
    if xs.ndim != 3:
        raise ShapeError(f"{name}: expected input of shape (T, N, I), got {xs.shape}")
    if xs.shape[0] == 0:
        raise ShapeError(f"{name}: expected a sequence of at least one step, got {xs.shape}")
    hidden = wh.shape[-1]
    expected_w = {"weight_ih": (gates * hidden, xs.shape[2]), "weight_hh": (gates * hidden,
                  hidden)}  # fmt: skip
    for label, w in (("weight_ih", wi), ("weight_hh", wh)):
        if w.shape != expected_w[label]:
            raise ShapeError(
                f"{name}: {label} must have shape {expected_w[label]} for input {xs.shape} and "
                f"hidden size {hidden}, got {w.shape}"
            )
    for label, b in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if b is not None and _data(b).shape != (gates * hidden,):
            raise ShapeError(
                f"{name}: {label} must have shape ({gates * hidden},), got {_data(b).shape}"
            )
    for label, s in states:
        if _data(s).shape != (xs.shape[1], hidden):
            raise ShapeError(
                f"{name}: {label} must have shape {(xs.shape[1], hidden)} for input "
                f"{xs.shape}, got {_data(s).shape}"
            )
    dtypes = {_data(a).dtype for a in (x, weight_ih, weight_hh, bias_ih, bias_hh)
              + tuple(s for _, s in states) if a is not None}  # fmt: skip
    if len(dtypes) > 1:
        raise TypeError(
            f"{name}: input, states and weights must have one dtype, got "
            f"{', '.join(sorted(str(d) for d in dtypes))}"
        )


def _zeros_state(x: Any, weight_hh: Any) -> Any:
    xs = _data(x)
    return array_module(xs).zeros((xs.shape[1], _data(weight_hh).shape[1]), dtype=xs.dtype)


def _grad_needed(*inputs: Any) -> bool:
    """Whether ``apply`` will record a node: gradients on and an input that requires one
    (forward then also stores what backward needs)."""
    return is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in inputs)


def _run_layer(mode: str, x: Any, h0: Any, c0: Any, weights: Any, reverse: bool) -> Tensor:
    """One layer and direction without checks (``neuralab.nn`` checks its inputs first).

    mode: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'; h0, c0: (N, H) or None (zeros);
    weights: (weight_ih, weight_hh, bias_ih or None, bias_hh or None).
    """
    if h0 is None:
        h0 = _zeros_state(x, weights[1])
    grad = _grad_needed(x, h0, c0, *weights)
    if mode == "LSTM":
        if c0 is None:
            c0 = _zeros_state(x, weights[1])
        return LSTMLayer.apply(x, h0, c0, *weights, reverse=reverse, grad=grad)
    if mode == "GRU":
        return GRULayer.apply(x, h0, *weights, reverse=reverse, grad=grad)
    nonlinearity = "relu" if mode == "RNN_RELU" else "tanh"
    return RNNLayer.apply(x, h0, *weights, nonlinearity=nonlinearity, reverse=reverse, grad=grad)


def rnn_layer(
    input: Tensor,
    hx: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
    reverse: bool = False,
) -> Tensor:
    """One Elman RNN layer over a whole sequence in one direction (see ``RNNLayer``):
    input (T, N, I), hx (N, H) or None (zeros); returns the hidden states (T, N, H)."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_layer: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    hx = _zeros_state(input, weight_hh) if hx is None else hx
    _check("rnn_layer", 1, input, (("hx", hx),), weight_ih, weight_hh, bias_ih, bias_hh)
    mode = "RNN_RELU" if nonlinearity == "relu" else "RNN_TANH"
    return _run_layer(mode, input, hx, None, (weight_ih, weight_hh, bias_ih, bias_hh), reverse)


def lstm_layer(
    input: Tensor,
    hx: Tensor | None,
    cx: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    reverse: bool = False,
) -> Tensor:
    """One LSTM layer over a whole sequence in one direction (see ``LSTMLayer``):
    input (T, N, I), hx and cx (N, H) or None (zeros); returns (T + 1, N, H): the hidden
    states h_1..h_T (aligned with the input's steps) and the final cell state, last
    (``out[T]``) or, with reverse=True, first (``out[0]``)."""
    hx = _zeros_state(input, weight_hh) if hx is None else hx
    cx = _zeros_state(input, weight_hh) if cx is None else cx
    _check("lstm_layer", 4, input, (("hx", hx), ("cx", cx)), weight_ih, weight_hh, bias_ih,
           bias_hh)  # fmt: skip
    return _run_layer("LSTM", input, hx, cx, (weight_ih, weight_hh, bias_ih, bias_hh), reverse)


def gru_layer(
    input: Tensor,
    hx: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    reverse: bool = False,
) -> Tensor:
    """One GRU layer over a whole sequence in one direction (see ``GRULayer``):
    input (T, N, I), hx (N, H) or None (zeros); returns the hidden states (T, N, H)."""
    hx = _zeros_state(input, weight_hh) if hx is None else hx
    _check("gru_layer", 3, input, (("hx", hx),), weight_ih, weight_hh, bias_ih, bias_hh)
    return _run_layer("GRU", input, hx, None, (weight_ih, weight_hh, bias_ih, bias_hh), reverse)
