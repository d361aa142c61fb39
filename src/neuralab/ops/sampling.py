"""Drawing category indices from probabilities (``torch.multinomial``)."""

from __future__ import annotations

from typing import Any

import numpy

from neuralab import backend
from neuralab.tensor import Tensor


class DistributionError(ValueError, RuntimeError):
    """Probabilities that are no distribution: a ValueError by neuralab's rule and a
    RuntimeError as in PyTorch, so either catches it."""


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Draws ``num_samples`` category indices per row, category j with probability
    input[j] / sum(input).

    Rows need not sum to 1; entries must be finite and >= 0 with a positive sum. Without
    replacement a category is drawn at most once (so num_samples <= the number of
    categories): the categories with the largest p_j / E_j, E_j ~ Exp(1) independent, which
    is the same law as drawing one at a time and removing it.

    Args:
        input: the weights, 1-D (one distribution) or 2-D (one per row).
        num_samples: the draws per row.
        replacement: draw with replacement. Defaults to False.
        generator: a ``neuralab.Generator`` or NumPy Generator. Keyword only. Defaults to None
            (the global one).

    Returns:
        int64 indices of shape (num_samples,) or (rows, num_samples).

    Raises:
        TypeError: if ``input`` is not a Tensor.
        ValueError: if the weights are invalid or ``num_samples`` is not positive or too
            large without replacement (``DistributionError``).

    Examples:
        >>> import neuralab as nl
        >>> _ = nl.manual_seed(0)
        >>> nl.multinomial(nl.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
        tensor([1, 1], dtype=int64)
        >>> sorted(nl.multinomial(nl.tensor([1.0, 1.0, 1.0]), 3).tolist())
        [0, 1, 2]
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}"
        )
    probs = input._data
    if probs.ndim not in (1, 2):
        raise DistributionError(f"multinomial: prob_dist must be 1 or 2 dim, got {probs.ndim}")
    if probs.dtype.kind != "f":
        raise DistributionError(
            f"multinomial only supports floating-point dtypes for input, got: {probs.dtype}"
        )
    if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
        raise DistributionError(f"multinomial: cannot sample n_sample <= 0 samples ({num_samples})")
    rows = numpy.asarray(probs, dtype=numpy.float64).reshape(-1, probs.shape[-1])
    categories = rows.shape[1]
    if not replacement and num_samples > categories:
        raise DistributionError(
            f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement ({num_samples} > {categories})"
        )
    if not numpy.isfinite(rows).all() or (rows < 0).any():
        raise DistributionError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise DistributionError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0)"
        )
    rng = backend.generator(generator, "multinomial")
    if replacement:
        cdf = numpy.cumsum(rows, axis=1) / totals[:, None]
        draws = rng.random((rows.shape[0], num_samples))
        picks = numpy.stack([numpy.searchsorted(c, u, side="right") for c, u in zip(cdf, draws)])
        picks = numpy.minimum(picks, categories - 1)
    else:
        keys = rows / rng.exponential(size=rows.shape)
        picks = numpy.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = picks.astype(numpy.int64).reshape(probs.shape[:-1] + (num_samples,))
    return Tensor._from_array(out)
