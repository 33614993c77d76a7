"""The front door: contacts, referrals, re-referrals, referral rates and early help.

Every function takes the processed table(s) and a periods frame (:mod:`analysis.stages.indicators.periods`) and returns
``numerator``, ``denominator`` and ``value`` per period.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.stages.indicators.periods import (
    count,
    months_in_period,
    percentage,
    ratio,
    result_frame,
    sum_in_periods,
)

logger = logging.getLogger(__name__)

REREFERRAL_WINDOW = pd.DateOffset(months=12)
"""DfE CIN census: a re-referral is a referral within 12 months of a previous referral of the same child."""
ASSESSMENT_AFTER_REFERRAL_DAYS = 30
"""Local measure: a referral led to an assessment if one started on the referral day or up to 30 days after."""
RATE_BASE = 10_000.0
MONTHS_IN_YEAR = 12


def contacts_converting_to_referrals(
    contacts: pd.DataFrame, referrals: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    """Referrals accepted in each period as a percentage of contacts received in it.

    Parameters
    ----------
    contacts, referrals : pandas.DataFrame
        The ``contacts`` and ``referrals`` tables.
    periods : pandas.DataFrame
        The periods.

    Returns
    -------
    pandas.DataFrame
        numerator (referrals), denominator (contacts), value (%).

    Notes
    -----
    Local measure of the front door's threshold (Ofsted Annex A lists 1 and 3; committee paper 21 July 2015,
    para 3.2). A ratio of two counts in the same period, not a child-by-child link: a contact and the referral it
    led to can fall in different months.
    """
    referred = sum_in_periods(referrals["referral_date"], periods)
    received = sum_in_periods(contacts["contact_date"], periods)
    return percentage(periods, referred, received)


def rereferral_flags(referrals: pd.DataFrame) -> pd.Series:
    """Whether each referral came within 12 months of a previous referral of the same child.

    Parameters
    ----------
    referrals : pandas.DataFrame
        The ``referrals`` table.

    Returns
    -------
    pandas.Series
        Boolean on ``referrals``' index.

    Notes
    -----
    DfE CIN census guidance (table C1, re-referral rate): "a referral within 12 months of a previous referral".
    Here: the child's most recent earlier referral (a strictly earlier date) is on or after the date 12 calendar
    months before this one (``pandas.DateOffset(months=12)``), so the anniversary itself counts as within 12
    months: referrals on 1 May 2014 and 1 May 2015 make the second a re-referral; 1 May 2014 and 2 May 2015 do
    not. Only referrals in the data are seen, so the first months of the data under-count re-referrals.
    """
    ordered = referrals[["child_id", "referral_date"]].dropna().sort_values(["child_id", "referral_date"])
    previous = ordered.groupby("child_id", sort=False)["referral_date"].shift(1)
    earlier = previous < ordered["referral_date"]
    within = (previous + REREFERRAL_WINDOW) >= ordered["referral_date"]
    flags = (earlier & within).fillna(False).astype(bool)
    return flags.reindex(referrals.index, fill_value=False).astype(bool)


def rereferrals_within_12_months(referrals: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Referrals in each period within 12 months of a previous referral, as a percentage of all referrals in it.

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table C1: re-referral rate. See
    :func:`rereferral_flags` for "within 12 months".
    """
    flags = rereferral_flags(referrals)
    rereferred = sum_in_periods(referrals["referral_date"], periods, flags.astype(float))
    referred = sum_in_periods(referrals["referral_date"], periods)
    return percentage(periods, rereferred, referred)


def referrals_per_10000(
    referrals: pd.DataFrame, periods: pd.DataFrame, population: np.ndarray
) -> pd.DataFrame:
    """Referrals in each period per 10,000 children aged 0-17, annualised for periods shorter than a year.

    Parameters
    ----------
    referrals : pandas.DataFrame
        The ``referrals`` table.
    periods : pandas.DataFrame
        The periods.
    population : numpy.ndarray
        The population for each period (:func:`~analysis.stages.indicators.periods.population_for_periods`).

    Returns
    -------
    pandas.DataFrame
        numerator (referrals in the period), denominator (population), value (rate per 10,000 per year).

    Notes
    -----
    DfE, Characteristics of children in need (CIN census), table C1: referrals in the year to 31 March per 10,000
    children under 18 (ONS mid-year estimate of the previous year). A month's figure is annualised: referrals x
    12 / population x 10,000, so that months and years are on one scale; generally x 12 / (months in period).
    """
    referred = sum_in_periods(referrals["referral_date"], periods)
    annualise = MONTHS_IN_YEAR / months_in_period(periods).to_numpy(dtype=float)
    return result_frame(periods, referred, population, ratio(referred * annualise, population, RATE_BASE))


def referrals_converting_to_assessments(
    referrals: pd.DataFrame, assessments: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    """Referrals in each period whose child had an assessment starting within 30 days, as a percentage.

    Notes
    -----
    Local measure (Ofsted Annex A lists 3 and 4). A referral is converted when the same child has a continuous
    (single) assessment starting on the referral date or up to 30 calendar days after it (day 30 included). One
    assessment can convert more than one referral of the same child.
    """
    left = (
        referrals[["child_id", "referral_date"]]
        .dropna()
        .assign(_row=lambda f: np.arange(len(f)))
        .sort_values("referral_date", kind="stable")
    )
    right = (
        assessments[["child_id", "assessment_start_date"]]
        .dropna()
        .sort_values("assessment_start_date", kind="stable")
        .astype({"assessment_start_date": left["referral_date"].dtype})
    )
    matched = pd.merge_asof(
        left,
        right,
        left_on="referral_date",
        right_on="assessment_start_date",
        by="child_id",
        direction="forward",
        tolerance=pd.Timedelta(days=ASSESSMENT_AFTER_REFERRAL_DAYS),
        allow_exact_matches=True,
    )
    converted = matched["assessment_start_date"].notna().astype(float)
    converted_in = sum_in_periods(matched["referral_date"], periods, converted)
    referred = sum_in_periods(referrals["referral_date"], periods)
    return percentage(periods, converted_in, referred)


def early_help_assessments_started(early_help: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Early help assessments (CAF) started in each period.

    Notes
    -----
    Ofsted Annex A list 2 (early help assessment start date); Improvement Plan 2015-16, theme 4.
    """
    return count(periods, sum_in_periods(early_help["early_help_start_date"], periods))
