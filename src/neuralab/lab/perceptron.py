"""Study 2, the perceptron: Rosenblatt's learning rule on the logic gates AND, OR and XOR,
and the smallest multi-layer network that solves XOR.

The perceptron (``neuralab.perceptron.Perceptron``) is one neuron with a step activation,

    z = w . x + b,        y = step(z) = 1 if z > 0 else 0,

trained sample by sample by the perceptron rule (eta the learning rate, t the target)

    w <- w + eta (t - y) x,        b <- b + eta (t - y).

Its decision boundary is the line w1 x1 + w2 x2 + b = 0. By the convergence theorem
(Novikoff, 1962) the rule stops making mistakes after finitely many updates whenever the
classes are linearly separable, as for AND and OR. XOR is not separable: no line puts
(0, 1) and (1, 0) on one side and (0, 0), (1, 1) on the other, so every epoch makes at
least one mistake (an epoch without one would leave the weights unchanged, i.e. they
would separate the four points). ``fit`` stops after the first error-free epoch; since
nothing changes after it, the errors-per-epoch curves are padded with zeros up to
``epochs``.

Per seed, the order in which the four samples are visited is drawn from the seed
(``shuffle``); the weights start at w = 0, b = 0 (``init='zeros'``, the textbook start) or,
with ``init='random'``, at w ~ N(0, 0.01^2), b = 0 drawn from the seed.

Then a 2-2-1 multi-layer perceptron on XOR, trained with autograd on the four points
(full batch):

    h = act(x W1 + b1)          (2 hidden units, act = tanh or sigmoid)
    p = sigmoid(h W2 + b2)      (probability of class 1)
    L = -(1/4) sum_n [t_n log p_n + (1 - t_n) log(1 - p_n)]     (binary cross-entropy)

from ``restarts`` independent random starts (PyTorch's default initialization,
U(-1/sqrt(fan_in), 1/sqrt(fan_in)) = U(-0.71, 0.71) for every weight and bias), trained
side by side as one batched model: the parameters of start k are W1[k], b1[k], W2[k],
b2[k], and the loss is the sum of the starts' losses, so each start gets exactly its own
gradient. A start *solves* XOR when it classifies all four points right (p > 0.5 for
class 1). The 2-2-1 network has local minima and plateaus (e.g. one hidden unit dead or
both hidden units computing the same function) in which a start stays at 50 % or 75 %;
the study reports how many starts solved it, not only the best one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

import neuralab as nl
from neuralab import backend, registry
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Measure, Note, Reading
from neuralab.lab.report import Figure
from neuralab.lab.stats import FRACTION, NON_NEGATIVE
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import Metric, compare
from neuralab.perceptron import Perceptron

X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=numpy.float64)
GATES = {
    "AND": numpy.array([0, 0, 0, 1]),
    "OR": numpy.array([0, 1, 1, 1]),
    "XOR": numpy.array([0, 1, 1, 0]),
}
MLP = "MLP 2-2-1 on XOR"
LOSS_POINTS = 200  # the loss curves of the MLP's starts are kept at this many steps


@dataclass
class Config:
    epochs: int = 20  # the perceptron's most passes over the four samples
    lr: float = 1.0  # the perceptron's learning rate eta
    init: str = "zeros"  # 'zeros' (w = 0, b = 0) or 'random' (w ~ N(0, 0.01^2) from the seed)
    shuffle: bool = True  # visit the four samples in an order drawn from the seed
    mlp_activation: str = "tanh"  # of the MLP's hidden layer: 'tanh' or 'sigmoid'
    mlp_optimizer: str = "sgd"  # a name of neuralab.registry: 'sgd' (with momentum), 'adam', ...
    mlp_lr: float = 0.5
    mlp_momentum: float = 0.9  # for 'sgd'
    mlp_steps: int = 2000  # full-batch gradient steps
    restarts: int = 20  # independent random starts of the MLP per seed

    def __post_init__(self) -> None:
        def bad(message: str) -> ValueError:
            return ValueError(f"perceptron: {message}")

        if self.epochs < 1:
            raise bad(f"epochs must be at least 1, got {self.epochs}")
        if not self.lr > 0:
            raise bad(f"lr must be positive, got {self.lr}")
        if self.init not in ("random", "zeros"):
            raise bad(f"init must be 'random' or 'zeros', got {self.init!r}")
        if self.mlp_activation not in ("tanh", "sigmoid"):
            raise bad(f"mlp_activation must be 'tanh' or 'sigmoid', got {self.mlp_activation!r}")
        if self.mlp_optimizer not in registry.OPTIMIZERS:
            names = ", ".join(registry.OPTIMIZERS)
            raise bad(f"mlp_optimizer must be one of {names}, got {self.mlp_optimizer!r}")
        if not self.mlp_lr > 0:
            raise bad(f"mlp_lr must be positive, got {self.mlp_lr}")
        if not 0 <= self.mlp_momentum < 1:
            raise bad(f"mlp_momentum must be in [0, 1), got {self.mlp_momentum}")
        if self.mlp_steps < 1:
            raise bad(f"mlp_steps must be at least 1, got {self.mlp_steps}")
        if self.restarts < 1:
            raise bad(f"restarts must be at least 1, got {self.restarts}")


def train_perceptron(config: Config, gate: str, order: numpy.ndarray, init_seed: int | None):
    """The perceptron trained on one gate, visiting the samples in ``order``; returns it
    with its errors per epoch padded with zeros after convergence."""
    model = Perceptron(2, lr=config.lr, epochs=config.epochs, seed=init_seed)
    model.fit(X[order], GATES[gate][order])
    errors = list(model.errors_) + [0] * (config.epochs - len(model.errors_))
    return model, errors


def last_epoch_path(config: Config, gate: str, order: numpy.ndarray, init_seed: int | None):
    """(w1, w2, b) after each sample visit of the last epoch: the weights after
    ``epochs - 1`` epochs of ``Perceptron.fit``, then one epoch of the rule applied here by
    hand (empty if the perceptron was already error-free before the last epoch)."""
    model = Perceptron(2, lr=config.lr, epochs=max(config.epochs - 1, 1), seed=init_seed)
    if config.epochs > 1:
        model.fit(X[order], GATES[gate][order])
        if model.converged_:
            return []
    w, b = model.weights.copy(), model.bias
    path = []
    for x, t in zip(X[order], GATES[gate][order]):
        update = config.lr * (t - int(x @ w + b > 0))
        w, b = w + update * x, b + update
        path.append([float(w[0]), float(w[1]), float(b)])
    return path


def _mlp_forward(x: nl.Tensor, params: list[nl.Tensor], activation: str) -> nl.Tensor:
    """Logits of every start at once: (K, N, 1) = act(x W1 + b1) W2 + b2."""
    W1, b1, W2, b2 = params
    act = nl.tanh if activation == "tanh" else nl.sigmoid
    return act(x @ W1 + b1) @ W2 + b2


def initial_mlps(restarts: int) -> list[numpy.ndarray]:
    """W1 (K, 2, 2), b1 (K, 1, 2), W2 (K, 2, 1), b2 (K, 1, 1) for K = ``restarts`` starts,
    each entry ~ U(-1/sqrt(2), 1/sqrt(2)) (PyTorch's default for fan_in = 2), drawn from the
    global generator."""
    bound = 1 / numpy.sqrt(2)
    shapes = [(restarts, 2, 2), (restarts, 1, 2), (restarts, 2, 1), (restarts, 1, 1)]
    return [(nl.rand(*s) * (2 * bound) - bound)._data for s in shapes]


def train_mlps(config: Config, initial: list[numpy.ndarray] | None = None) -> dict:
    """Train 2-2-1 networks on XOR side by side (see the module docstring), from
    ``initial`` parameters (default: ``initial_mlps(config.restarts)``); returns their
    parameters, per-step losses, final losses and accuracies."""
    initial = initial_mlps(config.restarts) if initial is None else initial
    k = len(initial[0])
    params = [nl.tensor(numpy.array(q, dtype=numpy.float32)).requires_grad_() for q in initial]
    momentum = config.mlp_momentum if config.mlp_optimizer == "sgd" else 0.0
    opt = registry.make_optimizer(config.mlp_optimizer, params, lr=config.mlp_lr, momentum=momentum)
    x = nl.tensor(X.astype(numpy.float32))
    t = nl.tensor(numpy.broadcast_to(GATES["XOR"].astype(numpy.float32)[None, :, None], (k, 4, 1)))
    keep = set(
        numpy.linspace(0, config.mlp_steps - 1, min(LOSS_POINTS, config.mlp_steps)).astype(int)
    )
    steps, losses = [], []
    for step in range(config.mlp_steps):
        opt.zero_grad()
        logits = _mlp_forward(x, params, config.mlp_activation)
        per_start = nl.functional.binary_cross_entropy_with_logits(logits, t, reduction="none")
        per_start = per_start.mean(dim=(1, 2))  # (K,): each start's own BCE
        per_start.sum().backward()
        opt.step()
        if step in keep:
            steps.append(step + 1)
            losses.append(per_start._data.tolist())
    with nl.no_grad():
        logits = _mlp_forward(x, params, config.mlp_activation)._data[:, :, 0]
    p = 1 / (1 + numpy.exp(-logits.astype(numpy.float64)))
    target = GATES["XOR"]
    final_loss = -(target * numpy.log(p) + (1 - target) * numpy.log(1 - p)).mean(axis=1)
    accuracy = ((p > 0.5) == target).mean(axis=1)
    return {
        "params": [q._data.astype(numpy.float64) for q in params],
        "steps": steps,
        "losses": numpy.array(losses).T.tolist(),  # (K, points)
        "final_loss": final_loss,
        "accuracy": accuracy,
        "probabilities": p,
    }


def mlp_probability(params: list, start: int, points: numpy.ndarray, activation: str):
    """p(x) = sigmoid(logit) of one start at the given points (M, 2), in float64."""
    one = [nl.tensor(numpy.asarray(q, dtype=numpy.float64)[start : start + 1]) for q in params]
    with nl.no_grad():
        logits = _mlp_forward(nl.tensor(numpy.asarray(points, float)), one, activation)
    return 1 / (1 + numpy.exp(-logits._data[0, :, 0]))


def run(config: Config, seed: int) -> Result:
    rng = backend.generator()
    order = rng.permutation(4) if config.shuffle else numpy.arange(4)
    init_seed = int(rng.integers(2**31 - 1)) if config.init == "random" else None
    result = Result()
    perceptrons = {}
    for gate in GATES:
        model, errors = train_perceptron(config, gate, order, init_seed)
        c = f"perceptron {gate}"
        result.curve(c, "errors", errors)
        result.scalar(c, "converged", float(model.converged_))
        result.scalar(c, "epochs_with_errors", sum(1 for e in errors if e > 0))
        result.scalar(c, "last_epoch_errors", errors[-1])
        result.scalar(c, "min_epoch_errors", min(errors))
        result.scalar(c, "updates", sum(errors))
        result.scalar(c, "accuracy", float((model.predict(X) == GATES[gate]).mean()))
        perceptrons[gate] = {
            "w": model.weights.tolist(),
            "b": model.bias,
            "last_epoch": last_epoch_path(config, gate, order, init_seed),
        }
    mlp = train_mlps(config)
    accuracy, loss = mlp["accuracy"], mlp["final_loss"]
    best = int(numpy.lexsort((loss, -accuracy))[0])  # highest accuracy, then lowest loss
    result.scalar(MLP, "solved_fraction", float((accuracy == 1).mean()))
    result.scalar(MLP, "best_accuracy", float(accuracy[best]))
    result.scalar(MLP, "mean_accuracy", float(accuracy.mean()))
    result.scalar(MLP, "best_loss", float(loss[best]))
    result.scalar(MLP, "median_loss", float(numpy.median(loss)))
    result.data = {
        "order": order.tolist(),
        "perceptrons": perceptrons,
        "mlp": {
            "best": best,
            "accuracy": accuracy.tolist(),
            "final_loss": loss.tolist(),
            "probabilities": mlp["probabilities"].tolist(),
            "params": [q.tolist() for q in mlp["params"]],
            "steps": mlp["steps"],
            "losses": mlp["losses"],
        },
    }
    return result


# --- report ------------------------------------------------------------------------------
GRID = numpy.linspace(-0.5, 1.5, 201)
PLANE = dict(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1 (input, 0/1)", ylabel="x2 (input, 0/1)")


def _points(ax, target: numpy.ndarray) -> None:
    for cls, marker, color in ((0, "o", "#1f77b4"), (1, "s", "#d62728")):
        hit = target == cls
        ax.scatter(
            X[hit, 0], X[hit, 1], marker=marker, s=90, color=color, edgecolor="black",
            zorder=3, label=f"target {cls}",
        )  # fmt: skip


def _line(ax, w1: float, w2: float, b: float, **style) -> bool:
    """Draw w1 x1 + w2 x2 + b = 0 (False if w = 0: there is no line)."""
    if abs(w2) > 1e-12:
        ax.plot(GRID, -(w1 * GRID + b) / w2, **style)
    elif abs(w1) > 1e-12:
        ax.axvline(-b / w1, **style)
    else:
        return False
    return True


def _boundaries(seeds: Seeds, config: Config):
    fig, axes = plots.new_figure(ncols=3, width=4.2, height=4.2)
    gx, gy = numpy.meshgrid(GRID, GRID)
    for ax, gate in zip(axes, GATES):
        kept = seeds.first.data["perceptrons"][gate]
        w, b = kept["w"], kept["b"]
        z = w[0] * gx + w[1] * gy + b
        ax.contourf(gx, gy, (z > 0).astype(float), levels=[-0.5, 0.5, 1.5],
                    colors=["#dbe8f5", "#f7dcdc"], alpha=0.8)  # fmt: skip
        distinct = {tuple(q) for q in kept["last_epoch"] if tuple(q) != (w[0], w[1], b)}
        for i, (w1, w2, b_) in enumerate(sorted(distinct)):
            _line(ax, w1, w2, b_, color="#555", linestyle="--", lw=0.9,
                  label="other lines in the last epoch" if i == 0 else None)  # fmt: skip
        if not _line(ax, w[0], w[1], b, color="black", lw=2, label="final: w . x + b = 0"):
            ax.plot([], [], " ", label="final w = 0: no line, all points -> 0")
        _points(ax, GATES[gate])
        errors = seeds.first.curves[f"perceptron {gate}"]["errors"]
        state = (
            f"error-free from epoch {errors.index(0) + 1}"
            if 0 in errors
            else f"{int(errors[-1])} error(s) in epoch {config.epochs}"
        )
        ax.set(**PLANE, title=f"{gate}: {state}")
        ax.set_aspect("equal")
        ax.legend(fontsize="x-small", loc="upper left", framealpha=0.9)
        ax.text(0.98, 0.02, f"w = ({w[0]:g}, {w[1]:g}), b = {b:g}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize="small")  # fmt: skip
    return fig


def _mlp_figure(seeds: Seeds, config: Config):
    d = seeds.first.data["mlp"]
    accuracy = numpy.array(d["accuracy"])
    solved = int((accuracy == 1).sum())
    # the worst start: lowest accuracy, then highest loss
    worst = int(numpy.lexsort((-numpy.array(d["final_loss"]), accuracy))[0])
    fig, axes = plots.new_figure(ncols=3, width=4.4, height=4.2)
    gx, gy = numpy.meshgrid(GRID, GRID)
    points = numpy.stack([gx.ravel(), gy.ravel()], axis=1)
    for ax, start, what in ((axes[0], d["best"], "best start"), (axes[1], worst, "worst start")):
        p = mlp_probability(d["params"], start, points, config.mlp_activation).reshape(gx.shape)
        filled = ax.contourf(gx, gy, p, levels=numpy.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
        ax.contour(gx, gy, p, levels=[0.5], colors="black")
        _points(ax, GATES["XOR"])
        ax.plot([], [], color="black", label="p = 0.5")
        ax.set(**PLANE, title=f"{what} (#{start + 1}): accuracy {100 * accuracy[start]:.0f} %")
        ax.set_aspect("equal")
        ax.legend(fontsize="x-small", loc="upper left")
    fig.colorbar(filled, ax=axes[1], label="p(class 1) (probability)", shrink=0.8)
    ax = axes[2]
    for k, curve in enumerate(d["losses"]):
        ax.plot(d["steps"], curve, color="#2ca02c" if accuracy[k] == 1 else "#d62728", alpha=0.6,
                lw=1)  # fmt: skip
    ax.plot([], [], color="#2ca02c", label=f"solved ({solved} starts)")
    ax.plot([], [], color="#d62728", label=f"not solved ({accuracy.size - solved} starts)")
    ax.set_yscale("log")
    ax.set(
        title=f"Training loss of each of the {accuracy.size} starts", xlabel="step (full batch)",
        ylabel="loss (binary cross-entropy, nats)",
    )  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def _errors_figure(seeds: Seeds, config: Config):
    fig, axes = plots.new_figure(ncols=3, width=4.2, height=3.4)
    epochs = numpy.arange(1, config.epochs + 1)
    for ax, gate, color in zip(axes, GATES, plots.COLORS):
        c = f"perceptron {gate}"
        for i, r in enumerate(seeds.results):
            ax.step(epochs, r.curves[c]["errors"], where="mid", color=color, alpha=0.35, lw=0.8,
                    label="each seed" if i == 0 else None)  # fmt: skip
        plots.band_plot(ax, seeds.curve(c, "errors"), f"{gate}: mean of {len(seeds)} seeds",
                        x=epochs, color=color)  # fmt: skip
        ax.set(
            title=f"{gate}: misclassified samples per epoch", xlabel="epoch",
            ylabel="misclassified samples (of 4)", ylim=(-0.2, 4.2),
        )  # fmt: skip
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return fig


GATE_METRICS = [
    Metric("converged", "converged (share of seeds)", lower_is_better=False, fmt=PERCENT),
    Metric("epochs_with_errors", "epochs with errors"),
    Metric("last_epoch_errors", "errors in the last epoch"),
    Metric("min_epoch_errors", "fewest errors in an epoch"),
    Metric("updates", "weight updates"),
    Metric("accuracy", "final accuracy", lower_is_better=False, fmt=PERCENT),
]
MLP_METRICS = [
    Metric("solved_fraction", "starts solving XOR (per seed)", lower_is_better=False, fmt=PERCENT),
    Metric("mean_accuracy", "mean accuracy", lower_is_better=False, fmt=PERCENT),
    Metric("best_accuracy", "best start's accuracy", lower_is_better=False, fmt=PERCENT),
    Metric("best_loss", "best start's loss"),
    Metric("median_loss", "median loss"),
]


def findings(config: Config, seeds: Seeds) -> list[list]:
    """The reading, as findings in paragraphs: per gate, on how many seeds it is learned
    and how long that takes (or how many mistakes remain); whether the separable gates
    are learned and XOR is not (the convergence theorem); how many of the MLP's starts
    solve XOR, whether the best start of every seed does, and whether any got stuck."""
    n = len(seeds)
    learned = {g: int(sum(seeds.values(f"perceptron {g}", "converged"))) for g in GATES}
    gates = []
    for gate, k in learned.items():
        c = f"perceptron {gate}"
        what = f"is learned (an epoch without a mistake within {config.epochs} epochs)"
        gates.append(Count(f"learned:{gate}", gate, what, k, n))
        if k == n:
            what = "number of epochs with a mistake (all before its first error-free one)"
            gates.append(
                Measure(f"epochs:{gate}", gate, what, seeds.scalar(c, "epochs_with_errors"))
            )
        else:
            what = f"number of misclassified samples (of 4) in epoch {config.epochs}"
            gates.append(
                Measure(
                    f"last_epoch_errors:{gate}", gate, what, seeds.scalar(c, "last_epoch_errors")
                )
            )
            what = "fewest mistakes in any epoch"
            gates.append(
                Measure(f"fewest_errors:{gate}", gate, what, seeds.scalar(c, "min_epoch_errors"))
            )
    if learned["AND"] == learned["OR"] == n and learned["XOR"] == 0:
        contrast = Note(
            "separable",
            "The perceptron's single line can separate AND and OR but not XOR: on XOR an "
            "error-free epoch would leave a line separating the four points, and there is "
            "none, so every epoch makes a mistake (the convergence theorem holds only for "
            "separable classes); the rule keeps moving the line back and forth, each update "
            "fixing one point and breaking another.",
        )
    else:
        contrast = Note(
            "contrast_unclear",
            "Unexpectedly, the separable/non-separable contrast does not show cleanly here: "
            "for XOR the rule keeps moving the line back and forth, each update fixing one "
            "point and breaking another.",
        )
    best_accuracy = seeds.values(MLP, "best_accuracy")
    best = f"the best of its {config.restarts} starts"
    share = f"share of random starts ({config.mlp_activation} hidden layer) that solve XOR"
    mlp = [
        Measure(
            "mlp_solved", "the 2-2-1 network", share, seeds.scalar(MLP, "solved_fraction"), PERCENT
        ),
        Count("best_start_solves", best, "solves XOR", sum(b == 1 for b in best_accuracy), n),
    ]
    if min(seeds.values(MLP, "solved_fraction")) < 1:
        mlp.append(Note(
            "starts_stuck",
            "The other starts end in a local minimum or a plateau of the loss (the flat red "
            "curves), classifying only some of the points: the hidden layer makes XOR "
            "solvable, it does not make it easy to find.",
        ))  # fmt: skip
    else:
        mlp.append(Note("no_start_stuck", "No start got stuck in a local minimum here."))
    return [gates, [contrast], mlp]


def report(config: Config, seeds: Seeds) -> list:
    n = len(seeds)
    gates = compare(
        seeds, [f"perceptron {g}" for g in GATES], {f"perceptron {g}": g for g in GATES},
        GATE_METRICS, title="Perceptron on the logic gates", column="gate",
        note=f"Over {n} seeds, at most {config.epochs} epochs, learning rate {config.lr:g}, "
        f"init {config.init!r}.",
    )  # fmt: skip
    starts = config.restarts * n
    solved = round(sum(seeds.values(MLP, "solved_fraction")) * config.restarts)
    setting = f"{config.mlp_activation} hidden, {config.mlp_optimizer} lr {config.mlp_lr:g}"
    mlp = compare(
        seeds, [MLP], {MLP: "2-2-1"}, MLP_METRICS, settings={MLP: setting},
        title="2-2-1 MLP on XOR", column="network",
        note=f"{solved} of {starts} starts solve XOR ({config.restarts} starts per seed, "
        f"{config.mlp_steps} full-batch steps); loss = binary cross-entropy in nats.",
    )  # fmt: skip
    return [
        Figure(
            _errors_figure(seeds, config),
            "Errors per epoch",
            f"Mean over {n} seeds (bold) with its 95 % band, cut to the possible range 0-4, "
            "and each seed (thin); after the first error-free epoch the weights no longer "
            "change, so the curve stays at 0.",
        ),
        Figure(
            _boundaries(seeds, config),
            "The perceptron's decision boundaries",
            "First seed: the final line w . x + b = 0 over the four points; red shading is "
            "where the perceptron outputs 1.",
        ),
        gates.table,
        Figure(
            _mlp_figure(seeds, config),
            "The 2-2-1 MLP on XOR",
            "First seed: p(class 1) over the input plane for the best and the worst start "
            "(black: the p = 0.5 boundary), and every start's training loss.",
        ),
        mlp.table,
        Reading(*findings(config, seeds)),
    ]


STUDY = Study(
    name="perceptron",
    title="2. The perceptron: AND, OR and XOR",
    question=(
        "Which logic gates can Rosenblatt's perceptron learn, how fast, and what does it "
        "take for a network to learn XOR?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={"mlp_steps": 1000, "restarts": 10},
    bounds={
        **dict.fromkeys(("errors", "last_epoch_errors", "min_epoch_errors"), (0.0, 4.0)),
        **dict.fromkeys(
            ("epochs_with_errors", "updates", "best_loss", "median_loss"), NON_NEGATIVE
        ),
        **dict.fromkeys(
            ("converged", "accuracy", "solved_fraction", "best_accuracy", "mean_accuracy"), FRACTION
        ),
    },
)
