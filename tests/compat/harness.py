"""Dual-run harness: one PyTorch or Keras program, run with its library and with neuralab.

Each program in ``programs/`` is an ordinary PyTorch script, or, if its name starts with
``keras_``, an ordinary Keras 3 script. ``run_program`` runs it in a subprocess through
``run_as.py`` with a backend: the reference (``torch``: PyTorch itself; ``keras``: Keras 3
on PyTorch, for ``keras_*`` programs) or ``neuralab`` (``torch`` / ``keras`` are neuralab
through an import hook), single-threaded (``OMP_NUM_THREADS=1``), with ``NEURALAB_DATA``
pointing at a data root laid out as torchvision leaves it after a download
(``<root>/MNIST/raw/`` and ``<root>/FashionMNIST/raw/``, the ``.gz`` files and their
uncompressed copies) and, for Keras, ``KERAS_HOME`` at a fresh folder whose
``datasets/`` holds what Keras's loaders read (``mnist.npz`` built from the IDX files,
``fashion-mnist/*.gz``). The program reports its results as lines
``METRIC <name> <value>``; ``compare`` checks the two runs' metrics against tolerances.

Command line, to run programs without pytest and see their metrics and times:

    PYTHONPATH=src python tests/compat/harness.py [--backend reference|neuralab|both] [NAME ...]

(``--backend torch`` or ``keras`` means ``reference``: each program's own library.)
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROGRAMS_DIR = HERE / "programs"
RUN_AS = HERE / "run_as.py"
REPO = HERE.parent.parent
SRC = REPO / "src"
SHARED_DATASETS = REPO.parent / "shared" / "datasets"
# shared folder name -> torchvision's folder name (the dataset class name)
DATASET_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
BACKENDS = ("torch", "keras", "neuralab")
KERAS_PREFIX = "keras_"  # programs/keras_*.py are Keras programs
TIMEOUT_S = 120


def programs() -> list[Path]:
    return sorted(p for p in PROGRAMS_DIR.glob("*.py") if not p.name.startswith("_"))


def reference_backend(program: Path) -> str:
    """``keras`` for a Keras program (``programs/keras_*.py``), else ``torch``."""
    return "keras" if Path(program).name.startswith(KERAS_PREFIX) else "torch"


# -- data --------------------------------------------------------------------------------


def _complete(root: Path) -> bool:
    return all(
        (root / folder / "raw" / name).is_file()
        and (root / folder / "raw" / (name + ".gz")).exists()
        for folder in DATASET_FOLDERS.values()
        for name in IDX_FILES
    )


def _read_idx(path: Path) -> Any:
    """An uncompressed IDX file as a uint8 NumPy array (images NxHxW, labels N)."""
    import numpy as np

    raw = path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def keras_datasets(root: Path) -> Path:
    """``<root>/keras-datasets``: the files Keras's loaders read from ``~/.keras/datasets``.

    ``mnist.npz`` (``x_train, y_train, x_test, y_test``, uint8, as Keras's download) is
    built from the IDX files; ``fashion-mnist/`` links the four ``.gz`` files Keras reads.
    Each file is written under a temporary name and renamed into place (atomic).
    """
    import numpy as np

    folder = root / "keras-datasets"
    npz = folder / "mnist.npz"
    if not npz.is_file():
        folder.mkdir(exist_ok=True)
        raw = root / "MNIST" / "raw"
        arrays = {
            "x_train": _read_idx(raw / "train-images-idx3-ubyte"),
            "y_train": _read_idx(raw / "train-labels-idx1-ubyte"),
            "x_test": _read_idx(raw / "t10k-images-idx3-ubyte"),
            "y_test": _read_idx(raw / "t10k-labels-idx1-ubyte"),
        }
        part = folder / f"mnist.{uuid.uuid4().hex}.part.npz"
        np.savez(part, **arrays)
        os.replace(part, npz)
    fashion = folder / "fashion-mnist"
    fashion.mkdir(exist_ok=True)
    for name in IDX_FILES:
        link = fashion / (name + ".gz")
        if not link.exists():
            part = fashion / f"{name}.{uuid.uuid4().hex}.part"
            part.symlink_to((root / "FashionMNIST" / "raw" / (name + ".gz")).resolve())
            os.replace(part, link)
    return folder


def data_root(shared: Path = SHARED_DATASETS) -> Path:
    """A data root in torchvision's layout, built once (atomically) from the shared files.

    ``$NEURALAB_COMPAT_DATA`` if set, else ``<tmp>/neuralab-compat-data-<uid>``. The
    ``.gz`` files are symbolic links to ``shared``; the uncompressed files (which
    torchvision reads with ``download=False``) are written beside them.
    """
    root = Path(
        os.environ.get("NEURALAB_COMPAT_DATA")
        or Path(tempfile.gettempdir()) / f"neuralab-compat-data-{os.getuid()}"
    )
    if _complete(root):
        keras_datasets(root)
        return root
    for src_folder in DATASET_FOLDERS:
        if not (shared / src_folder).is_dir():
            raise FileNotFoundError(f"the IDX files are not at {shared / src_folder}")
    staging = root.with_name(f"{root.name}.{uuid.uuid4().hex}.part")
    try:
        for src_folder, folder in DATASET_FOLDERS.items():
            raw = staging / folder / "raw"
            raw.mkdir(parents=True)
            for name in IDX_FILES:
                gz = (shared / src_folder / (name + ".gz")).resolve()
                (raw / (name + ".gz")).symlink_to(gz)
                with gzip.open(gz, "rb") as src, open(raw / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        try:
            staging.rename(root)  # atomic; loses the race gracefully if another worker won
        except OSError:
            if not _complete(root):
                shutil.rmtree(root, ignore_errors=True)
                staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    keras_datasets(root)
    return root


# -- running -----------------------------------------------------------------------------


@dataclass
class Run:
    backend: str
    program: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    metrics: dict[str, float | str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self, tail: int = 40) -> str:
        err = "\n".join(self.stderr.rstrip().splitlines()[-tail:])
        out = "\n".join(self.stdout.rstrip().splitlines()[-10:])
        return (
            f"{self.program.name} under {self.backend} exited with {self.returncode} "
            f"after {self.seconds:.1f} s\n--- stdout (tail) ---\n{out}\n"
            f"--- stderr (tail) ---\n{err}"
        )


def parse_metrics(stdout: str) -> dict[str, float | str]:
    """``METRIC <name> <value>`` lines; a value that is not a number stays a string."""
    metrics: dict[str, float | str] = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] == "METRIC":
            name, value = parts[1], parts[2].strip()
            if name in metrics:
                raise ValueError(f"metric {name!r} reported twice")
            try:
                metrics[name] = float(value)
            except ValueError:
                metrics[name] = value
    return metrics


def environment(root: Path | None, keras_home: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["KERAS_BACKEND"] = "torch"  # read by the real Keras only (run_as.py keras sets it too)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if root is not None:
        env["NEURALAB_DATA"] = str(root)
    if keras_home is not None:
        env["KERAS_HOME"] = str(keras_home)
    return env


def _keras_home(where: Path, root: Path | None) -> Path:
    """A fresh ``KERAS_HOME`` (Keras writes its ``keras.json`` there) whose ``datasets``
    is the shared ``keras_datasets`` folder."""
    home = where / "keras-home"
    home.mkdir()
    if root is not None and (root / "keras-datasets").is_dir():
        (home / "datasets").symlink_to(root / "keras-datasets")
    return home


def run_program(
    program: Path,
    backend: str,
    root: Path | None,
    timeout: float = TIMEOUT_S,
    args: tuple[str, ...] = (),
) -> Run:
    """Run ``program`` with ``backend`` (``torch``, ``keras``, ``neuralab``, or ``reference``
    for the program's own library) in a fresh working folder."""
    if backend == "reference":
        backend = reference_backend(program)
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    program = Path(program).resolve()
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="compat-") as cwd,  # programs may write files
        tempfile.TemporaryDirectory(prefix="compat-home-") as home,
    ):
        try:
            proc = subprocess.run(
                [sys.executable, str(RUN_AS), backend, str(program), *args],
                cwd=cwd,
                env=environment(root, _keras_home(Path(home), root)),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code = -9
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or "") + (
                f"\n[harness] timed out after {timeout} s"
            )
    run = Run(backend, program, code, out, err, time.perf_counter() - start)
    if run.ok:
        run.metrics = parse_metrics(out)
    return run


