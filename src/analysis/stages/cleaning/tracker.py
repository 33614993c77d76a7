"""Cleaning the Improvement Plan action tracker (sheet ``Actions``): one row per action, status canonical.

Notes
-----
Statuses follow the plan's RAG convention: green = on track, amber = at risk, red = off track, blue = complete
(committee paper of 21 July 2015, Appendix 1 and section 4). The tracker is short and kept by hand, so a value
that cannot be read stops the run with the row to correct rather than being quarantined.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.inputs.parsing import (
    clean_text,
    is_missing,
    normalise_heading,
    parse_date_with_rule,
    parse_number,
)
from analysis.paths import TRACKER_STEM, tracker_snapshot
from analysis.schemas import schema
from analysis.stages.cleaning.log import CleaningLog
from analysis.stages.cleaning.reading import (
    RawSheet,
    closest_heading,
    data_below_header,
    find_header_row,
    read_csv_cells,
    read_excel_sheets,
)
from analysis.stages.cleaning.scorecard import locate_workbook_or_csv

logger = logging.getLogger(__name__)

TRACKER_SHEET = "Actions"

#: Tracker headings -> processed column, with the other wordings accepted (compared normalised).
TRACKER_HEADINGS: dict[str, tuple[str, ...]] = {
    "action_id": ("Action ID", "Action ref", "Ref", "Reference", "ID", "Action number", "No"),
    "theme": ("Theme", "Theme number", "Workstream"),
    "priority": ("Priority", "Plan priority"),
    "action": ("Action", "Action description", "Description", "What we will do"),
    "lead": ("Lead", "Lead officer", "Owner", "Responsible"),
    "due_date": ("Due date", "Due", "Target date", "Deadline", "Completion date"),
    "status": ("Status", "RAG", "RAG status", "Progress status"),
    "latest_update": ("Latest update", "Update", "Progress update", "Latest progress", "Comments"),
}
REQUIRED = ("action_id", "theme", "action", "status")

STATUS = {
    "not started": "not_started",
    "not yet started": "not_started",
    "grey": "not_started",
    "on track": "on_track",
    "green": "on_track",
    "g": "on_track",
    "at risk": "at_risk",
    "amber": "at_risk",
    "a": "at_risk",
    "off track": "off_track",
    "red": "off_track",
    "r": "off_track",
    "behind": "off_track",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "blue": "complete",
    "b": "complete",
}
_CANONICAL_STATUS = sorted(set(STATUS.values()))


def locate_tracker(raw_dir: Path, quarter: str | None = None) -> Path:
    """The action tracker as at ``quarter``: ``action_tracker/<quarter>.xlsx`` (or ``.csv``) when there is one.

    Notes
    -----
    Issue 13: a past quarter is reproduced as it was, so a run for a named quarter takes that quarter's snapshot of
    the tracker (statuses and updates as reported then). Without a snapshot it falls back to the single
    ``action_tracker.xlsx`` (or ``.csv``) with a logged notice: its statuses may be later than the quarter.
    """
    snapshot = tracker_snapshot(raw_dir, quarter)
    if snapshot is not None:
        return snapshot
    path = locate_workbook_or_csv(raw_dir, TRACKER_STEM, "action tracker")
    if quarter is not None:
        logger.warning(
            "No snapshot of the action tracker for %s (%s/%s.xlsx): using %s, whose statuses may be later than "
            "the quarter",
            quarter,
            TRACKER_STEM,
            quarter,
            path.name,
        )
    return path


def read_tracker_sheet(path: Path, raw_dir: Path) -> RawSheet:
    """The tracker's cells: sheet ``Actions`` of the workbook, or the CSV file."""
    if path.suffix.lower() == ".csv":
        lookup = _heading_lookup()
        return read_csv_cells(
            path,
            raw_dir,
            heading_score=lambda values: sum(v in lookup for v in values),
            expected="tracker headings (Action ID, Theme, ...)",
        )
    return read_excel_sheets(path, raw_dir, [TRACKER_SHEET])[TRACKER_SHEET]


def _heading_lookup() -> dict[str, str]:
    return {normalise_heading(h): column for column, headings in TRACKER_HEADINGS.items() for h in headings}


def parse_status(value: object) -> str | None:
    """Canonical status (``not_started``, ``on_track``, ``at_risk``, ``off_track``, ``complete``) or ``None``."""
    text = normalise_heading(value).replace("_", " ")
    if text in STATUS:
        return STATUS[text]
    return text.replace(" ", "_") if text.replace(" ", "_") in _CANONICAL_STATUS else None


def parse_theme(value: object, config: ProjectConfig) -> int | None:
    """Theme number from ``1``, ``Theme 1``, ``Theme 1: Workforce ...`` or the theme's name; ``None`` if unknown."""
    numbers = {t.number for t in config.plan.themes}
    number = parse_number(value)
    if number is not None and number.is_integer() and int(number) in numbers:
        return int(number)
    text = normalise_heading(value)
    match = re.match(r"^(?:theme\s*)?(\d+)\b", text)
    if match and int(match.group(1)) in numbers:
        return int(match.group(1))
    for theme in config.plan.themes:
        if text in {
            normalise_heading(theme.name),
            normalise_heading(theme.slug),
            normalise_heading(theme.label),
        }:
            return theme.number
    return None


