"""The playground's "download script" for an image network (MNIST, Fashion-MNIST): a plain
neuralab or PyTorch program that draws the same image subset, builds the same MLP or
LeNet-5 with the same initial weights, and trains it with the same batches, printing the
losses and the test accuracy as it goes (``export.script`` and ``export.torch_script``
call these for an image data set).

    text = image_script(parse_config({"dataset": "mnist"}), epochs=5)
    Path("mnist.py").write_text(text)          # NEURALAB_DATA=... python mnist.py
"""

from __future__ import annotations

from neuralab.playground.export import TORCH_MLP_LAYERS
from neuralab.playground.images import image_shape
from neuralab.playground.model import Config, optimizer_options

__all__ = ["image_script", "image_torch_script"]

_DATA = """
EPOCHS = {epochs}
SHAPE = {shape}  # one image as the network reads it

# {train_size} training and {test_size} test images drawn by the seed, pixels / 255; the files
# are read from $NEURALAB_DATA (the folder holding {dataset}/), never downloaded
train, test = load_images({dataset!r}, {train_size}, {test_size}, seed={seed})
(x_train, y_train), (x_test, y_test) = train, test
"""

_LOOP = """
batch = {batch_size}
rng_batches = numpy.random.default_rng({seed})
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = {order}
    for start in range(0, len(y_train), batch):
        index = order[start : start + batch]
        if {batch_norm} and len(index) == 1:
            continue  # batch norm needs two images
        loss = {loss}(model(inputs_train[index]), targets_train[index]){penalty}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if scheduler is not None:
        scheduler.step()
    model.eval()
    train_loss, _ = evaluate(inputs_train[:1000], targets_train[:1000])
    test_loss, test_accuracy = evaluate(inputs_test, targets_test)
    print(f"epoch {{epoch}}  train loss {{train_loss:.4f}}  test loss {{test_loss:.4f}}  "
          f"test accuracy {{test_accuracy:.3f}}")
"""

_TEMPLATE = (
    '''"""A neuralab playground network, exported: {dataset}, {network}, {activation},
{optimizer_label} (lr {lr}), batch size {batch_size}, seed {seed}."""

import numpy

import neuralab as nl
import neuralab.functional as F
from neuralab import nn, registry
from neuralab.models import LeNet5, MLP
from neuralab.playground.images import load_images
'''
    + _DATA
    + """inputs_train = nl.tensor(x_train.reshape(-1, *SHAPE))
inputs_test = nl.tensor(x_test.reshape(-1, *SHAPE))
targets_train, targets_test = nl.tensor(y_train), nl.tensor(y_test)

model = {model}
rng = numpy.random.default_rng({seed})
for layer in model:
    if isinstance(layer, (nn.Linear, nn.Conv2d)):
        {init}
        nn.init.zeros_(layer.bias)
optimizer = registry.make_optimizer({opt_name!r}, model.parameters(), lr={lr!r}{opt_options})
scheduler = {scheduler}


def penalty():
    \"\"\"L1 and L2 on the weights: {l1!r} sum |w| + {l2!r} sum w^2.\"\"\"
    total = nl.tensor(0.0)
    for layer in model:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            total = total + {l1!r} * layer.weight.abs().sum() + {l2!r} * (layer.weight**2).sum()
    return total


def evaluate(inputs, targets):
    with nl.no_grad():
        logits = nl.cat([model(inputs[i : i + 500]) for i in range(0, len(inputs), 500)])
        accuracy = float((logits.numpy().argmax(1) == targets.numpy()).mean())
        return F.cross_entropy(logits, targets).item(), accuracy


nl.manual_seed({seed})  # dropout's masks
"""
    + _LOOP
)

_TORCH_TEMPLATE = (
    '''"""A neuralab playground network, exported for PyTorch: {dataset}, {network},
{activation}, {optimizer_label} (lr {lr}), batch size {batch_size}, seed {seed}.

The images come from neuralab.playground.images (NumPy only); the initial weights are
drawn as neuralab draws them (the same NumPy stream), so PyTorch follows the playground's
run."""

import math

import numpy
import torch

from neuralab.playground.images import load_images
'''
    + _DATA
    + """inputs_train = torch.from_numpy(x_train.reshape(-1, *SHAPE))
inputs_test = torch.from_numpy(x_test.reshape(-1, *SHAPE))
targets_train, targets_test = torch.from_numpy(y_train), torch.from_numpy(y_test)

{torch_model}
rng = numpy.random.default_rng({seed})
with torch.no_grad():
    for layer in model:
        if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
            fan_in, fan_out = layer.weight[0].numel(), layer.weight[:, 0].numel()
            uniform = lambda bound: rng.uniform(-bound, bound, layer.weight.shape)  # noqa: E731
            w = {torch_init}
            layer.weight.copy_(torch.from_numpy(w.astype(numpy.float32)))
            layer.bias.zero_()
optimizer = torch.optim.{torch_optimizer}(model.parameters(), lr={lr!r}{opt_options})
scheduler = {torch_scheduler}
loss_fn = torch.nn.CrossEntropyLoss()


def penalty():
    \"\"\"L1 and L2 on the weights: {l1!r} sum |w| + {l2!r} sum w^2.\"\"\"
    kinds = (torch.nn.Linear, torch.nn.Conv2d)
    weights = [m.weight for m in model if isinstance(m, kinds)]
    return sum({l1!r} * w.abs().sum() + {l2!r} * (w**2).sum() for w in weights)


def evaluate(inputs, targets):
    with torch.no_grad():
        logits = model(inputs)
        accuracy = (logits.argmax(1) == targets).float().mean().item()
        return loss_fn(logits, targets).item(), accuracy


torch.manual_seed({seed})  # dropout's masks (PyTorch's own: not the playground's)
"""
    + _LOOP
)

