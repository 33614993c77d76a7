"""End to end: the demo's Annex A, written in Ofsted's current template, through ``analysis run`` (the session's
shared run), with no list refused and no care leaver set aside for a column the template does not have."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.inputs.annex_a import UNMATCHED_HEADING_RULE
from analysis.io import read_table
from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult
from analysis.stages.indicators import unavailable_indicators

pytestmark = pytest.mark.e2e


def test_every_list_of_the_current_template_is_read(first_run: RunResult, demo_project: ProjectPaths) -> None:
    sources = read_table("source_files", demo_project.processed)
    annex = sources.loc[sources["source_file"] == "annex_a.xlsx"]
    assert set(annex["source_sheet"]) == {f"List {n}" for n in range(1, 12)}
    assert (annex["rows_written"] > 0).all()
    log = read_table("cleaning_log", demo_project.processed)
    assert not (log["rule"] == UNMATCHED_HEADING_RULE).any()  # every heading the demo writes is known


def test_no_care_leaver_is_set_aside_and_every_indicator_is_available(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    quarantine = read_table("quarantine", demo_project.processed)
    assert not (quarantine["table"] == "care_leavers").any()
    leavers = read_table("care_leavers", demo_project.processed)
    assert leavers["accommodation_suitable"].notna().any() and leavers["activity"].notna().any()
    config = load_config(demo_project.config)
    assert unavailable_indicators(config, read_table("cleaning_log", demo_project.processed)) == {}
    annual = read_table("indicators_annual", demo_project.processed)
    for indicator in (
        "care_leavers_in_suitable_accommodation",
        "care_leavers_in_education_employment_training",
    ):
        assert annual.loc[annual["indicator_id"] == indicator, "value"].notna().any(), indicator
    report = first_run.report_path.read_text(encoding="utf-8")
    assert "lacks a column" not in report


def test_review_conference_and_visit_dates_reach_the_processed_tables(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    plans = read_table("cp_plans", demo_project.processed)
    reviewed = plans.dropna(subset=["latest_review_conference_date"])
    assert len(reviewed) > 0
    # The first review conference falls three months (91 days) or more after the plan starts.
    gap = (reviewed["latest_review_conference_date"] - reviewed["cp_plan_start_date"]).dt.days
    assert (gap >= 91).all()
    assert pd.Series(plans["last_visit_date"]).notna().any()
    looked_after = read_table("looked_after", demo_project.processed)
    assert looked_after["latest_review_date"].notna().any()
