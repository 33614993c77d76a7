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
guidance for the codes (see :mod:`analysis.inputs.coded_values`). Finding and reading the lists, the cover's extract
date and the headings: :mod:`.annex_a_reading`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analysis.inputs.annex_a import (
    MISSING_COLUMN_RULE,
    UNMATCHED_HEADING_RULE,
    AnnexAColumn,
    AnnexAList,
)
from analysis.inputs.coded_values import (
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
from analysis.inputs.parsing import (
    OPTION_PREFIX,
    DistinctValues,
    clean_text,
    is_missing,
    missing_mask,
    normalise_heading,
    parse_integer,
    text_or_none,
)
from analysis.inputs.pseudonymise import date_of_birth_to_month, postcode_sectors, pseudonyms_of
from analysis.schemas import schema
from analysis.stages.cleaning.annex_a_reading import annex_a_error, map_headings
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import (
    RawSheet,
    data_below_header,
)

logger = logging.getLogger(__name__)


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


@dataclass
class CleanedList:
    """One cleaned list and its counts (``frame`` is already pseudonymised and sorted), and the file (and sheet) it
    was read from: not its raw cells, which are let go once cleaned (issue 21)."""

    table: str
    frame: pd.DataFrame
    file: str
    sheet: str | None
    rows_read: int
    duplicates_removed: int
    rows_fixed: int
    rows_quarantined: int


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

    def distinct(self, column: AnnexAColumn) -> DistinctValues:
        """The column's raw cells, factorised once for every parser that reads them."""
        return DistinctValues(self.raw(column))

    def markers(self, raw: DistinctValues) -> pd.Series:
        """Missing values written as text (``#N/A``, ``N/A``, ``-``): counted as a fix."""
        missing = raw.missing()
        written = raw.test(lambda v: isinstance(v, str) and clean_text(v) != "")
        mask = missing & written
        self.note_fix(
            "values.missing_marker", "Text meaning 'no value' (#N/A, N/A, -, blank) read as missing", mask
        )
        return missing

    def dates(self, column: AnnexAColumn, *, date_of_birth: bool = False) -> pd.Series:
        raw = self.distinct(column)
        missing = self.markers(raw)
        values, rules = raw.dates()
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
        raw = self.distinct(column)
        missing = self.markers(raw)
        values = raw.map(parser)
        unrecognised = values.isna() & ~missing
        if parser is parse_in_touch:  # died, no longer requires services, returned home: known, not yes or no
            known = raw.test(lambda v: _option_words(v) in IN_TOUCH_NOT_APPLICABLE)
            unrecognised &= ~known
        self.note_fix(
            f"codes.{column.column}_unrecognised",
            f"{column.heading}: values outside the {label} vocabulary set to missing",
            unrecognised,
        )
        changed = raw.test(lambda v: _recoded(v, parser))
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
                raw = self.distinct(column)
                self.set_aside(raw.missing(), self.written(column), f"no {column.heading}")
                out[name] = pseudonyms_of(raw, key, prefix=ID_PREFIX[column.kind])
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
                raw = self.distinct(column)
                missing = self.markers(raw)
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
                raw = self.distinct(column)
                self.markers(raw)
                out[name] = raw.map(text_or_none)
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
        exact, natural = duplicates_in_key_order(kept, key, data_columns)
        kept = kept.loc[~(exact | natural)].reset_index(drop=True)
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
            self.sheet.file,
            self.sheet.sheet,
            rows_read=rows_read,
            duplicates_removed=int(exact.sum() + natural.sum()),
            rows_fixed=fixed,
            rows_quarantined=quarantined,
        )


def duplicates_in_key_order(
    frame: pd.DataFrame, key: list[str], data_columns: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The rows repeated exactly (every one of ``data_columns`` as an earlier row's), and then the rows repeating
    an earlier row's ``key`` among the rest, of a frame sorted by ``key``; missing values equal each other.

    What ``frame.duplicated(subset=data_columns)`` and then ``duplicated(subset=key)`` of the rows left mark, found
    without hashing every row (issue 21: 6.5% of the cleaning at 10 million rows). Sorted, the rows of one key are
    next to each other: a row repeats a key when the row before has it, and only the rows of a key that comes more
    than once can repeat another row exactly.
    """
    repeats_key = _same_as_the_row_before(frame, key)
    in_a_repeated_key = repeats_key | np.append(repeats_key[1:], False)
    exact = np.zeros(len(frame), dtype=bool)
    if in_a_repeated_key.any():
        rows = frame.loc[in_a_repeated_key]
        exact[in_a_repeated_key] = rows.duplicated(subset=data_columns, keep="first").to_numpy(dtype=bool)
    natural = np.zeros(len(frame), dtype=bool)
    natural[~exact] = _same_as_the_row_before(frame.loc[~exact], key)
    return exact, natural


def _same_as_the_row_before(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row has the row before's values in ``columns`` (missing equal to missing); never the first."""
    same = np.ones(len(frame), dtype=bool)
    for column in columns:
        values = frame[column]
        before = values.shift()
        equal = values.eq(before).fillna(False).to_numpy(dtype=bool)
        same &= equal | (values.isna() & before.isna()).to_numpy(dtype=bool)
    same[:1] = False
    return same


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
    Headings and value kinds: :mod:`analysis.inputs.annex_a` (Ofsted Annex A). The rows returned follow the table's
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
