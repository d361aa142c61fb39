"""Run a PyTorch or Keras program unchanged, on its own library or on neuralab.

    python tests/compat/run_as.py torch     PROGRAM.py [ARGS...]
    python tests/compat/run_as.py keras     PROGRAM.py [ARGS...]
    python tests/compat/run_as.py neuralab  PROGRAM.py [ARGS...]

``torch``: the program runs as ``python PROGRAM.py`` would run it. If torchvision is
not installed (it cannot be installed beside the pinned CPU build of torch, see
``torchvision_ref/README.md``), the reference stand-in in ``torchvision_ref/`` is put on
``sys.path`` so ``from torchvision import datasets, transforms`` works.

``keras``: the program runs with the real Keras 3 on its PyTorch backend
(``KERAS_BACKEND=torch``, set here before Keras is imported; TensorFlow is not needed and
not provided: Keras itself probes for a ``tensorflow`` module and uses it when one
imports, e.g. ``keras.utils.set_random_seed`` calls ``tf.random.set_seed``, so the
programs write Keras 3's ``import keras``, which is what ``tf.keras`` is since Keras 3).
``keras.datasets.mnist`` / ``fashion_mnist`` never download: their file fetch is replaced
by one that reads ``$KERAS_HOME/datasets/<file>`` (the harness puts files built from the
local IDX files there) and refuses to go to the network; nothing else in Keras changes.

``neuralab``: an import hook (a ``sys.meta_path`` finder, placed first) answers every
import of ``torch`` / ``torch.X.Y`` with the module ``neuralab`` / ``neuralab.X.Y``,
of ``torchvision`` / ``torchvision.X`` with ``neuralab.vision`` / ``neuralab.vision.X``,
and of ``keras`` / ``keras.X`` with ``neuralab.keras`` / ``neuralab.keras.X``:
``sys.modules["torch.nn"] is sys.modules["neuralab.nn"]``. A name that neuralab lacks raises
``ModuleNotFoundError`` naming both; the real PyTorch and Keras are never imported (the
run fails if one was). The program's source is not touched: it runs through
``runpy.run_path(path, run_name="__main__")`` with ``sys.argv`` and ``sys.path[0]`` set
as ``python PROGRAM.py ARGS`` would set them.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
TORCHVISION_REF = os.path.join(HERE, "torchvision_ref")
BACKENDS = ("torch", "keras", "neuralab")

# Aliased package -> the module that stands in for it (the longest matching alias wins).
ALIASES = {
    "torch": "neuralab",
    "torchvision": "neuralab.vision",
    "keras": "neuralab.keras",
}


def alias_target(fullname: str, aliases: dict[str, str] = ALIASES) -> str | None:
    """The module name standing in for ``fullname`` under ``aliases``, else None."""
    for alias in sorted(aliases, key=len, reverse=True):
        target = aliases[alias]
        if fullname == alias:
            return target
        if fullname.startswith(alias + "."):
            return target + fullname[len(alias) :]
    return None


def _resolve(target: str) -> types.ModuleType | None:
    """Import ``target``; a submodule neuralab exposes only as an attribute counts too."""
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name != target:  # something inside neuralab is missing: a real error
            raise
    parent, _, child = target.rpartition(".")
    if parent:
        value = getattr(_resolve(parent), child, None)
        if isinstance(value, types.ModuleType):
            return value
    return None


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers imports of aliased names (``torch*``, ``keras*``, ...) with the modules
    standing in for them (neuralab's, by default)."""

    def __init__(self, aliases: dict[str, str] = ALIASES) -> None:
        self._aliases = aliases
        self._pending: dict[str, types.ModuleType] = {}

    def find_spec(self, fullname, path=None, target=None):
        name = alias_target(fullname, self._aliases)
        if name is None:
            return None
        module = _resolve(name)
        if module is None:
            # Never fall through to the real library on the path.
            owner = name.split(".")[0]
            raise ModuleNotFoundError(
                f"No module named {fullname!r} ({owner} has no {name!r})", name=fullname
            )
        self._pending[fullname] = module
        return importlib.machinery.ModuleSpec(
            fullname, self, is_package=hasattr(module, "__path__")
        )

    def create_module(self, spec):
        module = self._pending.pop(spec.name)
        # importlib overwrites __spec__ after create_module; keep neuralab's own.
        self._saved_spec = (module, module.__spec__)
        return module

    def exec_module(self, module):
        saved_module, saved_spec = self._saved_spec
        if saved_module is module:
            module.__spec__ = saved_spec


def _real_library_loaded(package: str) -> list[str]:
    """Names of loaded modules whose file is in the installed ``package`` (torch, keras)."""
    loaded = []
    marker = os.sep + "site-packages" + os.sep + package + os.sep
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or getattr(
            module, "__file__", None
        )
        if origin and marker in origin:
            loaded.append(name)
    return loaded


def install_neuralab_alias() -> None:
    sys.meta_path.insert(0, AliasFinder())


def install_torchvision_reference() -> None:
    """Use the stand-in only when no torchvision is installed."""
    if importlib.util.find_spec("torchvision") is None:
        sys.path.insert(1, TORCHVISION_REF)


def local_get_file(fname, origin=None, *args, cache_subdir="datasets", **kwargs):
    """Keras's ``get_file`` for its datasets, without the network: the file the harness
    put at ``$KERAS_HOME/<cache_subdir>/<fname>`` (built from the local IDX files, so its
    hash is not that of Keras's download, and it is not checked)."""
    from keras.src.backend import config

    path = os.path.join(config.keras_home(), cache_subdir, fname)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"run_as: {path} is missing and the compat suite never downloads ({origin}); "
            "the harness builds the Keras data files from the local IDX files"
        )
    return path


def install_keras_reference() -> None:
    """Keras 3 on PyTorch, with offline datasets."""
    os.environ["KERAS_BACKEND"] = "torch"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from keras.src.datasets import fashion_mnist, mnist

    for module in (mnist, fashion_mnist):
        module.get_file = local_get_file


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in BACKENDS:
        raise SystemExit(__doc__)
    backend, program, args = argv[0], os.path.abspath(argv[1]), argv[2:]
    sys.path[0] = os.path.dirname(program)
    if backend == "neuralab":
        install_neuralab_alias()
    elif backend == "keras":
        install_keras_reference()
    else:
        install_torchvision_reference()
    sys.argv = [program, *args]
    try:
        runpy.run_path(program, run_name="__main__")
    finally:
        if backend == "neuralab":
            for package, library in (("torch", "PyTorch"), ("keras", "Keras")):
                leaked = _real_library_loaded(package)
                if leaked:
                    print(f"run_as: the real {library} was imported: {leaked[:5]}", file=sys.stderr)
                    raise SystemExit(3)


if __name__ == "__main__":
    main(sys.argv[1:])
