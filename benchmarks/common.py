"""Pieces the benchmarks share: PyTorch's side of a training run, written as the plain loop
a PyTorch user writes (shuffled index batches, no DataLoader), and its test accuracy."""

from __future__ import annotations

import time

import numpy as np
import torch


def train_torch(model, optimizer, x: np.ndarray, y: np.ndarray, epochs: int, batch: int):
    """Train with cross-entropy; returns (mean training loss per epoch, seconds per epoch)."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses, seconds = [], []
    model.train()
    for _ in range(epochs):
        start, total = time.perf_counter(), 0.0
        order = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            index = order[i : i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(xt[index]), yt[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        seconds.append(time.perf_counter() - start)
        losses.append(total / len(xt))
    return losses, seconds


def accuracy_torch(model, x: np.ndarray, y: np.ndarray, batch: int = 256) -> float:
    """The fraction of samples whose arg-max output is the label, in eval mode."""
    model.eval()
    with torch.no_grad():
        predicted = np.concatenate(
            [
                model(torch.from_numpy(x[i : i + batch])).argmax(1).numpy()
                for i in range(0, len(x), batch)
            ]
        )
    return float((predicted == y).mean())
