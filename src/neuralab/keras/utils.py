"""The commonly used part of ``keras.utils``: ``to_categorical``, ``normalize``,
``pad_sequences``, ``set_random_seed``. Keras utilities that neuralab does not build
(``plot_model``, ``split_dataset``, the ``*_dataset_from_directory`` readers, ...) raise
``NotImplementedError`` naming them.
"""

from __future__ import annotations

import random
from typing import Any

import numpy

from neuralab import backend, ops
from neuralab.tensor import Tensor

__all__ = [
    "normalize",
    "pad_sequences",
    "plot_model",
    "set_random_seed",
    "to_categorical",
]

EPSILON = 1e-7  # keras.backend.epsilon()


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """One-hot encodes class labels: class ``c`` becomes a vector with 1 at index ``c``.

    The class axis is last. As Keras: a trailing axis of size 1 is dropped first
    ((N, 1) -> (N, C)); array-like input gives a float64 NumPy array; a neuralab Tensor gives
    a float32 Tensor.

    Args:
        x: Integer class labels.
        num_classes: The number of classes. Defaults to None (``max(x) + 1``; 0 also means
            this).

    Returns:
        The one-hot array (or Tensor), shape ``(*x.shape, num_classes)``.

    Raises:
        ValueError: If a label is fractional or outside [0, num_classes) (Keras wraps negative
            ones silently), or the input is empty without ``num_classes``.

    Examples:
        >>> from neuralab import keras
        >>> keras.utils.to_categorical([0, 2, 1])
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]])
    """
    is_tensor = isinstance(x, Tensor)
    labels = numpy.asarray(x._data if is_tensor else x)
    if labels.size and labels.dtype.kind == "f" and not numpy.all(labels == numpy.round(labels)):
        raise ValueError("to_categorical: expected integer class labels, got fractional values")
    labels = labels.astype(numpy.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if not num_classes:
        if flat.size == 0:
            raise ValueError("to_categorical: num_classes is needed for an empty input")
        num_classes = int(flat.max()) + 1
    num_classes = int(num_classes)
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, {num_classes}) for num_classes="
            f"{num_classes}, got values from {flat.min()} to {flat.max()}"
        )
    out = numpy.zeros((flat.size, num_classes), dtype=backend.float32 if is_tensor else float)
    out[numpy.arange(flat.size), flat] = 1
    out = out.reshape(tuple(shape) + (num_classes,))
    return Tensor._from_array(out) if is_tensor else out


def normalize(x: Any, axis: int | None = -1, order: int = 2) -> Any:
    """Normalizes along ``axis``: ``x / ||x||_order``.

    NumPy input (as Keras): ``x / numpy.linalg.norm(x)``, a zero norm counted as 1; returns
    NumPy. A Tensor (differentiable, Keras's ops formula): order 2 is
    ``x * min(1 / sqrt(sum x^2), 1 / eps)``, other orders ``x / max(||x||_order, eps)``,
    ``eps = 1e-7``.

    Args:
        x: An array or a Tensor.
        axis: The axis to normalize along (None: all). Defaults to -1.
        order: The norm's order (an int >= 1). Defaults to 2.

    Returns:
        The normalized array (or Tensor).

    Raises:
        TypeError: If ``x`` is neither an array nor a Tensor.
        ValueError: If ``order`` is not an int >= 1.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> keras.utils.normalize(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])
    """
    if isinstance(x, numpy.ndarray):
        norm = numpy.atleast_1d(numpy.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        # (Keras writes ``axis = axis or -1``, which turns axis=0 into -1; axis 0 is kept here.)
        return x / numpy.expand_dims(norm, -1 if axis is None else axis)
    if not isinstance(x, Tensor):
        raise TypeError(
            f"normalize: expected a NumPy array or a neuralab Tensor, got {type(x).__name__}"
        )
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    if x.ndim == 0:
        x = x.reshape(1)
    if order == 2:
        inv_norm = ops.rsqrt((x * x).sum(dim=axis, keepdim=True))
        return x * ops.clamp(inv_norm, max=1.0 / EPSILON)
    magnitude = ops.abs(x)
    if order == 1:
        norm = magnitude.sum(dim=axis, keepdim=True)
    else:
        norm = (magnitude**order).sum(dim=axis, keepdim=True) ** (1.0 / order)
    return x / ops.clamp(norm, min=EPSILON)


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> numpy.ndarray:
    """Pads (and truncates) sequences of different lengths into one array.

    Each sequence is filled with ``value`` before ('pre') or after ('post') it; longer ones
    are cut at the start ('pre') or the end ('post').

    Args:
        sequences: A list of sequences (lists or arrays).
        maxlen: The output length. Defaults to None (the longest sequence's length).
        dtype: The output's dtype. Defaults to 'int32'.
        padding: 'pre' or 'post'. Defaults to 'pre'.
        truncating: 'pre' or 'post'. Defaults to 'pre'.
        value: The padding value. Defaults to 0.0.

    Returns:
        An array of shape ``(num_sequences, maxlen, ...)``.

    Raises:
        ValueError: If ``sequences`` is not iterable, ``padding`` or ``truncating`` is
            unknown, or the sequences' trailing shapes differ.

    Examples:
        >>> from neuralab import keras
        >>> keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
        array([[2, 3],
               [0, 4]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    lengths, sample_shape = [], ()
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {s!r}"
            ) from None
        if len(s) and not sample_shape:
            sample_shape = numpy.asarray(s).shape[1:]
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    out = numpy.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        kept = numpy.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {i} is different "
                f"from expected shape {tuple(sample_shape)}"
            )
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, -len(kept) :] = kept
    return out


def set_random_seed(seed: int) -> None:
    """Seeds Python's ``random``, NumPy's global generator and neuralab's (``manual_seed``).

    Initializers created afterwards, dropout and shuffling become reproducible.

    Args:
        seed: The seed.

    Examples:
        >>> from neuralab import keras
        >>> keras.utils.set_random_seed(0)
        >>> a = keras.initializers.RandomNormal()((2,)).numpy()
        >>> keras.utils.set_random_seed(0)
        >>> bool((keras.initializers.RandomNormal()((2,)).numpy() == a).all())
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed!r} (of type "
            f"{type(seed)})"
        )
    random.seed(int(seed))
    numpy.random.seed(int(seed))
    backend.manual_seed(int(seed))


def plot_model(*args: Any, **kwargs: Any) -> None:
    """Not built: drawing a model needs pydot and Graphviz.

    Args:
        *args: Keras's arguments (ignored).
        **kwargs: Keras's keyword arguments (ignored).

    Raises:
        NotImplementedError: Always.

    Examples:
        >>> from neuralab import keras
        >>> keras.utils.plot_model(None)
        Traceback (most recent call last):
        NotImplementedError: neuralab.keras: utils.plot_model ...
    """
    raise NotImplementedError(
        "neuralab.keras: utils.plot_model is not supported (it needs pydot and Graphviz); "
        "use model.summary()"
    )


# keras.utils names that neuralab does not build: importing them works, calling them
# raises NotImplementedError naming them.
_NOT_BUILT = (
    "array_to_img", "audio_dataset_from_directory", "get_file", "image_dataset_from_directory",
    "img_to_array", "load_img", "model_to_dot", "save_img", "split_dataset",
    "text_dataset_from_directory", "timeseries_dataset_from_array",
)  # fmt: skip


def _not_built(name: str) -> Any:
    def stub(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"neuralab.keras: utils.{name} is not supported")

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = "Not built in neuralab.keras: calling it raises NotImplementedError."
    return stub


for _name in _NOT_BUILT:
    globals()[_name] = _not_built(_name)
del _name
