"""The authority's own rows of the benchmark files, computed from its simulated case histories.

Definitions as DfE's CIN census (tables B1, C1, D3, D5), SSDA903 and the adoption scorecard (A1, A2), so that the
authority's published-style figures agree with what the pipeline computes from its Annex A lists.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from demo_data.benchmarks_layouts import DURATION_BANDS
from demo_data.case_histories import CaseHistories

#: Publications whose authority row is not computed from the simulated case histories.
#: The case histories record neither assessment factors nor placement distances: the authority's rows of C3 and
#: new placements are drawn like every other authority's, at its own size. Its workforce row (csww) comes from its
#: own scorecard at 30 September (:func:`demo_data.local_files.workforce_row`).
SIMULATED_ELSEWHERE = {"csww", "c3", "new_placements"}


def _year_bounds(time_period: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(f"{time_period - 1}-04-01"), pd.Timestamp(f"{time_period}-03-31")


def _open_at(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> np.ndarray:
    return ((start <= day) & (end.isna() | (end > day))).to_numpy()


def percentage(numerator: float, denominator: float) -> float:
    """A percentage to one decimal place, as DfE's CIN census tables give it; NaN when there is no denominator."""
    return round(100 * numerator / denominator, 1) if denominator else np.nan


def local_figures(h: CaseHistories, time_period: int) -> dict[str, float]:
    """The authority's own figures for a year ending 31 March, computed from its case histories.

    Notes
    -----
    Definitions as DfE's CIN census (tables B1, C1, D3, D5), SSDA903 and the adoption scorecard (A1, A2).
    """
    first, last = _year_bounds(time_period)
    calendar = np.busdaycalendar(holidays=h.holidays)
    r = h.referrals.sort_values(["child", "referral_date"], kind="stable")
    gap = r["referral_date"] - r.groupby("child")["referral_date"].shift()
    in_year = r["referral_date"].between(first, last).to_numpy()
    repeat = (gap.dt.days <= 365).to_numpy() & in_year
    assessed = np.zeros(len(h.referrals), dtype=bool)
    assessed[h.assessments["referral"].to_numpy()] = True
    nfa = int((~assessed[r.index.to_numpy()] & in_year).sum())
    cin = h.children_in_need
    p = h.cp_plans
    starts = p[p["start"].between(first, last).to_numpy()]
    open_plans = p[_open_at(p["start"], p["end"], last)]
    duration = (last - open_plans["start"]).dt.days
    a = h.assessments.dropna(subset=["authorised"])
    a = a[a["authorised"].between(first, last).to_numpy()]
    a_days = np.busday_count(
        a["start"].to_numpy().astype("datetime64[D]"),
        a["authorised"].to_numpy().astype("datetime64[D]"),
        busdaycal=calendar,
    )
    s = h.section47.dropna(subset=["icpc"])
    s = s[s["icpc"].between(first, last).to_numpy()]
    s_days = np.busday_count(
        s["strategy"].to_numpy().astype("datetime64[D]"),
        s["icpc"].to_numpy().astype("datetime64[D]"),
        busdaycal=calendar,
    )
    e = h.care_episodes
    in_care = e[_open_at(e["start"], e["end"], last)]
    pl = h.placements
    in_year_placements = pl[
        (pl["start"] <= last).to_numpy() & (pl["end"].isna() | (pl["end"] >= first)).to_numpy()
    ]
    per_child = in_year_placements[in_year_placements["child"].isin(in_care["child"])].groupby("child").size()
    ceased = e[e["end"].between(first, last).to_numpy()]
    cl = h.care_leavers[h.care_leavers["contact_date"].between(first, last).to_numpy()]
    three_years = pd.Timestamp(f"{time_period - 3}-04-01")
    adopted = h.adoptions[h.adoptions["adopted"].between(three_years, last).to_numpy()]
    return {
        "referral_count": float(in_year.sum()),
        "rereferral_count": float(repeat.sum()),
        "rereferral_percent": percentage(repeat.sum(), in_year.sum()),
        "no_further_action_count": float(nfa),
        "no_further_action_percent": percentage(nfa, in_year.sum()),
        "Started_episodes": float(cin["start"].between(first, last).sum()),
        "Ended_episodes": float(cin["end"].between(first, last).sum()),
        "At31_episodes": float(_open_at(cin["start"], cin["end"], last).sum()),
        "CPP_start": float(len(starts)),
        "CPP_subsequent": float((starts["previous"] > 0).sum()),
        "CPP_subsequent_percent": percentage((starts["previous"] > 0).sum(), len(starts)),
        "CPP_At31": float(len(open_plans)),
        "durations": duration.to_numpy(),
        "assessments_completed": float(len(a)),
        "within_45_days": float((a_days <= 45).sum()),
        "within_45_days_percent": percentage((a_days <= 45).sum(), len(a)),
        "icpc_count": float(len(s)),
        "icpc_within_15_days": float((s_days <= 15).sum()),
        "icpc_within_15_days_percent": percentage((s_days <= 15).sum(), len(s)),
        "cla_at31": float(in_care["child"].nunique()),
        "three_plus_count": float((per_child >= 3).sum()),
        "three_or_more_placements_percent": percentage((per_child >= 3).sum(), in_care["child"].nunique()),
        "adopted_count": float(ceased["reason"].isin(["E11", "E12"]).sum()),
        "suitable_count": float((cl["suitable"] == True).sum()),  # noqa: E712
        "eet_count": float(cl["activity"].isin(["Education", "Training", "Employment"]).sum()),
        "within_15": (s_days <= 15),
        "ceased_count": float(len(ceased)),
        "ceased_adopted_percent": percentage(ceased["reason"].isin(["E11", "E12"]).sum(), len(ceased)),
        "care_leavers": float(len(cl)),
        "suitable_accommodation_percent": percentage((cl["suitable"] == True).sum(), len(cl)),  # noqa: E712
        "eet_percent": percentage(
            cl["activity"].isin(["Education", "Training", "Employment"]).sum(), len(cl)
        ),
        "children_adopted": float(len(adopted)),
        "a1_days": round(float((adopted["placed"] - adopted["start"]).dt.days.mean()), 0)
        if len(adopted)
        else np.nan,
        "a2_days": round(float((adopted["matched"] - adopted["placement_order"]).dt.days.mean()), 0)
        if len(adopted)
        else np.nan,
    }


