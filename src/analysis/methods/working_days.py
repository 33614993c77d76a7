"""Working days in England and Wales: weekends and bank holidays excluded, vectorised with numpy.

"Within N working days" is defined once here and used by every timeliness indicator: the number of working days
*after* the start day, up to and including the end day, is at most N. A conference held on the 15th working day
after the strategy discussion is within 15 working days; one on the 16th is not; one held on the day of the
discussion took 0 working days. A start day that is itself a weekend or bank holiday does not count (only the days
after it do), so a strategy discussion on a Saturday followed by a conference on the Monday took 1 working day.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

BANK_HOLIDAY_COUNTRY = "GB"
"""The ``holidays`` country whose England subdivision gives the England and Wales bank holidays."""
BANK_HOLIDAY_SUBDIVISION = "ENG"
"""England. GOV.UK publishes one list for "England and Wales"; ``holidays`` gives ENG and WLS the same days."""


@lru_cache(maxsize=16)
def _bank_holidays_cached(first_year: int, last_year: int) -> np.ndarray:
    days = holidays.country_holidays(
        BANK_HOLIDAY_COUNTRY, subdiv=BANK_HOLIDAY_SUBDIVISION, years=range(first_year, last_year + 1)
    )
    holiday_array = np.array(sorted(days), dtype="datetime64[D]")
    holiday_array.setflags(write=False)
    return holiday_array


def england_and_wales_bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    """The bank holidays of England and Wales from ``first_year`` to ``last_year`` inclusive.

    Parameters
    ----------
    first_year, last_year : int
        Calendar years to cover.

    Returns
    -------
    numpy.ndarray
        Sorted ``datetime64[D]`` dates (read-only), including substitute days (e.g. Boxing Day observed on a
        Monday) and one-off bank holidays.

    Notes
    -----
    Source: GOV.UK, "UK bank holidays" (England and Wales), as packaged by the ``holidays`` library
    (``holidays.country_holidays("GB", subdiv="ENG")``; the ``WLS`` subdivision has the same days).
    """
    return _bank_holidays_cached(int(first_year), int(last_year))


def _as_days(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates as ``datetime64[D]`` (NaT replaced by a placeholder) and the mask of missing ones."""
    dates = pd.to_datetime(values)
    missing = dates.isna().to_numpy()
    days = dates.dt.floor("D").to_numpy(dtype="datetime64[D]")
    days[missing] = np.datetime64("1970-01-01", "D")
    return days, missing


def working_days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days after ``start`` up to and including ``end`` (weekends and bank holidays excluded).

    Parameters
    ----------
    start, end : pandas.Series
        Dates, aligned on the same index (e.g. strategy discussion and conference dates). Times are ignored.

    Returns
    -------
    pandas.Series
        ``Int64`` counts on the index of ``start``: 0 when ``end`` is the same day as ``start`` (or the next
        working day has not yet come); when ``end`` is before ``start``, minus the working days in (end, start];
        missing where either is missing.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1, and the DfE CIN census guidance measure timescales
    in working days from the start (referral, strategy discussion, assessment start) to the end (assessment
    authorisation, initial conference). Here that is ``numpy.busday_count(start + 1 day, end + 1 day)``: the
    working days in the half-open interval (start, end]. Weekends are Saturday and Sunday; bank holidays are those
    of England and Wales (:func:`england_and_wales_bank_holidays`).
    """
    if not start.index.equals(end.index):
        end = end.reindex(start.index)
    start_days, start_missing = _as_days(start)
    end_days, end_missing = _as_days(end)
    missing = start_missing | end_missing
    if (~missing).any():
        years = (
            np.concatenate([start_days[~missing], end_days[~missing]]).astype("datetime64[Y]").astype(int)
            + 1970
        )
        holiday_array = england_and_wales_bank_holidays(int(years.min()), int(years.max()) + 1)
    else:
        holiday_array = np.array([], dtype="datetime64[D]")
    one_day = np.timedelta64(1, "D")
    forward = np.busday_count(start_days + one_day, end_days + one_day, holidays=holiday_array)
    # For an end before the start numpy counts the half-open (end, start] itself (negated): no shift then.
    backward = np.busday_count(start_days, end_days, holidays=holiday_array)
    counts = np.where(end_days >= start_days, forward, backward)
    result = pd.Series(counts, index=start.index, dtype="Int64", name="working_days")
    result[missing] = pd.NA
    return result


def within_working_days(start: pd.Series, end: pd.Series, limit: int) -> pd.Series:
    """Whether ``end`` came within ``limit`` working days of ``start`` (see the module's definition).

    Parameters
    ----------
    start, end : pandas.Series
        Dates, aligned on the same index.
    limit : int
        The timescale in working days (e.g. 15 for an initial conference, 45 for an assessment).

    Returns
    -------
    pandas.Series
        Boolean (no missing values): True when ``0 <= working_days_between(start, end) <= limit``. A missing date,
        or an end before the start (a recording error the validation stage reports), is not within.

    Notes
    -----
    Working Together to Safeguard Children (2015), chapter 1: assessments within 45 working days of referral
    (here of the assessment start, as the CIN census measures it), initial conferences within 15 working days of
    the strategy discussion.
    """
    days = working_days_between(start, end)
    return ((days >= 0) & (days <= limit)).fillna(False).astype(bool)
