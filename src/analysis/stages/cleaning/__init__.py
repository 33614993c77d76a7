"""Stage 1 of the pipeline: raw files in, tidy pseudonymised tables out (``notebooks/01_clean.ipynb``).

:func:`clean_all` reads and cleans every source first and writes only when all of them succeeded, so an error
in the last file read leaves nothing half-made. The modules, one per source: :mod:`.annex_a` (read by
:mod:`.annex_a_reading`), :mod:`.scorecard`, :mod:`.tracker`, :mod:`.commentary`, :mod:`.benchmarks`; :mod:`.log`
keeps the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.config import ProjectConfig
from analysis.errors import InputDataError
from analysis.inputs.annex_a import ANNEX_A_BY_TABLE, MISSING_COLUMN_RULE, UNMATCHED_HEADING_RULE
from analysis.io import write_table
from analysis.schemas import CHILD_LEVEL_TABLES
from analysis.stages.cleaning.annex_a import DateBounds, clean_annex_a_list, latest_event_date
from analysis.stages.cleaning.annex_a_reading import annex_a_error, locate_annex_a, read_annex_a
from analysis.stages.cleaning.benchmarks import clean_benchmarks, clean_statistical_neighbours
from analysis.stages.cleaning.commentary import clean_commentary
from analysis.stages.cleaning.log import CleaningLog, quarantine_summary
from analysis.stages.cleaning.scorecard import (
    SCORECARD_STEM,
    clean_scorecard,
    locate_workbook_or_csv,
    read_scorecard_sheet,
)
from analysis.stages.cleaning.tracker import clean_tracker, locate_tracker, read_tracker_sheet
from analysis.stages.returns.stage import clean_returns

logger = logging.getLogger(__name__)

__all__ = ["CleaningSummary", "clean_all", "clean_sources", "quarantine_summary"]


@dataclass(frozen=True)
class CleaningSummary:
    """What stage 1 did: per-table counts, the cleaning log, the quarantine and the source files."""

    tables: pd.DataFrame  # table, rows_read, duplicates_removed, fixed, quarantined, written
    cleaning_log: pd.DataFrame
    quarantine: pd.DataFrame
    source_files: pd.DataFrame
    extract_date: pd.Timestamp | None
    written: tuple[Path, ...] = ()

    @property
    def annex_a_headings(self) -> pd.DataFrame:
        """Annex A columns missing from the lists and headings that matched no column (``table``, ``finding``,
        ``description``, ``rows_affected``): what the notebook shows about the template used."""
        log = self.cleaning_log
        rules = log["rule"].astype(str)
        missing = rules.str.startswith(MISSING_COLUMN_RULE)
        unmatched = rules.eq(UNMATCHED_HEADING_RULE)
        found = log.loc[missing | unmatched, ["table", "description", "rows_affected"]].copy()
        found.insert(
            1, "finding", ["column missing" if m else "heading not matched" for m in missing[found.index]]
        )
        return found.reset_index(drop=True)

    @property
    def quarantine_by_reason(self) -> pd.DataFrame:
        """Quarantined rows counted by table and reason (no identifiers)."""
        return quarantine_summary(self.quarantine)


def clean_sources(
    raw_dir: Path,
    config: ProjectConfig,
    *,
    key: bytes,
    today: date | None = None,
    quarter: str | None = None,
) -> tuple[dict[str, pd.DataFrame], CleaningSummary]:
    """Read and clean every raw source in memory: the processed tables by name, and the summary.

    ``today`` bounds plausible dates when no cover gives the extract date (default: the current date);
    ``quarter`` (a label such as ``2014-15-Q4``) takes the action tracker's snapshot as at that quarter.
    """
    raw_dir = Path(raw_dir)
    log = CleaningLog()
    source = locate_annex_a(raw_dir)
    sheets, extract_date = read_annex_a(source, raw_dir)
    bounds = DateBounds.until(
        extract_date if extract_date is not None else pd.Timestamp(today or date.today())
    )
    tables: dict[str, pd.DataFrame] = {}
    cleaned_lists = []
    problems: list[InputDataError] = []
    for table in CHILD_LEVEL_TABLES:
        try:
            cleaned = clean_annex_a_list(sheets[table], ANNEX_A_BY_TABLE[table], key, log, bounds)
        except InputDataError as error:  # read on: one error names every problem of every list
            problems.extend(getattr(error, "problems", [error]))
            continue
        cleaned_lists.append(cleaned)
        tables[table] = cleaned.frame
        logger.info(
            "%s: %d rows read, %d duplicates, %d quarantined, %d written",
            table,
            cleaned.rows_read,
            cleaned.duplicates_removed,
            cleaned.rows_quarantined,
            len(cleaned.frame),
        )
    if problems:
        raise annex_a_error(problems)
    if extract_date is None:
        extract_date = latest_event_date(list(tables.values()))
        logger.info("No cover gives the extract date: using the latest date in the lists")
    for cleaned in cleaned_lists:
        log.count(
            cleaned.table,
            rows_read=cleaned.rows_read,
            duplicates_removed=cleaned.duplicates_removed,
            fixed=cleaned.rows_fixed,
            quarantined=cleaned.rows_quarantined,
            written=len(cleaned.frame),
        )
        log.source(
            cleaned.table,
            cleaned.file,
            cleaned.sheet,
            rows_read=cleaned.rows_read,
            duplicates_removed=cleaned.duplicates_removed,
            rows_quarantined=cleaned.rows_quarantined,
            rows_written=len(cleaned.frame),
            extract_date=extract_date,
        )

    scorecard_path = locate_workbook_or_csv(raw_dir, SCORECARD_STEM, "scorecard")
    tables["scorecard"] = clean_scorecard(read_scorecard_sheet(scorecard_path, raw_dir), config, log)
    tracker_path = locate_tracker(raw_dir, quarter)
    tables["actions"] = clean_tracker(read_tracker_sheet(tracker_path, raw_dir), config, log)
    tables["benchmarks"], tables["population"] = clean_benchmarks(raw_dir, config, log)
    tables["statistical_neighbours"] = clean_statistical_neighbours(raw_dir, config, log)
    tables["commentary"] = clean_commentary(raw_dir, config, log)
    tables["statutory_returns"] = clean_returns(raw_dir, config, tables["population"], key=key, log=log)

    tables["cleaning_log"] = log.log_table()
    tables["quarantine"] = log.quarantine_table()
    tables["source_files"] = log.source_table()
    summary = CleaningSummary(
        tables=log.summary_table(),
        cleaning_log=tables["cleaning_log"],
        quarantine=tables["quarantine"],
        source_files=tables["source_files"],
        extract_date=extract_date,
    )
    return tables, summary


def clean_all(
    raw_dir: Path,
    processed_dir: Path,
    config: ProjectConfig,
    *,
    key: bytes,
    today: date | None = None,
    quarter: str | None = None,
) -> CleaningSummary:
    """Stage 1: clean every raw source in ``raw_dir`` and write the processed tables to ``processed_dir``.

    Everything is read and cleaned before the first table is written; each write is atomic
    (:func:`analysis.io.write_table`). Child-level tables carry pseudonyms only.

    Notes
    -----
    Raw layout: ``data/raw/README.md``; tables: :mod:`analysis.schemas`; what is quarantined and what is left
    to the data checks: :mod:`analysis.stages.cleaning.annex_a`.
    """
    tables, summary = clean_sources(raw_dir, config, key=key, today=today, quarter=quarter)
    written = tuple(write_table(frame, name, Path(processed_dir)) for name, frame in tables.items())
    logger.info("Wrote %d processed tables to %s", len(written), processed_dir)
    return CleaningSummary(
        tables=summary.tables,
        cleaning_log=summary.cleaning_log,
        quarantine=summary.quarantine,
        source_files=summary.source_files,
        extract_date=summary.extract_date,
        written=written,
    )
