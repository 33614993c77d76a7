"""Shared fixtures: where the repository and ../shared are, and one demo run of the whole pipeline per session."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

from analysis.config import ProjectConfig, load_config
from analysis.methods.months import parse_month_range
from analysis.paths import ProjectPaths
from analysis.run.pipeline import MonthlyResult, RunResult, run_months, run_pipeline

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
#: The small hand-made raw data set the cleaning tests read.
RAW_SMALL = REPO / "tests" / "fixtures" / "raw_small"

T = TypeVar("T")

# Quiet and offline: Great Expectations sends no analytics from tests.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(autouse=True)
def no_chart_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no chart cache folder: one that a loader sets (analysis.products.chart_cache) lasts
    for that test alone, so no test draws from, or writes into, another test's folder."""
    from analysis.products import chart_cache

    monkeypatch.setattr(chart_cache, "_folder", None)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def config() -> ProjectConfig:
    """The project's own configuration (frozen, so one copy serves every test)."""
    return load_config(REPO / "config")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A copy of the small hand-made raw data set (tests/fixtures/raw_small) that a test may change."""
    folder = tmp_path / "raw"
    shutil.copytree(RAW_SMALL, folder)
    return folder


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


def make_demo_project(root: Path, repo_root: Path, *, seed: int = 2015, scale: float = 1.0) -> ProjectPaths:
    """A project folder with the repository's configuration and freshly generated demo data."""
    from demo_data.generate import generate_demo_data

    shutil.copytree(repo_root / "config", root / "config")
    generate_demo_data(root / "data" / "raw", seed=seed, scale=scale, config=load_config(root / "config"))
    return ProjectPaths.from_root(root)


def copy_project(source: ProjectPaths, root: Path) -> ProjectPaths:
    """A copy of a project that has been run (configuration, raw data, key, processed tables and reports)."""
    shutil.copytree(source.root, root, symlinks=True)
    return ProjectPaths.from_root(root)


def made_once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]
) -> T:
    """``make(folder)`` once per test session, also when pytest-xdist spreads the tests over worker processes.

    Without workers this is a session fixture's body. With them (``make test`` runs ``pytest -n``), the first worker
    to ask builds it in the session's shared temporary folder under a file lock and pickles the result; the others
    wait for the lock and read it (the pattern of pytest-xdist's documentation, "Making session-scoped fixtures
    execute only once"). Tests treat what it makes as read-only and copy it to change it (:func:`copy_project`).
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent
    result = shared / f"{name}.pickle"
    with FileLock(str(shared / f"{name}.lock")):
        if result.is_file():
            return pickle.loads(result.read_bytes())  # noqa: S301 - written by this session's own worker
        folder = shared / name
        folder.mkdir()
        made = make(folder)
        result.write_bytes(pickle.dumps(made))
        return made


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> ProjectPaths:
    return made_once_per_session(
        tmp_path_factory, "demo", lambda folder: make_demo_project(folder / "project", repo_root)
    )


@pytest.fixture(scope="session")
def first_run(demo_project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return made_once_per_session(
        tmp_path_factory, "first_run", lambda _: run_pipeline(demo_project, jobs=2, renderer="builtin")
    )


#: The months of the monthly batch the end-to-end and browser tests share (15 months, April 2014 to June 2015).
MONTHLY_BATCH = "2014-04:2015-06"


@pytest.fixture(scope="session")
def monthly_batch(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> MonthlyResult:
    """One 15-month batch of dashboards, run once per session on a copy of the session's demo run."""

    def run_batch(folder: Path) -> MonthlyResult:
        paths = copy_project(demo_project, folder / "project")
        return run_months(paths, parse_month_range(MONTHLY_BATCH), jobs=2, renderer="builtin")

    return made_once_per_session(tmp_path_factory, "monthly", run_batch)


@pytest.fixture
def project(first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path) -> ProjectPaths:
    """A copy of the demo project after its good published run."""
    assert first_run.quarter == "2015-16-Q1"
    return copy_project(demo_project, tmp_path / "project")
