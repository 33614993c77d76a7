"""Assessments and children in need."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.methods.working_days import within_working_days
from analysis.stages.indicators.periods import open_at, percentage, ratio, result_frame, sum_in_periods

logger = logging.getLogger(__name__)

ASSESSMENT_TIMESCALE_WORKING_DAYS = 45
"""Working Together to Safeguard Children (2015), chapter 1: an assessment within 45 working days."""
RATE_BASE = 10_000.0


def assessments_within_45_working_days(assessments: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Assessments authorised in each period within 45 working days of their start, as a percentage.

    Parameters
    ----------
    assessments : pandas.DataFrame
        The ``assessments`` table.
    periods : pandas.DataFrame
        The periods.

    Returns
    -------
    pandas.DataFrame
        numerator (authorised within 45 working days), denominator (authorised in the period), value (%).

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1, and the DfE CIN census guidance (table C3): of the
    continuous assessments completed (authorised) in the period, those whose authorisation date is within 45
    working days of the start date. Working days as :mod:`analysis.methods.working_days` defines them: one authorised on
    the 45th working day after the start is within; on the 46th, not.
    """
    timely = within_working_days(
        assessments["assessment_start_date"],
        assessments["assessment_authorised_date"],
        ASSESSMENT_TIMESCALE_WORKING_DAYS,
    )
    authorised = assessments["assessment_authorised_date"]
    within = sum_in_periods(authorised, periods, timely.astype(float))
    completed = sum_in_periods(authorised, periods)
    return percentage(periods, within, completed)


def children_in_need_per_10000(
    children_in_need: pd.DataFrame, periods: pd.DataFrame, population: np.ndarray
) -> pd.DataFrame:
    """Open child in need episodes at the end of each period per 10,000 children aged 0-17.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table B1 (``At31_episodes``): episodes open at 31
    March (start on or before, no end or an end after it) per 10,000 children under 18, on the ONS mid-year
    estimate of the previous year. Episodes, not children, as the benchmark counts them.
    """
    open_episodes = open_cin_episodes(children_in_need, periods)
    return result_frame(periods, open_episodes, population, ratio(open_episodes, population, RATE_BASE))


def open_cin_episodes(children_in_need: pd.DataFrame, periods: pd.DataFrame) -> np.ndarray:
    """Children in need at the end of each period, counted as DfE counts them: open episodes.

    The one count of "children in need at the month end": the numerator of :func:`children_in_need_per_10000`
    and the safeguarding board's figure, so both pages show one value.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table B1 (``At31_episodes``): episodes open at the
    date (started on or before it, not ended by it).
    """
    start, end = children_in_need["cin_start_date"], children_in_need["cin_end_date"]
    return np.array([open_at(start, end, day).sum() for day in periods["end"]], dtype=float)
