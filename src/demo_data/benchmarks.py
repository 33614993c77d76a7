"""Synthetic benchmark files in DfE's Explore Education Statistics (EES) open-data CSV format.

England, the nine regions plus Inner and Outer London, and as many local authorities as England had in 2014-15
(152, :data:`REGIONS`): the authority itself (whose rows are computed from its simulated case histories), Medway's statistical neighbours in DfE's 2025 model under their
real names and codes, and "Synthetic authority NNN" for the rest. Each file has the columns and filter values of the
file DfE publishes (:data:`LAYOUTS`, named in ``config/benchmarks.yml``), and the neighbour model is written in the
layout of DfE's ``sn_model_2025_wide.csv``, so the demo exercises the readers of the real files. England's figures
are close to the published ones; other areas scatter around them. A few LA cells carry the GSS symbols ``c``
(suppressed), ``x`` (not available) and ``z`` (not applicable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.inputs.ees import DAYS_PER_MONTH, GEOGRAPHY_COLUMNS
from demo_data import benchmarks_topics as topics
from demo_data import calibration as cal
from demo_data.simulate import CaseHistories

logger = logging.getLogger(__name__)

YEARS = (2013, 2014, 2015)
POPULATION_YEARS = (2011, 2012, 2013, 2014)
ENGLAND = ("E92000001", "England")
#: Regions (and DfE's Inner and Outer London) with the number of local authorities England had in 2014-15: 152,
#: as in DfE's children in need and looked-after children publications for 2015 (Inner London counts the City of
#: London, the South West the Isles of Scilly).
REGIONS = [
    ("E12000001", "North East", 12),
    ("E12000002", "North West", 23),
    ("E12000003", "Yorkshire and The Humber", 15),
    ("E12000004", "East Midlands", 9),
    ("E12000005", "West Midlands", 14),
    ("E12000006", "East of England", 11),
    ("E12000007", "London", 0),
    ("E12000008", "South East", 19),
    ("E12000009", "South West", 16),
    ("E13000001", "Inner London", 14),
    ("E13000002", "Outer London", 19),
]
#: Local authorities in England in 2014-15.
ENGLAND_AUTHORITIES = sum(n for *_, n in REGIONS)
#: Medway's statistical neighbours in DfE's 2025 model (sn_model_2025_wide.csv), closest first: old code ->
#: (new code, name, region code). The demo writes them under their real names and codes.
MEDWAY_NEIGHBOURS_2025 = {
    866: ("E06000030", "Swindon", "E12000009"),
    332: ("E08000027", "Dudley", "E12000005"),
    886: ("E10000016", "Kent", "E12000008"),
    303: ("E09000004", "Bexley", "E13000002"),
    926: ("E10000020", "Norfolk", "E12000006"),
    935: ("E10000029", "Suffolk", "E12000006"),
    883: ("E06000034", "Thurrock", "E12000006"),
    891: ("E10000024", "Nottinghamshire", "E12000004"),
    351: ("E08000002", "Bury", "E12000002"),
    384: ("E08000036", "Wakefield", "E12000003"),
}
MEDWAY = 887
NEIGHBOURS_PER_AUTHORITY = 10
ENGLAND_POPULATION = {2011: 11_350_000, 2012: 11_403_970, 2013: 11_473_080, 2014: 11_535_489}
#: England's published-like values by year ending 31 March (2013, 2014, 2015).
ENGLAND_VALUES = {
    "referrals_per_10000": (520.4, 573.4, 551.0),
    "rereferral_percent": (24.9, 23.4, 24.0),
    "cin_at31_per_10000": (331.5, 344.7, 338.2),
    "cpp_start_per_10000": (46.2, 52.1, 53.9),
    "cpp_subsequent_percent": (14.9, 15.8, 16.6),
    "cpp_at31_per_10000": (37.9, 42.1, 42.9),
    "two_years_percent": (3.2, 2.6, 2.3),
    "within_45_days_percent": (74.0, 80.1, 81.5),
    "icpc_within_15_days_percent": (69.6, 70.9, 74.9),
    "cla_per_10000": (60.0, 60.0, 60.3),
    "three_or_more_placements_percent": (11.0, 11.0, 10.0),
    "ceased_adopted_percent": (13.5, 15.3, 16.8),
    "suitable_accommodation_percent": (78.0, 77.5, 81.0),
    "eet_percent": (46.0, 45.0, 48.0),
    "a1_days": (636.0, 628.0, 593.0),
    "a2_days": (210.0, 217.0, 223.0),
    "agency_rate_fte": (15.0, 15.8, 16.1),
    "vacancy_rate_fte": (14.0, 15.0, 17.0),
    "turnover_rate_fte": (15.0, 16.0, 17.0),
    "caseload_fte": (16.0, 16.1, 17.0),
}
#: England, year ending 31 March 2025: 90,930 new placements (la_cla_during_year_new_placements) for 81,770
#: children looked after at 31 March (cla_number_and_rate_per_10k_children).
NEW_PLACEMENTS_PER_CHILD_LOOKED_AFTER = 90_930 / 81_770
DURATION_BANDS = [
    ("3_months_or_less", 0, 91),
    ("more_than_3_months_6_months", 91, 182),
    ("more_than_6_months_less_than_1_year", 182, 365),
    ("1_year_less_than_2_years", 365, 730),
    ("2_years_or_more", 730, 10**6),
]


GEOGRAPHY = list(GEOGRAPHY_COLUMNS)


def _year_bounds(time_period: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(f"{time_period - 1}-04-01"), pd.Timestamp(f"{time_period}-03-31")


def _open_at(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> np.ndarray:
    return ((start <= day) & (end.isna() | (end > day))).to_numpy()


def _pct(numerator: float, denominator: float) -> float:
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
        "rereferral_percent": _pct(repeat.sum(), in_year.sum()),
        "no_further_action_count": float(nfa),
        "no_further_action_percent": _pct(nfa, in_year.sum()),
        "Started_episodes": float(cin["start"].between(first, last).sum()),
        "Ended_episodes": float(cin["end"].between(first, last).sum()),
        "At31_episodes": float(_open_at(cin["start"], cin["end"], last).sum()),
        "CPP_start": float(len(starts)),
        "CPP_subsequent": float((starts["previous"] > 0).sum()),
        "CPP_subsequent_percent": _pct((starts["previous"] > 0).sum(), len(starts)),
        "CPP_At31": float(len(open_plans)),
        "durations": duration.to_numpy(),
        "assessments_completed": float(len(a)),
        "within_45_days": float((a_days <= 45).sum()),
        "within_45_days_percent": _pct((a_days <= 45).sum(), len(a)),
        "icpc_count": float(len(s)),
        "icpc_within_15_days": float((s_days <= 15).sum()),
        "icpc_within_15_days_percent": _pct((s_days <= 15).sum(), len(s)),
        "cla_at31": float(in_care["child"].nunique()),
        "three_plus_count": float((per_child >= 3).sum()),
        "three_or_more_placements_percent": _pct((per_child >= 3).sum(), in_care["child"].nunique()),
        "adopted_count": float(ceased["reason"].isin(["E11", "E12"]).sum()),
        "suitable_count": float((cl["suitable"] == True).sum()),  # noqa: E712
        "eet_count": float(cl["activity"].isin(["Education", "Training", "Employment"]).sum()),
        "within_15": (s_days <= 15),
        "ceased_count": float(len(ceased)),
        "ceased_adopted_percent": _pct(ceased["reason"].isin(["E11", "E12"]).sum(), len(ceased)),
        "care_leavers": float(len(cl)),
        "suitable_accommodation_percent": _pct((cl["suitable"] == True).sum(), len(cl)),  # noqa: E712
        "eet_percent": _pct(cl["activity"].isin(["Education", "Training", "Employment"]).sum(), len(cl)),
        "children_adopted": float(len(adopted)),
        "a1_days": round(float((adopted["placed"] - adopted["start"]).dt.days.mean()), 0)
        if len(adopted)
        else np.nan,
        "a2_days": round(float((adopted["matched"] - adopted["placement_order"]).dt.days.mean()), 0)
        if len(adopted)
        else np.nan,
    }


def _authorities(config: ProjectConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Old code, new code, name, region code and region name of every authority in the files."""
    rows = [
        (
            config.authority.old_la_code,
            config.authority.ons_code,
            config.authority.name,
            config.authority.region.code,
        )
    ]
    if config.authority.old_la_code == MEDWAY:
        for code, (new, name, region) in MEDWAY_NEIGHBOURS_2025.items():
            rows.append((code, new, name, region))
    used = {r[0] for r in rows}
    counts = {code: n for code, _, n in REGIONS}
    for *_, region in rows:
        counts[region] = counts.get(region, 0) - 1
    free_codes = iter(c for c in range(601, 800) if c not in used)
    serial = 1
    for region_code, _, _ in REGIONS:
        # the region's count less the named authorities already in it, so England has its real number
        for _ in range(max(counts[region_code], 0)):
            old = next(free_codes)
            prefix = "E09" if region_code.startswith("E13") else ("E06" if rng.random() < 0.5 else "E10")
            rows.append(
                (old, f"{prefix}000{100 + serial:03d}", f"Synthetic authority {serial:03d}", region_code)
            )
            serial += 1
    names = {code: name for code, name, _ in REGIONS}
    frame = pd.DataFrame(rows, columns=["old_la_code", "new_la_code", "la_name", "region_code"])
    frame["region_name"] = frame["region_code"].map(names)
    return frame


