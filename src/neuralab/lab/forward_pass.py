"""Study 1, the forward pass: one email through a 3-2-1 network, every weighted sum, bias
and activation shown, then one backward pass with each chain-rule factor shown and
checked against autograd, and one gradient step.

The email has 3 inputs: x1 = 1 if it contains "free", x2 = the number of exclamation
marks, x3 = its length in hundreds of words. The network:

    z_j = sum_i W1_ji x_i + b1_j,   h_j = act(z_j)           (2 hidden neurons)
    z_o = sum_j w2_j h_j + b2,      y = sigmoid(z_o)         (probability of spam)
    L = -(t log y + (1 - t) log(1 - y))                      (binary cross-entropy)

and backward, by the chain rule:

    dL/dz_o = dL/dy * dy/dz_o = (-(t/y) + (1-t)/(1-y)) * y (1 - y) = y - t
    dL/dw2_j = dL/dz_o * h_j,        dL/db2 = dL/dz_o
    dL/dz_j = dL/dz_o * w2_j * act'(z_j)
    dL/dW1_ji = dL/dz_j * x_i,       dL/db1_j = dL/dz_j
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy

import neuralab as nl
from neuralab import nn, registry
from neuralab.lab import plots
from neuralab.lab.findings import Fmt, Measure, Note, Reading, Threshold
from neuralab.lab.report import Figure, Pre, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, estimate
from neuralab.lab.study import Result, Seeds, Study

INPUTS = ("contains 'free'", "exclamation marks", "length (100 words)")
# Hand-chosen weights: hidden neuron 1 reacts to spam signals, neuron 2 to long, calm text.
W1 = [[2.0, 0.6, -0.4], [-1.0, -0.3, 1.2]]
B1 = [-1.0, 0.2]
W2 = [[2.2, -1.6]]
B2 = [-0.3]


@dataclass
class Config:
    free: float = 1.0
    exclamations: float = 3.0
    length: float = 0.5
    target: float = 1.0  # 1: spam, 0: not spam
    activation: str = "sigmoid"  # of the hidden layer: 'sigmoid', 'tanh' or 'relu'
    learning_rate: float = 0.5
    weights: str = "fixed"  # 'fixed' (the hand-chosen ones) or 'random' (from the seed)

    def __post_init__(self) -> None:
        if self.activation not in ("sigmoid", "tanh", "relu"):
            raise ValueError(
                f"forward_pass: activation must be sigmoid, tanh or relu, got {self.activation!r}"
            )
        if self.weights not in ("fixed", "random"):
            raise ValueError(
                f"forward_pass: weights must be 'fixed' or 'random', got {self.weights!r}"
            )
        if not 0 <= self.target <= 1:
            raise ValueError(f"forward_pass: target must be in [0, 1], got {self.target}")


def _derivative(activation: str, z: numpy.ndarray, h: numpy.ndarray) -> numpy.ndarray:
    """act'(z): sigmoid h (1 - h), tanh 1 - h^2, relu 1 if z > 0 else 0."""
    if activation == "sigmoid":
        return h * (1 - h)
    if activation == "tanh":
        return 1 - h * h
    return (z > 0).astype(float)


def build(config: Config) -> nn.Module:
    """The 3-2-1 network (the registry's MLP, output z_o: y = sigmoid(z_o) is applied
    outside) in float64, with the hand-chosen weights or, for 'random', PyTorch's default
    initialization drawn from the global generator."""
    model = registry.make_model(
        "mlp", in_features=3, classes=1, hidden=(2,), activation=config.activation
    ).double()
    if config.weights == "fixed":
        model.load_state_dict({"0.weight": W1, "0.bias": B1, "2.weight": W2, "2.bias": B2})
    return model


