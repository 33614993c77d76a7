"""The local safeguarding children board's core dataset: referral, assessment, planning and review, by month.

The committee paper (21 July 2015, para 3.1) says the core safeguarding processes, "referral, assessment, planning
and review for children in need and those who are subject to child protection plans", go routinely to the
safeguarding board "using their agreed dataset". Each measure here is computed from the cleaned Annex A lists (the
same tables and, where the registry has the indicator, the same function as ``indicators_monthly``) for the month
and for the 12 months to its end, and published with small numbers suppressed (:mod:`analysis.methods.suppression`).

Review timeliness needs dates that older Annex A extracts do not carry (the current Ofsted template adds them): a
measure whose column is missing says "not available: column X missing from List N" rather than guessing.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig, load_config
from analysis.io import read_table
from analysis.methods.months import month_end, month_name, parse_month
from analysis.methods.suppression import count_columns_for_unit, publishable, suppress_small_counts
from analysis.products.presentation import DEMO_BANNER, SUPPRESSED_FOOTNOTE
from analysis.products.report_data import load_manifest
from analysis.stages.indicators import assessments as assessment_measures
from analysis.stages.indicators import child_protection, front_door
from analysis.stages.indicators.assessments import open_cin_episodes
from analysis.stages.indicators.periods import (
    children_open_at_each_end,
    count,
    percentage,
    periods_frame,
    result_frame,
    sum_in_periods,
)

logger = logging.getLogger(__name__)

Unit = Literal["count", "%", "days"]
Stage = Literal["Referral", "Assessment", "Planning", "Review"]
BOARD_TABLES = ("contacts", "referrals", "assessments", "section47", "children_in_need", "cp_plans")
NOT_APPLICABLE = "–"
#: Working Together to Safeguard Children (2015), chapter 1, "The child protection review conference": the first
#: review within three months of the initial conference, later reviews at intervals of not more than six months.
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
#: Column names the review measures read, in order of preference, and the Annex A list that carries them.
CP_REVIEW_COLUMNS = ("latest_review_conference_date", "last_review_conference_date", "review_conference_date")


@dataclass(frozen=True)
class MeasureResult:
    """A measure's figures for the periods: ``numerator``, ``denominator``, ``value`` (or why there are none)."""

    frame: pd.DataFrame | None
    missing: str | None = None


MeasureFunction = Callable[[Mapping[str, pd.DataFrame], pd.DataFrame, ProjectConfig], MeasureResult]


@dataclass(frozen=True)
class Measure:
    """One line of the core dataset with its definition and published source."""

    id: str
    name: str
    stage: Stage
    unit: Unit
    stock: bool
    definition: str
    source: str
    compute: MeasureFunction


# ----------------------------------------------------------------------------------------- the measures
def _ok(frame: pd.DataFrame) -> MeasureResult:
    return MeasureResult(frame)


