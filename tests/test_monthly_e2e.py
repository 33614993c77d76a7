"""End to end: a 15-month batch of dashboards from the session's demo run (tests/conftest.py ``monthly_batch``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from glossary_checks import as_configured

from analysis.cli import main
from analysis.config import load_config
from analysis.io import read_table
from analysis.methods.months import parse_month, parse_month_range
from analysis.products.dashboard_data import MEASURED_DIFFERENTLY
from analysis.products.mdc_icons import VARIATION_WORDS
from analysis.products.presentation import VARIATION_LABELS, display_value
from analysis.run.pipeline import MonthlyResult, run_months

pytestmark = pytest.mark.e2e

#: The glossary the pages spell acronyms out with: names and sources are compared as configured.
GLOSSARY = load_config(Path(__file__).resolve().parents[1] / "config").glossary

JUNE = "2015-06"
#: The batch of tests/conftest.py's ``monthly_batch`` fixture: 15 months.
MONTHLY_BATCH = "2014-04:2015-06"
_DASH_ROW = re.compile(
    r'<tr><th[^>]*scope="row"[^>]*>(?P<name>[^<]*?)(?: <span class="provisional">[^<]*</span>)?</th>'
    r'<td class="col-figure">(?P<figure>.*?)</td>.*?<td class="col-icon">(?P<variation>.*?)</td>'
    r'<td class="col-icon">.*?</td><td class="col-bench">(?P<england>.*?)</td>',
    re.DOTALL,
)
_TABLE_ROW = re.compile(
    r"<tr><th scope=\"row\">(?P<name>.*?)</th>(?P<cells>(?:<td>.*?</td>)+)</tr>", re.DOTALL
)
_ARIA = re.compile(r'aria-label="([^"]*)"')


def _dashboard_rows(page: str) -> dict[str, dict[str, str]]:
    return {
        as_configured(html.unescape(m["name"]), GLOSSARY): m.groupdict() for m in _DASH_ROW.finditer(page)
    }


def _variation_code(cell: str) -> str | None:
    match = _ARIA.search(cell)
    if not match:
        return None
    label = html.unescape(match.group(1))
    return next(code for code, words in VARIATION_WORDS.items() if label.startswith(words))


def test_batch_makes_every_month_and_the_index_links_each(monthly_batch: MonthlyResult):
    months = [f"{m:%Y-%m}" for m in parse_month_range(MONTHLY_BATCH)]
    assert monthly_batch.months == months
    index = monthly_batch.index.read_text(encoding="utf-8")
    for month in months:
        folder = monthly_batch.index.parent / month
        assert (folder / "dashboard.html").is_file() and (folder / "safeguarding-board.html").is_file()
        assert f'href="{month}/dashboard.html"' in index
        assert f'href="{month}/safeguarding-board.html"' in index
    assert (monthly_batch.index.parent / "latest-month").resolve().name == JUNE


def test_dashboard_is_self_contained_with_icons_sparklines_and_benchmarks(monthly_batch: MonthlyResult):
    page = monthly_batch.dashboard(JUNE).read_text(encoding="utf-8")
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', page)
    assert "<script src" not in page and '<link rel="stylesheet"' not in page
    assert page.count('class="mdc-icon mdc-variation') >= 20
    assert 'class="mdc-icon mdc-assurance' in page
    assert len(re.findall(r'<svg[^>]*class="sparkline"', page)) >= 20
    assert "Synthetic demonstration data" in page
    assert re.search(r"\(20\d\d-\d\d\)</td>", page)  # a benchmark figure with its year
    # focus areas come first
    assert (
        page.index("Focus area: Early Help")
        < page.index("Focus area: Children looked after")
        < page.index("Theme 1 Quality")
    )


def test_dashboard_figures_agree_with_indicators_monthly(monthly_batch: MonthlyResult):
    root = monthly_batch.index.parent.parent
    config = load_config(root / "config")
    monthly = read_table("indicators_monthly", root / "data" / "processed")
    rows = _dashboard_rows(monthly_batch.dashboard(JUNE).read_text(encoding="utf-8"))
    by_name = {i.name: i for i in config.indicators}
    checked = 0
    for name, row in rows.items():
        indicator = by_name[name]
        point = monthly.loc[
            (monthly["indicator_id"] == indicator.id) & (monthly["month"] == parse_month(JUNE))
        ]
        expected = display_value(
            point["value"].iloc[0], indicator, suppressed=bool(point["suppressed"].iloc[0])
        )
        assert html.unescape(row["figure"]) == expected, name
        checked += 1
    assert checked == sum(len(g.indicators) for g in config.dashboard.focus_areas + config.dashboard.themes)


def test_dashboard_agrees_with_the_quarterly_report_for_the_quarters_last_month(monthly_batch: MonthlyResult):
    quarterly = (monthly_batch.pipeline.quarter_dir / "quarterly-report.html").read_text(encoding="utf-8")
    dashboard = _dashboard_rows(monthly_batch.dashboard(JUNE).read_text(encoding="utf-8"))
    words_to_code = {f"{symbol} {words}": code for code, (symbol, words) in VARIATION_LABELS.items()}
    config = load_config(monthly_batch.index.parent.parent / "config")
    by_name = {i.name: i for i in config.indicators}
    compared = 0
    for table in re.findall(r"<table.*?</table>", quarterly, flags=re.DOTALL):
        headings = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table)][1:]
        if "Latest month" not in headings or "Variation" not in headings:
            continue  # not an indicator table
        england = next(h for h in headings if h.startswith("England"))
        for match in _TABLE_ROW.finditer(table):
            name = as_configured(html.unescape(match["name"]), GLOSSARY)
            cells = dict(
                zip(
                    headings,
                    (html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", match["cells"])),
                    strict=True,
                )
            )
            if name not in dashboard or not cells["Latest month"].endswith("(Jun 2015)"):
                continue
            row = dashboard[name]
            assert html.unescape(row["figure"]) == cells["Latest month"].removesuffix(" (Jun 2015)"), name
            if (
                cells[england] != "–"
            ):  # the year compared is in the heading ("England 2014-15") or its own column
                year = cells.get("Year compared") or england.removeprefix("England ")
                # DfE's figure beside a monthly figure measured differently says so (issue 22, point 1).
                note = f"; {MEASURED_DIFFERENTLY}" if by_name[name].benchmark_difference else ""
                assert html.unescape(row["england"]) == f"{cells[england]} ({year}{note})", name
            if cells["Variation"] in words_to_code:  # else "Not assessed": too few published monthly figures
                assert _variation_code(row["variation"]) == words_to_code[cells["Variation"]], name
            compared += 1
    assert compared >= 15


def test_safeguarding_board_view(monthly_batch: MonthlyResult):
    page = (monthly_batch.index.parent / JUNE / "safeguarding-board.html").read_text(encoding="utf-8")
    root = monthly_batch.index.parent.parent
    measures = {m.id: m for m in load_config(root / "config").registry.safeguarding_board_measures}
    shown = as_configured(html.unescape(page), GLOSSARY)  # acronyms spelt out at their first use
    for measure_id in (
        "contacts",
        "referrals",
        "icpc_within_15_working_days",
        "cp_plans_ended",
        "children_in_need",
    ):
        assert measures[measure_id].name in shown
        assert measures[measure_id].source in shown  # the method section
    # the current Annex A template's review date (List 7) is in the demo data; List 6 has no plan review date
    assert re.search(
        r"Child protection reviews held within timescales</th><td class=\"sg-figure\">(c|\d+\.\d%)</td>", page
    )
    assert "latest_cin_plan_review_date" not in page  # the measure no list can provide is not offered
    dashboard = _dashboard_rows(monthly_batch.dashboard(JUNE).read_text(encoding="utf-8"))
    figure = html.unescape(dashboard["Initial child protection conferences within 15 working days"]["figure"])
    assert f'Initial conferences within 15 working days</th><td class="sg-figure">{figure}</td>' in page


def test_every_link_of_every_dashboard_resolves(monthly_batch: MonthlyResult):
    for folder in monthly_batch.folders:
        page = (folder / "dashboard.html").read_text(encoding="utf-8")
        for href in re.findall(r'<a href="([^"#]+)"', page):
            assert (folder / html.unescape(href)).resolve().is_file(), (folder.name, href)
    june = (monthly_batch.index.parent / JUNE / "dashboard.html").read_text(encoding="utf-8")
    assert 'href="../2015-16-Q1/exceptions-' in june
    early = (monthly_batch.index.parent / "2014-04" / "dashboard.html").read_text(encoding="utf-8")
    assert "Open exceptions (January to March 2014 (2013-14 Q4))" in early


def test_a_month_run_again_skips_everything(monthly_batch: MonthlyResult):
    root: Path = monthly_batch.index.parent.parent
    from analysis.paths import ProjectPaths

    again = run_months(ProjectPaths.from_root(root), [parse_month(JUNE)], renderer="builtin")
    assert again.skipped == [JUNE]
    assert again.pipeline.skipped_everything


def test_editing_dashboard_yml_runs_the_months_again_and_no_step_of_the_quarter(
    monthly_batch: MonthlyResult, tmp_path_factory: pytest.TempPathFactory
):
    """Issue 18: each step's fingerprint holds the files of config/ it reads, and only the month's read
    dashboard.yml: the quarter's steps are all skipped, its manifest's configuration hash is unchanged, and the
    month runs again and shows the change."""
    import json

    from conftest import copy_project

    from analysis.paths import ProjectPaths

    paths = copy_project(
        ProjectPaths.from_root(monthly_batch.index.parent.parent),
        tmp_path_factory.mktemp("dashboard-yml") / "p",
    )
    quarter_manifest = paths.quarter_reports(monthly_batch.pipeline.quarter) / "manifest.json"
    config_hash = json.loads(quarter_manifest.read_text(encoding="utf-8"))["config_sha256"]
    settings = paths.config / "dashboard.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("sparkline_months: 24", "sparkline_months: 12"),
        encoding="utf-8",
    )
    again = run_months(paths, [parse_month(JUNE)], renderer="builtin")
    assert again.pipeline.skipped_everything
    assert again.skipped == []
    assert json.loads(quarter_manifest.read_text(encoding="utf-8"))["config_sha256"] == config_hash
    assert "Sparklines: the last 12 months up to June 2015" in again.dashboard(JUNE).read_text(
        encoding="utf-8"
    )


def test_a_month_outside_the_data_is_a_clear_error(monthly_batch: MonthlyResult, caplog, monkeypatch):
    root: Path = monthly_batch.index.parent.parent
    monkeypatch.chdir(root)  # the project's key is found from the working folder
    folders = [
        "--config",
        root / "config",
        "--raw",
        root / "data" / "raw",
        "--processed",
        root / "data" / "processed",
    ]
    # The batch's own renderer, so the quarter's steps are all up to date and only the month is new (with Quarto on
    # PATH, "auto" would first render the quarter's reports again with Quarto: a minute and a half of this test).
    arguments = [*map(str, folders), "--reports", str(root / "reports"), "--renderer", "builtin"]
    code = main(["-q", "run", "--month", "2030-01", *arguments])
    assert code == 2
    assert "month 2030-01 has no figures; expected a month from" in caplog.text
    assert pd.Timestamp(2030, 1, 1) not in [parse_month(m) for m in monthly_batch.months]


def _published_files(reports: Path) -> dict[str, str]:
    """SHA-256 of every published file below ``reports`` (staging and failed runs' folders left out)."""
    import hashlib

    return {
        path.relative_to(reports).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(reports.rglob("*"))
        if path.is_file() and not path.relative_to(reports).parts[0].startswith(".")
    }


def test_a_month_outside_the_data_publishes_nothing(
    first_run, demo_project, tmp_path_factory: pytest.TempPathFactory, caplog, monkeypatch
):
    """Issue 18: a failed attempt leaves no quarter's folder behind and changes no published byte."""
    from conftest import copy_project

    paths = copy_project(demo_project, tmp_path_factory.mktemp("outside") / "project")
    before = _published_files(paths.reports)
    processed_before = _published_files(paths.processed)
    monkeypatch.chdir(paths.root)
    code = main(["-q", "run", "--month", "2011-02", "--renderer", "builtin"])
    assert code == 2
    assert "month 2011-02 has no figures; expected a month from 2012-04 to 2015-06" in caplog.text
    assert _published_files(paths.reports) == before
    assert _published_files(paths.processed) == processed_before
    assert not any(paths.reports.glob(".staging-*"))


def test_every_month_of_the_data_in_any_order(
    first_run, demo_project, tmp_path_factory: pytest.TempPathFactory
):
    """Issue 18: a month that is not its quarter's last (April, February, May 2015), each run alone, in any order,
    gives its dashboard, linked to its own quarter's exception reports when they exist."""
    from conftest import copy_project

    paths = copy_project(demo_project, tmp_path_factory.mktemp("any-month") / "project")
    for label in ("2015-04", "2015-02", "2015-05"):
        result = run_months(paths, [parse_month(label)], renderer="builtin")
        assert result.pipeline.quarter == first_run.quarter
        page = result.dashboard(label).read_text(encoding="utf-8")
        assert pd.Timestamp(f"{label}-01").strftime("%B %Y") in page
    assert {p.name for p in paths.reports.iterdir() if p.name.startswith("20")} == {
        first_run.quarter,
        "2015-02",
        "2015-04",
        "2015-05",
    }
    assert not [p for p in paths.reports.iterdir() if p.name.startswith(".staging-")]
    index = (paths.reports / "dashboards.html").read_text(encoding="utf-8")
    assert all(f'href="{label}/dashboard.html"' in index for label in ("2015-02", "2015-04", "2015-05"))


def test_a_monthly_run_publishes_the_quarter_and_the_month_in_one_publication(
    first_run, demo_project, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """Issue 23 item 4: one journal, one set of swaps, for the processed tables, the quarter and the month."""
    from conftest import copy_project

    from analysis.run import quarter_run

    paths = copy_project(demo_project, tmp_path_factory.mktemp("one-publication") / "project")
    publications: list[list[Path]] = []
    real_publish = quarter_run.publish

    def publish(moves, run_id, journal):
        publications.append([target for _, target in moves])
        real_publish(moves, run_id, journal)

    monkeypatch.setattr(quarter_run, "publish", publish)
    run_months(paths, [parse_month("2015-03")], renderer="builtin")
    assert publications == [
        [paths.processed, paths.quarter_reports(first_run.quarter), paths.reports / "2015-03"]
    ]


def test_dashboards_show_benchmarks_only_once_released(monthly_batch: MonthlyResult, config):
    """Issue 18: a month's dashboard shows the figures DfE had released by the month's end, by each release's dates.

    Children in need 2013-14 came out on 29 October 2014: September 2014's dashboard compares 2012-13, October's
    2013-14. The workforce year ends 30 September: 2014's figures (released by March 2015) are not on December
    2014's dashboard (taking 31 March as every year's end showed them six months early), and are on March 2015's.
    """
    from analysis.products.chart_style import year_label

    def names(release: str) -> list[str]:
        return [
            i.name
            for i in config.indicators
            if i.benchmark and config.benchmarks.publications[i.benchmark.publication].release == release
        ]

    def england_years(month: str, release: str) -> set[str]:
        rows = _dashboard_rows(monthly_batch.dashboard(month).read_text(encoding="utf-8"))
        cells = [html.unescape(rows[n]["england"]) for n in names(release) if n in rows]
        return {c.rsplit("(", 1)[-1].rstrip(")").split(";")[0] for c in cells if c.endswith(")")}

    assert england_years("2014-09", "children_in_need") == {year_label(2013)}
    assert england_years("2014-10", "children_in_need") == {year_label(2014)}
    # The workforce census counts at 30 September: its 2014 is named as such, never "2013-14".
    assert england_years("2014-12", "workforce") == {"Sep 2013"}
    assert england_years("2015-03", "workforce") == {"Sep 2014"}
