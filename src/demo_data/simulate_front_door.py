"""The front door of the simulated case histories: contacts, referrals, continuous assessments and early help.

A referral is preceded by a contact; most referrals are assessed. Timeliness and the share of contacts that become
referrals change at the service re-alignment of 1 October 2014 (:mod:`demo_data.calibration`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_data import calibration as cal
from demo_data.case_histories import (
    DAYS_PER_YEAR,
    NAT,
    ChildRegister,
    month_last_day,
    month_starts,
    shares_of,
)

# Relative frequency of each year of age (0-17) among children referred, and among children entering care.
REFERRAL_AGE_WEIGHTS = np.array(
    [1.6, 1.1, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 0.9, 0.9, 0.9, 0.95, 1.0, 1.05, 1.1, 1.05, 0.9]
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
    rng: np.random.Generator, children: ChildRegister, scale: float, calendar: np.busdaycalendar
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
    for month_start in month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(month_last_day(month_start), cal.EXTRACT_DATE)
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
    frame["source"] = rng.choice(SOURCES, size=len(frame), p=shares_of(SOURCE_SHARES))
    return frame


def simulate_contacts(
    rng: np.random.Generator, children: ChildRegister, referrals: pd.DataFrame, calendar: np.busdaycalendar
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
            "source": rng.choice(SOURCES, size=len(extra_days), p=shares_of(SOURCE_SHARES)),
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


def simulate_early_help(
    rng: np.random.Generator, children: ChildRegister, referrals: pd.DataFrame, scale: float
) -> pd.DataFrame:
    """Early help assessments (CAF), rising with the Early Help Strategy."""
    out = []
    ref_days = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ref_child = referrals["child"].to_numpy()
    for month_start in month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = min(month_last_day(month_start), cal.EXTRACT_DATE)
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
