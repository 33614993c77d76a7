"""Children's journeys through the front door and child protection, step by step, as the LIIA CIN reports draw them.

Each journey follows the events that start in a period through the steps after them: every step is counted, split
into its outcomes (which add up to it), and the outcome that goes on is the next step's count. An event whose
window has not closed by the period's end, with no next step yet, is "too recent to tell"; a child who turns 18
before the window closes cannot go on, so their outcome is known.

Notes
-----
Rules and windows: Social Finance, London Innovation and Improvement Alliance (LIIA) tools, CIN census reports
(github.com/SocialFinanceDigitalLabs/liia-tools, ``liiatools/cin_census_pipeline/spec/reports.yml``:
``ref_assessment: 30``, ``icpc_cpp_days: 45``, ``s47_cpp_days: 60``, ``s47_day_limit: "60 days"``,
``icpc_day_limit: "45 days"``; ``reports/_reports_s47_journeys.py``: an enquiry goes to "ICPC" when it has a
conference date, else to "CPP Start" when a plan starts within 60 days of it, else "TBD - S47 too recent" when it is
within 60 days of the census close, else "No ICPC or CPP"; a conference goes to "CPP Start", "TBD - ICPC too
recent" or "No CPP"; ``reports/_reports_referrals.py``: an assessment counts for a referral when it starts within
30 days of it). The windows are set in ``config/topics.yml`` (``journey_windows``). Contacts are not in the CIN
census: a contact goes on when a referral of the same child follows within ``contact_to_referral_days`` (local).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.methods.suppression import Line, small_count, suppress_breakdown
from analysis.methods.topic_analyses import Period

if TYPE_CHECKING:
    from analysis.config_topics import JourneyWindows

#: Outcome names shared by the steps.
TOO_RECENT = "too recent to tell"
ALL = "all"
JOURNEY_COLUMNS = [
    "topic_id",
    "journey",
    "period",
    "period_start",
    "period_end",
    "step",
    "step_name",
    "outcome",
    "count",
    "percent_of_step",
    "withheld",
    "rule",
]
#: Where a step's rule comes from, as the report says it; the exact source (Social Finance's liia-tools,
#: ``reports.yml``: ``ref_assessment``, ``s47_cpp_days``, ``icpc_cpp_days``) is in this module's notes, not on the page.
SOURCE = "the rule of the LIIA children in need reports"


@dataclass(frozen=True)
class Step:
    """One step of a journey: its name, the rule that sorts it and each event's outcome."""

    name: str
    rule: str
    outcomes: pd.Series  # one outcome per event of the step (the step's count is its length)
    order: tuple[str, ...]  # the outcomes in the order reports list them; the first goes on to the next step


def eighteenth_birthday(date_of_birth: pd.Series) -> pd.Series:
    """The day each child turns 18 (dates of birth are the first of the month: a few days early at most)."""
    return pd.to_datetime(date_of_birth) + pd.DateOffset(years=18)


def follow(
    events: pd.DataFrame,
    event_date: str,
    nexts: pd.DataFrame,
    next_date: str,
    days: int,
    period_end: pd.Timestamp,
) -> pd.Series:
    """For each event, the date of the child's first next event on or up to ``days`` after it (NaT: none).

    Only next events dated by the period's end count: the journey is told as it stood then.
    """
    if events.empty:
        return pd.Series(dtype="datetime64[ns]", index=events.index)
    right = nexts.loc[pd.to_datetime(nexts[next_date]) <= period_end, ["child_id", next_date]].dropna()
    # Each child as a number shared by both sides, for merge_asof's "by", rather than its identifier as a string
    # (issue 21: the analysis of ten million rows 23.3 -> about 21 s, its peak about 60 MiB lower). Equal
    # identifiers, equal numbers; a missing one (-1) has none on the right, as before.
    children = pd.factorize(pd.concat([events["child_id"], right["child_id"]], ignore_index=True))[0]
    left = pd.DataFrame(
        {
            "_child": children[: len(events)],
            "_at": events[event_date].astype("datetime64[ns]").to_numpy(),
            "_row": np.arange(len(events)),
        }
    ).sort_values("_at", kind="stable")
    right = pd.DataFrame(
        {"_child": children[len(events) :], "_next": right[next_date].astype("datetime64[ns]").to_numpy()}
    ).sort_values("_next", kind="stable")
    matched = pd.merge_asof(
        left.dropna(subset=["_at"]),
        right,
        left_on="_at",
        right_on="_next",
        by="_child",
        direction="forward",
        tolerance=pd.Timedelta(days=days),
    )
    result = pd.Series(pd.NaT, index=range(len(events)), dtype="datetime64[ns]")
    result[matched["_row"].to_numpy()] = matched["_next"].to_numpy()
    result.index = events.index
    return result


