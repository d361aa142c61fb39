"""Grad mode is per thread, as in PyTorch: ``no_grad`` in one thread leaves another
thread's ops recording the graph, and a new thread starts with grad mode on."""

from __future__ import annotations

import threading

import pytest

import neuralab as nl


def _in_thread(work):
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", work()))
    thread.start()
    thread.join()
    return out["value"]


def test_no_grad_in_one_thread_leaves_another_recording():
    x = nl.ones(3, requires_grad=True)
    with nl.no_grad():
        assert not (x * 2).requires_grad
        assert _in_thread(nl.is_grad_enabled)
        y = _in_thread(lambda: (x * 2).sum())
    assert y.requires_grad
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_thread_turning_grad_off_does_not_turn_it_off_here():
    def off():
        nl.set_grad_enabled(False)
        return nl.is_grad_enabled()

    assert _in_thread(off) is False
    assert nl.is_grad_enabled()


def test_in_place_changes_in_another_thread_are_still_seen_by_backward():
    x, w = nl.ones(3, requires_grad=True), nl.ones(3)
    z = (x * w).sum()  # saves w
    _in_thread(lambda: w.mul_(2))  # the clock that dates the change is shared
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
