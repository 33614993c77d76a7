"""Read DfE's Explore Education Statistics (EES) open-data CSV files: their columns, symbols, years and areas.

EES files start with the standard geography and time columns (``time_period``, ``time_identifier``,
``geographic_level``, ``country_code`` ... ``la_name``), then optional filter columns (``category``,
``age_group``), then one column per measure. Columns are read by name: their order differs between files.
Cells of a measure column hold a number or a GSS symbol saying why there is none (``c`` suppressed, ``x`` not
available, ``z`` not applicable, ``low``, ``k``, ``u``).

:func:`read_ees_file` reads every measure column of a file that has one row per area and year (a file read as
``config/benchmarks.yml`` describes it: :func:`analysis.inputs.ees_publications.read_publication`). Rows DfE publishes
for two councils jointly (``old_la_code`` ``940 / 941``) become one row per council carrying the joint figure, as
DfE's LAIT does, and the log says so.

Notes
-----
Format: DfE analytical services, "Open data standards" (Explore Education Statistics guidance,
https://dfe-analytical-services.github.io/analysts-guide/statistics-production/ud.html); symbols: GSS
"Symbols in tables, definitions and conventions" as used by DfE.
"""

from __future__ import annotations

import logging
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
FILTER_COLUMNS = (
    "category",
    "age_group",
    "characteristic",
    "breakdown_topic",
    "breakdown",
    "population_type",
    "cla_group",
    "placement_stability",
    "care_leaver_age",
    "sw_stability",
    "stage_of_adoption_process",
    "age_start_poc",
)
#: GSS symbols that may stand in a numeric cell instead of a figure.
SYMBOLS = ("c", "x", "z", "low", "k", "u")
#: Symbol recorded for an empty cell in a measure column (no figure, no reason given).
EMPTY_CELL_SYMBOL = "x"
#: Header rows before the first data row (data row i, 0-based, is file row i + 2).
_HEADER_ROWS = 1

#: Days in a month when a ``YY:MM`` duration is read as days (a year of 365.25 days over 12 months).
DAYS_PER_MONTH = 365.25 / 12
#: Separator DfE uses in the codes and names of councils published jointly (``940 / 941``).
JOINT_SEPARATOR = " / "
#: At most this many values of a filter column are listed in an error message.
LISTED_VALUES = 12

_DURATION = re.compile(r"^(?P<years>\d{1,3}):(?P<months>\d{2})$")
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
    for label, text in frame["time_period"].items():
        try:
            years.append(year_ending_31_march(text))
        except ValueError:
            raise InputDataError(
                path,
                f"time_period {text!r} is not a year",
                row=int(label) + _HEADER_ROWS + 1,
                column="time_period",
                expected="a year such as 2015 or a financial year such as 201415",
            ) from None
    return pd.Series(years, index=frame.index, dtype="int64")


def duration_in_months(text: str) -> int:
    """Months in a duration DfE publishes as ``YY:MM`` text: ``01:07`` -> 19.

    Notes
    -----
    DfE, national_cla_adopted_average_time_between_adoption_process_stages (years and months); read as
    ``years x 12 + months``, as DfE's CSC outcomes and enablers dashboard reads it
    (dfe-analytical-services/CSC_outcomes_and_enablers, R/read_data.R, ``read_placement_order_match_data``).
    """
    match = _DURATION.match(text.strip())
    if not match or int(match["months"]) > 11:
        raise ValueError(text)
    return int(match["years"]) * 12 + int(match["months"])