def _outcome(
    went_on: pd.Series,
    start: pd.Series,
    days: int,
    turns_18: pd.Series,
    period_end: pd.Timestamp,
    yes: str,
    no: str,
) -> pd.Series:
    """``yes`` where the next step came, else too recent while the window is open at the period's end, else ``no``."""
    window_closes = pd.to_datetime(start) + pd.Timedelta(days=days)
    decided_by_age = turns_18.notna() & (turns_18 <= period_end) & (turns_18 <= window_closes)
    open_ = (window_closes > period_end) & ~decided_by_age
    return pd.Series(np.where(went_on.notna(), yes, np.where(open_, TOO_RECENT, no)), index=start.index)


def front_door_steps(
    contacts: pd.DataFrame,
    referrals: pd.DataFrame,
    assessments: pd.DataFrame,
    period: Period,
    windows: JourneyWindows,
) -> list[Step]:
    """Contacts received in the period, the referrals they led to, and those referrals' assessments.

    Notes
    -----
    A contact goes on when the same child has a referral on the contact's date or up to
    ``contact_to_referral_days`` after it (local rule: the CIN census has no contacts); that referral goes on when
    a continuous assessment starts on its date or up to ``referral_to_assessment_days`` (30) after it (LIIA,
    ``ref_assessment``). The journey counts contacts: two contacts before one referral are two journeys.
    """
    dates = pd.to_datetime(contacts["contact_date"])
    # only the columns the journey reads: the contacts of a year are most of the largest list (issue 21)
    received = contacts.loc[
        dates.between(period.start, period.end), ["child_id", "contact_date", "date_of_birth"]
    ]
    turns_18 = eighteenth_birthday(received["date_of_birth"])
    referral = follow(
        received, "contact_date", referrals, "referral_date", windows.contact_to_referral_days, period.end
    )
    step_1 = _outcome(
        referral,
        received["contact_date"],
        windows.contact_to_referral_days,
        turns_18,
        period.end,
        "referral",
        "no referral",
    )
    referred = received.loc[step_1 == "referral"].assign(referral_date=referral[step_1 == "referral"])
    assessment = follow(
        referred,
        "referral_date",
        assessments,
        "assessment_start_date",
        windows.referral_to_assessment_days,
        period.end,
    )
    step_2 = _outcome(
        assessment,
        referred["referral_date"],
        windows.referral_to_assessment_days,
        turns_18[step_1 == "referral"],
        period.end,
        f"assessment within {windows.referral_to_assessment_days} days",
        f"no assessment within {windows.referral_to_assessment_days} days",
    )
    return [
        Step(
            "Contacts received",
            f"a referral of the same child within {windows.contact_to_referral_days} days of the contact (local rule)",
            step_1,
            ("referral", TOO_RECENT, "no referral"),
        ),
        Step(
            "Contacts that led to a referral",
            f"an assessment starting within {windows.referral_to_assessment_days} days of the referral ({SOURCE})",
            step_2,
            (
                f"assessment within {windows.referral_to_assessment_days} days",
                TOO_RECENT,
                f"no assessment within {windows.referral_to_assessment_days} days",
            ),
        ),
    ]


