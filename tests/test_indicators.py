"""Every indicator definition on a few hand-made records, with the answers worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import load_config
from analysis.io import conform
from analysis.schemas import CHILD_LEVEL_TABLES, SCHEMAS
from analysis.stages.indicators import (
    adoption_a1_days_entering_care_to_placed,
    adoption_a2_days_placement_order_to_match,
    assessments_within_45_working_days,
    care_leavers_in_education_employment_training,
    care_leavers_in_suitable_accommodation,
    children_in_need_per_10000,
    children_leaving_care_adopted,
    children_looked_after_per_10000,
    children_on_cp_plan_per_10000,
    compute_indicators,
    contacts_converting_to_referrals,
    cp_plans_lasting_two_years_or_more,
    cp_plans_second_or_subsequent,
    early_help_assessments_started,
    icpc_within_15_working_days,
    lac_three_or_more_placements,
    month_periods,
    periods_frame,
    population_for_periods,
    referrals_converting_to_assessments,
    referrals_per_10000,
    rereferral_flags,
    rereferrals_within_12_months,
    scorecard_indicator,
    section_47_enquiries,
    unavailable_indicators,
)
from analysis.stages.indicators.periods import sum_in_periods

REPO = Path(__file__).resolve().parents[1]
MEDWAY = {"old_la_code": 887, "ons_code": "E06000035"}


def table(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A processed table from a few rows: unnamed columns empty, types as the schema says."""
    frame = pd.DataFrame(rows)
    for column in SCHEMAS[name].columns:
        if column.name not in frame:
            frame[column.name] = range(1, len(frame) + 1) if column.name == "source_row" else None
    if "child_id" in SCHEMAS[name].column_names and frame["child_id"].isna().all():
        frame["child_id"] = [f"child{n}" for n in range(len(frame))]
    return conform(frame, name)


def month(text: str) -> pd.DataFrame:
    """The one-month periods frame for ``2015-03``-style text."""
    return month_periods(pd.Timestamp(text), pd.Timestamp(text))


def months(first: str, last: str) -> pd.DataFrame:
    return month_periods(pd.Timestamp(first), pd.Timestamp(last))


def population() -> pd.DataFrame:
    rows = [
        {
            "time_period": year,
            "geographic_level": "Local authority",
            "area_code": "E06000035",
            "old_la_code": 887,
            "area_name": "Medway",
            "population": value,
        }
        for year, value in [(2013, 60_000.0), (2014, 62_000.0), (2015, 64_000.0)]
    ]
    rows.append(
        {
            "time_period": 2014,
            "geographic_level": "National",
            "area_code": "E92000001",
            "old_la_code": None,
            "area_name": "England",
            "population": 11_000_000.0,
        }
    )
    return table("population", rows)


def as_lists(result: pd.DataFrame) -> dict[str, list[float]]:
    return {c: [None if np.isnan(v) else round(float(v), 4) for v in result[c]] for c in result.columns}


# --------------------------------------------------------------------------------------------- periods
def test_population_is_the_previous_mid_year() -> None:
    # 31 March 2015 and April 2014 use mid-2014; April 2015 uses mid-2015; 31 March 2014 uses mid-2013.
    periods = periods_frame(
        ["2014-03-01", "2014-04-01", "2015-03-01", "2015-04-01"],
        ["2014-03-31", "2014-04-30", "2015-03-31", "2015-04-30"],
    )
    assert population_for_periods(population(), periods, **MEDWAY).tolist() == [
        60_000,
        62_000,
        62_000,
        64_000,
    ]


def test_population_falls_back_to_the_latest_estimate(caplog: pytest.LogCaptureFixture) -> None:
    periods = periods_frame(["2017-03-01"], ["2017-03-31"])  # wants mid-2016; the latest is mid-2015
    assert population_for_periods(population(), periods, **MEDWAY).tolist() == [64_000]
    assert "2016" in caplog.text


# ------------------------------------------------------------------------------------------- front door
def test_contacts_converting_to_referrals() -> None:
    contacts = table(
        "contacts",
        [{"contact_date": d} for d in ["2015-03-02", "2015-03-09", "2015-03-31", "2015-03-15", "2015-02-28"]],
    )
    referrals = table("referrals", [{"referral_date": "2015-03-20"}, {"referral_date": "2015-04-01"}])
    result = contacts_converting_to_referrals(contacts, referrals, month("2015-03"))
    assert as_lists(result) == {"numerator": [1.0], "denominator": [4.0], "value": [25.0]}


