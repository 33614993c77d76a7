"""The SPC (XmR) chart of an indicator in the house style (:mod:`analysis.products.chart_style`): the points it shows
(suppressed months blanked), why an indicator has none, and its alt text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display: the charts are written to SVG

import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from analysis.config_indicators import Indicator  # noqa: E402
from analysis.products.chart_cache import cached_svg  # noqa: E402
from analysis.products.chart_style import (
    DARK_BLUE,
    DARK_PINK,
    HOUSE_STYLE,
    LEGEND_COLUMNS,
    LEGEND_WRAP,
    MID_GREY,
    POINT_STYLES,
    QUARTER_START_MONTHS,
    TEXT_GREY,
    TITLE_WRAP,
    ReportFigure,
    axis_label,
    clip_to_unit,
    figure_svg,
    fitted_limits,
    month_ticks,
    new_figure,
    wrap,
)
from analysis.units import format_number  # noqa: E402


def _month(value: pd.Timestamp | date) -> str:
    return f"{pd.Timestamp(value):%B %Y}"


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
    June 2015, above the range expected from normal variation (unusual change: improvement). Target 85.0%."

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
        text += ", above the range expected from normal variation"
    elif pd.notna(lower) and last["value"] < lower:
        text += ", below the range expected from normal variation"
    elif pd.notna(upper) and pd.notna(lower):
        text += ", within the range expected from normal variation"
    latest_class = last.get("point_class")
    if latest_class in POINT_STYLES:
        text += f" (unusual change: {POINT_STYLES[latest_class][2].split(' (')[0].lower()})"
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
    svg = spc_chart_svg(
        points, indicator, rebase_dates=rebase_dates, rebase_label=rebase_label, overlay=overlay
    )
    alt = spc_alt_text(points, indicator)
    caption = (
        f"{indicator.name}, by month. Dots that are not blue mark unusual changes, those unlikely to be chance "
        "(shape and colour both show which)."
    )
    if "suppressed" in points and points["suppressed"].any():
        caption += " Months whose numbers are too small to publish (c) are left out."
    return ReportFigure(svg=svg, alt=alt, caption=caption)


@cached_svg
def spc_chart_svg(
    points: pd.DataFrame,
    indicator: Indicator,
    *,
    rebase_dates: Sequence[date] = (),
    rebase_label: str = "Process changed: limits recalculated",
    overlay: Callable[[plt.Axes], list[Artist]] | None = None,
) -> str:
    """The SVG of :func:`spc_chart` (parameters as there), drawn once per distinct input
    (:mod:`analysis.products.chart_cache`)."""
    figure, axes = new_figure()
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
    return figure_svg(figure)
