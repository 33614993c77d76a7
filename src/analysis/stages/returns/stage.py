"""The statutory returns in the pipeline: read in the clean stage, used for the annual figures in the analysis stage.

Clean stage (:func:`clean_returns`): every SSDA903 and CIN census return below ``data/raw/returns/`` (one folder
per collection year) is read with :func:`analysis.stages.returns.command.read_returns`, DfE's measures are computed and
written as the ``statutory_returns`` table; the readers' findings go to the cleaning log, as the other sources'
do. A council without returns has no ``returns`` folder: the table is empty and nothing else changes.

Analysis stage (:func:`annual_with_returns`): the issue "The statutory returns in" asks that annual figures come
from the returns when they are there (they are what DfE will publish for the authority) and that monthly figures
keep coming from Annex A. Each annual row (year to 31 March, or at 31 March) of an indicator that a return gives
for that year takes the return's numerator, denominator and value, and its ``source`` names the return
("SSDA903 return 2014-15", "CIN census 2014-15"); the other rows keep "Annex A lists". Before that, each pair is
compared (:func:`analysis.stages.returns.reconcile.reconcile`): a difference beyond
``data_checks.returns_tolerance_percent`` is a data-quality warning naming both figures.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.config import ProjectConfig
from analysis.io import read_table
from analysis.methods.suppression import count_columns_for_unit, suppress_small_counts
from analysis.schemas import empty_table
from analysis.stages.indicators.compute import ANNEX_A_SOURCE
from analysis.stages.returns.command import (
    DEFAULT_SCHEMA_DIR,
    population_by_year,
    read_returns,
    returns_figures,
)
from analysis.stages.returns.common import Figure, Finding, year_label
from analysis.stages.returns.reconcile import ANNUAL_PERIOD_TYPES, reconcile

if TYPE_CHECKING:  # analysis.stages.cleaning imports this module: the log's type only, to avoid a cycle
    from analysis.stages.cleaning.log import CleaningLog

logger = logging.getLogger(__name__)

#: The folder of ``data/raw`` that holds the returns, one sub-folder per collection year (``2014-15/``).
RETURNS_FOLDER = "returns"
RETURNS_TABLE = "statutory_returns"
RECONCILIATION_TABLE = "returns_reconciliation"
#: The cleaning log's rule for a reader's finding: ``returns.<severity>`` (``.<DfE rule code>`` where one applies).
FINDING_RULE = "returns"
#: Measures that look back into the year before the collection year: DfE computes them with the earlier returns
#: (CIN census methodology, table A3: a referral within 12 months of a previous referral, which for a referral in
#: April lies in the previous census). From the earliest year read they would undercount, so they are used (and
#: compared with Annex A) only for a year whose previous year's return was read too.
NEEDS_EARLIER_RETURN = frozenset({"rereferrals_within_12_months"})
#: The first words of :attr:`Figure.source` that name each return, and the annual ``source`` label it gives.
RETURN_LABELS = {"SSDA903": "SSDA903 return", "CIN census": "CIN census"}


# ------------------------------------------------------------------------------------------------- clean stage
def census_schemas(config_folder: Path) -> Path | None:
    """The folder of DfE's CIN census schemas the cleaning validates the censuses against:
    :data:`~analysis.stages.returns.command.DEFAULT_SCHEMA_DIR` beside the project (its ``config/`` folder's
    parent), as ``analysis returns`` uses; ``None`` when it is not there (the censuses are then read unvalidated)."""
    folder = Path(config_folder).parent / DEFAULT_SCHEMA_DIR
    return folder if folder.is_dir() else None


def clean_returns(
    raw_dir: Path, config: ProjectConfig, population: pd.DataFrame, *, key: bytes, log: CleaningLog
) -> pd.DataFrame:
    """The ``statutory_returns`` table from ``raw_dir/returns`` (empty when there is no such folder).

    Parameters
    ----------
    raw_dir
        The raw data folder; the returns are in its ``returns`` folder.
    config
        The project configuration (the authority's codes for the population; the project root for the CIN
        census schemas, ``../shared/data/cin_census_schemas`` as ``analysis returns`` uses: without them the
        census is read without schema validation).
    population
        The cleaned ``population`` table (DfE's rates divide by the mid-year estimate before 31 March).
    key
        The pseudonymisation key (identifiers are pseudonymised as in the Annex A lists).
    log
        The stage's :class:`analysis.stages.cleaning.log.CleaningLog`: every finding is noted on the table (rule
        ``returns.<severity>[.<rule>]``, the file relative to ``raw_dir``) with no row affected: a reader's
        finding changes no row, so the report does not count it among the cleaning's corrections.
    """
    folder = Path(raw_dir) / RETURNS_FOLDER
    if not folder.is_dir():
        return empty_table(RETURNS_TABLE)
    read = read_returns(folder, key, census_schemas(config.folder))
    for finding in read.findings:
        _note_finding(log, finding, Path(raw_dir))
    years = sorted(set(read.ssda903) | set(read.cin))
    authority = config.authority
    figures = returns_figures(
        read, population_by_year(population, years, authority.old_la_code, authority.ons_code)
    )
    logger.info(
        "Statutory returns: %d figures for %s", len(figures), ", ".join(map(year_label, years)) or "no year"
    )
    return figures_table(figures)


def _note_finding(log: CleaningLog, finding: Finding, raw_dir: Path) -> None:
    """Add a reader's finding to the cleaning log, its file named relative to ``data/raw``."""
    file = finding.file
    if Path(file).is_absolute() and Path(file).is_relative_to(raw_dir):
        file = Path(file).relative_to(raw_dir).as_posix()
    relative = Finding(
        finding.severity, file, finding.message, finding.row, finding.child, finding.field, finding.rule
    )
    rule = f"{FINDING_RULE}.{finding.severity}" + (f".{finding.rule}" if finding.rule else "")
    log.note(RETURNS_TABLE, rule, relative.line(), 0)  # a finding changes no row: not a correction


