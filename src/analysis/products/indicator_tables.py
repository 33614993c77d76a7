"""The indicator tables: each indicator's latest month, target, the compared year beside England, the region and the
statistical neighbours, rank, quartile band, direction of travel and SPC status, with their footnotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.config_indicators import Indicator
from analysis.methods.benchmarking import neighbours_label
from analysis.methods.quarters import Quarter
from analysis.products.indicator_charts import lower_first, no_monthly_chart_reason
from analysis.products.presentation import (
    ASSURANCE_LABELS,
    DIRECTION_LABELS,
    NOT_AVAILABLE,
    SUPPRESSED,
    SUPPRESSED_FOOTNOTE,
    VARIATION_LABELS,
    display_value,
    status_label,
)
from analysis.products.report_data import ReportData
from analysis.units import format_number

#: Quartile bands of England's councils (DfE's LAIT: A is the best-performing quarter of authorities).
BAND_WORDS = {
    "A": "Top 25% of councils",
    "B": "Upper middle 25% of councils",
    "C": "Lower middle 25% of councils",
    "D": "Bottom 25% of councils",
}
#: Variation and assurance of an indicator without an SPC chart (too few published monthly figures).
NOT_ASSESSED = "Not assessed: too few published monthly figures"


# --------------------------------------------------------------------------------------- indicator tables
def latest_values(monthly: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Each indicator's latest month up to the quarter's end that has a figure (or a suppressed one).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``month``, ``value``, ``suppressed``: one row per indicator with any figure.
    """
    end = pd.Timestamp(quarter.months[-1])
    usable = monthly.loc[(monthly["month"] <= end) & (monthly["value"].notna() | monthly["suppressed"])]
    latest = usable.sort_values("month").groupby("indicator_id", sort=False).tail(1)
    return latest.loc[:, ["indicator_id", "month", "value", "suppressed"]].reset_index(drop=True)


