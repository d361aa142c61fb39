"""Keras's ``Layer`` on neuralab's ``Module``: lazy build, weights in Keras's layout,
symbolic calls for the functional API, regularization losses.

A Keras layer is an ``nn.Module`` whose weights are created by ``build(input_shape)`` the
first time it sees data (or a symbolic ``KerasTensor``), through ``add_weight``. Its
``call(inputs, training=None)`` computes the output on channels-last data with neuralab's
ops, so the same autograd, optimizers and ``fit`` serve both APIs.

``training``: an explicit ``training=`` on a call wins and is handed down to the layers
called inside it; otherwise a layer follows its module mode, which starts as inference
(``training=False``, as a direct Keras call) and is switched on by ``fit`` only.
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import numpy

from neuralab.keras import backend
from neuralab.nn.module import Module, Parameter
from neuralab.tensor import Tensor, no_grad

Shape = tuple  # (None, d1, d2, ...): None where a size is not known (the batch)


class _CallContext(threading.local):
    """The ``training`` flag of the outermost call that set one."""

    training: bool | None = None


_context = _CallContext()


class KerasTensor:
    """A symbolic tensor of the functional API: a shape, a dtype and the call that made it.

    ``Input(shape=(20,))`` gives one; calling a layer on KerasTensors records the call (a
    ``Node``) and returns new KerasTensors, so ``Model(inputs, outputs)`` can replay it.
    Arithmetic on KerasTensors is not supported (use layers such as ``Add``).

    Args:
        shape: The shape, None where a size is unknown (the batch).
        dtype: The dtype's name. Defaults to 'float32'.
        node: The layer call that made it. Defaults to None.
        index: Its position among that call's outputs. Defaults to 0.
        name: A name. Defaults to None.

    Examples:
        >>> from neuralab import keras
        >>> x = keras.Input((4,))
        >>> x
        <KerasTensor shape=(None, 4), dtype=float32, name=input_layer...>
        >>> keras.layers.Dense(3)(x).shape
        (None, 3)
    """

    def __init__(
        self,
        shape: Shape,
        dtype: str = "float32",
        node: Node | None = None,
        index: int = 0,
        name: str | None = None,
    ) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def _unsupported(self, *_: Any) -> Any:
        raise NotImplementedError(
            "neuralab.keras: operators and keras.ops on symbolic tensors are not supported; "
            "use layers (Add, Concatenate, Activation, Lambda-free Dense, ...) in the graph"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unsupported
    __truediv__ = __matmul__ = __neg__ = __getitem__ = _unsupported


class Node:
    """One call of a layer in a functional graph: its inputs (KerasTensors, in the
    structure the layer was called with), keyword arguments and outputs."""

    def __init__(self, layer: Layer, inputs: Any, kwargs: dict[str, Any]) -> None:
        self.layer = layer
        self.inputs = inputs
        self.kwargs = kwargs
        self.outputs: list[KerasTensor] = []

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [t for t in flatten(self.inputs) if isinstance(t, KerasTensor)]


def flatten(structure: Any) -> list:
    """The leaves of nested lists/tuples/dicts, in order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn: Callable[[Any], Any], structure: Any) -> Any:
    """``fn`` applied to every leaf, keeping the list/tuple/dict structure."""
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def as_tensor(value: Any, who: str) -> Any:
    """NumPy data (or nested lists) as a Tensor: floats become float32 (Keras's floatx),
    integers and booleans keep their type. Tensors pass through."""
    if isinstance(value, (Tensor, KerasTensor)) or value is None:
        return value
    if isinstance(value, (int, float)):
        value = numpy.asarray(value)
    try:
        array = numpy.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{who}: expected an array or a Tensor, got {type(value).__name__}"
        ) from exc
    if array.dtype.kind == "f" and array.dtype != numpy.float32:
        array = array.astype(numpy.float32)
    elif array.dtype.kind not in "fiub":
        raise TypeError(f"{who}: expected numeric data, got an array of {array.dtype}")
    return Tensor._from_array(numpy.ascontiguousarray(array))


def standardize_shape(shape: Any, who: str) -> tuple:
    """A shape as a tuple of ints and None, checked."""
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{who}: a shape must be a tuple of ints, got {shape!r}") from None
    for dim in shape:
        if dim is not None and (not isinstance(dim, (int, numpy.integer)) or dim < 0):
            raise ValueError(f"{who}: a shape must hold non-negative ints or None, got {shape}")
    return tuple(None if d is None else int(d) for d in shape)


