"""Keras's models: the functional ``Model(inputs, outputs)``, subclassed models
(``class Net(keras.Model)`` with ``call``) and ``Sequential``; ``summary``, weights as
lists of arrays and as safetensors files.

A model is a Layer whose sub-layers are registered as neuralab modules under their Keras
names, so ``model.parameters()``, ``state_dict()`` and neuralab's optimizers see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy

from neuralab.keras import backend
from neuralab.keras.layers.layer import (
    InputLayer,
    KerasTensor,
    Layer,
    Node,
    flatten,
    map_structure,
    standardize_shape,
)
from neuralab.keras.trainer import Trainer
from neuralab.tensor import Tensor

# Keras names weights files '*.weights.h5'; neuralab writes safetensors whatever the name
# (as neuralab.save does for '.pt'), so a Keras program's file names work unchanged.
WEIGHTS_SUFFIXES = (".weights.h5", ".weights.safetensors", ".safetensors")
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class Model(Trainer, Layer):
    """A Keras model: a functional graph ``Model(inputs, outputs)``, or a subclass with ``call``.

    Functional: the layers called on ``Input`` tensors between ``inputs`` and ``outputs``
    are replayed on data. Subclassed: make the layers in ``__init__`` and compute the output
    in ``call(inputs, training=None)``. Either way the model trains with ``compile`` /
    ``fit`` / ``evaluate`` / ``predict``, and its layers are neuralab modules (so
    ``model.parameters()`` and ``state_dict()`` see them).

    Args:
        *args: ``inputs`` and ``outputs``, positionally (at most two).
        **kwargs: ``inputs=``, ``outputs=`` (KerasTensors, or lists/dicts of them), and the
            base ``Layer``'s arguments (``name``, ``trainable``, ...).

    Shape:
        - Input: as the ``inputs`` tensors (functional) or ``call``.
        - Output: as the ``outputs`` tensors (functional) or ``call``.

    Raises:
        TypeError: If more than two positional arguments are given, or the inputs and outputs
            are not KerasTensors.
        ValueError: If only one of ``inputs`` and ``outputs`` is given, or the outputs do not
            depend on the inputs.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> _ = nl.manual_seed(0)
        >>> inputs = keras.Input((4,))
        >>> hidden = keras.layers.Dense(8, activation="relu")(inputs)
        >>> outputs = keras.layers.Dense(3, activation="softmax")(hidden)
        >>> model = keras.Model(inputs, outputs)
        >>> model(np.ones((2, 4), "float32")).shape, model.count_params()
        ((2, 3), 67)
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
        ...               metrics=["accuracy"])
        >>> x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
        >>> history = model.fit(x, (x[:, 0] > 0).astype("int64"), epochs=2, verbose=0)
        >>> sorted(history.history)
        ['accuracy', 'loss']
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError("Model: expected Model(inputs, outputs, name=None)")
        if inputs is not None and kwargs.get("name") is None:
            kwargs["name"] = backend.unique_name("functional")  # Keras's Functional class
        super().__init__(**kwargs)
        object.__setattr__(self, "_graph", None)
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model: give both inputs= and outputs= for a functional model")
            self._init_graph(inputs, outputs)

    # --- the functional graph -----------------------------------------------------------
    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        for t in flatten(inputs) + flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    f"Model: inputs and outputs must be Keras tensors (from keras.Input and "
                    f"layer calls), got {type(t).__name__}"
                )
        nodes = _nodes_between(flatten(inputs), flatten(outputs))
        object.__setattr__(self, "_graph", nodes)
        self.inputs, self.outputs = flatten(inputs), flatten(outputs)
        object.__setattr__(self, "_input_structure", inputs)
        object.__setattr__(self, "_output_structure", outputs)
        for t in self.inputs:
            self.add_module(t.node.layer.name, t.node.layer)
        for node in nodes:
            if node.layer.name not in self._modules:
                self.add_module(node.layer.name, node.layer)
        object.__setattr__(self, "built", True)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if self._graph is None:
            raise NotImplementedError(
                f"Model {self.name}: a subclassed Model must implement call(inputs)"
            )
        given = flatten(inputs)
        if len(given) != len(self.inputs):
            raise ValueError(
                f"Model {self.name}: expects {len(self.inputs)} input(s), got {len(given)}"
            )
        values: dict[int, Any] = {}
        for t, x in zip(self.inputs, given):
            expected = t.shape[1:]
            got = tuple(x.shape[1:])
            if len(expected) != len(got) or any(e not in (None, g) for e, g in zip(expected, got)):
                raise ValueError(
                    f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                    f"shape={t.shape}, found shape={tuple(x.shape)}"
                )
            values[id(t)] = x
        for node in self._graph:
            args = map_structure(
                lambda t: values[id(t)] if isinstance(t, KerasTensor) else t, node.inputs
            )
            out = node.layer(args, **node.kwargs)
            outs = out if isinstance(out, (list, tuple)) else [out]
            for symbolic, value in zip(node.outputs, outs):
                values[id(symbolic)] = value
        return map_structure(lambda t: values[id(t)], self._output_structure)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._graph is not None:
            return map_structure(lambda t: t.shape, self._output_structure)
        return super().compute_output_shape(input_shape)

    # --- layers -------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The sub-layers in order (for a functional model, its InputLayers first)."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[lay.name for lay in self.layers]}."
        )

    # --- summary ------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: Any = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print the table of layers, output shapes and parameter counts, as Keras does."""
        from neuralab.keras.summary import print_summary

        print_summary(
            self, line_length, positions, print_fn, expand_nested, show_trainable, layer_range
        )

    # --- weights files ------------------------------------------------------------------
    def save_weights(self, filepath: str | Path, overwrite: bool = True) -> None:
        """Write every weight to a safetensors file (atomically), keyed by architecture paths
        ('layers/dense/vars/0', ...).

        The name ends in ``.weights.h5`` (Keras's name; the content is safetensors all the
        same, not HDF5), ``.weights.safetensors`` or ``.safetensors``."""
        from neuralab import io

        path = _weights_path(filepath, "save_weights")
        if path.exists() and not overwrite:
            raise FileExistsError(f"save_weights: {path} exists and overwrite=False")
        names = _paths_of(self)
        io.save({name: Tensor(w.numpy().copy()) for name, w in zip(names, self.weights)}, path)

    def load_weights(self, filepath: str | Path, skip_mismatch: bool = False) -> None:
        """Read weights written by ``save_weights``; every name and shape is checked before
        any weight changes."""
        from neuralab import io

        path = _weights_path(filepath, "load_weights")
        if not path.exists():
            raise FileNotFoundError(f"load_weights: no such file {path}")
        with open(path, "rb") as f:
            if f.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                raise NotImplementedError(
                    f"neuralab.keras: load_weights({str(filepath)!r}): this is an HDF5 file "
                    "(written by Keras); neuralab reads only the safetensors files that its "
                    "own save_weights writes"
                )
        stored = io.load(path)
        names = _paths_of(self)
        missing = [n for n in names if n not in stored]
        unexpected = [n for n in stored if n not in set(names)]
        if (missing or unexpected) and not skip_mismatch:
            raise ValueError(
                f"load_weights: {path} does not match model {self.name!r}: missing "
                f"{missing[:5]}, unexpected {unexpected[:5]}"
            )
        arrays = []
        for name, w in zip(names, self.weights):
            value = stored.get(name)
            if value is not None and tuple(value.shape) != tuple(w.shape):
                if not skip_mismatch:
                    raise ValueError(
                        f"load_weights: weight {name} has shape {tuple(w.shape)} in the model, "
                        f"{tuple(value.shape)} in {path}"
                    )
                value = None
            arrays.append(w.numpy() if value is None else numpy.asarray(value.numpy()))
        self.set_weights(arrays)

    def save(self, filepath: Any, *args: Any, **kwargs: Any) -> None:
        """Not supported: Keras's whole-model formats (.keras, .h5, SavedModel) rebuild a model
        from a stored configuration; neuralab never loads code or pickles from files."""
        raise NotImplementedError(
            f"neuralab.keras: model.save({str(filepath)!r}) is not supported: whole-model "
            "formats (.keras, .h5, SavedModel) store the architecture for loading, and "
            "neuralab never loads code or pickled objects from files. Save the weights with "
            "model.save_weights('model.weights.safetensors') and rebuild the model in code."
        )

    def to_json(self, **kwargs: Any) -> str:
        raise NotImplementedError("neuralab.keras: model.to_json() is not supported")


