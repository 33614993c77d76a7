"""Anticipated trends: path interpolation, band edges, polarity, the out-of-line rule and its exceptions."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analysis.config import ProjectConfig, load_config
from analysis.config_indicators import ForecastExpectation, PlannedPath, TrajectoryPoint
from analysis.errors import ConfigError
from analysis.io import conform
from analysis.methods.exception_finder import find_exceptions
from analysis.methods.quarters import Quarter
from analysis.methods.trajectory import (
    anticipated_table,
    concern_side,
    is_out_of_line,
    out_of_line_exceptions,
    planned_values,
    position,
    tolerance_width,
)

QUARTER = Quarter.parse("2015-16-Q1")
MONTHS = pd.date_range("2015-01-01", "2016-06-01", freq="MS")


def _path(*points: tuple[str, float], **extra: object) -> PlannedPath:
    return PlannedPath(
        path=[TrajectoryPoint(date=date.fromisoformat(d), value=v) for d, v in points],
        source="test",
        **({"tolerance": 6.0} | extra),  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------------------------------------ the path
def test_path_is_linear_between_months_and_flat_after_the_last() -> None:
    path = _path(("2015-03-31", 77.0), ("2016-03-31", 60.0))
    values = planned_values(path, MONTHS)
    assert np.isnan(values[pd.Timestamp("2015-02-01")])  # before the plan: no expectation
    assert values[pd.Timestamp("2015-03-01")] == pytest.approx(77.0)
    # June 2015 is 3 of 12 months along: 77 - 17 x 3 / 12 = 72.75
    assert values[pd.Timestamp("2015-06-01")] == pytest.approx(72.75)
    assert values[pd.Timestamp("2015-09-01")] == pytest.approx(68.5)
    assert values[pd.Timestamp("2016-03-01")] == pytest.approx(60.0)
    assert values[pd.Timestamp("2016-06-01")] == pytest.approx(60.0)  # the last value holds


def test_path_with_a_step() -> None:
    path = _path(("2015-03-31", 1200.0), ("2015-04-30", 690.0), ("2015-09-30", 690.0))
    values = planned_values(path, pd.DatetimeIndex(["2015-03-01", "2015-04-01", "2015-06-01"]))
    assert list(values) == [1200.0, 690.0, 690.0]


@given(st.floats(0, 1000), st.floats(0, 1000), st.integers(1, 24), st.integers(0, 24))
def test_path_stays_between_its_points(start: float, end: float, months: int, at: int) -> None:
    first = pd.Timestamp("2015-01-01")
    last = first + pd.DateOffset(months=months)
    path = _path((str(first.date()), start), (str(last.date()), end))
    value = planned_values(path, pd.DatetimeIndex([first + pd.DateOffset(months=min(at, months))])).iloc[0]
    assert min(start, end) - 1e-9 <= value <= max(start, end) + 1e-9


def test_tolerance_absolute_and_percent() -> None:
    assert list(tolerance_width(_path(("2015-01-01", 1.0), ("2015-02-01", 2.0)), [100.0, 50.0])) == [6.0, 6.0]
    percent = _path(("2015-01-01", 1.0), ("2015-02-01", 2.0), tolerance=None, tolerance_percent=15.0)
    assert list(tolerance_width(percent, [500.0, 480.0])) == pytest.approx([75.0, 72.0])


def test_path_needs_one_tolerance_and_ordered_months() -> None:
    with pytest.raises(ValueError, match="exactly one of tolerance"):
        _path(("2015-01-01", 1.0), ("2015-02-01", 2.0), tolerance_percent=10.0)
    with pytest.raises(ValueError, match="earliest first"):
        _path(("2015-02-01", 1.0), ("2015-02-28", 2.0))


# ------------------------------------------------------------------------------------------------ the band
def test_band_edges_are_inside() -> None:
    assert position(76.75, 68.75, 76.75) == "within"
    assert position(76.76, 68.75, 76.75) == "above"
    assert position(68.75, 68.75, 76.75) == "within"
    assert position(68.74, 68.75, 76.75) == "below"
    assert position(float("nan"), 68.75, 76.75) is None
    assert position(70.0, float("nan"), float("nan")) is None


def test_side_of_concern_follows_polarity_unless_given() -> None:
    planned = _path(("2015-01-01", 1.0), ("2015-02-01", 2.0))
    assert concern_side(planned, "lower_is_better") == "above"
    assert concern_side(planned, "higher_is_better") == "below"
    assert concern_side(planned, "context") == "either"
    assert concern_side(ForecastExpectation(concern="below"), "lower_is_better") == "below"


def test_out_of_line_only_on_the_side_of_concern() -> None:
    assert is_out_of_line("above", "above")
    assert not is_out_of_line("below", "above")  # better than planned for a lower_is_better measure
    assert is_out_of_line("below", "either") and is_out_of_line("above", "either")
    assert not is_out_of_line("within", "either")
    assert not is_out_of_line(None, "either")


# ------------------------------------------------------------------------------------------------ with a config
@pytest.fixture(scope="module")
def trend_config(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> ProjectConfig:
    """The project's configuration with hand-set trends: the issue's CP-plans path, a re-referral path."""
    folder = tmp_path_factory.mktemp("trend") / "config"
    shutil.copytree(repo_root / "config", folder)
    path = folder / "indicators.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["anticipated"]["latest_points"] = 1
    for indicator in data["indicators"]:
        indicator.pop("anticipated", None)
        if indicator["id"] == "children_on_cp_plan_per_10000":
            indicator["anticipated"] = {
                "path": [{"date": "2015-03-31", "value": 77}, {"date": "2016-03-31", "value": 60}],
                "tolerance": 6,
                "concern": "above",
                "source": "test",
            }
        if indicator["id"] == "rereferrals_within_12_months":  # lower is better
            indicator["anticipated"] = {
                "path": [{"date": "2014-04-30", "value": 30}, {"date": "2015-06-30", "value": 20}],
                "tolerance_percent": 10,
                "source": "test",
            }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_config(folder)


def _monthly(indicator_id: str, values: dict[str, float], suppressed: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "month": pd.to_datetime(list(values)),
            "value": list(values.values()),
            "numerator": np.nan,
            "denominator": np.nan,
            "suppressed": [m in suppressed for m in values],
        }
    )


def test_cp_plans_above_the_planned_path_is_an_exception_with_its_reason(trend_config: ProjectConfig) -> None:
    monthly = _monthly(
        "children_on_cp_plan_per_10000",
        {"2015-02-01": 76.0, "2015-04-01": 76.5, "2015-05-01": 81.0, "2015-06-01": 80.0},
    )
    table = anticipated_table(monthly, trend_config, QUARTER)
    conform(table, "anticipated")
    assert list(table["month"]) == list(pd.to_datetime(["2015-04-01", "2015-05-01", "2015-06-01"]))
    june = table.iloc[-1]
    assert (june["expected"], june["lower"], june["upper"]) == pytest.approx((72.75, 66.75, 78.75))
    # April: planned 75.58, band 69.58-81.58; May: 74.17, band 68.17-80.17; June: 72.75, band 66.75-78.75.
    assert list(table["position"]) == ["within", "above", "above"]
    rows = out_of_line_exceptions(table, trend_config)
    assert rows["reason"].tolist() == [
        "Children on a child protection plan per 10,000 children: 80.0 per 10,000 in June 2015, above the planned "
        "path of 72.8 and outside the expected range of 66.8-78.8; out of line since May 2015"
    ]
    assert rows["since"].tolist() == [pd.Timestamp("2015-05-01")]


def test_may_band_hand_worked(trend_config: ProjectConfig) -> None:
    # May 2015: 77 - 17 x 2 / 12 = 74.1667; band 68.17 to 80.17, so 79.0 is within and 80.5 above.
    monthly = _monthly("children_on_cp_plan_per_10000", {"2015-05-01": 80.5, "2015-06-01": 70.0})
    table = anticipated_table(monthly, trend_config, QUARTER)
    assert table["upper"].iloc[0] == pytest.approx(74.1667 + 6, abs=1e-3)
    assert list(table["position"]) == ["above", "within"]
    assert out_of_line_exceptions(table, trend_config).empty  # the latest month is back in line


def test_better_than_planned_is_not_out_of_line(trend_config: ProjectConfig) -> None:
    # Re-referrals (lower is better): planned 20% in June 2015, band 18-22. 15% is below: better, not a concern.
    monthly = _monthly("rereferrals_within_12_months", {"2015-06-01": 15.0})
    table = anticipated_table(monthly, trend_config, QUARTER)
    assert table["position"].tolist() == ["below"] and not table["out_of_line"].any()
    assert out_of_line_exceptions(table, trend_config).empty


def test_a_suppressed_month_is_never_judged(trend_config: ProjectConfig) -> None:
    monthly = _monthly("children_on_cp_plan_per_10000", {"2015-06-01": 95.0}, suppressed=("2015-06-01",))
    table = anticipated_table(monthly, trend_config, QUARTER)
    assert table["position"].isna().all() and not table["out_of_line"].any()
    assert out_of_line_exceptions(table, trend_config).empty


def _summary(indicator_id: str, variation: str) -> dict[str, object]:
    return {
        "indicator_id": indicator_id,
        "latest_month": pd.Timestamp("2015-06-01"),
        "variation": variation,
        "assurance": None,
        "rule": "run",
        "since": pd.Timestamp("2014-09-01"),
        "baseline_points": 12,
        "provisional": False,
        "description": "10 months in a row below the average since September 2014: a real fall, not noise.",
    }


def test_planned_movement_is_no_longer_an_spc_exception(trend_config: ProjectConfig) -> None:
    spc_summary = conform(
        pd.DataFrame(
            [
                _summary("rereferrals_within_12_months", "concern"),  # has a path: the path decides
                _summary("lac_three_or_more_placements", "concern"),  # no path: SPC stands
            ]
        ),
        "spc_summary",
    )
    comparison = pd.DataFrame(columns=["indicator_id", "time_period", "quartile_band"])
    actions = pd.DataFrame(columns=["theme", "action_id", "action", "status", "latest_update", "due_date"])
    in_line = anticipated_table(
        _monthly("rereferrals_within_12_months", {"2015-06-01": 21.0}), trend_config, QUARTER
    )
    found = find_exceptions(spc_summary, comparison, actions, trend_config, QUARTER, in_line)
    assert list(zip(found["item_id"], found["reason_codes"], strict=True)) == [
        ("lac_three_or_more_placements", "special_cause_concern")
    ]
    without = find_exceptions(spc_summary, comparison, actions, trend_config, QUARTER)
    assert "rereferrals_within_12_months" in set(
        without["item_id"]
    )  # the same signal, no trend: an exception
    out = anticipated_table(
        _monthly("rereferrals_within_12_months", {"2015-06-01": 25.0}), trend_config, QUARTER
    )
    found = find_exceptions(spc_summary, comparison, actions, trend_config, QUARTER, out)
    rereferrals = found.loc[found["item_id"] == "rereferrals_within_12_months"]
    assert rereferrals["reason_codes"].tolist() == ["out_of_line"]  # reported once, not twice
    assert (
        rereferrals["reasons"]
        .iloc[0]
        .startswith(
            "Re-referrals within 12 months of a previous referral: 25.0% in June 2015, above the planned path of 20.0 "
            "and outside the expected range of 18.0-22.0"
        )
    )


def test_broken_trend_names_file_and_key(tmp_path: Path, repo_root: Path) -> None:
    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    path = folder / "indicators.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    index = next(n for n, i in enumerate(data["indicators"]) if i["id"] == "children_on_cp_plan_per_10000")
    data["indicators"][index]["anticipated"]["tolerance_percent"] = 5
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(folder)
    message = str(error.value)
    assert "indicators.yml" in message
    assert "indicators[" in message and "(children_on_cp_plan_per_10000).anticipated" in message
    assert "exactly one of tolerance and tolerance_percent" in message


def test_looking_ahead_must_name_an_indicator(tmp_path: Path, repo_root: Path) -> None:
    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    path = folder / "indicators.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["anticipated"]["looking_ahead"][0]["indicator"] = "no_such_indicator"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"anticipated\.looking_ahead\[0\]\.indicator"):
        load_config(folder)