class Variable(Parameter):
    """A Keras weight: a neuralab ``Parameter`` that also reads and writes as a Keras variable.

    ``numpy()`` works even while it requires grad; ``assign``, ``assign_add`` and
    ``assign_sub`` write in place. ``Layer.add_weight`` creates them.

    Args:
        data: The initial value. Defaults to None.
        requires_grad: Whether it is trained. Defaults to True.

    Raises:
        ValueError: If ``assign`` gets a value of another shape.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layer = keras.layers.Dense(2)
        >>> _ = layer(np.ones((1, 3), "float32"))
        >>> isinstance(layer.bias, keras.Variable)
        True
        >>> layer.bias.assign_add([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
    """

    __slots__ = ("path",)

    def numpy(self, *, force: bool = False) -> numpy.ndarray:
        return self._data

    @property
    def value(self) -> Tensor:
        return self

    def assign(self, value: Any) -> Variable:
        array = numpy.asarray(value._data if isinstance(value, Tensor) else value, "float32")
        if array.shape != tuple(self.shape):
            raise ValueError(
                f"{self.path}: cannot assign a value of shape {array.shape} to a variable of "
                f"shape {tuple(self.shape)}"
            )
        with no_grad():
            self.copy_(Tensor._from_array(array))
        return self

    def assign_add(self, value: Any) -> Variable:
        return self.assign(self._data + numpy.asarray(getattr(value, "_data", value)))

    def assign_sub(self, value: Any) -> Variable:
        return self.assign(self._data - numpy.asarray(getattr(value, "_data", value)))


