"""Keras 3's optimizer base: built lazily over variables, Keras's order of work per step.

One step (``apply_gradients`` in Keras, ``step()`` here, after ``loss.backward()``):

1. gradients of the variables that have one (``p.grad``);
2. clipping: ``clipnorm`` per variable ``g * c / max(||g||, c)``, or ``global_clipnorm``
   over all ``g * c / max(sqrt(sum ||g_i||^2), c)``, or ``clipvalue`` ``clip(g, -c, c)``;
3. decoupled weight decay, before the update: ``w <- w * (1 - weight_decay * lr)``;
4. the optimizer's own update (``_update_step``) with ``lr`` = the learning rate at
   ``iterations`` (a schedule is evaluated at the number of steps already taken);
5. ``iterations += 1``.

The class is a ``neuralab.optim.Optimizer``, so ``neuralab.train.fit`` drives it with
``zero_grad()`` / ``step()`` and reads ``param_groups[0]['lr']``; it is constructed with
hyper-parameters only and gets its variables from ``build(variables)``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from neuralab.keras import backend
from neuralab.keras.optimizers.schedules import LearningRateSchedule
from neuralab.optim.optimizer import Optimizer as _Optimizer
from neuralab.tensor import Tensor, date_changes

F32 = np.float32


def _f32(x: Any) -> np.float32:
    return F32(x)


class Optimizer(_Optimizer):
    """The base class of the Keras optimizers: Keras's arguments and order of work per step.

    One step (``apply_gradients`` in Keras, ``step()`` after ``loss.backward()`` here):
    gradients are clipped (``clipnorm``: ``g * c / max(||g||, c)`` per variable;
    ``global_clipnorm``: the same over all; ``clipvalue``: ``clip(g, -c, c)``); decoupled
    weight decay ``w <- w * (1 - weight_decay * lr)``; the subclass's update with the
    learning rate at ``iterations``; ``iterations += 1``. It is a
    ``neuralab.optim.Optimizer`` built lazily (``build(variables)``), so
    ``neuralab.train.fit`` drives it.

    Args:
        learning_rate: A float, a ``LearningRateSchedule`` (evaluated at ``iterations``) or
            a callable returning the rate.
        weight_decay: Decoupled weight decay. Defaults to None (none).
        clipnorm: Clip each gradient to this L2 norm. Defaults to None.
        clipvalue: Clip each gradient's values to [-clipvalue, clipvalue]. Defaults to None.
        global_clipnorm: Clip all gradients together to this global L2 norm. Defaults to None.
        use_ema: Only False (no moving average of the weights). Defaults to False.
        ema_momentum: Kept for Keras's config. Defaults to 0.99.
        ema_overwrite_frequency: Kept for Keras's config. Defaults to None.
        loss_scale_factor: Only None. Defaults to None.
        gradient_accumulation_steps: Only None. Defaults to None.
        name: The optimizer's name. Defaults to None (a unique snake-case class name).
        **kwargs: Only Keras's deprecated ``decay`` (ignored with a warning).

    Raises:
        ValueError: If ``learning_rate`` is not a float, schedule or callable, an unknown
            argument is given, or more than one clipping argument is set.
        NotImplementedError: If ``use_ema``, ``loss_scale_factor`` or
            ``gradient_accumulation_steps`` is set.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab import keras
        >>> class PlainGD(keras.optimizers.Optimizer):
        ...     def _update_step(self, grads, variables, lr):
        ...         for g, p in zip(grads, variables):
        ...             p._data -= lr * g
        >>> w = nl.nn.Parameter(nl.tensor([1.0, 2.0]))
        >>> optimizer = PlainGD(learning_rate=0.5, clipvalue=1.0)
        >>> optimizer.apply_gradients([(np.array([4.0, -0.5], "float32"), w)])
        1
        >>> w.detach().numpy()
        array([0.5 , 2.25], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        who = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(f"{who}: argument(s) not recognized: {kwargs}")
        for arg, value, default in (
            ("use_ema", use_ema, False),
            ("loss_scale_factor", loss_scale_factor, None),
            ("gradient_accumulation_steps", gradient_accumulation_steps, None),
        ):
            if value != default:
                raise NotImplementedError(
                    f"neuralab.keras: {who}({arg}={value!r}) is not supported"
                )
        clips = sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm))
        if clips > 1:
            raise ValueError(
                f"{who}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name if name is not None else backend.unique_name(_snake(who))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._learning_rate: Any = learning_rate
        elif isinstance(learning_rate, float):
            self._learning_rate = float(_f32(learning_rate))
        else:
            raise ValueError(
                f"{who}: argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                "value and returns the corresponding learning rate value). Received "
                f"instead: learning_rate={learning_rate!r}"
            )
        self._iterations = 0
        self._slots: dict[str, float] = {}
        self.built = False
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        # neuralab.optim.Optimizer's fields, filled by build()
        self.defaults = {"lr": self._current_lr()}
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._written_lr = self.defaults["lr"]

    # --- variables ----------------------------------------------------------------------
    def build(self, variables: Iterable[Tensor]) -> None:
        """Take the list of trainable variables (neuralab Parameters) and create the
        optimizer's state for each (``_slots``); a second call does nothing, as in Keras."""
        if self.built:
            return
        variables = list(variables)
        if variables:
            self.defaults["lr"] = self._current_lr()
            self.add_param_group({"params": variables})
        for p in variables:
            self.state[p] = {
                slot: np.full(p._data.shape, init, dtype=p._data.dtype)
                for slot, init in self._slots.items()
            }
        self._build_extra()
        self.built = True

    def _build_extra(self) -> None:
        """Optimizer-wide state beyond the per-variable slots (Nadam's u_product)."""

    @property
    def _trainable_variables(self) -> list[Tensor]:
        """The variables the optimizer was built with (Keras's ``_trainable_variables``;
        Keras's public ``variables`` are the optimizer's own state, not offered here)."""
        return [p for g in self.param_groups for p in g["params"]]

    def exclude_from_weight_decay(
        self, var_list: Sequence[Tensor] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Exempt these variables (or those whose ``name`` contains one of ``var_names``)
        from weight decay; call before ``build``."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, p: Tensor) -> bool:
        if id(p) in self._exclude_ids:
            return False
        name = getattr(p, "name", None) or ""
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    # --- learning rate and iterations ---------------------------------------------------
    @property
    def iterations(self) -> int:
        """The number of steps taken."""
        return self._iterations

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._iterations = int(value)

    def _current_lr(self) -> float:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return float(lr(self._iterations))
        if callable(lr):
            return float(lr())
        return lr

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule evaluated at ``iterations``);
        stored in float32, as Keras's variable."""
        self._sync_lr_from_groups()
        return self._current_lr()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._learning_rate = value
        else:
            if isinstance(self._learning_rate, LearningRateSchedule):
                raise TypeError(
                    "This optimizer was created with a `LearningRateSchedule` object as its "
                    "`learning_rate` constructor argument, hence its learning rate is not "
                    "settable. If you need the learning rate to be settable, you should "
                    "instantiate the optimizer with a float `learning_rate` argument."
                )
            self._learning_rate = float(_f32(value))
        self._write_lr()

    def _write_lr(self) -> None:
        lr = self._current_lr()
        self._written_lr = lr
        for group in self.param_groups:
            group["lr"] = lr

    def _sync_lr_from_groups(self) -> None:
        """A torch-style change of ``param_groups[0]['lr']`` (a neuralab scheduler or
        callback) becomes the learning rate; refused when a schedule owns it."""
        if not self.param_groups:
            return
        group_lr = self.param_groups[0]["lr"]
        if group_lr == self._written_lr:
            return
        if isinstance(self._learning_rate, LearningRateSchedule) or callable(self._learning_rate):
            raise TypeError(
                f"{type(self).__name__}: param_groups[0]['lr'] was changed, but the learning "
                "rate is owned by a schedule"
            )
        self._learning_rate = float(_f32(group_lr))
        self._write_lr()

    # --- the step -----------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply the gradients in ``p.grad`` (Keras's ``apply``); returns closure() if given."""
        loss = closure() if closure is not None else None
        if not self.built:
            raise RuntimeError(
                f"{type(self).__name__}: call optimizer.build(variables) before step()"
            )
        self._sync_lr_from_groups()
        variables = [p for p in self._trainable_variables if p.grad is not None]
        if not variables:
            raise ValueError("No gradients provided for any variable.")
        # no copy: the update steps and clipping never write into a gradient
        grads = [p.grad._data.astype(p._data.dtype, copy=False) for p in variables]
        self._apply(grads, variables)
        return loss

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> int:
        """Keras's ``apply_gradients(zip(grads, vars))``: builds on first use; ``None``
        gradients are skipped. Returns ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        if not self.built:
            self.build([v for _, v in pairs])
        known = {id(p) for p in self._trainable_variables}
        for _, v in pairs:
            if id(v) not in known:
                raise ValueError(
                    f"Unknown variable: {v}. This optimizer can only be called for the "
                    "variables it was originally built with."
                )
        self._sync_lr_from_groups()
        pairs = [(g, v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        grads = [
            np.array(g._data if isinstance(g, Tensor) else g, dtype=v._data.dtype) for g, v in pairs
        ]
        self._apply(grads, [v for _, v in pairs])
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Tensor] | None = None):
        """Keras's ``apply(grads, trainable_variables=None)``."""
        variables = trainable_variables
        if variables is None:
            variables = self._trainable_variables
        if trainable_variables is None and not self.built:
            raise ValueError(
                "When passing `grads` without `variables`, the optimizer must already be "
                "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                "first."
            )
        return self.apply_gradients(zip(grads, variables))

    def _apply(self, grads: list[Any], variables: list[Tensor]) -> None:
        grads = self._clip_gradients(grads)
        lr = _f32(self._current_lr())
        if self.weight_decay is not None:
            factor = _f32(1) - _f32(self.weight_decay) * lr
            for p in variables:
                if self._use_weight_decay(p):
                    p._data *= factor
        self._update_step(grads, variables, lr)
        self._iterations += 1
        date_changes(variables)
        self._write_lr()

    def _clip_gradients(self, grads: list[Any]) -> list[Any]:
        """clipnorm: ``g * c / max(||g||_2, c)`` per variable; global_clipnorm: all
        gradients times ``c * min(1 / ||(g_1, ..., g_n)||_2, 1 / c)``; clipvalue:
        ``clip(g, -c, c)``."""
        if self.clipnorm and self.clipnorm > 0:
            c = _f32(self.clipnorm)
            return [g * c / np.maximum(np.sqrt(np.sum(g * g)), c) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            c = _f32(self.global_clipnorm)
            norm = np.sqrt(np.sum(np.stack([np.sum(g * g) for g in grads])))
            scale = c * np.minimum(_f32(1) / norm, _f32(1) / c)
            scale = scale + (norm - norm)  # NaN when the norm is not finite, as Keras
            return [g * scale for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            c = _f32(self.clipvalue)
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def _update_step(self, grads: list[Any], variables: list[Tensor], lr: np.float32) -> None:
        raise NotImplementedError

    def _scratch(self, like: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Two work arrays of ``like``'s shape and dtype, kept between steps (not state)."""
        key = (like.shape, like.dtype)
        buffers = self.__dict__.setdefault("_scratch_arrays", {})
        if key not in buffers:
            buffers[key] = (np.empty_like(like), np.empty_like(like))
        return buffers[key]

    def _update(self, p: Any, grad: Any, group: dict[str, Any], state: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__}: use step()")

    # --- configuration and state --------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Keras's config: the name, the learning rate (or the schedule's config) and the
        common arguments; subclasses add their hyper-parameters."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = {"class_name": type(lr).__name__, "config": lr.get_config()}
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from neuralab.keras.optimizers import schedules

            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def state_dict(self) -> dict[str, Any]:
        """neuralab's optimizer state (per-variable slots) plus ``iterations``."""
        state = super().state_dict()
        state["iterations"] = self._iterations
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        iterations = state_dict.pop("iterations", 0)
        super().load_state_dict(state_dict)
        self._iterations = int(iterations)
        if not isinstance(self._learning_rate, LearningRateSchedule) and not callable(
            self._learning_rate
        ):
            self._learning_rate = float(self.param_groups[0]["lr"])
        self._write_lr()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate}>"


def _snake(name: str) -> str:
    """Keras's ``to_snake_case``: 'RMSprop' -> 'rm_sprop', 'AdamW' -> 'adam_w'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
