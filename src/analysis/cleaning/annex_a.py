"""Cleaning the Ofsted Annex A lists 1-11 into the child-level tables, pseudonymised.

What is quarantined here and what is left to the data checks (stage 2):

- quarantined (the row cannot be used as it stands): no child (or adopter) ID; a required date (the schema's
  non-nullable date: the event that puts the row in the list) missing; any date that is present but cannot be
  read, or is impossible (before 1 January 1990, after the extract date; a date of birth more than a pregnancy
  after it); a row whose own dates are out of order so that it means nothing: an assessment authorised before it
  started, an early help assessment completed before it started, a child in need episode, child protection plan,
  placement or period of care ending before it started.
- set to missing and counted in the cleaning log (the row is still usable): a coded value (gender, ethnicity,
  yes/no, activity, category of abuse, count of previous plans) outside the vocabulary, a postcode that is not one.
- left to stage 2: order across lists (a referral before its contact, a conference before the strategy
  discussion), dates against the date of birth, adoption milestones in sequence, codes outside the SSDA903 lists
  (kept, and counted here), completeness.

Duplicates: rows identical in every cleaned column are removed, then rows repeating the schema's natural key
(the first in the file is kept); both are counted.

Notes
-----
Ofsted, Annex A (single inspection framework, 2015) for the lists and headings; DfE CIN census and SSDA903
guidance for the codes (see :mod:`analysis.parsing`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.annex_a import (
    ANNEX_A_LISTS,
    HEADING_ALIASES,
    MISSING_COLUMN_RULE,
    UNMATCHED_HEADING_RULE,
    AnnexAColumn,
    AnnexAList,
)
from analysis.cleaning.log import CleaningLog
from analysis.cleaning.reading import (
    RawSheet,
    closest_heading,
    data_below_header,
    find_header_row,
    read_csv_cells,
    read_excel_sheets,
)
from analysis.coded_values import (
    IN_TOUCH_NOT_APPLICABLE,
    SSDA903_CODES,
    parse_activity,
    parse_category_of_abuse,
    parse_code,
    parse_ethnicity,
    parse_gender,
    parse_in_touch,
    parse_source,
    parse_suitability,
    parse_yes_no,
)
from analysis.errors import InputDataError
from analysis.parsing import (
    OPTION_PREFIX,
    clean_text,
    is_missing,
    map_series,
    missing_mask,
    normalise_heading,
    parse_date,
    parse_date_series,
    parse_integer,
    text_or_none,
)
from analysis.pseudonymise import date_of_birth_to_month, postcode_sectors, pseudonymise_ids
from analysis.schemas import schema

logger = logging.getLogger(__name__)

ANNEX_A_WORKBOOK = "annex_a.xlsx"
ANNEX_A_FOLDER = "annex_a"
COVER_SHEET = "Cover"
COVER_TEXT = "cover.txt"

#: No Annex A event predates this: earlier dates are typing errors (``1915`` for ``2015``).
EARLIEST_PLAUSIBLE_DATE = date(1990, 1, 1)
#: An unborn child's expected date of birth may lie up to a pregnancy (40 weeks) after the extract.
UNBORN_MARGIN = pd.Timedelta(weeks=40)
#: A date column in which more than this share of non-empty values cannot be read is the wrong column or format.
MOSTLY_UNPARSEABLE_SHARE = 0.5
EXPECTED_DATES = "dates like 31/03/2015 (or 2015-03-31, or Excel date cells)"

#: Pseudonym prefixes by identifier kind.
ID_PREFIX = {"child_id": "C", "adopter_id": "A"}

#: Dates in one row that must be in order, else the row is quarantined: (table, earlier, later, reason).
ROW_ORDER_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "assessments",
        "assessment_start_date",
        "assessment_authorised_date",
        "assessment authorised before it started",
    ),
    (
        "early_help",
        "early_help_start_date",
        "early_help_completed_date",
        "early help completed before it started",
    ),
    ("children_in_need", "cin_start_date", "cin_end_date", "child in need episode ends before it starts"),
    ("cp_plans", "cp_plan_start_date", "cp_plan_end_date", "child protection plan ends before it starts"),
    ("looked_after", "placement_start_date", "placement_end_date", "placement ends before it starts"),
    ("looked_after", "care_start_date", "care_end_date", "period of care ends before it starts"),
)

_CODE_PARSERS = {
    "gender": (parse_gender, "gender"),
    "ethnicity": (parse_ethnicity, "ethnicity"),
    "yes_no": (parse_yes_no, "yes/no"),
    "integer": (parse_integer, "whole number"),
}
_TEXT_PARSERS = {
    "contact_source": parse_source,
    "referral_source": parse_source,
    "activity": parse_activity,
    "category_of_abuse": parse_category_of_abuse,
}


@dataclass(frozen=True)
class AnnexASource:
    """Where the Annex A lists are: one workbook or a folder of CSV files."""

    kind: str  # "xlsx" or "csv"
    path: Path


@dataclass
class CleanedList:
    """One cleaned list and its counts (``frame`` is already pseudonymised and sorted)."""

    table: str
    frame: pd.DataFrame
    sheet: RawSheet
    rows_read: int
    duplicates_removed: int
    rows_fixed: int
    rows_quarantined: int


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


def read_annex_a(source: AnnexASource, raw_dir: Path) -> tuple[dict[str, RawSheet], pd.Timestamp | None]:
    """Read the 11 lists as raw cells, keyed by processed table name, and the extract date if the cover gives it."""
    if source.kind == "xlsx":
        sheets = read_excel_sheets(
            source.path, raw_dir, [spec.sheet for spec in ANNEX_A_LISTS], optional=(COVER_SHEET,)
        )
        cover = sheets.get(COVER_SHEET)
        extract = extract_date_from_cells(cover.cells.to_numpy().tolist()) if cover is not None else None
        return {spec.table: sheets[spec.sheet] for spec in ANNEX_A_LISTS}, extract
    lists = {
        spec.table: read_csv_cells(
            source.path / spec.csv_name,
            raw_dir,
            heading_score=partial(_heading_score, spec=spec),
            expected=f"the Annex A headings of {spec.sheet} ({spec.title})",
        )
        for spec in ANNEX_A_LISTS
    }
    path = source.path / COVER_TEXT
    if not path.is_file():
        return lists, None
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as error:
        raise InputDataError(
            path, f"the file cannot be read ({error.strerror})", expected="the Annex A cover as text"
        ) from None
    values = [[part.strip() for part in line.replace(",", ":").split(":", 1)] for line in lines]
    values += [[word.strip(" .,;")] for line in lines for word in line.split()]
    return lists, extract_date_from_cells(values)


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
    normal = normalise_heading(heading)
    by_heading = {normalise_heading(c.heading): c for c in spec.columns}
    if normal in by_heading:
        return by_heading[normal]
    alias = HEADING_ALIASES.get(normal)
    if alias is None:
        aliases = {normalise_heading(k): v for k, v in HEADING_ALIASES.items()}
        alias = aliases.get(normal)
    return by_heading.get(normalise_heading(alias)) if alias else None


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
    Headings: :data:`analysis.annex_a.ANNEX_A_LISTS` (Ofsted's current template) and
    :data:`analysis.annex_a.HEADING_ALIASES` (earlier templates and other wordings).
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


# ----------------------------------------------------------------------------------------------- cleaning
@dataclass(frozen=True)
class DateBounds:
    """Plausible dates: from :data:`EARLIEST_PLAUSIBLE_DATE` to the extract date (``latest``)."""

    earliest: pd.Timestamp
    latest: pd.Timestamp

    @classmethod
    def until(cls, latest: pd.Timestamp) -> DateBounds:
        return cls(pd.Timestamp(EARLIEST_PLAUSIBLE_DATE), pd.Timestamp(latest).normalize())


class _ListCleaner:
    """Cleans one list: keeps the fixed-row mask and the quarantine faults while the columns are parsed."""

    def __init__(self, sheet: RawSheet, spec: AnnexAList, log: CleaningLog, bounds: DateBounds) -> None:
        self.sheet, self.spec, self.log, self.bounds = sheet, spec, log, bounds
        self.table = spec.table
        self.table_schema = schema(spec.table)
        self.headings = map_headings(sheet, spec)
        if self.headings.problems:
            raise annex_a_error(self.headings.problems)
        self.header_row, self.positions = self.headings.header_row, self.headings.positions
        _, self.body = data_below_header(sheet, self.header_row)
        self._note_headings()
        self.fixed = pd.Series(False, index=self.body.index)
        self.faulty = pd.Series(False, index=self.body.index)

    def _note_headings(self) -> None:
        """Optional columns missing and headings matching nothing go to the cleaning log (and so to the notebook)."""
        rows = len(self.body)
        for column in self.headings.missing:
            if column.column is None:
                continue
            self.log.note(
                self.table,
                f"{MISSING_COLUMN_RULE}{column.column}",
                f"Column '{column.heading}' missing from {self.spec.sheet}: left empty; figures needing it are "
                "not available",
                rows,
            )
        for position, heading in self.headings.unmatched:
            values = self.body[position] if position in self.body.columns else pd.Series(dtype=object)
            self.log.note(
                self.table,
                UNMATCHED_HEADING_RULE,
                f"Heading '{clean_text(heading)[:80]}' in {self.spec.sheet} matched no Annex A column: ignored",
                int((~missing_mask(values)).sum()) if len(values) else 0,
            )

    def written(self, column: AnnexAColumn) -> str:
        """The column's heading as the sheet writes it (what the analyst will look for), else the template's."""
        position = self.positions.get(column.heading)
        if position is None or position >= len(self.headings.headings):
            return column.heading
        return self.headings.headings[position] or column.heading

    def raw(self, column: AnnexAColumn) -> pd.Series:
        position = self.positions[column.heading]
        if position is None or position not in self.body.columns:
            return pd.Series(None, index=self.body.index, dtype=object)
        return self.body[position]

    def note_fix(self, rule: str, description: str, mask: pd.Series) -> None:
        self.log.fix(self.table, rule, description, int(mask.sum()))
        self.fixed |= mask

    def set_aside(self, mask: pd.Series, column: str | None, reason: str) -> None:
        mask = mask & ~self.faulty  # one reason per row: the first found
        self.log.quarantine(
            self.table, self.sheet.file, self.sheet.sheet, self.body.index[mask], column, reason
        )
        self.faulty |= mask

    def markers(self, raw: pd.Series, column: AnnexAColumn) -> pd.Series:
        """Missing values written as text (``#N/A``, ``N/A``, ``-``): counted as a fix."""
        missing = missing_mask(raw)
        written = map_series(raw, lambda v: isinstance(v, str) and clean_text(v) != "").astype(bool)
        mask = missing & written
        self.note_fix(
            "values.missing_marker", "Text meaning 'no value' (#N/A, N/A, -, blank) read as missing", mask
        )
        return missing

    def dates(self, column: AnnexAColumn, *, date_of_birth: bool = False) -> pd.Series:
        raw = self.raw(column)
        missing = self.markers(raw, column)
        values, rules = parse_date_series(raw)
        self.note_fix("dates.excel_serial", "Excel serial numbers read as dates", rules.eq("excel_serial"))
        self.note_fix(
            "dates.other_format",
            "Dates in other formats (31-03-2015, 31 March 2015) read",
            rules.eq("other_text"),
        )
        bad = rules.eq("unparseable")
        present = int((~missing).sum())
        if present and bad.sum() > MOSTLY_UNPARSEABLE_SHARE * present:
            example = int(self.body.index[bad.to_numpy()][0])
            raise self.sheet.error(
                f"most values in the date column cannot be read as dates ({int(bad.sum())} of {present})",
                row=example,
                column=self.written(column),
                expected=EXPECTED_DATES,
            )
        self.set_aside(bad, self.written(column), "date not recognised")
        latest = self.bounds.latest + (UNBORN_MARGIN if date_of_birth else pd.Timedelta(0))
        impossible = values.notna() & ((values < self.bounds.earliest) | (values > latest))
        self.set_aside(
            impossible,
            self.written(column),
            f"impossible date (before {self.bounds.earliest:%d/%m/%Y} or after the extract date)",
        )
        if column.column and not self._nullable(column.column):
            self.set_aside(values.isna() & ~bad, self.written(column), "required date missing")
        return values.where(~(bad | impossible))

    def _nullable(self, name: str) -> bool:
        return next(c.nullable for c in self.table_schema.columns if c.name == name)

    def coded(self, column: AnnexAColumn, parser: Callable[[object], object], label: str) -> pd.Series:
        raw = self.raw(column)
        missing = self.markers(raw, column)
        values = map_series(raw, parser)
        unrecognised = values.isna() & ~missing
        if parser is parse_in_touch:  # died, no longer requires services, returned home: known, not yes or no
            known = map_series(raw, lambda v: _option_words(v) in IN_TOUCH_NOT_APPLICABLE).astype(bool)
            unrecognised &= ~known
        self.note_fix(
            f"codes.{column.column}_unrecognised",
            f"{column.heading}: values outside the {label} vocabulary set to missing",
            unrecognised,
        )
        changed = map_series(raw, lambda v: _recoded(v, parser)).astype(bool)
        self.note_fix(
            f"codes.{column.column}", f"{column.heading}: recoded to the canonical {label} value", changed
        )
        return values

    def clean(self, key: bytes) -> CleanedList:
        out: dict[str, pd.Series] = {}
        for column in self.spec.columns:
            if column.column is None or column.kind == "drop":
                continue
            name = column.column
            if column.kind in ID_PREFIX:
                raw = self.raw(column)
                self.set_aside(missing_mask(raw), self.written(column), f"no {column.heading}")
                out[name] = pseudonymise_ids(raw, key, prefix=ID_PREFIX[column.kind])
            elif column.kind == "date_of_birth":
                values = self.dates(column, date_of_birth=True)
                out[name] = date_of_birth_to_month(values)
            elif column.kind == "date":
                out[name] = self.dates(column)
            elif column.kind == "in_touch":
                out[name] = self.coded(column, parse_in_touch, "in touch (SSDA903 IN_TOUCH)")
            elif column.kind == "suitability":
                out[name] = self.coded(column, parse_suitability, "suitable/unsuitable")
            elif column.kind in _CODE_PARSERS:
                parser, label = _CODE_PARSERS[column.kind]
                out[name] = self.coded(column, parser, label)
            elif column.kind == "code":
                out[name] = self.coded(column, parse_code, "code")
                known = SSDA903_CODES.get(name)
                if known is not None:
                    outside = out[name].notna() & ~out[name].isin(known)
                    if outside.any():
                        logger.warning(
                            "%s: %d values of '%s' are not %s codes (kept; the data checks report them)",
                            self.sheet.file,
                            int(outside.sum()),
                            column.heading,
                            "SSDA903" if name != "primary_need" else "primary need",
                        )
            elif column.kind == "postcode":
                raw = self.raw(column)
                missing = self.markers(raw, column)
                out[name] = postcode_sectors(raw)
                self.log.fix(
                    self.table,
                    "privacy.postcode_sector",
                    "Postcodes cut to their sector (AB1 2CD -> AB1 2)",
                    int(out[name].notna().sum()),
                )
                self.note_fix(
                    "codes.postcode_unrecognised",
                    "Placement postcodes that are not postcodes set to missing",
                    out[name].isna() & ~missing,
                )
            elif name in _TEXT_PARSERS:
                out[name] = self.coded(column, _TEXT_PARSERS[name], name.replace("_", " "))
            else:
                raw = self.raw(column)
                self.markers(raw, column)
                out[name] = map_series(raw, text_or_none)
        frame = pd.DataFrame(out, index=self.body.index)
        if "date_of_birth" in frame:
            self.log.fix(
                self.table,
                "privacy.date_of_birth_month",
                "Dates of birth set to the first of the month",
                int(frame["date_of_birth"].notna().sum()),
            )
        for table, earlier, later, reason in ROW_ORDER_RULES:
            if table == self.table:
                heading = self.written(next(c for c in self.spec.columns if c.column == later))
                self.set_aside(frame[later] < frame[earlier], heading, reason)
        return self._finish(frame)

    def _finish(self, frame: pd.DataFrame) -> CleanedList:
        rows_read = len(frame)
        quarantined = int(self.faulty.sum())
        kept = frame.loc[~self.faulty]
        fixed = int((self.fixed & ~self.faulty).sum())
        kept = kept.assign(source_row=kept.index.astype("int64"))
        for column in self.table_schema.column_names:
            if column not in kept:
                kept[column] = None
        from analysis.io import conform

        kept = conform(kept.reset_index(drop=True), self.table)
        data_columns = [c for c in kept.columns if c != "source_row"]
        key = list(self.table_schema.natural_key)
        kept = kept.sort_values(key + ["source_row"], kind="stable", na_position="last")
        exact = kept.duplicated(subset=data_columns, keep="first")
        kept = kept.loc[~exact]
        natural = kept.duplicated(subset=key, keep="first")
        kept = kept.loc[~natural].reset_index(drop=True)
        self.log.fix(self.table, "duplicates.exact", "Rows repeated exactly removed", int(exact.sum()))
        self.log.fix(
            self.table,
            "duplicates.natural_key",
            f"Rows repeating the key ({', '.join(key)}) removed; the first in the file kept",
            int(natural.sum()),
        )
        return CleanedList(
            self.table,
            kept,
            self.sheet,
            rows_read=rows_read,
            duplicates_removed=int(exact.sum() + natural.sum()),
            rows_fixed=fixed,
            rows_quarantined=quarantined,
        )


def _option_words(value: object) -> str:
    """A cell's words, lower case, without an Annex A option prefix (``c) Died`` -> ``died``)."""
    if is_missing(value):
        return ""
    return " ".join(normalise_heading(OPTION_PREFIX.sub("", clean_text(value))).split())


def _recoded(value: object, parser: Callable[[object], object]) -> bool:
    """Whether a value was read into a different spelling than it was written in (``M`` -> ``male``)."""
    parsed = parser(value)
    if parsed is None or isinstance(value, (int, float)):
        return False
    written = OPTION_PREFIX.sub("", clean_text(value)).lower()  # Annex A's "a) " prefix is no fix
    if isinstance(parsed, bool):
        return written not in {"yes", "no"}
    if parser is parse_ethnicity:  # "WBRI - White British" is the code as written
        return not written.upper().startswith(str(parsed))
    return normalise_heading(written) != normalise_heading(str(parsed).replace("_", " "))


def clean_annex_a_list(
    sheet: RawSheet, spec: AnnexAList, key: bytes, log: CleaningLog, bounds: DateBounds
) -> CleanedList:
    """Clean one Annex A list: map headings, parse values, quarantine, pseudonymise, de-duplicate, sort.

    Notes
    -----
    Headings and value kinds: :mod:`analysis.annex_a` (Ofsted Annex A). The rows returned follow the table's
    schema (:mod:`analysis.schemas`), sorted by natural key, then raw row.
    """
    return _ListCleaner(sheet, spec, log, bounds).clean(key)


def latest_event_date(frames: list[pd.DataFrame]) -> pd.Timestamp | None:
    """The latest date in the cleaned lists (dates of birth excepted): the extract date when no cover gives it."""
    latest: pd.Timestamp | None = None
    for frame in frames:
        for column in frame.columns:
            if column == "date_of_birth" or not pd.api.types.is_datetime64_any_dtype(frame[column]):
                continue
            value = frame[column].max()
            if pd.notna(value) and (latest is None or value > latest):
                latest = pd.Timestamp(value)
    return latest