def test_rereferrals_child_referred_three_times() -> None:
    referrals = table(
        "referrals",
        [
            {"child_id": "X", "referral_date": "2014-01-15"},  # first: not a re-referral
            {"child_id": "X", "referral_date": "2014-06-10"},  # 5 months after the first
            {"child_id": "X", "referral_date": "2015-06-10"},  # exactly 12 months after the second: within
            {"child_id": "Y", "referral_date": "2014-05-01"},
            {"child_id": "Y", "referral_date": "2015-05-02"},  # 12 months and a day: not within
            {"child_id": "Z", "referral_date": "2015-06-20"},
        ],
    )
    assert rereferral_flags(referrals).tolist() == [False, True, True, False, False, False]
    result = rereferrals_within_12_months(referrals, months("2015-05", "2015-06"))
    assert as_lists(result) == {"numerator": [0.0, 1.0], "denominator": [1.0, 2.0], "value": [0.0, 50.0]}


def test_rereferral_flags_follow_the_rows_whatever_their_order() -> None:
    referrals = table(
        "referrals",
        [
            {"child_id": "X", "referral_date": "2015-06-10"},
            {"child_id": "Z", "referral_date": "2015-01-01"},
            {"child_id": "X", "referral_date": "2014-07-01"},
        ],
    )
    assert rereferral_flags(referrals).tolist() == [True, False, False]


def test_referrals_per_10000_monthly_is_annualised_on_the_previous_mid_year() -> None:
    rows = [{"referral_date": "2015-03-10"}] * 31 + [{"referral_date": "2015-04-10"}] * 16
    referrals = table("referrals", rows)
    periods = months("2015-03", "2015-04")
    result = referrals_per_10000(referrals, periods, population_for_periods(population(), periods, **MEDWAY))
    # March 2015: 31 x 12 / 62,000 (mid-2014) x 10,000 = 60.0; April 2015: 16 x 12 / 64,000 (mid-2015) = 30.0.
    assert as_lists(result) == {
        "numerator": [31.0, 16.0],
        "denominator": [62_000.0, 64_000.0],
        "value": [60.0, 30.0],
    }


def test_referrals_per_10000_for_a_year_is_not_scaled() -> None:
    rows = [{"referral_date": "2014-04-01"}] * 100 + [{"referral_date": "2015-03-31"}] * 24
    rows += [{"referral_date": "2015-04-01"}] * 7
    periods = periods_frame(["2014-04-01"], ["2015-03-31"])
    result = referrals_per_10000(
        table("referrals", rows), periods, population_for_periods(population(), periods, **MEDWAY)
    )
    assert result["value"].tolist() == pytest.approx([124 / 62_000 * 10_000])  # 20.0


def test_referrals_converting_to_assessments_within_30_days() -> None:
    referrals = table(
        "referrals",
        [
            {"child_id": "A", "referral_date": "2015-03-01"},
            {"child_id": "B", "referral_date": "2015-03-01"},
            {"child_id": "C", "referral_date": "2015-03-10"},
            {"child_id": "D", "referral_date": "2015-03-15"},
            {"child_id": "F", "referral_date": "2015-03-20"},
        ],
    )
    assessments = table(
        "assessments",
        [
            {"child_id": "A", "assessment_start_date": "2015-03-31"},  # day 30: converted
            {"child_id": "B", "assessment_start_date": "2015-04-01"},  # day 31: not
            {"child_id": "C", "assessment_start_date": "2015-03-10"},  # same day: converted
            {"child_id": "E", "assessment_start_date": "2015-03-16"},  # another child
            {"child_id": "F", "assessment_start_date": "2015-03-19"},  # the day before: not
        ],
    )
    result = referrals_converting_to_assessments(referrals, assessments, month("2015-03"))
    assert as_lists(result) == {"numerator": [2.0], "denominator": [5.0], "value": [40.0]}


def test_early_help_assessments_started() -> None:
    early_help = table(
        "early_help", [{"early_help_start_date": d} for d in ["2015-03-01", "2015-03-31", "2015-04-01"]]
    )
    result = early_help_assessments_started(early_help, months("2015-03", "2015-04"))
    assert result["value"].tolist() == [2.0, 1.0]
    assert result["numerator"].tolist() == [2.0, 1.0]


# ------------------------------------------------------------------------------------------ assessments
def test_assessment_authorised_on_the_45th_working_day_is_within() -> None:
    # Mon 5 Jan 2015: 45 working days later is Mon 9 March (no bank holidays between; 9 weeks x 5 days = 45).
    assessments = table(
        "assessments",
        [
            {
                "assessment_start_date": "2015-01-05",
                "assessment_authorised_date": "2015-03-09",
            },  # 45th: within
            {"assessment_start_date": "2015-01-05", "assessment_authorised_date": "2015-03-10"},  # 46th: not
            {"assessment_start_date": "2015-02-02", "assessment_authorised_date": "2015-02-10"},
            {"assessment_start_date": "2015-02-20", "assessment_authorised_date": None},  # not yet authorised
        ],
    )
    result = assessments_within_45_working_days(assessments, months("2015-02", "2015-04"))
    assert as_lists(result) == {
        "numerator": [1.0, 1.0, 0.0],
        "denominator": [1.0, 2.0, 0.0],
        "value": [100.0, 50.0, None],
    }


