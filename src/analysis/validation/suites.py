"""The expectation suites, defined in code so that they can be reviewed: one suite per processed table or derived frame.

A :class:`Check` names a Great Expectations built-in expectation (its class in ``great_expectations.expectations``)
with its arguments, a stable ``check_id``, a ``severity`` (``critical`` stops the run, ``warning`` goes to the
report's data-quality section) and a plain-English ``description`` of what is checked, where the rule comes from,
and what a failure means for the figures. Nothing here imports Great Expectations; :mod:`.runner` turns checks
into expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from analysis.config import ProjectConfig
from analysis.schemas import CHILD_LEVEL_TABLES, TableSchema, schema

Severity = Literal["critical", "warning"]
CRITICAL: Severity = "critical"
WARNING: Severity = "warning"

#: Separates what a check tests from what its failure means; :func:`split_description` undoes it.
MEANING = " If it fails: "

#: Tables the cleaning stage must have written before the checks run.
REQUIRED_TABLES: tuple[str, ...] = (*CHILD_LEVEL_TABLES, "scorecard", "actions", "benchmarks")

#: pandas dtypes, as Great Expectations names them, accepted for each schema dtype (parquet stores dates in ms).
TYPE_NAMES: dict[str, list[str]] = {
    "string": ["StringDtype"],
    "datetime64[s]": ["datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]"],
    "boolean": ["BooleanDtype"],
    "Int64": ["Int64Dtype"],
    "int64": ["int64"],
    "float64": ["float64"],
}

ANNEX_A = "Ofsted Annex A (2015)"
SSDA903 = "DfE SSDA903 children looked after return guidance"
CIN = "DfE children in need census guidance"


@dataclass(frozen=True)
class Check:
    """One expectation: the GX class name and arguments, its id, severity and plain-English description."""

    check_id: str
    severity: Severity
    expectation: str
    kwargs: dict[str, Any]
    description: str

    @property
    def columns(self) -> str:
        """The column or columns the check looks at, comma-separated (empty for table-level checks)."""
        kw = self.kwargs
        if "column" in kw:
            return str(kw["column"])
        if "column_A" in kw:
            return f"{kw['column_A']}, {kw['column_B']}"
        if "column_list" in kw:
            return ", ".join(kw["column_list"])
        return ""


@dataclass(frozen=True)
class Suite:
    """The checks run on one frame; ``row_label`` is the column quoted for failing rows (never an identifier)."""

    name: str
    checks: list[Check] = field(default_factory=list)
    row_label: str = "source_row"


def split_description(description: str) -> tuple[str, str]:
    """(what is checked, what a failure means) from a check's description."""
    what, _, meaning = description.partition(MEANING)
    return what, meaning


