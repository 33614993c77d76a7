"""Shared fixtures: where the repository and ../shared are, and one demo run of the whole pipeline per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Quiet and offline: Great Expectations sends no analytics from tests.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests that need it skip cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present: this test reads the project's shared reference files")
    return SHARED


@pytest.fixture(scope="session")
def ees_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "data" / "ees"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present: this test reads DfE's published EES files")
    return folder