def test_children_in_need_per_10000_counts_open_episodes() -> None:
    cin = table(
        "children_in_need",
        [
            {"cin_start_date": "2014-06-01", "cin_end_date": None},
            {"cin_start_date": "2014-06-01", "cin_end_date": "2015-03-31"},  # ends on the day: not open
            {"cin_start_date": "2015-03-31", "cin_end_date": None},  # starts on the day: open
            {"cin_start_date": "2015-04-02", "cin_end_date": None},
        ],
    )
    periods = months("2015-03", "2015-04")
    result = children_in_need_per_10000(cin, periods, population_for_periods(population(), periods, **MEDWAY))
    assert result["numerator"].tolist() == [2.0, 3.0]
    assert result["value"].tolist() == pytest.approx([2 / 62_000 * 10_000, 3 / 64_000 * 10_000])


# ------------------------------------------------------------------------------------- child protection
def test_section_47_enquiries_by_strategy_discussion_month() -> None:
    s47 = table(
        "section47", [{"strategy_discussion_date": d} for d in ["2015-06-01", "2015-06-30", "2015-07-01"]]
    )
    assert section_47_enquiries(s47, months("2015-06", "2015-07"))["value"].tolist() == [2.0, 1.0]


def test_icpc_within_15_working_days() -> None:
    s47 = table(
        "section47",
        [
            {"strategy_discussion_date": "2015-06-01", "icpc_date": "2015-06-22"},  # 15th working day: within
            {"strategy_discussion_date": "2015-06-01", "icpc_date": "2015-06-23"},  # 16th: not
            {
                "strategy_discussion_date": "2015-03-27",
                "icpc_date": "2015-04-21",
            },  # 15th across Easter: within
            {"strategy_discussion_date": "2015-06-02", "icpc_not_required": True},  # no conference needed
            {"strategy_discussion_date": "2015-06-03", "icpc_date": None},  # not held yet
            # A date recorded although the conference was marked not required: left out.
            {"strategy_discussion_date": "2015-06-04", "icpc_date": "2015-06-05", "icpc_not_required": True},
        ],
    )
    result = icpc_within_15_working_days(s47, months("2015-04", "2015-06"))
    assert as_lists(result) == {
        "numerator": [1.0, 0.0, 1.0],
        "denominator": [1.0, 0.0, 2.0],
        "value": [100.0, None, 50.0],
    }


def cp_plan_rows() -> pd.DataFrame:
    return table(
        "cp_plans",
        [
            {
                "child_id": "A",
                "cp_plan_start_date": "2014-05-01",
                "cp_plan_end_date": "2015-03-31",
            },  # ends on day
            {"child_id": "B", "cp_plan_start_date": "2015-03-31"},  # starts on the day
            {"child_id": "C", "cp_plan_start_date": "2013-01-01", "cp_plan_end_date": "2015-04-01"},
            {"child_id": "D", "cp_plan_start_date": "2015-04-01"},
            # Two overlapping plans for one child (a recording error): the child is counted once.
            {"child_id": "E", "cp_plan_start_date": "2015-01-01"},
            {"child_id": "E", "cp_plan_start_date": "2015-02-01"},
        ],
    )


def test_children_on_cp_plan_per_10000_plan_ending_on_period_end_is_not_open() -> None:
    periods = months("2015-03", "2015-04")
    result = children_on_cp_plan_per_10000(
        cp_plan_rows(), periods, population_for_periods(population(), periods, **MEDWAY)
    )
    # 31 March 2015: B, C, E (A ended that day) on mid-2014; 30 April: B, D, E (C ended 1 April) on mid-2015.
    assert result["numerator"].tolist() == [3.0, 3.0]
    assert result["denominator"].tolist() == [62_000.0, 64_000.0]
    assert result["value"].tolist() == pytest.approx([3 / 62_000 * 10_000, 3 / 64_000 * 10_000])


def test_cp_plans_second_or_subsequent() -> None:
    plans = table(
        "cp_plans",
        [
            {"child_id": "P", "cp_plan_start_date": "2015-01-05", "previous_cp_plans": 1},  # recorded: yes
            {"child_id": "Q", "cp_plan_start_date": "2013-05-01", "previous_cp_plans": 0},
            {
                "child_id": "Q",
                "cp_plan_start_date": "2015-01-10",
                "previous_cp_plans": 0,
            },  # earlier in data: yes
            {"child_id": "R", "cp_plan_start_date": "2015-01-20", "previous_cp_plans": None},  # no
            {"child_id": "S", "cp_plan_start_date": "2015-01-31", "previous_cp_plans": 0},  # no
        ],
    )
    result = cp_plans_second_or_subsequent(plans, month("2015-01"))
    assert as_lists(result) == {"numerator": [2.0], "denominator": [4.0], "value": [50.0]}


