"""Indicators reported on the monthly local scorecard: passed through as recorded, and summed or averaged by year."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.stages.indicators.periods import result_frame

logger = logging.getLogger(__name__)


def scorecard_series(scorecard: pd.DataFrame, indicator_id: str) -> pd.Series:
    """The scorecard's monthly figures for one indicator, indexed by month (first day), missing months absent."""
    rows = scorecard.loc[scorecard["indicator_id"] == indicator_id, ["month", "value"]]
    series = rows.groupby("month")["value"].last()
    series.index = pd.DatetimeIndex(series.index).to_period("M").to_timestamp()
    return series.astype(float)


def scorecard_indicator(
    scorecard: pd.DataFrame, indicator_id: str, periods: pd.DataFrame, *, how: str
) -> pd.DataFrame:
    """A scorecard indicator over each period: the figure at the period's last month, or the year's sum or mean.

    Parameters
    ----------
    scorecard : pandas.DataFrame
        The ``scorecard`` table (tidy, one row per indicator and month).
    indicator_id : str
        The registry id.
    periods : pandas.DataFrame
        The periods (whole months).
    how : {"last", "sum", "mean"}
        ``last``: the figure of the period's last month (a month's own figure; a figure at 31 March); ``sum``: the
        total over the period's months, missing unless every month has a figure (counts such as social workers
        recruited); ``mean``: the average of the months with a figure (percentages and averages the scorecard
        gives without their counts).

    Returns
    -------
    pandas.DataFrame
        value, with numerator and denominator empty (the scorecard gives figures, not counts).

    Notes
    -----
    Local scorecard (see each indicator's ``reference``). The figures come through unchanged; a year's figure is
    formed as above because the scorecard gives no numerators to pool.
    """
    series = scorecard_series(scorecard, indicator_id)
    empty = np.full(len(periods), np.nan)
    if how == "last":
        last_months = periods["end"].dt.to_period("M").dt.start_time
        return result_frame(periods, empty, empty, series.reindex(last_months).to_numpy(dtype=float))
    values = np.full(len(periods), np.nan)
    for position, (start, end) in enumerate(zip(periods["start"], periods["end"], strict=True)):
        months = pd.date_range(start.to_period("M").start_time, end, freq="MS")
        in_period = series.reindex(months)
        if how == "sum":
            values[position] = in_period.sum() if in_period.notna().all() else np.nan
        elif how == "mean":
            values[position] = in_period.mean()
        else:
            raise ValueError(f"how must be 'last', 'sum' or 'mean', not {how!r}")
    return result_frame(periods, empty, empty, values)
