"""Children in need measures from the CIN census, as DfE defines them for each year ending 31 March.

Sources, function by function: DfE, "Characteristics of children in need: methodology" (Explore Education
Statistics; tables A1 referrals, A3 re-referrals, C assessments, D section 47 enquiries and initial conferences,
D3-D5 child protection plans), DfE's CIN census guide for the year (the elements), and Working Together to
Safeguard Children (2015), chapter 1 (45 working days for an assessment; 15 working days from the strategy
discussion to the initial conference). Working days are :mod:`analysis.methods.working_days`'s (bank holidays excluded).

Records that appear in several years' censuses (an episode open across 31 March is in both) are matched on child
and date, so a look-back (an earlier referral, an earlier plan) sees every year read.
"""

from __future__ import annotations

import pandas as pd

from analysis.methods.working_days import within_working_days
from analysis.stages.indicators.front_door import REREFERRAL_WINDOW
from analysis.stages.returns.cin import CinCensus
from analysis.stages.returns.common import Figure, in_year, open_at, percent, rate_per_10000, year_end

ASSESSMENT_WORKING_DAYS = 45
ICPC_WORKING_DAYS = 15
LONG_PLAN = pd.DateOffset(years=2)


def _all(censuses: list[CinCensus], name: str, keys: list[str]) -> pd.DataFrame:
    """One table from every census read, each record once (the latest year's copy)."""
    frames = [c.table(name).assign(collection_year=c.collection_year) for c in censuses]
    table = pd.concat(frames, ignore_index=True).sort_values("collection_year")
    return table.dropna(subset=keys).drop_duplicates(keys, keep="last").reset_index(drop=True)


def _yes(values: pd.Series) -> pd.Series:
    """ReferralNFA and ICPCnotRequired: ``1`` (or ``true``) is yes (CIN census guide: yesnotype 0/1)."""
    return values.astype("string").str.upper().isin(["1", "TRUE", "Y", "YES"]).fillna(False).astype(bool)


def rereferral_flags(episodes: pd.DataFrame) -> pd.Series:
    """Whether each referral came within 12 months of a previous referral of the same child.

    DfE CIN census, table A3: a referral within 12 months of a previous referral; "within 12 months" is the
    project's one definition (:data:`analysis.stages.indicators.front_door.REREFERRAL_WINDOW`, 12 calendar months: a
    referral on the anniversary is within, one a day later is not, so 366 days after in a year without 29
    February is not a re-referral).
    """
    ordered = episodes.sort_values(["child", "referral_date"])
    previous = ordered.groupby("child")["referral_date"].shift()
    flags = previous.notna() & (previous >= ordered["referral_date"] - REREFERRAL_WINDOW)
    return flags.reindex(episodes.index).astype(bool)


def cin_figures(censuses: list[CinCensus], year: int, population: float | None) -> list[Figure]:
    """Every CIN census measure for one collection year, from the censuses of that year and the years before.

    Children in need at 31 March are CIN episodes open at 31 March (referral on or before it, no closure or a
    closure after it), as DfE counts them (CIN census table B1, ``At31_episodes``: a child with two open episodes
    counts twice); unborn children are the open episodes of children unborn at 31 March.
    """
    current = [c for c in censuses if c.collection_year is not None and c.collection_year <= year]
    episodes = _all(current, "cin_episodes", ["child", "referral_date"])
    day = year_end(year)
    referred = in_year(episodes["referral_date"], year)
    referrals = float(referred.sum())
    rereferred = float((rereferral_flags(episodes) & referred).sum())
    src_ref = "CIN census CINdetails (CINreferralDate)"
    open_now = open_at(episodes["referral_date"], episodes["closure_date"], day)
    children = _all(current, "children", ["child"])
    unborn_ids = _unborn(children, day)
    cin = float(open_now.sum())
    unborn = float((open_now & episodes["child"].isin(unborn_ids)).sum())
    src_cin = "CIN census CINdetails (CINreferralDate, CINclosureDate)"
    figures = [
        Figure("referrals_count", year, referrals, None, referrals, src_ref),
        Figure("referrals_per_10000", year, referrals, population, rate_per_10000(referrals, population), src_ref),
        Figure("rereferrals_within_12_months", year, rereferred, referrals, percent(rereferred, referrals), src_ref),
        Figure("children_in_need_at_31_march", year, cin, None, cin, src_cin),
        Figure("children_in_need_per_10000", year, cin, population, rate_per_10000(cin, population), src_cin),
        Figure(
            "cin_unborn_at_31_march", year, unborn, cin, percent(unborn, cin),
            "CIN census ChildIdentifiers (ExpectedPersonBirthDate, PersonBirthDate), CINdetails",
        ),
    ]  # fmt: skip
    figures += _assessments(current, year)
    figures += _section47(current, year)
    figures += _plans(current, year, population)
    return figures


