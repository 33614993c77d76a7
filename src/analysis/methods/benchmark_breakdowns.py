"""Placement distance and assessment-factor breakdowns, authority against England, small numbers withheld."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.inputs.ees_publications import COUNT_SUFFIX
from analysis.methods.suppression import small_count

if TYPE_CHECKING:
    from analysis.config_benchmarks import Publication

#: The measure of ``c3`` that counts the assessments with factor information: the denominator of every factor.
EPISODES_WITH_FACTORS = "Episodes_with_assessment_factor"
#: Who a factor concerns, by the suffix of DfE's column name (CIN census guide: child, parent or carer, another
#: person living in the household).
FACTOR_CONCERNS = {"_child": "the child", "_parent": "a parent or carer", "_person": "another person"}
#: Why the authority's figure is absent from a breakdown.
WITHHELD_SMALL = "c: from 1 to 5 children"
WITHHELD_SECONDARY = "c: withheld so that a suppressed figure cannot be worked out from the total"
WITHHELD_BY_DFE = "c: suppressed by DfE"
NOT_AVAILABLE = "x: not available"


def _england_and_authority(benchmarks: pd.DataFrame, publication: str, old_la_code: int) -> pd.DataFrame:
    rows = benchmarks.loc[benchmarks["publication"] == publication]
    is_england = rows["geographic_level"].eq("National")
    is_ours = rows["geographic_level"].eq("Local authority") & rows["old_la_code"].eq(old_la_code).fillna(
        False
    )
    return rows.assign(area=np.where(is_england, "england", np.where(is_ours, "authority", ""))).loc[
        is_england | is_ours
    ]


def _withheld_reason(value: float, symbol: object, count: float, lower: int, upper: int) -> str:
    if pd.isna(value):
        return WITHHELD_BY_DFE if isinstance(symbol, str) and symbol == "c" else NOT_AVAILABLE
    if pd.notna(count) and bool(small_count([count], lower=lower, upper=upper).iloc[0]):
        return WITHHELD_SMALL
    return ""


def factor_label(column: str) -> str:
    """A factor's name in words: ``Domestic_Abuse_parent`` -> "Domestic abuse (concerning a parent or carer)"."""
    for suffix, who in FACTOR_CONCERNS.items():
        if column.endswith(suffix):
            return f"{column[: -len(suffix)].replace('_', ' ').capitalize()} (concerning {who})"
    return column.replace("_", " ").capitalize()


