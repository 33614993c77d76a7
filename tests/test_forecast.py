"""Forecasts: the naive method by hand, a known seasonal series, the backtest's scores and the method choice."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.config_indicators import ForecastSettings
from analysis.methods.forecast import (
    NAIVE,
    EtsSpec,
    accuracy,
    candidate_specs,
    choose_method,
    clip_to_possible,
    current_segment,
    ets_forecast,
    monthly_forecast,
    naive_forecast,
    rolling_origin,
    too_uncertain,
)

SETTINGS = ForecastSettings()


def test_naive_forecast_by_hand() -> None:
    # Differences 2, -1, 2: sigma = sqrt((4 + 1 + 4) / 3) = sqrt(3). 95%: 1.959964 x sqrt(3) x sqrt(h).
    frame = naive_forecast(np.array([10.0, 12.0, 11.0, 13.0]), 4)
    assert frame["mean"].tolist() == [13.0] * 4
    half = 1.959964 * np.sqrt(3)
    assert frame["upper_95"].iloc[0] == pytest.approx(13 + half, abs=1e-5)
    assert frame["lower_95"].iloc[3] == pytest.approx(13 - 2 * half, abs=1e-5)
    assert frame["upper_80"].iloc[0] == pytest.approx(13 + 1.281552 * np.sqrt(3), abs=1e-5)


def test_accuracy_by_hand() -> None:
    backtest = pd.DataFrame(
        {
            "actual": [100.0, 200.0, 0.0],
            "mean": [110.0, 180.0, 5.0],
            "lower_80": [105.0, 170.0, -1.0],
            "upper_80": [115.0, 190.0, 1.0],
            "lower_95": [95.0, 160.0, -2.0],
            "upper_95": [125.0, 200.0, 2.0],
        }
    )
    scores = accuracy(backtest)
    assert scores.forecasts == 3
    assert scores.mape == pytest.approx(10.0)  # (10% + 10%) / 2; the zero actual is left out
    assert scores.coverage_80 == pytest.approx(100 / 3)  # only the zero is inside its 80% interval
    assert scores.coverage_95 == pytest.approx(100.0)  # 200 on the upper edge counts as inside
    assert (scores.inside_80, scores.inside_95) == (1, 3)  # the counts the report states ("1 time in 3")
    assert (scores.inside(80), scores.coverage(95)) == (1, pytest.approx(100.0))


def test_rolling_origin_origins_and_steps() -> None:
    y = np.arange(10, dtype=float)
    backtest = rolling_origin(y, naive_forecast, first_origin=5, horizon=2, step=2)
    assert backtest["origin"].tolist() == [5, 5, 7, 7, 9]
    assert backtest["actual"].tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]
    assert backtest["mean"].tolist() == [4.0, 4.0, 6.0, 6.0, 8.0]  # the last training value


def _seasonal(months: int) -> np.ndarray:
    t = np.arange(months)
    return 100 + 10 * np.sin(2 * np.pi * t / 12)


def test_a_seasonal_series_is_forecast_within_its_interval() -> None:
    noise = np.random.default_rng(7).normal(0, 0.5, 60)
    y = _seasonal(60) + noise
    train, actual = y[:48], _seasonal(60)[48:]
    choice = choose_method(train, SETTINGS, 12)
    assert choice.spec is not None and choice.spec.seasonal, choice.reason
    assert choice.model is not None and choice.naive is not None
    assert choice.model.mape < choice.naive.mape
    forecast = ets_forecast(train, choice.spec, 12, 12)
    assert np.all((actual >= forecast["lower_95"]) & (actual <= forecast["upper_95"]))
    assert np.max(np.abs(forecast["mean"] - actual)) < 2.0  # the peaks and troughs, not a flat line
    assert np.all(forecast["upper_95"] - forecast["lower_95"] > forecast["upper_80"] - forecast["lower_80"])


def test_seasonal_models_only_with_two_whole_years() -> None:
    assert [s.label for s in candidate_specs(23, SETTINGS, 12)] == ["ETS(A,N,N)", "ETS(A,Ad,N)"]
    assert [s.label for s in candidate_specs(24, SETTINGS, 12)][2:] == ["ETS(A,N,A)", "ETS(A,Ad,A)"]
    assert len(candidate_specs(100, SETTINGS, None)) == 2  # annual series: never seasonal


def test_too_few_points_gives_naive_and_says_so() -> None:
    choice = choose_method(np.array([5.0, 6.0, 5.5, 6.5, 6.0]), SETTINGS, 12)
    assert choice.method == NAIVE and choice.spec is None
    assert "only 5 figures" in choice.reason and "naive" in choice.reason


def test_a_model_that_does_not_beat_naive_is_not_used() -> None:
    # A random walk's best forecast is its last value: here the seasonal model AICc prefers does worse than naive
    # in the backtest (about 7% against 5.5%), so the naive forecast is used and the reason says so.
    y = 100 + np.cumsum(np.random.default_rng(3).normal(0, 5, 40))
    choice = choose_method(y, SETTINGS, 12)
    assert choice.method == NAIVE and choice.spec is None
    assert choice.candidate is not None and choice.model is not None and choice.naive is not None
    assert choice.model.mape >= choice.naive.mape
    assert f"{choice.candidate} did not beat a naive forecast in the backtest" in choice.reason
    # The reader's words: no model code, no "naive", no "backtest"; the coverage stated is naive's, the one used.
    assert choice.plain == (
        "the latest figure carried forward, as a statistical model was no more accurate on past figures"
    )
    assert choice.used is choice.naive


def test_forecasts_are_deterministic_and_quiet() -> None:
    segment = pd.Series(
        _seasonal(36) + np.linspace(0, 5, 36), index=pd.date_range("2012-07-01", periods=36, freq="MS")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = monthly_forecast(segment, SETTINGS, 6)
        second = monthly_forecast(segment, SETTINGS, 6)
    assert first[0] == second[0]
    pd.testing.assert_frame_equal(first[1], second[1])
    assert first[1]["month"].iloc[0] == pd.Timestamp("2015-07-01")
    assert (first[1]["lower_95"] >= 0).all()


def test_current_segment_starts_at_the_last_rebase() -> None:
    series = pd.Series(range(12), index=pd.date_range("2014-01-01", periods=12, freq="MS"), dtype=float)
    segment = current_segment(series, [date(2014, 4, 1), date(2014, 10, 1), date(2016, 1, 1)])
    assert segment.index[0] == pd.Timestamp("2014-10-01") and len(segment) == 3
    assert len(current_segment(series, [], up_to=pd.Timestamp("2014-06-01"))) == 6


def test_spec_labels() -> None:
    assert EtsSpec(trend=True, seasonal=True).label == "ETS(A,Ad,A)"
    assert EtsSpec().label == "ETS(A,N,N)"


def test_the_words_for_a_reader_name_no_model() -> None:
    assert EtsSpec(trend=True).plain == (
        "a statistical model that follows the recent level and trend, with the trend levelling off"
    )
    assert EtsSpec(seasonal=True).plain == (
        "a statistical model that follows the recent level and the usual pattern through the year"
    )
    short = choose_method(np.array([5.0, 6.0, 5.5, 6.5, 6.0]), SETTINGS, 12)
    assert short.plain == (
        "the latest figure carried forward, as there are only 5 months of figures since the last change in the "
        "process (a statistical model needs 12)"
    )
    assert short.used is None  # nothing was tested: no coverage to state
    noise = np.random.default_rng(7).normal(0, 0.5, 60)
    seasonal = choose_method(_seasonal(48) + noise[:48], SETTINGS, 12)
    assert seasonal.spec is not None and seasonal.used is seasonal.model
    for choice in (short, seasonal):
        assert "ETS" not in choice.plain and "AICc" not in choice.plain and "naive" not in choice.plain


def _frame(mean: list[float], half_80: list[float], half_95: list[float]) -> pd.DataFrame:
    m, h80, h95 = (np.array(v, dtype=float) for v in (mean, half_80, half_95))
    return pd.DataFrame(
        {
            "step": np.arange(1, len(m) + 1),
            "mean": m,
            "lower_80": m - h80,
            "upper_80": m + h80,
            "lower_95": m - h95,
            "upper_95": m + h95,
        }
    )


def test_ranges_are_cut_to_what_is_possible() -> None:
    frame = _frame([476.7, 95.0, -3.0], [322.0, 4.0, 2.0], [492.5, 8.0, 4.0])
    counts = clip_to_possible(frame)
    assert counts["lower_95"].tolist() == [0.0, 87.0, 0.0]  # 476.7 - 492.5 < 0: no count below zero
    assert counts["upper_95"].tolist() == pytest.approx([969.2, 103.0, 1.0])  # no ceiling for a count
    assert counts["mean"].tolist()[2] == 0.0
    percentages = clip_to_possible(frame, 0.0, 100.0)
    assert percentages["upper_95"].tolist() == pytest.approx([100.0, 100.0, 1.0])
    assert percentages["upper_80"].tolist() == pytest.approx([100.0, 99.0, 0.0])
    assert frame["lower_95"].iloc[0] < 0  # the input is not changed


def test_a_range_wider_than_the_share_is_too_uncertain() -> None:
    # Widths 80%: 100, 60, 0 and 95%: 160, 120, 0 around 200, 200, 0; share 0.5: wider than 100 is too uncertain.
    flagged = too_uncertain(_frame([200.0, 200.0, 0.0], [50.0, 30.0, 0.0], [80.0, 60.0, 0.0]), 0.5)
    assert flagged["too_uncertain_80"].tolist() == [
        False,
        False,
        False,
    ]  # exactly half is not wider than half
    assert flagged["too_uncertain_95"].tolist() == [True, True, False]
    wider = too_uncertain(_frame([0.0], [1.0], [2.0]), 0.5)
    assert wider["too_uncertain_80"].tolist() == [True]  # any range around a forecast of 0
    assert too_uncertain(_frame([200.0], [50.0], [80.0]), 1.0)["too_uncertain_95"].tolist() == [False]


def test_a_monthly_forecast_is_cut_at_the_ceiling() -> None:
    segment = pd.Series(
        [96.0, 99.0, 97.0, 100.0, 98.0, 99.5], index=pd.date_range("2015-01-01", periods=6, freq="MS")
    )
    _, free = monthly_forecast(segment, SETTINGS, 3)
    assert (free["upper_95"] > 100).all()
    _, percentages = monthly_forecast(segment, SETTINGS, 3, highest=100.0)
    assert (percentages["upper_95"] == 100).all() and (percentages["upper_80"] <= 100).all()


def test_a_model_fitted_once_forecasts_as_one_fitted_afresh() -> None:
    """The fits kept for the same figures (issue 21) give exactly the forecast of a fit made afresh."""
    from analysis.methods import ets_fit, forecast

    y = np.array([30.0, 32.0, 31.0, 35.0, 34.0, 36.0, 38.0, 37.0, 40.0, 41.0, 39.0, 43.0, 44.0])
    spec = forecast.EtsSpec(trend=True)
    ets_fit.fit_of_figures.cache_clear()
    fresh = forecast.ets_forecast(y, spec, 3, 12)
    kept = forecast.ets_forecast(y.copy(), spec, 3, 12)  # the same figures: the fit is reused
    assert ets_fit.fit_of_figures.cache_info().hits == 1
    pd.testing.assert_frame_equal(kept, fresh, check_exact=True)
    # A different series is fitted afresh.
    forecast.ets_forecast(y[:-1], spec, 3, 12)
    assert ets_fit.fit_of_figures.cache_info().misses == 2


def test_forecasts_run_blas_on_one_thread_and_give_it_back() -> None:
    from threadpoolctl import threadpool_info

    from analysis.methods.ets_fit import one_blas_thread

    before = [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]
    with one_blas_thread():
        inside = [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]
    after = [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]
    assert inside and set(inside) == {1}
    assert after == before