def _population(authorities: pd.DataFrame, rng: np.random.Generator, local: dict[int, float]) -> pd.DataFrame:
    """Children aged 0-17 by authority and mid-year, scaled so authorities sum to about England."""
    base = rng.lognormal(np.log(65_000), 0.6, size=len(authorities))
    rows = []
    for year in POPULATION_YEARS:
        others = ENGLAND_POPULATION[year] - local[year]
        values = base / base[1:].sum() * others
        values[0] = local[year]
        growth = 1 + 0.004 * (year - 2011)
        rows.append(
            pd.DataFrame(
                {
                    "time_period": year,
                    "old_la_code": authorities["old_la_code"],
                    "population": np.round(values * np.where(np.arange(len(values)) == 0, 1, growth)),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _geography(level: str, year: int, area: pd.Series | None = None) -> dict[str, object]:
    base: dict[str, object] = {
        "time_period": year,
        "time_identifier": "Reporting year",
        "geographic_level": level,
        "country_code": ENGLAND[0],
        "country_name": ENGLAND[1],
        "region_code": "",
        "region_name": "",
        "old_la_code": "",
        "new_la_code": "",
        "la_name": "",
    }
    if area is not None:
        base.update({k: area[k] for k in ("region_code", "region_name") if k in area})
        if level == "Local authority":
            base.update(
                {
                    "old_la_code": int(area["old_la_code"]),
                    "new_la_code": area["new_la_code"],
                    "la_name": area["la_name"],
                }
            )
    return base


def _n(value: object) -> object:
    """A count as written: whole numbers without a decimal point; symbols as they are."""
    if isinstance(value, str):
        return value
    return int(round(float(value)))  # type: ignore[arg-type]


def _pct_of(part: object, whole: object, decimals: int) -> object:
    """A percentage as DfE writes it (``decimals`` places; whole numbers for SSDA903 tables); symbols carried."""
    for value in (part, whole):
        if isinstance(value, str):
            return value
    if not whole:
        return "z"
    pct = round(100 * float(part) / float(whole), decimals)  # type: ignore[arg-type]
    return int(pct) if decimals == 0 else pct


def _months(days: object) -> object:
    """Days as DfE's ``YY:MM`` text (years and months)."""
    if isinstance(days, str) or pd.isna(days):
        return days if isinstance(days, str) else "x"
    months = round(float(days) / DAYS_PER_MONTH)  # type: ignore[arg-type]
    return f"{months // 12:02d}:{months % 12:02d}"


Row = dict[str, object]


def _as_number(value: object) -> float:
    """A figure of a simulated row as a number (a row holds numbers, or text such as "c" for a suppressed one)."""
    if not isinstance(value, (int, float, np.number)):
        raise TypeError(f"a number was expected, not {value!r}")
    return float(value)


def _category(name: str) -> Callable[[Row], list[Row]]:
    return lambda v: [{"category": name, **v}]


def _cla_rows(v: Row) -> list[Row]:
    out = []
    for population_type, key in CLA_POPULATION_TYPES:
        count = v[key]
        rate = (
            count
            if isinstance(count, str)
            else round(_as_number(count) / _as_number(v["population"]) * 10_000)
        )
        out.append(
            {
                "population_type": population_type,
                "population_estimate": _n(v["population"]),
                "children_count": _n(count),
                "rate_per_10000": rate,
            }
        )
    return out


def _stability_rows(v: Row) -> list[Row]:
    return [
        {"cla_group": "CLA 2 years on 31 March", "placement_stability": "Total children"},
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "Total children",
            "children_count": _n(v["cla_at31"]),
            "children_percent": 100,
        },
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
            "children_count": _n(v["three_plus_count"]),
            "children_percent": _pct_of(v["three_plus_count"], v["cla_at31"], 0),
        },
    ]


def _ceased_rows(v: Row) -> list[Row]:
    return [
        {
            "cla_group": "Reason episode ceased",
            "characteristic": "Total",
            "number": _n(v["ceased_count"]),
            "percentage": 100,
        },
        {
            "cla_group": "Reason episode ceased",
            "characteristic": "Adopted",
            "number": _n(v["adopted_count"]),
            "percentage": _pct_of(v["adopted_count"], v["ceased_count"], 0),
        },
    ]


def _care_leaver_rows(breakdown: str) -> Callable[[Row], list[Row]]:
    def rows(v: Row) -> list[Row]:
        return [
            {"care_leaver_age": "17 to 18 years", "breakdown": "Total"},
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": breakdown,
                "care_leaver_count": _n(v["in_group"]),
                "care_leaver_percent": _pct_of(v["in_group"], v["care_leavers"], 0),
            },
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": "Total",
                "care_leaver_count": _n(v["care_leavers"]),
                "care_leaver_percent": 100,
            },
        ]

    return rows


