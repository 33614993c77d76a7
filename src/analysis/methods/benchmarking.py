"""Compare each indicator with England, the region, statistical neighbours and every other authority.

For each indicator with a ``benchmark`` in ``config/indicators.yml`` and each year the publication covers, one row
of the ``benchmark_comparison`` table: the authority's figure (the published one; else, only where the indicator
is measured as DfE measures it, ``benchmark.comparable: true``, the figure computed locally), England's, the
region's, the average of the statistical neighbours that have a figure (the mean, as DfE's LAIT shows it; the
median by configuration), the authority's rank and quartile band among all authorities with a figure, the gap to
target and the direction of travel since the year before.

Ranks and bands are computed exactly as DfE's Local Authority Interactive Tool (LAIT) computes them: authorities
with a figure are ranked from best to worst by the indicator's polarity, equal figures sharing the lowest rank
(R's ``rank(ties.method = "min")``); the quartiles are R's default ``quantile()`` (type 7) of all authorities'
figures, and the band is found by value: for lower-is-better A up to the lower quartile, B up to the median, C up
to the upper quartile, D above; for higher-is-better the mirror (D up to the lower quartile ... A above the upper
quartile). Context indicators are neither ranked nor banded.

The authority's own figure is suppressed (``c``, no rank, band or direction) when the count of children behind it
is 1 to 5, in the benchmark file or in the local annual indicators (:func:`analysis.methods.suppression.small_count`).

Notes
-----
DfE, Local Authority Interactive Tool (dfe-analytical-services/local-authority-interactive-tool, R/fn_analysis.R:
``calculate_quartile_band`` and ``calculate_rank``; the quartiles are ``quantile(na.rm = TRUE)`` of the figures of
every local authority); DfE children's services statistical neighbour benchmarking tool; rates per 10,000
children use the ONS mid-year estimate of the year before the 31 March they describe (DfE, Characteristics of
children in need, methodology).
"""

from __future__ import annotations

import logging
import math
from datetime import date
from typing import TypedDict

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_benchmarks import Release
from analysis.config_indicators import Indicator, Polarity
from analysis.inputs.ees_publications import COUNT_SUFFIX
from analysis.methods.suppression import SUPPRESSED_SYMBOL, small_count
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


def year_end(release: Release, time_period: int) -> date:
    """The last day of the year a ``time_period`` describes: 31 March 2015 for children in need's 2015.

    Notes
    -----
    DfE's ``time_period`` is the calendar year in which the collection year ends (the CIN census and SSDA903 to 31
    March; the children's social work workforce census to 30 September), ``period_end`` in ``config/benchmarks.yml``.
    """
    month, day = (int(part) for part in release.period_end.split("-"))
    return date(time_period, month, day)


def released_on(release: Release, time_period: int) -> date:
    """The day a year's figures were released: the known date, else the first usual release day after the year ends.

    Notes
    -----
    The dates and DfE's usual release months are configuration (``releases`` in ``config/benchmarks.yml``, with the
    statistical release each date comes from); the usual day is the end of DfE's usual month, so a report never
    shows a figure before it could have been had.
    """
    if time_period in release.dates:
        return release.dates[time_period]
    ends = year_end(release, time_period)
    month, day = (int(part) for part in release.usual.split("-"))
    usual = date(ends.year, month, day)
    return usual if usual > ends else date(ends.year + 1, month, day)


def period_label(release: Release, time_period: int) -> str:
    """How a year is named: "2013-14" for a year to 31 March 2014; "year to 30 September 2014" otherwise."""
    ends = year_end(release, time_period)
    if (ends.month, ends.day) == (3, 31):
        return f"{time_period - 1}-{time_period % 100:02d}"
    return f"year to {ends.day} {ends.strftime('%B')} {ends.year}"


def short_period_label(release: Release, time_period: int) -> str:
    """A year as a heading or an axis names it: "2013-14" for a year to 31 March; "Sep 2014" otherwise.

    The workforce census counts social workers at 30 September (and turnover over the year to it): its 2014 is
    September 2014, six months after 2013-14 ends, and is never called "2013-14".
    """
    ends = year_end(release, time_period)
    if (ends.month, ends.day) == (3, 31):
        return period_label(release, time_period)
    return ends.strftime("%b %Y")


