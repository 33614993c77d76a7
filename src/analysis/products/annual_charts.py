"""Charts by year in the house style (:mod:`analysis.products.chart_style`): an indicator against England, its region
and its statistical neighbours (the benchmark chart), or its own annual figures, each with alt text and sources.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display: the charts are written to SVG

import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.config_indicators import Indicator  # noqa: E402
from analysis.products.chart_cache import cached_svg  # noqa: E402
from analysis.products.chart_style import (
    DARK_BLUE,
    DARK_PINK,
    HOUSE_STYLE,
    LEGEND_COLUMNS,
    LEGEND_WRAP,
    ORANGE,
    TITLE_WRAP,
    TURQUOISE,
    ReportFigure,
    axis_label,
    figure_svg,
    fitted_limits,
    new_figure,
    wrap,
    year_label,
)
from analysis.units import format_number  # noqa: E402


# ----------------------------------------------------------------------------------------- benchmark chart
def compared_years(rows: pd.DataFrame) -> list[str]:
    """Each comparison row's year as the analysis stage names it (``period_label``: "2013-14", "Sep 2014")."""
    if "period_label" in rows:
        return [str(label) for label in rows["period_label"]]
    return [year_label(int(y)) for y in rows["time_period"]]  # a comparison made before the label was stored


def measured_name(indicator: Indicator) -> str:
    """What a benchmark chart shows: the indicator's name, or, where the published figure is measured differently
    from the monthly one (``comparable: false``), "<name>, as DfE measures it" (the monthly chart keeps the name)."""
    return f"{indicator.name}, as DfE measures it" if indicator.benchmark_difference else indicator.name


def year_axis_label(rows: pd.DataFrame) -> str:
    """The x-axis of a benchmark chart: "Year ending 31 March", or the day the compared years end (the
    workforce census: "Year ending 30 September")."""
    ends = pd.to_datetime(rows["period_end"]).dropna() if "period_end" in rows else pd.Series(dtype="object")
    if ends.empty:
        return "Year ending 31 March"
    last = ends.iloc[-1]
    return f"Year ending {last.day} {last:%B}"


BENCHMARK_SERIES: tuple[tuple[str, str, str, str], ...] = (
    # (column of benchmark_comparison, label template, colour, marker)
    ("local_value", "{authority}", DARK_BLUE, "o"),
    ("england", "England", TURQUOISE, "s"),
    ("region", "{region}", DARK_PINK, "^"),
    ("statistical_neighbours_average", "{neighbours}", ORANGE, "D"),
)


