"""The safeguarding board's core dataset, computed for every month (the ``safeguarding_board`` analysis table).

The measures are data (``safeguarding_board_measures`` in ``config/indicators.yml``, :mod:`analysis.config_measures`):
each names its unit, its timing and the columns it reads. A measure that is a registry indicator's figure takes the
month's figure from ``indicators_monthly`` (its value, or its numerator for the count behind a rate): the board and
the quarterly report show one value (children in need at the month end is the numerator of
``children_in_need_per_10000``). Its 12-month figure is made by the indicator's own function. Other measures are
computed here by their ``method`` (:data:`MEASURE_FUNCTIONS`), each given only the columns its configuration says it
reads.

Suppression is applied here, where the table is made (:mod:`analysis.methods.suppression`): a figure resting on 1 to
5 children is absent (value, numerator and denominator empty) and ``note`` says why, as does every other absent
figure (a column missing from the raw lists, fewer than 12 months of data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import BoardMeasure
from analysis.inputs.annex_a import missing_column_reason, missing_columns
from analysis.io import conform
from analysis.methods.suppression import count_columns_for_unit, suppress_small_counts
from analysis.stages.indicators import child_protection
from analysis.stages.indicators.compute import CASE_RECORD_INDICATORS, TRAILING_MONTHS, blank_without_history
from analysis.stages.indicators.periods import (
    count,
    percentage,
    population_for_periods,
    result_frame,
    sum_in_periods,
    trailing_periods,
)

logger = logging.getLogger(__name__)

MONTH = "month"
TWELVE_MONTHS = "12_months"
#: Working Together to Safeguard Children (2015), chapter 1, "The child protection review conference": the first
#: review within three months of the initial conference, later reviews at intervals of not more than six months.
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
SUPPRESSED_NOTE = "suppressed: a count behind it is between {lower} and {upper} children"
SHORT_HISTORY_NOTE = "not available: the 12 months begin before the first full month of data"
NO_FIGURE_NOTE = "no figure: nothing in the period to base it on, or too little history before it"

MeasureFunction = Callable[[Mapping[str, pd.DataFrame], pd.DataFrame], pd.DataFrame]
"""(the tables, holding only the columns the measure reads; the periods) -> numerator, denominator, value."""


# ----------------------------------------------------------------------------------------- the measures
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


def cp_reviews_within_timescale(cp_plans: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Plans open at each period's end whose reviews are in date, as a percentage of plans open 3 months or more.

    A plan open for at least three months at the period's end is in date when its latest review conference
    (``latest_review_conference_date``, Annex A list 7 in the current template) is after the plan's start and no
    more than six months before the period's end.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1, "The child protection review conference" (first
    review within three months of the initial conference, then at intervals of not more than six months); DfE CIN
    census, "reviews held within the required timescales". Only the latest review date is in Annex A, so an earlier
    late review cannot be seen: this is the position at the period's end.
    """
    start, end = cp_plans["cp_plan_start_date"], cp_plans["cp_plan_end_date"]
    review = cp_plans["latest_review_conference_date"]
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


def _events(t: Mapping[str, pd.DataFrame], p: pd.DataFrame) -> pd.DataFrame:
    """Rows whose date (the one column the measure reads) falls in each period."""
    (table,) = t.values()
    (column,) = table.columns
    return count(p, sum_in_periods(table[column], p))


def _initial_conferences(t: Mapping[str, pd.DataFrame], p: pd.DataFrame) -> pd.DataFrame:
    section47 = t["section47"]
    held = child_protection.initial_conferences_held(section47)
    return count(p, sum_in_periods(section47["icpc_date"].where(held), p))


#: How each ``method`` of ``safeguarding_board_measures`` is computed (:data:`analysis.config_indicators.BoardMethod`).
MEASURE_FUNCTIONS: dict[str, MeasureFunction] = {
    "events": _events,
    "initial_conferences_held": _initial_conferences,
    "reviews_within_timescale": lambda t, p: cp_reviews_within_timescale(t["cp_plans"], p),
    "median_days_of_plans_ended": lambda t, p: cp_plans_ended_median_days(t["cp_plans"], p),
    "plans_ended_lasting_two_years": lambda t, p: cp_plans_ended_two_years_or_more(t["cp_plans"], p),
}


# ------------------------------------------------------------------------------------------------ the table
def declared_columns(tables: Mapping[str, pd.DataFrame], measure: BoardMeasure) -> dict[str, pd.DataFrame]:
    """The tables a measure reads, each holding only the columns its configuration names.

    A function reading a column the configuration does not declare fails (``KeyError``) instead of reading it
    unseen: ``reads`` is the whole truth of what a measure needs.
    """
    wanted: dict[str, list[str]] = {}
    for table, column in measure.columns:
        wanted.setdefault(table, []).append(column)
    return {table: tables[table].loc[:, columns] for table, columns in wanted.items()}