def test_cp_plans_lasting_two_years_or_more() -> None:
    plans = table(
        "cp_plans",
        [
            {"cp_plan_start_date": "2013-03-31"},  # exactly two years at 31 March 2015: counts
            {"cp_plan_start_date": "2013-04-01"},  # a day short
            {
                "cp_plan_start_date": "2012-01-01",
                "cp_plan_end_date": "2015-03-31",
            },  # ended on the day: not open
        ],
    )
    result = cp_plans_lasting_two_years_or_more(plans, month("2015-03"))
    assert as_lists(result) == {"numerator": [1.0], "denominator": [2.0], "value": [50.0]}


# ------------------------------------------------------------------------------------------ looked after
def placement(
    child: str, care_start: str, start: str, end: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "child_id": child,
        "care_start_date": care_start,
        "placement_start_date": start,
        "placement_end_date": end,
        **extra,
    }


def test_children_looked_after_per_10000_counts_each_child_once() -> None:
    rows = [
        placement("A", "2014-01-01", "2014-01-01", "2014-06-01"),
        placement("A", "2014-01-01", "2014-06-01", "2015-01-01"),
        placement("A", "2014-01-01", "2015-01-01"),
        placement(
            "B", "2014-09-01", "2014-09-01", "2015-03-31", care_end_date="2015-03-31", reason_ceased="E13"
        ),
        placement("C", "2015-03-31", "2015-03-31"),
    ]
    periods = month("2015-03")
    result = children_looked_after_per_10000(
        table("looked_after", rows), periods, population_for_periods(population(), periods, **MEDWAY)
    )
    assert result["numerator"].tolist() == [2.0]  # A (three placements) and C; B left care on the day
    assert result["value"].tolist() == pytest.approx([2 / 62_000 * 10_000])


def test_lac_three_or_more_placements_in_the_year() -> None:
    rows = [
        # A: the placement current on 1 April 2014 and two moves in the year: 3 placements.
        placement("A", "2013-01-01", "2013-01-01", "2014-06-01"),
        placement("A", "2013-01-01", "2014-06-01", "2014-12-01"),
        placement("A", "2013-01-01", "2014-12-01"),
        # B: the first placement ended on 31 March 2014, before the year: 2 placements in the year.
        placement("B", "2014-01-01", "2014-01-01", "2014-03-31"),
        placement("B", "2014-01-01", "2014-03-31", "2015-01-01"),
        placement("B", "2014-01-01", "2015-01-01"),
        # C: four placements in the year, but left care in February: not looked after at 31 March.
        *[
            placement("C", "2014-05-01", s, e, care_end_date="2015-02-01", reason_ceased="E13")
            for s, e in [
                ("2014-05-01", "2014-07-01"),
                ("2014-07-01", "2014-09-01"),
                ("2014-09-01", "2014-11-01"),
                ("2014-11-01", "2015-02-01"),
            ]
        ],
    ]
    result = lac_three_or_more_placements(table("looked_after", rows), month("2015-03"))
    assert as_lists(result) == {"numerator": [1.0], "denominator": [2.0], "value": [50.0]}


def test_children_leaving_care_adopted() -> None:
    rows = [
        placement("A", "2013-01-01", "2013-01-01", "2014-05-01"),
        placement(
            "A", "2013-01-01", "2014-05-01", "2015-03-10", care_end_date="2015-03-10", reason_ceased="E11"
        ),
        placement(
            "B", "2013-01-01", "2013-01-01", "2015-03-11", care_end_date="2015-03-11", reason_ceased="E12"
        ),
        placement(
            "C", "2013-01-01", "2013-01-01", "2015-03-12", care_end_date="2015-03-12", reason_ceased="E13"
        ),
        placement(
            "D", "2013-01-01", "2013-01-01", "2015-03-31", care_end_date="2015-03-31", reason_ceased="E41"
        ),
        placement(
            "E", "2013-01-01", "2013-01-01", "2015-04-01", care_end_date="2015-04-01", reason_ceased="E11"
        ),
    ]
    # The first row of A has no end recorded on it, as on a placement row before the last: one period of care.
    result = children_leaving_care_adopted(table("looked_after", rows), month("2015-03"))
    assert as_lists(result) == {"numerator": [2.0], "denominator": [4.0], "value": [50.0]}


