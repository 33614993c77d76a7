"""One truth, many products (issue 18): every figure a product shows is the analysis tables' figure.

The demo quarter's reports and June 2015's dashboard are read as a councillor reads them (the HTML), and each figure,
period and reading is looked up in the processed tables of the run that made them (tests/figure_checks.py). Every
figure of every product (sentences, alt texts, sparklines, the looking-ahead section, the safeguarding board) is read
by tests/page_figures.py, looked up in the tables by tests/figure_lookup.py and compared across pages; the PDFs are
compared with the pages they were printed from.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import figure_lookup as fl
import page_figures as pf
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from figure_checks import (
    analysis_tables,
    check_benchmark_cells,
    check_month_figure,
    check_rank,
    check_reading,
    dashboard_open_exceptions,
    exception_titles,
    indicator_rows,
)

from analysis.config import ProjectConfig
from analysis.config_measures import board_measure_ids
from analysis.io import read_table
from analysis.methods.quarters import Quarter
from analysis.paths import ProjectPaths
from analysis.run.pipeline import MonthlyResult, RunResult

pytestmark = pytest.mark.e2e

QUARTER = "2015-16-Q1"
JUNE = pd.Timestamp("2015-06-01")
REPORT_TABLES = r"^(Headline figures|Theme \d indicators)"


@pytest.fixture(scope="module")
def quarter_tables(first_run: RunResult, demo_project: ProjectPaths) -> dict[str, pd.DataFrame]:
    return analysis_tables(demo_project.processed)


@pytest.fixture(scope="module")
def monthly_paths(monthly_batch: MonthlyResult) -> ProjectPaths:
    return ProjectPaths.from_root(monthly_batch.index.parent.parent)


def _year_of_header(cells: dict[str, str]) -> str | None:
    """The compared year of a row: in the England header ("England 2013-14", "England Sep 2014"), else in the
    "Year compared" column of a table comparing several."""
    england = next(header for header in cells if header.startswith("England"))
    year = england.removeprefix("England").strip()
    if re.fullmatch(r"\d{4}-\d{2}|[A-Z][a-z]{2} \d{4}", year):
        return year
    return cells.get("Year compared")


def test_the_quarterly_reports_indicator_tables_show_the_analysis_figures(
    quarter_tables: dict[str, pd.DataFrame], demo_project: ProjectPaths, config: ProjectConfig
) -> None:
    page = demo_project.quarter_reports(QUARTER) / "quarterly-report.html"
    rows = list(indicator_rows(page, config, REPORT_TABLES))
    assert len(rows) >= len([i for i in config.indicators if i.theme <= 4])  # every theme table was read
    problems = []
    for row in rows:
        problems += check_month_figure(quarter_tables, row, "Latest month", None)
        problems += check_benchmark_cells(
            quarter_tables,
            row,
            authority=config.authority.name,
            region=config.authority.region.name,
            known_by=pd.Timestamp("2015-06-30"),
        )
        problems += check_rank(quarter_tables, row, _year_of_header(row.cells))
    assert not problems, "\n".join(problems)


def test_the_dashboard_shows_the_analysis_figures_and_readings_of_its_month(
    monthly_paths: ProjectPaths, config: ProjectConfig
) -> None:
    tables = analysis_tables(monthly_paths.processed)
    page = monthly_paths.reports / "2015-06" / "dashboard.html"
    rows = list(indicator_rows(page, config, r": June 2015$"))
    assert len(rows) >= 20
    problems = []
    for row in rows:
        problems += check_month_figure(tables, row, "Jun 2015", "Jun 2015")
        problems += check_reading(tables, row, JUNE, minimum_points=config.spc.minimum_baseline_points)
        problems += check_benchmark_cells(
            tables,
            row,
            authority=config.authority.name,
            region=config.authority.region.name,
            known_by=pd.Timestamp("2015-06-30"),
        )
    assert not problems, "\n".join(problems)


def test_one_figure_has_one_value_on_the_report_and_the_dashboard(
    demo_project: ProjectPaths, monthly_paths: ProjectPaths, config: ProjectConfig
) -> None:
    """June 2015's figure of each indicator reads the same in the quarterly report and June's dashboard."""
    report = {
        row.indicator.id: row.cells["Latest month"]
        for row in indicator_rows(
            demo_project.quarter_reports(QUARTER) / "quarterly-report.html", config, REPORT_TABLES
        )
        if row.cells["Latest month"].endswith("(Jun 2015)")
    }
    dashboard = {
        row.indicator.id: row.cells["Jun 2015"]
        for row in indicator_rows(
            monthly_paths.reports / "2015-06" / "dashboard.html", config, r": June 2015$"
        )
    }
    shared = sorted(set(report) & set(dashboard))
    assert len(shared) >= 15
    differ = [
        f"{i}: report {report[i]!r}, dashboard {dashboard[i]!r}"
        for i in shared
        if report[i] != f"{dashboard[i]} (Jun 2015)"
    ]
    assert not differ, "\n".join(differ)


_BOARD_ROW = re.compile(
    r'<tr><th[^>]*scope="row"[^>]*>(?P<name>[^<]*)(?:<br>.*?)?</th>'
    r'(?P<cells>(?:<td class="sg-figure">[^<]*</td>){3})</tr>'
)


def test_the_safeguarding_board_shows_its_table_and_the_reports_children_in_need(
    monthly_paths: ProjectPaths, config: ProjectConfig
) -> None:
    """Each figure of June's board is the ``safeguarding_board`` table's; children in need at the month end is the
    numerator of the report's children in need per 10,000 for June (one figure, one value)."""
    page = (monthly_paths.reports / "2015-06" / "safeguarding-board.html").read_text(encoding="utf-8")
    shown = {
        html.unescape(m["name"]): [html.unescape(c) for c in re.findall(r">([^<]*)</td>", m["cells"])]
        for m in _BOARD_ROW.finditer(page)
    }
    measures = {m.id: m for m in config.registry.safeguarding_board_measures}
    assert [measures[i].name for i in board_measure_ids(config)] == list(shown)
    board = read_table("safeguarding_board", monthly_paths.processed).set_index(
        ["measure_id", "period", "month"]
    )
    problems = []
    for measure_id in board_measure_ids(config):
        measure = measures[measure_id]
        columns = [("month", JUNE), ("month", JUNE - pd.DateOffset(months=1)), ("12_months", JUNE)]
        for cell, key in zip(shown[measure.name], columns, strict=True):
            if measure.timing == "stock" and key[0] == "12_months":
                expected = "–"
            else:
                row = board.loc[(measure_id, *key)]
                suffix = {"%": "%", "days": " days"}.get(measure.unit, "")
                expected = (
                    "not available"
                    if " is missing from List " in str(row["note"])
                    else "c"
                    if row["suppressed"]
                    else "x"
                    if pd.isna(row["value"])
                    else f"{row['value']:,.{measure.decimals}f}{suffix}"
                )
            if cell != expected:
                problems.append(f"{measure_id} {key}: page {cell!r}, table {expected!r}")
    assert not problems, "\n".join(problems)
    monthly = read_table("indicators_monthly", monthly_paths.processed)
    rate = monthly.loc[(monthly["indicator_id"] == "children_in_need_per_10000") & (monthly["month"] == JUNE)]
    assert shown["Children in need at the month end"][0] == f"{rate['numerator'].item():,.0f}"


