"""Keras 3's weight initializers: ``init(shape, dtype=None) -> neuralab.Tensor`` (float32).

Fans are Keras's (``compute_fans``): a Dense kernel is (in, out), a convolution kernel
(kh, kw, in, out) has fan_in = kh kw in and fan_out = kh kw out. The draws reuse
``neuralab.nn.init`` (uniform_, normal_, trunc_normal_, orthogonal_).

Seeds, as in Keras 3: an initializer seeded with an int, or unseeded, gives the *same*
values at every call (an unseeded one draws its int seed once, at construction, from
neuralab's global generator, so ``neuralab.manual_seed`` / ``keras.utils.set_random_seed``
before building a model makes it reproducible). A ``neuralab.Generator`` (or a NumPy
``Generator``) as ``seed`` is a stream, as Keras's ``SeedGenerator``: every call draws new
values from it.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy

from neuralab import backend
from neuralab.keras import serialization
from neuralab.keras.backend import snake_case
from neuralab.nn import init as nn_init
from neuralab.tensor import Tensor

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "deserialize",
    "get",
    "serialize",
]

# Keras's TruncatedNormal stddev correction: the standard deviation of a standard normal
# truncated to [-2, 2]. Dividing by it makes the truncated draws' variance equal ``scale``.
TRUNCATED_STD = 0.87962566103423978


def _shape(shape: Any, who: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in ((shape,) if isinstance(shape, int) else shape))
    except (TypeError, ValueError):
        raise TypeError(f"{who}: shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{who}: shape must have non-negative dimensions, got {shape!r}")
    return dims


def _dtype(dtype: Any, who: str, floating: bool = True) -> numpy.dtype:
    """None -> float32 (Keras's floatx); else a NumPy float dtype (or any numeric dtype for
    the constant initializers)."""
    if dtype is None:
        return backend.float32
    try:
        dt = numpy.dtype(getattr(dtype, "name", dtype))
    except TypeError:
        raise TypeError(
            f"{who}: dtype must be a dtype name such as 'float32', got {dtype!r}"
        ) from None
    if dt.kind not in ("f" if floating else "fiub"):
        raise ValueError(
            f"{who}: expected a floating dtype (float32 or float64), got {dt.name}"
            if floating
            else f"{who}: expected a numeric dtype, got {dt.name}"
        )
    return dt


def _empty(shape: tuple[int, ...], dtype: numpy.dtype) -> Tensor:
    return Tensor._from_array(numpy.zeros(shape, dtype=dtype))


def compute_fans(shape: Any, input_axes: Any = None, output_axes: Any = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them.

    ``()`` gives (1, 1); ``(n,)`` gives (n, n); ``(in, out)`` gives (in, out); a convolution
    kernel ``(..., in, out)`` gives ``(in * r, out * r)``, ``r`` the product of the leading
    (spatial) sizes.

    Args:
        shape: The weight's shape.
        input_axes: The axes whose sizes multiply into ``fan_in`` (instead of the rule above).
            Defaults to None.
        output_axes: The same for ``fan_out``. Defaults to None.

    Returns:
        ``(fan_in, fan_out)``.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.compute_fans((3, 3, 8, 16))
        (72, 144)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (
            int(math.prod(shape[a] for a in input_axes)),
            int(math.prod(shape[a] for a in output_axes)),
        )
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer:
    """The base class of initializers: ``initializer(shape, dtype=None)`` returns a new Tensor.

    ``get_config()`` gives the constructor's arguments and ``from_config`` rebuilds the
    initializer from them.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> class Halves(keras.initializers.Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return nl.tensor(np.full(shape, 0.5, "float32"))
        >>> layer = keras.layers.Dense(2, kernel_initializer=Halves())
        >>> layer(np.ones((1, 3), "float32")).detach()
        tensor([[1.5, 1.5]])
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        raise NotImplementedError(
            f"{type(self).__name__}: Initializer subclasses must implement __call__(shape, dtype)"
        )

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)

    def clone(self) -> Initializer:
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# --- constants -------------------------------------------------------------------------
class Constant(Initializer):
    """Fills with a constant: ``w = value``.

    Args:
        value: A number, or an array that broadcasts to the shape. Defaults to 0.0.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.Constant(3.0)((2,))
        tensor([3., 3.])
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        dims = _shape(shape, "Constant")
        dt = _dtype(dtype, "Constant", floating=False)
        value = self.value._data if isinstance(self.value, Tensor) else self.value
        try:
            array = numpy.broadcast_to(numpy.asarray(value, dtype=dt), dims).copy()
        except ValueError:
            raise ValueError(
                f"Constant: value of shape {numpy.shape(value)} does not broadcast to the "
                f"requested shape {dims}"
            ) from None
        return Tensor._from_array(array)

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, Tensor):
            value = value._data
        return {"value": value.tolist() if isinstance(value, numpy.ndarray) else value}


class Zeros(Initializer):
    """Fills with zeros: ``w = 0``.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.Zeros()((2, 2))
        tensor([[0., 0.],
                [0., 0.]])
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        return _empty(_shape(shape, "Zeros"), _dtype(dtype, "Zeros", floating=False))


