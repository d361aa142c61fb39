"""Stand-in for torchvision on the PyTorch side of the compat tests (see ../README.md)."""

from torchvision import datasets, transforms

__version__ = "0.0.0+compat-reference"
__all__ = ["datasets", "transforms"]
