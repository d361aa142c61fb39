"""Image transforms with ``torchvision.transforms``'s names and semantics.

Images come in two kinds, as in torchvision: a *picture* (a PIL image, or a NumPy
array H x W or H x W x C, which is what ``neuralab.vision.datasets`` give) and a *tensor
image* (a ``Tensor`` ... x C x H x W). ``ToTensor`` / ``PILToTensor`` turn a picture into
a tensor image; ``Normalize`` and ``ConvertImageDtype`` act on tensor images; the flips
and crops act on either.

- ``ToTensor()``: picture -> float32 C x H x W; uint8 pixels are divided by 255
  (``y = x / 255`` in [0, 1]), other dtypes are kept unscaled.
- ``Normalize(mean, std, inplace=False)``: per channel ``y = (x - mean[c]) / std[c]``.
- ``Compose``, ``Lambda``, ``PILToTensor``, ``ConvertImageDtype``,
  ``RandomHorizontalFlip``, ``RandomVerticalFlip``, ``RandomCrop``, ``CenterCrop``.

Random transforms draw from the global neuralab generator (``neuralab.manual_seed``), as
torchvision draws from torch's. Other torchvision names (``Resize``, ``ColorJitter``,
...) raise NotImplementedError naming them.

Deterministic, per-pixel transforms (``ToTensor``, ``PILToTensor``, ``Normalize``,
``ConvertImageDtype`` and a ``Compose`` of these) also have ``_batch``: the same
computation on a stack of N pictures, bit for bit. ``neuralab.vision.datasets`` use it
to transform every image at once, so a ``DataLoader`` gathers whole batches instead of
running the pipeline once per sample.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from neuralab import backend
from neuralab.data import transforms as _data_transforms
from neuralab.tensor import Tensor

__all__ = [
    "CenterCrop",
    "Compose",
    "ConvertImageDtype",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "ToTensor",
]

Lambda = _data_transforms.Lambda


def _has_batch(transform: Any) -> bool:
    return callable(getattr(transform, "_batch", None))


class Compose(_data_transforms.Compose):
    """Apply ``transforms`` one after the other: ``Compose([f, g])(x) == g(f(x))``.

    As ``torchvision.transforms.Compose``; a DataLoader over ``vision.datasets.MNIST``
    applies it to whole batches when every transform can.

    Args:
        transforms: The callables, in order.

    Raises:
        TypeError: A transform that is not callable.

    Examples:
        >>> import numpy as np
        >>> from neuralab.vision import transforms as T
        >>> t = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])
        >>> t(np.array([[0, 255]], dtype=np.uint8))
        tensor([[[-1.,  1.]]])
    """

    @property
    def _batch(self) -> Callable[[Any], Any]:
        """The batch form, present only when every inner transform has one."""
        if not all(_has_batch(t) for t in self.transforms):
            raise AttributeError("_batch")
        return self._run_batch

    def _run_batch(self, x: Any) -> Any:
        for t in self.transforms:
            x = t._batch(x)
        return x


def _picture(pic: Any, who: str) -> numpy.ndarray:
    """A picture (PIL image or H x W [x C] ndarray) as an H x W [x C] array."""
    if isinstance(pic, numpy.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"{who}: pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        return pic
    if type(pic).__module__.startswith("PIL.") and hasattr(pic, "mode"):
        array = numpy.asarray(pic)
        if pic.mode == "1":
            array = array.astype(numpy.uint8) * 255
        return array
    if isinstance(pic, Tensor):
        raise TypeError(
            f"{who}: pic should be PIL Image or ndarray. Got a Tensor (it is already a tensor "
            "image; drop this transform or use ConvertImageDtype)"
        )
    raise TypeError(f"{who}: pic should be PIL Image or ndarray. Got {type(pic)}")


def _channels_first(array: numpy.ndarray) -> numpy.ndarray:
    """H x W -> 1 x H x W; H x W x C -> C x H x W (a view)."""
    return array[None] if array.ndim == 2 else array.transpose(2, 0, 1)


def _to_float(array: numpy.ndarray) -> numpy.ndarray:
    """``x / 255`` in float32 for uint8 (rounded as ``torch``'s float32 division), else
    the array as it is."""
    if array.dtype == numpy.uint8:
        return numpy.divide(array, 255.0, dtype=backend.float32)
    return numpy.ascontiguousarray(array)


class ToTensor:
    """A picture (PIL image or H x W [x C] ndarray) to a C x H x W Tensor.

    uint8 pixels become float32 ``y = x / 255`` in [0, 1]; other dtypes (e.g. a float
    ndarray) are not rescaled and keep their dtype, as ``torchvision.transforms.ToTensor``.

    Raises:
        TypeError: Neither a PIL image nor an ndarray.
        ValueError: An array that is not 2- or 3-dimensional.

    Examples:
        >>> import numpy as np
        >>> from neuralab.vision.transforms import ToTensor
        >>> x = ToTensor()(np.full((28, 28), 255, dtype=np.uint8))
        >>> x.shape, x.dtype, x.max().item()
        ((1, 28, 28), dtype('float32'), 1.0)
    """

    def __call__(self, pic: Any) -> Tensor:
        if type(pic) is numpy.ndarray and pic.ndim == 2 and pic.dtype == numpy.uint8:
            # The common case (a grayscale dataset image), with no other work.
            return Tensor._from_array(numpy.divide(pic[None], 255.0, dtype=backend.float32))
        return Tensor._from_array(_to_float(_channels_first(_picture(pic, "ToTensor"))))

    @staticmethod
    def _batch(pics: numpy.ndarray) -> numpy.ndarray:
        """N pictures stacked (N x H x W or N x H x W x C) -> N x C x H x W."""
        x = pics[:, None] if pics.ndim == 3 else pics.transpose(0, 3, 1, 2)
        return _to_float(x)

    def __repr__(self) -> str:
        return "ToTensor()"


class PILToTensor:
    """A picture to a C x H x W Tensor of the same dtype (uint8 stays uint8, not scaled).

    Raises:
        TypeError: Neither a PIL image nor an ndarray.
        ValueError: An array that is not 2- or 3-dimensional.

    Examples:
        >>> import numpy as np
        >>> from neuralab.vision.transforms import PILToTensor
        >>> x = PILToTensor()(np.zeros((4, 5, 3), dtype=np.uint8))
        >>> x.shape, x.dtype
        ((3, 4, 5), dtype('uint8'))
    """

    def __call__(self, pic: Any) -> Tensor:
        array = _channels_first(_picture(pic, "PILToTensor"))
        return Tensor._from_array(numpy.ascontiguousarray(array).copy())

    @staticmethod
    def _batch(pics: numpy.ndarray) -> numpy.ndarray:
        x = pics[:, None] if pics.ndim == 3 else pics.transpose(0, 3, 1, 2)
        return numpy.ascontiguousarray(x)

    def __repr__(self) -> str:
        return "PILToTensor()"


def _tensor_image(img: Any, who: str) -> tuple[numpy.ndarray, bool]:
    if isinstance(img, Tensor):
        return img._data, True
    if isinstance(img, numpy.ndarray):
        return img, False
    raise TypeError(f"{who}: img should be Tensor Image. Got {type(img)}")


class Normalize:
    """Standardize a float tensor image per channel, as ``torchvision.transforms.Normalize``.

        y[c] = (x[c] - mean[c]) / std[c]

    on an image of shape (..., C, H, W), in the input's dtype.

    Args:
        mean: One number per channel (or one for all).
        std: One number per channel (or one for all), none zero.
        inplace: Overwrite the input. Defaults to False.

    Raises:
        TypeError: Input that is not a floating tensor image.
        ValueError: A std that is zero, or lengths that do not match the channels.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import Normalize
        >>> Normalize([0.5, 0.0], [0.5, 2.0])(nl.ones(2, 1, 1)).flatten()
        tensor([1. , 0.5])
    """

    def __init__(
        self, mean: float | Sequence[float], std: float | Sequence[float], inplace: bool = False
    ) -> None:
        self.mean = _values(mean, "mean")
        self.std = _values(std, "std")
        self.inplace = bool(inplace)
        self._cache: dict[numpy.dtype, tuple[numpy.ndarray, numpy.ndarray]] = {}

    def _constants(self, dtype: numpy.dtype) -> tuple[numpy.ndarray, numpy.ndarray]:
        """mean and std in ``dtype``, shaped C x 1 x 1 (as torchvision's ``view(-1, 1, 1)``)."""
        found = self._cache.get(dtype)
        if found is None:
            mean = numpy.asarray(self.mean, dtype=dtype).reshape(-1, 1, 1)
            std = numpy.asarray(self.std, dtype=dtype).reshape(-1, 1, 1)
            if numpy.any(std == 0):
                raise ValueError(
                    f"Normalize: std evaluated to zero after conversion to {dtype}, leading "
                    "to division by zero."
                )
            found = self._cache[dtype] = (mean, std)
        return found

    def _apply(self, x: numpy.ndarray, inplace: bool) -> numpy.ndarray:
        if x.dtype.kind != "f":
            raise TypeError(
                f"Normalize: Input tensor should be a float tensor. Got {x.dtype} (use "
                "ToTensor or ConvertImageDtype first)"
            )
        if x.ndim < 3:
            raise ValueError(
                "Normalize: Expected tensor to be a tensor image of size (..., C, H, W). Got "
                f"tensor.size() = {tuple(x.shape)}."
            )
        mean, std = self._constants(x.dtype)
        if mean.shape[0] not in (1, x.shape[-3]) or std.shape[0] not in (1, x.shape[-3]):
            raise ValueError(
                f"Normalize: mean has {mean.shape[0]} and std {std.shape[0]} values, but the "
                f"image has {x.shape[-3]} channels (shape {tuple(x.shape)})"
            )
        out = numpy.subtract(x, mean, out=x if inplace else None)
        out /= std
        return out

    def __call__(self, tensor: Any) -> Any:
        x, was_tensor = _tensor_image(tensor, "Normalize")
        if self.inplace:
            if was_tensor:
                tensor._mutate("Normalize(inplace=True)")
            self._apply(x, True)
            return tensor
        out = self._apply(x, False)
        return Tensor._from_array(out) if was_tensor else out

    def _batch(self, x: numpy.ndarray) -> numpy.ndarray:
        return self._apply(x, False)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


def _values(value: Any, name: str) -> list[float]:
    """Normalize's mean or std as a list of finite floats (checked as the data transform's)."""
    array = value._data if isinstance(value, Tensor) else value
    return _data_transforms.Normalize._values(array, name).tolist()


class ConvertImageDtype:
    """Convert a tensor image to ``dtype``, rescaling values as torchvision does.

        integer -> float:   y = x / max(integer dtype)
        float -> integer:   y = trunc(x * (max + 1 - 0.001))
        float -> float:     a cast

    Args:
        dtype: The target dtype.

    Raises:
        TypeError: Input that is not a tensor image.
        NotImplementedError: Integer to integer.

    Examples:
        >>> import numpy as np
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import ConvertImageDtype
        >>> ConvertImageDtype(nl.float32)(nl.tensor(np.array([0, 255], dtype=np.uint8)))
        tensor([0., 1.])
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = numpy.dtype(dtype)

    def _apply(self, x: numpy.ndarray) -> numpy.ndarray:
        src, dst = x.dtype, self.dtype
        if src == dst:
            return x
        if src.kind == "f" and dst.kind == "f":
            return x.astype(dst)
        if src.kind in "ui" and dst.kind == "f":
            return numpy.divide(x, numpy.iinfo(src).max, dtype=dst)
        if src.kind == "f" and dst.kind in "ui":
            return (x * (numpy.iinfo(dst).max + 1.0 - 1e-3)).astype(dst)
        raise NotImplementedError(
            f"ConvertImageDtype: {src} -> {dst} is not implemented in neuralab.vision; "
            "convert to a float dtype"
        )

    def __call__(self, image: Any) -> Any:
        x, was_tensor = _tensor_image(image, "ConvertImageDtype")
        out = self._apply(x)
        return Tensor._from_array(out) if was_tensor else out

    def _batch(self, x: numpy.ndarray) -> numpy.ndarray:
        return self._apply(x)

    def __repr__(self) -> str:
        return f"ConvertImageDtype({self.dtype})"


def _image_axes(img: Any, who: str) -> tuple[numpy.ndarray, bool, int, int]:
    """(array, was_tensor, H axis, W axis): a Tensor is ... x H x W, a picture H x W [x C]."""
    if isinstance(img, Tensor):
        x = img._data
        if x.ndim < 2:
            raise ValueError(f"{who}: a tensor image needs at least 2 dimensions (H, W)")
        return x, True, x.ndim - 2, x.ndim - 1
    x = _picture(img, who)
    return x, False, 0, 1


def _wrap(out: numpy.ndarray, was_tensor: bool) -> Any:
    out = numpy.ascontiguousarray(out)
    return Tensor._from_array(out) if was_tensor else out


def _uniform() -> float:
    return float(backend.generator(None).random())


class RandomHorizontalFlip:
    """Flip the image left-right with probability ``p``: ``y[..., j] = x[..., W - 1 - j]``.

    Draws from the global generator (``neuralab.manual_seed``).

    Args:
        p: The probability of flipping. Defaults to 0.5.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import RandomHorizontalFlip
        >>> RandomHorizontalFlip(p=1.0)(nl.tensor([[[1.0, 2.0, 3.0]]]))
        tensor([[[3., 2., 1.]]])
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = float(p)

    def __call__(self, img: Any) -> Any:
        x, was_tensor, _, w = _image_axes(img, type(self).__name__)
        if _uniform() < self.p:
            return _wrap(numpy.flip(x, axis=w), was_tensor)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip the image upside down with probability ``p``: ``y[..., i, :] = x[..., H - 1 - i, :]``.

    Args:
        p: The probability of flipping. Defaults to 0.5.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import RandomVerticalFlip
        >>> RandomVerticalFlip(p=1.0)(nl.tensor([[[1.0], [2.0]]]))
        tensor([[[2.],
                 [1.]]])
    """

    def __call__(self, img: Any) -> Any:
        x, was_tensor, h, _ = _image_axes(img, type(self).__name__)
        if _uniform() < self.p:
            return _wrap(numpy.flip(x, axis=h), was_tensor)
        return img


def _size_pair(size: Any, who: str) -> tuple[int, int]:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"{who}: size must be an int or a sequence of 1 or 2 ints, got {size!r}")


_PAD_MODES = {
    "constant": "constant",
    "edge": "edge",
    "reflect": "reflect",
    "symmetric": "symmetric",
}


class RandomCrop:
    """Cut a random ``size`` (h, w) window out of the image, after padding its borders.

    Args:
        size: (h, w), or one int for a square.
        padding: Padding of the borders: an int (all sides), (left/right, top/bottom) or
            (left, top, right, bottom); None for none. Defaults to None.
        pad_if_needed: Pad an image smaller than size. Defaults to False.
        fill: The value of constant padding. Defaults to 0.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.
            Defaults to ``"constant"``.

    Raises:
        ValueError: A bad size or padding, an unknown padding_mode, or (on call) an image
            smaller than size without pad_if_needed.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import RandomCrop
        >>> _ = nl.manual_seed(0)
        >>> RandomCrop(28, padding=4)(nl.zeros(1, 28, 28)).shape
        (1, 28, 28)
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
    ) -> None:
        self.size = _size_pair(size, "RandomCrop")
        if padding_mode not in _PAD_MODES:
            raise ValueError(
                f"RandomCrop: padding_mode must be one of {sorted(_PAD_MODES)}, got "
                f"{padding_mode!r}"
            )
        if padding is None:
            self.padding = (0, 0, 0, 0)
        elif isinstance(padding, numbers.Integral):
            self.padding = (int(padding),) * 4
        elif len(padding) == 2:
            self.padding = (int(padding[0]), int(padding[1])) * 2
        elif len(padding) == 4:
            self.padding = tuple(int(p) for p in padding)  # type: ignore[assignment]
        else:
            raise ValueError(f"RandomCrop: padding must be an int or 2 or 4 ints, got {padding}")
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = fill
        self.padding_mode = padding_mode

    def _pad(self, x: numpy.ndarray, h: int, w: int, pads: tuple[int, int, int, int]) -> Any:
        left, top, right, bottom = pads
        if not any(pads):
            return x
        width = [(0, 0)] * x.ndim
        width[h], width[w] = (top, bottom), (left, right)
        if self.padding_mode == "constant":
            return numpy.pad(x, width, mode="constant", constant_values=self.fill)
        return numpy.pad(x, width, mode=_PAD_MODES[self.padding_mode])

    def __call__(self, img: Any) -> Any:
        x, was_tensor, h, w = _image_axes(img, "RandomCrop")
        x = self._pad(x, h, w, self.padding)
        th, tw = self.size
        if self.pad_if_needed:
            dh, dw = max(th - x.shape[h], 0), max(tw - x.shape[w], 0)
            x = self._pad(x, h, w, (dw, dh, dw, dh))
        height, width = x.shape[h], x.shape[w]
        if height < th or width < tw:
            raise ValueError(
                f"RandomCrop: required crop size {(th, tw)} is larger than the input image "
                f"size {(height, width)}"
            )
        rng = backend.generator(None)
        i = int(rng.integers(0, height - th + 1))
        j = int(rng.integers(0, width - tw + 1))
        index = [slice(None)] * x.ndim
        index[h], index[w] = slice(i, i + th), slice(j, j + tw)
        return _wrap(x[tuple(index)], was_tensor)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class CenterCrop:
    """Cut the central ``size`` (h, w) window, as torchvision.

    The window's top is ``round((H - h) / 2)``, its left ``round((W - w) / 2)``; an image
    smaller than ``size`` is padded with zeros first.

    Args:
        size: (h, w), or one int for a square.

    Raises:
        ValueError: A size that is not an int or 1 or 2 ints.

    Examples:
        >>> import neuralab as nl
        >>> from neuralab.vision.transforms import CenterCrop
        >>> CenterCrop(2)(nl.arange(16.0).reshape(1, 4, 4))
        tensor([[[ 5.,  6.],
                 [ 9., 10.]]])
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _size_pair(size, "CenterCrop")

    def __call__(self, img: Any) -> Any:
        x, was_tensor, h, w = _image_axes(img, "CenterCrop")
        th, tw = self.size
        ph, pw = max(th - x.shape[h], 0), max(tw - x.shape[w], 0)
        if ph or pw:
            width = [(0, 0)] * x.ndim
            width[h], width[w] = (ph // 2, (ph + 1) // 2), (pw // 2, (pw + 1) // 2)
            x = numpy.pad(x, width)
        top = round((x.shape[h] - th) / 2.0)
        left = round((x.shape[w] - tw) / 2.0)
        index = [slice(None)] * x.ndim
        index[h], index[w] = slice(top, top + th), slice(left, left + tw)
        return _wrap(x[tuple(index)], was_tensor)

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


# torchvision.transforms names that neuralab.vision does not implement.
_MISSING = [
    "AugMix",
    "AutoAugment",
    "AutoAugmentPolicy",
    "ColorJitter",
    "ElasticTransform",
    "FiveCrop",
    "GaussianBlur",
    "Grayscale",
    "InterpolationMode",
    "LinearTransformation",
    "Pad",
    "RandAugment",
    "RandomAdjustSharpness",
    "RandomAffine",
    "RandomApply",
    "RandomAutocontrast",
    "RandomChoice",
    "RandomEqualize",
    "RandomErasing",
    "RandomGrayscale",
    "RandomInvert",
    "RandomOrder",
    "RandomPerspective",
    "RandomPosterize",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomSolarize",
    "Resize",
    "TenCrop",
    "ToPILImage",
    "TrivialAugmentWide",
    "functional",
    "v2",
]


def __getattr__(name: str) -> Callable[..., Any]:
    if name in _MISSING:
        raise NotImplementedError(
            f"torchvision.transforms.{name} is not implemented in neuralab.vision.transforms; "
            f"available: {', '.join(__all__)} (or wrap your own function in Lambda)"
        )
    raise AttributeError(f"module 'neuralab.vision.transforms' has no attribute {name!r}")
