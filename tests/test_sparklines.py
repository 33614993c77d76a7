"""Sparklines: suppressed months are neither drawn nor described; the words carry the shape."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analysis.products.sparklines import sparkline_points, sparkline_svg

MONTHS = list(pd.date_range("2015-01-01", periods=5, freq="MS"))


def _format(value: float) -> str:
    return f"{value:.1f}%"


def test_runs_break_at_suppressed_and_missing_months():
    runs = sparkline_points([10.0, 3.0, 12.0, None, 14.0], [False, True, False, False, False])
    assert runs == [[(0, 10.0)], [(2, 12.0)], [(4, 14.0)]]


def test_suppressed_figure_is_not_in_the_svg_words():
    svg = sparkline_svg(
        MONTHS,
        [10.0, 77.7, 12.0, 13.0, 14.0],
        [False, True, False, False, False],
        label="X",
        format_value=_format,
    )
    assert "77.7" not in svg
    assert "lowest 10.0%, highest 14.0%, latest shown 14.0% (May 2015)" in svg
    assert "1 month not shown" in svg
    assert svg.count("<polyline") == 1  # months 3 to 5; month 1 alone is a dot


def test_target_line_drawn_when_in_range():
    svg = sparkline_svg(
        MONTHS, [10, 11, 12, 13, 14], [False] * 5, label="X", format_value=_format, target=12.5
    )
    assert "stroke-dasharray" in svg and "target 12.5%" in svg
    outside = sparkline_svg(
        MONTHS, [10, 11, 12, 13, 14], [False] * 5, label="X", format_value=_format, target=50
    )
    assert "stroke-dasharray" not in outside


def test_nothing_to_draw():
    svg = sparkline_svg(MONTHS, [1.0] * 5, [True] * 5, label="X", format_value=_format)
    assert svg.startswith("<span") and "no figures" in svg


@given(st.lists(st.tuples(st.floats(0, 1000, allow_nan=False), st.booleans()), min_size=1, max_size=30))
def test_every_drawn_point_is_a_published_month(points):
    values = [v for v, _ in points]
    hidden = [h for _, h in points]
    runs = sparkline_points(values, hidden)
    drawn = [position for run in runs for position, _ in run]
    assert drawn == [n for n, h in enumerate(hidden) if not h]
