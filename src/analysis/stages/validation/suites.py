"""The expectation suites, defined in code so that they can be reviewed: one suite per processed table or derived frame.

The model of a check and a suite is in :mod:`.check_types`, checks made from any table's schema in
:mod:`.generic_checks`, and the suites on Annex A as a whole in :mod:`.annex_a_suites`; this module holds the
table-specific rules, the derived-frame suites and :func:`build_suites`, which assembles them all.
"""

from __future__ import annotations

from datetime import date

from analysis.config import ProjectConfig
from analysis.schemas import CHILD_LEVEL_TABLES, TableSchema, schema
from analysis.stages.validation.annex_a_suites import (
    annex_a_link_suite,
    annex_a_list_suites,
    annex_a_value_checks,
)
from analysis.stages.validation.check_types import (
    ANNEX_A,
    CIN,
    CRITICAL,
    SSDA903,
    WARNING,
    Check,
    Suite,
    describe,
)
from analysis.stages.validation.generic_checks import (
    date_range_checks,
    natural_key_check,
    order_check,
    schema_checks,
    vocabulary_check,
)

#: Tables the cleaning stage must have written before the checks run.
REQUIRED_TABLES: tuple[str, ...] = (*CHILD_LEVEL_TABLES, "scorecard", "actions", "benchmarks")


# --------------------------------------------------------------------------------------- table-specific rules
def _vocabularies() -> dict[str, frozenset[str]]:
    """Canonical vocabularies, taken from the modules that produce the values (one definition of each).

    Gender, ethnicity, activity, category of abuse and the SSDA903/CIN codes from :mod:`analysis.inputs.coded_values`; the
    action status from the tracker reader; GSS symbols and geographic levels from :mod:`analysis.inputs.ees`.
    """
    from analysis.inputs import coded_values, ees
    from analysis.stages.cleaning import tracker

    return {
        "gender": frozenset(coded_values.GENDER.values()),
        "ethnicity": frozenset(coded_values.ETHNICITY_CODES),
        "activity": frozenset(coded_values.ACTIVITY.values()),
        "category_of_abuse": frozenset(coded_values.CATEGORY_OF_ABUSE.values()),
        **coded_values.SSDA903_CODES,
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
                describe(
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
                describe(
                    "Every scorecard row is an indicator config/indicators.yml takes from the scorecard.",
                    "the row is ignored by the report.",
                ),
            ),
            Check(
                "scorecard.percentages_0_to_100",
                CRITICAL,
                "ExpectColumnValuesToBeBetween",
                {"column": "percent_value", "min_value": 0, "max_value": 100},
                describe(
                    "Scorecard percentages lie between 0 and 100.",
                    "a percentage outside 0-100 is a keying or formula error; charts and targets would mislead.",
                ),
            ),
            Check(
                "scorecard.quantities_not_negative",
                CRITICAL,
                "ExpectColumnValuesToBeBetween",
                {"column": "quantity_value", "min_value": 0},
                describe(
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
                    describe(
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
                    describe(
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
                    describe(
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
                    describe(
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
                    describe(
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
                    describe(
                        "Each assessment's child has a referral on or before the assessment's start "
                        "(Working Together to Safeguard Children 2015: assessment follows an accepted referral).",
                        "referral-to-assessment conversion is slightly understated for these children.",
                    ),
                )
            ],
        ),
    ]


def build_suites(config: ProjectConfig, extract: date, tables: list[str]) -> list[Suite]:
    """Every suite: one per processed table in ``tables`` (in that order), then the derived-frame suites."""
    return (
        [table_suite(name, config, extract) for name in tables]
        + derived_suites(config)
        + annex_a_list_suites(config)
        + [annex_a_link_suite()]
    )
