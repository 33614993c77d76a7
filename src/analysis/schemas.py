"""The documented schema of every table the pipeline writes to ``data/processed/`` (one parquet file each).

This is the contract between the stages: cleaning writes these tables, validation checks them, the analysis reads
them and writes the analysis tables, and the report notebooks read only those. Column types are pandas dtypes.
Child-level tables carry pseudonyms only (``child_id``; see :mod:`analysis.inputs.pseudonymise`) and the raw file's
row number (``source_row``, 1-based as Excel shows it) so that a data check can point at the raw row.
"""

from __future__ import annotations

import pandas as pd

from analysis.schemas_analysis import ANALYSIS_SCHEMAS
from analysis.schemas_child_level import CHILD_LEVEL_SCHEMAS
from analysis.schemas_inputs import INPUT_SCHEMAS
from analysis.schemas_returns import RETURNS_SCHEMAS
from analysis.schemas_run_records import RUN_RECORD_SCHEMAS
from analysis.schemas_table import Column, TableSchema
from analysis.schemas_topics import TOPIC_SCHEMAS

__all__ = [
    "ANALYSIS_TABLES",
    "CHILD_LEVEL_TABLES",
    "SCHEMAS",
    "Column",
    "TableSchema",
    "empty_table",
    "schema",
]


#: Every processed table's schema, by name: child-level, other inputs, run records, analysis, topics, statutory returns.
SCHEMAS: dict[str, TableSchema] = {
    s.name: s
    for s in [
        *CHILD_LEVEL_SCHEMAS,
        *INPUT_SCHEMAS,
        *RUN_RECORD_SCHEMAS,
        *ANALYSIS_SCHEMAS,
        *TOPIC_SCHEMAS,
        *RETURNS_SCHEMAS,
    ]
}


def schema(name: str) -> TableSchema:
    """The schema of a processed table (``KeyError`` names the known tables)."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"no schema for table {name!r}; known tables: {', '.join(SCHEMAS)}") from None


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows in the columns and types of its schema."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(name).columns})


CHILD_LEVEL_TABLES = [
    "contacts",
    "early_help",
    "referrals",
    "assessments",
    "section47",
    "children_in_need",
    "cp_plans",
    "looked_after",
    "care_leavers",
    "adoptions",
    "adopters",
]

#: Tables the analysis stage writes (``analysis.stages.analyse``); the reports read them.
ANALYSIS_TABLES = (
    "indicators_monthly",
    "indicators_annual",
    "spc",
    "spc_summary",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions",
    "exceptions_as_at",
    "anticipated",
    "forecasts",
    "forecast_backtest",
    "returns_reconciliation",
    "topic_profile",
    "topic_disproportionality",
    "topic_journeys",
    "topic_drift",
    "topic_placement_distance",
    "topic_assessment_factors",
    "safeguarding_board",
)
