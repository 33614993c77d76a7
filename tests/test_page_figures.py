"""The figure checks can fail (issue 18, issue 22): a planted disagreement between two pages, or between a page and
the analysis tables, is found and named. Small hand-made pages and tables; the demo run's pages are read in
tests/test_figures_agree.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from figure_lookup import Analysis, agrees, check_against_tables, one_value_each
from page_figures import (
    PageReader,
    Shown,
    check_pdf_against_page,
    number_of,
    printed_figures,
    read_figure_sentences,
    read_indicator_table,
    soup_of,
)

from analysis.config import ProjectConfig
from analysis.methods.quarters import Quarter

JUNE = pd.Timestamp("2015-06-01")
INDICATOR = "assessments_within_45_working_days"


def _table_page(folder: Path, name: str, figure: str, england: str = "80.1%") -> Path:
    """A report's indicator table with one row: the month's figure and England's for 2013-14."""
    page = folder / name
    page.write_text(
        "<table><caption>Theme 1 indicators</caption><thead><tr>"
        '<th scope="col">Indicator</th><th scope="col">Latest month</th><th scope="col">Target</th>'
        '<th scope="col">England 2013-14</th></tr></thead><tbody><tr>'
        '<th scope="row">Assessments completed within 45 working days</th>'
        f"<td>{figure} (Jun 2015)</td><td>85.0%</td><td>{england}</td></tr></tbody></table>",
        encoding="utf-8",
    )
    return page


def _analysis(config: ProjectConfig) -> Analysis:
    monthly = pd.DataFrame(
        {
            "indicator_id": [INDICATOR, INDICATOR],
            "month": [JUNE - pd.DateOffset(months=1), JUNE],
            "value": [86.44, 88.04],
            "numerator": [83.0, 88.0],
            "denominator": [96.0, 100.0],
            "suppressed": [False, False],
        }
    )
    comparison = pd.DataFrame(
        {
            "indicator_id": [INDICATOR],
            "time_period": [2014],
            "local_value": [52.0],
            "local_suppressed": [False],
            "england": [80.1],
            "region": [79.6],
            "statistical_neighbours_average": [78.9],
            "rank": [149],
            "authorities_ranked": [149],
            "quartile_band": ["D"],
            "direction_of_travel": ["improving"],
            "release": ["Children in need 2013-14, released October 2014"],
        }
    )
    return Analysis(
        {"indicators_monthly": monthly, "benchmark_comparison": comparison},
        config,
        Quarter.parse("2015-16-Q1"),
    )


def _read(page: Path, config: ProjectConfig) -> list[Shown]:
    reader = PageReader(page, config)
    table = soup_of(page).find("table")
    assert read_indicator_table(reader, table, as_at=JUNE) == 1
    return reader.found


def test_a_figure_with_two_values_on_two_pages_is_named(tmp_path: Path, config: ProjectConfig) -> None:
    """June's figure planted as 87.0% on one page and 88.0% on the other: the cross-page check names the figure,
    its period, both values and both pages; the table check names the page whose value is not the analysis'."""
    shown = _read(_table_page(tmp_path, "report.html", "88.0%"), config)
    shown += _read(_table_page(tmp_path, "dashboard.html", "87.0%"), config)
    differ = one_value_each(shown)
    assert len(differ) == 1
    assert differ[0].startswith(f"month {INDICATOR} Jun 2015 has 2 values: 88.0 on report.html")
    assert "87.0 on dashboard.html" in differ[0]
    wrong = check_against_tables(_analysis(config), shown)
    assert len(wrong) == 1 and wrong[0].startswith("dashboard.html: Theme 1 indicators: ")
    assert "shows '87.0%', the analysis tables have 88.04" in wrong[0]


