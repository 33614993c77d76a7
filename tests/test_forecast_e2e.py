"""End to end on the demo: a planned movement is not an exception, a departure from the plan is; the reports show both."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.io import read_table
from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult

pytestmark = pytest.mark.e2e


def test_the_planned_fall_in_referrals_is_not_an_exception(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    exceptions = read_table("exceptions", demo_project.processed)
    spc_summary = read_table("spc_summary", demo_project.processed).set_index("indicator_id")
    anticipated = read_table("anticipated", demo_project.processed)
    for indicator in ["referrals_per_10000", "children_in_need_per_10000"]:
        # SPC still sees the planned fall as a long run below the mean ...
        assert spc_summary.loc[indicator, "rule"] is not pd.NA and "run" in str(
            spc_summary.loc[indicator, "rule"]
        )
        # ... but the latest months are where the plan expected them, so it is not an exception.
        latest = anticipated.loc[anticipated["indicator_id"] == indicator].sort_values("month").tail(3)
        assert latest["position"].tolist() == ["within"] * 3
        assert indicator not in set(exceptions["item_id"])


def test_the_cp_plans_departure_from_its_path_is_an_exception(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    exceptions = read_table("exceptions", demo_project.processed)
    mine = exceptions.loc[exceptions["item_id"] == "children_on_cp_plan_per_10000"]
    assert mine["reason_codes"].tolist() == ["out_of_line"]
    reason = mine["reasons"].iloc[0]
    # Planned: 77 in March 2015 to 60 in March 2016, so 72.75 in June 2015, tolerance 4: band 68.75 to 76.75.
    assert reason.startswith("Children on a child protection plan per 10,000 children: ")
    assert (
        "in June 2015, above the planned path of 72.8 and outside the expected range of 68.8-76.8" in reason
    )
    report = (first_run.quarter_dir / "exceptions-1-quality-and-effectiveness.html").read_text(
        encoding="utf-8"
    )
    assert html.escape(reason, quote=False) in report or reason in report


def test_reports_show_the_path_and_look_ahead(first_run: RunResult, demo_project: ProjectPaths) -> None:
    report = html.unescape((first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8"))
    assert (
        "The planned path for June 2015 was 72.8 per 10,000 (band 68.8 per 10,000 to 76.8 per 10,000)"
        in report
    )
    assert "Looking ahead" in report
    forecasts = read_table("forecasts", demo_project.processed)
    assert forecasts["series_id"].nunique() == 5
    assert (forecasts["lower_95"] <= forecasts["lower_80"]).all()
    assert (forecasts["upper_80"] <= forecasts["upper_95"]).all()
    assert "How the forecasts were made and tested" in report
    backtest = read_table("forecast_backtest", demo_project.processed)
    for row in backtest.itertuples(index=False):
        if row.method == "naive" and row.forecasts:
            assert row.model_mape >= row.naive_mape  # naive is used only where the model did not beat it
            assert "did not beat a naive forecast" in row.note


def test_looking_ahead_states_the_measured_coverage_and_no_overclaim(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    report = html.unescape((first_run.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8"))
    start = report.index("Where demand is heading")
    section = report[start : report.index("Demand measures: recent figures", start)]
    forecasts = read_table("forecasts", demo_project.processed)
    backtest = read_table("forecast_backtest", demo_project.processed)
    # The coverage stated for each measure is the one measured for the method used, never the nominal claim.
    assert "four times in five" not in section and "nineteen times in twenty" not in section
    for row in backtest.itertuples(index=False):
        if row.forecasts:
            assert (
                f"its 80% range held the actual figure {row.inside_80} times in {row.forecasts} "
                f"({row.coverage_80:.1f}%) and its 95% range {row.inside_95} times in {row.forecasts} "
                f"({row.coverage_95:.1f}%)"
            ) in section
            used = row.naive_coverage_80 if row.method == "naive" else row.model_coverage_80
            assert row.coverage_80 == used
    # No model codes or backtest jargon for the reader (the method section keeps them).
    for jargon in ["ETS(", "AICc", "naive", "did not beat", "backtest"]:
        assert jargon not in section
    # Ranges within what is possible; a range wider than the configured share is not printed.
    assert (forecasts[["mean", "lower_80", "lower_95"]] >= 0).all().all()
    share = load_config(demo_project.config).registry.anticipated.forecast.too_uncertain_share
    width = forecasts["upper_95"] - forecasts["lower_95"]
    assert (forecasts["too_uncertain_95"] == (width > share * forecasts["mean"].abs())).all()
    if forecasts["too_uncertain_80"].any():
        assert "too uncertain to plan on" in section
