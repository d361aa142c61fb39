"""Convolution layers, as ``torch.nn.Conv2d`` and ``torch.nn.ConvTranspose2d``."""

from __future__ import annotations

from typing import Any

from neuralab.creation import zeros
from neuralab.nn.layers import _reset_kaiming_uniform, _weight_and_bias
from neuralab.nn.module import Module, Parameter, factory_dtype
from neuralab.ops.conv import _pair, conv2d, conv_transpose2d, same_padding
from neuralab.ops.shape import pad
from neuralab.tensor import Tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    """2-D convolution over (N, C, H, W) or (C, H, W) inputs (see ``neuralab.ops.conv``):

      y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n, g C/G + c, s i + d p - pad, s j + d q - pad]

    weight (out_channels, in_channels / groups, kh, kw), bias (out_channels,). Initialized as
    PyTorch: kaiming_uniform_(a = sqrt 5) on the weight, i.e. U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), and the bias from the same range, fan_in = in_channels / groups kh kw.
    padding is an int, a pair, 'valid' or 'same' (stride 1); padding_mode 'zeros' pads in the
    convolution, 'reflect', 'replicate' and 'circular' pad the input with ``F.pad`` first
    and convolve without padding, as PyTorch does.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(
                f"{name}: channel counts must be positive, got in_channels={in_channels}, "
                f"out_channels={out_channels}"
            )
        if in_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})"
            )
        if out_channels % groups:
            raise ValueError(
                f"{name}: out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, got {padding_mode!r}"
            )
        kernel_size = _pair(kernel_size, "kernel_size", name)
        stride = _pair(stride, "stride", name)
        dilation = _pair(dilation, "dilation", name)
        if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1:
            raise ValueError(
                f"{name}: kernel_size, stride and dilation must be positive, got "
                f"kernel_size={kernel_size}, stride={stride}, dilation={dilation}"
            )
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"{name}: invalid padding string {padding!r}, should be one of "
                    "'valid' or 'same'"
                )
            if padding == "same" and stride != (1, 1):
                raise ValueError(
                    f"{name}: padding='same' is not supported for strided convolutions "
                    f"(stride={stride})"
                )
            pads = same_padding(kernel_size, dilation) if padding == "same" else (0, 0, 0, 0)
        else:
            padding = _pair(padding, "padding", name)
            if min(padding) < 0:
                raise ValueError(f"{name}: padding must be non-negative, got {padding}")
            pads = (padding[0], padding[0], padding[1], padding[1])
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.groups, self.padding_mode = dilation, groups, padding_mode
        self._pads = pads  # (top, bottom, left, right)
        # F.pad's order: (left, right, top, bottom), as PyTorch's _reversed_padding_repeated_twice
        self._reversed_padding_repeated_twice = (pads[2], pads[3], pads[0], pads[1])
        _weight_and_bias(
            self, (out_channels, in_channels // groups, *kernel_size), bias, device, dtype
        )

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a = sqrt 5) and bias ~ U(+-1/sqrt(fan_in))."""
        _reset_kaiming_uniform(self)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{type(self).__name__}: expected 3-D (C, H, W) or 4-D (N, C, H, W) input, "
                f"got shape {shape}"
            )
        if shape[-3] != self.in_channels:
            raise ValueError(
                f"{type(self).__name__}: expected input with {self.in_channels} channels "
                f"(axis {len(shape) - 3}), got shape {shape}"
            )
        # conv2d checks that the kernel fits in the padded input
        if self.padding_mode != "zeros":
            x = pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        return _conv_repr(self, padding_mode="zeros")


class ConvTranspose2d(Module):
    """2-D transposed convolution (the adjoint of Conv2d; "deconvolution" in DCGAN):

      OH = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1

    weight (in_channels, out_channels / groups, kh, kw), bias (out_channels,); see
    ``neuralab.ops.conv.conv_transpose2d``. Initialized as PyTorch: kaiming_uniform_(a =
    sqrt 5) on the weight and the bias ~ U(+-1/sqrt(fan_in)), where fan_in is computed from
    the weight as stored, (out_channels / groups) kh kw.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        output_padding: int | tuple[int, int] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, int] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(
                f'{name}: only "zeros" padding_mode is supported, got {padding_mode!r}'
            )
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
        if in_channels <= 0 or out_channels <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must be "
                f"positive and divisible by groups ({groups})"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", name)
        self.stride = _pair(stride, "stride", name)
        self.padding = _pair(padding, "padding", name)
        self.output_padding = _pair(output_padding, "output_padding", name)
        self.dilation = _pair(dilation, "dilation", name)
        self.groups, self.padding_mode = groups, padding_mode
        dtype = factory_dtype(device, dtype, f"nn.{name}")
        self.weight = Parameter(
            zeros(in_channels, out_channels // groups, *self.kernel_size, dtype=dtype)
        )
        if bias:
            self.bias = Parameter(zeros(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a = sqrt 5) and bias ~ U(+-1/sqrt(fan_in))."""
        _reset_kaiming_uniform(self)

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        if output_size is not None:
            raise NotImplementedError(
                f"{type(self).__name__}: output_size= is not supported; pass output_padding "
                "to the layer instead"
            )
        return conv_transpose2d(
            x, self.weight, self.bias, self.stride, self.padding, self.output_padding,
            self.groups, self.dilation,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return _conv_repr(self, output_padding=(0, 0))


def _conv_repr(layer: Module, **defaults: object) -> str:
    """PyTorch's repr of a convolution: the sizes, stride, and every other setting that
    differs from its default (``defaults`` adds the layer's own settings)."""
    text = (
        f"{layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}, "
        f"stride={layer.stride}"
    )
    settings = {"padding": (0, 0), "dilation": (1, 1), **defaults, "groups": 1}
    for name, default in settings.items():
        if name != "padding_mode" and getattr(layer, name) != default:
            text += f", {name}={getattr(layer, name)}"
    if layer.bias is None:
        text += ", bias=False"
    if "padding_mode" in defaults and layer.padding_mode != defaults["padding_mode"]:
        text += f", padding_mode={layer.padding_mode}"
    return text
