"""neuralab.parallel: the fork-join pool, and the convolution and pooling ops giving the
same results, bit for bit, whether their array loops run on one thread or several."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import neuralab as nl
import neuralab.functional as F
from neuralab import parallel
from neuralab.ops import conv as conv_ops


def test_run_calls_every_part_once_on_several_threads():
    seen, names = [], set()

    def work(part):
        seen.append(part)
        names.add(threading.current_thread().name)

    parallel.run(work, range(5))
    assert sorted(seen) == [0, 1, 2, 3, 4]
    assert len(names) > 1  # the caller and pool threads


def test_run_raises_a_part_s_error_after_all_parts_finish():
    done = []

    def work(part):
        if part == 2:
            raise KeyError("part 2")
        done.append(part)

    with pytest.raises(KeyError, match="part 2"):
        parallel.run(work, range(4))
    assert sorted(done) == [0, 1, 3]


def test_nested_runs_stay_on_the_calling_thread():
    out = []
    parallel.run(lambda i: parallel.run(lambda j: out.append((i, j)), range(2)), range(3))
    assert sorted(out) == [(i, j) for i in range(3) for j in range(2)]


@pytest.mark.parametrize("size, count", [(10, 3), (2, 5), (7, 1), (64, 2)])
def test_split_covers_the_range_in_order(size, count):
    slices = parallel.split(size, count)
    assert len(slices) == min(size, count)
    assert [i for s in slices for i in range(size)[s]] == list(range(size))
    lengths = [s.stop - s.start for s in slices]
    assert max(lengths) - min(lengths) <= 1


def test_num_threads_follows_the_blas_limit():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert parallel.num_threads() == 1
        assert parallel.threads_for(1 << 30) == 1


def _lenet_like_step(x_data):
    """conv (padded) -> relu -> max pool -> conv -> relu -> max pool, forward and backward;
    returns the output and every gradient."""
    rng = np.random.default_rng(1)
    x = nl.tensor(x_data, requires_grad=True)
    w1 = nl.tensor(rng.standard_normal((6, 3, 5, 5)).astype(np.float32), requires_grad=True)
    w2 = nl.tensor(rng.standard_normal((4, 6, 3, 3)).astype(np.float32), requires_grad=True)
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, padding=2)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, stride=1, dilation=2)), 3, 2, padding=1)
    y = F.max_pool2d(h, 2, ceil_mode=True)
    (y * nl.tensor(rng.standard_normal(y.shape).astype(np.float32))).sum().backward()
    return [y._data.copy(), x.grad._data, w1.grad._data, w2.grad._data]


@pytest.mark.parametrize("threads", [2, 3, 5])
def test_conv_and_pooling_equal_the_one_thread_results_bit_for_bit(monkeypatch, threads):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 3, 20, 18)).astype(np.float32)
    x[0, 0, :4, :4] = 1.0  # ties in the max pooling windows
    monkeypatch.setattr(parallel, "threads_for", lambda nbytes, min_bytes=0: 1)
    one = _lenet_like_step(x)
    calls = []
    real_run = parallel.run

    def counting_run(fn, parts):
        calls.append(len(list(parts)))
        real_run(fn, parts)

    monkeypatch.setattr(parallel, "threads_for", lambda nbytes, min_bytes=0: threads)
    monkeypatch.setattr(parallel, "run", counting_run)
    many = _lenet_like_step(x)
    assert max(calls) == threads  # the ops did split their loops
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)


def test_col2im_cuts_the_batch_when_channels_are_fewer_than_threads(monkeypatch):
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((1, 3, 3, 4, 5, 6)).astype(np.float32)
    one = conv_ops.col2im(cols, (6, 7), (1, 1), (1, 1))
    monkeypatch.setattr(parallel, "threads_for", lambda nbytes, min_bytes=0: 4)
    np.testing.assert_array_equal(conv_ops.col2im(cols, (6, 7), (1, 1), (1, 1)), one)
    x = rng.standard_normal((1, 6, 7, 6)).astype(np.float32)
    patches = conv_ops.im2col(x, (3, 3), (1, 1), (1, 1), (4, 5))
    monkeypatch.setattr(parallel, "threads_for", lambda nbytes, min_bytes=0: 1)
    np.testing.assert_array_equal(conv_ops.im2col(x, (3, 3), (1, 1), (1, 1), (4, 5)), patches)
