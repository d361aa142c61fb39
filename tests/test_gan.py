"""GANs: the alternating training loop, the two generator losses, mode coverage on the
2-D mixture of Gaussians, and a short run on real MNIST digits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import MNIST, gaussian_mixture_centers, make_gaussian_mixture
from neuralab.gan import class_coverage, mode_coverage, train_gan
from neuralab.models import Discriminator, Generator
from neuralab.train import NonFiniteLossError

RING = {"n_modes": 8, "radius": 2.0, "std": 0.1}


def ring_gan(seed: int, steps: int, **kwargs):
    nl.manual_seed(seed)
    X, _ = make_gaussian_mixture(10000, seed=seed, **RING)
    G = Generator(4, 2, (64, 64), output_activation=None)
    D = Discriminator(2, (64, 64))
    history = train_gan(
        G,
        D,
        X,
        latent_dim=4,
        steps=steps,
        batch_size=128,
        g_optimizer=optim.Adam(G.parameters(), 2e-3, betas=(0.5, 0.999)),
        d_optimizer=optim.Adam(D.parameters(), 2e-3, betas=(0.5, 0.999)),
        n_samples=2000,
        **kwargs,
    )
    return G, D, history


def test_gan_on_the_ring_covers_every_mode():
    """Measured by mode_coverage: every one of the 8 modes receives at least a quarter of
    its fair share of samples within 3 standard deviations, and most samples are that
    close to some mode. Before training, no mode is covered."""
    _, _, history = ring_gan(seed=0, steps=3000, sample_every=1000)
    centers = gaussian_mixture_centers(RING["n_modes"], RING["radius"])
    before = mode_coverage(history.samples[0], centers, RING["std"])
    after = mode_coverage(history.samples[3000], centers, RING["std"])
    assert before.covered == 0
    assert after.all_covered, after
    assert after.high_quality > 0.8, after
    assert sorted(history.samples) == [0, 1000, 2000, 3000]
    assert len(history.d_loss) == len(history.g_loss) == 3000
    # an equilibrium, not a rout: D ends unsure, near the 2 log 2 of a perfect generator
    assert 0.9 < np.mean(history.d_loss[-200:]) < 1.8
    assert 0.3 < np.mean(history.d_fake[-200:]) < 0.7


def test_training_is_reproducible_from_the_seed():
    _, _, a = ring_gan(seed=1, steps=20)
    _, _, b = ring_gan(seed=1, steps=20)
    assert a.d_loss == b.d_loss and a.g_loss == b.g_loss
    np.testing.assert_array_equal(a.samples[20], b.samples[20])


@pytest.mark.parametrize("pack", [1, 2])
def test_one_step_equals_the_formulas_in_pytorch(pack):
    """One discriminator and one generator update, with the same weights, data and noise
    in both libraries: the losses L_D = -log D(x) - log(1 - D(G(z))) and
    L_G = -log D(G(z)) and the updated weights agree. With pack=2 (PacGAN), D judges
    consecutive pairs of samples, concatenated: rows (16, 2) -> (8, 4)."""
    torch.manual_seed(0)
    tG = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    tD = torch.nn.Sequential(
        torch.nn.Linear(2 * pack, 8), torch.nn.LeakyReLU(0.2), torch.nn.Linear(8, 1)
    )
    G = Generator(3, 2, (8,), output_activation=None)
    D = Discriminator(2 * pack, (8,))
    for ours, theirs in ((G, tG), (D, tD)):
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    nl.manual_seed(7)
    history = train_gan(
        G,
        D,
        lambda n: real,
        latent_dim=3,
        steps=1,
        batch_size=16,
        g_optimizer=optim.SGD(G.parameters(), lr=0.1),
        d_optimizer=optim.SGD(D.parameters(), lr=0.1),
        pack=pack,
        n_samples=4,
    )
    # replay the noise: fixed samples first, then one batch for D and one for G
    nl.manual_seed(7)
    rng = nl.backend.generator()
    rng.standard_normal((4, 3), dtype=np.float32)
    z_d = torch.from_numpy(rng.standard_normal((16, 3), dtype=np.float32))
    z_g = torch.from_numpy(rng.standard_normal((16, 3), dtype=np.float32))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    t_opt_d = torch.optim.SGD(tD.parameters(), lr=0.1)
    t_opt_g = torch.optim.SGD(tG.parameters(), lr=0.1)
    fake = tG(z_d).detach().reshape(16 // pack, -1)
    real_packs = torch.from_numpy(real).reshape(16 // pack, -1)
    n = 16 // pack
    d_loss = bce(tD(real_packs), torch.ones(n, 1)) + bce(tD(fake), torch.zeros(n, 1))
    t_opt_d.zero_grad()
    d_loss.backward()
    t_opt_d.step()
    g_loss = bce(tD(tG(z_g).reshape(n, -1)), torch.ones(n, 1))
    t_opt_g.zero_grad()
    g_loss.backward()
    t_opt_g.step()
    assert history.d_loss[0] == pytest.approx(d_loss.item(), rel=1e-5)
    assert history.g_loss[0] == pytest.approx(g_loss.item(), rel=1e-5)
    for ours, theirs in ((G, tG), (D, tD)):
        for p, q in zip(ours.parameters(), theirs.parameters()):
            np.testing.assert_allclose(p._data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_minimax_generator_loss_is_log_one_minus_d():
    nl.manual_seed(0)
    G, D = Generator(2, 2, (8,), output_activation=None), Discriminator(2, (8,))
    X, _ = make_gaussian_mixture(256, seed=0, **RING)
    history = train_gan(G, D, X, latent_dim=2, steps=5, generator_loss="minimax")
    # log(1 - D) is negative and, with D unsure at the start, near log(1/2)
    assert all(-1.5 < v < 0 for v in history.g_loss)


def test_bad_arguments_and_divergence_are_reported():
    G, D = Generator(2, 2, (4,)), Discriminator(2, (4,))
    X = np.zeros((100, 2), np.float32)
    with pytest.raises(ValueError, match="generator_loss must be one of"):
        train_gan(G, D, X, latent_dim=2, steps=1, generator_loss="wasserstein")
    with pytest.raises(ValueError, match="steps must be a positive int"):
        train_gan(G, D, X, latent_dim=2, steps=0)
    with pytest.raises(ValueError, match="at least batch_size=64 samples"):
        train_gan(G, D, X[:10], latent_dim=2, steps=1)
    with pytest.raises(TypeError, match="must be floating point"):
        train_gan(G, D, X.astype(np.int64), latent_dim=2, steps=1)
    wide = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(ValueError, match="batch_size=64 must be a multiple of pack=3"):
        train_gan(G, D, X, latent_dim=2, steps=1, pack=3)
    with pytest.raises(ValueError, match="one logit per sample"):
        train_gan(G, wide, X, latent_dim=2, steps=1)
    with pytest.raises(NonFiniteLossError, match="at step 1"):
        train_gan(G, D, np.full((100, 2), np.nan, np.float32), latent_dim=2, steps=1)


def test_mode_coverage_counts_collapsed_and_spread_samples():
    centers = gaussian_mixture_centers(4, radius=1.0)
    rng = np.random.default_rng(0)
    spread = centers[rng.integers(0, 4, 400)] + rng.normal(0, 0.05, (400, 2))
    collapsed = centers[[0] * 390 + [1] * 10] + rng.normal(0, 0.05, (400, 2))
    wide = rng.normal(0, 3, (400, 2))
    assert mode_coverage(spread, centers, 0.05).all_covered
    result = mode_coverage(collapsed, centers, 0.05)
    assert result.covered == 1 and result.counts[1] > 0  # 10 < min_count = 25
    assert mode_coverage(wide, centers, 0.05).high_quality < 0.05
    with pytest.raises(ValueError, match="must agree"):
        mode_coverage(spread[:, :1], centers, 0.05)


def test_class_coverage_counts_confident_predictions_per_class():
    """Classes as modes: 100 samples over 4 classes (min_count = ceil(0.25 * 25) = 7)."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2, 3], [40, 40, 14, 6])
    sharp = np.full((100, 4), 0.01)
    sharp[np.arange(100), labels] = 0.97
    result = class_coverage(sharp)
    assert result.counts == [40, 40, 14, 6] and result.min_count == 7
    assert result.covered == 3 and not result.all_covered  # 6 of class 3 < 7
    assert result.high_quality == 1.0
    blurred = rng.dirichlet(np.ones(4), 100)  # unsure: few samples reach 0.9
    unsure = class_coverage(blurred)
    assert unsure.high_quality == np.mean(blurred.max(1) >= 0.9) < 0.2
    assert sum(unsure.counts) == round(100 * unsure.high_quality)
    assert class_coverage(blurred, threshold=0.25).high_quality == 1.0  # max >= 1/K always
    with pytest.raises(ValueError, match="must be \\(n, K\\)"):
        class_coverage(np.ones(4))
    with pytest.raises(ValueError, match="threshold and min_fraction"):
        class_coverage(sharp, threshold=0)


