"""Checks that apply to any processed table, made from its schema: types, identifiers, date ranges, order, codes."""

from __future__ import annotations

from datetime import date, datetime, time

from analysis.schemas import TableSchema
from analysis.stages.validation.check_types import ANNEX_A, CRITICAL, WARNING, Check, Severity, describe

#: pandas dtypes, as Great Expectations names them, accepted for each schema dtype (parquet stores dates in ms).
TYPE_NAMES: dict[str, list[str]] = {
    "string": ["StringDtype"],
    "datetime64[s]": ["datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]"],
    "boolean": ["BooleanDtype"],
    "Int64": ["Int64Dtype"],
    "int64": ["int64"],
    "float64": ["float64"],
}


def _timestamp(day: date) -> datetime:
    return datetime.combine(day, time())


# ------------------------------------------------------------------------------------------- generic checks
def schema_checks(table: TableSchema) -> list[Check]:
    """Every column present with its schema type; every non-nullable column (identifiers first) filled in.

    Notes
    -----
    The schema is the contract in :mod:`analysis.schemas`; the pseudonym must be present on every row because
    every child-level count is a count of distinct children or episodes.
    """
    name = table.name
    checks = [
        Check(
            f"{name}.columns_present",
            CRITICAL,
            "ExpectTableColumnsToMatchSet",
            {"column_set": table.column_names, "exact_match": False},
            describe(
                f"The {name} table has every column its schema lists (src/analysis/schemas.py).",
                "a stage of the pipeline is out of step with the schema; nothing computed from it can be trusted.",
            ),
        )
    ]
    for column in table.columns:
        checks.append(
            Check(
                f"{name}.{column.name}.type",
                CRITICAL,
                "ExpectColumnValuesToBeInTypeList",
                {"column": column.name, "type_list": TYPE_NAMES[column.dtype]},
                describe(
                    f"{column.name} is stored as {column.dtype} (src/analysis/schemas.py).",
                    "the table was not written through the pipeline; figures from it may be wrong.",
                ),
            )
        )
    for column in table.columns:
        if column.nullable:
            continue
        identifier = column.name in {"child_id", "adopter_id"}
        checks.append(
            Check(
                f"{name}.{column.name}.not_null",
                CRITICAL,
                "ExpectColumnValuesToNotBeNull",
                {"column": column.name},
                describe(
                    f"Every row of {name} has {column.name} ({column.meaning.lower()})"
                    + (f"; {ANNEX_A} requires a unique ID for every child." if identifier else "."),
                    "rows without it cannot be counted or linked to the child's other records."
                    if identifier
                    else "the row cannot be placed in a month or matched; counts would be wrong.",
                ),
            )
        )
    return checks


def natural_key_check(table: TableSchema) -> list[Check]:
    """Uniqueness of the table's natural key (``schema(name).natural_key``)."""
    key = list(table.natural_key)
    if not key:
        return []
    expectation, kwargs = (
        ("ExpectColumnValuesToBeUnique", {"column": key[0]})
        if len(key) == 1
        else ("ExpectCompoundColumnsToBeUnique", {"column_list": key})
    )
    return [
        Check(
            f"{table.name}.natural_key_unique",
            CRITICAL,
            expectation,
            kwargs,
            describe(
                f"No two rows of {table.name} share {', '.join(key)} (one record per event).",
                "the same event would be counted twice and every count and percentage built on it overstated.",
            ),
        )
    ]


def date_range_checks(table: TableSchema, earliest: date, extract: date) -> list[Check]:
    """Event dates between ``earliest`` and the extract date; dates of birth not after the extract date."""
    checks: list[Check] = []
    for column in table.columns:
        if not column.dtype.startswith("datetime64") or table.name in {"scorecard", "actions"}:
            continue
        if column.name == "care_start_date":
            # a child in care in the data period may have entered care as a baby long before the earliest event
            # date; the lower bound is the date of birth instead (see _order_rules).
            checks.append(
                Check(
                    f"{table.name}.care_start_date.not_after_extract",
                    WARNING,
                    "ExpectColumnValuesToBeBetween",
                    {"column": column.name, "max_value": _timestamp(extract)},
                    describe(
                        f"care_start_date in {table.name} is not after the extract date ({extract:%d %B %Y}).",
                        "these rows carry a mistyped date; counts of children entering care are slightly wrong.",
                    ),
                )
            )
            continue
        if column.name == "date_of_birth":
            checks.append(
                Check(
                    f"{table.name}.date_of_birth.not_after_extract",
                    WARNING,
                    "ExpectColumnValuesToBeBetween",
                    {"column": column.name, "max_value": _timestamp(extract)},
                    describe(
                        f"Dates of birth in {table.name} are not after the extract date ({extract:%d %B %Y}); "
                        f"{ANNEX_A} records an unborn child's expected date, so a few may be genuine.",
                        "ages and age bands of these children are unknown in the breakdowns.",
                    ),
                )
            )
            continue
        checks.append(
            Check(
                f"{table.name}.{column.name}.in_data_period",
                WARNING,
                "ExpectColumnValuesToBeBetween",
                {"column": column.name, "min_value": _timestamp(earliest), "max_value": _timestamp(extract)},
                describe(
                    f"{column.name} in {table.name} lies between {earliest:%d %B %Y} and the extract date "
                    f"({extract:%d %B %Y}).",
                    "these rows carry a mistyped date; they fall outside the months reported, so counts for "
                    "their true month are slightly low.",
                ),
            )
        )
    return checks


def order_check(
    table: str,
    earlier: str,
    later: str,
    severity: Severity,
    source: str,
    meaning: str,
    check_id: str | None = None,
) -> Check:
    """``earlier`` on or before ``later`` on each row where both are filled in."""
    return Check(
        check_id or f"{table}.{earlier}_not_after_{later}",
        severity,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        describe(f"In {table}, {earlier} is on or before {later} ({source}).", meaning),
    )


def vocabulary_check(
    table: str, column: str, values: frozenset[str] | set[str], severity: Severity, source: str
) -> Check:
    """Every filled-in value of ``column`` in its canonical vocabulary."""
    return Check(
        f"{table}.{column}.in_vocabulary",
        severity,
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": sorted(values)},
        describe(
            f"{column} in {table} takes only the canonical values ({', '.join(sorted(values))}; {source}).",
            "rows with other values drop out of the breakdown by this field.",
        ),
    )
