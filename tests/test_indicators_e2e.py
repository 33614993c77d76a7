"""End to end: the indicators on the cleaned demonstration data tell the committee paper's story."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.config import load_config
from analysis.io import read_table
from analysis.schemas import CHILD_LEVEL_TABLES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_indicators(first_run, demo_project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicators computed from the session's cleaned demo tables (read only)."""
    from analysis.stages.indicators import compute_indicators

    config = load_config(REPO / "config")
    processed = demo_project.processed
    tables = {name: read_table(name, processed) for name in [*CHILD_LEVEL_TABLES, "scorecard", "population"]}
    first = tables["referrals"]["referral_date"].min()
    first_month = first.to_period("M").start_time
    if first != first_month:
        first_month += pd.offsets.MonthBegin(1)
    return compute_indicators(tables, config, first_month=first_month, last_month=pd.Timestamp("2015-06-01"))


@pytest.mark.e2e
def test_assessments_much_more_timely_after_the_realignment(
    demo_indicators: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    monthly, _ = demo_indicators
    series = monthly[monthly["indicator_id"] == "assessments_within_45_working_days"].set_index("month")[
        "value"
    ]
    before = series[series.index < "2014-10-01"].mean()
    after = series[series.index >= "2014-10-01"].mean()
    assert after > before + 15, (before, after)


@pytest.mark.e2e
def test_cp_rate_at_31_march_2015_is_near_the_published_figure(
    demo_indicators: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, annual = demo_indicators
    rows = annual[
        (annual["indicator_id"] == "children_on_cp_plan_per_10000")
        & (annual["period_type"] == "at_31_march")
        & (annual["time_period"] == 2015)
    ]
    assert rows["value"].tolist() == pytest.approx([76.4], abs=5.0)


@pytest.mark.e2e
def test_every_indicator_has_a_figure_in_the_last_quarter(
    demo_indicators: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    monthly, _ = demo_indicators
    last_quarter = monthly[monthly["month"] >= "2015-04-01"]
    missing = last_quarter.groupby("indicator_id")["value"].count()
    assert (missing > 0).all(), missing[missing == 0].index.tolist()
