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

import numpy

import neuralab as nl
from neuralab import nn
from neuralab.lab import plots
from neuralab.lab.report import Figure, Pre, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE
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


def build(config: Config) -> nn.Sequential:
    if config.activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(
            f"forward_pass: activation must be sigmoid, tanh or relu, got {config.activation!r}"
        )
    act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[config.activation]
    model = nn.Sequential(nn.Linear(3, 2), act(), nn.Linear(2, 1), nn.Sigmoid()).double()
    if config.weights == "fixed":
        model.load_state_dict({"0.weight": W1, "0.bias": B1, "2.weight": W2, "2.bias": B2})
    elif config.weights != "random":
        raise ValueError(
            f"forward_pass: weights must be 'fixed' or 'random', got {config.weights!r}"
        )
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
    out = model(nl.tensor(x[None]))
    auto_loss = nl.functional.binary_cross_entropy(out, nl.tensor([[t]], dtype=nl.float64))
    auto_loss.backward()
    auto = {name: p.grad._data for name, p in model.named_parameters()}
    difference = max(float(numpy.abs(hand[k] - auto[k]).max()) for k in hand)
    # one gradient step: p <- p - lr dL/dp
    with nl.no_grad():
        for name, p in model.named_parameters():
            p._data -= config.learning_rate * auto[name]
        y_after = float(model(nl.tensor(x[None]))._data[0, 0])
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
    for j, (hx, hy) in enumerate(hidden):
        for i, (ix, iy) in enumerate(inputs):
            ax.plot([ix, hx], [iy, hy], color="#999", zorder=1)
            ax.text(
                ix + 0.32 * (hx - ix),
                iy + 0.32 * (hy - iy),
                f"{d['W1'][j][i]:+.2f}",
                fontsize=8,
                color="#1f4e79",
                ha="center",
                va="bottom",
            )
        ax.plot([hx, output[0]], [hy, output[1]], color="#999", zorder=1)
        ax.text(
            (hx + output[0]) / 2,
            (hy + output[1]) / 2,
            f"{d['w2'][j]:+.2f}",
            fontsize=8,
            color="#1f4e79",
            ha="center",
            va="bottom",
        )
    for i, (ix, iy) in enumerate(inputs):
        ax.scatter([ix], [iy], s=1500, color="#e8f1fa", edgecolor="#1f4e79", zorder=2)
        ax.text(ix, iy, f"x{i + 1} = {d['x'][i]:g}", ha="center", va="center", fontsize=8)
        ax.text(ix - 0.18, iy, INPUTS[i], ha="right", va="center", fontsize=8)
    for j, (hx, hy) in enumerate(hidden):
        ax.scatter([hx], [hy], s=2600, color="#fdf0e0", edgecolor="#b35900", zorder=2)
        label = f"z = {d['z'][j]:.3f}\nb = {d['b1'][j]:+.2f}\n{activation} = {d['h'][j]:.3f}"
        ax.text(hx, hy, label, ha="center", va="center", fontsize=7)
    ax.scatter([output[0]], [output[1]], s=2600, color="#e6f4e6", edgecolor="#2d7d2d", zorder=2)
    ax.text(
        output[0],
        output[1],
        f"z = {d['z_o']:.3f}\nb = {d['b2']:+.2f}\ny = {d['y']:.3f}",
        ha="center",
        va="center",
        fontsize=7,
    )
    ax.set(xlim=(-1.0, 2.4), ylim=(-0.5, 2.5), title="One email through the 3-2-1 network")
    ax.axis("off")
    return fig


