"""``analysis returns FOLDER``: read every statutory return in a folder and print DfE's measures for each year.

The analyst's check before submission: any mix of collection years and files, one folder per collection year
(``2013-14/``, ``2014-15/``... or files straight in FOLDER when the CIN census states its year). SSDA903 CSV files
and CIN census XML files are told apart by their content. Standard output is CSV ``measure,year,numerator,
denominator,value`` (one row per measure and collection year, unsuppressed: this is the council's own check, not
a publication); standard error has the data-quality findings. Exit 0 when a return was read (with or without
findings), 2 when nothing could be read.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd

from analysis.stages.returns.cin import CinCensus, combine, read_cin_file
from analysis.stages.returns.cin_measures import cin_figures
from analysis.stages.returns.common import (
    ERROR,
    NOTE,
    Figure,
    Finding,
    collection_year_of,
    year_end,
    year_label,
)
from analysis.stages.returns.ssda903 import Ssda903Return, read_ssda903_folder
from analysis.stages.returns.ssda903_measures import care_begun_before_data, ssda903_figures, with_history

logger = logging.getLogger(__name__)

OUTPUT_COLUMNS = ("measure", "year", "numerator", "denominator", "value")
#: Where the CIN census schemas are, relative to the project root, when ``--schemas`` is not given.
DEFAULT_SCHEMA_DIR = Path("..") / "shared" / "data" / "cin_census_schemas"
VALUE_DECIMALS = 3


@dataclass
class ReturnsRead:
    """Every return read from a folder: SSDA903 by collection year, CIN censuses by collection year, findings."""

    ssda903: dict[int, Ssda903Return] = field(default_factory=dict)
    cin: dict[int, CinCensus] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def anything_read(self) -> bool:
        return any(r.tables for r in self.ssda903.values()) or any(c.tables for c in self.cin.values())


def _folders(folder: Path) -> list[Path]:
    return [folder, *sorted(p for p in folder.rglob("*") if p.is_dir() and not p.name.startswith("."))]


def _folder_year(each: Path, top: Path) -> int | None:
    """The collection year of a folder: from its own name, else the nearest enclosing one's up to ``top``
    (``2014-15/cin/`` is 2015)."""
    for folder in (each, *each.parents):
        year = collection_year_of(folder.name)
        if year is not None or folder == top:
            return year
    return None


def read_returns(folder: Path, key: bytes, schema_dir: Path | None) -> ReturnsRead:
    """Read every SSDA903 CSV table and CIN census XML file below ``folder``.

    A folder's collection year comes from its name (``2014-15``, ``2015``); a CIN census file's from its header
    (CollectionDetails/Year) where it states one. Folders of the same year are combined.
    """
    read = ReturnsRead()
    cin_parts: dict[int, list[CinCensus]] = {}
    for each in _folders(Path(folder)):
        year = _folder_year(each, Path(folder))
        files = [p for p in each.iterdir() if p.is_file()]
        if any(p.suffix.lower() in {".csv", ".txt"} for p in files):
            ssda = read_ssda903_folder(each, key, year)
            read.findings += ssda.findings
            if ssda.tables and ssda.collection_year is not None:
                if ssda.collection_year in read.ssda903:
                    read.findings.append(
                        Finding(
                            ERROR,
                            str(each),
                            f"a second SSDA903 return for {year_label(ssda.collection_year)}",
                        )
                    )
                else:
                    read.ssda903[ssda.collection_year] = ssda
        for path in sorted(p for p in files if p.suffix.lower() == ".xml"):
            census = read_cin_file(path, key, schema_dir, year)
            read.findings += census.findings
            if census.tables and census.collection_year is not None:
                cin_parts.setdefault(census.collection_year, []).append(census)
    for year, parts in cin_parts.items():
        read.cin[year] = combine(parts)
        read.cin[year].findings = []  # already in read.findings
    return read


def returns_figures(read: ReturnsRead, population: dict[int, float]) -> list[Figure]:
    """Every measure for every collection year read (SSDA903 first, then CIN census), years in order.

    ``population`` maps a collection year to the authority's ONS mid-year estimate of children aged 0-17 that
    DfE divides its rates by (mid-year before 31 March: :func:`population_by_year`).
    """
    figures: list[Figure] = []
    for year in sorted(read.ssda903):
        earlier = [read.ssda903[y] for y in sorted(read.ssda903) if y < year]
        figures += ssda903_figures(with_history(read.ssda903[year], earlier), population.get(year))
    censuses = [read.cin[y] for y in sorted(read.cin)]
    for year in sorted(read.cin):
        figures += cin_figures(censuses, year, population.get(year))
    return figures


def population_by_year(population: pd.DataFrame, years: list[int], old_la_code: int, ons_code: str) -> dict:
    """The population each collection year's rates divide by (DfE: mid-year Y-1 for the year ending 31 March Y;
    see :func:`analysis.stages.indicators.periods.population_for_periods`)."""
    from analysis.stages.indicators.periods import population_for_periods

    if population.empty or not years:
        return {}
    periods = pd.DataFrame({"end": [year_end(y) for y in years]})
    values = population_for_periods(
        population, periods, old_la_code=old_la_code, ons_code=ons_code, warn=False
    )
    return {y: float(v) for y, v in zip(years, values, strict=True) if pd.notna(v)}


def _number(value: float | None, decimals: int = VALUE_DECIMALS) -> str:
    if value is None or pd.isna(value):
        return ""
    rounded = round(float(value), decimals)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def write_figures(figures: list[Figure], out: TextIO) -> None:
    """The figures as CSV (``measure,year,numerator,denominator,value``; year as ``2014-15``)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for figure in figures:
        writer.writerow(
            [
                figure.measure,
                year_label(figure.collection_year),
                _number(figure.numerator),
                _number(figure.denominator),
                _number(figure.value),
            ]
        )


def run_returns(
    folder: Path,
    *,
    key: bytes,
    schema_dir: Path | None,
    population: pd.DataFrame | None,
    authority_codes: tuple[int, str],
    out: TextIO,
    err: TextIO,
    expectations: bool = True,
) -> int:
    """Read the returns, print the figures on ``out`` and the findings on ``err``; the exit code (0 or 2)."""
    folder = Path(folder)
    if not folder.is_dir():
        print(f"ERROR {folder}: not a folder", file=err)
        return 2
    read = read_returns(folder, key, schema_dir)
    if read.anything_read and expectations:
        from analysis.stages.returns.expectations import expectation_findings

        read.findings += expectation_findings(read.ssda903, read.cin)
    for finding in read.findings:
        print(finding.line(), file=err)
    if not read.anything_read:
        print(f"ERROR {folder}: no SSDA903 or CIN census return could be read", file=err)
        return 2
    years = sorted(set(read.ssda903) | set(read.cin))
    rates_population = population_by_year(
        population if population is not None else pd.DataFrame(), years, *authority_codes
    )
    for year in sorted(read.ssda903):
        earlier = [read.ssda903[y] for y in sorted(read.ssda903) if y < year]
        unknown = care_begun_before_data(with_history(read.ssda903[year], earlier))
        if unknown:
            print(
                f"{NOTE.upper()} {folder}: {unknown} children looked after at 31 March {year} began their care before "
                "the earliest SSDA903 episodes read: add the earlier years' returns for long-term stability and A1",
                file=err,
            )
    missing = [year_label(y) for y in years if y not in rates_population]
    if missing:
        print(
            f"{NOTE.upper()} {folder}: no population estimate for {', '.join(missing)}: rates left blank",
            file=err,
        )
    write_figures(returns_figures(read, rates_population), out)
    return 0