# -------------------------------------------------------------------------------------------- adoption
def adoption_rows() -> pd.DataFrame:
    return table(
        "adoptions",
        [
            # 365 days entering care to placed; 122 days placement order (1 Jun) to match (1 Oct).
            {
                "care_start_date": "2013-01-01",
                "placed_date": "2014-01-01",
                "placement_order_date": "2013-06-01",
                "matched_date": "2013-10-01",
                "adoption_order_date": "2014-06-01",
            },
            # 365 days; 90 days (1 Dec 2013 to 1 Mar 2014).
            {
                "care_start_date": "2013-06-01",
                "placed_date": "2014-06-01",
                "placement_order_date": "2013-12-01",
                "matched_date": "2014-03-01",
                "adoption_order_date": "2015-01-15",
            },
            # Adopted in 2012-13: 500 days (1 Jan 2011 to 15 May 2012); 100 days (1 Jan to 11 Apr 2012).
            {
                "care_start_date": "2011-01-01",
                "placed_date": "2012-05-15",
                "placement_order_date": "2012-01-01",
                "matched_date": "2012-04-10",
                "adoption_order_date": "2013-02-01",
            },
            # Not yet adopted: not counted.
            {"care_start_date": "2014-01-01", "placed_date": "2014-10-01"},
        ],
    )


def test_adoption_a1_and_a2_for_children_adopted_in_the_period() -> None:
    periods = periods_frame(["2014-04-01", "2012-04-01"], ["2015-03-31", "2015-03-31"])
    a1 = adoption_a1_days_entering_care_to_placed(adoption_rows(), periods)
    a2 = adoption_a2_days_placement_order_to_match(adoption_rows(), periods)
    # Year 2014-15: (365 + 365) / 2; three years to 31 March 2015: (365 + 365 + 500) / 3 = 410.
    assert as_lists(a1) == {"numerator": [730.0, 1230.0], "denominator": [2.0, 3.0], "value": [365.0, 410.0]}
    # (122 + 90) / 2 = 106; (122 + 90 + 100) / 3 = 104.
    assert as_lists(a2) == {"numerator": [212.0, 312.0], "denominator": [2.0, 3.0], "value": [106.0, 104.0]}


# ------------------------------------------------------------------------------------------ care leavers
def test_care_leavers_accommodation_and_eet() -> None:
    leavers = table(
        "care_leavers",
        [
            {"contact_date": "2015-03-02", "accommodation_suitable": True, "activity": "education"},
            {"contact_date": "2015-03-09", "accommodation_suitable": True, "activity": "employment"},
            {"contact_date": "2015-03-16", "accommodation_suitable": False, "activity": "neet"},
            {
                "contact_date": "2015-03-23",
                "accommodation_suitable": None,
                "activity": "unknown",
            },  # not in touch
            {"contact_date": "2015-04-01", "accommodation_suitable": True, "activity": "training"},
        ],
    )
    periods = months("2015-03", "2015-04")
    suitable = care_leavers_in_suitable_accommodation(leavers, periods)
    eet = care_leavers_in_education_employment_training(leavers, periods)
    assert as_lists(suitable) == {"numerator": [2.0, 1.0], "denominator": [4.0, 1.0], "value": [50.0, 100.0]}
    assert as_lists(eet) == {"numerator": [2.0, 1.0], "denominator": [4.0, 1.0], "value": [50.0, 100.0]}


# --------------------------------------------------------------------------------------------- scorecard
def scorecard_rows() -> pd.DataFrame:
    rows = [
        {"indicator_id": "social_workers_recruited", "month": f"2014-{m:02d}-01", "value": 3.0}
        for m in range(4, 13)
    ]
    rows += [
        {"indicator_id": "social_workers_recruited", "month": f"2015-{m:02d}-01", "value": v}
        for m, v in [(1, 2.0), (2, 4.0), (3, 5.0), (4, None)]
    ]
    rows += [
        {"indicator_id": "agency_social_worker_rate", "month": m, "value": v}
        for m, v in [("2015-02-01", 30.0), ("2015-03-01", 28.0)]
    ]
    frame = pd.DataFrame(rows).assign(source_column="x")
    return table("scorecard", frame.to_dict("records"))


def test_scorecard_figures_come_through_and_years_sum_or_average() -> None:
    periods = months("2015-03", "2015-04")
    monthly = scorecard_indicator(scorecard_rows(), "social_workers_recruited", periods, how="last")
    assert as_lists(monthly) == {"numerator": [None, None], "denominator": [None, None], "value": [5.0, None]}
    year = periods_frame(["2014-04-01", "2014-05-01"], ["2015-03-31", "2015-04-30"])
    total = scorecard_indicator(scorecard_rows(), "social_workers_recruited", year, how="sum")
    # 9 x 3 + 2 + 4 + 5 = 38; the year to April 2015 lacks April's figure, so it has no total.
    assert as_lists(total)["value"] == [38.0, None]
    mean = scorecard_indicator(scorecard_rows(), "agency_social_worker_rate", year, how="mean")
    assert as_lists(mean)["value"] == [29.0, 29.0]