def _action_id(value: object) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def clean_tracker(sheet: RawSheet, config: ProjectConfig, log: CleaningLog) -> pd.DataFrame:
    """The action tracker as the ``actions`` table; an unreadable theme, status or due date raises with the row.

    Notes
    -----
    Theme numbers are those of ``config/plan.yml`` (the Improvement Plan 2015-16's five themes).
    """
    table = "actions"
    lookup = _heading_lookup()
    header_row = find_header_row(
        sheet,
        lambda values: sum(v in lookup for v in values),
        expected="tracker headings (Action ID, Theme, ...)",
    )
    headings, body = data_below_header(sheet, header_row)
    positions: dict[str, int] = {}
    for position, heading in enumerate(headings):
        column = lookup.get(normalise_heading(heading))
        if column and column not in positions:
            positions[column] = position
        elif heading and not column:
            logger.warning("%s: heading '%s' is not a tracker heading: ignored", sheet.file, heading)
    for column in REQUIRED:
        if column not in positions:
            wanted = TRACKER_HEADINGS[column][0]
            suggestion = closest_heading(wanted, headings)
            hint = f" (closest heading present: '{suggestion}')" if suggestion else ""
            raise sheet.error(
                f"the required column '{wanted}' is missing{hint}",
                row=header_row,
                column=wanted,
                expected=f"a column headed '{wanted}'",
            )
    records = []
    fixes = {"status": 0, "theme": 0, "dates": 0}
    for row_number, row in body.iterrows():

        def cell(column: str, row: pd.Series = row) -> object:
            return row[positions[column]] if column in positions else None

        heading_of = {c: TRACKER_HEADINGS[c][0] for c in TRACKER_HEADINGS}
        action_id = _action_id(cell("action_id"))
        if action_id is None:
            raise sheet.error(
                "the action has no ID",
                row=int(row_number),
                column=heading_of["action_id"],
                expected="an action reference such as 1.3",
            )
        theme = parse_theme(cell("theme"), config)
        if theme is None:
            raise sheet.error(
                f"the theme '{clean_text(cell('theme'))}' is not one of the plan's themes",
                row=int(row_number),
                column=heading_of["theme"],
                expected="a theme number, 'Theme N' or a theme name from config/plan.yml ("
                + "; ".join(t.label for t in config.plan.themes)
                + ")",
            )
        fixes["theme"] += not isinstance(cell("theme"), (int, float)) and clean_text(cell("theme")) != str(
            theme
        )
        status = parse_status(cell("status"))
        if status is None:
            raise sheet.error(
                f"the status '{clean_text(cell('status'))}' is not recognised",
                row=int(row_number),
                column=heading_of["status"],
                expected="Not started, On track, At risk, Off track or Complete (or RAG colours)",
            )
        fixes["status"] += normalise_heading(cell("status")).replace(" ", "_") != status
        action_text = None if is_missing(cell("action")) else clean_text(cell("action"))
        if action_text is None:
            raise sheet.error(
                "the action has no description",
                row=int(row_number),
                column=heading_of["action"],
                expected="what will be done",
            )
        due, rule = parse_date_with_rule(cell("due_date"))
        if rule == "unparseable":
            raise sheet.error(
                "the due date cannot be read",
                row=int(row_number),
                column=heading_of["due_date"],
                expected="a date like 31/03/2016",
            )
        fixes["dates"] += rule in {"excel_serial", "other_text"}
        records.append(
            {
                "action_id": action_id,
                "theme": theme,
                "priority": None if is_missing(cell("priority")) else clean_text(cell("priority")),
                "action": action_text,
                "lead": None if is_missing(cell("lead")) else clean_text(cell("lead")),
                "due_date": due,
                "status": status,
                "latest_update": None
                if is_missing(cell("latest_update"))
                else clean_text(cell("latest_update")),
                "source_row": int(row_number),
            }
        )
    frame = pd.DataFrame(records, columns=schema(table).column_names)
    frame["due_date"] = pd.to_datetime(frame["due_date"]).astype("datetime64[s]")
    rows_read = len(frame)
    frame = frame.sort_values(["action_id", "source_row"], kind="stable")
    data_columns = [c for c in frame.columns if c != "source_row"]
    exact = frame.duplicated(subset=data_columns)
    frame = frame.loc[~exact]
    repeated = frame.duplicated(subset=["action_id"])
    if repeated.any():
        first = frame.loc[repeated].iloc[0]
        raise sheet.error(
            f"the action ID '{first['action_id']}' appears twice with different contents",
            row=int(first["source_row"]),
            column=TRACKER_HEADINGS["action_id"][0],
            expected="one row per action",
        )
    frame = frame.reset_index(drop=True)
    log.fix(
        table,
        "codes.status",
        "Statuses recoded (RAG colours, wording) to the canonical values",
        fixes["status"],
    )
    log.fix(
        table, "codes.theme", "Themes given as 'Theme N' or a name read as the theme number", fixes["theme"]
    )
    log.fix(table, "dates.other_format", "Due dates in other formats or Excel serials read", fixes["dates"])
    log.fix(table, "duplicates.exact", "Rows repeated exactly removed", int(exact.sum()))
    fixed = sum(fixes.values())
    log.count(
        table, rows_read=rows_read, duplicates_removed=int(exact.sum()), fixed=fixed, written=len(frame)
    )
    log.source(
        table,
        sheet.file,
        sheet.sheet,
        rows_read=rows_read,
        duplicates_removed=int(exact.sum()),
        rows_written=len(frame),
    )
    return frame
