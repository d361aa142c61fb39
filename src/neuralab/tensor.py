"""Tensor: an array with an optional gradient, and the reverse-mode autograd engine.

A tensor produced by an op while gradients are on remembers the op that made it
(``grad_fn``), and that op remembers its input tensors: together they form a directed
acyclic graph. ``loss.backward()`` visits that graph once in reverse topological order and
applies the chain rule at each node,

    dL/dx_i = sum over the ops f that used x_i of  (dL/df) * (df/dx_i),

adding the contributions of every use of a tensor (gradients accumulate) and summing
each gradient back over the axes that broadcasting expanded (``sum_to_shape``, the one
place where broadcasting is undone). Leaves (tensors made by the user with
``requires_grad=True``) keep their gradient in ``.grad``; intermediate results do not,
unless ``retain_grad()`` was called.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy

from neuralab import backend
from neuralab import device as _device


class _GradMode(threading.local):
    """Whether ops record the graph, and the clock that dates in-place changes.

    ``enabled`` is per thread, as in PyTorch: ``no_grad`` in one thread leaves the others
    recording, and a new thread starts with it on. ``clock`` counts in-place changes of
    tensors, in every thread together: each one sets the changed tensor's ``_version`` to
    the new count, and each graph node remembers the count when it was made, so backward
    can tell whether a tensor it saved was changed after it was saved.
    """

    _count: ClassVar[list[int]] = [0]  # the clock, one for every thread

    def __init__(self) -> None:
        self.enabled = True

    @property
    def clock(self) -> int:
        return _GradMode._count[0]

    @clock.setter
    def clock(self, value: int) -> None:
        _GradMode._count[0] = value


grad_mode = _GradMode()


class _GradModeContext(contextlib.ContextDecorator):
    """Base of ``no_grad`` / ``enable_grad``: a context manager that is also a decorator."""

    enabled: bool

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        """``@no_grad`` without parentheses decorates the function directly."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        grad_mode.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        grad_mode.enabled = self._previous


