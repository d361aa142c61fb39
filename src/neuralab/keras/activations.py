# TEMP SHIM (not committed)
from neuralab import functional as F


def linear(x):
    return x


_N = {
    "relu": F.relu,
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "softmax": lambda x: F.softmax(x, dim=-1),
    "linear": linear,
}


def get(i):
    if i is None:
        return linear
    if callable(i):
        return i
    return _N[i]
