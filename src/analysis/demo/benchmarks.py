"""Synthetic benchmark files in DfE's Explore Education Statistics (EES) open-data CSV format.

England, the nine regions plus Inner and Outer London, and 150 local authorities: the authority itself (whose rows
are computed from its simulated case histories), its statistical neighbours under their real names and codes
(North and West Northamptonshire only exist from 2021, so have no rows for 2013-2015), and "Synthetic authority NNN"
for the rest. England's figures are close to the published ones; other areas scatter around them. A few LA cells
carry the GSS symbols ``c`` (suppressed), ``x`` (not available) and ``z`` (not applicable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.demo import calibration as cal
from analysis.demo.simulate import CaseHistories
from analysis.ees import GEOGRAPHY_COLUMNS

logger = logging.getLogger(__name__)

YEARS = (2013, 2014, 2015)
POPULATION_YEARS = (2011, 2012, 2013, 2014)
ENGLAND = ("E92000001", "England")
REGIONS = [
    ("E12000001", "North East", 12),
    ("E12000002", "North West", 23),
    ("E12000003", "Yorkshire and The Humber", 15),
    ("E12000004", "East Midlands", 9),
    ("E12000005", "West Midlands", 14),
    ("E12000006", "East of England", 11),
    ("E12000007", "London", 0),
    ("E12000008", "South East", 19),
    ("E12000009", "South West", 15),
    ("E13000001", "Inner London", 14),
    ("E13000002", "Outer London", 18),
]
#: Real statistical neighbours of Medway: old code -> (new code, name, region code).
KNOWN_AUTHORITIES = {
    866: ("E06000030", "Swindon", "E12000009"),
    894: ("E06000020", "Telford and Wrekin", "E12000005"),
    332: ("E08000027", "Dudley", "E12000005"),
    882: ("E06000033", "Southend-on-Sea", "E12000006"),
    886: ("E10000016", "Kent", "E12000008"),
    883: ("E06000034", "Thurrock", "E12000006"),
    372: ("E08000018", "Rotherham", "E12000003"),
    311: ("E09000016", "Havering", "E13000002"),
}
#: Authorities created in 2021: no rows before then.
NOT_YET_CREATED = {940, 941}
#: Measures that are averages of days (not counts).
AVERAGE_DAYS = {"a1_days", "a2_days"}
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
}
CATEGORY = {
    "b1": "Children in Need",
    "c1": "Referrals and Re-referrals",
    "d3": "Child Protection Plans which are a second or subsequent plan",
    "d5": "Child Protection Plans by length of time",
}
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
        "three_or_more_placements_percent": _pct((per_child >= 3).sum(), in_care["child"].nunique()),
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
    for code in config.authority.statistical_neighbours:
        if code in KNOWN_AUTHORITIES:
            new, name, region = KNOWN_AUTHORITIES[code]
            rows.append((code, new, name, region))
    used = {r[0] for r in rows}
    counts = {code: n for code, _, n in REGIONS}
    for *_, region in rows:
        counts[region] = counts.get(region, 0) - 1
    free_codes = iter(c for c in range(601, 800) if c not in used)
    serial = 1
    for code, _, n in REGIONS:
        for _ in range(max(n, 0)):
            old = next(free_codes)
            prefix = "E09" if code.startswith("E13") else ("E06" if rng.random() < 0.5 else "E10")
            rows.append((old, f"{prefix}000{100 + serial:03d}", f"Synthetic authority {serial:03d}", code))
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


def _frame(rows: list[dict[str, object]], publication: str, measures: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    columns = GEOGRAPHY + (["category"] if publication in CATEGORY else []) + measures
    if publication in CATEGORY:
        frame["category"] = CATEGORY[publication]
    return frame[columns]


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

    builders: dict[str, tuple[list[str], Callable[[int, int, int], dict[str, float]]]] = {}

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

    def c3(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        done = round(ENGLAND_VALUES["referrals_per_10000"][k] * 0.8 * spread[i, 0] * pop(old, year) / 10_000)
        pct = la_value(i, 6, ENGLAND_VALUES["within_45_days_percent"][k], True)
        return {
            "assessments_completed": done,
            "within_45_days": round(done * pct / 100),
            "within_45_days_percent": pct,
        }

    def d1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        count = round(ENGLAND_VALUES["cpp_start_per_10000"][k] * 1.1 * spread[i, 3] * pop(old, year) / 10_000)
        pct = la_value(i, 7, ENGLAND_VALUES["icpc_within_15_days_percent"][k], True)
        return {
            "icpc_count": count,
            "icpc_within_15_days": round(count * pct / 100),
            "icpc_within_15_days_percent": pct,
        }

    def la1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        cla = round(la_value(i, 2, ENGLAND_VALUES["cla_per_10000"][k], False) * pop(old, year) / 10_000)
        return {
            "cla_at31": cla,
            "three_or_more_placements_percent": la_value(
                i, 1, ENGLAND_VALUES["three_or_more_placements_percent"][k] + 0, True
            )
            * 0.3
            + 0.7 * ENGLAND_VALUES["three_or_more_placements_percent"][k],
            "ceased_count": round(cla * 0.45),
            "ceased_adopted_percent": la_value(i, 4, ENGLAND_VALUES["ceased_adopted_percent"][k], True),
        }

    def cl1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        return {
            "care_leavers": round(pop(old, year) / 10_000 * 12 * spread[i, 5]),
            "suitable_accommodation_percent": la_value(
                i, 6, ENGLAND_VALUES["suitable_accommodation_percent"][k], True
            ),
            "eet_percent": la_value(i, 7, ENGLAND_VALUES["eet_percent"][k], True),
        }

    def ad1(i: int, old: int, year: int) -> dict[str, float]:
        k = YEARS.index(year)
        return {
            "children_adopted": round(pop(old, year) / 10_000 * 4.5 * spread[i, 2]),
            "a1_days": round(
                la_value(i, 0, ENGLAND_VALUES["a1_days"][k], False) ** 0.5
                * ENGLAND_VALUES["a1_days"][k] ** 0.5
            ),
            "a2_days": round(
                la_value(i, 1, ENGLAND_VALUES["a2_days"][k], False) ** 0.5
                * ENGLAND_VALUES["a2_days"][k] ** 0.5
            ),
        }

    builders = {
        "b1": (["Started_episodes", "Ended_episodes", "At31_episodes"], b1),
        "c1": (
            [
                "referral_count",
                "rereferral_count",
                "rereferral_percent",
                "no_further_action_count",
                "no_further_action_percent",
            ],
            c1,
        ),
        "c3": (["assessments_completed", "within_45_days", "within_45_days_percent"], c3),
        "d1": (["icpc_count", "icpc_within_15_days", "icpc_within_15_days_percent"], d1),
        "d3": (["CPP_start", "CPP_subsequent", "CPP_subsequent_percent"], d3),
        "d5": (list(_durations(0, np.ones(5) / 5)), d5),
        "la1": (
            ["cla_at31", "three_or_more_placements_percent", "ceased_count", "ceased_adopted_percent"],
            la1,
        ),
        "cl1": (["care_leavers", "suitable_accommodation_percent", "eet_percent"], cl1),
        "ad1": (["children_adopted", "a1_days", "a2_days"], ad1),
    }
    written = []
    for publication, spec in config.benchmarks.publications.items():
        if publication not in builders:
            logger.warning("No synthetic benchmark generator for publication %s: skipped", publication)
            continue
        measures, build = builders[publication]
        rows: list[dict[str, object]] = []
        for year in sorted(YEARS, reverse=True):
            la_rows = []
            for i, area in authorities.iterrows():
                if i == 0:
                    values = _local_row(publication, local[year], measures)
                else:
                    values = build(int(i), int(area["old_la_code"]), year)
                la_rows.append((area, values))
            national = _aggregate(
                [v for _, v in la_rows], measures, publication, YEARS.index(year), scale_to_england=True
            )
            rows.append({**_geography("National", year), **national})
            for code, name, _ in REGIONS:
                members = [
                    v
                    for a, v in la_rows
                    if a["region_code"] == code
                    or (code == "E12000007" and a["region_code"].startswith("E13"))
                ]
                if members:
                    region = pd.Series({"region_code": code, "region_name": name})
                    rows.append(
                        {
                            **_geography("Regional", year, region),
                            **_aggregate(members, measures, publication, YEARS.index(year)),
                        }
                    )
            for i, (area, values) in enumerate(la_rows):
                rows.append({**_geography("Local authority", year, area), **_suppress(rng, values, i)})
        frame = _frame(rows, publication, measures)
        name = spec.file.replace("*", "2013_to_2015")
        path = folder / name
        frame.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    written.append(_write_population(population, authorities, folder, config))
    readme = folder / "README.txt"
    readme.write_text(
        "SYNTHETIC demonstration data generated by 'analysis demo-data'. These files imitate the format of DfE's\n"
        "Explore Education Statistics open-data CSVs and ONS mid-year estimates; the figures are not real, except\n"
        "that England's are close to the published ones. Replace them with the published downloads.\n",
        encoding="utf-8",
    )
    written.append(readme)
    return written


DURATION_BANDS = [
    ("3_months_or_less", 0, 91),
    ("more_than_3_months_6_months", 91, 182),
    ("more_than_6_months_less_than_1_year", 182, 365),
    ("1_year_less_than_2_years", 365, 730),
    ("2_years_or_more", 730, 10**6),
]


def _durations(total: int, shares: np.ndarray) -> dict[str, float]:
    counts = np.floor(shares * total).astype(int)
    counts[0] += total - counts.sum()
    out: dict[str, float] = {"CPP_At31": total}
    for (name, _, _), count in zip(DURATION_BANDS, counts, strict=True):
        out[name] = int(count)
        out[f"{name}_percent"] = _pct(count, total)
    return out


def _local_row(publication: str, figures: dict[str, float], measures: list[str]) -> dict[str, float]:
    if publication == "d5":
        days = figures["durations"]
        counts = np.array([((days >= lo) & (days < hi)).sum() for _, lo, hi in DURATION_BANDS])
        total = int(figures["CPP_At31"])
        return _durations(total, counts / max(total, 1)) if total else _durations(0, np.ones(5) / 5)
    return {
        m: figures[m] if m.endswith("_percent") or m in AVERAGE_DAYS else int(figures[m]) for m in measures
    }


def _aggregate(
    rows: list[dict[str, float]],
    measures: list[str],
    publication: str,
    k: int,
    scale_to_england: bool = False,
) -> dict[str, float]:
    """Sums of counts; percentages averaged (England's set to the published-like value)."""
    out: dict[str, float] = {}
    for m in measures:
        values = np.array(
            [r[m] for r in rows if isinstance(r.get(m), (int, float, np.number)) and not pd.isna(r[m])],
            dtype=float,
        )
        if m.endswith("_percent") or m in AVERAGE_DAYS:
            out[m] = (
                round(float(values.mean()), 1 if m.endswith("_percent") else 0) if len(values) else np.nan
            )
        else:
            out[m] = int(values.sum())
    if scale_to_england:
        named = {
            "rereferral_percent": "rereferral_percent",
            "CPP_subsequent_percent": "cpp_subsequent_percent",
            "within_45_days_percent": "within_45_days_percent",
            "ceased_adopted_percent": "ceased_adopted_percent",
            "icpc_within_15_days_percent": "icpc_within_15_days_percent",
            "eet_percent": "eet_percent",
            "suitable_accommodation_percent": "suitable_accommodation_percent",
            "a1_days": "a1_days",
            "a2_days": "a2_days",
            "three_or_more_placements_percent": "three_or_more_placements_percent",
        }
        for m in measures:
            if m in named:
                out[m] = ENGLAND_VALUES[named[m]][k]
        rates = {
            "CPP_At31": "cpp_at31_per_10000",
            "referral_count": "referrals_per_10000",
            "At31_episodes": "cin_at31_per_10000",
            "cla_at31": "cla_per_10000",
        }
        for m, key in rates.items():
            if m in measures:
                out[m] = round(ENGLAND_VALUES[key][k] * ENGLAND_POPULATION[2012 + k] / 10_000)
    return out


def _suppress(rng: np.random.Generator, values: dict[str, float], index: int) -> dict[str, object]:
    """A few LA cells replaced by GSS symbols (never the first row, the authority itself)."""
    out: dict[str, object] = dict(values)
    if index == 0:
        return out
    draw = rng.random()
    if draw < 0.01:
        return dict.fromkeys(out, "x")
    for key in out:
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
