"""End to end: the cleaned demo data passes every critical data check and records some warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.config import load_config
from analysis.io import read_table
from analysis.methods.quarters import Quarter

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_cleaned_demo_passes_critical_checks_with_some_warnings(tmp_path, first_run, demo_project):
    """The checks on the session's cleaned demo data (a copy: the validation writes its results beside them)."""
    from analysis.stages.validation import data_quality_table, validate_processed

    config = load_config(REPO / "config")
    processed = tmp_path / "processed"
    shutil.copytree(demo_project.processed, processed)
    (processed / "validation_results.parquet").unlink()  # the run's own results: the test reads its own
    outcome = validate_processed(processed, config, Quarter.parse("2015-16-Q1"))
    assert outcome.passed, outcome.report()
    assert outcome.warnings
    written = read_table("validation_results", processed)
    assert (~written["success"] & written["severity"].eq("warning")).sum() == len(outcome.warnings)
    assert len(data_quality_table(written)) == len(outcome.warnings)
