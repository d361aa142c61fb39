"""Property-based parity with PyTorch: random broadcastable shapes (size-1 and empty
dimensions included) and random axes, negative ones included."""

from __future__ import annotations

import operator

import numpy as np
from helpers import compare_with_torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": lambda a, b: a / (b.abs() + 0.5),
    "maximum": None,
    "pow": lambda a, b: (a.abs() + 0.5) ** b,
}

shapes2 = mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3
)


@settings(max_examples=40, deadline=None)
@given(shapes=shapes2, op=st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_torch(shapes, op):
    fn = BINARY[op]
    if fn is None:
        compare_with_torch(lambda m, a, b: m.lib.maximum(a, b), list(shapes.input_shapes))
    else:
        compare_with_torch(lambda m, a, b: fn(a, b), list(shapes.input_shapes))


@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ndim = len(shape)
    dims = draw(
        st.lists(
            st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda d: d % ndim
        )
    )
    return shape, tuple(dims), draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(case=shape_and_dims(), op=st.sampled_from(["sum", "mean", "amax", "var"]))
def test_reductions_over_random_axes_match_torch(case, op):
    shape, dims, keepdim = case
    if op == "var":
        count = int(np.prod([shape[d] for d in dims]))
        if count < 2:
            return  # variance with one sample divides by zero in both libraries
        compare_with_torch(lambda m, a: a.var(dim=dims, keepdim=keepdim), [shape])
    elif op == "amax":
        compare_with_torch(lambda m, a: m.lib.amax(a, dim=dims, keepdim=keepdim), [shape])
    else:
        compare_with_torch(lambda m, a: getattr(a, op)(dim=dims, keepdim=keepdim), [shape])


@settings(max_examples=30, deadline=None)
@given(case=shape_and_dims(), op=st.sampled_from(["softmax", "log_softmax"]))
def test_softmax_along_any_axis_matches_torch(case, op):
    shape, dims, _ = case
    compare_with_torch(lambda m, a: getattr(m.F, op)(a, dim=dims[0]), [shape])
