"""Run a PyTorch program unchanged, with ``torch`` being either PyTorch or neuralab.

    python tests/compat/run_as.py torch     PROGRAM.py [ARGS...]
    python tests/compat/run_as.py neuralab  PROGRAM.py [ARGS...]

``torch``: the program runs as ``python PROGRAM.py`` would run it. If torchvision is
not installed (it cannot be installed beside the pinned CPU build of torch, see
``torchvision_ref/README.md``), the reference stand-in in ``torchvision_ref/`` is put on
``sys.path`` so ``from torchvision import datasets, transforms`` works.

``neuralab``: an import hook (a ``sys.meta_path`` finder, placed first) answers every
import of ``torch`` / ``torch.X.Y`` with the module ``neuralab`` / ``neuralab.X.Y``, and
of ``torchvision`` / ``torchvision.X`` with ``neuralab.vision`` / ``neuralab.vision.X``:
``sys.modules["torch.nn"] is sys.modules["neuralab.nn"]``. A name that neuralab lacks
raises ``ModuleNotFoundError`` naming both; the real PyTorch is never imported (the run
fails if it was). The program's source is not touched: it runs through
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

# Aliased top-level package -> the neuralab module that stands in for it.
ALIASES = {"torch": "neuralab", "torchvision": "neuralab.vision"}


def alias_target(fullname: str) -> str | None:
    """The neuralab module name for an aliased module name, else None."""
    for alias, target in ALIASES.items():
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
    """Answers imports of ``torch*`` / ``torchvision*`` with neuralab's modules."""

    def __init__(self) -> None:
        self._pending: dict[str, types.ModuleType] = {}

    def find_spec(self, fullname, path=None, target=None):
        name = alias_target(fullname)
        if name is None:
            return None
        module = _resolve(name)
        if module is None:
            # Never fall through to the real PyTorch on the path.
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (neuralab has no {name!r})", name=fullname
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


def _real_torch_loaded() -> list[str]:
    loaded = []
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or getattr(
            module, "__file__", None
        )
        if origin and (os.sep + "site-packages" + os.sep + "torch" + os.sep) in origin:
            loaded.append(name)
    return loaded


def install_neuralab_alias() -> None:
    sys.meta_path.insert(0, AliasFinder())


def install_torchvision_reference() -> None:
    """Use the stand-in only when no torchvision is installed."""
    if importlib.util.find_spec("torchvision") is None:
        sys.path.insert(1, TORCHVISION_REF)


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("torch", "neuralab"):
        raise SystemExit(__doc__)
    backend, program, args = argv[0], os.path.abspath(argv[1]), argv[2:]
    sys.path[0] = os.path.dirname(program)
    if backend == "neuralab":
        install_neuralab_alias()
    else:
        install_torchvision_reference()
    sys.argv = [program, *args]
    try:
        runpy.run_path(program, run_name="__main__")
    finally:
        if backend == "neuralab":
            leaked = _real_torch_loaded()
            if leaked:
                print(f"run_as: the real PyTorch was imported: {leaked[:5]}", file=sys.stderr)
                raise SystemExit(3)


if __name__ == "__main__":
    main(sys.argv[1:])
