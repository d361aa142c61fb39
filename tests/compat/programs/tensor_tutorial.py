"""The tensors tutorial (tensorqs) and the everyday tensor methods around it.

Random tensors are only used where their values do not reach a METRIC, so both runs
must agree exactly (to float32 rounding).
"""

import numpy as np
import torch

torch.manual_seed(0)


def metric(name, value):
    if isinstance(value, list):  # one metric per element: floats are compared with a tolerance
        for i, item in enumerate(value):
            metric(f"{name}_{i}", item)
    else:
        print(f"METRIC {name} {value if isinstance(value, str) else repr(value)}")


# Initializing a tensor
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
x_ones = torch.ones_like(x_data)  # retains the properties of x_data
print(f"Ones Tensor: \n {x_ones} \n")
x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data
print(f"Random Tensor: \n {x_rand} \n")
metric("x_data_dtype_is_int64", float(x_data.dtype == torch.int64))
metric("x_np_sum", x_np.sum().item())
metric("x_rand_in_unit", float(((x_rand >= 0) & (x_rand < 1)).all().item()))

shape = (2, 3)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
metric("rand_shape", str(tuple(rand_tensor.shape)))
metric("ones_sum", ones_tensor.sum().item())

# Attributes of a tensor
tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
metric("dtype_float32", float(tensor.dtype == torch.float32))
metric("device_type", tensor.device.type)

# Standard numpy-like indexing and slicing
tensor = torch.ones(4, 4)
tensor[:, 1] = 0
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
metric("ones_with_zero_column", tensor.sum().item())

# Joining tensors
t1 = torch.cat([tensor, tensor, tensor], dim=1)
metric("cat_shape", str(tuple(t1.shape)))

# Arithmetic operations
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
metric("matmul_sum", y1.sum().item())
metric("matmul_forms_agree", float(torch.equal(y1, y2) and torch.equal(y1, y3)))
metric("mul_forms_agree", float(torch.equal(z1, z2) and torch.equal(z1, z3)))

# Single-element tensors
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
metric("agg_item", agg_item)
metric("agg_item_is_float", float(isinstance(agg_item, float)))

# In-place operations
print(f"{tensor} \n")
tensor.add_(5)
print(tensor)
metric("add_inplace_sum", tensor.sum().item())

# Bridge with NumPy
t = torch.ones(5)
n = t.numpy()
t.add_(1)
metric("numpy_shares_memory", float(n[0]))
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
metric("from_numpy_shares_memory", t[0].item())
metric("from_numpy_dtype_float64", float(t.dtype == torch.float64))

# Everyday methods
a = torch.arange(24, dtype=torch.float32)
b = a.view(-1, 8)
metric("view_shape", str(tuple(b.size())))
metric("size0", b.size(0))
metric("size_minus1", b.size(-1))
metric("numel", b.numel())
metric("dim", b.dim())
metric("t_shape", str(tuple(b.t().shape)))
metric("t_contiguous_sum_row0", b.t().contiguous()[0].sum().item())
metric("narrow_sum", b.narrow(1, 2, 3).sum().item())
metric("narrow_dim0_sum", b.narrow(0, 1, 2).sum().item())
c = torch.zeros(8, 3)
metric("view_as_shape", str(tuple(a.view_as(c).shape)))
metric("reshape_as_shape", str(tuple(a.reshape_as(c).shape)))
metric("expand_as_sum", torch.tensor([[1.0], [2.0], [3.0]]).expand_as(b).sum().item())
metric("type_float64", float(b.type(torch.float64).dtype == torch.float64))
metric("long_dtype", float(b.long().dtype == torch.int64))
metric("float_dtype", float(b.long().float().dtype == torch.float32))
metric("double_dtype", float(b.double().dtype == torch.float64))
metric("tolist", b[:2, :3].tolist())
metric("tolist_long", str(b[0, :4].long().tolist()))  # "[0, 1, 2, 3]": Python ints

u = torch.tensor([0.5, 1.5, 2.5, 10.0])
metric("log1p_sum", u.log1p().sum().item())
metric("expm1_sum", u[:3].expm1().sum().item())
metric("log2_sum", u.log2().sum().item())
metric("log10_sum", u.log10().sum().item())
metric("sin_sum", u.sin().sum().item())
metric("cos_sum", u.cos().sum().item())
metric("sqrt_sum", u.sqrt().sum().item())
metric("rsqrt_sum", torch.rsqrt(u).sum().item())

