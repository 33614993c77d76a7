"""The house style charts: alt text, suppression, colours, deterministic SVG."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config_indicators import Indicator
from analysis.products import annual_charts, chart_cache, chart_style, spc_charts
from analysis.products.annual_charts import benchmark_alt_text, benchmark_caption, benchmark_chart
from analysis.products.chart_style import PALETTE, colours_in_svg, data_colours
from analysis.products.spc_charts import spc_alt_text, spc_chart, spc_plot_points
from analysis.units import format_number

PERCENT = Indicator(
    id="assessments_within_45_working_days",
    name="Assessments completed within 45 working days",
    theme=1,
    unit="%",
    polarity="higher_is_better",
    decimals=1,
    target={"value": 85.0, "source": "test"},
    source="case_records",
    tables=["assessments"],
    annual="year_to_31_march",
    definition="d",
    reference="r",
    benchmark=None,
)
COUNT = PERCENT.model_copy(
    update={"id": "recruited", "name": "Social workers recruited", "unit": "count", "decimals": 0}
)


def points(values, *, classes=None, upper=80.0, lower=40.0, suppressed=None, start="2014-04-01"):
    """SPC points by hand: one baseline, fixed limits."""
    months = pd.date_range(start, periods=len(values), freq="MS")
    spc = pd.DataFrame(
        {
            "indicator_id": PERCENT.id,
            "month": months,
            "value": values,
            "baseline": 0,
            "centre": (upper + lower) / 2,
            "lower_limit": lower,
            "upper_limit": upper,
            "rules_fired": None,
            "point_class": classes or ["common_cause"] * len(values),
        }
    )
    monthly = pd.DataFrame({"month": months, "suppressed": suppressed or [False] * len(values)})
    return spc_plot_points(spc, monthly)


def test_alt_text_states_first_and_latest_value_and_the_limit():
    alt = spc_alt_text(
        points([55.0, 70.0, 88.0], classes=["common_cause", "common_cause", "improvement"]), PERCENT
    )
    assert alt.startswith(
        "Line chart: Assessments completed within 45 working days rose from 55.0% in April 2014"
    )
    assert "to 88.0% in June 2014, above the range expected from normal variation" in alt
    assert "(unusual change: improvement)" in alt
    assert alt.endswith("Target 85.0%.")


def test_alt_text_below_the_lower_limit_and_falling():
    alt = spc_alt_text(points([50.0, 45.0, 30.0], classes=["common_cause", "common_cause", "concern"]), COUNT)
    assert (
        "fell from 50 in April 2014 to 30 in June 2014, below the range expected from normal variation" in alt
    )
    assert "(unusual change: concern)" in alt


def test_suppressed_point_is_blanked_and_not_in_the_alt_text():
    frame = points([55.0, 60.0, 3.0], suppressed=[False, False, True])
    assert frame["value"].isna().tolist() == [False, False, True]
    assert frame["point_class"].iloc[-1] == "suppressed"
    alt = spc_alt_text(frame, PERCENT)
    assert "3.0%" not in alt
    assert "to 60.0% in May 2014" in alt
    assert "1 month not shown" in alt


def test_suppressed_point_is_not_plotted(monkeypatch):
    plotted: list[np.ndarray] = []
    original = chart_style.figure_svg

    def capture(figure):
        for axes in figure.axes:
            plotted.extend(np.asarray(line.get_ydata(), dtype=float) for line in axes.get_lines())
            plotted.extend(np.asarray(c.get_offsets())[:, 1] for c in axes.collections)
        return original(figure)

    monkeypatch.setattr(spc_charts, "figure_svg", capture)
    figure = spc_chart(points([55.0, 60.0, 3.0], suppressed=[False, False, True]), PERCENT)
    assert plotted, "the chart drew nothing"
    assert not any(np.any(np.isclose(ys, 3.0)) for ys in plotted)
    assert "left out" in figure.caption


def test_at_most_four_colours_all_from_the_palette():
    frame = points(
        [50.0, 85.0, 20.0, 60.0, 61.0],
        classes=["common_cause", "improvement", "concern", "neutral", "common_cause"],
    )
    svg = spc_chart(frame, PERCENT, rebase_dates=[pd.Timestamp("2014-06-01").date()]).svg
    used = data_colours(colours_in_svg(svg))
    assert used <= set(PALETTE)
    assert len(used) <= 4
    assert {"#28A197", "#F46A25"} <= used  # improvement and concern drawn in their colours


def test_special_causes_differ_in_shape_as_well_as_colour():
    shapes = {marker for _, marker, _ in chart_style.POINT_STYLES.values()}
    assert len(shapes) == len(chart_style.POINT_STYLES)


def test_svg_is_the_same_bytes_for_the_same_data_and_has_no_date():
    frame = points([55.0, 70.0, 88.0])
    first, second = spc_chart(frame, PERCENT).svg, spc_chart(frame, PERCENT).svg
    assert first == second
    assert "<dc:date>" not in first
    assert first.startswith("<svg")


def test_the_layout_run_before_saving_gives_the_bytes_of_matplotlibs_own_layout_pass(monkeypatch):
    """Issue 21: figure_svg runs the constrained layout itself and saves with no engine (one draw, not two); the SVG
    must be the bytes matplotlib's savefig writes when it runs the layout in its own first draw."""
    charts = [
        lambda: spc_chart(points([55.0, 70.0, 88.0, 61.0, 43.5], classes=None), PERCENT).svg,
        lambda: spc_chart(points([5.0, 7.0, 12.0, 30.0]), COUNT).svg,
        lambda: (
            annual_charts.annual_chart(
                pd.DataFrame(
                    {
                        "period_end": pd.to_datetime(["2013-03-31", "2014-03-31", "2015-03-31"]),
                        "period_label": ["2012-13", "2013-14", "2014-15"],
                        "value": [16.8, 22.0, 18.6],
                        "suppressed": [False, False, False],
                    }
                ),
                PERCENT,
            ).svg
        ),
    ]
    ours = [draw() for draw in charts]
    monkeypatch.setattr(chart_style, "_lay_out_for_svg", lambda figure: None)
    matplotlibs = [draw() for draw in charts]
    assert ours == matplotlibs


