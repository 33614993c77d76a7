"""The safeguarding board's core dataset: the analysis stage's table (hand-worked) and the product that shows it."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd
import pytest

from analysis.config import ProjectConfig
from analysis.config_indicators import BoardMethod
from analysis.io import conform
from analysis.methods.suppression import withhold_suppressed
from analysis.products.safeguarding_board import BoardData, board_html, core_dataset, method_html
from analysis.schemas import CHILD_LEVEL_TABLES, empty_table, schema
from analysis.stages.indicators import compute_indicators
from analysis.stages.indicators.board import (
    MEASURE_FUNCTIONS,
    SHORT_HISTORY_NOTE,
    board_table,
    cp_plans_ended_median_days,
    cp_plans_ended_two_years_or_more,
    cp_reviews_within_timescale,
    declared_columns,
)
from analysis.stages.indicators.periods import month_periods, periods_frame

JUNE = periods_frame([pd.Timestamp(2015, 6, 1)], [pd.Timestamp(2015, 6, 30)])
MONTHS = month_periods(pd.Timestamp(2014, 6, 1), pd.Timestamp(2015, 6, 1))
T = pd.Timestamp


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in schema(name).column_names:
        if column not in frame:
            frame[column] = pd.NaT if "date" in column else None
    frame["child_id"] = frame["child_id"] if "child_id" in frame else [f"c{n}" for n in range(len(frame))]
    frame["source_row"] = range(2, len(frame) + 2)
    return conform(frame, name) if rows else frame.astype({"source_row": "int64"})


def _plans(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    return _table(
        "cp_plans",
        [
            {
                "child_id": f"c{n}",
                "cp_plan_start_date": T(start),
                "cp_plan_end_date": T(end) if end else pd.NaT,
                "latest_review_conference_date": T(review) if review else pd.NaT,
            }
            for n, (start, end, review) in enumerate(rows)
        ],
    )


def _tables(config: ProjectConfig, **given: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tables = {name: given.get(name, _table(name, [])) for name in CHILD_LEVEL_TABLES}
    population = pd.DataFrame(
        {
            "time_period": [2014],
            "area_code": [config.authority.ons_code],
            "old_la_code": [config.authority.old_la_code],
            "population": [10_000.0],
        }
    )
    tables["population"] = population.reindex(columns=schema("population").column_names)
    tables["scorecard"] = empty_table("scorecard")
    tables["cleaning_log"] = given.get("cleaning_log", empty_table("cleaning_log"))
    return tables


def _board(config: ProjectConfig, **given: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the board table, indicators_monthly as the analysis stage writes it) from hand-made lists."""
    tables = _tables(config, **given)
    first, last = MONTHS["start"].iloc[0], MONTHS["start"].iloc[-1]
    monthly, _ = compute_indicators(tables, config, first_month=first, last_month=last)
    monthly = withhold_suppressed(monthly)
    return board_table(tables, monthly, config, MONTHS), monthly


def _row(board: pd.DataFrame, measure: str, period: str, month: str) -> pd.Series:
    rows = board.loc[
        (board["measure_id"] == measure) & (board["period"] == period) & (board["month"] == T(month))
    ]
    assert len(rows) == 1, (measure, period, month)
    return rows.iloc[0]


# ----------------------------------------------------------------------------- hand-worked measures
def test_review_conferences_within_timescale_hand_worked():
    plans = _plans(
        [
            ("2015-01-10", None, "2015-04-01"),  # due; reviewed within 6 months: in date
            ("2014-06-01", None, "2014-11-15"),  # due; last review more than 6 months ago: late
            ("2015-05-01", None, None),  # open less than 3 months: not yet due
            ("2014-01-01", "2015-06-30", None),  # ended on the month's last day: not open at its end
            ("2015-02-01", None, None),  # due, never reviewed: late
        ]
    )
    result = cp_reviews_within_timescale(plans, JUNE).iloc[0]
    assert (result["numerator"], result["denominator"]) == (1, 3)
    assert result["value"] == pytest.approx(100 / 3)


