"""The optional dependencies: which extra of ``pip install 'neuralab[EXTRA]'`` brings each.

The core (tensors, autograd, ``nn``, ``optim``, ``data`` from arrays, ``train.fit``,
``save``/``load``) needs NumPy alone. What needs more imports it through ``require``,
which names the extra to install when the module is missing::

    >>> require("numpy", "lab", "neuralab.lab").__name__
    'numpy'
    >>> require("no_such_mod", "lab", "the lab")
    Traceback (most recent call last):
    ...
    neuralab.extras.MissingExtraError: the lab needs no_such_mod: pip install 'neuralab[lab]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "require"]

# extra -> what it is for (the extras themselves are listed in pyproject.toml)
EXTRAS = {
    "lab": "the lab's studies and report (matplotlib, SciPy, scikit-learn, Optuna)",
    "tune": "neuralab tune (Optuna, PyYAML, psycopg for PostgreSQL, matplotlib)",
    "keras": "neuralab.keras's model.summary() tables (rich)",
    "cluster": "neuralab lab --cluster (Dask distributed)",
}

# import name -> the package that installs it, where they differ (for the message)
PACKAGES = {"sklearn": "scikit-learn", "yaml": "pyyaml"}


class MissingExtraError(ModuleNotFoundError):
    """A module of an extra is not installed; the message says how to install it."""


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import ``module`` for ``what`` (e.g. ``"neuralab tune"``), or raise
    ModuleNotFoundError naming the extra that installs it.

    Args:
        module: the module's import name, e.g. ``"matplotlib"`` or ``"optuna.trial"``.
        extra: the extra of neuralab that installs it, e.g. ``"lab"``.
        what: the part of neuralab that needs it, for the message.

    Returns:
        The imported module.

    Raises:
        MissingExtraError: (a ModuleNotFoundError) ``module``, or a module it imports,
            is not installed; the message names ``pip install 'neuralab[EXTRA]'``.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        missing = (error.name or module).partition(".")[0]
        package = PACKAGES.get(missing, missing)
        raise MissingExtraError(
            f"{what} needs {package}: pip install 'neuralab[{extra}]'", name=missing
        ) from None
