"""Forecasts with 80% and 95% prediction intervals, and the rolling-origin backtest that decides on printing them.

The model is exponential smoothing in its state-space form (ETS, additive errors), fitted with statsmodels'
``ETSModel`` on the series' current process segment only (the months since its last rebase date), refitted every
run. The candidates are ETS(A,N,N) (a level), ETS(A,Ad,N) (a damped trend) and, only when the segment holds at
least ``seasonal_minimum_cycles`` whole years, the same two with additive monthly seasonality; the candidate with
the lowest AICc is chosen. A rolling-origin backtest then compares the chosen model with a naive forecast (the last
value): if the model's mean absolute percentage error is not lower, the naive forecast is used, and the report says
so. With fewer than ``minimum_points`` months since the last rebase no model is fitted: naive.

Small counts: a series is modelled on the scale it is published on (a rate per 10,000 for the rates, the count for
contacts), because the counts behind the demand measures are hundreds a month and their noise is close to normal;
a series with any suppressed month (a count of 1 to 5) since its last rebase is not forecast at all, so no forecast
of a suppressed figure is ever printed (:mod:`analysis.methods.demand_forecasts`, :mod:`analysis.methods.trajectory`).

Every step is deterministic: maximum likelihood from fixed starting values (no random restarts) and exact
intervals (all the candidates are linear models), so the same figures give the same forecast.

Notes
-----
ETS and the AICc choice among candidates: Hyndman, Koehler, Snyder & Grose (2002), "A state space framework for
automatic forecasting using exponential smoothing methods", and Hyndman & Athanasopoulos, *Forecasting: Principles
and Practice* (3rd ed., 2021; FPP3), chapter 8 (8.5 and 8.6: model selection by AICc, damped trends; 8.7:
prediction intervals). Seasonality needs whole seasonal cycles to estimate the initial seasonal states (FPP3 8.3;
R ``forecast::ets`` refuses a seasonal model on fewer than two periods of data). Naive forecast and its interval
(sigma x sqrt(h), sigma from the one-step differences): FPP3 5.2 and 5.5, table 5.2. Rolling-origin evaluation
("evaluation on a rolling forecasting origin"): FPP3 5.10. statsmodels ``ETSModel`` and
``ETSResults.get_prediction(method="exact")``.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.config_indicators import ForecastSettings
from analysis.methods.ets_fit import fit, one_blas_thread

logger = logging.getLogger(__name__)

#: Prediction interval levels (percent) every forecast carries; the widest is the anticipated band.
LEVELS: tuple[int, ...] = (80, 95)
BAND_LEVEL = 95
NAIVE = "naive"
#: Columns of a forecast (one row per step ahead).
FORECAST_COLUMNS = ["step", "mean"] + [f"{side}_{level}" for level in LEVELS for side in ("lower", "upper")]


@dataclass(frozen=True)
class EtsSpec:
    """An additive-error ETS model: with or without a damped trend, with or without additive seasonality."""

    trend: bool = False
    seasonal: bool = False

    @property
    def label(self) -> str:
        """Hyndman's notation, e.g. ``ETS(A,Ad,N)``."""
        return f"ETS(A,{'Ad' if self.trend else 'N'},{'A' if self.seasonal else 'N'})"

    @property
    def plain(self) -> str:
        """What the model does, in words a reader knows (no model code)."""
        what = (
            "the recent level and trend, with the trend levelling off" if self.trend else "the recent level"
        )
        return f"a statistical model that follows {what}" + (
            " and the usual pattern through the year" if self.seasonal else ""
        )


#: The naive forecast in words.
NAIVE_PLAIN = "the latest figure carried forward"


@dataclass(frozen=True)
class Accuracy:
    """Backtest scores of one method: MAPE (percent) and the share of actuals inside each interval (percent).

    ``inside_80``/``inside_95`` count the actuals inside each interval (of ``forecasts``): the measured coverage the
    "looking ahead" section states ("held the actual figure 18 times in 27").
    """

    forecasts: int
    mape: float
    coverage_80: float
    coverage_95: float
    inside_80: int = 0
    inside_95: int = 0

    def coverage(self, level: int) -> float:
        """Measured coverage (percent) of the ``level``% interval."""
        return {80: self.coverage_80, 95: self.coverage_95}[level]

    def inside(self, level: int) -> int:
        """Actuals inside the ``level``% interval."""
        return {80: self.inside_80, 95: self.inside_95}[level]


