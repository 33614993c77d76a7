"""Read DfE's Explore Education Statistics (EES) open-data CSV files into the tidy ``benchmarks`` table.

EES files start with the standard geography and time columns (``time_period``, ``time_identifier``,
``geographic_level``, ``country_code`` ... ``la_name``), then optional filter columns (``category``,
``age_group``), then one column per measure. Columns are read by name: their order differs between files.
Cells of a measure column hold a number or a GSS symbol saying why there is none (``c`` suppressed, ``x`` not
available, ``z`` not applicable, ``low``, ``k``, ``u``). The statistical-neighbour groupings are a different,
non-EES file with its own reader here.

:func:`read_publication` reads a file as ``config/benchmarks.yml`` describes it: each measure's column, the filter
values that select its rows (``population_type: Children looked after on 31 March each year``), the count of
children behind it, and ``YY:MM`` durations. :func:`read_ees_file` reads every measure column of a file that has
one row per area and year. Rows DfE publishes for two councils jointly (``old_la_code`` ``940 / 941``) become one
row per council carrying the joint figure, as DfE's LAIT does, and the log says so.

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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.errors import InputDataError
from analysis.suppression import small_count

if TYPE_CHECKING:
    from analysis.config_benchmarks import BenchmarkMeasure, Publication

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

#: Suffix of the measure that carries the count of children behind a figure (``rereferral_percent:count``).
COUNT_SUFFIX = ":count"
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


def _parse_measure(
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


def _listed(values: pd.Series) -> str:
    unique = sorted({str(v) for v in values})
    shown = ", ".join(repr(v) for v in unique[:LISTED_VALUES])
    return shown + (f" and {len(unique) - LISTED_VALUES} more" if len(unique) > LISTED_VALUES else "")


def _check_one_row_per_area(
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
                f"{_listed(frame.loc[duplicated, name])}) and no value of it is selected",
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


def _prepare(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def _tidy(parts: list[pd.DataFrame], publication: str, path: Path) -> pd.DataFrame:
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
        :func:`read_publication` and the filter values chosen in ``config/benchmarks.yml``).

    Notes
    -----
    Inner London and Outer London (E13000001/2) are kept as regional rows beside London (E12000007), as DfE
    publishes them. Jointly published councils: :func:`split_joint_councils`.
    """
    path = Path(path)
    frame, base = _prepare(path)
    filters = filter_columns(frame)
    measures = measure_columns(list(frame.columns), filters)
    if not measures:
        raise InputDataError(
            path, "no measure columns", expected="at least one column after the geography columns"
        )
    _check_one_row_per_area(base, frame, filters, path)
    parts = []
    for name in measures:
        values, symbols = _parse_measure(frame[name], name, path)
        parts.append(base.assign(measure=name, value=values, symbol=symbols))
    return _tidy(parts, publication, path)


def _require_columns(frame: pd.DataFrame, names: list[str], path: Path, measure: str) -> None:
    for name in names:
        if name not in frame.columns:
            raise InputDataError(
                path,
                f"no column '{name}' (measure '{measure}' in config/benchmarks.yml); the file has "
                f"{', '.join(c for c in frame.columns if c not in GEOGRAPHY_COLUMNS)}",
                row=1,
                column=name,
                expected=f"the column '{name}' as DfE publishes it",
            )


def _selected(frame: pd.DataFrame, filters: dict[str, str], path: Path, measure: str) -> np.ndarray:
    """Rows whose filter columns hold the chosen values (compared without surrounding spaces)."""
    mask = np.ones(len(frame), dtype=bool)
    for name, wanted in filters.items():
        if name not in frame.columns:
            raise InputDataError(
                path,
                f"no filter column '{name}' (measure '{measure}' in config/benchmarks.yml); filter columns "
                f"present: {', '.join(filter_columns(frame)) or 'none'}",
                row=1,
                column=name,
                expected=f"a column '{name}'",
            )
        cells = frame[name].str.strip()
        matches = (cells == wanted.strip()).to_numpy()
        if not matches.any():
            raise InputDataError(
                path,
                f"no row has {name} = {wanted!r} (measure '{measure}'); its values are {_listed(cells)}",
                column=name,
                expected=f"one of the values of '{name}' in config/benchmarks.yml",
            )
        mask &= matches
    return mask


