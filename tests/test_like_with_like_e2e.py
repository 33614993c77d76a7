"""Like with like (issue 22, point 1): a local figure stands beside a published one only when the two are measured
the same way; otherwise the comparison shows DfE's figures and one sentence says how the monthly figure differs.

Read off the demo quarter's reports as a councillor reads them (the HTML) and checked against the run's processed
tables and ``config/indicators.yml`` (``benchmark.comparable``, ``benchmark.difference``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from glossary_checks import as_configured

from analysis.config import ProjectConfig
from analysis.config_indicators import Indicator
from analysis.io import read_table
from analysis.methods.benchmarking import LOCAL_AUTHORITY
from analysis.paths import ProjectPaths
from analysis.run.pipeline import RunResult

pytestmark = pytest.mark.e2e

QUARTER = "2015-16-Q1"
QUARTER_END = pd.Timestamp("2015-06-30")
#: How far a comparable local annual figure may be from the authority's published figure for the same year.
PLAUSIBLE_RATIO = 0.5


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def _measured_differently(config: ProjectConfig) -> list[Indicator]:
    return [i for i in config.indicators if i.benchmark is not None and not i.benchmark.comparable]


def _compared(demo_project: ProjectPaths) -> pd.DataFrame:
    """The comparisons the quarter's reports may show: those DfE had released by the quarter's end."""
    comparison = read_table("benchmark_comparison", demo_project.processed)
    return comparison.loc[pd.to_datetime(comparison["released"]) <= QUARTER_END]


def _benchmark_captions(soup: BeautifulSoup, indicator: Indicator) -> list[str]:
    """The captions of the indicator's benchmark charts ("<name>: Medway compared with ..., by year. ...")."""
    captions = [_text(c) for c in soup.find_all("figcaption")]
    return [c for c in captions if c.startswith(f"{indicator.name}:") and ", by year." in c]


def test_every_benchmark_is_declared_and_measured_differently_ones_say_how(config: ProjectConfig) -> None:
    benchmarked = [i for i in config.indicators if i.benchmark is not None]
    assert benchmarked
    different = _measured_differently(config)
    assert {i.id for i in different} >= {"social_worker_vacancy_rate"}
    for indicator in different:
        sentence = indicator.benchmark_difference
        assert sentence and sentence.endswith(".") and "\n" not in sentence, indicator.id


def test_the_quarterly_report_says_how_each_comparison_measured_differently_differs(
    first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig
) -> None:
    """Each table row and benchmark chart of an indicator measured differently carries its sentence; the tables'
    authority column shows DfE's figure for the authority, never the local figure of the other definition."""
    assert first_run.quarter == QUARTER
    page = demo_project.quarter_reports(QUARTER) / "quarterly-report.html"
    soup = _soup(page)
    compared = _compared(demo_project)
    annual = read_table("indicators_annual", demo_project.processed)
    checked = 0
    for indicator in _measured_differently(config):
        rows = compared.loc[compared["indicator_id"] == indicator.id]
        if rows.empty:
            continue
        sentence = indicator.benchmark_difference
        assert sentence is not None
        tail = sentence[1:]  # the products may lower its first letter after a colon
        # The tables comparing it (an England column): a footnote names it with the sentence.
        tables = [
            t
            for t in soup.find_all("table")
            if any(_text(th) == indicator.name for th in t.find_all("th", scope="row"))
            and any(_text(th).startswith("England") for th in t.find_all("th", scope="col"))
        ]
        assert tables, f"{indicator.id}: no indicator table shows it"
        for table in tables:
            notes = " ".join(_text(p) for p in table.find_parent().find_all("p", class_="table-note"))
            assert f"{indicator.name}: " in notes and tail in notes, (
                indicator.id,
                _text(table.find("caption")),
            )
        # The benchmark chart: its caption says how the two differ, and its title that it is DfE's measure.
        captions = _benchmark_captions(soup, indicator)
        assert captions, f"{indicator.id}: no benchmark chart"
        assert all(tail in c for c in captions), captions
        # The authority's figure beside England's is DfE's own, never the local annual figure of another definition.
        local = annual.loc[
            (annual["indicator_id"] == indicator.id) & (annual["period_type"] == indicator.annual)
        ]
        local_by_year = local.set_index("time_period")["value"]
        for _, row in rows.iterrows():
            year = int(row["time_period"])
            if pd.notna(row["local_value"]) and year in local_by_year.index and pd.notna(local_by_year[year]):
                assert row["local_value"] != pytest.approx(local_by_year[year], abs=0.05), (
                    indicator.id,
                    year,
                )
        checked += 1
    # The demo's vacancy rate is measured differently and compared (DfE's workforce figures of September 2014).
    assert checked >= 1