def plans_by_duration(total: int, shares: np.ndarray) -> dict[str, float]:
    """Plans open at 31 March by time on the plan (table D5's columns): ``total`` split by ``shares``."""
    counts = np.floor(shares * total).astype(int)
    counts[0] += total - counts.sum()
    out: dict[str, float] = {"CPP_At31": total}
    for (name, _, _), count in zip(DURATION_BANDS, counts, strict=True):
        out[name] = int(count)
        out[f"{name}_percent"] = percentage(count, total)
    return out


def conferences_by_duration(conferences: int, within_15: int) -> dict[str, float]:
    """Section 47 enquiries and conferences by working days from strategy discussion (table C4's columns)."""
    quick = within_15 // 3
    late = conferences - within_15
    return {
        "Section47": round(conferences * 2.6),
        "ICPC": conferences,
        "Duration_0-10_days": quick,
        "Duration_11-15_days": within_15 - quick,
        "Duration_16-20_days": late // 2,
        "Duration_21+_days": late - late // 2,
    }


def local_row(publication: str, figures: Mapping[str, object], population_of: float) -> dict[str, float]:
    """The authority's own row of a publication, from its simulated case histories."""
    f = {k: v for k, v in figures.items() if isinstance(v, (int, float))}
    if publication == "d5":
        days = np.asarray(figures["durations"])
        counts = np.array([((days >= lo) & (days < hi)).sum() for _, lo, hi in DURATION_BANDS])
        total = int(f["CPP_At31"])
        return (
            plans_by_duration(total, counts / max(total, 1))
            if total
            else plans_by_duration(0, np.ones(5) / 5)
        )
    if publication == "c4":
        within = np.asarray(figures["within_15"], dtype=bool)
        return conferences_by_duration(len(within), int(within.sum()))
    picks = {
        "b1": ["Started_episodes", "Ended_episodes", "At31_episodes"],
        "c1": [
            "referral_count",
            "rereferral_count",
            "rereferral_percent",
            "no_further_action_count",
            "no_further_action_percent",
        ],
        "c2": ["assessments_completed", "within_45_days", "within_45_days_percent"],
        "d3": ["CPP_start", "CPP_subsequent", "CPP_subsequent_percent"],
    }
    if publication in picks:
        return {m: f[m] if m.endswith("_percent") else int(f[m]) for m in picks[publication]}
    cla_at31 = int(f["cla_at31"])
    row_of: dict[str, dict[str, float]] = {
        "cla": {
            "cla_at31": cla_at31,
            "cla_starting": round(cla_at31 * 0.45),
            "cla_ceasing": int(f["ceased_count"]),
            "population": population_of,
        },
        "placement_stability": {"cla_at31": cla_at31, "three_plus_count": int(f["three_plus_count"])},
        "ceased": {"ceased_count": int(f["ceased_count"]), "adopted_count": int(f["adopted_count"])},
        "care_leavers_accommodation": {
            "care_leavers": int(f["care_leavers"]),
            "in_group": int(f["suitable_count"]),
        },
        "care_leavers_activity": {"care_leavers": int(f["care_leavers"]), "in_group": int(f["eet_count"])},
    }
    return row_of[publication]
