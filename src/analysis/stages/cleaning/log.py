"""The cleaning log, the quarantine and the record of source files: the audit trail of stage 1.

Every rule that changes a value adds a line to the log (table, rule id, description, rows affected). Rows that
cannot be repaired go to the quarantine with the file, sheet, row (as Excel shows it), column and reason; never
with an identifier. Nothing here is written until every source has been read and cleaned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from analysis.schemas import schema

logger = logging.getLogger(__name__)

QUARANTINE_COLUMNS = schema("quarantine").column_names
LOG_COLUMNS = schema("cleaning_log").column_names
SOURCE_COLUMNS = schema("source_files").column_names
SUMMARY_COLUMNS = ["table", "rows_read", "duplicates_removed", "fixed", "quarantined", "written"]


@dataclass
class CleaningLog:
    """Collects fixes, quarantined rows, source files and per-table counts while the stage runs."""

    fixes: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[pd.DataFrame] = field(default_factory=list)
    sources: list[dict[str, object]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def fix(self, table: str, rule: str, description: str, rows: int) -> None:
        """Record that ``rule`` changed ``rows`` rows of ``table`` (nothing is recorded for zero rows)."""
        if rows:
            self.fixes.append(
                {"table": table, "rule": rule, "description": description, "rows_affected": int(rows)}
            )
            logger.debug("%s: %s on %d rows", table, rule, rows)

    def note(self, table: str, rule: str, description: str, rows: int) -> None:
        """Record something the analyst must know about ``table`` even when it touched no row (a missing column
        of an empty list): unlike :meth:`fix`, zero rows are recorded too."""
        self.fixes.append(
            {"table": table, "rule": rule, "description": description, "rows_affected": int(rows)}
        )
        logger.info("%s: %s", table, description)

    def quarantine(
        self,
        table: str,
        source_file: str,
        source_sheet: str | None,
        rows: pd.Index | pd.Series | list[int],
        column: str | None,
        reason: str,
    ) -> None:
        """Set rows aside: ``rows`` are raw row numbers (1-based, as Excel shows them)."""
        rows = list(rows)
        if not rows:
            return
        self.quarantined.append(
            pd.DataFrame(
                {
                    "table": table,
                    "source_file": source_file,
                    "source_sheet": source_sheet,
                    "source_row": pd.Series(rows, dtype="int64"),
                    "column": column,
                    "reason": reason,
                }
            )
        )
        logger.info("%s: %d rows quarantined (%s)", table, len(rows), reason)

    def count(self, table: str, **counts: int) -> None:
        """Add to the per-table counts (rows_read, duplicates_removed, fixed, quarantined, written)."""
        totals = self.counts.setdefault(table, dict.fromkeys(SUMMARY_COLUMNS[1:], 0))
        for name, value in counts.items():
            totals[name] += int(value)

    def source(
        self,
        table: str,
        source_file: str,
        source_sheet: str | None,
        *,
        rows_read: int,
        duplicates_removed: int = 0,
        rows_quarantined: int = 0,
        rows_written: int,
        extract_date: pd.Timestamp | None = None,
    ) -> None:
        """Record one raw file (or sheet) read."""
        self.sources.append(
            {
                "table": table,
                "source_file": source_file,
                "source_sheet": source_sheet,
                "rows_read": rows_read,
                "duplicates_removed": duplicates_removed,
                "rows_quarantined": rows_quarantined,
                "rows_written": rows_written,
                "extract_date": extract_date,
            }
        )

    # -------------------------------------------------------------------------------------------- tables
    def log_table(self) -> pd.DataFrame:
        """The ``cleaning_log`` table, sorted by table and rule."""
        frame = pd.DataFrame(self.fixes, columns=LOG_COLUMNS)
        frame = frame.groupby(["table", "rule", "description"], as_index=False, sort=True)[
            "rows_affected"
        ].sum()
        return frame.loc[:, LOG_COLUMNS].astype({"rows_affected": "int64"})

    def quarantine_table(self) -> pd.DataFrame:
        """The ``quarantine`` table, sorted by table, file, sheet, row and column."""
        if not self.quarantined:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in QUARANTINE_COLUMNS}).astype(
                {"source_row": "int64"}
            )
        frame = pd.concat(self.quarantined, ignore_index=True)
        keys = ["table", "source_file", "source_sheet", "source_row", "column", "reason"]
        return frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)

    def source_table(self) -> pd.DataFrame:
        """The ``source_files`` table, sorted by table, file and sheet."""
        frame = pd.DataFrame(self.sources, columns=SOURCE_COLUMNS)
        frame["extract_date"] = pd.to_datetime(frame["extract_date"]).astype("datetime64[s]")
        keys = ["table", "source_file", "source_sheet"]
        return frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)

    def summary_table(self) -> pd.DataFrame:
        """Per table: rows read, duplicates removed, rows fixed, rows quarantined, rows written."""
        rows = [{"table": table, **counts} for table, counts in self.counts.items()]
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({c: "int64" for c in SUMMARY_COLUMNS[1:]})


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows counted by table and reason (no identifiers, no row contents): for the notebook."""
    if quarantine.empty:
        return pd.DataFrame({"table": [], "reason": [], "rows": []}).astype({"rows": "int64"})
    return (
        quarantine.groupby(["table", "reason"], as_index=False, sort=True)
        .size()
        .rename(columns={"size": "rows"})
        .astype({"rows": "int64"})
    )
