"""Keras 3's training API (``compile``, ``fit``, ``evaluate``, ``predict``, ``*_on_batch``)
on neuralab's one training loop, ``neuralab.train.fit`` / ``evaluate`` / ``predict``.

What Keras does, and where it happens here:

- loss = compiled loss(y, y_pred, sample_weight) * loss_weight + sum(model.losses)
  (the regularization penalties), as Keras's ``Trainer.compute_loss``: ``_total_loss``,
  the loss callable handed to ``neuralab.train.fit``.
- the epoch's 'loss' is the mean of the batch losses weighted by batch size (Keras's
  ``Mean`` loss tracker); metrics are streamed batch by batch (``_CompiledMetrics``, a
  metric object ``neuralab.train.fit`` updates); 'accuracy' becomes binary, sparse or
  categorical accuracy by the shapes of y and y_pred, as Keras's ``compile_utils``.
- data: NumPy floats are cast to float32 (integers kept); ``validation_split`` takes the
  LAST fraction of the rows, before any shuffling; ``class_weight`` becomes per-sample
  weights of the training rows (one-hot y by its argmax, (n, 1) y squeezed, rounded).
- callbacks: Keras's hooks (``neuralab.keras.callbacks``) are driven from the loop's hooks
  by ``_KerasCallbacks``, with Keras's logs (running means per batch, sorted names,
  'val_' names) and Keras's History and progress bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy

from neuralab import train as engine
from neuralab.keras import callbacks as callbacks_module
from neuralab.tensor import Tensor, no_grad


class _CompiledMetrics:
    """Keras's ``CompileMetrics``: the compiled metrics (no sample weights) and weighted
    metrics (with them), built on the first batch; ``result()`` is {name: value}, a second
    metric of the same name gets '_1', ... and a weighted one 'weighted_' first."""

    name = "compile_metrics"

    def __init__(self, metrics: Any, weighted_metrics: Any, loss: Any) -> None:
        for arg, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple)):
                raise NotImplementedError(
                    f"neuralab.keras: compile({arg}={value!r}) is not supported; pass a list "
                    "(per-output dicts and nested lists are for multi-output models)"
                )
        self._specs = (list(metrics or []), list(weighted_metrics or []))
        self.metrics: list[Any] = []
        self.weighted_metrics: list[Any] = []
        self.built = False

    def build(self, y_true: Tensor, y_pred: Tensor) -> None:
        self.metrics = [_get_metric(m, y_true, y_pred) for m in self._specs[0]]
        self.weighted_metrics = [_get_metric(m, y_true, y_pred) for m in self._specs[1]]
        self.built = True

    def update_state(self, y_true: Tensor, y_pred: Tensor, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        for m in self.metrics:
            m.update_state(y_true, y_pred)
        for m in self.weighted_metrics:
            m.update_state(y_true, y_pred, sample_weight=sample_weight)

    def reset_state(self) -> None:
        for m in self.metrics + self.weighted_metrics:
            m.reset_state()

    def result(self) -> dict[str, float]:
        results: dict[str, float] = {}
        seen: dict[str, int] = {}
        for m in self.metrics:
            name = m.name
            if name in seen:
                seen[name] += 1
                name = f"{name}_{seen[name] - 1}"
            else:
                seen[name] = 1
            results[name] = float(m.result())
        for m in self.weighted_metrics:
            name = m.name
            if name in seen:
                name = f"weighted_{m.name}"
                if name in seen:
                    seen[name] += 1
                    name = f"{name}_{seen[name] - 1}"
                else:
                    seen[name] = 1
            else:
                seen[name] = 1
            results[name] = float(m.result())
        return results


def _get_metric(identifier: Any, y_true: Tensor, y_pred: Tensor) -> Any:
    """Keras's ``compile_utils.get_metric``: 'accuracy'/'acc' chosen by the shapes (y_pred's
    last dimension 1 -> binary; y_true of lower rank or last dimension 1 -> sparse
    categorical; else categorical), named as given; a string keeps its name. Done by
    ``keras.metrics.compile_metric``."""
    from neuralab.keras import metrics as metrics_module

    return metrics_module.compile_metric(identifier, y_true, y_pred)


class _KerasCallbacks(engine.Callback):
    """Drives Keras callbacks from ``neuralab.train.fit``'s hooks, with Keras's arguments:
    epochs from ``initial_epoch``, batches from 0, running-mean batch logs, epoch logs
    without the engine's 'lr' and 'time', names sorted as Keras's ``pythonify_logs``."""

    def __init__(self, model: Any, callbacks: list[Any], initial_epoch: int) -> None:
        self.model, self.callbacks, self.initial_epoch = model, callbacks, initial_epoch
        self.epoch, self.logs = initial_epoch, {}
        self._sum = self._count = 0.0

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def _sync(self, trainer: engine.Trainer) -> None:
        if self.model.stop_training:
            trainer.stop_training = True

    def on_train_begin(self, trainer: engine.Trainer) -> None:
        self.model.stop_training = False
        self._call("on_train_begin", {})
        self._sync(trainer)

    def on_epoch_begin(self, trainer: engine.Trainer, epoch: int) -> None:
        self.epoch = self.initial_epoch + epoch - 1
        self._sum = self._count = 0.0
        self._call("on_epoch_begin", self.epoch, {})

    def on_batch_begin(self, trainer: engine.Trainer, batch: int) -> None:
        self._call("on_train_batch_begin", batch, {})

    def on_batch_end(self, trainer: engine.Trainer, batch: int, logs: dict) -> None:
        self._sum += logs["loss"] * logs["size"]
        self._count += logs["size"]
        running = {"loss": self._sum / self._count}
        if self.model._compile_metrics is not None:
            running.update(self.model._compile_metrics.result())
        self._call("on_train_batch_end", batch, _sorted(running))
        self._sync(trainer)

    def on_epoch_end(self, trainer: engine.Trainer, epoch: int, logs: dict) -> None:
        self.logs = _sorted({k: v for k, v in logs.items() if k not in ("lr", "time")})
        self._call("on_epoch_end", self.epoch, self.logs)
        self._sync(trainer)

    def on_train_end(self, trainer: engine.Trainer) -> None:
        self._call("on_train_end", dict(self.logs))


def _sorted(logs: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in sorted(logs.items())}


class Trainer:
    """The Keras training API, mixed into ``neuralab.keras.Model``."""

    compiled = False
    optimizer: Any = None
    loss: Any = None
    history: Any = None
    stop_training = False
    _compile_loss: Any = None
    _compile_metrics: _CompiledMetrics | None = None
    _loss_weight = 1.0

    # --- compile -----------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Sets the optimizer, the loss and the metrics for training.

        Args:
            optimizer: An optimizer, or its name ('adam', 'sgd', ...). Defaults to 'rmsprop'.
            loss: A loss name ('mse', 'sparse_categorical_crossentropy', 'crossentropy' chosen
                from the shapes, ...), a ``Loss`` or a function. Defaults to None (only the
                layers' regularization losses).
            loss_weights: One weight of the loss (single-output models). Defaults to None.
            metrics: Metric names ('accuracy', 'mae', ...) or ``Metric`` objects. Defaults to
                None.
            weighted_metrics: Metrics weighted by ``sample_weight``. Defaults to None.
            run_eagerly: Without effect (neuralab runs eagerly). Defaults to False.
            steps_per_execution: Only 1. Defaults to 1.
            jit_compile: Without effect. Defaults to 'auto'.
            auto_scale_loss: Without effect (float32). Defaults to True.

        Raises:
            ValueError: If the optimizer is not known.
            NotImplementedError: If ``steps_per_execution != 1``, or losses or loss weights are
                given per output.

        Examples:
            >>> import numpy as np
            >>> import neuralab as nl
            >>> from neuralab import keras
            >>> _ = nl.manual_seed(0)
            >>> x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
            >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            >>> type(model.optimizer).__name__, model.metrics_names
            ('SGD', ['loss', 'compile_metrics'])
        """
        from neuralab.keras import losses, optimizers

        if steps_per_execution != 1:
            raise NotImplementedError(
                f"neuralab.keras: compile(steps_per_execution={steps_per_execution}) is not "
                "supported (one batch per step, as Keras on PyTorch)"
            )
        weight = 1.0
        if loss_weights is not None:
            values = (
                list(loss_weights.values())
                if isinstance(loss_weights, dict)
                else list(loss_weights)
                if isinstance(loss_weights, (list, tuple))
                else [loss_weights]
            )
            if len(values) != 1:
                raise NotImplementedError(
                    f"neuralab.keras: compile(loss_weights={loss_weights!r}) with several "
                    "outputs is not supported (single-output models only)"
                )
            weight = float(values[0])
        if isinstance(loss, (list, tuple, dict)):
            raise NotImplementedError(
                f"neuralab.keras: compile(loss={loss!r}) as a list or dict (one loss per "
                "output) is not supported; pass one loss"
            )
        self.optimizer = optimizers.get(optimizer)
        if loss is not None:
            self._compile_loss = losses.compile_loss(loss)
            self.loss = loss
        self._loss_weight = weight
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = _CompiledMetrics(metrics, weighted_metrics, loss)
        self.run_eagerly, self.jit_compile = run_eagerly, jit_compile
        self.stop_training = False
        self.compiled = True

    @property
    def metrics_names(self) -> list[str]:
        """['loss'] and 'compile_metrics' once compiled with metrics, as Keras."""
        if not self.compiled:
            return []
        return ["loss"] + (["compile_metrics"] if self._compile_metrics is not None else [])

    def _compiled_metric_objects(self) -> list[Any]:
        m = self._compile_metrics
        return [] if m is None else m.metrics + m.weighted_metrics

    def _total_loss(self, y_pred: Tensor, y: Tensor, sample_weight: Any = None) -> Tensor:
        """Keras's ``compute_loss``: compiled loss (times its weight) + regularization."""
        terms = []
        if self._compile_loss is not None:
            value = self._compile_loss(y, y_pred, sample_weight=sample_weight)
            terms.append(value if self._loss_weight == 1.0 else value * self._loss_weight)
        terms += [penalty.sum() for penalty in self.losses]
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def _assert_compiled(self) -> None:
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    def _build_on(self, x: numpy.ndarray) -> None:
        """Build the model (a forward pass on one row, eval mode, no graph) and the
        optimizer over the trainable weights, as Keras's ``_symbolic_build``."""
        if not getattr(self, "built", True) and len(x):
            was = self.training
            self.eval()
            with no_grad():
                self(Tensor._from_array(x[:1]))
            self.train(was)
        opt = self.optimizer
        if opt is not None and not getattr(opt, "built", True):
            opt.build(self.trainable_weights)

    # --- fit ---------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Sequence[Any] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int | Sequence[int] = 1,
    ) -> Any:
        """Trains the model for ``epochs - initial_epoch`` epochs; returns the ``History``.

        Args:
            x: The inputs (an array).
            y: The targets. Defaults to None.
            batch_size: The mini-batch size. Defaults to None (32).
            epochs: The index of the last epoch. Defaults to 1.
            verbose: 'auto' or 1 (a progress bar), 2 (one line per epoch) or 0 (silent).
                Defaults to 'auto'.
            callbacks: Keras callbacks. Defaults to None.
            validation_split: The fraction of the data (its last rows, before shuffling) held out
                for validation, in [0, 1). Defaults to 0.0.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``. Defaults to
                None.
            shuffle: Whether to shuffle the rows each epoch. Defaults to True.
            class_weight: ``{class: weight}`` turned into sample weights. Defaults to None.
            sample_weight: One weight per row. Defaults to None.
            initial_epoch: The epoch to start at (to resume). Defaults to 0.
            steps_per_epoch: Only None or the number of batches per epoch (every batch).
                Defaults to None.
            validation_steps: Only None or the number of validation batches. Defaults to None.
            validation_batch_size: The validation mini-batch size. Defaults to None
                (``batch_size``).
            validation_freq: Validate every n epochs (an int) or at these epochs (a list).
                Defaults to 1.

        Returns:
            The ``History`` callback (``history.history['loss']``, ...).

        Raises:
            ValueError: If the model is not compiled, an argument is out of range, the data hold
                NaN or Inf, or both ``class_weight`` and ``sample_weight`` are given.
            NotImplementedError: If ``shuffle='batch'``, or a number of steps other than the number
                of batches is asked for.

        Examples:
            >>> import numpy as np
            >>> import neuralab as nl
            >>> from neuralab import keras
            >>> _ = nl.manual_seed(0)
            >>> x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
            >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
            >>> history = model.fit(x, 2 * x, epochs=3, batch_size=8, validation_split=0.25,
            ...                     verbose=0)
            >>> history.epoch, sorted(history.history)
            ([0, 1, 2], ['loss', 'val_loss'])
        """
        from neuralab.data import DataLoader

        self._assert_compiled()
        _check_positive_int("batch_size", batch_size, allow_none=True)
        _check_positive_int("epochs", epochs, allow_zero=True)
        if not 0 <= validation_split < 1:
            raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
        if shuffle == "batch":
            raise NotImplementedError("neuralab.keras: fit(shuffle='batch') is not supported")
        x, y, sample_weight = (
            _array(a, n) for a, n in ((x, "x"), (y, "y"), (sample_weight, "sample_weight"))
        )
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = _train_validation_split(
                (x, y, sample_weight), validation_split
            )
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            sample_weight = _class_weight_to_sample_weights(y, class_weight)
        batch_size = batch_size or 32
        train = DataLoader(
            _dataset(x, y, sample_weight), batch_size=batch_size, shuffle=bool(shuffle)
        )
        _check_steps("steps_per_epoch", steps_per_epoch, len(train))
        validation = None
        if validation_data is not None:
            vx, vy, vw = _unpack(validation_data)
            vbs = validation_batch_size or batch_size
            validation = DataLoader(_dataset(vx, vy, vw), batch_size=vbs)
            _check_steps("validation_steps", validation_steps, len(validation))
        self._build_on(x)

        callbacks = list(callbacks or [])
        if not any(isinstance(cb, callbacks_module.History) for cb in callbacks):
            callbacks.append(callbacks_module.History())
        if verbose != 0 and not any(
            isinstance(cb, callbacks_module.ProgbarLogger) for cb in callbacks
        ):
            callbacks.append(callbacks_module.ProgbarLogger())
        params = {"verbose": verbose, "epochs": epochs, "steps": len(train)}
        for cb in callbacks:
            cb.set_model(self)
            cb.set_params(params)
            if isinstance(cb, callbacks_module.History):
                self.history = cb
        if isinstance(validation_freq, int):
            freq = [
                e - initial_epoch
                for e in range(initial_epoch + 1, epochs + 1)
                if e % validation_freq == 0
            ]
        else:
            freq = [e - initial_epoch for e in validation_freq]
        metrics = [] if self._compile_metrics is None else [self._compile_metrics]
        engine.fit(
            self,
            self._total_loss,
            self.optimizer,
            train,
            max(epochs - initial_epoch, 0),
            validation=validation,
            callbacks=[_KerasCallbacks(self, callbacks, initial_epoch)],
            metrics=metrics,
            batch_size=batch_size,
            progress=False,
            validation_freq=freq,
            # a NaN/Inf loss stops training with the step and a hint (neuralab's rule), unless
            # TerminateOnNaN is there to stop it the Keras way
            check_finite=not any(
                isinstance(cb, callbacks_module.TerminateOnNaN) for cb in callbacks
            ),
        )
        return self.history

    # --- evaluate / predict ------------------------------------------------------------
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """The loss and metrics over ``(x, y)``, in inference mode.

        Args:
            x: The inputs. Defaults to None.
            y: The targets. Defaults to None.
            batch_size: The mini-batch size. Defaults to None (32).
            verbose: 0 for silence, else a progress bar. Defaults to 'auto'.
            sample_weight: One weight per row. Defaults to None.
            steps: Only None or the number of batches. Defaults to None.
            callbacks: Keras callbacks. Defaults to None.
            return_dict: Whether to return ``{name: value}``. Defaults to False.

        Returns:
            The loss (a float) when there are no metrics, else a list ('loss', then the metrics
            in compile order), or a dict with ``return_dict``.

        Raises:
            ValueError: If the model is not compiled.

        Examples:
            >>> import numpy as np
            >>> import neuralab as nl
            >>> from neuralab import keras
            >>> _ = nl.manual_seed(0)
            >>> x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
            >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            >>> sorted(model.evaluate(x, 2 * x, verbose=0, return_dict=True))
            ['loss', 'mae']
        """
        from neuralab.data import DataLoader

        self._assert_compiled()
        if callbacks:
            raise NotImplementedError("neuralab.keras: evaluate(callbacks=...) is not supported")
        x, y, sample_weight = (
            _array(a, n) for a, n in ((x, "x"), (y, "y"), (sample_weight, "sample_weight"))
        )
        loader = DataLoader(_dataset(x, y, sample_weight), batch_size=batch_size or 32)
        _check_steps("steps", steps, len(loader))
        self._build_on(x)
        metrics = [] if self._compile_metrics is None else [self._compile_metrics]
        logs = _sorted(engine.evaluate(self, self._total_loss, loader, metrics))
        if verbose != 0:
            bar = callbacks_module.Progbar(len(loader), verbose=1 if verbose == "auto" else verbose)
            bar.update(len(loader), list(logs.items()), finalize=True)
        return logs if return_dict else self._flatten_in_order(logs)

    def _flatten_in_order(self, logs: dict[str, float]) -> Any:
        """Keras's order: 'loss', the compiled metrics as compiled, then the rest sorted."""
        names = ["loss"] + [m.name for m in self._compiled_metric_objects()]
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps=None,
        callbacks=None,
    ) -> numpy.ndarray:
        """The outputs for every row of ``x``, in inference mode, as a NumPy array.

        Args:
            x: The inputs.
            batch_size: The mini-batch size. Defaults to None (32).
            verbose: 0 for silence, else a progress bar. Defaults to 'auto'.
            steps (int | None): Only None or the number of batches. Defaults to None.
            callbacks (None): Only None. Defaults to None.

        Returns:
            The outputs, one row per input row.

        Raises:
            NotImplementedError: If ``callbacks`` are given, or ``steps`` is not the number of
                batches.

        Examples:
            >>> import numpy as np
            >>> import neuralab as nl
            >>> from neuralab import keras
            >>> _ = nl.manual_seed(0)
            >>> x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)
            >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            >>> model.predict(x, verbose=0).shape
            (32, 1)
        """
        from neuralab.data import DataLoader, TensorDataset

        if callbacks:
            raise NotImplementedError("neuralab.keras: predict(callbacks=...) is not supported")
        x = _array(x, "x")
        loader = DataLoader(TensorDataset(Tensor._from_array(x)), batch_size=batch_size or 32)
        _check_steps("steps", steps, len(loader))
        out = engine.predict(self, loader).numpy()
        if verbose != 0:
            bar = callbacks_module.Progbar(len(loader), verbose=1 if verbose == "auto" else verbose)
            bar.update(len(loader), finalize=True)
        return out

    # --- one batch ---------------------------------------------------------------------
    def train_on_batch(
        self, x: Any, y: Any = None, sample_weight=None, class_weight=None, return_dict=False
    ) -> Any:
        """One optimizer step on this batch; the loss and metrics of the batch."""
        self._assert_compiled()
        x, y, sample_weight = (
            _array(a, n) for a, n in ((x, "x"), (y, "y"), (sample_weight, "sample_weight"))
        )
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "Arguments `sample_weight` and `class_weight` cannot be specified at the "
                    "same time."
                )
            sample_weight = _class_weight_to_sample_weights(y, class_weight)
        self._build_on(x)
        metrics = [] if self._compile_metrics is None else [self._compile_metrics]
        history = engine.fit(
            self,
            self._total_loss,
            self.optimizer,
            _dataset(x, y, sample_weight),
            1,
            metrics=metrics,
            batch_size=len(x),
            shuffle=False,
            progress=False,
            check_finite=False,
        )
        logs = _sorted({k: v[-1] for k, v in history.epochs.items() if k not in ("lr", "time")})
        return logs if return_dict else self._flatten_in_order(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight=None, return_dict=False) -> Any:
        """The loss and metrics of this batch in inference mode."""
        return self.evaluate(
            x, y, batch_size=len(x), verbose=0, sample_weight=sample_weight, return_dict=return_dict
        )

    def predict_on_batch(self, x: Any) -> numpy.ndarray:
        """The outputs for this batch, in inference mode."""
        return self.predict(x, batch_size=len(x), verbose=0)


