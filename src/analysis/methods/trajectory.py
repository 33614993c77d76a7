"""Anticipated trends: the Board's planned paths and forecasts, and whether an indicator is out of line with them.

The committee paper defines exception reports as "exception reports in response to unexpected performance or
practice information which is out of line with anticipated trends" (Medway Council, report to the Children and
Young People Overview and Scrutiny Committee, 21 July 2015, para 5.2). SPC against a flat mean is the wrong yardstick
for a series that is meant to move, so an indicator may have an anticipated trend in ``config/indicators.yml``:

* a **planned path**: dated points, a straight line between the months of consecutive points (the last value
  holds after the last point; no expectation before the first), with a band of +/- ``tolerance`` (in the
  indicator's unit) or +/- ``tolerance_percent`` of the planned value;
* a **forecast**: the expectation for the quarter's months is the forecast made from the figures up to the end of
  the previous quarter (:mod:`analysis.methods.forecast`), the band its 95% prediction interval.

An indicator is out of line when its latest ``anticipated.latest_points`` months are all outside the band on the
side of concern: above for lower_is_better, below for higher_is_better, either side for context indicators, unless
the trend names its ``concern``. Points on the band's edge are inside it. A suppressed month is never judged (its
figure cannot be quoted).
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import ConcernSide, ForecastExpectation, Indicator, PlannedPath, Polarity
from analysis.methods.forecast import BAND_LEVEL, current_segment, monthly_forecast
from analysis.methods.quarters import Quarter
from analysis.schemas import schema

logger = logging.getLogger(__name__)

PLANNED = "planned"
FORECAST = "forecast"
ABOVE = "above"
BELOW = "below"
WITHIN = "within"
OUT_OF_LINE = "out_of_line"
METHOD_PLANNED = "planned path"


# ------------------------------------------------------------------------------------------------ path
def _month_number(day: date | pd.Timestamp) -> int:
    day = pd.Timestamp(day)
    return int(day.year * 12 + day.month - 1)


def planned_values(path: PlannedPath, months: pd.DatetimeIndex) -> pd.Series:
    """The planned value for each month: linear between the months of the path's points, flat after the last.

    Months before the first point have no planned value (NaN). A point dated 31 March 2015 plans the figure for
    March 2015; the path is interpolated by whole months.
    """
    months = pd.DatetimeIndex(months)
    x = np.array([_month_number(p.date) for p in path.path], dtype="float64")
    y = np.array([p.value for p in path.path], dtype="float64")
    at = np.array([_month_number(m) for m in months], dtype="float64")
    values = np.interp(at, x, y)
    values[at < x[0]] = np.nan
    return pd.Series(values, index=months, dtype="float64")


def tolerance_width(path: PlannedPath, planned: pd.Series | np.ndarray | float) -> np.ndarray:
    """Half-width of the band around the planned values: the tolerance, or a percentage of the planned value."""
    planned = np.asarray(planned, dtype="float64")
    if path.tolerance is not None:
        return np.full(planned.shape, path.tolerance, dtype="float64")
    width: np.ndarray = np.abs(planned) * float(path.tolerance_percent or 0) / 100
    return width


def concern_side(anticipated: PlannedPath | ForecastExpectation, polarity: Polarity) -> ConcernSide:
    """The side of the band that matters: the trend's own ``concern``, else by the indicator's polarity."""
    if anticipated.concern is not None:
        return anticipated.concern
    return {"higher_is_better": BELOW, "lower_is_better": ABOVE}.get(polarity, "either")  # type: ignore[return-value]


def position(value: float, lower: float, upper: float) -> str | None:
    """``above``, ``below`` or ``within`` the band (its edges are inside); None without a value or a band."""
    if any(pd.isna(v) for v in (value, lower, upper)):
        return None
    if value > upper:
        return ABOVE
    if value < lower:
        return BELOW
    return WITHIN


def is_out_of_line(where: str | None, concern: ConcernSide) -> bool:
    """Whether a point's position against the band is on the side of concern."""
    if where not in {ABOVE, BELOW}:
        return False
    return concern == "either" or where == concern


