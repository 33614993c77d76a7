"""Sparklines: an indicator's recent months as a small inline SVG line, with words for screen readers.

A sparkline shows shape, not values (Tufte's "data-intense, design-simple, word-sized graphics"): no axes, the
latest month marked with a dot, the target (where there is one) as a dashed line. Months whose figure is
suppressed (a count of 1 to 5 behind it) or missing are left out and the line breaks there, so a suppressed figure
cannot be read off the drawing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import pandas as pd

from analysis.safe_text import html_text

logger = logging.getLogger(__name__)

LINE_COLOUR = "#12436D"  # the reports' dark blue (analysis.products.chart_style.DARK_BLUE)
TARGET_COLOUR = "#505A5F"
WIDTH = 120
HEIGHT = 28
PADDING = 3


def _scale(low: float, high: float, top: float, bottom: float) -> Callable[[float], float]:
    if math.isclose(low, high):
        middle = (top + bottom) / 2
        return lambda _value: middle
    return lambda value: bottom - (value - low) / (high - low) * (bottom - top)


def sparkline_points(
    values: Sequence[float | None], suppressed: Sequence[bool]
) -> list[list[tuple[int, float]]]:
    """The drawable runs of a series: lists of (position, value), broken at missing or suppressed months."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for position, (value, hidden) in enumerate(zip(values, suppressed, strict=True)):
        if hidden or value is None or pd.isna(value):
            if current:
                runs.append(current)
            current = []
            continue
        current.append((position, float(value)))
    if current:
        runs.append(current)
    return runs


def sparkline_svg(
    months: Sequence[pd.Timestamp],
    values: Sequence[float | None],
    suppressed: Sequence[bool],
    *,
    label: str,
    format_value: Callable[[float], str],
    target: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """An inline SVG sparkline of the months given (oldest first), ``role="img"`` with a spoken summary.

    Parameters
    ----------
    months, values, suppressed
        One entry per month, oldest first; ``suppressed`` months are not drawn and their values never described.
    label
        What the line is (the indicator's name), for the text alternative.
    format_value
        Formats a figure with its unit (e.g. :func:`analysis.units.format_number` bound to the indicator).
    target
        Drawn as a dashed line when it lies within the range of the figures drawn.

    Returns
    -------
    str
        ``<svg>`` markup; an empty-state ``<span>`` when no month can be drawn.
    """
    if len(months) == 0:
        return '<span class="sparkline-empty">no figures</span>'
    runs = sparkline_points(values, suppressed)
    shown = [value for run in runs for _, value in run]
    first, last = pd.Timestamp(months[0]), pd.Timestamp(months[-1])
    period = f"{first:%b %Y} to {last:%b %Y}"
    if not shown:
        return f'<span class="sparkline-empty">no figures that can be shown, {html_text(period)}</span>'
    low, high = min(shown), max(shown)
    draw_target = target is not None and low <= target <= high
    x_step = (width - 2 * PADDING) / max(len(months) - 1, 1)
    y = _scale(low, high, PADDING, height - PADDING)
    parts = []
    if draw_target:
        ty = y(float(target))  # type: ignore[arg-type]
        parts.append(
            f'<line x1="0" x2="{width}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{TARGET_COLOUR}" stroke-width="1" '
            'stroke-dasharray="3 2"/>'
        )
    for run in runs:
        coordinates = " ".join(f"{PADDING + p * x_step:.1f},{y(v):.1f}" for p, v in run)
        if len(run) == 1:
            p, v = run[0]
            parts.append(
                f'<circle cx="{PADDING + p * x_step:.1f}" cy="{y(v):.1f}" r="1.5" fill="{LINE_COLOUR}"/>'
            )
        else:
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.5" '
                'stroke-linejoin="round"/>'
            )
    end_position, end_value = runs[-1][-1]
    parts.append(
        f'<circle cx="{PADDING + end_position * x_step:.1f}" cy="{y(end_value):.1f}" r="2.5" fill="{LINE_COLOUR}"/>'
    )
    hidden = sum(1 for v, s in zip(values, suppressed, strict=True) if s or v is None or pd.isna(v))
    words = (
        f"{label}, {period}: lowest {format_value(low)}, highest {format_value(high)}, "
        f"latest shown {format_value(end_value)} ({pd.Timestamp(months[end_position]):%b %Y})"
    )
    if draw_target:
        words += f"; target {format_value(float(target))} (dashed line)"  # type: ignore[arg-type]
    if hidden:
        words += f"; {hidden} month{'s' if hidden != 1 else ''} not shown (suppressed or not available)"
    text = html_text(words)
    return (
        f'<svg class="sparkline" role="img" aria-label="{text}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{text}</title>'
        f"{''.join(parts)}</svg>"
    )