def test_the_exception_reports_say_how_each_comparison_measured_differently_differs(
    first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig
) -> None:
    """Where an exception report stacks an indicator's monthly chart over its comparison, the comparison's line and
    chart say how the monthly figure differs when it is measured differently, and only then."""
    reports = sorted(demo_project.quarter_reports(QUARTER).glob("exceptions-*.html"))
    assert len(reports) == 6
    different = {i.name: i for i in _measured_differently(config)}
    same = {i.name: i for i in config.indicators if i.benchmark is not None and i.benchmark.comparable}
    checked = 0
    for page in reports:
        soup = _soup(page)
        for heading in soup.find_all("h3"):
            name = as_configured(_text(heading), config.glossary)
            if name not in different and name not in same:
                continue
            items = heading.find_next("ul")
            assert isinstance(items, Tag), (page.name, name)
            # The page spells each acronym out at its first use ("Department for Education (DfE)"): read it back.
            lines = [
                as_configured(_text(li), config.glossary) for li in items.find_all("li", recursive=False)
            ]
            compared = [n for n, line in enumerate(lines) if line.startswith("Compared with others")]
            said = [line for line in lines if line.startswith("Measured differently")]
            if name in same:
                assert not said, (page.name, name, said)
                continue
            indicator = different[name]
            sentence = indicator.benchmark_difference
            assert sentence is not None
            if compared:
                # The sentence follows the comparison's line, beside the figures it explains.
                assert lines[compared[0] + 1].startswith("Measured differently"), (page.name, name, lines)
                assert sentence in lines[compared[0] + 1], (page.name, name)
            captions = [as_configured(c, config.glossary) for c in _benchmark_captions(soup, indicator)]
            assert all(sentence[1:] in c for c in captions), (page.name, captions)
            checked += bool(compared) or bool(captions)
    # The demo's A2 (placement order to match, against DfE's England figure from the decision to place) is an
    # exception of theme 1: at least one comparison measured differently is shown in an exception report.
    assert checked >= 1


def test_comparable_local_figures_are_on_the_level_of_the_published_ones(
    first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig
) -> None:
    """Where the definitions coincide, the demo's local annual figure (on DfE's day: 31 March, or 30 September for
    the workforce census) is within half of the authority's published figure for the same year, and its workforce
    figures are the published ones, so the monthly chart and the comparison chart stand on the same level."""
    annual = read_table("indicators_annual", demo_project.processed)
    benchmarks = read_table("benchmarks", demo_project.processed)
    ours = benchmarks.loc[
        (benchmarks["geographic_level"] == LOCAL_AUTHORITY)
        & (benchmarks["old_la_code"] == config.authority.old_la_code)
    ]
    compared = 0
    problems = []
    for indicator in config.indicators:
        benchmark = indicator.benchmark
        if benchmark is None or not benchmark.comparable or benchmark.rate_per_10000:
            continue  # a count published for a rate is compared as a rate by the analysis (its own tests)
        published = ours.loc[
            (ours["publication"] == benchmark.publication) & (ours["measure"] == benchmark.measure)
        ].set_index("time_period")["value"]
        local = annual.loc[
            (annual["indicator_id"] == indicator.id) & (annual["period_type"] == indicator.annual)
        ].set_index("time_period")
        for year, value in published.dropna().items():
            if (
                year not in local.index
                or pd.isna(local.loc[year, "value"])
                or bool(local.loc[year, "suppressed"])
            ):
                continue
            mine = float(local.loc[year, "value"])
            compared += 1
            if not (1 - PLAUSIBLE_RATIO) * value <= mine <= (1 + PLAUSIBLE_RATIO) * value:
                problems.append(f"{indicator.id} {year}: local {mine:.1f}, published {value:.1f}")
            if benchmark.publication == "csww" and round(mine, 1) != pytest.approx(value, abs=0.05):
                problems.append(f"{indicator.id} {year}: local {mine:.1f} is not the published {value:.1f}")
    assert not problems, "\n".join(problems)
    workforce = [
        i
        for i in config.indicators
        if i.benchmark and i.benchmark.publication == "csww" and i.benchmark.comparable
    ]
    assert len(workforce) == 3 and compared >= 2 * len(workforce)


def test_the_workforce_comparison_names_its_own_year(
    first_run: RunResult, demo_project: ProjectPaths, config: ProjectConfig
) -> None:
    """DfE's workforce census of 30 September 2014 is "Sep 2014" beside the monthly figures, never "2013-14"."""
    soup = _soup(demo_project.quarter_reports(QUARTER) / "quarterly-report.html")
    theme = config.indicator("agency_social_worker_rate").theme
    table = next(t for t in soup.find_all("table") if _text(t.find("caption")) == f"Theme {theme} indicators")
    headers = [_text(th) for th in table.find_all("th", scope="col")]
    assert f"{config.authority.name} Sep 2014" in headers and "England Sep 2014" in headers, headers
    assert not any("2013-14" in h for h in headers), headers
