"""Where demand is heading, computed: the demand measures forecast for the next two quarters, and the backtest.

The committee paper reports that "Increases in demand on the service have required additional investment in posts"
(Medway Council, 21 July 2015); the Board asks where demand is going. The demand measures are listed in
``config/indicators.yml`` (``anticipated.looking_ahead``): contacts (the denominator of the contact conversion
rate), referrals, children in need, children on child protection plans and children looked after. Each is forecast
with :mod:`analysis.methods.forecast` from its figures since its last rebase, with 80% and 95% prediction intervals. A
series with a suppressed month (a count of 1 to 5 behind it) is never forecast: the report says why instead. The
analysis stage writes the ``forecasts`` and ``forecast_backtest`` tables; :mod:`analysis.products.looking_ahead`
presents them.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.config_indicators import DemandMeasure
from analysis.methods.forecast import (
    LEVELS,
    ForecastChoice,
    current_segment,
    monthly_forecast,
    too_uncertain,
)
from analysis.methods.quarters import Quarter
from analysis.schemas import schema

logger = logging.getLogger(__name__)


def series_id(measure: DemandMeasure) -> str:
    """``referrals_per_10000``, or ``contacts_converting_to_referrals:denominator`` for a count behind a rate."""
    return measure.indicator if measure.series == "value" else f"{measure.indicator}:{measure.series}"


#: The highest figure each unit of a demand measure can take (counts have no ceiling); every unit's floor is 0.
HIGHEST: dict[str, float | None] = {"count": None, "rate per 10,000": 10_000.0, "%": 100.0}


def demand_series(monthly: pd.DataFrame, measure: DemandMeasure, last_month: pd.Timestamp) -> pd.DataFrame:
    """One demand measure by month up to ``last_month``: ``month``, ``value`` and ``suppressed``."""
    rows = monthly.loc[(monthly["indicator_id"] == measure.indicator) & (monthly["month"] <= last_month)]
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(rows["month"]).to_numpy(),
            "value": rows[measure.series].to_numpy(dtype="float64"),
            "suppressed": rows["suppressed"].fillna(False).astype(bool).to_numpy(),
        }
    )
    return frame.sort_values("month").reset_index(drop=True)


def backtest_scores(choice: ForecastChoice) -> dict[str, object]:
    """The backtest figures of a forecast choice: the model tried, the method used, MAPE and interval coverage.

    One place for the ``forecast_backtest`` table's columns and for ``benchmarks/forecast_backtest.py``. The
    coverage of the method used (``inside_80``, ``coverage_80``...) is what the "looking ahead" text states.
    """
    model, naive, used = choice.model, choice.naive, choice.used
    scores: dict[str, object] = {
        "candidate": choice.candidate,
        "method": choice.method,
        "forecasts": model.forecasts if model else 0,
        "model_mape": model.mape if model else np.nan,
        "model_coverage_80": model.coverage_80 if model else np.nan,
        "model_coverage_95": model.coverage_95 if model else np.nan,
        "naive_mape": naive.mape if naive else np.nan,
        "naive_coverage_80": naive.coverage_80 if naive else np.nan,
        "naive_coverage_95": naive.coverage_95 if naive else np.nan,
    }
    for level in LEVELS:
        scores[f"inside_{level}"] = used.inside(level) if used else 0
        scores[f"coverage_{level}"] = used.coverage(level) if used else np.nan
    return scores


def _backtest_row(measure: DemandMeasure, choice: ForecastChoice) -> dict[str, object]:
    return (
        {"series_id": series_id(measure), "name": measure.name}
        | backtest_scores(choice)
        | {"note": choice.reason}
    )


def demand_forecasts(
    monthly: pd.DataFrame, config: ProjectConfig, quarter: Quarter
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``forecasts`` and ``forecast_backtest`` tables of the demand measures, from figures to the quarter's end.

    Notes
    -----
    Methods and backtest: :mod:`analysis.methods.forecast`. Fitted on the current process segment only (the months since
    the indicator's last rebase date), refitted every run. The forecasts are cut to what the measure can be (0 up, and
    at most 100 for a percentage or 10,000 for a rate per 10,000: :data:`HIGHEST`) and each range is flagged "too
    uncertain to plan on" when wider than ``too_uncertain_share`` of its forecast.
    """
    settings = config.registry.anticipated.forecast
    last_month = pd.Timestamp(quarter.months[-1])
    forecasts, backtests = [], []
    for measure in config.registry.anticipated.looking_ahead:
        indicator = config.indicator(measure.indicator)
        frame = demand_series(monthly, measure, last_month)
        series = frame.set_index("month")
        segment = current_segment(series["value"], indicator.rebase_at)
        if segment.empty:
            logger.info("%s: no figures to forecast", measure.name)
            continue
        if series.loc[segment.index, "suppressed"].any():
            logger.info("%s: not forecast (suppressed months since the last rebase)", measure.name)
            continue
        choice, forecast = monthly_forecast(
            segment, settings, settings.horizon_months, highest=HIGHEST[measure.unit]
        )
        forecasts.append(
            too_uncertain(forecast, settings.too_uncertain_share).assign(
                series_id=series_id(measure),
                name=measure.name,
                unit=measure.unit,
                method=choice.method,
                fitted_from=segment.index[0],
                fitted_to=segment.index[-1],
                note=choice.reason,
                method_text=choice.plain,
            )
        )
        backtests.append(_backtest_row(measure, choice))
    return _conform(forecasts, "forecasts"), _conform([pd.DataFrame(backtests)], "forecast_backtest")


def _conform(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
    table = schema(name)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in table.columns})
    frame = pd.concat(parts, ignore_index=True)
    for column in table.columns:
        if column.dtype.startswith("datetime64"):
            frame[column.name] = pd.to_datetime(frame[column.name]).astype(column.dtype)
    return (
        frame.loc[:, table.column_names]
        .astype({c.name: c.dtype for c in table.columns})
        .reset_index(drop=True)
    )
