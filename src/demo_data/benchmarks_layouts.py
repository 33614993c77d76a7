"""The layouts of the benchmark files as DfE publishes them on Explore Education Statistics (EES).

Each publication's columns after the geography, in DfE's order, and how a simulated row of figures is written as the
published rows (counts as whole numbers, percentages as DfE rounds them, durations as ``YY:MM``, GSS symbols carried
through); columns the demo does not simulate are written as ``x`` (not available).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.inputs.ees import DAYS_PER_MONTH, GEOGRAPHY_COLUMNS
from demo_data import benchmarks_topics as topics

#: The years ending 31 March that the demo's files cover.
YEARS = (2013, 2014, 2015)
#: Table D5's bands of time on a child protection plan at 31 March: column name, from and to (days).
DURATION_BANDS = [
    ("3_months_or_less", 0, 91),
    ("more_than_3_months_6_months", 91, 182),
    ("more_than_6_months_less_than_1_year", 182, 365),
    ("1_year_less_than_2_years", 365, 730),
    ("2_years_or_more", 730, 10**6),
]


def _n(value: object) -> object:
    """A count as written: whole numbers without a decimal point; symbols as they are."""
    if isinstance(value, str):
        return value
    return int(round(float(value)))  # type: ignore[arg-type]


def _pct_of(part: object, whole: object, decimals: int) -> object:
    """A percentage as DfE writes it (``decimals`` places; whole numbers for SSDA903 tables); symbols carried."""
    for value in (part, whole):
        if isinstance(value, str):
            return value
    if not whole:
        return "z"
    pct = round(100 * float(part) / float(whole), decimals)  # type: ignore[arg-type]
    return int(pct) if decimals == 0 else pct


def _months(days: object) -> object:
    """Days as DfE's ``YY:MM`` text (years and months)."""
    if isinstance(days, str) or pd.isna(days):
        return days if isinstance(days, str) else "x"
    months = round(float(days) / DAYS_PER_MONTH)  # type: ignore[arg-type]
    return f"{months // 12:02d}:{months % 12:02d}"


Row = dict[str, object]


def _as_number(value: object) -> float:
    """A figure of a simulated row as a number (a row holds numbers, or text such as "c" for a suppressed one)."""
    if not isinstance(value, (int, float, np.number)):
        raise TypeError(f"a number was expected, not {value!r}")
    return float(value)


def _category(name: str) -> Callable[[Row], list[Row]]:
    return lambda v: [{"category": name, **v}]


def _cla_rows(v: Row) -> list[Row]:
    out = []
    for population_type, key in CLA_POPULATION_TYPES:
        count = v[key]
        rate = (
            count
            if isinstance(count, str)
            else round(_as_number(count) / _as_number(v["population"]) * 10_000)
        )
        out.append(
            {
                "population_type": population_type,
                "population_estimate": _n(v["population"]),
                "children_count": _n(count),
                "rate_per_10000": rate,
            }
        )
    return out


def _stability_rows(v: Row) -> list[Row]:
    return [
        {"cla_group": "CLA 2 years on 31 March", "placement_stability": "Total children"},
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "Total children",
            "children_count": _n(v["cla_at31"]),
            "children_percent": 100,
        },
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
            "children_count": _n(v["three_plus_count"]),
            "children_percent": _pct_of(v["three_plus_count"], v["cla_at31"], 0),
        },
    ]


def _ceased_rows(v: Row) -> list[Row]:
    return [
        {
            "cla_group": "Reason episode ceased",
            "characteristic": "Total",
            "number": _n(v["ceased_count"]),
            "percentage": 100,
        },
        {
            "cla_group": "Reason episode ceased",
            "characteristic": "Adopted",
            "number": _n(v["adopted_count"]),
            "percentage": _pct_of(v["adopted_count"], v["ceased_count"], 0),
        },
    ]


def _care_leaver_rows(breakdown: str) -> Callable[[Row], list[Row]]:
    def rows(v: Row) -> list[Row]:
        return [
            {"care_leaver_age": "17 to 18 years", "breakdown": "Total"},
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": breakdown,
                "care_leaver_count": _n(v["in_group"]),
                "care_leaver_percent": _pct_of(v["in_group"], v["care_leavers"], 0),
            },
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": "Total",
                "care_leaver_count": _n(v["care_leavers"]),
                "care_leaver_percent": 100,
            },
        ]

    return rows


def _adoption_rows(v: Row) -> list[Row]:
    out = []
    for stage, key in ADOPTION_STAGES:
        for age in ("Aged under 1", "Total"):
            days = v[key] if age == "Total" else float(v[key]) * 0.85  # type: ignore[arg-type]
            out.append(
                {
                    "cla_group": "Age on starting final period of care",
                    "stage_of_adoption_process": stage,
                    "age_start_poc": age,
                    "number": _months(days),
                }
            )
    return out


def _plain(v: Row) -> list[Row]:
    return [dict(v)]


@dataclass(frozen=True)
class Layout:
    """A published file's layout: its columns after the geography, in DfE's order, and how a row is written."""

    columns: tuple[str, ...]
    rows: Callable[[Row], list[Row]]
    geography: tuple[str, ...] = tuple(GEOGRAPHY_COLUMNS)
    encoding: str = "utf-8"


#: Geography columns in the order of DfE's SSDA903 files (``la_name`` before ``new_la_code``).
SSDA903_GEOGRAPHY = (*GEOGRAPHY_COLUMNS[:8], "la_name", "new_la_code")


NATIONAL_GEOGRAPHY = GEOGRAPHY_COLUMNS[:5]


