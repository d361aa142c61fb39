"""Embedding: a learned lookup table of vectors, one row per index, as ``torch.nn.Embedding``."""

from __future__ import annotations

from typing import Any

from neuralab.creation import zeros
from neuralab.nn import init
from neuralab.nn.module import Module, Parameter, factory_dtype
from neuralab.ops.embedding import embedding
from neuralab.tensor import Tensor, no_grad


class Embedding(Module):
    """A learned lookup table: y = W[idx], each integer index picks a row of W.

    W has shape (num_embeddings, embedding_dim), initialized as PyTorch: W ~ N(0, 1), with the
    ``padding_idx`` row (if any) zero; that row gets no gradient, so it stays zero in training.

    Args:
        num_embeddings: the number of rows (the size of the vocabulary).
        embedding_dim: the size of each vector.
        padding_idx: a row kept at zero and out of the gradient (negative counts from the
            end). Defaults to None.
        max_norm: if given, the rows looked up are renormalized in place to a p-norm of at
            most ``max_norm``: w <- w max_norm / (||w||_p + 1e-7) where ||w||_p > max_norm.
            Defaults to None.
        norm_type: p of the norm for ``max_norm``. Defaults to 2.0.
        scale_grad_by_freq: divide each row's gradient by how often its index occurs in the
            batch. Defaults to False.
        sparse: sparse gradients are not implemented; must be False. Defaults to False.
        _weight: an initial table of shape (num_embeddings, embedding_dim) (used by
            ``from_pretrained``). Defaults to None.
        _freeze: with ``_weight``, make the table not require gradients. Defaults to False.
        device: where the parameters live; only the CPU (None or ``'cpu'``). Defaults to None.
        dtype: the table's dtype, float32 or float64. Defaults to None (the default float
            dtype).

    Raises:
        NotImplementedError: if ``sparse`` is True.
        ValueError: if a size is negative, ``padding_idx`` is out of range, ``max_norm`` is
            negative or ``_weight`` has the wrong shape.

    Shape:
        - Input: (*), integer indices in [0, num_embeddings).
        - Output: (*, H) with H = embedding_dim.

    Examples:
        >>> import neuralab as nl
        >>> emb = nl.nn.Embedding(10, 3, padding_idx=0)
        >>> y = emb(nl.tensor([[0, 2], [4, 9]]))
        >>> y.shape, y[0, 0].tolist()
        ((2, 2, 3), [0.0, 0.0, 0.0])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, "nn.Embedding")
        if sparse:
            raise NotImplementedError(
                "nn.Embedding(sparse=True): sparse gradients are not implemented in neuralab; "
                "use sparse=False (dense gradients, same values)"
            )
        for label, value in (("num_embeddings", num_embeddings), ("embedding_dim",
                             embedding_dim)):  # fmt: skip
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {label} must be a non-negative int, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                    f"got {padding_idx}"
                )
            padding_idx %= num_embeddings
        if max_norm is not None and max_norm < 0:
            raise ValueError(f"Embedding: max_norm must be non-negative, got {max_norm}")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(zeros(num_embeddings, embedding_dim, dtype=dtype))
            self.reset_parameters()
        else:
            weight = _weight._data if isinstance(_weight, Tensor) else _weight
            if tuple(weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Embedding: _weight must have shape {(num_embeddings, embedding_dim)}, "
                    f"got {tuple(weight.shape)}"
                )
            self.weight = Parameter(weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Re-initializes the table: W ~ N(0, 1), the padding row set to zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
    ) -> Embedding:
        """Creates an Embedding whose table is ``embeddings`` (sharing its memory).

        Args:
            embeddings: a 2-D table (num_embeddings, embedding_dim), a Tensor or an array.
            freeze: keep the table out of training (``requires_grad=False``). Defaults to True.
            padding_idx: as in the constructor. Defaults to None.
            max_norm: as in the constructor. Defaults to None.
            norm_type: as in the constructor. Defaults to 2.0.
            scale_grad_by_freq: as in the constructor. Defaults to False.

        Returns:
            The new Embedding.

        Raises:
            ValueError: if ``embeddings`` is not 2-D.

        Examples:
            >>> import neuralab as nl
            >>> emb = nl.nn.Embedding.from_pretrained(nl.tensor([[1.0, 2.0], [3.0, 4.0]]))
            >>> emb(nl.tensor([1])), emb.weight.requires_grad
            (tensor([[3., 4.]]), False)
        """
        weight = embeddings._data if isinstance(embeddings, Tensor) else embeddings
        if weight.ndim != 2:
            raise ValueError(
                f"Embedding.from_pretrained: embeddings must be 2-D, got {weight.shape}"
            )
        module = cls(
            weight.shape[0],
            weight.shape[1],
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            _weight=weight,
        )
        module.weight.requires_grad_(not freeze)
        return module

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s
