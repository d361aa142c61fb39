"""Devices, PyTorch's way, on the CPU: ``neuralab.device``, ``neuralab.cuda``,
``neuralab.accelerator`` and ``neuralab.backends``.

neuralab computes with NumPy on the CPU, so every tensor's ``.device`` is ``device('cpu')``.
The names exist so that PyTorch programs that choose a device run unchanged::

    device = neuralab.device("cuda" if neuralab.cuda.is_available() else "cpu")
    model.to(device)

``device("cuda")`` can be made (as in PyTorch's CPU build); putting a tensor or a model on
it raises ``NotImplementedError`` naming CUDA and the CPU way.
"""

from __future__ import annotations

import types
from typing import Any

KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla")


class device:
    """A device: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``.

    Only ``"cpu"`` holds tensors in neuralab; the others exist so that code naming them
    reads, and fail with a clear error when used. Immutable; equal to its string.

    Args:
        type: A device string (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``...), a device,
            or an int (a CUDA index, as PyTorch).
        index: The device index. Defaults to None.

    Raises:
        TypeError: A type that is not a str (or device or int).
        RuntimeError: An unknown device type, a malformed string, or a negative index.

    Examples:
        >>> import neuralab as nl
        >>> nl.device("cpu")
        device(type='cpu')
        >>> d = nl.device("cuda:1")
        >>> d.type, d.index, str(d)
        ('cuda', 1, 'cuda:1')
        >>> nl.device("cpu") == "cpu"
        True
    """

    __slots__ = ("index", "type")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # torch.device(0) is the first CUDA device
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a str such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(KNOWN_TYPES)} device type at start of device "
                f"string: {type!r}"
            )
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must be a non-negative int, got {index!r}")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device objects are immutable")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"


CPU = device("cpu")


def check(where: Any, who: str = "device") -> device:
    """The device that ``where`` names, if tensors can live there (the CPU); else raise.

    Args:
        where: A device, a device string, or None (the CPU).
        who: The caller's name, for the error message. Defaults to ``"device"``.

    Returns:
        The CPU device.

    Raises:
        NotImplementedError: CUDA or any other accelerator.
        TypeError: Something that names no device.

    Examples:
        >>> from neuralab.device import check
        >>> check(None), check("cpu")
        (device(type='cpu'), device(type='cpu'))
        >>> check("cuda", "Tensor.to")
        Traceback (most recent call last):
        NotImplementedError: Tensor.to: device 'cuda' is not supported: ...
    """
    if where is None or where is CPU:
        return CPU
    if not isinstance(where, device):
        try:
            where = device(where)
        except TypeError:
            raise TypeError(
                f"{who}: expected a device or a str such as 'cpu', got {where!r}"
            ) from None
    if where.type == "cpu":
        return CPU
    raise NotImplementedError(
        f"{who}: device '{where}' is not supported: neuralab computes on the CPU with NumPy "
        "and has no CUDA or other accelerator backend. Use device='cpu', or choose the device "
        "as `device = neuralab.device('cuda' if neuralab.cuda.is_available() else 'cpu')`."
    )


class _NoGpu:
    """A CUDA function or class (``torch.cuda.synchronize``, ``torch.cuda.amp.GradScaler``):
    calling it raises NotImplementedError naming it; its attributes are such stubs too."""

    def __init__(self, feature: str) -> None:
        self._feature = feature
        self.__name__ = feature.rsplit(".", 1)[-1]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{self._feature} is not supported: neuralab has no CUDA or other accelerator "
            "backend; it computes on the CPU (check `neuralab.cuda.is_available()`, which is "
            "False)."
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NoGpu(f"{self._feature}.{name}")

    def __repr__(self) -> str:
        return f"<unsupported {self._feature}>"


def _no_gpu(feature: str) -> Any:
    return _NoGpu(feature)


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


def _ignore_seed(seed: int) -> None:
    """Like PyTorch's CPU build: seeding CUDA without CUDA does nothing."""


class _Namespace(types.ModuleType):
    """A small module whose unknown attributes raise NotImplementedError naming them."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _no_gpu(f"{self.__name__.replace('neuralab', 'torch', 1)}.{name}")


def _namespace(name: str, doc: str, **members: Any) -> _Namespace:
    module = _Namespace(name, doc)
    for key, value in members.items():
        setattr(module, key, value)
    return module


cuda = _namespace(
    "neuralab.cuda",
    "CUDA, as PyTorch's CPU build has it: nothing is available, seeding does nothing.",
    is_available=_false,
    device_count=_zero,
    manual_seed=_ignore_seed,
    manual_seed_all=_ignore_seed,
    is_initialized=_false,
)

accelerator = _namespace(
    "neuralab.accelerator",
    "``torch.accelerator``: no accelerator is available, so none is current.",
    is_available=_false,
    device_count=_zero,
    current_accelerator=lambda check_available=False: None,
)

mps = _namespace(
    "neuralab.mps",
    "Apple's Metal (MPS): not available.",
    is_available=_false,
    manual_seed=_ignore_seed,
)

backends = _namespace(
    "neuralab.backends",
    "``torch.backends``: flags that PyTorch programs set; neuralab has no such backends.",
    mps=_namespace("neuralab.backends.mps", "MPS", is_available=_false, is_built=_false),
    cudnn=_namespace(
        "neuralab.backends.cudnn",
        "cuDNN: settable flags with no effect (there is no cuDNN).",
        benchmark=False,
        deterministic=False,
        enabled=False,
        allow_tf32=False,
        is_available=_false,
    ),
    cuda=_namespace(
        "neuralab.backends.cuda",
        "CUDA backend flags: absent.",
        is_built=_false,
        matmul=types.SimpleNamespace(allow_tf32=False),
    ),
)
