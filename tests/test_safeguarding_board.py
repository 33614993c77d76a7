"""The safeguarding board's core dataset: hand-worked plans, reviews and suppression."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.products.safeguarding_board import (
    BOARD_TABLES,
    MEASURES,
    BoardData,
    board_html,
    core_dataset,
    cp_plans_ended_median_days,
    cp_plans_ended_two_years_or_more,
    cp_reviews_within_timescale,
    method_html,
)
from analysis.schemas import schema
from analysis.stages.indicators.periods import periods_frame

JUNE = periods_frame([pd.Timestamp(2015, 6, 1)], [pd.Timestamp(2015, 6, 30)])
T = pd.Timestamp


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    columns = schema(name).column_names
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame:
            frame[column] = pd.NaT if "date" in column else None
    frame["child_id"] = frame["child_id"] if "child_id" in frame else [f"c{n}" for n in range(len(frame))]
    return frame


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
    result = cp_reviews_within_timescale(plans, JUNE, "latest_review_conference_date").iloc[0]
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


def _board(config, **tables: pd.DataFrame) -> BoardData:
    full = {name: tables.get(name, _table(name, [])) for name in BOARD_TABLES}
    return BoardData(config=config, month=T("2015-06-01"), tables=full)


def test_core_dataset_suppresses_small_counts_and_names_missing_columns(config):
    contacts = _table(
        "contacts", [{"contact_date": T("2015-06-02")}] * 3 + [{"contact_date": T("2015-05-02")}] * 7
    )
    data = _board(config, contacts=contacts)
    table = core_dataset(data).set_index("measure_id")
    assert table.loc["contacts", "Jun 2015"] == "c"  # 3 contacts: suppressed
    assert table.loc["contacts", "May 2015"] == "7"
    assert table.loc["contacts", "12 months to Jun 2015"] == "10"
    assert table.loc["children_on_cp_plans", "12 months to Jun 2015"] == "–"
    assert table.loc["cp_reviews_within_timescale", "note"] == (
        "not available: column latest_review_conference_date missing from List 7"
    )
    assert "cin_plan_reviews_within_timescale" not in table.index  # no Annex A list carries its review date
    assert list(table.index) == list(config.dashboard.safeguarding_board.measures)


def test_review_measure_computed_when_the_column_is_present(config):
    plans = _plans([("2015-01-10", None, "2015-04-01")] * 6 + [("2014-06-01", None, "2014-11-15")] * 6)
    table = core_dataset(_board(config, cp_plans=plans)).set_index("measure_id")
    assert table.loc["cp_reviews_within_timescale", "Jun 2015"] == "50.0%"
    assert table.loc["cp_reviews_within_timescale", "note"] == ""


def test_html_escapes_and_has_every_definition(config):
    data = _board(config)
    page = board_html(data)
    assert "<table" in page and "Synthetic demonstration data" in page
    method = method_html(data)
    for measure_id in config.dashboard.safeguarding_board.measures:
        assert MEASURES[measure_id].source.replace("'", "&#x27;") in method


def test_children_in_need_at_the_month_end_is_the_report_figure(config):
    # One figure, one value: the board counts what the quarterly report's rate counts (open episodes, DfE B1),
    # so a child with two open episodes counts twice on both pages (the board counted children once: 1,742 on
    # the board against 293.6 per 10,000 = 1,826 in the report).
    from analysis.stages.indicators import children_in_need_per_10000

    episodes = [
        {"child_id": "a", "cin_start_date": T("2015-01-05")},
        {"child_id": "a", "cin_start_date": T("2015-03-01")},
    ]
    episodes += [{"child_id": f"k{n}", "cin_start_date": T("2014-09-01")} for n in range(8)]
    episodes += [{"child_id": "z", "cin_start_date": T("2014-09-01"), "cin_end_date": T("2015-05-31")}]
    cin = _table("children_in_need", episodes)
    table = core_dataset(_board(config, children_in_need=cin)).set_index("measure_id")
    population = pd.Series([10_000.0]).to_numpy()
    report = children_in_need_per_10000(cin, JUNE, population).iloc[0]
    assert report["numerator"] == 10
    assert table.loc["children_in_need", "Jun 2015"] == f"{report['numerator']:,.0f}" == "10"


def test_the_loader_knows_every_measure_the_board_defines() -> None:
    """The loader checks dashboard.yml against the ids it knows; they must be the board's own, in its order."""
    from analysis.config_dashboard import SAFEGUARDING_MEASURE_IDS
    from analysis.products.safeguarding_board import MEASURES

    assert tuple(MEASURES) == SAFEGUARDING_MEASURE_IDS