# ------------------------------------------------------------------------------------ compute_indicators
def small_tables() -> dict[str, pd.DataFrame]:
    tables = {name: table(name, []) for name in CHILD_LEVEL_TABLES}
    tables["population"] = population()
    tables["scorecard"] = scorecard_rows()
    # 3 section 47 enquiries in March 2015 (suppressed: 1 to 5), 7 in April 2015 (published).
    tables["section47"] = table(
        "section47",
        [{"strategy_discussion_date": "2015-03-05"}] * 3 + [{"strategy_discussion_date": "2015-04-07"}] * 7,
    )
    tables["cp_plans"] = cp_plan_rows()
    tables["adoptions"] = adoption_rows()
    return tables


@pytest.fixture(scope="module")
def computed() -> tuple[pd.DataFrame, pd.DataFrame]:
    config = load_config(REPO / "config")
    return compute_indicators(
        small_tables(), config, first_month=pd.Timestamp("2014-04-01"), last_month=pd.Timestamp("2015-06-01")
    )


def test_monthly_has_every_indicator_and_month(computed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    monthly, _ = computed
    config = load_config(REPO / "config")
    assert len(monthly) == len(config.indicators) * 15
    assert set(monthly["indicator_id"]) == {i.id for i in config.indicators}
    assert monthly["month"].min() == pd.Timestamp("2014-04-01")
    assert monthly["month"].max() == pd.Timestamp("2015-06-01")
    assert list(monthly.columns) == SCHEMAS["indicators_monthly"].column_names
    assert not monthly["suppressed"].isna().any()


def test_small_counts_are_flagged_not_dropped(computed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    monthly, _ = computed
    s47 = monthly[monthly["indicator_id"] == "section_47_enquiries"].set_index("month")
    assert s47.loc["2015-03-01", "value"] == 3.0 and s47.loc["2015-03-01", "suppressed"]
    assert s47.loc["2015-04-01", "value"] == 7.0 and not s47.loc["2015-04-01", "suppressed"]
    assert s47.loc["2015-05-01", "value"] == 0.0 and not s47.loc["2015-05-01", "suppressed"]
    # Workforce counts from the scorecard are not about children: 2 recruits in January are published.
    recruits = monthly[monthly["indicator_id"] == "social_workers_recruited"].set_index("month")
    assert recruits.loc["2015-01-01", "value"] == 2.0 and not recruits.loc["2015-01-01", "suppressed"]


def test_cp_rate_at_31_march_uses_the_previous_mid_year(computed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, annual = computed
    row = annual[
        (annual["indicator_id"] == "children_on_cp_plan_per_10000") & (annual["period_type"] == "at_31_march")
    ]
    assert row["time_period"].tolist() == [2015]
    assert row["period_end"].tolist() == [pd.Timestamp("2015-03-31")]
    assert row["denominator"].tolist() == [62_000.0]
    assert row["value"].tolist() == pytest.approx([3 / 62_000 * 10_000])
    assert row["suppressed"].tolist() == [True]  # 3 children


def test_annual_kinds_and_rolling_rows(computed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, annual = computed
    config = load_config(REPO / "config")
    rolling = annual[annual["period_type"] == "rolling_12_months"]
    assert sorted(rolling["indicator_id"]) == sorted(i.id for i in config.indicators)
    assert set(rolling["period_end"]) == {pd.Timestamp("2015-06-30")}
    s47 = annual[annual["indicator_id"] == "section_47_enquiries"].set_index("period_type")
    assert s47.loc["year_to_31_march", "period_label"] == "2014-15"
    assert s47.loc["year_to_31_march", "value"] == 3.0
    assert s47.loc["rolling_12_months", "period_label"] == "Jul 2014 to Jun 2015"
    assert s47.loc["rolling_12_months", "value"] == 10.0
    cp = annual[annual["indicator_id"] == "children_on_cp_plan_per_10000"].set_index("period_type")
    assert cp.loc["rolling_12_months", "period_label"] == "30 June 2015"
    a1 = annual[annual["indicator_id"] == "adoption_a1_days_entering_care_to_placed"].set_index("period_type")
    # The data start in April 2014: a three-year average to March 2015 would cover one year, so it is left empty.
    assert np.isnan(a1.loc["three_year_average", "value"])
    assert a1.loc["three_year_average", "period_label"] == "2012-13 to 2014-15"
    recruits = annual[annual["indicator_id"] == "social_workers_recruited"].set_index("period_type")
    assert recruits.loc["year_to_31_march", "value"] == 38.0
    assert list(annual.columns) == SCHEMAS["indicators_annual"].column_names


def test_a_workforce_indicator_is_taken_at_30_september_as_dfe_counts_it() -> None:
    """``annual: at_30_september``: the scorecard's figure for September each year, ``time_period`` the year of the
    30 September (DfE's workforce census), labelled as the day; never a 31 March figure (issue 22, point 1)."""
    tables = small_tables()
    september = [
        {"indicator_id": "agency_social_worker_rate", "month": month, "value": value, "source_row": 9}
        for month, value in [
            ("2013-09-01", 33.4),
            ("2014-08-01", 31.0),
            ("2014-09-01", 29.0),
            ("2014-10-01", 27.0),
        ]
    ]
    september = [{**row, "source_column": "x"} for row in september]
    tables["scorecard"] = table("scorecard", [*tables["scorecard"].to_dict("records"), *september])
    config = load_config(REPO / "config")
    assert config.indicator("agency_social_worker_rate").annual == "at_30_september"
    _, annual = compute_indicators(
        tables, config, first_month=pd.Timestamp("2013-04-01"), last_month=pd.Timestamp("2015-06-01")
    )
    agency = annual.loc[annual["indicator_id"] == "agency_social_worker_rate"]
    at_september = agency.loc[agency["period_type"] == "at_30_september"]
    assert at_september["time_period"].tolist() == [2013, 2014]
    assert at_september["period_end"].tolist() == [pd.Timestamp("2013-09-30"), pd.Timestamp("2014-09-30")]
    assert at_september["period_label"].tolist() == ["30 September 2013", "30 September 2014"]
    assert at_september["value"].tolist() == [33.4, 29.0]  # September's figure, not the year's mean
    assert set(agency["period_type"]) == {"at_30_september", "rolling_12_months"}
    # A position on a day: the rolling row is the latest month's position (June 2015 has none), not a mean.
    rolling = agency.loc[agency["period_type"] == "rolling_12_months"].iloc[0]
    assert rolling["period_label"] == "30 June 2015" and pd.isna(rolling["value"])


def test_adoption_monthly_is_the_12_months_to_the_month_end() -> None:
    monthly, annual = compute_indicators(
        small_tables(),
        load_config(REPO / "config"),
        first_month=pd.Timestamp("2012-04-01"),
        last_month=pd.Timestamp("2015-06-01"),
    )
    a1 = annual[annual["indicator_id"] == "adoption_a1_days_entering_care_to_placed"].set_index("period_end")
    assert a1.loc["2015-03-31", "value"] == 410.0
    # Three years to March 2013 or 2014 reach back before April 2012: empty.
    assert a1.loc[["2013-03-31", "2014-03-31"], "value"].isna().all()
    a2 = monthly[monthly["indicator_id"] == "adoption_a2_days_placement_order_to_match"].set_index("month")
    # 12 months to 31 January 2015: adopted 1 June 2014 (122 days) and 15 January 2015 (90 days).
    assert a2.loc["2015-01-01", "value"] == 106.0
    # 12 months to 31 December 2014: only the June 2014 adoption (1 child: suppressed).
    assert a2.loc["2014-12-01", "value"] == 122.0 and a2.loc["2014-12-01", "suppressed"]


def test_figures_that_need_history_before_the_data_are_left_empty(
    computed: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    monthly, _ = computed  # data from April 2014
    a2 = monthly[monthly["indicator_id"] == "adoption_a2_days_placement_order_to_match"].set_index("month")
    # The 12 months to 31 January 2015 began in February 2014, before the data: not shown.
    assert np.isnan(a2.loc["2015-01-01", "value"]) and not a2.loc["2015-01-01", "suppressed"]
    assert a2.loc[:"2015-02-01", "value"].isna().all()
    placements = monthly[monthly["indicator_id"] == "lac_three_or_more_placements"].set_index("month")
    assert placements.loc[:"2015-03-01", "value"].isna().all()
    rereferrals = monthly[monthly["indicator_id"] == "rereferrals_within_12_months"].set_index("month")
    assert rereferrals.loc[:"2015-03-01", "value"].isna().all()


def test_missing_table_is_named() -> None:
    tables = small_tables()
    del tables["referrals"]
    with pytest.raises(KeyError, match="referrals"):
        compute_indicators(
            tables,
            load_config(REPO / "config"),
            first_month=pd.Timestamp("2015-01-01"),
            last_month=pd.Timestamp("2015-03-01"),
        )


# ------------------------------------------------------------------------------------- property: counting
@settings(max_examples=50, deadline=None)
@given(
    offsets=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=800)), max_size=40),
    windows=st.lists(st.tuples(st.integers(0, 800), st.integers(0, 400)), min_size=1, max_size=6),
)
def test_sum_in_periods_matches_a_direct_count(
    offsets: list[int | None], windows: list[tuple[int, int]]
) -> None:
    base = pd.Timestamp("2013-04-01")
    dates = pd.Series(
        [None if o is None else base + pd.Timedelta(days=o) for o in offsets], dtype="datetime64[s]"
    )
    starts = [base + pd.Timedelta(days=s) for s, _ in windows]
    ends = [start + pd.Timedelta(days=length) for start, (_, length) in zip(starts, windows, strict=True)]
    expected = [sum(1 for d in dates.dropna() if s <= d <= e) for s, e in zip(starts, ends, strict=True)]
    assert sum_in_periods(dates, periods_frame(starts, ends)).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=-50, max_value=900)),
            st.one_of(st.none(), st.integers(min_value=0, max_value=400), st.floats(0, 5, allow_nan=False)),
        ),
        max_size=40,
    ),
    windows=st.lists(st.tuples(st.integers(-100, 1000), st.integers(0, 400)), min_size=1, max_size=6),
    far_away=st.booleans(),
)
def test_weighted_sums_in_periods_match_a_direct_sum(
    events: list[tuple[int | None, float | None]], windows: list[tuple[int, int]], far_away: bool
) -> None:
    """Whole-number weights (days, flags) are summed day by day, exactly; others, and events spread over more
    days than that allows (a mistyped year), by sorting; periods may start before or end after every event."""
    base = pd.Timestamp("2013-04-01")
    days = [o for o, _ in events] + ([100_000 * 2] if far_away else [])
    weights = [w for _, w in events] + ([1] if far_away else [])
    dates = pd.Series(
        [None if o is None else base + pd.Timedelta(days=o) for o in days], dtype="datetime64[s]"
    )
    starts = [base + pd.Timedelta(days=s) for s, _ in windows]
    ends = [start + pd.Timedelta(days=length) for start, (_, length) in zip(starts, windows, strict=True)]
    expected = [
        sum(w or 0 for d, w in zip(dates, weights, strict=True) if pd.notna(d) and s <= d <= e)
        for s, e in zip(starts, ends, strict=True)
    ]
    summed = sum_in_periods(dates, periods_frame(starts, ends), pd.Series(weights, dtype="float64")).tolist()
    if all(w is None or float(w).is_integer() for w in weights):
        assert summed == expected
    else:
        assert summed == pytest.approx(expected)


