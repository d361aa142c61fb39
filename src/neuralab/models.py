"""Reference models, ready to train: the MNIST MLP, a LeNet-5 style CNN, a recurrent
sequence classifier (LSTM by default) and a small GAN's generator and discriminator.

Each is an ordinary ``nn.Module`` built from neuralab's layers, with PyTorch's parameter
names, so the same architecture written with ``torch.nn`` loads the same weights.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from neuralab import nn, ops
from neuralab.tensor import Tensor

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Discriminator",
    "Generator",
    "LeNet5",
    "SequenceClassifier",
    "activation",
]

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


def activation(name: str | Callable[[], nn.Module]) -> nn.Module:
    """Creates a new activation layer from a name or a factory.

    Args:
        name: a key of ``ACTIVATIONS`` (``'relu'``, ``'leaky_relu'`` with slope 0.2 as GANs use,
            ``'sigmoid'``, ``'tanh'``, ``'elu'``, ``'gelu'``, ``'identity'``) or a callable
            returning a Module (e.g. ``nn.ELU``).

    Returns:
        A new Module.

    Raises:
        ValueError: if the name is unknown.
        TypeError: if the callable does not return a Module.

    Examples:
        >>> from neuralab import models, nn
        >>> models.activation("leaky_relu")
        LeakyReLU(negative_slope=0.2)
        >>> models.activation(lambda: nn.Softplus(beta=2.0))
        Softplus(beta=2.0, threshold=20.0)
    """
    if callable(name):
        layer = name()
        if not isinstance(layer, nn.Module):
            raise TypeError(f"activation: the callable must return a Module, got {layer!r}")
        return layer
    if name not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


class MLP(nn.Sequential):
    """A multilayer perceptron in_features -> hidden[0] -> ... -> out_features.

    h_{k+1} = act(W_k h_k + b_k) on the hidden layers; the last layer is linear (logits) unless
    ``output_activation`` is given. ``batch_norm`` puts a BatchNorm1d after each hidden Linear
    (before its activation), ``dropout`` a Dropout after each activation. The defaults are the
    MNIST MLP 784-128-64-10 with ReLU (109,386 parameters).

    Args:
        in_features: the input size. Defaults to 784.
        hidden: the hidden layer sizes. Defaults to (128, 64).
        out_features: the output size. Defaults to 10.
        activation: the hidden layers' activation: a name from ``ACTIVATIONS`` or a callable
            returning a Module. Defaults to ``'relu'``.
        output_activation: an activation after the last layer (name or factory). Defaults to
            None (logits).
        batch_norm: add BatchNorm1d after each hidden Linear. Defaults to False.
        dropout: the probability of a Dropout after each hidden activation (0: none).
            Defaults to 0.0.

    Raises:
        ValueError: if an activation name is unknown.

    Shape:
        - Input: (N, in_features).
        - Output: (N, out_features).

    Examples:
        >>> import neuralab as nl
        >>> model = nl.models.MLP()
        >>> model(nl.zeros(32, 784)).shape, sum(p.numel() for p in model.parameters())
        ((32, 10), 109386)
        >>> nl.models.MLP(4, [8], 2, activation="tanh", dropout=0.1)
        MLP(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): Tanh()
          (2): Dropout(p=0.1, inplace=False)
          (3): Linear(in_features=8, out_features=2, bias=True)
        )
    """

    def __init__(
        self,
        in_features: int = 784,
        hidden: Sequence[int] = (128, 64),
        out_features: int = 10,
        activation: str | Callable[[], nn.Module] = "relu",
        output_activation: str | Callable[[], nn.Module] | None = None,
        batch_norm: bool = False,
        dropout: float = 0.0,
    ) -> None:
        layers: list[nn.Module] = []
        sizes = [in_features, *hidden]
        for fan_in, fan_out in itertools.pairwise(sizes):
            layers.append(nn.Linear(fan_in, fan_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(fan_out))
            layers.append(_activation(activation))
            if dropout:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(sizes[-1], out_features))
        if output_activation is not None:
            layers.append(_activation(output_activation))
        super().__init__(*layers)


_activation = activation  # the constructors' argument shadows the function's name


class LeNet5(nn.Sequential):
    """A LeNet-5 style CNN for 28 x 28 images (LeCun et al., 1998), modernized as is usual.

    ReLU and max pooling unless told otherwise:

        conv 5x5, 6 maps, padding 2 -> act -> pool 2   (6 x 14 x 14)
        conv 5x5, 16 maps           -> act -> pool 2   (16 x 5 x 5)
        flatten -> 120 -> act -> 84 -> act -> num_classes (logits)

    61,706 parameters for 10 classes and one input channel.

    Args:
        num_classes: the number of outputs. Defaults to 10.
        in_channels: the image channels. Defaults to 1.
        activation: the hidden layers' activation: a name from ``ACTIVATIONS`` or a callable
            returning a Module. Defaults to ``'relu'``.
        pooling: ``'max'`` or ``'avg'``. Defaults to ``'max'``.

    Raises:
        ValueError: if ``pooling`` or the activation name is unknown.

    Shape:
        - Input: (N, in_channels, 28, 28).
        - Output: (N, num_classes).

    Examples:
        >>> import neuralab as nl
        >>> model = nl.models.LeNet5()
        >>> model(nl.zeros(2, 1, 28, 28)).shape, sum(p.numel() for p in model.parameters())
        ((2, 10), 61706)
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        activation: str | Callable[[], nn.Module] = "relu",
        pooling: str = "max",
    ) -> None:
        if pooling not in ("max", "avg"):
            raise ValueError(f"LeNet5: pooling must be 'max' or 'avg', got {pooling!r}")
        pool = nn.MaxPool2d if pooling == "max" else nn.AvgPool2d
        super().__init__(
            nn.Conv2d(in_channels, 6, 5, padding=2),
            _activation(activation),
            pool(2),
            nn.Conv2d(6, 16, 5),
            _activation(activation),
            pool(2),
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            _activation(activation),
            nn.Linear(120, 84),
            _activation(activation),
            nn.Linear(84, num_classes),
        )


