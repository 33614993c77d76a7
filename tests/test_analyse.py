"""The analysis stage: hand-made indicator series through SPC, benchmarks and exceptions to the written tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.io import conform, read_table, write_table
from analysis.methods.quarters import Quarter
from analysis.schemas import ANALYSIS_TABLES, schema
from analysis.stages.analyse import analyse_all, first_full_month

REPO = Path(__file__).resolve().parents[1]
QUARTER = Quarter.parse("2015-16-Q1")


def empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(table).columns})


def monthly_frame() -> pd.DataFrame:
    # Re-referrals (lower is better): 12 months alternating 22 and 20 (mean 21, limits 21 +/- 5.32), then seven
    # months at 23 (above the mean, not beyond two sigma at 24.55): a run of 7 from December 2014, a concern.
    # July 2015 is after the quarter and must be left out (10 would be below the lower limit).
    values = [22.0, 20.0] * 6 + [23.0] * 7 + [10.0]
    months = pd.date_range("2013-12-01", periods=len(values), freq="MS")
    return conform(
        pd.DataFrame(
            {
                "indicator_id": "rereferrals_within_12_months",
                "month": months,
                "value": values,
                "numerator": np.nan,
                "denominator": np.nan,
                "suppressed": False,
            }
        ),
        "indicators_monthly",
    )


def annual_frame() -> pd.DataFrame:
    return conform(
        pd.DataFrame(
            {
                "indicator_id": ["rereferrals_within_12_months"] * 2,
                "period_type": ["year_to_31_march"] * 2,
                "time_period": [2014, 2015],
                "period_end": [pd.Timestamp("2014-03-31"), pd.Timestamp("2015-03-31")],
                "period_label": ["2013-14", "2014-15"],
                "value": [21.5, 20.0],
                "numerator": [np.nan] * 2,
                "denominator": [np.nan] * 2,
                "suppressed": [False] * 2,
                "source": ["Annex A lists"] * 2,
            }
        ),
        "indicators_annual",
    )


def benchmark_rows() -> pd.DataFrame:
    rows = []
    for year, england in ((2014, 24.2), (2015, 22.5)):
        rows.append(("National", "E92000001", None, england))
        rows[-1] = (year, *rows[-1])
        rows.append((year, "Local authority", "E06000001", 100, 30.0))
    return conform(
        pd.DataFrame(
            {
                "publication": "c1",
                "time_period": [r[0] for r in rows],
                "geographic_level": [r[1] for r in rows],
                "area_code": [r[2] for r in rows],
                "old_la_code": pd.array([r[3] for r in rows], dtype="Int64"),
                "area_name": "x",
                "measure": "rereferral_percent",
                "value": [r[4] for r in rows],
                "symbol": None,
            }
        ),
        "benchmarks",
    )


@pytest.fixture
def processed(tmp_path: Path, config) -> Path:
    folder = tmp_path / "processed"
    names = {t for i in config.indicators for t in i.tables} | {"population", "scorecard", "referrals"}
    for name in names:
        write_table(empty(name), name, folder)
    contacts = empty("contacts")
    contacts = conform(
        pd.DataFrame(
            {
                "child_id": ["a"],
                "gender": ["female"],
                "ethnicity": ["WBRI"],
                "date_of_birth": [pd.Timestamp("2010-01-01")],
                "contact_date": [pd.Timestamp("2013-11-05")],
                "contact_source": ["police"],
                "source_row": [2],
            }
        ),
        "contacts",
    )
    write_table(contacts, "contacts", folder)
    write_table(benchmark_rows(), "benchmarks", folder)
    actions = pd.DataFrame(
        {
            "action_id": ["2.1"],
            "theme": [2],
            "priority": ["p"],
            "action": ["Recruit first line managers"],
            "lead": ["Head of HR"],
            "due_date": [pd.Timestamp("2015-05-31")],
            "status": ["at_risk"],
            "latest_update": [None],
            "source_row": [3],
        }
    )
    write_table(actions, "actions", folder)
    return folder


def test_the_stage_writes_its_tables_and_finds_the_story(processed: Path, config) -> None:
    calls = {}

    def fake_compute(tables, config, *, first_month, last_month):
        calls.update(first_month=first_month, last_month=last_month, tables=set(tables))
        return monthly_frame(), annual_frame()

    result = analyse_all(processed, config, QUARTER, compute=fake_compute)
    # The contacts list starts on Tuesday 5 November 2013, so December 2013 is the first full month.
    assert calls["first_month"] == pd.Timestamp("2013-12-01")
    assert calls["last_month"] == pd.Timestamp("2015-06-01")
    for table in ANALYSIS_TABLES:
        conform(read_table(table, processed), table)
    assert len(result.written) == len(ANALYSIS_TABLES)

    spc = read_table("spc", processed)
    assert spc["month"].max() == pd.Timestamp("2015-06-01")
    summary = (
        read_table("spc_summary", processed).set_index("indicator_id").loc["rereferrals_within_12_months"]
    )
    assert summary["variation"] == "concern"
    assert summary["since"] == pd.Timestamp("2014-12-01")

    comparison = read_table("benchmark_comparison", processed)
    # 2014-15's figures were released in October 2015, after the quarter (to June 2015): only 2013-14 is known.
    assert comparison["time_period"].tolist() == [2014]
    assert comparison["release"].tolist() == ["Children in need 2013-14, released October 2014"]
    assert comparison["local_value"].tolist() == [21.5]  # no published figure for Medway: the local one
    assert comparison["england"].tolist() == [24.2]

    exceptions = read_table("exceptions", processed)
    keys = list(zip(exceptions["theme"], exceptions["item_id"], exceptions["reason_codes"], strict=True))
    assert keys == [(1, "rereferrals_within_12_months", "special_cause_concern"), (2, "2.1", "overdue")]
    assert exceptions["reasons"].iloc[0] == (
        "7 months in a row above the average since December 2014: a real rise, not noise"
    )

    # What the Board saw then: in March 2015 the run above the average was four months old, not yet a signal.
    readings = read_table("spc_as_at", processed)
    readings = readings.loc[readings["indicator_id"] == "rereferrals_within_12_months"].set_index("as_at")
    assert readings.loc[pd.Timestamp("2015-03-01"), "variation"] == "common_cause"
    assert readings.loc[pd.Timestamp("2015-06-01"), "variation"] == "concern"
    assert readings.index.max() == pd.Timestamp("2015-06-01")  # July 2015 is after the quarter
    history = read_table("exceptions_as_at", processed)
    now = history.loc[history["quarter"] == QUARTER.label].reset_index(drop=True)
    pd.testing.assert_frame_equal(now.loc[:, exceptions.columns], exceptions)
    # An earlier quarter: its indicator exceptions as they stood (none), never today's action statuses.
    before = history.loc[history["quarter"] != QUARTER.label]
    assert before.empty

    headline = result.headline(1).set_index("indicator")
    row = headline.loc[config.indicator("rereferrals_within_12_months").name]
    assert (row["latest_value"], row["variation"], row["exceptions"]) == (23.0, "concern", 1)
    per_theme = result.exceptions_by_theme.set_index("theme")
    assert len(per_theme) == len(config.plan.themes)
    assert per_theme["action_exceptions"].sum() == 1 and per_theme["indicator_exceptions"].sum() == 1


def test_first_full_month_is_the_latest_start_of_the_front_door_lists() -> None:
    tables = {
        # Sunday 1 April 2012: the first working day is Monday 2 April, so a list starting then covers April.
        "contacts": pd.DataFrame({"contact_date": pd.to_datetime(["2012-04-02", "2013-01-09"])}),
        "referrals": pd.DataFrame({"referral_date": pd.to_datetime(["2012-04-02"])}),
    }
    assert first_full_month(tables) == pd.Timestamp("2012-04-01")
    # Referrals from Tuesday 3 April miss a working day of April: May is their first full month.
    tables["referrals"] = pd.DataFrame({"referral_date": pd.to_datetime(["2012-04-03"])})
    assert first_full_month(tables) == pd.Timestamp("2012-05-01")
    # Monday 6 May 2013 is a bank holiday after a weekend: a list from Tuesday 7 May misses 1-3 May.
    tables = {"contacts": pd.DataFrame({"contact_date": pd.to_datetime(["2013-05-07"])})}
    assert first_full_month(tables) == pd.Timestamp("2013-06-01")


# ------------------------------------------------------------------------------------------ end to end
@pytest.mark.e2e
def test_the_demo_story_is_found(tmp_path: Path, config, first_run, demo_project) -> None:
    """The analysis of the session's cleaned demo data (a copy: the stage writes its tables beside them)."""
    processed = tmp_path / "processed"
    shutil.copytree(demo_project.processed, processed)
    result = analyse_all(processed, config, QUARTER)

    summary = result.spc_summary.set_index("indicator_id")
    assert summary.loc["assessments_within_45_working_days", "variation"] == "improvement"

    comparison = result.benchmark_comparison.set_index(["indicator_id", "time_period"])
    cp = comparison.loc["children_on_cp_plan_per_10000"].sort_index().iloc[-1]
    assert cp["local_value"] > cp["england"]

    exceptions = result.exceptions
    found = {
        (item, code)
        for item, codes in zip(exceptions["item_id"], exceptions["reason_codes"], strict=True)
        for code in codes.split(",")
    }
    # A2: about 180-200 days against the 152-day threshold: the authority's own three-year average to March 2015
    # (DfE's figure for those years came out in December 2015, after the quarter, so no comparison shows it).
    annual = read_table("indicators_annual", processed).set_index(
        ["indicator_id", "period_type", "time_period"]
    )
    a2 = annual.loc[("adoption_a2_days_placement_order_to_match", "three_year_average", 2015), "value"]
    assert a2 > config.indicator("adoption_a2_days_placement_order_to_match").target.value
    assert 2015 not in comparison.loc["adoption_a2_days_placement_order_to_match"].index
    # The planted surprises of April-June 2015 (demo_data.generate's docstring).
    assert ("lac_camhs_waiting_weeks", "special_cause_concern") in found
    assert ("average_caseload_per_social_worker", "special_cause_concern") in found
    assert ("lac_three_or_more_placements", "special_cause_concern") in found
    assert {("1.1", "off_track"), ("1.1", "overdue"), ("4.1", "off_track"), ("4.1", "overdue")} <= found
    assert {("1.2", "overdue"), ("4.2", "overdue")} <= found
    # One exception per item, however many reasons: 1.1 and 4.1 (off track and overdue) appear once each.
    assert not exceptions.duplicated(["theme", "kind", "item_id"]).any()
    assert exceptions.set_index("item_id").loc["4.1", "reason_codes"] == "off_track,overdue"
    caseload = summary.loc["average_caseload_per_social_worker"]
    assert caseload["since"] == pd.Timestamp("2014-11-01")