def latest_benchmarks(comparison: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's latest year in ``benchmark_comparison`` with a figure for England or the authority."""
    usable = comparison.loc[comparison["england"].notna() | comparison["local_value"].notna()]
    return (
        usable.sort_values("time_period").groupby("indicator_id", sort=False).tail(1).reset_index(drop=True)
    )


def releases_footnote(comparison: pd.DataFrame, indicators: Sequence[Indicator]) -> str:
    """Which DfE releases a table's comparisons use: "England, region and other councils: Children in need 2013-14,
    released October 2014; ...", or ``""`` when the table compares nothing.

    The releases are those of each indicator's latest compared year (:func:`latest_benchmarks`), as the analysis
    stage names them (``benchmark_comparison.release``: only figures released by the report's date are there).
    """
    ids = {i.id for i in indicators}
    bench = latest_benchmarks(comparison)
    used = list(dict.fromkeys(bench.loc[bench["indicator_id"].isin(ids), "release"].astype(str)))
    if not used:
        return ""
    return "England, region, neighbours and ranks: " + "; ".join(used) + "."


def benchmark_columns(authority: str, region: str, neighbours: str, years: Iterable[str]) -> dict[str, str]:
    """Column headings of the comparison, naming the year they describe when a table compares one year only.

    ``years``: the compared years as the analysis stage names them (``benchmark_comparison.period_label``: "2014-15",
    "Sep 2014"). e.g. ``{"local_value": "Medway 2014-15", "england": "England 2014-15", ...}``; with several
    years (a year to 31 March and the workforce census at 30 September are two), a "Year compared" column says
    which, and the headings say "(year compared)".
    """
    distinct = sorted(set(years))
    period = distinct[0] if len(distinct) == 1 else "(year compared)"
    return {
        "local_value": f"{authority} {period}",
        "england": f"England {period}",
        "region": f"{region} {period}",
        "statistical_neighbours_average": f"{neighbours[0].upper()}{neighbours[1:]} {period}",
    }


def indicator_table(data: ReportData, theme: int) -> pd.DataFrame:
    """The table of a theme's indicators: latest month, target, the compared year, quartile, direction, SPC status.

    See :func:`indicators_table`.
    """
    return indicators_table(data, data.config.indicators_for_theme(theme))


def indicators_table(data: ReportData, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """The table of some indicators: latest month, target, the compared year, quartile, direction, SPC status.

    The authority's figure beside England, the region and the statistical neighbours is its own figure for the
    same year (``benchmark_comparison.local_value``): the one its rank, quartile band and direction of travel are
    computed from. The latest month is shown too, labelled as a month, for what has happened since.

    Notes
    -----
    Variation and assurance follow NHS England's Making Data Count; quartile bands, ranks and direction of
    travel compare the latest published year (DfE, years ending 31 March) with England's authorities (DfE LAIT).
    """
    latest = latest_values(data.indicators_monthly, data.quarter).set_index("indicator_id")
    bench = latest_benchmarks(data.benchmark_comparison).set_index("indicator_id")
    summary = data.spc_summary.set_index("indicator_id")
    authority = data.config.authority
    years = [str(bench.loc[i.id, "period_label"]) for i in indicators if i.id in bench.index]
    headings = benchmark_columns(authority.name, authority.region.name, neighbours_label(data.config), years)
    several_years = len(set(years)) > 1
    rows = []
    for indicator in indicators:
        row: dict[str, str] = {"Indicator": indicator.name}
        if indicator.id in latest.index:
            point = latest.loc[indicator.id]
            row["Latest month"] = (
                f"{display_value(point['value'], indicator, suppressed=bool(point['suppressed']))} "
                f"({pd.Timestamp(point['month']):%b %Y})"
            )
        else:
            row["Latest month"] = NOT_AVAILABLE
        row["Target"] = format_number(indicator.target.value, indicator) if indicator.target else "none set"
        if several_years:
            row["Year compared"] = "–"
        for heading_text in headings.values():
            row[heading_text] = "–"
        row["Rank among councils"] = "–"
        row["Quartile band"] = "–"
        row["Direction of travel"] = "–"
        if indicator.id in bench.index:
            b = bench.loc[indicator.id]
            # One decision for the authority's own figure (analysis.methods.benchmarking, analysis.methods.suppression): a figure
            # from 1 to 5 children is shown as c, with no rank or band made from it.
            hidden = bool(b["local_suppressed"])
            if several_years:
                row["Year compared"] = str(b["period_label"])
            for column, heading_text in headings.items():
                row[heading_text] = format_number(b[column], indicator)
            if hidden:
                row[headings["local_value"]] = SUPPRESSED
            elif pd.notna(b["rank"]):
                row["Rank among councils"] = f"{int(b['rank'])} of {int(b['authorities_ranked'])}"
                band = b["quartile_band"]
                row["Quartile band"] = (
                    "–" if pd.isna(band) or band == "" else f"{_band_words(band)} (band {band})"
                )
            row["Direction of travel"] = direction_label(b["direction_of_travel"], indicator)
        if indicator.id in summary.index and no_monthly_chart_reason(data, indicator) is not None:
            row["Variation"] = NOT_ASSESSED
            row["Assurance"] = NOT_ASSESSED
        elif indicator.id in summary.index:
            s = summary.loc[indicator.id]
            row["Variation"] = status_label(s["variation"], VARIATION_LABELS)
            row["Assurance"] = status_label(s["assurance"], ASSURANCE_LABELS)
        else:
            row["Variation"] = "–"
            row["Assurance"] = "–"
        rows.append(row)
    return pd.DataFrame(rows)


#: The footnote's lead for indicators whose monthly figure is not measured as DfE measures the published one.
DIFFERENCE_LEAD = "Measured differently from the monthly figure (the comparison columns show DfE's figures, this council's included):"


def named_difference(indicator: Indicator) -> str | None:
    """The difference sentence after the indicator's name: "Social worker vacancy rate: the monthly figure ..."."""
    sentence = indicator.benchmark_difference
    return None if sentence is None else f"{indicator.name}: {lower_first(sentence)}"


def difference_notes(data: ReportData, indicators: Sequence[Indicator]) -> list[str]:
    """The footnote for a table of these indicators: how each compared indicator measured differently from DfE's
    figure differs (none: ``[]``), so a monthly figure is never read against a published one of another definition.
    """
    compared = set(latest_benchmarks(data.benchmark_comparison)["indicator_id"].astype(str))
    said = [n for i in indicators if i.id in compared and (n := named_difference(i))]
    return [" ".join([DIFFERENCE_LEAD, *said])] if said else []


def _band_words(band: str) -> str:
    """A quartile band in words a councillor reads without a key (not "quarter", which reads as a time period)."""
    return BAND_WORDS.get(band, band)


def direction_label(code: object, indicator: Indicator) -> str:
    """Direction of travel: the arrow shows which way the number moved, the words whether that is better.

    ``improving`` for a lower-is-better indicator is a fall: ``↓ Better than the year before (lower is better)``.
    """
    if code not in ("improving", "worsening"):
        return status_label(code, DIRECTION_LABELS)
    went_up = (code == "improving") == (indicator.polarity != "lower_is_better")
    arrow = "↑" if went_up else "↓"
    words = "Better" if code == "improving" else "Worse"
    note = " (lower is better)" if indicator.polarity == "lower_is_better" else ""
    return f"{arrow} {words} than the year before{note}"


def table_footnotes(table: pd.DataFrame) -> list[str]:
    """The footnotes a table needs: ``c`` and what the symbols mean, only when they appear."""
    notes = []
    if table.map(lambda v: isinstance(v, str) and v.split(" ")[0] == SUPPRESSED).any().any():
        notes.append(SUPPRESSED_FOOTNOTE)
    return notes
