"""Generative adversarial networks (Goodfellow et al., 2014): a generator G maps noise z to
samples, a discriminator D scores samples as real or fake, and the two are trained in
alternation.

With D returning a logit d(x) and D(x) = sigmoid(d(x)) the probability that x is real:

- discriminator step: minimize the binary cross-entropy of telling real from fake,
  L_D = -log D(x) - log(1 - D(G(z)))  (mean over the batch; G is held fixed);
- generator step, non-saturating loss (the default, as the paper recommends):
  L_G = -log D(G(z)), whose gradient stays large while D confidently rejects G's samples;
  or the original minimax loss L_G = log(1 - D(G(z))), which saturates then (its gradient
  vanishes as D(G(z)) -> 0), kept to show why the other one is used.

``train_gan`` runs the alternation and returns the losses per step and samples from fixed
noise at chosen steps, for plotting; ``mode_coverage`` measures how many modes of a
mixture the samples reach (the usual check for mode collapse), and ``class_coverage``
how many classes a classifier recognizes among generated images (MNIST digits).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy

from neuralab import backend, losses, optim
from neuralab.nn.module import Module
from neuralab.tensor import Tensor, no_grad
from neuralab.train import NonFiniteLossError

__all__ = ["GANHistory", "ModeCoverage", "class_coverage", "mode_coverage", "train_gan"]

GENERATOR_LOSSES = ("non-saturating", "minimax")


@dataclass
class GANHistory:
    """What ``train_gan`` recorded.

    Per step: the discriminator's and the generator's loss and the discriminator's mean
    probability on the real and on the fake batch; and ``samples[step]``, the generator's
    output on the same fixed noise at each sampled step (step 0 is before training).

    Args:
        d_loss: Discriminator loss per step. Defaults to an empty list.
        g_loss: Generator loss per step. Defaults to an empty list.
        d_real: Mean D(x) on the real batch per step. Defaults to an empty list.
        d_fake: Mean D(G(z)) on the fake batch per step. Defaults to an empty list.
        samples: Generated samples by step. Defaults to an empty dict.

    Examples:
        >>> from neuralab.gan import GANHistory
        >>> h = GANHistory()
        >>> h.d_loss.append(1.3)
        >>> h.d_loss, h.samples
        ([1.3], {})
    """

    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    d_real: list[float] = field(default_factory=list)
    d_fake: list[float] = field(default_factory=list)
    samples: dict[int, numpy.ndarray] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and dicts (JSON-ready)."""
        return {
            "d_loss": list(self.d_loss),
            "g_loss": list(self.g_loss),
            "d_real": list(self.d_real),
            "d_fake": list(self.d_fake),
            "samples": {str(k): v.tolist() for k, v in self.samples.items()},
        }


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"train_gan: {name} must be a positive int, got {value!r}")
    return int(value)


def _real_sampler(data: Any, batch_size: int) -> Callable[[], numpy.ndarray]:
    """Batches of real samples: shuffled passes over an array, or a callable's draws."""
    if callable(data) and not isinstance(data, (Tensor, numpy.ndarray)):
        return lambda: numpy.asarray(data(batch_size))
    array = data._data if isinstance(data, Tensor) else numpy.asarray(data)
    if array.ndim < 1 or len(array) < batch_size:
        raise ValueError(
            f"train_gan: data must hold at least batch_size={batch_size} samples along its "
            f"first axis, got shape {array.shape}"
        )
    if array.dtype.kind != "f":
        raise TypeError(f"train_gan: data must be floating point, got {array.dtype}")
    rng = backend.generator()
    state = {"order": rng.permutation(len(array)), "at": 0}

    def draw() -> numpy.ndarray:
        if state["at"] + batch_size > len(array):
            state["order"], state["at"] = rng.permutation(len(array)), 0
        index = state["order"][state["at"] : state["at"] + batch_size]
        state["at"] += batch_size
        return array[index]

    return draw