# ------------------------------------------------------------------------------------------------ the table
def _rows(
    indicator: Indicator, series: pd.DataFrame, expected: pd.DataFrame, basis: str, concern: ConcernSide
) -> pd.DataFrame:
    rows = expected.merge(series, on="month", how="left")
    rows["suppressed"] = rows["suppressed"].fillna(False).astype(bool)
    rows["position"] = [
        None if suppressed else position(v, lo, up)
        for v, lo, up, suppressed in zip(
            rows["value"], rows["lower"], rows["upper"], rows["suppressed"], strict=True
        )
    ]
    rows["out_of_line"] = [is_out_of_line(p, concern) for p in rows["position"]]
    return rows.assign(indicator_id=indicator.id, basis=basis, concern=concern)


def anticipated_rows(
    indicator: Indicator, monthly: pd.DataFrame, config: ProjectConfig, quarter: Quarter
) -> pd.DataFrame:
    """One indicator's ``anticipated`` rows: its expectation, band and position month by month.

    Parameters
    ----------
    indicator
        An indicator with an ``anticipated`` trend.
    monthly
        ``indicators_monthly`` rows of the indicator.
    config, quarter
        The configuration and the reporting quarter (the last month judged is its last).

    Returns
    -------
    pandas.DataFrame
        Columns of the ``anticipated`` schema; empty when there is nothing to expect (a path that starts after
        the quarter, a forecast of a series with suppressed months).
    """
    anticipated = indicator.anticipated
    last_month = pd.Timestamp(quarter.months[-1])
    series = monthly.loc[monthly["month"] <= last_month, ["month", "value", "suppressed"]].copy()
    series["month"] = pd.to_datetime(series["month"])
    concern = concern_side(anticipated, indicator.polarity)  # type: ignore[arg-type]
    if isinstance(anticipated, PlannedPath):
        months = pd.DatetimeIndex(series["month"])
        planned = planned_values(anticipated, months)
        width = tolerance_width(anticipated, planned.to_numpy())
        expected = pd.DataFrame(
            {
                "month": months,
                "expected": planned.to_numpy(),
                "lower": planned.to_numpy() - width,
                "upper": planned.to_numpy() + width,
                "method": METHOD_PLANNED,
            }
        ).dropna(subset=["expected"])
        return _rows(indicator, series, expected, PLANNED, concern)
    if anticipated is None:
        return pd.DataFrame()
    # A forecast from the figures up to the end of the previous quarter, for the quarter's months.
    quarter_start = pd.Timestamp(quarter.months[0])
    history = series.loc[series["month"] < quarter_start]
    segment_rows = history.set_index("month")
    segment = current_segment(segment_rows["value"], indicator.rebase_at)
    if segment.empty or segment_rows.loc[segment.index, "suppressed"].any():
        logger.info(
            "%s: no forecast band (no figures, or suppressed figures, before %s)", indicator.id, quarter.label
        )
        return pd.DataFrame()
    settings = config.registry.anticipated.forecast
    horizon = len(quarter.months)
    choice, forecast = monthly_forecast(segment, settings, horizon)
    expected = pd.DataFrame(
        {
            "month": pd.DatetimeIndex(forecast["month"]),
            "expected": forecast["mean"].to_numpy(),
            "lower": forecast[f"lower_{BAND_LEVEL}"].to_numpy(),
            "upper": forecast[f"upper_{BAND_LEVEL}"].to_numpy(),
            "method": choice.method,
        }
    )
    return _rows(indicator, series, expected, FORECAST, concern)


def anticipated_table(monthly: pd.DataFrame, config: ProjectConfig, quarter: Quarter) -> pd.DataFrame:
    """The ``anticipated`` table: every indicator with an anticipated trend, by month, in its schema."""
    table = schema("anticipated")
    parts = []
    for indicator in config.indicators:
        if indicator.anticipated is None:
            continue
        rows = anticipated_rows(
            indicator, monthly.loc[monthly["indicator_id"] == indicator.id], config, quarter
        )
        if not rows.empty:
            parts.append(rows)
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in table.columns})
    frame = pd.concat(parts, ignore_index=True)
    frame["month"] = frame["month"].astype("datetime64[s]")
    return (
        frame.loc[:, table.column_names]
        .astype({c.name: c.dtype for c in table.columns})
        .reset_index(drop=True)
    )