def test_figure_html_has_alt_caption_and_embedded_svg():
    figure = spc_chart(points([55.0, 70.0, 88.0]), PERCENT)
    markup = figure.to_html()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Line chart: [^"]+"', markup)
    assert "<figcaption>" in markup


def test_benchmark_chart_alt_text_names_the_latest_year():
    comparison = pd.DataFrame(
        {
            "time_period": [2014, 2015],
            "local_value": [56.0, 78.0],
            "england": [82.0, 81.5],
            "region": [80.0, np.nan],
            "statistical_neighbours_average": [79.0, 80.0],
        }
    )
    alt = benchmark_alt_text(comparison, PERCENT, "Medway")
    assert "In 2014-15 Medway was 78.0% (England 81.5%, statistical neighbours (average) 80.0%)." in alt
    svg = benchmark_chart(comparison, PERCENT, authority="Medway", region="South East").svg
    assert len(data_colours(colours_in_svg(svg))) <= 4


@pytest.mark.parametrize(
    ("value", "indicator", "expected"),
    [(88.04, PERCENT, "88.0%"), (1234.0, COUNT, "1,234"), (np.nan, PERCENT, "not available")],
)
def test_format_number(value, indicator, expected):
    assert format_number(value, indicator) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=24))
def test_alt_text_always_names_the_latest_shown_value(values):
    frame = points(values, upper=200.0, lower=-1.0)
    alt = spc_alt_text(frame, PERCENT)
    assert alt.startswith("Line chart: ")
    assert format_number(values[-1], PERCENT) in alt
    assert "within the range expected from normal variation" in alt


# ------------------------------------------------------------------------------ axes, titles, short series
def test_percentage_axis_is_fitted_to_the_data_within_0_to_100():
    # Data 40-60: 8% of the span (20) either side -> 38.4 to 61.6, not 0 to 100.
    assert chart_style.fitted_limits([40.0, 60.0], PERCENT) == pytest.approx((38.4, 61.6))
    # Limits reaching -0.7 and 129.9 are clipped first, so the axis stops at 0 and 100.
    clipped = chart_style.clip_to_unit([-0.7, 50.0, 129.9], PERCENT)
    assert clipped.tolist() == [0.0, 50.0, 100.0]
    assert chart_style.fitted_limits(clipped, PERCENT) == (0.0, 100.0)
    # A count never goes below 0, but has no ceiling.
    assert chart_style.fitted_limits([1.0, 11.0], COUNT) == pytest.approx((0.2, 11.8))
    assert chart_style.fitted_limits([0.0, 10.0], COUNT) == pytest.approx((0.0, 10.8))
    assert chart_style.fitted_limits([5.0], COUNT) == pytest.approx(
        (4.92, 5.08)
    )  # one value: 20% of it as span


