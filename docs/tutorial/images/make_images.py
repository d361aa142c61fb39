"""The tutorial's figures, made once and committed (needs the lab extra, for matplotlib):

    PYTHONPATH=src python docs/tutorial/images/make_images.py

Each figure repeats the computation of its page, so it shows what the page's code prints.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import neuralab as nl
from neuralab import nn, optim
from neuralab.data import gaussian_mixture_centers
from neuralab.gan import train_gan
from neuralab.optim import lr_scheduler

HERE = Path(__file__).resolve().parent


def save(fig: plt.Figure, name: str) -> None:
    fig.tight_layout()
    fig.savefig(HERE / name, dpi=100)
    plt.close(fig)
    print("wrote", HERE / name)


def activations() -> None:
    """Page 4: each activation and its derivative (by autograd) on [-4, 4]."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    for act in (nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.GELU()):
        z = nl.linspace(-4, 4, 401, requires_grad=True)
        a = act(z)
        a.sum().backward()
        label = type(act).__name__ + (" (slope 0.1)" if isinstance(act, nn.LeakyReLU) else "")
        left.plot(z.detach().numpy(), a.detach().numpy(), label=label)
        right.plot(z.detach().numpy(), z.grad.numpy(), label=label)
    left.set(title="f(z)", xlabel="z", ylim=(-1.5, 4))
    right.set(title="f'(z)", xlabel="z", ylim=(-0.2, 1.3))
    left.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    save(fig, "activations.png")


def schedules() -> None:
    """Page 6: the learning rate of four schedules over 100 steps, from lr = 0.1."""

    def lrs(make, steps=100):
        opt = optim.SGD([nl.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = make(opt)
        out = []
        for _ in range(steps):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        return out

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(lrs(lambda o: lr_scheduler.StepLR(o, step_size=30, gamma=0.5)), label="StepLR(30, 0.5)")
    ax.plot(lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.97)), label="ExponentialLR(0.97)")
    ax.plot(lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=99)), label="CosineAnnealingLR")
    ax.plot(
        lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100)),
        label="OneCycleLR(max_lr=0.1)",
    )
    ax.set(xlabel="step", ylabel="learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "schedules.png")


def gan() -> None:
    """Page 10: the generator's samples at steps 0, 400 and 800 (the page's run)."""
    centers = gaussian_mixture_centers(8, radius=2.0)
    rng = np.random.default_rng(0)
    points = centers[rng.integers(0, 8, 2000)] + rng.normal(0, 0.1, (2000, 2))
    points = points.astype(np.float32)
    nl.manual_seed(0)
    G = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    D = nn.Sequential(
        nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1)
    )
    adam = dict(lr=2e-3, betas=(0.5, 0.999))
    history = train_gan(
        G, D, points, latent_dim=4, steps=800, batch_size=64, sample_every=400, n_samples=1000,
        g_optimizer=optim.Adam(G.parameters(), **adam),
        d_optimizer=optim.Adam(D.parameters(), **adam),
    )  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharex=True, sharey=True)
    for ax, (step, samples) in zip(axes, sorted(history.samples.items())):
        ax.scatter(points[:, 0], points[:, 1], s=2, c="0.8", label="data")
        ax.scatter(samples[:, 0], samples[:, 1], s=2, c="C3", label="generated")
        ax.scatter(centers[:, 0], centers[:, 1], s=20, marker="x", c="k", label="modes")
        ax.set(title=f"step {step}", xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal")
    axes[0].legend(fontsize=7, loc="lower left", markerscale=3)
    save(fig, "gan.png")


if __name__ == "__main__":
    activations()
    schedules()
    gan()