def assessment_factors(
    benchmarks: pd.DataFrame,
    old_la_code: int,
    *,
    publication: str = "c3",
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """Factors identified at the end of assessment, the authority against England, one row per year and factor.

    Parameters
    ----------
    benchmarks
        The ``benchmarks`` table (rows of ``publication``, read by
        :func:`analysis.inputs.ees_publications.read_publication` as ``config/benchmarks.yml`` describes ``c3``).
    old_la_code
        The authority.
    lower, upper
        The small-number rule (``config.suppression``): an authority count from ``lower`` to ``upper`` is withheld.

    Returns
    -------
    pandas.DataFrame
        ``time_period``, ``factor`` (DfE's column), ``factor_label``, ``authority_count`` and
        ``authority_percent`` (of the authority's assessments with factor information; both absent where withheld,
        ``authority_withheld`` saying why), ``england_count`` and ``england_percent``. Sorted by year, then by
        England's percentage, largest first.

    Notes
    -----
    DfE, Characteristics of children in need, table C3 (``c3_factors_identified_at_end_of_assessment``): the
    number of episodes in which each factor was identified at the end of assessment; more than one factor may be
    recorded for an assessment, so the percentages do not add up to 100. The percentage is of the episodes with
    assessment factor information (``Episodes_with_assessment_factor``), as DfE computes it; small numbers:
    :func:`analysis.methods.suppression.small_count`.
    """
    rows = _england_and_authority(benchmarks, publication, old_la_code)
    columns = [
        "time_period",
        "factor",
        "factor_label",
        "authority_count",
        "authority_percent",
        "authority_withheld",
        "england_count",
        "england_percent",
    ]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    wide = rows.pivot_table(
        index=["time_period", "measure"], columns="area", values="value", aggfunc="first", dropna=False
    )
    symbols = rows.pivot_table(
        index=["time_period", "measure"], columns="area", values="symbol", aggfunc="first", dropna=False
    )
    wide = wide.reindex(columns=["authority", "england"])
    symbols = symbols.reindex(columns=["authority", "england"])
    records = []
    for year in sorted(wide.index.get_level_values("time_period").unique()):
        per_year = wide.xs(year, level="time_period")
        if EPISODES_WITH_FACTORS not in per_year.index:
            continue
        denominator = per_year.loc[EPISODES_WITH_FACTORS]
        for factor, figures in per_year.drop(index=EPISODES_WITH_FACTORS).iterrows():
            count = figures["authority"]
            withheld = _withheld_reason(count, symbols.loc[(year, factor), "authority"], count, lower, upper)
            with np.errstate(divide="ignore", invalid="ignore"):
                ours = 100 * count / denominator["authority"] if denominator["authority"] > 0 else np.nan
                england = (
                    100 * figures["england"] / denominator["england"]
                    if denominator["england"] > 0
                    else np.nan
                )
            records.append(
                {
                    "time_period": int(year),
                    "factor": str(factor),
                    "factor_label": factor_label(str(factor)),
                    "authority_count": np.nan if withheld else count,
                    "authority_percent": np.nan if withheld else round(float(ours), 1),
                    "authority_withheld": withheld,
                    "england_count": figures["england"],
                    "england_percent": round(float(england), 1) if pd.notna(england) else np.nan,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame = frame.sort_values(["time_period", "england_percent", "factor"], ascending=[True, False, True])
    return frame.reset_index(drop=True).astype(
        {"time_period": "int64", "factor": "str", "factor_label": "str", "authority_withheld": "str"}
    )


def distance_from_home(
    benchmarks: pd.DataFrame,
    spec: Publication,
    old_la_code: int,
    *,
    publication: str = "new_placements",
    lower: int = 1,
    upper: int = 5,
) -> pd.DataFrame:
    """New placements during the year by location and distance from home, the authority against England.

    Parameters
    ----------
    benchmarks
        The ``benchmarks`` table (rows of ``publication``).
    spec
        The publication's entry in ``config/benchmarks.yml``: its measures with a ``count`` are the locations (their
        ``breakdown`` filter names them as DfE does); the measure of the same ``characteristic`` whose breakdown is
        a total is the number of new placements.
    old_la_code
        The authority.
    lower, upper
        The small-number rule (``config.suppression``).

    Returns
    -------
    pandas.DataFrame
        ``time_period``, ``location`` (DfE's breakdown, e.g. "Placed outside LA boundary more than 20 miles from
        home"), ``authority_count``, ``authority_percent`` (absent where withheld, ``authority_withheld`` saying
        why), ``authority_new_placements``, ``england_percent`` and ``england_new_placements``.

    Notes
    -----
    DfE, Children looked after in England including adoptions, ``la_cla_during_year_new_placements``: percentages
    of the year's new placements, as DfE publishes them. The locations partition the total, so where exactly one
    of a year's counts is withheld and the total is shown, the smallest other count above zero is withheld too, or
    the total where there is none; a total of 1 to 5 is withheld (secondary suppression: DfE, "Statistics at DfE:
    policy statement on confidentiality").
    """
    locations = {name: m for name, m in spec.measures.items() if m.count is not None}
    if not locations:
        raise ValueError(f"publication {publication}: no measure with a count (the locations)")
    characteristic = next(iter(locations.values())).filters.get("characteristic")
    totals = [
        name
        for name, m in spec.measures.items()
        if m.count is None
        and m.filters.get("characteristic") == characteristic
        and m.filters.get("breakdown", "").startswith("Total")
    ]
    rows = _england_and_authority(benchmarks, publication, old_la_code)
    columns = [
        "time_period",
        "location",
        "authority_count",
        "authority_percent",
        "authority_withheld",
        "authority_new_placements",
        "england_percent",
        "england_new_placements",
    ]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})

    cells = {
        (int(year), str(measure), str(area)): (float(value), symbol)
        for year, measure, area, value, symbol in zip(
            rows["time_period"], rows["measure"], rows["area"], rows["value"], rows["symbol"], strict=True
        )
    }

    def figure(year: int, measure: str, area: str) -> tuple[float, object]:
        return cells.get((year, measure, area), (np.nan, "x"))

    records = []
    for year in sorted(int(y) for y in rows["time_period"].unique()):
        total = figure(year, totals[0], "authority")[0] if totals else np.nan
        england_total = figure(year, totals[0], "england")[0] if totals else np.nan
        block: list[dict[str, Any]] = []
        for name, measure in locations.items():
            percent, symbol = figure(year, name, "authority")
            count = figure(year, name + COUNT_SUFFIX, "authority")[0]
            block.append(
                {
                    "time_period": year,
                    "location": measure.filters.get("breakdown", name),
                    "authority_count": count,
                    "authority_percent": percent,
                    "authority_withheld": _withheld_reason(percent, symbol, count, lower, upper),
                    "authority_new_placements": total,
                    "england_percent": figure(year, name, "england")[0],
                    "england_new_placements": england_total,
                }
            )
        if pd.notna(total) and bool(small_count([total], lower=lower, upper=upper).iloc[0]):
            total = np.nan
        withheld = [r for r in block if r["authority_withheld"]]
        if len(withheld) == 1 and pd.notna(total):
            # A zero withheld beside it would give it back (the two add up to a small number): the smallest
            # count above zero is withheld; if there is none, the total is.
            shown = [r for r in block if not r["authority_withheld"] and r["authority_count"] > 0]
            if shown:
                min(shown, key=lambda r: r["authority_count"])["authority_withheld"] = WITHHELD_SECONDARY
            else:
                total = np.nan
        for r in block:
            r["authority_new_placements"] = total
            if r["authority_withheld"]:
                r["authority_count"], r["authority_percent"] = np.nan, np.nan
        records.extend(block)
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype({"time_period": "int64", "location": "str", "authority_withheld": "str"})