def test_plans_ended_length_hand_worked():
    plans = _plans(
        [
            ("2015-05-02", "2015-06-01", None),  # 30 days
            ("2015-02-20", "2015-05-31", None),  # ended in May: not counted
            ("2015-03-05", "2015-06-13", None),  # 100 days
            ("2013-06-01", "2015-06-01", None),  # exactly two years: 730 days
        ]
    )
    median = cp_plans_ended_median_days(plans, JUNE).iloc[0]
    assert (median["denominator"], median["value"]) == (3, 100)
    long = cp_plans_ended_two_years_or_more(plans, JUNE).iloc[0]
    assert (long["numerator"], long["denominator"]) == (1, 3)


# ------------------------------------------------------------------------------------ the board table
def test_every_method_the_loader_accepts_has_its_function() -> None:
    """The loader checks ``method`` against :data:`BoardMethod`; each of those is computed here, and no other."""
    assert set(MEASURE_FUNCTIONS) == set(get_args(BoardMethod))


def test_a_measure_sees_only_the_columns_it_declares(config: ProjectConfig) -> None:
    measure = next(m for m in config.registry.safeguarding_board_measures if m.id == "cp_plans_ended")
    given = declared_columns(_tables(config), measure)
    assert list(given) == ["cp_plans"] and list(given["cp_plans"].columns) == ["cp_plan_end_date"]
    with pytest.raises(KeyError):
        MEASURE_FUNCTIONS["median_days_of_plans_ended"](given, JUNE)  # reads the start date too


def test_suppression_is_applied_where_the_table_is_made(config: ProjectConfig) -> None:
    contacts = _table(
        "contacts", [{"contact_date": T("2015-06-02")}] * 3 + [{"contact_date": T("2015-05-02")}] * 7
    )
    board, _ = _board(config, contacts=contacts)
    june = _row(board, "contacts", "month", "2015-06")
    assert (
        june["suppressed"] and np.isnan(june["value"]) and np.isnan(june["numerator"])
    )  # absent, not flagged
    assert june["note"] == "suppressed: a count behind it is between 1 and 5 children"
    may = _row(board, "contacts", "month", "2015-05")
    assert (may["value"], may["suppressed"]) == (7, False) and pd.isna(may["note"])
    assert _row(board, "contacts", "12_months", "2015-06")["value"] == 10
    # The 12 months to June 2014 begin before the first month of data: no figure, and why.
    early = _row(board, "contacts", "12_months", "2014-06")
    assert np.isnan(early["value"]) and early["note"] == SHORT_HISTORY_NOTE
    # A stock has no 12-month figure; every defined measure has its month rows.
    assert board.loc[board["measure_id"] == "children_in_need", "period"].unique().tolist() == ["month"]
    assert set(board["measure_id"]) == {m.id for m in config.registry.safeguarding_board_measures}


def test_children_in_need_is_the_numerator_of_the_report_rate(config: ProjectConfig) -> None:
    # One figure, one value: the board shows the count behind children_in_need_per_10000 for the month (open
    # episodes, DfE B1; a child with two open episodes counts twice), taken from indicators_monthly itself.
    episodes = [
        {"child_id": "a", "cin_start_date": T("2015-01-05")},
        {"child_id": "a", "cin_start_date": T("2015-03-01")},
    ]
    episodes += [{"child_id": f"k{n}", "cin_start_date": T("2014-09-01")} for n in range(8)]
    episodes += [{"child_id": "z", "cin_start_date": T("2014-09-01"), "cin_end_date": T("2015-05-31")}]
    tables = _tables(config, children_in_need=_table("children_in_need", episodes))
    board, monthly = _board(config, children_in_need=tables["children_in_need"])
    rate = monthly.loc[
        (monthly["indicator_id"] == "children_in_need_per_10000") & (monthly["month"] == T("2015-06"))
    ]
    assert rate["numerator"].item() == 10 == _row(board, "children_in_need", "month", "2015-06")["value"]
    # Read from the indicator's row, not counted again: a different stored numerator is what the board shows.
    doctored = monthly.copy()
    doctored.loc[rate.index, "numerator"] = 1826.0
    again = board_table(tables, doctored, config, MONTHS)
    assert _row(again, "children_in_need", "month", "2015-06")["value"] == 1826