def _adoption_rows(v: Row) -> list[Row]:
    out = []
    for stage, key in ADOPTION_STAGES:
        for age in ("Aged under 1", "Total"):
            days = v[key] if age == "Total" else float(v[key]) * 0.85  # type: ignore[arg-type]
            out.append(
                {
                    "cla_group": "Age on starting final period of care",
                    "stage_of_adoption_process": stage,
                    "age_start_poc": age,
                    "number": _months(days),
                }
            )
    return out


def _plain(v: Row) -> list[Row]:
    return [dict(v)]


@dataclass(frozen=True)
class Layout:
    """A published file's layout: its columns after the geography, in DfE's order, and how a row is written."""

    columns: tuple[str, ...]
    rows: Callable[[Row], list[Row]]
    geography: tuple[str, ...] = tuple(GEOGRAPHY_COLUMNS)
    encoding: str = "utf-8"


#: Geography columns in the order of DfE's SSDA903 files (``la_name`` before ``new_la_code``).
SSDA903_GEOGRAPHY = (*GEOGRAPHY_COLUMNS[:8], "la_name", "new_la_code")
NATIONAL_GEOGRAPHY = GEOGRAPHY_COLUMNS[:5]
CLA_POPULATION_TYPES = (
    ("Children ceasing to be looked after each year", "cla_ceasing"),
    ("Children looked after on 31 March each year", "cla_at31"),
    ("Children starting to be looked after each year", "cla_starting"),
)
ADOPTION_STAGES = (
    (
        "2. Average time between decision that child should be placed for adoption and matching of child and "
        "adopters",
        "a2_days",
    ),
    ("4. Total average time between entry into care and date placed for adoption", "a1_days"),
)
WORKFORCE_MEASURES = ("agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte", "caseload_fte")
#: The files as DfE publishes them (columns of the real downloads in ../shared/data/ees and of DfE's published
#: documentation); columns the demo does not simulate are written as ``x`` (not available).
LAYOUTS: dict[str, Layout] = {
    "b1": Layout(
        (
            "category",
            "Anypoint_episodes",
            "Anypoint_child",
            "Started_episodes",
            "Started_child",
            "Ended_episodes",
            "Ended_child",
            "At31_episodes",
            "awaiting_assessment",
        ),
        _category("Children in Need"),
    ),
    "c1": Layout(
        (
            "category",
            "referral_count",
            "rereferral_count",
            "rereferral_percent",
            "no_further_action_count",
            "no_further_action_percent",
            "not_in_need_count",
            "not_in_need_percent",
            "referral_child_count",
            "rereferral_child_count",
            "rereferral_child_percent",
        ),
        _category("Referrals and Re-referrals"),
    ),
    "c2": Layout(
        ("category", "assessments_completed", "within_45_days", "within_45_days_percent"),
        _category("Assessments"),
    ),
    "c4": Layout(
        (
            "category",
            "Section47",
            "Section47_child",
            "ICPC",
            "ICPC_child",
            "Duration_0-10_days",
            "Duration_11-15_days",
            "Duration_16-20_days",
            "Duration_21+_days",
            "Duration_25th_Percentile",
            "Duration_median",
            "Duration_75th_Percentile",
        ),
        _category("Section 47s and Initial Child Protection Conferences"),
    ),
    "d3": Layout(
        ("category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"),
        _category("Child Protection Plans which are a second or subsequent plan"),
    ),
    "c3": Layout(topics.C3_COLUMNS, topics.c3_rows),
    "d5": Layout(
        ("category", "CPP_At31", *(c for name, _, _ in DURATION_BANDS for c in (name, f"{name}_percent"))),
        _category("Child Protection Plans by length of time"),
    ),
    "cla": Layout(
        ("population_type", "population_estimate", "children_count", "rate_per_10000"),
        _cla_rows,
        SSDA903_GEOGRAPHY,
        "utf-8-sig",
    ),
    "placement_stability": Layout(
        ("cla_group", "placement_stability", "children_count", "children_percent"),
        _stability_rows,
        SSDA903_GEOGRAPHY,
    ),
    "new_placements": Layout(topics.NEW_PLACEMENT_COLUMNS, topics.new_placement_rows, SSDA903_GEOGRAPHY),
    "ceased": Layout(
        ("cla_group", "characteristic", "number", "percentage"), _ceased_rows, SSDA903_GEOGRAPHY
    ),
    "care_leavers_accommodation": Layout(
        ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"),
        _care_leaver_rows("Accommodation considered suitable"),
        SSDA903_GEOGRAPHY,
    ),
    "care_leavers_activity": Layout(
        ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"),
        _care_leaver_rows("Total in education, employment or training"),
        SSDA903_GEOGRAPHY,
    ),
    "adoption_times": Layout(
        ("cla_group", "stage_of_adoption_process", "age_start_poc", "number"),
        _adoption_rows,
        NATIONAL_GEOGRAPHY,
    ),
    "csww": Layout(
        (
            "inpost_fte",
            "inpost_headcount",
            "starters_fte",
            "starters_headcount",
            "leavers_fte",
            "leavers_headcount",
            "turnover_rate_fte",
            "turnover_rate_headcount",
            "agency_fte",
            "agency_headcount",
            "agency_rate_fte",
            "agency_rate_headcount",
            "agency_cover_fte",
            "agency_cover_rate_fte",
            "vacancy_fte",
            "vacancy_rate_fte",
            "vacancy_agency_cover_rate_fte",
            "case_holders_fte",
            "cases",
            "caseload_fte",
            "working_days_lost_fte",
            "absence_rate_fte",
        ),
        _plain,
    ),
}
#: Publications whose authority row is not computed from the simulated case histories.
#: The case histories record neither assessment factors nor placement distances: the authority's rows of C3 and
#: new placements are drawn like every other authority's, at its own size.
SIMULATED_ELSEWHERE = {"csww", "c3", "new_placements"}