def release_label(release: Release, time_period: int) -> str:
    """Which release a figure comes from: "Children in need 2013-14, released October 2014".

    Where the date is DfE's usual release day (no known date configured): "..., released by November 2015".
    """
    day = released_on(release, time_period)
    when = "released" if time_period in release.dates else "released by"
    return f"{release.name} {period_label(release, time_period)}, {when} {day.strftime('%B')} {day.year}"


def known_by(comparison: pd.DataFrame, day: date) -> pd.DataFrame:
    """The rows of the ``benchmark_comparison`` table whose figures DfE had released on or before ``day``.

    The one rule of when a benchmark was known (the analysis stage applies it with
    ``compare_with_benchmarks(up_to=...)``, the dashboard for a month's end with this): each year's comparison does
    not depend on later years, so filtering the table equals recomputing it.
    """
    if comparison.empty:
        return comparison
    return comparison.loc[pd.to_datetime(comparison["released"]) <= pd.Timestamp(day)]


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


def r_quantile_type7(values: np.ndarray, probabilities: tuple[float, ...]) -> np.ndarray:
    """R's default ``quantile(x, probs)`` (type 7), computed as R computes it.

    Notes
    -----
    R, ``stats::quantile.default``, type 7: ``index = 1 + (n - 1) p``; ``lo = floor(index)``,
    ``hi = ceiling(index)``; the quantile is ``x[lo]`` where ``x[hi] == x[lo]`` or the index is whole, else
    ``(1 - h) x[lo] + h x[hi]`` with ``h = index - lo``. (numpy's default "linear" method is the same definition
    but can differ in the last binary digit, which matters for a value exactly on a quartile.)
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    out = np.empty(len(probabilities), dtype="float64")
    for k, p in enumerate(probabilities):
        index = 1 + max(n - 1, 0) * p
        lo, hi = math.floor(index), math.ceil(index)
        q = x[lo - 1]
        if index > lo and x[hi - 1] != q:
            h = index - lo
            q = (1 - h) * q + h * x[hi - 1]
        out[k] = q
    return out


def quartile_bands(values: pd.Series, polarity: Polarity) -> pd.DataFrame:
    """Rank (1 = best) and quartile band (A = best quarter) of each figure among those present, as LAIT does.

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` and ``band``, indexed like ``values``; empty (NA) where the value is missing and for
        ``context`` indicators.

    Notes
    -----
    DfE LAIT, R/fn_analysis.R: ``calculate_rank`` ranks with ``rank(values, ties.method = "min")`` (descending
    for higher-is-better); ``calculate_quartile_band`` bands a value against ``quantile(values, na.rm = TRUE)``
    (R type 7, :func:`r_quantile_type7`): lower-is-better A when value <= Q1, B when <= Q2, C when <= Q3, else
    D; higher-is-better D when value <= Q1, C when <= Q2, B when <= Q3, else A.
    """
    result = pd.DataFrame({"rank": pd.array([pd.NA] * len(values), dtype="Int64")}, index=values.index)
    result["band"] = pd.Series(pd.NA, index=values.index, dtype="str")
    present = values.dropna().astype("float64")
    if polarity == "context" or present.empty:
        return result
    ranks = present.rank(method="min", ascending=polarity == "lower_is_better").astype("int64")
    quartiles = r_quantile_type7(present.to_numpy(), (0.25, 0.5, 0.75))
    above = (present.to_numpy()[:, None] > quartiles[None, :]).sum(axis=1)
    order = BANDS if polarity == "lower_is_better" else BANDS[::-1]
    result.loc[ranks.index, "rank"] = ranks
    result.loc[ranks.index, "band"] = [order[k] for k in above]
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
    """The published figures of an indicator's benchmark measure for every area and year (rates computed).

    Returns
    -------
    pandas.DataFrame
        Rows of the ``benchmarks`` table for the measure, ``value`` as the indicator shows it (rounded to its
        decimals: LAIT ranks and bands the figures as published), plus ``count``: the count of children behind
        the figure where the file gives it (the ``<measure>:count`` rows, or the count itself for a rate per
        10,000), else NaN.
    """
    assert indicator.benchmark is not None
    in_publication = benchmarks["publication"] == indicator.benchmark.publication
    rows = benchmarks.loc[in_publication & (benchmarks["measure"] == indicator.benchmark.measure)]
    key = ["time_period", "geographic_level", "area_code", "old_la_code"]
    if indicator.benchmark.rate_per_10000:
        rows = rows.assign(count=rows["value"].to_numpy())
        if not rows.empty:
            rows = rate_per_10000(rows, population)
    else:
        counts = benchmarks.loc[
            in_publication & (benchmarks["measure"] == indicator.benchmark.measure + COUNT_SUFFIX),
            [*key, "value", "symbol"],
        ].rename(columns={"value": "count", "symbol": "count_symbol"})
        rows = (
            rows.merge(counts, on=key, how="left", validate="one_to_one")
            if len(counts)
            else rows.assign(count=np.nan)
        )
    rows = rows.assign(value=rows["value"].round(indicator.decimals))
    return rows.reset_index(drop=True)


def _local_annual(annual: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The authority's own annual figures by year: ``value`` and ``suppressed`` (from ``indicators_annual``).

    Empty for an indicator measured differently from its benchmark (``comparable: false``): a
    local figure of another definition is never set beside the published ones, nor ranked among them.
    """
    assert indicator.benchmark is not None
    if not indicator.benchmark.comparable:
        return pd.DataFrame(
            {"value": pd.Series(dtype="float64"), "suppressed": pd.Series(dtype="bool")},
            index=pd.Index([], dtype="int64", name="time_period"),
        )
    rows = annual.loc[(annual["indicator_id"] == indicator.id) & (annual["period_type"] == indicator.annual)]
    rows = rows.drop_duplicates("time_period", keep="last").set_index("time_period")
    suppressed = (
        rows["suppressed"].fillna(False).astype("bool")
        if "suppressed" in rows.columns
        else pd.Series(False, index=rows.index, dtype="bool")
    )
    return pd.DataFrame({"value": rows["value"].astype("float64"), "suppressed": suppressed})


def neighbours_average(values: pd.Series, average: str) -> float:
    """The statistical neighbours' figure: the mean (LAIT, DfE's tools) or the median of those with a figure.

    Notes
    -----
    DfE's LAIT and children's services benchmarking tools show the average (mean) of an authority's ten
    statistical neighbours; neighbours without a figure (suppressed, or not yet created) are left out.
    """
    present = values.dropna().astype("float64")
    if present.empty:
        return float("nan")
    return float(present.median() if average == "median" else present.mean())


def neighbours_label(config: ProjectConfig) -> str:
    """How the neighbours' figure is labelled: "statistical neighbours (average)" or "(median)"."""
    average = config.benchmarks.statistical_neighbours.average
    return f"statistical neighbours ({'average' if average == 'mean' else 'median'})"


class LocalYear(TypedDict):
    """The authority's own figure for a year, from its own data: used when the publication has none."""

    value: float
    suppressed: bool


def _compare_year(
    year_rows: pd.DataFrame,
    local: LocalYear,
    indicator: Indicator,
    config: ProjectConfig,
    neighbours: list[int],
) -> dict[str, object]:
    authority = config.authority
    level = year_rows["geographic_level"]
    las = year_rows.loc[level == LOCAL_AUTHORITY]
    is_ours = las["old_la_code"].eq(authority.old_la_code).fillna(False).to_numpy(dtype=bool)
    ours = las.loc[is_ours]
    published = ours["value"].dropna()
    local_value = float(published.iloc[0]) if len(published) else float(local["value"])
    published_count = ours["count"].dropna() if "count" in ours.columns else pd.Series(dtype="float64")
    count_withheld = bool(ours.get("count_symbol", pd.Series(dtype="str")).eq(SUPPRESSED_SYMBOL).any())
    bounds = {"lower": config.suppression.min_count, "upper": config.suppression.max_count}
    if len(published) and (len(published_count) or count_withheld):
        suppressed = count_withheld or bool(small_count(published_count, **bounds).any())
    elif len(published):
        suppressed = bool(local["suppressed"])
    else:
        suppressed = bool(ours["symbol"].eq(SUPPRESSED_SYMBOL).any()) or bool(local["suppressed"])
    england = year_rows.loc[level == NATIONAL, "value"]
    region = year_rows.loc[(level == REGIONAL) & (year_rows["area_code"] == authority.region.code), "value"]
    neighbour_values = las.loc[las["old_la_code"].isin(neighbours).fillna(False), "value"].dropna()
    others = las.loc[~is_ours, "value"]
    field = pd.concat([others, pd.Series([local_value], index=["ours"])])
    ranked = quartile_bands(field, indicator.polarity)
    rank = ranked.loc["ours", "rank"]
    band = ranked.loc["ours", "band"]
    target = indicator.target.value if indicator.target else None
    if not others.notna().any():
        # A publication with no other authority's figure (e.g. national adoption times): nothing to rank against.
        rank, band = pd.NA, pd.NA
    if suppressed:
        local_value, rank, band = np.nan, pd.NA, pd.NA
    return {
        "local_value": local_value,
        "local_suppressed": suppressed,
        "england": float(england.iloc[0]) if len(england) else np.nan,
        "region": float(region.iloc[0]) if len(region) else np.nan,
        "statistical_neighbours_average": neighbours_average(
            neighbour_values, config.benchmarks.statistical_neighbours.average
        ),
        "statistical_neighbours_count": len(neighbour_values),
        "rank": rank,
        "authorities_ranked": pd.NA if pd.isna(rank) else int(field.notna().sum()),
        "quartile_band": band,
        "target": np.nan if target is None else target,
        "gap_to_target": gap_to_target(local_value, target, indicator.polarity),
    }


def compare_with_benchmarks(
    annual: pd.DataFrame,
    benchmarks: pd.DataFrame,
    population: pd.DataFrame,
    config: ProjectConfig,
    *,
    neighbours: list[int] | None = None,
    up_to: date | None = None,
) -> pd.DataFrame:
    """Each benchmarked indicator against England, region, statistical neighbours and all authorities, by year.

    Parameters
    ----------
    annual
        The ``indicators_annual`` table (local figures, used where the authority has no published figure and the
        indicator's definition is DfE's, ``benchmark.comparable: true``, and their ``suppressed`` flags).
    benchmarks
        The ``benchmarks`` table (every publication's published figures, and the counts behind them).
    population
        The ``population`` table (for measures with ``rate_per_10000: true``).
    config
        The configuration (indicators, authority and its region, publications, the neighbours' average).
    neighbours
        The authority's statistical neighbours (old LA codes) from DfE's model (the ``statistical_neighbours``
        table, :func:`analysis.inputs.population_and_neighbours.neighbours_of`); none: no neighbours' figure.
    up_to
        Leave out years whose figures DfE released after this date (a report on a quarter uses only what had been
        released by its end: :func:`released_on`, from ``releases`` in ``config/benchmarks.yml``).

    Returns
    -------
    pandas.DataFrame
        The ``benchmark_comparison`` table: one row per indicator and published year (``time_period`` = the year
        the published figures describe: national data lag local data, so the latest comparison is usually a year
        or more behind the local monthly figures), with the day the figures were released (``released``), the
        release named (``release``: "Children in need 2013-14, released October 2014"), the year's last day
        (``period_end``) and the year as headings name it (``period_label``: "2013-14", or "Sep 2014" for the
        workforce census at 30 September).

    Notes
    -----
    Ranks and bands: DfE LAIT (see the module docstring); rates: DfE CIN census methodology; suppression:
    :mod:`analysis.methods.suppression`.
    """
    neighbours = list(neighbours or [])
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
        release = config.benchmarks.release_of(indicator.benchmark.publication)
        local = _local_annual(annual, indicator)
        years = sorted(int(y) for y in series["time_period"].unique())
        if up_to is not None:
            years = [y for y in years if released_on(release, y) <= up_to]
        previous_value = np.nan
        for year in years:
            own: LocalYear = {
                "value": float(local["value"].get(year, np.nan)),
                "suppressed": bool(local["suppressed"].get(year, False)),
            }
            row = _compare_year(series.loc[series["time_period"] == year], own, indicator, config, neighbours)
            local_value = row["local_value"]
            assert isinstance(
                local_value, float
            )  # _compare_year's local value is a float (NaN when suppressed)
            row["direction_of_travel"] = direction_of_travel(
                local_value, previous_value, indicator.polarity, indicator.decimals
            )
            previous_value = local_value
            row["released"] = pd.Timestamp(released_on(release, year))
            row["release"] = release_label(release, year)
            row["period_end"] = pd.Timestamp(year_end(release, year))
            row["period_label"] = short_period_label(release, year)
            rows.append({"indicator_id": indicator.id, "time_period": year, **row})
        logger.debug("%s: compared with benchmarks for %d years", indicator.id, len(years))
    columns = schema("benchmark_comparison").column_names
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(
            {c.name: c.dtype for c in schema("benchmark_comparison").columns}
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c.name: c.dtype for c in schema("benchmark_comparison").columns})
