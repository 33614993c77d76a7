"""Cleaning the monthly local scorecard: a wide sheet (indicators as rows, months as columns) made tidy.

Notes
-----
Rows are matched to indicators through ``scorecard_label`` in ``config/indicators.yml`` after normalising case,
spaces and punctuation. A figure written as ``n/a``, ``-`` or left blank has no value and the GSS symbol ``x``
(not available), as in DfE's tidy-data convention (DfE analysts' guide, "Symbols in tables"). Text that is neither
a number nor such a marker (``TBC``, ``£64``) has no value either, but is a data-quality finding: each such cell is
recorded in the quarantine table with its file, sheet, row and column, and shown in the report's data-quality
section.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.inputs.parsing import clean_text, is_missing, normalise_heading, parse_month, parse_number
from analysis.schemas import schema
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import (
    HEADER_SEARCH_ROWS,
    RawSheet,
    data_below_header,
    read_csv_cells,
    read_excel_sheets,
)

logger = logging.getLogger(__name__)

SCORECARD_STEM = "scorecard"
SCORECARD_SHEET = "Scorecard"
NOT_AVAILABLE = "x"
EXPECTED_MONTHS = "month headings like Apr-15, April 2015 or 2015-04 (or date cells) in one row"
UNREADABLE_FIGURE = "figure is text that is not a number (such as TBC or £64): no value used; correct the cell or leave it blank"


def locate_workbook_or_csv(raw_dir: Path, stem: str, what: str) -> Path:
    """``<stem>.xlsx`` or ``<stem>.csv`` in the raw folder (the workbook wins); error naming both if neither."""
    for suffix in (".xlsx", ".csv"):
        path = raw_dir / f"{stem}{suffix}"
        if path.is_file():
            return path
    raise InputDataError(
        raw_dir / f"{stem}.xlsx", f"the {what} is missing", expected=f"{stem}.xlsx or {stem}.csv"
    )


def read_scorecard_sheet(path: Path, raw_dir: Path) -> RawSheet:
    """The scorecard's cells: the sheet called ``Scorecard`` if there is one, else the first sheet, or the CSV."""
    if path.suffix.lower() == ".csv":
        return read_csv_cells(path, raw_dir)
    sheets = read_excel_sheets(
        path, raw_dir, [SCORECARD_SHEET], first_if_missing=True, percent_as_fraction=True
    )
    return sheets[SCORECARD_SHEET]


def month_columns(sheet: RawSheet) -> tuple[int, dict[int, pd.Timestamp]]:
    """The heading row and ``{column position: month}`` of the row with the most month headings."""
    best_row: int | None = None
    best: dict[int, pd.Timestamp] = {}
    for row_number in sheet.cells.index[:HEADER_SEARCH_ROWS]:
        months = {}
        for position, value in enumerate(sheet.cells.loc[row_number].tolist()):
            month = parse_month(value)
            if month is not None:
                months[position] = month
        if len(months) > len(best):
            best_row, best = row_number, months
    if best_row is None:
        raise sheet.error("no month columns found", expected=EXPECTED_MONTHS)
    return int(best_row), best


def _heading_text(value: object) -> str:
    if hasattr(value, "strftime"):
        return f"{value:%Y-%m-%d}"
    return clean_text(value)


def clean_scorecard(sheet: RawSheet, config: ProjectConfig, log: CleaningLog) -> pd.DataFrame:
    """The scorecard as a tidy table: one row per configured indicator and month (``scorecard`` schema).

    Notes
    -----
    Percentages keep their percent scale (``62.5%`` -> 62.5). Footnote and other rows whose label is not a
    configured ``scorecard_label`` are ignored; a configured indicator missing from the sheet is a warning (the
    data checks report completeness).
    """
    table = "scorecard"
    header_row, months = month_columns(sheet)
    _, body = data_below_header(sheet, header_row)
    wanted = {
        normalise_heading(i.scorecard_label): i.id
        for i in config.indicators
        if i.source == "scorecard" and i.scorecard_label
    }
    label_positions = [p for p in body.columns if p not in months]
    if not label_positions:
        raise sheet.error(
            "no column of indicator names found", row=header_row, expected="indicator names in column A"
        )
    label_position = max(
        label_positions, key=lambda p: (sum(normalise_heading(v) in wanted for v in body[p]), -p)
    )
    headings = sheet.cells.loc[header_row]
    records, seen = [], set()
    fixed_text = not_available = 0
    unreadable: dict[str, list[int]] = {}
    for row_number, row in body.iterrows():
        label = normalise_heading(row[label_position])
        indicator_id = wanted.get(label)
        if indicator_id is None:
            if label:
                logger.debug(
                    "%s row %d: '%s' is not a configured scorecard row: ignored",
                    sheet.file,
                    row_number,
                    label,
                )
            continue
        if indicator_id in seen:
            logger.warning("%s row %d: a second row for '%s': ignored", sheet.file, row_number, indicator_id)
            continue
        seen.add(indicator_id)
        for position, month in months.items():
            cell = row[position]
            value = parse_number(cell)
            if value is None:
                not_available += 1
                if isinstance(cell, str) and not is_missing(cell):
                    unreadable.setdefault(_heading_text(headings[position]), []).append(int(row_number))
            elif isinstance(cell, str):
                text = clean_text(cell)
                fixed_text += not text.replace(".", "", 1).lstrip("-").isdigit()
            records.append(
                {
                    "indicator_id": indicator_id,
                    "month": month,
                    "value": value,
                    "symbol": NOT_AVAILABLE if value is None else None,
                    "source_row": int(row_number),
                    "source_column": _heading_text(headings[position]),
                }
            )
    for label, indicator_id in wanted.items():
        if indicator_id not in seen:
            logger.warning(
                "%s: no row for the scorecard indicator '%s' (label '%s')", sheet.file, indicator_id, label
            )
    for column, rows in unreadable.items():
        logger.warning(
            "%s%s column '%s': %d figure(s) are text that is not a number (rows %s): no value used",
            sheet.file,
            f" sheet '{sheet.sheet}'" if sheet.sheet else "",
            column,
            len(rows),
            ", ".join(map(str, rows[:10])),
        )
        log.quarantine(table, sheet.file, sheet.sheet, rows, column, UNREADABLE_FIGURE)
    frame = pd.DataFrame(records, columns=schema(table).column_names)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[s]")
    rows_read = len(frame)
    frame = frame.sort_values(["indicator_id", "month", "source_row"], kind="stable")
    duplicated = frame.duplicated(subset=["indicator_id", "month"], keep="first")
    frame = frame.loc[~duplicated].reset_index(drop=True)
    log.fix(table, "numbers.text", "Figures written as text (1,234 or 62.5%) read as numbers", fixed_text)
    log.fix(
        table, "numbers.not_available", "Figures given as n/a, - or blank: no value, symbol x", not_available
    )
    log.fix(
        table, "duplicates.natural_key", "Second column for the same month removed", int(duplicated.sum())
    )
    log.count(
        table,
        rows_read=rows_read,
        duplicates_removed=int(duplicated.sum()),
        fixed=fixed_text + not_available,
        written=len(frame),
    )
    log.source(
        table,
        sheet.file,
        sheet.sheet,
        rows_read=rows_read,
        duplicates_removed=int(duplicated.sum()),
        rows_written=len(frame),
    )
    return frame
