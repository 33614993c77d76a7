"""Finding and reading the Annex A lists, the cover's extract date and each list's headings (cleaning: .annex_a)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from pathlib import Path

import pandas as pd

from analysis.errors import InputDataError
from analysis.inputs.annex_a import (
    ANNEX_A_LISTS,
    HEADING_ALIASES,
    AnnexAColumn,
    AnnexAList,
)
from analysis.inputs.parsing import (
    clean_text,
    is_missing,
    normalise_heading,
    parse_date,
)
from analysis.stages.cleaning.reading import (
    RawSheet,
    closest_heading,
    find_header_row,
    read_csv_cells,
    read_excel_sheets,
)

logger = logging.getLogger(__name__)

ANNEX_A_WORKBOOK = "annex_a.xlsx"
ANNEX_A_FOLDER = "annex_a"
COVER_SHEET = "Cover"
COVER_TEXT = "cover.txt"


@dataclass(frozen=True)
class AnnexASource:
    """Where the Annex A lists are: one workbook or a folder of CSV files."""

    kind: str  # "xlsx" or "csv"
    path: Path


# ------------------------------------------------------------------------------------------------ reading
def locate_annex_a(raw_dir: Path) -> AnnexASource:
    """Find ``annex_a.xlsx`` or the ``annex_a/`` folder of CSV lists (the workbook wins if both exist)."""
    workbook = raw_dir / ANNEX_A_WORKBOOK
    folder = raw_dir / ANNEX_A_FOLDER
    if workbook.is_file():
        if folder.is_dir():
            logger.warning("Both %s and %s/ exist: reading the workbook", ANNEX_A_WORKBOOK, ANNEX_A_FOLDER)
        return AnnexASource("xlsx", workbook)
    if folder.is_dir():
        return AnnexASource("csv", folder)
    raise InputDataError(
        workbook,
        "no Annex A found",
        expected=f"{ANNEX_A_WORKBOOK} or {ANNEX_A_FOLDER}/List_1.csv ... List_11.csv",
    )


def read_annex_a(source: AnnexASource, raw_dir: Path) -> tuple[Mapping[str, RawSheet], pd.Timestamp | None]:
    """The 11 lists as raw cells, keyed by processed table name, and the extract date if the cover gives it.

    A folder's CSV lists are read when each is looked up, not all first, so that the cleaning holds one list's raw
    cells at a time (:class:`CsvLists`; issue 21: at 10 million rows the raw cells of all eleven lists were most of
    the cleaning's memory). A workbook is read whole.
    """
    if source.kind == "xlsx":
        sheets = read_excel_sheets(
            source.path, raw_dir, [spec.sheet for spec in ANNEX_A_LISTS], optional=(COVER_SHEET,)
        )
        cover = sheets.get(COVER_SHEET)
        extract = extract_date_from_cells(cover.cells.to_numpy().tolist()) if cover is not None else None
        return {spec.table: sheets[spec.sheet] for spec in ANNEX_A_LISTS}, extract
    return CsvLists(source.path, raw_dir), _cover_text_date(source)


class CsvLists(Mapping[str, RawSheet]):
    """A folder's Annex A lists (``List_1.csv`` ...) by table name, each read from its file when looked up."""

    def __init__(self, folder: Path, raw_dir: Path) -> None:
        self.folder = Path(folder)
        self.raw_dir = Path(raw_dir)

    def __getitem__(self, table: str) -> RawSheet:
        spec = next((spec for spec in ANNEX_A_LISTS if spec.table == table), None)
        if spec is None:
            raise KeyError(table)
        return read_csv_cells(
            self.folder / spec.csv_name,
            self.raw_dir,
            heading_score=partial(_heading_score, spec=spec),
            expected=f"the Annex A headings of {spec.sheet} ({spec.title})",
        )

    def __iter__(self) -> Iterator[str]:
        return (spec.table for spec in ANNEX_A_LISTS)

    def __len__(self) -> int:
        return len(ANNEX_A_LISTS)


def _cover_text_date(source: AnnexASource) -> pd.Timestamp | None:
    """The extract date the folder's ``cover.txt`` gives, if any."""
    path = source.path / COVER_TEXT
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as error:
        raise InputDataError(
            path, f"the file cannot be read ({error.strerror})", expected="the Annex A cover as text"
        ) from None
    values: list[list[object]] = [
        [part.strip() for part in line.replace(",", ":").split(":", 1)] for line in lines
    ]
    values += [[word.strip(" .,;")] for line in lines for word in line.split()]
    return extract_date_from_cells(values)


def extract_date_from_cells(values: list[list[object]]) -> pd.Timestamp | None:
    """The extract date on a cover: a date next to (right of or below) a cell mentioning "extract", else the
    first date on it."""
    first: date | None = None
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if isinstance(value, str) and "extract" in value.lower():
                neighbours = row[c + 1 :] + [below[c] for below in values[r + 1 : r + 2] if c < len(below)]
                for neighbour in neighbours:
                    found = _cover_date(neighbour)
                    if found:
                        return pd.Timestamp(found)
            found = _cover_date(value)
            if found and first is None:
                first = found
    return pd.Timestamp(first) if first else None


def _cover_date(value: object) -> date | None:
    """A date on the cover: a date cell or date text (bare numbers are not taken for Excel serials here)."""
    if isinstance(value, (int, float)) or is_missing(value):
        return None
    if isinstance(value, str) and clean_text(value).replace(".", "").isdigit():
        return None
    return parse_date(value)


# ----------------------------------------------------------------------------------------------- headings
def _canonical_heading(heading: str, spec: AnnexAList) -> AnnexAColumn | None:
    return _headings_of(spec).get(normalise_heading(heading))


@cache
def _headings_of(spec: AnnexAList) -> dict[str, AnnexAColumn]:
    """Each normalised heading that names a column of ``spec`` (its template heading, or an alias of one) -> the
    column. Built once per list: every cell of the rows above the data is looked up in it (issue 21)."""
    by_heading = {normalise_heading(c.heading): c for c in spec.columns}
    lookup = dict(by_heading)
    for alias, heading in HEADING_ALIASES.items():
        column = by_heading.get(normalise_heading(heading))
        if column is not None:
            lookup.setdefault(normalise_heading(alias), column)
    return lookup


def _heading_score(values: list[str], spec: AnnexAList) -> int:
    """How many of a row's (normalised) cells are Annex A headings of ``spec``: the heading row scores highest."""
    return sum(_canonical_heading(v, spec) is not None for v in values)


@dataclass
class HeadingMap:
    """Where each Annex A column of a list is in its sheet, and what did not match.

    ``positions`` maps each column's template heading to its sheet column (None when absent); ``problems`` are
    the missing required columns (each an :class:`InputDataError` naming the closest heading present);
    ``missing`` the optional columns absent; ``unmatched`` the sheet's headings (with their positions) that
    matched no column of the list.
    """

    header_row: int
    positions: dict[str, int | None]
    headings: list[str] = field(default_factory=list)
    problems: list[InputDataError] = field(default_factory=list)
    missing: list[AnnexAColumn] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)


