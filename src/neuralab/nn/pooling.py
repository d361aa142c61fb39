"""Pooling layers, as ``torch.nn.MaxPool2d``, ``AvgPool2d`` and ``AdaptiveAvgPool2d``."""

from __future__ import annotations

from neuralab.nn.module import Module
from neuralab.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from neuralab.tensor import Tensor


class MaxPool2d(Module):
    """Takes the maximum of each kernel_size window: y[n, c, i, j] = max_{p, q}
    x[n, c, s i + d p - pad, s j + d q - pad] (padding counts as -inf).

    Args:
        kernel_size: the window, an int or a pair.
        stride: the step of the window. Defaults to None (= kernel_size).
        padding: -inf added on each side (at most half the kernel). Defaults to 0.
        dilation: the spacing between window elements. Defaults to 1.
        return_indices: also return the flat index (over H_in * W_in) of each maximum.
            Defaults to False.
        ceil_mode: use ceil instead of floor in the output size, so that a last partial window
            still counts (if it starts inside the input or left padding). Defaults to False.

    Raises:
        ValueError: in the forward pass, if the input is not 3-D/4-D or the sizes are
            invalid (see ``neuralab.functional.max_pool2d``).

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out) or (C, H_out, W_out), where
          H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1)
          / stride[0] + 1)
          (ceil with ``ceil_mode``) and W_out likewise.

    Examples:
        >>> import neuralab as nl
        >>> pool = nl.nn.MaxPool2d(2)
        >>> pool(nl.arange(16.0).reshape(1, 1, 4, 4))
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
            self.return_indices,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """Takes the mean of each kernel_size window: y[n, c, i, j] = sum_{p, q}
    x[n, c, s i + p - pad, s j + q - pad] / divisor.

    The divisor is kh kw with ``count_include_pad`` (padding counts as zeros), else the number
    of window elements inside the input, or ``divisor_override`` when given.

    Args:
        kernel_size: the window, an int or a pair.
        stride: the step of the window. Defaults to None (= kernel_size).
        padding: zeros added on each side (at most half the kernel). Defaults to 0.
        ceil_mode: use ceil instead of floor in the output size. Defaults to False.
        count_include_pad: count the padding zeros in the divisor. Defaults to True.
        divisor_override: a fixed divisor instead. Defaults to None.

    Raises:
        ValueError: in the forward pass, if the input is not 3-D/4-D or the sizes are
            invalid (see ``neuralab.functional.avg_pool2d``).

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out) or (C, H_out, W_out), where
          H_out = floor((H_in + 2 padding[0] - kernel_size[0]) / stride[0] + 1) (ceil with
          ``ceil_mode``) and W_out likewise.

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.AvgPool2d(2)(nl.arange(16.0).reshape(1, 1, 4, 4))
        tensor([[[[ 2.5,  4.5],
                  [10.5, 12.5]]]])
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad, self.divisor_override,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, whatever the input size.

    Output cell (i, j) averages input rows floor(i H_in / H_out) to ceil((i + 1) H_in / H_out)
    - 1 (and likewise columns), as PyTorch.

    Args:
        output_size: (H_out, W_out), or one int for both; None in the pair keeps that input
            size.

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out) or (C, H_out, W_out).

    Examples:
        >>> import neuralab as nl
        >>> nl.nn.AdaptiveAvgPool2d((5, 7))(nl.zeros(1, 64, 8, 9)).shape
        (1, 64, 5, 7)
        >>> nl.nn.AdaptiveAvgPool2d(1)(nl.arange(4.0).reshape(1, 1, 2, 2))
        tensor([[[[1.5]]]])
    """

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
