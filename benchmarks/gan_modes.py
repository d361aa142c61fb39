"""GAN mode coverage on the 2-D ring of 8 Gaussians (radius 2, std 0.1), neuralab against
PyTorch with the same settings: generator 4-64-64-2 (ReLU, linear output), discriminator
2-64-64-1 (LeakyReLU 0.2), Adam(2e-3, betas (0.5, 0.999)) for both, batch 128, one
discriminator step per generator step, non-saturating generator loss -log D(G(z)) (and
the minimax loss log(1 - D(G(z))) with --minimax). After training, 2,000 samples from
fixed noise are scored by ``neuralab.gan.mode_coverage``: a sample is of high quality
within 3 std of its nearest center, and a mode is covered when it holds at least a
quarter of its fair share (2000 / 8 / 4 = 63) of high-quality samples.

    python benchmarks/gan_modes.py [--seeds 5] [--steps 3000] [--minimax]
    python benchmarks/gan_modes.py --mnist [--seeds 3] [--steps 8000]

--mnist: the same on real MNIST digits scaled to [-1, 1]: generator 64-256-256-784 (ReLU,
tanh output), discriminator 784-256-256-1 (LeakyReLU 0.2), Adam(5e-4, betas (0.5,
0.999)), batch 64. The classes are the modes: a LeNet-5 trained for one epoch on the
training images (seed 0) classifies 1,000 generated digits, scored by
``neuralab.gan.class_coverage`` (a digit counts when the classifier gives it probability
>= 0.9; a class is covered with at least 25 of them).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import neuralab as nl
import neuralab.functional as F
from neuralab import nn, optim
from neuralab.data import (
    MNIST,
    DataLoader,
    TensorDataset,
    gaussian_mixture_centers,
    make_gaussian_mixture,
)
from neuralab.gan import class_coverage, mode_coverage, train_gan
from neuralab.models import Discriminator, Generator, LeNet5
from neuralab.train import fit

RING = {"n_modes": 8, "radius": 2.0, "std": 0.1}
LATENT, BATCH, LR, BETAS = 4, 128, 2e-3, (0.5, 0.999)


def run_neuralab(seed: int, steps: int, loss: str) -> np.ndarray:
    nl.manual_seed(seed)
    X, _ = make_gaussian_mixture(10_000, seed=seed, **RING)
    G = Generator(LATENT, 2, (64, 64), output_activation=None)
    D = Discriminator(2, (64, 64))
    history = train_gan(
        G, D, X, latent_dim=LATENT, steps=steps, batch_size=BATCH, n_samples=2000,
        g_optimizer=optim.Adam(G.parameters(), LR, betas=BETAS),
        d_optimizer=optim.Adam(D.parameters(), LR, betas=BETAS),
        generator_loss=loss,
    )  # fmt: skip
    return history.samples[steps]


def run_torch(seed: int, steps: int, loss: str) -> np.ndarray:
    """The same GAN in PyTorch."""
    torch.manual_seed(seed)
    X = torch.from_numpy(make_gaussian_mixture(10_000, seed=seed, **RING)[0])
    tn = torch.nn
    G = tn.Sequential(tn.Linear(LATENT, 64), tn.ReLU(), tn.Linear(64, 64), tn.ReLU(),
                      tn.Linear(64, 2))  # fmt: skip
    D = tn.Sequential(tn.Linear(2, 64), tn.LeakyReLU(0.2), tn.Linear(64, 64), tn.LeakyReLU(0.2),
                      tn.Linear(64, 1))  # fmt: skip
    return _torch_loop(G, D, X, steps, BATCH, LATENT, LR, 2000, loss)


def _torch_loop(G, D, X, steps, batch, latent, lr, n_samples, loss="non-saturating"):
    """train_gan's loop in PyTorch: D on real and fake (G's output detached), then G
    through D; returns G's samples from fixed noise drawn first."""
    g_opt = torch.optim.Adam(G.parameters(), lr, betas=BETAS)
    d_opt = torch.optim.Adam(D.parameters(), lr, betas=BETAS)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    fixed = torch.randn(n_samples, latent)
    order, at = torch.randperm(len(X)), 0
    for _ in range(steps):
        if at + batch > len(X):
            order, at = torch.randperm(len(X)), 0
        real, at = X[order[at : at + batch]], at + batch
        fake = G(torch.randn(batch, latent)).detach()
        d_opt.zero_grad()
        (bce(D(real), ones) + bce(D(fake), zeros)).backward()
        d_opt.step()
        g_opt.zero_grad()
        logits = D(G(torch.randn(batch, latent)))
        (bce(logits, ones) if loss == "non-saturating" else -bce(logits, zeros)).backward()
        g_opt.step()
    G.eval()
    with torch.no_grad():
        return G(fixed).numpy()


