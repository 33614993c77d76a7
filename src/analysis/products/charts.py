"""The reports' charts: one house style, SVG output that is the same bytes for the same data.

The style is the UK Government Analysis Function's, from its ``afcharts`` package: its matplotlib style and its
categorical palette (dark blue, turquoise, dark pink, orange: at most four colours, with greys for scaffolding such
as means and limits). Colour is never the only
carrier of meaning: special-cause points also differ in marker shape, and every figure has alt text that states
what it shows and a caption.

A figure reaches both renderers as HTML (``<figure><img alt=...><figcaption>``) with the SVG embedded as a
``data:`` URI: nbconvert passes ``text/html`` outputs through, and Quarto writes them into the page as a raw
HTML block (quarto-cli ``src/core/jupyter/jupyter.ts``, ``mdHtmlOutput``), so the alt text and caption are the
same in both and the page needs no network.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import afcharts
import matplotlib

matplotlib.use("Agg")  # no display: the charts are written to SVG

import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from afcharts.af_colours import get_af_colours  # noqa: E402
from matplotlib import rc_params_from_file  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.rcsetup import cycler  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

from analysis.config_indicators import Indicator  # noqa: E402
from analysis.methods.spc import natural_range  # noqa: E402
from analysis.safe_text import html_text
from analysis.units import format_number  # noqa: E402

logger = logging.getLogger(__name__)

#: The Analysis Function's categorical palette, from the ``afcharts`` package (its first four colours, in its
#: order: dark blue, turquoise, dark pink, orange), so the colours follow the published guidance, not a copy of it.
PALETTE: tuple[str, ...] = tuple(get_af_colours("categorical", number_of_colours=4))
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE = PALETTE
#: Greys and black/white for axes, means and limits: scaffolding, not data colours (the last two are the afcharts
#: style's own: #1A1A1A for labels, #CCCCCC for axis lines and ticks).
NEUTRALS: tuple[str, ...] = (
    "#000000",
    "#FFFFFF",
    "#414042",
    "#757575",
    "#BFBFBF",
    "#E6E6E6",
    "#1A1A1A",
    "#CCCCCC",
)
TEXT_GREY, MID_GREY, LIGHT_GREY, GRID_GREY = NEUTRALS[2], NEUTRALS[3], NEUTRALS[4], NEUTRALS[5]

#: Width of an A4 page's text block (about 16.5 cm) in inches, and the charts' height.
A4_TEXT_WIDTH_INCHES = 6.5
CHART_HEIGHT_INCHES = 3.8
#: Legend below the plot, in two columns, so the plot keeps the page's full width.
LEGEND_COLUMNS = 2
#: Month ticks at the start of each financial quarter (January, April, July, October).
QUARTER_START_MONTHS = (1, 4, 7, 10)
#: Longest line of a title and of a legend entry, in characters: at 11 pt bold (titles) and 9 pt (legend, two
#: columns) on the 6.5 inch chart these fit with room to spare, so no text is ever cut at the figure's edge.
TITLE_WRAP = 62
LEGEND_WRAP = 40
#: Space above and below the data on a value axis, as a share of the data's span.
AXIS_PADDING = 0.08

#: The ``afcharts`` matplotlib style (Government Analysis Function chart guidance: left-aligned titles, no top or
#: right spines, light horizontal grid, no legend frame, the palette above), read from the package's own style file.
AFCHARTS_STYLE = rc_params_from_file(
    Path(afcharts.__file__).with_name("afcharts.mplstyle"), fail_on_error=True, use_default_template=False
)
#: What the reports change, and why: ``svg.hashsalt`` fixes the ids matplotlib writes into an SVG and
#: ``svg.fonttype: none`` keeps text as text (smaller files, readable by screen readers and search); the sizes fit
#: the 6.5 inch A4 text block (afcharts' 14 pt suits its larger default figure); white backgrounds for print.
HOUSE_STYLE: dict[RcKeyType, object] = {
    **AFCHARTS_STYLE,
    "svg.hashsalt": "analysis-house-style",
    "svg.fonttype": "none",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.5,
    "legend.fontsize": 9,
    "figure.facecolor": "#FFFFFF",
    "axes.facecolor": "#FFFFFF",
    "axes.prop_cycle": cycler(color=list(PALETTE)),  # afcharts' guidance: at most four colours
}

#: How each SPC point class is drawn: colour AND marker shape, and the legend's words.
POINT_STYLES: dict[str, tuple[str, str, str]] = {
    "improvement": (TURQUOISE, "^", "Improvement (special cause)"),
    "concern": (ORANGE, "v", "Concern (special cause)"),
    "neutral": (DARK_PINK, "D", "Unusual change (no better or worse direction)"),
}

_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


@dataclass(frozen=True)
class ReportFigure:
    """A chart ready for a report: the SVG, its alt text and its caption.

    Displayed in a notebook it is HTML (``<figure>`` with an ``<img>`` whose ``src`` is the SVG as a ``data:``
    URI), so both renderers show the same figure with the same alt text and caption.
    """

    svg: str
    alt: str
    caption: str

    def to_html(self) -> str:
        """``<figure><img alt=...><figcaption>...</figcaption></figure>`` with the SVG embedded."""
        data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return (
            '<figure class="report-figure">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html_text(self.alt)}">'
            f"<figcaption>{html_text(self.caption)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


@dataclass(frozen=True)
class ChartNote:
    """A sentence shown where a chart would be, saying why it is not (e.g. too few published monthly figures)."""

    text: str

    def to_html(self) -> str:
        """``<p class="chart-note">...</p>``, escaped."""
        return f'<p class="chart-note">{html_text(self.text)}</p>'

    def _repr_html_(self) -> str:
        return self.to_html()


# ------------------------------------------------------------------------------------------------ formatting
def axis_label(indicator: Indicator) -> str:
    """The value axis label, naming the unit (e.g. ``Percent (%)``, ``Rate per 10,000 children``)."""
    return {
        "%": "Percent (%)",
        "rate per 10,000": "Rate per 10,000 children",
        "days": "Days",
        "weeks": "Weeks",
        "count": "Number",
        "FTE": "Full-time equivalent (FTE)",
    }[indicator.unit]


def year_label(time_period: int) -> str:
    """A DfE year ending 31 March as written in the publications: ``2015`` -> ``2014-15``."""
    return f"{time_period - 1}-{time_period % 100:02d}"


# ---------------------------------------------------------------------------------------------- rendering
def figure_svg(figure: Figure) -> str:
    """The figure as SVG text, deterministic: same data, same bytes (no date, fixed ids, no prologue).

    The XML prologue, DOCTYPE and RDF metadata are dropped: the SVG is embedded in a page, not a file.
    """
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": HOUSE_STYLE["svg.hashsalt"], "svg.fonttype": "none"}):
        # Constrained layout already fits labels and the legend inside the figure: no second, "tight" pass.
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1)
    return _SVG_METADATA.sub("", svg, count=1)


def month_ticks(axis: Axis, months: Sequence[int]) -> None:
    """Tick a date axis at the given calendar months (1-12), labelled with the month and year on two lines."""
    axis.set_major_locator(matplotlib.dates.MonthLocator(bymonth=months))
    axis.set_major_formatter(matplotlib.dates.DateFormatter("%b\n%Y"))


def _new_figure() -> tuple[Figure, plt.Axes]:
    with plt.rc_context(HOUSE_STYLE):
        figure, axes = plt.subplots(figsize=(A4_TEXT_WIDTH_INCHES, CHART_HEIGHT_INCHES), layout="constrained")
    return figure, axes


def _month(value: pd.Timestamp | date) -> str:
    return f"{pd.Timestamp(value):%B %Y}"


def wrap(text: str, width: int) -> str:
    """Text broken into lines of at most ``width`` characters (at spaces): a long title wraps, never gets cut."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def clip_to_unit(values: Iterable[float] | pd.Series, indicator: Indicator) -> np.ndarray:
    """Values (e.g. process limits) clipped to what the unit allows: 0 to 100 for a percentage, else 0 or more.

    Notes
    -----
    XmR limits are mean +/- 2.66 mean moving ranges and can pass 0 or 100% (see :func:`analysis.methods.spc.natural_range`).
    """
    low, high = natural_range(indicator.unit)
    array = np.asarray(list(values) if not isinstance(values, pd.Series) else values, dtype="float64")
    return np.clip(array, -np.inf if low is None else low, np.inf if high is None else high)