v = torch.tensor([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0])
w = torch.tensor([3.0, 2.0, 4.0, 1.0, 5.0, 0.0, 2.0, 7.0])
metric("argmax", torch.argmax(v).item())
metric("argmin", v.argmin().item())
metric("eq_sum", v.eq(w).sum().item())
metric("ne_sum", v.ne(w).sum().item())
metric("eq_operator_sum", (v == w).sum().item())
values, indices = torch.topk(v, 3)
metric("topk_values", values.tolist())
metric("topk_indices", str(indices.tolist()))
values, indices = v.topk(2, largest=False)
metric("topk_smallest", values.tolist())
sorted_v, order = torch.sort(v)
metric("sort_values", sorted_v.tolist())
metric("sort_indices", str(order.tolist()))
sorted_desc, _ = v.sort(descending=True)
metric("sort_desc", sorted_desc.tolist())
metric("argsort", str(torch.argsort(v).tolist()))
metric("argsort_desc", str(v.argsort(descending=True).tolist()))

m = b.sum(dim=1, keepdim=True)
metric("sum_keepdim_shape", str(tuple(m.shape)))
metric("mean_dim0", b.mean(dim=0).tolist())
mx, mi = b.max(dim=1)
metric("max_dim1_values", mx.tolist())
metric("max_dim1_indices", str(mi.tolist()))
metric("std", b.std().item())
metric("var_dim1", b.var(dim=1).tolist())

xs, ys = torch.meshgrid(torch.arange(3), torch.arange(4), indexing="ij")
metric("meshgrid_shape", str(tuple(xs.shape)))
metric("meshgrid_sum", (xs * 10 + ys).sum().item())

metric("new_zeros", b.new_zeros(2, 2).tolist())
metric("new_ones_sum", b.new_ones((3, 2)).sum().item())
metric("new_full", str(b.new_full((2,), 7.5).tolist()))
metric("new_tensor_dtype", float(b.new_tensor([1, 2]).dtype == torch.float32))
metric("zeros_like_dtype", float(torch.zeros_like(b.long()).dtype == torch.int64))
metric("full_sum", torch.full((2, 3), 1.5).sum().item())
metric("eye_trace", torch.eye(4).trace().item())
metric("arange_float", torch.arange(0, 1, 0.25).tolist())
metric("linspace", torch.linspace(0, 1, 5).tolist())
metric("stack_shape", str(tuple(torch.stack([v, w]).shape)))
metric("unsqueeze_shape", str(tuple(v.unsqueeze(0).unsqueeze(-1).shape)))
metric("squeeze_shape", str(tuple(torch.zeros(1, 3, 1).squeeze().shape)))
metric("permute_shape", str(tuple(torch.zeros(2, 3, 4).permute(2, 0, 1).shape)))
metric("transpose_shape", str(tuple(torch.zeros(2, 3, 4).transpose(0, 2).shape)))
metric("flatten_shape", str(tuple(torch.zeros(2, 3, 4).flatten(1).shape)))
metric("where_sum", torch.where(v > 3, v, torch.zeros_like(v)).sum().item())
metric("clamp_sum", v.clamp(min=2.0, max=5.0).sum().item())
metric("masked_sum", v[v > 2].sum().item())
metric("chunk_count", len(torch.arange(10).chunk(3)))
metric("split_sizes", str([len(s) for s in torch.arange(10).split(4)]))
metric("bool_any", float((v > 8).any().item()))
metric("bool_all", float((v > 0).all().item()))
metric("abs_sum", torch.tensor([-1.0, 2.0, -3.0]).abs().sum().item())
metric("pow_sum", (v**2).sum().item())
metric("floor_div", str((torch.tensor([7, 8, 9]) // 2).tolist()))
metric("remainder", str((torch.tensor([7, 8, 9]) % 4).tolist()))
metric("int_div_true", str((torch.tensor([7, 8]) / 2).tolist()))
metric("cumsum", str(torch.tensor([1.0, 2.0, 3.0]).cumsum(dim=0).tolist()))
metric("prod", torch.tensor([1.0, 2.0, 3.0, 4.0]).prod().item())
metric("norm", torch.tensor([3.0, 4.0]).norm().item())
metric("dot", torch.dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])).item())
metric("clone_independent", float(not torch.equal(v.clone().add_(1), v)))
metric("repr_int", str(torch.tensor(3).item()))
