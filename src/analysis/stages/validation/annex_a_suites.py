"""The suites and checks on Annex A as a whole: empty lists, impossible counts and lists that must share children."""

from __future__ import annotations

from analysis.config import ProjectConfig
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
from analysis.stages.validation.generic_checks import order_check


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
            describe(
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
                    describe(
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
                    describe(
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
                describe(
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
