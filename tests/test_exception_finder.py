"""Exceptions: which indicators and actions the themed exception reports show, and in what words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.exception_finder import find_exceptions
from analysis.io import conform
from analysis.quarters import Quarter

REPO = Path(__file__).resolve().parents[1]
QUARTER = Quarter.parse("2015-16-Q1")  # April to June 2015


def summary(
    indicator_id: str, variation: str, assurance: str | None, description: str, since: str | None = None
):
    return {
        "indicator_id": indicator_id,
        "latest_month": pd.Timestamp("2015-06-01"),
        "variation": variation,
        "assurance": assurance,
        "rule": "run" if variation != "common_cause" else None,
        "since": pd.Timestamp(since) if since else pd.NaT,
        "baseline_points": 12,
        "provisional": False,
        "description": description,
    }


def comparison(indicator_id: str, year: int, band: str | None, rank: int | None = None):
    return {
        "indicator_id": indicator_id,
        "time_period": year,
        "local_value": 1.0,
        "local_suppressed": False,
        "england": 1.0,
        "region": 1.0,
        "statistical_neighbours_average": 1.0,
        "statistical_neighbours_count": 1,
        "rank": rank,
        "authorities_ranked": None if rank is None else 150,
        "quartile_band": band,
        "target": np.nan,
        "gap_to_target": np.nan,
        "direction_of_travel": "worsening",
    }


def action(action_id: str, theme: int, status: str, due: str | None, update: str | None = None):
    return {
        "action_id": action_id,
        "theme": theme,
        "priority": "p",
        "action": f"Action {action_id}",
        "lead": "Head of service",
        "due_date": pd.Timestamp(due) if due else pd.NaT,
        "status": status,
        "latest_update": update,
        "source_row": 2,
    }


def test_exceptions_found_and_worded(config) -> None:
    summaries = conform(
        pd.DataFrame(
            [
                summary(
                    "rereferrals_within_12_months",
                    "concern",
                    None,
                    "7 months in a row above the average since January 2015: a real rise, not noise. Another sentence.",
                    "2015-01-01",
                ),
                summary(
                    "adoption_a2_days_placement_order_to_match", "common_cause", "consistently_failing", "x."
                ),
                summary("assessments_within_45_working_days", "improvement", "hit_and_miss", "y."),
                summary("agency_social_worker_rate", "common_cause", "consistently_passing", "z."),
            ]
        ),
        "spc_summary",
    )
    comparisons = conform(
        pd.DataFrame(
            [
                comparison("cp_plans_second_or_subsequent", 2014, "C"),
                comparison(
                    "cp_plans_second_or_subsequent", 2015, "D", rank=140
                ),  # moved into D: an exception
                comparison("cp_plans_lasting_two_years_or_more", 2014, "D"),
                comparison("cp_plans_lasting_two_years_or_more", 2015, "D", rank=150),  # already D: not new
                comparison(
                    "rereferrals_within_12_months", 2015, "D", rank=149
                ),  # no year before: not "moved"
            ]
        ),
        "benchmark_comparison",
    )
    actions = conform(
        pd.DataFrame(
            [
                action("1.1", 1, "off_track", "2015-09-30", "Recruitment delayed"),
                action(
                    "1.2", 1, "on_track", "2015-06-30"
                ),  # due on the quarter's last day, not complete: overdue
                action("1.3", 1, "complete", "2015-05-31"),
                action("2.1", 2, "at_risk", "2015-07-01"),  # due after the quarter
                action("3.1", 3, "not_started", None),
            ]
        ),
        "actions",
    )
    found = find_exceptions(summaries, comparisons, actions, config, QUARTER)
    conform(found, "exceptions")
    assert set(found["quarter"]) == {"2015-16-Q1"}
    keys = list(zip(found["theme"], found["kind"], found["item_id"], found["reason_code"], strict=True))
    assert keys == [
        (1, "indicator", "adoption_a2_days_placement_order_to_match", "failing_target"),
        (1, "indicator", "cp_plans_second_or_subsequent", "worst_quartile"),
        (1, "indicator", "rereferrals_within_12_months", "special_cause_concern"),
        (1, "action", "1.1", "off_track"),
        (1, "action", "1.2", "overdue"),
    ]
    reasons = dict(zip(found["reason_code"], found["reason"], strict=True))
    assert (
        reasons["special_cause_concern"]
        == "7 months in a row above the average since January 2015: a real rise, not noise"
    )
    assert reasons["overdue"] == "Due 30 June 2015 and not complete"
    assert reasons["off_track"] == "Reported off track: Recruitment delayed"
    assert "152 days" in reasons["failing_target"]
    assert reasons["worst_quartile"].startswith(
        "Moved into the worst quarter of authorities in 2014-15 (ranked 140 of 150"
    )
    since = dict(zip(found["reason_code"], found["since"], strict=True))
    assert since["special_cause_concern"] == pd.Timestamp("2015-01-01")
    assert since["overdue"] == pd.Timestamp("2015-06-30")
    assert found["title"].iloc[0] == config.indicator("adoption_a2_days_placement_order_to_match").name


def test_no_exceptions_gives_an_empty_table(config) -> None:
    summaries = conform(
        pd.DataFrame([summary("assessments_within_45_working_days", "improvement", None, "y.")]),
        "spc_summary",
    )
    comparisons = conform(
        pd.DataFrame([comparison("cp_plans_second_or_subsequent", 2015, "A")]), "benchmark_comparison"
    )
    actions = conform(pd.DataFrame([action("1.1", 1, "complete", "2015-04-30")]), "actions")
    found = find_exceptions(summaries, comparisons, actions, config, QUARTER)
    assert found.empty
    conform(found, "exceptions")