def _paths_of(model: Layer, prefix: str = "") -> list[str]:
    """Names for ``model.weights`` that depend on the architecture only, as Keras's weights
    files: 'layers/dense/vars/0', 'layers/dense_1/vars/1', ... (a layer is named by its
    class and its rank among the model's layers of that class, not by its global name)."""
    from collections import Counter

    seen: Counter[str] = Counter()
    paths: dict[int, str] = {}
    for i, w in enumerate(w for w in model._all_weights() if w in model._weights):
        paths[id(w.tensor)] = f"{prefix}vars/{i}"
    for child in model._modules.values():
        if not isinstance(child, Layer):
            continue
        kind = backend.snake_case(type(child).__name__)
        name = kind if seen[kind] == 0 else f"{kind}_{seen[kind]}"
        seen[kind] += 1
        for tensor, path in zip(child.weights, _paths_of(child, f"{prefix}layers/{name}/")):
            paths.setdefault(id(tensor), path)
    return [paths[id(t)] for t in model.weights]


def _weights_path(filepath: str | Path, who: str) -> Path:
    path = Path(filepath)
    name = path.name
    if not name.endswith(WEIGHTS_SUFFIXES):
        raise ValueError(
            f"{who}: the filename must end in '.weights.h5' (as in Keras) or "
            f"'.weights.safetensors', got {str(filepath)!r}"
        )
    return path