# ------------------------------------------------------------------------------------------------ exceptions
def _figure(value: float, indicator: Indicator) -> str:
    number = f"{value:,.{indicator.decimals}f}"
    if indicator.unit == "%":
        return f"{number}%"
    if indicator.unit == "rate per 10,000":
        return f"{number} per 10,000"
    if indicator.unit in {"days", "weeks", "FTE"}:
        return f"{number} {indicator.unit}"
    return number


def out_of_line_reason(indicator: Indicator, row: pd.Series, since: pd.Timestamp | None = None) -> str:
    """Plain English: "Children on plans: 77.2 per 10,000 in June 2015, above the planned path of 72.8 ..."."""

    def figure(value: float) -> str:
        return _figure(float(value), indicator)

    def number(value: float) -> str:
        return f"{float(value):,.{indicator.decimals}f}"

    expectation = "the planned path" if row["basis"] == PLANNED else "the forecast"
    text = (
        f"{indicator.name}: {figure(row['value'])} in {pd.Timestamp(row['month']):%B %Y}, {row['position']} "
        f"{expectation} of {number(row['expected'])} and outside the expected range of "
        f"{number(row['lower'])}-{number(row['upper'])}"
    )
    if row["basis"] == FORECAST:
        text += f" ({BAND_LEVEL}% prediction interval of a forecast from the figures before the quarter)"
    if since is not None and pd.Timestamp(since) < pd.Timestamp(row["month"]):
        text += f"; out of line since {pd.Timestamp(since):%B %Y}"
    return text


def out_of_line_exceptions(anticipated: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """Exception rows (``reason_code`` ``out_of_line``) for indicators out of line with their anticipated trend.

    The latest ``anticipated.latest_points`` months with a figure must all be outside the band on the side of
    concern; ``since`` is the first month of the unbroken stretch of out-of-line months that ends at the latest.

    Notes
    -----
    Committee paper, 21 July 2015, para 5.2 ("out of line with anticipated trends"); see the module docstring.
    """
    needed = config.registry.anticipated.latest_points
    rows: list[dict[str, object]] = []
    for indicator_id, months in anticipated.groupby("indicator_id", sort=True):
        if indicator_id not in config.indicators_by_id:
            continue
        indicator = config.indicator(str(indicator_id))
        judged = months.dropna(subset=["value"]).sort_values("month")
        judged = judged.loc[~judged["suppressed"].astype(bool)]
        latest = judged.tail(needed)
        if len(latest) < needed or not latest["out_of_line"].astype(bool).all():
            continue
        flags = judged["out_of_line"].astype(bool).to_numpy()
        start = len(flags) - 1
        while start > 0 and flags[start - 1]:
            start -= 1
        since = pd.Timestamp(judged["month"].iloc[start])
        last = judged.iloc[-1]
        rows.append(
            {
                "theme": indicator.theme,
                "kind": "indicator",
                "item_id": indicator.id,
                "title": indicator.name,
                "reason_code": OUT_OF_LINE,
                "reason": out_of_line_reason(indicator, last, since),
                "since": since,
            }
        )
    return pd.DataFrame(rows)


def judged_against_trend(anticipated: pd.DataFrame, spc_summary: pd.DataFrame) -> set[str]:
    """Indicators whose latest month has an anticipated band: their anticipated trend, not SPC, decides.

    Notes
    -----
    A planned fall shows on an XmR chart as a long run below the mean; for these indicators such a signal
    reflects the plan and is no longer an exception (committee paper para 5.2: exceptions are what is out of line
    with anticipated trends). Where neither a path nor a forecast covers the latest month, SPC rules stand.
    """
    if anticipated.empty or spc_summary.empty:
        return set()
    latest = spc_summary.loc[:, ["indicator_id", "latest_month"]].dropna()
    covered = anticipated.dropna(subset=["expected"]).loc[:, ["indicator_id", "month"]]
    joined = latest.merge(
        covered, left_on=["indicator_id", "latest_month"], right_on=["indicator_id", "month"]
    )
    return set(joined["indicator_id"].astype(str))