CLA_POPULATION_TYPES = (
    ("Children ceasing to be looked after each year", "cla_ceasing"),
    ("Children looked after on 31 March each year", "cla_at31"),
    ("Children starting to be looked after each year", "cla_starting"),
)


ADOPTION_STAGES = (
    (
        "2. Average time between decision that child should be placed for adoption and matching of child and "
        "adopters",
        "a2_days",
    ),
    ("4. Total average time between entry into care and date placed for adoption", "a1_days"),
)


WORKFORCE_MEASURES = ("agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte", "caseload_fte")


#: The files as DfE publishes them (columns of the real downloads in ../shared/data/ees and of DfE's published
#: documentation); columns the demo does not simulate are written as ``x`` (not available).
LAYOUTS: dict[str, Layout] = {
    "b1": Layout(
        (
            "category",
            "Anypoint_episodes",
            "Anypoint_child",
            "Started_episodes",
            "Started_child",
            "Ended_episodes",
            "Ended_child",
            "At31_episodes",
            "awaiting_assessment",
        ),
        _category("Children in Need"),
    ),
    "c1": Layout(
        (
            "category",
            "referral_count",
            "rereferral_count",
            "rereferral_percent",
            "no_further_action_count",
            "no_further_action_percent",
            "not_in_need_count",
            "not_in_need_percent",
            "referral_child_count",
            "rereferral_child_count",
            "rereferral_child_percent",
        ),
        _category("Referrals and Re-referrals"),
    ),
    "c2": Layout(
        ("category", "assessments_completed", "within_45_days", "within_45_days_percent"),
        _category("Assessments"),
    ),
    "c4": Layout(
        (
            "category",
            "Section47",
            "Section47_child",
            "ICPC",
            "ICPC_child",
            "Duration_0-10_days",
            "Duration_11-15_days",
            "Duration_16-20_days",
            "Duration_21+_days",
            "Duration_25th_Percentile",
            "Duration_median",
            "Duration_75th_Percentile",
        ),
        _category("Section 47s and Initial Child Protection Conferences"),
    ),
    "d3": Layout(
        ("category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"),
        _category("Child Protection Plans which are a second or subsequent plan"),
    ),
    "c3": Layout(topics.C3_COLUMNS, topics.c3_rows),
    "d5": Layout(
        ("category", "CPP_At31", *(c for name, _, _ in DURATION_BANDS for c in (name, f"{name}_percent"))),
        _category("Child Protection Plans by length of time"),
    ),
    "cla": Layout(
        ("population_type", "population_estimate", "children_count", "rate_per_10000"),
        _cla_rows,
        SSDA903_GEOGRAPHY,
        "utf-8-sig",
    ),
    "placement_stability": Layout(
        ("cla_group", "placement_stability", "children_count", "children_percent"),
        _stability_rows,
        SSDA903_GEOGRAPHY,
    ),
    "new_placements": Layout(topics.NEW_PLACEMENT_COLUMNS, topics.new_placement_rows, SSDA903_GEOGRAPHY),
    "ceased": Layout(
        ("cla_group", "characteristic", "number", "percentage"), _ceased_rows, SSDA903_GEOGRAPHY
    ),
    "care_leavers_accommodation": Layout(
        ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"),
        _care_leaver_rows("Accommodation considered suitable"),
        SSDA903_GEOGRAPHY,
    ),
    "care_leavers_activity": Layout(
        ("care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"),
        _care_leaver_rows("Total in education, employment or training"),
        SSDA903_GEOGRAPHY,
    ),
    "adoption_times": Layout(
        ("cla_group", "stage_of_adoption_process", "age_start_poc", "number"),
        _adoption_rows,
        NATIONAL_GEOGRAPHY,
    ),
    "csww": Layout(
        (
            "inpost_fte",
            "inpost_headcount",
            "starters_fte",
            "starters_headcount",
            "leavers_fte",
            "leavers_headcount",
            "turnover_rate_fte",
            "turnover_rate_headcount",
            "agency_fte",
            "agency_headcount",
            "agency_rate_fte",
            "agency_rate_headcount",
            "agency_cover_fte",
            "agency_cover_rate_fte",
            "vacancy_fte",
            "vacancy_rate_fte",
            "vacancy_agency_cover_rate_fte",
            "case_holders_fte",
            "cases",
            "caseload_fte",
            "working_days_lost_fte",
            "absence_rate_fte",
        ),
        _plain,
    ),
}


def layout_rows(publication: str, geography: Mapping[str, object], values: Mapping[str, object]) -> list[Row]:
    """A publication's published rows for one area: its geography columns, then the layout's columns."""
    layout = LAYOUTS[publication]
    return [
        {**{c: geography[c] for c in layout.geography}, **{c: r[c] for c in layout.columns if c in r}}
        for r in layout.rows(dict(values))
    ]


def layout_frame(rows: list[Row], publication: str) -> pd.DataFrame:
    """A publication's file as a table, every cell the demo does not simulate written ``x`` (not available)."""
    layout = LAYOUTS[publication]
    frame = pd.DataFrame(rows, columns=[*layout.geography, *layout.columns])
    frame[list(layout.columns)] = (
        frame[list(layout.columns)].astype("object").where(frame[list(layout.columns)].notna(), "x")
    )
    return frame


def file_name(pattern: str) -> str:
    """The demo file's name from a publication's glob: ``b1_..._*.csv`` -> ``b1_..._2013_to_2015.csv``."""
    if "_*" in pattern:
        return pattern.replace("_*", f"_{YEARS[0]}_to_{YEARS[-1]}")
    return pattern.replace("*", "")
