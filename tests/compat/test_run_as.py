"""The launcher: ``torch`` names resolve to neuralab's modules, never to PyTorch."""

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


def run(backend, program, *args):
    return subprocess.run(
        [sys.executable, str(RUN_AS), backend, str(program), *args],
        capture_output=True,
        text=True,
        env=environment(None),
        timeout=60,
    )


def test_neuralab_alias_maps_modules(tmp_path) -> None:
    program = tmp_path / "probe.py"
    program.write_text(PROBE)
    proc = run("neuralab", program, "--flag", "x")
    assert proc.returncode == 0, proc.stderr
    assert "PROBE OK" in proc.stdout


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
    assert alias_target("torchaudio") is None
    assert alias_target("numpy") is None
