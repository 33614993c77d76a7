"""Section 47 enquiries, initial child protection conferences and child protection plans."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.methods.working_days import within_working_days
from analysis.stages.indicators.periods import (
    children_open_at_each_end,
    count,
    open_at,
    percentage,
    ratio,
    result_frame,
    sum_in_periods,
)

logger = logging.getLogger(__name__)

ICPC_TIMESCALE_WORKING_DAYS = 15
"""Working Together to Safeguard Children (2015), chapter 1, para 56: initial conference within 15 working days."""
LONG_PLAN_DURATION = pd.DateOffset(years=2)
"""DfE CIN census table D5: plans open at 31 March for two years or more."""
RATE_BASE = 10_000.0


def section_47_enquiries(section47: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Section 47 enquiries whose strategy discussion took place in each period.

    Notes
    -----
    Children Act 1989 s.47; DfE CIN census (section 47 enquiries started): counted by the date of the strategy
    discussion that started the enquiry (Ofsted Annex A list 5).
    """
    return count(periods, sum_in_periods(section47["strategy_discussion_date"], periods))


def initial_conferences_held(section47: pd.DataFrame) -> pd.Series:
    """Whether each section 47 enquiry led to an initial conference that was held (a date, and not "not required")."""
    not_required = section47["icpc_not_required"].fillna(False).astype(bool)
    return section47["icpc_date"].notna() & ~not_required


def icpc_within_15_working_days(section47: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Initial conferences held in each period within 15 working days of the strategy discussion, as a percentage.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1, para 56, and the DfE CIN census (table D1): of the
    initial child protection conferences held in the period (conference date in the period; enquiries where a
    conference was not required are left out), those held within 15 working days of the strategy discussion.
    A conference on the 15th working day after the discussion is within; on the 16th, not
    (:mod:`analysis.methods.working_days`).
    """
    held = initial_conferences_held(section47)
    conference_date = section47["icpc_date"].where(held)
    timely = within_working_days(
        section47["strategy_discussion_date"], conference_date, ICPC_TIMESCALE_WORKING_DAYS
    )
    within = sum_in_periods(conference_date, periods, timely.astype(float))
    conferences = sum_in_periods(conference_date, periods)
    return percentage(periods, within, conferences)


def children_on_cp_plan_per_10000(
    cp_plans: pd.DataFrame, periods: pd.DataFrame, population: np.ndarray
) -> pd.DataFrame:
    """Children on a child protection plan at the end of each period per 10,000 children aged 0-17.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table D5 (``CPP_At31``): children the subject of a
    plan at 31 March (plan start on or before the day; no end date, or an end date after it: a plan ending on
    the day is not open at its end) per 10,000 children under 18 on the ONS mid-year estimate of the previous
    year. Each child is counted once.
    """
    on_plan, _ = children_open_at_each_end(
        cp_plans["child_id"], cp_plans["cp_plan_start_date"], cp_plans["cp_plan_end_date"], periods
    )
    return result_frame(periods, on_plan, population, ratio(on_plan, population, RATE_BASE))


def subsequent_plan_flags(cp_plans: pd.DataFrame) -> pd.Series:
    """Whether each plan is a second or subsequent plan for the child.

    Notes
    -----
    DfE CIN census table D3: the child had been the subject of a plan before, at any time. Known from the
    recorded number of previous plans (at least 1) or from an earlier plan of the same child in the data.
    """
    recorded = pd.to_numeric(cp_plans["previous_cp_plans"]).fillna(0) >= 1
    ordered = cp_plans[["child_id", "cp_plan_start_date"]].sort_values(["child_id", "cp_plan_start_date"])
    first_start = ordered.groupby("child_id", sort=False)["cp_plan_start_date"].transform("min")
    earlier_in_data = (ordered["cp_plan_start_date"] > first_start).reindex(cp_plans.index).fillna(False)
    return (recorded | earlier_in_data).astype(bool)


def cp_plans_second_or_subsequent(cp_plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Plans starting in each period that were a second or subsequent plan, as a percentage of plans starting.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table D3 (see :func:`subsequent_plan_flags`).
    """
    flags = subsequent_plan_flags(cp_plans)
    started = cp_plans["cp_plan_start_date"]
    return percentage(
        periods, sum_in_periods(started, periods, flags.astype(float)), sum_in_periods(started, periods)
    )


def cp_plans_lasting_two_years_or_more(cp_plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Plans open at the end of each period that had lasted two years or more, as a percentage of open plans.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table D5: plans open at 31 March by duration. A plan
    has lasted two years or more at a date when its start plus two calendar years is on or before the date
    (a plan started 31 March 2013 has lasted two years at 31 March 2015).
    """
    start, end = cp_plans["cp_plan_start_date"], cp_plans["cp_plan_end_date"]
    two_years_on = start + LONG_PLAN_DURATION
    open_plans = np.zeros(len(periods))
    long_plans = np.zeros(len(periods))
    for position, day in enumerate(periods["end"]):
        is_open = open_at(start, end, day)
        open_plans[position] = is_open.sum()
        long_plans[position] = (is_open & (two_years_on <= day)).sum()
    return percentage(periods, long_plans, open_plans)
