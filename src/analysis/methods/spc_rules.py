"""The rules of statistical process control (XmR): process limits, the special-cause rules (outside the limits, run,
trend, two of three beyond two sigma) and each point's type and class, as NHSRplotthedots 0.2.x computes them.

See :mod:`analysis.methods.spc` for the method as a whole and its references.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from analysis.config_indicators import Polarity

#: XmR constants (Wheeler): limits at 2.66 mean moving ranges (= 3 sigma), screening at 3.267 (the mR chart's
#: upper limit), two sigma at 2/3 of the way to a limit. They are the method, not settings.
LIMIT_FACTOR = 2.66
SCREEN_FACTOR = 3.267
TWO_SIGMA_FRACTION = 2 / 3

RULE_OUTSIDE_LIMITS = "outside_limits"
RULE_RUN = "run"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
#: Order in which rules are listed and in which the one that classes (and explains) a point is chosen:
#: NHSRplotthedots 0.2.x ``ptd_special_cause_type`` (R/ptd_calculate_point_type.R), its ``dplyr::case_when`` order.
RULE_ORDER = (RULE_OUTSIDE_LIMITS, RULE_TREND, RULE_TWO_OF_THREE, RULE_RUN)

#: Special-cause types as NHSRplotthedots 0.2.x labels them (``ptd_special_cause_type``); "Common Cause" otherwise.
ABOVE_UCL, BELOW_LCL = "Above UCL", "Below LCL"
TREND_INCREASING, TREND_DECREASING = "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"
TWO_IN_THREE_ABOVE, TWO_IN_THREE_BELOW = "2 in 3 Above CL", "2 in 3 Below CL"
RUN_ABOVE, RUN_BELOW = "7 Points Above CL", "7 Points Below CL"
COMMON_CAUSE_TYPE = "Common Cause"

COMMON_CAUSE = "common_cause"
IMPROVEMENT = "improvement"
CONCERN = "concern"
NEUTRAL = "neutral"


# --------------------------------------------------------------------------------------------------- limits
def process_limits(baseline: np.ndarray, *, screen_moving_ranges: bool) -> tuple[float, float]:
    """Centre and mean moving range of a baseline.

    Returns
    -------
    tuple of float
        ``(centre, mean_moving_range)``; the mean moving range is NaN with fewer than two points.

    Notes
    -----
    NHSRplotthedots ``ptd_spc_standard``: ``mean(fix_y)``, ``mr = abs(diff(fix_y))``, ``amr = mean(mr)``; with
    ``screen_outliers`` moving ranges >= 3.267 x amr are dropped and amr recomputed once.
    """
    values = np.asarray(baseline, dtype="float64")
    if values.size == 0:
        return float("nan"), float("nan")
    centre = float(values.mean())
    moving_ranges = np.abs(np.diff(values))
    if moving_ranges.size == 0:
        return centre, float("nan")
    mean_moving_range = float(moving_ranges.mean())
    if screen_moving_ranges and mean_moving_range > 0:
        kept = moving_ranges[moving_ranges < SCREEN_FACTOR * mean_moving_range]
        mean_moving_range = float(kept.mean())
    return centre, mean_moving_range


# ---------------------------------------------------------------------------------------------------- rules
def _flag_whole_patterns(ends: np.ndarray, length: int) -> np.ndarray:
    """Flag the ``length`` points ending at each pattern end (NHSRplotthedots ``ptd_part_of_seven_trend``)."""
    flagged = np.zeros(ends.size, dtype=bool)
    for end in np.flatnonzero(ends):
        flagged[max(0, end - length + 1) : end + 1] = True
    return flagged


def run_flags(relative_to_mean: Iterable[float], length: int) -> np.ndarray:
    """Points that are part of a run of ``length`` or more points on the same side of the centre.

    ``relative_to_mean`` is the sign of each point's difference from the centre (-1, 0 or 1). A point on the
    centre (0) breaks a run. ``length`` 0 turns the rule off.

    Notes
    -----
    NHSRplotthedots ``ptd_seven_point_one_side_mean`` (generalised from 7) and ``ptd_part_of_seven_trend``.
    """
    sides = np.asarray(list(relative_to_mean), dtype="float64")
    ends = np.zeros(sides.size, dtype=bool)
    if length <= 0:
        return ends
    for i in range(length - 1, sides.size):
        window = sides[i - length + 1 : i + 1]
        ends[i] = sides[i] != 0 and bool(np.all(window == sides[i]))
    return _flag_whole_patterns(ends, length)


def trend_flags(values: Iterable[float], length: int) -> np.ndarray:
    """Points that are part of a trend: ``length`` points each higher (or each lower) than the one before.

    A trend of 7 points is 6 consecutive increases (or decreases); two equal points in a row break it.
    ``length`` 0 (or 1) turns the rule off.

    Notes
    -----
    NHSRplotthedots ``ptd_seven_point_trend``: ``sign(diff(y))`` over the last 7 points all 1 or all -1.
    """
    y = np.asarray(list(values), dtype="float64")
    ends = np.zeros(y.size, dtype=bool)
    if length <= 1:
        return ends
    steps = np.sign(np.diff(y))
    for i in range(length - 1, y.size):
        window = steps[i - length + 1 : i]
        ends[i] = window[-1] != 0 and bool(np.all(window == window[-1]))
    return _flag_whole_patterns(ends, length)


def two_of_three_flags(beyond_two_sigma: Iterable[bool], relative_to_mean: Iterable[float]) -> np.ndarray:
    """Points beyond two sigma that are two (or three) of three consecutive points all on one side of the centre.

    Notes
    -----
    NHSRplotthedots 0.2 ``ptd_two_in_three`` and ``ptd_part_of_two_in_three``: a window of three consecutive
    points qualifies when at least two are "close to limits" (beyond 2 sigma, not outside the limits) and all
    three are on the same side of the mean; the close points of a qualifying window are flagged.
    """
    close = np.asarray(list(beyond_two_sigma), dtype=bool)
    sides = np.asarray(list(relative_to_mean), dtype="float64")
    flagged = np.zeros(close.size, dtype=bool)
    for start in range(close.size - 2):
        window = slice(start, start + 3)
        if close[window].sum() >= 2 and abs(sides[window].sum()) == 3:
            flagged[window] |= close[window]
    return flagged


def trend_directions(values: Iterable[float], in_trend: Iterable[bool]) -> np.ndarray:
    """Direction (1 up, -1 down) of the trend each point belongs to; 0 for points in no trend.

    A point followed by another point of a trend takes the sign of the step after it, else the step before it, so
    the first point of a trend takes the trend's direction and a point where a rising trend turns into a falling
    one takes the later trend's.

    Notes
    -----
    NHSRplotthedots 0.2.x, R/ptd_calculate_point_type.R ``ptd_special_cause_type``: ``sdy <- ifelse(c(part[-1],
    0) & part, c(sdy, tail(sdy, 1)), c(0, sdy))``, then "Increasing" where ``sdy == 1``, else "Decreasing".
    """
    y = np.asarray(list(values), dtype="float64")
    part = np.asarray(list(in_trend), dtype=bool)
    if y.size == 0:
        return np.zeros(0, dtype="int64")
    steps = np.sign(np.diff(y))
    after = np.append(steps, steps[-1:] if steps.size else [0.0])
    before = np.insert(steps, 0, 0.0)
    next_in_trend = np.append(part[1:], False)
    sdy = np.where(next_in_trend & part, after, before)
    return np.where(part, np.where(sdy == 1, 1, -1), 0).astype("int64")


def special_cause_types(
    values: Iterable[float],
    relative_to_mean: Iterable[float],
    *,
    outside: Iterable[bool],
    trend: Iterable[bool],
    two_of_three: Iterable[bool],
    run: Iterable[bool],
) -> list[str]:
    """The special-cause type of each point, labelled as NHSRplotthedots labels it.

    ``relative_to_mean`` is the sign of each point's difference from the centre; the other arguments are the
    points flagged by each rule (:func:`run_flags`, :func:`trend_flags`, :func:`two_of_three_flags`). The first
    rule that flags a point decides its type: outside the limits ("Above UCL" where the point is above the centre,
    else "Below LCL"), a trend (by its direction, :func:`trend_directions`), two of three beyond two sigma, a run
    of points on one side ("Above" where the point is above the centre, else "Below").

    Notes
    -----
    NHSRplotthedots 0.2.x, R/ptd_calculate_point_type.R ``ptd_special_cause_type`` (issue #171, pull request #180:
    "points of a trend are classed by the trend's direction").
    """
    side = np.asarray(list(relative_to_mean), dtype="float64")
    outside_ = np.asarray(list(outside), dtype=bool)
    trend_ = np.asarray(list(trend), dtype=bool)
    two_ = np.asarray(list(two_of_three), dtype=bool)
    run_ = np.asarray(list(run), dtype=bool)
    directions = trend_directions(values, trend_)
    types: list[str] = []
    for i in range(side.size):
        above = side[i] > 0
        if outside_[i]:
            types.append(ABOVE_UCL if side[i] == 1 else BELOW_LCL)
        elif trend_[i]:
            types.append(TREND_INCREASING if directions[i] == 1 else TREND_DECREASING)
        elif two_[i]:
            types.append(TWO_IN_THREE_ABOVE if above else TWO_IN_THREE_BELOW)
        elif run_[i]:
            types.append(RUN_ABOVE if above else RUN_BELOW)
        else:
            types.append(COMMON_CAUSE_TYPE)
    return types


def point_types(types: Iterable[str], polarity: Polarity) -> np.ndarray:
    """Class of each point from its special-cause type and the indicator's polarity.

    Notes
    -----
    NHSRplotthedots 0.2.x, R/ptd_calculate_point_type.R ``ptd_point_type``: "Above" or "Increasing" is high (1),
    "Below" or "Decreasing" low (-1), oriented by the improvement direction; with no direction (``context``) a
    special cause is neutral (the package's ``special_cause_neutral_high``/``_low``).
    """
    labels = list(types)
    high = np.array([("Above" in t or "Increasing" in t) for t in labels], dtype=bool)
    low = np.array([("Below" in t or "Decreasing" in t) for t in labels], dtype=bool)
    v = np.where(high, 1, np.where(low, -1, 0))
    direction = polarity_sign(polarity)
    if direction == 0:
        return np.where(v != 0, NEUTRAL, COMMON_CAUSE).astype(object)
    v = v * direction
    return np.where(v > 0, IMPROVEMENT, np.where(v < 0, CONCERN, COMMON_CAUSE)).astype(object)


def polarity_sign(polarity: Polarity) -> int:
    """1 when higher is better, -1 when lower is better, 0 for a context indicator."""
    return {"higher_is_better": 1, "lower_is_better": -1}.get(polarity, 0)
