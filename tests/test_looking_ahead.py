"""The "looking ahead" section: demand forecasts from the monthly table, never of a suppressed series, in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def _forecast_rows(
    series: str = "x",
    name: str = "Children <b>in need</b>",
    unit: str = "rate per 10,000",
    uncertain_80: tuple[int, ...] = (),
    uncertain_95: tuple[int, ...] = (),
) -> list[dict[str, object]]:
    rows = []
    for step, month in enumerate(pd.date_range("2015-07-01", periods=6, freq="MS"), start=1):
        rows.append(
            {
                "series_id": series,
                "name": name,
                "unit": unit,
                "month": month,
                "step": step,
                "method": "ETS(A,Ad,N)",
                "mean": 300.0,
                "lower_80": 300.0 - 10 * step,
                "upper_80": 300.0 + 10 * step,
                "lower_95": 300.0 - 20 * step,
                "upper_95": 300.0 + 20 * step,
                "too_uncertain_80": step in uncertain_80,
                "too_uncertain_95": step in uncertain_95,
                "fitted_from": pd.Timestamp("2014-10-01"),
                "fitted_to": pd.Timestamp("2015-06-01"),
                "note": "ETS(A,Ad,N) (lowest AICc); in the backtest its error was 2.0% against the naive's 6.2%",
                "method_text": "a statistical model that follows the recent level and trend",
            }
        )
    return rows


def _backtest_row(series: str = "x", tested: int = 27, inside_80: int = 18, inside_95: int = 20) -> dict:
    return {
        "series_id": series,
        "name": "x",
        "candidate": "ETS(A,Ad,N)",
        "method": "ETS(A,Ad,N)",
        "forecasts": tested,
        "model_mape": 2.0,
        "model_coverage_80": 100 * inside_80 / tested if tested else np.nan,
        "model_coverage_95": 100 * inside_95 / tested if tested else np.nan,
        "naive_mape": 6.2,
        "naive_coverage_80": 29.6,
        "naive_coverage_95": 63.0,
        "inside_80": inside_80,
        "inside_95": inside_95,
        "coverage_80": 100 * inside_80 / tested if tested else np.nan,
        "coverage_95": 100 * inside_95 / tested if tested else np.nan,
        "note": "ETS(A,Ad,N) (lowest AICc)",
    }


def _text(forecast_rows: list[dict], backtest_rows: list[dict], share: float = 0.5) -> str:
    forecasts = conform(pd.DataFrame(forecast_rows), "forecasts")
    backtest = conform(pd.DataFrame(backtest_rows), "forecast_backtest")
    return looking_ahead_text(forecasts, backtest, QUARTER, too_uncertain_share=share)


def test_looking_ahead_in_words_by_hand() -> None:
    text = _text(_forecast_rows(), [_backtest_row()])
    assert (
        "- **Children &lt;b&gt;in need&lt;/b&gt;**: about 300.0 per 10,000 in September 2015 (80% range 270.0 to "
        "330.0; 95% range 240.0 to 360.0) and about 300.0 per 10,000 in December 2015 (80% range 240.0 to 360.0; "
        "95% range 180.0 to 420.0). Forecast from the figures October 2014 to June 2015: a statistical model that "
        "follows the recent level and trend. Tested on past figures, its 80% range held the actual figure 18 times "
        "in 27 (66.7%) and its 95% range 20 times in 27 (74.1%)."
    ) in text
    assert "July to September 2015" in text and "October to December 2015" in text


def test_the_coverage_stated_is_the_one_measured_never_the_nominal_one() -> None:
    text = _text(_forecast_rows(), [_backtest_row(tested=15, inside_80=14, inside_95=15)])
    assert "held the actual figure 14 times in 15 (93.3%) and its 95% range 15 times in 15 (100.0%)" in text
    # The old claim, model codes and jargon are gone from the reader's text (they stay in the method section).
    for overclaim in ["four times in five", "nineteen times in twenty", "ETS(", "AICc", "naive", "backtest"]:
        assert overclaim not in text
    untested = _text(_forecast_rows(), [_backtest_row(tested=0, inside_80=0, inside_95=0)])
    assert "could not be tested on past figures, so how often its ranges hold is not known" in untested
    missing = _text(_forecast_rows(), [_backtest_row(series="another measure")])
    assert "how often its ranges hold is not known" in missing


def test_a_range_wider_than_the_share_is_too_uncertain_to_plan_on() -> None:
    # December's 95% range only: September keeps both ranges, December keeps its 80% range.
    text = _text(_forecast_rows(uncertain_95=(6,)), [_backtest_row()])
    assert (
        "about 300.0 per 10,000 in December 2015 (80% range 240.0 to 360.0; the 95% range is too uncertain to "
        "plan on)"
    ) in text
    assert "180.0" not in text and "420.0" not in text
    assert "95% range 240.0 to 360.0" in text  # September's
    # Both months' 80% ranges: no figure at all, and the configured share in words.
    wide = _text(_forecast_rows(uncertain_80=(3, 6), uncertain_95=(3, 6)), [_backtest_row()], share=0.5)
    assert (
        "**: the forecasts for September 2015 and December 2015 are too uncertain to plan on (even the 80% range is "
        "wider than half the forecast)."
    ) in wide
    assert "about 300.0" not in wide and "270.0" not in wide
    assert "A range wider than half the forecast is too uncertain to plan on" in wide
    one = _text(_forecast_rows(uncertain_80=(6,), uncertain_95=(3, 6)), [_backtest_row()], share=0.3)
    assert (
        "; the forecast for December 2015 is too uncertain to plan on (even the 80% range is wider than 30% of "
        in one
    )
    assert "about 300.0 per 10,000 in September 2015 (80% range 270.0 to 330.0; the 95% range is too" in one


def test_counts_and_percentages_in_words() -> None:
    counts = _text(_forecast_rows(unit="count", name="Contacts"), [_backtest_row()])
    assert "about 300 in September 2015 (80% range 270 to 330; 95% range 240 to 360)" in counts
    percentages = _text(_forecast_rows(unit="%", name="Re-referrals"), [_backtest_row()])
    assert "about 300.0% in September 2015" in percentages


def test_forecasts_are_cut_to_the_possible_and_flagged_by_the_analysis_stage(config: ProjectConfig) -> None:
    # A noisy count around 30 whose ranges reach below zero: cut at 0, and far wider than half the forecast.
    noisy = 30 + np.random.default_rng(5).normal(0, 20, 12).round()
    monthly = pd.concat(
        [
            _monthly("contacts_converting_to_referrals", noisy),
            _monthly("children_looked_after_per_10000", np.full(12, 70.0) + np.arange(12) % 2),
        ]
    )
    monthly.loc[monthly["indicator_id"] == "contacts_converting_to_referrals", "denominator"] = noisy
    forecasts, backtest = demand_forecasts(monthly, config, QUARTER)
    contacts = forecasts.loc[forecasts["series_id"] == "contacts_converting_to_referrals:denominator"]
    assert not contacts.empty
    assert (contacts[["mean", "lower_80", "lower_95"]] >= 0).all().all()
    assert (contacts["lower_95"] == 0).any()  # the uncut range reached below zero
    assert contacts["too_uncertain_95"].all() and contacts["too_uncertain_80"].all()
    looked_after = forecasts.loc[forecasts["series_id"] == "children_looked_after_per_10000"]
    assert not looked_after["too_uncertain_80"].any()  # +-1 around 70: narrow enough
    assert (forecasts["method_text"].str.contains("ETS|AICc|naive") == False).all()  # noqa: E712
    # Nothing could be tested from 12 months (12 training points at the first origin): counts 0, coverage empty.
    assert (backtest["forecasts"] == 0).all() and (backtest["inside_80"] == 0).all()
    assert backtest["coverage_80"].isna().all()


def test_the_measured_coverage_is_the_method_useds(config: ProjectConfig) -> None:
    months = pd.date_range("2012-04-01", "2015-06-01", freq="MS")
    y = 100 + np.cumsum(np.random.default_rng(3).normal(0, 5, len(months)))
    monthly = pd.DataFrame(
        {
            "indicator_id": "children_looked_after_per_10000",
            "month": months,
            "value": y,
            "numerator": y,
            "denominator": y * 2,
            "suppressed": False,
        }
    )
    _, backtest = demand_forecasts(monthly, config, QUARTER)
    row = backtest.iloc[0]
    side = "naive" if row["method"] == "naive" else "model"
    assert row["forecasts"] > 0
    for level in (80, 95):
        assert row[f"coverage_{level}"] == pytest.approx(row[f"{side}_coverage_{level}"])
        assert row[f"coverage_{level}"] == pytest.approx(100 * row[f"inside_{level}"] / row["forecasts"])


def test_nothing_to_forecast_says_so(config: ProjectConfig) -> None:
    forecasts, backtest = demand_forecasts(
        _monthly("social_workers_in_post_fte", np.ones(3)), config, QUARTER
    )
    assert forecasts.empty and backtest.empty
    assert (
        looking_ahead_text(forecasts, backtest, QUARTER, too_uncertain_share=0.5)
        == "No demand measure could be forecast this quarter."
    )
    assert looking_ahead_chart(_monthly("x", np.ones(3)), forecasts, config, QUARTER) is None
    assert backtest_table(backtest).empty


def test_the_chart_has_a_key_for_every_line_and_band_it_draws(config: ProjectConfig) -> None:
    """Figures, forecast, 80% and 95% ranges each in the key; the bands do not overlap, so each shows the very shade
    of its key (issue 22, point 9)."""
    from matplotlib.collections import PolyCollection

    monthly = _monthly("children_looked_after_per_10000", np.full(12, 70.0) + np.arange(12) % 3)
    forecasts, _ = demand_forecasts(monthly, config, QUARTER)
    drawn: list[object] = []
    original = PolyCollection.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        drawn.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PolyCollection, "__init__", remember)
        figure = looking_ahead_chart(monthly, forecasts, config, QUARTER)
    assert figure is not None
    for key in ("Figures", "Forecast", "80% range", "95% range"):
        assert f"{key}</text>" in figure.svg or f"<!-- {key} -->" in figure.svg, key
    assert len(drawn) == 3  # the 95% band below and above the 80% band, and the 80% band


def test_model_codes_are_words_on_the_page() -> None:
    """The method section's table names each model in words; the codes stay in the forecast_backtest table."""
    from analysis.methods.model_words import model_in_words as model_words

    assert (
        model_words("ETS(A,Ad,N)")
        == "a statistical model that follows the recent level and trend, with the trend levelling off"
    )
    assert model_words("ETS(A,N,A)") == (
        "a statistical model that follows the recent level and the usual pattern through the year"
    )
    assert model_words(pd.NA) == model_words(None) == "none (too few figures)"