_TORCH_MLP = "SIZES = [784, *{hidden}, 10]\n" + TORCH_MLP_LAYERS.rstrip("\n")

_TORCH_LENET = """model = torch.nn.Sequential(  # LeNet-5 as neuralab.models.LeNet5
    torch.nn.Conv2d(1, 6, 5, padding=2), {torch_activation}, torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(6, 16, 5), {torch_activation}, torch.nn.MaxPool2d(2),
    torch.nn.Flatten(),
    torch.nn.Linear(16 * 5 * 5, 120), {torch_activation},
    torch.nn.Linear(120, 84), {torch_activation},
    torch.nn.Linear(84, 10),
)"""


def _fields(config: Config, epochs: int) -> dict:
    """The template fields both scripts share."""
    name, options = optimizer_options(config)
    lenet = config.architecture == "lenet5"
    return {
        "epochs": epochs,
        "shape": image_shape(config.architecture),
        "dataset": config.dataset,
        "train_size": config.train_size,
        "test_size": config.test_size,
        "seed": config.seed,
        "network": "LeNet-5" if lenet else f"MLP with hidden layers {list(config.hidden)}",
        "hidden": list(config.hidden),
        "activation": config.activation,
        "optimizer_label": config.optimizer,
        "opt_name": name,
        "opt_options": "".join(f", {k}={v!r}" for k, v in options.items()),
        "lr": config.lr,
        "batch_size": config.batch_size,
        "l1": config.l1,
        "l2": config.l2,
        "penalty": " + penalty()" if config.l1 or config.l2 else "",
        "batch_norm": config.batch_norm,
        "dropout": config.dropout,
    }


def image_script(config: Config, epochs: int = 10) -> str:
    """The neuralab program that trains ``config``'s image network for ``epochs`` epochs:
    the same image subset (``images.load_images``), network, initialization, optimizer,
    schedule, penalty and batch order as the playground's ``ImageSession``.

    Args:
        config: The configuration (an image data set).
        epochs: Epochs the script trains. Defaults to 10.

    Returns:
        The program's source; it prints the losses and the test accuracy every epoch
        (the training loss on the first 1,000 training images).

    Examples:
        >>> from neuralab.playground.image_export import image_script
        >>> from neuralab.playground.model import parse_config
        >>> text = image_script(parse_config({"dataset": "mnist", "architecture": "lenet5"}))
        >>> compile(text, "exported.py", "exec") and "model = LeNet5(10, 1" in text
        True
    """
    from neuralab.playground.export import _INIT, _scheduler

    fields = _fields(config, epochs)
    if config.architecture == "lenet5":
        model = f"LeNet5(10, 1, activation={config.activation!r})"
    else:
        model = (
            f"MLP(784, {list(config.hidden)}, 10, activation={config.activation!r}, "
            f"batch_norm={config.batch_norm}, dropout={config.dropout!r})"
        )
    return _TEMPLATE.format(
        **fields,
        model=model,
        init=_INIT[config.init],
        scheduler=_scheduler(config),
        order="nl.tensor(rng_batches.permutation(len(y_train)))",
        loss="F.cross_entropy",
    )


def image_torch_script(config: Config, epochs: int = 10) -> str:
    """The PyTorch program that trains ``config``'s image network for ``epochs`` epochs:
    the same image subset, the same initial weights (drawn from the same NumPy stream as
    neuralab draws them), optimizer, schedule, penalty and batch order as the
    playground's ``ImageSession``, so it follows the same run up to floating-point
    rounding (with dropout, PyTorch draws its own masks).

    Args:
        config: The configuration (an image data set).
        epochs: Epochs the script trains. Defaults to 10.

    Returns:
        The program's source (it needs PyTorch, and neuralab for the images).

    Examples:
        >>> from neuralab.playground.image_export import image_torch_script
        >>> from neuralab.playground.model import parse_config
        >>> text = image_torch_script(parse_config({"dataset": "fashion-mnist"}), epochs=2)
        >>> compile(text, "exported.py", "exec") and "torch.optim.Adam(" in text
        True
    """
    from neuralab.playground.export import (
        _TORCH_ACTIVATIONS,
        _TORCH_INIT,
        _TORCH_OPTIMIZERS,
        _torch_scheduler,
    )

    fields = _fields(config, epochs)
    activation = _TORCH_ACTIVATIONS[config.activation]
    network = _TORCH_LENET if config.architecture == "lenet5" else _TORCH_MLP
    schedule = _torch_scheduler(config)
    return _TORCH_TEMPLATE.format(
        **fields,
        torch_model=network.format(**fields, torch_activation=activation),
        torch_init=_TORCH_INIT[config.init].replace("(fan_out, fan_in)", "layer.weight.shape"),
        torch_optimizer=_TORCH_OPTIMIZERS[fields["opt_name"]],
        torch_scheduler=schedule,
        order="torch.from_numpy(rng_batches.permutation(len(y_train)))",
        loss="loss_fn",
    )
