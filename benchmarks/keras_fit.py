"""One epoch of ``model.fit`` through three front ends, alternately, minimum of repeats:

(a) neuralab.keras (``Sequential``, ``compile``, ``fit``, verbose=0),
(b) the real Keras 3 on its PyTorch backend, the same script (in a child process started
    with KERAS_BACKEND=torch: the backend is fixed when keras is first imported, so it
    cannot share the process; the child loads the data once and times each fit itself,
    so its start-up is not counted), and
(c) neuralab's own loop, ``neuralab.train.fit`` on ``nn.Sequential`` of the same layers
    (cross-entropy on logits, Adam 1e-3: the native way to write the same model).

Models: the MNIST MLP (Dense 128 relu, Dense 64 relu, Dense 10 softmax) on the 60000
training images, batches 64 and 256; a small CNN (Conv2D 32 3x3 relu, MaxPooling2D 2,
Flatten, Dense 10 softmax) on the first 10000 images, batch 64. Keras side: Adam,
sparse_categorical_crossentropy, metrics=['accuracy']. Pixels in [0, 1]. Real MNIST from
$NEURALAB_DATA (default: ../shared/datasets when it exists), or ``--random`` data of the
same shapes. Every epoch starts from a freshly built model (a one-epoch ``fit``, building
included, as a user runs it). Figures with the default thread count and with one thread.

    python benchmarks/keras_fit.py [--repeats 3] [--only mlp|cnn] [--random]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
CASES = {"mlp": (64, 256), "cnn": (64,)}


def load(model: str, random: bool) -> tuple[np.ndarray, np.ndarray]:
    """x float32 in [0, 1] (MLP: (60000, 784); CNN: (10000, 28, 28, 1)), y int64 labels."""
    n = 60000 if model == "mlp" else 10000
    if random:
        rng = np.random.default_rng(0)
        x, y = rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    else:
        if "NEURALAB_DATA" not in os.environ and SHARED.is_dir():
            os.environ["NEURALAB_DATA"] = str(SHARED)
        from neuralab.data import MNIST

        x, y = MNIST(train=True, flatten=True, scale=(0.0, 1.0)).arrays()
        x, y = x[:n], y[:n].astype(np.int64)
    return (x if model == "mlp" else x.reshape(n, 28, 28, 1)), y


def keras_model(keras, model: str):
    """The same Sequential in neuralab.keras and in Keras 3 (``keras`` is either module)."""
    L = keras.layers
    if model == "mlp":
        layers = [
            keras.Input((784,)),
            L.Dense(128, activation="relu"),
            L.Dense(64, activation="relu"),
            L.Dense(10, activation="softmax"),
        ]
    else:
        layers = [
            keras.Input((28, 28, 1)),
            L.Conv2D(32, (3, 3), activation="relu"),
            L.MaxPooling2D((2, 2)),
            L.Flatten(),
            L.Dense(10, activation="softmax"),
        ]
    m = keras.Sequential(layers)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def epoch_keras(keras, model: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    m = keras_model(keras, model)
    start = time.perf_counter()
    m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    return time.perf_counter() - start


def epoch_native(model: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    import neuralab as nl
    from neuralab import nn, optim
    from neuralab.data import DataLoader, TensorDataset
    from neuralab.train import fit

    if model == "mlp":
        net = nn.Sequential(
            nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
        )
    else:  # channels first, as neuralab's (and PyTorch's) Conv2d
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(5408, 10)
        )
    loader = DataLoader(TensorDataset(nl.tensor(x), nl.tensor(y)), batch, shuffle=True)
    opt = optim.Adam(net.parameters(), lr=1e-3)
    start = time.perf_counter()
    fit(net, nn.CrossEntropyLoss(), opt, loader, epochs=1, progress=False)
    return time.perf_counter() - start


def set_threads(n: int | None) -> None:
    """n threads for BLAS and PyTorch (None: the defaults, as the process started)."""
    from threadpoolctl import threadpool_limits

    global _limit
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        default = getattr(set_threads, "torch_default", None) or torch.get_num_threads()
        set_threads.torch_default = default
        torch.set_num_threads(n or default)
    if _limit is not None:
        _limit.unregister()
        _limit = None
    if n is not None:
        _limit = threadpool_limits(limits=n)


_limit = None


def child(random: bool) -> None:
    """Keras on PyTorch: read 'model batch threads' lines, answer seconds per epoch."""
    import keras

    assert keras.backend.backend() == "torch", keras.backend.backend()
    data = {}
    print("ready", flush=True)
    for line in sys.stdin:
        model, batch, n = line.split()
        set_threads(None if n == "default" else int(n))
        if model not in data:
            data[model] = load(model, random)
        print(epoch_keras(keras, model, *data[model], int(batch)), flush=True)


class KerasTorch:
    """The child process running Keras 3 on PyTorch."""

    def __init__(self, random: bool) -> None:
        env = {**os.environ, "KERAS_BACKEND": "torch"}
        args = [sys.executable, __file__, "--child"] + (["--random"] if random else [])
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def epoch(self, model: str, batch: int, n: int | None) -> float:
        self.proc.stdin.write(f"{model} {batch} {n or 'default'}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--random", action="store_true", help="random data, not MNIST")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.random)
        return
    import neuralab.keras as nk

    theirs = KerasTorch(args.random)
    data = "random" if args.random else "MNIST"
    load1 = os.getloadavg()[0]
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs (load {load1:.1f}), data: {data}")
    head = f"{'case':18s} {'threads':>7s} {'nl.keras':>9s} {'keras/torch':>11s} {'native':>8s}"
    print(f"{head} {'nl.keras/keras':>14s} {'nl.keras/native':>15s}", flush=True)
    rows = []
    for model in [args.only] if args.only else sorted(CASES, reverse=True):
        x, y = load(model, args.random)
        for batch in CASES[model]:
            for n in (None, 1):
                set_threads(n)
                best = {"neuralab.keras": np.inf, "keras_torch": np.inf, "native": np.inf}
                for _ in range(args.repeats):  # interleaved: machine drift hits all alike
                    t = epoch_keras(nk, model, x, y, batch)
                    best["neuralab.keras"] = min(best["neuralab.keras"], t)
                    best["keras_torch"] = min(best["keras_torch"], theirs.epoch(model, batch, n))
                    best["native"] = min(best["native"], epoch_native(model, x, y, batch))
                a, k, nat = best["neuralab.keras"], best["keras_torch"], best["native"]
                print(
                    f"{model + ' batch ' + str(batch):18s} {n or 'default'!s:>7s} {a:8.2f}s "
                    f"{k:10.2f}s {nat:7.2f}s {a / k:14.2f} {a / nat:15.2f}",
                    flush=True,
                )
                rows.append({"model": model, "batch": batch, "threads": n or "default", **best})
    set_threads(None)
    theirs.close()
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
