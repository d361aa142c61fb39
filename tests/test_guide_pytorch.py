"""The guide's "Coming from PyTorch" example runs as written (a PyTorch MNIST loop with
only its imports changed), and what it says differs or is out of scope does."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

import neuralab as nl

PAGE = Path(__file__).resolve().parent.parent / "docs" / "guide/pytorch.md"


def test_the_example_runs_and_learns(neuralab_data, tmp_path, monkeypatch, capsys):
    (block,) = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(block)
    runpy.run_path(str(script), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 0", "epoch 1"]
    losses = [float(re.search(r"loss ([\d.]+)", line).group(1)) for line in lines]
    assert losses[1] < 0.5 < 2.3  # well below chance (ln 10 = 2.3) after two epochs
    assert (tmp_path / "mnist_cnn.pt").read_bytes()[8:9] == b"{"  # a safetensors header


def test_what_differs_is_as_said(tmp_path):
    model = nl.nn.Linear(2, 2)
    with pytest.raises(TypeError, match="state_dict"):
        nl.save(model, tmp_path / "model.pt")
    h = nl.ones(2, requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="add_"):
        h.add_(1)
    h += 1  # becomes h = h + 1
    assert h.grad_fn is not None and h.tolist() == [3.0, 3.0]
    for feature in ("compile", "jit.script", "onnx.export", "distributed.init_process_group"):
        target = nl
        for part in feature.split("."):
            target = getattr(target, part)
        with pytest.raises(NotImplementedError, match=feature.split(".")[0]):
            target(model)
    with pytest.raises(NotImplementedError, match=r"torch\.nn\.Transformer"):
        nl.nn.Transformer  # noqa: B018
    with pytest.raises(NotImplementedError, match="CUDA"):
        nl.zeros(2).to("cuda")
    with pytest.raises(AttributeError):
        nl.zeroz  # noqa: B018
