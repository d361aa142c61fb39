"""Every op: values and gradients equal PyTorch's (float32 and float64) and gradcheck
passes in float64. Shapes cover broadcasting, size-1 and empty dimensions and negative
axes; each case is one line naming the op, its shapes and its domain."""

from __future__ import annotations

import pytest
from helpers import check_op

POS = (0.2, 2.0)  # domain of log, sqrt, pow bases

CASES = {
    # arithmetic, with broadcasting
    "add": (lambda m, a, b: a + b, [(3, 4), (4,)]),
    "add_scalar": (lambda m, a: 2.5 + a, [(3, 4)]),
    "sub": (lambda m, a, b: a - b, [(2, 1, 4), (3, 1)]),
    "rsub": (lambda m, a: 1.0 - a, [(5,)]),
    "mul": (lambda m, a, b: a * b, [(2, 3, 4), (1, 3, 1)]),
    "div": (lambda m, a, b: a / b, [(3, 4), (3, 1)], POS),
    "rdiv": (lambda m, a: 2.0 / a, [(3, 4)], POS),
    "neg": (lambda m, a: -a, [(3, 4)]),
    "pow_scalar": (lambda m, a: a**3, [(3, 4)]),
    "pow_fractional": (lambda m, a: a**0.5, [(3, 4)], POS),
    "pow_tensor": (lambda m, a, b: a**b, [(3, 4), (4,)], POS),
    "rpow": (lambda m, a: 2.0**a, [(3, 4)]),
    "exp": (lambda m, a: m.lib.exp(a), [(3, 4)]),
    "log": (lambda m, a: m.lib.log(a), [(3, 4)], POS),
    "sqrt": (lambda m, a: m.lib.sqrt(a), [(3, 4)], POS),
    "abs": (lambda m, a: m.lib.abs(a), [(3, 4)]),
    "maximum": (lambda m, a, b: m.lib.maximum(a, b), [(3, 4), (1, 4)]),
    "minimum": (lambda m, a, b: m.lib.minimum(a, b), [(3, 4), (3, 1)]),
    "clamp": (lambda m, a: m.lib.clamp(a, -0.5, 0.7), [(4, 5)]),
    "clamp_min": (lambda m, a: a.clamp(min=0.1), [(4, 5)]),
    "where": (lambda m, a, b: m.lib.where(a > b, a, b * 2), [(3, 4), (4,)]),
    "empty_dim": (lambda m, a, b: a * b + 1, [(0, 4), (4,)]),
    "size_one": (lambda m, a, b: a / (b + 3), [(1, 1), (5, 1)]),
    # matmul
    "matmul_2d": (lambda m, a, b: a @ b, [(3, 4), (4, 5)]),
    "matmul_batched": (lambda m, a, b: a @ b, [(2, 3, 4), (2, 4, 5)]),
    "matmul_broadcast": (lambda m, a, b: m.lib.matmul(a, b), [(2, 1, 3, 4), (3, 4, 2)]),
    "matmul_vec_mat": (lambda m, a, b: a @ b, [(4,), (4, 3)]),
    "matmul_mat_vec": (lambda m, a, b: a @ b, [(2, 3, 4), (4,)]),
    "matmul_dot": (lambda m, a, b: a @ b, [(4,), (4,)]),
    # reductions
    "sum_all": (lambda m, a: a.sum(), [(3, 4)]),
    "sum_dim": (lambda m, a: a.sum(dim=1), [(3, 4, 2)]),
    "sum_neg_keepdim": (lambda m, a: a.sum(dim=-1, keepdim=True), [(3, 4)]),
    "sum_dims": (lambda m, a: a.sum(dim=(0, -1)), [(3, 4, 2)]),
    "sum_empty": (lambda m, a: a.sum(dim=0), [(0, 3)]),
    "mean_all": (lambda m, a: a.mean(), [(3, 4)]),
    "mean_dims_keep": (lambda m, a: a.mean(dim=(1, 2), keepdim=True), [(2, 3, 4)]),
    "var_all": (lambda m, a: a.var(), [(3, 4)]),
    "var_dim": (lambda m, a: a.var(dim=-1, keepdim=True), [(3, 5)]),
    "var_biased": (lambda m, a: m.lib.var(a, dim=0, correction=0), [(6, 2)]),
    "std": (lambda m, a: a.std(dim=1), [(3, 5)]),
    "max_all": (lambda m, a: a.max(), [(3, 4)]),
    "max_dim": (lambda m, a: a.max(dim=1), [(3, 4)]),
    "max_dim_keep": (lambda m, a: a.max(dim=-1, keepdim=True), [(2, 3, 4)]),
    "min_dim": (lambda m, a: a.min(dim=0), [(3, 4)]),
    "amax_dims": (lambda m, a: m.lib.amax(a, dim=(0, 2)), [(3, 4, 2)]),
    "amin": (lambda m, a: m.lib.amin(a, dim=-1), [(3, 4)]),
    "gather": (lambda m, a: m.lib.gather(a, 1, m.lib.tensor([[0, 2, 2], [1, 0, 3]])), [(2, 4)]),
    # shape
    "reshape": (lambda m, a: a.reshape(4, 3) * 2, [(3, 4)]),
    "reshape_infer": (lambda m, a: a.reshape(-1), [(3, 4)]),
    "view": (lambda m, a: a.view(2, 6), [(3, 4)]),
    "flatten": (lambda m, a: a.flatten(1), [(2, 3, 4)]),
    "unsqueeze_squeeze": (
        lambda m, a: a.unsqueeze(1).squeeze(1) * a.unsqueeze(-1).sum(-1),
        [(3, 4)],
    ),
    "transpose": (lambda m, a: a.transpose(0, -1) * 2, [(2, 3, 4)]),
    "permute": (lambda m, a: a.permute(2, 0, 1) * 2, [(2, 3, 4)]),
    "T": (lambda m, a: a.T * 2, [(3, 4)]),
    "expand": (lambda m, a: a.expand(3, 4) * 2, [(1, 4)]),
    "index_basic": (lambda m, a: a[1:, ::2] * 2, [(3, 4)]),
    "index_int": (lambda m, a: a[1] * 2, [(3, 4)]),
    "index_neg_ellipsis": (lambda m, a: a[..., -1] * 2, [(2, 3, 4)]),
    "index_none": (lambda m, a: a[None, :, 1] * 2, [(3, 4)]),
    "index_array_repeats": (lambda m, a: a[m.lib.tensor([0, 2, 0, 0])] * 2, [(3, 4)]),
    "index_arrays": (
        lambda m, a: a[m.lib.tensor([0, 2, 0]), m.lib.tensor([1, 1, 3])] * 2,
        [(3, 4)],
    ),
    "index_bool": (lambda m, a: a[a > 0] * 2, [(3, 4)]),
    "cat": (lambda m, a, b: m.lib.cat([a, b, a], dim=1), [(2, 3), (2, 1)]),
    "cat_neg": (lambda m, a, b: m.lib.cat([a, b], dim=-1), [(2, 2, 3), (2, 2, 2)]),
    "stack": (lambda m, a, b: m.lib.stack([a, b], dim=1), [(2, 3), (2, 3)]),
    "stack_last": (lambda m, a, b: m.lib.stack([a, b, a], dim=-1), [(2, 3), (2, 3)]),
    "pad_constant": (lambda m, a: m.F.pad(a, (1, 2, 0, 1), value=0.5), [(2, 3, 4)]),
    "pad_reflect": (lambda m, a: m.F.pad(a, (2, 1), mode="reflect"), [(2, 3, 4)]),
    "pad_replicate": (lambda m, a: m.F.pad(a, (1, 2, 2, 1), mode="replicate"), [(1, 2, 3, 4)]),
    "pad_circular": (lambda m, a: m.F.pad(a, (1, 2), mode="circular"), [(2, 3, 4)]),
    # activations
    "relu": (lambda m, a: m.F.relu(a), [(3, 4)]),
    "relu_method": (lambda m, a: a.relu(), [(3, 4)]),
    "leaky_relu": (lambda m, a: m.F.leaky_relu(a, 0.1), [(3, 4)]),
    "sigmoid": (lambda m, a: m.lib.sigmoid(a), [(3, 4)], (-8.0, 8.0)),
    "tanh": (lambda m, a: m.lib.tanh(a), [(3, 4)]),
    "elu": (lambda m, a: m.F.elu(a, alpha=0.7), [(3, 4)]),
    "gelu": (lambda m, a: m.F.gelu(a), [(3, 4)], (-4.0, 4.0)),
    "gelu_tanh": (lambda m, a: m.F.gelu(a, approximate="tanh"), [(3, 4)], (-4.0, 4.0)),
    "erf": (lambda m, a: m.lib.erf(a), [(3, 4)], (-3.0, 3.0)),
    "softmax": (lambda m, a: m.F.softmax(a, dim=-1), [(3, 4)]),
    "softmax_dim0": (lambda m, a: m.lib.softmax(a, dim=0), [(3, 4, 2)]),
    "log_softmax": (lambda m, a: m.F.log_softmax(a, dim=1), [(3, 4)]),
    "log_softmax_neg": (lambda m, a: m.F.log_softmax(a, dim=-2), [(2, 3, 4)]),
    # fused
    "linear": (lambda m, x, w, b: m.F.linear(x, w, b), [(5, 4), (3, 4), (3,)]),
    "linear_nobias": (lambda m, x, w: m.F.linear(x, w), [(5, 4), (3, 4)]),
    "linear_3d": (lambda m, x, w, b: m.F.linear(x, w, b), [(2, 5, 4), (3, 4), (3,)]),
    "linear_1d": (lambda m, x, w, b: m.F.linear(x, w, b), [(4,), (3, 4), (3,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_torch_and_gradcheck(name):
    fn, shapes, *domain = CASES[name]
    check_op(fn, shapes, *domain)
