"""The charts of one indicator in a report: its SPC chart (or why there is none, with its rolling 12-month figure)
and its benchmark or annual chart.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis.config_indicators import Indicator
from analysis.methods.benchmarking import neighbours_label
from analysis.products.annual_charts import annual_chart, benchmark_chart
from analysis.products.anticipated_charts import anticipated_overlay, with_anticipated_words
from analysis.products.chart_style import ChartNote, ReportFigure
from analysis.products.presentation import SUPPRESSED
from analysis.products.report_data import ReportData
from analysis.products.spc_charts import monthly_chart_reason, spc_chart, spc_plot_points
from analysis.units import format_number


def lower_first(sentence: str) -> str:
    """A sentence to follow a colon: "The monthly figure ..." -> "the monthly figure ..." ("DfE's ..." is kept)."""
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence


def monthly_points(data: ReportData, indicator: Indicator) -> pd.DataFrame:
    """An indicator's SPC points up to the quarter's end, suppressed months blanked (:func:`spc_plot_points`).

    A report asks for them several times per indicator (its table, its reading, its chart): they are derived once
    per :class:`ReportData` (``data.derived``; its quarter and tables do not change once loaded), and each caller
    gets its own copy.
    """
    key = ("monthly_points", indicator.id)
    if key not in data.derived:
        last = pd.Timestamp(data.quarter.months[-1])
        spc = data.spc.loc[data.spc["indicator_id"] == indicator.id]
        spc = spc.loc[spc["month"] <= last]
        monthly = data.indicators_monthly
        monthly = monthly.loc[(monthly["indicator_id"] == indicator.id) & (monthly["month"] <= last)]
        data.derived[key] = spc_plot_points(spc, monthly)
    points: pd.DataFrame = data.derived[key]
    return points.copy()


def no_monthly_chart_reason(data: ReportData, indicator: Indicator) -> str | None:
    """Why the indicator has no SPC chart (too few published months, or mostly suppressed); None when it has one."""
    points = monthly_points(data, indicator)
    if points.empty:
        return None
    return monthly_chart_reason(points, data.config.spc.minimum_baseline_points)


def rolling_year_text(data: ReportData, indicator: Indicator) -> str:
    """The latest rolling 12-month figure up to the quarter's end, in a sentence (``""`` when there is none)."""
    annual = data.indicators_annual
    rows = annual.loc[
        (annual["indicator_id"] == indicator.id)
        & (annual["period_type"] == "rolling_12_months")
        & (annual["period_end"] <= pd.Timestamp(data.quarter.end))
    ].sort_values("period_end")
    if rows.empty:
        return ""
    last = rows.iloc[-1]
    when = (
        f"At {last['period_label']}"
        if indicator.annual in ("at_31_march", "at_30_september")
        else f"Over the 12 months {last['period_label']}"
    )
    if bool(last["suppressed"]):
        return f"{when} the figure cannot be published ({SUPPRESSED})."
    return f"{when} it was {format_number(last['value'], indicator)}."


def indicator_figures(data: ReportData, indicator: Indicator) -> list[ReportFigure | ChartNote]:
    """The charts of one indicator: its SPC chart (or why there is none) and its benchmark chart.

    An indicator with fewer published monthly figures than an SPC chart needs, or mostly suppressed ones, gets a
    sentence saying so (with its rolling 12-month figure) and its figure by year instead: the benchmark chart, or
    its own annual figures when it has no benchmark (:func:`analysis.products.spc_charts.monthly_chart_reason`).
    """
    figures: list[ReportFigure | ChartNote] = []
    points = monthly_points(data, indicator)
    reason = None if points.empty else monthly_chart_reason(points, data.config.spc.minimum_baseline_points)
    if not points.empty and reason is None:
        changes = {c.date: c.name for c in data.config.plan.service_changes}
        label = "; ".join(changes[d] for d in indicator.rebase_at if d in changes) or "Process changed"
        anticipated = data.tables.get("anticipated")
        expected = (
            anticipated.loc[anticipated["indicator_id"] == indicator.id] if anticipated is not None else None
        )
        figure = spc_chart(
            points,
            indicator,
            rebase_dates=indicator.rebase_at,
            rebase_label=f"{label}: limits recalculated",
            overlay=anticipated_overlay(expected) if expected is not None else None,
        )
        figures.append(
            with_anticipated_words(figure, expected, indicator) if expected is not None else figure
        )
    comparison = data.benchmark_comparison.loc[data.benchmark_comparison["indicator_id"] == indicator.id]
    has_benchmark = not comparison.empty and comparison[["local_value", "england"]].notna().any().any()
    if reason is not None:
        instead = "The chart below shows its figure for each year." if has_benchmark else ""
        annual = data.indicators_annual
        own = annual.loc[
            (annual["indicator_id"] == indicator.id)
            & (annual["period_type"] == indicator.annual)
            & (annual["period_end"] <= pd.Timestamp(data.quarter.end))
        ]
        if not has_benchmark and (~own["suppressed"].astype(bool) & own["value"].notna()).any():
            instead = "The chart below shows its figure for each year."
        text = " ".join(t for t in (reason, rolling_year_text(data, indicator), instead) if t)
        figures.append(ChartNote(text))
        if not has_benchmark and instead:
            figures.append(annual_chart(own, indicator))
    if has_benchmark:
        authority = data.config.authority
        chart = benchmark_chart(
            comparison,
            indicator,
            authority=authority.name,
            region=authority.region.name,
            neighbours=neighbours_label(data.config).capitalize(),
        )
        latest = comparison.sort_values("time_period").iloc[-1]
        caption = f"{chart.caption} Latest: {latest['release']}."
        difference = indicator.benchmark_difference
        if difference:
            # The chart shows DfE's measure, not the monthly one above it: one sentence says how they differ.
            caption += f" These are DfE's figures, measured differently: {lower_first(difference)}"
        figures.append(replace(chart, caption=caption))
    return figures