def fitted_limits(values: Iterable[float], indicator: Indicator) -> tuple[float, float]:
    """A value axis fitted to the data: its lowest and highest figure with a little space, within the unit's range.

    A percentage axis is not stretched to 0-100% (that flattens real changes) but never goes below 0 or above 100;
    other units never go below 0.
    """
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype="float64")
    if finite.size == 0:
        low, high = 0.0, 1.0
    else:
        low, high = float(finite.min()), float(finite.max())
    span = high - low
    if span <= 0:
        span = max(abs(high) * 0.2, 1.0)
    padding = AXIS_PADDING * span
    bottom, top = natural_range(indicator.unit)
    axis_low = low - padding if bottom is None else max(bottom, low - padding)
    axis_high = high + padding if top is None else min(top, high + padding)
    if axis_high <= axis_low:
        axis_high = axis_low + 1.0
    return axis_low, axis_high


# ----------------------------------------------------------------------------------------------- SPC chart
def spc_plot_points(spc: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """One indicator's SPC points with suppressed months blanked: a suppressed figure is never plotted.

    Parameters
    ----------
    spc : DataFrame
        Rows of the ``spc`` table for one indicator.
    monthly : DataFrame
        Rows of ``indicators_monthly`` for the same indicator (for the ``suppressed`` flag).

    Returns
    -------
    DataFrame
        ``spc`` sorted by month with ``suppressed`` added, and a row with empty ``value`` and ``point_class``
        "suppressed" for every suppressed month (absent from ``spc``, or, in an older table, present and emptied).

    Notes
    -----
    Counts of 1 to 5 are not published (DfE statistics: suppression of small numbers, GSS symbol ``c``).
    """
    flags = monthly.loc[:, ["month", "suppressed"]].copy()
    flags["suppressed"] = flags["suppressed"].fillna(False).astype(bool)
    # A suppressed month is absent from the spc table (analysis.methods.suppression.withhold_suppressed): it comes back
    # here as an empty point, so that the chart leaves a gap and its caption and alt text say a month is left out.
    withheld = flags.loc[flags["suppressed"] & ~flags["month"].isin(spc["month"]), ["month"]]
    points = pd.concat([spc, withheld], ignore_index=True).sort_values("month")
    points = points.drop(columns="suppressed", errors="ignore").merge(flags, on="month", how="left")
    points["suppressed"] = points["suppressed"].fillna(False).astype(bool)
    points["value"] = points["value"].where(~points["suppressed"])
    points["point_class"] = points["point_class"].where(~points["suppressed"], "suppressed")
    return points.reset_index(drop=True)


def monthly_chart_reason(points: pd.DataFrame, minimum_points: int) -> str | None:
    """Why an indicator gets no SPC chart, in words; None when it gets one.

    Parameters
    ----------
    points : DataFrame
        Output of :func:`spc_plot_points` (suppressed months blanked).
    minimum_points : int
        Fewest published monthly figures an SPC chart needs (``spc.minimum_baseline_points`` in
        ``config/indicators.yml``).

    Notes
    -----
    NHSRplotthedots (vignette "Number of points required"): limits from fewer than 12 points are trial limits
    that cannot tell real change from chance; and a series that is mostly suppressed (counts of 1 to 5, GSS ``c``)
    shows a handful of dots that misrepresent it. Either way the chart is left out and the annual (or rolling
    12-month) figure is shown instead.
    """
    months = len(points)
    suppressed = int(points["suppressed"].sum()) if "suppressed" in points else 0
    published = int(points["value"].notna().sum())
    if published >= minimum_points and suppressed * 2 <= months:
        return None
    if suppressed * 2 > months:
        why = (
            f"only {published} of its {months} monthly figures can be published (the others rest on 1 to 5 "
            "children and are not shown, to protect their privacy)"
        )
    else:
        why = f"it has only {published} published monthly figure{'' if published == 1 else 's'}"
    return (
        f"There is no monthly chart: {why}, and telling a real change from chance needs at least "
        f"{minimum_points}."
    )


def _trend_word(first: float, last: float) -> str:
    if np.isclose(first, last):
        return "was unchanged at"
    return "rose from" if last > first else "fell from"


def spc_alt_text(points: pd.DataFrame, indicator: Indicator) -> str:
    """Alt text for an SPC chart: what it shows, first and latest value, and where the latest point sits.

    e.g. "Line chart: Assessments completed within 45 working days rose from 55.0% in April 2014 to 88.0% in
    June 2015, above the upper process limit (special cause: improvement). Target 85.0%."

    Notes
    -----
    Limits and classes are those of the ``spc`` table (NHS England, Making Data Count: XmR charts).
    """
    shown = points.dropna(subset=["value"])
    name = indicator.name
    if shown.empty:
        return f"Line chart: {name}. No figures can be shown for this period."
    first, last = shown.iloc[0], shown.iloc[-1]
    if len(shown) == 1:
        text = f"Line chart: {name} was {format_number(last['value'], indicator)} in {_month(last['month'])}"
    else:
        word = _trend_word(first["value"], last["value"])
        start = format_number(first["value"], indicator)
        end = format_number(last["value"], indicator)
        if word == "was unchanged at":
            text = f"Line chart: {name} {word} {end} from {_month(first['month'])} to {_month(last['month'])}"
        else:
            text = f"Line chart: {name} {word} {start} in {_month(first['month'])} to {end} in {_month(last['month'])}"
    upper, lower = last.get("upper_limit"), last.get("lower_limit")
    if pd.notna(upper) and last["value"] > upper:
        text += ", above the upper process limit"
    elif pd.notna(lower) and last["value"] < lower:
        text += ", below the lower process limit"
    elif pd.notna(upper) and pd.notna(lower):
        text += ", within the process limits"
    latest_class = last.get("point_class")
    if latest_class in POINT_STYLES:
        text += f" (special cause: {POINT_STYLES[latest_class][2].split(' (')[0].lower()})"
    text += "."
    if indicator.target is not None:
        text += f" Target {format_number(indicator.target.value, indicator)}."
    hidden = int(points["suppressed"].sum()) if "suppressed" in points else 0
    if hidden:
        text += f" {hidden} month{'s' if hidden > 1 else ''} not shown because the numbers are too small to publish"
        latest_month = points["month"].max()
        if bool(points.loc[points["month"] == latest_month, "suppressed"].any()):
            text += f", including the latest, {_month(latest_month)} (c)"
        text += "."
    return text


def spc_chart(
    points: pd.DataFrame,
    indicator: Indicator,
    *,
    rebase_dates: Sequence[date] = (),
    rebase_label: str = "Process changed: limits recalculated",
    overlay: Callable[[plt.Axes], list[Artist]] | None = None,
) -> ReportFigure:
    """The SPC (XmR) chart of one indicator: values, mean, process limits, target and special causes.

    Parameters
    ----------
    points : DataFrame
        Output of :func:`spc_plot_points` (``spc`` rows with ``suppressed``), one indicator.
    indicator : Indicator
        The indicator's configuration (name, unit, decimals, target).
    rebase_dates : sequence of date
        Where the baseline restarts (a vertical line is drawn).
    rebase_label : str
        Legend text for the rebase lines.
    overlay : callable, optional
        Draws more on the axes (e.g. the anticipated path and its band, :mod:`analysis.products.anticipated_charts`) and
        returns the legend handles for what it drew.

    Returns
    -------
    ReportFigure
        SVG, alt text and caption.

    Notes
    -----
    NHS England, "Making Data Count" (2019): mean and process limits (mean ± 2.66 × mean moving range), with
    points that are part of a special-cause signal marked as improvement or concern by the indicator's polarity.
    """
    figure, axes = _new_figure()
    with plt.rc_context(HOUSE_STYLE):
        months = pd.to_datetime(points["month"])
        axes.plot(
            months, points["value"], color=DARK_BLUE, linewidth=1.8, marker="o", markersize=3.5, zorder=3
        )
        handles: list[Artist] = [
            Line2D([], [], color=DARK_BLUE, marker="o", markersize=3.5, label="Monthly figure")
        ]
        # Mean and limits per baseline: steps so that a rebase shows as a break. Limits are clipped to what the
        # unit allows (a percentage's limits never pass 0 or 100%).
        shown = [points["value"]]
        for _, segment in points.groupby("baseline", sort=True):
            seg_months = pd.to_datetime(segment["month"])
            centre = clip_to_unit(segment["centre"], indicator)
            upper = clip_to_unit(segment["upper_limit"], indicator)
            lower = clip_to_unit(segment["lower_limit"], indicator)
            shown.extend([centre, upper, lower])
            axes.plot(seg_months, centre, color=MID_GREY, linewidth=1.2, zorder=2)
            axes.plot(seg_months, upper, color=MID_GREY, linewidth=1, linestyle="--", zorder=2)
            axes.plot(seg_months, lower, color=MID_GREY, linewidth=1, linestyle="--", zorder=2)
        handles.append(Line2D([], [], color=MID_GREY, linewidth=1.2, label="Mean"))
        handles.append(Line2D([], [], color=MID_GREY, linewidth=1, linestyle="--", label="Process limits"))
        for point_class, (colour, marker, label) in POINT_STYLES.items():
            special = points.loc[points["point_class"] == point_class]
            if special.empty:
                continue
            axes.scatter(
                pd.to_datetime(special["month"]),
                special["value"],
                color=colour,
                marker=marker,
                s=48,
                zorder=4,
                edgecolors=colour,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    marker=marker,
                    linestyle="none",
                    markersize=7,
                    label=wrap(label, LEGEND_WRAP),
                )
            )
        if indicator.target is not None:
            shown.append([indicator.target.value])
            axes.axhline(indicator.target.value, color=DARK_PINK, linewidth=1.4, linestyle="-.", zorder=2)
            target_text = f"Target ({format_number(indicator.target.value, indicator)})"
            handles.append(Line2D([], [], color=DARK_PINK, linewidth=1.4, linestyle="-.", label=target_text))
        shown_rebases = [d for d in rebase_dates if months.min() <= pd.Timestamp(d) <= months.max()]
        for day in shown_rebases:
            axes.axvline(pd.Timestamp(day), color=TEXT_GREY, linewidth=1, linestyle=":", zorder=1)
        if shown_rebases:
            handles.append(
                Line2D(
                    [], [], color=TEXT_GREY, linewidth=1, linestyle=":", label=wrap(rebase_label, LEGEND_WRAP)
                )
            )
        if overlay is not None:
            handles.extend(overlay(axes))
            shown.append(list(axes.dataLim.intervaly))  # the overlay's band stays in view
        axes.set_ylabel(axis_label(indicator))
        axes.set_xlabel("Month")
        axes.set_ylim(*fitted_limits(np.concatenate([np.asarray(v, dtype=float) for v in shown]), indicator))
        if indicator.unit == "count":
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        month_ticks(axes.xaxis, QUARTER_START_MONTHS)
        figure.legend(handles=handles, loc="outside lower center", ncol=LEGEND_COLUMNS)
        axes.set_title(wrap(indicator.name, TITLE_WRAP))
    alt = spc_alt_text(points, indicator)
    caption = (
        f"{indicator.name}, by month. Dots that are not blue mark special causes: unusual changes that are "
        "unlikely to be chance (shape and colour both show which)."
    )
    if "suppressed" in points and points["suppressed"].any():
        caption += " Months whose numbers are too small to publish (c) are left out."
    return ReportFigure(svg=figure_svg(figure), alt=alt, caption=caption)


