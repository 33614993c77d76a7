"""Compare each indicator with England, the region, statistical neighbours and every other authority.

For each indicator with a ``benchmark`` in ``config/indicators.yml`` and each year the publication covers, one row
of the ``benchmark_comparison`` table: the authority's figure (the published one; else the figure computed
locally from the case records), England's, the region's, the median of the statistical neighbours that have a
figure, the authority's rank and quartile band among all authorities with a figure, the gap to target and the
direction of travel since the year before.

Ranking and bands follow the DfE Local Authority Interactive Tool (LAIT) convention: authorities with a figure
are ranked 1..n from best to worst by the indicator's polarity; equal figures share the best rank they span
("1, 2, 2, 4"); the band is the quarter of the ranking the rank falls in, ``ceil(4 x rank / n)``: A (best) for
ranks up to n/4, then B, C and D (worst). Context indicators (no better or worse) are neither ranked nor banded.

Notes
-----
DfE, Local Authority Interactive Tool (LAIT): quartile banding of local authority figures; DfE children's services
statistical neighbour benchmarking tool; rates per 10,000 children use the ONS mid-year estimate of the year
before the 31 March they describe (DfE, Characteristics of children in need, methodology).
"""

from __future__ import annotations

import logging
import math
from datetime import date

import numpy as np
import pandas as pd

from analysis.config import Indicator, Polarity, ProjectConfig
from analysis.schemas import schema

logger = logging.getLogger(__name__)

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
RATE_BASE = 10_000
BANDS = "ABCD"

IMPROVING = "improving"
WORSENING = "worsening"
NO_CHANGE = "no_change"
NOT_APPLICABLE = "not_applicable"


def _area_key(frame: pd.DataFrame) -> pd.Series:
    """Join key of an area: LAs by their DfE old code (stable across ONS recoding), others by their ONS code."""
    is_la = frame["geographic_level"] == LOCAL_AUTHORITY
    la_key = "LA " + frame["old_la_code"].astype("str")
    return la_key.where(
        is_la, frame["geographic_level"].astype("str") + " " + frame["area_code"].astype("str")
    )


