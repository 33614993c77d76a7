"""The reports' chart house style, SVG output that is the same bytes for the same data.

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
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.rcsetup import cycler  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

from analysis.config_indicators import Indicator  # noqa: E402
from analysis.methods.spc_summary import natural_range  # noqa: E402
from analysis.safe_text import html_text

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
    "improvement": (TURQUOISE, "^", "Improvement (unusual change)"),
    "concern": (ORANGE, "v", "Concern (unusual change)"),
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
        _lay_out_for_svg(figure)
        # Constrained layout already fits labels and the legend inside the figure: no second, "tight" pass.
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1)
    return _SVG_METADATA.sub("", svg, count=1)


def _lay_out_for_svg(figure: Figure) -> None:
    """Run the figure's layout engine as saving it to SVG would, then take the engine off, so that ``savefig``
    draws the figure once.

    With a layout engine, matplotlib's ``print_figure`` (``backend_bases.py``) first draws the whole figure with
    rendering disabled, only to run the layout, then draws it again for real: a sixth of a chart's time. Here the
    layout runs on the SVG canvas, so it measures text with the SVG renderer as that first draw does, and the SVG is
    the same bytes (checked on every chart of the demo quarter, and by a test against matplotlib's own pass).
    """
    engine = figure.get_layout_engine()
    if engine is None:
        return
    FigureCanvasSVG(figure)  # becomes the figure's canvas: the layout measures text with its renderer
    engine.execute(figure)
    figure.set_layout_engine(None)


def month_ticks(axis: Axis, months: Sequence[int]) -> None:
    """Tick a date axis at the given calendar months (1-12), labelled with the month and year on two lines."""
    axis.set_major_locator(matplotlib.dates.MonthLocator(bymonth=months))
    axis.set_major_formatter(matplotlib.dates.DateFormatter("%b\n%Y"))


def new_figure() -> tuple[Figure, plt.Axes]:
    with plt.rc_context(HOUSE_STYLE):
        figure, axes = plt.subplots(figsize=(A4_TEXT_WIDTH_INCHES, CHART_HEIGHT_INCHES), layout="constrained")
    return figure, axes


def wrap(text: str, width: int) -> str:
    """Text broken into lines of at most ``width`` characters (at spaces): a long title wraps, never gets cut."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def clip_to_unit(values: Iterable[float] | pd.Series, indicator: Indicator) -> np.ndarray:
    """Values (e.g. process limits) clipped to what the unit allows: 0 to 100 for a percentage, else 0 or more.

    Notes
    -----
    XmR limits are mean +/- 2.66 mean moving ranges and can pass 0 or 100% (see :func:`analysis.methods.spc_summary.natural_range`).
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


def colours_in_svg(svg: str) -> set[str]:
    """Every colour an SVG uses (hex, upper case): for checking the house palette."""
    return {f"#{c.upper()}" for c in re.findall(r"#([0-9a-fA-F]{6})\b", svg)}


def data_colours(colours: Iterable[str]) -> set[str]:
    """The colours that are not greys, black or white (the data colours that the palette limits to four)."""
    return {c for c in colours if c.upper() not in NEUTRALS}
