"""Read the figures a product shows off its HTML and look each one up in the analysis tables (issue 18).

The products only present the analysis stage's tables, so every figure a councillor reads must be found there with
the same value, period and reading. These helpers return the disagreements as sentences (an empty list: none), so a
failing test names the page, the table, the row and both values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup, Tag
from figure_lookup import not_assessed
from glossary_checks import as_configured

from analysis.config import Indicator, ProjectConfig, load_config
from analysis.products.indicator_tables import NOT_ASSESSED
from analysis.products.mdc_icons import ASSURANCE_WORDS, VARIATION_WORDS
from analysis.units import format_number

SUPPRESSED = "c"
#: What a table cell says when there is no figure.
NO_FIGURE = {"–", "not available", "none set", ""}
_MONTH_IN_BRACKETS = re.compile(r"^(?P<figure>.+?) \((?P<month>[A-Z][a-z]{2} \d{4})\)$")
#: A compared year as the products name it (``benchmark_comparison.period_label``): "2013-14" for a year to 31 March,
#: "Sep 2014" for the workforce census at 30 September.
_YEAR_LABEL = re.compile(r"\d{4}-\d{2}|[A-Z][a-z]{2} \d{4}")
#: A figure with its year in brackets, and perhaps a note after a semicolon: "15.0% (Sep 2014; measured ...)".
_YEAR_IN_BRACKETS = re.compile(rf"^(?P<figure>.+?) \((?P<year>{_YEAR_LABEL.pattern})(?:; [^)]*)?\)$")


#: The repository's glossary: pages spell its acronyms out at their first use (config/glossary.yml); names are
#: compared as configured.
GLOSSARY = load_config(Path(__file__).resolve().parents[1] / "config").glossary


@dataclass(frozen=True)
class Row:
    """One row of a product's indicator table: the page, the table's caption, the indicator and its cells."""

    page: str
    caption: str
    indicator: Indicator
    cells: dict[str, str]


def analysis_tables(processed: Path) -> dict[str, pd.DataFrame]:
    """The analysis tables the products present."""
    names = ("indicators_monthly", "benchmark_comparison", "spc_as_at", "exceptions", "actions")
    return {name: pd.read_parquet(processed / f"{name}.parquet") for name in names}


def indicator_rows(page: Path, config: ProjectConfig, caption_pattern: str) -> Iterator[Row]:
    """Every row of the page's tables whose caption matches and whose row header names an indicator."""
    by_name = {indicator.name: indicator for indicator in config.indicators}
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for table in soup.find_all("table"):
        caption = table.find("caption")
        caption_text = caption.get_text(" ", strip=True) if caption else ""
        if not re.search(caption_pattern, caption_text):
            continue
        headers = [th.get_text(" ", strip=True) for th in table.find_all("th", scope="col")]
        body = table.find("tbody")
        assert isinstance(body, Tag), f"{page.name}: table {caption_text!r} has no body"
        for tr in body.find_all("tr"):
            row_header = tr.find("th", scope="row")
            if row_header is None:
                continue
            # the page spells an acronym out where it first uses it (config/glossary.yml): compare as configured
            name = as_configured(_indicator_name(row_header), config.glossary)
            assert name in by_name, f"{page.name}: {caption_text!r} names {name!r}, which is no indicator"
            values = [
                as_configured(cell.get_text(" ", strip=True), config.glossary)
                for cell in tr.find_all(["th", "td"])
            ]
            yield Row(page.name, caption_text, by_name[name], dict(zip(headers, values, strict=False)))


def _indicator_name(row_header: Tag) -> str:
    """The indicator's name in a row header, without the notes a page adds after it ("(provisional limits)")."""
    for note in row_header.find_all(class_="provisional"):
        note.extract()
    return row_header.get_text(" ", strip=True)


def expected_month_figure(tables: dict[str, pd.DataFrame], indicator: Indicator, month: pd.Timestamp) -> str:
    """The figure for the month as the analysis tables give it: its value formatted, ``c`` if suppressed."""
    monthly = tables["indicators_monthly"]
    row = monthly.loc[(monthly["indicator_id"] == indicator.id) & (monthly["month"] == month)]
    if row.empty:
        return "not available"
    if bool(row["suppressed"].iloc[0]):
        return SUPPRESSED
    return format_number(row["value"].iloc[0], indicator)


