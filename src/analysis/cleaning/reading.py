"""Reading raw files as they are: CSV (UTF-8, else Windows-1252) and Excel sheets, keeping Excel's row numbers.

A raw sheet is returned as a frame of untouched cell values (object dtype) whose index is the row number the
analyst sees in Excel or a text editor (1-based). Finding the heading row and mapping headings also lives here.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from analysis.errors import InputDataError
from analysis.parsing import is_missing, normalise_heading

logger = logging.getLogger(__name__)

#: Rows searched for the heading row (title and blank rows may sit above it).
HEADER_SEARCH_ROWS = 30
#: Encodings tried for CSV files, in order (Excel on Windows saves "CSV" as Windows-1252).
CSV_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class RawSheet:
    """The cells of one CSV file or Excel sheet, with where they came from."""

    file: str  # file name relative to the raw folder, for messages and the audit tables
    sheet: str | None
    cells: pd.DataFrame  # object dtype; index = 1-based row number; columns 0..n-1
    path: Path

    def error(self, problem: str, **where: object) -> InputDataError:
        """An :class:`InputDataError` naming this file and sheet."""
        return InputDataError(self.path, problem, sheet=self.sheet, **where)  # type: ignore[arg-type]


def relative_name(path: Path, raw_dir: Path) -> str:
    """``path`` relative to the raw folder, with forward slashes (``annex_a/List_1.csv``)."""
    try:
        return Path(path).relative_to(raw_dir).as_posix()
    except ValueError:
        return Path(path).name


def read_csv_cells(path: Path, raw_dir: Path) -> RawSheet:
    """Read a CSV file as text cells; UTF-8 (with or without BOM) first, then Windows-1252 (logged)."""
    if not path.is_file():
        raise InputDataError(path, "the file does not exist")
    data = path.read_bytes()
    if not data.strip():
        raise InputDataError(path, "the file is empty", expected="a heading row and data rows")
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != CSV_ENCODINGS[0]:
            logger.warning("%s is not UTF-8: read it as %s", path.name, encoding)
        break
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise InputDataError(path, "the file is neither UTF-8 nor Windows-1252 text")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # The widest row sets the columns: a title or blank line above the headings must not (pandas would take
    # the first line's width).
    width = max((len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)), default=0)
    cells = pd.read_csv(
        io.StringIO(text),
        header=None,
        names=list(range(width)),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        sep=delimiter,
        engine="c",
    )
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return RawSheet(relative_name(path, raw_dir), None, cells, path)


def read_excel_sheets(
    path: Path,
    raw_dir: Path,
    sheets: list[str],
    *,
    optional: tuple[str, ...] = (),
    first_if_missing: bool = False,
    percent_as_fraction: bool = False,
) -> dict[str, RawSheet]:
    """Read the named sheets of a workbook as cells (dates as ``datetime``, numbers as numbers), opening it once.

    Sheet names are matched ignoring case and spacing. ``optional`` sheets are read if present. With
    ``first_if_missing`` a missing (single) wanted sheet is replaced by the workbook's first sheet. With
    ``percent_as_fraction`` a number cell formatted as a percentage (0.625 shown as 62.5%) is returned as the
    percentage (62.5), as a reader of the sheet sees it; this needs full (slower) cell access.
    """
    if not path.is_file():
        raise InputDataError(path, "the file does not exist")
    if percent_as_fraction:
        return _read_with_openpyxl(path, raw_dir, sheets, optional, first_if_missing)
    return _read_with_calamine(path, raw_dir, sheets, optional, first_if_missing)


def _choose_sheets(
    path: Path, names: list[str], sheets: list[str], optional: tuple[str, ...], first_if_missing: bool
) -> dict[str, str]:
    """Wanted sheet -> the workbook's sheet name (case and spacing ignored); a missing required sheet is an error."""
    present = {normalise_heading(name): name for name in names}
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for wanted in [*sheets, *optional]:
        actual = present.get(normalise_heading(wanted))
        if actual is None and first_if_missing and wanted in sheets:
            actual = names[0]
        if actual is None:
            if wanted not in optional:
                missing.append(wanted)
            continue
        chosen[wanted] = actual
    if len(missing) == 1:
        raise InputDataError(
            path,
            "the sheet is missing",
            sheet=missing[0],
            expected=f"a sheet called '{missing[0]}' (sheets: {', '.join(names)})",
        )
    if missing:  # every missing sheet in one error, so the workbook can be put right in one go
        listed = ", ".join(f"'{m}'" for m in missing)
        raise InputDataError(
            path,
            f"{len(missing)} sheets are missing: {listed}",
            expected=f"those sheets (sheets: {', '.join(names)})",
        )
    return chosen


