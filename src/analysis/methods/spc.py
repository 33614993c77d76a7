"""Statistical process control: XmR charts read with NHS England's "Making Data Count" rules.

This module draws an indicator's chart segment by segment and reads it as at each month; the rules that flag and
class its points are in :mod:`analysis.methods.spc_rules`, its assurance and plain-words summary in
:mod:`analysis.methods.spc_summary`.

The calculations follow NHSRplotthedots 0.2.x (``ptd_spc_standard`` and ``ptd_calculate_point_type``), so a chart
here matches the one an NHS analyst would draw with that package:

* each segment (the points between rebase dates) has its own baseline: its first ``spc.baseline_points`` points
  (the package's ``fix_after_n_points``). Centre = mean of the baseline; moving ranges mR_i = |x_i - x_(i-1)|
  within the baseline; process limits = centre +/- 2.66 x mean(mR).
* optional screening (``spc.screen_moving_ranges``, the package's ``screen_outliers``): moving ranges of
  3.267 x mean(mR) or more are dropped and the mean moving range is computed once more. (Where every moving
  range is 0 nothing is screened, so the limits stay at the centre rather than becoming undefined.)
* rules, each only within its segment: a point outside the limits; a run of ``run_length`` points on one side of
  the centre (a point exactly on the centre breaks the run); a trend of ``trend_length`` points each higher (or
  each lower) than the one before, i.e. ``trend_length - 1`` consecutive increases (a tie breaks it); two of three
  consecutive points beyond two sigma (more than 2/3 of the way from the centre to a limit, but not outside it)
  with all three on the same side of the centre. Every point of a run or trend is flagged; for two-of-three only
  the points beyond two sigma are.
* each flagged point takes the type of the first of these rules it is part of (the package's
  ``ptd_special_cause_type``, since its issue #171 / pull request #180): outside the limits (above or below by its
  side of the centre), a trend (increasing or decreasing by the trend's direction, not by the point's side of the
  centre), two of three beyond two sigma, a run (above or below by side). A high type is ``improvement`` when
  higher is better and ``concern`` when lower is better, a low type the reverse, and either is ``neutral`` for
  ``context`` indicators (the package's ``ptd_point_type``); unflagged points are ``common_cause``.
* assurance compares the target with the latest point's limits: outside them on the good side is
  ``consistently_passing``, on the bad side ``consistently_failing``, inside ``hit_and_miss`` -- unless the latest
  point is itself a special cause: then the process has changed, the limits describe the process before the
  change, and assurance is not judged (``changed_meeting_target`` or ``changed_missing_target``, by where the
  latest point is against the target). See :func:`assurance`.

Notes
-----
NHS England, "Making Data Count" (2019, and "Strengthening your decisions", 2021); NHS-R community,
NHSRplotthedots R package 0.2.x (0.2.2), R/ptd_spc_standard.R ``ptd_spc_standard``,
R/ptd_calculate_point_type.R ``ptd_calculate_point_type``, ``ptd_special_cause_type`` and ``ptd_point_type``, and
R/ptd_calculate_assurance_type.R ``ptd_calculate_assurance_type``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from analysis.config_indicators import Indicator, Polarity, SpcSettings
from analysis.methods.spc_rules import (
    COMMON_CAUSE_TYPE,
    LIMIT_FACTOR,
    RULE_ORDER,
    RULE_OUTSIDE_LIMITS,
    RULE_RUN,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    TWO_SIGMA_FRACTION,
    point_types,
    process_limits,
    run_flags,
    special_cause_types,
    trend_flags,
    two_of_three_flags,
)
from analysis.methods.spc_summary import ChartPoints, summarise, summary_row
from analysis.schemas import schema

logger = logging.getLogger(__name__)


#: Columns of an SPC chart's points: the ``spc`` table's, less the indicator (added by the caller).
SPC_COLUMNS = [c for c in schema("spc").column_names if c != "indicator_id"]


# ---------------------------------------------------------------------------------------------------- chart
def _segments(months: pd.DatetimeIndex, rebase_at: Iterable[date]) -> np.ndarray:
    """Baseline number of each month: +1 at each rebase date after the first month."""
    if months.empty:
        return np.zeros(0, dtype="int64")
    dates = sorted(pd.Timestamp(d) for d in rebase_at)
    dates = [d for d in dates if d > months[0]]
    segment_numbers: np.ndarray = np.searchsorted(
        np.array(dates, dtype="datetime64[ns]"), months.to_numpy(dtype="datetime64[ns]"), side="right"
    )
    return segment_numbers


def spc_chart(
    values: pd.Series,
    *,
    polarity: Polarity,
    target: float | None = None,
    rebase_at: Iterable[date] = (),
    settings: SpcSettings,
    label: str = "series",
) -> pd.DataFrame:
    """XmR chart of a monthly series with each point classed by the Making Data Count rules.

    Parameters
    ----------
    values
        The figures, indexed by month (first day of the month). Months without a figure (NaN) are left out of the
        chart: NHSRplotthedots assumes a series without gaps.
    polarity
        ``higher_is_better``, ``lower_is_better`` or ``context``.
    target
        The indicator's target; it does not change the points (see :func:`summarise` for assurance).
    rebase_at
        Dates at which the process changed: the first month on or after each starts a new baseline.
    settings
        ``spc`` settings from ``config/indicators.yml``.
    label
        Name used in log messages (the indicator id).

    Returns
    -------
    pandas.DataFrame
        Columns of the ``spc`` schema without ``indicator_id``, one row per month with a figure.

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` (see the module docstring).
    """
    del target  # the points do not depend on it; kept so every SPC call takes the indicator's settings alike
    series = pd.Series(values, dtype="float64").dropna()
    series.index = pd.DatetimeIndex(series.index)
    series = series.sort_index()
    points = chart_points(
        pd.DatetimeIndex(series.index),
        series.to_numpy(dtype="float64"),
        polarity=polarity,
        rebase_at=rebase_at,
        settings=settings,
        label=label,
    )
    return pd.DataFrame(
        {
            "month": points.months,
            "value": points.values,
            "baseline": points.baseline,
            "centre": points.centre,
            "lower_limit": points.lower_limit,
            "upper_limit": points.upper_limit,
            "rules_fired": pd.Series(points.rules_fired, dtype="str"),
            "point_class": pd.Series(points.point_class, dtype="str"),
        }
    )


def chart_points(
    months: pd.DatetimeIndex,
    y: np.ndarray,
    *,
    polarity: Polarity,
    rebase_at: Iterable[date] = (),
    settings: SpcSettings,
    label: str = "series",
) -> ChartPoints:
    """The XmR chart of :func:`spc_chart` as arrays, from figures ``y`` of ``months`` (sorted, without gaps' NaN)."""
    baseline = _segments(months, rebase_at)
    centre = np.full(y.size, np.nan)
    mean_mr = np.full(y.size, np.nan)
    rules = {rule: np.zeros(y.size, dtype=bool) for rule in RULE_ORDER}
    types = np.full(y.size, COMMON_CAUSE_TYPE, dtype=object)
    for segment in np.unique(baseline):
        where = np.flatnonzero(baseline == segment)
        fixed = y[where][: settings.baseline_points]
        if fixed.size < settings.minimum_baseline_points:
            logger.warning(
                "%s: baseline %d (from %s) has %d points, fewer than %d: its limits are provisional",
                label,
                segment,
                f"{months[where[0]]:%B %Y}",
                fixed.size,
                settings.minimum_baseline_points,
            )
        c, amr = process_limits(fixed, screen_moving_ranges=settings.screen_moving_ranges)
        centre[where] = c
        mean_mr[where] = amr
        seg_y = y[where]
        upper, lower = c + LIMIT_FACTOR * amr, c - LIMIT_FACTOR * amr
        near_upper = c + TWO_SIGMA_FRACTION * LIMIT_FACTOR * amr
        near_lower = c - TWO_SIGMA_FRACTION * LIMIT_FACTOR * amr
        outside = (seg_y > upper) | (seg_y < lower)
        side = np.sign(seg_y - c)
        close = ~outside & ((seg_y < near_lower) | (seg_y > near_upper))
        if settings.rules.outside_limits:
            rules[RULE_OUTSIDE_LIMITS][where] = outside
        rules[RULE_RUN][where] = run_flags(side, settings.rules.run_length)
        rules[RULE_TREND][where] = trend_flags(seg_y, settings.rules.trend_length)
        if settings.rules.two_of_three_beyond_two_sigma:
            rules[RULE_TWO_OF_THREE][where] = two_of_three_flags(close, side)
        types[where] = special_cause_types(
            seg_y,
            side,
            outside=rules[RULE_OUTSIDE_LIMITS][where],
            trend=rules[RULE_TREND][where],
            two_of_three=rules[RULE_TWO_OF_THREE][where],
            run=rules[RULE_RUN][where],
        )
    fired = [",".join(rule for rule in RULE_ORDER if rules[rule][i]) or None for i in range(y.size)]
    return ChartPoints(
        months=months.to_numpy(dtype="datetime64[s]"),
        values=y,
        baseline=baseline.astype("int64"),
        centre=centre,
        lower_limit=centre - LIMIT_FACTOR * mean_mr,
        upper_limit=centre + LIMIT_FACTOR * mean_mr,
        rules_fired=fired,
        point_class=point_types(types, polarity),
    )


def indicator_chart(
    monthly: pd.DataFrame, indicator: Indicator, settings: SpcSettings, last_month: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """XmR chart and its one-row summary for one indicator's monthly figures up to ``last_month``.

    The one place the analysis stage (every indicator at the quarter's end) and the monthly dashboard (each
    indicator as at a month) draw a chart from ``indicators_monthly``, so the two readings agree.
    """
    rows = monthly.loc[(monthly["indicator_id"] == indicator.id) & (monthly["month"] <= last_month)]
    series = pd.Series(rows["value"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(rows["month"]))
    return chart_and_summary(series, indicator, settings)


def chart_and_summary(
    series: pd.Series, indicator: Indicator, settings: SpcSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator's XmR chart of ``series`` and its reading, with the indicator's polarity, target and rebases."""
    target = indicator.target.value if indicator.target else None
    chart = spc_chart(
        series,
        polarity=indicator.polarity,
        target=target,
        rebase_at=indicator.rebase_at,
        settings=settings,
        label=indicator.id,
    )
    summary = summarise(
        chart,
        indicator_id=indicator.id,
        polarity=indicator.polarity,
        target=target,
        settings=settings,
        decimals=indicator.decimals,
        unit=indicator.unit,
    )
    return chart, summary


def readings_as_at(
    monthly: pd.DataFrame, indicator: Indicator, settings: SpcSettings, months: Iterable[pd.Timestamp]
) -> pd.DataFrame:
    """The indicator's ``spc_summary`` row as the chart stood at each of ``months`` (the ``spc_as_at`` table).

    Each row is :func:`indicator_chart` drawn over the months up to ``as_at`` (so the dashboard for an earlier
    month shows the reading the Board saw then, and the one for a quarter's last month the quarter's reading),
    with ``above_mean``: whether the latest point is above its centre line (for the variation icon's direction).

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` and ``ptd_calculate_assurance_type``.
    Limits are fixed from each baseline's first points, so a later month never changes an earlier month's points,
    but the summary (latest point, its class and assurance) is that of the chart as it then ended.

    The chart as at a month with no new figure of the indicator is the chart as at the month before, so it is
    drawn once per figure (not once per month) and its summary repeated with each ``as_at``; the series is
    sorted and filtered once, and each chart and summary is computed on arrays (:func:`chart_points`,
    :func:`analysis.methods.spc_summary.summary_row`: the code :func:`spc_chart` and ``summarise`` run too), with
    no table made per chart. The rows are exactly those of drawing :func:`indicator_chart` at every month
    (``tests/test_spc.py`` checks this on generated series).
    """
    rows_of_indicator = monthly.loc[monthly["indicator_id"] == indicator.id]
    series = pd.Series(
        rows_of_indicator["value"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(rows_of_indicator["month"]),
    )
    series = series.dropna().sort_index()
    figure_months, figures = pd.DatetimeIndex(series.index), series.to_numpy(dtype="float64")
    target = indicator.target.value if indicator.target else None
    quiet = logger.level
    logger.setLevel(logging.ERROR)  # provisional-limit warnings, once per month drawn, say nothing new
    summaries: list[dict[str, object]] = []  # one per chart drawn
    drawn_for: list[int] = []  # for each of ``months``: the chart it shows (its position in ``summaries``)
    as_ats: list[pd.Timestamp] = []
    above_means: list[object] = []
    drawn: tuple[int, object] | None = None
    try:
        for as_at in months:
            as_at = pd.Timestamp(as_at)
            points = int(figure_months.searchsorted(as_at, side="right"))
            if drawn is None or drawn[0] != points:
                chart = chart_points(
                    figure_months[:points],
                    figures[:points],
                    polarity=indicator.polarity,
                    rebase_at=indicator.rebase_at,
                    settings=settings,
                    label=indicator.id,
                )
                above: object = pd.NA
                if points and not np.isnan(chart.centre[-1]):
                    above = bool(chart.values[-1] > chart.centre[-1])
                summaries.append(
                    summary_row(
                        chart,
                        indicator_id=indicator.id,
                        polarity=indicator.polarity,
                        target=target,
                        settings=settings,
                        decimals=indicator.decimals,
                        unit=indicator.unit,
                    )
                )
                drawn = (points, above)
            drawn_for.append(len(summaries) - 1)
            as_ats.append(as_at)
            above_means.append(drawn[1])
    finally:
        logger.setLevel(quiet)
    if not summaries:
        return pd.DataFrame()
    readings = summary_frame([summaries[i] for i in drawn_for])
    return readings.assign(as_at=pd.DatetimeIndex(as_ats), above_mean=pd.Series(above_means))


def summary_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """``spc_summary`` rows (:func:`analysis.methods.spc_summary.summary_row`) as one table, typed as the rows of
    :func:`analysis.methods.spc_summary.summarise` put together with ``pandas.concat`` would be.

    A one-row table holds ``assurance`` and ``rule`` as text when they are given and as objects when they are None,
    and putting such tables together keeps objects wherever one row has None: so here.
    """
    frame = pd.DataFrame(rows)
    for column in ("assurance", "rule"):
        values = [row[column] for row in rows]
        if any(value is None for value in values):
            frame[column] = pd.Series(values, dtype=object)
    return frame
