"""``neuralab.utils``: where ``torch.utils`` stands. ``utils.data`` is the data API
(``Dataset``, ``DataLoader``, samplers, ``random_split``), re-exported from
``neuralab.data``."""

from __future__ import annotations

from neuralab.utils import data

__all__ = ["data"]

# Parts of torch.utils that neuralab does not have, and what to use instead.
_MISSING = {
    "tensorboard": "log scalars with neuralab.callbacks or print them",
    "checkpoint": "activation checkpointing does not apply: run the forward pass plainly",
    "cpp_extension": "neuralab is pure Python/NumPy; write a neuralab.Function instead",
    "benchmark": "time with time.perf_counter (see benchmarks/)",
    "hooks": "neuralab has no torch.utils.hooks helpers",
    "model_zoo": "build the model from neuralab.nn and load weights with neuralab.load",
    "dlpack": "use numpy arrays: neuralab.tensor(array) and Tensor.numpy()",
}


def __getattr__(name: str) -> object:
    if name in _MISSING:
        raise NotImplementedError(
            f"torch.utils.{name} is not implemented in neuralab.utils; {_MISSING[name]}"
        )
    raise AttributeError(f"module 'neuralab.utils' has no attribute {name!r}")