def _read_with_calamine(
    path: Path, raw_dir: Path, sheets: list[str], optional: tuple[str, ...], first_if_missing: bool
) -> dict[str, RawSheet]:
    """Values of the sheets through calamine (Rust): an order of magnitude faster than openpyxl for big lists.

    Empty leading rows are kept (``skip_empty_area=False``) so that row numbers are the ones Excel shows, and
    empty cells come back as ``None`` as they do from openpyxl.
    """
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for a file that is not a workbook
        raise InputDataError(
            path, f"cannot be opened as an Excel workbook ({type(error).__name__})"
        ) from None
    try:
        out: dict[str, RawSheet] = {}
        for wanted, actual in _choose_sheets(
            path, workbook.sheet_names, sheets, optional, first_if_missing
        ).items():
            rows = workbook.get_sheet_by_name(actual).to_python(skip_empty_area=False)
            rows = [[None if value == "" else value for value in row] for row in rows]
            out[wanted] = RawSheet(relative_name(path, raw_dir), actual, _cells_frame(rows), path)
    finally:
        workbook.close()
    return out


def _read_with_openpyxl(
    path: Path, raw_dir: Path, sheets: list[str], optional: tuple[str, ...], first_if_missing: bool
) -> dict[str, RawSheet]:
    """Cells through openpyxl, which sees number formats: a 0.625 cell shown as 62.5% is read as 62.5."""
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises several types for a file that is not a workbook
        raise InputDataError(
            path, f"cannot be opened as an Excel workbook ({type(error).__name__})"
        ) from None
    try:
        return {
            wanted: RawSheet(relative_name(path, raw_dir), actual, _sheet_cells(workbook[actual]), path)
            for wanted, actual in _choose_sheets(
                path, workbook.sheetnames, sheets, optional, first_if_missing
            ).items()
        }
    finally:
        workbook.close()


def _sheet_cells(worksheet: object) -> pd.DataFrame:
    rows = [
        [
            cell.value * 100
            if isinstance(cell.value, (int, float)) and "%" in str(cell.number_format)
            else cell.value
            for cell in row
        ]
        for row in worksheet.iter_rows(min_row=1)  # type: ignore[attr-defined]
    ]
    return _cells_frame(rows)


def _cells_frame(rows: list[list[object]]) -> pd.DataFrame:
    """Rows of cell values as a frame indexed by Excel row number (1-based)."""
    # Sheets without a dimension tag give rows of different lengths: pad them so every row has every column.
    width = max((len(row) for row in rows), default=0)
    rows = [list(row) + [None] * (width - len(row)) for row in rows]
    cells = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return cells


def find_header_row(sheet: RawSheet, score: Callable[[list[str]], int], expected: str) -> int:
    """The row (1-based) among the first rows whose normalised cells score highest; error if none scores."""
    best_row, best_score = None, 0
    for row_number in sheet.cells.index[:HEADER_SEARCH_ROWS]:
        values = [normalise_heading(v) for v in sheet.cells.loc[row_number].tolist() if not is_missing(v)]
        if not values:
            continue
        points = score(values)
        if points > best_score:
            best_row, best_score = row_number, points
    if best_row is None:
        if sheet.cells.empty or all(is_missing(v) for v in sheet.cells.to_numpy().ravel()[:10_000]):
            raise sheet.error("the sheet is empty", expected=expected)
        raise sheet.error(f"no heading row found in the first {HEADER_SEARCH_ROWS} rows", expected=expected)
    return int(best_row)


def closest_heading(wanted: str, present: list[str]) -> str | None:
    """The heading in ``present`` most like ``wanted`` (difflib), for "did you mean" suggestions."""
    candidates = [p for p in present if p]
    by_normal = {normalise_heading(p): p for p in candidates}
    match = difflib.get_close_matches(normalise_heading(wanted), list(by_normal), n=1, cutoff=0.5)
    return by_normal[match[0]] if match else None


def _blank(column: pd.Series) -> pd.Series:
    """Cells that are empty or whitespace only (vectorised: a marker such as ``#N/A`` is not blank)."""
    return column.astype("string").str.strip().fillna("").eq("")


def data_below_header(sheet: RawSheet, header_row: int) -> tuple[list[str], pd.DataFrame]:
    """The heading texts and the rows below the heading row, wholly blank rows removed."""
    headings = ["" if is_missing(v) else str(v).strip() for v in sheet.cells.loc[header_row].tolist()]
    body = sheet.cells.loc[header_row + 1 :]
    if body.empty:
        return headings, body
    blank = pd.concat([_blank(body[column]) for column in body.columns], axis=1)
    return headings, body.loc[~blank.all(axis=1)]