def test_an_indicator_needing_a_missing_column_is_not_available_with_the_reason() -> None:
    # The cleaning log records that List 7 had no "Number of Previous Child Protection Plans" column.
    config = load_config(REPO / "config")
    tables = small_tables()
    with_all = compute_indicators(
        tables, config, first_month=pd.Timestamp("2014-04-01"), last_month=pd.Timestamp("2015-06-01")
    )[0]
    tables["cleaning_log"] = pd.DataFrame(
        {
            "table": ["cp_plans"],
            "rule": ["columns.missing.previous_cp_plans"],
            "description": [
                "Column 'Number of Previous Child Protection Plans' missing from List 7: left empty"
            ],
            "rows_affected": [4],
        }
    )
    assert unavailable_indicators(config, tables["cleaning_log"]) == {
        "cp_plans_second_or_subsequent": (
            "not available: the number of previous child protection plans is missing from List 7 (child protection plans)"
        )
    }
    monthly, annual = compute_indicators(
        tables, config, first_month=pd.Timestamp("2014-04-01"), last_month=pd.Timestamp("2015-06-01")
    )
    repeat = "cp_plans_second_or_subsequent"
    assert with_all.loc[with_all["indicator_id"] == repeat, "value"].notna().any()  # there was a figure
    assert (
        monthly.loc[monthly["indicator_id"] == repeat, ["value", "numerator", "denominator"]]
        .isna()
        .all()
        .all()
    )
    assert annual.loc[annual["indicator_id"] == repeat, "value"].isna().all()
    # Other indicators of the same list are unaffected.
    cp_rate = monthly.loc[monthly["indicator_id"] == "children_on_cp_plan_per_10000", "value"]
    expected = with_all.loc[with_all["indicator_id"] == "children_on_cp_plan_per_10000", "value"]
    assert cp_rate.tolist() == pytest.approx(expected.tolist(), nan_ok=True)