class Layer(Module):
    """The base class of every Keras layer (and of ``Model``): an ``nn.Module`` built lazily.

    Subclasses create weights in ``build(input_shape)`` with ``add_weight`` (called on the
    first call, from the input's shape) and compute the output in
    ``call(inputs, training=None)`` with neuralab's ops on channels-last data. Calling a
    layer on KerasTensors records the call for the functional API.

    Args:
        name: The layer's name. Defaults to None (a unique snake-case name of the class).
        trainable: Whether its weights are trained. Defaults to True.
        dtype: Only None or 'float32' (weights are float32). Defaults to None.
        input_shape: The input shape without the batch axis, for a first layer of a
            ``Sequential``. Defaults to None.
        input_dim: The same for 1-D inputs (``input_shape=(input_dim,)``). Defaults to None.
        batch_size: The batch size that goes with ``input_shape``. Defaults to None.
        **kwargs: Only Keras's ``autocast`` and ``input_dtype`` (ignored).

    Shape:
        - Input: whatever the subclass's ``call`` takes.
        - Output: whatever it returns (``compute_output_shape`` for symbolic calls).

    Raises:
        TypeError: If an unknown keyword argument is given, or ``name`` is not a string.
        NotImplementedError: If ``dtype`` is not float32.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> class Scale(keras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight((input_shape[-1],), "ones", name="w")
        ...     def call(self, x):
        ...         return x * self.w
        >>> layer = Scale()
        >>> layer(np.full((2, 3), 2.0, "float32")).shape
        (2, 3)
        >>> [tuple(w.shape) for w in layer.weights]
        [(3,)]
    """

    _accepts_training: ClassVar[dict[type, bool]] = {}

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: Any = None,
        input_dim: int | None = None,
        batch_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        kind = type(self).__name__
        unknown = set(kwargs) - {"autocast", "input_dtype"}
        if unknown:
            raise TypeError(
                f"{kind}: unrecognized keyword arguments {sorted(unknown)} passed to the layer"
            )
        if dtype not in (None, "float32", numpy.float32):
            raise NotImplementedError(
                f"neuralab.keras: {kind}(dtype={dtype!r}) is not supported; weights are float32"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{kind}: name must be a string, got {type(name).__name__}")
        object.__setattr__(self, "name", name or backend.unique_name(backend.snake_case(kind)))
        object.__setattr__(self, "built", False)
        object.__setattr__(self, "_trainable", bool(trainable))
        object.__setattr__(self, "_weights", [])  # (Parameter, regularizer) in creation order
        object.__setattr__(self, "_call_losses", [])
        object.__setattr__(self, "_inbound_nodes", [])
        object.__setattr__(self, "_build_shape", None)
        object.__setattr__(self, "activity_regularizer", None)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        object.__setattr__(
            self,
            "_input_shape_arg",
            None if input_shape is None else (batch_size, *standardize_shape(input_shape, kind)),
        )
        self.training = False  # a direct call is inference; fit switches training on

    # --- weights ------------------------------------------------------------------------
    def add_weight(
        self,
        shape: Sequence[int] | None = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> Parameter:
        """Create a weight of ``shape`` filled by ``initializer`` (default Glorot uniform), add
        it to ``layer.weights`` and to the module's parameters (frozen when not trainable).
        ``regularizer`` adds its penalty of this weight to ``layer.losses``."""
        from neuralab.keras import initializers, regularizers

        if constraint is not None:
            raise NotImplementedError("neuralab.keras: weight constraints are not supported")
        if dtype not in (None, "float32", numpy.float32):
            raise NotImplementedError(
                f"neuralab.keras: add_weight(dtype={dtype!r}) is not supported"
            )
        extra = set(kwargs) - {"autocast", "aggregation", "synchronization", "use_resource"}
        if extra:
            raise TypeError(f"add_weight: unexpected keyword arguments {sorted(extra)}")
        shape = standardize_shape(() if shape is None else shape, f"{self.name}.add_weight")
        init = initializers.get("glorot_uniform" if initializer is None else initializer)
        value = init(shape, dtype="float32")
        array = value._data if isinstance(value, Tensor) else numpy.asarray(value)
        weight = Variable(array.astype(numpy.float32).reshape(shape), requires_grad=False)
        weight.requires_grad_(bool(trainable) and self._trainable)
        key = name if name and name not in self._parameters else f"variable_{len(self._weights)}"
        self._parameters[key] = weight
        weight.path = f"{self.name}/{name or key}"
        self._weights.append(_Weight(weight, key, bool(trainable), regularizers.get(regularizer)))
        return weight

    def __setattr__(self, name: str, value: Any) -> None:
        # A weight made by add_weight is already registered: keep one entry per weight.
        if isinstance(value, Parameter) and any(w.tensor is value for w in self._weights):
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    def _own_weights(self) -> list[_Weight]:
        return list(self._weights)

    def _all_weights(self) -> list[_Weight]:
        """Keras's order: each layer's own trainable then non-trainable weights (as declared,
        whether frozen or not), layer by layer, each weight once."""
        seen: set[int] = set()
        out = []
        for layer in self._layers_in_order(include_self=True):
            own = [w for w in layer._weights if w.trainable] + [
                w for w in layer._weights if not w.trainable
            ]
            for w in own:
                if id(w.tensor) not in seen:
                    seen.add(id(w.tensor))
                    out.append(w)
        return out

    def _layers_in_order(self, include_self: bool = False) -> list[Layer]:
        found = [self] if include_self else []
        for child in self._modules.values():
            if isinstance(child, Layer):
                found += child._layers_in_order(include_self=True)
        return found

    @property
    def weights(self) -> list[Parameter]:
        """Every weight: each layer's trainable then non-trainable ones, layer by layer."""
        return [w.tensor for w in self._all_weights()]

    @property
    def trainable_weights(self) -> list[Parameter]:
        return [w.tensor for w in self._all_weights() if w.tensor.requires_grad]

    @property
    def non_trainable_weights(self) -> list[Parameter]:
        return [w.tensor for w in self._all_weights() if not w.tensor.requires_grad]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def variables(self) -> list[Parameter]:
        return self.weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (False) or unfreeze every weight of this layer and its sub-layers."""
        for layer in self._layers_in_order(include_self=True):
            object.__setattr__(layer, "_trainable", bool(value))
            for w in layer._weights:
                w.tensor.requires_grad_(bool(value) and w.trainable)

    def get_weights(self) -> list[numpy.ndarray]:
        """Copies of the weights as NumPy arrays, in ``layer.weights`` order."""
        return [w._data.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every weight from a list of arrays in ``layer.weights`` order (shapes checked)."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name} expects {len(own)} weights, but the weight list received "
                f"has {len(weights)} entries"
            )
        arrays = [numpy.asarray(v.numpy() if isinstance(v, Tensor) else v) for v in weights]
        for i, (target, array) in enumerate(zip(own, arrays)):
            if tuple(target.shape) != array.shape:
                raise ValueError(
                    f"Layer {self.name} weight {i} has shape {tuple(target.shape)}, the value "
                    f"given has shape {array.shape}"
                )
        with no_grad():
            for target, array in zip(own, arrays):
                target.copy_(Tensor._from_array(array.astype(numpy.float32)))

    def count_params(self) -> int:
        """The number of weights (scalars), trainable or not."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return sum(math.prod(w.shape) for w in self.weights)

    # --- losses -------------------------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add a scalar to the model's loss (recorded during a call, as Keras's add_loss)."""
        self._call_losses.append(loss if isinstance(loss, Tensor) else Tensor(float(loss)))

    @property
    def losses(self) -> list[Tensor]:
        """The weight regularization penalties (from the current weights) and the losses added
        during the last call, of this layer and its sub-layers."""
        out = []
        for layer in self._layers_in_order(include_self=True):
            out += layer._call_losses
        out += [w.regularizer(w.tensor) for w in self._all_weights() if w.regularizer]
        return out

    # --- building and calling -----------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (subclasses override)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's ``build`` marks the layer built however it is called (directly, as
        Keras users do, or on the first call)."""
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("build")
        if original is None or getattr(original, "_marks_built", False):
            return

        @functools.wraps(original)
        def build(self: Layer, *args: Any, **kw: Any) -> None:
            original(self, *args, **kw)
            object.__setattr__(self, "built", True)
            if args or "input_shape" in kw:
                object.__setattr__(self, "_build_shape", args[0] if args else kw["input_shape"])

        build._marks_built = True  # type: ignore[attr-defined]
        cls.build = build

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)
            object.__setattr__(self, "built", True)
            object.__setattr__(self, "_build_shape", input_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement call()")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape``: by default, found by calling the layer on
        zeros (1 for each unknown size) in inference mode."""
        with no_grad():
            out = self._call_eager(_zeros_for(input_shape), training=False, kwargs={})
        batch = None if _batch_unknown(input_shape) else ...

        def shape_of(t: Tensor) -> tuple:
            return (t.shape[0] if batch is ... else None, *t.shape[1:])

        return [shape_of(t) for t in out] if isinstance(out, (list, tuple)) else shape_of(out)

    def __call__(self, inputs: Any, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if any(isinstance(t, KerasTensor) for t in flatten(inputs)):
            return self._call_symbolic(inputs, args, training, kwargs)
        inputs = map_structure(lambda v: as_tensor(v, self.name), inputs)
        return self._call_eager(inputs, training, kwargs, args)

    def _call_eager(
        self, inputs: Any, training: bool | None, kwargs: dict, args: tuple = ()
    ) -> Any:
        self._maybe_build(_shapes_of(inputs))
        outer = _context.training
        if training is None:
            training = outer if outer is not None else self.training
        _context.training = training
        self._call_losses.clear()
        try:
            if self._takes_training():
                out = self.call(inputs, *args, training=training, **kwargs)
            else:
                out = self.call(inputs, *args, **kwargs)
        finally:
            _context.training = outer
        if self.activity_regularizer is not None:
            self._call_losses.append(self.activity_regularizer(out) / max(out.shape[0], 1))
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, (inputs,), out)
                if result is not None:
                    out = result
        return out

    def _takes_training(self) -> bool:
        cls = type(self)
        known = Layer._accepts_training.get(cls)
        if known is None:
            params = inspect.signature(cls.call).parameters
            known = "training" in params or any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
            )
            Layer._accepts_training[cls] = known
        return known

    def _call_symbolic(self, inputs: Any, args: tuple, training: bool | None, kwargs: dict) -> Any:
        if args:
            raise NotImplementedError(
                f"neuralab.keras: {self.name}: extra positional arguments in a functional graph"
            )
        input_shape = map_structure(lambda t: t.shape, inputs)
        self._maybe_build(input_shape)
        output_shape = self.compute_output_shape(input_shape)
        node = Node(
            self, inputs, {**kwargs, **({} if training is None else {"training": training})}
        )
        self._inbound_nodes.append(node)
        if isinstance(output_shape, list):
            outs = [KerasTensor(s, node=node, index=i) for i, s in enumerate(output_shape)]
            node.outputs = outs
            return outs
        out = KerasTensor(output_shape, node=node, index=0, name=self.name)
        node.outputs = [out]
        return out

    @property
    def input(self) -> Any:
        return self._node_attr("inputs")

    @property
    def output(self) -> Any:
        outs = self._node_attr("outputs")
        return outs[0] if len(outs) == 1 else outs

    def _node_attr(self, attr: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name} has never been called and thus has no {attr[:-1]}"
            )
        return getattr(self._inbound_nodes[0], attr)

    # --- config -------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _Weight:
    """A weight with what Keras keeps beside it: its name, trainability, regularizer."""

    __slots__ = ("name", "regularizer", "tensor", "trainable")

    def __init__(self, tensor: Parameter, name: str, trainable: bool, regularizer: Any) -> None:
        self.tensor, self.name, self.trainable, self.regularizer = (
            tensor,
            name,
            trainable,
            regularizer,
        )


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)


