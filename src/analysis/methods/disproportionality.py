"""Disproportionality: each ethnic group's share of a topic's children against its share of the population.

The counts come from the published profile (:func:`analysis.methods.topic_analyses.profile`), already withheld, so
both tables withhold the same cells; the population is ONS Census 2021, all ages
(:func:`analysis.inputs.ethnic_population.read_ethnic_population`).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.inputs.ethnic_population import ETHNIC_GROUPS
from analysis.methods.benchmark_breakdowns import WITHHELD_SECONDARY
from analysis.methods.topic_analyses import KNOWN_ETHNICITY, TOTAL

#: What a share is of (``shares_of``): the children of known ethnicity, or all the list's children where the number
#: of known ethnicity is withheld (1 to 5 children of unknown ethnicity).
SHARES_OF_KNOWN = "children of known ethnicity"
SHARES_OF_ALL = "all children (the number of unknown ethnicity, 1 to 5, is withheld)"
#: z for a two-sided 95% interval.
Z_95 = 1.959963984540054

DISPROPORTIONALITY_COLUMNS = [
    "topic_id",
    "list",
    "period",
    "period_start",
    "period_end",
    "ethnic_group",
    "children",
    "children_with_known_ethnicity",
    "shares_of",
    "share_percent",
    "population",
    "population_share_percent",
    "ratio",
    "ratio_lower_95",
    "ratio_upper_95",
    "withheld",
]


def katz_interval(x1: float, n1: float, x2: float, n2: float, z: float = Z_95) -> tuple[float, float, float]:
    """Ratio of two proportions (x1/n1) / (x2/n2) with its Katz log interval.

    Notes
    -----
    Katz D, Baptista J, Azen SP, Pike MC (1978), "Obtaining confidence intervals for the risk ratio in cohort
    studies", Biometrics 34(3): 469-474: log ratio +/- z x sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2). Undefined (NaN) when
    either count is zero; the ratio itself is then 0 (or not available).
    """
    if min(n1, n2) <= 0 or x2 <= 0:
        return math.nan, math.nan, math.nan
    ratio = (x1 / n1) / (x2 / n2)
    if x1 <= 0:
        return ratio, math.nan, math.nan
    error = math.sqrt(max(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2, 0.0))
    return ratio, ratio * math.exp(-z * error), ratio * math.exp(z * error)


def disproportionality(profile_table: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Each ethnic group's share of a list's children against its share of the authority's population.

    Parameters
    ----------
    profile_table
        The published profile (:func:`profile`): its ``ethnicity`` rows, already withheld, are the counts used, so
        the two tables withhold the same cells.
    population
        Population by ``ethnic_group`` (:func:`analysis.inputs.ethnic_population.read_ethnic_population`); empty
        when there is no population file (shares are given, ratios are not).

    Returns
    -------
    pandas.DataFrame
        :data:`DISPROPORTIONALITY_COLUMNS`, one row per list, period and ethnic group. A ratio above 1 means the
        group is over-represented among the list's children; an interval that excludes 1 is unlikely to be chance.

    Notes
    -----
    Ratio of two proportions with the Katz log 95% interval (:func:`katz_interval`). The population is Census 2021,
    all ages (ONS TS021), not children: the only breakdown by ethnic group published for every authority.

    The shares are of the children of known ethnicity (the profile's "known ethnicity" subtotal; the population
    has no "not known" group). Small numbers: a group's share and ratio are withheld with its count, and only
    then: the profile protects a withheld group among the other known groups, so the subtotal stays shown. Where
    the subtotal itself is withheld (1 to 5 children of unknown ethnicity, which it would give back from the
    total), the shares are of all the list's children (``shares_of``), at most 5 children from the known
    denominator; where the total is withheld too, every share is.
    """
    rows = profile_table.loc[profile_table["breakdown"] == "ethnicity"]
    pop = (
        population.set_index("ethnic_group")["population"] if not population.empty else pd.Series(dtype=float)
    )
    pop_total = float(pop.sum()) if not pop.empty else math.nan
    records = []
    for (topic_id, list_name, period), group in rows.groupby(["topic_id", "list", "period"], sort=False):
        cells = group.set_index("category")

        def shown(category: str, cells: pd.DataFrame = cells) -> float:
            if category not in cells.index or str(cells.loc[category, "withheld"]):
                return math.nan
            return float(cells.loc[category, "children"])

        known = shown(KNOWN_ETHNICITY)
        if pd.notna(known):
            denominator, shares_of = known, SHARES_OF_KNOWN
        else:
            denominator, shares_of = shown(TOTAL), SHARES_OF_ALL
        for name in ETHNIC_GROUPS:
            count = cells.loc[name, "children"] if name in cells.index else 0.0
            reason = str(cells.loc[name, "withheld"]) if name in cells.index else ""
            if not reason and pd.isna(denominator):
                reason = WITHHELD_SECONDARY
            residents = float(pop.get(name, math.nan)) if not pop.empty else math.nan
            ratio = low = high = math.nan
            share = math.nan
            if not reason and denominator > 0:
                share = round(100 * count / denominator, 1)
                if pd.notna(residents):
                    ratio, low, high = katz_interval(count, denominator, residents, pop_total)
            records.append(
                {
                    "topic_id": topic_id,
                    "list": list_name,
                    "period": period,
                    "period_start": group["period_start"].iloc[0],
                    "period_end": group["period_end"].iloc[0],
                    "ethnic_group": name,
                    "children": math.nan if reason else count,
                    "children_with_known_ethnicity": known,
                    "shares_of": shares_of if pd.notna(denominator) else "",
                    "share_percent": share,
                    "population": residents,
                    "population_share_percent": round(100 * residents / pop_total, 1)
                    if pop_total and pd.notna(residents)
                    else math.nan,
                    "ratio": round(ratio, 2) if pd.notna(ratio) else math.nan,
                    "ratio_lower_95": round(low, 2) if pd.notna(low) else math.nan,
                    "ratio_upper_95": round(high, 2) if pd.notna(high) else math.nan,
                    "withheld": reason,
                }
            )
    return pd.DataFrame.from_records(records, columns=DISPROPORTIONALITY_COLUMNS)