def run(config: Config, seed: int) -> Result:
    model = build(config)
    x = numpy.array([config.free, config.exclamations, config.length])
    t = config.target
    W1_, b1 = model[0].weight._data.copy(), model[0].bias._data.copy()
    w2, b2 = model[2].weight._data[0].copy(), float(model[2].bias._data[0])
    # forward, by hand
    z = W1_ @ x + b1
    h = {
        "sigmoid": lambda v: 1 / (1 + numpy.exp(-v)),
        "tanh": numpy.tanh,
        "relu": lambda v: numpy.maximum(v, 0),
    }[config.activation](z)
    z_o = float(w2 @ h + b2)
    y = 1 / (1 + numpy.exp(-z_o))
    loss = -(t * numpy.log(y) + (1 - t) * numpy.log(1 - y))
    # backward, by hand: each chain-rule factor
    dL_dy = -(t / y) + (1 - t) / (1 - y)
    dy_dzo = y * (1 - y)
    dL_dzo = dL_dy * dy_dzo
    dL_dh = dL_dzo * w2
    dh_dz = _derivative(config.activation, z, h)
    dL_dz = dL_dh * dh_dz
    hand = {
        "0.weight": numpy.outer(dL_dz, x),
        "0.bias": dL_dz,
        "2.weight": (dL_dzo * h)[None],
        "2.bias": numpy.array([dL_dzo]),
    }
    # the same with autograd
    out = nl.sigmoid(model(nl.tensor(x[None])))
    auto_loss = nl.functional.binary_cross_entropy(out, nl.tensor([[t]], dtype=nl.float64))
    auto_loss.backward()
    auto = {name: p.grad._data.copy() for name, p in model.named_parameters()}
    difference = max(float(numpy.abs(hand[k] - auto[k]).max()) for k in hand)
    # one gradient step: p <- p - lr dL/dp (plain SGD)
    registry.make_optimizer("sgd", model.parameters(), lr=config.learning_rate).step()
    with nl.no_grad():
        y_after = float(nl.sigmoid(model(nl.tensor(x[None])))._data[0, 0])
    loss_after = -(t * numpy.log(y_after) + (1 - t) * numpy.log(1 - y_after))
    result = Result()
    for key, value in (
        ("output", y),
        ("loss", loss),
        ("output_after_step", y_after),
        ("loss_after_step", loss_after),
        ("max_gradient_difference", difference),
        ("forward_difference", abs(float(out._data[0, 0]) - y)),
    ):
        result.scalar("email", key, value)
    result.data = {
        "x": x.tolist(),
        "W1": W1_.tolist(),
        "b1": b1.tolist(),
        "w2": w2.tolist(),
        "b2": b2,
        "z": z.tolist(),
        "h": h.tolist(),
        "z_o": z_o,
        "y": y,
        "t": t,
        "factors": {
            "dL/dy": dL_dy,
            "dy/dz_o": dy_dzo,
            "dL/dz_o": dL_dzo,
            "dL/dh": dL_dh.tolist(),
            "dh/dz": dh_dz.tolist(),
            "dL/dz": dL_dz.tolist(),
        },
        "hand": {k: v.tolist() for k, v in hand.items()},
        "autograd": {k: v.tolist() for k, v in auto.items()},
    }
    return result