def test_short_gan_run_on_mnist_moves_samples_toward_digits(neuralab_data):
    """200 steps on real MNIST: the generator's mean image, uncorrelated with the data's
    mean digit at the start, becomes strongly correlated with it."""
    X, _ = MNIST(train=False, flatten=True, scale=(-1.0, 1.0)).arrays()
    nl.manual_seed(0)
    G, D = Generator(32, 784, (128,)), Discriminator(784, (128,))
    history = train_gan(G, D, X, latent_dim=32, steps=200, sample_every=100, n_samples=200)
    mean_digit = X.mean(0)
    start = np.corrcoef(history.samples[0].mean(0), mean_digit)[0, 1]
    end = np.corrcoef(history.samples[200].mean(0), mean_digit)[0, 1]
    assert abs(start) < 0.3 and end > 0.7, (start, end)
    assert history.samples[200].shape == (200, 784)
    assert np.all(np.abs(history.samples[200]) <= 1)  # tanh output, as the data's scale


def test_a_frozen_discriminator_layer_stays_frozen_and_unchanged():
    """train_gan freezes D only for the generator's steps: a layer the user froze stays
    frozen (and its weights untouched), the others train again after each step."""
    nl.manual_seed(0)
    X, _ = make_gaussian_mixture(512, seed=0, **RING)
    G = Generator(4, 2, (16,), output_activation=None)
    D = Discriminator(2, (16,))
    frozen = D[0].weight
    frozen.requires_grad_(False)
    before = frozen._data.copy()
    trainable = [p for p in D.parameters() if p.requires_grad]
    history = train_gan(
        G, D, X, latent_dim=4, steps=5, batch_size=32, d_optimizer=optim.Adam(trainable, 1e-2)
    )
    assert len(history.d_loss) == 5
    assert frozen.requires_grad is False
    np.testing.assert_array_equal(frozen._data, before)
    assert all(p.requires_grad for p in trainable)
