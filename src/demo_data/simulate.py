"""Event histories for a synthetic children's social care population, vectorised with numpy.

Each child's path runs contact -> referral -> continuous assessment -> section 47 enquiry -> initial child protection
conference -> child protection plan, with children in need episodes, periods of care with placements, adoption,
care leavers' birthday contacts, early help assessments and adopter households beside it. Every table holds an
integer ``child`` (a row of :attr:`CaseHistories.children`) and ``datetime64[D]`` dates, ``NaT`` where an event had
not happened by the extract date. Tables hold the whole simulated history (from 2009, and periods of care from
1999) so that published-style annual figures can be computed; :mod:`demo_data.annex` keeps what an Annex A
extract would show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd

from demo_data import calibration as cal

logger = logging.getLogger(__name__)

NAT = np.datetime64("NaT", "D")
DAYS_PER_YEAR = 365.25
# Relative frequency of each year of age (0-17) among children referred, and among children entering care.
REFERRAL_AGE_WEIGHTS = np.array(
    [1.6, 1.1, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 0.9, 0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.05, 0.9]
)
CARE_AGE_WEIGHTS = np.array(
    [2.2, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.9, 1.1, 1.1, 0.8]
)
GENDERS = np.array(["male", "female", "unknown", "indeterminate"])
GENDER_SHARES = np.array([0.505, 0.485, 0.008, 0.002])
ETHNICITIES = np.array(
    [
        "WBRI",
        "WOTH",
        "WIRI",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BAFR",
        "BCRB",
        "BOTH",
        "CHNE",
        "OOTH",
        "NOBT",
        "REFU",
    ]
)
ETHNICITY_SHARES = np.array(
    [81.0, 3.5, 0.4, 0.4, 1.8, 1.0, 0.8, 1.5, 1.5, 0.7, 0.3, 0.8, 3.2, 0.5, 0.3, 0.2, 1.0, 0.7, 0.4]
)
SOURCES = np.array(
    [
        "Police",
        "Schools",
        "Health services",
        "LA services",
        "Individual",
        "Other",
        "Anonymous",
        "Housing",
        "Other legal agency",
        "Unknown",
    ]
)
SOURCE_SHARES = np.array([28, 17, 15, 10, 9, 8, 3, 2, 5, 3], dtype=float)
CATEGORIES = np.array(["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"])
CATEGORY_SHARES = np.array([45, 35, 8, 5, 7], dtype=float)
PRIMARY_NEEDS = np.array([f"N{n}" for n in range(10)])
PRIMARY_NEED_SHARES = np.array([0.5, 55, 7, 5, 12, 13, 2, 0.5, 2.5, 2.5])
EARLY_HELP_ORGANISATIONS = np.array(
    [
        "School",
        "Health visiting",
        "Children's centre",
        "Early help team",
        "Voluntary sector",
        "School nursing",
    ]
)
FOSTER_TYPES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "K2", "R1", "P1"])
FOSTER_SHARES = np.array([8, 4, 30, 6, 8, 25, 9, 2, 8], dtype=float)
REASONS_CEASED = np.array(["E4A", "E45", "E46", "E41", "E13", "E8", "E15"])
REASON_SHARES = np.array([50, 9, 7, 5, 12, 12, 5], dtype=float)
AGE_OUT_REASONS = np.array(["E48", "E8", "E17"])
TEAMS_BEFORE = np.array(["Referral and Assessment", "Children in Need", "Child Protection"])
TEAMS_AFTER = np.array(["CADS and Assessment", "CIN and CP", "IFSS"])
MEDWAY_SECTORS = np.array([f"ME{d} {s}" for d in (1, 2, 3, 4, 5, 7, 8) for s in range(1, 10)])
OUT_OF_AREA_SECTORS = np.array(["DA11 0", "DA12 2", "TN23 4", "CT9 5", "ME14 2", "ME15 6", "ME10 3", "SE9 1"])


def _shares(values: np.ndarray) -> np.ndarray:
    return values / values.sum()


def bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """England and Wales bank holidays as ``datetime64[D]`` (the working-day calendar of the timeliness measures)."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