# --- data ------------------------------------------------------------------------------
def _check_positive_int(
    name: str, value: Any, allow_none: bool = False, allow_zero: bool = False
) -> None:
    if value is None and allow_none:
        return
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < low:
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"fit: {name} must be {kind} integer, got {value!r}")


def _array(data: Any, name: str) -> numpy.ndarray | None:
    """NumPy data as Keras's adapters take it: floats cast to float32, integers kept."""
    if data is None:
        return None
    if isinstance(data, Tensor):
        data = data.numpy()
    if isinstance(data, dict) or (
        isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape")
    ):
        raise NotImplementedError(
            f"neuralab.keras: {name} as a list or dict of arrays (several inputs or outputs) "
            "is not supported; pass one array"
        )
    array = numpy.asarray(data)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"neuralab.keras: {name} must be numeric, got dtype {array.dtype}")
    if array.dtype.kind == "f" and array.dtype != numpy.float32:
        array = array.astype(numpy.float32)
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        row = int(numpy.argwhere(~numpy.isfinite(array.reshape(len(array), -1)))[0][0])
        raise ValueError(
            f"neuralab.keras: {name} holds NaN or Inf (first at row {row}); clean the data "
            "first (Keras would train on it and give NaN losses)"
        )
    return array


def _unpack(data: Any) -> tuple[Any, Any, Any]:
    if isinstance(data, (list, tuple)) and len(data) in (2, 3):
        x, y, w = (*data, None)[:3]
        return _array(x, "validation x"), _array(y, "validation y"), _array(w, "validation weights")
    raise NotImplementedError(
        "neuralab.keras: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
        f"val_sample_weight) of arrays, got {type(data).__name__}"
    )


