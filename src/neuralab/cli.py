"""The ``neuralab`` command."""

from __future__ import annotations

import argparse
import itertools
import sys
import time

import numpy

import neuralab as nl
import neuralab.functional as F


def spirals(points_per_class: int, classes: int, seed: int) -> tuple[numpy.ndarray, ...]:
    """Interleaved spirals in the plane, one arm per class (a problem no linear model solves):
    arm k at radius r in [0, 1] has angle 4 r + 2 pi k / classes plus Gaussian noise."""
    rng = numpy.random.default_rng(seed)
    r = numpy.tile(numpy.linspace(0.05, 1, points_per_class), classes)
    labels = numpy.repeat(numpy.arange(classes), points_per_class)
    angle = 4 * r + 2 * numpy.pi * labels / classes + rng.normal(0, 0.2, r.size)
    x = numpy.stack([r * numpy.sin(angle), r * numpy.cos(angle)], axis=1).astype(numpy.float32)
    return x, labels


def demo(epochs: int, seed: int) -> float:
    """Train a 2-64-64-3 MLP on three spirals with full-batch gradient descent and Adam's
    update written out, printing the loss; returns the final training accuracy."""
    nl.manual_seed(seed)
    x, y = spirals(200, 3, seed)
    inputs, targets = nl.tensor(x), nl.tensor(y)
    sizes = [2, 64, 64, 3]
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1 / numpy.sqrt(fan_in)
        params.append(nl.rand(fan_out, fan_in) * (2 * bound) - bound)
        params.append(nl.zeros(fan_out))
    params = [p.detach().requires_grad_() for p in params]
    moments = [(numpy.zeros_like(p.data), numpy.zeros_like(p.data)) for p in params]
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    start = time.perf_counter()
    for step in range(1, epochs + 1):
        h = inputs
        for i in range(0, len(params) - 2, 2):
            h = F.relu(F.linear(h, params[i], params[i + 1]))
        logits = F.linear(h, params[-2], params[-1])
        loss = F.cross_entropy(logits, targets)
        for p in params:
            p.grad = None
        loss.backward()
        with nl.no_grad():
            for p, (m, v) in zip(params, moments):
                g = p.grad.data
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                m_hat = m / (1 - beta1**step)
                v_hat = v / (1 - beta2**step)
                p.data -= lr * m_hat / (numpy.sqrt(v_hat) + eps)
        if step == 1 or step % (epochs // 10 or 1) == 0:
            accuracy = float((logits.data.argmax(1) == y).mean())
            print(f"step {step:4d}  loss {loss.item():.4f}  train accuracy {accuracy:.3f}")
    print(f"{epochs} steps in {time.perf_counter() - start:.2f} s")
    return accuracy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neuralab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="train a small MLP on three spirals")
    run_demo.add_argument("--epochs", type=int, default=500)
    run_demo.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        demo(args.epochs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
