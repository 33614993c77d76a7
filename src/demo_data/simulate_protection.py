"""Child protection in the simulated case histories: section 47 enquiries, plans and children in need episodes.

An enquiry follows an assessed referral, an initial conference may follow it and may start a child protection plan;
each referral opens a children in need episode, which closes at no further action, after the assessment, or after
the plan ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_data import calibration as cal
from demo_data.case_histories import (
    NAT,
    month_last_day,
    month_starts,
    shares_of,
)

CATEGORIES = np.array(["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"])


CATEGORY_SHARES = np.array([45, 35, 8, 5, 7], dtype=float)


PRIMARY_NEEDS = np.array([f"N{n}" for n in range(10)])


PRIMARY_NEED_SHARES = np.array([0.5, 55, 7, 5, 12, 13, 2, 0.5, 2.5, 2.5])


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
            "category": rng.choice(CATEGORIES, size=len(rows), p=shares_of(CATEGORY_SHARES)),
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
    for month_start in month_starts(cal.SIMULATION_START, cal.EXTRACT_DATE):
        month_end = month_last_day(month_start)
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
    need = rng.choice(PRIMARY_NEEDS, size=n, p=shares_of(PRIMARY_NEED_SHARES))
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
