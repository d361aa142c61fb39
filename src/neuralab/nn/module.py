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
    """A Tensor that is a learned parameter of a Module; it requires grad unless told not to.

    Assigning a Parameter as a Module attribute registers it, so it appears in
    ``parameters()`` and ``state_dict()``. ``Parameter(data)`` shares memory with ``data``.

    Args:
        data: a Tensor or an array. Defaults to None (an empty float32 tensor).
        requires_grad: whether the optimizer should get a gradient for it. Defaults to True.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.nn.Parameter(nl.zeros(2))
        >>> w.requires_grad, w.shape
        (True, (2,))
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
    """Base class of every layer and model, as ``torch.nn.Module``.

    Subclasses set their parameters, buffers and submodules as attributes in ``__init__``
    (after ``super().__init__()``) and compute the output in ``forward``; calling the module
    runs ``forward`` and then any forward hooks. Parameters, buffers and submodules assigned
    as attributes are registered, so ``parameters()``, ``state_dict()``, ``train()`` and
    ``eval()`` reach them recursively.

    Raises:
        AttributeError: if an attribute is assigned before ``Module.__init__`` ran.
        NotImplementedError: if called without a ``forward``.

    Examples:
        >>> import neuralab as nl
        >>> class TwoLayer(nl.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nl.nn.Linear(4, 8)
        ...         self.out = nl.nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> model = TwoLayer()
        >>> model(nl.zeros(3, 4)).shape
        (3, 2)
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

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
        """Adds a parameter under ``name``; None keeps the name (as for a layer without bias).

        Args:
            name: the attribute name.
            param: a Parameter, or None.

        Raises:
            TypeError: if ``param`` is neither a Parameter nor None.

        Examples:
            >>> import neuralab as nl
            >>> m = nl.nn.Module()
            >>> m.register_parameter("scale", nl.nn.Parameter(nl.ones(1)))
            >>> list(m.state_dict())
            ['scale']
        """
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None")
        if param is None:
            self._parameters[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Adds state that is not learned but moves and saves with the model (e.g. running means).

        Args:
            name: the attribute name.
            tensor: a Tensor, or None.
            persistent: whether ``state_dict()`` includes it. Defaults to True.

        Raises:
            TypeError: if ``tensor`` is neither a Tensor nor None.

        Examples:
            >>> import neuralab as nl
            >>> m = nl.nn.Module()
            >>> m.register_buffer("count", nl.zeros(1))
            >>> list(m.state_dict()), list(m.parameters())
            (['count'], [])
        """
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a submodule under ``name`` (as assigning it as an attribute does).

        Args:
            name: the attribute name.
            module: a Module, or None.

        Raises:
            TypeError: if ``module`` is neither a Module nor None.
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # --- calling --------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Computes the output; every subclass overrides it. Call the module, not ``forward``.

        Args:
            *args: the inputs.
            **kwargs: keyword inputs.

        Returns:
            The output.

        Raises:
            NotImplementedError: if the subclass does not define it.
        """
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
        """Calls ``hook(module, inputs, output)`` after every forward; a non-None result replaces
        the output.

        Args:
            hook: the function to call.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Examples:
            >>> import neuralab as nl
            >>> layer = nl.nn.Linear(2, 2)
            >>> handle = layer.register_forward_hook(lambda m, inputs, out: print(out.shape))
            >>> y = layer(nl.ones(5, 2))
            (5, 2)
            >>> handle.remove()
        """
        handle = _HookHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # --- traversal ------------------------------------------------------------------
    def named_modules(self, prefix: str = "", memo: set | None = None) -> Iterator[tuple]:
        """Yields ``(name, module)`` for this module and every submodule, each once.

        Args:
            prefix: put before every name. Defaults to "".
            memo: ids of modules to skip (used in the recursion). Defaults to None.

        Yields:
            ``(dotted name, module)`` pairs, this module first with name ``prefix``.
        """
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        """Yields this module and every submodule, each once.

        Yields:
            Modules, this one first.
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yields ``(name, module)`` for the direct submodules.

        Yields:
            ``(name, module)`` pairs.
        """
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator[Module]:
        """Yields the direct submodules.

        Yields:
            Modules.
        """
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
        """Yields ``(dotted name, parameter)`` for every parameter, each once.

        Args:
            prefix: put before every name. Defaults to "".
            recurse: include the parameters of submodules. Defaults to True.

        Returns:
            An iterator of ``(name, Parameter)`` pairs.

        Examples:
            >>> import neuralab as nl
            >>> model = nl.nn.Sequential(nl.nn.Linear(3, 2))
            >>> [(name, p.shape) for name, p in model.named_parameters()]
            [('0.weight', (2, 3)), ('0.bias', (2,))]
        """
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yields every parameter, each once (what an optimizer is given).

        Args:
            recurse: include the parameters of submodules. Defaults to True.

        Yields:
            Parameters.

        Examples:
            >>> import neuralab as nl
            >>> sum(p.numel() for p in nl.nn.Linear(3, 2).parameters())
            8
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        """Yields ``(dotted name, buffer)`` for every buffer.

        Args:
            prefix: put before every name. Defaults to "".
            recurse: include the buffers of submodules. Defaults to True.

        Returns:
            An iterator of ``(name, Tensor)`` pairs.
        """
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yields every buffer.

        Args:
            recurse: include the buffers of submodules. Defaults to True.

        Yields:
            Tensors.
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Calls ``fn`` on every submodule (children first) and then on this module.

        Args:
            fn: a function of one Module, e.g. a custom initialization.

        Returns:
            This module.

        Examples:
            >>> import neuralab as nl
            >>> def init_weights(m):
            ...     if isinstance(m, nl.nn.Linear):
            ...         nl.nn.init.zeros_(m.weight)
            >>> model = nl.nn.Sequential(nl.nn.Linear(2, 2), nl.nn.ReLU()).apply(init_weights)
            >>> model[0].weight.abs().sum().item()
            0.0
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients --------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Sets training mode (Dropout active, BatchNorm on batch statistics) on every submodule.

        Args:
            mode: True for training, False for evaluation. Defaults to True.

        Returns:
            This module.

        Raises:
            ValueError: if ``mode`` is not a bool.

        Examples:
            >>> import neuralab as nl
            >>> model = nl.nn.Sequential(nl.nn.Dropout())
            >>> model.eval()[0].training, model.train()[0].training
            (False, True)
        """
        if not isinstance(mode, bool):
            raise ValueError("train: mode is expected to be a bool")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Sets evaluation mode on every submodule; the same as ``train(False)``.

        Returns:
            This module.
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Sets ``requires_grad`` of every parameter (False freezes the module).

        Args:
            requires_grad: the flag. Defaults to True.

        Returns:
            This module.
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of every parameter.

        Args:
            set_to_none: set ``grad`` to None (else fill it with zeros). Defaults to True.

        Examples:
            >>> import neuralab as nl
            >>> layer = nl.nn.Linear(2, 1)
            >>> layer(nl.ones(1, 2)).sum().backward()
            >>> layer.weight.grad
            tensor([[1., 1.]])
            >>> layer.zero_grad()
            >>> layer.weight.grad is None
            True
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._data[...] = 0

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Converts the floating parameters, buffers and gradients in place; PyTorch's overloads.

        ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype) and
        ``non_blocking=`` are accepted. The Parameters stay the same objects.

        Args:
            *args: a device, a dtype, both, or a tensor.
            **kwargs: ``device=``, ``dtype=``, ``non_blocking=``.

        Returns:
            This module.

        Raises:
            TypeError: if the dtype is not floating point.
            NotImplementedError: if the dtype is neither float32 nor float64, or the device is
                not the CPU.

        Examples:
            >>> import neuralab as nl
            >>> nl.nn.Linear(2, 2).to(nl.float64).weight.dtype
            dtype('float64')
        """
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
        """Converts the floating parameters and buffers to float32 in place.

        Returns:
            This module.
        """
        return self.to(numpy.float32)

    def double(self) -> Module:
        """Converts the floating parameters and buffers to float64 in place.

        Returns:
            This module.
        """
        return self.to(numpy.float64)

    def half(self) -> Module:
        """Not supported: neuralab's layers compute in float32 or float64.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            "Module.half(): float16 models are not implemented in neuralab (its layers compute "
            "in float32 or float64); use model.float()"
        )

    def bfloat16(self) -> Module:
        """Not supported: bfloat16 is not implemented.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            "Module.bfloat16(): bfloat16 is not implemented in neuralab; use model.float()"
        )

    def type(self, dst_type: Any) -> Module:
        """Converts the floating parameters and buffers to ``dst_type`` (float32 or float64).

        Args:
            dst_type: the dtype.

        Returns:
            This module.
        """
        return self.to(dst_type)

    def cpu(self) -> Module:
        """Returns this module, which is on the CPU already.

        Returns:
            This module.
        """
        return self

    def share_memory(self) -> Module:
        """Returns this module: its arrays are already ordinary process memory.

        Hogwild training across processes (torch.multiprocessing) is not supported.

        Returns:
            This module.
        """
        return self

    def cuda(self, device: Any = None) -> Module:
        """Not supported: neuralab runs on the CPU.

        Args:
            device: the CUDA device. Defaults to None.

        Raises:
            NotImplementedError: always, naming CUDA.
        """
        _device.check("cuda" if device is None else _cuda_name(device), "Module.cuda")
        return self  # pragma: no cover - check raises

    # --- saving and loading ---------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Returns the parameters and persistent buffers by dotted name (sharing memory).

        Args:
            prefix: put before every key. Defaults to "".
            keep_vars: keep the Parameters themselves instead of detached tensors. Defaults to
                False.

        Returns:
            An OrderedDict ``{name: tensor}``, as ``torch.nn.Module.state_dict``.

        Examples:
            >>> import neuralab as nl
            >>> list(nl.nn.BatchNorm1d(3).state_dict())
            ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
        """
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
        """Copies values into the parameters and buffers of the same names, in place.

        All or nothing: every entry is checked first (each value a Tensor or NumPy array of a
        numeric dtype and of the parameter's shape; with strict=True, no missing or unexpected
        keys), and only then is anything copied, so on an error the model is exactly as it was.
        NaN values are copied, as PyTorch does.

        Args:
            state_dict: a mapping from names to tensors or arrays, e.g. another model's
                ``state_dict()``.
            strict: require exactly the model's keys. Defaults to True.

        Returns:
            A named tuple ``(missing_keys, unexpected_keys)``.

        Raises:
            TypeError: if ``state_dict`` is not a mapping.
            RuntimeError: listing every problem (PyTorch's message) when a value cannot be
                copied, or keys are missing or unexpected with strict=True.

        Examples:
            >>> import neuralab as nl
            >>> a, b = nl.nn.Linear(2, 2), nl.nn.Linear(2, 2)
            >>> b.load_state_dict(a.state_dict())
            <All keys matched successfully>
            >>> nl.equal(a.weight, b.weight)
            True
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
        """Returns the text inside the parentheses of this module's repr; layers override it.

        Returns:
            The settings as text, e.g. ``"in_features=3, out_features=2, bias=True"``.
        """
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