def benchmark_alt_text(
    comparison: pd.DataFrame,
    indicator: Indicator,
    authority: str,
    neighbours: str = "Statistical neighbours (average)",
) -> str:
    """Alt text for a benchmark chart: the years it shows and, for the latest of them, the authority's figure against
    England and the others.

    The latest year is the one the indicator tables compare (the latest with a figure for England or the authority,
    :func:`analysis.products.indicator_tables.latest_benchmarks`), and the authority's figure is that year's
    ``local_value`` as the table shows it: the figure, not published (``c``: 1 to 5 children) or not available. A
    year whose figure rests on 1 to 5 children (``local_suppressed``) is named as suppressed (``c``).
    """
    rows = comparison.sort_values("time_period")
    suppressed = rows.loc[
        rows.get("local_suppressed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
    ]
    note = (
        f" {authority}'s figure for {', '.join(compared_years(suppressed))} is not "
        "published (c: fewer than six children)."
        if len(suppressed)
        else ""
    )
    shown = rows.loc[rows["england"].notna() | rows["local_value"].notna()]
    if shown.empty:
        return (
            f"Line chart: {indicator.name} compared with England, region and statistical neighbours. No figures."
            + note
        )
    latest = shown.iloc[-1]
    year = compared_years(shown.loc[[latest.name]])[0]
    span = f"Line chart: {measured_name(indicator)} by year, {compared_years(shown)[0]} to {year}."
    others = [
        f"{label} {format_number(latest[column], indicator)}"
        for column, label in (
            ("england", "England"),
            ("region", "the region"),
            ("statistical_neighbours_average", neighbours[0].lower() + neighbours[1:]),
        )
        if pd.notna(latest[column])
    ]
    if pd.notna(latest["local_value"]):
        figures = f"In {year} {authority} was {format_number(latest['local_value'], indicator)}"
        return f"{span} {figures}" + (f" ({', '.join(others)})" if others else "") + "." + note
    sentences = [span]
    if not rows["local_value"].notna().any() and suppressed.empty:
        # Only the others' figures for these years (DfE publishes England's alone, and the authority's own figure
        # cannot be made for them): the tables say "not available" for the same years.
        sentences.append(f"{authority}'s figure is not available for these years.")
    elif latest["time_period"] not in set(suppressed["time_period"]):
        sentences.append(f"{authority}'s figure for {year} is not available.")
    if others:
        sentences.append(f"In {year} {', '.join(others)}.")
    earlier = rows.dropna(subset=["local_value"])
    if len(earlier):
        last = earlier.iloc[-1]
        sentences.append(
            f"{authority}'s latest figure is {format_number(last['local_value'], indicator)} in "
            f"{compared_years(earlier.iloc[[-1]])[0]}."
        )
    return " ".join(sentences) + note


def benchmark_chart(
    comparison: pd.DataFrame,
    indicator: Indicator,
    *,
    authority: str,
    region: str,
    neighbours: str = "Statistical neighbours (average)",
) -> ReportFigure:
    """The authority against England, its region and its statistical neighbours' average, by year (lines).

    Parameters
    ----------
    comparison : DataFrame
        Rows of ``benchmark_comparison`` for one indicator.
    indicator : Indicator
        The indicator's configuration.
    authority, region : str
        Names for the legend.
    neighbours : str
        The neighbours' legend label (:func:`analysis.methods.benchmarking.neighbours_label`, capitalised).

    Notes
    -----
    Years as DfE publishes them: years ending 31 March (e.g. Characteristics of children in need), or 30 September
    for the children's social work workforce census (``period_label`` and ``period_end`` of the comparison).
    """
    rows = comparison.sort_values("time_period")
    # Row labels (the rows' places in the whole table) do not change the drawing: renumbered, they stay out of
    # the cache key, so a change to another indicator's rows does not make this chart miss.
    svg = benchmark_chart_svg(
        comparison.reset_index(drop=True),
        indicator,
        authority=authority,
        region=region,
        neighbours=neighbours,
    )
    return ReportFigure(
        svg=svg,
        alt=benchmark_alt_text(rows, indicator, authority, neighbours),
        caption=benchmark_caption(indicator.name, drawn_series(rows), authority=authority, region=region),
    )


def drawn_series(rows: pd.DataFrame) -> list[str]:
    """The columns of :data:`BENCHMARK_SERIES` a benchmark chart draws: those with at least one figure."""
    return [column for column, *_ in BENCHMARK_SERIES if not rows[column].astype(float).isna().all()]


@cached_svg
def benchmark_chart_svg(
    comparison: pd.DataFrame,
    indicator: Indicator,
    *,
    authority: str,
    region: str,
    neighbours: str = "Statistical neighbours (average)",
) -> str:
    """The SVG of :func:`benchmark_chart` (parameters as there), drawn once per distinct input
    (:mod:`analysis.products.chart_cache`)."""
    rows = comparison.sort_values("time_period")
    figure, axes = new_figure()
    with plt.rc_context(HOUSE_STYLE):
        years = compared_years(rows)
        shown: list[float] = []
        for column, label, colour, marker in BENCHMARK_SERIES:
            values = rows[column].astype(float)
            if values.isna().all():
                continue
            shown.extend(values.dropna())
            axes.plot(
                years,
                values,
                color=colour,
                marker=marker,
                linewidth=2.2 if column == "local_value" else 1.4,
                markersize=6,
                label=wrap(
                    label.format(authority=authority, region=region, neighbours=neighbours), LEGEND_WRAP
                ),
            )
        axes.set_ylim(*fitted_limits(shown, indicator))
        axes.set_ylabel(axis_label(indicator))
        axes.set_xlabel(year_axis_label(rows))
        figure.legend(loc="outside lower center", ncol=LEGEND_COLUMNS)
        axes.set_title(wrap(f"{measured_name(indicator)}: comparison", TITLE_WRAP))
    return figure_svg(figure)


#: How the caption names each series of the benchmark chart.
CAPTION_NAMES = {
    "england": "England",
    "region": "{region}",
    "statistical_neighbours_average": "similar authorities",
}


def benchmark_caption(name: str, drawn: list[str], *, authority: str, region: str) -> str:
    """A caption naming exactly the series drawn (issue 22, point 9): never a region or neighbours not on the chart."""
    others = [CAPTION_NAMES[c].format(region=region) for c in drawn if c in CAPTION_NAMES]
    listed = (
        others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1] if others else ""
    )
    if "local_value" in drawn:
        shown = f"{authority} compared with {listed}" if others else authority
    elif others:
        shown = f"{listed} ({authority}'s figure is not available for these years)"
    else:
        shown = "no published figures"
    return f"{name}: {shown}, by year."