def _d(what: str, meaning: str) -> str:
    return f"{what}{MEANING}{meaning}"


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
            _d(
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
                _d(
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
                _d(
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
            _d(
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
                    _d(
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
                    _d(
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
                _d(
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
        _d(f"In {table}, {earlier} is on or before {later} ({source}).", meaning),
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
        _d(
            f"{column} in {table} takes only the canonical values ({', '.join(sorted(values))}; {source}).",
            "rows with other values drop out of the breakdown by this field.",
        ),
    )


# --------------------------------------------------------------------------------------- table-specific rules
def _vocabularies() -> dict[str, frozenset[str]]:
    """Canonical vocabularies, taken from the modules that produce the values (one definition of each).

    Gender, ethnicity, activity, category of abuse and the SSDA903/CIN codes from :mod:`analysis.parsing`; the
    action status from the tracker reader; GSS symbols and geographic levels from :mod:`analysis.ees`.
    """
    from analysis import ees, parsing
    from analysis.cleaning import tracker

    return {
        "gender": frozenset(parsing.GENDER.values()),
        "ethnicity": frozenset(parsing.ETHNICITY_CODES),
        "activity": frozenset(parsing.ACTIVITY.values()),
        "category_of_abuse": frozenset(parsing.CATEGORY_OF_ABUSE.values()),
        **parsing.SSDA903_CODES,
        "status": frozenset(tracker.STATUS.values()),
        "symbol": frozenset(ees.SYMBOLS),
        "geographic_level": frozenset(ees.LEVEL_COLUMNS),
    }


def _order_rules(name: str) -> list[Check]:
    born_first = "a child enters care on or after birth (date of birth is the first of the month)"
    rules: dict[str, list[Check]] = {
        "early_help": [
            order_check(
                name,
                "early_help_start_date",
                "early_help_completed_date",
                WARNING,
                ANNEX_A,
                "completion times of early help assessments are unreliable for these rows.",
            )
        ],
        "assessments": [
            order_check(
                name,
                "assessment_start_date",
                "assessment_authorised_date",
                WARNING,
                f"{CIN}: the assessment is completed when authorised",
                "these assessments count as completed in no time; the share within 45 working days is "
                "slightly overstated.",
            )
        ],
        "section47": [
            order_check(
                name,
                "strategy_discussion_date",
                "icpc_date",
                WARNING,
                "Working Together to Safeguard Children (2015): the conference follows the strategy discussion",
                "the timeliness of initial conferences (15 working days) is unreliable for these rows.",
            )
        ],
        "children_in_need": [
            order_check(
                name,
                "cin_start_date",
                "cin_end_date",
                WARNING,
                CIN,
                "episode lengths are wrong for these rows.",
            )
        ],
        "cp_plans": [
            order_check(
                name,
                "cp_plan_start_date",
                "cp_plan_end_date",
                WARNING,
                CIN,
                "plan durations (e.g. plans lasting two years or more) are wrong for these rows.",
            )
        ],
        "looked_after": [
            order_check(
                name,
                "date_of_birth",
                "care_start_date",
                WARNING,
                born_first,
                "the child's age on entering care is wrong for these rows.",
            ),
            order_check(
                name,
                "placement_start_date",
                "placement_end_date",
                WARNING,
                SSDA903,
                "placement lengths and placement stability figures are unreliable for these rows.",
            ),
            order_check(
                name,
                "care_start_date",
                "care_end_date",
                WARNING,
                SSDA903,
                "the children in care on a given date and care leavers are miscounted for these rows.",
            ),
            order_check(
                name,
                "care_start_date",
                "placement_start_date",
                WARNING,
                f"{SSDA903}: a placement belongs to a period of care",
                "the placement is outside its period of care; placement counts are unreliable for it.",
            ),
        ],
    }
    adoption_chain = [
        "care_start_date",
        "placement_order_date",
        "matched_date",
        "placed_date",
        "adoption_order_date",
    ]
    adoption_source = "DfE adoption scorecard (A1, A2) and the Adoption and Children Act 2002 sequence"
    adoption_meaning = (
        "the adoption timeliness measures (A1, A2) would be computed from impossible dates; the run stops so the "
        "record can be corrected at source."
    )
    rules["adoptions"] = (
        [
            order_check(
                name,
                "date_of_birth",
                "care_start_date",
                WARNING,
                born_first,
                "the child's age at entering care and at adoption is wrong for these rows.",
            )
        ]
        + [
            order_check(name, earlier, later, CRITICAL, adoption_source, adoption_meaning)
            for earlier, later in zip(adoption_chain, adoption_chain[1:], strict=False)
        ]
        + [
            order_check(
                name,
                "placement_order_date",
                "adoption_order_date",
                CRITICAL,
                "an adoption order cannot precede the placement order (Adoption and Children Act 2002, s.21 and s.46)",
                adoption_meaning,
            )
        ]
    )
    return rules.get(name, [])


def _vocabulary_rules(name: str, table: TableSchema) -> list[Check]:
    vocabularies = _vocabularies()
    columns = set(table.column_names)
    checks: list[Check] = []
    sources = {
        "gender": (WARNING, f"{CIN}, gender codes"),
        "ethnicity": (WARNING, f"{CIN}, DfE ethnicity codes"),
        "category_of_abuse": (WARNING, f"{CIN}, category of abuse"),
        "primary_need": (WARNING, f"{CIN}, primary need codes N0-N9"),
        "legal_status": (WARNING, f"{SSDA903}, legal status codes"),
        "placement_type": (WARNING, f"{SSDA903}, placement type codes"),
        "reason_ceased": (WARNING, f"{SSDA903}, reason episode ceased codes"),
        "activity": (WARNING, f"{SSDA903}, care leavers' activity"),
        "status": (CRITICAL, "the Improvement Plan action tracker's status ratings"),
        "geographic_level": (WARNING, "DfE open-data standards, geographic levels"),
        "symbol": (WARNING, "GSS guidance on symbols in tables"),
    }
    for column, (severity, source) in sources.items():
        if column in columns:
            checks.append(vocabulary_check(name, column, vocabularies[column], severity, source))
    return checks


def table_suite(name: str, config: ProjectConfig, extract: date) -> Suite:
    """The suite for one processed table: schema, natural key, dates, order of dates and vocabularies."""
    table = schema(name)
    checks = [
        *schema_checks(table),
        *natural_key_check(table),
        *date_range_checks(table, config.data_checks.earliest_event_date, extract),
        *_order_rules(name),
        *_vocabulary_rules(name, table),
    ]
    checks += annex_a_value_checks(name)
    if name == "actions":
        themes = sorted(t.number for t in config.plan.themes)
        checks.append(
            Check(
                "actions.theme.in_plan",
                CRITICAL,
                "ExpectColumnValuesToBeInSet",
                {"column": "theme", "value_set": themes},
                _d(
                    f"Every action belongs to a theme of the Improvement Plan (config/plan.yml: {themes}).",
                    "the action would be missing from every themed exception report.",
                ),
            )
        )
    if name == "scorecard":
        scorecard_ids = sorted(i.id for i in config.indicators if i.source == "scorecard")
        checks += [
            Check(
                "scorecard.indicator_id.configured",
                WARNING,
                "ExpectColumnValuesToBeInSet",
                {"column": "indicator_id", "value_set": scorecard_ids},
                _d(
                    "Every scorecard row is an indicator config/indicators.yml takes from the scorecard.",
                    "the row is ignored by the report.",
                ),
            ),
            Check(
                "scorecard.percentages_0_to_100",
                CRITICAL,
                "ExpectColumnValuesToBeBetween",
                {"column": "percent_value", "min_value": 0, "max_value": 100},
                _d(
                    "Scorecard percentages lie between 0 and 100.",
                    "a percentage outside 0-100 is a keying or formula error; charts and targets would mislead.",
                ),
            ),
            Check(
                "scorecard.quantities_not_negative",
                CRITICAL,
                "ExpectColumnValuesToBeBetween",
                {"column": "quantity_value", "min_value": 0},
                _d(
                    "Scorecard counts, FTE, weeks and days are not negative.",
                    "a negative count is a keying or formula error; charts and targets would mislead.",
                ),
            ),
        ]
    return Suite(name, checks)


# --------------------------------------------------------------------------------------- derived-frame suites
def derived_suites(config: ProjectConfig) -> list[Suite]:
    """Suites on the frames of :mod:`.checks`: volumes, scorecard coverage, benchmarks, referral before assessment."""
    settings = config.data_checks
    low, high = settings.volume_minimum_ratio, settings.volume_maximum_ratio
    authority = config.authority
    return [
        Suite(
            "monthly_volumes",
            [
                Check(
                    "monthly_volumes.within_usual_range",
                    CRITICAL,
                    "ExpectColumnValuesToBeBetween",
                    {"column": "ratio", "min_value": low, "max_value": high},
                    _d(
                        f"Each month of the quarter has between {low:.0%} and {high:.0%} of the median monthly "
                        f"contacts, referrals, assessments and CP plan starts of the previous "
                        f"{settings.volume_history_months} months (local plausibility rule).",
                        "the extract is probably partial, duplicated or mis-dated; every volume and rate for "
                        "the quarter would be wrong.",
                    ),
                )
            ],
            row_label="item",
        ),
        Suite(
            "scorecard_coverage",
            [
                Check(
                    "scorecard_coverage.value_every_month",
                    WARNING,
                    "ExpectColumnValuesToBeInSet",
                    {"column": "has_value", "value_set": [True]},
                    _d(
                        "Every scorecard indicator in config/indicators.yml has a figure for every month of "
                        "the quarter.",
                        "the indicator's latest figure or chart point is missing from the report for that month.",
                    ),
                )
            ],
            row_label="item",
        ),
        Suite(
            "scorecard_percent_scale",
            [
                Check(
                    "scorecard_percent_scale.no_fractions",
                    CRITICAL,
                    "ExpectColumnValuesToBeInSet",
                    {"column": "looks_like_fraction", "value_set": [False]},
                    _d(
                        "No figure in a percentage row of the scorecard is a fraction keyed among percentages "
                        "(0.284 in a row of about 28.4; local plausibility rule).",
                        "the report would publish 0.284% where 28.4% was meant: correct the cell (type 28.4 or "
                        "format it as a percentage).",
                    ),
                )
            ],
            row_label="item",
        ),
        Suite(
            "benchmark_coverage",
            [
                Check(
                    "benchmark_coverage.latest_two_years",
                    WARNING,
                    "ExpectColumnValuesToBeBetween",
                    {"column": "rows", "min_value": 1},
                    _d(
                        f"Each benchmark publication has figures for England, {authority.region.name} and "
                        f"{authority.name} in its latest year and the year before (DfE Explore Education "
                        "Statistics files).",
                        "comparisons with England, the region or the direction of travel are missing for "
                        "that year.",
                    ),
                )
            ],
            row_label="item",
        ),
        Suite(
            "benchmark_authority",
            [
                Check(
                    "benchmark_authority.present",
                    CRITICAL,
                    "ExpectColumnMaxToBeBetween",
                    {"column": "authority_rows", "min_value": 1},
                    _d(
                        f"At least one benchmark publication has rows for {authority.name} (old LA code "
                        f"{authority.old_la_code}).",
                        "the benchmark files are for another authority set or the configuration names the wrong "
                        "authority; every comparison would be empty.",
                    ),
                )
            ],
            row_label="item",
        ),
        Suite(
            "referral_before_assessment",
            [
                Check(
                    "referral_before_assessment.referral_first",
                    WARNING,
                    "ExpectColumnValuesToBeInSet",
                    {"column": "referral_on_or_before_start", "value_set": [True]},
                    _d(
                        "Each assessment's child has a referral on or before the assessment's start "
                        "(Working Together to Safeguard Children 2015: assessment follows an accepted referral).",
                        "referral-to-assessment conversion is slightly understated for these children.",
                    ),
                )
            ],
        ),
    ]


# ------------------------------------------------------------------- Annex A: empty lists, impossible counts
def annex_a_value_checks(name: str) -> list[Check]:
    """Checks on Annex A values the cleaning keeps as written: a negative number of previous plans, and review
    dates before the plan or period of care they review.

    Notes
    -----
    Ofsted Annex A list 7, "Number of Previous Child Protection Plans": a count, so 0 or more (DfE CIN census,
    table D3). A negative number is a keying error; the repeat-plan percentage would count the plan as a first
    plan, so the figure published would be wrong.
    """
    if name == "looked_after":
        return [
            order_check(
                name,
                "care_start_date",
                "latest_review_date",
                WARNING,
                f"{SSDA903}: a looked-after review follows the start of care",
                "the review is outside its period of care; review timeliness is unreliable for these rows.",
            )
        ]
    if name != "cp_plans":
        return []
    return [
        order_check(
            name,
            "cp_plan_start_date",
            "latest_review_conference_date",
            WARNING,
            "Working Together to Safeguard Children (2015): a review conference follows the plan's start",
            "the review is outside its plan; review conference timeliness is unreliable for these rows.",
        ),
        Check(
            "cp_plans.previous_cp_plans.not_negative",
            CRITICAL,
            "ExpectColumnValuesToBeBetween",
            {"column": "previous_cp_plans", "min_value": 0},
            _d(
                "The number of previous child protection plans (Annex A list 7) is 0 or more "
                f"({ANNEX_A}; {CIN}, table D3).",
                "a negative number is a keying error; the percentage of plans that are second or subsequent "
                "would count the plan as a first plan.",
            ),
        ),
    ]


def annex_a_list_suites(config: ProjectConfig) -> list[Suite]:
    """Every Annex A list has usable rows: critical where a count or rate would be published as a real 0.

    Notes
    -----
    Ofsted Annex A: each list covers the whole inspection window (see :func:`.checks.annex_a_list_rows`).
    """
    del config  # the frame carries what the configuration decides (which lists feed counts and rates)
    return [
        Suite(
            "annex_a_lists",
            [
                Check(
                    "annex_a_lists.rows_behind_counts",
                    CRITICAL,
                    "ExpectColumnValuesToBeBetween",
                    {"column": "rows_behind_counts", "min_value": 1},
                    _d(
                        "Every Annex A list that a count or a rate per 10,000 is made from has at least one usable "
                        f"row ({ANNEX_A}: each list covers the whole inspection window).",
                        "the list is header-only or every row was set aside; its counts and rates would be "
                        "published as a real 0.",
                    ),
                ),
                Check(
                    "annex_a_lists.rows_behind_other",
                    WARNING,
                    "ExpectColumnValuesToBeBetween",
                    {"column": "rows_behind_other", "min_value": 1},
                    _d(
                        "Every other Annex A list has at least one usable row "
                        f"({ANNEX_A}: each list covers the whole inspection window).",
                        "the list is header-only or every row was set aside; the percentages and durations made "
                        "from it are not available.",
                    ),
                ),
            ],
            row_label="item",
        )
    ]


def annex_a_link_suite() -> Suite:
    """Annex A lists that must share children do (:func:`.checks.annex_a_links`): critical, naming both lists."""
    return Suite(
        "annex_a_links",
        [
            Check(
                "annex_a_links.children_in_both",
                CRITICAL,
                "ExpectColumnValuesToBeBetween",
                {"column": "children_in_both", "min_value": 1},
                _d(
                    "Each pair of linked Annex A lists (contacts and referrals, referrals and assessments, children "
                    f"in need and child protection plans) has children in both ({ANNEX_A}; Working Together to "
                    "Safeguard Children 2015; DfE CIN census guidance).",
                    "the two lists do not use the same identifiers (another system's IDs, or IDs written "
                    "differently); every figure joining them, such as referrals that led to an assessment, would "
                    "be published as 0.",
                ),
            )
        ],
        row_label="item",
    )


def build_suites(config: ProjectConfig, extract: date, tables: list[str]) -> list[Suite]:
    """Every suite: one per processed table in ``tables`` (in that order), then the derived-frame suites."""
    return (
        [table_suite(name, config, extract) for name in tables]
        + derived_suites(config)
        + annex_a_list_suites(config)
        + [annex_a_link_suite()]
    )
