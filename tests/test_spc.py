"""XmR charts and Making Data Count rules, against hand-worked figures and NHSRplotthedots' own test vectors."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.config import load_config
from analysis.config_indicators import Indicator, SpcRules, SpcSettings
from analysis.methods.spc import indicator_chart, readings_as_at, spc_chart
from analysis.methods.spc_rules import (
    CONCERN,
    IMPROVEMENT,
    point_types,
    process_limits,
    run_flags,
    special_cause_types,
    trend_directions,
    trend_flags,
    two_of_three_flags,
)
from analysis.methods.spc_summary import (
    CHANGED_MEETING_TARGET,
    CHANGED_MISSING_TARGET,
    CONSISTENTLY_PASSING,
    assurance,
    summarise,
    sustained_shift_start,
)

SETTINGS = SpcSettings(baseline_points=12, minimum_baseline_points=12)


def monthly(values: list[float], start: str = "2014-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"), dtype="float64")


def flags(array: np.ndarray) -> list[int]:
    return [int(x) for x in array]


# A stable baseline: 12, 10 alternating -> mean 11, every moving range 2 -> limits 11 +/- 5.32, two sigma at
# 11 +/- 3.5467 (7.4533 to 14.5467). It ends on 10 (below the mean) so a run after it starts afresh.
BASELINE = [12.0, 10.0] * 6


# ------------------------------------------------------------------------------------- limits by hand
def test_limits_of_a_small_series_worked_by_hand() -> None:
    # mean (10+12+11+15+12)/5 = 12; moving ranges 2, 1, 4, 3 -> mean 2.5; limits 12 +/- 2.66 x 2.5 = 6.65.
    chart = spc_chart(monthly([10, 12, 11, 15, 12]), polarity="higher_is_better", settings=SETTINGS)
    assert chart["centre"].tolist() == pytest.approx([12.0] * 5)
    assert chart["upper_limit"].iloc[0] == pytest.approx(18.65)
    assert chart["lower_limit"].iloc[0] == pytest.approx(5.35)


def test_screening_drops_large_moving_ranges_once() -> None:
    # mR 1, 1, 1, 1, 20 -> mean 4.8; 20 >= 3.267 x 4.8 = 15.68 is dropped -> mean mR 1. Centre 82 / 6.
    values = np.array([10, 11, 10, 11, 10, 30], dtype=float)
    assert process_limits(values, screen_moving_ranges=False) == pytest.approx((82 / 6, 4.8))
    assert process_limits(values, screen_moving_ranges=True) == pytest.approx((82 / 6, 1.0))


def test_baseline_is_the_first_points_only() -> None:
    # Baseline of 3: mean of 10, 12, 14 = 12, mR 2, 2 -> limits 12 +/- 5.32; later points do not move them.
    short = SpcSettings(baseline_points=3, minimum_baseline_points=3)
    chart = spc_chart(monthly([10, 12, 14, 40, 41]), polarity="lower_is_better", settings=short)
    assert chart["centre"].tolist() == pytest.approx([12.0] * 5)
    assert chart["upper_limit"].iloc[-1] == pytest.approx(17.32)
    assert chart["point_class"].tolist()[-2:] == [CONCERN, CONCERN]
    assert chart["rules_fired"].iloc[-1] == "outside_limits"


def test_rebase_starts_a_new_baseline() -> None:
    values = [10.0, 12.0] * 3 + [30.0, 32.0] * 3
    short = SpcSettings(baseline_points=6, minimum_baseline_points=6)
    chart = spc_chart(
        monthly(values, "2014-07-01"),
        polarity="context",
        rebase_at=[date(2014, 10, 1), date(2020, 1, 1)],
        settings=short,
    )
    # July to September 2014 are baseline 0; October on is baseline 1 (the 2020 date is after the series).
    assert chart["baseline"].tolist() == [0] * 3 + [1] * 9
    # Baseline 0: 10, 12, 10 -> mean 32/3. Baseline 1's first six: 12, 10, 12, 30, 32, 30 -> mean 126/6 = 21.
    assert chart["centre"].iloc[0] == pytest.approx(32 / 3)
    assert chart["centre"].iloc[-1] == pytest.approx(21.0)


def test_short_baseline_is_provisional_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="analysis.methods.spc"):
        chart = spc_chart(
            monthly([5, 6, 7, 6, 5]), polarity="higher_is_better", settings=SETTINGS, label="demo"
        )
    assert "provisional" in caplog.text and "demo" in caplog.text
    summary = summarise(
        chart, indicator_id="demo", polarity="higher_is_better", target=None, settings=SETTINGS
    )
    assert bool(summary["provisional"].iloc[0]) is True
    assert summary["baseline_points"].iloc[0] == 5


def test_missing_months_are_left_out() -> None:
    chart = spc_chart(monthly([10, np.nan, 12, 11]), polarity="context", settings=SETTINGS)
    assert len(chart) == 3
    assert chart["centre"].iloc[0] == pytest.approx(11.0)


# ---------------------------------------------------- NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R
@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [1] * 8 + [0]),
        ([-1] + [1] * 8 + [-1], [0] + [1] * 8 + [0]),
        ([1] * 3 + [0] + [1] * 6, [0] * 10),  # a point on the mean breaks the run: 6 after it is not enough
        ([1] * 3 + [0] + [1] * 7, [0] * 4 + [1] * 7),
    ],
)
def test_run_of_seven_on_one_side(sides: list[int], expected: list[int]) -> None:
    assert flags(run_flags(sides, 7)) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [0] * 6),  # 6 points = 5 increases: not a trend
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a tie breaks it
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7),  # 7 points = 6 increases: every point flagged
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0]),
        ([7, 6, 5, 4, 3, 2, 1], [1] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] + [1] * 7 + [0]),
    ],
)
def test_trend_of_seven_points(values: list[int], expected: list[int]) -> None:
    assert flags(trend_flags(values, 7)) == expected


@pytest.mark.parametrize(
    ("close", "sides", "expected"),
    [
        ([], [], []),
        ([0, 0, 0], [1, 1, 1], [0, 0, 0]),
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [-1, -1, -1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        # 0.2.x: all three points must be on the same side of the mean
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, 1, 0], [0, 0, 0]),
    ],
)
def test_two_of_three_beyond_two_sigma(close: list[int], sides: list[int], expected: list[int]) -> None:
    assert flags(two_of_three_flags([bool(c) for c in close], sides)) == expected


# ------------------------------------------------------------------------------------- rules in a chart
def test_six_points_above_the_mean_are_noise_seven_are_a_signal() -> None:
    six = spc_chart(monthly(BASELINE + [12.0] * 6), polarity="higher_is_better", settings=SETTINGS)
    seven = spc_chart(monthly(BASELINE + [12.0] * 7), polarity="higher_is_better", settings=SETTINGS)
    assert set(six["point_class"]) == {"common_cause"}
    assert seven["point_class"].tolist() == ["common_cause"] * 12 + [IMPROVEMENT] * 7
    assert seven["rules_fired"].iloc[-1] == "run"


def test_summary_says_what_the_run_means() -> None:
    chart = spc_chart(monthly(BASELINE + [12.0] * 7), polarity="lower_is_better", settings=SETTINGS)
    summary = summarise(
        chart, indicator_id="x", polarity="lower_is_better", target=None, settings=SETTINGS
    ).iloc[0]
    assert summary["variation"] == CONCERN
    assert summary["rule"] == "run"
    assert summary["since"] == pd.Timestamp("2015-01-01")
    assert summary["description"].startswith(
        "7 months in a row above the average since January 2015: a real rise, not noise"
    )
    assert pd.isna(summary["assurance"])


def test_a_sustained_shift_is_an_established_level_not_news() -> None:
    """Issue 22, point 4: after 12 months on one side the reading says when the process changed and that its
    limits should be recalculated; it never calls the shift "a real rise" (Making Data Count)."""
    chart = spc_chart(monthly(BASELINE + [30.0] * 14), polarity="lower_is_better", settings=SETTINGS)
    assert sustained_shift_start(chart, 12) == pd.Timestamp("2015-01-01")
    assert sustained_shift_start(chart, 15) is None
    assert sustained_shift_start(chart, 0) is None
    summary = summarise(
        chart, indicator_id="x", polarity="lower_is_better", target=None, settings=SETTINGS
    ).iloc[0]
    assert summary["description"].startswith(
        "Every month since January 2015 has been above the earlier average: the figure changed level then, "
        "14 months ago"
    )
    assert "real rise" not in summary["description"]
    assert summary["since"] == pd.Timestamp("2015-01-01")
    off = SETTINGS.model_copy(update={"sustained_shift_months": 0})
    news = summarise(chart, indicator_id="x", polarity="lower_is_better", target=None, settings=off).iloc[0]
    assert "a real rise, not noise" in news["description"]


def test_rules_can_be_switched_off() -> None:
    off = SpcSettings(rules=SpcRules(run_length=0))
    chart = spc_chart(monthly(BASELINE + [12.0] * 7), polarity="higher_is_better", settings=off)
    assert set(chart["point_class"]) == {"common_cause"}


def test_a_point_on_the_mean_breaks_a_run_in_a_chart() -> None:
    values = BASELINE + [12.0] * 3 + [11.0] + [12.0] * 3
    chart = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)
    assert set(chart["point_class"]) == {"common_cause"}


def test_two_of_three_in_a_chart_flags_only_the_points_beyond_two_sigma() -> None:
    # 15 is beyond two sigma (14.547) but inside the limit (16.32); 12 is above the mean but not close.
    chart = spc_chart(monthly(BASELINE + [15.0, 12.0, 15.0]), polarity="higher_is_better", settings=SETTINGS)
    assert chart["point_class"].tolist()[-3:] == [IMPROVEMENT, "common_cause", IMPROVEMENT]
    assert chart["rules_fired"].iloc[-1] == "two_of_three"
    split = spc_chart(monthly(BASELINE + [15.0, 9.0, 15.0]), polarity="higher_is_better", settings=SETTINGS)
    assert set(split["point_class"]) == {"common_cause"}


def test_context_indicators_are_neutral() -> None:
    chart = spc_chart(monthly(BASELINE + [30.0]), polarity="context", settings=SETTINGS)
    assert chart["point_class"].iloc[-1] == "neutral"


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        ("higher_is_better", 20.0, "consistently_failing"),  # limits 5.68 to 16.32
        ("higher_is_better", 5.0, "consistently_passing"),
        ("lower_is_better", 20.0, "consistently_passing"),
        ("lower_is_better", 5.0, "consistently_failing"),
        ("lower_is_better", 11.0, "hit_and_miss"),
        ("context", 11.0, None),
    ],
)
def test_assurance_against_the_target(polarity: str, target: float, expected: str | None) -> None:
    chart = spc_chart(monthly(BASELINE), polarity=polarity, settings=SETTINGS)
    summary = summarise(chart, indicator_id="x", polarity=polarity, target=target, settings=SETTINGS).iloc[0]
    assert (None if pd.isna(summary["assurance"]) else summary["assurance"]) == expected


# Looked-after children with three or more placements (lower is better, target 10%): a baseline of 12 months
# alternating 7.92 and 8.38 -> mean 8.15, every moving range 0.46 -> limits 8.15 +/- 2.66 x 0.46 = 6.9264 to
# 9.3736 (6.9-9.4%); then April to June 2015 at 9.7, 13.9 and 17.5%, all above the upper limit.
PLACEMENTS_BASELINE = [7.92, 8.38] * 6
PLACEMENTS = monthly(PLACEMENTS_BASELINE + [9.7, 13.9, 17.5], start="2014-04-01")


def test_special_cause_latest_point_is_not_assured_against_the_target() -> None:
    """The case of issue 13: limits 6.9-9.4% sit below the 10% target, yet the process has changed."""
    chart = spc_chart(PLACEMENTS, polarity="lower_is_better", settings=SETTINGS)
    assert chart["lower_limit"].iloc[-1] == pytest.approx(6.9264)
    assert chart["upper_limit"].iloc[-1] == pytest.approx(9.3736)
    assert chart["point_class"].tolist()[-3:] == [CONCERN, CONCERN, CONCERN]
    # NHSRplotthedots alone would say "consistently passing": the target is beyond the upper limit.
    assert assurance(10.0, 6.9264, 9.3736, "lower_is_better") == CONSISTENTLY_PASSING
    summary = summarise(
        chart,
        indicator_id="lac_three_or_more_placements",
        polarity="lower_is_better",
        target=10.0,
        settings=SETTINGS,
        decimals=1,
        unit="%",
    ).iloc[0]
    assert summary["variation"] == CONCERN
    assert summary["assurance"] == CHANGED_MISSING_TARGET
    assert "it is met every month" not in summary["description"]
    assert summary["description"].endswith(
        "Performance has changed since April 2015, so whether the target (10.0%) will be met cannot be judged "
        "from the range expected before the change: 2 of the 3 months since then missed it; June 2015 (17.5%) "
        "missed it."
    )


@pytest.mark.parametrize(
    ("latest", "polarity", "expected"),
    [
        (17.5, "lower_is_better", CHANGED_MISSING_TARGET),
        (10.0, "lower_is_better", CHANGED_MEETING_TARGET),  # on the target counts as meeting it
        (5.0, "lower_is_better", CHANGED_MEETING_TARGET),
        (5.0, "higher_is_better", CHANGED_MISSING_TARGET),
        (12.0, "higher_is_better", CHANGED_MEETING_TARGET),
        (12.0, "context", None),
    ],
)
def test_assurance_after_a_change_follows_the_latest_point(latest: float, polarity: str, expected) -> None:
    level = assurance(10.0, 6.9, 9.4, polarity, latest_value=latest, special_cause=True)
    assert level == expected
    assert assurance(None, 6.9, 9.4, polarity, latest_value=latest, special_cause=True) is None


def test_expected_range_of_a_percentage_is_clipped_to_0_100() -> None:
    # Mean 50, moving ranges 40 -> limits 50 +/- 106.4: shown as 0.0% to 100.0%, never -56.4 to 156.4.
    chart = spc_chart(monthly([30.0, 70.0] * 6), polarity="higher_is_better", settings=SETTINGS)
    text = summarise(
        chart, indicator_id="x", polarity="higher_is_better", target=None, settings=SETTINGS, unit="%"
    ).iloc[0]["description"]
    assert "expected range (0.0% to 100.0%)" in text
    days = summarise(
        chart, indicator_id="x", polarity="higher_is_better", target=None, settings=SETTINGS, unit="days"
    ).iloc[0]["description"]
    assert "expected range (0.0 days to 156.4 days)" in days


# ------------------------------------------------------------------------------------- properties
series_values = st.lists(st.integers(min_value=-50, max_value=50), min_size=2, max_size=36)


def _clear_of_boundaries(chart: pd.DataFrame) -> bool:
    """No point within rounding distance of a limit, a two-sigma line or the centre (where float error decides)."""
    spread = (chart["upper_limit"] - chart["centre"]).to_numpy()
    lines = [chart["centre"].to_numpy()]
    for fraction in (2 / 3, 1.0):
        lines += [
            chart["centre"].to_numpy() + fraction * spread,
            chart["centre"].to_numpy() - fraction * spread,
        ]
    values = chart["value"].to_numpy()
    tolerance = 1e-6 * (1 + np.abs(values).max())
    return all(np.all(np.isnan(line) | (np.abs(values - line) > tolerance)) for line in lines)


@settings(max_examples=60, deadline=None)
@given(values=series_values)
def test_limits_are_symmetric_about_the_centre(values: list[int]) -> None:
    chart = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)
    np.testing.assert_allclose(chart["upper_limit"] - chart["centre"], chart["centre"] - chart["lower_limit"])


@settings(max_examples=60, deadline=None)
@given(values=series_values, shift=st.integers(min_value=-1000, max_value=1000))
def test_shifting_moves_the_limits_and_keeps_the_classes(values: list[int], shift: int) -> None:
    before = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)
    after = spc_chart(monthly([v + shift for v in values]), polarity="higher_is_better", settings=SETTINGS)
    assume(_clear_of_boundaries(before))
    np.testing.assert_allclose(after["upper_limit"], before["upper_limit"] + shift, atol=1e-9)
    np.testing.assert_allclose(after["lower_limit"], before["lower_limit"] + shift, atol=1e-9)
    assert after["point_class"].tolist() == before["point_class"].tolist()


@settings(max_examples=60, deadline=None)
@given(values=series_values, factor=st.floats(min_value=0.01, max_value=100))
def test_scaling_keeps_the_classes(values: list[int], factor: float) -> None:
    before = spc_chart(monthly(values), polarity="lower_is_better", settings=SETTINGS)
    after = spc_chart(monthly([v * factor for v in values]), polarity="lower_is_better", settings=SETTINGS)
    assume(_clear_of_boundaries(before))
    assert after["point_class"].tolist() == before["point_class"].tolist()


@settings(max_examples=60, deadline=None)
@given(values=series_values)
def test_reversing_polarity_swaps_improvement_and_concern(values: list[int]) -> None:
    higher = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)["point_class"]
    lower = spc_chart(monthly(values), polarity="lower_is_better", settings=SETTINGS)["point_class"]
    on_mean = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)
    off_centre = (on_mean["value"] != on_mean["centre"]).to_numpy()
    swap = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT, "common_cause": "common_cause"}
    assert [swap[c] for c in higher[off_centre]] == lower[off_centre].tolist()


def test_a_trend_across_the_mean_is_classed_by_its_direction() -> None:
    # After the baseline's last point (10, December 2014): 10.5, 10.8, 11.5, 12, 12.5, 13 -> six increases, seven
    # points; they cross the mean (11) so there is no run, and stay inside two sigma (14.547).
    chart = spc_chart(
        monthly(BASELINE + [10.5, 10.8, 11.5, 12.0, 12.5, 13.0]),
        polarity="higher_is_better",
        settings=SETTINGS,
    )
    assert chart["rules_fired"].iloc[-7:].tolist() == ["trend"] * 7
    # NHSRplotthedots 0.2.x (issue #171): a rising trend is improvement where higher is better, on either side of
    # the mean (0.1 made the three points below the mean concern).
    assert chart["point_class"].iloc[-7:].tolist() == [IMPROVEMENT] * 7
    summary = summarise(
        chart, indicator_id="x", polarity="higher_is_better", target=None, settings=SETTINGS
    ).iloc[0]
    assert summary["variation"] == IMPROVEMENT
    assert summary["since"] == pd.Timestamp("2014-12-01")
    assert summary["description"].startswith(
        "7 months in a row each higher than the month before since December 2014: a real rise, not noise"
    )


def test_the_shortest_case_of_issue_171_matches_nhsrplotthedots_0_2_2() -> None:
    # y = 47 ... 27, all twelve points the baseline. Mean 440/12 = 36.667; moving ranges 1,2,2,3,3,1,3,2,2,2,3 ->
    # mean 24/11; limits 36.667 +/- 2.66 x 24/11 = 30.863 to 42.470 (screening drops none: 3.267 x 2.18 = 7.1).
    # Points 1-3 are above the upper limit (improvement); points 1-9 fall each month (a decreasing trend), so points
    # 4 and 5, above the mean and inside the limits, are concern (0.1: improvement, by their side of the mean);
    # points 6-12 are seven below the mean; 9, 11 and 12 are below the lower limit.
    values = [47, 46, 44, 42, 39, 36, 35, 32, 30, 32, 30, 27]
    chart = spc_chart(monthly(values), polarity="higher_is_better", settings=SETTINGS)
    assert chart["upper_limit"].iloc[0] == pytest.approx(440 / 12 + 2.66 * 24 / 11)
    assert chart["lower_limit"].iloc[0] == pytest.approx(440 / 12 - 2.66 * 24 / 11)
    assert chart["point_class"].tolist() == [IMPROVEMENT] * 3 + [CONCERN] * 9
    assert chart["rules_fired"].iloc[3] == "trend"
    assert chart["rules_fired"].iloc[4] == "trend"
    lower = spc_chart(monthly(values), polarity="lower_is_better", settings=SETTINGS)
    assert lower["point_class"].tolist() == [CONCERN] * 3 + [IMPROVEMENT] * 9


def test_a_falling_trend_above_the_mean_is_narrated_as_a_fall() -> None:
    # After the baseline (mean 11, two sigma 14.547): 14.5 down to 11.5 in steps of 0.5, seven points each lower
    # than the last and all above the mean: a trend and a run at once. The trend decides (it comes first in the
    # package's order), so the points are concern where higher is better and the summary says they fell.
    chart = spc_chart(
        monthly(BASELINE + [14.5, 14.0, 13.5, 13.0, 12.5, 12.0, 11.5]),
        polarity="higher_is_better",
        settings=SETTINGS,
    )
    assert chart["rules_fired"].iloc[-7:].tolist() == ["trend,run"] * 7
    assert chart["point_class"].iloc[-7:].tolist() == [CONCERN] * 7
    summary = summarise(
        chart, indicator_id="x", polarity="higher_is_better", target=None, settings=SETTINGS
    ).iloc[0]
    assert summary["variation"] == CONCERN
    assert summary["since"] == pd.Timestamp("2015-01-01")
    assert summary["description"].startswith(
        "7 months in a row each lower than the month before since January 2015: a real fall, not noise"
    )
    assert "rise" not in summary["description"]


# ------------------------------------ NHSRplotthedots 0.2.x tests/testthat/test-ptd_calculate_point_type.R
def test_special_cause_type_as_the_package_tests_it() -> None:
    # "ptd_special_cause_type works as expected": y = 1:8; the package's mocked rule results, as flags.
    types = special_cause_types(
        range(1, 9),
        [1, 1, 1, 1, -1, -1, -1, -1],
        outside=[v != 0 for v in [0, 0, 0, 0, 0, 1, -1, 0]],
        trend=[v != 0 for v in [1, -1, 0, 0, 0, 0, 0, 0]],
        two_of_three=[bool(v) for v in [0, 0, 0, 0, 1, 0, 0, 0]],
        run=[v != 0 for v in [0, 0, 1, -1, 0, 0, 0, 0]],
    )
    assert types == [
        "7 Point Trend (Increasing)",
        "7 Point Trend (Increasing)",
        "7 Points Above CL",
        "7 Points Above CL",
        "2 in 3 Below CL",
        "Below LCL",
        "Below LCL",
        "Common Cause",
    ]


@pytest.mark.parametrize(
    ("values", "in_trend", "expected"),
    [
        ([], [], []),
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7, [1] * 7),
        ([7, 6, 5, 4, 3, 2, 1], [1] * 7, [-1] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0], [0] + [1] * 7 + [0]),
        # A rise of seven then a fall of seven sharing the peak: the peak takes the step after it (the fall).
        (
            [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1],
            [1] * 13,
            [1] * 6 + [-1] * 7,
        ),
    ],
)
def test_trend_directions_take_the_step_after_within_a_trend(
    values: list[int], in_trend: list[int], expected: list[int]
) -> None:
    assert flags(trend_directions(values, [bool(v) for v in in_trend])) == expected


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("higher_is_better", [IMPROVEMENT, CONCERN, IMPROVEMENT, CONCERN, "common_cause"]),
        ("lower_is_better", [CONCERN, IMPROVEMENT, CONCERN, IMPROVEMENT, "common_cause"]),
        ("context", ["neutral"] * 4 + ["common_cause"]),
    ],
)
def test_point_type_orients_high_and_low_by_polarity(polarity: str, expected: list[str]) -> None:
    # NHSRplotthedots ptd_point_type: "Above|Increasing" high, "Below|Decreasing" low, times the direction.
    types = [
        "Above UCL",
        "7 Point Trend (Decreasing)",
        "7 Point Trend (Increasing)",
        "7 Points Below CL",
        "Common Cause",
    ]
    assert point_types(types, polarity).tolist() == expected


@pytest.mark.parametrize(
    ("unit", "decimals", "target", "words"),
    [
        ("days", 0, 20.0, "The target (20 days)"),
        ("%", 1, 20.0, "The target (20.0%)"),
        ("count", 0, 20.0, "The target (20)"),
    ],
)
def test_assurance_sentence_gives_the_target_with_its_unit(
    unit: str, decimals: int, target: float, words: str
) -> None:
    """Limits 5.68 to 16.32 below a target of 20 (higher is better): consistently failing, the target with its unit."""
    chart = spc_chart(monthly(BASELINE), polarity="higher_is_better", settings=SETTINGS)
    summary = summarise(
        chart,
        indicator_id="x",
        polarity="higher_is_better",
        target=target,
        settings=SETTINGS,
        decimals=decimals,
        unit=unit,
    ).iloc[0]
    assert (
        f"{words} is outside the range expected from normal variation: it will not be met without a change."
        in summary["description"]
    )


def test_the_reading_as_at_a_month_is_the_chart_drawn_up_to_that_month(config) -> None:
    from analysis.methods.spc import indicator_chart, readings_as_at

    indicator = config.indicator("assessments_within_45_working_days").model_copy(update={"rebase_at": ()})
    months = pd.date_range("2013-04-01", periods=24, freq="MS")
    values = [60.0 + (i % 3) for i in range(16)] + [70.0, 72.0, 75.0, 78.0, 80.0, 83.0, 85.0, 88.0]
    monthly = pd.DataFrame(
        {"indicator_id": indicator.id, "month": months, "value": values, "suppressed": False}
    )
    readings = readings_as_at(monthly, indicator, config.spc, [months[15], months[-1]]).set_index("as_at")
    for as_at in (months[15], months[-1]):
        _, summary = indicator_chart(monthly, indicator, config.spc, as_at)
        assert readings.loc[as_at, "variation"] == summary["variation"].iloc[0]
        assert readings.loc[as_at, "description"] == summary["description"].iloc[0]
        assert readings.loc[as_at, "latest_month"] == as_at
    # The Board saw a stable process in July 2014 and an improvement by March 2015.
    assert readings.loc[months[15], "variation"] == "common_cause"
    assert readings.loc[months[-1], "variation"] == "improvement"
    assert bool(readings.loc[months[-1], "above_mean"])


# ------------------------------------------------------------------------- readings as at each month (fast path)
def _readings_drawn_month_by_month(
    monthly_rows: pd.DataFrame, indicator: Indicator, settings_: SpcSettings, months: list[pd.Timestamp]
) -> pd.DataFrame:
    """The straightforward ``spc_as_at``: :func:`indicator_chart` drawn afresh at every month."""
    rows = []
    for as_at in months:
        chart, summary = indicator_chart(monthly_rows, indicator, settings_, as_at)
        above = pd.NA
        if not chart.empty and pd.notna(chart["centre"].iloc[-1]):
            above = bool(chart["value"].iloc[-1] > chart["centre"].iloc[-1])
        rows.append(summary.assign(as_at=as_at, above_mean=above))
    return pd.concat(rows, ignore_index=True)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=1, max_size=30),
    polarity=st.sampled_from(["higher_is_better", "lower_is_better", "context"]),
    target=st.one_of(st.none(), st.integers(0, 30)),
    rebase=st.one_of(st.none(), st.integers(1, 29)),
    baseline_points=st.integers(2, 12),
)
def test_readings_as_at_equal_a_chart_drawn_at_every_month(
    values: list[int | None],
    polarity: str,
    target: int | None,
    rebase: int | None,
    baseline_points: int,
) -> None:
    """The fast path (a chart per new figure, reused at months without one) gives exactly the same table."""
    config = load_config(Path(__file__).resolve().parents[1] / "config")
    base = next(i for i in config.indicators if i.unit == "%" and i.target is not None)
    assert base.target is not None
    months = list(pd.date_range("2014-01-01", periods=len(values), freq="MS"))
    indicator = base.model_copy(
        update={
            "polarity": polarity,
            "target": None if target is None else base.target.model_copy(update={"value": float(target)}),
            "rebase_at": [] if rebase is None else [(months[0] + pd.DateOffset(months=rebase)).date()],
        }
    )
    settings_ = SpcSettings(baseline_points=baseline_points, minimum_baseline_points=min(baseline_points, 6))
    rows = pd.DataFrame(
        {
            "indicator_id": indicator.id,
            "month": months,
            "value": [np.nan if v is None else float(v) for v in values],
        }
    )
    as_at = months + [months[-1] + pd.DateOffset(months=2)]
    expected = _readings_drawn_month_by_month(rows, indicator, settings_, as_at)
    pd.testing.assert_frame_equal(readings_as_at(rows, indicator, settings_, as_at), expected)
