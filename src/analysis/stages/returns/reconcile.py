"""Where the returns and Annex A meet: the same year's figure from both, and a warning when they differ too much.

Annual figures come from the statutory returns when they are there (they are what DfE will publish); Annex A's
reconstruction stays for the months. When both give a figure for the same indicator and year ending 31 March, a
difference beyond the tolerance is a data-quality warning naming both figures and both sources, so the analyst
can find which records one source has and the other has not.
"""

from __future__ import annotations

import pandas as pd

from analysis.stages.returns.common import WARNING, Figure, Finding, year_label

ANNUAL_PERIOD_TYPES = ("year_to_31_march", "at_31_march")


def reconcile(
    figures: list[Figure], indicators_annual: pd.DataFrame, *, tolerance_percent: float
) -> tuple[pd.DataFrame, list[Finding]]:
    """Pair each returns figure with Annex A's figure for the same indicator and year; flag large differences.

    Parameters
    ----------
    figures
        The returns' figures (:func:`analysis.stages.returns.command.returns_figures`).
    indicators_annual
        The analysis stage's ``indicators_annual`` table (Annex A's reconstruction).
    tolerance_percent
        The largest difference accepted, as a percentage of the returns' value (a difference of 0.5 points on a
        value of 50 is 1%); a value of 0 in the returns accepts only 0 from Annex A.

    Returns
    -------
    tuple
        The pairs (``indicator_id``, ``time_period``, ``returns_value``, ``annex_a_value``, ``difference_percent``,
        ``within_tolerance``) and one warning per pair outside the tolerance.
    """
    returns = pd.DataFrame(
        [(f.measure, f.collection_year, f.value, f.source) for f in figures],
        columns=["indicator_id", "time_period", "returns_value", "returns_source"],
    )
    annual = indicators_annual.loc[indicators_annual["period_type"].isin(ANNUAL_PERIOD_TYPES)]
    annual = annual.loc[:, ["indicator_id", "time_period", "value"]].rename(
        columns={"value": "annex_a_value"}
    )
    pairs = returns.merge(annual, on=["indicator_id", "time_period"]).dropna(
        subset=["returns_value", "annex_a_value"]
    )
    difference = (pairs["annex_a_value"] - pairs["returns_value"]).abs()
    base = pairs["returns_value"].abs()
    pairs["difference_percent"] = (difference * 100 / base).where(
        base > 0, difference.where(difference == 0, 100.0)
    )
    pairs["within_tolerance"] = pairs["difference_percent"] <= tolerance_percent
    findings = [
        Finding(
            WARNING, f"{row.returns_source} and Annex A",
            f"{row.indicator_id} {year_label(int(row.time_period))}: the returns give {row.returns_value:.4g}, Annex A "
            f"{row.annex_a_value:.4g} ({row.difference_percent:.1f}% apart, tolerance {tolerance_percent:g}%)",
            field=str(row.indicator_id), rule="returns_vs_annex_a",
        )
        for row in pairs.loc[~pairs["within_tolerance"]].itertuples()
    ]  # fmt: skip
    return pairs.reset_index(drop=True), findings