@dataclass(frozen=True)
class ForecastChoice:
    """The method a series is forecast with, and why.

    ``spec`` is None for the naive forecast; ``model``/``naive`` are the backtest scores (None when there was
    too little history to test a model). ``reason`` is the technical note (model codes, errors: the method section
    and the audit trail); ``plain`` says the same for a reader, without model codes or jargon.
    """

    method: str
    spec: EtsSpec | None
    reason: str
    candidate: str | None = None
    model: Accuracy | None = None
    naive: Accuracy | None = None
    plain: str = ""

    @property
    def used(self) -> Accuracy | None:
        """The backtest scores of the method used (the model's, or naive's); None when nothing was tested."""
        return self.naive if self.spec is None else self.model


# ------------------------------------------------------------------------------------------------ segment
def current_segment(
    series: pd.Series, rebase_at: Iterable[date], up_to: pd.Timestamp | None = None
) -> pd.Series:
    """The months of a monthly series since its last rebase date (up to ``up_to``), gaps and all dropped.

    Notes
    -----
    A rebase date marks a change in the process (:mod:`analysis.methods.spc`); figures before it describe a process that
    no longer exists, so a forecast is fitted on the months on or after the last one only.
    """
    values = pd.Series(series, dtype="float64").dropna().sort_index()
    values.index = pd.DatetimeIndex(values.index)
    if up_to is not None:
        values = values.loc[values.index <= pd.Timestamp(up_to)]
    if values.empty:
        return values
    starts = [pd.Timestamp(d) for d in rebase_at if pd.Timestamp(d) <= values.index[-1]]
    if starts:
        values = values.loc[values.index >= max(starts)]
    return values


# ------------------------------------------------------------------------------------------------ methods
def _z(level: int) -> float:
    return NormalDist().inv_cdf(0.5 + level / 200)


def naive_forecast(y: np.ndarray, horizon: int) -> pd.DataFrame:
    """Naive forecast: every step is the last value; interval half-width z x sigma x sqrt(h).

    Notes
    -----
    FPP3 5.2 (naive method) and 5.5, table 5.2: sigma is the standard deviation of the one-step naive residuals
    (the differences of the series, mean square about zero).
    """
    y = np.asarray(y, dtype="float64")
    steps = np.arange(1, horizon + 1)
    differences = np.diff(y)
    sigma = float(np.sqrt(np.mean(differences**2))) if differences.size else float("nan")
    frame = pd.DataFrame({"step": steps, "mean": np.full(horizon, y[-1])})
    for level in LEVELS:
        half = _z(level) * sigma * np.sqrt(steps)
        frame[f"lower_{level}"] = frame["mean"] - half
        frame[f"upper_{level}"] = frame["mean"] + half
    return frame.loc[:, FORECAST_COLUMNS]


