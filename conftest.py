"""The examples in the package's docstrings run as doctests beside the tests.

Only the sources under src/neuralab are read for doctests (``--doctest-modules`` would
also import every test file and the compat programs as modules). ``nn/functional.py`` is
an alias of ``neuralab.functional``, whose examples already run; ``__main__.py`` would run
the command line when imported.
"""

from pathlib import Path

from _pytest.doctest import DoctestModule

PACKAGE = Path(__file__).resolve().parent / "src" / "neuralab"
ALIAS = PACKAGE / "nn" / "functional.py"


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".py" or PACKAGE not in file_path.parents:
        return None
    if file_path == ALIAS or file_path.name == "__main__.py":
        return None
    if parent.config.option.doctestmodules:  # pytest collects it already
        return None
    return DoctestModule.from_parent(parent, path=file_path)
