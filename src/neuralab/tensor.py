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
from collections.abc import Iterator
from typing import Any

import numpy

from neuralab import backend


class _GradMode:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


grad_mode = _GradMode()


class _GradModeContext(contextlib.ContextDecorator):
    """Base of ``no_grad`` / ``enable_grad``: a context manager that is also a decorator."""

    enabled: bool

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        grad_mode.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        grad_mode.enabled = self._previous


class no_grad(_GradModeContext):
    """Record no graph inside the block (evaluation, parameter updates): ``with no_grad(): ...``"""

    enabled = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block."""

    enabled = True


def is_grad_enabled() -> bool:
    return grad_mode.enabled


def _as_array(data: Any, dtype: Any = None) -> Any:
    """Convert ``data`` to an array with ``torch.as_tensor``'s dtype rules.

    Arrays keep their dtype (float64 stays float64, integer labels stay integer);
    Python floats become the default float (float32), ints int64, bools bool.
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = numpy.dtype(dtype)
    if isinstance(data, numpy.generic):
        data = numpy.asarray(data)
    if hasattr(data, "__array_namespace__"):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    array = numpy.asarray(data, dtype=dtype)
    if dtype is None and array.dtype.kind == "f" and array.dtype != backend.default_float():
        array = array.astype(backend.default_float())
    elif dtype is None and array.dtype.kind in "iu":
        array = array.astype(backend.int64, copy=False)
    return array


def sum_to_shape(grad: Any, shape: tuple) -> Any:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched."""
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

    ``Tensor(data, requires_grad=False, dtype=None)``; see ``neuralab.tensor`` for the
    dtype rules. ``.data`` is the underlying array, ``.grad`` a Tensor or None.
    """

    __slots__ = ("__weakref__", "_ctx", "_retains_grad", "data", "grad", "requires_grad")
    __array_priority__ = 1000
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data = _as_array(data, dtype)
        self.grad: Tensor | None = None
        self._ctx = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_array(cls, array: Any) -> Tensor:
        """Wrap an array without conversion or checks (the ops' fast path)."""
        t = object.__new__(Tensor)
        t.data = array
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        t.requires_grad = False
        return t

    # --- properties -----------------------------------------------------------------
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    grad_fn = property(lambda self: self._ctx)
    is_leaf = property(lambda self: self._ctx is None)
    T = property(lambda self: _ops.permute(self, tuple(range(self.data.ndim))[::-1]))

    def size(self, dim: int | None = None) -> tuple | int:
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def numpy(self) -> numpy.ndarray:
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()"
            )
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> numpy.ndarray:
        return numpy.asarray(self.data, dtype=dtype)

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __repr__(self) -> str:
        body = numpy.array2string(
            numpy.asarray(self.data), separator=", ", precision=4, prefix="tensor("
        )
        extra = "" if self.data.dtype == backend.default_float() else f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # --- autograd -------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        self._retains_grad = True

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory, requires no grad)."""
        return Tensor._from_array(self.data)

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``.

        ``gradient`` is dL/d(self); it may be omitted only when self holds one element.
        Unless ``retain_graph`` is true, the graph's saved arrays are freed afterwards.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            gradient = backend.array_module(self.data).ones_like(self.data)
        else:
            gradient = _as_array(gradient, self.data.dtype)
            if gradient.shape != self.data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {gradient.shape}, "
                    f"but the tensor has shape {self.data.shape}"
                )
        if self._ctx is None:
            _accumulate(self, gradient, gradient)
            return
        grads = {id(self): gradient}
        for node in _reverse_topological_order(self):
            grad = grads.pop(id(node), None)
            if grad is None:
                continue
            if node._retains_grad:
                _accumulate(node, grad, None)
            ctx = node._ctx
            if ctx.saved is _FREED:
                raise RuntimeError(
                    "Trying to backward through the graph a second time; "
                    "call .backward(retain_graph=True) the first time"
                )
            input_grads = ctx.backward(ctx, grad)
            for parent, needs, g in zip(ctx.parents, ctx.needs_input_grad, input_grads):
                if not needs or g is None:
                    continue
                if g.shape != parent.data.shape:
                    g = sum_to_shape(g, parent.data.shape)
                if g.dtype != parent.data.dtype:
                    g = g.astype(parent.data.dtype)
                if parent._ctx is None:
                    _accumulate(parent, g, grad)
                else:
                    key = id(parent)
                    previous = grads.get(key)
                    grads[key] = g if previous is None else previous + g
            if not retain_graph:
                ctx.saved = _FREED

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
        return Tensor._from_array(self.data == _data(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._from_array(self.data != _data(other))

    def __lt__(self, other: Any) -> Tensor:
        return Tensor._from_array(self.data < _data(other))

    def __le__(self, other: Any) -> Tensor:
        return Tensor._from_array(self.data <= _data(other))

    def __gt__(self, other: Any) -> Tensor:
        return Tensor._from_array(self.data > _data(other))

    def __ge__(self, other: Any) -> Tensor:
        return Tensor._from_array(self.data >= _data(other))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    # --- dtype conversion (differentiable between floating dtypes) -----------------
    def to(self, dtype: Any) -> Tensor:
        return _ops.cast(self, dtype=dtype)

    def float(self) -> Tensor:
        return self.to(backend.float32)

    def double(self) -> Tensor:
        return self.to(backend.float64)

    def long(self) -> Tensor:
        return self.to(backend.int64)

    def bool(self) -> Tensor:
        return self.to(backend.bool_)

    # --- in-place updates (no graph; refused where they would corrupt one) ----------
    def _check_inplace(self, op: str) -> None:
        if self.requires_grad and grad_mode.enabled:
            raise RuntimeError(
                f"{op}: a tensor that requires grad is being used in an in-place operation; "
                "wrap the update in `with neuralab.no_grad():` or update `.data`"
            )

    def __iadd__(self, other: Any) -> Tensor:
        self._check_inplace("+=")
        self.data += _data(other)
        return self

    def __isub__(self, other: Any) -> Tensor:
        self._check_inplace("-=")
        self.data -= _data(other)
        return self

    def __imul__(self, other: Any) -> Tensor:
        self._check_inplace("*=")
        self.data *= _data(other)
        return self

    def __itruediv__(self, other: Any) -> Tensor:
        self._check_inplace("/=")
        self.data /= _data(other)
        return self

    def zero_(self) -> Tensor:
        self.data[...] = 0
        return self

    def fill_(self, value: float) -> Tensor:
        self.data[...] = value
        return self

    def copy_(self, other: Any) -> Tensor:
        self.data[...] = _data(other)
        return self

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._from_array(_arg(self.data.argmax, dim, keepdim))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._from_array(_arg(self.data.argmin, dim, keepdim))


class _Freed:
    """Marker for a node whose saved arrays were released after backward."""

    def __repr__(self) -> str:
        return "<freed>"


_FREED = _Freed()


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


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
        tensor.grad.data += grad


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

_ops.bind_tensor_methods(Tensor)
