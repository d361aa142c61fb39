"""The parity helper: run one expression in neuralab and in PyTorch on the same random
inputs and compare values and gradients; plus a float64 finite-difference gradcheck.

An expression is written once as ``fn(m, *tensors)`` where ``m`` is ``NL`` or ``TORCH``,
so ``lambda m, x: m.F.softmax(x, dim=-1)`` runs in both libraries.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

import neuralab
import neuralab.functional

NL = SimpleNamespace(lib=neuralab, F=neuralab.functional, name="neuralab")
TORCH = SimpleNamespace(lib=torch, F=torch.nn.functional, name="torch")

TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}


def random_inputs(shapes, domain=(-2.0, 2.0), dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = domain
    return [rng.uniform(lo, hi, size=s).astype(dtype) for s in shapes]


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def compare_with_torch(fn, shapes, domain=(-2.0, 2.0), dtype="float32", seed=0, tol=None):
    """Values and gradients of fn in neuralab equal PyTorch's on the same inputs."""
    tol = tol or TOLERANCE[dtype]
    arrays = random_inputs(shapes, domain, dtype, seed)
    ours = [neuralab.tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out_ours, out_theirs = _outputs(fn(NL, *ours)), _outputs(fn(TORCH, *theirs))
    assert len(out_ours) == len(out_theirs)
    rng = np.random.default_rng(seed + 1)
    total_ours, total_theirs = 0, 0
    for a, b in zip(out_ours, out_theirs):
        expected = b.detach().numpy()
        assert a.shape == tuple(expected.shape), f"shape {a.shape} != torch's {expected.shape}"
        assert a.dtype == expected.dtype, f"dtype {a.dtype} != torch's {expected.dtype}"
        np.testing.assert_allclose(a._data, expected, **tol, err_msg="forward values")
        if b.requires_grad:
            v = rng.standard_normal(expected.shape).astype(dtype)
            total_ours = total_ours + (a * neuralab.tensor(v)).sum()
            total_theirs = total_theirs + (b * torch.tensor(v)).sum()
    if isinstance(total_theirs, torch.Tensor):
        total_ours.backward()
        total_theirs.backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad._data), f"input {i}: torch has no grad"
            continue
        assert a.grad is not None, f"input {i}: no gradient, torch has one"
        assert a.grad.dtype == a.dtype, f"input {i}: gradient dtype {a.grad.dtype}"
        np.testing.assert_allclose(
            a.grad._data, b.grad.numpy(), **tol, err_msg=f"gradient of input {i}"
        )


def gradcheck(fn, shapes, domain=(-2.0, 2.0), seed=0):
    """fn's analytical gradients in float64 match central finite differences."""
    arrays = random_inputs(shapes, domain, "float64", seed)
    inputs = [neuralab.tensor(a, requires_grad=True) for a in arrays]
    assert neuralab.autograd.gradcheck(lambda *xs: fn(NL, *xs), inputs)


def check_op(fn, shapes, domain=(-2.0, 2.0), tol32=None):
    """The full check of one op: parity in float32 and float64, and gradcheck."""
    compare_with_torch(fn, shapes, domain, "float32", tol=tol32)
    compare_with_torch(fn, shapes, domain, "float64")
    gradcheck(fn, shapes, domain)