# ----------------------------------------------------------------------------------------- benchmark chart
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
    """Alt text for a benchmark chart: the latest year's figure for the authority against England and others.

    A year whose figure rests on 1 to 5 children (``local_suppressed``) is named as suppressed (``c``).
    """
    rows = comparison.sort_values("time_period")
    suppressed = rows.loc[
        rows.get("local_suppressed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
    ]
    note = (
        f" {authority}'s figure for {', '.join(year_label(int(y)) for y in suppressed['time_period'])} is not "
        "published (c: fewer than six children)."
        if len(suppressed)
        else ""
    )
    if rows.empty:
        return (
            f"Line chart: {indicator.name} compared with England, region and statistical neighbours. No figures."
            + note
        )
    with_local = rows.dropna(subset=["local_value"])
    latest = with_local.iloc[-1] if len(with_local) else rows.iloc[-1]
    year = year_label(int(latest["time_period"]))
    text = f"Line chart: {indicator.name} by year, {year_label(int(rows['time_period'].iloc[0]))} to {year}. "
    if len(with_local):
        text += f"In {year} {authority} was {format_number(latest['local_value'], indicator)}"
    else:  # only the others' figures were released for these years (the authority's own are not published)
        text += f"{authority} has no published figure for these years. In {year}"
    others = [
        f"{label} {format_number(latest[column], indicator)}"
        for column, label in (
            ("england", "England"),
            ("region", "the region"),
            ("statistical_neighbours_average", neighbours[0].lower() + neighbours[1:]),
        )
        if pd.notna(latest[column])
    ]
    if others:
        text += (" (" + ", ".join(others) + ")") if len(with_local) else " " + ", ".join(others)
    return text + "." + note


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
    Years are years ending 31 March, as DfE publishes them (e.g. Characteristics of children in need).
    """
    rows = comparison.sort_values("time_period")
    figure, axes = _new_figure()
    with plt.rc_context(HOUSE_STYLE):
        years = [year_label(int(y)) for y in rows["time_period"]]
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
        axes.set_xlabel("Year ending 31 March")
        figure.legend(loc="outside lower center", ncol=LEGEND_COLUMNS)
        axes.set_title(wrap(f"{indicator.name}: comparison", TITLE_WRAP))
    caption = (
        f"{indicator.name}: {authority} compared with England, {region} and similar authorities, by year."
    )
    return ReportFigure(
        svg=figure_svg(figure),
        alt=benchmark_alt_text(rows, indicator, authority, neighbours),
        caption=caption,
    )


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
    rows = rows.sort_values("period_end")
    published = rows.loc[~rows["suppressed"].astype(bool)].dropna(subset=["value"])
    figure, axes = _new_figure()
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
    caption = f"{indicator.name}, by year."
    if len(published) < len(rows):
        caption += " Years whose numbers are too small to publish (c) are left out."
    caption += sources_sentence(published)
    return ReportFigure(svg=figure_svg(figure), alt=annual_alt_text(rows, indicator), caption=caption)


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


def colours_in_svg(svg: str) -> set[str]:
    """Every colour an SVG uses (hex, upper case): for checking the house palette."""
    return {f"#{c.upper()}" for c in re.findall(r"#([0-9a-fA-F]{6})\b", svg)}


def data_colours(colours: Iterable[str]) -> set[str]:
    """The colours that are not greys, black or white (the data colours that the palette limits to four)."""
    return {c for c in colours if c.upper() not in NEUTRALS}
