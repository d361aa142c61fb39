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
    """Applies a 2-D convolution (cross-correlation, as PyTorch) over (N, C, H, W) input.

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, g C_in/G + c, s i + d p - pad,
    s j + d q - pad], where g is the group of output channel o, s the stride and d the
    dilation.

    The weight has shape (out_channels, in_channels / groups, kh, kw) and the bias
    (out_channels,). Initialized as PyTorch: ``kaiming_uniform_(a = sqrt 5)`` on the weight,
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups * kh * kw, and
    the bias from the same range.

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels the convolution produces.
        kernel_size: (kh, kw), or one int for both.
        stride: the step of the window, an int or a pair. Defaults to 1.
        padding: zeros (or ``padding_mode`` values) added on each side: an int, a pair,
            ``'valid'`` (none) or ``'same'`` (output size = input size; stride 1 only).
            Defaults to 0.
        dilation: the spacing between kernel taps, an int or a pair. Defaults to 1.
        groups: G; input and output channels are split into G groups convolved separately
            (G = in_channels is a depthwise convolution). Defaults to 1.
        bias: whether to add a learned bias. Defaults to True.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``; the
            last three pad the input with ``F.pad`` first, as PyTorch. Defaults to ``'zeros'``.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if channel counts are not positive or not divisible by ``groups``, a size
            is not positive, ``padding`` is an unknown string or ``'same'`` with a stride, or
            ``padding_mode`` is unknown; in the forward pass, if the input is not 3-D/4-D or
            its channel count is not ``in_channels``.

    Shape:
        - Input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        - Output: (N, C_out, H_out, W_out) or (C_out, H_out, W_out), where
          H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1)
          / stride[0] + 1)
          and W_out likewise with the second entries.

    Examples:
        >>> import neuralab as nl
        >>> conv = nl.nn.Conv2d(3, 8, kernel_size=3, padding=1)
        >>> conv.weight.shape
        (8, 3, 3, 3)
        >>> conv(nl.zeros(2, 3, 28, 28)).shape
        (2, 8, 28, 28)
        >>> nl.nn.Conv2d(3, 8, 5, stride=2)(nl.zeros(2, 3, 28, 28)).shape
        (2, 8, 12, 12)
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
        """Re-initializes as PyTorch: kaiming_uniform_(a = sqrt 5), bias ~ U(+-1/sqrt(fan_in))."""
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
    """Applies a 2-D transposed convolution, the adjoint (gradient) of Conv2d.

    Each input pixel scatters a weighted copy of the kernel into the output ("deconvolution"
    in DCGAN): y[n, o, s i + d p - pad, s j + d q - pad] += x[n, c, i, j] w[c, o, p, q], plus
    b[o].

    The weight has shape (in_channels, out_channels / groups, kh, kw) and the bias
    (out_channels,). Initialized as PyTorch: ``kaiming_uniform_(a = sqrt 5)`` on the weight and
    the bias ~ U(+-1/sqrt(fan_in)), fan_in computed from the weight as stored,
    (out_channels / groups) kh kw.

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels of the output.
        kernel_size: (kh, kw), or one int for both.
        stride: the step, an int or a pair. Defaults to 1.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are implicitly added to the
            input on each side; an int or a pair. Defaults to 0.
        output_padding: extra rows/columns added to one side of the output, to choose among
            the sizes a strided Conv2d maps to the same size. Defaults to 0.
        groups: the number of blocked connections from input to output channels. Defaults to 1.
        bias: whether to add a learned bias. Defaults to True.
        dilation: the spacing between kernel taps. Defaults to 1.
        padding_mode: only ``'zeros'`` is supported. Defaults to ``'zeros'``.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the parameters' dtype, float32 or float64. Defaults to None (the default
            float dtype).

    Raises:
        ValueError: if ``padding_mode`` is not ``'zeros'``, or the channel counts are not
            positive and divisible by ``groups``.
        NotImplementedError: in the forward pass, if ``output_size`` is given.

    Shape:
        - Input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        - Output: (N, C_out, H_out, W_out) or (C_out, H_out, W_out), where
          H_out = (H_in - 1) stride[0] - 2 padding[0] + dilation[0] (kernel_size[0] - 1)
          + output_padding[0] + 1, and W_out likewise.

    Examples:
        >>> import neuralab as nl
        >>> up = nl.nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)
        >>> up.weight.shape
        (16, 8, 4, 4)
        >>> up(nl.zeros(2, 16, 7, 7)).shape
        (2, 8, 14, 14)
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
        """Re-initializes as PyTorch: kaiming_uniform_(a = sqrt 5), bias ~ U(+-1/sqrt(fan_in))."""
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