def train_gan(
    generator: Module,
    discriminator: Module,
    data: Any,
    *,
    latent_dim: int,
    steps: int,
    batch_size: int = 64,
    g_optimizer: Any = None,
    d_optimizer: Any = None,
    generator_loss: str = "non-saturating",
    d_steps: int = 1,
    pack: int = 1,
    sample_every: int | None = None,
    n_samples: int = 64,
) -> GANHistory:
    """Train ``generator`` and ``discriminator`` against each other for ``steps`` steps.

    Each step makes ``d_steps`` discriminator updates, then one generator update, with the
    binary cross-entropy of D's logits (each term a mean over the batch):

        L_D = -log D(x) - log(1 - D(G(z)))
        L_G = -log D(G(z))  ("non-saturating")  or  log(1 - D(G(z)))  ("minimax")

    ``pack`` > 1 is PacGAN (Lin et al., 2018): the discriminator judges ``pack`` samples at
    once, all real or all generated, concatenated along the feature axis (it must then take
    ``pack`` times the data's features and return one logit per pack). Seeing several
    samples of one distribution together lets it detect that the generator's samples are
    too alike or miss a mode, which penalizes mode collapse; the recorded losses and D's
    mean probabilities are then per pack. Noise and batches come from the global generator,
    so ``neuralab.manual_seed`` makes a run reproducible.

    Args:
        generator: z (N, latent_dim) -> samples shaped like the data's rows.
        discriminator: Samples -> one logit per sample, (N, 1) or (N,).
        data: An array or Tensor of real samples (rows drawn in shuffled passes), or a
            callable ``data(batch_size)`` returning a batch.
        latent_dim: Size of the noise z ~ N(0, I).
        steps: Number of steps.
        batch_size: Samples per batch, a multiple of pack. Defaults to 64.
        g_optimizer: The generator's optimizer; None for Adam(lr=2e-4, betas=(0.5, 0.999))
            (Radford et al., 2016). Defaults to None.
        d_optimizer: The discriminator's optimizer; None for the same Adam.
            Defaults to None.
        generator_loss: ``"non-saturating"`` or ``"minimax"``. Defaults to
            ``"non-saturating"``.
        d_steps: Discriminator updates per step. Defaults to 1.
        pack: Samples the discriminator judges together (PacGAN). Defaults to 1.
        sample_every: Record samples every so many steps (always at step 0 and the last);
            None for 10 times per run. Defaults to None.
        n_samples: Samples recorded each time, from fixed noise. Defaults to 64.

    Returns:
        A ``GANHistory``.

    Raises:
        ValueError: A count that is not a positive int, a batch_size that is not a multiple
            of pack, an unknown generator_loss, data of the wrong shape, or a network that
            does not return one logit per sample.
        TypeError: Data that is not floating point.
        NonFiniteLossError: A NaN or infinite loss.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab import nn
        >>> from neuralab.gan import train_gan
        >>> _ = nl.manual_seed(0)
        >>> G = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
        >>> D = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
        >>> real = nl.randn(256, 2) * 0.1 + 1.0
        >>> h = train_gan(G, D, real, latent_dim=2, steps=5, batch_size=32, n_samples=8)
        >>> len(h.d_loss), sorted(h.samples), h.samples[5].shape
        (5, [0, 1, 2, 3, 4, 5], (8, 2))
    """
    steps = _positive_int(steps, "steps")
    batch_size = _positive_int(batch_size, "batch_size")
    latent_dim = _positive_int(latent_dim, "latent_dim")
    d_steps = _positive_int(d_steps, "d_steps")
    n_samples = _positive_int(n_samples, "n_samples")
    pack = _positive_int(pack, "pack")
    if batch_size % pack:
        raise ValueError(f"train_gan: batch_size={batch_size} must be a multiple of pack={pack}")
    sample_every = _positive_int(sample_every or max(1, steps // 10), "sample_every")
    if generator_loss not in GENERATOR_LOSSES:
        raise ValueError(
            f"train_gan: generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}"
        )
    rng = backend.generator()
    dtype = backend.default_float()
    g_opt = g_optimizer or optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = d_optimizer or optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real_batch = _real_sampler(data, batch_size)
    fixed_noise = rng.standard_normal((n_samples, latent_dim), dtype=dtype)
    history = GANHistory()

    def noise() -> Tensor:
        return Tensor(rng.standard_normal((batch_size, latent_dim), dtype=dtype))

    def record_samples(step: int) -> None:
        generator.eval()
        with no_grad():
            history.samples[step] = generator(Tensor(fixed_noise))._data.copy()
        generator.train()

    generator.train()
    discriminator.train()
    record_samples(0)
    ones = numpy.ones((batch_size // pack, 1), dtype=dtype)
    zeros = numpy.zeros((batch_size // pack, 1), dtype=dtype)

    def judge(samples: Tensor) -> Tensor:
        """D's logits, one per pack of ``pack`` consecutive samples."""
        if pack > 1:
            samples = samples.reshape(len(samples) // pack, -1)
        return _logits(discriminator(samples), "discriminator")

    bce = losses.binary_cross_entropy_with_logits
    # the discriminator's weights that train: frozen only during the generator's steps
    trainable = [p for p in discriminator.parameters() if p.requires_grad]
    for step in range(1, steps + 1):
        for _ in range(d_steps):
            real = Tensor(real_batch().astype(dtype, copy=False))
            with no_grad():
                fake = generator(noise())
            d_opt.zero_grad()
            real_logits = judge(real)
            fake_logits = judge(fake)
            d_loss = bce(real_logits, ones[: len(real_logits)]) + bce(fake_logits, zeros)
            d_loss.backward()
            d_opt.step()
        for p in trainable:  # the generator step needs no D weight gradients
            p.requires_grad_(False)
        try:
            g_opt.zero_grad()
            logits = judge(generator(noise()))
            # non-saturating: -log D(G(z)) = BCE(d, 1); minimax: log(1 - D(G(z))) = -BCE(d, 0)
            non_saturating = generator_loss == "non-saturating"
            g_loss = bce(logits, ones) if non_saturating else -bce(logits, zeros)
            g_loss.backward()
            g_opt.step()
        finally:  # the user's frozen parameters stay frozen, the others train again
            for p in trainable:
                p.requires_grad_(True)
        d_value, g_value = d_loss.item(), g_loss.item()
        if not (math.isfinite(d_value) and math.isfinite(g_value)):
            raise NonFiniteLossError(
                f"train_gan: at step {step} the discriminator loss is {d_value} and the "
                f"generator loss {g_value}; try a smaller learning rate"
            )
        history.d_loss.append(d_value)
        history.g_loss.append(g_value)
        history.d_real.append(float(_sigmoid_mean(real_logits._data)))
        history.d_fake.append(float(_sigmoid_mean(fake_logits._data)))
        if step % sample_every == 0 or step == steps:
            record_samples(step)
    return history


def _logits(out: Tensor, who: str) -> Tensor:
    """The discriminator's output as (N, 1) logits."""
    if out.ndim == 1:
        return out.reshape(-1, 1)
    if out.ndim != 2 or out.shape[1] != 1:
        raise ValueError(f"train_gan: the {who} must return one logit per sample, got {out.shape}")
    return out


def _sigmoid_mean(logits: numpy.ndarray) -> float:
    """mean of D = sigmoid(logit), computed stably as 1 / (1 + e^-x) = (1 + tanh(x/2)) / 2."""
    return float(numpy.mean((1 + numpy.tanh(logits / 2)) / 2))


@dataclass
class ModeCoverage:
    """How a set of samples covers a mixture's modes (or a classifier's classes).

    ``all_covered`` is True when every mode is covered.

    Args:
        covered: Modes holding at least ``min_count`` high-quality samples.
        n_modes: Number of modes K.
        counts: High-quality samples near each mode (``counts[k]`` for mode k).
        high_quality: The fraction of all samples that are of high quality.
        min_count: High-quality samples a mode needs to be covered.

    Examples:
        >>> from neuralab.gan import ModeCoverage
        >>> ModeCoverage(covered=2, n_modes=2, counts=[5, 7], high_quality=0.9,
        ...              min_count=3).all_covered
        True
    """

    covered: int
    n_modes: int
    counts: list[int]
    high_quality: float
    min_count: int

    @property
    def all_covered(self) -> bool:
        """Whether every mode is covered."""
        return self.covered == self.n_modes


def mode_coverage(
    samples: Any,
    centers: Any,
    std: float,
    *,
    n_std: float = 3.0,
    min_fraction: float = 0.25,
) -> ModeCoverage:
    """Count the modes of a Gaussian mixture that ``samples`` reach.

    As Metz et al. (2017) and Srivastava et al. (2017): a sample is of high quality when it
    lies within ``n_std * std`` of its nearest center, and a mode is covered when at least

        min_count = ceil(min_fraction * n / K)

    high-quality samples are near it (a fraction of its fair share of the n samples). A
    generator that collapsed onto a few modes covers only those.

    Args:
        samples: Points, shape (n, d).
        centers: The mixture's centers, shape (K, d).
        std: The standard deviation of each mode.
        n_std: How many standard deviations from a center count as near it. Defaults to 3.0.
        min_fraction: The fraction of a mode's fair share it needs. Defaults to 0.25.

    Returns:
        A ``ModeCoverage``.

    Raises:
        ValueError: Shapes that do not match, or a std, n_std or min_fraction out of range.

    Examples:
        >>> import numpy as np
        >>> from neuralab.gan import mode_coverage
        >>> centers = np.array([[0.0, 0.0], [5.0, 5.0]])
        >>> samples = np.array([[0.01, 0.0], [0.0, 0.02], [0.03, 0.01], [0.0, 0.0]])  # one mode
        >>> c = mode_coverage(samples, centers, std=0.05)
        >>> c.covered, c.counts, c.high_quality
        (1, [4, 0], 1.0)
    """
    points = numpy.asarray(samples._data if isinstance(samples, Tensor) else samples, float)
    modes = numpy.asarray(centers, dtype=float)
    if points.ndim != 2 or modes.ndim != 2 or points.shape[1] != modes.shape[1]:
        raise ValueError(
            f"mode_coverage: samples (n, d) and centers (K, d) must agree, got {points.shape} "
            f"and {modes.shape}"
        )
    if not std > 0 or not n_std > 0 or not 0 < min_fraction <= 1:
        raise ValueError(
            f"mode_coverage: std and n_std must be positive and min_fraction in (0, 1], got "
            f"{std}, {n_std}, {min_fraction}"
        )
    distance = numpy.linalg.norm(points[:, None, :] - modes[None, :, :], axis=-1)
    nearest = distance.argmin(axis=1)
    near = distance[numpy.arange(len(points)), nearest] <= n_std * std
    return _coverage(nearest, near, len(modes), min_fraction)


def _coverage(
    labels: numpy.ndarray, good: numpy.ndarray, n_modes: int, min_fraction: float
) -> ModeCoverage:
    """The ``ModeCoverage`` of n samples with mode ``labels`` (n,) of which ``good`` (n,
    bool) are of high quality: a mode is covered by at least ceil(min_fraction * n / K)
    high-quality samples."""
    counts = numpy.bincount(labels[good], minlength=n_modes)
    min_count = max(1, math.ceil(min_fraction * len(labels) / n_modes))
    return ModeCoverage(
        covered=int((counts >= min_count).sum()),
        n_modes=n_modes,
        counts=counts.tolist(),
        high_quality=float(good.mean()) if len(labels) else 0.0,
        min_count=min_count,
    )


def class_coverage(
    probabilities: Any, *, threshold: float = 0.9, min_fraction: float = 0.25
) -> ModeCoverage:
    """Mode coverage of generated images judged by a classifier trained on the real data.

    The classes are the modes (Srivastava et al., 2017, counted MNIST's so). A sample is of
    high quality when its top probability is at least ``threshold``, and it then counts for
    that class; a class is covered when it holds at least
    min_count = ceil(min_fraction * n / K) high-quality samples.

    Args:
        probabilities: The classifier's class probabilities for n generated samples,
            shape (n, K) (e.g. ``softmax`` of a LeNet5's logits).
        threshold: Top probability a high-quality sample needs, in (0, 1]. Defaults to 0.9.
        min_fraction: The fraction of a class's fair share it needs, in (0, 1].
            Defaults to 0.25.

    Returns:
        A ``ModeCoverage``: ``counts[k]`` high-quality samples of class k, ``covered``
        classes, ``high_quality`` the fraction of high-quality samples.

    Raises:
        ValueError: probabilities that are not (n, K), or a threshold or min_fraction
            outside (0, 1].

    Examples:
        >>> import numpy as np
        >>> from neuralab.gan import class_coverage
        >>> p = np.array([[0.95, 0.05], [0.97, 0.03], [0.6, 0.4], [0.02, 0.98]])
        >>> c = class_coverage(p)
        >>> c.counts, c.covered, c.high_quality
        ([2, 1], 2, 0.75)
    """
    p = numpy.asarray(probabilities._data if isinstance(probabilities, Tensor) else probabilities)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"class_coverage: probabilities must be (n, K), got shape {p.shape}")
    if not 0 < threshold <= 1 or not 0 < min_fraction <= 1:
        raise ValueError(
            f"class_coverage: threshold and min_fraction must be in (0, 1], got {threshold} "
            f"and {min_fraction}"
        )
    return _coverage(p.argmax(axis=1), p.max(axis=1) >= threshold, p.shape[1], min_fraction)