def figures_table(figures: list[Figure]) -> pd.DataFrame:
    """The figures as the ``statutory_returns`` table."""
    if not figures:
        return empty_table(RETURNS_TABLE)
    return pd.DataFrame(
        [(f.measure, f.collection_year, f.numerator, f.denominator, f.value, f.source) for f in figures],
        columns=["measure", "collection_year", "numerator", "denominator", "value", "source"],
    )


def table_figures(table: pd.DataFrame) -> list[Figure]:
    """The ``statutory_returns`` table back as figures."""

    def number(value: object) -> float | None:
        return None if pd.isna(value) else float(value)  # type: ignore[arg-type]

    return [
        Figure(
            str(row.measure),
            int(row.collection_year),
            number(row.numerator),
            number(row.denominator),
            number(row.value),
            str(row.source),
        )
        for row in table.itertuples()
    ]


# ---------------------------------------------------------------------------------------------- analysis stage
def complete_figures(figures: list[Figure]) -> list[Figure]:
    """The figures DfE would publish as they are: a look-back measure (:data:`NEEDS_EARLIER_RETURN`) only for a
    year whose previous collection year was read too."""
    read = {(f.measure, f.collection_year) for f in figures}
    return [
        f
        for f in figures
        if f.measure not in NEEDS_EARLIER_RETURN or (f.measure, f.collection_year - 1) in read
    ]


def annual_source(figure: Figure) -> str:
    """The annual ``source`` label of a return's figure: ``SSDA903 return 2014-15`` or ``CIN census 2014-15``."""
    for start, label in RETURN_LABELS.items():
        if figure.source.startswith(start):
            return f"{label} {year_label(figure.collection_year)}"
    raise ValueError(f"{figure.measure}: a source naming neither return: {figure.source!r}")


def overlay_returns(annual: pd.DataFrame, figures: list[Figure], config: ProjectConfig) -> pd.DataFrame:
    """``indicators_annual`` with each Annex A year figure a return also gives replaced by the return's.

    Only rows computed from Annex A (``source`` "Annex A lists") of the year period types are replaced, and only
    where the return gives a value: rolling 12 months and monthly figures stay Annex A's. Suppression is decided
    again on the return's counts (:func:`analysis.methods.suppression.suppress_small_counts`, the indicator's unit).
    """
    by_key = {(f.measure, f.collection_year): f for f in figures if f.value is not None}
    out = annual.copy()
    settings = config.suppression
    for index, row in out.loc[
        out["period_type"].isin(ANNUAL_PERIOD_TYPES) & (out["source"] == ANNEX_A_SOURCE)
    ].iterrows():
        figure = by_key.get((row["indicator_id"], int(row["time_period"])))
        if figure is None:
            continue
        counts = pd.DataFrame(
            {"numerator": [figure.numerator], "denominator": [figure.denominator], "value": [figure.value]},
            dtype="float64",
        )
        unit = config.indicator(row["indicator_id"]).unit
        suppressed = suppress_small_counts(
            counts, count_columns_for_unit(unit), lower=settings.min_count, upper=settings.max_count
        )
        out.loc[index, ["numerator", "denominator", "value"]] = counts.iloc[0].to_numpy()
        out.loc[index, "suppressed"] = bool(suppressed.iloc[0])
        out.loc[index, "source"] = annual_source(figure)
    return out


def annual_with_returns(
    processed_dir: Path, annual: pd.DataFrame, config: ProjectConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis stage's annual figures with the returns in, and the ``returns_reconciliation`` table.

    Reads the ``statutory_returns`` table written by the clean stage (absent or empty: ``annual`` unchanged and
    an empty reconciliation); a look-back measure of the earliest year read is left out (:func:`complete_figures`). Every difference beyond ``data_checks.returns_tolerance_percent`` is logged as a
    warning and kept in the reconciliation's ``finding`` column.
    """
    path = Path(processed_dir) / f"{RETURNS_TABLE}.parquet"
    figures = (
        complete_figures(table_figures(read_table(RETURNS_TABLE, processed_dir))) if path.is_file() else []
    )
    if not figures:
        return annual, empty_table(RECONCILIATION_TABLE)
    from_annex_a = annual.loc[annual["source"] == ANNEX_A_SOURCE]
    pairs, findings = reconcile(
        figures, from_annex_a, tolerance_percent=config.data_checks.returns_tolerance_percent
    )
    for finding in findings:
        logger.warning("%s", finding.line())
    pairs["finding"] = pd.Series(pd.NA, index=pairs.index, dtype="string")
    outside = ~pairs["within_tolerance"].astype(bool)
    pairs.loc[outside, "finding"] = [f.line() for f in findings]  # one finding per pair outside, in order
    return overlay_returns(annual, figures, config), pairs.loc[:, empty_table(RECONCILIATION_TABLE).columns]