def _function(measure: BoardMeasure, config: ProjectConfig) -> tuple[MeasureFunction, int]:
    """The measure's function over periods, and the months of history before a period that its figure needs."""
    if measure.method is not None:
        return MEASURE_FUNCTIONS[measure.method], 0
    assert measure.indicator is not None  # the loader checks that a measure has one or the other
    spec = CASE_RECORD_INDICATORS[measure.indicator]

    def indicator_function(t: Mapping[str, pd.DataFrame], p: pd.DataFrame) -> pd.DataFrame:
        population = np.full(len(p), np.nan)
        if measure.series == "value":
            population = population_for_periods(
                t["population"],
                p,
                old_la_code=config.authority.old_la_code,
                ons_code=config.authority.ons_code,
                warn=False,
            )
        result = spec.function(t, p, population)
        return count(p, result["numerator"].to_numpy()) if measure.series == "numerator" else result

    return indicator_function, spec.lookback_months


def _from_indicator(monthly: pd.DataFrame, measure: BoardMeasure, months: pd.DataFrame) -> pd.DataFrame:
    """The month's figures of the measure's registry indicator, as ``indicators_monthly`` holds them."""
    rows = monthly.loc[monthly["indicator_id"] == measure.indicator].set_index("month")
    rows = rows.reindex(pd.DatetimeIndex(months["start"]))
    figure = rows[measure.series].to_numpy(dtype=float)
    if measure.series == "numerator":
        result = count(months, figure)
    else:
        result = result_frame(months, rows["numerator"], rows["denominator"], figure)
    result["suppressed"] = rows["suppressed"].fillna(False).astype(bool).to_numpy()
    return result


def _finish(
    result: pd.DataFrame, measure: BoardMeasure, config: ProjectConfig, period: str, periods: pd.DataFrame
) -> pd.DataFrame:
    """Suppress (if not yet done), withhold and give every absent figure its reason."""
    settings = config.suppression
    if "suppressed" not in result.columns:
        result["suppressed"] = suppress_small_counts(
            result, count_columns_for_unit(measure.unit), lower=settings.min_count, upper=settings.max_count
        )
    hidden = result["suppressed"].to_numpy(dtype=bool)
    note = pd.Series(pd.NA, index=result.index, dtype="string")
    note[result["value"].isna().to_numpy()] = NO_FIGURE_NOTE
    note[hidden] = SUPPRESSED_NOTE.format(lower=settings.min_count, upper=settings.max_count)
    for column in ("value", "numerator", "denominator"):
        result[column] = result[column].astype("float64").mask(hidden)
    return result.assign(
        measure_id=measure.id,
        period=period,
        month=periods["end"].dt.to_period("M").dt.start_time.to_numpy(),
        period_start=periods["start"].to_numpy(),
        period_end=periods["end"].to_numpy(),
        note=note,
    )


def measure_rows(
    tables: Mapping[str, pd.DataFrame],
    monthly: pd.DataFrame,
    measure: BoardMeasure,
    config: ProjectConfig,
    months: pd.DataFrame,
) -> pd.DataFrame:
    """One measure's figures: each month, and (a flow) the 12 months to each month's end."""
    function, lookback = _function(measure, config)
    absent = missing_columns(tables.get("cleaning_log"))
    missing = [missing_column_reason(t, c) for t, c in measure.columns if (t, c) in absent]
    given = declared_columns(tables, measure)
    if measure.indicator is not None and measure.series == "value":
        given["population"] = tables["population"]
    if measure.indicator is not None:
        by_month = _from_indicator(monthly, measure, months)
    else:
        by_month = function(given, months)
    parts = [_finish(by_month, measure, config, MONTH, months)]
    if measure.timing == "flow":
        trailing = trailing_periods(months["end"], TRAILING_MONTHS)
        first_month = pd.Timestamp(months["start"].min())
        result = function(given, trailing)
        short = (trailing["start"] - pd.DateOffset(months=lookback) < first_month).to_numpy()
        result = blank_without_history(result, trailing, first_month, lookback).drop(
            columns="suppressed", errors="ignore"
        )
        year = _finish(result, measure, config, TWELVE_MONTHS, trailing)
        year.loc[short, "note"] = SHORT_HISTORY_NOTE
        parts.append(year)
    rows = pd.concat(parts, ignore_index=True)
    if missing:
        rows[["value", "numerator", "denominator"]] = np.nan
        rows["suppressed"] = False
        rows["note"] = "not available: " + "; ".join(missing)
    return rows


def board_table(
    tables: Mapping[str, pd.DataFrame], monthly: pd.DataFrame, config: ProjectConfig, months: pd.DataFrame
) -> pd.DataFrame:
    """Every safeguarding board measure for every month (the ``safeguarding_board`` table).

    Parameters
    ----------
    tables
        The processed tables (the Annex A lists the measures read, ``population``, and ``cleaning_log`` if any).
    monthly
        ``indicators_monthly`` as the analysis stage writes it (suppressed figures already withheld).
    config
        The configuration: the measures (``safeguarding_board_measures``) and the suppression thresholds.
    months
        The months (a periods frame): the monthly series' months.

    Returns
    -------
    pandas.DataFrame
        Conformed to the ``safeguarding_board`` schema: per measure, period (``month`` or ``12_months``) and month
        the value, numerator, denominator, ``suppressed`` and ``note`` (why a figure is absent).
    """
    measures = config.registry.safeguarding_board_measures
    parts = [measure_rows(tables, monthly, measure, config, months) for measure in measures]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    logger.info("Safeguarding board: %d measures for %d months", len(measures), len(months))
    return conform(table, "safeguarding_board")
