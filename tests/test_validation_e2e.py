"""End to end: the cleaned demo data passes every critical data check and records some warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.config import load_config
from analysis.io import read_table
from analysis.methods.quarters import Quarter

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_cleaned_demo_passes_critical_checks_with_some_warnings(tmp_path):
    from analysis.stages import cleaning
    from analysis.stages.validation import data_quality_table, validate_processed
    from demo_data import generate as demo_data

    config = load_config(REPO / "config")
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    demo_data.generate_demo_data(raw, seed=2015, scale=1, config=config)
    cleaning.clean_all(raw, processed, config, key=b"test-key-for-validation-e2e")
    outcome = validate_processed(processed, config, Quarter.parse("2015-16-Q1"))
    assert outcome.passed, outcome.report()
    assert outcome.warnings
    written = read_table("validation_results", processed)
    assert (~written["success"] & written["severity"].eq("warning")).sum() == len(outcome.warnings)
    assert len(data_quality_table(written)) == len(outcome.warnings)