def _shapes_of(inputs: Any) -> Any:
    """Input shapes with the batch size unknown, as Keras builds with them."""
    if isinstance(inputs, Tensor):
        return (None, *inputs.shape[1:])
    if isinstance(inputs, (list, tuple)):
        return [_shapes_of(t) for t in inputs]
    if isinstance(inputs, dict):
        return {k: _shapes_of(v) for k, v in inputs.items()}
    return None


def _zeros_for(shape: Any) -> Any:
    if _is_shape(shape):
        return Tensor._from_array(numpy.zeros([1 if d is None else d for d in shape], "float32"))
    if isinstance(shape, (list, tuple)):
        return [_zeros_for(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _zeros_for(v) for k, v in shape.items()}
    raise TypeError(f"not a shape: {shape!r}")


def _batch_unknown(shape: Any) -> bool:
    if _is_shape(shape):
        return not shape or shape[0] is None
    return any(_batch_unknown(s) for s in (shape.values() if isinstance(shape, dict) else shape))


class InputLayer(Layer):
    """The entry of a functional graph; ``Input(shape)`` makes one and returns its output.

    Args:
        shape: The input shape without the batch axis. Defaults to None (give ``batch_shape``).
        batch_size: The batch size. Defaults to None (unknown).
        dtype: The input's dtype. Defaults to None ('float32').
        sparse: Only None or False. Defaults to None.
        batch_shape: The full shape, batch axis first (instead of ``shape``). Defaults to None.
        input_tensor: Only None. Defaults to None.
        name: The layer's name. Defaults to None (a unique 'input_layer' name).
        **kwargs: The base ``Layer``'s arguments.

    Shape:
        - Input: (batch_size, *shape).
        - Output: the same.

    Raises:
        ValueError: If neither ``shape`` nor ``batch_shape`` is given.
        NotImplementedError: If ``sparse`` or ``input_tensor`` is set.

    Examples:
        >>> from neuralab import keras
        >>> layer = keras.layers.InputLayer(shape=(28, 28, 1))
        >>> layer.batch_shape
        (None, 28, 28, 1)
        >>> layer.output_tensor.shape
        (None, 28, 28, 1)
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if sparse or input_tensor is not None:
            raise NotImplementedError(
                "neuralab.keras: Input(sparse=..., tensor=...) is not supported"
            )
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        super().__init__(name=name or backend.unique_name("input_layer"), **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("Input: give shape= (without the batch size) or batch_shape=")
            batch_shape = (batch_size, *standardize_shape(shape, "Input"))
        self.batch_shape = standardize_shape(batch_shape, "Input")
        self.dtype = "float32" if dtype is None else str(numpy.dtype(dtype))
        self.built = True
        node = Node(self, [], {})
        self._inbound_nodes.append(node)
        self.output_tensor = KerasTensor(self.batch_shape, self.dtype, node, 0, self.name)
        node.outputs = [self.output_tensor]

    def call(self, inputs: Any) -> Any:
        return inputs


def Input(
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input of ``shape`` (without the batch size) for the functional API.

    Args:
        shape: The input shape without the batch axis. Defaults to None (give ``batch_shape``).
        batch_size: The batch size. Defaults to None (unknown).
        dtype: The input's dtype. Defaults to None ('float32').
        sparse: Only None or False. Defaults to None.
        batch_shape: The full shape, batch axis first. Defaults to None.
        name: The input's name. Defaults to None (a unique 'input_layer' name).
        tensor: Only None. Defaults to None.
        optional: Only False. Defaults to False.

    Returns:
        The ``KerasTensor`` output of a new ``InputLayer``.

    Raises:
        ValueError: If neither ``shape`` nor ``batch_shape`` is given.
        NotImplementedError: If ``sparse``, ``tensor`` or ``optional`` is set.

    Examples:
        >>> from neuralab import keras
        >>> inputs = keras.Input(shape=(4,))
        >>> outputs = keras.layers.Dense(2)(inputs)
        >>> keras.Model(inputs, outputs).outputs[0].shape
        (None, 2)
    """
    if optional:
        raise NotImplementedError("neuralab.keras: Input(optional=True) is not supported")
    layer = InputLayer(shape, batch_size, dtype, sparse, batch_shape, tensor, name)
    return layer.output_tensor


def layers_of(values: Iterable[Any]) -> list[Layer]:
    """The layers of a list, checked."""
    out = []
    for value in values:
        if not isinstance(value, Layer):
            raise TypeError(f"expected a Keras layer, got {type(value).__name__}")
        out.append(value)
    return out