def _nodes_between(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """The calls that lead from ``inputs`` to ``outputs``, in an order that computes every
    value before it is used (depth-first from the outputs)."""
    input_ids = {id(t) for t in inputs}
    order: list[Node] = []
    done: set[int] = set()
    visiting: set[int] = set()

    def visit(t: KerasTensor) -> None:
        if id(t) in input_ids:
            return
        node = t.node
        if node is None or isinstance(node.layer, InputLayer):
            raise ValueError(
                f"Model: output {t} cannot be computed from the given inputs (it depends on an "
                "Input that is not among them)"
            )
        if id(node) in done:
            return
        if id(node) in visiting:
            raise ValueError("Model: the graph has a cycle")
        visiting.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        visiting.discard(id(node))
        done.add(id(node))
        order.append(node)

    for t in outputs:
        visit(t)
    return order


class Sequential(Model):
    """A stack of layers, each feeding the next.

    ``Sequential([Input((20,)), Dense(32, activation="relu"), Dense(1)])``, or
    ``model.add(layer)`` one at a time; an ``Input`` (or a first layer's ``input_shape``)
    builds it at once, otherwise it builds on the first call.

    Args:
        layers: The layers, in order (an ``Input`` first, optionally). Defaults to None.
        trainable: Whether its weights are trained. Defaults to True.
        name: The model's name. Defaults to None (a unique 'sequential' name).

    Shape:
        - Input: the first layer's input.
        - Output: the last layer's output.

    Raises:
        TypeError: If an item is not a layer.
        ValueError: If an ``Input`` is not first, or is added twice.

    Examples:
        >>> import numpy as np
        >>> from neuralab import keras
        >>> layers = [keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(2)]
        >>> model = keras.Sequential(layers)
        >>> model.output_shape, len(model.layers)
        ((None, 2), 2)
        >>> model(np.ones((3, 4), "float32")).shape
        (3, 2)
    """

    def __init__(
        self, layers: Sequence[Any] | None = None, trainable: bool = True, name: str | None = None
    ) -> None:
        Layer.__init__(self, name=name, trainable=trainable)
        object.__setattr__(self, "_graph", None)
        object.__setattr__(self, "_input_layer", None)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._build_if_shape_known()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (an ``Input(...)`` tensor or InputLayer sets the input shape)."""
        if isinstance(layer, KerasTensor):
            if layer.node is None or not isinstance(layer.node.layer, InputLayer):
                raise ValueError("Sequential.add: only an Input tensor may be added, not outputs")
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self.layers:
                raise ValueError("Sequential: an Input / InputLayer must come first, and once")
            object.__setattr__(self, "_input_layer", layer)
        elif not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add: only instances of keras.Layer can be added to a Sequential "
                f"model; received {layer!r} (of type {type(layer).__name__})"
            )
        else:
            if layer.name in self._modules:
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names. Name "
                    f'"{layer.name}" is already the name of a layer in this model.'
                )
            self.add_module(layer.name, layer)
        if rebuild:
            self._build_if_shape_known()

    def pop(self, rebuild: bool = True) -> Layer:
        if not self.layers:
            raise IndexError("Sequential.pop: the model has no layers")
        layer = self.layers[-1]
        del self._modules[layer.name]
        return layer

    def _input_shape(self) -> tuple | None:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self.layers and self.layers[0]._input_shape_arg is not None:
            return self.layers[0]._input_shape_arg
        return None

    def _build_if_shape_known(self) -> None:
        shape = self._input_shape()
        if shape is not None and self.layers:
            self.build(shape)

    def build(self, input_shape: Any = None) -> None:
        """Build every layer for inputs of ``input_shape`` (batch size included or None)."""
        shape = standardize_shape(input_shape, "Sequential.build") if input_shape else None
        if shape is None:
            shape = self._input_shape()
        if shape is None:
            raise ValueError("Sequential.build: the input shape is not known; pass it")
        for layer in self.layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            object.__setattr__(layer, "_output_shape", shape)
        object.__setattr__(self, "built", True)
        object.__setattr__(self, "_build_shape", input_shape)

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        out = inputs
        for layer in self.layers:
            out = layer(out, training=training)
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def input_shape(self) -> tuple | None:
        return self._input_shape() or self._build_shape

    @property
    def output_shape(self) -> tuple:
        if not self.built:
            raise AttributeError(f"Sequential model {self.name} has not been built yet")
        return self.compute_output_shape(self.input_shape)
