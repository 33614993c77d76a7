"""The monthly dashboard's pieces on hand-made tables: blocks, month-on-month changes, benchmarks known by then."""

from __future__ import annotations

import pandas as pd

from analysis.products.dashboard import block_table_html, change_line
from analysis.products.dashboard_data import Block, DashboardData, dashboard_blocks, indicator_row
from analysis.schemas import schema

T = pd.Timestamp


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in schema(name).columns})


def _monthly(rows: list[tuple[str, str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": [r[0] for r in rows],
            "month": pd.to_datetime([r[1] for r in rows]).astype("datetime64[s]"),
            "value": [r[2] for r in rows],
            "numerator": float("nan"),
            "denominator": float("nan"),
            "suppressed": [r[3] for r in rows],
        }
    )


def _data(config, monthly: pd.DataFrame) -> DashboardData:
    from analysis.methods.suppression import withhold_suppressed
    from analysis.stages.analyse import run_spc_as_at

    # The tables as the analysis stage writes them: suppressed figures withheld, readings as at every month.
    monthly = withhold_suppressed(monthly)
    tables = {
        "indicators_monthly": monthly,
        "spc_as_at": run_spc_as_at(monthly, config, T("2015-06-01")),
        "benchmark_comparison": _empty("benchmark_comparison"),
        "exceptions_as_at": _empty("exceptions_as_at"),
        "actions": _empty("actions"),
    }
    return DashboardData(config=config, month=T("2015-06-01"), tables=tables)


def test_focus_areas_come_first_then_the_themes(config):
    blocks = dashboard_blocks(config)
    assert [b.title for b in blocks[:2]] == ["Early Help", "Children looked after and care leavers"]
    assert all(b.focus for b in blocks[:2]) and not any(b.focus for b in blocks[2:])
    assert [b.theme for b in blocks[2:]] == [1, 2, 3, 4, 5, 6]
    theme4 = blocks[5]
    assert (
        theme4.indicators == () and theme4.shown_in_focus_areas
    )  # all its indicators are in the focus areas
    assert not blocks[6].shown_in_focus_areas  # theme 5 has no indicators at all


def test_change_line_counts_better_worse_by_polarity(config):
    monthly = _monthly(
        [
            (
                "assessments_within_45_working_days",
                "2015-05-01",
                80.0,
                False,
            ),  # higher is better: 80 -> 85 better
            ("assessments_within_45_working_days", "2015-06-01", 85.0, False),
            ("rereferrals_within_12_months", "2015-05-01", 20.0, False),  # lower is better: 20 -> 22 worse
            ("rereferrals_within_12_months", "2015-06-01", 22.0, False),
            ("contacts_converting_to_referrals", "2015-05-01", 40.0, False),  # context: up
            ("contacts_converting_to_referrals", "2015-06-01", 41.0, False),
            ("icpc_within_15_working_days", "2015-05-01", 90.0, False),  # suppressed in June: not compared
            ("icpc_within_15_working_days", "2015-06-01", 60.0, True),
            ("cp_plans_second_or_subsequent", "2015-05-01", 17.04, False),  # same at 1 decimal
            ("cp_plans_second_or_subsequent", "2015-06-01", 16.96, False),
        ]
    )
    ids = [
        "assessments_within_45_working_days",
        "rereferrals_within_12_months",
        "contacts_converting_to_referrals",
        "icpc_within_15_working_days",
        "cp_plans_second_or_subsequent",
    ]
    block = Block("Test", True, None, tuple(config.indicator(i) for i in ids))
    line = change_line(_data(config, monthly), block)
    assert line == (
        "Test: since May 2015, 1 better (Assessments completed within 45 working days), 1 worse (Re-referrals "
        "within 12 months of a previous referral), 1 up and 0 down (no preferred direction), 1 unchanged."
    )


def test_suppressed_month_shows_c_and_is_not_drawn(config):
    indicator = config.indicator("icpc_within_15_working_days")
    monthly = _monthly(
        [(indicator.id, f"2015-0{m}-01", 70.0 + m, False) for m in range(1, 6)]
        + [(indicator.id, "2015-06-01", 61.5, True)]
    )
    bench = pd.DataFrame(columns=["indicator_id"]).set_index("indicator_id")
    row = indicator_row(_data(config, monthly), indicator, bench)
    assert row.figure == "c"
    assert "61.5" not in row.sparkline
    assert row.target == "85.0%" and row.england == "not available"
    page = block_table_html(
        Block("X", False, 1, (indicator,)), [row], month=T("2015-06-01"), region="South East", n_months=24
    )
    assert '<th scope="row" class="col-name">Initial child protection conferences' in page
    assert "Jun 2015" in page and "South East" in page


def test_a_bad_dashboard_file_names_the_key(tmp_path, repo_root):
    import shutil

    import pytest

    from analysis.config import load_config
    from analysis.errors import ConfigError

    folder = tmp_path / "config"
    shutil.copytree(repo_root / "config", folder)
    (folder / "dashboard.yml").write_text(
        "focus_areas:\n  - name: Early Help\n    indicators: [early_help_assessments_started, no_such_indicator]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"dashboard\.yml.*focus_areas\[0\]\.indicators\[1\]"):
        load_config(folder)
    (folder / "dashboard.yml").unlink()  # optional: without it every theme shows, in plan order
    assert [b.theme for b in dashboard_blocks(load_config(folder))] == [1, 2, 3, 4, 5, 6]


def test_a_changed_process_says_in_words_that_assurance_cannot_be_judged():
    """No assurance icon after a special cause (spc.assurance): the dashboard says why, as the report does."""
    from analysis.products.dashboard import _assurance_words

    assert "Cannot be judged: performance has changed" in _assurance_words("changed_missing_target")
    assert "Cannot be judged: performance has changed" in _assurance_words("changed_meeting_target")
    assert _assurance_words(None) == "–"  # no target: Making Data Count draws no assurance


def test_the_dashboard_reads_its_spc_reading_from_the_analysis_table_and_draws_none(config):
    from analysis.products.dashboard_data import spc_as_of

    monthly = _monthly(
        [("assessments_within_45_working_days", f"2014-{m:02d}-01", 80.0 + m, False) for m in range(1, 13)]
    )
    data = _data(config, monthly)
    indicator = config.indicator("assessments_within_45_working_days")
    table = data.tables["spc_as_at"]
    row = table.loc[(table["indicator_id"] == indicator.id) & (table["as_at"] == T("2014-12-01"))].iloc[0]
    reading = spc_as_of(data, indicator, T("2014-12-01"))
    assert reading["variation"] == row["variation"] and reading["description"] == row["description"]
    # A changed table changes the dashboard: it shows what the analysis wrote, nothing of its own.
    changed = table.assign(variation="concern")
    data.tables["spc_as_at"] = changed
    assert spc_as_of(data, indicator, T("2014-12-01"))["variation"] == "concern"
    # A month the analysis did not reach has no reading (no icons), not one drawn by the dashboard.
    assert spc_as_of(data, indicator, T("2016-01-01"))["variation"] is None
