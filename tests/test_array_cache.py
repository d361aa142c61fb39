"""The array cache of the hot ops: an array is handed out again only when nothing else uses
it, so outputs and gradients a caller keeps are never overwritten by a later step."""

import numpy as np
import pytest

import neuralab as nl
from neuralab import nn
from neuralab.ops.array_cache import ArrayCache, cache, empty, empty_like, layout


def test_array_cache_reuses_only_free_arrays_and_respects_its_limit():
    cache = ArrayCache(max_bytes=3 * 80_000, min_bytes=1000)
    a = cache.empty((100, 100), np.float64)  # 80 kB
    b = cache.empty((100, 100), np.float64)
    assert a is not b
    a_id = id(a)
    del a
    c = cache.empty((100, 100), np.float64)
    assert id(c) == a_id  # freed, so reused
    view = c[:10]
    del c
    assert id(cache.empty((100, 100), np.float64)) != a_id  # a view keeps it in use
    del view
    cache.empty((200, 100), np.float64)  # 160 kB: the free arrays make room
    assert cache.empty((10, 10), np.float64).shape == (10, 10)  # small: never cached
    cache.clear()


def test_empty_keeps_the_memory_layout_asked_for():
    base = np.zeros((6, 28, 28, 64), np.float32)
    view = base.transpose(3, 0, 1, 2)  # a convolution's output: (N, C, H, W) stored C, H, W, N
    out = empty_like(view)
    assert out.shape == view.shape and out.strides == view.strides
    assert layout(out) == (1, 2, 3, 0)
    assert empty((3, 4), np.float32).flags.c_contiguous


def _big(seed: int, shape=(64, 6, 28, 28)) -> nl.Tensor:
    return nl.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def test_relu_output_kept_by_the_caller_is_not_reused():
    first = nl.relu(_big(0))
    kept = first.numpy().copy()
    for seed in (1, 2, 3):
        nl.relu(_big(seed))  # same shape: would take first's memory if it were free
    np.testing.assert_array_equal(first.numpy(), kept)


def test_relu_reuses_its_output_once_released():
    x = _big(0)
    y = nl.relu(x)
    address = y.numpy().__array_interface__["data"][0]
    del y
    assert nl.relu(x).numpy().__array_interface__["data"][0] == address


def test_relu_gradient_kept_while_the_next_backward_runs():
    x = _big(0).requires_grad_()
    nl.relu(x).sum().backward()
    kept = x.grad.numpy().copy()
    x2 = _big(1).requires_grad_()
    (nl.relu(x2) * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), kept)
    np.testing.assert_array_equal(x2.grad.numpy(), 3 * (x2.detach().numpy() > 0))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent_outputs_and_gradients_of_two_calls_stay_apart(kind):
    nl.manual_seed(0)
    layer = getattr(nn, kind)(8, 128)  # buffers above the cache's 64 KiB minimum
    x1 = nl.tensor(np.random.default_rng(1).standard_normal((20, 64, 8)).astype(np.float32))
    x2 = nl.tensor(np.random.default_rng(2).standard_normal((20, 64, 8)).astype(np.float32))
    out1 = layer(x1)[0]
    kept = out1.detach().numpy().copy()
    out1[-1].sum().backward()
    grads = [p.grad.numpy().copy() for p in layer.parameters()]
    layer.zero_grad()
    out2 = layer(x2)[0]
    out2[-1].sum().backward()  # reuses the cache's free buffers, never out1's
    np.testing.assert_array_equal(out1.detach().numpy(), kept)
    assert not np.array_equal(out2.detach().numpy(), kept)
    layer.zero_grad()
    layer(x1)[0][-1].sum().backward()
    for p, g in zip(layer.parameters(), grads):
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_cache_is_per_thread():
    import threading

    seen = {}

    def take():
        seen["other"] = cache.empty((300, 300), np.float32)

    mine = cache.empty((300, 300), np.float32)
    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    assert seen["other"] is not mine