def rate_per_10000(counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Counts turned into rates per 10,000 children using the population of the previous mid-year.

    Parameters
    ----------
    counts
        Rows of the ``benchmarks`` table (one measure): ``time_period`` is the year ending 31 March.
    population
        The ``population`` table: ``time_period`` is the mid-year.

    Returns
    -------
    pandas.DataFrame
        ``counts`` with ``value`` replaced by count / population(mid-year ``time_period - 1``) x 10,000; NaN where
        either is missing.

    Notes
    -----
    DfE, Characteristics of children in need: "rates per 10,000 children aged under 18 ... using the ONS mid-year
    population estimate for the previous year" (e.g. 31 March 2015 uses mid-2014).
    """
    left = counts.assign(_key=_area_key(counts), _mid_year=counts["time_period"] - 1)
    right = population.assign(_key=_area_key(population)).loc[:, ["_key", "time_period", "population"]]
    right = right.rename(columns={"time_period": "_mid_year"}).drop_duplicates(["_key", "_mid_year"])
    merged = left.merge(right, on=["_key", "_mid_year"], how="left", validate="many_to_one")
    rate = merged["value"] / merged["population"] * RATE_BASE
    return merged.assign(value=rate.to_numpy()).drop(columns=["_key", "_mid_year", "population"])


def quartile_bands(values: pd.Series, polarity: Polarity) -> pd.DataFrame:
    """Rank (1 = best) and quartile band (A = best quarter) of each figure among those present.

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` and ``band``, indexed like ``values``; empty (NA) where the value is missing and for
        ``context`` indicators.

    Notes
    -----
    DfE LAIT convention: rank 1..n by polarity, ties share the lowest rank (``method="min"``), band
    ``ceil(4 x rank / n)`` so A holds ranks up to n/4, B up to n/2, C up to 3n/4 and D the rest.
    """
    result = pd.DataFrame({"rank": pd.array([pd.NA] * len(values), dtype="Int64")}, index=values.index)
    result["band"] = pd.Series(pd.NA, index=values.index, dtype="str")
    present = values.dropna()
    if polarity == "context" or present.empty:
        return result
    ranks = present.rank(method="min", ascending=polarity == "lower_is_better").astype("int64")
    n = len(present)
    result.loc[ranks.index, "rank"] = ranks
    result.loc[ranks.index, "band"] = [BANDS[math.ceil(4 * r / n) - 1] for r in ranks]
    return result


def direction_of_travel(current: float, previous: float, polarity: Polarity, decimals: int) -> str:
    """Improving, worsening or no change since the previous figure, at the precision the report shows.

    Notes
    -----
    Figures are compared rounded to the indicator's reporting decimals: a difference the reader cannot see is no
    change. ``not_applicable`` for context indicators and where either figure is missing.
    """
    if polarity == "context" or pd.isna(current) or pd.isna(previous):
        return NOT_APPLICABLE
    change = round(float(current), decimals) - round(float(previous), decimals)
    if abs(change) < 10 ** -(decimals + 3):
        return NO_CHANGE
    better = change > 0 if polarity == "higher_is_better" else change < 0
    return IMPROVING if better else WORSENING


def gap_to_target(value: float, target: float | None, polarity: Polarity) -> float:
    """Local figure minus target, signed so that a positive gap is better than target (NaN without a target)."""
    if target is None or pd.isna(value) or polarity == "context":
        return float("nan")
    gap = float(value) - target
    return gap if polarity == "higher_is_better" else -gap


def published_series(
    benchmarks: pd.DataFrame, population: pd.DataFrame, indicator: Indicator
) -> pd.DataFrame:
    """The published figures of an indicator's benchmark measure for every area and year (rates computed)."""
    assert indicator.benchmark is not None
    rows = benchmarks.loc[
        (benchmarks["publication"] == indicator.benchmark.publication)
        & (benchmarks["measure"] == indicator.benchmark.measure)
    ]
    if indicator.benchmark.rate_per_10000 and not rows.empty:
        rows = rate_per_10000(rows, population)
    return rows.reset_index(drop=True)


def _local_computed(annual: pd.DataFrame, indicator: Indicator) -> pd.Series:
    rows = annual.loc[(annual["indicator_id"] == indicator.id) & (annual["period_type"] == indicator.annual)]
    return (
        rows.drop_duplicates("time_period", keep="last").set_index("time_period")["value"].astype("float64")
    )


def _compare_year(
    year_rows: pd.DataFrame, local_computed: float, indicator: Indicator, config: ProjectConfig
) -> dict[str, object]:
    authority = config.authority
    level = year_rows["geographic_level"]
    las = year_rows.loc[level == LOCAL_AUTHORITY]
    is_ours = las["old_la_code"].eq(authority.old_la_code).fillna(False).to_numpy(dtype=bool)
    published = las.loc[is_ours, "value"].dropna()
    local_value = float(published.iloc[0]) if len(published) else local_computed
    england = year_rows.loc[level == NATIONAL, "value"]
    region = year_rows.loc[(level == REGIONAL) & (year_rows["area_code"] == authority.region.code), "value"]
    neighbours = las.loc[
        las["old_la_code"].isin(authority.statistical_neighbours).fillna(False), "value"
    ].dropna()
    others = las.loc[~is_ours, "value"]
    field = pd.concat([others, pd.Series([local_value], index=["ours"])])
    ranked = quartile_bands(field, indicator.polarity)
    rank = ranked.loc["ours", "rank"]
    target = indicator.target.value if indicator.target else None
    return {
        "local_value": local_value,
        "england": float(england.iloc[0]) if len(england) else np.nan,
        "region": float(region.iloc[0]) if len(region) else np.nan,
        "statistical_neighbours_median": float(neighbours.median()) if len(neighbours) else np.nan,
        "statistical_neighbours_count": len(neighbours),
        "rank": rank,
        "authorities_ranked": pd.NA if pd.isna(rank) else int(field.notna().sum()),
        "quartile_band": ranked.loc["ours", "band"],
        "target": np.nan if target is None else target,
        "gap_to_target": gap_to_target(local_value, target, indicator.polarity),
    }


def compare_with_benchmarks(
    annual: pd.DataFrame,
    benchmarks: pd.DataFrame,
    population: pd.DataFrame,
    config: ProjectConfig,
    *,
    up_to: date | None = None,
) -> pd.DataFrame:
    """Each benchmarked indicator against England, region, statistical neighbours and all authorities, by year.

    Parameters
    ----------
    annual
        The ``indicators_annual`` table (local figures, used where the authority has no published figure).
    benchmarks
        The ``benchmarks`` table (every publication's published figures).
    population
        The ``population`` table (for measures with ``rate_per_10000: true``).
    config
        The configuration (indicators, authority, its region and statistical neighbours).
    up_to
        Leave out years ending after this date (a report on a quarter uses only what was known by its end).

    Returns
    -------
    pandas.DataFrame
        The ``benchmark_comparison`` table: one row per indicator and published year (``time_period`` = the year
        ending 31 March the published figures describe: national data lag local data, so the latest comparison is
        usually a year or more behind the local monthly figures).

    Notes
    -----
    Ranking and bands: DfE LAIT convention (see the module docstring); rates: DfE CIN census methodology.
    """
    rows: list[dict[str, object]] = []
    for indicator in config.indicators:
        if indicator.benchmark is None:
            continue
        series = published_series(benchmarks, population, indicator)
        if series.empty:
            logger.warning(
                "%s: no published figures for %s/%s: no benchmark comparison",
                indicator.id,
                indicator.benchmark.publication,
                indicator.benchmark.measure,
            )
            continue
        local = _local_computed(annual, indicator)
        years = sorted(int(y) for y in series["time_period"].unique())
        if up_to is not None:
            years = [y for y in years if date(y, 3, 31) <= up_to]
        previous_value = np.nan
        for year in years:
            local_computed = float(local.get(year, np.nan))
            row = _compare_year(series.loc[series["time_period"] == year], local_computed, indicator, config)
            row["direction_of_travel"] = direction_of_travel(
                row["local_value"], previous_value, indicator.polarity, indicator.decimals
            )
            previous_value = row["local_value"]
            rows.append({"indicator_id": indicator.id, "time_period": year, **row})
        logger.debug("%s: compared with benchmarks for %d years", indicator.id, len(years))
    columns = schema("benchmark_comparison").column_names
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {c.name: c.dtype for c in schema("benchmark_comparison").columns}
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c.name: c.dtype for c in schema("benchmark_comparison").columns})
