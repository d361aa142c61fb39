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

from neuralab import optim
from neuralab.data import MNIST, gaussian_mixture_centers, make_gaussian_mixture
from neuralab.gan import mode_coverage, train_gan
from neuralab.lab import plots
from neuralab.lab.report import Figure, Table, Text
from neuralab.lab.stats import FRACTION, NON_NEGATIVE, estimate
from neuralab.lab.study import Result, Seeds, Study
from neuralab.lab.toolkit import window_means, window_steps
from neuralab.models import Discriminator, Generator

SHOWN = 500  # 2-D samples kept per snapshot for the plots
DIGITS = 16  # MNIST samples kept per snapshot


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
        for name in (
            "modes",
            "mixture_steps",
            "mixture_hidden",
            "mixture_latent",
            "mixture_batch",
            "mixture_pack",
            "mnist_latent",
            "mnist_batch",
            "snapshots",
            "smoothing",
        ):
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


def _adam(module, lr: float):
    return optim.Adam(module.parameters(), lr=lr, betas=(0.5, 0.999))


def _mixture(config: Config, seed: int, result: Result) -> None:
    X, _ = make_gaussian_mixture(
        10_000, config.modes, radius=config.radius, std=config.std, seed=seed
    )
    G = Generator(config.mixture_latent, 2, (config.mixture_hidden,) * 2, output_activation=None)
    D = Discriminator(2 * config.mixture_pack, (config.mixture_hidden,) * 2)
    every = max(1, config.mixture_steps // config.snapshots)
    history = train_gan(
        G,
        D,
        X,
        latent_dim=config.mixture_latent,
        steps=config.mixture_steps,
        batch_size=config.mixture_batch,
        pack=config.mixture_pack,
        g_optimizer=_adam(G, config.mixture_learning_rate),
        d_optimizer=_adam(D, config.mixture_learning_rate),
        sample_every=every,
        n_samples=2000,
    )
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
    images, _ = MNIST(train=True, flatten=True, scale=(-1.0, 1.0)).arrays()
    if config.mnist_images < len(images):
        images = images[
            numpy.random.default_rng(seed).permutation(len(images))[: config.mnist_images]
        ]
    G = Generator(config.mnist_latent, 784, config.mnist_hidden)
    D = Discriminator(784, tuple(reversed(config.mnist_hidden)))
    every = max(1, config.mnist_steps // config.snapshots)
    history = train_gan(
        G,
        D,
        images,
        latent_dim=config.mnist_latent,
        steps=config.mnist_steps,
        batch_size=config.mnist_batch,
        g_optimizer=_adam(G, config.mnist_learning_rate),
        d_optimizer=_adam(D, config.mnist_learning_rate),
        sample_every=every,
        n_samples=256,
    )
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
        plots.line_figure(
            f"{title}: the discriminator's beliefs",
            "training step",
            "mean D(x) (probability real)",
            {
                "D on real data": seeds.curve(part, "d_real"),
                "D on generated samples": seeds.curve(part, "d_fake"),
            },
            x=x,
            ax=axes[1],
        )
        axes[1].axhline(0.5, color="gray", linestyle=":")
    else:
        steps_shown = seeds.first.data["mnist"]["steps"]
        plots.line_figure(
            f"{title}: mean generated image vs mean digit",
            "training step",
            "correlation of mean images",
            {"correlation": seeds.curve(part, "mean_image_correlation")},
            x=steps_shown,
            ax=axes[1],
        )
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
    covered = seeds.scalar("mixture", "modes_covered")
    quality = seeds.scalar("mixture", "high_quality")
    d_loss = seeds.scalar("mixture", "final_d_loss")
    d_fake = seeds.scalar("mixture", "final_d_fake")
    per_seed = ", ".join(str(int(v)) for v in covered.values)
    all_covered = sum(v == config.modes for v in covered.values)
    rows = [
        ["modes covered", f"{covered.format(3)} of {config.modes} (per seed: {per_seed})"],
        ["samples within 3 std of a mode", quality.format(3, 100, " %")],
        ["final discriminator loss L_D", d_loss.format(3)],
        ["final mean D(G(z))", d_fake.format(3)],
    ]
    reading = [
        f"On the {config.modes}-mode mixture, the generator covered every mode in "
        f"{all_covered} of {len(covered.values)} seeds ({per_seed} modes per seed)"
        + (
            ", with no mode collapse."
            if all_covered == len(covered.values)
            else "; the others collapsed onto a subset of the modes."
        )
        + f" {quality.mean * 100:.0f} % of its samples lie within 3 standard deviations of a "
        f"mode's center.",
        f"The discriminator ends at L_D = {d_loss.mean:.3f} (2 log 2 = 1.386 at equilibrium) "
        f"with D(G(z)) = {d_fake.mean:.2f} on average: "
        + (
            "it can barely tell real from generated points, as at the game's equilibrium."
            if abs(d_fake.mean - 0.5) < 0.15
            else "it still separates real from generated points, so the game has not settled."
        ),
    ]
    blocks = [
        Table(
            f"The {config.modes}-mode ring (radius {config.radius}, std {config.std}) after "
            f"{config.mixture_steps} steps",
            ["measure", "value"],
            rows,
        ),
        _mixture_samples(config, seeds),
        _loss_panels(config, seeds, "mixture", config.mixture_steps, "2-D mixture"),
    ]
    if config.mnist_steps:
        corr = seeds.scalar("mnist", "mean_image_correlation")
        spread = seeds.scalar("mnist", "pixel_spread")
        data_spread = seeds.first.scalars["mnist"]["data_pixel_spread"]
        start = estimate(
            [r.curves["mnist"]["mean_image_correlation"][0] for r in seeds.results],
            bounds=(-1.0, 1.0),
        )
        reading.append(
            f"On MNIST, after {config.mnist_steps} steps the mean generated image correlates "
            f"{corr.format(2)} with the mean digit (from {start.mean:.2f} before training). "
            f"Across samples, pixels vary by {spread.mean:.2f} on average against "
            f"{data_spread:.2f} in real digits: "
            + (
                "the samples are about as varied as the data."
                if spread.mean > 0.7 * data_spread
                else "the samples are less varied than the data — a sign of partial mode collapse "
                "or of too little training."
            )
        )
        blocks += [
            _digits(seeds),
            _loss_panels(config, seeds, "mnist", config.mnist_steps, "MNIST"),
        ]
    return blocks + [Text(*reading)]


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
