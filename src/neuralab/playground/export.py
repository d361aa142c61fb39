"""The playground's "download script": a plain neuralab program that builds the same data,
network and optimizer as a configuration and trains it, printing the losses as the page
shows them.

    text = script(parse_config({"dataset": "xor"}), epochs=100)
    Path("xor.py").write_text(text)          # python xor.py
"""

from __future__ import annotations

from neuralab.playground.images import is_image
from neuralab.playground.model import Config, optimizer_options
from neuralab.playground.regression import is_regression

__all__ = ["script", "torch_script"]

_INIT = {
    "xavier": "nn.init.xavier_uniform_(layer.weight, generator=rng)",
    "he": 'nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=rng)',
    "normal": "nn.init.normal_(layer.weight, 0.0, 0.1, generator=rng)",
}

_TEMPLATE = '''"""A neuralab playground network, exported: {dataset} data, hidden layers {hidden},
{activation}, {optimizer_label} (lr {lr}), batch size {batch_size}, seed {seed}."""

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab import nn, registry
from neuralab.models import MLP
from neuralab.playground.data import features, train_test_split
from {data_module} import make_dataset

EPOCHS = {epochs}
FEATURES = {features}

x, y = make_dataset({dataset!r}, size={size}, noise={noise!r}, seed={seed})
(x_train, y_train), (x_test, y_test) = train_test_split(x, y, {test_fraction!r}, seed={seed})
inputs_train, targets_train = nl.tensor(features(x_train, FEATURES)), nl.tensor(y_train{column})
inputs_test, targets_test = nl.tensor(features(x_test, FEATURES)), nl.tensor(y_test{column})
loss_fn = F.{loss}

model = MLP(len(FEATURES), {hidden}, {outputs}, activation={activation!r}, batch_norm={batch_norm},
            dropout={dropout!r})
rng = numpy.random.default_rng({seed})
for layer in model:
    if isinstance(layer, nn.Linear):
        {init}
        nn.init.zeros_(layer.bias)
optimizer = registry.make_optimizer({opt_name!r}, model.parameters(), lr={lr!r}{opt_options})
scheduler = {scheduler}


def penalty():
    """L1 and L2 on the weights: {l1!r} sum |w| + {l2!r} sum w^2."""
    total = nl.tensor(0.0)
    for layer in model:
        if isinstance(layer, nn.Linear):
            total = total + {l1!r} * layer.weight.abs().sum() + {l2!r} * (layer.weight**2).sum()
    return total


def evaluate(inputs, targets):
    with nl.no_grad():
        logits = model(inputs)
        accuracy = {accuracy}
        return loss_fn(logits, targets).item(), accuracy


batch = {batch_size}
rng_batches = numpy.random.default_rng({seed})
nl.manual_seed({seed})  # dropout's masks
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = rng_batches.permutation(len(y_train))
    for start in range(0, len(y_train), batch):
        index = nl.tensor(order[start : start + batch])
        if {batch_norm} and len(index) == 1:
            continue  # batch norm needs two points
        loss = loss_fn(model(inputs_train[index]), targets_train[index]){penalty}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if scheduler is not None:
        scheduler.step()
    if epoch % max(1, EPOCHS // 10) == 0 or epoch == EPOCHS:
        model.eval()
        train_loss, _ = evaluate(inputs_train, targets_train)
        test_loss, test_accuracy = evaluate(inputs_test, targets_test)
        print(f"epoch {{epoch}}  train loss {{train_loss:.4f}}"
              f"  test loss {{test_loss:.4f}}"{report})
'''


TORCH_MLP_LAYERS = """layers = []
for i in range(len(SIZES) - 1):
    layers.append(torch.nn.Linear(SIZES[i], SIZES[i + 1]))
    if i < len(SIZES) - 2:
        if {batch_norm}:
            layers.append(torch.nn.BatchNorm1d(SIZES[i + 1]))
        layers.append({torch_activation})
        if {dropout!r}:
            layers.append(torch.nn.Dropout({dropout!r}))
model = torch.nn.Sequential(*layers)
"""
"""PyTorch's MLP of the exported scripts (format fields batch_norm, torch_activation,
dropout; SIZES defined before it)."""