def check_month_figure(
    tables: dict[str, pd.DataFrame], row: Row, column: str, month: str | None
) -> list[str]:
    """A "latest month" cell: ``88.0% (Jun 2015)`` (month in the cell) or ``88.0%`` under a ``Jun 2015`` header."""
    shown = row.cells[column]
    if month is None:
        if shown in NO_FIGURE:
            return []
        match = _MONTH_IN_BRACKETS.match(shown)
        if match is None:
            return [f"{row.page}: {row.caption}: {row.indicator.id}: {column} {shown!r} names no month"]
        shown, month = match["figure"], match["month"]
    expected = expected_month_figure(
        tables, row.indicator, pd.Timestamp(pd.to_datetime(month, format="%b %Y"))
    )
    if shown == expected or (shown in NO_FIGURE and expected == "not available"):
        return []
    return [
        f"{row.page}: {row.caption}: {row.indicator.id} {month}: shows {shown!r}, the analysis has {expected!r}"
    ]


#: Benchmark columns of the quarterly report, by the start of their header, and the comparison table's column.
BENCHMARK_COLUMNS = {
    "authority": "local_value",
    "England": "england",
    "region": "region",
    "Statistical neighbours (average)": "statistical_neighbours_average",
}


def _comparison_row(
    tables: dict[str, pd.DataFrame], indicator: Indicator, year_label: str
) -> pd.Series | None:
    """The benchmark comparison of an indicator for a year as the products label it (``2013-14``: DfE time period
    2014; ``Sep 2014``: the workforce census of 30 September 2014), found by its stored ``period_label``."""
    assert _YEAR_LABEL.fullmatch(year_label), year_label
    comparison = tables["benchmark_comparison"]
    found = comparison.loc[
        (comparison["indicator_id"] == indicator.id) & (comparison["period_label"] == year_label)
    ]
    return None if found.empty else found.iloc[0]


def expected_benchmark(
    tables: dict[str, pd.DataFrame], indicator: Indicator, year_label: str, column: str
) -> str | None:
    """A published comparison figure as the analysis tables give it (None: the table has no such year)."""
    row = _comparison_row(tables, indicator, year_label)
    if row is None:
        return None
    if column == "local_value" and bool(row["local_suppressed"]):
        return SUPPRESSED
    return format_number(row[column], indicator)


def check_benchmark_cells(
    tables: dict[str, pd.DataFrame],
    row: Row,
    *,
    authority: str,
    region: str,
    known_by: pd.Timestamp | None = None,
) -> list[str]:
    """Each comparison cell of an indicator table against ``benchmark_comparison``, and released by ``known_by``."""
    starts = {authority: "local_value", "England": "england", region: "region"}
    starts["Statistical neighbours (average)"] = "statistical_neighbours_average"
    problems = []
    for header, shown in row.cells.items():
        column = next(
            (col for start, col in starts.items() if header == start or header.startswith(f"{start} ")), None
        )
        if column is None or shown in NO_FIGURE:
            continue
        start = next(s for s, col in starts.items() if col == column)
        year_label = header[len(start) :].strip()
        if not _YEAR_LABEL.fullmatch(year_label) and _YEAR_LABEL.fullmatch(
            row.cells.get("Year compared", "")
        ):
            year_label = row.cells["Year compared"]  # "(year compared)": a column names each row's year
        if not _YEAR_LABEL.fullmatch(year_label):  # the year is in the cell
            match = _YEAR_IN_BRACKETS.match(shown)
            if match is None:
                problems.append(
                    f"{row.page}: {row.caption}: {row.indicator.id}: {header} {shown!r} names no year"
                )
                continue
            shown, year_label = match["figure"], match["year"]
        expected = expected_benchmark(tables, row.indicator, year_label, column)
        comparison = _comparison_row(tables, row.indicator, year_label)
        if known_by is not None and comparison is not None and comparison["released"] > known_by:
            problems.append(
                f"{row.page}: {row.caption}: {row.indicator.id}: {header} shows {year_label}, released "
                f"{comparison['released']:%d %B %Y}, after {known_by:%d %B %Y}"
            )
        if shown != expected:
            problems.append(
                f"{row.page}: {row.caption}: {row.indicator.id}: {header} shows {shown!r}, "
                f"benchmark_comparison has {expected!r} for {year_label}"
            )
    return problems


