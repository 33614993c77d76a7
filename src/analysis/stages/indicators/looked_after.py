"""Children looked after: numbers in care, placement stability and leaving care through adoption."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.stages.indicators.periods import (
    ONE_DAY,
    children_open_at_each_end,
    open_at,
    percentage,
    ratio,
    result_frame,
    sum_in_periods,
)

logger = logging.getLogger(__name__)

ADOPTED_REASONS_CEASED = ("E11", "E12")
"""SSDA903 reason episode ceased: E11 adopted (application unopposed), E12 adopted (consent dispensed with)."""
PLACEMENT_STABILITY_WINDOW = pd.DateOffset(months=12)
PLACEMENT_STABILITY_MINIMUM = 3
"""SSDA903 placement stability: children looked after at 31 March with three or more placements in the year."""
RATE_BASE = 10_000.0


def periods_of_care(looked_after: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care (child and care start), from the one-row-per-placement table.

    Returns
    -------
    pandas.DataFrame
        ``child_id``, ``care_start_date``, ``care_end_date`` and ``reason_ceased`` of the period's last
        placement (the one that records how the period ended).
    """
    columns = ["child_id", "care_start_date", "placement_start_date", "care_end_date", "reason_ceased"]
    ordered = looked_after[columns].sort_values(
        ["child_id", "care_start_date", "placement_start_date"], kind="stable"
    )
    last = ordered.drop_duplicates(["child_id", "care_start_date"], keep="last")
    return last.drop(columns="placement_start_date").reset_index(drop=True)


def children_looked_after_per_10000(
    looked_after: pd.DataFrame, periods: pd.DataFrame, population: np.ndarray
) -> pd.DataFrame:
    """Children looked after at the end of each period per 10,000 children aged 0-17.

    Notes
    -----
    DfE, Children looked after in England including adoptions (SSDA903), table LA1: children looked after at
    31 March (care started on or before the day; no care end date, or one after it), each child counted once,
    per 10,000 children under 18 on the ONS mid-year estimate of the previous year.
    """
    care = periods_of_care(looked_after)
    in_care, _ = children_open_at_each_end(
        care["child_id"], care["care_start_date"], care["care_end_date"], periods
    )
    return result_frame(periods, in_care, population, ratio(in_care, population, RATE_BASE))


def lac_three_or_more_placements(looked_after: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Children looked after at the end of each period with three or more placements in the 12 months to it.

    Notes
    -----
    DfE, Children looked after in England including adoptions (SSDA903), placement stability (former NI 62):
    of the children looked after at 31 March, the percentage with three or more placements during the year.
    Placements during the year are the placement the child was in as the year began (open at the end of the day
    before the 12 months) plus every placement starting in the 12 months, in any period of care. So a child
    placed before the year who moved twice in it has had three placements.
    """
    care = periods_of_care(looked_after)
    codes, uniques = pd.factorize(pd.concat([care["child_id"], looked_after["child_id"]], ignore_index=True))
    care_codes, placement_codes = codes[: len(care)], codes[len(care) :]
    placement_start, placement_end = looked_after["placement_start_date"], looked_after["placement_end_date"]
    looked_after_count = np.zeros(len(periods))
    unstable = np.zeros(len(periods))
    for position, (day, year_start) in enumerate(
        zip(periods["end"], periods["end"] + ONE_DAY - PLACEMENT_STABILITY_WINDOW, strict=True)
    ):
        in_care = np.zeros(len(uniques), dtype=bool)
        is_open = open_at(care["care_start_date"], care["care_end_date"], day).to_numpy() & (care_codes >= 0)
        in_care[care_codes[is_open]] = True
        during_year = open_at(placement_start, placement_end, year_start - ONE_DAY) | placement_start.between(
            year_start, day
        )
        during_year = during_year.to_numpy() & (placement_codes >= 0)
        placements = np.bincount(placement_codes[during_year], minlength=len(uniques))
        looked_after_count[position] = in_care.sum()
        unstable[position] = (in_care & (placements >= PLACEMENT_STABILITY_MINIMUM)).sum()
    return percentage(periods, unstable, looked_after_count)


def children_leaving_care_adopted(looked_after: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Children ceasing to be looked after in each period because they were adopted, as a percentage.

    Notes
    -----
    DfE, Children looked after in England including adoptions (SSDA903), table LA1: of the periods of care
    that ended in the period, those whose reason ceased is E11 or E12 (adopted). A child who ceased to be looked
    after twice in the period is counted twice (rare; DfE counts each child once).
    """
    care = periods_of_care(looked_after)
    adopted = care["reason_ceased"].isin(ADOPTED_REASONS_CEASED).astype(float)
    ended = care["care_end_date"]
    return percentage(periods, sum_in_periods(ended, periods, adopted), sum_in_periods(ended, periods))
