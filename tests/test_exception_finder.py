"""Exceptions: which indicators and actions the themed exception reports show, and in what words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.io import conform
from analysis.methods.exception_finder import exception_reasons, find_exceptions
from analysis.methods.quarters import Quarter

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
        "released": pd.Timestamp(f"{year}-10-31"),
        "release": f"Children in need {year - 1}-{year % 100:02d}, released October {year}",
        "period_end": pd.Timestamp(f"{year}-03-31"),
        "period_label": f"{year - 1}-{year % 100:02d}",
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
        "action": f"Action {action_id} text",
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
    keys = list(zip(found["theme"], found["kind"], found["item_id"], found["reason_codes"], strict=True))
    assert keys == [
        (1, "indicator", "adoption_a2_days_placement_order_to_match", "failing_target"),
        (1, "indicator", "cp_plans_second_or_subsequent", "worst_quartile"),
        (1, "indicator", "rereferrals_within_12_months", "special_cause_concern"),
        (1, "action", "1.1", "off_track"),
        (1, "action", "1.2", "overdue"),
    ]
    reasons = dict(zip(found["reason_codes"], found["reasons"], strict=True))
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
    since = dict(zip(found["reason_codes"], found["since"], strict=True))
    assert since["special_cause_concern"] == pd.Timestamp("2015-01-01")
    assert since["overdue"] == pd.Timestamp("2015-06-30")
    assert found["title"].iloc[0] == config.indicator("adoption_a2_days_placement_order_to_match").name
    assert found["title"].iloc[3] == "Action 1.1: Action 1.1 text"  # the reference, then the action


def test_an_item_with_several_reasons_is_one_exception(config) -> None:
    """Off track AND overdue is one exception with both reasons (not two); an indicator likewise."""
    summaries = conform(
        pd.DataFrame(
            [
                summary(
                    "adoption_a2_days_placement_order_to_match",
                    "concern",
                    "consistently_failing",
                    "June 2015 was above the upper process limit: a real rise, not noise.",
                    "2015-06-01",
                )
            ]
        ),
        "spc_summary",
    )
    comparisons = conform(
        pd.DataFrame([comparison("cp_plans_second_or_subsequent", 2015, "A")]), "benchmark_comparison"
    )
    actions = conform(
        pd.DataFrame(
            [
                action("4.1", 4, "off_track", "2015-05-31", "Venue\nnot found"),
                action("4.10", 4, "not_started", "2015-04-30"),
                action("4.2", 4, "at_risk", "2015-06-15"),
            ]
        ),
        "actions",
    )
    found = find_exceptions(summaries, comparisons, actions, config, QUARTER)
    conform(found, "exceptions")
    assert found["item_id"].tolist() == ["adoption_a2_days_placement_order_to_match", "4.1", "4.2", "4.10"]
    both = found.set_index("item_id").loc["4.1"]
    assert both["reason_codes"] == "off_track,overdue"
    assert exception_reasons(both) == [
        ("off_track", "Reported off track: Venue not found"),  # the tracker's newline folded into a space
        ("overdue", "Due 31 May 2015 and not complete"),
    ]
    assert both["since"] == pd.Timestamp("2015-05-31")
    indicator = found.set_index("item_id").loc["adoption_a2_days_placement_order_to_match"]
    assert indicator["reason_codes"] == "special_cause_concern,failing_target"
    assert indicator["since"] == pd.Timestamp("2015-06-01")
    assert found.groupby("theme").size().to_dict() == {1: 1, 4: 3}


def test_extra_reasons_join_the_item(config) -> None:
    """A later finder's reasons (long form) join an item's own, after the built-in codes."""
    actions = conform(pd.DataFrame([action("1.1", 1, "off_track", "2015-09-30")]), "actions")
    empty_summary = conform(
        pd.DataFrame([summary("assessments_within_45_working_days", "common_cause", None, "y.")]),
        "spc_summary",
    )
    empty_comparison = conform(
        pd.DataFrame([comparison("cp_plans_second_or_subsequent", 2015, "A")]), "benchmark_comparison"
    )
    extra = pd.DataFrame(
        [
            {
                "theme": 1,
                "kind": "action",
                "item_id": "1.1",
                "title": "Action 1.1: Action 1.1 text",
                "reason_code": "anticipated_trend",
                "reason": "Expected to miss its date",
                "since": pd.NaT,
            }
        ]
    )
    found = find_exceptions(empty_summary, empty_comparison, actions, config, QUARTER, extra_reasons=[extra])
    assert len(found) == 1
    assert found["reason_codes"].iloc[0] == "off_track,anticipated_trend"
    assert exception_reasons(found.iloc[0])[1] == ("anticipated_trend", "Expected to miss its date")


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


def test_a_changed_process_missing_its_target_says_so(config) -> None:
    """Special-cause concern and a latest month over the target: one exception, both reasons, no 'consistently'."""
    summaries = conform(
        pd.DataFrame(
            [
                summary(
                    "lac_three_or_more_placements",
                    "concern",
                    "changed_missing_target",
                    "June 2015 was above the upper process limit: a real rise, not noise. Performance has changed.",
                    "2015-04-01",
                )
            ]
        ),
        "spc_summary",
    )
    comparisons = conform(
        pd.DataFrame([comparison("cp_plans_second_or_subsequent", 2015, "A")]), "benchmark_comparison"
    )
    actions = conform(pd.DataFrame([action("1.1", 1, "complete", "2015-04-30")]), "actions")
    found = find_exceptions(summaries, comparisons, actions, config, QUARTER)
    assert len(found) == 1
    assert exception_reasons(found.iloc[0]) == [
        ("special_cause_concern", "June 2015 was above the upper process limit: a real rise, not noise"),
        (
            "failing_target",
            "Missed the target of 10.0% in June 2015; performance has changed, so whether the target will be met "
            "cannot be judged yet",
        ),
    ]


def test_a_target_in_an_exception_reason_carries_its_unit(config) -> None:
    """Adoption A1 (days, no decimals, threshold 487): the reason reads "487 days", never a bare "487"."""
    summaries = conform(
        pd.DataFrame(
            [
                summary(
                    "adoption_a1_days_entering_care_to_placed",
                    "common_cause",
                    "consistently_failing",
                    "Within the expected range.",
                )
            ]
        ),
        "spc_summary",
    )
    empty_comparison = conform(
        pd.DataFrame([comparison("cp_plans_second_or_subsequent", 2015, "A")]), "benchmark_comparison"
    )
    actions = conform(pd.DataFrame([action("1.1", 1, "complete", "2015-04-30")]), "actions")
    found = find_exceptions(summaries, empty_comparison, actions, config, QUARTER)
    reasons = exception_reasons(found.iloc[0])
    assert reasons[0][1].startswith("Consistently failing the target of 487 days: ")
