"""Read a DfE publication as ``config/benchmarks.yml`` selects its measures: rows, columns and counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.errors import InputDataError
from analysis.inputs.ees import (
    GEOGRAPHY_COLUMNS,
    check_one_row_per_area,
    filter_columns,
    listed_values,
    parse_measure,
    read_rows_and_areas,
    tidy_benchmarks,
)

if TYPE_CHECKING:
    from analysis.config_benchmarks import BenchmarkMeasure, Publication

#: Suffix of the measure that carries the count of children behind a figure (``rereferral_percent:count``).
COUNT_SUFFIX = ":count"


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
                f"no row has {name} = {wanted!r} (measure '{measure}'); its values are {listed_values(cells)}",
                column=name,
                expected=f"one of the values of '{name}' in config/benchmarks.yml",
            )
        mask &= matches
    return mask


def _percentage_of_columns(
    rows: pd.DataFrame, numerator: list[str], denominator: list[str], decimals: int, path: Path
) -> tuple[pd.Series, pd.Series]:
    """100 x sum(numerator) / sum(denominator), rounded; a suppressed part suppresses the figure (``c``)."""
    parsed = {c: parse_measure(rows[c], c, path) for c in dict.fromkeys(numerator + denominator)}
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
        As :func:`analysis.inputs.ees.read_ees_file`; and a configured column, filter column or filter value that the file does not
        have, or a breakdown left unselected (the filter column and its values are named).

    Notes
    -----
    DfE's open-data files repeat the geography for each value of their filter columns (e.g. ``population_type``,
    ``cla_group``, ``care_leaver_age``, ``breakdown``); DfE analytical services, "Open data standards".
    """
    path = Path(path)
    frame, base = read_rows_and_areas(path)
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
        check_one_row_per_area(rows_base, rows, unselected, path, measure=name)
        parts.append(_measure_rows(rows, rows_base, name, measure, path))
        if measure.count:
            counts, symbols = parse_measure(rows[measure.count], measure.count, path)
            parts.append(rows_base.assign(measure=name + COUNT_SUFFIX, value=counts, symbol=symbols))
    return tidy_benchmarks(parts, publication, path)


def _measure_rows(
    rows: pd.DataFrame, base: pd.DataFrame, name: str, measure: BenchmarkMeasure, path: Path
) -> pd.DataFrame:
    if measure.percentage is not None:
        spec = measure.percentage
        values, symbols = _percentage_of_columns(rows, spec.numerator, spec.denominator, spec.decimals, path)
    else:
        assert measure.column is not None
        values, symbols = parse_measure(rows[measure.column], measure.column, path, measure.duration)
    return base.assign(measure=name, value=values, symbol=symbols)
