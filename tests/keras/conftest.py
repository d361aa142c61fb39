"""The Keras oracle: Keras 3 itself on its PyTorch backend (no TensorFlow).

``KERAS_BACKEND`` must be set before Keras is first imported, so it is set here, at
collection time of this folder. Tests take the ``keras_ref`` fixture (the real ``keras``
module) and compare it with ``neuralab.keras`` on the same weights and data.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest


@pytest.fixture(scope="session")
def keras_ref():
    """The real Keras 3 (torch backend), the oracle."""
    import gc

    import keras

    assert keras.backend.backend() == "torch", keras.backend.backend()
    gc.freeze()  # Keras's import leaves many objects; keep them out of later collections
    return keras


@pytest.fixture(autouse=True)
def _fresh_names(request):
    """Each test starts with fresh layer names (dense, dense_1, ...) on both sides."""
    import neuralab.keras as nk

    nk.backend.clear_session()
    if "keras_ref" in request.fixturenames:
        import keras

        keras.backend.clear_session(free_memory=False)  # gc.collect() costs ~0.5 s a test
    yield
