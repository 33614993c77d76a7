"""Synthetic benchmark files in DfE's Explore Education Statistics (EES) open-data CSV format.

England, the nine regions plus Inner and Outer London, and as many local authorities as England had in 2014-15
(152, :data:`demo_data.benchmarks_areas.REGIONS`): the authority itself (whose rows are computed from its simulated
case histories, :mod:`demo_data.benchmarks_local`), Medway's statistical neighbours in DfE's 2025 model under their
real names and codes, and "Synthetic authority NNN" for the rest. Each file has the columns and filter values of the
file DfE publishes (:data:`demo_data.benchmarks_layouts.LAYOUTS`, named in ``config/benchmarks.yml``), and the neighbour model is written in the
layout of DfE's ``sn_model_2025_wide.csv``, so the demo exercises the readers of the real files. England's figures
are close to the published ones; other areas scatter around them. A few LA cells carry the GSS symbols ``c``
(suppressed), ``x`` (not available) and ``z`` (not applicable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from demo_data import benchmarks_topics as topics
from demo_data import calibration as cal
from demo_data.benchmarks_areas import (
    ENGLAND_POPULATION,
    POPULATION_YEARS,
    REGIONS,
    authority_table,
    child_population,
    geography_of,
    write_neighbours,
    write_population,
)
from demo_data.benchmarks_layouts import (
    LAYOUTS,
    WORKFORCE_MEASURES,
    YEARS,
    file_name,
    layout_frame,
    layout_rows,
)
from demo_data.benchmarks_local import (
    SIMULATED_ELSEWHERE,
    conferences_by_duration,
    local_figures,
    local_row,
    percentage,
    plans_by_duration,
)
from demo_data.case_histories import CaseHistories
from demo_data.local_files import scorecard_series, workforce_row

logger = logging.getLogger(__name__)


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


def write_benchmarks(
    h: CaseHistories, config: ProjectConfig, folder: Path, seed: int, scale: float
) -> list[Path]:
    """Every publication of ``config/benchmarks.yml`` and the population file, plus ``README.txt``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 31]))
    folder.mkdir(parents=True, exist_ok=True)
    authorities = authority_table(config, rng)
    local_population = {y: cal.POPULATION[y] * scale for y in POPULATION_YEARS}
    population = child_population(authorities, rng, local_population)
    local = {year: local_figures(h, year) for year in YEARS}
    # The authority's workforce figures at 30 September, from its own scorecard (demo_data.local_files).
    series = scorecard_series(config, seed)
    workforce = {year: workforce_row(series, year) for year in YEARS}
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
            "no_further_action_percent": percentage(nfa, count),
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
        return plans_by_duration(at31, shares)

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
        return conferences_by_duration(count, round(count * pct / 100))

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
        scattered = {
            m: round(la_value(i, j, ENGLAND_VALUES[m][k], m != "caseload_fte"), 1)
            for j, m in enumerate(WORKFORCE_MEASURES)
        }
        # The authority itself (drawn too, so that every other area's figures stay as they were): its published
        # figures are its own scorecard's at 30 September, counted as DfE counts them.
        return workforce[year] if i == 0 else scattered

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
                rows += layout_rows(publication, geography_of("National", year), national)
                continue
            la_rows = []
            for i, area in authorities.iterrows():
                if i == 0 and publication not in SIMULATED_ELSEWHERE:
                    values = local_row(
                        publication, local[year], population_of=pop(int(area["old_la_code"]), year)
                    )
                else:
                    values = builders[publication](int(i), int(area["old_la_code"]), year)
                la_rows.append((area, values))
            national = _aggregate([v for _, v in la_rows], k, scale_to_england=True)
            rows += layout_rows(publication, geography_of("National", year), national)
            for code, name, _ in REGIONS:
                members = [
                    v
                    for a, v in la_rows
                    if a["region_code"] == code
                    or (code == "E12000007" and a["region_code"].startswith("E13"))
                ]
                if members:
                    region = pd.Series({"region_code": code, "region_name": name})
                    rows += layout_rows(
                        publication, geography_of("Regional", year, region), _aggregate(members, k)
                    )
            for i, (area, values) in enumerate(la_rows):
                rows += layout_rows(
                    publication, geography_of("Local authority", year, area), _suppress(rng, values, i)
                )
        path = folder / file_name(spec.file)
        layout_frame(rows, publication).to_csv(path, index=False, encoding=LAYOUTS[publication].encoding)
        written.append(path)
    written.append(write_population(population, authorities, folder, config))
    written.append(write_neighbours(authorities, config, folder))
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


def write_ethnic_population(config: ProjectConfig, raw: Path, seed: int, scale: float) -> Path:
    """A synthetic ONS Census 2021 population by ethnic group (all ages), where ``config/topics.yml`` looks for it.

    The layout of ONS's custom dataset (the real file is ``../shared/data/ons/ons-ethnic-population-la.csv``), with
    rows for the authority of ``config/authority.yml`` and every other authority of the synthetic benchmark files,
    written as ``data/raw/population/ons-ethnic-population-la.csv`` (``ethnic_population_file``): where an
    authority puts the file it downloads, so the demo's topic reports have their disproportionality ratios.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 37]))
    authorities = authority_table(config, rng)
    areas = list(zip(authorities["new_la_code"].astype(str), authorities["la_name"].astype(str), strict=True))
    # All ages: about four and a half residents per child aged 0 to 17 (Census 2021, England).
    residents = int(cal.POPULATION[max(POPULATION_YEARS)] * scale * 4.5)
    frame = pd.DataFrame(
        topics.ethnic_population_rows(areas, residents, rng), columns=list(topics.ETHNIC_POPULATION_COLUMNS)
    )
    path = raw / config.topics.ethnic_population_file.replace("*", "")
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


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