class Ones(Initializer):
    """Fills with ones: ``w = 1``.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.Ones()((3,))
        tensor([1., 1., 1.])
    """

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        array = numpy.ones(_shape(shape, "Ones"), dtype=_dtype(dtype, "Ones", floating=False))
        return Tensor._from_array(array)


class Identity(Initializer):
    """The (rectangular) identity matrix: ``w = gain * I``, for 2-D shapes only.

    Args:
        gain: The diagonal's value. Defaults to 1.0.

    Raises:
        ValueError: If the shape is not 2-D (when called).

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.Identity()((2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        dims = _shape(shape, "Identity")
        if len(dims) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(dims)} of rank {len(dims)}."
            )
        dt = _dtype(dtype, "Identity", floating=False)
        return Tensor._from_array((self.gain * numpy.eye(*dims)).astype(dt))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# --- random ----------------------------------------------------------------------------
class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed (see the module's docstring)."""

    def __init__(self, seed: Any = None) -> None:
        self._init_seed = seed
        if seed is None:
            # Keras: make_default_seed() = a random int in [1, 1e9], fixed from now on.
            seed = int(backend.generator().integers(1, int(1e9), endpoint=True))
        elif isinstance(seed, dict):
            raise NotImplementedError(
                f"neuralab.keras: {type(self).__name__}(seed=<serialized SeedGenerator>) is "
                "not supported; pass an int or a neuralab.Generator"
            )
        elif isinstance(seed, (bool, numpy.bool_)) or not isinstance(
            seed, (int, numpy.integer, backend.Generator, numpy.random.Generator)
        ):
            raise ValueError(
                f"{type(self).__name__}: `seed` argument should be an int, a "
                f"neuralab.Generator or None. Received: seed={seed!r}"
            )
        self.seed = int(seed) if isinstance(seed, (int, numpy.integer)) else seed

    def _rng(self) -> numpy.random.Generator:
        """A fresh generator from the int seed (same values each call), or the stream."""
        if isinstance(self.seed, int):
            return numpy.random.default_rng(self.seed)
        return backend.generator(self.seed, type(self).__name__)

    def get_config(self) -> dict:
        seed = self._init_seed
        return {"seed": seed if seed is None or isinstance(seed, int) else None}