def _diagram(d: dict, activation: str) -> object:
    fig, (ax,) = plots.new_figure(width=8, height=4.6)
    inputs = [(0.0, 2.0 - i) for i in range(3)]
    hidden = [(1.0, 1.5 - j) for j in range(2)]
    output = (2.0, 1.0)
    weight = {"fontsize": 8, "color": "#1f4e79", "ha": "center", "va": "bottom"}
    neuron = {"ha": "center", "va": "center", "fontsize": 7}
    for j, (hx, hy) in enumerate(hidden):
        for i, (ix, iy) in enumerate(inputs):
            ax.plot([ix, hx], [iy, hy], color="#999", zorder=1)
            ax.text(ix + 0.32 * (hx - ix), iy + 0.32 * (hy - iy), f"{d['W1'][j][i]:+.2f}", **weight)
        ax.plot([hx, output[0]], [hy, output[1]], color="#999", zorder=1)
        ax.text((hx + output[0]) / 2, (hy + output[1]) / 2, f"{d['w2'][j]:+.2f}", **weight)
    for i, (ix, iy) in enumerate(inputs):
        ax.scatter([ix], [iy], s=1500, color="#e8f1fa", edgecolor="#1f4e79", zorder=2)
        ax.text(ix, iy, f"x{i + 1} = {d['x'][i]:g}", ha="center", va="center", fontsize=8)
        ax.text(ix - 0.18, iy, INPUTS[i], ha="right", va="center", fontsize=8)
    for j, (hx, hy) in enumerate(hidden):
        ax.scatter([hx], [hy], s=2600, color="#fdf0e0", edgecolor="#b35900", zorder=2)
        label = f"z = {d['z'][j]:.3f}\nb = {d['b1'][j]:+.2f}\n{activation} = {d['h'][j]:.3f}"
        ax.text(hx, hy, label, **neuron)
    ax.scatter([output[0]], [output[1]], s=2600, color="#e6f4e6", edgecolor="#2d7d2d", zorder=2)
    label = f"z = {d['z_o']:.3f}\nb = {d['b2']:+.2f}\ny = {d['y']:.3f}"
    ax.text(*output, label, **neuron)
    ax.set(xlim=(-1.0, 2.4), ylim=(-0.5, 2.5), title="One email through the 3-2-1 network")
    ax.axis("off")
    return fig


def _join(values: Any) -> str:
    return ", ".join(f"{v:.4f}" for v in numpy.ravel(values))


def report(config: Config, seeds: Seeds) -> list:
    d, f = seeds.first.data, seeds.first.data["factors"]
    x, W1_, b1, w2 = d["x"], d["W1"], d["b1"], d["w2"]
    forward = []
    for j in range(2):
        terms = " + ".join(f"({W1_[j][i]:+.2f})({x[i]:g})" for i in range(3))
        z, h = f"{d['z'][j]:.4f}", f"{config.activation}(z) = {d['h'][j]:.4f}"
        forward.append([f"hidden {j + 1}", f"{terms} + ({b1[j]:+.2f})", z, h])
    terms = " + ".join(f"({w2[j]:+.2f})({d['h'][j]:.4f})" for j in range(2))
    output = [f"{terms} + ({d['b2']:+.2f})", f"{d['z_o']:.4f}", f"sigmoid(z) = {d['y']:.4f}"]
    forward.append(["output", *output])
    hand, auto, signal = d["hand"], d["autograd"], f"{f['dL/dz_o']:.4f}"
    backward = [
        ["w2_j (output weights)", "dL/dz_o * h_j", ", ".join(f"{signal} * {h:.4f}" for h in d["h"]),
         _join(hand["2.weight"]), _join(auto["2.weight"])],
        ["b2", "dL/dz_o", signal, _join(hand["2.bias"]), _join(auto["2.bias"])],
    ]  # fmt: skip
    for j in range(2):
        backward += [
            [f"W1_{j + 1}i (into hidden {j + 1})", "dL/dz_o * w2_j * act'(z_j) * x_i",
             f"{signal} * {w2[j]:+.2f} * {f['dh/dz'][j]:.4f} * x_i",
             _join(hand["0.weight"][j]), _join(auto["0.weight"][j])],
            [f"b1_{j + 1}", "dL/dz_j", f"{f['dL/dz'][j]:.4f}", _join(hand["0.bias"][j]),
             _join(auto["0.bias"][j])],
        ]  # fmt: skip
    chain = (
        f"L = BCE(y, t) = {seeds.first.scalars['email']['loss']:.4f} with y = {d['y']:.4f}, "
        f"t = {d['t']:g}\n"
        f"dL/dy     = -(t/y) + (1-t)/(1-y) = {f['dL/dy']:.4f}\n"
        f"dy/dz_o   = y (1 - y)            = {f['dy/dz_o']:.4f}\n"
        f"dL/dz_o   = dL/dy * dy/dz_o      = {signal}   (= y - t)\n"
        f"dL/dh_j   = dL/dz_o * w2_j       = {_join(f['dL/dh'])}\n"
        f"dh_j/dz_j = act'(z_j)            = {_join(f['dh/dz'])}   (act = {config.activation})\n"
        f"dL/dz_j   = dL/dh_j * dh_j/dz_j  = {_join(f['dL/dz'])}"
    )
    return [
        Figure(
            _diagram(d, config.activation),
            "The network and its values for this email",
            "Each edge carries its weight; each neuron shows its weighted sum z, bias b and "
            "activation.",
        ),
        Table(
            "Forward pass: weighted sums and activations",
            ["neuron", "z = sum w x + b", "z", "activation"],
            forward,
        ),
        Pre(chain, "Backward pass: the chain-rule factors"),
        Table(
            "Backward pass: every gradient by hand and by autograd",
            ["parameter", "chain rule", "factors", "by hand", "autograd"],
            backward,
        ),
        Reading(*findings(config, seeds)),
        Text(
            "Backward, each hidden neuron receives the output's error signal y - t scaled by "
            "its outgoing weight and by the slope of its activation, and each weight's "
            "gradient is that signal times the value flowing into the weight."
        ),
    ]


