"""The guide's "Coming from Keras" example runs as written (a Keras 3 MNIST MLP with only
its import changed), and what it says differs or is out of scope does."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import numpy as np
import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "guide/keras.md"


def test_the_example_runs_and_learns(neuralab_data, tmp_path, monkeypatch, capsys):
    (block,) = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    assert not re.search(r"^(import|from) keras\b", block, re.M)  # neuralab's, not Keras
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(block)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "Total params: 50,890" in out  # 784 * 64 + 64 + 64 * 10 + 10, in Keras's table
    loss, accuracy = map(float, re.search(r"test loss ([\d.]+), accuracy ([\d.]+)", out).groups())
    assert accuracy > 0.85 and loss < 0.6  # Keras itself: 0.885 and 0.41 (chance: 0.1, 2.3)
    predicted = re.search(r"predicted \[([\d ]+)\] true \[([\d ]+)\]", out)
    assert predicted, out[-500:]
    assert sum(a == b for a, b in zip(*(g.split() for g in predicted.groups()))) >= 4


def test_what_differs_is_as_said(tmp_path):
    import neuralab as tf
    from neuralab import keras

    assert tf.keras is keras

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.save_weights(tmp_path / "m.weights.safetensors")
    assert (tmp_path / "m.weights.safetensors").read_bytes()[8:9] == b"{"  # safetensors
    before = model.get_weights()
    model.set_weights([np.zeros_like(w) for w in before])
    model.load_weights(tmp_path / "m.weights.safetensors")
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    model.save_weights(tmp_path / "m.weights.h5")  # Keras's name, safetensors inside
    assert (tmp_path / "m.weights.h5").read_bytes()[8:9] == b"{"
    (tmp_path / "keras.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    with pytest.raises(NotImplementedError, match="HDF5 file"):
        model.load_weights(tmp_path / "keras.weights.h5")
    for name in ("model.keras", "model.h5"):
        with pytest.raises(NotImplementedError, match="save_weights"):
            model.save(tmp_path / name)
    with pytest.raises(NotImplementedError, match="MultiHeadAttention"):
        keras.layers.MultiHeadAttention  # noqa: B018  (a Keras layer neuralab lacks)
    with pytest.raises(AttributeError):
        keras.layers.Dens  # noqa: B018
