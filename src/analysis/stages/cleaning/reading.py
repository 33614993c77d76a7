"""Reading raw files as they are: CSV (UTF-8, else Windows-1252) and Excel sheets, keeping Excel's row numbers.

A raw sheet is returned as a frame of untouched cell values (object dtype) whose index is the row number the
analyst sees in Excel or a text editor (1-based). Finding the heading row and mapping headings also lives here.

A file that cannot be read is an :class:`InputDataError` naming it (and the sheet); the checks made before a
parser opens a file (binary, encrypted, not a workbook, a "zip bomb") are in :mod:`.file_checks`. A CSV file's first
rows are read, and its heading row looked for, before the rest is parsed (in chunks), so a large file that is not
what was expected fails at once and in little memory.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from analysis.errors import InputDataError
from analysis.inputs.parsing import is_missing, normalise_heading
from analysis.stages.cleaning.file_checks import (
    CSV_BLOCK_BYTES,
    SAVE_AGAIN,
    check_workbook_file,
    error_reason,
)

logger = logging.getLogger(__name__)

#: Rows searched for the heading row (title and blank rows may sit above it).
HEADER_SEARCH_ROWS = 30
#: Encodings tried for CSV files, in order (Excel on Windows saves "CSV" as Windows-1252).
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
#: Rows parsed at a time from a CSV file.
CSV_CHUNK_ROWS = 200_000


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


def read_csv_cells(
    path: Path,
    raw_dir: Path,
    *,
    heading_score: Callable[[list[str]], int] | None = None,
    expected: str = "a heading row",
) -> RawSheet:
    """Read a CSV file as text cells; UTF-8 (with or without BOM) first, then Windows-1252 (logged).

    With ``heading_score`` (as for :func:`find_header_row`) the first :data:`HEADER_SEARCH_ROWS` rows must hold
    a heading row before the rest of the file is parsed: a large file of something else fails at once.
    """
    if not path.is_file():
        raise InputDataError(path, "the file does not exist")
    try:
        encoding = _csv_encoding(path)
        with path.open(encoding=encoding, newline="") as handle:
            head = [line for _, line in zip(range(HEADER_SEARCH_ROWS), handle, strict=False)]
            if not "".join(head).strip() and not handle.read(CSV_BLOCK_BYTES).strip():
                raise InputDataError(path, "the file is empty", expected="a heading row and data rows")
        try:
            delimiter = csv.Sniffer().sniff("".join(head)[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        if heading_score is not None:
            _check_heading_in(path, head, delimiter, heading_score, expected)
        # The widest row sets the columns: a title or blank line above the headings must not (pandas would take
        # the first line's width). The first rows' widest is tried first: a row below them that is wider still
        # makes pandas stop ("Expected N fields"), and the file's widest row is then found in one streaming pass of
        # its own (issue 21: that pass was a twentieth of the cleaning at a million rows). Never held whole as text.
        try:
            cells = _cells(
                path, delimiter, encoding, width=max(map(len, csv.reader(head, delimiter=delimiter)))
            )
        except _WiderRowBelow:
            with path.open(encoding=encoding, newline="") as handle:
                width = max((len(row) for row in csv.reader(handle, delimiter=delimiter)), default=0)
            cells = _cells(path, delimiter, encoding, width=width)
    except (OSError, csv.Error, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputDataError(path, f"the file cannot be read as CSV ({error_reason(error)})") from None
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return RawSheet(relative_name(path, raw_dir), None, cells, path)


class _WiderRowBelow(Exception):
    """A row wider than the columns the CSV file was read with."""


def _cells(path: Path, delimiter: str, encoding: str, *, width: int) -> pd.DataFrame:
    """The file's cells as text in ``width`` columns (:class:`_WiderRowBelow` if a row has more fields)."""
    chunks = pd.read_csv(
        path,
        header=None,
        names=list(range(width)),
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        sep=delimiter,
        engine="c",
        encoding=encoding,
        chunksize=CSV_CHUNK_ROWS,
    )
    read = []
    try:
        for chunk in chunks:
            # a first row one field wider than the columns: pandas makes its first field the row labels
            if not isinstance(chunk.index, pd.RangeIndex):
                raise _WiderRowBelow
            read.append(chunk)
    except pd.errors.ParserError as error:
        if f"Expected {width} fields" in str(error):
            raise _WiderRowBelow from None
        raise
    return pd.concat(read, ignore_index=True)


