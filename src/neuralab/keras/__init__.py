"""Keras 3's API on neuralab's engine: ``from neuralab import keras``.

A thin layer over ``neuralab.nn``, ``optim``, ``losses``, ``metrics`` and ``train.fit``:
Keras's names, defaults and channels-last data, the same engine underneath.
"""

from __future__ import annotations

from neuralab.keras import backend

__all__ = ["backend"]
