"""Read DfE's Explore Education Statistics (EES) open-data CSV files into the tidy ``benchmarks`` table.

EES files start with the standard geography and time columns (``time_period``, ``time_identifier``,
``geographic_level``, ``country_code`` ... ``la_name``), then optional filter columns (``category``,
``age_group``), then one column per measure. Columns are read by name: their order differs between files.
Cells of a measure column hold a number or a GSS symbol saying why there is none (``c`` suppressed, ``x`` not
available, ``z`` not applicable, ``low``, ``k``, ``u``). The statistical-neighbour groupings are a different,
non-EES file with its own reader here.

Notes
-----
Format: DfE analytical services, "Open data standards" (Explore Education Statistics guidance,
https://dfe-analytical-services.github.io/analysts-guide/statistics-production/ud.html); symbols: GSS
"Symbols in tables, definitions and conventions" as used by DfE.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputDataError

logger = logging.getLogger(__name__)

#: The standard time and geography columns of an EES file (never measures).
GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
#: Columns that every file must have, and those each geographic level needs.
MANDATORY_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name")
LEVEL_COLUMNS = {
    "National": ("country_code", "country_name"),
    "Regional": ("region_code", "region_name"),
    "Local authority": ("old_la_code", "new_la_code", "la_name"),
}
#: Filter columns seen in DfE's children's social care files: not measures.
FILTER_COLUMNS = ("category", "age_group", "characteristic", "breakdown_topic", "breakdown")
#: GSS symbols that may stand in a numeric cell instead of a figure.
SYMBOLS = ("c", "x", "z", "low", "k", "u")
#: Symbol recorded for an empty cell in a measure column (no figure, no reason given).
EMPTY_CELL_SYMBOL = "x"
#: Header rows before the first data row (data row i, 0-based, is file row i + 2).
_HEADER_ROWS = 1

_FINANCIAL_YEAR = re.compile(r"^(?P<start>\d{4})(?P<end>\d{2})$")
_YEAR = re.compile(r"^\d{4}$")


def _read_csv_text(path: Path) -> pd.DataFrame:
    """Every cell as a string (``""`` for empty), BOM removed, header names stripped."""
    if not path.is_file():
        raise InputDataError(path, "file not found", expected="an EES open-data CSV file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise InputDataError(path, "the file is empty", expected="a header row and data rows") from None
    except UnicodeDecodeError as error:
        raise InputDataError(path, f"not UTF-8 text ({error.reason})", expected="a UTF-8 CSV file") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputDataError(path, "the file has a header but no data rows", expected="at least one data row")
    return frame


def _check_columns(frame: pd.DataFrame, path: Path) -> None:
    missing = [c for c in MANDATORY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            path,
            f"missing geography column(s): {', '.join(missing)}",
            column=missing[0],
            expected=f"the EES columns {', '.join(MANDATORY_COLUMNS)}",
        )
    levels = frame["geographic_level"].str.strip()
    for level, columns in LEVEL_COLUMNS.items():
        if (levels == level).any():
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise InputDataError(
                    path,
                    f"rows at level '{level}' but no column(s) {', '.join(missing)}",
                    column=missing[0],
                    expected=f"the EES columns {', '.join(columns)} for {level} rows",
                )
    unknown = sorted(set(levels) - set(LEVEL_COLUMNS))
    if unknown:
        row = int(np.flatnonzero(~levels.isin(list(LEVEL_COLUMNS)))[0]) + _HEADER_ROWS + 1
        raise InputDataError(
            path,
            f"unknown geographic_level {unknown[0]!r}",
            row=row,
            column="geographic_level",
            expected=", ".join(LEVEL_COLUMNS),
        )


def year_ending_31_march(time_period: str) -> int:
    """The year a time period ends in: ``201415`` -> 2015, ``2015`` -> 2015.

    Notes
    -----
    EES writes financial years as six digits (``201415`` = April 2014 to March 2015); the CIN census and SSDA903
    "reporting years" as the four-digit year ending 31 March.
    """
    text = time_period.strip()
    if _YEAR.match(text):
        return int(text)
    match = _FINANCIAL_YEAR.match(text)
    if match and (int(match["start"]) + 1) % 100 == int(match["end"]):
        return int(match["start"]) + 1
    raise ValueError(text)


def _time_periods(frame: pd.DataFrame, path: Path) -> pd.Series:
    years = []
    for position, text in enumerate(frame["time_period"]):
        try:
            years.append(year_ending_31_march(text))
        except ValueError:
            raise InputDataError(
                path,
                f"time_period {text!r} is not a year",
                row=position + _HEADER_ROWS + 1,
                column="time_period",
                expected="a year such as 2015 or a financial year such as 201415",
            ) from None
    return pd.Series(years, index=frame.index, dtype="int64")


def _parse_measure(column: pd.Series, name: str, path: Path) -> tuple[pd.Series, pd.Series]:
    """Numbers and symbols of one measure column; a cell that is neither raises, naming its row."""
    text = column.str.strip()
    lowered = text.str.lower()
    is_symbol = lowered.isin(list(SYMBOLS))
    is_empty = text == ""
    numbers = pd.to_numeric(text.where(~(is_symbol | is_empty)), errors="coerce").astype("float64")
    bad = ~is_symbol & ~is_empty & ~np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan))
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(
            path,
            f"value {column.iloc[position]!r} is neither a number nor a GSS symbol",
            row=position + _HEADER_ROWS + 1,
            column=name,
            expected=f"a number or one of the symbols {', '.join(SYMBOLS)}",
        )
    symbols = lowered.where(is_symbol).astype("str")
    symbols = symbols.mask(is_empty, EMPTY_CELL_SYMBOL)
    if is_empty.any():
        logger.debug(
            "%s: %d empty cells in column %s read as '%s'", path.name, is_empty.sum(), name, EMPTY_CELL_SYMBOL
        )
    return numbers, symbols


def _areas(frame: pd.DataFrame) -> pd.DataFrame:
    """area_code, old_la_code and area_name for each row by its geographic level."""
    level = frame["geographic_level"].str.strip()

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].str.strip()
        return pd.Series("", index=frame.index, dtype="str")

    area_code = column("country_code").mask(level == "Regional", column("region_code"))
    area_code = area_code.mask(level == "Local authority", column("new_la_code"))
    area_name = column("country_name").mask(level == "Regional", column("region_name"))
    area_name = area_name.mask(level == "Local authority", column("la_name"))
    old = pd.to_numeric(column("old_la_code").where(level == "Local authority"), errors="coerce")
    return pd.DataFrame(
        {
            "geographic_level": level,
            "area_code": area_code.replace("", pd.NA),
            "old_la_code": old.round().astype("Int64"),
            "area_name": area_name,
        },
        index=frame.index,
    )


def measure_columns(columns: list[str]) -> list[str]:
    """The measure columns of an EES file: everything that is not geography, time or a filter."""
    skip = set(GEOGRAPHY_COLUMNS) | set(FILTER_COLUMNS)
    return [c for c in columns if c and c not in skip and not c.startswith("Unnamed:")]


def read_ees_file(path: Path, publication: str) -> pd.DataFrame:
    """Read one EES open-data CSV file as tidy rows of the ``benchmarks`` table.

    Parameters
    ----------
    path
        The CSV file (UTF-8, with or without a byte-order mark).
    publication
        The publication id from ``config/benchmarks.yml`` written in the ``publication`` column.

    Returns
    -------
    pandas.DataFrame
        One row per area, year and measure (columns of the ``benchmarks`` schema). ``value`` is the figure or NaN;
        ``symbol`` keeps the GSS symbol where there is no figure. ``area_code`` is the country, region or new LA
        code by level; ``time_period`` is the year ending 31 March.

    Raises
    ------
    InputDataError
        Empty file, missing geography columns, an unknown geographic level, a time period that is not a year, a
        value that is neither a number nor a GSS symbol (with its row and column), or two rows for the same area,
        year and measure.

    Notes
    -----
    Inner London and Outer London (E13000001/2) are kept as regional rows beside London (E12000007), as DfE
    publishes them. Filter columns (``category``, ``age_group``) must hold one value per area and year; files that
    break a measure down further are not benchmark tables and are refused.
    """
    path = Path(path)
    frame = _read_csv_text(path)
    _check_columns(frame, path)
    measures = measure_columns(list(frame.columns))
    if not measures:
        raise InputDataError(
            path, "no measure columns", expected="at least one column after the geography columns"
        )
    base = _areas(frame)
    base.insert(0, "time_period", _time_periods(frame, path))
    base["source_row"] = np.arange(len(frame)) + _HEADER_ROWS + 1
    duplicated = base.duplicated(
        ["time_period", "geographic_level", "area_code", "old_la_code"], keep="first"
    )
    if duplicated.any():
        position = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise InputDataError(
            path,
            "a second row for the same area and year (a breakdown by a filter column?)",
            row=position + _HEADER_ROWS + 1,
            column="time_period",
            expected="one row per area and year",
        )
    parts = []
    for name in measures:
        values, symbols = _parse_measure(frame[name], name, path)
        parts.append(base.assign(measure=name, value=values, symbol=symbols))
    tidy = pd.concat(parts, ignore_index=True)
    tidy.insert(0, "publication", publication)
    logger.info(
        "Read %s: %d rows, %d measures, years %d to %d",
        path.name,
        len(frame),
        len(measures),
        tidy["time_period"].min(),
        tidy["time_period"].max(),
    )
    columns = [
        "publication",
        "time_period",
        "geographic_level",
        "area_code",
        "old_la_code",
        "area_name",
        "measure",
        "value",
        "symbol",
    ]
    return tidy.loc[:, columns].astype(
        {"publication": "str", "area_code": "str", "area_name": "str", "measure": "str", "symbol": "str"}
    )


def read_population_file(path: Path) -> pd.DataFrame:
    """Read ONS mid-year estimates of children aged 0 to 17 (EES format) as the ``population`` table.

    Returns
    -------
    pandas.DataFrame
        Columns of the ``population`` schema; ``time_period`` is the mid-year of the estimate (2014 = mid-2014).

    Raises
    ------
    InputDataError
        As :func:`read_ees_file`, or when the file has no population column or more than one.

    Notes
    -----
    ONS mid-year population estimates as DfE republishes them for children's social care rates: rates per 10,000
    at 31 March of year Y divide by the estimate for mid-year Y-1 (DfE, CIN census methodology).
    """
    path = Path(path)
    tidy = read_ees_file(path, "population")
    measures = tidy["measure"].unique().tolist()
    chosen = [m for m in measures if "population" in m.lower()] or measures
    if len(chosen) != 1:
        raise InputDataError(
            path,
            f"cannot tell which column is the population ({', '.join(measures)})",
            column=measures[0],
            expected="one measure column named like population_estimate",
        )
    rows = tidy.loc[tidy["measure"] == chosen[0]].reset_index(drop=True)
    columns = ["time_period", "geographic_level", "area_code", "old_la_code", "area_name"]
    return rows.loc[:, columns].assign(population=rows["value"])


def read_statistical_neighbours(path: Path) -> dict[int, list[int]]:
    """Read DfE's statistical neighbour groupings: each authority's old LA code -> its neighbours, closest first.

    The file is not EES format: a byte-order mark, columns ``LA num, LA Name, ..., SN1, SNP, SN2, SNP, ...`` (the
    "SNP" closeness heading repeated) and a trailing comma on some rows.

    Raises
    ------
    InputDataError
        Empty file, no ``LA num`` or ``SN1`` column, or a code that is not a number (with its row and column).

    Notes
    -----
    DfE, "Children's services statistical neighbour benchmarking tool" (groupings of April 2021).
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(path, "file not found", expected="DfE's statistical neighbour groupings CSV")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise InputDataError(path, "the file is empty", expected="a header row and one row per authority")
    header = [h.strip() for h in rows[0]]
    if "LA num" not in header:
        raise InputDataError(
            path, "no 'LA num' column", row=1, column="LA num", expected="DfE's SN groupings header"
        )
    key = header.index("LA num")
    neighbour_columns = sorted(
        ((int(h[2:]), i) for i, h in enumerate(header) if re.fullmatch(r"SN\d+", h)), key=lambda pair: pair[0]
    )
    if not neighbour_columns:
        raise InputDataError(
            path, "no SN1, SN2, ... columns", row=1, column="SN1", expected="DfE's SN groupings header"
        )

    def code(cell: str, row: int, column: str) -> int:
        try:
            value = float(cell)
        except ValueError:
            raise InputDataError(
                path, f"{cell!r} is not an LA code", row=row, column=column, expected="a number"
            ) from None
        if not math.isfinite(value) or value != int(value):
            raise InputDataError(
                path, f"{cell!r} is not an LA code", row=row, column=column, expected="a whole number"
            )
        return int(value)

    groups: dict[int, list[int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[key].strip():
            # Blank rows and notes such as "Old SNs:" (the pre-2019/2021 authorities that follow are kept).
            continue
        authority = code(row[key].strip(), number, "LA num")
        groups[authority] = [
            code(row[i].strip(), number, f"SN{n}")
            for n, i in neighbour_columns
            if i < len(row) and row[i].strip()
        ]
    logger.info("Read %s: statistical neighbours of %d authorities", path.name, len(groups))
    return groups