def report(config: Config, seeds: Seeds) -> list:
    d = seeds.first.data
    x, W1_, b1 = d["x"], d["W1"], d["b1"]
    forward = []
    for j in range(2):
        terms = " + ".join(f"({W1_[j][i]:+.2f})({x[i]:g})" for i in range(3))
        forward.append(
            [
                f"hidden {j + 1}",
                f"{terms} + ({b1[j]:+.2f})",
                f"{d['z'][j]:.4f}",
                f"{config.activation}(z) = {d['h'][j]:.4f}",
            ]
        )
    terms = " + ".join(f"({d['w2'][j]:+.2f})({d['h'][j]:.4f})" for j in range(2))
    forward.append(
        ["output", f"{terms} + ({d['b2']:+.2f})", f"{d['z_o']:.4f}", f"sigmoid(z) = {d['y']:.4f}"]
    )
    f = d["factors"]
    backward = [
        [
            "w2_j (output weights)",
            "dL/dz_o * h_j",
            ", ".join(f"{f['dL/dz_o']:.4f} * {h:.4f}" for h in d["h"]),
            ", ".join(f"{v:.4f}" for v in d["hand"]["2.weight"][0]),
            ", ".join(f"{v:.4f}" for v in d["autograd"]["2.weight"][0]),
        ],
        [
            "b2",
            "dL/dz_o",
            f"{f['dL/dz_o']:.4f}",
            f"{d['hand']['2.bias'][0]:.4f}",
            f"{d['autograd']['2.bias'][0]:.4f}",
        ],
    ]
    for j in range(2):
        backward.append(
            [
                f"W1_{j + 1}i (into hidden {j + 1})",
                "dL/dz_o * w2_j * act'(z_j) * x_i",
                f"{f['dL/dz_o']:.4f} * {d['w2'][j]:+.2f} * {f['dh/dz'][j]:.4f} * x_i",
                ", ".join(f"{v:.4f}" for v in d["hand"]["0.weight"][j]),
                ", ".join(f"{v:.4f}" for v in d["autograd"]["0.weight"][j]),
            ]
        )
        hand_b, auto_b = d["hand"]["0.bias"][j], d["autograd"]["0.bias"][j]
        backward.append(
            [f"b1_{j + 1}", "dL/dz_j", f"{f['dL/dz'][j]:.4f}", f"{hand_b:.4f}", f"{auto_b:.4f}"]
        )

    def values(key: str) -> str:
        return ", ".join(f"{v:.4f}" for v in f[key])

    loss = seeds.scalar("email", "loss").mean
    chain = (
        f"L = BCE(y, t) = {loss:.4f} with y = {d['y']:.4f}, t = {d['t']:g}\n"
        f"dL/dy     = -(t/y) + (1-t)/(1-y) = {f['dL/dy']:.4f}\n"
        f"dy/dz_o   = y (1 - y)            = {f['dy/dz_o']:.4f}\n"
        f"dL/dz_o   = dL/dy * dy/dz_o      = {f['dL/dz_o']:.4f}   (= y - t)\n"
        f"dL/dh_j   = dL/dz_o * w2_j       = {values('dL/dh')}\n"
        f"dh_j/dz_j = act'(z_j)            = {values('dh/dz')}   (act = {config.activation})\n"
        f"dL/dz_j   = dL/dh_j * dh_j/dz_j  = {values('dL/dz')}"
    )
    y, t = d["y"], d["t"]
    verdict = "spam" if y >= 0.5 else "not spam"
    right = (y >= 0.5) == (t >= 0.5)
    after = seeds.scalar("email", "loss_after_step").mean
    y_after = seeds.scalar("email", "output_after_step").mean
    difference = max(seeds.values("email", "max_gradient_difference"))
    reading = Text(
        f"The network gives this email a spam probability of y = {y:.3f}, so it calls it "
        f"{verdict}, which is {'right' if right else 'wrong'}: the label is "
        f"{'spam' if t >= 0.5 else 'not spam'}. The loss is {loss:.4f}.",
        f"Backward, the error signal at the output is dL/dz_o = y - t = {f['dL/dz_o']:.4f}; "
        f"each hidden neuron receives it scaled by its outgoing weight and by the slope of "
        f"its activation ({', '.join(f'{v:.3f}' for v in f['dh/dz'])}), and each weight's "
        f"gradient is that signal times the value flowing into the weight. The hand-computed "
        f"gradients equal autograd's to within {difference:.1e}.",
        f"One gradient step with learning rate {config.learning_rate:g} moves y from {y:.3f} "
        f"to {y_after:.3f} and the loss from {loss:.4f} to {after:.4f}"
        + (" — downhill, as it should." if after < loss else " — uphill: the step is too large."),
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
        reading,
    ]


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