def _rows(publication: str, geography: Mapping[str, object], values: Mapping[str, object]) -> list[Row]:
    layout = LAYOUTS[publication]
    return [
        {**{c: geography[c] for c in layout.geography}, **{c: r[c] for c in layout.columns if c in r}}
        for r in layout.rows(dict(values))
    ]


def _frame(rows: list[Row], publication: str) -> pd.DataFrame:
    layout = LAYOUTS[publication]
    frame = pd.DataFrame(rows, columns=[*layout.geography, *layout.columns])
    frame[list(layout.columns)] = (
        frame[list(layout.columns)].astype("object").where(frame[list(layout.columns)].notna(), "x")
    )
    return frame


def write_benchmarks(
    h: CaseHistories, config: ProjectConfig, folder: Path, seed: int, scale: float
) -> list[Path]:
    """Every publication of ``config/benchmarks.yml`` and the population file, plus ``README.txt``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 31]))
    folder.mkdir(parents=True, exist_ok=True)
    authorities = _authorities(config, rng)
    local_population = {y: cal.POPULATION[y] * scale for y in POPULATION_YEARS}
    population = _population(authorities, rng, local_population)
    local = {year: local_figures(h, year) for year in YEARS}
    spread = rng.lognormal(0, 0.25, size=(len(authorities), 8))
    shift = rng.normal(0, 6, size=(len(authorities), 8))

    def la_value(i: int, j: int, england: float, percent: bool) -> float:
        if percent:
            return float(np.clip(round(england + shift[i, j] + rng.normal(0, 1.5), 1), 0, 100))
        return england * spread[i, j] * rng.lognormal(0, 0.05)

    def pop(old: int, year: int) -> float:
        p = population[(population["old_la_code"] == old) & (population["time_period"] == year - 1)][
            "population"
        ]
        return float(p.iloc[0])

    def c1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(
            la_value(i, 0, ENGLAND_VALUES["referrals_per_10000"][k], False) * pop(old, year) / 10_000
        )
        pct = la_value(i, 1, ENGLAND_VALUES["rereferral_percent"][k], True)
        nfa = round(count * rng.uniform(0.02, 0.3))
        return {
            "referral_count": count,
            "rereferral_count": round(count * pct / 100),
            "rereferral_percent": pct,
            "no_further_action_count": nfa,
            "no_further_action_percent": _pct(nfa, count),
        }

    def b1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        at31 = round(la_value(i, 2, ENGLAND_VALUES["cin_at31_per_10000"][k], False) * pop(old, year) / 10_000)
        return {
            "Started_episodes": round(at31 * rng.uniform(0.9, 1.2)),
            "Ended_episodes": round(at31 * rng.uniform(0.85, 1.15)),
            "At31_episodes": at31,
        }

    def d3(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        starts = round(
            la_value(i, 3, ENGLAND_VALUES["cpp_start_per_10000"][k], False) * pop(old, year) / 10_000
        )
        pct = (
            la_value(i, 4, ENGLAND_VALUES["cpp_subsequent_percent"][k], True) * 0.6
            + 0.4 * ENGLAND_VALUES["cpp_subsequent_percent"][k]
        )
        return {
            "CPP_start": starts,
            "CPP_subsequent": round(starts * pct / 100),
            "CPP_subsequent_percent": round(pct, 1),
        }

    def d5(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        at31 = round(la_value(i, 5, ENGLAND_VALUES["cpp_at31_per_10000"][k], False) * pop(old, year) / 10_000)
        shares = rng.dirichlet([30, 25, 27, 15, ENGLAND_VALUES["two_years_percent"][k]])
        return _durations(at31, shares)

    def c2(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        done = round(ENGLAND_VALUES["referrals_per_10000"][k] * 0.8 * spread[i, 0] * pop(old, year) / 10_000)
        pct = la_value(i, 6, ENGLAND_VALUES["within_45_days_percent"][k], True)
        return {
            "assessments_completed": done,
            "within_45_days": round(done * pct / 100),
            "within_45_days_percent": pct,
        }

    def c4(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(ENGLAND_VALUES["cpp_start_per_10000"][k] * 1.1 * spread[i, 3] * pop(old, year) / 10_000)
        pct = la_value(i, 7, ENGLAND_VALUES["icpc_within_15_days_percent"][k], True)
        return _icpc_durations(count, round(count * pct / 100))

    def c3(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        episodes = ENGLAND_VALUES["referrals_per_10000"][k] * 0.8 * spread[i, 0] * pop(old, year) / 10_000
        return topics.c3_values(rng, round(episodes))

    def new_placements(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        cla_at31 = la_value(i, 2, ENGLAND_VALUES["cla_per_10000"][k], False) * pop(old, year) / 10_000
        return topics.new_placement_values(rng, round(cla_at31 * NEW_PLACEMENTS_PER_CHILD_LOOKED_AFTER))

    def cla(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(la_value(i, 2, ENGLAND_VALUES["cla_per_10000"][k], False) * pop(old, year) / 10_000)
        return {
            "cla_at31": count,
            "cla_starting": round(count * rng.uniform(0.35, 0.5)),
            "cla_ceasing": round(count * rng.uniform(0.35, 0.5)),
            "population": pop(old, year),
        }

    def placement_stability(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(la_value(i, 2, ENGLAND_VALUES["cla_per_10000"][k], False) * pop(old, year) / 10_000)
        england = ENGLAND_VALUES["three_or_more_placements_percent"][k]
        pct = la_value(i, 1, england, True) * 0.3 + 0.7 * england
        return {"cla_at31": count, "three_plus_count": round(count * pct / 100)}

    def ceased(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(ENGLAND_VALUES["cla_per_10000"][k] * 0.45 * spread[i, 4] * pop(old, year) / 10_000)
        pct = la_value(i, 4, ENGLAND_VALUES["ceased_adopted_percent"][k], True)
        return {"ceased_count": count, "adopted_count": round(count * pct / 100)}

    def care_leavers(key: str, j: int) -> Callable[[int, int, int], dict[str, float]]:
        def build(i: int, old: int, year: int) -> dict[str, float]:
            k = YEARS.index(year)
            total = round(pop(old, year) / 10_000 * 12 * spread[i, 5])
            pct = la_value(i, j, ENGLAND_VALUES[key][k], True)
            return {"care_leavers": total, "in_group": round(total * pct / 100)}

        return build

    def csww(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        return {
            m: round(la_value(i, j, ENGLAND_VALUES[m][k], m != "caseload_fte"), 1)
            for j, m in enumerate(WORKFORCE_MEASURES)
        }

    builders: dict[str, Callable[[int, int, int], dict[str, float]]] = {
        "b1": b1,
        "c1": c1,
        "c2": c2,
        "c3": c3,
        "c4": c4,
        "d3": d3,
        "new_placements": new_placements,
        "d5": d5,
        "cla": cla,
        "placement_stability": placement_stability,
        "ceased": ceased,
        "care_leavers_accommodation": care_leavers("suitable_accommodation_percent", 6),
        "care_leavers_activity": care_leavers("eet_percent", 7),
        "csww": csww,
    }
    written = []
    for publication, spec in config.benchmarks.publications.items():
        if publication not in LAYOUTS:
            logger.warning("No synthetic benchmark generator for publication %s: skipped", publication)
            continue
        rows: list[dict[str, object]] = []
        for year in sorted(YEARS, reverse=True):
            k = YEARS.index(year)
            if not spec.local_authority_rows:
                national = {m: ENGLAND_VALUES[m][k] for m in ("a1_days", "a2_days")}
                rows += _rows(publication, _geography("National", year), national)
                continue
            la_rows = []
            for i, area in authorities.iterrows():
                if i == 0 and publication not in SIMULATED_ELSEWHERE:
                    values = _local_row(
                        publication, local[year], population_of=pop(int(area["old_la_code"]), year)
                    )
                else:
                    values = builders[publication](int(i), int(area["old_la_code"]), year)
                la_rows.append((area, values))
            national = _aggregate([v for _, v in la_rows], k, scale_to_england=True)
            rows += _rows(publication, _geography("National", year), national)
            for code, name, _ in REGIONS:
                members = [
                    v
                    for a, v in la_rows
                    if a["region_code"] == code
                    or (code == "E12000007" and a["region_code"].startswith("E13"))
                ]
                if members:
                    region = pd.Series({"region_code": code, "region_name": name})
                    rows += _rows(publication, _geography("Regional", year, region), _aggregate(members, k))
            for i, (area, values) in enumerate(la_rows):
                rows += _rows(
                    publication, _geography("Local authority", year, area), _suppress(rng, values, i)
                )
        path = folder / file_name(spec.file)
        _frame(rows, publication).to_csv(path, index=False, encoding=LAYOUTS[publication].encoding)
        written.append(path)
    written.append(_write_population(population, authorities, folder, config))
    written.append(_write_neighbours(authorities, config, folder))
    readme = folder / "README.txt"
    readme.write_text(
        "SYNTHETIC demonstration data generated by 'demo-data'. These files have the layout of DfE's\n"
        "Explore Education Statistics open-data CSVs (columns and filter values as config/benchmarks.yml names\n"
        "them), of DfE's 2025 statistical neighbour model and of ONS mid-year estimates; the figures are not real,\n"
        "except that England's are close to the published ones. Replace them with the published downloads.\n",
        encoding="utf-8",
    )
    written.append(readme)
    return written


def _durations(total: int, shares: np.ndarray) -> dict[str, float]:
    counts = np.floor(shares * total).astype(int)
    counts[0] += total - counts.sum()
    out: dict[str, float] = {"CPP_At31": total}
    for (name, _, _), count in zip(DURATION_BANDS, counts, strict=True):
        out[name] = int(count)
        out[f"{name}_percent"] = _pct(count, total)
    return out


def file_name(pattern: str) -> str:
    """The demo file's name from a publication's glob: ``b1_..._*.csv`` -> ``b1_..._2013_to_2015.csv``."""
    if "_*" in pattern:
        return pattern.replace("_*", f"_{YEARS[0]}_to_{YEARS[-1]}")
    return pattern.replace("*", "")


def _icpc_durations(conferences: int, within_15: int) -> dict[str, float]:
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


def _local_row(publication: str, figures: Mapping[str, object], population_of: float) -> dict[str, float]:
    """The authority's own row of a publication, from its simulated case histories."""
    f = {k: v for k, v in figures.items() if isinstance(v, (int, float))}
    if publication == "d5":
        days = np.asarray(figures["durations"])
        counts = np.array([((days >= lo) & (days < hi)).sum() for _, lo, hi in DURATION_BANDS])
        total = int(f["CPP_At31"])
        return _durations(total, counts / max(total, 1)) if total else _durations(0, np.ones(5) / 5)
    if publication == "c4":
        within = np.asarray(figures["within_15"], dtype=bool)
        return _icpc_durations(len(within), int(within.sum()))
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