def child_protection_steps(
    section47: pd.DataFrame, cp_plans: pd.DataFrame, period: Period, windows: JourneyWindows
) -> list[Step]:
    """Section 47 enquiries starting in the period, their initial conferences, and the plans that followed.

    Notes
    -----
    LIIA, ``_reports_s47_journeys.py`` and ``reports.yml``: an enquiry with an initial conference (dated by the
    period's end) goes to the conference; one without goes to a plan when a plan of the child starts within
    ``enquiry_to_plan_days`` (60) of the strategy discussion; else it is too recent while those 60 days run past the
    period's end, unless the conference was recorded as not required. A conference goes to a plan when one starts on
    its date or within ``icpc_to_plan_days`` (45) after it; a conference recorded as not resulting in a plan is
    decided. A plan counts once: where two enquiries of a child reach the same plan, the later enquiry (the nearest
    before it) keeps it. A plan with no enquiry before it is in no journey.
    """
    dates = pd.to_datetime(section47["strategy_discussion_date"])
    enquiries = section47.loc[dates.between(period.start, period.end)].copy()
    turns_18 = eighteenth_birthday(enquiries["date_of_birth"])
    icpc = pd.to_datetime(enquiries["icpc_date"])
    has_icpc = (
        icpc.notna() & (icpc <= period.end) & (icpc >= pd.to_datetime(enquiries["strategy_discussion_date"]))
    )
    enquiries["_from"] = pd.to_datetime(enquiries["strategy_discussion_date"]).where(~has_icpc, icpc)
    plan_after_icpc = follow(
        enquiries.loc[has_icpc],
        "_from",
        cp_plans,
        "cp_plan_start_date",
        windows.icpc_to_plan_days,
        period.end,
    )
    plan_after_enquiry = follow(
        enquiries.loc[~has_icpc],
        "_from",
        cp_plans,
        "cp_plan_start_date",
        windows.enquiry_to_plan_days,
        period.end,
    )
    plan = pd.concat([plan_after_icpc, plan_after_enquiry]).reindex(enquiries.index)
    # One plan, one enquiry: the latest enquiry before the plan keeps it.
    claimed = pd.DataFrame(
        {"child_id": enquiries["child_id"], "plan": plan, "at": enquiries["strategy_discussion_date"]}
    )
    claimed = claimed.dropna(subset=["plan"]).sort_values("at", kind="stable")
    losers = claimed.index[claimed.duplicated(["child_id", "plan"], keep="last")]
    plan[losers] = pd.NaT

    not_required = enquiries["icpc_not_required"].fillna(False).astype(bool)
    no_plan_at_icpc = (
        enquiries["icpc_resulted_in_plan"].astype("boolean").eq(False).fillna(False).astype(bool)
    )
    step_1 = _outcome(
        plan.where(~has_icpc),
        enquiries["strategy_discussion_date"],
        windows.enquiry_to_plan_days,
        turns_18.where(~not_required, pd.Timestamp.min),
        period.end,
        "plan without a conference",
        "no conference or plan",
    )
    step_1[has_icpc] = "initial conference"
    conferences = enquiries.loc[has_icpc]
    step_2 = _outcome(
        plan[has_icpc],
        icpc[has_icpc],
        windows.icpc_to_plan_days,
        turns_18[has_icpc].where(~no_plan_at_icpc[has_icpc], pd.Timestamp.min),
        period.end,
        f"plan within {windows.icpc_to_plan_days} days",
        "no plan",
    )
    assert len(step_2) == len(conferences)
    return [
        Step(
            "Section 47 enquiries",
            f"an initial conference, or a plan within {windows.enquiry_to_plan_days} days of the enquiry ({SOURCE})",
            step_1,
            ("initial conference", "plan without a conference", TOO_RECENT, "no conference or plan"),
        ),
        Step(
            "Initial child protection conferences",
            f"a plan starting within {windows.icpc_to_plan_days} days of the conference ({SOURCE})",
            step_2,
            (f"plan within {windows.icpc_to_plan_days} days", TOO_RECENT, "no plan"),
        ),
    ]


def journey_table(
    steps: list[Step], journey: str, period: Period, *, topic_id: str, lower: int = 1, upper: int = 5
) -> pd.DataFrame:
    """A journey's steps and outcomes as counts and percentages of the step, small numbers withheld.

    Returns
    -------
    pandas.DataFrame
        :data:`JOURNEY_COLUMNS`: per step an ``outcome`` "all" row (the step's count) and one row per outcome;
        ``percent_of_step`` is of the step's count. A step's count is the previous step's first outcome, so the
        flow's numbers are one set of cells: :func:`analysis.methods.suppression.suppress_breakdown` withholds over
        every step (a withheld step withholds its percentages).
    """
    counts: dict[tuple[int, str], float] = {}
    lines: list[Line] = []
    for number, step in enumerate(steps, start=1):
        tally = step.outcomes.value_counts()
        counts[(number, ALL)] = float(len(step.outcomes))
        for outcome in step.order:
            counts[(number, outcome)] = float(tally.get(outcome, 0))
        lines.append(([(number, o) for o in step.order], (number, ALL)))
        if number > 1:
            # The step's count is the previous step's first outcome: one cell, withheld together.
            lines.append(([(number, ALL)], (number - 1, steps[number - 2].order[0])))
            lines.append(([(number - 1, steps[number - 2].order[0])], (number, ALL)))
    series = pd.Series(counts, dtype="float64")
    series.index = pd.Index(list(counts), tupleize_cols=False)
    hidden = suppress_breakdown(series, lines, lower=lower, upper=upper)
    records = []
    for number, step in enumerate(steps, start=1):
        step_count = series[(number, ALL)]
        step_hidden = bool(hidden[(number, ALL)])
        for outcome in (ALL, *step.order):
            value = series[(number, outcome)]
            withheld = bool(hidden[(number, outcome)])
            small = bool(small_count([value], lower=lower, upper=upper).iloc[0])
            reason = ""
            if withheld:
                reason = (
                    "c: from 1 to 5"
                    if small
                    else "c: withheld so that a suppressed figure cannot be worked out"
                )
            percent = (
                math.nan if withheld or step_hidden or step_count == 0 else round(100 * value / step_count, 1)
            )
            records.append(
                {
                    "topic_id": topic_id,
                    "journey": journey,
                    "period": period.name,
                    "period_start": period.start,
                    "period_end": period.end,
                    "step": number,
                    "step_name": step.name,
                    "outcome": outcome,
                    "count": math.nan if withheld else value,
                    "percent_of_step": percent,
                    "withheld": reason,
                    "rule": step.rule,
                }
            )
    return pd.DataFrame.from_records(records, columns=JOURNEY_COLUMNS)