_TORCH_TEMPLATE = (
    '''"""A neuralab playground network, exported for PyTorch: {dataset} data,
hidden layers {hidden}, {activation}, {optimizer_label} (lr {lr}), batch size {batch_size},
seed {seed}.

The data come from neuralab.playground.data (NumPy only); the initial weights are drawn
as neuralab draws them (the same NumPy stream), so PyTorch follows the playground's run."""

import math

import numpy
import torch

from neuralab.playground.data import features, train_test_split
from {data_module} import make_dataset

EPOCHS = {epochs}
FEATURES = {features}
SIZES = [len(FEATURES), *{hidden}, {outputs}]

x, y = make_dataset({dataset!r}, size={size}, noise={noise!r}, seed={seed})
(x_train, y_train), (x_test, y_test) = train_test_split(x, y, {test_fraction!r}, seed={seed})
inputs_train = torch.from_numpy(features(x_train, FEATURES))
targets_train = torch.from_numpy(y_train{column})
inputs_test = torch.from_numpy(features(x_test, FEATURES))
targets_test = torch.from_numpy(y_test{column})

'''
    + TORCH_MLP_LAYERS
    + '''rng = numpy.random.default_rng({seed})
with torch.no_grad():
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            fan_out, fan_in = layer.weight.shape
            uniform = lambda bound: rng.uniform(-bound, bound, (fan_out, fan_in))  # noqa: E731
            w = {torch_init}
            layer.weight.copy_(torch.from_numpy(w.astype(numpy.float32)))
            layer.bias.zero_()
optimizer = torch.optim.{torch_optimizer}(model.parameters(), lr={lr!r}{opt_options})
scheduler = {torch_scheduler}
loss_fn = torch.nn.{torch_loss}()


def penalty():
    """L1 and L2 on the weights: {l1!r} sum |w| + {l2!r} sum w^2."""
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    return sum({l1!r} * w.abs().sum() + {l2!r} * (w**2).sum() for w in weights)


def evaluate(inputs, targets):
    with torch.no_grad():
        logits = model(inputs)
        accuracy = {torch_accuracy}
        return loss_fn(logits, targets).item(), accuracy


batch = {batch_size}
rng_batches = numpy.random.default_rng({seed})
torch.manual_seed({seed})  # dropout's masks (PyTorch's own: not the playground's)
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = torch.from_numpy(rng_batches.permutation(len(y_train)))
    for start in range(0, len(y_train), batch):
        index = order[start : start + batch]
        if {batch_norm} and len(index) == 1:
            continue  # batch norm needs two points
        loss = loss_fn(model(inputs_train[index]), targets_train[index]){penalty}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if scheduler is not None:
        scheduler.step()
    if epoch % max(1, EPOCHS // 10) == 0 or epoch == EPOCHS:
        model.eval()
        train_loss, _ = evaluate(inputs_train, targets_train)
        test_loss, test_accuracy = evaluate(inputs_test, targets_test)
        print(f"epoch {{epoch}}  train loss {{train_loss:.4f}}"
              f"  test loss {{test_loss:.4f}}"{report})
'''
)

_TORCH_ACTIVATIONS = {
    "relu": "torch.nn.ReLU()",
    "leaky_relu": "torch.nn.LeakyReLU(0.2)",
    "sigmoid": "torch.nn.Sigmoid()",
    "tanh": "torch.nn.Tanh()",
    "elu": "torch.nn.ELU()",
    "gelu": "torch.nn.GELU()",
    "identity": "torch.nn.Identity()",
}
# neuralab.nn.init's draws, written out: xavier_uniform_, kaiming_uniform_ (ReLU gain), normal_
_TORCH_INIT = {
    "xavier": "uniform(math.sqrt(3.0) * math.sqrt(2.0 / float(fan_in + fan_out)))",
    "he": "uniform(math.sqrt(3.0) * math.sqrt(2.0) / math.sqrt(fan_in))",
    "normal": "rng.normal(0.0, 0.1, (fan_out, fan_in))",
}
_ACCURACY = "float((logits.numpy().argmax(1) == targets.numpy()).mean())"
_TORCH_ACCURACY = "(logits.argmax(1) == targets).float().mean().item()"
_REPORT = '\n              f"  test accuracy {test_accuracy:.3f}"'


def _task(config: Config) -> dict[str, str]:
    """The template's fields that differ between classification and regression."""
    if is_regression(config.dataset):
        return {
            "data_module": "neuralab.playground.regression",
            "column": "[:, None]",
            "outputs": "1",
            "loss": "mse_loss",
            "torch_loss": "MSELoss",
            "accuracy": "None  # regression",
            "torch_accuracy": "None  # regression",
            "report": "",
        }
    return {
        "data_module": "neuralab.playground.data",
        "column": "",
        "outputs": "2",
        "loss": "cross_entropy",
        "torch_loss": "CrossEntropyLoss",
        "accuracy": _ACCURACY,
        "torch_accuracy": _TORCH_ACCURACY,
        "report": _REPORT,
    }


_TORCH_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