def _is_average(key: str) -> bool:
    return key.endswith(("_percent", "_days", "_rate_fte", "caseload_fte"))


def _aggregate(
    rows: Sequence[Mapping[str, object]], k: int, scale_to_england: bool = False
) -> dict[str, float]:
    """Sums of counts and means of percentages and averages; England's headline figures set to published-like."""
    out: dict[str, float] = {}
    for m in rows[0]:
        values = np.array(
            [r[m] for r in rows if isinstance(r.get(m), (int, float, np.number)) and not pd.isna(r[m])],
            dtype=float,
        )
        if _is_average(m):
            out[m] = round(float(values.mean()), 1) if len(values) else np.nan
        else:
            out[m] = float(values.sum()) if m == "population" else int(values.sum())
    if scale_to_england:
        for m in rows[0]:
            if m in ENGLAND_VALUES:
                out[m] = ENGLAND_VALUES[m][k]
        if "cla_at31" in out and "population" in out:
            out["population"] = ENGLAND_POPULATION[2012 + k]
        rates = {
            "CPP_At31": "cpp_at31_per_10000",
            "referral_count": "referrals_per_10000",
            "At31_episodes": "cin_at31_per_10000",
            "cla_at31": "cla_per_10000",
        }
        for m, key in rates.items():
            if m in out:
                out[m] = round(ENGLAND_VALUES[key][k] * ENGLAND_POPULATION[2012 + k] / 10_000)
    return out