def annual_alt_text(rows: pd.DataFrame, indicator: Indicator) -> str:
    """Alt text for an annual chart: the years it covers and the latest published figure."""
    shown = rows.loc[~rows["suppressed"].astype(bool)].dropna(subset=["value"]).sort_values("period_end")
    if shown.empty:
        return f"Line chart: {indicator.name} by year. No figure can be published."
    first, last = shown.iloc[0], shown.iloc[-1]
    return (
        f"Line chart: {indicator.name} by year, {first['period_label']} to {last['period_label']}. "
        f"In {last['period_label']} it was {format_number(last['value'], indicator)}."
    )


def annual_chart(rows: pd.DataFrame, indicator: Indicator) -> ReportFigure:
    """The authority's own figure by year (``indicators_annual`` rows of one period type), suppressed years left out.

    The chart shown instead of an SPC chart when the monthly series is too short or mostly suppressed
    (:func:`monthly_chart_reason`).

    Notes
    -----
    Years as DfE publishes them (ending 31 March); counts of 1 to 5 suppressed (GSS ``c``).
    """
    # the rows as given, sorted as below; renumbered, as row labels do not change the drawing (benchmark_chart)
    svg = annual_chart_svg(rows.reset_index(drop=True), indicator)
    rows = rows.sort_values("period_end")
    published = rows.loc[~rows["suppressed"].astype(bool)].dropna(subset=["value"])
    caption = f"{indicator.name}, by year."
    if len(published) < len(rows):
        caption += " Years whose numbers are too small to publish (c) are left out."
    caption += sources_sentence(published)
    return ReportFigure(svg=svg, alt=annual_alt_text(rows, indicator), caption=caption)


@cached_svg
def annual_chart_svg(rows: pd.DataFrame, indicator: Indicator) -> str:
    """The SVG of :func:`annual_chart` (parameters as there), drawn once per distinct input
    (:mod:`analysis.products.chart_cache`)."""
    rows = rows.sort_values("period_end")
    published = rows.loc[~rows["suppressed"].astype(bool)].dropna(subset=["value"])
    figure, axes = new_figure()
    with plt.rc_context(HOUSE_STYLE):
        axes.plot(
            list(published["period_label"]),
            published["value"].astype(float),
            color=DARK_BLUE,
            marker="o",
            linewidth=2.2,
            markersize=6,
        )
        axes.set_ylim(*fitted_limits(published["value"].astype(float), indicator))
        axes.set_ylabel(axis_label(indicator))
        axes.set_xlabel("Year")
        axes.set_title(wrap(f"{indicator.name}: by year", TITLE_WRAP))
    return figure_svg(figure)


def sources_sentence(rows: pd.DataFrame) -> str:
    """Where each year's figure comes from, as the analysis stage recorded it (``indicators_annual.source``).

    e.g. " Source: Annex A lists (2012-13, 2013-14); SSDA903 return 2014-15." A statutory return's source names
    its own year; the other sources list the years they give. Empty when the rows carry no source.
    """
    if "source" not in rows or rows.empty:
        return ""
    parts: list[str] = []
    for source, group in rows.groupby(rows["source"].astype(str), sort=False):
        if source.endswith(tuple("0123456789")):  # "SSDA903 return 2014-15", "CIN census 2014-15"
            parts.append(source)
        else:
            parts.append(f"{source} ({', '.join(group['period_label'].astype(str))})")
    return " Source: " + "; ".join(parts) + "."
