"""The same inputs give byte-identical processed tables and the same reports apart from the run's timestamp."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult, run_pipeline

pytestmark = pytest.mark.e2e

TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)?")
#: The cover's date of the run, as a reader sees it: two runs either side of midnight differ there (seen in CI).
PRODUCED_ON = re.compile(rb"<dt>Produced on</dt><dd>[^<]*</dd>")


def _without_the_run_time(page: bytes) -> bytes:
    return PRODUCED_ON.sub(b"", TIMESTAMP.sub(b"", page))


def test_two_runs_of_the_same_inputs_agree(
    first_run: RunResult, demo_project: ProjectPaths, tmp_path: Path
) -> None:
    twin_root = tmp_path / "twin"
    twin_root.mkdir()
    shutil.copytree(demo_project.config, twin_root / "config")
    shutil.copytree(demo_project.raw, twin_root / "data" / "raw")
    shutil.copy2(demo_project.root / ".pseudonym-key", twin_root / ".pseudonym-key")
    twin = run_pipeline(ProjectPaths.from_root(twin_root), jobs=2, renderer="builtin")

    for table in sorted(demo_project.processed.glob("*.parquet")):
        assert (twin_root / "data" / "processed" / table.name).read_bytes() == table.read_bytes(), table.name
    for report in ["quarterly-report.html", "exceptions-1-quality-and-effectiveness.html", "index.html"]:
        ours = _without_the_run_time((first_run.quarter_dir / report).read_bytes())
        theirs = _without_the_run_time((twin.quarter_dir / report).read_bytes())
        assert ours == theirs, report
