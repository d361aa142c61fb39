"""Device handling as it appears at the top of most PyTorch scripts: picking a device,
seeding every generator, cuDNN flags, moving tensors and models, creating them on a device.

Metrics are written so they hold on any machine (e.g. "the tensor is on the chosen
device"), not "the device is a CPU".
"""

import torch
import torch.nn as nn


def set_seed(seed):
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


torch.manual_seed(0)
set_seed(0)

print("CUDA available:", torch.cuda.is_available())
print("CUDA devices:", torch.cuda.device_count())
if hasattr(torch.backends, "mps"):
    print("MPS available:", torch.backends.mps.is_available())
print("Accelerator available:", torch.accelerator.is_available())

if torch.cuda.is_available():
    device = torch.device("cuda")
elif torch.backends.mps.is_available():
    device = torch.device("mps")
else:
    device = torch.device("cpu")
print(f"Using device: {device}")

print("METRIC cuda_is_bool", float(isinstance(torch.cuda.is_available(), bool)))
print(
    "METRIC count_consistent", float((torch.cuda.device_count() > 0) == torch.cuda.is_available())
)
print(
    "METRIC accelerator_consistent",
    float(torch.accelerator.is_available() == (device.type != "cpu")),
)
print("METRIC device_type_known", float(device.type in ("cpu", "cuda", "mps")))

cpu = torch.device("cpu")
print("METRIC cpu_str", str(cpu))
print("METRIC cpu_type", cpu.type)
print("METRIC cpu_eq", float(cpu == torch.device("cpu")))
cuda0 = torch.device("cuda", 0)
print("METRIC cuda0_str", str(cuda0))
print("METRIC cuda0_index", cuda0.index)
print("METRIC cuda_colon_index", torch.device("cuda:1").index)
print("METRIC cpu_index_none", float(cpu.index is None))

x = torch.tensor([1.0, 2.0, 3.0])
print("METRIC default_on_cpu", float(x.device == cpu))
print("METRIC default_is_cuda", float(x.is_cuda))
y = x.to(device)
print("METRIC to_device", float(y.device.type == device.type))
print("METRIC to_values", str(y.cpu().tolist()))
print("METRIC cpu_to_cpu_is_self", float(x.cpu() is x))
print("METRIC to_same_device_is_self", float(x.to("cpu") is x))
print("METRIC to_dtype", float(x.to(torch.float64).dtype == torch.float64))
z = x.to(device, dtype=torch.float64)
print("METRIC to_device_dtype", float(z.dtype == torch.float64 and z.device.type == device.type))
print(
    "METRIC to_other_tensor", float(torch.zeros(2, dtype=torch.int64).to(x).dtype == torch.float32)
)

t = torch.tensor([1.0], device=device)
print("METRIC tensor_device", float(t.device.type == device.type))
zeros = torch.zeros(2, 3, device=device)
print("METRIC zeros_device", float(zeros.device.type == device.type))
print("METRIC ones_device", float(torch.ones(4, device=device).device.type == device.type))
print("METRIC randn_device", float(torch.randn(2, 2, device=device).device.type == device.type))
print("METRIC arange_device", float(torch.arange(5, device=device).device.type == device.type))
print("METRIC full_device", float(torch.full((2,), 3.0, device=device).device.type == device.type))
print("METRIC zeros_like_keeps_device", float(torch.zeros_like(zeros).device == zeros.device))
print("METRIC device_string_arg", float(torch.ones(2, device="cpu").device == cpu))

layer = nn.Linear(3, 4, device=device)
print("METRIC linear_device", float(layer.weight.device.type == device.type))
print("METRIC linear_out", str(tuple(layer(torch.ones(2, 3, device=device)).shape)))

model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
returned = model.to(device)
print("METRIC module_to_returns_self", float(returned is model))
print(
    "METRIC params_on_device", float(all(p.device.type == device.type for p in model.parameters()))
)
print("METRIC next_params_device", float(next(model.parameters()).device.type == device.type))
out = model(torch.randn(5, 3).to(device))
print("METRIC output_device", float(out.device.type == device.type))
loss = out.pow(2).mean()
loss.backward()
print("METRIC grad_device", float(model[0].weight.grad.device.type == device.type))
print("METRIC item_is_float", float(isinstance(loss.item(), float)))
back = out.detach().cpu().numpy()
print("METRIC numpy_shape", str(back.shape))
model.cpu()
print("METRIC module_cpu", float(next(model.parameters()).device == cpu))
print("METRIC module_double", float(model.double()[0].weight.dtype == torch.float64))
print("METRIC module_float", float(model.float()[0].weight.dtype == torch.float32))
