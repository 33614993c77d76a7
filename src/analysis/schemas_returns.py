"""The schemas of the statutory returns' tables: their annual figures and the reconciliation with Annex A."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema

RETURNS_SCHEMAS: list[TableSchema] = [
    TableSchema(
        "statutory_returns",
        "DfE's measures from the authority's SSDA903 and CIN census returns, per collection year "
        "(analysis.stages.returns; unsuppressed: the analysis suppresses what it shows).",
        (
            Column("measure", "string", "Measure id (as in config/indicators.yml)", False),
            Column("collection_year", "int64", "Year ending 31 March (2015 = the 2014-15 return)", False),
            Column("numerator", "float64", "Count the figure is made from"),
            Column("denominator", "float64", "Base of a percentage or rate"),
            Column("value", "float64", "The figure as DfE defines it"),
            Column("source", "string", "The return and fields it comes from (Figure.source)", False),
        ),
        ("measure", "collection_year"),
    ),
    TableSchema(
        "returns_reconciliation",
        "Each annual figure given by both the statutory returns and Annex A: both values and how far apart.",
        (
            Column("indicator_id", "string", "Indicator id", False),
            Column("time_period", "int64", "Year ending 31 March", False),
            Column("returns_value", "float64", "The returns' figure (what the analysis uses)"),
            Column("returns_source", "string", "The return and fields it comes from", False),
            Column("annex_a_value", "float64", "Annex A's reconstruction of the same figure"),
            Column("difference_percent", "float64", "Difference as a percentage of the returns' value"),
            Column("within_tolerance", "boolean", "Within data_checks.returns_tolerance_percent", False),
            Column("finding", "string", "The data-quality warning when outside the tolerance"),
        ),
        ("indicator_id", "time_period"),
    ),
]