def _unborn(children: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Children unborn on ``day``: an expected date of birth and no date of birth on or before it (CIN census
    guide: an unborn child has ExpectedPersonBirthDate and no PersonBirthDate)."""
    born = children["birth_date"].notna() & (children["birth_date"] <= day)
    return children.loc[children["expected_birth_date"].notna() & ~born, "child"]


def _assessments(censuses: list[CinCensus], year: int) -> list[Figure]:
    """Assessments completed (authorised) in the year, and those within 45 working days of their start.

    DfE CIN census, table C2: duration from AssessmentActualStartDate to AssessmentAuthorisationDate; one
    authorised on the 45th working day after the start is within, one on the 46th (a bank holiday does not count
    as a working day) is not.
    """
    assessments = _all(censuses, "assessments", ["child", "assessment_start_date"])
    done = assessments.loc[in_year(assessments["assessment_authorised_date"], year)]
    timely = within_working_days(
        done["assessment_start_date"], done["assessment_authorised_date"], ASSESSMENT_WORKING_DAYS
    )
    n, within = float(len(done)), float(timely.fillna(False).astype(bool).sum())
    src = "CIN census Assessments (AssessmentActualStartDate, AssessmentAuthorisationDate)"
    return [
        Figure("assessments_completed", year, n, None, n, src),
        Figure("assessments_within_45_working_days", year, within, n, percent(within, n), src),
    ]


def _section47(censuses: list[CinCensus], year: int) -> list[Figure]:
    """Section 47 enquiries started in the year; initial conferences held in the year and those within 15 working
    days of the strategy discussion (the enquiry's start, S47ActualStartDate: DfE CIN census table D1).
    Enquiries whose conference was not required (ICPCnotRequired 1) are left out of the conferences."""
    s47 = _all(censuses, "section47", ["child", "s47_start_date"])
    started = float(in_year(s47["s47_start_date"], year).sum())
    held = s47.loc[s47["icpc_date"].notna() & ~_yes(s47["icpc_not_required"])]
    held = held.loc[in_year(held["icpc_date"], year)]
    timely = within_working_days(held["s47_start_date"], held["icpc_date"], ICPC_WORKING_DAYS)
    n, within = float(len(held)), float(timely.fillna(False).astype(bool).sum())
    return [
        Figure("section_47_enquiries", year, started, None, started, "CIN census Section47 (S47ActualStartDate)"),
        Figure(
            "icpc_within_15_working_days", year, within, n, percent(within, n),
            "CIN census Section47 (S47ActualStartDate, DateOfInitialCPC, ICPCnotRequired)",
        ),
    ]  # fmt: skip


def _plans(censuses: list[CinCensus], year: int, population: float | None) -> list[Figure]:
    """Child protection plans: started in the year; second or subsequent (NumberOfPreviousCPP at least 1, or an
    earlier plan of the child in the censuses read: table D3); ended in the year having lasted two years or more
    (start plus two calendar years on or before the end: table D4); open at 31 March (rate per 10,000)."""
    plans = _all(censuses, "cp_plans", ["child", "cp_plan_start_date"])
    start, end = plans["cp_plan_start_date"], plans["cp_plan_end_date"]
    started = in_year(start, year)
    first_start = plans.groupby("child")["cp_plan_start_date"].transform("min")
    recorded = pd.to_numeric(plans["previous_cp_plans"], errors="coerce").fillna(0) >= 1
    subsequent = (recorded | (start > first_start)) & started
    ended = in_year(end, year)
    long = ended & (start + LONG_PLAN <= end)
    on_plan = float(plans.loc[open_at(start, end, year_end(year)), "child"].nunique())
    n_started, n_sub, n_ended, n_long = (float(x.sum()) for x in (started, subsequent, ended, long))
    src = "CIN census ChildProtectionPlans (CPPstartDate, CPPendDate, NumberOfPreviousCPP)"
    return [
        Figure("cp_plans_started", year, n_started, None, n_started, src),
        Figure("cp_plans_second_or_subsequent", year, n_sub, n_started, percent(n_sub, n_started), src),
        Figure(
            "cp_plans_ended_lasting_two_years_or_more", year, n_long, n_ended, percent(n_long, n_ended), src
        ),
        Figure("children_on_cp_plan_at_31_march", year, on_plan, None, on_plan, src),
        Figure(
            "children_on_cp_plan_per_10000",
            year,
            on_plan,
            population,
            rate_per_10000(on_plan, population),
            src,
        ),
    ]
