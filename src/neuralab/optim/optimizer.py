"""The Optimizer base class: parameter groups, per-parameter state, state_dict."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy

from neuralab.tensor import Tensor, date_changes

# keys that schedulers add to param groups: a saved group may have them or not
SCHEDULER_KEYS = frozenset({"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"})
# PyTorch's implementation switches, found in the groups of state dicts it writes
TORCH_FLAGS = frozenset(
    {"foreach", "fused", "capturable", "differentiable", "maximize", "decoupled_weight_decay"}
)


class StateDictError(ValueError, TypeError):
    """A state dict that does not fit the object it is loaded into; nothing was changed.

    Both a ValueError and a TypeError, so either ``except`` catches it.

    Examples:
        >>> import neuralab as nl
        >>> w = nl.tensor([1.0], requires_grad=True)
        >>> nl.optim.SGD([w]).load_state_dict({"state": {}})
        Traceback (most recent call last):
        neuralab.optim.optimizer.StateDictError: SGD.load_state_dict: ... no 'param_groups' entry
    """


class Optimizer:
    """Base class of the optimizers: parameter groups, per-parameter state, state dicts.

    Holds ``param_groups`` (dicts with ``"params"`` and hyper-parameters, the missing ones
    filled in from ``defaults``) and ``state`` (per parameter, e.g. momentum buffers).
    Subclasses implement ``_update(p, grad, group, state)``, which changes the parameter's
    array ``p`` in place given its gradient ``grad`` (negated when the group maximizes).

    Args:
        params: Tensors requiring grad, or a list of dicts (parameter groups) each with
            ``"params"`` and its own hyper-parameters.
        defaults: Hyper-parameters of every group that does not set them.

    Raises:
        ValueError: An empty parameter list, a parameter in two groups, or a hyper-parameter
            out of range (PyTorch's message, e.g. ``Invalid learning rate: -1``).
        TypeError: A parameter that is not a Tensor requiring grad.

    Examples:
        >>> import neuralab as nl
        >>> a = nl.tensor([1.0], requires_grad=True)
        >>> b = nl.tensor([2.0], requires_grad=True)
        >>> opt = nl.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.5]
        >>> (a * b).sum().backward()
        >>> opt.step()
        >>> a.item(), b.item()  # a -= 0.1 * b, b -= 0.5 * a
        (0.8, 1.5)
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (the others from ``defaults``).

        Args:
            group: A dict with ``"params"`` (a Tensor or an iterable of them) and optional
                hyper-parameters.

        Raises:
            TypeError: A parameter that is not a Tensor requiring grad.
            ValueError: A parameter already in a group, or a hyper-parameter out of range.
        """
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"{type(self).__name__}: can only optimize Tensors that require grad"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError(
                f"{type(self).__name__}: some parameters appear in more than one group"
            )
        filled = {**self.defaults, **group, "params": params}
        self._check(filled)
        self.param_groups.append(filled)

    # PyTorch's argument checks: (key, test, label), then one of neuralab's own: every
    # value must be finite (PyTorch lets SGD(lr=nan) and Adam(lr=inf) through, which only
    # fails later as a NaN loss). "ge0" refuses what fails
    # ``0.0 <= x`` (so NaN too), "lt0" only ``x < 0`` (SGD's test: NaN passes), "beta"
    # ``0.0 <= b < 1.0`` per entry, "unit" ``0.0 <= x <= 1.0``. The message is PyTorch's.
    _rules: tuple[tuple[str, str, str], ...] = (
        ("lr", "ge0", "learning rate"),
        ("weight_decay", "ge0", "weight_decay value"),
    )

    def _check(self, group: dict[str, Any]) -> None:
        """Validate a group's hyper-parameters by ``_rules``, in PyTorch's order and with
        its messages (``ValueError: Invalid learning rate: nan``)."""
        for key, test, label in self._rules:
            if key not in group:
                continue
            value = group[key]
            values = value if test == "beta" else (value,)
            if test == "beta" and (not isinstance(value, (tuple, list)) or len(value) != 2):
                raise TypeError(
                    f"{type(self).__name__}: {key} must be a pair of numbers, got {value!r}"
                )
            for i, v in enumerate(values):
                if not isinstance(v, numbers.Real):
                    raise TypeError(
                        f"{type(self).__name__}: {key} must be a number, got "
                        f"{type(v).__name__} {v!r}"
                    )
                if test == "lt0":
                    bad = v < 0.0
                elif test == "beta":
                    bad = not 0.0 <= v < 1.0
                elif test == "unit":
                    bad = not 0.0 <= v <= 1.0
                else:
                    bad = not v >= 0.0
                if bad:
                    if test == "beta":
                        raise ValueError(f"Invalid beta parameter at index {i}: {v}")
                    raise ValueError(f"Invalid {label}: {v}")
        labels = {key: label for key, _, label in self._rules}
        for key, value in group.items():  # stricter than PyTorch: SGD(lr=nan), lr=inf pass
            values = value if isinstance(value, (tuple, list)) and key != "params" else (value,)
            for v in values:
                if isinstance(v, numbers.Real) and not isinstance(v, bool) and not math.isfinite(v):
                    raise ValueError(
                        f"Invalid {labels.get(key, key + ' value')}: {v} (must be finite)"
                    )

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop the gradients of all parameters (default), or zero them in place.

        Args:
            set_to_none: Set ``p.grad = None`` instead of filling it with zeros. Defaults to True.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient.

        Args:
            closure: A function that re-evaluates the model and returns the loss; called
                first when given. Defaults to None.

        Returns:
            What ``closure()`` returned, or None without a closure.
        """
        loss = closure() if closure is not None else None
        date_changes(p for group in self.param_groups for p in group["params"])
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                grad = p.grad._data
                self._update(p._data, -grad if group.get("maximize") else grad, group, state)
        return loss

    def _update(self, p: Any, grad: Any, group: dict[str, Any], state: dict[str, Any]) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as PyTorch lays it out.

        Returns:
            ``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``, with
            parameters numbered in the order of the groups and arrays copied as Tensors.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {
            index[id(p)]: {
                k: (Tensor(v.copy()) if hasattr(v, "shape") else v) for k, v in s.items()
            }
            for p, s in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore state and hyper-parameters saved by ``state_dict``.

        All or nothing: the whole dict is checked first (the groups and their parameter
        counts, every hyper-parameter's type, finiteness and range, every state entry's
        parameter index, names, shapes and dtypes) and only then applied, so on an error the
        optimizer is exactly as it was. Floating state is cast to its parameter's dtype, as
        PyTorch does.

        Args:
            state_dict: A dict returned by ``state_dict`` (of this or of PyTorch's optimizer).

        Raises:
            StateDictError: The dict does not fit this optimizer; the message names the entry.
        """
        groups, state = self._check_state_dict(state_dict)
        for own, values in zip(self.param_groups, groups):
            own.update(values)
        self.state = state

    def _state_layout(self, group: dict[str, Any]) -> tuple[set, set, set] | None:
        """(required, allowed, scalars): the names a parameter's non-empty state must
        have, may have, and those that are numbers rather than arrays shaped like the
        parameter; None when unknown (only shapes and dtypes are then checked)."""
        return None

    def _check_state_dict(self, state_dict: Any) -> tuple[list[dict], dict]:
        """Validate ``state_dict`` against this optimizer without changing anything;
        returns (hyper-parameters per group, the new state) ready to apply."""
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise StateDictError(
                f"{who}: expected a dict with 'state' and 'param_groups', got "
                f"{type(state_dict).__name__}"
            )
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise StateDictError(f"{who}: the state dict has no {key!r} entry")
        # what this optimizer writes beside them (Keras's 'iterations') is fine, nothing else
        unknown = sorted(map(str, set(state_dict) - set(self.state_dict())))
        if unknown:
            raise StateDictError(
                f"{who}: unknown entr{'y' if len(unknown) == 1 else 'ies'} {unknown} (a "
                f"{type(self).__name__} state dict has {sorted(self.state_dict())})"
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or not all(
            isinstance(g, Mapping) for g in saved_groups
        ):
            raise StateDictError(f"{who}: 'param_groups' must be a list of dicts")
        if len(saved_groups) != len(self.param_groups):
            raise StateDictError(
                f"{who}: the state dict has {len(saved_groups)} parameter group(s), this "
                f"optimizer {len(self.param_groups)}"
            )
        by_index: dict[int, tuple[Tensor, dict]] = {}
        groups = []
        for n, (saved, own) in enumerate(zip(saved_groups, self.param_groups)):
            where = f"param_groups[{n}]"
            ids = saved.get("params")
            if not isinstance(ids, (list, tuple)):
                raise StateDictError(f"{who}: {where} has no 'params' list of indices")
            if len(ids) != len(own["params"]):
                raise StateDictError(
                    f"{who}: {where} has {len(ids)} parameter(s), this optimizer's group "
                    f"{len(own['params'])}"
                )
            values = self._check_group(saved, own, f"{who}: {where}")
            for i, p in zip(ids, own["params"]):
                if _index(i) is None or isinstance(i, str):
                    raise StateDictError(
                        f"{who}: {where}['params'] must hold int indices, got {i!r}"
                    )
                if int(i) in by_index:
                    raise StateDictError(f"{who}: parameter index {i} appears twice")
                by_index[int(i)] = (p, {**own, **values})
            groups.append(values)
        saved_state = state_dict["state"]
        if not isinstance(saved_state, Mapping):
            raise StateDictError(f"{who}: 'state' must be a dict, got {type(saved_state).__name__}")
        state: dict[Tensor, dict[str, Any]] = {}
        for key, entry in saved_state.items():
            index = _index(key)
            if index is None or index not in by_index:
                known = (
                    f"0..{len(by_index) - 1}"
                    if sorted(by_index) == list(range(len(by_index)))
                    else str(sorted(by_index))
                )
                raise StateDictError(
                    f"{who}: state entry {key!r} names no parameter (param_groups list the "
                    f"indices {known})"
                )
            p, group = by_index[index]
            state[p] = self._check_param_state(entry, p, group, f"{who}: state[{key!r}]")
        return groups, state

    def _check_group(self, saved: Mapping, own: dict[str, Any], where: str) -> dict[str, Any]:
        """The saved group's hyper-parameters, checked against the live group's: the same
        names (another optimizer type's are refused), types, finite numbers, and the
        constructor's ranges."""
        keys = {k for k in saved if k != "params"}
        own_keys = {k for k in own if k != "params"}
        missing = sorted(map(str, own_keys - keys))
        unknown = sorted(map(str, keys - own_keys - SCHEDULER_KEYS - TORCH_FLAGS))
        if missing or unknown:
            parts = [f"missing hyper-parameter(s) {missing}"] if missing else []
            parts += [f"unknown hyper-parameter(s) {unknown}"] if unknown else []
            raise StateDictError(
                f"{where}: {'; '.join(parts)}: was it saved by another optimizer type? "
                f"(this one is {type(self).__name__})"
            )
        values = {}
        for key in sorted(keys & (own_keys | SCHEDULER_KEYS), key=str):
            values[key] = _checked_value(saved[key], own.get(key), f"{where}[{key!r}]")
        try:
            self._check({**own, **values})
        except (ValueError, TypeError) as exc:
            raise StateDictError(f"{where}: {exc}") from None
        return values

    def _check_param_state(
        self, entry: Any, p: Tensor, group: dict[str, Any], where: str
    ) -> dict[str, Any]:
        """One parameter's state: known names, arrays of the parameter's shape and a
        floating dtype (cast to the parameter's), finite numbers (a 'step' >= 0)."""
        if not isinstance(entry, Mapping):
            raise StateDictError(f"{where} must be a dict, got {type(entry).__name__}")
        layout = self._state_layout(group)
        out: dict[str, Any] = {}
        for name, value in entry.items():
            at = f"{where}[{name!r}]"
            if not isinstance(name, str):
                raise StateDictError(f"{at}: state names must be strings")
            if layout is not None and name not in layout[1]:
                raise StateDictError(
                    f"{at}: {type(self).__name__} keeps no such state (it keeps "
                    f"{sorted(layout[1])}): was it saved by another optimizer type?"
                )
            array = value._data if isinstance(value, Tensor) else value
            scalar = (
                name in layout[2]
                if layout is not None
                else (not hasattr(array, "shape") or array.shape != p._data.shape or name == "step")
            )
            out[name] = _state_scalar(value, at) if scalar else _state_array(array, p, at)
        if layout is not None and out and not layout[0] <= set(out):
            raise StateDictError(
                f"{where}: missing state {sorted(layout[0] - set(out))} (a "
                f"{type(self).__name__} state has {sorted(layout[0])})"
            )
        return out

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _index(key: Any) -> int | None:
    """A parameter index: an int (not a bool) or a string of digits (JSON keys)."""
    if isinstance(key, (int, numpy.integer)) and not isinstance(key, (bool, numpy.bool_)):
        return int(key)
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None


def _checked_value(value: Any, reference: Any, where: str) -> Any:
    """A saved hyper-parameter, of the kind of the live one: a bool for a bool, a finite
    number for a number, a pair of finite numbers for a pair, a str for a str."""
    if isinstance(reference, (bool, numpy.bool_)):
        if not isinstance(value, (bool, numpy.bool_)):
            raise StateDictError(f"{where}: expected a bool, got {value!r}")
        return bool(value)
    if isinstance(reference, numbers.Real) or (
        reference is None and isinstance(value, numbers.Real)
    ):
        if reference is None and isinstance(value, (bool, numpy.bool_)):
            return value
        if isinstance(value, (bool, numpy.bool_)) or not isinstance(value, numbers.Real):
            raise StateDictError(f"{where}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise StateDictError(f"{where}: expected a finite number, got {value}")
        return value
    if isinstance(reference, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(reference):
            raise StateDictError(
                f"{where}: expected {len(reference)} numbers like {reference!r}, got {value!r}"
            )
        for v in value:
            _checked_value(v, 0.0, where)
        return type(reference)(value)
    if isinstance(reference, str) and not isinstance(value, str):
        raise StateDictError(f"{where}: expected a str, got {value!r}")
    if reference is None and value is not None and not isinstance(value, (bool, str)):
        raise StateDictError(f"{where}: expected None, a bool or a str, got {value!r}")
    return value


def _state_scalar(value: Any, where: str) -> float:
    """A number of a parameter's state (a Python or NumPy number, or a one-element
    Tensor / array, as PyTorch's 'step'), finite; 'step' also >= 0."""
    array = value._data if isinstance(value, Tensor) else value
    if hasattr(array, "shape") and hasattr(array, "dtype"):
        if array.size != 1 or array.dtype.kind not in "iuf":
            raise StateDictError(
                f"{where}: expected a number, got an array of shape {tuple(array.shape)} "
                f"and dtype {array.dtype}"
            )
        number = float(array.reshape(()))
    elif isinstance(array, numbers.Real) and not isinstance(array, (bool, numpy.bool_)):
        number = float(array)
    else:
        raise StateDictError(f"{where}: expected a number, got {type(value).__name__}")
    if not math.isfinite(number) or (where.endswith("['step']") and number < 0):
        raise StateDictError(f"{where}: expected a finite number (>= 0 for 'step'), got {number}")
    return number


def _state_array(array: Any, p: Tensor, where: str) -> Any:
    """A state array shaped like its parameter, of a floating dtype; a copy in the
    parameter's dtype."""
    if not hasattr(array, "shape") or not hasattr(array, "dtype"):
        raise StateDictError(
            f"{where}: expected an array of shape {p._data.shape}, got {type(array).__name__}"
        )
    if tuple(array.shape) != p._data.shape:
        raise StateDictError(
            f"{where}: expected shape {p._data.shape} (its parameter's), got {tuple(array.shape)}"
        )
    if array.dtype.kind != "f":
        raise StateDictError(f"{where}: expected a floating dtype, got {array.dtype}")
    return array.astype(p._data.dtype)