def _suppress(rng: np.random.Generator, values: dict[str, float], index: int) -> dict[str, object]:
    """A few LA cells replaced by GSS symbols (never the first row, the authority itself)."""
    out: dict[str, object] = dict(values)
    if index == 0:
        return out
    draw = rng.random()
    figures = [key for key in out if key != "population"]
    if draw < 0.01:
        return {**out, **dict.fromkeys(figures, "x")}
    for key in figures:
        roll = rng.random()
        if roll < 0.012:
            out[key] = "c"
        elif roll < 0.015:
            out[key] = "z"
    return out


def _write_population(
    population: pd.DataFrame, authorities: pd.DataFrame, folder: Path, config: ProjectConfig
) -> Path:
    rows = []
    merged = population.merge(authorities, on="old_la_code")
    for year in sorted(POPULATION_YEARS, reverse=True):
        rows.append({**_geography("National", year), "population_estimate": ENGLAND_POPULATION[year]})
        this_year = merged[merged["time_period"] == year]
        for code, name, _ in REGIONS:
            members = this_year[
                (this_year["region_code"] == code)
                | ((code == "E12000007") & this_year["region_code"].str.startswith("E13"))
            ]
            if len(members):
                region = pd.Series({"region_code": code, "region_name": name})
                rows.append(
                    {
                        **_geography("Regional", year, region),
                        "population_estimate": int(members["population"].sum()),
                    }
                )
        for _, area in this_year.iterrows():
            rows.append(
                {**_geography("Local authority", year, area), "population_estimate": int(area["population"])}
            )
    frame = pd.DataFrame(rows)
    frame["age_group"] = "Children aged 0 to 17 years"
    frame = frame[[*GEOGRAPHY, "age_group", "population_estimate"]]
    pattern = Path(config.authority.population_file)
    path = folder / pattern.name.replace("*", f"{POPULATION_YEARS[0]}_to_{POPULATION_YEARS[-1]}")
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _write_neighbours(authorities: pd.DataFrame, config: ProjectConfig, folder: Path) -> Path:
    """The statistical neighbour model in the layout of DfE's ``sn_model_2025_wide.csv`` (UTF-8 with a BOM).

    The authority's neighbours are the authorities written after it (for Medway, its real 2025 neighbours);
    every other authority's are the ten authorities that follow it in the list.
    """
    codes = authorities["old_la_code"].astype(int).tolist()
    names = dict(zip(codes, authorities["la_name"], strict=True))
    regions = dict(zip(codes, authorities["region_name"], strict=True))
    region_numbers = {name: n for n, (_, name, _) in enumerate(REGIONS, start=1)}
    rows = []
    for position, code in enumerate(codes):
        others = [codes[(position + step) % len(codes)] for step in range(1, NEIGHBOURS_PER_AUTHORITY + 1)]
        row: dict[str, object] = {
            "old_la_code": code,
            "la_name": names[code],
            "region_ind": region_numbers.get(regions[code], 0),
            "region_name": regions[code],
        }
        for rank, neighbour in enumerate(others, start=1):
            row[f"SN_{rank}"] = neighbour
            row[f"SN_{rank}P"] = "Very close" if rank <= 3 else "Close "
        rows.append(row)
    path = folder / file_name(config.benchmarks.statistical_neighbours.file)
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path