def test_the_exception_reports_list_the_analysis_exceptions_and_the_dashboard_the_same(
    quarter_tables: dict[str, pd.DataFrame], demo_project: ProjectPaths, monthly_paths: ProjectPaths
) -> None:
    exceptions = quarter_tables["exceptions"]
    exceptions = exceptions.loc[exceptions["quarter"] == QUARTER]
    reports = sorted(demo_project.quarter_reports(QUARTER).glob("exceptions-*.html"))
    assert len(reports) == 6
    on_dashboard = dashboard_open_exceptions(monthly_paths.reports / "2015-06" / "dashboard.html")
    for page in reports:
        theme = int(page.name.split("-")[1])
        expected = [str(title) for title in exceptions.loc[exceptions["theme"] == theme, "title"]]
        assert exception_titles(page) == expected, page.name
        listed = on_dashboard.get(page.name, [])
        assert len(listed) == len(expected), (page.name, listed)
        for item, title in zip(listed, expected, strict=True):
            assert item == title or item.startswith(f"{title} ("), (page.name, item, title)
    # The first screen's overall status counts the open exceptions listed below it (issue 22, point 8).
    dashboard = BeautifulSoup(
        (monthly_paths.reports / "2015-06" / "dashboard.html").read_text(encoding="utf-8"), "html.parser"
    )
    overall = dashboard.find(class_="dash-overall").get_text(" ", strip=True)
    assert overall.startswith(f"Needs attention : {len(exceptions)} open exceptions"), overall