def findings(config: Config, seeds: Seeds) -> list[list]:
    """The reading, as findings in paragraphs: the spam probability against 0.5 (the call)
    and whether the call matches the label, with the loss; the error signal and how far
    the hand-computed gradients are from autograd's; the gradient step's effect and
    whether it went downhill."""
    call = Threshold(
        "spam_call",
        "the network",
        "spam probability y for this email",
        seeds.scalar("email", "output"),
        0.5,
        above=True,
        meaning="the line between calling it spam and not spam",
    )
    label, right = config.target >= 0.5, call.holds == (config.target >= 0.5)
    signal = estimate([r.data["factors"]["dL/dz_o"] for r in seeds.results])
    loss, after = seeds.scalar("email", "loss"), seeds.scalar("email", "loss_after_step")
    step = f"after one gradient step (learning rate {config.learning_rate:g})"
    return [
        [
            call,
            Note(f"call:{'right' if right else 'wrong'}",
                 f"The email's label is {'spam' if label else 'not spam'}, so the call is "
                 f"{'right' if right else 'wrong'}."),
            Measure("loss", "the network", "loss L = BCE(y, t) (nats)", loss, Fmt(4)),
        ],
        [
            Measure("error_signal", "the output", "error signal dL/dz_o = y - t", signal, Fmt(4)),
            Threshold("hand_equals_autograd", "the hand computation",
                      "largest difference from autograd's gradients",
                      seeds.scalar("email", "max_gradient_difference"), 1e-10, above=False,
                      meaning="the tolerance for float64 rounding", fmt=Fmt(2)),
        ],
        [
            Measure("output_after_step", "the network", f"spam probability {step}",
                    seeds.scalar("email", "output_after_step")),
            Measure("loss_after_step", "the network", f"loss {step}", after, Fmt(4)),
            Note("step:downhill", "The step went downhill, as it should.")
            if after.mean < loss.mean
            else Note("step:uphill", "The step went uphill: the learning rate is too large."),
        ],
    ]  # fmt: skip


STUDY = Study(
    name="forward_pass",
    title="1. The forward pass, step by step",
    question=(
        "What exactly does a network compute for one input, and how does backpropagation "
        "turn the error into a gradient for every weight?"
    ),
    config=Config,
    run=run,
    report=report,
    bounds={
        "output": FRACTION,
        "output_after_step": FRACTION,
        "loss": NON_NEGATIVE,
        "loss_after_step": NON_NEGATIVE,
        "max_gradient_difference": NON_NEGATIVE,
        "forward_difference": NON_NEGATIVE,
    },
)