def _csv_encoding(path: Path) -> str:
    """UTF-8 if the whole file decodes as UTF-8 (checked block by block), else Windows-1252 (logged).

    A file with NUL bytes in its first block is binary (or UTF-16), not a CSV file: an error.
    """
    decoder = codecs.getincrementaldecoder(CSV_ENCODINGS[0])()
    with path.open("rb") as handle:
        first = True
        while block := handle.read(CSV_BLOCK_BYTES):
            if first and b"\x00" in block:
                raise InputDataError(
                    path,
                    "the file holds binary data (NUL bytes), not text",
                    expected="a CSV file saved as text (CSV UTF-8 or CSV)",
                )
            first = False
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                logger.warning("%s is not UTF-8: read it as %s", path.name, CSV_ENCODINGS[1])
                return CSV_ENCODINGS[1]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            logger.warning("%s is not UTF-8: read it as %s", path.name, CSV_ENCODINGS[1])
            return CSV_ENCODINGS[1]
    return CSV_ENCODINGS[0]


def _check_heading_in(
    path: Path, head: list[str], delimiter: str, score: Callable[[list[str]], int], expected: str
) -> None:
    """An error unless one of the first rows of a CSV file scores as a heading row."""
    for row in csv.reader(head, delimiter=delimiter):
        values = [normalise_heading(v) for v in row if not is_missing(v)]
        if values and score(values) > 0:
            return
    raise InputDataError(
        path, f"no heading row found in the first {HEADER_SEARCH_ROWS} rows", expected=expected
    )


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

    Sheet names are matched ignoring case and spacing; two sheets that both match a wanted name (``List 1`` and
    ``List 1 ``) are an error naming both, never a guess. ``optional`` sheets are read if present. With
    ``first_if_missing`` a missing (single) wanted sheet is replaced by the workbook's first sheet. With
    ``percent_as_fraction`` a number cell formatted as a percentage (0.625 shown as 62.5%) is returned as the
    percentage (62.5), as a reader of the sheet sees it; this needs full (slower) cell access.
    """
    if not path.is_file():
        raise InputDataError(path, "the file does not exist")
    check_workbook_file(path)
    if percent_as_fraction:
        return _read_with_openpyxl(path, raw_dir, sheets, optional, first_if_missing)
    return _read_with_calamine(path, raw_dir, sheets, optional, first_if_missing)


def _choose_sheets(
    path: Path, names: list[str], sheets: list[str], optional: tuple[str, ...], first_if_missing: bool
) -> dict[str, str]:
    """Wanted sheet -> the workbook's sheet name (case and spacing ignored); a missing required sheet is an error."""
    present: dict[str, list[str]] = {}
    for name in names:
        present.setdefault(normalise_heading(name), []).append(name)
    chosen: dict[str, str] = {}
    missing: list[str] = []
    for wanted in [*sheets, *optional]:
        alike = present.get(normalise_heading(wanted), [])
        if len(alike) > 1:  # 'List 1' and 'List 1 ': taking either could publish the wrong list's figures
            listed = " and ".join(f"'{name}'" for name in alike)
            raise InputDataError(
                path,
                f"{len(alike)} sheets could be '{wanted}': {listed} (their names differ only in case, spaces or "
                "punctuation), so it is not clear which to read",
                expected=f"one sheet called '{wanted}': rename or delete the others",
            )
        actual = alike[0] if alike else None
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
            path,
            f"the workbook is damaged and cannot be opened ({type(error).__name__})",
            expected=SAVE_AGAIN,
        ) from None
    try:
        out: dict[str, RawSheet] = {}
        for wanted, actual in _choose_sheets(
            path, workbook.sheet_names, sheets, optional, first_if_missing
        ).items():
            try:
                rows = workbook.get_sheet_by_name(actual).to_python(skip_empty_area=False)
            except Exception as error:  # a damaged sheet: calamine's XML, zip or cell errors
                raise InputDataError(
                    path,
                    f"the workbook is damaged: this sheet cannot be read ({type(error).__name__})",
                    sheet=actual,
                    expected=SAVE_AGAIN,
                ) from None
            cells: list[list[object]] = [[None if value == "" else value for value in row] for row in rows]
            out[wanted] = RawSheet(relative_name(path, raw_dir), actual, _cells_frame(cells), path)
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
            path,
            f"the workbook is damaged and cannot be opened ({type(error).__name__})",
            expected=SAVE_AGAIN,
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
    # A row is wholly blank if each column is blank there: each column is looked at only in the rows still blank
    # in the columns before it, so after the first column or two only the few blank rows are (issue 21).
    blank_rows = body.index
    for column in body.columns:
        if blank_rows.empty:
            break
        blank_rows = blank_rows[_blank(body.loc[blank_rows, column]).to_numpy()]
    return headings, body.loc[~body.index.isin(blank_rows)]