class no_grad(_GradModeContext):
    """Record no graph inside the block: for evaluation and parameter updates.

    A context manager, and a decorator (``@no_grad`` or ``@no_grad()``). Tensors computed
    inside have ``requires_grad=False`` and no ``grad_fn``.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> with nl.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
        >>> @nl.no_grad
        ... def predict(x):
        ...     return x * w
        >>> predict(nl.ones(2)).requires_grad
        False
    """

    enabled = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block; also a decorator.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0], requires_grad=True)
        >>> with nl.no_grad():
        ...     with nl.enable_grad():
        ...         y = w * 2
        >>> y.requires_grad
        True
    """

    enabled = True


class set_grad_enabled(_GradModeContext):
    """Turn the graph on or off: at once as a call, or for a block as a context manager.

    Args:
        mode: True records the graph, False does not.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0], requires_grad=True)
        >>> with nl.set_grad_enabled(False):
        ...     (w * 2).requires_grad
        False
        >>> _ = nl.set_grad_enabled(False)
        >>> nl.is_grad_enabled()
        False
        >>> _ = nl.set_grad_enabled(True)
        >>> nl.is_grad_enabled()
        True
    """

    def __init__(self, mode: bool) -> None:
        self._previous = grad_mode.enabled
        self.enabled = bool(mode)
        grad_mode.enabled = self.enabled

    def __enter__(self) -> None:
        grad_mode.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        grad_mode.enabled = self._previous


class inference_mode(_GradModeContext):
    """``torch.inference_mode``: here the same as ``no_grad``; also a decorator.

    Args:
        mode: True turns the graph off inside the block; False leaves it on.
            Defaults to True.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0], requires_grad=True)
        >>> with nl.inference_mode():
        ...     (w * 2).requires_grad
        False
    """

    def __init__(self, mode: bool = True) -> None:
        self.enabled = not mode


def is_grad_enabled() -> bool:
    """Whether ops record the graph now (False inside ``no_grad``).

    Returns:
        True when gradients are on.

    Examples:
        >>> import neuralab as nl
        >>> nl.is_grad_enabled()
        True
        >>> with nl.no_grad():
        ...     nl.is_grad_enabled()
        False
    """
    return grad_mode.enabled


class DTypeError(TypeError, RuntimeError):
    """An input whose dtype the op does not take; the message names the op and the dtypes.

    For example a string tensor, or an int64 input to a float32 layer. A TypeError by
    neuralab's rule and a RuntimeError as in PyTorch, so either catches it.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.tensor import DTypeError
        >>> issubclass(DTypeError, TypeError) and issubclass(DTypeError, RuntimeError)
        True
    """


class DataTypeError(DTypeError, ValueError):
    """Data that holds no numbers (strings, None, objects) given to ``tensor()``.

    PyTorch raises TypeError for some of these and ValueError for others ("too many
    dimensions 'str'"); this error is both, and a RuntimeError, so code written for either
    catches it.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor(["a", "b"])
        Traceback (most recent call last):
        neuralab.tensor.DataTypeError: ...
    """


class IndexRangeError(IndexError, RuntimeError):
    """An index outside the range an op allows; the message names the op, index and size.

    For example ``gather`` with -1, or with the size of the dimension. An IndexError, and a
    RuntimeError as PyTorch raises for most such ops, so either catches it.

    Examples:
        >>> import neuralab as nl
        >>> nl.gather(nl.zeros(3), 0, nl.tensor([3]))
        Traceback (most recent call last):
        neuralab.tensor.IndexRangeError: ...
    """


class ConversionError(ValueError, RuntimeError):
    """Data that makes no tensor: ragged nested lists, an integer too large for its dtype.

    A ValueError, and a RuntimeError as PyTorch raises for some of these.

    Examples:
        >>> import neuralab as nl
        >>> nl.tensor([[1, 2], [3]])
        Traceback (most recent call last):
        neuralab.tensor.ConversionError: ...
    """


_INT64_MAX = 2**63 - 1


def _tensor_dtype_ok(dtype: numpy.dtype) -> bool:
    """bool, (u)int8..64, float16/32/64, complex64/128: the dtypes a tensor holds."""
    kind = dtype.kind
    if kind in "biu":
        return True
    return (kind == "f" and dtype.itemsize <= 8) or (kind == "c" and dtype.itemsize <= 16)


def _refuse_dtype(array: Any, data: Any) -> DTypeError:
    """The error for data no tensor can hold, naming the offending element where it can."""
    if array.dtype.kind == "O" and not isinstance(data, numpy.ndarray):
        for item in array.reshape(-1):
            if isinstance(item, int) and not isinstance(item, bool):
                return ConversionError(  # type: ignore[return-value]
                    f"tensor(): the integer {item} does not fit in int64 (overflow)"
                )
            if not isinstance(item, (bool, int, float, complex, numpy.number, numpy.bool_)):
                return DataTypeError(
                    f"tensor(): could not infer a dtype for an element of type "
                    f"{type(item).__name__} ({item!r:.40}); a tensor holds numbers and bools"
                )
    return DataTypeError(
        f"tensor(): can't convert data of dtype {array.dtype} to a tensor; the supported "
        "dtypes are bool, int8/16/32/64, uint8/16/32/64, float16/32/64 and complex64/128"
    )


def _from_python(data: Any, dtype: Any) -> Any:
    """An array from Python data (numbers, nested lists, tuples), checked: no strings or
    other objects, no ragged lists, no integer that overflows its dtype."""
    if isinstance(data, (str, bytes, bytearray)):
        raise DataTypeError(
            f"tensor(): can't make a tensor from a {type(data).__name__} ({data!r:.40}); "
            "a tensor holds numbers and bools"
        )
    try:
        array = numpy.asarray(data)
    except ValueError as error:
        raise ConversionError(
            f"tensor(): nested sequences must have equal lengths at each depth (ragged data "
            f"is not a tensor): {error}"
        ) from None
    if not _tensor_dtype_ok(array.dtype):
        raise _refuse_dtype(array, data)
    if array.dtype.kind == "u" and array.dtype.itemsize == 8 and array.size:
        signed = dtype is None or dtype.kind == "i"
        if signed and int(array.max()) > _INT64_MAX:
            raise ConversionError(
                f"tensor(): the integer {int(array.max())} does not fit in int64 (overflow)"
            )
    if dtype is None:
        if array.dtype.kind == "c" and array.dtype != numpy.complex64:
            return array.astype(numpy.complex64)  # as PyTorch: complex64 by default
        return array
    if dtype.kind in "iu" and array.dtype.kind in "iuf" and array.size:
        _check_fits(array, dtype)
    return array.astype(dtype, copy=False)


def _check_fits(array: Any, dtype: numpy.dtype) -> None:
    """Refuse Python numbers an integer dtype cannot hold (NaN, inf, out of range), as
    PyTorch does, instead of NumPy's silent wrap-around."""
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        bad = array[~numpy.isfinite(array)].reshape(-1)[0]
        raise ConversionError(f"tensor(): value {bad} cannot be converted to {dtype}")
    info = numpy.iinfo(dtype)
    low, high = array.min(), array.max()
    if low < info.min or high > info.max:
        bad = low if low < info.min else high
        raise ConversionError(
            f"tensor(): value {bad} cannot be converted to {dtype} without overflow"
        )


def _as_array(data: Any, dtype: Any = None) -> Any:
    """Convert ``data`` to an array with ``torch.as_tensor``'s dtype rules.

    Arrays keep their dtype (float64 stays float64, integer labels stay integer);
    Python floats become the default float (float32), ints int64, bools bool, complex
    numbers complex64. Strings, objects, ragged lists and integers beyond int64 raise
    (``DTypeError`` / ``ConversionError``), as in PyTorch.
    """
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        dtype = numpy.dtype(dtype)
        if not _tensor_dtype_ok(dtype):
            raise DTypeError(f"tensor(): {dtype} is not a tensor dtype")
    if isinstance(data, numpy.generic):
        data = numpy.asarray(data)
    if hasattr(data, "__array_namespace__"):
        if not _tensor_dtype_ok(data.dtype):
            raise _refuse_dtype(data, data)
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    array = _from_python(data, dtype)
    if dtype is not None:
        return array
    if array.dtype.kind == "f" and array.dtype != backend.default_float():
        array = array.astype(backend.default_float())
    elif array.dtype.kind in "iu":
        array = array.astype(backend.int64, copy=False)
    return array


def sum_to_shape(grad: Any, shape: tuple) -> Any:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched.

    The one place where backward undoes broadcasting: an input of shape ``shape`` broadcast
    to ``grad.shape`` gets the sum of the gradient over the broadcast axes.

    Args:
        grad: The gradient array, of the broadcast shape.
        shape: The input's shape.

    Returns:
        An array of shape ``shape``.

    Examples:
        >>> import numpy as np
        >>> from neuralab.tensor import sum_to_shape
        >>> sum_to_shape(np.ones((2, 3)), (1, 3)).tolist()
        [[2.0, 2.0, 2.0]]
        >>> sum_to_shape(np.ones((2, 3)), (3,)).tolist()
        [2.0, 2.0, 2.0]
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    return out.reshape(shape) if lead else out


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    A tensor made by an op while gradients are on remembers the op (``grad_fn``);
    ``backward()`` then fills ``.grad`` of every leaf that requires grad. Python ints give
    int64, floats the default float dtype (float32), bools bool; NumPy arrays keep their
    dtype. ``.data`` is a Tensor sharing this one's memory, outside the graph (as in
    PyTorch); ``.numpy()`` is the NumPy array itself; ``.grad`` a Tensor or None. Every
    tensor lives on the CPU (``device`` is ``cpu``).

    The ops (``view``, ``reshape``, ``sum``, ``mean``, ``matmul``...) are the functions of
    ``neuralab`` bound as methods: ``x.sum(dim=1)`` is ``neuralab.sum(x, dim=1)``.

    Args:
        data: A number, a nested list, a NumPy array or a Tensor.
        requires_grad: Record operations on it for backward (floating dtypes only).
            Defaults to False.
        dtype: The dtype; None infers it from the data. Defaults to None.

    Raises:
        DataTypeError: Data that holds no numbers (strings, None).
        ConversionError: Ragged nested lists, or an integer too large for its dtype.
        RuntimeError: requires_grad with a dtype that is not floating.

    Examples:
        >>> import neuralab as nl
        >>> x = nl.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> x.shape, x.dtype
        ((2, 2), dtype('float32'))
        >>> y = (x * x).sum()
        >>> y
        tensor(30., grad_fn=<SumBackward>)
        >>> y.backward()
        >>> x.grad  # d(sum x^2)/dx = 2x
        tensor([[2., 4.],
                [6., 8.]])
        >>> a = nl.arange(6.0).view(2, 3)
        >>> a.sum(dim=1), a.mean().item()
        (tensor([ 3., 12.]), 2.5)
        >>> a.reshape(3, 2).shape
        (3, 2)
    """

    __slots__ = (
        "__weakref__",
        "_ctx",
        "_data",
        "_own_version",
        "_retains_grad",
        "_version",
        "grad",
        "requires_grad",
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self._data = _as_array(data, dtype)
        self.grad: Tensor | None = None
        self._ctx = None
        self._retains_grad = False
        self._version = 0
        self._own_version = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_array(cls, array: Any) -> Tensor:
        """Wrap an array without conversion or checks (the ops' fast path)."""
        t = object.__new__(Tensor)
        t._data = array
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        t._version = 0
        t._own_version = False
        t.requires_grad = False
        return t

    # --- properties -----------------------------------------------------------------
    shape = property(lambda self: self._data.shape)
    """The shape, a tuple of ints (``x.size()`` too)."""
    dtype = property(lambda self: self._data.dtype)
    """The NumPy dtype of the values (``float32`` by default)."""
    ndim = property(lambda self: self._data.ndim)
    """The number of dimensions (``x.dim()`` too)."""
    grad_fn = property(lambda self: self._ctx)
    """The graph node of the op that made this tensor, or None for a leaf."""
    is_leaf = property(lambda self: self._ctx is None)
    """Whether no op made this tensor in the graph (``grad_fn`` is None)."""
    T = property(lambda self: _ops.permute(self, tuple(range(self._data.ndim))[::-1]))
    """The tensor with its dimensions reversed (the transpose of a matrix)."""
    device = property(lambda self: _device.CPU)
    """Where the values live: always ``device('cpu')``."""
    is_cuda = False
    """Always False: neuralab computes on the CPU."""
    is_sparse = False
    """Always False: tensors are dense."""
    layout = "strided"
    """Always ``"strided"`` (dense), as PyTorch names it."""

    @property
    def data(self) -> Tensor:
        """This tensor's values as a Tensor that shares its memory and is outside the graph.

        It requires no gradient; changes made through it are not seen by autograd (as
        PyTorch's ``.data``).

        Examples:
            >>> import neuralab as nl
            >>> w = nl.tensor([1.0, 2.0], requires_grad=True)
            >>> w.data.requires_grad
            False
            >>> w.data.mul_(10)
            tensor([10., 20.])
            >>> w
            tensor([10., 20.], requires_grad=True)
        """
        alias = Tensor._from_array(self._own_array())
        alias._own_version = True  # unlike views and detach(), .data dates its changes alone
        return alias

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else _as_array(value)

    def size(self, dim: int | None = None) -> tuple | int:
        """The shape, or the size of one dimension.

        Args:
            dim: A dimension, or None for the whole shape. Defaults to None.

        Returns:
            A tuple of ints, or an int.

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(2, 3).size(), nl.zeros(2, 3).size(-1)
            ((2, 3), 3)
        """
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        """The number of dimensions, ``ndim``."""
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements (the product of the shape)."""
        return int(self._data.size)

    nelement = numel

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def numpy(self) -> numpy.ndarray:
        """The tensor's NumPy array itself (no copy): changes to one show in the other.

        Returns:
            The ``numpy.ndarray``.

        Raises:
            RuntimeError: The tensor requires grad (use ``tensor.detach().numpy()``).

        Examples:
            >>> import neuralab as nl
            >>> x = nl.zeros(3)
            >>> a = x.numpy()
            >>> a[0] = 5
            >>> x
            tensor([5., 0., 0.])
            >>> nl.ones(2, requires_grad=True).detach().numpy().tolist()
            [1.0, 1.0]
        """
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()"
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> numpy.ndarray:
        return numpy.asarray(self._data, dtype=dtype)

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number.

        Returns:
            A float, int or bool.

        Raises:
            RuntimeError: The tensor has more than one element.

        Examples:
            >>> import neuralab as nl
            >>> nl.tensor([2.5]).item()
            2.5
            >>> nl.tensor(3).item()
            3
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of numbers; a number for a 0-d tensor.

        Examples:
            >>> import neuralab as nl
            >>> nl.tensor([[1, 2], [3, 4]]).tolist()
            [[1, 2], [3, 4]]
        """
        return self._data.tolist()

    def __repr__(self) -> str:
        body = numpy.array2string(
            numpy.asarray(self._data), separator=", ", precision=4, prefix="tensor("
        )
        extra = "" if self._data.dtype == backend.default_float() else f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # --- autograd -------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records operations on this tensor, in place.

        Args:
            requires_grad: Record them. Defaults to True.

        Returns:
            This tensor.

        Raises:
            RuntimeError: requires_grad on a tensor that is not floating, or False on a
                non-leaf tensor.

        Examples:
            >>> import neuralab as nl
            >>> w = nl.zeros(2).requires_grad_()
            >>> w.requires_grad
            True
        """
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward.

        Raises:
            RuntimeError: The tensor does not require grad.

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x * 3
            >>> h.retain_grad()
            >>> (h * h).sum().backward()
            >>> h.grad  # 2h
            tensor([ 6., 12.])
        """
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        self._retains_grad = True

    def detach(self) -> Tensor:
        """The same data, cut from the graph: shares memory, requires no grad.

        Returns:
            A new Tensor with no ``grad_fn``.

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
            >>> y = (x * 2).detach()
            >>> y, y.requires_grad, y.grad_fn is None
            (tensor([2., 4.]), False, True)
        """
        return Tensor._from_array(self._own_array())

    def _own_array(self) -> Any:
        """The array, made a 0-d ndarray if it is a NumPy scalar (ops' 0-d results), so
        that an alias shares memory with this tensor."""
        if type(self._data) is not numpy.ndarray and isinstance(self._data, numpy.generic):
            self._data = numpy.array(self._data)
        return self._data

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: no ``grad_fn``, no grad.

        Returns:
            This tensor.
        """
        self._ctx = None
        self.requires_grad = False
        return self

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``.

        Gradients accumulate: call ``optimizer.zero_grad()`` (or set ``.grad = None``) between
        steps. Unless ``retain_graph`` is true, the graph's saved arrays are freed afterwards, so
        a second backward through it raises.

        Args:
            gradient: dL/d(self), of self's shape; may be omitted only when self holds one
                element (then 1). Defaults to None.
            retain_graph: Keep the graph for another backward. Defaults to None (False).
            create_graph: Not supported (higher-order gradients). Defaults to False.
            inputs: Accumulate into these tensors' ``.grad`` only. Defaults to None (all
                leaves).

        Raises:
            RuntimeError: self does not require grad, gradient is omitted for a tensor of more
                than one element or has the wrong shape, the graph was freed, or a saved tensor
                was changed in place.
            NotImplementedError: create_graph=True.

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
            >>> y = x ** 3
            >>> y.backward(nl.ones(2))  # y is not one element: give dL/dy
            >>> x.grad  # 3 x^2
            tensor([ 3., 12.])
            >>> (x * 2).sum().backward()  # accumulates: 3 x^2 + 2
            >>> x.grad
            tensor([ 5., 14.])
        """
        gradient = _root_gradient(self, gradient, "backward")
        if create_graph:
            raise NotImplementedError(
                "backward(create_graph=True): higher-order gradients are not supported by "
                "neuralab; its backward rules compute on arrays, outside the graph"
            )
        if inputs is None:
            backpropagate(self, gradient, bool(retain_graph))
            return
        targets = _targets(inputs, "backward")
        backpropagate(self, gradient, bool(retain_graph), targets)
        for tensor, grad in targets.values():
            if grad is not None:
                _accumulate(tensor, grad, None)

    # --- operators (defined in neuralab.ops; bound here for x + y, x @ y, x[i], ...) ---
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    # Comparisons give boolean tensors that carry no gradient; hashing stays by identity.
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._from_array(self._data == _data(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._from_array(self._data != _data(other))

    def __lt__(self, other: Any) -> Tensor:
        return Tensor._from_array(self._data < _data(other))

    def __le__(self, other: Any) -> Tensor:
        return Tensor._from_array(self._data <= _data(other))

    def __gt__(self, other: Any) -> Tensor:
        return Tensor._from_array(self._data > _data(other))

    def __ge__(self, other: Any) -> Tensor:
        return Tensor._from_array(self._data >= _data(other))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __format__(self, spec: str) -> str:
        """A one-element tensor formats as its number (``f"{loss:.4f}"``), as in PyTorch."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index, "
                f"got dtype {self.dtype} with {self._data.size} elements"
            )
        return int(self._data.item())

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    # --- devices and dtypes (every tensor lives on the CPU) ---------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor in another dtype (or "on a device": every tensor is on the CPU).

        ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (its dtype), as in
        PyTorch; ``non_blocking`` and ``memory_format`` are accepted, ``copy=True`` returns a
        copy. Returns self when nothing changes; a floating cast is differentiable.

        Args:
            *args: A dtype, a device (``"cpu"``), or a tensor whose dtype to take.
            **kwargs: ``dtype``, ``device``, ``copy``, ``non_blocking``, ``memory_format``.

        Returns:
            A Tensor (self when nothing changes).

        Raises:
            TypeError: An argument that is neither a device, a dtype nor a tensor, or an
                unknown keyword.
            RuntimeError: A device other than the CPU (e.g. ``"cuda"``).

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([1.5, 2.5])
            >>> x.to(nl.int64)
            tensor([1, 2], dtype=int64)
            >>> x.to("cpu") is x
            True
        """
        dtype, copy = _parse_to(args, kwargs, "Tensor.to")
        out = self if dtype is None else _ops.cast(self, dtype=dtype)
        return _ops.clone(out) if copy and out is self else out

    def cpu(self) -> Tensor:
        """This tensor itself: every tensor lives on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Not available: neuralab runs on the CPU only.

        Args:
            *args: Ignored.
            **kwargs: Ignored.

        Raises:
            RuntimeError: Always, saying that CUDA is not available.
        """
        _device.check("cuda", "Tensor.cuda")
        return self  # pragma: no cover - check raises

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """With no dtype, the type's name (``'torch.FloatTensor'``); else ``to(dtype)``.

        Args:
            dtype: A dtype or a type name such as ``"torch.DoubleTensor"``; None for the name.
                Defaults to None.
            non_blocking: Accepted; no effect. Defaults to False.

        Returns:
            A str, or the cast Tensor.

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(2).type()
            'torch.FloatTensor'
            >>> nl.zeros(2).type("torch.LongTensor").dtype
            dtype('int64')
        """
        if dtype is None:
            return _TYPE_NAMES.get(self._data.dtype.name, f"torch.{self._data.dtype.name}")
        if isinstance(dtype, str):
            if dtype.startswith("torch.cuda."):
                _device.check("cuda", "Tensor.type")
            dtype = _TYPE_BY_NAME.get(dtype, dtype)
        return self.to(getattr(dtype, "dtype", dtype) if callable(dtype) else dtype)

    def float(self) -> Tensor:
        """A copy of this tensor cast to float32, ``to(float32)`` (itself if already float32).

        Returns:
            A Tensor of dtype float32; the cast is differentiable between floating dtypes.
        """
        return self.to(backend.float32)

    def double(self) -> Tensor:
        """A copy of this tensor cast to float64, ``to(float64)`` (itself if already float64).

        Returns:
            A Tensor of dtype float64; the cast is differentiable between floating dtypes.
        """
        return self.to(backend.float64)

    def long(self) -> Tensor:
        """A copy of this tensor cast to int64, ``to(int64)`` (itself if already int64).

        Returns:
            A Tensor of dtype int64; the cast is differentiable between floating dtypes.
        """
        return self.to(backend.int64)

    def int(self) -> Tensor:
        """A copy of this tensor cast to int32, ``to(int32)`` (itself if already int32).

        Returns:
            A Tensor of dtype int32; the cast is differentiable between floating dtypes.
        """
        return self.to(numpy.int32)

    def bool(self) -> Tensor:
        """A copy of this tensor cast to bool, ``to(bool)`` (itself if already bool).

        Returns:
            A Tensor of dtype bool; the cast is differentiable between floating dtypes.
        """
        return self.to(backend.bool_)

    def half(self) -> Tensor:
        """A copy of this tensor cast to float16, ``to(float16)`` (itself if already float16).

        Returns:
            A Tensor of dtype float16; the cast is differentiable between floating dtypes.
        """
        return self.to(numpy.float16)

    # --- in-place updates --------------------------------------------------------------
    # Each changes the array in place and dates the change (``_version``), so that backward
    # refuses a tensor changed after an op saved it. On a tensor in the graph (requires grad,
    # grad mode on) they are refused: neuralab records no in-place ops. The augmented
    # assignments (``x += y``) fall back there to ``x = x + y``, which Python allows.
    def _mutate(self, op: str) -> None:
        if self.requires_grad and grad_mode.enabled:
            if self._ctx is None:
                raise RuntimeError(
                    f"{op}: a leaf Variable that requires grad is being used in an in-place "
                    "operation; wrap the update in `with neuralab.no_grad():` or change `.data`"
                )
            raise NotImplementedError(
                f"{op}: in-place operations on a tensor in the autograd graph (one with a "
                "grad_fn) are not recorded by neuralab; write the operation out of place, "
                "e.g. `x = x + y` for `x.add_(y)`"
            )
        grad_mode.clock += 1
        self._version = grad_mode.clock
        self._own_array()
        if not self._own_version:
            _date_memory(self._data, grad_mode.clock)

    def _shape_error(self, op: str, other: Any, error: ValueError) -> Exception:
        shape = getattr(other, "shape", ())
        return _ShapeError(
            f"{op}: the other operand's shape {tuple(shape)} does not broadcast to this "
            f"tensor's shape {self._data.shape} ({error})"
        )

    def _update(self, op: str, ufunc: Any, other: Any) -> Tensor:
        self._mutate(op)
        other = _data(other)
        try:
            ufunc(self._data, other, out=self._data)
        except ValueError as error:
            raise self._shape_error(op, other, error) from None
        return self

    def _augmented(self, op: str, out_of_place: Any, ufunc: Any, other: Any) -> Tensor:
        if self.requires_grad and grad_mode.enabled and self._ctx is not None:
            return out_of_place(self, other)
        return self._update(op, ufunc, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._augmented("+=", _ops.add, numpy.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._augmented("-=", _ops.sub, numpy.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._augmented("*=", _ops.mul, numpy.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._augmented("/=", _ops.div, numpy.true_divide, other)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(value, Tensor) and value.requires_grad and grad_mode.enabled:
            raise NotImplementedError(
                "__setitem__: assigning a value that requires grad (x[i] = h) is not recorded "
                "by neuralab's autograd, so its gradient would be lost; collect the pieces in "
                "a list and use neuralab.stack or neuralab.cat"
            )
        self._mutate("__setitem__")
        if isinstance(index, Tensor):
            index = index._data
        elif isinstance(index, tuple):
            index = tuple(i._data if isinstance(i, Tensor) else i for i in index)
        try:
            self._data[index] = _data(value)
        except ValueError as error:
            raise self._shape_error("__setitem__", _data(value), error) from None

    def add_(self, other: Any, *legacy: Any, alpha: float = 1) -> Tensor:
        """Add in place: ``self += alpha * other``.

        The old form ``add_(alpha, other)`` (``p.data.add_(-lr, p.grad.data)``) is accepted
        with PyTorch's deprecation warning.

        Args:
            other: A Tensor, array or number that broadcasts to this tensor.
            *legacy: The ``other`` of the old form ``add_(alpha, other)``.
            alpha: Multiplier of other. Defaults to 1.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(2).add_(nl.ones(2), alpha=3)
            tensor([3., 3.])
        """
        if legacy:
            alpha, other = _legacy_alpha("add_", other, legacy)
        return self._update("add_", numpy.add, _scaled(other, alpha))

    def sub_(self, other: Any, *legacy: Any, alpha: float = 1) -> Tensor:
        """Subtract in place: ``self -= alpha * other`` (old form ``sub_(alpha, other)`` accepted).

        Args:
            other: A Tensor, array or number that broadcasts to this tensor.
            *legacy: The ``other`` of the old form ``sub_(alpha, other)``.
            alpha: Multiplier of other. Defaults to 1.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        if legacy:
            alpha, other = _legacy_alpha("sub_", other, legacy)
        return self._update("sub_", numpy.subtract, _scaled(other, alpha))

    def unsqueeze_(self, dim: int) -> Tensor:
        """Insert an axis of size 1 at ``dim``, in place (the array is reshaped, not copied).

        Args:
            dim: Where the new axis goes (negative counts from the end).

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        shape = list(self._data.shape)
        shape.insert(dim if dim >= 0 else len(shape) + dim + 1, 1)
        return self._reshape_("unsqueeze_", tuple(shape))

    def squeeze_(self, dim: Any = None) -> Tensor:
        """Remove axes of size 1, in place: all, or those in ``dim`` that have size 1.

        Args:
            dim: An axis or tuple of axes, or None for all. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        shape = _ops.squeeze(Tensor._from_array(self._data), dim)._data.shape
        return self._reshape_("squeeze_", shape)

    def _reshape_(self, op: str, shape: tuple) -> Tensor:
        self._mutate(op)
        self._data = self._data.reshape(shape)
        return self

    def scatter_(
        self, dim: int, index: Any, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        """Write ``src`` (or ``value``) at the places ``index`` points to along ``dim``, in place.

        For a 2-d tensor and dim 0: ``self[index[i][j]][j] = src[i][j]``, as
        ``torch.Tensor.scatter_``.

        Args:
            dim: The axis that index indexes.
            index: An int64 tensor of indices.
            src: The values to write, shaped like index. Defaults to None.
            value: One value written everywhere index points, instead of src. Defaults to None.
            reduce: Not supported; must be None. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(3).scatter_(0, nl.tensor([2, 0]), nl.tensor([5.0, 7.0]))
            tensor([7., 0., 5.])
        """
        where, values = _ops.scatter_places(self, dim, index, src, value, reduce, "scatter_")
        self._mutate("scatter_")
        self._data[where] = values
        return self

    def mul_(self, other: Any) -> Tensor:
        """Multiply in place: ``self *= other``.

        Args:
            other: A Tensor, array or number that broadcasts to this tensor.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        return self._update("mul_", numpy.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """Divide in place: ``self /= other``.

        Args:
            other: A Tensor, array or number that broadcasts to this tensor.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        return self._update("div_", numpy.true_divide, other)

    def pow_(self, exponent: Any) -> Tensor:
        """Raise to a power in place: ``self = self ** exponent``.

        Args:
            exponent: A Tensor, array or number that broadcasts to this tensor.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        return self._update("pow_", numpy.power, exponent)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """Add a scaled product in place: ``self += value * tensor1 * tensor2``.

        Args:
            tensor1: First factor.
            tensor2: Second factor.
            value: Multiplier. Defaults to 1.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        return self._update("addcmul_", numpy.add, _scaled(_data(tensor1) * _data(tensor2), value))

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
        """Add a scaled quotient in place: ``self += value * tensor1 / tensor2``.

        Args:
            tensor1: Numerator.
            tensor2: Denominator.
            value: Multiplier. Defaults to 1.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.
        """
        return self._update("addcdiv_", numpy.add, _scaled(_data(tensor1) / _data(tensor2), value))

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        """Move toward ``end`` in place: ``self += weight * (end - self)``.

        Args:
            end: The target values.
            weight: The fraction of the way to go (a number or a tensor).

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(2).lerp_(nl.tensor([10.0, 20.0]), 0.1)
            tensor([1., 2.])
        """
        try:
            step = _data(weight) * (_data(end) - self._data)
        except ValueError as error:
            raise self._shape_error("lerp_", _data(end), error) from None
        return self._update("lerp_", numpy.add, step)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """Clamp in place: ``self = min(max(self, min), max)``.

        Args:
            min: Lower bound, or None. Defaults to None.
            max: Upper bound, or None. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: Neither min nor max is given.
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.

        Examples:
            >>> import neuralab as nl
            >>> nl.tensor([-2.0, 0.5, 3.0]).clamp_(min=0, max=1)
            tensor([0. , 0.5, 1. ])
        """
        if min is None and max is None:
            raise RuntimeError("clamp_: at least one of 'min' or 'max' must not be None")
        self._mutate("clamp_")
        try:
            numpy.clip(self._data, _data(min), _data(max), out=self._data)
        except ValueError as error:
            raise self._shape_error("clamp_", _data(min if max is None else max), error) from None
        return self

    clip_ = clamp_

    def _set(self, op: str, values: Any) -> Tensor:
        self._mutate(op)
        try:
            self._data[...] = values
        except ValueError as error:
            raise self._shape_error(op, values, error) from None
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros, in place.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("zero_", 0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value``, in place.

        Args:
            value: A number (or one-element tensor).

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("fill_", _data(value))

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy the values of ``src`` into this tensor, in place (broadcast, cast to this dtype).

        Args:
            src: A Tensor or array that broadcasts to this tensor.
            non_blocking: Accepted; no effect. Defaults to False.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.

        Examples:
            >>> import neuralab as nl
            >>> nl.zeros(2, 2).copy_(nl.tensor([1.0, 2.0]))
            tensor([[1., 2.],
                    [1., 2.]])
        """
        return self._set("copy_", _data(src))

    def neg_(self) -> Tensor:
        """Negate in place: ``self = -self``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("neg_", -self._data)

    def abs_(self) -> Tensor:
        """Absolute value in place: ``self = |self|``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("abs_", numpy.abs(self._data))

    def exp_(self) -> Tensor:
        """Exponential in place: ``self = exp(self)``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("exp_", numpy.exp(self._data))

    def log_(self) -> Tensor:
        """Natural logarithm in place: ``self = log(self)``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("log_", numpy.log(self._data))

    def sqrt_(self) -> Tensor:
        """Square root in place: ``self = sqrt(self)``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("sqrt_", numpy.sqrt(self._data))

    def relu_(self) -> Tensor:
        """ReLU in place: ``self = max(self, 0)``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("relu_", numpy.maximum(self._data, 0))

    def sigmoid_(self) -> Tensor:
        """Sigmoid in place: ``self = 1 / (1 + exp(-self))``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("sigmoid_", _ops.sigmoid(self.detach())._data)

    def tanh_(self) -> Tensor:
        """Hyperbolic tangent in place: ``self = tanh(self)``.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        return self._set("tanh_", numpy.tanh(self._data))

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """Write ``value`` where ``mask`` is True, in place.

        Args:
            mask: A bool tensor or array that broadcasts to this tensor.
            value: The value to write.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
            ShapeError: An operand that does not broadcast to this tensor's shape.

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([1.0, -1.0, 2.0])
            >>> x.masked_fill_(x < 0, 0.0)
            tensor([1., 0., 2.])
        """
        self._mutate("masked_fill_")
        mask = numpy.asarray(_data(mask), dtype=bool)
        try:
            numpy.copyto(self._data, _data(value), where=mask)
        except ValueError as error:
            raise self._shape_error("masked_fill_", mask, error) from None
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of U(a, b), in place.

        Args:
            a: Lower bound. Defaults to 0.0.
            b: Upper bound. Defaults to 1.0.
            generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
                global generator. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).

        Examples:
            >>> import neuralab as nl
            >>> x = nl.empty(1000).uniform_(-1, 1, generator=0)
            >>> bool(x.min() >= -1 and x.max() < 1)
            True
        """
        rng = backend.generator(generator, "uniform_")
        return self._set("uniform_", rng.uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std^2), in place.

        Args:
            mean: Mean. Defaults to 0.0.
            std: Standard deviation. Defaults to 1.0.
            generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
                global generator. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        rng = backend.generator(generator, "normal_")
        return self._set("normal_", rng.normal(mean, std, self._data.shape))

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 1 with probability p, else 0, in place.

        Args:
            p: The probability of a 1 (a number or a tensor that broadcasts). Defaults to 0.5.
            generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
                global generator. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        rng = backend.generator(generator, "bernoulli_")
        return self._set("bernoulli_", rng.random(self._data.shape) < _data(p))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with exponential samples, density ``lambd * exp(-lambd x)``, in place.

        Args:
            lambd: The rate. Defaults to 1.0.
            generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
                global generator. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        rng = backend.generator(generator, "exponential_")
        return self._set("exponential_", rng.exponential(1.0 / lambd, self._data.shape))

    def random_(self, low: int = 0, high: int | None = None, *, generator: Any = None) -> Tensor:
        """Fill with integers drawn uniformly from [low, high), in place.

        ``random_(high)`` draws from [0, high).

        Args:
            low: Lowest value (the upper bound when high is None). Defaults to 0.
            high: One past the highest value. Defaults to None.
            generator: A ``neuralab.Generator``, a NumPy generator, an int seed, or None for the
                global generator. Defaults to None.

        Returns:
            This tensor.

        Raises:
            RuntimeError: On a leaf that requires grad while grad mode is on (wrap the update in
                ``no_grad()``).
            NotImplementedError: On a tensor in the graph (one with a grad_fn).
        """
        if high is None:
            low, high = 0, low
        rng = backend.generator(generator, "random_")
        return self._set("random_", rng.integers(low, high, self._data.shape))

    def __getattr__(self, name: str) -> Any:
        raise _unsupported.tensor_attribute(name)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The index of the largest value, over all elements or along ``dim``.

        Args:
            dim: The axis, or None for the flattened tensor. Defaults to None.
            keepdim: Keep ``dim`` as an axis of size 1. Defaults to False.

        Returns:
            An int64 Tensor.

        Examples:
            >>> import neuralab as nl
            >>> x = nl.tensor([[1.0, 5.0], [7.0, 2.0]])
            >>> x.argmax().item(), x.argmax(dim=1).tolist()
            (2, [1, 0])
        """
        return Tensor._from_array(_arg(self._data.argmax, dim, keepdim))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The index of the smallest value, over all elements or along ``dim``.

        Args:
            dim: The axis, or None for the flattened tensor. Defaults to None.
            keepdim: Keep ``dim`` as an axis of size 1. Defaults to False.

        Returns:
            An int64 Tensor.
        """
        return Tensor._from_array(_arg(self._data.argmin, dim, keepdim))


class _Freed:
    """Marker for a node whose saved arrays were released after backward."""

    def __repr__(self) -> str:
        return "<freed>"


_FREED = _Freed()


def date_changes(tensors: Any) -> None:
    """Date an in-place change made to these tensors' arrays outside their methods.

    Used after an optimizer step or ``load_state_dict``, so that backward through a graph
    that saved them before the change raises instead of using the new values.

    Args:
        tensors: The tensors whose arrays were changed.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.tensor import date_changes
        >>> w = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> y = (w * w).sum()  # saves w for backward
        >>> w._data += 1       # changed behind autograd's back
        >>> date_changes([w])
        >>> y.backward()
        Traceback (most recent call last):
        RuntimeError: one of the variables needed for gradient computation has been modified ...
    """
    grad_mode.clock += 1
    for t in tensors:
        t._version = grad_mode.clock


def _data(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _legacy_alpha(op: str, alpha: Any, rest: tuple) -> tuple[Any, Any]:
    """``add_(alpha, other)``: PyTorch's deprecated order; returns (alpha, other)."""
    if len(rest) != 1 or isinstance(alpha, Tensor):
        raise TypeError(
            f"{op}() takes other and the keyword alpha (or the deprecated {op}(alpha, other)), "
            f"got {1 + len(rest)} positional arguments"
        )
    import warnings

    warnings.warn(
        f"This overload of {op} is deprecated: {op}(Number alpha, Tensor other); use "
        f"{op}(Tensor other, *, Number alpha) instead",
        UserWarning,
        stacklevel=3,
    )
    return alpha, rest[0]


def _scaled(other: Any, alpha: Any) -> Any:
    return _data(other) if alpha == 1 else _data(other) * alpha


_TYPE_NAMES = {
    "float32": "torch.FloatTensor",
    "float64": "torch.DoubleTensor",
    "float16": "torch.HalfTensor",
    "int64": "torch.LongTensor",
    "int32": "torch.IntTensor",
    "int16": "torch.ShortTensor",
    "int8": "torch.CharTensor",
    "uint8": "torch.ByteTensor",
    "bool": "torch.BoolTensor",
}
_TYPE_BY_NAME = {name: numpy.dtype(dtype) for dtype, name in _TYPE_NAMES.items()}


def _parse_to(args: tuple, kwargs: dict, who: str) -> tuple[Any, bool]:
    """The dtype (or None) and the copy flag of a ``to(...)`` call; checks the device."""
    kwargs = dict(kwargs)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    copy = bool(kwargs.pop("copy", False))
    dtype = kwargs.pop("dtype", None)
    where = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"{who}() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg._data.dtype
        elif isinstance(arg, (str, _device.device)) or (
            isinstance(arg, int) and not isinstance(arg, bool)
        ):
            if isinstance(arg, str) and arg in _TYPE_BY_NAME:
                dtype = _TYPE_BY_NAME[arg]
            else:
                where = arg
        elif isinstance(arg, bool):  # to(dtype, non_blocking) in old code
            continue
        elif arg is not None:
            try:
                dtype = numpy.dtype(arg)
            except TypeError:
                raise TypeError(
                    f"{who}: expected a device, a dtype or a tensor, got {type(arg).__name__}"
                ) from None
    _device.check(where, who)
    return dtype, copy


# When the memory of tensors was last changed in place: id(base array) -> (clock, weakref).
# Views of a tensor and ``detach()`` share its memory, so a change through any of them dates
# them all (PyTorch's shared version counter); ``.data`` dates only itself.
_memory_changed: dict[int, tuple[int, Any]] = {}


def _base(array: Any) -> Any:
    """The array that owns the memory ``array`` views."""
    while isinstance(getattr(array, "base", None), numpy.ndarray):
        array = array.base
    return array


def _date_memory(array: Any, clock: int) -> None:
    base = _base(array)
    key = id(base)
    entry = _memory_changed.get(key)
    if entry is not None and entry[1]() is base:
        _memory_changed[key] = (clock, entry[1])
        return
    try:
        ref = weakref.ref(base, lambda _, key=key: _memory_changed.pop(key, None))
    except TypeError:  # pragma: no cover - an array type without weak references
        return
    _memory_changed[key] = (clock, ref)


def _changed_since(tensor: Tensor, clock: int) -> bool:
    """Whether ``tensor``, or memory it shares with a view or a detached alias, changed in
    place after ``clock``."""
    if tensor._version > clock:
        return True
    if tensor._own_version:
        return False
    entry = _memory_changed.get(id(_base(tensor._data)))
    return entry is not None and entry[0] > clock


def _is_saved(array: Any, ctx: Any) -> bool:
    """Whether ``array`` (or memory it shares) is among what ``ctx`` saved for backward."""
    values = list(ctx.saved) if isinstance(ctx.saved, tuple) else []
    values += [v for k, v in vars(ctx).items() if k != "saved"]
    for value in values:
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if item is array or (
                isinstance(item, numpy.ndarray) and numpy.shares_memory(item, array)
            ):
                return True
    return False


def _check_saved_unchanged(node: Tensor, ctx: Any) -> None:
    """Raise PyTorch's error if an input or the output of ``ctx`` that it saved for backward
    was changed in place after ``ctx`` was recorded (its gradient would be wrong)."""
    roles = [(node, "the output")] + [(p, f"input {i}") for i, p in enumerate(ctx.parents)]
    for tensor, role in roles:
        if (
            isinstance(tensor, Tensor)
            and _changed_since(tensor, ctx.clock)
            and _is_saved(tensor._data, ctx)
        ):
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{tensor.type()} {list(tensor.shape)}], which is {role} "
                f"of {ctx.name}, was changed in place after {ctx.name} saved it for backward. "
                "Hint: change a copy (`y = x.clone()`) or write the change out of place "
                "(`x = x + 1`), or call backward before the change."
            )


def _arg(method: Any, dim: int | None, keepdim: bool) -> Any:
    if dim is None:
        return numpy.asarray(method())
    return method(axis=dim, keepdims=keepdim)


def _accumulate(tensor: Tensor, grad: Any, grad_in: Any) -> None:
    """Add ``grad`` into ``tensor.grad`` in place, or store it there if none is present.

    A gradient array is stored as is only when nothing else can hold it: not the incoming
    gradient passed through (``grad_in``), nor a view of another array.
    """
    if tensor.grad is None:
        if grad is grad_in or grad.base is not None or not grad.flags.writeable:
            grad = grad.copy()
        tensor.grad = Tensor._from_array(grad)
    else:
        tensor.grad._data += grad


def _root_gradient(root: Tensor, gradient: Any, who: str) -> Any:
    """dL/d(root) as an array: ones for a one-element root, else ``gradient`` checked."""
    if not isinstance(root, Tensor) or not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        data = root._data
        return backend.array_module(data).ones(data.shape, dtype=data.dtype)
    gradient = _as_array(gradient, root._data.dtype)
    if gradient.shape != root._data.shape:
        raise RuntimeError(
            f"{who}: gradient has shape {gradient.shape}, but the tensor has shape "
            f"{root._data.shape}"
        )
    return gradient


def _targets(inputs: Any, who: str) -> dict[int, list]:
    """``{id(t): [t, None]}`` for the tensors whose gradients are wanted."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for t in inputs:
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"{who}: every input must be a Tensor that requires grad")
    return {id(t): [t, None] for t in inputs}


def _collect(targets: dict[int, list], tensor: Tensor, grad: Any) -> None:
    entry = targets[id(tensor)]
    entry[1] = grad.copy() if entry[1] is None else entry[1] + grad


def backpropagate(
    root: Tensor, gradient: Any, retain_graph: bool, targets: dict[int, list] | None = None
) -> None:
    """The chain rule over the graph below ``root``, in reverse topological order.

        dL/dx_i = sum over the ops f that used x_i of  (dL/df) * (df/dx_i)

    With ``targets`` None, gradients accumulate into the leaves' ``.grad`` (and retained
    non-leaves'); otherwise they are summed into ``targets`` for those tensors only and no
    ``.grad`` changes (``autograd.grad``). ``Tensor.backward`` is the public entry.

    Args:
        root: The tensor to differentiate.
        gradient: dL/d(root), an array of root's shape.
        retain_graph: Keep the saved arrays for another backward.
        targets: ``{id(t): [t, None]}`` to collect the gradients of, or None.
            Defaults to None.

    Raises:
        RuntimeError: A second backward through a freed graph, or a saved tensor changed in
            place since it was saved.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.tensor import backpropagate
        >>> x = nl.tensor([1.0, 2.0], requires_grad=True)
        >>> backpropagate((x * 3).sum(), np.float32(1.0), retain_graph=False)
        >>> x.grad
        tensor([3., 3.])
    """
    if root._ctx is None:
        if targets is None:
            _accumulate(root, gradient, gradient)
        elif id(root) in targets:
            _collect(targets, root, gradient)
        return
    grads = {id(root): gradient}
    for node in _reverse_topological_order(root):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        if targets is None:
            if node._retains_grad:
                _accumulate(node, grad, None)
        elif id(node) in targets:
            _collect(targets, node, grad)
        ctx = node._ctx
        if ctx.clock != grad_mode.clock:
            _check_saved_unchanged(node, ctx)
        if ctx.saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time; "
                "call .backward(retain_graph=True) the first time"
            )
        input_grads = ctx.backward(ctx, grad)
        for parent, needs, g in zip(ctx.parents, ctx.needs_input_grad, input_grads):
            if not needs or g is None:
                continue
            data = parent._data
            if g.shape != data.shape:
                g = sum_to_shape(g, data.shape)
            if g.dtype != data.dtype:
                g = g.astype(data.dtype)
            if parent._ctx is not None:
                key = id(parent)
                previous = grads.get(key)
                grads[key] = g if previous is None else previous + g
            elif targets is None:
                _accumulate(parent, g, grad)
            elif id(parent) in targets:
                _collect(targets, parent, g)
        if not retain_graph:
            ctx.saved = _FREED


def _reverse_topological_order(root: Tensor) -> list[Tensor]:
    """Non-leaf tensors reachable from ``root``, each after every tensor that uses it."""
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node._ctx.parents:
            if isinstance(parent, Tensor) and parent._ctx is not None and id(parent) not in seen:
                stack.append((parent, False))
    order.reverse()
    return order


from neuralab import ops as _ops  # noqa: E402  (the ops need Tensor defined first)
from neuralab import unsupported as _unsupported  # noqa: E402
from neuralab.function import ShapeError as _ShapeError  # noqa: E402

_ops.bind_tensor_methods(Tensor)
