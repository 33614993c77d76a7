"""The "looking ahead" section: demand forecasts from the monthly table, never of a suppressed series, in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import ProjectConfig
from analysis.io import conform
from analysis.methods.demand_forecasts import demand_forecasts
from analysis.methods.quarters import Quarter
from analysis.products.looking_ahead import backtest_table, looking_ahead_chart, looking_ahead_text

QUARTER = Quarter.parse("2015-16-Q1")
MONTHS = pd.date_range("2014-07-01", "2015-06-01", freq="MS")


def _monthly(indicator_id: str, values: np.ndarray, suppressed: np.ndarray | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "month": MONTHS[: len(values)],
            "value": values,
            "numerator": values,
            "denominator": values * 2,
            "suppressed": suppressed if suppressed is not None else np.zeros(len(values), dtype=bool),
        }
    )


def test_a_series_with_a_suppressed_month_is_never_forecast(config: ProjectConfig) -> None:
    flat = np.full(12, 70.0)
    suppressed = np.zeros(12, dtype=bool)
    suppressed[3] = True
    monthly = pd.concat(
        [
            _monthly("children_looked_after_per_10000", flat + np.arange(12) % 2),
            _monthly("children_on_cp_plan_per_10000", flat, suppressed),
        ]
    )
    forecasts, backtest = demand_forecasts(monthly, config, QUARTER)
    conform(forecasts, "forecasts")
    conform(backtest, "forecast_backtest")
    assert set(forecasts["series_id"]) == {"children_looked_after_per_10000"}
    assert forecasts["month"].tolist() == list(pd.date_range("2015-07-01", periods=6, freq="MS"))
    # 12 points since April 2014: enough for a model, too few to test one from 12 training points: naive.
    assert set(forecasts["method"]) == {"naive"}
    assert (forecasts["mean"] == 71.0).all()  # the last figure (70 + 11 % 2)


def test_looking_ahead_in_words_by_hand() -> None:
    rows = []
    for step, month in enumerate(pd.date_range("2015-07-01", periods=6, freq="MS"), start=1):
        rows.append(
            {
                "series_id": "x",
                "name": "Children <b>in need</b>",
                "unit": "rate per 10,000",
                "month": month,
                "step": step,
                "method": "naive",
                "mean": 300.0,
                "lower_80": 300.0 - 10 * step,
                "upper_80": 300.0 + 10 * step,
                "lower_95": 300.0 - 20 * step,
                "upper_95": 300.0 + 20 * step,
                "fitted_from": pd.Timestamp("2014-10-01"),
                "fitted_to": pd.Timestamp("2015-06-01"),
                "note": "naive forecast",
            }
        )
    text = looking_ahead_text(conform(pd.DataFrame(rows), "forecasts"), QUARTER)
    assert (
        "- **Children &lt;b&gt;in need&lt;/b&gt;**: about 300.0 per 10,000 in September 2015 (80% range 270.0 to "
        "330.0; 95% range 240.0 to 360.0) and about 300.0 per 10,000 in December 2015 (80% range 240.0 to 360.0; "
        "95% range 180.0 to 420.0). From the figures October 2014 to June 2015; method: naive forecast."
    ) in text
    assert "July to September 2015" in text and "October to December 2015" in text


def test_nothing_to_forecast_says_so(config: ProjectConfig) -> None:
    forecasts, backtest = demand_forecasts(
        _monthly("social_workers_in_post_fte", np.ones(3)), config, QUARTER
    )
    assert forecasts.empty and backtest.empty
    assert looking_ahead_text(forecasts, QUARTER) == "No demand measure could be forecast this quarter."
    assert looking_ahead_chart(_monthly("x", np.ones(3)), forecasts, config, QUARTER) is None
    assert backtest_table(backtest).empty
