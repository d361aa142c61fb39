"""Containers: Sequential (a chain of layers), ModuleList, ModuleDict, ParameterList and
ParameterDict."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from neuralab.nn.module import Module, Parameter
from neuralab.tensor import Tensor


class Sequential(Module):
    """Applies modules in order: y = m_n(...m_2(m_1(x))).

    Args:
        *modules: the modules, named "0", "1", ...; or a single OrderedDict of
            ``{name: module}``.

    Shape:
        - Input: what the first module takes.
        - Output: what the last module returns.

    Examples:
        >>> import neuralab as nl
        >>> model = nl.nn.Sequential(nl.nn.Linear(4, 8), nl.nn.ReLU(), nl.nn.Linear(8, 2))
        >>> model(nl.zeros(5, 4)).shape
        (5, 2)
        >>> len(model), type(model[1]).__name__, len(model[:2])
        (3, 'ReLU', 2)
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    def append(self, module: Module) -> Sequential:
        """Adds ``module`` at the end and returns this Sequential.

        Args:
            module: the module to append.

        Returns:
            This Sequential.
        """
        self.add_module(str(len(self)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]


class ModuleList(Module):
    """A list of modules whose parameters are registered with the parent module.

    Args:
        modules: the initial modules. Defaults to None (empty).

    Raises:
        NotImplementedError: if called; iterate over it in your ``forward``.

    Examples:
        >>> import neuralab as nl
        >>> layers = nl.nn.ModuleList([nl.nn.Linear(3, 3) for _ in range(2)])
        >>> layers.append(nl.nn.Linear(3, 1))
        ModuleList(
          (0): Linear(in_features=3, out_features=3, bias=True)
          (1): Linear(in_features=3, out_features=3, bias=True)
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
        >>> len(layers), len(list(layers.parameters()))
        (3, 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Adds ``module`` at the end and returns this ModuleList.

        Args:
            module: the module to append.

        Returns:
            This ModuleList.
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Appends each of ``modules`` and returns this ModuleList.

        Args:
            modules: the modules to append.

        Returns:
            This ModuleList.
        """
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before position ``index``.

        Args:
            index: the position, as ``list.insert``.
            module: the module to insert.
        """
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.values())
        return ModuleList(items[index]) if isinstance(index, slice) else items[index]

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ModuleList is a container: iterate over it in forward()")


class ModuleDict(Module):
    """A dict of modules whose parameters are registered with the parent module.

    Args:
        modules: a mapping or pairs ``(name, module)``. Defaults to None (empty).

    Raises:
        NotImplementedError: if called; index it in your ``forward``.

    Examples:
        >>> import neuralab as nl
        >>> heads = nl.nn.ModuleDict({"a": nl.nn.Linear(4, 2), "b": nl.nn.Linear(4, 3)})
        >>> heads["b"](nl.zeros(1, 4)).shape, list(heads.keys())
        ((1, 3), ['a', 'b'])
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Any:
        """The names, as ``dict.keys``."""
        return self._modules.keys()

    def values(self) -> Any:
        """The modules, as ``dict.values``."""
        return self._modules.values()

    def items(self) -> Any:
        """The ``(name, module)`` pairs, as ``dict.items``."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Removes the module named ``key`` and returns it.

        Args:
            key: the name.

        Returns:
            The removed module.
        """
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Removes every module."""
        for key in list(self._modules):
            del self[key]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple]) -> None:
        """Adds or replaces modules from a mapping or ``(name, module)`` pairs.

        Args:
            modules: a mapping or pairs ``(name, module)``.
        """
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ModuleDict is a container: index it in forward()")


class ParameterList(Module):
    """A list of Parameters registered with the parent module (tensors become Parameters).

    Args:
        values: the initial tensors or Parameters. Defaults to None (empty).

    Raises:
        TypeError: if a value set is not a Tensor.
        NotImplementedError: if called; index it in your ``forward``.

    Examples:
        >>> import neuralab as nl
        >>> params = nl.nn.ParameterList([nl.zeros(2), nl.ones(3)])
        >>> len(params), params[1].shape, params[1].requires_grad
        (2, (3,), True)
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _as_parameter(self, value: Any) -> Any:
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            return Parameter(value, requires_grad=True)
        return value

    def append(self, value: Any) -> ParameterList:
        """Adds ``value`` (wrapped as a Parameter) at the end and returns this ParameterList.

        Args:
            value: a Tensor or Parameter.

        Returns:
            This ParameterList.
        """
        self[len(self)] = value
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Appends each of ``values`` and returns this ParameterList.

        Args:
            values: tensors or Parameters.

        Returns:
            This ParameterList.
        """
        for value in values:
            self.append(value)
        return self

    def __len__(self) -> int:
        return len(self._parameters)

    def __getitem__(self, index: int | slice) -> Any:
        values = list(self._parameters.values())
        return ParameterList(values[index]) if isinstance(index, slice) else values[index]

    def __setitem__(self, index: int, value: Any) -> None:
        if index < 0:
            index += len(self)
        value = self._as_parameter(value)
        if not isinstance(value, Parameter):
            raise TypeError(f"ParameterList: expected a Tensor, got {type(value).__name__}")
        setattr(self, str(index), value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ParameterList is a container: index it in forward()")

    def extra_repr(self) -> str:
        return "\n".join(
            f"({i}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]"
            for i, p in enumerate(self)
        )


class ParameterDict(Module):
    """A dict of Parameters registered with the parent module (tensors become Parameters).

    Args:
        parameters: a mapping ``{name: tensor}``. Defaults to None (empty).

    Raises:
        TypeError: if a value set is not a Tensor.
        NotImplementedError: if called; index it in your ``forward``.

    Examples:
        >>> import neuralab as nl
        >>> params = nl.nn.ParameterDict({"scale": nl.ones(3)})
        >>> params["scale"].requires_grad, "scale" in params
        (True, True)
    """

    def __init__(self, parameters: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"ParameterDict: expected a Tensor, got {type(value).__name__}")
        if not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Any:
        """The names, as ``dict.keys``."""
        return self._parameters.keys()

    def values(self) -> Any:
        """The Parameters, as ``dict.values``."""
        return self._parameters.values()

    def items(self) -> Any:
        """The ``(name, parameter)`` pairs, as ``dict.items``."""
        return self._parameters.items()

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple]) -> None:
        """Adds or replaces Parameters from a mapping or ``(name, tensor)`` pairs.

        Args:
            parameters: a mapping or pairs ``(name, tensor)``.
        """
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in pairs:
            self[key] = value

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError("ParameterDict is a container: index it in forward()")
