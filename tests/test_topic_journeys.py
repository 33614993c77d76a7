"""Journeys through the front door and child protection: hand-worked cases on a few rows of each list."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config_topics import JourneyWindows
from analysis.methods.suppression import breakdown_discloses
from analysis.methods.topic_analyses import topic_periods
from analysis.methods.topic_journeys import (
    TOO_RECENT,
    child_protection_steps,
    front_door_steps,
    journey_table,
)

QUARTER = topic_periods(pd.Timestamp("2015-04-01").date(), pd.Timestamp("2015-06-30").date())[0]
WINDOWS = JourneyWindows()
NO_SUPPRESSION = {"lower": 1, "upper": 0}


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    data = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column.endswith("date") or column == "date_of_birth":
            data[column] = pd.to_datetime(data[column])
    return data


def front_door_lists() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    contacts = frame(
        [
            ("P", "2010-01-01", "2015-04-01"),  # referral 3 Apr, assessment 10 Apr: assessed within 30 days
            ("Q", "2010-01-01", "2015-04-05"),  # no referral; window closed 5 May: no referral
            ("R", "2010-01-01", "2015-06-20"),  # no referral yet; window runs to 20 July: too recent
            ("S", "2010-01-01", "2015-05-01"),  # referral 25 June, 55 days on: no referral within 30 days
            ("T", "2010-01-01", "2015-06-01"),  # referral 15 June, no assessment by 30 June: too recent
            (
                "U",
                "2010-01-01",
                "2015-04-10",
            ),  # referral 10 April, assessment 20 May (40 days): not within 30
            ("V", "2010-01-01", "2015-07-02"),  # after the quarter: not in it
            ("W", "2010-01-01", "2015-06-25"),  # referral 1 July, after the quarter's end: too recent
        ],
        ["child_id", "date_of_birth", "contact_date"],
    )
    referrals = frame(
        [
            ("P", "2015-04-03"),
            ("S", "2015-06-25"),
            ("T", "2015-06-15"),
            ("U", "2015-04-10"),
            ("W", "2015-07-01"),
        ],
        ["child_id", "referral_date"],
    )
    assessments = frame([("P", "2015-04-10"), ("U", "2015-05-20")], ["child_id", "assessment_start_date"])
    return contacts, referrals, assessments


def test_front_door_journey_counted_by_hand() -> None:
    steps = front_door_steps(*front_door_lists(), QUARTER, WINDOWS)
    # Step 1: 7 contacts in the quarter (not V): referral P, T, U; too recent R, W; no referral Q, S.
    assert steps[0].outcomes.value_counts().to_dict() == {"referral": 3, TOO_RECENT: 2, "no referral": 2}
    # Step 2: the 3 that led to a referral: assessed within 30 days P; too recent T; not within 30 days U.
    assert steps[1].outcomes.value_counts().to_dict() == {
        "assessment within 30 days": 1,
        TOO_RECENT: 1,
        "no assessment within 30 days": 1,
    }
    table = journey_table(steps, "front_door", QUARTER, topic_id="t", **NO_SUPPRESSION).set_index(
        ["step", "outcome"]
    )
    assert table.loc[(1, "all"), "count"] == 7 and table.loc[(2, "all"), "count"] == 3
    assert table.loc[(1, "referral"), "percent_of_step"] == pytest.approx(42.9)
    assert table.loc[(2, "all"), "count"] == table.loc[(1, "referral"), "count"]


def child_protection_lists() -> tuple[pd.DataFrame, pd.DataFrame]:
    columns = [
        "child_id",
        "date_of_birth",
        "strategy_discussion_date",
        "icpc_not_required",
        "icpc_date",
        "icpc_resulted_in_plan",
    ]
    section47 = frame(
        [
            ("A", "2010-01-01", "2015-04-10", False, "2015-04-25", True),  # conference, plan the same day
            ("B", "2010-01-01", "2015-05-01", False, "2015-05-20", False),  # a conference without a plan
            ("C", "2010-01-01", "2015-06-20", None, None, None),  # 60 days run to 19 August: too recent
            ("D", "2010-01-01", "2015-04-02", None, None, None),  # two enquiries for one child: the plan of
            ("D", "2010-01-01", "2015-04-20", False, "2015-05-05", True),  # 6 May is the later one's
            (
                "F",
                "1997-06-01",
                "2015-05-20",
                None,
                None,
                None,
            ),  # turns 18 on 1 June: no plan, not too recent
            ("G", "2010-01-01", "2015-04-15", None, None, None),  # a plan 45 days on, no conference
            ("H", "2010-01-01", "2015-03-20", False, "2015-04-02", True),  # enquiry before the quarter
        ],
        columns,
    )
    section47["icpc_not_required"] = section47["icpc_not_required"].astype("boolean")
    section47["icpc_resulted_in_plan"] = section47["icpc_resulted_in_plan"].astype("boolean")
    plans = frame(
        [
            ("A", "2015-04-25"),
            ("D", "2015-05-06"),
            ("E", "2015-05-10"),  # a plan without an enquiry: in no journey
            ("G", "2015-05-30"),
            ("H", "2015-04-03"),
        ],
        ["child_id", "cp_plan_start_date"],
    )
    return section47, plans


def test_child_protection_journey_counted_by_hand() -> None:
    steps = child_protection_steps(*child_protection_lists(), QUARTER, WINDOWS)
    # 7 enquiries in the quarter (not H): conferences A, B, D (second); plan without a conference G; too recent
    # C; no conference or plan D (first: its plan went to the later enquiry) and F (turned 18 on 1 June).
    assert steps[0].outcomes.value_counts().to_dict() == {
        "initial conference": 3,
        "no conference or plan": 2,
        "plan without a conference": 1,
        TOO_RECENT: 1,
    }
    # 3 conferences: plans within 45 days A and D; B's conference resulted in no plan (decided, not too recent).
    assert steps[1].outcomes.value_counts().to_dict() == {"plan within 45 days": 2, "no plan": 1}
    table = journey_table(steps, "child_protection", QUARTER, topic_id="t", **NO_SUPPRESSION)
    rows = table.set_index(["step", "outcome"])["count"]
    assert rows[(1, "all")] == 7 and rows[(2, "all")] == rows[(1, "initial conference")] == 3
    # E's plan (no enquiry) is counted nowhere: the plans in the journey are A, D and G.
    assert rows[(2, "plan within 45 days")] + rows[(1, "plan without a conference")] == 3


def test_a_conference_still_inside_its_window_is_too_recent() -> None:
    section47, plans = child_protection_lists()
    section47 = section47.loc[section47["child_id"] == "B"].assign(icpc_resulted_in_plan=pd.NA)
    section47["icpc_resulted_in_plan"] = section47["icpc_resulted_in_plan"].astype("boolean")
    steps = child_protection_steps(section47, plans, QUARTER, WINDOWS)
    # Conference 20 May: 45 days run to 4 July, after the quarter; no plan yet and none refused.
    assert steps[1].outcomes.tolist() == [TOO_RECENT]


def test_small_steps_are_withheld_and_not_recoverable() -> None:
    steps = child_protection_steps(*child_protection_lists(), QUARTER, WINDOWS)
    table = journey_table(steps, "child_protection", QUARTER, topic_id="t")
    shown = table["count"].dropna()
    assert not shown.between(1, 5).any()
    assert table.loc[table["count"].isna(), "withheld"].str.startswith("c").all()
    assert table.loc[table["count"].isna(), "percent_of_step"].isna().all()


def test_the_journey_table_withholds_over_the_whole_flow() -> None:
    # 40 contacts: 30 referred, 7 too recent, 3 not referred (withheld, and the 7 with it); of the 30, 28 assessed
    # and 2 not (withheld, with the next smallest: 28, since 0 too recent cannot hide them).
    step_1 = pd.Series(["referral"] * 30 + [TOO_RECENT] * 7 + ["no referral"] * 3)
    step_2 = pd.Series(["assessed"] * 28 + ["not assessed"] * 2)
    from analysis.methods.topic_journeys import Step

    steps = [
        Step("Contacts", "r", step_1, ("referral", TOO_RECENT, "no referral")),
        Step("Referrals", "r", step_2, ("assessed", TOO_RECENT, "not assessed")),
    ]
    table = journey_table(steps, "front_door", QUARTER, topic_id="t").set_index(["step", "outcome"])
    assert pd.isna(table.loc[(1, "no referral"), "count"]) and pd.isna(table.loc[(1, TOO_RECENT), "count"])
    assert table.loc[(1, "referral"), "count"] == 30 and table.loc[(2, "all"), "count"] == 30
    assert pd.isna(table.loc[(2, "not assessed"), "count"]) and pd.isna(table.loc[(2, "assessed"), "count"])
    counts = pd.Series(
        {
            (1, "all"): 40,
            (1, "referral"): 30,
            (1, TOO_RECENT): 7,
            (1, "no referral"): 3,
            (2, "all"): 30,
            (2, "assessed"): 28,
            (2, TOO_RECENT): 0,
            (2, "not assessed"): 2,
        },
        dtype="float64",
    )
    counts.index = pd.Index(list(counts.index), tupleize_cols=False)
    hidden = table["count"].isna().reindex(counts.index)
    lines = [
        ([(1, "referral"), (1, TOO_RECENT), (1, "no referral")], (1, "all")),
        ([(2, "assessed"), (2, TOO_RECENT), (2, "not assessed")], (2, "all")),
    ]
    assert not breakdown_discloses(counts, hidden, lines)