def test_pages_that_agree_with_each_other_and_the_tables_give_no_problem(
    tmp_path: Path, config: ProjectConfig
) -> None:
    shown = _read(_table_page(tmp_path, "report.html", "88.0%"), config)
    shown += _read(_table_page(tmp_path, "dashboard.html", "88.0%"), config)
    assert {s.key[0] for s in shown} == {"month", "target", "bench"}
    assert one_value_each(shown) == []
    assert check_against_tables(_analysis(config), shown) == []


def test_a_benchmark_planted_in_one_page_is_found(tmp_path: Path, config: ProjectConfig) -> None:
    shown = _read(_table_page(tmp_path, "report.html", "88.0%", england="80.7%"), config)
    wrong = check_against_tables(_analysis(config), shown)
    assert wrong == [
        "report.html: Theme 1 indicators: Assessments completed within 45 working days: bench "
        f"{INDICATOR} 2014 england shows '80.7%', the analysis tables have 80.1"
    ]


def test_figures_in_sentences_are_read_with_their_month(config: ProjectConfig, tmp_path: Path) -> None:
    """A reading of the chart and a reason: each figure beside its month, and the target."""
    reader = PageReader(tmp_path / "exceptions-1.html", config)
    indicator = config.indicator(INDICATOR)
    read_figure_sentences(
        reader,
        "reading",
        indicator,
        "Performance has changed since January 2015, so whether the target (85.0%) will be met cannot be judged "
        "from the earlier limits: 1 of the 6 months since then missed it; June 2015 (87.0%) met it.",
    )
    keys = {s.key: s.value for s in reader.found}
    assert keys[("month", INDICATOR, JUNE)] == "87.0"
    assert keys[("target", INDICATOR)] == "85.0"
    assert keys[("target_record", INDICATOR, pd.Timestamp("2015-01-01"))] == "1/6"
    wrong = check_against_tables(_analysis(config), [s for s in reader.found if s.key[0] == "month"])
    assert len(wrong) == 1 and "shows '87.0%', the analysis tables have 88.04" in wrong[0]


@pytest.mark.parametrize(
    ("shown", "wanted", "same"),
    [
        ("88.0", 88.04, True),
        ("88.1", 88.04, False),
        ("88", 88.04, True),
        ("1742", 1742.0, True),
        ("c", "c", True),
        ("none", None, False),
        ("improvement", "concern", False),
    ],
)
def test_a_figure_agrees_at_the_precision_printed(shown: str, wanted: object, same: bool) -> None:
    assert agrees(shown, wanted) is same  # type: ignore[arg-type]


def test_printed_values_are_compared_without_their_unit_or_separators() -> None:
    assert number_of("1,742") == number_of("1742") == "1742"
    assert number_of("77.2 per 10,000") == "77.2"
    assert number_of("not available") == number_of("–") == "none"


def test_a_pdf_that_prints_another_figure_than_its_page_is_named(tmp_path: Path, monkeypatch) -> None:
    """The PDF check compares the figures printed (with their unit, or beside their month) in the page and the PDF."""
    import page_figures

    page = tmp_path / "report.html"
    page.write_text("<p>Latest month: 88.0% (June 2015); England 80.1%.</p>", encoding="utf-8")
    monkeypatch.setattr(
        page_figures, "pdf_text", lambda pdf: "Latest month: 88.0% (June\n2015); England 80.1%."
    )
    assert check_pdf_against_page(page, tmp_path / "report.pdf") == []
    monkeypatch.setattr(
        page_figures, "pdf_text", lambda pdf: "Latest month: 87.0% (June 2015); England 80.1%."
    )
    assert check_pdf_against_page(page, tmp_path / "report.pdf") == [
        "report.pdf: '2015-06: 87.0' printed 1 times, 0 times on report.html",
        "report.pdf: '2015-06: 88.0' printed 0 times, 1 times on report.html",
        "report.pdf: '87.0%' printed 1 times, 0 times on report.html",
        "report.pdf: '88.0%' printed 0 times, 1 times on report.html",
    ]
    assert printed_figures("88.0% (Jun 2015)") == {"88.0%": 1, "2015-06: 88.0": 1}