class RandomNormal(RandomInitializer):
    """Normal draws: ``w ~ N(mean, stddev^2)``.

    Args:
        mean: The mean. Defaults to 0.0.
        stddev: The standard deviation. Defaults to 0.05.
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.RandomNormal(stddev=0.5, seed=0)((300, 300))
        >>> round(float(w.numpy().std()), 2)
        0.5
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        out = _empty(_shape(shape, "RandomNormal"), _dtype(dtype, "RandomNormal"))
        return nn_init.normal_(out, self.mean, self.stddev, generator=self._rng())

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Truncated normal draws: ``w ~ N(mean, stddev^2)`` within 2 standard deviations.

    Values outside ``[mean - 2 stddev, mean + 2 stddev]`` are redrawn, so the draws' standard
    deviation is ``0.8796 * stddev``.

    Args:
        mean: The mean. Defaults to 0.0.
        stddev: The standard deviation before truncation. Defaults to 0.05.
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.TruncatedNormal(stddev=1.0, seed=0)((300, 300)).numpy()
        >>> round(float(w.std()), 2), bool(abs(w).max() <= 2.0)
        (0.88, True)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        out = _empty(_shape(shape, "TruncatedNormal"), _dtype(dtype, "TruncatedNormal"))
        return _truncated(out, self.mean, self.stddev, self._rng())

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


def _truncated(out: Tensor, mean: float, stddev: float, rng: numpy.random.Generator) -> Tensor:
    if stddev == 0 or out._data.size == 0:
        out._data[...] = mean
        return out
    lo, hi = mean - 2.0 * stddev, mean + 2.0 * stddev
    return nn_init.trunc_normal_(out, mean, stddev, lo, hi, generator=rng)


class RandomUniform(RandomInitializer):
    """Uniform draws: ``w ~ U(minval, maxval)``.

    Args:
        minval: The lower bound. Defaults to -0.05.
        maxval: The upper bound. Defaults to 0.05.
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.RandomUniform(-1.0, 1.0, seed=0)((100, 100)).numpy()
        >>> bool(w.min() >= -1.0 and w.max() < 1.0)
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        out = _empty(_shape(shape, "RandomUniform"), _dtype(dtype, "RandomUniform"))
        return nn_init.uniform_(out, self.minval, self.maxval, generator=self._rng())

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Draws with variance ``s = scale / n``, ``n`` the fan of ``mode``.

    ``n`` is ``fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` (at least 1). By
    ``distribution``: 'truncated_normal' (or 'normal'): ``N(0, sigma^2)`` truncated to
    ``+-2 sigma``, ``sigma = sqrt(s) / 0.8796``, so the draws' variance is ``s``;
    'untruncated_normal': ``N(0, s)``; 'uniform': ``U(-limit, limit)``, ``limit = sqrt(3 s)``.

    Args:
        scale: The scale (> 0). Defaults to 1.0.
        mode: 'fan_in', 'fan_out' or 'fan_avg'. Defaults to 'fan_in'.
        distribution: 'truncated_normal', 'normal', 'untruncated_normal' or 'uniform'.
            Defaults to 'truncated_normal'.
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``scale <= 0``, ``mode`` or ``distribution`` is unknown, or ``seed`` is
            not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> init = keras.initializers.VarianceScaling(2.0, distribution="uniform", seed=0)
        >>> w = init((100, 50)).numpy()  # limit = sqrt(3 * 2 / 100)
        >>> bool(abs(w).max() <= 0.245), round(float(w.var()), 2)
        (True, 0.02)
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: Any = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        if not scale > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {modes}")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one of "
                f"{distributions}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        who = type(self).__name__
        dims = _shape(shape, who)
        out = _empty(dims, _dtype(dtype, who))
        fan_in, fan_out = compute_fans(dims, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, n[self.mode])
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return _truncated(out, 0.0, math.sqrt(scale) / TRUNCATED_STD, rng)
        if self.distribution == "untruncated_normal":
            return nn_init.normal_(out, 0.0, math.sqrt(scale), generator=rng)
        limit = math.sqrt(3.0 * scale)
        return nn_init.uniform_(out, -limit, limit, generator=rng)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Preset(VarianceScaling):
    """A VarianceScaling with a fixed (scale, mode, distribution)."""

    _preset: tuple[float, str, str]

    def __init__(self, seed: Any = None, input_axes: Any = None, output_axes: Any = None) -> None:
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict:
        config = super().get_config()
        return {k: config[k] for k in ("seed", "input_axes", "output_axes")}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform initializer.

    ``U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.GlorotUniform(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.07
    """

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal initializer.

    ``truncated normal with variance 2 / (fan_in + fan_out)``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.GlorotNormal(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.07
    """

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_Preset):
    """He (Kaiming) normal initializer.

    ``truncated normal with variance 2 / fan_in``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.HeNormal(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.1
    """

    _preset = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Preset):
    """He (Kaiming) uniform initializer.

    ``U(-limit, limit), limit = sqrt(6 / fan_in)``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.HeUniform(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.1
    """

    _preset = (2.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """LeCun normal initializer.

    ``truncated normal with variance 1 / fan_in``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.LecunNormal(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.07
    """

    _preset = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun uniform initializer.

    ``U(-limit, limit), limit = sqrt(3 / fan_in)``; a ``VarianceScaling`` preset.

    Args:
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.
        input_axes: The axes whose sizes multiply into ``fan_in``. Defaults to None (Keras's
            rule, see ``compute_fans``).
        output_axes: The same for ``fan_out``. Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None.

    Examples:
        >>> from neuralab import keras
        >>> w = keras.initializers.LecunUniform(seed=0)((200, 200))  # fan_in = fan_out = 200
        >>> round(float(w.numpy().std()), 2)
        0.07
    """

    _preset = (1.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """Orthogonal matrix: ``w = gain * Q``, ``Q`` from the QR decomposition of a normal matrix.

    The signs are fixed by ``diag(R)``; the shape is flattened to
    ``(prod(shape[:-1]), shape[-1])``, so a conv kernel's columns (or rows, when fewer) are
    orthonormal.

    Args:
        gain: The factor. Defaults to 1.0.
        seed: An int (the same draws on every call), a ``neuralab.Generator``, or None (a
            random int fixed at construction, as Keras). Defaults to None.

    Raises:
        ValueError: If ``seed`` is not an int, a Generator or None, or the shape has fewer than
            2 dimensions (when called).

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> w = keras.initializers.Orthogonal(seed=0)((3, 3)).numpy()
        >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-6))
        True
    """

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        dims = _shape(shape, "Orthogonal")
        if len(dims) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={dims} of rank {len(dims)}."
            )
        flat = _empty((math.prod(dims[:-1]), dims[-1]), _dtype(dtype, "Orthogonal"))
        nn_init.orthogonal_(flat, self.gain, generator=self._rng())
        return Tensor._from_array(flat._data.reshape(dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}


# --- lookup ----------------------------------------------------------------------------
_CLASSES = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
    HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
    TruncatedNormal, VarianceScaling,
)  # fmt: skip
_BY_NAME: dict[str, type[Initializer]] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({snake_case(cls.__name__): cls for cls in _CLASSES})
_BY_NAME.update(
    {
        "IdentityInitializer": Identity,
        "normal": RandomNormal,
        "one": Ones,
        "OrthogonalInitializer": Orthogonal,
        "uniform": RandomUniform,
        "zero": Zeros,
    }
)
_NOT_BUILT = ("STFT", "stft", "STFTInitializer")

# Keras's lower-case function-style names (keras.initializers.glorot_uniform(...)).
constant, zeros, ones, identity = Constant, Zeros, Ones, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform,
)  # fmt: skip
lecun_normal, lecun_uniform = LecunNormal, LecunUniform


def _class(name: str) -> type[Initializer]:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in _NOT_BUILT:
        raise NotImplementedError(f"neuralab.keras: initializers.{name} is not supported")
    names = sorted(n for n in _BY_NAME if n == n.lower())
    raise ValueError(
        f"Could not interpret initializer identifier: {name!r}; known initializers: "
        f"{', '.join(names)} (or their class names: GlorotUniform, ...)"
    )


def serialize(initializer: Initializer) -> dict:
    """Keras's config dict of an initializer.

    ``{'module', 'class_name', 'config', 'registered_name'}``.

    Args:
        initializer: An ``Initializer``.

    Returns:
        The config dict.

    Raises:
        TypeError: If ``initializer`` is not an ``Initializer``.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.serialize(keras.initializers.Zeros())
        {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {},
         'registered_name': None}
    """
    if not isinstance(initializer, Initializer):
        raise TypeError(
            f"initializers.serialize: expected an Initializer, got {type(initializer).__name__}"
        )
    return serialization.serialize(initializer, "keras.initializers")


def deserialize(config: Any, custom_objects: dict | None = None) -> Initializer:
    """An initializer from ``{'class_name': ..., 'config': {...}}`` (or a bare name).

    Args:
        config: A config dict (as ``serialize`` gives) or a name.
        custom_objects: Extra classes by name, looked up first. Defaults to None.

    Returns:
        A new initializer.

    Raises:
        ValueError: If the config names no known initializer.
        NotImplementedError: If it names a Keras initializer neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> config = {"class_name": "Constant", "config": {"value": 2.0}}
        >>> init = keras.initializers.deserialize(config)
        >>> init((2,))
        tensor([2., 2.])
    """
    return serialization.deserialize(config, "initializer", _class, custom_objects)


def get(identifier: Any) -> Callable[..., Tensor] | None:
    """The initializer an identifier stands for.

    None gives None; a name ('glorot_uniform', 'GlorotUniform', 'zeros', ...) or a config
    dict a new initializer; a class an instance; an array or Tensor a function returning it
    (the shape must match); an initializer or any callable ``f(shape, dtype=None)`` itself.

    Args:
        identifier: None, a name, a config dict, a class, an array or a callable.

    Returns:
        An initializer (or callable), or None.

    Raises:
        ValueError: If the identifier is not a known initializer.
        NotImplementedError: If it names a Keras initializer neuralab does not build.

    Examples:
        >>> from neuralab import keras
        >>> keras.initializers.get("he_normal")
        HeNormal(seed=None, input_axes=None, output_axes=None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _class(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, (Tensor, numpy.ndarray, numpy.generic)):
        value = identifier._data if isinstance(identifier, Tensor) else numpy.asarray(identifier)

        def initialize_fn(shape: Any, dtype: Any = None) -> Tensor:
            if tuple(shape) != value.shape:
                raise ValueError(
                    f"Expected `shape` to be {value.shape} for direct tensor as initializer. "
                    f"Received shape={tuple(shape)}"
                )
            return Tensor._from_array(value.astype(_dtype(dtype, "initializer", False)))

        return initialize_fn
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r} (expected a name, a "
        "config dict, an Initializer, a class, an array or a callable)"
    )
