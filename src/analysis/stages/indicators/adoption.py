"""Adoption scorecard timeliness: A1 (entering care to placed) and A2 (placement order to match)."""

from __future__ import annotations

import logging

import pandas as pd

from analysis.stages.indicators.periods import ratio, result_frame, sum_in_periods

logger = logging.getLogger(__name__)


def _mean_days_for_adopted(
    adoptions: pd.DataFrame, periods: pd.DataFrame, first: str, last: str
) -> pd.DataFrame:
    """Mean days from ``first`` to ``last`` for children whose adoption order falls in each period."""
    days = (adoptions[last] - adoptions[first]).dt.days
    counted = days.notna() & adoptions["adoption_order_date"].notna()
    adopted_on = adoptions["adoption_order_date"].where(counted)
    total_days = sum_in_periods(adopted_on, periods, days.where(counted))
    children = sum_in_periods(adopted_on, periods)
    return result_frame(periods, total_days, children, ratio(total_days, children, 1.0))


def adoption_a1_days_entering_care_to_placed(adoptions: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Mean days between entering care and being placed for adoption, for children adopted in each period.

    Parameters
    ----------
    adoptions : pandas.DataFrame
        The ``adoptions`` table.
    periods : pandas.DataFrame
        The periods: for the monthly series, the 12 months to each month end; for the scorecard figure, the
        three years to 31 March.

    Returns
    -------
    pandas.DataFrame
        numerator (total days), denominator (children adopted with both dates), value (mean days).

    Notes
    -----
    DfE, Adoption scorecards, indicator A1: average time between a child entering care and moving in with its
    adoptive family, for children adopted (adoption order date) in the period; the scorecard publishes a
    three-year average (total days over total children). The A10 adjustment for foster carer adoptions (date
    the child moved in with the foster carers) needs data Annex A does not hold.
    """
    return _mean_days_for_adopted(adoptions, periods, "care_start_date", "placed_date")


def adoption_a2_days_placement_order_to_match(adoptions: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Mean days between the placement order and the match with adopters, for children adopted in each period.

    Notes
    -----
    DfE, Adoption scorecards, indicator A2: average time between the local authority receiving court authority to
    place a child (placement order) and deciding on a match to an adoptive family, for children adopted in the
    period; three-year average on the scorecard (total days over total children).
    """
    return _mean_days_for_adopted(adoptions, periods, "placement_order_date", "matched_date")