class SequenceClassifier(nn.Module):
    """A recurrent network reading a whole sequence, then a linear layer on its final state.

        h_T = RNN(x_1 .. x_T)   (the last layer's final hidden state; both directions
                                 concatenated when bidirectional)
        logits = W h_T + b

    Inputs are batch-first, (N, T, input_size) floats, or (N, T) integer tokens when
    ``num_embeddings`` is given (an Embedding of size ``input_size`` reads them first).

    ``forget_bias`` (LSTM only) is added to the forget gate's input bias,
    f_t = sigmoid(W_if x_t + W_hf h_{t-1} + b_f). At PyTorch's init f_t is about 0.5, so the
    memory of step 1 is scaled by about 0.5^T by step T and its gradient vanishes; a positive
    bias (Gers et al., 2000; Jozefowicz et al., 2015) keeps the cell state at the start of
    training. It must grow with the length T: b keeps sigmoid(b)^T of step 1, e.g.
    0.95^80 = 0.02 for b = 3 and 0.993^80 = 0.58 for b = 5, which learns first-symbol recall
    at T = 80 (``benchmarks/long_range.py``).

    Args:
        input_size: the features of each step (the embedding size with ``num_embeddings``).
        hidden_size: H, the recurrent state size.
        num_classes: the number of outputs.
        cell: ``'lstm'``, ``'gru'`` or ``'rnn'`` (tanh). Defaults to ``'lstm'``.
        num_layers: stacked recurrent layers. Defaults to 1.
        bidirectional: read the sequence both ways. Defaults to False.
        dropout: dropout between recurrent layers. Defaults to 0.0.
        num_embeddings: the vocabulary size for integer-token input. Defaults to None (float
            input).
        forget_bias: added to the LSTM forget gate's bias. Defaults to None (PyTorch's init).

    Raises:
        ValueError: if ``cell`` is unknown, or ``forget_bias`` is given for a GRU or RNN.

    Shape:
        - Input: (N, T, input_size) floats, or (N, T) integers with ``num_embeddings``.
        - Output: (N, num_classes).

    Examples:
        >>> import neuralab as nl
        >>> model = nl.models.SequenceClassifier(8, 16, 3, num_embeddings=50, forget_bias=1.0)
        >>> model(nl.tensor([[1, 2, 3, 4], [5, 6, 7, 0]])).shape
        (2, 3)
        >>> nl.models.SequenceClassifier(4, 16, 2, cell="gru", bidirectional=True)(
        ...     nl.zeros(2, 7, 4)).shape
        (2, 2)
    """

    CELLS: tuple[str, ...] = ("lstm", "gru", "rnn")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        num_embeddings: int | None = None,
        forget_bias: float | None = None,
    ) -> None:
        super().__init__()
        if cell not in self.CELLS:
            raise ValueError(f"SequenceClassifier: cell must be one of {self.CELLS}, got {cell!r}")
        self.cell = cell
        if num_embeddings is not None:
            self.embedding = nn.Embedding(num_embeddings, input_size)
        else:
            self.register_module("embedding", None)
        recurrent = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = recurrent(
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout,
            bidirectional=bidirectional,
        )
        if forget_bias is not None:
            if cell != "lstm":
                raise ValueError(f"SequenceClassifier: forget_bias is for an LSTM, not {cell!r}")
            for name, bias in self.rnn.named_parameters():
                if name.startswith("bias_ih"):  # gates in PyTorch's order: i, f, g, o
                    bias._data[hidden_size : 2 * hidden_size] += forget_bias
        directions = 2 if bidirectional else 1
        self.head = nn.Linear(directions * hidden_size, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        if self.embedding is not None:
            x = self.embedding(x)
        _, state = self.rnn(x)
        h_n = state[0] if self.cell == "lstm" else state
        # h_n: (layers * directions, N, H); the last layer's final state, both directions
        last = ops.cat([h_n[-2], h_n[-1]], dim=-1) if self.rnn.bidirectional else h_n[-1]
        return self.head(last)


class Generator(MLP):
    """A GAN generator: noise z (N, latent_dim) -> MLP -> sample (N, out_features).

    ReLU hidden layers and a tanh output for data scaled to [-1, 1] (or linear output,
    ``output_activation=None``, for unbounded data such as 2-D points).

    Args:
        latent_dim: the size of the noise vector z.
        out_features: the size of a sample (e.g. 784 for MNIST).
        hidden: the hidden layer sizes. Defaults to (128, 128).
        activation: the hidden layers' activation: a name from ``ACTIVATIONS`` or a callable
            returning a Module. Defaults to ``'relu'``.
        output_activation: the output's activation. Defaults to ``'tanh'``.

    Raises:
        ValueError: if an activation name is unknown.

    Shape:
        - Input: (N, latent_dim).
        - Output: (N, out_features).

    Examples:
        >>> import neuralab as nl
        >>> g = nl.models.Generator(latent_dim=16, out_features=784)
        >>> x = g(nl.randn(4, 16))
        >>> x.shape, -1 <= x.min().item() and x.max().item() <= 1
        ((4, 784), True)
    """

    def __init__(
        self,
        latent_dim: int,
        out_features: int,
        hidden: Sequence[int] = (128, 128),
        activation: str | Callable[[], nn.Module] = "relu",
        output_activation: str | Callable[[], nn.Module] | None = "tanh",
    ) -> None:
        super().__init__(latent_dim, hidden, out_features, activation, output_activation)
        self.latent_dim = latent_dim


class Discriminator(MLP):
    """A GAN discriminator: sample (N, in_features) -> MLP with LeakyReLU(0.2) -> one logit each.

    D(x) = sigmoid(logit) is its probability that x is real; train it with
    ``BCEWithLogitsLoss``.

    Args:
        in_features: the size of a sample.
        hidden: the hidden layer sizes. Defaults to (128, 128).
        activation: the hidden activation. Defaults to ``'leaky_relu'`` (slope 0.2).

    Raises:
        ValueError: if an activation name is unknown.

    Shape:
        - Input: (N, in_features).
        - Output: (N, 1).

    Examples:
        >>> import neuralab as nl
        >>> nl.models.Discriminator(784)(nl.zeros(4, 784)).shape
        (4, 1)
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int] = (128, 128),
        activation: str | Callable[[], nn.Module] = "leaky_relu",
    ) -> None:
        super().__init__(in_features, hidden, 1, activation)