def torch_script(config: Config, epochs: int = 100) -> str:
    """The PyTorch program that trains ``config``'s network for ``epochs`` epochs: the same
    data, the same initial weights (drawn from the same NumPy stream as neuralab draws
    them), optimizer, schedule, penalty and batch order as the playground's ``Session``,
    so it follows the same run up to floating-point rounding (with dropout, PyTorch draws
    its own masks: a similar run, not the same). An image data set's program is
    ``image_export.image_torch_script``'s.

    Args:
        config: The configuration.
        epochs: Epochs the script trains. Defaults to 100.

    Returns:
        The program's source (it needs PyTorch, and neuralab for the data); it prints the
        losses ten times as it trains.

    Examples:
        >>> from neuralab.playground.export import torch_script
        >>> from neuralab.playground.model import Config
        >>> text = torch_script(Config(optimizer="adam"), epochs=5)
        >>> compile(text, "exported.py", "exec") and "torch.optim.Adam(" in text
        True
    """
    if is_image(config.dataset):
        from neuralab.playground.image_export import image_torch_script

        return image_torch_script(config, epochs)
    name, options = optimizer_options(config)
    schedule = _torch_scheduler(config)
    return _TORCH_TEMPLATE.format(
        epochs=epochs,
        features=list(config.features),
        dataset=config.dataset,
        size=config.size,
        noise=config.noise,
        seed=config.seed,
        test_fraction=config.test_fraction,
        hidden=list(config.hidden),
        activation=config.activation,
        optimizer_label=config.optimizer,
        torch_activation=_TORCH_ACTIVATIONS[config.activation],
        torch_init=_TORCH_INIT[config.init],
        torch_optimizer=_TORCH_OPTIMIZERS[name],
        opt_options="".join(f", {k}={v!r}" for k, v in options.items()),
        torch_scheduler=schedule,
        lr=config.lr,
        batch_size=config.batch_size,
        l1=config.l1,
        l2=config.l2,
        penalty=" + penalty()" if config.l1 or config.l2 else "",
        batch_norm=config.batch_norm,
        dropout=config.dropout,
        **_task(config),
    )


def _torch_scheduler(config: Config) -> str:
    """The PyTorch scheduler of ``config`` as source code ("None" for constant)."""
    if config.schedule == "step":
        return f"torch.optim.lr_scheduler.StepLR(optimizer, {config.step_size}, {config.gamma!r})"
    if config.schedule == "exponential":
        return f"torch.optim.lr_scheduler.ExponentialLR(optimizer, {config.gamma!r})"
    if config.schedule == "cosine":
        return f"torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, {config.step_size})"
    if config.schedule == "warmup":
        return (
            f"torch.optim.lr_scheduler.LinearLR(optimizer, start_factor={config.gamma!r}, "
            f"total_iters={config.step_size})"
        )
    return "None"


def _scheduler(config: Config) -> str:
    if config.schedule == "constant":
        return "None"
    if config.schedule == "warmup":
        return (
            f"nl.optim.lr_scheduler.LinearLR(optimizer, start_factor={config.gamma!r}, "
            f"total_iters={config.step_size})"
        )
    if config.schedule == "cosine":
        return (
            f"registry.make_scheduler('cosine', optimizer, epochs={config.step_size}, "
            "steps_per_epoch=1)"
        )
    options = f"gamma={config.gamma!r}"
    if config.schedule == "step":
        options = f"step_size={config.step_size}, " + options
    return (
        f"registry.make_scheduler({config.schedule!r}, optimizer, epochs=EPOCHS, "
        f"steps_per_epoch=1, {options})"
    )


def script(config: Config, epochs: int = 100) -> str:
    """The Python program that trains ``config``'s network for ``epochs`` epochs with
    neuralab: the same data (``neuralab.playground.data``), initialization, optimizer,
    penalty and batch order as the playground's ``Session``, so it reaches the same losses.
    An image data set's program is ``image_export.image_script``'s.

    Args:
        config: The configuration.
        epochs: Epochs the script trains. Defaults to 100.

    Returns:
        The program's source; it prints the losses ten times as it trains.

    Examples:
        >>> from neuralab.playground.export import script
        >>> from neuralab.playground.model import Config
        >>> text = script(Config(dataset="xor"), epochs=5)
        >>> compile(text, "exported.py", "exec") and "make_dataset('xor'" in text
        True
    """
    if is_image(config.dataset):
        from neuralab.playground.image_export import image_script

        return image_script(config, epochs)
    name, options = optimizer_options(config)
    opt_options = "".join(f", {k}={v!r}" for k, v in options.items())
    text = _TEMPLATE.format(
        epochs=epochs,
        features=list(config.features),
        dataset=config.dataset,
        size=config.size,
        noise=config.noise,
        seed=config.seed,
        test_fraction=config.test_fraction,
        hidden=list(config.hidden),
        activation=config.activation,
        init=_INIT[config.init],
        opt_name=name,
        optimizer_label=config.optimizer,
        opt_options=opt_options,
        lr=config.lr,
        batch_size=config.batch_size,
        l1=config.l1,
        l2=config.l2,
        penalty=" + penalty()" if config.l1 or config.l2 else "",
        scheduler=_scheduler(config),
        batch_norm=config.batch_norm,
        dropout=config.dropout,
        **_task(config),
    )
    return text