def _first_column(table: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """The first candidate column that the list carries with at least one date (an all-empty column is absent).

    An extract in an older Annex A template has no such column; cleaning adds it empty, which must not read as
    "no review was ever held".
    """
    return next((c for c in candidates if c in table.columns and table[c].notna().any()), None)


def plan_lengths_days(cp_plans: pd.DataFrame) -> pd.Series:
    """Days from each plan's start to its end (missing for open plans)."""
    return (cp_plans["cp_plan_end_date"] - cp_plans["cp_plan_start_date"]).dt.days.astype("float64")


def cp_plans_ended_median_days(cp_plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Median length in days of the child protection plans that ended in each period.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table D4: plans that ceased in the year by length.
    The numerator is left empty; the denominator (plans ended) is the count behind the figure for suppression.
    """
    lengths = plan_lengths_days(cp_plans)
    ends = cp_plans["cp_plan_end_date"]
    medians, counts = [], []
    for start, end in zip(periods["start"], periods["end"], strict=True):
        mask = (ends >= start) & (ends <= end)
        counts.append(float(mask.sum()))
        medians.append(float(lengths[mask].median()) if mask.any() else np.nan)
    return result_frame(periods, np.full(len(periods), np.nan), counts, medians)


def cp_plans_ended_two_years_or_more(cp_plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Plans ended in each period that had lasted two years or more, as a percentage of plans ended.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table D4 (plans ceasing by duration; "2 years or more").
    """
    ends = cp_plans["cp_plan_end_date"]
    long = (ends >= cp_plans["cp_plan_start_date"] + child_protection.LONG_PLAN_DURATION).fillna(False)
    return percentage(
        periods, sum_in_periods(ends, periods, long.astype(float)), sum_in_periods(ends, periods)
    )


def cp_reviews_within_timescale(cp_plans: pd.DataFrame, periods: pd.DataFrame, column: str) -> pd.DataFrame:
    """Plans open at each period's end whose reviews are in date, as a percentage of plans open 3 months or more.

    A plan open for at least three months at the period's end is in date when its latest review conference is
    after the plan's start and no more than six months before the period's end.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1, "The child protection review conference" (first
    review within three months of the initial conference, then at intervals of not more than six months); DfE CIN
    census, "reviews held within the required timescales". Only the latest review date is in Annex A, so an earlier
    late review cannot be seen: this is the position at the period's end.
    """
    start, end, review = cp_plans["cp_plan_start_date"], cp_plans["cp_plan_end_date"], cp_plans[column]
    numerators, denominators = [], []
    for day in periods["end"]:
        day = pd.Timestamp(day)
        open_now = (start <= day) & (end.isna() | (end > day))
        due = open_now & (start <= day - pd.DateOffset(months=FIRST_REVIEW_MONTHS))
        in_date = (
            due
            & (review > start)
            & (review <= day)
            & (review > day - pd.DateOffset(months=LATER_REVIEW_MONTHS))
        )
        numerators.append(float(in_date.fillna(False).sum()))
        denominators.append(float(due.fillna(False).sum()))
    return percentage(periods, np.array(numerators), np.array(denominators))


def _children_open(table: pd.DataFrame, start: str, end: str, periods: pd.DataFrame) -> pd.DataFrame:
    counts, _ = children_open_at_each_end(table["child_id"], table[start], table[end], periods)
    return count(periods, counts)


def _cp_reviews(t: Mapping[str, pd.DataFrame], p: pd.DataFrame, _c: ProjectConfig) -> MeasureResult:
    column = _first_column(t["cp_plans"], CP_REVIEW_COLUMNS)
    if column is None:
        return MeasureResult(None, f"not available: column {CP_REVIEW_COLUMNS[0]} missing from List 7")
    return _ok(cp_reviews_within_timescale(t["cp_plans"], p, column))


MEASURES: dict[str, Measure] = {
    m.id: m
    for m in [
        Measure(
            "contacts",
            "Contacts received",
            "Referral",
            "count",
            False,
            "Contacts received by children's social care in the period (by contact date).",
            "Ofsted Annex A list 1; DfE CIN census guidance (contacts)",
            lambda t, p, _: _ok(count(p, sum_in_periods(t["contacts"]["contact_date"], p))),
        ),
        Measure(
            "referrals",
            "Referrals received",
            "Referral",
            "count",
            False,
            "Referrals accepted by children's social care in the period (by referral date).",
            "Ofsted Annex A list 3; DfE Characteristics of children in need, table A1",
            lambda t, p, _: _ok(count(p, sum_in_periods(t["referrals"]["referral_date"], p))),
        ),
        Measure(
            "contacts_converting_to_referrals",
            "Contacts that became referrals",
            "Referral",
            "%",
            False,
            "Referrals in the period as a percentage of contacts in the period.",
            "Ofsted Annex A lists 1 and 3 (local front-door measure)",
            lambda t, p, _: _ok(
                front_door.contacts_converting_to_referrals(t["contacts"], t["referrals"], p)
            ),
        ),
        Measure(
            "rereferrals_within_12_months",
            "Re-referrals within 12 months",
            "Referral",
            "%",
            False,
            "Referrals in the period within 12 months of a previous referral of the same child, as a percentage of "
            "referrals.",
            "DfE Characteristics of children in need, table A1 (re-referrals)",
            lambda t, p, _: _ok(front_door.rereferrals_within_12_months(t["referrals"], p)),
        ),
        Measure(
            "assessments_completed",
            "Assessments completed",
            "Assessment",
            "count",
            False,
            "Continuous (single) assessments authorised in the period.",
            "Ofsted Annex A list 4; DfE Characteristics of children in need, table C3",
            lambda t, p, _: _ok(count(p, sum_in_periods(t["assessments"]["assessment_authorised_date"], p))),
        ),
        Measure(
            "assessments_within_45_working_days",
            "Assessments completed within 45 working days",
            "Assessment",
            "%",
            False,
            "Assessments authorised in the period within 45 working days of their start, as a percentage of "
            "assessments authorised.",
            "Working Together to Safeguard Children (2015), chapter 1; DfE CIN census, table C3",
            lambda t, p, _: _ok(assessment_measures.assessments_within_45_working_days(t["assessments"], p)),
        ),
        Measure(
            "section_47_enquiries",
            "Section 47 enquiries started",
            "Assessment",
            "count",
            False,
            "Section 47 enquiries whose strategy discussion took place in the period.",
            "Children Act 1989 s.47; Ofsted Annex A list 5; DfE CIN census, table D1",
            lambda t, p, _: _ok(child_protection.section_47_enquiries(t["section47"], p)),
        ),
        Measure(
            "initial_conferences",
            "Initial child protection conferences held",
            "Planning",
            "count",
            False,
            "Initial child protection conferences held in the period (conference date; not 'not required').",
            "Ofsted Annex A list 5; DfE CIN census, table D1",
            lambda t, p, _: _ok(
                count(
                    p,
                    sum_in_periods(
                        t["section47"]["icpc_date"].where(
                            child_protection.initial_conferences_held(t["section47"])
                        ),
                        p,
                    ),
                )
            ),
        ),
        Measure(
            "icpc_within_15_working_days",
            "Initial conferences within 15 working days",
            "Planning",
            "%",
            False,
            "Initial conferences held in the period within 15 working days of the strategy discussion, as a "
            "percentage of initial conferences held.",
            "Working Together to Safeguard Children (2015), chapter 1, para 56; DfE CIN census, table D1",
            lambda t, p, _: _ok(child_protection.icpc_within_15_working_days(t["section47"], p)),
        ),
        Measure(
            "cp_plans_started",
            "Child protection plans started",
            "Planning",
            "count",
            False,
            "Child protection plans starting in the period.",
            "Ofsted Annex A list 7; DfE CIN census, table D3",
            lambda t, p, _: _ok(count(p, sum_in_periods(t["cp_plans"]["cp_plan_start_date"], p))),
        ),
        Measure(
            "cp_plans_second_or_subsequent",
            "Plans that were a second or subsequent plan",
            "Planning",
            "%",
            False,
            "Plans starting in the period for a child who had been on a plan before, as a percentage of plans "
            "starting.",
            "DfE CIN census, table D3",
            lambda t, p, _: _ok(child_protection.cp_plans_second_or_subsequent(t["cp_plans"], p)),
        ),
        Measure(
            "children_on_cp_plans",
            "Children on a child protection plan at the month end",
            "Planning",
            "count",
            True,
            "Children the subject of a plan at the end of the month (each child once).",
            "DfE CIN census, table D5 (children on a plan at 31 March)",
            lambda t, p, _: _ok(_children_open(t["cp_plans"], "cp_plan_start_date", "cp_plan_end_date", p)),
        ),
        Measure(
            "cp_reviews_within_timescale",
            "Child protection reviews held within timescales",
            "Review",
            "%",
            True,
            "Plans open at the month end for three months or more whose latest review conference was held within "
            "the last six months (and after the plan began), as a percentage of those plans.",
            "Working Together to Safeguard Children (2015), chapter 1, 'The child protection review conference'; "
            "DfE CIN census (reviews within timescales); Ofsted Annex A list 7",
            _cp_reviews,
        ),
        Measure(
            "cp_plans_ended",
            "Child protection plans ended",
            "Review",
            "count",
            False,
            "Child protection plans that ended in the period.",
            "Ofsted Annex A list 7; DfE CIN census, table D4",
            lambda t, p, _: _ok(count(p, sum_in_periods(t["cp_plans"]["cp_plan_end_date"], p))),
        ),
        Measure(
            "cp_plans_ended_median_days",
            "Median length of plans ended",
            "Review",
            "days",
            False,
            "Median number of days from start to end of the plans that ended in the period.",
            "DfE CIN census, table D4 (plans ceasing, by length)",
            lambda t, p, _: _ok(cp_plans_ended_median_days(t["cp_plans"], p)),
        ),
        Measure(
            "cp_plans_ended_two_years_or_more",
            "Plans ended that had lasted two years or more",
            "Review",
            "%",
            False,
            "Plans ending in the period that had lasted two years or more, as a percentage of plans ending.",
            "DfE CIN census, table D4",
            lambda t, p, _: _ok(cp_plans_ended_two_years_or_more(t["cp_plans"], p)),
        ),
        Measure(
            "children_in_need",
            "Children in need at the month end",
            "Review",
            "count",
            True,
            "Child in need episodes open at the end of the month, as DfE counts children in need (the count behind "
            "the quarterly report's children in need per 10,000).",
            "Ofsted Annex A list 6; DfE Characteristics of children in need, table B1 (At31_episodes)",
            lambda t, p, _: _ok(count(p, open_cin_episodes(t["children_in_need"], p))),
        ),
    ]
}


# ----------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class BoardData:
    """The cleaned Annex A tables the core dataset is computed from, the month and the configuration."""

    config: ProjectConfig
    month: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] | None = None


def load_board_data(
    month: str, processed_dir: str | Path, config_dir: str | Path, manifest_path: str | Path | None = None
) -> BoardData:
    """Read the configuration and the Annex A tables (``month`` as ``YYYY-MM``)."""
    config = load_config(config_dir)
    tables = {name: read_table(name, Path(processed_dir)) for name in BOARD_TABLES}
    return BoardData(
        config=config, month=parse_month(month), tables=tables, manifest=load_manifest(manifest_path)
    )


def board_title(authority: str, month: pd.Timestamp) -> str:
    """``Medway safeguarding children board: core dataset, June 2015``."""
    return f"{authority} safeguarding children board: core dataset, {month_name(month)}"


def board_periods(month: pd.Timestamp) -> pd.DataFrame:
    """The month, the month before and the 12 months to the month's end."""
    previous = month - pd.DateOffset(months=1)
    year_start = month - pd.DateOffset(months=11)
    return periods_frame(
        [month, previous, year_start], [month_end(month), month_end(previous), month_end(month)]
    )


def _display(frame: pd.DataFrame, measure: Measure, config: ProjectConfig) -> list[str]:
    hidden = suppress_small_counts(
        frame,
        count_columns_for_unit(measure.unit),
        lower=config.suppression.min_count,
        upper=config.suppression.max_count,
    )
    decimals = 1 if measure.unit == "%" else 0
    texts = []
    for value, secret in zip(frame["value"], hidden, strict=True):
        text = publishable(value, bool(secret), decimals=decimals)
        if text not in {"c", "x"}:
            text += {"%": "%", "days": " days"}.get(measure.unit, "")
        texts.append(text)
    return texts


def core_dataset(data: BoardData) -> pd.DataFrame:
    """The core dataset for the month: one row per configured measure, every figure as it is published.

    Returns
    -------
    pandas.DataFrame
        ``measure_id``, ``stage``, ``Measure``, the month, the month before, the 12 months to the month's end
        (``–`` for a count at the month end), and ``note`` (why a measure is not available).
    """
    periods = board_periods(data.month)
    labels = [
        f"{data.month:%b %Y}",
        f"{data.month - pd.DateOffset(months=1):%b %Y}",
        f"12 months to {data.month:%b %Y}",
    ]
    chosen = data.config.dashboard.safeguarding_board.measures or list(MEASURES)
    rows = []
    for measure_id in chosen:
        if measure_id not in MEASURES:
            logger.warning(
                "Unknown safeguarding board measure %r in config/dashboard.yml: left out", measure_id
            )
            continue
        measure = MEASURES[measure_id]
        result = measure.compute(data.tables, periods, data.config)
        row: dict[str, str] = {"measure_id": measure.id, "stage": measure.stage, "Measure": measure.name}
        if result.frame is None:
            for label in labels:
                row[label] = "not available"
            row["note"] = result.missing or "not available"
        else:
            texts = _display(result.frame, measure, data.config)
            row.update(dict(zip(labels, texts, strict=True)))
            if measure.stock:
                row[labels[2]] = NOT_APPLICABLE
            row["note"] = ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure_id", "stage", "Measure", *labels, "note"])


# ----------------------------------------------------------------------------------------------- HTML
def _e(text: object) -> str:
    return html.escape(str(text))


def board_html(data: BoardData) -> str:
    """The core dataset as an accessible table grouped by stage (referral, assessment, planning, review)."""
    from analysis.products.dashboard import stylesheet_html

    table = core_dataset(data)
    labels = [c for c in table.columns if c not in {"measure_id", "stage", "Measure", "note"}]
    parts = ['<div class="mdc-dashboard">', stylesheet_html()]
    if data.config.authority.demo:
        parts.append(
            f'<p class="demo-banner" role="note"><strong>{DEMO_BANNER}</strong>: every figure here is made up for '
            "demonstration. It describes no real child or council.</p>"
        )
    head = '<th scope="col" class="col-name">Measure</th>' + "".join(
        f'<th scope="col">{_e(label)}</th>' for label in labels
    )
    body = []
    for stage, rows in table.groupby("stage", sort=False):
        body.append(
            f'<tr><th scope="colgroup" colspan="{len(labels) + 1}" class="sg-stage">{_e(stage)}</th></tr>'
        )
        for record in rows.to_dict("records"):
            cells = "".join(f'<td class="sg-figure">{_e(record[label])}</td>' for label in labels)
            name = _e(record["Measure"])
            if record["note"]:
                name += f'<br><span class="provisional">{_e(record["note"])}</span>'
            body.append(f'<tr><th scope="row" class="col-name">{name}</th>{cells}</tr>')
    parts.append(
        '<section class="dash-block" aria-labelledby="sg-core"><h2 id="sg-core">Referral, assessment, planning and '
        "review</h2>"
        f'<table class="dash-table sg-table" data-quarto-disable-processing="true"><caption class="visually-hidden">'
        f"Core dataset, {_e(month_name(data.month))}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    notes = [
        "Counts are of events in the period (a referral, an assessment completed) unless they say 'at the month end'. "
        "– : not applicable (a count at the month end has no 12-month figure).",
        SUPPRESSED_FOOTNOTE,
    ]
    parts.append("".join(f'<p class="dash-note">{_e(n)}</p>' for n in notes))
    parts.append("</section></div>")
    return "".join(parts)


def method_html(data: BoardData) -> str:
    """The method section: each measure's definition and its DfE or Ofsted source."""
    chosen = [
        m for m in (data.config.dashboard.safeguarding_board.measures or list(MEASURES)) if m in MEASURES
    ]
    rows = "".join(
        f'<tr><th scope="row">{_e(MEASURES[m].name)}</th><td>{_e(MEASURES[m].definition)}</td>'
        f"<td>{_e(MEASURES[m].source)}</td></tr>"
        for m in chosen
    )
    return (
        '<div class="mdc-dashboard"><section class="dash-key" aria-labelledby="sg-method"><h2 id="sg-method">Method: '
        'definitions and sources</h2><table class="dash-table sg-method" data-quarto-disable-processing="true">'
        '<caption class="visually-hidden">Definitions and sources</caption><thead><tr><th scope="col" '
        'class="col-name">Measure</th><th scope="col">Definition</th><th scope="col">Source</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<p class="dash-note">Working days exclude weekends and bank holidays in England and Wales. Small numbers: '
        f"counts of {data.config.suppression.min_count} to {data.config.suppression.max_count} children, and "
        "percentages or averages made from them, are shown as c (DfE's rule).</p></section></div>"
    )