def test_a_column_missing_from_the_raw_lists_makes_the_measure_unavailable(config: ProjectConfig) -> None:
    log = pd.DataFrame(
        {
            "table": ["cp_plans"],
            "rule": ["columns.missing.latest_review_conference_date"],
            "description": ["column missing"],
            "rows_affected": [0],
        }
    )
    plans = _plans([("2015-01-10", None, None)] * 8)
    board, _ = _board(config, cp_plans=plans, cleaning_log=log)
    rows = board.loc[board["measure_id"] == "cp_reviews_within_timescale"]
    assert rows["value"].isna().all()
    assert set(rows["note"]) == {
        "not available: the date of latest review conference is missing from List 7 (child protection plans)"
    }
    assert _row(board, "cp_plans_started", "12_months", "2015-06")["value"] == 8  # other measures unaffected


# -------------------------------------------------------------------------------------- the product
def _data(config: ProjectConfig, board: pd.DataFrame) -> BoardData:
    return BoardData(config=config, month=T("2015-06-01"), table=board)


def test_the_page_shows_the_stored_figures(config: ProjectConfig) -> None:
    contacts = _table(
        "contacts", [{"contact_date": T("2015-06-02")}] * 3 + [{"contact_date": T("2015-05-02")}] * 7
    )
    plans = _plans([("2015-01-10", None, "2015-04-01")] * 6 + [("2014-06-01", None, "2014-11-15")] * 6)
    board, _ = _board(config, contacts=contacts, cp_plans=plans)
    table = core_dataset(_data(config, board)).set_index("measure_id")
    assert table.loc["contacts", "Jun 2015"] == "c"  # 3 contacts: suppressed
    assert table.loc["contacts", "May 2015"] == "7"
    assert table.loc["contacts", "12 months to Jun 2015"] == "10"
    assert table.loc["children_on_cp_plans", "Jun 2015"] == "12"
    assert table.loc["children_on_cp_plans", "12 months to Jun 2015"] == "–"
    assert table.loc["cp_reviews_within_timescale", "Jun 2015"] == "50.0%"
    assert table.loc["cp_plans_ended_median_days", "Jun 2015"] == "x"  # no plan ended: nothing to base it on
    assert list(table.index) == list(config.dashboard.safeguarding_board.measures)
    assert "cin_plan_reviews_within_timescale" not in table.index  # no Annex A list carries its review date


def test_a_measure_not_available_says_why(config: ProjectConfig) -> None:
    board, _ = _board(config)
    rows = board["measure_id"] == "cp_reviews_within_timescale"
    board.loc[rows, ["value", "numerator", "denominator"]] = np.nan
    board.loc[rows, "note"] = (
        "not available: the date of latest review conference is missing from List 7 (child protection plans)"
    )
    table = core_dataset(_data(config, board)).set_index("measure_id")
    assert table.loc["cp_reviews_within_timescale", "Jun 2015"] == "not available"
    assert table.loc["cp_reviews_within_timescale", "note"].endswith(
        "missing from List 7 (child protection plans)"
    )


def test_html_escapes_and_has_every_definition(config: ProjectConfig) -> None:
    board, _ = _board(config)
    data = _data(config, board)
    page = board_html(data)
    assert "<table" in page and "Synthetic demonstration data" in page
    method = method_html(data)
    defined = {m.id: m for m in config.registry.safeguarding_board_measures}
    for measure_id in config.dashboard.safeguarding_board.measures:
        assert defined[measure_id].source.replace("'", "&#x27;") in method
    hostile = config.registry.safeguarding_board_measures[0].model_copy(update={"name": "<script>x</script>"})
    registry = config.registry.model_copy(
        update={"safeguarding_board_measures": [hostile, *config.registry.safeguarding_board_measures[1:]]}
    )
    page = board_html(_data(config.model_copy(update={"registry": registry}), board))
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
