"""Provenance of a quarter's run: ``reports/<quarter>/manifest.json``.

It records the inputs read and their SHA-256 (only those: not every file in ``data/raw/``; an input that links
outside the project is marked), the hash of the configuration the quarter's steps read, versions, parameters and
each stage's timing.
"""

from __future__ import annotations

import contextlib
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import __version__
from analysis.paths import ProjectPaths
from analysis.run.fingerprints import COMMENTARY_FOLDER, config_digest, files_below, sha256_file
from analysis.run.steps import QUARTER_STEPS, config_read_by

if TYPE_CHECKING:
    from analysis.run.quarter_stages import QuarterRun

MANIFEST_FILE = "manifest.json"
KEY_LIBRARIES = (
    "pandas",
    "numpy",
    "pyarrow",
    "great-expectations",
    "papermill",
    "nbconvert",
    "matplotlib",
    "holidays",
)


def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in KEY_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _data_period(processed: Path) -> tuple[dict[str, str | None], str | None]:
    from analysis.io import read_table

    period: dict[str, str | None] = {"first_month": None, "last_month": None}
    extract = None
    try:
        sources = read_table("source_files", processed)
        if sources["extract_date"].notna().any():
            extract = str(sources["extract_date"].max().date())
        monthly = read_table("indicators_monthly", processed, columns=["month"])
        if not monthly.empty:
            period = {
                "first_month": str(monthly["month"].min().date()),
                "last_month": str(monthly["month"].max().date()),
            }
    except FileNotFoundError:
        pass
    return period, extract


def manifest_inputs(paths: ProjectPaths, processed: Path) -> list[dict[str, Any]]:
    """The raw files the run read (the cleaning's ``source_files`` table and the commentary), with their SHA-256.

    Only those: a file in ``data/raw/`` that no reader opens is not hashed into the published manifest (it may
    be anything, a link to a system file included). An input that is a symbolic link to a file outside the project
    is marked ``"outside_project": true``.
    """
    from analysis.io import read_table

    names: set[str] = set()
    with contextlib.suppress(FileNotFoundError):
        names.update(read_table("source_files", processed, columns=["source_file"])["source_file"].dropna())
    names.update(p.relative_to(paths.raw).as_posix() for p in files_below(paths.raw / COMMENTARY_FOLDER))
    root = paths.root.resolve()
    inputs: list[dict[str, Any]] = []
    for name in sorted(names):
        path = paths.raw / name
        if not path.is_file():
            continue
        entry: dict[str, Any] = {"path": name, "sha256": sha256_file(path)}
        if not path.resolve().is_relative_to(root):
            entry["outside_project"] = True
        inputs.append(entry)
    return inputs


def quarter_manifest(run: QuarterRun, *, renderer: str) -> dict[str, Any]:
    """The run's provenance: inputs and their hashes, configuration, versions, parameters and stage timings.

    Paths are relative to the project so that two runs of the same inputs give the same manifest apart from the
    run timestamp and timings.
    """
    period, extract = _data_period(run.staged_processed)
    return {
        "authority": run.config.authority.name,
        "quarter": run.quarter.label if run.quarter else None,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "git_commit": _git_commit(run.paths.root),
        "python": platform.python_version(),
        "libraries": _library_versions(),
        "config_sha256": config_digest(run.paths.config, config_read_by(QUARTER_STEPS)),
        "code_sha256": run.code,
        "inputs": manifest_inputs(run.paths, run.staged_processed),
        "parameters": {
            "quarter": run.quarter.label if run.quarter else None,
            "jobs": run.jobs,
            "force": run.force,
            "renderer": renderer,
        },
        "renderer": renderer,
        "data_period": period,
        "extract_date": extract,
        "stages": [
            {"name": r.name, "seconds": r.seconds, "skipped": r.skipped, "fingerprint": r.fingerprint}
            for r in run.records
        ],
    }