def test_spc_chart_axis_and_limits_stay_within_0_to_100(monkeypatch):
    seen = {}
    original = chart_style.figure_svg

    def capture(figure):
        axes = figure.axes[0]
        seen["ylim"] = axes.get_ylim()
        seen["lines"] = [np.asarray(line.get_ydata(), dtype=float) for line in axes.get_lines()]
        return original(figure)

    monkeypatch.setattr(spc_charts, "figure_svg", capture)
    spc_chart(points([60.0, 90.0, 75.0], upper=129.9, lower=-0.7), PERCENT)
    low, high = seen["ylim"]
    assert low >= 0.0 and high <= 100.0
    drawn = np.concatenate([ys[np.isfinite(ys)] for ys in seen["lines"]])
    assert drawn.min() >= 0.0 and drawn.max() <= 100.0


def test_long_titles_and_legend_entries_wrap():
    title = "Average days from entering care to moving in with the adoptive family (A1): comparison"
    lines = chart_style.wrap(title, chart_style.TITLE_WRAP).split("\n")
    assert len(lines) == 2 and all(len(line) <= chart_style.TITLE_WRAP for line in lines)
    assert " ".join(lines) == title  # wrapped, nothing cut


def test_no_spc_chart_for_a_short_or_mostly_suppressed_series():
    full = points([50.0] * 12)
    assert spc_charts.monthly_chart_reason(full, 12) is None
    short = points([50.0] * 11)
    assert spc_charts.monthly_chart_reason(short, 12) == (
        "There is no monthly chart: it has only 11 published monthly figures, and telling a real change from "
        "chance needs at least 12."
    )
    # 39 months, 36 suppressed: 3 dots would misrepresent the series.
    mostly = points([0.0] * 39, suppressed=[True] * 36 + [False] * 3)
    assert spc_charts.monthly_chart_reason(mostly, 12).startswith(
        "There is no monthly chart: only 3 of its 39 monthly figures can be published"
    )
    # 24 months, 12 suppressed (half, not most) and 12 published: charted.
    half = points([50.0] * 24, suppressed=[True, False] * 12)
    assert spc_charts.monthly_chart_reason(half, 12) is None


def test_alt_text_says_when_the_latest_month_is_suppressed():
    alt = spc_alt_text(points([55.0, 60.0, 3.0], suppressed=[False, False, True]), PERCENT)
    assert "including the latest, June 2014 (c)" in alt


def test_annual_chart_leaves_out_suppressed_years():
    rows = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2013-03-31", "2014-03-31", "2015-03-31"]),
            "period_label": ["2012-13", "2013-14", "2014-15"],
            "value": [16.8, 2.0, 18.6],
            "suppressed": [False, True, False],
        }
    )
    figure = annual_charts.annual_chart(rows, PERCENT)
    assert figure.alt == (
        "Line chart: Assessments completed within 45 working days by year, 2012-13 to 2014-15. "
        "In 2014-15 it was 18.6%."
    )
    assert "2.0%" not in figure.svg and "left out" in figure.caption