def parse_measure(
    column: pd.Series, name: str, path: Path, duration: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Numbers and symbols of one measure column; a cell that is neither raises, naming its row.

    With ``duration`` (``"days"`` or ``"months"``) the cells are ``YY:MM`` text, read as months (x 365.25 / 12 for
    days).
    """
    text = column.str.strip()
    lowered = text.str.lower()
    is_symbol = lowered.isin(list(SYMBOLS))
    is_empty = text == ""
    candidates = text.where(~(is_symbol | is_empty))
    if duration is None:
        numbers = pd.to_numeric(candidates, errors="coerce").astype("float64")
        expected = f"a number or one of the symbols {', '.join(SYMBOLS)}"
    else:
        factor = DAYS_PER_MONTH if duration == "days" else 1.0

        def months(cell: object) -> float:
            try:
                return duration_in_months(str(cell)) * factor
            except ValueError:
                return np.nan

        numbers = candidates.map(months, na_action="ignore").astype("float64")
        expected = f"a duration as years:months (e.g. 01:07) or one of the symbols {', '.join(SYMBOLS)}"
    bad = ~is_symbol & ~is_empty & ~np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan))
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(
            path,
            f"value {column.iloc[position]!r} is neither a number nor a GSS symbol",
            row=int(column.index[position]) + _HEADER_ROWS + 1,
            column=name,
            expected=expected,
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


def split_joint_councils(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Rows published for two or more councils jointly (``940 / 941``) as one row per council with the joint figure.

    The codes and names in ``old_la_code``, ``new_la_code`` and ``la_name`` are split on ``/``; every other cell is
    repeated. A split row keeps the raw row's index label, so error messages still name the file's row.

    Notes
    -----
    DfE publishes some workforce figures for councils that share a children's services department (North and West
    Northamptonshire, ``940 / 941``; Kingston upon Thames and Richmond upon Thames, ``314 / 318``). DfE's LAIT shows
    the joint figure against each council; so does this reader, and the log names the rows.
    """
    if "old_la_code" not in frame.columns:
        return frame
    joint = frame["old_la_code"].str.contains("/", regex=False)
    if not joint.any():
        return frame
    rows, labels = [], []
    for label, row in frame.loc[joint].iterrows():
        codes = [c.strip() for c in row["old_la_code"].split("/")]
        columns = {}
        for name in ("new_la_code", "la_name"):
            if name in frame.columns:
                values = [v.strip() for v in str(row[name]).split("/")]
                columns[name] = values if len(values) == len(codes) else [str(row[name])] * len(codes)
        for n, code in enumerate(codes):
            new = row.copy()
            new["old_la_code"] = code
            for name, values in columns.items():
                new[name] = values[n]
            rows.append(new)
            labels.append(label)
    names = sorted(set(frame.loc[joint, "la_name"])) if "la_name" in frame.columns else []
    logger.info(
        "%s: %d rows published jointly for two councils (%s): each council is given the joint figure, as LAIT does",
        path.name,
        int(joint.sum()),
        "; ".join(names),
    )
    split = pd.DataFrame(rows, index=labels, columns=frame.columns)
    return pd.concat([frame.loc[~joint], split]).sort_index(kind="stable")


def filter_columns(frame: pd.DataFrame) -> list[str]:
    """The filter columns of an EES file: DfE's known ones, and any other column holding mostly text.

    A column is a measure when most of its non-empty cells are numbers, GSS symbols or ``YY:MM`` durations; one
    stray word in a measure column is then reported as a bad value, not mistaken for a breakdown.
    """
    found = []
    for name in frame.columns:
        if not name or name in GEOGRAPHY_COLUMNS or name.startswith("Unnamed:"):
            continue
        text = frame[name].str.strip()
        filled = text[text != ""]
        figure_like = (
            filled.str.lower().isin(list(SYMBOLS))
            | filled.str.fullmatch(_DURATION.pattern)
            | pd.to_numeric(filled, errors="coerce").notna()
        )
        if name in FILTER_COLUMNS or (len(filled) and (~figure_like).mean() > 0.5):
            found.append(name)
    return found


def measure_columns(columns: list[str], filters: list[str] | None = None) -> list[str]:
    """The measure columns of an EES file: everything that is not geography, time or a filter."""
    skip = set(GEOGRAPHY_COLUMNS) | set(FILTER_COLUMNS) | set(filters or [])
    return [c for c in columns if c and c not in skip and not c.startswith("Unnamed:")]


def listed_values(values: pd.Series) -> str:
    """The distinct values, quoted and sorted, at most ``LISTED_VALUES`` of them: for error messages."""
    unique = sorted({str(v) for v in values})
    shown = ", ".join(repr(v) for v in unique[:LISTED_VALUES])
    return shown + (f" and {len(unique) - LISTED_VALUES} more" if len(unique) > LISTED_VALUES else "")


def check_one_row_per_area(
    base: pd.DataFrame, frame: pd.DataFrame, filters: list[str], path: Path, measure: str | None = None
) -> None:
    """Refuse two rows for one area and year, naming the filter column that breaks the figure down and its values."""
    key = ["time_period", "geographic_level", "area_code", "old_la_code"]
    duplicated = base.duplicated(key, keep=False).to_numpy()
    if not duplicated.any():
        return
    first = int(np.flatnonzero(base.duplicated(key, keep="first").to_numpy())[0])
    row = int(base.index[first]) + _HEADER_ROWS + 1
    groups = base.loc[duplicated, key].astype("string").fillna("").agg("|".join, axis=1).to_numpy()
    for name in filters:
        varies = frame.loc[duplicated, name].groupby(groups).nunique().gt(1).any()
        if varies:
            where = f" for measure '{measure}'" if measure else ""
            raise InputDataError(
                path,
                f"the figures{where} are broken down by the filter column '{name}' (values "
                f"{listed_values(frame.loc[duplicated, name])}) and no value of it is selected",
                row=row,
                column=name,
                expected=f"one value of '{name}' chosen in config/benchmarks.yml (the measure's filters)",
            )
    raise InputDataError(
        path,
        "a second row for the same area and year",
        row=row,
        column="time_period",
        expected="one row per area and year",
    )


def read_rows_and_areas(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file's cells (joint councils split) and, on the same index, each row's year and area."""
    frame = _read_csv_text(path)
    _check_columns(frame, path)
    frame = split_joint_councils(frame, path)
    base = _areas(frame)
    base.insert(0, "time_period", _time_periods(frame, path))
    return frame, base


_TIDY_COLUMNS = [
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


def tidy_benchmarks(parts: list[pd.DataFrame], publication: str, path: Path) -> pd.DataFrame:
    """One measure's rows after another as the ``benchmarks`` table of ``publication`` (the log names the years)."""
    tidy = pd.concat(parts, ignore_index=True)
    tidy.insert(0, "publication", publication)
    logger.info(
        "Read %s: %d measures, years %d to %d",
        path.name,
        tidy["measure"].nunique(),
        tidy["time_period"].min(),
        tidy["time_period"].max(),
    )
    return tidy.loc[:, _TIDY_COLUMNS].astype(
        {"publication": "str", "area_code": "str", "area_name": "str", "measure": "str", "symbol": "str"}
    )


def read_ees_file(path: Path, publication: str) -> pd.DataFrame:
    """Read every measure column of an EES open-data CSV file that has one row per area and year.

    Parameters
    ----------
    path
        The CSV file (UTF-8, with or without a byte-order mark).
    publication
        The publication id written in the ``publication`` column.

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
        value that is neither a number nor a GSS symbol (with its row and column), or a file that breaks its
        figures down by a filter column (the column and its values are named: read it with
        :func:`analysis.inputs.ees_publications.read_publication` and the filter values chosen in
        ``config/benchmarks.yml``).

    Notes
    -----
    Inner London and Outer London (E13000001/2) are kept as regional rows beside London (E12000007), as DfE
    publishes them. Jointly published councils: :func:`split_joint_councils`.
    """
    path = Path(path)
    frame, base = read_rows_and_areas(path)
    filters = filter_columns(frame)
    measures = measure_columns(list(frame.columns), filters)
    if not measures:
        raise InputDataError(
            path, "no measure columns", expected="at least one column after the geography columns"
        )
    check_one_row_per_area(base, frame, filters, path)
    parts = []
    for name in measures:
        values, symbols = parse_measure(frame[name], name, path)
        parts.append(base.assign(measure=name, value=values, symbol=symbols))
    return tidy_benchmarks(parts, publication, path)
