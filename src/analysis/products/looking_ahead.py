"""Where demand is heading, presented: the ``forecasts`` and ``forecast_backtest`` tables in words, a chart and a table.

The figures are the analysis stage's (:mod:`analysis.methods.demand_forecasts`); this module only writes them for
the quarterly report's "Looking ahead" section and its method note.
"""

from __future__ import annotations

import logging
import textwrap

import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import DemandMeasure
from analysis.methods.demand_forecasts import demand_series, series_id
from analysis.methods.forecast import LEVELS
from analysis.methods.model_words import model_in_words
from analysis.methods.quarters import Quarter
from analysis.products.chart_cache import cached_svg
from analysis.products.chart_style import (
    DARK_BLUE,
    HOUSE_STYLE,
    LIGHT_GREY,
    MID_GREY,
    TURQUOISE,
    ReportFigure,
    figure_svg,
    month_ticks,
)
from analysis.safe_text import html_text

logger = logging.getLogger(__name__)

#: Months of history the looking-ahead chart shows before the forecast.
CHART_HISTORY_MONTHS = 24
#: Characters per line of a small multiple's title (two panels share the page's width).
TITLE_WIDTH = 40


# ------------------------------------------------------------------------------------------------ words
def _number(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "count" else f"{value:,.1f}"


def _figure(value: float, unit: str) -> str:
    suffix = {"count": "", "%": "%"}.get(unit, " per 10,000")
    return _number(value, unit) + suffix


def share_words(share: float) -> str:
    """``too_uncertain_share`` in words: 0.5 -> "half the forecast", 0.3 -> "30% of the forecast"."""
    named = {0.25: "a quarter of the forecast", 0.5: "half the forecast", 1.0: "the forecast itself"}
    return named.get(share, f"{share * 100:g}% of the forecast")


def _month_words(row: pd.Series, end: pd.Timestamp, unit: str) -> str | None:
    """One month's forecast in words, or None when even its 80% range is too uncertain to plan on."""
    if bool(row["too_uncertain_80"]):
        return None
    ranges = []
    for level in LEVELS:
        if bool(row[f"too_uncertain_{level}"]):
            ranges.append(f"the {level}% range is too uncertain to plan on")
        else:
            ranges.append(
                f"{level}% range {_number(row[f'lower_{level}'], unit)} to {_number(row[f'upper_{level}'], unit)}"
            )
    return f"about {_figure(row['mean'], unit)} in {end:%B %Y} ({'; '.join(ranges)})"


def coverage_words(scores: pd.Series | None) -> str:
    """How often the ranges of the method used held the actual figure when it was tested on past figures."""
    if scores is None or int(scores["forecasts"]) == 0:
        return "This forecast could not be tested on past figures, so how often its ranges hold is not known."
    tested = int(scores["forecasts"])
    held = [
        f"{int(scores[f'inside_{level}'])} times in {tested} ({scores[f'coverage_{level}']:.1f}%)"
        for level in LEVELS
    ]
    return (
        f"Tested on past figures, its 80% range held the actual figure {held[0]} and its 95% range {held[1]}."
    )


def looking_ahead_text(
    forecasts: pd.DataFrame, backtest: pd.DataFrame, quarter: Quarter, *, too_uncertain_share: float
) -> str:
    """Markdown: for each demand measure, the forecast at the end of each of the next two quarters, in words.

    e.g. "**Children in need per 10,000 children**: about 281 in September 2015 (80% range 249 to 313; 95% range
    232 to 330) and about 271 in December 2015 (...). Forecast from the figures April 2012 to June 2015: the latest
    figure carried forward, as a statistical model was no more accurate on past figures. Tested on past figures,
    its 80% range held the actual figure 13 times in 15 (86.7%) and its 95% range 15 times in 15 (100.0%)."

    The coverage is the one measured in the backtest of the method used (``forecast_backtest``); a range the
    analysis stage flagged too uncertain (``too_uncertain_80``/``_95``) is called so instead of printing its
    figures. Measure names come from the configuration and are escaped; no model codes (they are in the method
    section).
    """
    if forecasts.empty:
        return "No demand measure could be forecast this quarter."
    ends = [pd.Timestamp(quarter.next().months[-1]), pd.Timestamp(quarter.next().next().months[-1])]
    scores_by_series = backtest.set_index("series_id") if not backtest.empty else pd.DataFrame()
    lines = []
    for sid, rows in forecasts.groupby("series_id", sort=False):
        first = rows.iloc[0]
        unit = str(first["unit"])
        figures, uncertain = [], []
        for end in ends:
            at = rows.loc[pd.to_datetime(rows["month"]) == end]
            if at.empty:
                continue
            words = _month_words(at.iloc[0], end, unit)
            if words is None:
                uncertain.append(f"{end:%B %Y}")
            else:
                figures.append(words)
        if not figures and not uncertain:
            continue
        said = []
        if figures:
            said.append(" and ".join(figures))
        if uncertain:
            subject = "the forecast for {} is" if len(uncertain) == 1 else "the forecasts for {} are"
            said.append(
                subject.format(" and ".join(uncertain))
                + f" too uncertain to plan on (even the 80% range is wider than {share_words(too_uncertain_share)})"
            )
        name = html_text(str(first["name"]))
        method = html_text(str(first["method_text"]))
        scores = scores_by_series.loc[sid] if sid in scores_by_series.index else None
        lines.append(
            f"- **{name}**: {'; '.join(said)}. Forecast from the figures {pd.Timestamp(first['fitted_from']):%B %Y} "
            f"to {pd.Timestamp(first['fitted_to']):%B %Y}: {method}. {coverage_words(scores)}"
        )
    intro = (
        f"Where demand is heading in the next two quarters ({quarter.next().name} and {quarter.next().next().name}), "
        "if the recent pattern continues. Each forecast has two ranges: an 80% range should hold the actual figure "
        "about 4 times in 5, and a 95% range about 19 times in 20. Each method is tested on past figures where "
        "there are enough of them, and each measure says how often its ranges really held the actual figure; a "
        "range that held it less often than that is narrower than it should be. A range wider than "
        f"{share_words(too_uncertain_share)} is too uncertain to plan on, and its figures are not given."
    )
    return intro + "\n\n" + "\n".join(lines)


def backtest_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """The backtest as the method section shows it: the model against the latest figure carried forward, per
    measure (percentages, 1 dp), in words: the model codes are in the ``forecast_backtest`` table (the audit
    trail), not on the page."""

    def pct(value: float) -> str:
        return "–" if pd.isna(value) else f"{value:.1f}%"

    rows = []
    for row in backtest.itertuples(index=False):
        rows.append(
            {
                "Measure": row.name,
                "Statistical model tried": model_in_words(row.candidate),
                "Forecasts tested": int(row.forecasts),
                "Average error: model": pct(row.model_mape),
                "Average error: latest figure": pct(row.naive_mape),
                "Model: 80% / 95% ranges held": f"{pct(row.model_coverage_80)} / {pct(row.model_coverage_95)}",
                "Latest figure: 80% / 95% ranges held": (
                    f"{pct(row.naive_coverage_80)} / {pct(row.naive_coverage_95)}"
                ),
                "Used": "the latest figure carried forward"
                if row.method == "naive"
                else "the statistical model",
            }
        )
    return pd.DataFrame(rows)


def backtest_text(backtest: pd.DataFrame, *, too_uncertain_share: float) -> str:
    """Markdown for the method section: how the forecasts were tested and what was found (no model codes)."""
    text = (
        "Forecasts use exponential smoothing, statistical models that weigh recent months most, fitted on the "
        "months since the measure's last change in the process and refitted every quarter; models that follow "
        "the usual pattern through the year are tried only with two whole years of figures, and of the models "
        "tried the one that fits the figures best without needless complexity is chosen (Hyndman and "
        "Athanasopoulos, *Forecasting: Principles and Practice*, chapter 8). Each model was tested by "
        "forecasting the next three months from each quarter of its history and compared with the simplest "
        "forecast, the latest figure carried forward: the average error is how far the forecasts were from what "
        "happened, as a percentage of it; a range held when the actual figure fell inside it. The "
        '"Looking ahead" section states how often the ranges of the method used held, as measured here. '
        "Forecasts and ranges are cut to what is possible (no figure below zero, no percentage above 100), and a "
        f"range wider than {share_words(too_uncertain_share)} (a share set in the configuration) is called too "
        "uncertain to plan on instead of printing its figures."
    )
    used_naive = backtest.loc[backtest["method"] == "naive", "name"].tolist()
    if used_naive:
        text += (
            " The latest figure carried forward is used for "
            + ", ".join(html_text(str(n)) for n in used_naive)
            + ": the statistical model was no more accurate, or there were too few figures since the last change."
        )
    return text


# ------------------------------------------------------------------------------------------------ chart
def looking_ahead_chart(
    monthly: pd.DataFrame, forecasts: pd.DataFrame, config: ProjectConfig, quarter: Quarter
) -> ReportFigure | None:
    """Small multiples, one per demand measure: the last two years' figures, the forecast and its 80%/95% bands.

    Notes
    -----
    House style of :mod:`analysis.products.chart_style` (Analysis Function palette); bands in two greys with the forecast
    dashed, so the figure does not rely on colour.
    """
    if forecasts.empty:
        return None
    measures = [
        m for m in config.registry.anticipated.looking_ahead if series_id(m) in set(forecasts["series_id"])
    ]
    last_month = pd.Timestamp(quarter.months[-1])
    svg = looking_ahead_svg(monthly, forecasts, tuple(measures), last_month)
    ends = quarter.next().next().months[-1]
    alt = (
        f"Small multiple line charts of {len(measures)} demand measures ("
        + ", ".join(m.name for m in measures)
        + f"): figures for the last two years and forecasts to {pd.Timestamp(ends):%B %Y} with 80% and 95% ranges. "
        "The figures are given in the text above."
    )
    caption = (
        "Demand measures: recent figures and the forecast for the next two quarters, with 80% and 95% ranges."
    )
    return ReportFigure(svg=svg, alt=alt, caption=caption)


@cached_svg
def looking_ahead_svg(
    monthly: pd.DataFrame,
    forecasts: pd.DataFrame,
    measures: tuple[DemandMeasure, ...],
    last_month: pd.Timestamp,
) -> str:
    """The SVG of :func:`looking_ahead_chart`: one panel per measure, the figures to ``last_month`` and the
    forecasts; drawn once per distinct input (:mod:`analysis.products.chart_cache`)."""
    import matplotlib.pyplot as plt

    columns = 2
    rows_needed = (len(measures) + columns - 1) // columns
    with plt.rc_context(HOUSE_STYLE):
        figure, axes = plt.subplots(
            rows_needed, columns, figsize=(6.5, 2.3 * rows_needed), layout="constrained", squeeze=False
        )
        for ax in axes.flat[len(measures) :]:
            ax.set_visible(False)
        for ax, measure in zip(axes.flat, measures, strict=False):
            history = demand_series(monthly, measure, last_month)
            history = history.loc[history["month"] > last_month - pd.DateOffset(months=CHART_HISTORY_MONTHS)]
            shown = history["value"].where(~history["suppressed"])
            ahead = forecasts.loc[forecasts["series_id"] == series_id(measure)].sort_values("month")
            months = pd.to_datetime(ahead["month"])
            # The 95% band is drawn only outside the 80% band, so each band shows the very shade of its key
            # (overlapping translucent bands would make the 80% band darker than its swatch).
            for lower, upper in (("lower_95", "lower_80"), ("upper_80", "upper_95")):
                ax.fill_between(months, ahead[lower], ahead[upper], color=LIGHT_GREY, alpha=0.5, linewidth=0)
            ax.fill_between(
                months, ahead["lower_80"], ahead["upper_80"], color=MID_GREY, alpha=0.5, linewidth=0
            )
            ax.plot(history["month"], shown, color=DARK_BLUE, linewidth=1.5)
            if not history.empty:
                joined_months = [history["month"].iloc[-1], *months]
                joined_values = [shown.iloc[-1], *ahead["mean"]]
                ax.plot(joined_months, joined_values, color=TURQUOISE, linewidth=1.5, linestyle="--")
            ax.set_title(textwrap.fill(measure.name, TITLE_WIDTH), fontsize=9, loc="left")
            ax.set_ylim(bottom=0)
            month_ticks(ax.xaxis, (4, 10))
            ax.tick_params(labelsize=8)
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        figure.legend(
            handles=[
                Line2D([], [], color=DARK_BLUE, linewidth=1.5, label="Figures"),
                Line2D([], [], color=TURQUOISE, linewidth=1.5, linestyle="--", label="Forecast"),
                Patch(color=MID_GREY, alpha=0.5, label="80% range"),
                Patch(color=LIGHT_GREY, alpha=0.5, label="95% range"),
            ],
            loc="outside lower center",
            ncol=4,
        )
    return figure_svg(figure)


# ------------------------------------------------------------------------------------------------ report blocks
def looking_ahead_blocks(data: object, *, level: int = 2) -> list[object]:
    """The quarterly report's "Looking ahead" section: heading, the forecasts in words, and the chart.

    ``data`` is the report's :class:`analysis.products.report_data.ReportData`.
    """
    from analysis.products.presentation import heading, html_block, markdown

    forecasts = data.tables.get("forecasts", pd.DataFrame())  # type: ignore[attr-defined]
    blocks: list[object] = [heading(level, "Looking ahead")]
    backtest = data.tables.get("forecast_backtest", pd.DataFrame())  # type: ignore[attr-defined]
    share = data.config.registry.anticipated.forecast.too_uncertain_share  # type: ignore[attr-defined]
    text = looking_ahead_text(forecasts, backtest, data.quarter, too_uncertain_share=share)  # type: ignore[attr-defined]
    blocks.append(markdown(text))
    monthly = data.indicators_monthly  # type: ignore[attr-defined]
    figure = looking_ahead_chart(monthly, forecasts, data.config, data.quarter)  # type: ignore[attr-defined]
    if figure is not None:
        blocks.append(html_block(figure.to_html()))  # raw HTML in Markdown: no CDN scripts from Quarto
    return blocks


def forecast_method_blocks(data: object, *, level: int = 3) -> list[object]:
    """The method section's part on forecasts: how they were made and the backtest's figures."""
    from analysis.products.presentation import heading, html_block, markdown, table_html

    backtest = data.tables.get("forecast_backtest", pd.DataFrame())  # type: ignore[attr-defined]
    blocks: list[object] = [heading(level, "How the forecasts were made and tested")]
    if backtest.empty:
        blocks.append(markdown("No forecasts were made this quarter."))
        return blocks
    share = data.config.registry.anticipated.forecast.too_uncertain_share  # type: ignore[attr-defined]
    blocks.append(markdown(backtest_text(backtest, too_uncertain_share=share)))
    blocks.append(
        html_block(
            table_html(
                backtest_table(backtest),
                caption="The forecasts tested on past figures: the statistical model against the latest figure "
                "carried forward",
            )
        )
    )
    return blocks