def _table(soup: BeautifulSoup, caption: str, *, required: bool = True) -> list[dict[str, str]]:
    """The rows of the table with this caption, as {header: cell text} (a <br> read as a new line); a theme with no
    indicators (themes 5 and 6) has no indicator table: no rows when not ``required``."""
    for table in soup.find_all("table"):
        found = table.find("caption")
        if found is not None and found.get_text(" ", strip=True) == caption:
            headers = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
            return [
                dict(
                    zip(
                        headers,
                        (c.get_text("\n", strip=True) for c in tr.find_all(["th", "td"])),
                        strict=True,
                    )
                )
                for tr in table.find("tbody").find_all("tr")
            ]
    if required:
        raise AssertionError(f"no table captioned {caption!r}")
    return []


def _counted(cell: str) -> int:
    """The sum of the counts in a summary cell ("▲ 1 improving\\n● 2 stable" -> 3)."""
    return sum(int(n) for n in re.findall(r"(\d+) [a-z]", cell))


def test_the_quarterly_summary_counts_every_row_it_summarises(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    """Each theme's counts add up to the rows of its indicator and action tables (issue 18: an indicator "not
    assessed" is counted as such); an overdue action reads "Overdue", never "On track" (issue 22, point 2)."""
    page = demo_project.quarter_reports(QUARTER) / "quarterly-report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    summary = _table(soup, f"Summary by theme, {Quarter.parse(QUARTER).name}")
    assert len(summary) == 6
    problems = []
    for number, row in enumerate(summary, start=1):
        indicators = _table(soup, f"Theme {number} indicators", required=False)
        actions = _table(soup, f"Theme {number} actions and their status", required=False)
        if _counted(row["Indicators"]) != len(indicators):
            problems.append(f"theme {number}: {row['Indicators']!r} for {len(indicators)} indicators")
        if _counted(row["Actions"]) != len(actions):
            problems.append(f"theme {number}: {row['Actions']!r} for {len(actions)} actions")
        not_assessed = sum(r.get("Variation", "").startswith("Not assessed") for r in indicators)
        said = re.search(r"(\d+) not assessed", row["Indicators"])
        if (int(said.group(1)) if said else 0) != not_assessed:
            problems.append(
                f"theme {number}: {row['Indicators']!r}, {not_assessed} not assessed in the table"
            )
        overdue = [a["Ref"] for a in actions if a["Status"].startswith("⚠ Overdue")]
        said = re.search(r"(\d+) overdue", row["Actions"])
        if (int(said.group(1)) if said else 0) != len(overdue):
            problems.append(f"theme {number}: {row['Actions']!r}, overdue in the table: {overdue}")
    assert not problems, "\n".join(problems)
    for report in sorted(demo_project.quarter_reports(QUARTER).glob("exceptions-*.html")):
        text = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser").get_text(" ")
        for item in re.split(r"Why it is here", text)[1:]:
            reasons = item.split("Status:")[0]
            if "overdue" in reasons and "Status:" in item:
                assert "Status: ⚠ Overdue" in " ".join(item.split()), (report.name, item[:300])


#: (cell that says one thing, cell that says the other): a row showing both needs its reason sentence.
OPPOSITE_SIGNALS = (
    (("Direction of travel", "Better"), ("Variation", "Concern")),
    (("Direction of travel", "Worse"), ("Variation", "Improvement")),
    (("Quartile band", "Top 25%"), ("Variation", "Concern")),
    (("Quartile band", "Bottom 25%"), ("Variation", "Improvement")),
    (("Quartile band", "Bottom 25%"), ("Assurance", "Meets target reliably")),
)


def test_no_row_shows_opposite_signals_without_the_reason(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    """Issue 22, point 3: a row showing "better" and "Concern" (or meeting its target in the bottom 25%) says why
    in its table's footnote, naming the indicator."""
    page = demo_project.quarter_reports(QUARTER) / "quarterly-report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    mixed = 0
    problems = []
    for number in range(1, 7):
        rows = _table(soup, f"Theme {number} indicators", required=False)
        if not rows:
            continue
        caption = soup.find("caption", string=f"Theme {number} indicators")
        notes = " ".join(p.get_text(" ", strip=True) for p in caption.find_parent("div").find_all("p"))
        for row in rows:
            for (one, said), (other, against) in OPPOSITE_SIGNALS:
                if said in row.get(one, "") and against in row.get(other, ""):
                    mixed += 1
                    if f"{row['Indicator']}:" not in notes:
                        problems.append(
                            f"theme {number}: {row['Indicator']}: {said} and {against}, no reason"
                        )
    assert mixed, "the demo has rows whose signals disagree: the check must have something to check"
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------ every figure of every product
# Issue 18's acceptance: every figure shown in every product of the demo quarter and month is found in the analysis
# tables with the same value, period and reading; issue 22's: a figure printed on more than one page has one value.
# The pages are read by tests/page_figures.py and their figures looked up by tests/figure_lookup.py; each test also
# asserts how many figures of each kind it read, so a reader that stops finding them (a changed layout) fails
# instead of passing on nothing.


@pytest.fixture(scope="module")
def quarter_analysis(first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig) -> fl.Analysis:
    return fl.load_analysis(demo_project.processed, config, QUARTER)


@pytest.fixture(scope="module")
def month_analysis(monthly_paths: ProjectPaths, config: ProjectConfig) -> fl.Analysis:
    return fl.load_analysis(monthly_paths.processed, config, QUARTER)


@pytest.fixture(scope="module")
def quarter_pages(
    quarter_analysis: fl.Analysis, demo_project: ProjectPaths, config: ProjectConfig
) -> dict[str, Path]:
    folder = demo_project.quarter_reports(QUARTER)
    pages = {"quarterly-report.html": folder / "quarterly-report.html"}
    pages.update({p.name: p for p in sorted(folder.glob("exceptions-*.html"))})
    assert len(pages) == 7
    return pages


@pytest.fixture(scope="module")
def report_figures(
    quarter_analysis: fl.Analysis, quarter_pages: dict[str, Path], config: ProjectConfig
) -> list[pf.Shown]:
    return pf.read_quarterly_report(quarter_pages["quarterly-report.html"], config, quarter_analysis.quarter)


@pytest.fixture(scope="module")
def exception_figures(
    quarter_analysis: fl.Analysis, quarter_pages: dict[str, Path], config: ProjectConfig
) -> tuple[list[pf.Shown], dict[str, list[pf.ExceptionItem]]]:
    exceptions = quarter_analysis.tables["exceptions"]
    exceptions = exceptions.loc[exceptions["quarter"] == QUARTER]
    shown: list[pf.Shown] = []
    items = {}
    for name, page in quarter_pages.items():
        if name.startswith("exceptions-"):
            found, items[name] = pf.read_exception_report(page, config, quarter_analysis.quarter, exceptions)
            shown += found
    return shown, items


@pytest.fixture(scope="module")
def month_figures(
    monthly_batch: MonthlyResult, config: ProjectConfig
) -> dict[str, tuple[list[pf.Shown], list[pf.DashboardItem], list[pf.Shown]]]:
    """Every month's dashboard (figures, open exceptions) and safeguarding board, by month."""
    found = {}
    for month in monthly_batch.months:
        folder = monthly_batch.index.parent / month
        at = pd.Timestamp(f"{month}-01")
        dashboard, items = pf.read_dashboard(folder / "dashboard.html", config, at)
        found[month] = (
            dashboard,
            items,
            pf.read_safeguarding_board(folder / "safeguarding-board.html", config, at),
        )
    return found


def _at_least(shown: list[pf.Shown], minimum: dict[str, int]) -> None:
    counts = Counter(s.key[0] for s in shown)
    short = {kind: (counts[kind], n) for kind, n in minimum.items() if counts[kind] < n}
    assert not short, f"figures read (kind: (read, expected at least)): {short}"


def test_every_figure_of_the_quarterly_report_is_the_analysis_figure(
    quarter_analysis: fl.Analysis, report_figures: list[pf.Shown]
) -> None:
    """Theme and headline tables (month, target, benchmarks, rank, band, direction, variation, assurance), every
    chart's alt text and caption, the chart notes, the actions, the summary's counts, the data quality section's
    count of suppressed figures and the looking-ahead section (forecasts, ranges, backtest)."""
    _at_least(
        report_figures,
        {
            "month": 60, "target": 30, "bench": 120, "rank": 10, "band": 10, "direction": 8, "variation": 30,
            "assurance": 25, "position": 20, "point": 20, "bench_span": 15, "release": 15, "anticipated": 9,
            "rolling": 3, "published_months": 3, "action_status": 25, "action_due": 25, "indicator_count": 15,
            "action_counts": 6, "exception_count": 12, "exception_listed": 8, "suppressed_this_quarter": 1,
            "forecast": 20, "forecast_uncertain": 10, "fitted": 10, "backtest": 40,
        },
    )  # fmt: skip
    problems = fl.check_against_tables(quarter_analysis, report_figures)
    assert not problems, "\n".join(problems)


def test_every_figure_of_the_exception_reports_is_the_analysis_figure(
    quarter_analysis: fl.Analysis, exception_figures: tuple[list[pf.Shown], dict[str, list[pf.ExceptionItem]]]
) -> None:
    """Each item's reasons (their words and every figure, month, target, planned path and band in them), since
    when, what the chart shows and its reading (and every figure in it), latest month, target, the comparison and
    its release, the actions and their status and due dates, and the charts' alt texts."""
    shown, _ = exception_figures
    _at_least(
        shown,
        {
            "exception_reasons": 15, "exception_reason_text": 15, "exception_since": 15, "description": 5,
            "rule_words": 5, "month": 20, "target": 15, "target_missed": 4, "target_record": 4, "bench": 25,
            "release": 7, "anticipated": 3, "position": 7, "point": 5, "spc_since": 5, "action_status": 10,
            "action_due": 10, "action_due_day": 10,
        },
    )  # fmt: skip
    problems = fl.check_against_tables(quarter_analysis, shown)
    assert not problems, "\n".join(problems)


def test_the_dashboards_open_exceptions_are_the_exception_reports(
    quarter_analysis: fl.Analysis,
    exception_figures: tuple[list[pf.Shown], dict[str, list[pf.ExceptionItem]]],
    month_figures: dict[str, tuple[list[pf.Shown], list[pf.DashboardItem], list[pf.Shown]]],
) -> None:
    """The six reports list the quarter's exceptions with their reasons; June's dashboard lists the same items, each
    under the report it links to, with the same reasons; its overall status counts them."""
    _, items = exception_figures
    assert len(items) == 6 and sum(len(i) for i in items.values()) >= 10
    dashboard, listed, _ = month_figures["2015-06"]
    problems = fl.check_exception_items(quarter_analysis, items, listed)
    assert not problems, "\n".join(problems)
    count = next(s for s in dashboard if s.key[0] == "open_exceptions")
    assert int(count.value) == sum(len(i) for i in items.values()), count


def test_every_figure_of_every_months_dashboard_and_board_is_the_analysis_figure(
    month_analysis: fl.Analysis,
    month_figures: dict[str, tuple[list[pf.Shown], list[pf.DashboardItem], list[pf.Shown]]],
) -> None:
    """Each month's dashboard (figure, target, sparkline's range and latest, variation and assurance as they stood
    then, England and region, what changed since the month before, the actions' counts, the open exceptions' count)
    and safeguarding board (month, month before, 12 months)."""
    problems = []
    for month, (dashboard, _, board) in month_figures.items():
        rows = next(s for s in dashboard if s.key[0] == "rows_read")
        assert int(rows.value) >= 20, month
        _at_least(dashboard, {"month": 20, "window": 80, "variation": 15, "bench": 10, "moved": 5})
        _at_least(board, {"board": 40})
        problems += [f"{month}: {p}" for p in fl.check_against_tables(month_analysis, dashboard + board)]
    assert not problems, "\n".join(problems)


def test_one_figure_has_one_value_on_every_page(
    report_figures: list[pf.Shown],
    exception_figures: tuple[list[pf.Shown], dict[str, list[pf.ExceptionItem]]],
    month_figures: dict[str, tuple[list[pf.Shown], list[pf.DashboardItem], list[pf.Shown]]],
) -> None:
    """Issue 22: every figure (name and period) read off the quarterly report, the six exception reports and every
    month's dashboard and safeguarding board has one value wherever it is printed."""
    shown = report_figures + exception_figures[0]
    for dashboard, _, board in month_figures.values():
        shown += dashboard + board
    pages = fl.pages_of(shown)
    shared = [key for key, where in pages.items() if len(where) > 1]
    assert len(shared) >= 100  # figures printed on several pages: the check has something to compare
    assert any(len(where) >= 4 for where in pages.values())
    problems = fl.one_value_each(shown)
    assert not problems, "\n".join(problems)


def test_the_pdfs_print_the_figures_of_their_pages(quarter_pages: dict[str, Path]) -> None:
    """The committee's PDFs print each figure of the page they were printed from, as often (the text layer read
    with pypdf): what holds for the pages' figures holds for the PDFs'."""
    pytest.importorskip("pypdf", reason="pypdf is not installed (make install)")
    pdfs = {name: page.with_suffix(".pdf") for name, page in quarter_pages.items()}
    if not all(pdf.is_file() for pdf in pdfs.values()):
        pytest.skip("the run printed no PDFs (no Chromium on PATH)")
    problems = []
    for name, page in quarter_pages.items():
        problems += pf.check_pdf_against_page(page, pdfs[name])
    assert not problems, "\n".join(problems)
    assert sum(pf.printed_figures(pf.printed_text(p)).total() for p in quarter_pages.values()) >= 200


def test_the_checks_find_a_figure_planted_in_a_copy_of_a_page(
    quarter_analysis: fl.Analysis,
    quarter_pages: dict[str, Path],
    report_figures: list[pf.Shown],
    config: ProjectConfig,
    tmp_path: Path,
) -> None:
    """A copy of the first exception report with its first item's latest month changed by one in the last digit:
    the table check and the cross-page check both name it."""
    name = next(n for n in quarter_pages if n.startswith("exceptions-1-"))
    text = quarter_pages[name].read_text(encoding="utf-8")
    match = re.search(r"<strong>Latest month:</strong> (\d[\d,]*\.?\d*)", text)
    assert match, name
    figure = match[1]
    planted = figure[:-1] + str((int(figure[-1]) + 1) % 10)
    copy = tmp_path / name
    copy.write_text(text[: match.start(1)] + planted + text[match.end(1) :], encoding="utf-8")
    exceptions = quarter_analysis.tables["exceptions"]
    shown, _ = pf.read_exception_report(
        copy, config, quarter_analysis.quarter, exceptions.loc[exceptions["quarter"] == QUARTER]
    )
    wrong = fl.check_against_tables(quarter_analysis, shown)
    assert len(wrong) == 1 and "latest month: month " in wrong[0] and planted in wrong[0], wrong
    differ = fl.one_value_each(report_figures + shown)
    assert len(differ) == 1 and "has 2 values" in differ[0] and "quarterly-report.html" in differ[0], differ
