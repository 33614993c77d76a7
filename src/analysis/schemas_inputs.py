"""The schemas of the other cleaned inputs: scorecard, action tracker, DfE benchmarks, population, neighbours, commentary."""

from __future__ import annotations

from analysis.schemas_table import Column, TableSchema

#: How the commentary table stores a ``## Topic: <id>`` section: theme 0, and ``topic:<id>`` as its
#: ``indicator_id`` (written by the cleaning, read by the reports).
TOPIC_THEME = 0
TOPIC_PREFIX = "topic:"

INPUT_SCHEMAS: list[TableSchema] = [
    TableSchema(
        "scorecard",
        "The monthly local scorecard, tidy: one row per indicator and month.",
        (
            Column("indicator_id", "string", "Indicator id from config/indicators.yml", False),
            Column("month", "datetime64[s]", "First day of the month", False),
            Column("value", "float64", "The figure; empty where a symbol stands instead"),
            Column("symbol", "string", "Why there is no figure: 'x' not available (n/a, -, blank)"),
            Column("source_row", "int64", "Row in the raw sheet", False),
            Column("source_column", "string", "Heading of the raw month column", False),
        ),
        ("indicator_id", "month"),
    ),
    TableSchema(
        "actions",
        "The Improvement Plan action tracker.",
        (
            Column("action_id", "string", "Action reference, e.g. 1.3", False),
            Column("theme", "int64", "Theme number (config/plan.yml)", False),
            Column("priority", "string", "The plan priority the action serves"),
            Column("action", "string", "What will be done", False),
            Column("lead", "string", "Lead role (never a person's name)"),
            Column("due_date", "datetime64[s]", "Date due"),
            Column("status", "string", "not_started, on_track, at_risk, off_track or complete", False),
            Column("latest_update", "string", "Latest progress update"),
            Column("source_row", "int64", "Row in the raw sheet", False),
        ),
        ("action_id",),
    ),
    TableSchema(
        "benchmarks",
        "Published benchmark figures from EES open-data files, tidy: one row per area, year and measure.",
        (
            Column("publication", "string", "Publication id from config/benchmarks.yml", False),
            Column("time_period", "int64", "Year ending 31 March (2015 = 2014-15)", False),
            Column("geographic_level", "string", "National, Regional or Local authority", False),
            Column("area_code", "string", "E92000001, region E12..., or LA new code E06/E08/E09/E10"),
            Column("old_la_code", "Int64", "DfE three-digit LA code (LAs only)"),
            Column("area_name", "string", "England, region or LA name", False),
            Column("measure", "string", "The EES column name", False),
            Column("value", "float64", "The published figure; empty where suppressed"),
            Column("symbol", "string", "GSS symbol where there is no figure: c, x, z, low, k, u"),
        ),
        ("publication", "time_period", "geographic_level", "area_code", "old_la_code", "measure"),
    ),
    TableSchema(
        "population",
        "ONS mid-year estimates of children aged 0 to 17, by area and year.",
        (
            Column("time_period", "int64", "Mid-year of the estimate (2014 = mid-2014)", False),
            Column("geographic_level", "string", "National, Regional or Local authority", False),
            Column("area_code", "string", "E92000001, E12..., or LA new code"),
            Column("old_la_code", "Int64", "DfE three-digit LA code (LAs only)"),
            Column("area_name", "string", "Area name", False),
            Column("population", "float64", "Children aged 0-17"),
        ),
        ("time_period", "geographic_level", "area_code", "old_la_code"),
    ),
    TableSchema(
        "statistical_neighbours",
        "DfE's statistical neighbour model (the file named in config/benchmarks.yml): one row per neighbour.",
        (
            Column("old_la_code", "Int64", "The authority's DfE three-digit LA code", False),
            Column("la_name", "string", "The authority's name"),
            Column("neighbour_rank", "int64", "1 = closest neighbour", False),
            Column("neighbour_old_la_code", "Int64", "The neighbour's DfE LA code", False),
            Column("closeness", "string", "DfE's closeness label, e.g. 'Very close'"),
            Column("model", "string", "The file the neighbours were read from", False),
        ),
        ("old_la_code", "neighbour_rank"),
    ),
    TableSchema(
        "commentary",
        "The analyst's commentary for each quarter, per theme and optionally per indicator.",
        (
            Column("quarter", "string", "Quarter, e.g. 2015-16-Q1", False),
            Column("theme", "int64", "Theme number; 0 for a topic's section", False),
            Column(
                "indicator_id",
                "string",
                "Indicator the paragraph is about; empty for the theme; topic:<id> for a topic",
            ),
            Column("text", "string", "Markdown text", False),
        ),
        ("quarter", "theme", "indicator_id"),
    ),
]