def ets_forecast(y: np.ndarray, spec: EtsSpec, horizon: int, period: int | None = None) -> pd.DataFrame:
    """Forecast ``horizon`` steps with one ETS model, with exact 80% and 95% prediction intervals.

    Notes
    -----
    statsmodels ``ETSResults.get_prediction(method="exact")``: the analytical variance of the linear (additive)
    ETS models, FPP3 8.7 and Hyndman et al. (2008), chapter 6.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, ModelWarning

    fitted = fit(y, spec, period)
    n = len(y)
    frame = pd.DataFrame({"step": np.arange(1, horizon + 1)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", ModelWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        with one_blas_thread():
            prediction = fitted.get_prediction(start=n, end=n + horizon - 1, method="exact")  # type: ignore[attr-defined]
        for level in LEVELS:
            summary = prediction.summary_frame(alpha=1 - level / 100)
            frame["mean"] = summary["mean"].to_numpy(dtype="float64")
            frame[f"lower_{level}"] = summary["pi_lower"].to_numpy(dtype="float64")
            frame[f"upper_{level}"] = summary["pi_upper"].to_numpy(dtype="float64")
    return frame.loc[:, FORECAST_COLUMNS]


def candidate_specs(points: int, settings: ForecastSettings, period: int | None) -> list[EtsSpec]:
    """The ETS models worth trying on ``points`` figures: seasonal ones only with enough whole cycles."""
    specs = [EtsSpec(trend=False), EtsSpec(trend=True)]
    if period and points >= settings.seasonal_minimum_cycles * period:
        specs += [EtsSpec(trend=False, seasonal=True), EtsSpec(trend=True, seasonal=True)]
    return specs


def select_spec(y: np.ndarray, settings: ForecastSettings, period: int | None) -> EtsSpec:
    """The candidate ETS model with the lowest AICc (FPP3 8.6; Hyndman et al. 2002)."""
    best: tuple[float, int, EtsSpec] | None = None
    for order, spec in enumerate(candidate_specs(len(y), settings, period)):
        aicc = float(fit(y, spec, period).aicc)  # type: ignore[attr-defined]
        if not math.isfinite(aicc):
            continue
        if best is None or (aicc, order) < best[:2]:
            best = (aicc, order, spec)
    return best[2] if best else EtsSpec()


# ------------------------------------------------------------------------------------------------ backtest
Forecaster = Callable[[np.ndarray, int], pd.DataFrame]


def rolling_origin(
    y: np.ndarray, forecaster: Forecaster, *, first_origin: int, horizon: int, step: int = 1
) -> pd.DataFrame:
    """Forecasts from each origin (training on the figures before it) against what happened.

    Parameters
    ----------
    y
        The series, oldest first.
    forecaster
        ``(training values, horizon) -> forecast frame`` (:data:`FORECAST_COLUMNS`).
    first_origin
        Number of training points at the first origin.
    horizon, step
        Steps ahead forecast from each origin, and the distance between origins.

    Returns
    -------
    pandas.DataFrame
        One row per origin and step ahead that has an actual: ``origin`` (training points), ``actual`` and the
        forecast columns.

    Notes
    -----
    Evaluation on a rolling forecasting origin, FPP3 5.10.
    """
    y = np.asarray(y, dtype="float64")
    parts = []
    for origin in range(first_origin, len(y), step):
        ahead = min(horizon, len(y) - origin)
        forecast = forecaster(y[:origin], ahead)
        parts.append(forecast.assign(origin=origin, actual=y[origin : origin + ahead]))
    if not parts:
        return pd.DataFrame(columns=["origin", "actual", *FORECAST_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def accuracy(backtest: pd.DataFrame) -> Accuracy:
    """MAPE and interval coverage of a backtest (actuals of zero are left out of the MAPE, as it is undefined).

    Notes
    -----
    Mean absolute percentage error, 100 x mean(|actual - forecast| / |actual|); coverage, the percentage of actuals
    inside each prediction interval (FPP3 5.8 and 5.9).
    """
    if backtest.empty:
        return Accuracy(0, float("nan"), float("nan"), float("nan"))
    actual = backtest["actual"].to_numpy(dtype="float64")
    mean = backtest["mean"].to_numpy(dtype="float64")
    nonzero = actual != 0
    mape = (
        float(np.mean(np.abs(actual[nonzero] - mean[nonzero]) / np.abs(actual[nonzero])) * 100)
        if nonzero.any()
        else float("nan")
    )
    inside = {
        level: int(
            np.sum(
                (actual >= backtest[f"lower_{level}"].to_numpy())
                & (actual <= backtest[f"upper_{level}"].to_numpy())
            )
        )
        for level in LEVELS
    }
    coverage = {level: inside[level] / len(backtest) * 100 for level in LEVELS}
    return Accuracy(len(backtest), mape, coverage[80], coverage[95], inside[80], inside[95])


def choose_method(
    y: np.ndarray,
    settings: ForecastSettings,
    period: int | None,
    *,
    horizon: int | None = None,
    origin_step: int | None = None,
    minimum_train: int | None = None,
) -> ForecastChoice:
    """Choose the forecasting method for a series: the AICc-best ETS model if it beats naive in the backtest.

    Parameters
    ----------
    y
        The current process segment, oldest first.
    settings
        ``anticipated.forecast`` of ``config/indicators.yml``.
    period
        Seasonal period (12 for months); None: no seasonality (annual series).
    horizon, origin_step, minimum_train
        Backtest settings when they differ from ``settings`` (the annual benchmark).

    Notes
    -----
    The chosen model's structure is backtested (refitted at each origin), not the whole selection procedure: the
    cheaper, slightly flattering variant of FPP3 5.10. A model must have a strictly lower MAPE than naive.
    """
    y = np.asarray(y, dtype="float64")
    horizon = horizon or settings.backtest_horizon
    step = origin_step or settings.backtest_origin_step
    first = minimum_train or settings.backtest_minimum_points
    if len(y) < settings.minimum_points:
        return ForecastChoice(
            NAIVE,
            None,
            f"only {len(y)} figures since the last change in the process (a model needs {settings.minimum_points}): "
            "naive forecast (the latest figure carried forward)",
            plain=f"{NAIVE_PLAIN}, as there are only {len(y)} months of figures since the last change in the "
            f"process (a statistical model needs {settings.minimum_points})",
        )
    spec = select_spec(y, settings, period)
    if spec.seasonal and period:
        first = max(first, settings.seasonal_minimum_cycles * period)
    if len(y) <= first:
        return ForecastChoice(
            NAIVE,
            None,
            f"too few figures to test {spec.label} against a naive forecast: naive forecast used",
            candidate=spec.label,
            plain=f"{NAIVE_PLAIN}, as there are too few months of figures since the last change in the process "
            "to test a statistical model",
        )
    model = accuracy(
        rolling_origin(
            y,
            lambda train, h: ets_forecast(train, spec, h, period),
            first_origin=first,
            horizon=horizon,
            step=step,
        )
    )
    naive = accuracy(rolling_origin(y, naive_forecast, first_origin=first, horizon=horizon, step=step))
    if model.mape < naive.mape:
        return ForecastChoice(
            spec.label,
            spec,
            f"{spec.label} (lowest AICc); in the backtest its error was {model.mape:.1f}% against the naive "
            f"forecast's {naive.mape:.1f}%",
            candidate=spec.label,
            model=model,
            naive=naive,
            plain=spec.plain,
        )
    return ForecastChoice(
        NAIVE,
        None,
        f"{spec.label} did not beat a naive forecast in the backtest (error {model.mape:.1f}% against "
        f"{naive.mape:.1f}%): naive forecast used",
        candidate=spec.label,
        model=model,
        naive=naive,
        plain=f"{NAIVE_PLAIN}, as a statistical model was no more accurate on past figures",
    )


def clip_to_possible(frame: pd.DataFrame, lowest: float = 0.0, highest: float | None = None) -> pd.DataFrame:
    """The forecast and its ranges cut to what the measure can be: no count below 0, no percentage above 100.

    A normal prediction interval has no floor or ceiling; a measure does (a count is never negative, a percentage
    never above 100, a rate per 10,000 never above 10,000). Cutting a range at the possible changes none of the
    backtest's coverage, since every actual is possible.
    """
    frame = frame.copy()
    for column in ["mean"] + [f"{side}_{level}" for level in LEVELS for side in ("lower", "upper")]:
        frame[column] = frame[column].clip(lower=lowest, upper=highest)
    return frame


def too_uncertain(frame: pd.DataFrame, share: float) -> pd.DataFrame:
    """``too_uncertain_80``/``_95``: the (cut) range is wider than ``share`` of the forecast's level.

    Parameters
    ----------
    frame
        A forecast (:data:`FORECAST_COLUMNS`), already cut to the possible.
    share
        ``anticipated.forecast.too_uncertain_share``: 0.5 calls a range "too uncertain to plan on" when it is wider
        than half the forecast (e.g. 300 to 600 around 450). A forecast of 0 with any width is too uncertain.
    """
    frame = frame.copy()
    level_size = frame["mean"].abs()
    for level in LEVELS:
        width = frame[f"upper_{level}"] - frame[f"lower_{level}"]
        frame[f"too_uncertain_{level}"] = (width > share * level_size).astype(bool)
    return frame


def forecast_with(
    choice: ForecastChoice,
    y: np.ndarray,
    horizon: int,
    period: int | None,
    *,
    lowest: float = 0.0,
    highest: float | None = None,
) -> pd.DataFrame:
    """The forecast of the chosen method, cut to what is possible (``lowest`` to ``highest``; by default >= 0)."""
    y = np.asarray(y, dtype="float64")
    frame = (
        naive_forecast(y, horizon) if choice.spec is None else ets_forecast(y, choice.spec, horizon, period)
    )
    return clip_to_possible(frame, lowest, highest)


def monthly_forecast(
    segment: pd.Series, settings: ForecastSettings, horizon: int, *, highest: float | None = None
) -> tuple[ForecastChoice, pd.DataFrame]:
    """Choose a method for a monthly segment and forecast ``horizon`` months after its last month.

    The forecast is cut to 0 to ``highest`` (:func:`clip_to_possible`; None: no ceiling).

    Returns
    -------
    tuple
        The choice and a frame with ``month`` and the forecast columns.
    """
    y = segment.to_numpy(dtype="float64")
    choice = choose_method(y, settings, settings.seasonal_period)
    frame = forecast_with(choice, y, horizon, settings.seasonal_period, highest=highest)
    last = pd.Timestamp(segment.index[-1])
    frame.insert(0, "month", [last + pd.DateOffset(months=int(s)) for s in frame["step"]])
    logger.debug("Forecast from %d months to %s: %s", len(y), f"{last:%b %Y}", choice.method)
    return choice, frame
