"""The schemas of the run's records: the cleaning log, the source files read, data check results and quarantine."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema

RUN_RECORD_SCHEMAS: list[TableSchema] = [
    TableSchema(
        "cleaning_log",
        "Every fix the cleaning made: which rule, on which table, how many rows.",
        (
            Column("table", "string", "Processed table", False),
            Column("rule", "string", "Rule id, e.g. dates.excel_serial", False),
            Column("description", "string", "What the rule does, in plain English", False),
            Column("rows_affected", "int64", "Rows changed (or removed) by the rule", False),
        ),
    ),
    TableSchema(
        "source_files",
        "One row per raw file (or sheet) read: what came in, what went out, and the extract date.",
        (
            Column("table", "string", "Processed table the file feeds", False),
            Column("source_file", "string", "Raw file name (relative to data/raw)", False),
            Column("source_sheet", "string", "Sheet, for workbooks"),
            Column("rows_read", "int64", "Data rows read (header and blank rows excluded)", False),
            Column("duplicates_removed", "int64", "Exact or natural-key duplicates removed", False),
            Column("rows_quarantined", "int64", "Rows set aside in the quarantine table", False),
            Column("rows_written", "int64", "Rows in the processed table", False),
            Column("extract_date", "datetime64[s]", "Date the extract was taken, where the file says"),
        ),
        ("table", "source_file", "source_sheet"),
    ),
    TableSchema(
        "validation_results",
        "One row per Great Expectations expectation run on the processed tables.",
        (
            Column("suite", "string", "Expectation suite (= processed table)", False),
            Column(
                "expectation",
                "string",
                "Expectation type, e.g. expect_column_values_to_not_be_null",
                False,
            ),
            Column("check_id", "string", "Stable id of the check, e.g. assessments.dates_in_order", False),
            Column("column", "string", "Column(s) checked"),
            Column("severity", "string", "critical or warning", False),
            Column("success", "boolean", "Did the data meet the expectation", False),
            Column("unexpected_count", "Int64", "Rows that failed; empty for table-level checks"),
            Column("unexpected_percent", "float64", "Percent of rows that failed"),
            Column(
                "example_rows",
                "string",
                "A few raw row numbers (source_row) of failing rows; never identifiers",
            ),
            Column(
                "description",
                "string",
                "Plain English: what is checked, and what a failure means for the figures",
                False,
            ),
        ),
        ("suite", "check_id"),
    ),
    TableSchema(
        "quarantine",
        "Rows that could not be repaired, with where they came from and why. No identifiers.",
        (
            Column("table", "string", "Processed table the row was meant for", False),
            Column("source_file", "string", "Raw file name (relative to data/raw)", False),
            Column("source_sheet", "string", "Sheet, for workbooks"),
            Column("source_row", "int64", "Row in the raw file or sheet", False),
            Column("column", "string", "Column at fault"),
            Column("reason", "string", "Why the row was set aside", False),
        ),
    ),
    # ------------------------------------------------------------------------------ analysis outputs
]