def map_headings(sheet: RawSheet, spec: AnnexAList) -> HeadingMap:
    """Find the heading row and map each Annex A column of ``spec`` to a sheet column position.

    A missing required column (the identifier, or the date that puts a row in the list) is a problem naming the
    closest heading present; a missing optional column is left empty; a heading matching no column is noted.
    Nothing is raised here, so that the caller can report every problem of every list at once.

    Notes
    -----
    Headings: :data:`analysis.inputs.annex_a.ANNEX_A_LISTS` (Ofsted's current template) and
    :data:`analysis.inputs.annex_a.HEADING_ALIASES` (earlier templates and other wordings).
    """

    def score(values: list[str]) -> int:
        return sum(_canonical_heading(v, spec) is not None for v in values)

    header_row = find_header_row(
        sheet, score, expected=f"the Annex A headings of {spec.sheet} ({spec.title})"
    )
    headings = ["" if is_missing(v) else clean_text(v) for v in sheet.cells.loc[header_row].tolist()]
    mapped = HeadingMap(header_row, {c.heading: None for c in spec.columns}, headings)
    positions = mapped.positions
    for position, heading in enumerate(headings):
        if not heading:
            continue
        column = _canonical_heading(heading, spec)
        if column is None:
            logger.warning(
                "%s%s: heading '%s' is not an Annex A heading of %s: ignored",
                sheet.file,
                f" sheet '{sheet.sheet}'" if sheet.sheet else "",
                heading,
                spec.sheet,
            )
            mapped.unmatched.append((position, heading))
        elif positions[column.heading] is not None:
            logger.warning("%s: heading '%s' appears twice: the first is used", sheet.file, heading)
        else:
            positions[column.heading] = position
    for column in spec.columns:
        if positions[column.heading] is not None or column.kind == "drop":
            continue
        if column.required:
            used = {p for p in positions.values() if p is not None}
            unused = [h for n, h in enumerate(headings) if n not in used]
            suggestion = closest_heading(column.heading, unused) or closest_heading(column.heading, headings)
            hint = f" (closest heading present: '{suggestion}')" if suggestion else " (no heading like it)"
            mapped.problems.append(
                sheet.error(
                    f"the required column '{column.heading}' is missing{hint}",
                    row=header_row,
                    column=column.heading,
                    expected=f"a column headed '{column.heading}' in the heading row",
                )
            )
        else:
            logger.info("%s: optional column '%s' is absent: left empty", sheet.file, column.heading)
            mapped.missing.append(column)
    return mapped


def annex_a_error(problems: list[InputDataError]) -> InputDataError:
    """One error for every problem found in the Annex A lists (the problem itself when there is only one).

    Each line names the file, sheet, row and column and the closest heading present, so that the analyst can
    correct the whole workbook at once rather than one list per run.
    """
    if len(problems) == 1:
        return problems[0]
    files = {p.file for p in problems}
    file = files.pop() if len(files) == 1 else problems[0].file.parent
    lines = "\n".join(f"  - {p}" for p in problems)
    error = InputDataError(
        file,
        f"{len(problems)} problems in the Annex A lists; correct them all and run again:\n{lines}",
    )
    error.problems = problems  # type: ignore[attr-defined]
    return error