# ------------------------------------------------------------------------------------------ end to end
@pytest.mark.e2e
def test_every_demo_chart_keeps_its_text_inside_the_figure(first_run, demo_project, monkeypatch):
    """Render every chart the demo's reports show; every visible text (title, labels, ticks, legend) is inside."""
    from matplotlib.text import Text

    from analysis.products import indicator_charts, report_data

    outside: list[str] = []
    rendered = []
    original = chart_style.figure_svg

    def check(figure):
        renderer = figure.canvas.get_renderer()
        figure.draw(renderer)  # lay out (constrained layout) exactly as saving does
        box = figure.bbox
        # Tick labels of ticks beyond the axis's range exist but are never drawn: leave them out.
        undrawn = set()
        for axes in figure.axes:
            for axis in (axes.xaxis, axes.yaxis):
                low, high = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                        undrawn.update({id(tick.label1), id(tick.label2)})
        for text in figure.findobj(Text):
            if not text.get_visible() or not text.get_text().strip() or id(text) in undrawn:
                continue
            extent = text.get_window_extent(renderer)
            if (
                extent.x0 < box.x0 - 0.5
                or extent.y0 < box.y0 - 0.5
                or extent.x1 > box.x1 + 0.5
                or extent.y1 > box.y1 + 0.5
            ):
                title = figure.axes[0].get_title(loc="left") if figure.axes else "?"
                outside.append(f"{title!r}: {text.get_text()!r} at {extent.bounds}")
        tight = figure.get_tightbbox(renderer)  # inches
        if (
            tight.x0 < -0.01
            or tight.y0 < -0.01
            or tight.x1 > figure.get_figwidth() + 0.01
            or (tight.y1 > figure.get_figheight() + 0.01)
        ):
            outside.append(
                f"{figure.axes[0].get_title(loc='left')!r}: drawn area {tight.bounds} passes the edge"
            )
        rendered.append(figure)
        return original(figure)

    monkeypatch.setattr(spc_charts, "figure_svg", check)
    monkeypatch.setattr(annual_charts, "figure_svg", check)
    data = report_data.load_report_data(first_run.quarter, demo_project.processed, demo_project.config)
    chart_cache.use_folder(None)  # draw every chart, not the run's cached SVGs, so that each one is checked
    for indicator in data.config.indicators:
        indicator_charts.indicator_figures(data, indicator)
    assert len(rendered) > len(data.config.indicators)  # SPC and benchmark charts, not just a few
    assert not outside, "\n".join(outside)


def test_a_suppressed_month_absent_from_the_spc_table_comes_back_as_a_gap_and_is_said():
    # The analysis tables no longer hold a suppressed month's point (analysis.methods.suppression.withhold_suppressed):
    # the chart still knows the month was there, leaves it out and says so.
    months = pd.date_range("2014-04-01", periods=3, freq="MS")
    spc = pd.DataFrame(
        {
            "indicator_id": PERCENT.id,
            "month": months[:2],
            "value": [55.0, 70.0],
            "baseline": 0,
            "centre": 60.0,
            "lower_limit": 40.0,
            "upper_limit": 80.0,
            "rules_fired": None,
            "point_class": "common_cause",
        }
    )
    monthly = pd.DataFrame({"month": months, "suppressed": [False, False, True]})
    shown = spc_plot_points(spc, monthly)
    assert shown["month"].tolist() == list(months)
    assert shown["value"].isna().tolist() == [False, False, True]
    alt = spc_alt_text(shown, PERCENT)
    assert "including the latest, June 2014 (c)" in alt
    assert "70.0% in May 2014" in alt


def test_an_annual_chart_says_where_each_year_comes_from():
    """Issue 20: the reports say which source each annual figure comes from (Annex A lists or a statutory return)."""
    rows = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2013-03-31", "2014-03-31", "2015-03-31"]),
            "period_label": ["2012-13", "2013-14", "2014-15"],
            "value": [60.0, 62.0, 65.0],
            "suppressed": [False, False, False],
            "source": ["Annex A lists", "Annex A lists", "SSDA903 return 2014-15"],
        }
    )
    assert (
        annual_charts.sources_sentence(rows)
        == " Source: Annex A lists (2012-13, 2013-14); SSDA903 return 2014-15."
    )
    assert annual_charts.annual_chart(rows, PERCENT).caption.endswith("SSDA903 return 2014-15.")
    assert annual_charts.sources_sentence(rows.drop(columns="source")) == ""


def test_the_benchmark_caption_names_exactly_the_series_drawn() -> None:
    """Issue 22, point 9: A2's chart drew England and one authority dot under a caption naming the region too."""
    two = benchmark_caption("A2", ["local_value", "england"], authority="Medway", region="South East")
    assert two == "A2: Medway compared with England, by year."
    every = benchmark_caption(
        "A2",
        ["local_value", "england", "region", "statistical_neighbours_average"],
        authority="Medway",
        region="South East",
    )
    assert every == "A2: Medway compared with England, South East and similar authorities, by year."
    without = benchmark_caption("A2", ["england", "region"], authority="Medway", region="South East")
    assert (
        without == "A2: England and South East (Medway's figure is not available for these years), by year."
    )
