"""The launcher: ``torch`` and ``keras`` names resolve to neuralab's modules, never to
PyTorch or Keras; the Keras reference runs on PyTorch and never downloads."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from harness import RUN_AS, environment

PROBE = textwrap.dedent(
    """
    import sys
    import torch
    import torch.nn as nn
    import torch.optim as optim
    from torch.optim import lr_scheduler
    import neuralab, neuralab.nn, neuralab.optim, neuralab.optim.lr_scheduler

    assert torch is neuralab, torch
    assert nn is neuralab.nn and torch.nn is neuralab.nn
    assert optim is neuralab.optim
    assert lr_scheduler is neuralab.optim.lr_scheduler
    assert sys.modules["torch.nn"] is neuralab.nn
    assert neuralab.__spec__.name == "neuralab", neuralab.__spec__
    assert __name__ == "__main__"
    assert sys.argv[1:] == ["--flag", "x"], sys.argv
    try:
        import torch.no_such_module_anywhere
    except ModuleNotFoundError as exc:
        assert "torch.no_such_module_anywhere" in str(exc), exc
    else:
        raise AssertionError("a missing torch.* module must not import")
    print("PROBE OK")
    """
)


KERAS_PROBE = textwrap.dedent(
    """
    import sys
    import keras
    import keras.backend as backend
    import neuralab.keras

    assert keras is neuralab.keras, keras
    assert backend is neuralab.keras.backend
    assert sys.modules["keras.backend"] is neuralab.keras.backend
    # Keras's internals are not there: an error naming them, never the real Keras
    for missing in ("keras.src", "keras.no_such_module"):
        try:
            __import__(missing)
        except (ModuleNotFoundError, NotImplementedError) as exc:
            assert missing in str(exc), exc
        else:
            raise AssertionError(f"{missing} must not import")
    print("KERAS PROBE OK")
    """
)

KERAS_REFERENCE_PROBE = textwrap.dedent(
    """
    import keras

    assert keras.backend.backend() == "torch", keras.backend.backend()
    (x, y), (xt, yt) = keras.datasets.mnist.load_data()
    assert x.shape == (3, 28, 28) and x.dtype == "uint8" and yt.tolist() == [7], (x.shape, yt)
    try:
        keras.datasets.fashion_mnist.load_data()
    except FileNotFoundError as exc:
        assert "never downloads" in str(exc), exc
    else:
        raise AssertionError("no Fashion-MNIST files were provided")
    print("KERAS REFERENCE OK")
    """
)


def run(backend, program, *args, keras_home=None):
    return subprocess.run(
        [sys.executable, str(RUN_AS), backend, str(program), *args],
        capture_output=True,
        text=True,
        env=environment(None, keras_home),
        timeout=60,
    )


def test_neuralab_alias_maps_modules(tmp_path) -> None:
    program = tmp_path / "probe.py"
    program.write_text(PROBE)
    proc = run("neuralab", program, "--flag", "x")
    assert proc.returncode == 0, proc.stderr
    assert "PROBE OK" in proc.stdout


def test_neuralab_alias_maps_keras(tmp_path) -> None:
    program = tmp_path / "probe.py"
    program.write_text(KERAS_PROBE)
    proc = run("neuralab", program)
    assert proc.returncode == 0, proc.stderr
    assert "KERAS PROBE OK" in proc.stdout


def test_keras_reference_is_keras_on_torch_offline(tmp_path) -> None:
    import numpy as np

    home = tmp_path / "keras-home"
    (home / "datasets").mkdir(parents=True)
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    labels = np.array([7], np.uint8)
    np.savez(
        home / "datasets" / "mnist.npz",
        x_train=images,
        y_train=labels[:0],
        x_test=images[:1],
        y_test=labels,
    )
    program = tmp_path / "probe.py"
    program.write_text(KERAS_REFERENCE_PROBE)
    proc = run("keras", program, keras_home=home)
    assert proc.returncode == 0, proc.stderr
    assert "KERAS REFERENCE OK" in proc.stdout


def test_real_torch_is_never_reached(tmp_path) -> None:
    # torch.testing exists in PyTorch but not in neuralab: it must fail naming it, not fall
    # through to the real PyTorch
    program = tmp_path / "fallthrough.py"
    program.write_text("import torch.testing\n")
    proc = run("neuralab", program)
    assert proc.returncode != 0
    assert "torch.testing is not implemented in neuralab" in proc.stderr, proc.stderr
    program.write_text("import torch.no_such_module\n")
    proc = run("neuralab", program)
    assert "No module named 'torch.no_such_module'" in proc.stderr, proc.stderr


def test_alias_target_names() -> None:
    sys.path.insert(0, str(RUN_AS.parent))
    try:
        from run_as import alias_target
    finally:
        sys.path.remove(str(RUN_AS.parent))
    assert alias_target("torch") == "neuralab"
    assert alias_target("torch.nn.functional") == "neuralab.nn.functional"
    assert alias_target("torch.utils.data") == "neuralab.utils.data"
    assert alias_target("torchvision") == "neuralab.vision"
    assert alias_target("torchvision.transforms") == "neuralab.vision.transforms"
    assert alias_target("keras") == "neuralab.keras"
    assert alias_target("keras.layers") == "neuralab.keras.layers"
    assert alias_target("kerasx") is None
    assert alias_target("torchaudio") is None
    assert alias_target("numpy") is None
