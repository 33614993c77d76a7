"""England's areas in the synthetic benchmark files: the authorities, regions, statistical neighbours and population.

England, the nine regions plus Inner and Outer London, and as many local authorities as England had in 2014-15
(152, :data:`REGIONS`): the authority itself, Medway's statistical neighbours in DfE's 2025 model under their real
names and codes, and "Synthetic authority NNN" for the rest. The population file has the layout of ONS mid-year
estimates and the neighbour model that of DfE's ``sn_model_2025_wide.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.inputs.ees import GEOGRAPHY_COLUMNS
from demo_data.benchmarks_layouts import file_name

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


POPULATION_YEARS = (2011, 2012, 2013, 2014)


ENGLAND_POPULATION = {2011: 11_350_000, 2012: 11_403_970, 2013: 11_473_080, 2014: 11_535_489}


GEOGRAPHY = list(GEOGRAPHY_COLUMNS)


def authority_table(config: ProjectConfig, rng: np.random.Generator) -> pd.DataFrame:
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


def child_population(
    authorities: pd.DataFrame, rng: np.random.Generator, local: dict[int, float]
) -> pd.DataFrame:
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


def geography_of(level: str, year: int, area: pd.Series | None = None) -> dict[str, object]:
    """The geography columns of a national, regional or local authority row of an EES file."""
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


def write_population(
    population: pd.DataFrame, authorities: pd.DataFrame, folder: Path, config: ProjectConfig
) -> Path:
    """Children aged 0 to 17 by area and mid-year, in the layout of the population file ``authority.yml`` names."""
    rows = []
    merged = population.merge(authorities, on="old_la_code")
    for year in sorted(POPULATION_YEARS, reverse=True):
        rows.append({**geography_of("National", year), "population_estimate": ENGLAND_POPULATION[year]})
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
                        **geography_of("Regional", year, region),
                        "population_estimate": int(members["population"].sum()),
                    }
                )
        for _, area in this_year.iterrows():
            rows.append(
                {
                    **geography_of("Local authority", year, area),
                    "population_estimate": int(area["population"]),
                }
            )
    frame = pd.DataFrame(rows)
    frame["age_group"] = "Children aged 0 to 17 years"
    frame = frame[[*GEOGRAPHY, "age_group", "population_estimate"]]
    pattern = Path(config.authority.population_file)
    path = folder / pattern.name.replace("*", f"{POPULATION_YEARS[0]}_to_{POPULATION_YEARS[-1]}")
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def write_neighbours(authorities: pd.DataFrame, config: ProjectConfig, folder: Path) -> Path:
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
