"""Care leavers aged 19 to 21: suitable accommodation and education, employment or training."""

from __future__ import annotations

import logging

import pandas as pd

from analysis.stages.indicators.periods import percentage, sum_in_periods

logger = logging.getLogger(__name__)

IN_EDUCATION_EMPLOYMENT_OR_TRAINING = ("education", "training", "employment")
"""Canonical ``activity`` values that count as EET (SSDA903 care leaver activity codes F1-F4, G1-G6)."""


def care_leavers_in_suitable_accommodation(care_leavers: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Care leavers whose accommodation was suitable at their birthday contact in each period, as a percentage.

    Notes
    -----
    DfE, Children looked after in England including adoptions (SSDA903), care leavers aged 19 to 21: of the
    birthday contacts in the period, those recording suitable accommodation. Young people the authority is not
    in touch with (suitability not known) stay in the denominator, as DfE counts them. Ofsted's current Annex A
    template records the latest contact instead of the birthday contact: its date places the young person in a
    period, and a young person with no contact date recorded is in no period (neither numerator nor denominator).
    """
    suitable = care_leavers["accommodation_suitable"].fillna(False).astype(float)
    contacted = care_leavers["contact_date"]
    return percentage(
        periods, sum_in_periods(contacted, periods, suitable), sum_in_periods(contacted, periods)
    )


def care_leavers_in_education_employment_training(
    care_leavers: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    """Care leavers in education, employment or training at their birthday contact in each period, as a percentage.

    Notes
    -----
    DfE, Children looked after in England including adoptions (SSDA903), care leavers aged 19 to 21: of the
    birthday contacts in the period, those whose activity is education, training or employment; NEET and
    unknown activity stay in the denominator.
    """
    in_eet = care_leavers["activity"].isin(IN_EDUCATION_EMPLOYMENT_OR_TRAINING).astype(float)
    contacted = care_leavers["contact_date"]
    return percentage(periods, sum_in_periods(contacted, periods, in_eet), sum_in_periods(contacted, periods))
