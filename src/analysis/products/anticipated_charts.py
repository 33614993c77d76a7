"""The anticipated trend on an indicator's SPC chart: the planned path (or forecast) and its band, with words for it.

Drawn by :func:`analysis.products.spc_charts.spc_chart` through its ``overlay`` parameter, in the house style: the band a light
grey area, the expected values a dashed turquoise line (shape and colour both differ from the figures' solid blue
line and the greys of the mean and limits).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.config_indicators import Indicator
from analysis.methods.forecast import BAND_LEVEL
from analysis.methods.trajectory import PLANNED
from analysis.products.chart_style import LIGHT_GREY, TURQUOISE, ReportFigure
from analysis.units import format_number


def _labels(basis: str) -> tuple[str, str]:
    if basis == PLANNED:
        return "Planned path", "Planned path ± tolerance"
    return "Forecast", f"Forecast {BAND_LEVEL}% range"


@dataclass(frozen=True, eq=False)
class AnticipatedOverlay:
    """Draws one indicator's ``anticipated`` rows on an axes and returns its legend handles.

    A class, not a closure, so that it pickles: it is an argument of the SPC chart, whose SVG is cached by its
    arguments (:mod:`analysis.products.chart_cache`).
    """

    rows: pd.DataFrame
    line_label: str
    band_label: str

    def __call__(self, axes: Axes) -> list[Artist]:
        rows = self.rows
        months = pd.to_datetime(rows["month"])
        axes.fill_between(
            months, rows["lower"], rows["upper"], color=LIGHT_GREY, alpha=0.45, linewidth=0, zorder=1
        )
        axes.plot(months, rows["expected"], color=TURQUOISE, linewidth=1.4, linestyle="--", zorder=2)
        return [
            Line2D([], [], color=TURQUOISE, linewidth=1.4, linestyle="--", label=self.line_label),
            Patch(color=LIGHT_GREY, alpha=0.45, label=self.band_label),
        ]


def anticipated_overlay(rows: pd.DataFrame) -> AnticipatedOverlay | None:
    """What draws one indicator's ``anticipated`` rows on an axes and returns its legend handles.

    None when there is nothing to draw.
    """
    # renumbered: row labels do not change the drawing, and stay out of the SPC chart's cache key
    rows = rows.dropna(subset=["expected"]).sort_values("month").reset_index(drop=True)
    if rows.empty:
        return None
    line_label, band_label = _labels(str(rows["basis"].iloc[0]))
    return AnticipatedOverlay(rows, line_label, band_label)


def anticipated_words(rows: pd.DataFrame, indicator: Indicator) -> str:
    """One sentence on where the latest month sits against the anticipated band, for alt text and captions."""
    judged = rows.dropna(subset=["expected", "value"]).sort_values("month")
    judged = judged.loc[~judged["suppressed"].astype(bool)]
    if judged.empty:
        return ""
    last = judged.iloc[-1]
    what = "planned path" if last["basis"] == PLANNED else "forecast"
    where = {"above": "above the band", "below": "below the band"}.get(
        str(last["position"]), "within the band"
    )
    return (
        f" The {what} for {pd.Timestamp(last['month']):%B %Y} was {format_number(last['expected'], indicator)} "
        f"(band {format_number(last['lower'], indicator)} to {format_number(last['upper'], indicator)}); the figure "
        f"was {where}."
    )


def with_anticipated_words(figure: ReportFigure, rows: pd.DataFrame, indicator: Indicator) -> ReportFigure:
    """The figure with its alt text and caption telling of the anticipated path or forecast band."""
    words = anticipated_words(rows, indicator) if not rows.empty else ""
    if not words:
        return figure
    kind = (
        "planned path" if str(rows["basis"].iloc[0]) == PLANNED else f"forecast and its {BAND_LEVEL}% range"
    )
    caption = figure.caption + f" The dashed line and grey band show the {kind}."
    return replace(figure, alt=figure.alt + words, caption=caption)
