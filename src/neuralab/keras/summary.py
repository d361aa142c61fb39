"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts,
drawn with rich exactly as Keras draws it."""

from __future__ import annotations

import math
import re
import shutil
from typing import Any

from neuralab.extras import require


def _count(weights: list) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def readable_memory_size(size: float) -> str:
    """Bytes in the largest unit below 1024 of it, two decimals: '8.27 KB'."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _bytes(weights: list) -> int:
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * w.numpy().dtype.itemsize for w in unique)


def _shape_text(layer: Any) -> str:
    shape = getattr(layer, "_output_shape", None)
    if shape is None and layer._inbound_nodes and layer._inbound_nodes[-1].outputs:
        outs = [t.shape for t in layer._inbound_nodes[-1].outputs]
        shape = outs[0] if len(outs) == 1 else outs
    if shape is None:
        return "?"

    def one(s: tuple) -> str:
        return (
            "("
            + ", ".join(f"[color(45)]{d}[/]" if d is None else f"[color(34)]{d}[/]" for d in s)
            + ")"
        )

    if isinstance(shape, list):
        return str([one(s) for s in shape]).replace("'", "")
    return one(shape)


def _layer_range(layers: list, layer_range: Any) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range must be two layer names, got {layer_range}")
    low = [i for i, lay in enumerate(layers) if re.match(layer_range[0], lay.name)]
    high = [i for i, lay in enumerate(layers) if re.match(layer_range[1], lay.name)]
    if not low or not high:
        raise ValueError(
            f"Passed layer_names do not match the layer names in the model: {layer_range}"
        )
    if min(low) > max(high):
        return min(high), max(low) + 1
    return min(low), max(high) + 1


def _sequential_like(model: Any) -> bool:
    graph = getattr(model, "_graph", None)
    if not graph:
        return True
    seen = set()
    for node in graph:
        if len(node.input_tensors) > 1 or id(node.layer) in seen:
            return False
        seen.add(id(node.layer))
    return True


def _connections(layer: Any, model: Any) -> str:
    text = ""
    for node in layer._inbound_nodes:
        if node not in (model._graph or []):
            continue
        for t in node.input_tensors:
            source = t.node.layer
            index = source._inbound_nodes.index(t.node)
            text += (", " if text else "") + (
                f"{source.name}[[color(34)]{index}[/]][[color(34)]{t.index}[/]]"
            )
    return text or "-"


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Any = None,
    print_fn: Any = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Any = None,
) -> None:
    """Print ``model``'s summary (to stdout, or line by line through ``print_fn``)."""
    require("rich", "keras", "model.summary()")
    import rich.console
    import rich.markup
    import rich.table

    sequential_like = _sequential_like(model)
    layers = model.layers
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    columns = [
        rich.table.Column(name, justify=a, width=w) for name, a, w in zip(header, align, widths)
    ]
    table = rich.table.Table(*columns, width=line_length, show_lines=True)

    def row(layer: Any, prefix: str = "") -> list:
        name = rich.markup.escape(f"{prefix}{layer.name}")
        name += f" ([color(33)]{rich.markup.escape(type(layer).__name__)}[/])"
        if not layer.built:
            params = "[color(34)]0[/] (unbuilt)"
        else:
            params = f"[color(34)]{layer.count_params():,}[/]"
        fields = [name, _shape_text(layer), params]
        if not sequential_like:
            fields.append(_connections(layer, model))
        if show_trainable:
            fields.append(
                ("[bold][color(34)]Y[/][/]" if layer.trainable else "[bold][color(9)]N[/][/]")
                if layer.weights
                else "[bold]-[/]"
            )
        rows = [fields]
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            level = prefix.count("└") + 1
            for inner in layer.layers:
                rows += row(inner, "   " * level + "└ ")
        return rows

    start, stop = _layer_range(layers, layer_range)
    for layer in layers[start:stop]:
        for fields in row(layer):
            table.add_row(*fields)

    trainable, frozen = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    opt_vars = (
        list(getattr(optimizer, "variables", []) or [])
        if optimizer is not None and getattr(optimizer, "built", False)
        else []
    )
    total = _count(trainable) + _count(frozen) + _count(opt_vars)
    total_bytes = _bytes(trainable) + _bytes(frozen) + _bytes(opt_vars)
    if print_fn:
        console = rich.console.Console(highlight=False, force_terminal=False, color_system=None)
        console.begin_capture()
    else:
        console = rich.console.Console(highlight=False)
    console.print(f'[bold]Model: "{rich.markup.escape(model.name)}"[/]')
    console.print(table)
    lines = [
        ("Total params", total, total_bytes),
        ("Trainable params", _count(trainable), _bytes(trainable)),
        ("Non-trainable params", _count(frozen), _bytes(frozen)),
    ]
    if opt_vars:
        lines.append(("Optimizer params", _count(opt_vars), _bytes(opt_vars)))
    for label, count, size in lines:
        console.print(f"[bold] {label}: [/][color(34)]{count:,}[/] ({readable_memory_size(size)})")
    if print_fn:
        print_fn(console.end_capture())
