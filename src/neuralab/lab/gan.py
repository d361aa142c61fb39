"""Study 10, GANs: a generator G and a discriminator D trained against each other
(``neuralab.gan.train_gan``), on a 2-D mixture of Gaussians and on MNIST digits.

D outputs a logit d(x), D(x) = sigmoid(d(x)). Each step updates D on
L_D = -log D(x) - log(1 - D(G(z))), then G on the non-saturating L_G = -log D(G(z)).
At the game's equilibrium G's samples are distributed as the data, D(x) = 1/2 everywhere
and L_D = 2 log 2 ~ 1.386. The classic failure is mode collapse: G covers a few modes of
the data well and ignores the rest. On the mixture it is measured directly
(``neuralab.gan.mode_coverage``): a mode counts as covered when at least a quarter of its
fair share of the samples lie within 3 standard deviations of its center. The mixture's
discriminator is a PacGAN's (Lin et al., 2018): it judges two samples at once, all real or
all generated, so a generator whose samples miss a mode or crowd another is easier to
tell apart. A plain GAN (``mixture_pack=1``) on the quick settings left one of the 8 modes
with a tenth to a fifth of its share at the last step in about 1 run in 10 (seeds and float
rounding decided which), also after 3000 steps. On MNIST the
samples are shown, and their mean image is compared with the data's mean digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from neuralab import registry
from neuralab.data import gaussian_mixture_centers, make_gaussian_mixture
from neuralab.gan import mode_coverage, train_gan
from neuralab.lab import plots
from neuralab.lab.findings import PERCENT, Count, Fmt, Measure, Note, Reading, Threshold
from neuralab.lab.report import Figure
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, estimate
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import window_means, window_steps
from neuralab.models import Discriminator, Generator

SHOWN = 500  # 2-D samples kept per snapshot for the plots
DIGITS = 16  # MNIST samples kept per snapshot
SETTLED = 0.15  # |D(G(z)) - 1/2| below this: D can barely tell the samples apart
EQUILIBRIUM = "2 log 2 = 1.386 at the equilibrium"
VARIED = 0.7  # pixel spread above this share of the data's: samples about as varied


@dataclass
class Config:
    modes: int = 8
    radius: float = 2.0
    std: float = 0.1
    mixture_steps: int = 3000
    mixture_hidden: int = 64
    mixture_latent: int = 4
    mixture_learning_rate: float = 2e-3
    mixture_batch: int = 128
    mixture_pack: int = 2  # PacGAN: D judges this many samples at once (1: a plain GAN)
    mnist_steps: int = 5000
    mnist_images: int = 60_000
    mnist_latent: int = 64
    mnist_hidden: tuple[int, ...] = (256, 512)
    mnist_learning_rate: float = 2e-4
    mnist_batch: int = 64
    snapshots: int = 4
    smoothing: int = 50  # steps per point of the plotted loss curves

    def __post_init__(self) -> None:
        counts = "modes mixture_steps mixture_hidden mixture_latent mixture_batch mixture_pack"
        for name in (*counts.split(), "mnist_latent", "mnist_batch", "snapshots", "smoothing"):
            if getattr(self, name) < 1:
                raise ValueError(f"gan: {name} must be positive, got {getattr(self, name)}")
        if self.mnist_steps < 0:
            raise ValueError(
                f"gan: mnist_steps must be 0 (skip MNIST) or more, got {self.mnist_steps}"
            )
        if not self.std > 0 or not self.radius > 0:
            raise ValueError(f"gan: std and radius must be positive, got {self.std}, {self.radius}")
        if not 0 < self.mnist_images <= 60_000:
            raise ValueError(f"gan: mnist_images must be in 1..60000, got {self.mnist_images}")


def _train(config: Config, part: str, G, D, data, n_samples: int):
    """``train_gan`` on ``part``'s settings (``{part}_latent``, ``_steps``, ``_batch``,
    ``_learning_rate``) with Adam, beta_1 = 0.5 as DCGAN (Radford et al., 2016) trains both
    networks, sampling ``n_samples`` points from fixed noise ``config.snapshots`` times."""
    lr, steps = getattr(config, f"{part}_learning_rate"), getattr(config, f"{part}_steps")
    g_opt, d_opt = (
        registry.make_optimizer("adam", m.parameters(), lr=lr, betas=(0.5, 0.999)) for m in (G, D)
    )
    return train_gan(
        G,
        D,
        data,
        latent_dim=getattr(config, f"{part}_latent"),
        steps=steps,
        batch_size=getattr(config, f"{part}_batch"),
        pack=config.mixture_pack if part == "mixture" else 1,
        g_optimizer=g_opt,
        d_optimizer=d_opt,
        sample_every=max(1, steps // config.snapshots),
        n_samples=n_samples,
    )


def _mixture(config: Config, seed: int, result: Result) -> None:
    X, _ = make_gaussian_mixture(
        10_000, config.modes, radius=config.radius, std=config.std, seed=seed
    )
    G = Generator(config.mixture_latent, 2, (config.mixture_hidden,) * 2, output_activation=None)
    D = Discriminator(2 * config.mixture_pack, (config.mixture_hidden,) * 2)
    history = _train(config, "mixture", G, D, X, n_samples=2000)
    centers = gaussian_mixture_centers(config.modes, config.radius)
    coverage = {s: mode_coverage(v, centers, config.std) for s, v in history.samples.items()}
    final = coverage[config.mixture_steps]
    result.scalar("mixture", "modes_covered", final.covered)
    result.scalar("mixture", "high_quality", final.high_quality)
    result.scalar("mixture", "final_d_loss", numpy.mean(history.d_loss[-config.smoothing :]))
    result.scalar("mixture", "final_d_fake", numpy.mean(history.d_fake[-config.smoothing :]))
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        result.curve("mixture", name, window_means(getattr(history, name), config.smoothing))
    result.curve("mixture", "modes_covered", [coverage[s].covered for s in sorted(coverage)])
    result.data["mixture"] = {
        "steps": sorted(coverage),
        "counts": final.counts,
        "samples": {str(s): numpy.round(v[:SHOWN], 3).tolist() for s, v in history.samples.items()},
        "real": numpy.round(X[:SHOWN], 3).tolist(),
    }


def _mnist(config: Config, seed: int, result: Result) -> None:
    # mnist_images training images drawn by the seed (one test image: the splits need one)
    splits = registry.load_splits(
        "mnist", n_train=config.mnist_images, n_val=0, n_test=1, seed=seed
    )
    images = splits.train[0]
    G = Generator(config.mnist_latent, 784, config.mnist_hidden)
    D = Discriminator(784, tuple(reversed(config.mnist_hidden)))
    history = _train(config, "mnist", G, D, images, n_samples=256)
    mean_digit = images.mean(axis=0)
    steps = sorted(history.samples)
    correlation = [
        float(numpy.corrcoef(history.samples[s].mean(0), mean_digit)[0, 1]) for s in steps
    ]
    spread = [float(history.samples[s].std(axis=0).mean()) for s in steps]
    result.scalar("mnist", "mean_image_correlation", correlation[-1])
    result.scalar("mnist", "pixel_spread", spread[-1])
    result.scalar("mnist", "data_pixel_spread", float(images.std(axis=0).mean()))
    result.scalar("mnist", "final_d_loss", numpy.mean(history.d_loss[-config.smoothing :]))
    for name in ("d_loss", "g_loss"):
        result.curve("mnist", name, window_means(getattr(history, name), config.smoothing))
    result.curve("mnist", "mean_image_correlation", correlation)
    result.data["mnist"] = {
        "steps": steps,
        "samples": {str(s): numpy.round(history.samples[s][:DIGITS], 3).tolist() for s in steps},
    }


def run(config: Config, seed: int) -> Result:
    result = Result()
    _mixture(config, seed, result)
    if config.mnist_steps:
        _mnist(config, seed, result)
    return result


def _loss_panels(config: Config, seeds: Seeds, part: str, steps: int, title: str) -> Figure:
    fig, axes = plots.new_figure(ncols=2, width=5.6, height=3.8)
    x = window_steps(steps, config.smoothing)
    plots.line_figure(
        f"{title}: losses",
        "training step",
        "loss (binary cross-entropy)",
        {
            "discriminator L_D": seeds.curve(part, "d_loss"),
            "generator L_G": seeds.curve(part, "g_loss"),
        },
        x=x,
        ax=axes[0],
    )
    axes[0].axhline(2 * numpy.log(2), color="gray", linestyle=":", label="2 log 2 (equilibrium)")
    axes[0].legend(fontsize="small")
    if part == "mixture":
        beliefs = {"D on real data": "d_real", "D on generated samples": "d_fake"}
        series = {label: seeds.curve(part, name) for label, name in beliefs.items()}
        what = ("the discriminator's beliefs", "mean D(x) (probability real)")
        axes[1].axhline(0.5, color="gray", linestyle=":")
    else:  # the correlation is measured at the snapshots' steps
        series = {"correlation": seeds.curve(part, "mean_image_correlation")}
        what = ("mean generated image vs mean digit", "correlation of mean images")
        x = seeds.first.data["mnist"]["steps"]
    plots.line_figure(f"{title}: {what[0]}", "training step", what[1], series, x=x, ax=axes[1])
    return Figure(
        fig,
        f"{title}: training curves",
        f"Means over {config.smoothing}-step windows, mean over seeds with its 95 % band.",
    )


def _mixture_samples(config: Config, seeds: Seeds) -> Figure:
    d = seeds.first.data["mixture"]
    steps = d["steps"]
    fig, axes = plots.new_figure(ncols=len(steps) + 1, width=3.0, height=3.0)
    real = numpy.array(d["real"])
    centers = gaussian_mixture_centers(config.modes, config.radius)
    limit = config.radius * 1.6
    for ax, step in zip(axes, steps):
        points = numpy.array(d["samples"][str(step)])
        ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.5, color="#d62728")
        ax.set_title(f"step {step}")
    axes[-1].scatter(real[:, 0], real[:, 1], s=3, alpha=0.5, color="#1f77b4")
    axes[-1].set_title("real data")
    for ax in axes:
        ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="black", s=25)
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="x1", ylabel="x2", aspect="equal")
    return Figure(
        fig,
        "Samples from fixed noise during training (first seed)",
        "Red: generated samples; blue: real data; crosses: the mixture's centers.",
    )


def _digits(seeds: Seeds) -> Figure:
    d = seeds.first.data["mnist"]
    steps = d["steps"]
    fig, axes = plots.new_figure(ncols=len(steps), width=2.6, height=2.8)
    for ax, step in zip(axes, steps):
        images = numpy.array(d["samples"][str(step)]).reshape(4, 4, 28, 28)
        grid = images.transpose(0, 2, 1, 3).reshape(4 * 28, 4 * 28)
        ax.imshow(grid, cmap="gray", vmin=-1, vmax=1)
        ax.set_title(f"step {step}")
        ax.axis("off")
    return Figure(
        fig,
        "Generated digits from fixed noise (first seed)",
        "The same 16 noise vectors at each step.",
    )


def report(config: Config, seeds: Seeds) -> list:
    blocks = [
        _mixture_samples(config, seeds),
        _loss_panels(config, seeds, "mixture", config.mixture_steps, "2-D mixture"),
    ]
    if config.mnist_steps:
        blocks += [
            _digits(seeds),
            _loss_panels(config, seeds, "mnist", config.mnist_steps, "MNIST"),
        ]
    return blocks + [Reading(*findings(config, seeds))]


# The explanations the reading chooses among, by the key of the choice.
NOTES = {
    "collapse:none": "No run collapsed onto a subset of the modes.",
    "collapse:some": "In the other runs it collapsed onto a subset of the modes.",
    "game:settled": "It can barely tell real from generated points, as at the game's equilibrium.",
    "game:unsettled": "It still separates real from generated points: the game has not settled.",
    "variety:as_data": "The samples are about as varied as the data.",
    "variety:less": "The samples are less varied than the data: a sign of partial mode "
    "collapse or of too little training.",
}


def _choose(choice: str, if_true: str, if_false: str, holds: bool) -> Note:
    """The note of NOTES for ``choice``: 'choice:if_true' when ``holds``, else 'choice:if_false'."""
    key = f"{choice}:{if_true if holds else if_false}"
    return Note(key, NOTES[key])


def findings(config: Config, seeds: Seeds) -> list[list]:
    """The reading, one paragraph each: mode coverage on the mixture (in how many seeds
    every mode; 'collapse:none' or 'collapse:some'), where the game ends ('game:settled'
    when D(G(z)) is within SETTLED of 1/2) and, with MNIST, the mean generated image
    against the mean digit and the samples' variety ('variety:as_data' when their pixel
    spread passes VARIED of the data's)."""
    m = {k: seeds.scalar("mixture", k) for k in ("modes_covered", "high_quality", "final_d_fake")}
    covered, d_loss = m["modes_covered"], seeds.scalar("mixture", "final_d_loss")
    every = sum(v == config.modes for v in covered.values)
    near = "share of samples within 3 standard deviations of a mode's center"
    mixture = [
        Count("all_modes", "the generator", f"covered all {config.modes} modes", every, covered.n),
        _choose("collapse", "none", "some", every == covered.n),
        Measure("modes_covered", "the generator", "mean number of modes covered", covered),
        Measure("high_quality", "the generator", near, m["high_quality"], PERCENT),
    ]
    game = [
        Measure("final_d_loss", "the discriminator", f"final loss L_D ({EQUILIBRIUM})", d_loss),
        Measure("final_d_fake", "the discriminator", "final mean D(G(z))", m["final_d_fake"]),
        _choose("game", "settled", "unsettled", abs(m["final_d_fake"].mean - 0.5) < SETTLED),
    ]
    if not config.mnist_steps:
        return [mixture, game]
    g, what = "the MNIST generator", "correlation of its mean image with the mean digit"
    start = [r.curves["mnist"]["mean_image_correlation"][0] for r in seeds.results]
    before = estimate(start, bounds=(-1.0, 1.0))
    after = seeds.scalar("mnist", "mean_image_correlation")
    data_spread = seeds.first.scalars["mnist"]["data_pixel_spread"]
    variety = Threshold(
        "variety",
        g,
        "pixel spread across samples",
        seeds.scalar("mnist", "pixel_spread"),
        VARIED * data_spread,
        above=True,
        meaning=f"{VARIED * 100:.0f} % of the real digits' spread ({data_spread:.2f})",
        fmt=Fmt(2),
    )
    mnist = [
        Measure("mnist_correlation_start", g, f"{what} before training", before, Fmt(2)),
        Measure("mnist_correlation", g, f"{what} after {config.mnist_steps} steps", after, Fmt(2)),
        variety,
        _choose("variety", "as_data", "less", variety.holds),
    ]
    return [mixture, game, mnist]


STUDY = Study(
    name="gan",
    title="10. Generative adversarial networks",
    question=(
        "Can two networks trained against each other learn to generate data? Does the "
        "generator cover every mode of a mixture, and what do its digits look like?"
    ),
    config=Config,
    run=run,
    report=report,
    quick={
        "mixture_steps": 2500,
        "mnist_steps": 1000,
        "mnist_images": 10_000,
        "mnist_hidden": (128, 256),
    },
    bounds=lambda config: {
        "modes_covered": (0.0, float(config.modes)),
        "high_quality": FRACTION,
        "final_d_loss": NON_NEGATIVE,
        "final_d_fake": FRACTION,
        "mean_image_correlation": (-1.0, 1.0),
        "pixel_spread": NON_NEGATIVE,
        "data_pixel_spread": NON_NEGATIVE,
        "d_loss": NON_NEGATIVE,
        "g_loss": NON_NEGATIVE,
        "d_real": FRACTION,
        "d_fake": FRACTION,
    },
)
