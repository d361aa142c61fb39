"""Module and Parameter: the building blocks of models, as ``torch.nn.Module``.

A Module owns Parameters (learned tensors), buffers (state that is saved but not learned,
e.g. batch norm's running mean) and child Modules, found by attribute assignment:
``self.fc = Linear(4, 2)`` registers a child, ``self.w = Parameter(...)`` a parameter.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy

from neuralab import backend
from neuralab import device as _device
from neuralab.tensor import Tensor, _as_array, _parse_to, date_changes


def factory_dtype(device: Any, dtype: Any, who: str) -> numpy.dtype:
    """The parameters' dtype from a layer's ``device=, dtype=`` (PyTorch's factory kwargs):
    ``device`` must name the CPU (CUDA raises NotImplementedError); ``dtype`` None is the
    default float (float32 unless set), else float32 or float64."""
    _device.check(device, who)
    if dtype is None:
        return backend.default_float()
    try:
        dtype = numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (backend.float32, backend.float64):
        raise TypeError(f"{who}: dtype must be float32 or float64, got {dtype}")
    return dtype


class Parameter(Tensor):
    """A Tensor that is a learned parameter of a Module (requires grad unless told not to).

    ``Parameter(data)`` shares memory with ``data`` (a Tensor or an array).
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = numpy.empty(0, dtype=numpy.float32)
        super().__init__(data._data if isinstance(data, Tensor) else _as_array(data))
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        """As PyTorch's: ``<All keys matched successfully>`` when nothing is missing."""
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )

    __str__ = __repr__


class Module:
    """Base class of every layer and model: subclasses set attributes in ``__init__`` (after
    ``super().__init__()``) and compute the output in ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # --- registration ---------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call in {type(self).__name__}"
            )
        params, modules, buffers = self._parameters, self._modules, self._buffers
        if isinstance(value, Parameter):
            modules.pop(name, None)
            buffers.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        else:
            for registry, kind in ((params, Parameter), (modules, Module), (buffers, Tensor)):
                if name in registry:
                    if value is not None and not isinstance(value, kind):
                        raise TypeError(
                            f"cannot assign {type(value).__name__} as {name!r} "
                            f"({kind.__name__} or None expected)"
                        )
                    registry[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (None keeps the name, as for a layer without bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None")
        if param is None:
            self._parameters[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add state that is saved with the model (if persistent) but not learned."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # --- calling --------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def register_forward_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """Call ``hook(module, inputs, output)`` after every forward; it may replace output."""
        handle = _HookHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # --- traversal ------------------------------------------------------------------
    def named_modules(self, prefix: str = "", memo: set | None = None) -> Iterator[tuple]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool) -> Iterator[tuple]:
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every submodule (children first) and on self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients --------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("train: mode is expected to be a bool")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._data[...] = 0

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """PyTorch's overloads: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)`` (its dtype), ``non_blocking=``. The device must be the CPU (CUDA
        raises NotImplementedError); a floating dtype converts the floating parameters,
        buffers and gradients in place (the Parameters stay the same objects). Returns self."""
        dtype, _ = _parse_to(args, kwargs, "Module.to")
        if dtype is None:
            return self
        dtype = numpy.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(
                f"Module.to: nn.Module.to only accepts floating point dtypes, but got {dtype}"
            )
        if dtype not in (backend.float32, backend.float64):
            raise NotImplementedError(
                f"Module.to({dtype}): neuralab's layers compute in float32 or float64; use "
                "model.float() or model.double()"
            )
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f" and t._data.dtype != dtype:
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad._data = t.grad._data.astype(dtype)
        return self

    def float(self) -> Module:
        return self.to(numpy.float32)

    def double(self) -> Module:
        return self.to(numpy.float64)

    def half(self) -> Module:
        """Not supported: neuralab's layers compute in float32 or float64."""
        raise NotImplementedError(
            "Module.half(): float16 models are not implemented in neuralab (its layers compute "
            "in float32 or float64); use model.float()"
        )

    def bfloat16(self) -> Module:
        raise NotImplementedError(
            "Module.bfloat16(): bfloat16 is not implemented in neuralab; use model.float()"
        )

    def type(self, dst_type: Any) -> Module:
        """Convert the floating parameters and buffers to ``dst_type`` (float32 or float64)."""
        return self.to(dst_type)

    def cpu(self) -> Module:
        """The model, which is on the CPU already."""
        return self

    def share_memory(self) -> Module:
        """The model itself: its arrays are already ordinary process memory. (Hogwild
        training across processes, torch.multiprocessing, is not supported.)"""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Not supported: raises NotImplementedError naming CUDA (neuralab runs on the CPU)."""
        _device.check("cuda" if device is None else _cuda_name(device), "Module.cuda")
        return self  # pragma: no cover - check raises

    # --- saving and loading ---------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Parameters and persistent buffers by dotted name (sharing memory with the model)."""
        out: OrderedDict = OrderedDict()
        for module_prefix, module in self.named_modules(prefix.rstrip(".")):
            at = f"{module_prefix}." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[at + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    out[at + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers of the same names, in place.

        All or nothing: every entry is checked first (each value a Tensor or NumPy array
        of a numeric dtype and of the parameter's shape; with strict=True, no missing or
        unexpected keys), and only then is anything copied, so on an error the model is
        exactly as it was. NaN values are copied, as PyTorch does.
        """
        result, loads = self._check_state_dict(state_dict, strict)
        date_changes(target for target, _ in loads)
        for target, value in loads:
            target._data[...] = value
        return result

    def _check_state_dict(
        self, state_dict: Any, strict: bool = True
    ) -> tuple[IncompatibleKeys, list[tuple[Tensor, Any]]]:
        """Validate ``state_dict`` against this model without changing anything: the
        missing / unexpected keys and the (target, array) pairs to copy; RuntimeError
        listing every problem (PyTorch's message) otherwise."""
        from collections.abc import Mapping

        who = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        loads = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = _loadable_array(value)
            if array is None:
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor or an array '
                    f"from the state dict but received {type(value).__name__}"
                )
                continue
            if array.dtype.kind not in "biuf":
                errors.append(
                    f'While copying the parameter named "{key}", expected a numeric dtype, '
                    f"got {array.dtype}"
                )
                continue
            if array.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {array.shape}, "
                    f"the shape in current model is {target._data.shape}"
                )
                continue
            loads.append((target, array))
        if strict and (missing or unexpected):
            if unexpected:
                names = ", ".join(str(k) for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {names}")
            if missing:
                names = ", ".join(str(k) for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {names}")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {who}:\n\t" + "\n\t".join(errors)
            )
        return IncompatibleKeys(missing, unexpected), loads

    # --- display --------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"{extra}" if extra else "")
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _loadable_array(value: Any) -> Any:
    """The array a state dict value stands for (a Tensor, an array, a NumPy or Python
    number, or a nested list of numbers), or None for anything else (str, None, dict,
    ragged lists, objects)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, numpy.ndarray) or hasattr(value, "__cuda_array_interface__"):
        return value
    if isinstance(value, (numpy.generic, int, float, list, tuple)):
        try:
            return numpy.asarray(value)
        except (ValueError, TypeError):
            return None
    return None


def _cuda_name(device: Any) -> Any:
    """``cuda(0)`` means cuda:0, as in PyTorch."""
    if isinstance(device, int) and not isinstance(device, bool):
        return f"cuda:{device}"
    return device


class _HookHandle:
    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)
