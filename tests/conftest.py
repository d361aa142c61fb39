"""Shared fixtures.

The real MNIST / Fashion-MNIST IDX files live in ``../shared/datasets`` beside the
repository (``<repo>/../shared/datasets/{mnist,fashion-mnist}/``), both here and in CI.
Tests never download anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The folder with the original IDX files; skips the test only if it is missing."""
    if not (SHARED_DATASETS / "mnist").is_dir() or not (SHARED_DATASETS / "fashion-mnist").is_dir():
        pytest.skip(
            f"the MNIST / Fashion-MNIST files are not at {SHARED_DATASETS} (expected "
            "../shared/datasets/{mnist,fashion-mnist}/ beside the repository)"
        )
    return SHARED_DATASETS


@pytest.fixture
def neuralab_data(datasets_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """NEURALAB_DATA set to the shared data sets for the duration of the test."""
    monkeypatch.setenv("NEURALAB_DATA", str(datasets_dir))
    return datasets_dir
