"""Statistical process control: XmR charts read with NHS England's "Making Data Count" rules.

The calculations follow NHSRplotthedots 0.2.x (``ptd_spc_standard`` and ``ptd_calculate_point_type``), so a chart
here matches the one an NHS analyst would draw with that package:

* each segment (the points between rebase dates) has its own baseline: its first ``spc.baseline_points`` points
  (the package's ``fix_after_n_points``). Centre = mean of the baseline; moving ranges mR_i = |x_i - x_(i-1)|
  within the baseline; process limits = centre +/- 2.66 x mean(mR).
* optional screening (``spc.screen_moving_ranges``, the package's ``screen_outliers``): moving ranges of
  3.267 x mean(mR) or more are dropped and the mean moving range is computed once more. (Where every moving
  range is 0 nothing is screened, so the limits stay at the centre rather than becoming undefined.)
* rules, each only within its segment: a point outside the limits; a run of ``run_length`` points on one side of
  the centre (a point exactly on the centre breaks the run); a trend of ``trend_length`` points each higher (or
  each lower) than the one before, i.e. ``trend_length - 1`` consecutive increases (a tie breaks it); two of three
  consecutive points beyond two sigma (more than 2/3 of the way from the centre to a limit, but not outside it)
  with all three on the same side of the centre. Every point of a run or trend is flagged; for two-of-three only
  the points beyond two sigma are.
* each flagged point takes the type of the first of these rules it is part of (the package's
  ``ptd_special_cause_type``, since its issue #171 / pull request #180): outside the limits (above or below by its
  side of the centre), a trend (increasing or decreasing by the trend's direction, not by the point's side of the
  centre), two of three beyond two sigma, a run (above or below by side). A high type is ``improvement`` when
  higher is better and ``concern`` when lower is better, a low type the reverse, and either is ``neutral`` for
  ``context`` indicators (the package's ``ptd_point_type``); unflagged points are ``common_cause``.
* assurance compares the target with the latest point's limits: outside them on the good side is
  ``consistently_passing``, on the bad side ``consistently_failing``, inside ``hit_and_miss`` -- unless the latest
  point is itself a special cause: then the process has changed, the limits describe the process before the
  change, and assurance is not judged (``changed_meeting_target`` or ``changed_missing_target``, by where the
  latest point is against the target). See :func:`assurance`.

Notes
-----
NHS England, "Making Data Count" (2019, and "Strengthening your decisions", 2021); NHS-R community,
NHSRplotthedots R package 0.2.x (0.2.2), R/ptd_spc_standard.R ``ptd_spc_standard``,
R/ptd_calculate_point_type.R ``ptd_calculate_point_type``, ``ptd_special_cause_type`` and ``ptd_point_type``, and
R/ptd_calculate_assurance_type.R ``ptd_calculate_assurance_type``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from analysis.config_indicators import Indicator, Polarity, SpcSettings
from analysis.schemas import schema

logger = logging.getLogger(__name__)

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

CONSISTENTLY_PASSING = "consistently_passing"
CONSISTENTLY_FAILING = "consistently_failing"
HIT_AND_MISS = "hit_and_miss"
#: Assurance not judged because the latest point is a special cause (the process has changed): by where the latest
#: point is against the target. See :func:`assurance`.
CHANGED_MEETING_TARGET = "changed_meeting_target"
CHANGED_MISSING_TARGET = "changed_missing_target"

ASSURANCE_SENTENCES = {
    CONSISTENTLY_FAILING: "The target ({target}) is beyond the process limits: it will not be met without a change",
    CONSISTENTLY_PASSING: "The target ({target}) is beyond the process limits on the good side: it is met every month",
    HIT_AND_MISS: "The target ({target}) is within the process limits: it will be hit and missed",
}

#: Columns of an SPC chart's points: the ``spc`` table's, less the indicator (added by the caller).
SPC_COLUMNS = [c for c in schema("spc").column_names if c != "indicator_id"]


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
    direction = _direction(polarity)
    if direction == 0:
        return np.where(v != 0, NEUTRAL, COMMON_CAUSE).astype(object)
    v = v * direction
    return np.where(v > 0, IMPROVEMENT, np.where(v < 0, CONCERN, COMMON_CAUSE)).astype(object)


# ---------------------------------------------------------------------------------------------------- chart
def _segments(months: pd.DatetimeIndex, rebase_at: Iterable[date]) -> np.ndarray:
    """Baseline number of each month: +1 at each rebase date after the first month."""
    if months.empty:
        return np.zeros(0, dtype="int64")
    dates = sorted(pd.Timestamp(d) for d in rebase_at)
    dates = [d for d in dates if d > months[0]]
    segment_numbers: np.ndarray = np.searchsorted(
        np.array(dates, dtype="datetime64[ns]"), months.to_numpy(dtype="datetime64[ns]"), side="right"
    )
    return segment_numbers


def _direction(polarity: Polarity) -> int:
    return {"higher_is_better": 1, "lower_is_better": -1}.get(polarity, 0)


def spc_chart(
    values: pd.Series,
    *,
    polarity: Polarity,
    target: float | None = None,
    rebase_at: Iterable[date] = (),
    settings: SpcSettings,
    label: str = "series",
) -> pd.DataFrame:
    """XmR chart of a monthly series with each point classed by the Making Data Count rules.

    Parameters
    ----------
    values
        The figures, indexed by month (first day of the month). Months without a figure (NaN) are left out of the
        chart: NHSRplotthedots assumes a series without gaps.
    polarity
        ``higher_is_better``, ``lower_is_better`` or ``context``.
    target
        The indicator's target; it does not change the points (see :func:`summarise` for assurance).
    rebase_at
        Dates at which the process changed: the first month on or after each starts a new baseline.
    settings
        ``spc`` settings from ``config/indicators.yml``.
    label
        Name used in log messages (the indicator id).

    Returns
    -------
    pandas.DataFrame
        Columns of the ``spc`` schema without ``indicator_id``, one row per month with a figure.

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` (see the module docstring).
    """
    del target  # the points do not depend on it; kept so every SPC call takes the indicator's settings alike
    series = pd.Series(values, dtype="float64").dropna()
    series.index = pd.DatetimeIndex(series.index)
    series = series.sort_index()
    months = pd.DatetimeIndex(series.index)
    y = series.to_numpy(dtype="float64")
    baseline = _segments(months, rebase_at)
    centre = np.full(y.size, np.nan)
    mean_mr = np.full(y.size, np.nan)
    rules = {rule: np.zeros(y.size, dtype=bool) for rule in RULE_ORDER}
    types = np.full(y.size, COMMON_CAUSE_TYPE, dtype=object)
    for segment in np.unique(baseline):
        where = np.flatnonzero(baseline == segment)
        fixed = y[where][: settings.baseline_points]
        if fixed.size < settings.minimum_baseline_points:
            logger.warning(
                "%s: baseline %d (from %s) has %d points, fewer than %d: its limits are provisional",
                label,
                segment,
                f"{months[where[0]]:%B %Y}",
                fixed.size,
                settings.minimum_baseline_points,
            )
        c, amr = process_limits(fixed, screen_moving_ranges=settings.screen_moving_ranges)
        centre[where] = c
        mean_mr[where] = amr
        seg_y = y[where]
        upper, lower = c + LIMIT_FACTOR * amr, c - LIMIT_FACTOR * amr
        near_upper = c + TWO_SIGMA_FRACTION * LIMIT_FACTOR * amr
        near_lower = c - TWO_SIGMA_FRACTION * LIMIT_FACTOR * amr
        outside = (seg_y > upper) | (seg_y < lower)
        side = np.sign(seg_y - c)
        close = ~outside & ((seg_y < near_lower) | (seg_y > near_upper))
        if settings.rules.outside_limits:
            rules[RULE_OUTSIDE_LIMITS][where] = outside
        rules[RULE_RUN][where] = run_flags(side, settings.rules.run_length)
        rules[RULE_TREND][where] = trend_flags(seg_y, settings.rules.trend_length)
        if settings.rules.two_of_three_beyond_two_sigma:
            rules[RULE_TWO_OF_THREE][where] = two_of_three_flags(close, side)
        types[where] = special_cause_types(
            seg_y,
            side,
            outside=rules[RULE_OUTSIDE_LIMITS][where],
            trend=rules[RULE_TREND][where],
            two_of_three=rules[RULE_TWO_OF_THREE][where],
            run=rules[RULE_RUN][where],
        )
    point_class = point_types(types, polarity)
    fired = [",".join(rule for rule in RULE_ORDER if rules[rule][i]) or None for i in range(y.size)]
    return pd.DataFrame(
        {
            "month": months.astype("datetime64[s]"),
            "value": y,
            "baseline": baseline.astype("int64"),
            "centre": centre,
            "lower_limit": centre - LIMIT_FACTOR * mean_mr,
            "upper_limit": centre + LIMIT_FACTOR * mean_mr,
            "rules_fired": pd.Series(fired, dtype="str"),
            "point_class": pd.Series(point_class, dtype="str"),
        }
    )


# -------------------------------------------------------------------------------------------------- summary
def assurance(
    target: float | None,
    lower_limit: float,
    upper_limit: float,
    polarity: Polarity,
    *,
    latest_value: float | None = None,
    special_cause: bool = False,
) -> str | None:
    """Whether the process will meet its target: by where the target sits against the latest limits.

    Parameters
    ----------
    target, lower_limit, upper_limit, polarity
        The indicator's target and polarity and the process limits at its latest point.
    latest_value
        The latest point's figure (used only when ``special_cause``).
    special_cause
        Whether the latest point is a special cause (improvement, concern or neutral).

    Returns
    -------
    str or None
        ``consistently_passing``, ``consistently_failing`` or ``hit_and_miss`` for a stable process;
        ``changed_meeting_target`` or ``changed_missing_target`` when the latest point is a special cause; None
        without a target, for context indicators or without limits.

    Notes
    -----
    NHSRplotthedots ``ptd_calculate_assurance_type`` (R/ptd_calculate_assurance_type.R): target above the upper
    limit is a consistent fail when higher is better (a consistent pass when lower is better), below the lower
    limit the reverse, otherwise inconsistent ("hit and miss").

    The rule added here, so that variation and assurance never contradict each other: process limits predict
    what a *stable* process will do, so when the latest point is a special cause (the process has changed) they
    describe the process as it was, and saying it "will meet the target every month" would be wrong (e.g. limits
    6.9-9.4% against a 10% target, lower is better, while April to June run 9.7, 13.9, 17.5%). Assurance is then
    not judged: it says the process has changed and whether the latest point meets the target (on the target
    counts as meeting it). This follows NHS England's *Making Data Count* guidance ("Making Data Count: getting
    started", 2019, on recalculating limits: when the rules show a change, understand it first, then fix new
    limits from the changed process), and the assurance icon is read from the limits of the process as it now
    is (NHSRplotthedots issue #172: assurance must follow the rebased limits, not the old ones).
    """
    direction = _direction(polarity)
    if target is None or direction == 0 or np.isnan(lower_limit) or np.isnan(upper_limit):
        return None
    if special_cause and latest_value is not None and not np.isnan(latest_value):
        meets = (latest_value - target) * direction >= 0
        return CHANGED_MEETING_TARGET if meets else CHANGED_MISSING_TARGET
    if target > upper_limit:
        return CONSISTENTLY_FAILING if direction > 0 else CONSISTENTLY_PASSING
    if target < lower_limit:
        return CONSISTENTLY_PASSING if direction > 0 else CONSISTENTLY_FAILING
    return HIT_AND_MISS


def natural_range(unit: str) -> tuple[float | None, float | None]:
    """The values a figure in ``unit`` can take: a percentage 0 to 100, any other unit here 0 or more.

    Process limits are arithmetic (mean +/- 2.66 mean moving ranges) and can fall outside what is possible; they
    are clipped to this range wherever they are shown (e.g. "expected range 0.0 to 100.0", never -0.7 to 129.9).
    """
    if unit == "%":
        return 0.0, 100.0
    return 0.0, None


def _clip(value: float, value_range: tuple[float | None, float | None]) -> float:
    low, high = value_range
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def _figure(value: float, decimals: int, unit: str) -> str:
    """``17.5%``, ``16 days``: a figure with the indicator's decimals and unit (counts and FTE plain)."""
    number = f"{value:,.{decimals}f}"
    if unit == "%":
        return f"{number}%"
    if unit in {"days", "weeks"}:
        return f"{number} {unit}"
    if unit == "rate per 10,000":
        return f"{number} per 10,000"
    return number


def changed_assurance_sentence(
    stretch: pd.DataFrame, target: float, polarity: Polarity, decimals: int, unit: str
) -> str:
    """Why assurance is not judged, in words: since when the process changed and the recent months against target.

    e.g. "Performance has changed since April 2015, so whether the target (10.0%) will be met cannot be judged
    from the earlier limits: 2 of the 3 months since then missed it, including June 2015 (17.5%)".
    """
    direction = _direction(polarity)
    values = stretch["value"].to_numpy(dtype="float64")
    missed = int(((values - target) * direction < 0).sum())
    last = stretch.iloc[-1]
    latest = f"{_month(last['month'])} ({_figure(float(last['value']), decimals, unit)})"
    n = len(values)
    if n == 1:
        recent = f"{latest} {'missed' if missed else 'met'} it"
    elif missed == n:
        recent = f"all {n} months since then missed it, including {latest}"
    elif missed == 0:
        recent = f"all {n} months since then met it, including {latest}"
    else:
        latest_missed = (float(last["value"]) - target) * direction < 0
        recent = f"{missed} of the {n} months since then missed it; {latest} {'missed' if latest_missed else 'met'} it"
    return (
        f"Performance has changed since {_month(stretch['month'].iloc[0])}, so whether the target "
        f"({_figure(target, decimals, unit)}) will be met cannot be judged from the earlier limits: {recent}"
    )


def _stretch_start(flags: np.ndarray) -> int:
    """Index where the unbroken stretch of True values that ends at the last element begins."""
    start = flags.size - 1
    while start > 0 and flags[start - 1]:
        start -= 1
    return start


def _month(day: pd.Timestamp) -> str:
    return f"{pd.Timestamp(day):%B %Y}"


def _describe(rule: str, segment: pd.DataFrame, start: int) -> str:
    """Plain-English reading of the special-cause signal ending at the segment's last point: which way the data moved.

    ``rule`` is the rule that classes the point (the first in :data:`RULE_ORDER` it is part of), so a falling
    trend above the mean is told as a fall, as its class (concern where higher is better) says.
    """
    last = segment.iloc[-1]
    rising = last["value"] > last["centre"]
    since = _month(segment["month"].iloc[start])
    count = len(segment) - start
    movement = "rise" if rising else "fall"
    if rule == RULE_RUN:
        side = "above" if rising else "below"
        return f"{count} months in a row {side} the average since {since}: a real {movement}, not noise"
    if rule == RULE_TREND:
        # The direction the latest point is classed by: the step before it (ptd_special_cause_type's ``sdy`` for
        # the last point of a series), so the words agree with the point's class.
        going_up = segment["value"].iloc[-1] > segment["value"].iloc[-2]
        movement = "rise" if going_up else "fall"
        step = "higher" if going_up else "lower"
        return f"{count} months in a row each {step} than the month before since {since}: a real {movement}, not noise"
    if rule == RULE_OUTSIDE_LIMITS:
        limit = "above the upper" if rising else "below the lower"
        return f"{_month(last['month'])} was {limit} process limit: a real {movement}, not noise"
    side = "upper" if rising else "lower"
    return f"Two of three months in a row close to the {side} process limit since {since}: a real {movement}, not noise"


def summarise(
    points: pd.DataFrame,
    *,
    indicator_id: str,
    polarity: Polarity,
    target: float | None,
    settings: SpcSettings,
    decimals: int = 1,
    unit: str = "",
) -> pd.DataFrame:
    """One ``spc_summary`` row: the indicator's variation and assurance at its latest point, in plain English.

    Parameters
    ----------
    points
        The chart from :func:`spc_chart` (one indicator).
    indicator_id, polarity, target
        The indicator's id, polarity and target value (None without one).
    settings
        ``spc`` settings (for the provisional-limits threshold).
    decimals
        Decimal places for figures in the description.
    unit
        The indicator's unit: figures in the description carry it, and the expected range is clipped to the
        values the unit allows (:func:`natural_range`).

    Returns
    -------
    pandas.DataFrame
        One row in the columns of the ``spc_summary`` schema. ``since`` is the first month of the current
        special-cause signal (of the run or trend behind it, or of the unbroken stretch of points in the same
        class); ``rule`` lists every rule the latest point is part of.

    Notes
    -----
    Variation and assurance icons of NHS England "Making Data Count"; NHSRplotthedots ``ptd_calculate_assurance_type``.
    """
    if points.empty:
        return pd.DataFrame(
            [
                {
                    "indicator_id": indicator_id,
                    "latest_month": pd.NaT,
                    "variation": COMMON_CAUSE,
                    "assurance": None,
                    "rule": None,
                    "since": pd.NaT,
                    "baseline_points": 0,
                    "provisional": True,
                    "description": "No figures yet: there is nothing to chart.",
                }
            ]
        )
    points = points.sort_values("month").reset_index(drop=True)
    last = points.iloc[-1]
    segment = points.loc[points["baseline"] == last["baseline"]].reset_index(drop=True)
    baseline_points = min(len(segment), settings.baseline_points)
    provisional = baseline_points < settings.minimum_baseline_points
    variation = str(last["point_class"])
    rules_fired = last["rules_fired"] if isinstance(last["rules_fired"], str) else None
    since = pd.NaT
    start = len(segment) - 1
    if pd.isna(last["upper_limit"]):
        description = "Too few figures to set process limits yet: no reading of the variation is possible"
    elif variation == COMMON_CAUSE or rules_fired is None:
        value_range = natural_range(unit)
        low = _clip(float(last["lower_limit"]), value_range)
        high = _clip(float(last["upper_limit"]), value_range)
        description = (
            f"Common-cause variation only: the figures move within the expected range "
            f"({_figure(low, decimals, unit)} to {_figure(high, decimals, unit)}) with no sign of real change"
        )
    else:
        fired = rules_fired.split(",")
        rule = next(r for r in RULE_ORDER if r in fired)
        if rule == RULE_RUN:
            sides = np.sign(segment["value"] - segment["centre"]).to_numpy()
            start = _stretch_start(sides == sides[-1])
        elif rule == RULE_TREND:
            steps = np.sign(np.diff(segment["value"].to_numpy()))
            start = _stretch_start(steps == steps[-1]) if steps.size else 0
        else:
            start = _stretch_start((segment["point_class"] == variation).to_numpy())
        since = segment["month"].iloc[start]
        description = _describe(rule, segment, start)
    special = variation != COMMON_CAUSE and rules_fired is not None
    level = assurance(
        target,
        float(last["lower_limit"]),
        float(last["upper_limit"]),
        polarity,
        latest_value=float(last["value"]),
        special_cause=special,
    )
    sentences = [description]
    if level in ASSURANCE_SENTENCES and target is not None:  # a sentence's level implies a target
        sentences.append(ASSURANCE_SENTENCES[level].format(target=_figure(float(target), decimals, unit)))
    elif level is not None and target is not None:
        sentences.append(changed_assurance_sentence(segment.iloc[start:], target, polarity, decimals, unit))
    if provisional:
        sentences.append(
            f"The limits are provisional: only {baseline_points} point{'' if baseline_points == 1 else 's'} in the baseline"
        )
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator_id,
                "latest_month": last["month"],
                "variation": variation,
                "assurance": level,
                "rule": rules_fired,
                "since": since,
                "baseline_points": baseline_points,
                "provisional": provisional,
                "description": ". ".join(sentences) + ".",
            }
        ]
    )


def indicator_chart(
    monthly: pd.DataFrame, indicator: Indicator, settings: SpcSettings, last_month: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """XmR chart and its one-row summary for one indicator's monthly figures up to ``last_month``.

    The one place the analysis stage (every indicator at the quarter's end) and the monthly dashboard (each
    indicator as at a month) draw a chart from ``indicators_monthly``, so the two readings agree.
    """
    rows = monthly.loc[(monthly["indicator_id"] == indicator.id) & (monthly["month"] <= last_month)]
    series = pd.Series(rows["value"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(rows["month"]))
    return chart_and_summary(series, indicator, settings)


def chart_and_summary(
    series: pd.Series, indicator: Indicator, settings: SpcSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator's XmR chart of ``series`` and its reading, with the indicator's polarity, target and rebases."""
    target = indicator.target.value if indicator.target else None
    chart = spc_chart(
        series,
        polarity=indicator.polarity,
        target=target,
        rebase_at=indicator.rebase_at,
        settings=settings,
        label=indicator.id,
    )
    summary = summarise(
        chart,
        indicator_id=indicator.id,
        polarity=indicator.polarity,
        target=target,
        settings=settings,
        decimals=indicator.decimals,
        unit=indicator.unit,
    )
    return chart, summary


def readings_as_at(
    monthly: pd.DataFrame, indicator: Indicator, settings: SpcSettings, months: Iterable[pd.Timestamp]
) -> pd.DataFrame:
    """The indicator's ``spc_summary`` row as the chart stood at each of ``months`` (the ``spc_as_at`` table).

    Each row is :func:`indicator_chart` drawn over the months up to ``as_at`` (so the dashboard for an earlier
    month shows the reading the Board saw then, and the one for a quarter's last month the quarter's reading),
    with ``above_mean``: whether the latest point is above its centre line (for the variation icon's direction).

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` and ``ptd_calculate_assurance_type``.
    Limits are fixed from each baseline's first points, so a later month never changes an earlier month's points,
    but the summary (latest point, its class and assurance) is that of the chart as it then ended.

    The chart as at a month with no new figure of the indicator is the chart as at the month before, so it is
    drawn once per figure (not once per month) and its summary repeated with each ``as_at``; the series is
    sorted and filtered once. The rows are exactly those of drawing :func:`indicator_chart` at every month
    (``tests/test_spc.py`` checks this on generated series).
    """
    rows_of_indicator = monthly.loc[monthly["indicator_id"] == indicator.id]
    series = pd.Series(
        rows_of_indicator["value"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(rows_of_indicator["month"]),
    )
    series = series.dropna().sort_index()
    quiet = logger.level
    logger.setLevel(logging.ERROR)  # provisional-limit warnings, once per month drawn, say nothing new
    summaries: list[pd.DataFrame] = []  # one per chart drawn
    drawn_for: list[int] = []  # for each of ``months``: the chart it shows (its position in ``summaries``)
    as_ats: list[pd.Timestamp] = []
    above_means: list[object] = []
    drawn: tuple[int, object] | None = None
    try:
        for as_at in months:
            as_at = pd.Timestamp(as_at)
            points = int(series.index.searchsorted(as_at, side="right"))
            if drawn is None or drawn[0] != points:
                chart, summary = chart_and_summary(series.iloc[:points], indicator, settings)
                above: object = pd.NA
                if not chart.empty and pd.notna(chart["centre"].iloc[-1]):
                    above = bool(chart["value"].iloc[-1] > chart["centre"].iloc[-1])
                summaries.append(summary)
                drawn = (points, above)
            drawn_for.append(len(summaries) - 1)
            as_ats.append(as_at)
            above_means.append(drawn[1])
    finally:
        logger.setLevel(quiet)
    if not summaries:
        return pd.DataFrame()
    readings = pd.concat(summaries, ignore_index=True).iloc[drawn_for].reset_index(drop=True)
    return readings.assign(as_at=pd.DatetimeIndex(as_ats), above_mean=pd.Series(above_means))