@settings(max_examples=100, deadline=None)
@given(
    referrals=st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["C1", "C2", "C3"])),
            st.one_of(st.none(), st.integers(0, 800)),
        ),
        max_size=25,
        unique=True,  # one referral of a child a day, as the processed table's key (child_id, referral_date) makes it
    )
)
def test_rereferral_flags_are_a_referral_within_12_months_of_the_childs_previous_one(
    referrals: list[tuple[str | None, int | None]],
) -> None:
    """Each referral against the same child's latest strictly earlier referral, worked out row by row."""
    base = pd.Timestamp("2013-04-01")
    table = pd.DataFrame(
        {
            "child_id": pd.array([c for c, _ in referrals], dtype="string"),
            "referral_date": pd.Series(
                [None if d is None else base + pd.Timedelta(days=d) for _, d in referrals],
                dtype="datetime64[s]",
            ),
        }
    )
    expected = []
    for child, day in zip(table["child_id"], table["referral_date"], strict=True):
        earlier = [
            d
            for c, d in zip(table["child_id"], table["referral_date"], strict=True)
            if pd.notna(child) and pd.notna(day) and pd.notna(c) and pd.notna(d) and c == child and d < day
        ]
        expected.append(bool(earlier) and max(earlier) + pd.DateOffset(months=12) >= day)
    assert rereferral_flags(table).tolist() == expected