def _mean_sd(values: list[float]) -> str:
    sd = np.std(values, ddof=1) if len(values) > 1 else 0.0
    return f"{np.mean(values):.1f} ± {sd:.1f} %"


MNIST_GAN = {"latent": 64, "hidden": 256, "lr": 5e-4, "batch": 64}


def mnist_neuralab(seed: int, steps: int, images: np.ndarray) -> np.ndarray:
    nl.manual_seed(seed)
    latent, hidden, lr = MNIST_GAN["latent"], MNIST_GAN["hidden"], MNIST_GAN["lr"]
    G, D = Generator(latent, 784, (hidden, hidden)), Discriminator(784, (hidden, hidden))
    history = train_gan(
        G, D, images, latent_dim=latent, steps=steps, batch_size=MNIST_GAN["batch"],
        n_samples=1000, sample_every=steps,
        g_optimizer=optim.Adam(G.parameters(), lr, betas=BETAS),
        d_optimizer=optim.Adam(D.parameters(), lr, betas=BETAS),
    )  # fmt: skip
    return history.samples[steps]


def mnist_torch(seed: int, steps: int, images: np.ndarray) -> np.ndarray:
    torch.manual_seed(seed)
    latent, hidden, lr, batch = (MNIST_GAN[k] for k in ("latent", "hidden", "lr", "batch"))
    tn = torch.nn
    G = tn.Sequential(tn.Linear(latent, hidden), tn.ReLU(), tn.Linear(hidden, hidden), tn.ReLU(),
                      tn.Linear(hidden, 784), tn.Tanh())  # fmt: skip
    D = tn.Sequential(tn.Linear(784, hidden), tn.LeakyReLU(0.2), tn.Linear(hidden, hidden),
                      tn.LeakyReLU(0.2), tn.Linear(hidden, 1))  # fmt: skip
    return _torch_loop(G, D, torch.from_numpy(images), steps, batch, latent, lr, 1000)


def mnist_main(args: argparse.Namespace) -> None:
    x, y = MNIST(train=True, scale=(-1.0, 1.0)).arrays()
    nl.manual_seed(0)
    classifier = LeNet5()
    loader = DataLoader(TensorDataset(x, y), 64, shuffle=True)
    opt = optim.Adam(classifier.parameters(), 1e-3)
    fit(classifier, nn.CrossEntropyLoss(), opt, loader, progress=False)
    classifier.eval()
    images = x.reshape(len(x), 784)
    print(f"MNIST, {args.steps} steps, seeds 0-{args.seeds - 1}; per seed: classes covered")
    print("| library | classes covered per seed | digits per class (first seed) | "
          "recognized digits |")  # fmt: skip
    print("| --- | --- | --- | --- |")
    for library, run in (("neuralab", mnist_neuralab), ("PyTorch", mnist_torch)):
        results = []
        for seed in range(args.seeds):
            samples = run(seed, args.steps, images)
            with nl.no_grad():
                logits = classifier(nl.tensor(samples.reshape(-1, 1, 28, 28)))
            results.append(class_coverage(F.softmax(logits, dim=1)))
        quality = [100 * r.high_quality for r in results]
        print(
            f"| {library} | {', '.join(str(r.covered) for r in results)} | "
            f"{', '.join(map(str, results[0].counts))} | "
            f"{_mean_sd(quality)} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, help="default 5 (ring), 3 (--mnist)")
    parser.add_argument("--steps", type=int, help="default 3000 (ring), 8000 (--mnist)")
    parser.add_argument("--minimax", action="store_true")
    parser.add_argument("--mnist", action="store_true")
    args = parser.parse_args()
    if args.mnist:
        args.seeds, args.steps = args.seeds or 3, args.steps or 8000
        mnist_main(args)
        return
    args.seeds, args.steps = args.seeds or 5, args.steps or 3000
    loss = "minimax" if args.minimax else "non-saturating"
    centers = gaussian_mixture_centers(RING["n_modes"], RING["radius"])
    print(f"ring of 8, {args.steps} steps, {loss} generator loss, seeds 0-{args.seeds - 1}")
    print("| library | modes covered per seed | all 8 covered | high-quality samples |")
    print("| --- | --- | --- | --- |")
    for library, run in (("neuralab", run_neuralab), ("PyTorch", run_torch)):
        covered, quality, start = [], [], time.perf_counter()
        for seed in range(args.seeds):
            result = mode_coverage(run(seed, args.steps, loss), centers, RING["std"])
            covered.append(result.covered)
            quality.append(100 * result.high_quality)
        seconds = (time.perf_counter() - start) / args.seeds
        print(
            f"| {library} | {', '.join(map(str, covered))} | "
            f"{sum(c == 8 for c in covered)} of {args.seeds} | "
            f"{_mean_sd(quality)} |  ({seconds:.0f} s/run)",
            flush=True,
        )


if __name__ == "__main__":
    main()