def check_rank(tables: dict[str, pd.DataFrame], row: Row, year_label: str | None) -> list[str]:
    """ "81 of 149" against the comparison's rank and count of councils ranked."""
    shown = row.cells.get("Rank among councils", "–")
    if shown in NO_FIGURE:
        return []
    match = re.fullmatch(rf"(\d+) of (\d+)(?: \(({_YEAR_LABEL.pattern})\))?", shown)
    if match is None:
        return [f"{row.page}: {row.caption}: {row.indicator.id}: rank {shown!r} is not 'N of M'"]
    year = match[3] or year_label
    assert year, shown
    comparison = _comparison_row(tables, row.indicator, year)
    if comparison is None or (int(match[1]), int(match[2])) != (
        int(comparison["rank"]),
        int(comparison["authorities_ranked"]),
    ):
        return [
            f"{row.page}: {row.caption}: {row.indicator.id}: rank {shown!r} is not the analysis' for {year}"
        ]
    return []


def check_reading(
    tables: dict[str, pd.DataFrame], row: Row, month: pd.Timestamp, *, minimum_points: int = 12
) -> list[str]:
    """A dashboard row's variation and assurance words against the SPC reading as it stood at the month; "Not
    assessed" where the chart up to the month has too few published figures, or mostly suppressed ones (the
    reports' rule, which the dashboard follows: tests/figure_lookup.py)."""
    if not_assessed(tables["indicators_monthly"], row.indicator.id, month, minimum_points):
        shown = [row.cells.get("Variation", ""), row.cells.get("Assurance", "")]
        if all(cell.startswith(NOT_ASSESSED.split(":")[0]) for cell in shown):
            return []
        return [f"{row.page}: {row.indicator.id}: shows {shown}, not {NOT_ASSESSED!r}"]
    readings = tables["spc_as_at"]
    found = readings.loc[(readings["indicator_id"] == row.indicator.id) & (readings["as_at"] == month)]
    variation = None if found.empty else found["variation"].iloc[0]
    assurance = None if found.empty else found["assurance"].iloc[0]
    problems = []
    shown_variation = row.cells.get("Variation", "")
    expected_variation = VARIATION_WORDS.get(variation) if isinstance(variation, str) else None
    if expected_variation is None:
        if any(words in shown_variation for words in VARIATION_WORDS.values()):
            problems.append(
                f"{row.page}: {row.indicator.id}: shows {shown_variation!r}; the analysis has no reading"
            )
    elif expected_variation not in shown_variation:
        problems.append(
            f"{row.page}: {row.indicator.id}: shows {shown_variation!r}, not {expected_variation!r}"
        )
    shown_assurance = row.cells.get("Assurance", "")
    expected_assurance = ASSURANCE_WORDS.get(assurance) if isinstance(assurance, str) else None
    if expected_assurance is None:
        if any(words in shown_assurance for words in ASSURANCE_WORDS.values()):
            problems.append(
                f"{row.page}: {row.indicator.id}: shows {shown_assurance!r}; the analysis has none"
            )
    elif expected_assurance not in shown_assurance:
        problems.append(
            f"{row.page}: {row.indicator.id}: shows {shown_assurance!r}, not {expected_assurance!r}"
        )
    return problems


def exception_titles(page: Path) -> list[str]:
    """The headings of an exception report's "Exceptions this quarter", in order."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    section = soup.find(id="exceptions-this-quarter")
    assert isinstance(section, Tag), f"{page.name} has no 'Exceptions this quarter'"
    titles = []
    for heading in section.find_all_next(["h2", "h3"]):
        if heading.name == "h2":
            break
        titles.append(as_configured(heading.get_text(" ", strip=True), GLOSSARY))
    return titles


def dashboard_open_exceptions(page: Path) -> dict[str, list[str]]:
    """The dashboard's open exceptions: the exception report each links to, and the items listed under it."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    heading = soup.find(id="dash-exceptions")
    assert isinstance(heading, Tag), f"{page.name} has no open exceptions section"
    listed: dict[str, list[str]] = {}
    for theme in heading.find_parent("section").find_all("li", class_="dash-exception-theme"):
        link = theme.find("a")
        items = [
            as_configured(item.get_text(" ", strip=True), GLOSSARY)
            for item in theme.find("ul").find_all("li")
        ]
        listed[Path(link["href"]).name] = items
    return listed