def _percentage_of_columns(
    rows: pd.DataFrame, numerator: list[str], denominator: list[str], decimals: int, path: Path
) -> tuple[pd.Series, pd.Series]:
    """100 x sum(numerator) / sum(denominator), rounded; a suppressed part suppresses the figure (``c``)."""
    parsed = {c: _parse_measure(rows[c], c, path) for c in dict.fromkeys(numerator + denominator)}
    top = sum(parsed[c][0] for c in numerator)
    bottom = sum(parsed[c][0] for c in denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (100 * top / bottom.where(bottom > 0)).round(decimals)
    part_symbols = pd.concat([parsed[c][1] for c in parsed], axis=1)
    first = part_symbols.bfill(axis=1).iloc[:, 0]
    any_suppressed = part_symbols.eq("c").any(axis=1)
    symbols = first.mask(any_suppressed, "c").fillna("z").where(values.isna())
    return values.astype("float64"), symbols.astype("str")


def read_publication(path: Path, publication: str, spec: Publication) -> pd.DataFrame:
    """Read a published file as ``config/benchmarks.yml`` describes it: each measure's column, filters and count.

    Parameters
    ----------
    path
        The CSV file as DfE publishes it.
    publication
        The publication id (``spec`` is its entry in ``config/benchmarks.yml``).
    spec
        The publication's measures: column (or a percentage of summed columns), the filter values selecting the
        measure's rows, the column of the count of children behind it and whether it is a ``YY:MM`` duration.

    Returns
    -------
    pandas.DataFrame
        Rows of the ``benchmarks`` table, ``measure`` being the configured measure name; a measure with a ``count``
        also gives rows ``<measure>:count`` (for small-number suppression of the authority's own figure).

    Raises
    ------
    InputDataError
        As :func:`read_ees_file`; and a configured column, filter column or filter value that the file does not
        have, or a breakdown left unselected (the filter column and its values are named).

    Notes
    -----
    DfE's open-data files repeat the geography for each value of their filter columns (e.g. ``population_type``,
    ``cla_group``, ``care_leaver_age``, ``breakdown``); DfE analytical services, "Open data standards".
    """
    path = Path(path)
    frame, base = _prepare(path)
    filters = filter_columns(frame)
    parts = []
    for name, measure in spec.measures.items():
        columns = (
            [measure.column]
            if measure.column is not None
            else [*measure.percentage.numerator, *measure.percentage.denominator]  # type: ignore[union-attr]
        )
        _require_columns(frame, [*columns, *([measure.count] if measure.count else [])], path, name)
        mask = _selected(frame, measure.filters, path, name)
        rows, rows_base = frame.loc[mask], base.loc[mask]
        unselected = [f for f in filters if f not in measure.filters]
        _check_one_row_per_area(rows_base, rows, unselected, path, measure=name)
        parts.append(_measure_rows(rows, rows_base, name, measure, path))
        if measure.count:
            counts, symbols = _parse_measure(rows[measure.count], measure.count, path)
            parts.append(rows_base.assign(measure=name + COUNT_SUFFIX, value=counts, symbol=symbols))
    return _tidy(parts, publication, path)


def _measure_rows(
    rows: pd.DataFrame, base: pd.DataFrame, name: str, measure: BenchmarkMeasure, path: Path
) -> pd.DataFrame:
    if measure.percentage is not None:
        spec = measure.percentage
        values, symbols = _percentage_of_columns(rows, spec.numerator, spec.denominator, spec.decimals, path)
    else:
        assert measure.column is not None
        values, symbols = _parse_measure(rows[measure.column], measure.column, path, measure.duration)
    return base.assign(measure=name, value=values, symbol=symbols)


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


NEIGHBOUR_COLUMNS = [
    "old_la_code",
    "la_name",
    "neighbour_rank",
    "neighbour_old_la_code",
    "closeness",
    "model",
]


def read_neighbour_model(path: Path) -> pd.DataFrame:
    """Read DfE's statistical neighbour file, in its 2025 or its April 2021 layout, as one row per neighbour.

    Layouts
    -------
    2025 model (``sn_model_2025_wide.csv``): ``old_la_code, la_name, region_ind, region_name, SN_1, SN_1P, ...,
    SN_10, SN_10P`` (closeness in ``SN_nP``), UTF-8 with a byte-order mark. April 2021 groupings
    (``New_Statistical_Neighbour_Groupings_April_2021.csv``): ``LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP,
    SN2, SNP, ...`` (the closeness heading ``SNP`` repeated after each neighbour), a trailing comma on some rows, a
    note row ("Old SNs:") before the authorities that no longer exist.

    Returns
    -------
    pandas.DataFrame
        ``old_la_code`` (the authority), ``la_name``, ``neighbour_rank`` (1 = closest), ``neighbour_old_la_code``,
        ``closeness`` (e.g. "Very close") and ``model`` (the file name).

    Raises
    ------
    InputDataError
        Missing file, empty file, a header of neither layout, or a code that is not a whole number (with its row
        and column).

    Notes
    -----
    DfE, "Children's services statistical neighbour benchmarking tool" (2025 model; April 2021 groupings). LAIT
    takes an authority's ten neighbours from this file (dfe-analytical-services/local-authority-interactive-tool,
    01_data/02_prod/sn_may_2025.xlsx).
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(path, "file not found", expected="DfE's statistical neighbour file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise InputDataError(path, f"not UTF-8 text ({error.reason})", expected="a UTF-8 CSV file") from None
    if not rows:
        raise InputDataError(path, "the file is empty", expected="a header row and one row per authority")
    header = [h.strip() for h in rows[0]]
    if "old_la_code" in header:
        key, name_column, pattern = "old_la_code", "la_name", r"SN_(\d+)"
    elif "LA num" in header:
        key, name_column, pattern = "LA num", "LA Name", r"SN(\d+)"
    else:
        raise InputDataError(
            path,
            "neither DfE layout: no 'old_la_code' (2025 model) nor 'LA num' (2021 groupings) column",
            row=1,
            column=header[0] if header else None,
            expected="the header of sn_model_2025_wide.csv or New_Statistical_Neighbour_Groupings_April_2021.csv",
        )
    key_at = header.index(key)
    name_at = header.index(name_column) if name_column in header else None
    neighbour_columns = sorted(
        ((int(m[1]), i) for i, h in enumerate(header) if (m := re.fullmatch(pattern, h))), key=lambda p: p[0]
    )
    if not neighbour_columns:
        first = "SN_1" if key == "old_la_code" else "SN1"
        raise InputDataError(
            path, f"no {first}, ... columns", row=1, column=first, expected="DfE's neighbour columns"
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

    records = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= key_at or not row[key_at].strip():
            # Blank rows and notes such as "Old SNs:" (the pre-2019/2021 authorities that follow are kept).
            continue
        authority = code(row[key_at].strip(), number, key)
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        for rank, at in neighbour_columns:
            if at < len(row) and row[at].strip():
                closeness = row[at + 1].strip() if at + 1 < len(row) else ""
                records.append(
                    (authority, name, rank, code(row[at].strip(), number, header[at]), closeness, path.name)
                )
    frame = pd.DataFrame.from_records(records, columns=NEIGHBOUR_COLUMNS)
    logger.info(
        "Read %s: statistical neighbours of %d authorities", path.name, frame["old_la_code"].nunique()
    )
    return frame.astype(
        {
            "old_la_code": "Int64",
            "la_name": "str",
            "neighbour_rank": "int64",
            "neighbour_old_la_code": "Int64",
            "closeness": "str",
            "model": "str",
        }
    )


def neighbours_of(model: pd.DataFrame, old_la_code: int) -> list[int]:
    """An authority's statistical neighbours (old LA codes), closest first; empty if the model does not list it."""
    rows = model.loc[model["old_la_code"].eq(old_la_code).fillna(False)].sort_values("neighbour_rank")
    return [int(c) for c in rows["neighbour_old_la_code"]]


def read_statistical_neighbours(path: Path) -> dict[int, list[int]]:
    """Each authority's old LA code -> its neighbours, closest first, from either DfE layout.

    Notes
    -----
    See :func:`read_neighbour_model` for the two layouts and the source.
    """
    model = read_neighbour_model(path)
    return {int(a): neighbours_of(model, int(a)) for a in model["old_la_code"].unique()}


# ------------------------------------------------------------------------- looked-after and CIN breakdowns
#: The measure of ``c3`` that counts the assessments with factor information: the denominator of every factor.
EPISODES_WITH_FACTORS = "Episodes_with_assessment_factor"
#: Who a factor concerns, by the suffix of DfE's column name (CIN census guide: child, parent or carer, another
#: person living in the household).
FACTOR_CONCERNS = {"_child": "the child", "_parent": "a parent or carer", "_person": "another person"}
#: Why the authority's figure is absent from a breakdown.
WITHHELD_SMALL = "c: from 1 to 5 children"
WITHHELD_SECONDARY = "c: withheld so that a suppressed figure cannot be worked out from the total"
WITHHELD_BY_DFE = "c: suppressed by DfE"
NOT_AVAILABLE = "x: not available"


def _england_and_authority(benchmarks: pd.DataFrame, publication: str, old_la_code: int) -> pd.DataFrame:
    rows = benchmarks.loc[benchmarks["publication"] == publication]
    is_england = rows["geographic_level"].eq("National")
    is_ours = rows["geographic_level"].eq("Local authority") & rows["old_la_code"].eq(old_la_code).fillna(
        False
    )
    return rows.assign(area=np.where(is_england, "england", np.where(is_ours, "authority", ""))).loc[
        is_england | is_ours
    ]


def _withheld_reason(value: float, symbol: object, count: float, lower: int, upper: int) -> str:
    if pd.isna(value):
        return WITHHELD_BY_DFE if isinstance(symbol, str) and symbol == "c" else NOT_AVAILABLE
    if pd.notna(count) and bool(small_count([count], lower=lower, upper=upper).iloc[0]):
        return WITHHELD_SMALL
    return ""


def factor_label(column: str) -> str:
    """A factor's name in words: ``Domestic_Abuse_parent`` -> "Domestic abuse (concerning a parent or carer)"."""
    for suffix, who in FACTOR_CONCERNS.items():
        if column.endswith(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ').capitalize()} (concerning {who})"
    return column.replace("_", " ").capitalize()


def assessment_factors(
    benchmarks: pd.DataFrame,
    old_la_code: int,
    *,
    publication: str = "c3",
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """Factors identified at the end of assessment, the authority against England, one row per year and factor.

    Parameters
    ----------
    benchmarks
        The ``benchmarks`` table (rows of ``publication``, read by :func:`read_publication` as
        ``config/benchmarks.yml`` describes ``c3``).
    old_la_code
        The authority.
    lower, upper
        The small-number rule (``config.suppression``): an authority count from ``lower`` to ``upper`` is withheld.

    Returns
    -------
    pandas.DataFrame
        ``time_period``, ``factor`` (DfE's column), ``factor_label``, ``authority_count`` and
        ``authority_percent`` (of the authority's assessments with factor information; both absent where withheld,
        ``authority_withheld`` saying why), ``england_count`` and ``england_percent``. Sorted by year, then by
        England's percentage, largest first.

    Notes
    -----
    DfE, Characteristics of children in need, table C3 (``c3_factors_identified_at_end_of_assessment``): the
    number of episodes in which each factor was identified at the end of assessment; more than one factor may be
    recorded for an assessment, so the percentages do not add up to 100. The percentage is of the episodes with
    assessment factor information (``Episodes_with_assessment_factor``), as DfE computes it; small numbers:
    :func:`analysis.suppression.small_count`.
    """
    rows = _england_and_authority(benchmarks, publication, old_la_code)
    columns = [
        "time_period",
        "factor",
        "factor_label",
        "authority_count",
        "authority_percent",
        "authority_withheld",
        "england_count",
        "england_percent",
    ]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    wide = rows.pivot_table(
        index=["time_period", "measure"], columns="area", values="value", aggfunc="first", dropna=False
    )
    symbols = rows.pivot_table(
        index=["time_period", "measure"], columns="area", values="symbol", aggfunc="first", dropna=False
    )
    wide = wide.reindex(columns=["authority", "england"])
    symbols = symbols.reindex(columns=["authority", "england"])
    records = []
    for year in sorted(wide.index.get_level_values("time_period").unique()):
        per_year = wide.xs(year, level="time_period")
        if EPISODES_WITH_FACTORS not in per_year.index:
            continue
        denominator = per_year.loc[EPISODES_WITH_FACTORS]
        for factor, figures in per_year.drop(index=EPISODES_WITH_FACTORS).iterrows():
            count = figures["authority"]
            withheld = _withheld_reason(count, symbols.loc[(year, factor), "authority"], count, lower, upper)
            with np.errstate(divide="ignore", invalid="ignore"):
                ours = 100 * count / denominator["authority"] if denominator["authority"] > 0 else np.nan
                england = (
                    100 * figures["england"] / denominator["england"]
                    if denominator["england"] > 0
                    else np.nan
                )
            records.append(
                {
                    "time_period": int(year),
                    "factor": str(factor),
                    "factor_label": factor_label(str(factor)),
                    "authority_count": np.nan if withheld else count,
                    "authority_percent": np.nan if withheld else round(float(ours), 1),
                    "authority_withheld": withheld,
                    "england_count": figures["england"],
                    "england_percent": round(float(england), 1) if pd.notna(england) else np.nan,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame = frame.sort_values(["time_period", "england_percent", "factor"], ascending=[True, False, True])
    return frame.reset_index(drop=True).astype(
        {"time_period": "int64", "factor": "str", "factor_label": "str", "authority_withheld": "str"}
    )


def distance_from_home(
    benchmarks: pd.DataFrame,
    spec: Publication,
    old_la_code: int,
    *,
    publication: str = "new_placements",
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """New placements during the year by location and distance from home, the authority against England.

    Parameters
    ----------
    benchmarks
        The ``benchmarks`` table (rows of ``publication``).
    spec
        The publication's entry in ``config/benchmarks.yml``: its measures with a ``count`` are the locations (their
        ``breakdown`` filter names them as DfE does); the measure of the same ``characteristic`` whose breakdown is
        a total is the number of new placements.
    old_la_code
        The authority.
    lower, upper
        The small-number rule (``config.suppression``).

    Returns
    -------
    pandas.DataFrame
        ``time_period``, ``location`` (DfE's breakdown, e.g. "Placed outside LA boundary more than 20 miles from
        home"), ``authority_count``, ``authority_percent`` (absent where withheld, ``authority_withheld`` saying
        why), ``authority_new_placements``, ``england_percent`` and ``england_new_placements``.

    Notes
    -----
    DfE, Children looked after in England including adoptions, ``la_cla_during_year_new_placements``: percentages
    of the year's new placements, as DfE publishes them. The locations partition the total, so where exactly one
    of a year's counts is withheld and the total is shown, the smallest other count above zero is withheld too, or
    the total where there is none; a total of 1 to 5 is withheld (secondary suppression: DfE, "Statistics at DfE:
    policy statement on confidentiality").
    """
    locations = {name: m for name, m in spec.measures.items() if m.count is not None}
    if not locations:
        raise ValueError(f"publication {publication}: no measure with a count (the locations)")
    characteristic = next(iter(locations.values())).filters.get("characteristic")
    totals = [
        name
        for name, m in spec.measures.items()
        if m.count is None
        and m.filters.get("characteristic") == characteristic
        and m.filters.get("breakdown", "").startswith("Total")
    ]
    rows = _england_and_authority(benchmarks, publication, old_la_code)
    columns = [
        "time_period",
        "location",
        "authority_count",
        "authority_percent",
        "authority_withheld",
        "authority_new_placements",
        "england_percent",
        "england_new_placements",
    ]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})

    cells = {
        (int(year), str(measure), str(area)): (float(value), symbol)
        for year, measure, area, value, symbol in zip(
            rows["time_period"], rows["measure"], rows["area"], rows["value"], rows["symbol"], strict=True
        )
    }

    def figure(year: int, measure: str, area: str) -> tuple[float, object]:
        return cells.get((year, measure, area), (np.nan, "x"))

    records = []
    for year in sorted(int(y) for y in rows["time_period"].unique()):
        total = figure(year, totals[0], "authority")[0] if totals else np.nan
        england_total = figure(year, totals[0], "england")[0] if totals else np.nan
        block: list[dict[str, Any]] = []
        for name, measure in locations.items():
            percent, symbol = figure(year, name, "authority")
            count = figure(year, name + COUNT_SUFFIX, "authority")[0]
            block.append(
                {
                    "time_period": year,
                    "location": measure.filters.get("breakdown", name),
                    "authority_count": count,
                    "authority_percent": percent,
                    "authority_withheld": _withheld_reason(percent, symbol, count, lower, upper),
                    "authority_new_placements": total,
                    "england_percent": figure(year, name, "england")[0],
                    "england_new_placements": england_total,
                }
            )
        if pd.notna(total) and bool(small_count([total], lower=lower, upper=upper).iloc[0]):
            total = np.nan
        withheld = [r for r in block if r["authority_withheld"]]
        if len(withheld) == 1 and pd.notna(total):
            # A zero withheld beside it would give it back (the two add up to a small number): the smallest
            # count above zero is withheld; if there is none, the total is.
            shown = [r for r in block if not r["authority_withheld"] and r["authority_count"] > 0]
            if shown:
                min(shown, key=lambda r: r["authority_count"])["authority_withheld"] = WITHHELD_SECONDARY
            else:
                total = np.nan
        for r in block:
            r["authority_new_placements"] = total
            if r["authority_withheld"]:
                r["authority_count"], r["authority_percent"] = np.nan, np.nan
        records.extend(block)
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype({"time_period": "int64", "location": "str", "authority_withheld": "str"})