def _dataset(x: Any, y: Any, w: Any) -> Any:
    from neuralab.data import TensorDataset

    if x is None or y is None:
        raise NotImplementedError("neuralab.keras: training or evaluating needs both x and y")
    if len(x) != len(y) or (w is not None and len(w) != len(x)):
        raise ValueError(
            "Data cardinality is ambiguous: x, y"
            + (" and sample_weight" if w is not None else "")
            + f" have {len(x)}, {len(y)}"
            + (f", {len(w)}" if w is not None else "")
            + " samples; make sure all arrays contain the same number of samples."
        )
    arrays = [a for a in (x, y, w) if a is not None]
    return TensorDataset(*(Tensor._from_array(a) for a in arrays))


def _train_validation_split(arrays: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """Keras's ``train_validation_split``: the last ``validation_split`` of the rows,
    ``split_at = floor(n * (1 - validation_split))``, before any shuffling."""
    n = len(next(a for a in arrays if a is not None))
    split_at = math.floor(n * (1.0 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`. "
            "Either provide more data, or a different value for the `validation_split` argument."
        )
    train = tuple(None if a is None else a[:split_at] for a in arrays)
    val = tuple(None if a is None else a[split_at:] for a in arrays)
    return train, val


def _class_weight_to_sample_weights(y: numpy.ndarray, class_weight: dict) -> numpy.ndarray:
    """Keras's rule: each row weighs ``class_weight.get(class, 1.0)``, the class being
    argmax of one-hot rows, or the (rounded) label of (n,) or (n, 1) targets."""
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels.squeeze(-1)
    labels = numpy.round(labels).astype(numpy.int32)
    return numpy.array([class_weight.get(int(c), 1.0) for c in labels], dtype=numpy.float32)


def _check_steps(name: str, steps: int | None, batches: int) -> None:
    if steps is not None and steps != batches:
        raise NotImplementedError(
            f"neuralab.keras: {name}={steps} other than the number of batches ({batches}) "
            "is not supported"
        )
