"""Packaging (issue 16): the core works with NumPy alone, and what needs an extra names it.

A fresh virtual environment with only NumPy takes minutes to build; instead a
subprocess hides every installed package but NumPy (a meta-path finder refuses to
import anything outside the standard library, NumPy and neuralab) and runs the core and
each part that needs an extra there, printing what happened as JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]

BLOCK = """
import importlib.abc, sys

class NumpyOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        top = name.partition(".")[0]
        if top in ("numpy", "neuralab") or top in sys.stdlib_module_names or top[:1] == "_":
            return None
        raise ModuleNotFoundError(f"No module named {name!r} (hidden)", name=name)

sys.meta_path.insert(0, NumpyOnly())
"""


def numpy_only(code: str, tmp_path: Path) -> dict:
    """Run ``code`` (which fills the dict ``out``) where only NumPy is installed."""
    script = BLOCK + "out = {}\n" + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("NEURALAB_DATA", None)
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_core_works_with_numpy_alone(tmp_path):
    out = numpy_only(
        """
        import contextlib, io
        import numpy as np
        import neuralab as nl
        from neuralab import nn, optim
        from neuralab.data import DataLoader, TensorDataset
        from neuralab.train import fit

        x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x ** 2).sum().backward()
        out["grad"] = x.grad.tolist()  # d/dx sum x^2 = 2x
        rng = np.random.default_rng(0)
        data = TensorDataset(rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64))
        nl.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):  # the bar and the epoch lines, without tqdm
            history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), 0.01),
                          DataLoader(data, 16), epochs=2, progress=True)
        out["stderr"] = err.getvalue()
        out["repr"] = repr(history)
        nl.save(model.state_dict(), "w.safetensors")
        back = nl.load("w.safetensors")
        out["same"] = all(np.array_equal(back[k].numpy(), v.numpy())
                          for k, v in model.state_dict().items())
        from neuralab import cli
        with contextlib.redirect_stdout(io.StringIO()) as guide:
            out["guide_status"] = cli.main([])
        out["guide"] = guide.getvalue()
        out["loaded"] = sorted(m.partition(".")[0] for m in sys.modules
                               if m.partition(".")[0] not in sys.stdlib_module_names)
        """,
        tmp_path,
    )
    assert out["grad"] == [2.0, 4.0, 6.0]
    assert "epoch 1/2" in out["stderr"] and "epoch 2/2: loss" in out["stderr"]
    assert "16/16" not in out["stderr"] and "4/4 batch" in out["stderr"]  # 64 / 16 batches
    assert out["repr"].startswith("History(epochs=2, keys=['loss', 'lr', 'time']")
    assert out["same"] is True
    assert out["guide_status"] == 0 and "neuralab lab --quick" in out["guide"]
    extras = {"matplotlib", "scipy", "sklearn", "optuna", "tqdm", "safetensors", "rich", "torch"}
    assert not extras & set(out["loaded"])


def test_each_part_that_needs_an_extra_names_it(tmp_path):
    (tmp_path / "study.yaml").write_text("search:\n  lr: [0.1]\n")
    out = numpy_only(
        """
        import contextlib, io

        def message(call):
            try:
                call()
            except ImportError as error:
                return f"{type(error).__name__}: {error}"
            return "no error"

        import neuralab.lab as lab
        from neuralab import keras, tune
        from neuralab.data import load_digits
        from neuralab.lab import jobs, stats

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        config = tune.TuneConfig(search={"lr": {"low": 1e-4, "high": 0.1}})
        out["lab"] = message(lambda: lab.run_studies(["forward_pass"], quick=True, out="lab"))
        out["stats"] = message(lambda: stats._t_quantile(5))
        out["tune"] = message(lambda: tune.run(config, out=None, log=None))
        out["yaml"] = message(lambda: tune.load_config("study.yaml"))
        out["keras"] = message(model.summary)
        out["digits"] = message(load_digits)
        out["cluster"] = message(jobs.import_distributed)
        from neuralab import cli
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            out["cli_status"] = cli.main(["lab", "forward_pass", "--quick", "--out", "cli"])
        out["cli_stderr"] = err.getvalue()
        """,
        tmp_path,
    )
    expected = {
        "lab": ("neuralab.lab needs matplotlib", "lab"),
        "stats": ("confidence intervals needs scipy", "lab"),
        "tune": ("neuralab.tune needs optuna", "tune"),
        "yaml": ("YAML tuning configuration needs pyyaml", "tune"),
        "keras": ("model.summary() needs rich", "keras"),
        "digits": ("load_digits needs scikit-learn", "lab"),
        "cluster": ("Dask cluster needs distributed", "cluster"),
    }
    for key, (says, extra) in expected.items():
        assert out[key].startswith("MissingExtraError: "), (key, out[key])
        assert says in out[key] and f"pip install 'neuralab[{extra}]'" in out[key], out[key]
    # the command: one line naming the extra, exit 1, not an "unexpected error"
    assert out["cli_status"] == 1
    assert out["cli_stderr"].count("\n") == 1 and "unexpected" not in out["cli_stderr"]
    assert "pip install 'neuralab[lab]'" in out["cli_stderr"]
    assert not (tmp_path / "lab").exists()  # said before any work or file


def _extras() -> dict[str, list[str]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def _names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements}


@pytest.mark.parametrize(
    ("extra", "packages"),
    [
        # what `neuralab lab --quick` (make run) imports beyond NumPy; the tuning study
        # runs Optuna
        ("lab", {"matplotlib", "scipy", "scikit-learn", "optuna"}),
        ("tune", {"optuna", "pyyaml", "matplotlib"}),
        ("keras", {"rich"}),
        ("cluster", {"dask", "distributed"}),
    ],
)
def test_each_extra_installs_what_its_parts_require(extra, packages):
    assert packages <= _names(_extras()[extra])


def test_make_run_installs_the_lab_extra_and_make_test_the_pinned_oracle():
    extras = _extras()
    assert "torch==2.13.0" in extras["dev"]
    assert not _names(extras["lab"]) & {"torch", "pytest", "keras", "playwright"}
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -e '.[lab]'" in makefile
    assert re.search(r"^run: \$\(STAMP\)$", makefile, re.M)
    assert re.search(r"^test: \$\(TEST_STAMP\)$", makefile, re.M)
    assert re.search(r"^\$\(TEST_STAMP\): \$\(STAMP\)\n\t.*pip install .*\.\[dev", makefile, re.M)
