"""Two small studies for the Dask cluster tests (``tests/test_lab_cluster.py``), importable
by the workers through PYTHONPATH: ``SLOW`` waits ``pause`` seconds before its (seeded)
work, so that a test can kill the worker running it; ``FAILING`` fails inside neuralab
with neuralab's own message."""

from __future__ import annotations

import time
from dataclasses import dataclass

import neuralab as nl
from neuralab import nn, optim
from neuralab.lab import Result, Seeds, Study
from neuralab.lab.report import Text


@dataclass
class Config:
    pause: float = 2.0  # seconds: the window in which the test kills the job's worker
    size: int = 16


def run(config: Config, seed: int) -> Result:
    time.sleep(config.pause)
    x = nl.randn(config.size, config.size)  # the lab seeded neuralab with the seed
    result = Result()
    result.scalar("x", "mean", float(x.mean().item()))
    result.curve("x", "row sums", [float(v) for v in x.sum(1).numpy()])
    return result


def report(config: Config, seeds: Seeds) -> list:
    return [Text(f"mean of x: {seeds.scalar('x', 'mean').format()}")]


SLOW = Study("slow", "Slow", "Is the job run again when its worker dies?", Config, run, report)


def fail(config: Config, seed: int) -> Result:
    optim.SGD(nn.Linear(2, 2).parameters(), lr=-1.0)  # neuralab's ValueError
    raise AssertionError("unreachable")


FAILING = Study("failing", "Failing", "Does a job's error come back?", Config, fail, report)
