"""What an SPC chart says: the assurance of meeting the target (NHSRplotthedots 0.2.x
``ptd_calculate_assurance_type``), the natural range of a unit that limits are clipped to, and each indicator's
summary row of variation, assurance and a description in plain words.

See :mod:`analysis.methods.spc` for the method as a whole and its references.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config_indicators import Polarity, SpcSettings
from analysis.methods.spc_rules import (
    COMMON_CAUSE,
    RULE_ORDER,
    RULE_OUTSIDE_LIMITS,
    RULE_RUN,
    RULE_TREND,
    polarity_sign,
)

CONSISTENTLY_PASSING = "consistently_passing"
CONSISTENTLY_FAILING = "consistently_failing"
HIT_AND_MISS = "hit_and_miss"
#: Assurance not judged because the latest point is a special cause (the process has changed): by where the latest
#: point is against the target. See :func:`assurance`.
CHANGED_MEETING_TARGET = "changed_meeting_target"
CHANGED_MISSING_TARGET = "changed_missing_target"

ASSURANCE_SENTENCES = {
    CONSISTENTLY_FAILING: "The target ({target}) is outside the range expected from normal variation: it will not be met without a change",
    CONSISTENTLY_PASSING: "The target ({target}) is outside the range expected from normal variation, on the good side: it is met every month",
    HIT_AND_MISS: "The target ({target}) is within the range expected from normal variation: it will be hit and missed",
}


# --------------------------------------------------------------------------------------------------- points
@dataclass(frozen=True)
class ChartPoints:
    """An XmR chart's points as arrays, oldest first: the rows of :func:`analysis.methods.spc.spc_chart`.

    ``months`` are ``datetime64``; ``rules_fired`` holds the comma-joined rules of each point (None where none
    fired); ``point_class`` each point's class. The summary reads these arrays, not a DataFrame, so the readings
    as at every month (one chart per month) are quick.
    """

    months: np.ndarray
    values: np.ndarray
    baseline: np.ndarray
    centre: np.ndarray
    lower_limit: np.ndarray
    upper_limit: np.ndarray
    rules_fired: list[str | None]
    point_class: np.ndarray

    @classmethod
    def from_chart(cls, points: pd.DataFrame) -> ChartPoints:
        """The points of a chart table (:func:`analysis.methods.spc.spc_chart`'s columns), sorted by month."""
        points = points.sort_values("month").reset_index(drop=True)
        return cls(
            months=points["month"].to_numpy(),
            values=points["value"].to_numpy(dtype="float64"),
            baseline=points["baseline"].to_numpy(),
            centre=points["centre"].to_numpy(dtype="float64"),
            lower_limit=points["lower_limit"].to_numpy(dtype="float64"),
            upper_limit=points["upper_limit"].to_numpy(dtype="float64"),
            rules_fired=[r if isinstance(r, str) else None for r in points["rules_fired"]],
            point_class=points["point_class"].to_numpy(dtype=object),
        )

    def latest_segment(self) -> np.ndarray:
        """Positions of the points in the latest point's baseline segment."""
        segment: np.ndarray = np.flatnonzero(self.baseline == self.baseline[-1])
        return segment


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
    direction = polarity_sign(polarity)
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
    from the range expected before the change: 2 of the 3 months since then missed it, including June 2015 (17.5%)".
    """
    return _changed_sentence(
        stretch["month"].to_numpy(),
        stretch["value"].to_numpy(dtype="float64"),
        target,
        polarity,
        decimals,
        unit,
    )


def _changed_sentence(
    months: np.ndarray, values: np.ndarray, target: float, polarity: Polarity, decimals: int, unit: str
) -> str:
    """:func:`changed_assurance_sentence` of the stretch's months and figures."""
    direction = polarity_sign(polarity)
    missed = int(((values - target) * direction < 0).sum())
    latest = f"{_month(months[-1])} ({_figure(float(values[-1]), decimals, unit)})"
    n = len(values)
    if n == 1:
        recent = f"{latest} {'missed' if missed else 'met'} it"
    elif missed == n:
        recent = f"all {n} months since then missed it, including {latest}"
    elif missed == 0:
        recent = f"all {n} months since then met it, including {latest}"
    else:
        latest_missed = (float(values[-1]) - target) * direction < 0
        recent = f"{missed} of the {n} months since then missed it; {latest} {'missed' if latest_missed else 'met'} it"
    return (
        f"Performance has changed since {_month(months[0])}, so whether the target "
        f"({_figure(target, decimals, unit)}) will be met cannot be judged from the range expected before the change: {recent}"
    )


def _stretch_start(flags: np.ndarray) -> int:
    """Index where the unbroken stretch of True values that ends at the last element begins."""
    start = flags.size - 1
    while start > 0 and flags[start - 1]:
        start -= 1
    return start


def sustained_shift_start(points: pd.DataFrame, months: int) -> pd.Timestamp | None:
    """The month a sustained shift began: the latest point's current baseline segment ends in ``months`` or more
    points in a row on one side of its centre line; None when it does not (or ``months`` is 0).

    Making Data Count ("Making Data Count: Strengthening your decisions", NHS England, 2019; "recalculating limits"):
    after a sustained and explained shift the process has changed, and its limits are recalculated from the
    change, so the chart stops calling an established level a new signal.
    """
    if months <= 0 or points.empty:
        return None
    chart = ChartPoints.from_chart(points)
    start = _shift_start(chart, months)
    if start is None:
        return None
    return pd.Timestamp(chart.months[chart.latest_segment()][start])


def _shift_start(chart: ChartPoints, months: int) -> int | None:
    """:func:`sustained_shift_start` as a position in the latest segment (None: no sustained shift)."""
    if months <= 0 or chart.values.size == 0:
        return None
    segment = chart.latest_segment()
    centre = chart.centre[segment]
    sides = np.sign(chart.values[segment] - centre)
    if np.isnan(centre).all() or sides[-1] == 0:
        return None
    start = _stretch_start(sides == sides[-1])
    if sides.size - start < months:
        return None
    return start


def _month(day: pd.Timestamp | np.datetime64) -> str:
    return f"{pd.Timestamp(day):%B %Y}"


def _describe(rule: str, chart: ChartPoints, start: int) -> str:
    """Plain-English reading of the special-cause signal ending at the latest point: which way the data moved.

    ``start`` is the signal's first point in the latest segment. ``rule`` is the rule that classes the point (the
    first in :data:`RULE_ORDER` it is part of), so a falling trend above the mean is told as a fall, as its class
    (concern where higher is better) says.
    """
    segment = chart.latest_segment()
    values, months = chart.values[segment], chart.months[segment]
    rising = values[-1] > chart.centre[-1]
    since = _month(months[start])
    count = len(values) - start
    movement = "rise" if rising else "fall"
    if rule == RULE_RUN:
        side = "above" if rising else "below"
        return f"{count} months in a row {side} the average since {since}: a real {movement}, not noise"
    if rule == RULE_TREND:
        # The direction the latest point is classed by: the step before it (ptd_special_cause_type's ``sdy`` for
        # the last point of a series), so the words agree with the point's class.
        going_up = values[-1] > values[-2]
        movement = "rise" if going_up else "fall"
        step = "higher" if going_up else "lower"
        return f"{count} months in a row each {step} than the month before since {since}: a real {movement}, not noise"
    # In a reader's words: "the range expected from normal variation", never "process limit" (issue 22, point 7).
    if rule == RULE_OUTSIDE_LIMITS:
        side = "above" if rising else "below"
        return f"{_month(months[-1])} was {side} the range expected from normal variation: a real {movement}, not noise"
    edge = "top" if rising else "bottom"
    return (
        f"Two of three months in a row close to the {edge} of the expected range since {since}: a real {movement}, "
        "not noise"
    )


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
        One row in the columns of the ``spc_summary`` schema (:func:`summary_row`).

    Notes
    -----
    Variation and assurance icons of NHS England "Making Data Count"; NHSRplotthedots ``ptd_calculate_assurance_type``.
    """
    row = summary_row(
        ChartPoints.from_chart(points),
        indicator_id=indicator_id,
        polarity=polarity,
        target=target,
        settings=settings,
        decimals=decimals,
        unit=unit,
    )
    return pd.DataFrame([row])


def summary_row(
    chart: ChartPoints,
    *,
    indicator_id: str,
    polarity: Polarity,
    target: float | None,
    settings: SpcSettings,
    decimals: int = 1,
    unit: str = "",
) -> dict[str, object]:
    """The ``spc_summary`` row of a chart's points (:func:`summarise`), as a record.

    ``since`` is the first month of the current special-cause signal (of the run or trend behind it, or of the
    unbroken stretch of points in the same class); ``rule`` lists every rule the latest point is part of.
    """
    if chart.values.size == 0:
        return {
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
    segment = chart.latest_segment()
    values, months = chart.values[segment], chart.months[segment]
    latest_value, latest_month = float(chart.values[-1]), pd.Timestamp(chart.months[-1])
    lower_limit, upper_limit = float(chart.lower_limit[-1]), float(chart.upper_limit[-1])
    baseline_points = min(len(values), settings.baseline_points)
    provisional = baseline_points < settings.minimum_baseline_points
    variation = str(chart.point_class[-1])
    rules_fired = chart.rules_fired[-1]
    since: object = pd.NaT
    start = len(values) - 1
    if np.isnan(upper_limit):
        description = "Too few figures to set the range expected from normal variation yet: no reading of the variation is possible"
    elif variation == COMMON_CAUSE or rules_fired is None:
        value_range = natural_range(unit)
        low = _clip(lower_limit, value_range)
        high = _clip(upper_limit, value_range)
        description = (
            f"Common-cause variation only: the figures move within the expected range "
            f"({_figure(low, decimals, unit)} to {_figure(high, decimals, unit)}) with no sign of real change"
        )
    else:
        fired = rules_fired.split(",")
        rule = next(r for r in RULE_ORDER if r in fired)
        if rule == RULE_RUN:
            sides = np.sign(values - chart.centre[segment])
            start = _stretch_start(sides == sides[-1])
        elif rule == RULE_TREND:
            steps = np.sign(np.diff(values))
            start = _stretch_start(steps == steps[-1]) if steps.size else 0
        else:
            start = _stretch_start(chart.point_class[segment] == variation)
        since = pd.Timestamp(months[start])
        description = _describe(rule, chart, start)
        shifted = _shift_start(chart, settings.sustained_shift_months)
        if shifted is not None:
            start = shifted
            since = pd.Timestamp(months[start])
            side = "above" if latest_value > chart.centre[-1] else "below"
            description = (
                f"Every month since {_month(months[start])} has been {side} the earlier average: the figure changed "
                f"level then, {len(values) - start} months ago, and this is its established level rather than "
                "a new change. Its expected range should be worked out again from that month once the change is "
                "explained"
            )
    special = variation != COMMON_CAUSE and rules_fired is not None
    level = assurance(
        target, lower_limit, upper_limit, polarity, latest_value=latest_value, special_cause=special
    )
    sentences = [description]
    if level in ASSURANCE_SENTENCES and target is not None:  # a sentence's level implies a target
        sentences.append(ASSURANCE_SENTENCES[level].format(target=_figure(float(target), decimals, unit)))
    elif level is not None and target is not None:
        sentences.append(_changed_sentence(months[start:], values[start:], target, polarity, decimals, unit))
    if provisional:
        sentences.append(
            f"The expected range is an early reading: it rests on only {baseline_points} "
            f"month{'' if baseline_points == 1 else 's'} of figures"
        )
    return {
        "indicator_id": indicator_id,
        "latest_month": latest_month,
        "variation": variation,
        "assurance": level,
        "rule": rules_fired,
        "since": since,
        "baseline_points": baseline_points,
        "provisional": provisional,
        "description": ". ".join(sentences) + ".",
    }
