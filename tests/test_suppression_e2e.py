"""No figure built from 1 to 5 children in anything the demo run publishes (issue 12, item 4).

The session's demo run (``first_run``) is scanned: every published HTML report (text, tables and chart alt text) and
every executed notebook in ``reports/<quarter>/``. The figures that must not appear are worked out from the
processed tables, independently of the reporting code: the authority's annual and monthly figures flagged as
suppressed, and the authority's own rows in the benchmark files whose count of children is 1 to 5.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.charts import format_number, year_label
from analysis.config import ProjectConfig, load_config
from analysis.ees_publications import COUNT_SUFFIX
from analysis.io import read_table
from analysis.paths import ProjectPaths
from analysis.pipeline import RunResult

TAG = re.compile(r"<[^>]+>")
ALT = re.compile(r'\balt="([^"]*)"')


def published_texts(folder: Path) -> dict[str, str]:
    """The reader-visible text of every published HTML file and notebook output, by file name."""
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.html")):
        raw = path.read_text(encoding="utf-8")
        alts = " ".join(html.unescape(a) for a in ALT.findall(raw))
        texts[path.name] = html.unescape(TAG.sub(" ", raw)) + " " + alts
    for path in sorted(folder.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        parts = []
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                for kind in ("text/plain", "text/html", "text/markdown"):
                    value = output.get("data", {}).get(kind)
                    if value:
                        parts.append("".join(value) if isinstance(value, list) else value)
                if "text" in output:
                    parts.append("".join(output["text"]))
        texts[path.name] = html.unescape(TAG.sub(" ", " ".join(parts)))
    return {name: " ".join(text.split()) for name, text in texts.items()}


def small_benchmark_figures(benchmarks: pd.DataFrame, config: ProjectConfig) -> list[tuple[str, int, float]]:
    """(indicator id, year, figure) of the authority's published figures resting on 1 to 5 children."""
    ours = benchmarks.loc[benchmarks["old_la_code"].eq(config.authority.old_la_code).fillna(False)]
    found = []
    for indicator in config.indicators:
        if indicator.benchmark is None:
            continue
        in_publication = ours["publication"] == indicator.benchmark.publication
        figures = ours.loc[in_publication & (ours["measure"] == indicator.benchmark.measure)]
        counts = ours.loc[in_publication & (ours["measure"] == indicator.benchmark.measure + COUNT_SUFFIX)]
        for _, count in counts.iterrows():
            if 1 <= count["value"] <= 5:
                figure = figures.loc[figures["time_period"] == count["time_period"], "value"]
                found.append((indicator.id, int(count["time_period"]), float(figure.iloc[0])))
    return found


@pytest.fixture(scope="module")
def scanned(first_run: RunResult, demo_project: ProjectPaths) -> tuple[dict[str, str], ProjectConfig]:
    return published_texts(first_run.quarter_dir), load_config(demo_project.config)


def test_the_demo_plants_a_benchmark_figure_from_fewer_than_six_children(
    first_run: RunResult, demo_project: ProjectPaths
) -> None:
    # Without such a figure the scans below would prove nothing: Medway's 2013-14 share of CP plans open two years
    # or more rests on 3 plans in the demo's d5 file (2014-15's too, but it was released in October 2015, after
    # the demo's quarter, so the report does not compare it).
    config = load_config(demo_project.config)
    small = small_benchmark_figures(read_table("benchmarks", demo_project.processed), config)
    assert ("cp_plans_lasting_two_years_or_more", 2014) in {(i, y) for i, y, _ in small}
    comparison = read_table("benchmark_comparison", demo_project.processed).set_index(
        ["indicator_id", "time_period"]
    )
    assert ("cp_plans_lasting_two_years_or_more", 2014) in comparison.index
    for indicator_id, year, _ in small:
        if (indicator_id, year) not in comparison.index:  # released after the quarter's end: not compared
            continue
        row = comparison.loc[(indicator_id, year)]
        assert bool(row["local_suppressed"]) and pd.isna(row["local_value"])
        assert pd.isna(row["rank"]) and pd.isna(row["quartile_band"])
        assert row["direction_of_travel"] == "not_applicable"


def test_no_small_benchmark_figure_in_any_report_table_text_or_alt_text(
    scanned: tuple[dict[str, str], ProjectConfig], demo_project: ProjectPaths
) -> None:
    texts, config = scanned
    authority = config.authority.name
    small = small_benchmark_figures(read_table("benchmarks", demo_project.processed), config)
    for indicator_id, year, figure in small:
        indicator = config.indicator(indicator_id)
        shown = format_number(figure, indicator)
        for name, text in texts.items():
            assert f"In {year_label(year)} {authority} was {shown}" not in text, (name, indicator_id, year)
            assert f"{authority} {shown}," not in text, (name, indicator_id, year)
    # The alt text of the chart names the suppressed year instead.
    report = texts["quarterly-report.html"]
    assert "is not published (c: fewer than six children)" in report


def test_no_suppressed_local_figure_in_any_published_file(
    scanned: tuple[dict[str, str], ProjectConfig], demo_project: ProjectPaths
) -> None:
    texts, config = scanned
    authority = config.authority.name
    monthly = read_table("indicators_monthly", demo_project.processed)
    suppressed = monthly.loc[monthly["suppressed"] & monthly["value"].notna()]
    assert len(suppressed), "the demo has small monthly counts: the scan must have something to look for"
    for _, row in suppressed.iterrows():
        indicator = config.indicator(row["indicator_id"])
        when = f"{pd.Timestamp(row['month']):%b %Y}"
        shown = format_number(row["value"], indicator)
        for name, text in texts.items():
            assert f"{shown} ({when})" not in text, (name, row["indicator_id"], when)
    annual = read_table("indicators_annual", demo_project.processed)
    for _, row in annual.loc[annual["suppressed"] & annual["value"].notna()].iterrows():
        indicator = config.indicator(row["indicator_id"])
        shown = format_number(row["value"], indicator)
        for name, text in texts.items():
            assert f"{authority} was {shown} in {row['period_label']}" not in text, (
                name,
                row["indicator_id"],
            )


def test_the_neighbours_figure_is_labelled_as_an_average(
    scanned: tuple[dict[str, str], ProjectConfig],
) -> None:
    texts, _ = scanned
    assert "Statistical neighbours (average)" in texts["quarterly-report.html"]