class _Children:
    """A growing register of children's dates of birth (gender and ethnicity are drawn at the end)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._dob = np.empty(1024, dtype="datetime64[D]")
        self.count = 0

    def _append(self, dob: np.ndarray) -> np.ndarray:
        n = len(dob)
        if self.count + n > len(self._dob):
            grown = np.empty(max(2 * len(self._dob), self.count + n), dtype="datetime64[D]")
            grown[: self.count] = self._dob[: self.count]
            self._dob = grown
        self._dob[self.count : self.count + n] = dob
        index = np.arange(self.count, self.count + n)
        self.count += n
        return index

    def add(self, event_days: np.ndarray, age_weights: np.ndarray, max_age: float = 17.9) -> np.ndarray:
        """New children, each aged by ``age_weights`` on its event day; returns their indices."""
        n = len(event_days)
        years = self.rng.choice(len(age_weights), size=n, p=_shares(age_weights)) + self.rng.random(n)
        age_days = (np.minimum(years, max_age) * DAYS_PER_YEAR).astype(int)
        return self._append(event_days - age_days.astype("timedelta64[D]"))

    def dob_array(self) -> np.ndarray:
        """Dates of birth so far (a view: do not keep it across :meth:`add`)."""
        return self._dob[: self.count]

    def frame(self) -> pd.DataFrame:
        n = self.count
        return pd.DataFrame(
            {
                "dob": self._dob[:n].copy(),
                "gender": self.rng.choice(GENDERS, size=n, p=GENDER_SHARES),
                "ethnicity": self.rng.choice(ETHNICITIES, size=n, p=_shares(ETHNICITY_SHARES)),
            }
        )


@dataclass
class CaseHistories:
    """Every simulated table (see the module docstring)."""

    children: pd.DataFrame
    contacts: pd.DataFrame
    early_help: pd.DataFrame
    referrals: pd.DataFrame
    assessments: pd.DataFrame
    section47: pd.DataFrame
    children_in_need: pd.DataFrame
    cp_plans: pd.DataFrame
    care_episodes: pd.DataFrame
    placements: pd.DataFrame
    care_leavers: pd.DataFrame
    adoptions: pd.DataFrame
    adopters: pd.DataFrame
    holidays: np.ndarray


def _month_starts(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    return np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1).astype("datetime64[D]")


def _month_end(start: np.datetime64) -> np.datetime64:
    return (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1


def _seasonal(month_start: np.datetime64) -> float:
    """Fewer referrals in August and December (school holidays)."""
    month = int(month_start.astype("datetime64[M]").astype(int) % 12 + 1)
    return {8: 0.85, 12: 0.88, 1: 1.03, 3: 1.05}.get(month, 1.0)


def _ramp(days: np.ndarray, before: np.ndarray, after: float, months: int = 2) -> np.ndarray:
    """``before`` until the re-alignment, then a straight line to ``after`` over ``months`` months."""
    elapsed = (days - cal.REALIGNMENT).astype(int) / (30.4 * months)
    weight = np.clip(elapsed, 0, 1)
    return np.where(days < cal.REALIGNMENT, before, before * (1 - weight) + after * weight)


def simulate_referrals(
    rng: np.random.Generator, children: _Children, scale: float, calendar: np.busdaycalendar
) -> pd.DataFrame:
    """Referrals month by month, with the calibrated share of re-referrals within 12 months.

    Notes
    -----
    A re-referral goes to a child referred in the 12 months before (DfE CIN census, table C1: a referral within 12
    months of a previous referral); other referrals go to new children, or to children last referred over a year
    before.
    """
    days_out: list[np.ndarray] = []
    child_out: list[np.ndarray] = []
    all_days = np.array([], dtype="datetime64[D]")
    all_child = np.array([], dtype=np.int64)
    last_referral = np.full(0, np.datetime64("1900-01-01"), dtype="datetime64[D]")
    for month_start in _month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(_month_end(month_start), cal.EXTRACT_DATE)
        year = int(cal.financial_year(np.array([month_start]))[0])
        expected = (
            cal.by_year(cal.REFERRALS_PER_10000, np.array([year]))[0]
            / 10_000
            * cal.REFERRAL_DENOMINATOR
            * scale
            / 12
        )
        expected *= _seasonal(month_start) * ((month_end - month_start).astype(int) + 1) / 30.4
        n = int(rng.poisson(expected))
        share = cal.by_year(cal.REREFERRAL_PERCENT, np.array([year]))[0] / 100
        n_re = int(rng.binomial(n, share))
        dob = children.dob_array()
        adult_cutoff = month_end - np.timedelta64(int(17.9 * DAYS_PER_YEAR), "D")
        lo = np.searchsorted(all_days, month_end - 364)
        hi = np.searchsorted(all_days, month_start)
        recent = np.unique(all_child[lo:hi])
        recent = recent[dob[recent] > adult_cutoff]
        n_re = min(n_re, len(recent))
        repeat = rng.choice(recent, size=n_re, replace=False)
        n_rest = n - n_re
        known = np.flatnonzero(
            (last_referral > np.datetime64("1901-01-01"))
            & (last_referral < month_start - 365)
            & (dob > adult_cutoff)
        )
        n_old = min(int(rng.binomial(n_rest, 0.08)), len(known))
        old = rng.choice(known, size=n_old, replace=False)
        business = np.arange(month_start, month_end + 1)
        business = business[np.is_busday(business, busdaycal=calendar)]
        days = np.sort(rng.choice(business, size=n))
        order = rng.permutation(n)
        n_new = n_rest - n_old
        assigned = np.empty(n, dtype=np.int64)
        assigned[order[:n_re]] = repeat
        assigned[order[n_re : n_re + n_old]] = old
        new_slots = order[n_re + n_old :]
        assigned[new_slots] = children.add(days[new_slots], REFERRAL_AGE_WEIGHTS) if n_new else []
        if len(last_referral) < children.count:
            grown = np.full(children.count, np.datetime64("1900-01-01"), dtype="datetime64[D]")
            grown[: len(last_referral)] = last_referral
            last_referral = grown
        last_referral[assigned] = days
        days_out.append(days)
        child_out.append(assigned)
        all_days = np.concatenate([all_days, days])
        all_child = np.concatenate([all_child, assigned])
    frame = pd.DataFrame({"child": all_child, "referral_date": all_days})
    frame["source"] = rng.choice(SOURCES, size=len(frame), p=_shares(SOURCE_SHARES))
    return frame


def simulate_contacts(
    rng: np.random.Generator, children: _Children, referrals: pd.DataFrame, calendar: np.busdaycalendar
) -> pd.DataFrame:
    """A contact before every referral (same day or up to two working days before) and contacts that went no further.

    Notes
    -----
    The share of contacts that become referrals falls after the re-alignment of 1 October 2014 (committee paper,
    21 July 2015, para 3.2).
    """
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    lag = rng.choice(3, size=len(ref_days), p=[0.7, 0.2, 0.1])
    converted = pd.DataFrame(
        {
            "child": referrals["child"].to_numpy(),
            # A referral in the extract has its contact in the extract too (no contact before the window).
            "contact_date": np.maximum(
                np.busday_offset(ref_days, -lag, roll="backward", busdaycal=calendar),
                np.minimum(ref_days, cal.WINDOW_START),
            ),
            "source": referrals["source"].to_numpy(),
        }
    )
    conversion = _ramp(
        ref_days, np.full(len(ref_days), cal.CONTACT_CONVERSION_BEFORE), cal.CONTACT_CONVERSION_AFTER
    )
    extra_per_referral = 1 / conversion - 1
    n_extra = rng.poisson(extra_per_referral)
    anchor = np.repeat(ref_days, n_extra)
    shift = rng.integers(-15, 16, size=len(anchor)).astype("timedelta64[D]")
    extra_days = np.clip(anchor + shift, cal.SIMULATION_START, cal.EXTRACT_DATE)
    extra_days = np.busday_offset(extra_days, 0, roll="backward", busdaycal=calendar)
    known = rng.random(len(extra_days)) < 0.3
    ref_child = referrals["child"].to_numpy()
    extra_child = np.empty(len(extra_days), dtype=np.int64)
    extra_child[known] = rng.choice(ref_child, size=int(known.sum()))
    extra_child[~known] = children.add(extra_days[~known], REFERRAL_AGE_WEIGHTS)
    extra = pd.DataFrame(
        {
            "child": extra_child,
            "contact_date": extra_days,
            "source": rng.choice(SOURCES, size=len(extra_days), p=_shares(SOURCE_SHARES)),
        }
    )
    return pd.concat([converted, extra], ignore_index=True).sort_values("contact_date", kind="stable")


def simulate_assessments(
    rng: np.random.Generator, referrals: pd.DataFrame, calendar: np.busdaycalendar
) -> pd.DataFrame:
    """A continuous assessment for most referrals; timeliness poor before the re-alignment and good after.

    Notes
    -----
    Timeliness: authorisation within 45 working days of the start (Working Together to Safeguard Children 2015,
    chapter 1). Working days exclude weekends and England and Wales bank holidays.
    """
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    p_assessed = np.where(ref_days >= cal.REALIGNMENT, cal.ASSESSED_AFTER, cal.ASSESSED_BEFORE)
    assessed = rng.random(len(ref_days)) < p_assessed
    rows = np.flatnonzero(assessed)
    start = np.busday_offset(
        ref_days[rows], rng.integers(0, 6, size=len(rows)), roll="forward", busdaycal=calendar
    )
    before = cal.by_year(cal.ASSESSMENT_TIMELY, cal.financial_year(start))
    p_timely = _ramp(start, before, cal.ASSESSMENT_TIMELY_AFTER, months=2)
    timely = rng.random(len(rows)) < p_timely
    working_days = np.where(
        timely, rng.integers(8, 45, size=len(rows)), 47 + rng.geometric(1 / 18, size=len(rows))
    )
    authorised = np.busday_offset(start, working_days, roll="forward", busdaycal=calendar)
    frame = pd.DataFrame(
        {
            "referral": rows,
            "child": referrals["child"].to_numpy()[rows],
            "start": start,
            "authorised": np.where(authorised <= cal.EXTRACT_DATE, authorised, NAT),
            "needs_support": rng.random(len(rows)) < cal.ASSESSMENT_NEEDS_SUPPORT,
            "child_seen": rng.random(len(rows)) < 0.95,
            "disability": rng.random(len(rows)) < 0.07,
        }
    )
    return frame[frame["start"] <= cal.EXTRACT_DATE].reset_index(drop=True)


def simulate_section47(
    rng: np.random.Generator,
    referrals: pd.DataFrame,
    assessments: pd.DataFrame,
    scale: float,
    calendar: np.busdaycalendar,
) -> pd.DataFrame:
    """Section 47 enquiries (calibrated counts a year), their initial conferences and whether a plan followed.

    Notes
    -----
    Conference timeliness: within 15 working days of the strategy discussion (Working Together 2015, chapter 1).
    """
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ref_month = ref_days.astype("datetime64[M]")
    assessed_referral = np.zeros(len(ref_days), dtype=bool)
    assessed_referral[assessments["referral"].to_numpy()] = True
    chosen: list[np.ndarray] = []
    icpc_share: list[np.ndarray] = []
    for month in np.unique(ref_month):
        in_month = np.flatnonzero((ref_month == month) & assessed_referral)
        year = cal.financial_year(np.array([month.astype("datetime64[D]")]))
        n = min(int(rng.poisson(cal.by_year(cal.SECTION47_PER_YEAR, year)[0] * scale / 12)), len(in_month))
        picked = rng.choice(in_month, size=n, replace=False)
        conferences = (
            cal.by_year(cal.CP_PLAN_STARTS_PER_YEAR, year)[0] * scale / 12 / cal.ICPC_RESULTS_IN_PLAN
        )
        chosen.append(picked)
        icpc_share.append(np.full(n, min(conferences / max(n, 1), 1.0)))
    rows = np.sort(np.concatenate(chosen))
    share = np.concatenate(icpc_share)[np.argsort(np.concatenate(chosen))]
    strategy = np.busday_offset(
        ref_days[rows], rng.integers(0, 4, size=len(rows)), roll="forward", busdaycal=calendar
    )
    has_icpc = rng.random(len(rows)) < share
    year = cal.financial_year(strategy)
    p_timely = cal.by_year(cal.ICPC_TIMELY, year)
    p_timely = np.where(strategy >= np.datetime64("2015-02-01"), cal.ICPC_TIMELY_FEB_MAR_2015, p_timely)
    p_timely = np.where(strategy >= np.datetime64("2015-03-10"), cal.ICPC_TIMELY_AFTER, p_timely)
    timely = rng.random(len(rows)) < p_timely
    working_days = np.where(timely, rng.integers(4, 15, size=len(rows)), rng.integers(17, 40, size=len(rows)))
    icpc = np.busday_offset(strategy, working_days, roll="forward", busdaycal=calendar)
    held = has_icpc & (icpc <= cal.EXTRACT_DATE)
    pending = has_icpc & ~held
    plan = held & (rng.random(len(rows)) < cal.ICPC_RESULTS_IN_PLAN)
    frame = pd.DataFrame(
        {
            "referral": rows,
            "child": referrals["child"].to_numpy()[rows],
            "strategy": strategy,
            "icpc_not_required": np.where(pending, None, ~has_icpc).astype(object),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
            "icpc": np.where(held, icpc, NAT),
            "plan": np.where(held, plan, None).astype(object),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
            "category": rng.choice(CATEGORIES, size=len(rows), p=_shares(CATEGORY_SHARES)),
        }
    )
    return frame[frame["strategy"] <= cal.EXTRACT_DATE].reset_index(drop=True)


def _cp_stock_target(month_end: np.datetime64, scale: float) -> float:
    points = np.array(list(cal.CP_STOCK), dtype="datetime64[D]").astype(int)
    values = np.array(list(cal.CP_STOCK.values()), dtype=float)
    return float(np.interp(month_end.astype(int), points, values)) * scale


def simulate_cp_plans(rng: np.random.Generator, section47: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Child protection plans from conferences, ended month by month so the number open follows the calibration.

    Notes
    -----
    Plans open at 31 March follow DfE's CIN census table D5 for Medway; older plans are more likely to end, and
    plans rarely end before the first review conference at three months.
    """
    with_plan = section47[section47["plan"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    starts = with_plan["icpc"].to_numpy().astype("datetime64[D]")
    child = with_plan["child"].to_numpy()
    s47_row = with_plan.index.to_numpy()
    end = np.full(len(starts), NAT)
    kept = np.zeros(len(starts), dtype=bool)
    open_plans = np.array([], dtype=np.int64)
    month_of_start = starts.astype("datetime64[M]")
    for month_start in _month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = _month_end(month_start)
        new = np.flatnonzero(month_of_start == month_start.astype("datetime64[M]"))
        new = new[~np.isin(child[new], child[open_plans])]
        _, first = np.unique(child[new], return_index=True)
        new = new[np.sort(first)]
        kept[new] = True
        eligible = open_plans
        open_plans = np.concatenate([open_plans, new])
        n_end = int(round(len(open_plans) - _cp_stock_target(month_end, scale)))
        if n_end <= 0 or len(eligible) == 0:
            continue
        age = (month_end - starts[eligible]).astype(int)
        weight = np.select([age < 90, age < 180, age < 365, age < 730], [0.03, 0.5, 1.0, 1.5], 2.5)
        n_end = min(n_end, len(eligible))
        ending = rng.choice(eligible, size=n_end, replace=False, p=weight / weight.sum())
        first_day = np.maximum(month_start, starts[ending] + 1)
        span = (month_end - first_day).astype(int) + 1
        end[ending] = first_day + (rng.random(n_end) * span).astype("timedelta64[D]")
        open_plans = open_plans[~np.isin(open_plans, ending)]
    end = np.where(end <= cal.EXTRACT_DATE, end, NAT)
    frame = pd.DataFrame(
        {
            "s47": s47_row,
            "child": child,
            "start": starts,
            "end": end,
            "category": with_plan["category"].to_numpy(),
        }
    )[kept]
    frame = frame.sort_values(["child", "start"], kind="stable")
    before_records = (rng.random(frame["child"].nunique()) < cal.PREVIOUS_PLAN_BEFORE_RECORDS).astype(int)
    codes, _ = pd.factorize(frame["child"])
    frame["previous"] = frame.groupby("child").cumcount().to_numpy() + before_records[codes]
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def simulate_children_in_need(
    rng: np.random.Generator,
    referrals: pd.DataFrame,
    assessments: pd.DataFrame,
    section47: pd.DataFrame,
    cp_plans: pd.DataFrame,
) -> pd.DataFrame:
    """A children in need episode from each referral, closed at no further action, after the assessment, or later.

    Notes
    -----
    DfE CIN census: an episode starts with the referral and ends at case closure.
    """
    n = len(referrals)
    start = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    end = start + rng.integers(0, 10, size=n).astype("timedelta64[D]")
    rows = assessments["referral"].to_numpy()
    authorised = assessments["authorised"].to_numpy().astype("datetime64[D]")
    support = assessments["needs_support"].to_numpy()
    duration = rng.gamma(2.0, 130.0, size=len(rows)).astype(int).astype("timedelta64[D]")
    end[rows] = np.where(support, authorised + duration, authorised)
    plan_referral = section47["referral"].to_numpy()[cp_plans["s47"].to_numpy()]
    plan_end = cp_plans["end"].to_numpy().astype("datetime64[D]") + rng.integers(
        20, 120, size=len(cp_plans)
    ).astype("timedelta64[D]")
    end[plan_referral] = np.where(
        np.isnat(cp_plans["end"].to_numpy().astype("datetime64[D]")),
        NAT,
        np.maximum(end[plan_referral], plan_end),
    )
    end = np.where(end <= cal.EXTRACT_DATE, end, NAT)
    need = rng.choice(PRIMARY_NEEDS, size=n, p=_shares(PRIMARY_NEED_SHARES))
    need[plan_referral] = "N1"
    return pd.DataFrame(
        {
            "referral": np.arange(n),
            "child": referrals["child"].to_numpy(),
            "start": start,
            "end": end,
            "primary_need": need,
        }
    )


def simulate_care(
    rng: np.random.Generator, children: _Children, referrals: pd.DataFrame, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Periods of care (with adoption for some young children) and their placements.

    Notes
    -----
    SSDA903 codes for legal status, placement type and reason ceased (E11/E12 adopted). Adoption steps follow the
    DfE adoption scorecard's A1 and A2 measures.
    """
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ref_child = referrals["child"].to_numpy()
    frames: list[pd.DataFrame] = []
    all_child = np.array([], dtype=np.int64)
    all_end = np.array([], dtype="datetime64[D]")
    for month_start in _month_starts(cal.CARE_SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(_month_end(month_start), cal.EXTRACT_DATE)
        n = int(rng.poisson(cal.CARE_ENTRIES_PER_MONTH * scale))
        days = month_start + (rng.random(n) * ((month_end - month_start).astype(int) + 1)).astype(
            "timedelta64[D]"
        )
        assigned = np.full(n, -1, dtype=np.int64)
        if month_start >= cal.SIMULATION_START + 180:
            lo, hi = np.searchsorted(ref_days, [month_start - 180, month_start])
            candidates = np.unique(ref_child[lo:hi])
            in_care = all_child[all_end > month_start]
            candidates = candidates[~np.isin(candidates, in_care)]
            dob = children.dob_array()
            candidates = candidates[dob[candidates] > month_end - int(16.5 * DAYS_PER_YEAR)]
            k = min(int(rng.binomial(n, 0.85)), len(candidates))
            assigned[:k] = rng.choice(candidates, size=k, replace=False)
        fresh = assigned < 0
        if fresh.any():
            assigned[fresh] = children.add(days[fresh], CARE_AGE_WEIGHTS, max_age=17.0)
        paths = _care_paths(rng, days, assigned, children.dob_array()[assigned])
        frames.append(paths)
        all_child = np.concatenate([all_child, assigned])
        all_end = np.concatenate([all_end, paths["true_end"].to_numpy().astype("datetime64[D]")])
    episodes = pd.concat(frames, ignore_index=True)
    episodes = episodes[episodes["start"] <= cal.EXTRACT_DATE].reset_index(drop=True)
    placements = _placements(rng, episodes)
    return episodes, placements


def _care_paths(
    rng: np.random.Generator, start: np.ndarray, child: np.ndarray, dob: np.ndarray
) -> pd.DataFrame:
    n = len(start)
    age = (start - dob).astype(int) / DAYS_PER_YEAR
    adoption = (age < 5) & (rng.random(n) < cal.CARE_ADOPTION_PATHWAY_UNDER_5)
    kind = rng.choice(3, size=n, p=[0.35, 0.45, 0.20])
    duration = np.select(
        [kind == 0, kind == 1], [rng.gamma(1.2, 60, size=n), rng.gamma(1.5, 500, size=n)], 40_000
    ).astype(int)
    eighteen = dob + int(18 * DAYS_PER_YEAR)
    end = np.minimum(start + duration.astype("timedelta64[D]"), eighteen)
    aged_out = end == eighteen
    decision = start + rng.integers(90, 250, size=n).astype("timedelta64[D]")
    order = decision + rng.integers(30, 120, size=n).astype("timedelta64[D]")
    matched = order + rng.gamma(2.2, cal.A2_MEAN_DAYS / 2.2, size=n).astype(int).astype("timedelta64[D]")
    placed = matched + rng.integers(7, 35, size=n).astype("timedelta64[D]")
    adopted = placed + rng.integers(90, 300, size=n).astype("timedelta64[D]")
    end = np.where(adoption, adopted, end)
    reason = rng.choice(REASONS_CEASED, size=n, p=_shares(REASON_SHARES))
    reason = np.where(aged_out, rng.choice(AGE_OUT_REASONS, size=n), reason)
    reason = np.where(adoption, np.where(rng.random(n) < 0.85, "E11", "E12"), reason)
    legal = rng.choice(np.array(["C2", "C1", "V2"]), size=n, p=[0.45, 0.2, 0.35])
    legal = np.where(adoption, "C1", legal)

    def observed(days: np.ndarray) -> np.ndarray:
        return np.where(adoption & (days <= cal.EXTRACT_DATE), days, NAT)

    ended = end <= cal.EXTRACT_DATE
    return pd.DataFrame(
        {
            "child": child,
            "start": start,
            "end": np.where(ended, end, NAT),
            "reason": np.where(ended, reason, None),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
            "aged_out": aged_out & ~adoption,
            "legal_status": legal,
            "adoption": adoption,
            "decision": observed(decision),
            "placement_order": observed(order),
            "matched": observed(matched),
            "placed": observed(placed),
            "adopted": observed(adopted),
            "true_end": end,
        }
    ).sort_values("start", kind="stable")


def _placements(rng: np.random.Generator, episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements within each period of care: moves at a steady rate, more of them in April-June 2015."""
    start = episodes["start"].to_numpy().astype("datetime64[D]")
    last = np.minimum(episodes["true_end"].to_numpy().astype("datetime64[D]"), cal.EXTRACT_DATE)
    placed = episodes["placed"].to_numpy().astype("datetime64[D]")
    adoption_move = ~np.isnat(placed)
    span = np.maximum((last - start).astype(int), 1)
    moves = rng.poisson(cal.PLACEMENT_MOVES_PER_YEAR * span / DAYS_PER_YEAR)
    surge_start, surge_end = np.datetime64("2015-04-01"), np.datetime64("2015-06-30")
    overlap_from = np.maximum(start + 1, surge_start)
    overlap = np.maximum((np.minimum(last, surge_end) - overlap_from).astype(int), 0)
    surge = rng.poisson(cal.PLACEMENT_MOVES_SURGE * overlap / 91)
    episode_of_move = np.concatenate(
        [np.repeat(np.arange(len(episodes)), moves), np.repeat(np.arange(len(episodes)), surge)]
    )
    offset = np.concatenate(
        [
            (rng.random(int(moves.sum())) * np.repeat(span, moves)).astype(int),
            (overlap_from - start).astype(int).repeat(surge)
            + (rng.random(int(surge.sum())) * np.repeat(np.maximum(overlap, 1), surge)).astype(int),
        ]
    )
    move_day = start[episode_of_move] + np.maximum(offset, 1).astype("timedelta64[D]")
    # An adopted child's last move is to the adopters: drop other moves after the day they were placed.
    keep = ~(adoption_move[episode_of_move] & (move_day >= placed[episode_of_move]))
    episode_of_move, move_day = episode_of_move[keep], move_day[keep]
    adoption_rows = np.flatnonzero(adoption_move)
    episode_all = np.concatenate([np.arange(len(episodes)), episode_of_move, adoption_rows])
    day_all = np.concatenate([start, move_day, placed[adoption_rows]])
    is_adoption = np.concatenate(
        [np.zeros(len(episodes) + len(move_day), bool), np.ones(len(adoption_rows), bool)]
    )
    order = np.lexsort((day_all, episode_all))
    episode_all, day_all, is_adoption = episode_all[order], day_all[order], is_adoption[order]
    distinct = np.ones(len(day_all), dtype=bool)
    distinct[1:] = (episode_all[1:] != episode_all[:-1]) | (day_all[1:] != day_all[:-1])
    episode_all, day_all, is_adoption = episode_all[distinct], day_all[distinct], is_adoption[distinct]
    following_same = np.zeros(len(day_all), dtype=bool)
    following_same[:-1] = episode_all[1:] == episode_all[:-1]
    placement_end = np.where(
        following_same, np.roll(day_all, -1), episodes["end"].to_numpy().astype("datetime64[D]")[episode_all]
    )
    types = rng.choice(FOSTER_TYPES, size=len(day_all), p=_shares(FOSTER_SHARES))
    child = episodes["child"].to_numpy()[episode_all]
    types = np.where(is_adoption, "A4", types)
    in_area = rng.random(len(day_all)) < 0.7
    postcode = np.where(
        in_area,
        rng.choice(MEDWAY_SECTORS, size=len(day_all)),
        rng.choice(OUT_OF_AREA_SECTORS, size=len(day_all)),
    )
    legal = episodes["legal_status"].to_numpy()[episode_all]
    order_day = episodes["placement_order"].to_numpy().astype("datetime64[D]")[episode_all]
    legal = np.where(~np.isnat(order_day) & (day_all >= order_day), "E1", legal)
    frame = pd.DataFrame(
        {
            "episode": episode_all,
            "child": child,
            "start": day_all,
            "end": np.where(placement_end <= cal.EXTRACT_DATE, placement_end, NAT),
            "placement_type": types,
            "postcode": postcode,
            "legal_status": legal,
        }
    )
    return frame[frame["start"] <= cal.EXTRACT_DATE].reset_index(drop=True)


def simulate_care_leavers(rng: np.random.Generator, episodes: pd.DataFrame, dob: np.ndarray) -> pd.DataFrame:
    """Birthday contacts at 19, 20 and 21 for young people who left care at 18.

    Notes
    -----
    SSDA903 care leavers: activity and accommodation recorded around the 19th, 20th and 21st birthdays.
    """
    leavers = episodes[
        episodes["aged_out"].to_numpy() & ((episodes["end"] - episodes["start"]).dt.days >= 91)
    ]
    child = np.repeat(leavers["child"].to_numpy(), 3)
    age = np.tile(np.array([19, 20, 21]), len(leavers))
    birth = dob[child]
    years = birth.astype("datetime64[Y]").astype(int) + 1970 + age
    birthday = (
        pd.to_datetime(
            {
                "year": years,
                "month": pd.DatetimeIndex(birth).month,
                "day": np.minimum(pd.DatetimeIndex(birth).day, 28),
            }
        )
        .to_numpy()
        .astype("datetime64[D]")
    )
    contact = birthday + rng.integers(-14, 42, size=len(birthday)).astype("timedelta64[D]")
    keep = (contact >= cal.SIMULATION_START) & (contact <= cal.EXTRACT_DATE)
    child, contact = child[keep], contact[keep]
    n = len(child)
    in_touch = rng.random(n) < cal.CARE_LEAVER_IN_TOUCH
    activity = rng.choice(
        np.array(["Education", "Training", "Employment", "NEET"]),
        size=n,
        p=[
            cal.CARE_LEAVER_EET * 0.4,
            cal.CARE_LEAVER_EET * 0.2,
            cal.CARE_LEAVER_EET * 0.4,
            1 - cal.CARE_LEAVER_EET,
        ],
    )
    suitable = rng.random(n) < cal.CARE_LEAVER_SUITABLE
    return pd.DataFrame(
        {
            "child": child,
            "contact_date": contact,
            "in_touch": in_touch,
            "activity": np.where(in_touch, activity, "Not known"),
            "suitable": np.where(in_touch, suitable, None).astype(object),  # type: ignore[call-overload]  # numpy's stubs omit None, which where() takes as an object scalar
        }
    ).sort_values("contact_date", kind="stable")


def simulate_early_help(
    rng: np.random.Generator, children: _Children, referrals: pd.DataFrame, scale: float
) -> pd.DataFrame:
    """Early help assessments (CAF), rising with the Early Help Strategy."""
    out = []
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ref_child = referrals["child"].to_numpy()
    for month_start in _month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(_month_end(month_start), cal.EXTRACT_DATE)
        year = cal.financial_year(np.array([month_start]))
        n = int(rng.poisson(cal.by_year(cal.EARLY_HELP_PER_MONTH, year)[0] * scale))
        days = month_start + (rng.random(n) * ((month_end - month_start).astype(int) + 1)).astype(
            "timedelta64[D]"
        )
        known = rng.random(n) < 0.15
        lo, hi = np.searchsorted(ref_days, [month_start - 365, month_start])
        child = np.empty(n, dtype=np.int64)
        if hi > lo:
            child[known] = rng.choice(ref_child[lo:hi], size=int(known.sum()))
        else:
            known[:] = False
        child[~known] = children.add(days[~known], REFERRAL_AGE_WEIGHTS[:14])
        out.append(pd.DataFrame({"child": child, "start": days}))
    frame = pd.concat(out, ignore_index=True)
    completed = frame["start"].to_numpy().astype("datetime64[D]") + rng.integers(
        14, 120, size=len(frame)
    ).astype("timedelta64[D]")
    never = rng.random(len(frame)) < 0.08
    frame["completed"] = np.where(never | (completed > cal.EXTRACT_DATE), NAT, completed)
    frame["organisation"] = rng.choice(EARLY_HELP_ORGANISATIONS, size=len(frame))
    return frame


def simulate_adopters(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Adopter households: enquiry, approval for some, a match for most of those."""
    months = _month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE)
    counts = rng.poisson(4.0 * scale, size=len(months))
    month = np.repeat(months, counts)
    enquiry = month + rng.integers(0, 28, size=len(month)).astype("timedelta64[D]")
    approved = enquiry + rng.integers(150, 270, size=len(month)).astype("timedelta64[D]")
    approved = np.where((rng.random(len(month)) < 0.55) & (approved <= cal.EXTRACT_DATE), approved, NAT)
    matched = approved + rng.integers(30, 300, size=len(month)).astype("timedelta64[D]")
    matched = np.where((rng.random(len(month)) < 0.7) & (matched <= cal.EXTRACT_DATE), matched, NAT)
    return pd.DataFrame({"enquiry": enquiry, "approved": approved, "matched": matched})


def simulate_histories(seed: int, scale: float) -> CaseHistories:
    """Simulate every case history for a synthetic authority of about ``63,000 x scale`` children.

    Each part draws from its own random stream (spawned from ``seed``), so the same seed gives the same histories.
    """
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    holiday_days = bank_holidays(1998, 2016)
    calendar = np.busdaycalendar(holidays=holiday_days)
    children = _Children(streams[0])
    referrals = simulate_referrals(streams[1], children, scale, calendar)
    contacts = simulate_contacts(streams[2], children, referrals, calendar)
    assessments = simulate_assessments(streams[3], referrals, calendar)
    section47 = simulate_section47(streams[4], referrals, assessments, scale, calendar)
    cp_plans = simulate_cp_plans(streams[5], section47, scale)
    in_plan = np.zeros(len(section47), dtype=object)
    in_plan[:] = section47["plan"].to_numpy()
    planned = section47["plan"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    in_plan[planned & ~np.isin(np.arange(len(section47)), cp_plans["s47"].to_numpy())] = False
    section47["plan"] = in_plan
    cin = simulate_children_in_need(streams[6], referrals, assessments, section47, cp_plans)
    episodes, placements = simulate_care(streams[7], children, referrals, scale)
    early_help = simulate_early_help(streams[8], children, referrals, scale)
    adopters = simulate_adopters(streams[9], scale)
    register = children.frame()
    care_leavers = simulate_care_leavers(streams[10], episodes, register["dob"].to_numpy())
    adoptions = episodes[
        episodes["adoption"] & ~np.isnat(episodes["decision"].to_numpy().astype("datetime64[D]"))
    ]
    logger.debug("Simulated %d children, %d referrals", len(register), len(referrals))
    return CaseHistories(
        children=register,
        contacts=contacts.reset_index(drop=True),
        early_help=early_help,
        referrals=referrals,
        assessments=assessments,
        section47=section47,
        children_in_need=cin,
        cp_plans=cp_plans,
        care_episodes=episodes,
        placements=placements,
        care_leavers=care_leavers.reset_index(drop=True),
        adoptions=adoptions.reset_index(drop=True),
        adopters=adopters,
        holidays=holiday_days,
    )