def reference_key(program: Path) -> str:
    """What a reference run's output depends on: the program, the launcher, the stand-in
    torchvision, this harness, and the versions of Python, torch, Keras and NumPy."""
    from importlib import metadata

    digest = hashlib.sha256()
    files = [Path(program).resolve(), RUN_AS, Path(__file__).resolve()]
    files += sorted((HERE / "torchvision_ref").rglob("*.py"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("torch", "torchvision", "keras", "numpy", "pillow"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{dist}={version};".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def reference_run(program: Path, root: Path | None, cache: Any = None) -> Run:
    """The reference run of ``program`` (PyTorch, or Keras for ``keras_*``), from ``cache``
    (pytest's ``config.cache``) when an earlier run had the same ``reference_key``;
    ``NEURALAB_COMPAT_FRESH=1`` always runs."""
    program = Path(program).resolve()
    backend = reference_backend(program)
    slot = f"compat/reference/{program.stem}"
    key = reference_key(program)
    if cache is not None and os.environ.get("NEURALAB_COMPAT_FRESH") != "1":
        hit = cache.get(slot, None)
        if hit and hit.get("key") == key:
            run = Run(backend, program, 0, hit["stdout"], hit["stderr"], 0.0)
            run.metrics = parse_metrics(run.stdout)
            return run
    run = run_program(program, backend, root)
    if cache is not None and run.ok:
        cache.set(slot, {"key": key, "stdout": run.stdout, "stderr": run.stderr[-2000:]})
    return run


# -- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tol:
    """``|got - ref| <= abs + rel * |ref|``; strings must be equal."""

    abs: float = 0.0
    rel: float = 0.0

    def accepts(self, ref: float | str, got: float | str) -> bool:
        if isinstance(ref, str) or isinstance(got, str):
            return ref == got
        if math.isnan(ref) or math.isnan(got):
            return math.isnan(ref) and math.isnan(got)
        if math.isinf(ref) or math.isinf(got):
            return ref == got
        return abs(got - ref) <= self.abs + self.rel * abs(ref)


EXACT = Tol(abs=1e-5, rel=1e-5)


def tolerance_for(name: str, tolerances: dict[str, Tol]) -> Tol:
    """The first pattern (``fnmatch``) in ``tolerances`` matching ``name``; else EXACT."""
    for pattern, tol in tolerances.items():
        if fnmatch.fnmatchcase(name, pattern):
            return tol
    return EXACT


def compare(
    ref: dict[str, float | str], got: dict[str, float | str], tolerances: dict[str, Tol]
) -> list[str]:
    """Human-readable mismatches between two runs' metrics (empty when they agree)."""
    problems = []
    for name in sorted(set(ref) - set(got)):
        problems.append(f"{name}: missing (reference {ref[name]!r})")
    for name in sorted(set(got) - set(ref)):
        problems.append(f"{name}: not in the reference (got {got[name]!r})")
    for name in sorted(set(ref) & set(got)):
        tol = tolerance_for(name, tolerances)
        if not tol.accepts(ref[name], got[name]):
            problems.append(f"{name}: reference {ref[name]!r}, got {got[name]!r} ({tol})")
    return problems


def seed_spread(program: Path, backend: str, root: Path, seeds: int) -> dict[str, list]:
    """Each metric's values over ``seeds`` runs with ``torch.manual_seed(k)`` (or
    ``keras.utils.set_random_seed(k)``), k = 0..seeds-1.

    For calibrating a program's tolerances: seed noise must stay inside them. The program
    is copied with its ``torch.manual_seed(0)`` / ``set_random_seed(0)`` replaced (and any
    Generator seeds shifted); a program with a ``--seed`` option gets ``--seed k`` instead.
    Keras programs keep their NumPy-drawn initial weights (the same in both runs): what
    varies is what the library's own generator draws (dropout masks, shuffles).
    """
    source = program.read_text()
    by_option = '"--seed"' in source
    seeds_in = ("torch.manual_seed(0)", "set_random_seed(0)")
    if not by_option and not any(call in source for call in seeds_in):
        raise ValueError(
            f"{program.name} has no torch.manual_seed(0), set_random_seed(0) or --seed to vary"
        )
    values: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="compat-seeds-") as tmp:
        for k in range(seeds):
            varied = source.replace("torch.manual_seed(0)", f"torch.manual_seed({k})")
            varied = varied.replace("set_random_seed(0)", f"set_random_seed({k})")
            varied = varied.replace(
                "manual_seed(2147483647", f"manual_seed({2147483647 - 7919 * k}"
            )
            copy = Path(tmp) / program.name
            copy.write_text(varied)
            run = run_program(copy, backend, root, args=("--seed", str(k)) if by_option else ())
            if not run.ok:
                raise RuntimeError(run.failure())
            for name, value in run.metrics.items():
                values.setdefault(name, []).append(value)
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        choices=["reference", "torch", "keras", "neuralab", "both"],
        default="both",
        help="reference (= torch or keras: each program's own library), neuralab, or both",
    )
    parser.add_argument(
        "--seeds", type=int, default=0, help="print each metric's spread over this many seeds"
    )
    parser.add_argument("names", nargs="*", help="program names (file stems); default all")
    args = parser.parse_args(argv)
    chosen = [p for p in programs() if not args.names or p.stem in args.names]
    if args.backend in ("torch", "keras"):
        args.backend = "reference"
    backends = ("reference", "neuralab") if args.backend == "both" else (args.backend,)
    root = data_root()
    if args.seeds:
        for program in chosen:
            for backend in backends:
                if backend == "reference":
                    backend = reference_backend(program)
                print(f"== {program.stem} [{backend}] over {args.seeds} seeds")
                for name, vals in seed_spread(program, backend, root, args.seeds).items():
                    if all(isinstance(v, float) for v in vals):
                        low, high = min(vals), max(vals)
                        print(f"   {name}: min {low:.6g} max {high:.6g} spread {high - low:.3g}")
                    elif len(set(vals)) > 1:
                        print(f"   {name}: varies {sorted(set(map(str, vals)))}")
        return 0
    status = 0
    for program in chosen:
        for backend in backends:
            run = run_program(program, backend, root)
            print(f"== {program.stem} [{run.backend}] rc={run.returncode} {run.seconds:.2f} s")
            if run.ok:
                for name, value in run.metrics.items():
                    print(f"   {name} = {value!r}")
            else:
                status = 1
                print(run.failure(15))
    return status


if __name__ == "__main__":
    sys.exit(main())
