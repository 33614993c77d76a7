"""Every figure a product shows, read off its page as (figure, period) -> value, and looked up in the analysis tables.

Issue 18: the products only present the analysis stage's tables, so each figure a reader sees on any page (a table
cell, a sentence, a chart's alt text, a sparkline's label) must be the tables' figure for the same period with the
same reading; issue 22: a figure printed on more than one page has one value everywhere.

A page is read into :class:`Shown` records: the page, where on it, a *key* naming the figure and its period
(``("month", indicator_id, month)``, ``("bench", indicator_id, time_period, column)``, ...) and the value as printed,
normalised (``"1,742"`` and ``"1742"`` are one value; the unit is dropped). :func:`expected` looks a key up in the
analysis tables; :func:`check_against_tables` and :func:`one_value_each` return the disagreements as sentences
naming the page, the figure and both values (an empty list: none).

The readers find figures by their shape (a number with its unit beside a month or a year) and a few anchor words,
not by whole sentences, so a change of wording elsewhere in a sentence does not stop them; each reader's test also
asserts how many figures it found, so a reader that finds nothing fails rather than passes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup, Tag
from glossary_checks import as_configured

from analysis.config import Indicator, ProjectConfig, load_config
from analysis.methods.quarters import Quarter
from analysis.products.chart_style import POINT_STYLES
from analysis.products.exception_report import REASON_LABELS
from analysis.products.indicator_tables import BAND_WORDS
from analysis.products.mdc_icons import ASSURANCE_WORDS, VARIATION_WORDS
from analysis.products.presentation import (
    ACTION_STATUS_LABELS,
    ASSURANCE_LABELS,
    DIRECTION_LABELS,
    OVERDUE_LABEL,
    VARIATION_LABELS,
)

MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
LONG_MONTH = rf"(?:{MONTH_NAMES}) \d{{4}}"
SHORT_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
ANY_MONTH = rf"(?:{LONG_MONTH}|{SHORT_MONTH})"
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
UNIT = r"(?:%| per 10,000| days| weeks| FTE)"
#: A figure as the products print it: a number with its unit, or ``c`` (suppressed).
FIGURE = rf"(?:(?:{NUMBER}){UNIT}?|c\b)"
#: A compared year as the pages name it: "2013-14" (to 31 March), or "Sep 2014" (the workforce census at 30 September).
YEAR = r"(?:\d{4}-\d{2}|[A-Z][a-z]{2} \d{4})"
#: What a cell or a sentence says for a figure the tables do not have.
NONE = "none"
NO_FIGURE_WORDS = {"not available", "–", "x", "", "none", "none set"}


# ------------------------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class Shown:
    """One figure on one page: where it is, what it is (``key``: the figure and its period) and its value."""

    page: str
    where: str
    key: tuple[object, ...]
    value: str
    """Normalised: a number without unit or thousands separators, ``c``, ``none``, or a reading's code."""
    text: str
    """As printed."""


def number_of(text: str) -> str:
    """The value of a printed figure: ``"1,742"`` -> ``"1742"``, ``"77.2 per 10,000"`` -> ``"77.2"``, ``c`` -> ``c``;
    words for no figure (``not available``, ``–``, ``x``) -> ``none``."""
    text = " ".join(text.split())
    if text in NO_FIGURE_WORDS:
        return NONE
    if text == "c":
        return "c"
    match = re.match(rf"^-?(?:{NUMBER})", text)
    assert match, f"{text!r} is not a figure"
    return match.group(0).replace(",", "")


def month_of(text: str) -> pd.Timestamp:
    """``June 2015`` or ``Jun 2015`` -> 2015-06-01."""
    text = " ".join(text.split())
    fmt = "%B %Y" if re.fullmatch(LONG_MONTH, text) else "%b %Y"
    return pd.Timestamp(pd.to_datetime(text, format=fmt))


def time_period_of(year_label: str) -> int:
    """``2013-14`` -> DfE's time period 2014 (the year ending 31 March 2014); ``Sep 2014`` -> 2014 (the workforce
    census of 30 September 2014: :func:`analysis.methods.benchmarking.short_period_label`)."""
    if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", year_label):
        return int(year_label[-4:])
    return int(year_label[:4]) + 1


#: The repository's glossary (config/glossary.yml): pages spell its acronyms out at their first use.
GLOSSARY = load_config(Path(__file__).resolve().parents[1] / "config").glossary


def words(text: str) -> str:
    """A page's text as the configuration names things: one space between words, straight apostrophes, and each
    acronym's first-use spelling taken back out ("Department for Education (DfE)" -> "DfE", config/glossary.yml)."""
    return as_configured(" ".join(text.replace("\u2019", "'").split()), GLOSSARY)


class PageReader:
    """Collects the :class:`Shown` figures of one page."""

    def __init__(self, page: Path | str, config: ProjectConfig, *, name: str | None = None) -> None:
        self.page = name or Path(page).name
        self.config = config
        self.found: list[Shown] = []
        self.by_name = {i.name: i for i in config.indicators}

    def add(self, where: str, key: tuple[object, ...], text: str, value: str | None = None) -> None:
        self.found.append(
            Shown(self.page, where, key, number_of(text) if value is None else value, words(text))
        )

    def indicator_named(self, text: str) -> Indicator | None:
        """The indicator whose name starts ``text`` (the longest such name), or None."""
        text = words(text)
        names = [n for n in self.by_name if text == n or text.startswith(n)]
        return self.by_name[max(names, key=len)] if names else None


def soup_of(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def table_rows(table: Tag) -> Iterator[tuple[Tag, list[tuple[str, Tag]]]]:
    """(row header, [(column header, cell)]) for every body row of a table."""
    headers = [words(th.get_text(" ", strip=True)) for th in table.find("thead").find_all("th")]
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all(["th", "td"])
        if not cells or cells[0].name != "th" or cells[0].get("scope") != "row":
            continue
        yield cells[0], list(zip(headers, cells, strict=False))


def caption_of(table: Tag) -> str:
    caption = table.find("caption")
    return words(caption.get_text(" ", strip=True)) if caption else ""


# ------------------------------------------------------------------------------------ indicator tables
def read_indicator_table(
    reader: PageReader, table: Tag, *, as_at: pd.Timestamp, month_column: pd.Timestamp | None = None
) -> int:
    """The cells of an indicator table (the reports' theme and headline tables, the dashboard's blocks).

    ``as_at``: the month whose SPC reading the table shows. ``month_column``: the month a column headed with it
    (``Jun 2015``) shows; the reports' "Latest month" cells name their month. Returns the rows read.
    """
    caption = caption_of(table)
    authority = reader.config.authority
    starts = {
        authority.name: "local_value",
        "England": "england",
        authority.region.name: "region",
        "Statistical neighbours": "statistical_neighbours_average",
    }
    rows = 0
    for header, cells in table_rows(table):
        for note in header.find_all(class_="provisional"):
            note.extract()
        indicator = reader.indicator_named(header.get_text(" ", strip=True))
        assert indicator is not None, f"{reader.page}: {caption!r}: {header.get_text()!r} names no indicator"
        rows += 1
        where = f"{caption}: {indicator.name}"
        texts = {column: words(cell.get_text(" ", strip=True)) for column, cell in cells}
        year_compared = texts.get("Year compared")
        for column, cell in cells:
            text = texts[column]
            if column == "Latest month":
                match = re.fullmatch(rf"(?P<figure>.+) \((?P<month>{SHORT_MONTH})\)", text)
                if match:
                    reader.add(where, ("month", indicator.id, month_of(match["month"])), match["figure"])
            elif month_column is not None and column == f"{month_column:%b %Y}":
                reader.add(where, ("month", indicator.id, month_column), text)
            elif column == "Target":
                reader.add(where, ("target", indicator.id), text)
            elif column in ("Variation", "Assurance"):
                reader.add(where, (column.lower(), indicator.id, as_at), text, reading_code(cell, column))
                latest = re.search(r"the latest month (meets|misses) the target", text)
                if column == "Assurance" and latest:
                    code = "meeting" if latest[1] == "meets" else "missing"
                    reader.add(where, ("assurance_latest", indicator.id, as_at), text, code)
            elif column == "Rank among councils" and text not in NO_FIGURE_WORDS:
                match = re.fullmatch(rf"(\d+) of (\d+)(?: \(({YEAR})\))?", text)
                assert match, f"{reader.page}: {where}: rank {text!r}"
                year = match[3] or year_compared or _year_in(table)
                reader.add(
                    where, ("rank", indicator.id, time_period_of(year)), text, f"{match[1]}/{match[2]}"
                )
            elif column == "Quartile band" and text not in NO_FIGURE_WORDS:
                band = re.search(r"\(band ([ABCD])\)", text)
                assert band, f"{reader.page}: {where}: band {text!r}"
                assert text.startswith(BAND_WORDS[band[1]]), text
                reader.add(
                    where,
                    ("band", indicator.id, time_period_of(year_compared or _year_in(table))),
                    text,
                    band[1],
                )
            elif column == "Direction of travel" and text not in NO_FIGURE_WORDS:
                code = next((c for c, (_, w) in DIRECTION_LABELS.items() if w in text), None)
                assert code, f"{reader.page}: {where}: direction {text!r}"
                year = year_compared or _year_in(table)
                if year and code != "not_applicable":
                    reader.add(where, ("direction", indicator.id, time_period_of(year)), text, code)
            else:
                area = next(
                    (
                        col
                        for start, col in starts.items()
                        if column == start or column.startswith(f"{start} ")
                    ),
                    None,
                )
                if area is None:
                    continue
                # The heading's year: "2013-14", "Sep 2014", or none ("(year compared)": the cell or column says).
                heading_year = re.search(rf"({YEAR})$", column)
                year_label = heading_year[1] if heading_year else column
                figure = text
                if not re.fullmatch(YEAR, year_label):  # "(year compared)", or the year in the cell
                    # "639 days (2012-13)", or "... (2012-13; measured differently: see the key)" (issue 22, point 1).
                    match = re.fullmatch(rf"(?P<figure>.+) \((?P<year>{YEAR})(?:; [^)]*)?\)", text)
                    if match:
                        figure, year_label = match["figure"], match["year"]
                    elif year_compared and re.fullmatch(YEAR, year_compared):
                        year_label = year_compared
                    else:
                        assert text in NO_FIGURE_WORDS, (
                            f"{reader.page}: {where}: {column} {text!r} names no year"
                        )
                        continue
                reader.add(where, ("bench", indicator.id, time_period_of(year_label), area), figure)
    return rows


def _year_in(table: Tag) -> str | None:
    """The year a table's comparison columns name (``England 2013-14``), if one."""
    for th in table.find("thead").find_all("th"):
        match = re.fullmatch(rf"England ({YEAR})", words(th.get_text(" ", strip=True)))
        if match:
            return match[1]
    return None


def reading_code(cell: Tag, column: str) -> str:
    """A Variation or Assurance cell as its code (the words of the reports' labels, or the dashboard icons')."""
    svg = cell.find("svg")
    label = words(svg.get("aria-label", "")) if svg is not None else words(cell.get_text(" ", strip=True))
    if column == "Variation":
        if label.startswith("Not assessed"):
            return "not_assessed"
        for code, (symbol, text) in VARIATION_LABELS.items():
            if label == f"{symbol} {text}":
                return code
        for code, text in VARIATION_WORDS.items():
            if label.startswith(text):
                return code
    else:
        if label.startswith("Not assessed"):
            return "not_assessed"
        for code, (symbol, text) in ASSURANCE_LABELS.items():
            if label == f"{symbol} {text}":
                return "changed" if code.startswith("changed_") else code
        for code, text in ASSURANCE_WORDS.items():
            if label.startswith(text):
                return code
        for _, text in ASSURANCE_LABELS.values():  # the dashboard's words where no icon is drawn
            if label and label == text.split(";")[0]:
                return "changed"
    return NONE if label in NO_FIGURE_WORDS else f"unknown: {label}"


# -------------------------------------------------------------------------------------- sentences
def read_figure_sentences(reader: PageReader, where: str, indicator: Indicator, text: str) -> int:
    """The figures of sentences about one indicator (readings, reasons, alt texts, chart notes): each figure
    beside a month, target, limit, planned path or band. Returns how many were read."""
    text = words(text)
    before = len(reader.found)
    i = indicator.id
    taken: list[tuple[int, int]] = []

    def take(match: re.Match[str]) -> bool:
        span = match.span()
        if any(s < span[1] and span[0] < e for s, e in taken):
            return False
        taken.append(span)
        return True

    # The anticipated path: "The planned path for June 2015 was 72.8 per 10,000 (band 68.8 per 10,000 to 76.8 per
    # 10,000); the figure was above the band." and "77.2 per 10,000 in June 2015, above the planned path of 72.8 and
    # outside the expected range of 68.8-76.8".
    for m in re.finditer(
        rf"(?:planned path|forecast) for (?P<month>{LONG_MONTH}) was (?P<expected>{FIGURE}) \(band (?P<lower>{FIGURE})"
        rf" to (?P<upper>{FIGURE})\); the figure was (?P<where>above|below|within) the band",
        text,
    ):
        if take(m):
            month = month_of(m["month"])
            for stat in ("expected", "lower", "upper"):
                reader.add(where, ("anticipated", i, month, stat), m[stat])
            reader.add(where, ("anticipated_position", i, month), m["where"], m["where"])
    for m in re.finditer(
        rf"(?P<value>{FIGURE}) in (?P<month>{LONG_MONTH}), (?P<where>above|below) the (?:planned path|forecast) of "
        rf"(?P<expected>{FIGURE})(?: and outside the expected range of (?P<lower>{NUMBER})-(?P<upper>{NUMBER}))?",
        text,
    ):
        if take(m):
            month = month_of(m["month"])
            reader.add(where, ("month", i, month), m["value"])
            reader.add(where, ("anticipated", i, month, "expected"), m["expected"])
            if m["lower"]:
                reader.add(where, ("anticipated", i, month, "lower"), m["lower"])
                reader.add(where, ("anticipated", i, month, "upper"), m["upper"])
            reader.add(where, ("anticipated_position", i, month), m["where"], m["where"])
    # "Performance has changed since April 2015 ... all 3 months since then missed it" / "2 of the 3 months".
    for m in re.finditer(
        rf"changed since (?P<since>{LONG_MONTH}), so whether the target \((?P<target>{FIGURE})\) will be met cannot be "
        rf"judged from the (?:earlier limits|range expected before the change): (?:all (?P<all>\d+) months? since then (?P<all_verb>met|missed) it|"
        rf"(?P<n>\d+) of the (?P<of>\d+) months since then missed it)",
        text,
    ):
        if take(m):
            since = month_of(m["since"])
            reader.add(where, ("target", i), m["target"])
            months = int(m["all"] or m["of"])
            missed = int(m["all"]) if m["all_verb"] == "missed" else 0 if m["all"] else int(m["n"])
            reader.add(where, ("target_record", i, since), f"{missed}/{months}", f"{missed}/{months}")
    # Targets: "Missed the target of 152 days in June 2015", "the target (152 days)", "Target 152 days."
    for m in re.finditer(rf"target of (?P<target>{FIGURE}) in (?P<month>{LONG_MONTH})", text):
        if take(m):
            reader.add(where, ("target", i), m["target"])
            reader.add(where, ("target_missed", i, month_of(m["month"])), "missed", "missed")
    for m in re.finditer(rf"[Tt]arget:? \(?(?P<target>{FIGURE})\)?", text):
        if take(m):
            reader.add(where, ("target", i), m["target"])
    # The expected range of a common-cause chart: "the expected range (67.7% to 87.7%)".
    for m in re.finditer(rf"expected range \((?P<lower>{FIGURE}) to (?P<upper>{FIGURE})\)", text):
        if take(m):
            reader.add(where, ("limits", i, "lower"), m["lower"])
            reader.add(where, ("limits", i, "upper"), m["upper"])
    # The SPC chart's first and latest figure: "fell from 63.3% in April 2012 to 40.7% in June 2015",
    # "was unchanged at 3 from April 2012 to June 2015".
    for m in re.finditer(
        rf"(?:rose|fell) from (?P<first>{FIGURE}) in (?P<m1>{LONG_MONTH}) to (?P<last>{FIGURE}) in (?P<m2>{LONG_MONTH})",
        text,
    ):
        if take(m):
            reader.add(where, ("month", i, month_of(m["m1"])), m["first"])
            reader.add(where, ("month", i, month_of(m["m2"])), m["last"])
            reader.add(where, ("chart_first_month", i), m["m1"], f"{month_of(m['m1']):%Y-%m}")
            _chart_position(reader, where, i, month_of(m["m2"]), text[m.end() :])
    for m in re.finditer(
        rf"was unchanged at (?P<value>{FIGURE}) from (?P<m1>{LONG_MONTH}) to (?P<m2>{LONG_MONTH})", text
    ):
        if take(m):
            reader.add(where, ("month", i, month_of(m["m1"])), m["value"])
            reader.add(where, ("month", i, month_of(m["m2"])), m["value"])
            _chart_position(reader, where, i, month_of(m["m2"]), text[m.end() :])
    # A month and its figure: "June 2015 (178 days)", "June 2015 (c)", "178 days (June 2015)".
    for m in re.finditer(rf"(?P<month>{LONG_MONTH}) \((?P<value>{FIGURE})\)", text):
        if take(m):
            reader.add(where, ("month", i, month_of(m["month"])), m["value"])
    for m in re.finditer(rf"(?P<value>{FIGURE}) \((?P<month>{LONG_MONTH})\)", text):
        if take(m):
            reader.add(where, ("month", i, month_of(m["month"])), m["value"])
    # "June 2015 was above the upper process limit": the SPC table's limits at that month.
    for m in re.finditer(
        rf"(?P<month>{LONG_MONTH}) was (?P<where>above|below) the range expected from normal variation", text
    ):
        if take(m):
            reader.add(where, ("position", i, month_of(m["month"])), m["where"], m["where"].split()[0])
    # The baseline: "only 9 points in the baseline".
    for m in re.finditer(r"only (?P<n>\d+) points? in the baseline", text):
        if take(m):
            reader.add(where, ("baseline", i), m["n"])
    # A chart note: "only 3 of its 39 monthly figures can be published", "it has only 8 published monthly figures".
    for m in re.finditer(r"only (?P<n>\d+) of its (?P<of>\d+) monthly figures can be published", text):
        if take(m):
            reader.add(where, ("published_months", i), m["n"])
            reader.add(where, ("chart_months", i), m["of"])
    for m in re.finditer(r"it has only (?P<n>\d+) published monthly figures?", text):
        if take(m):
            reader.add(where, ("published_months", i), m["n"])
    # The rolling 12 months: "Over the 12 months Jul 2014 to Jun 2015 it was 15.3%", "At 30 June 2015 it was ...".
    for m in re.finditer(
        rf"(?:Over the 12 months (?P<label>{SHORT_MONTH} to {SHORT_MONTH})|At (?P<day>\d{{1,2}} {LONG_MONTH}))"
        rf" (?:it was (?P<value>{FIGURE})|the figure cannot be published \(c\))",
        text,
    ):
        if take(m):
            reader.add(where, ("rolling", i, m["label"] or m["day"]), m["value"] or "c")
    # Months not shown on a chart: "2 months not shown because the numbers are too small to publish".
    for m in re.finditer(r"(?P<n>\d+) months? not shown because the numbers are too small", text):
        if take(m):
            reader.add(where, ("hidden_months", i), m["n"])
    return len(reader.found) - before


def _chart_position(
    reader: PageReader, where: str, indicator_id: str, month: pd.Timestamp, rest: str
) -> None:
    """After an SPC alt text's latest figure: where it sits against the limits and its special cause, if any."""
    match = re.match(
        r", (?P<where>above|below|within) the range expected from normal variation"
        r"(?: \(unusual change: (?P<cause>[^)]+)\))?",
        rest,
    )
    if match is None:
        return
    reader.add(where, ("position", indicator_id, month), match["where"], match["where"].split()[0])
    cause = match["cause"]
    code = "common_cause"
    if cause:
        code = next(
            (c for c, (_, _, label) in POINT_STYLES.items() if label.split(" (")[0].lower() == cause),
            f"? {cause}",
        )
    reader.add(where, ("point", indicator_id, month), cause or "no special cause", code)


def read_benchmark_alt(reader: PageReader, where: str, indicator: Indicator, alt: str) -> int:
    """A benchmark chart's alt text: the years it spans, and the authority's and the others' figures it states."""
    alt = words(alt)
    before = len(reader.found)
    i = indicator.id
    authority = re.escape(reader.config.authority.name)
    span = re.search(rf"by year, (?P<first>{YEAR}) to (?P<last>{YEAR})\.", alt)
    if span:
        reader.add(
            where, ("bench_span", i), f"{span['first']} to {span['last']}", f"{span['first']}/{span['last']}"
        )
    for m in re.finditer(rf"In (?P<year>{YEAR}),? {authority} was (?P<value>{FIGURE})", alt):
        reader.add(where, ("bench", i, time_period_of(m["year"]), "local_value"), m["value"])
    for m in re.finditer(rf"{authority}'s latest figure is (?P<value>{FIGURE}) in (?P<year>{YEAR})", alt):
        reader.add(where, ("bench", i, time_period_of(m["year"]), "local_value"), m["value"])
    for m in re.finditer(rf"{authority}'s figure for (?P<year>{YEAR}) is not available", alt):
        reader.add(where, ("bench", i, time_period_of(m["year"]), "local_value"), m.group(0), NONE)
    if span and re.search(rf"{authority}'s figure is not available for these years", alt):
        for year in range(time_period_of(span["first"]), time_period_of(span["last"]) + 1):
            reader.add(where, ("bench", i, year, "local_value"), "not available for these years", NONE)
    for m in re.finditer(rf"{authority}'s figure for (?P<years>{YEAR}(?:, {YEAR})*) is not published", alt):
        for year in m["years"].split(", "):
            reader.add(where, ("bench", i, time_period_of(year), "local_value"), "c")
    # The others' figures of the latest year: "(England 42.1 per 10,000, the region 42.7 per 10,000, ...)" after
    # the authority's figure, or "In 2013-14 England 639 days, the region ...".
    m = re.search(
        rf"In (?P<year>{YEAR}) {authority} was {FIGURE} \((?P<others>England .*?)\)\.", alt
    ) or re.search(rf"In (?P<year>{YEAR}) (?P<others>England {FIGURE}.*?)\.(?: |$)", alt)
    if m:
        year = time_period_of(m["year"])
        for label, column in (
            ("England", "england"),
            ("the region", "region"),
            (r"statistical neighbours \((?:average|median)\)", "statistical_neighbours_average"),
        ):
            found = re.search(rf"(?:^|, ){label} (?P<value>{FIGURE})", m["others"])
            if found:
                reader.add(where, ("bench", i, year, column), found["value"])
    return len(reader.found) - before


def read_annual_alt(reader: PageReader, where: str, indicator: Indicator, alt: str) -> int:
    """An annual chart's alt text (an indicator without a benchmark): "In 2014-15 it was 18.6%."."""
    m = re.search(rf"In (?P<label>[^.]*?) it was (?P<value>{FIGURE})\.", words(alt))
    if m is None:
        return 0
    reader.add(where, ("annual", indicator.id, indicator.annual, m["label"]), m["value"])
    return 1


def read_figures(reader: PageReader, container: Tag, where: str, indicator: Indicator | None = None) -> int:
    """Every chart (alt text and caption) and chart note in a container. A chart names its indicator at the start of
    its alt text; a chart note is about the indicator of the chart that follows it (or ``indicator``)."""
    read = 0
    notes: list[str] = []
    for element in container.find_all(["figure", "p"]):
        if element.name == "p" and "chart-note" in (element.get("class") or []):
            notes.append(element.get_text(" ", strip=True))
            continue
        if element.name != "figure":
            continue
        img = element.find("img")
        if img is None or not img.get("alt", "").startswith("Line chart: "):
            continue
        alt = words(img["alt"])
        named = reader.indicator_named(alt.removeprefix("Line chart: "))
        if named is None:
            continue
        for note in notes:
            read += read_figure_sentences(reader, f"{where}: chart note", named, note)
        notes = []
        caption = (
            words(element.find("figcaption").get_text(" ", strip=True)) if element.find("figcaption") else ""
        )
        if alt.startswith(f"Line chart: {named.name} by year"):
            if named.benchmark is not None:
                read += read_benchmark_alt(reader, f"{where}: benchmark chart", named, alt)
            else:
                read += read_annual_alt(reader, f"{where}: annual chart", named, alt)
            release = re.search(r"Latest: (?P<release>.+)\.$", caption)
            if release:
                reader.add(
                    f"{where}: chart caption", ("release", named.id), release["release"], release["release"]
                )
        else:
            read += read_figure_sentences(reader, f"{where}: chart", named, alt)
    if notes and indicator is not None:
        for note in notes:
            read += read_figure_sentences(reader, f"{where}: chart note", indicator, note)
    return read


# ----------------------------------------------------------------------------------- the quarterly report
def read_quarterly_report(page: Path, config: ProjectConfig, quarter: Quarter) -> list[Shown]:
    """Every figure of the quarterly report: headline and theme tables, charts and chart notes, actions, the
    summary's counts, the data quality section's count of suppressed figures and the looking-ahead section."""
    reader = PageReader(page, config)
    soup = soup_of(page)
    as_at = pd.Timestamp(quarter.months[-1])
    for table in soup.find_all("table"):
        caption = caption_of(table)
        if caption.startswith("Headline figures") or re.fullmatch(r"Theme \d indicators", caption):
            read_indicator_table(reader, table, as_at=as_at)
        elif re.fullmatch(r"Theme \d actions and their status", caption):
            read_action_table(reader, table, quarter)
        elif caption.startswith("Summary by theme"):
            read_theme_summary(reader, table, quarter)
        elif caption.startswith("The forecasts tested on past figures"):
            read_backtest_table(reader, table)
    read_figures(reader, soup, "charts")
    for note in soup.find_all("p", class_="table-note"):
        read_mixed_signals(reader, note.get_text(" ", strip=True), as_at)
    for item in soup.select(".glance-theme"):
        status = item.find_next_sibling(class_="status")
        read_theme_status(reader, item.get_text(" ", strip=True), status.get_text(" ", strip=True), quarter)
    text = words(soup.get_text(" "))
    m = re.search(r"(\d+) monthly figures? this quarter (?:is|are) shown as \W?c\W?", text)
    if m:
        reader.add("data quality", ("suppressed_this_quarter", quarter.label), m[1])
    heading = soup.find(id="looking-ahead")
    if isinstance(heading, Tag):
        read_looking_ahead(reader, heading.find_parent("div") or soup, quarter)
    return reader.found


def read_action_table(reader: PageReader, table: Tag, quarter: Quarter) -> None:
    caption = caption_of(table)
    for header, cells in table_rows(table):
        ref = words(header.get_text(" ", strip=True))
        texts = {column: words(cell.get_text(" ", strip=True)) for column, cell in cells}
        where = f"{caption}: {ref}"
        if "Due" in texts and texts["Due"] not in NO_FIGURE_WORDS:
            reader.add(where, ("action_due", ref), texts["Due"], f"{month_of(texts['Due']):%Y-%m}")
        read_action_status(reader, where, ref, texts["Status"], quarter)


def read_action_status(reader: PageReader, where: str, ref: str, text: str, quarter: Quarter) -> None:
    """``⚠ Overdue (due 31 May 2015; last reported off track)`` or ``● On track``: the reading and the due day."""
    symbol, overdue = OVERDUE_LABEL
    if text.startswith(f"{symbol} {overdue}"):
        reader.add(where, ("action_status", ref, quarter.label), text, "overdue")
        due = re.search(rf"due (\d{{1,2}} {LONG_MONTH})", text)
        if due:
            day = pd.Timestamp(pd.to_datetime(due[1], format="%d %B %Y"))
            reader.add(where, ("action_due", ref), due[1], f"{day:%Y-%m}")
            reader.add(where, ("action_due_day", ref), due[1], f"{day:%Y-%m-%d}")
        last = re.search(r"last reported ([a-z ]+)\)", text)
        if last:
            code = next((c for c, (_, w) in ACTION_STATUS_LABELS.items() if w.lower() == last[1]), last[1])
            reader.add(where, ("action_tracker_status", ref), last[1], code)
        return
    code = next((c for c, (s, w) in ACTION_STATUS_LABELS.items() if text == f"{s} {w}"), f"? {text}")
    reader.add(where, ("action_status", ref, quarter.label), text, code)
    reader.add(where, ("action_tracker_status", ref), text, code)


#: The summary's count lines: words -> the reading they count.
INDICATOR_COUNT_WORDS = {
    "improving": "improvement",
    "concerning": "concern",
    "stable": "common_cause",
    "unusual change": "neutral",
    "not assessed": "not_assessed",
}
ACTION_COUNT_WORDS = ("on track or complete", "off track or at risk", "overdue", "not started")


def read_theme_summary(reader: PageReader, table: Tag, quarter: Quarter) -> None:
    for header, cells in table_rows(table):
        theme = int(words(header.get_text(" ", strip=True)).split()[0])
        texts = {column: cell.get_text("\n", strip=True) for column, cell in cells}
        where = f"summary: theme {theme}"
        read_theme_status(reader, words(header.get_text(" ", strip=True)), texts["Status"], quarter)
        for line in texts["Indicators"].splitlines():
            m = re.search(r"(\d+) ([a-z ]+)$", words(line))
            if m and m[2] in INDICATOR_COUNT_WORDS:
                reader.add(
                    where, ("indicator_count", quarter.label, theme, INDICATOR_COUNT_WORDS[m[2]]), m[1]
                )
        counts = {}
        for line in texts["Actions"].splitlines():
            m = re.search(r"(\d+) ([a-z ]+)$", words(line))
            if m and m[2] in ACTION_COUNT_WORDS:
                counts[m[2]] = int(m[1])
        if counts:
            value = "/".join(str(counts.get(w, 0)) for w in ACTION_COUNT_WORDS)
            reader.add(where, ("action_counts", quarter.label, theme), texts["Actions"], value)
        tops = [words(t) for t in texts["Top exceptions"].splitlines() if t.strip()]
        for top in tops:
            if not re.fullmatch(r"and \d+ more|None", top):
                reader.add(where, ("exception_listed", quarter.label, theme, top), top, "listed")
        more = re.fullmatch(r"and (\d+) more", tops[-1]) if tops else None
        listed = len([t for t in tops if not re.fullmatch(r"and \d+ more|None", t)])
        if tops:
            reader.add(
                where,
                ("exception_count", quarter.label, theme),
                texts["Top exceptions"],
                str(listed + (int(more[1]) if more else 0)),
            )


def read_theme_status(reader: PageReader, theme_text: str, status: str, quarter: Quarter) -> None:
    """``Needs attention: 6 exceptions`` or ``No exceptions`` beside a theme."""
    theme = int(words(theme_text).split()[0])
    status = words(status)
    m = re.search(r"(\d+) exceptions?", status)
    reader.add(
        f"status: theme {theme}", ("exception_count", quarter.label, theme), status, m[1] if m else "0"
    )


def read_mixed_signals(reader: PageReader, text: str, as_at: pd.Timestamp) -> None:
    """A table's footnote on a row whose readings point different ways: "X: among the bottom 25% of councils in
    DfE's figures for 2013-14, but the monthly figures since April 2014 show an unusual change for the better"."""
    for m in re.finditer(
        rf"(?:^|\. |: )(?P<name>[^:.]+?): (?:better than the year before and )?among the (?P<band>top|bottom) 25% of "
        rf"councils in DfE's figures for (?P<year>{YEAR}), but the monthly figures since (?P<since>{LONG_MONTH}) show "
        r"an unusual change for the (?P<way>better|worse)",
        words(text),
    ):
        indicator = reader.indicator_named(m["name"])
        if indicator is None:
            continue
        where = f"table footnote: {indicator.name}"
        band = {"top": "A", "bottom": "D"}[m["band"]]
        reader.add(where, ("band", indicator.id, time_period_of(m["year"])), m["band"], band)
        reader.add(where, ("spc_since", indicator.id, as_at), m["since"], f"{month_of(m['since']):%Y-%m}")
        code = "improvement" if m["way"] == "better" else "concern"
        reader.add(where, ("variation", indicator.id, as_at), m["way"], code)


def read_backtest_table(reader: PageReader, table: Tag) -> None:
    by_name = {m.name: m for m in reader.config.registry.anticipated.looking_ahead}
    for header, cells in table_rows(table):
        name = words(header.get_text(" ", strip=True))
        sid = _series_of(reader, name)
        texts = {column: words(cell.get_text(" ", strip=True)) for column, cell in cells}
        where = f"backtest table: {name}"
        assert name in by_name or sid, name
        reader.add(where, ("backtest", sid, "forecasts"), texts["Forecasts tested"])
        for column, stat in (
            ("Average error: model", "model_mape"),
            ("Average error: latest figure", "naive_mape"),
        ):
            reader.add(where, ("backtest", sid, stat), texts[column])
        for column, prefix in (
            ("Model: 80% / 95% ranges held", "model"),
            ("Latest figure: 80% / 95% ranges held", "naive"),
        ):
            eighty, ninety_five = (part.strip() for part in texts[column].split("/"))
            reader.add(where, ("backtest", sid, f"{prefix}_coverage_80"), eighty)
            reader.add(where, ("backtest", sid, f"{prefix}_coverage_95"), ninety_five)
        # "Used": the latest figure carried forward (the table's method ``naive``) or the statistical model (a model
        # code such as ``ETS(A,Ad,N)``, kept out of the page: issue 22, point 7).
        reader.add(where, ("backtest_method", sid), texts["Used"], texts["Used"])


def _series_of(reader: PageReader, name: str) -> str:
    from analysis.methods.demand_forecasts import series_id

    for measure in reader.config.registry.anticipated.looking_ahead:
        if measure.name == name:
            return series_id(measure)
    raise AssertionError(f"{reader.page}: {name!r} is no demand measure of the looking-ahead section")


def read_looking_ahead(reader: PageReader, section: Tag, quarter: Quarter) -> None:
    """Each demand measure's forecasts in words: the mean and ranges at the end of the next two quarters, the
    months it was fitted on and how often its ranges held on past figures."""
    for item in section.find_all("li"):
        strong = item.find("strong")
        if strong is None:
            continue
        name = words(strong.get_text(" ", strip=True))
        sid = _series_of(reader, name)
        text = words(item.get_text(" ", strip=True))
        where = f"looking ahead: {name}"
        for m in re.finditer(
            rf"about (?P<mean>{FIGURE}) in (?P<month>{LONG_MONTH}) \((?P<ranges>[^)]*)\)", text
        ):
            month = month_of(m["month"])
            reader.add(where, ("forecast", sid, month, "mean"), m["mean"])
            for level in ("80", "95"):
                r = re.search(rf"{level}% range (?P<lower>{NUMBER}) to (?P<upper>{NUMBER})", m["ranges"])
                if r:
                    reader.add(where, ("forecast", sid, month, f"lower_{level}"), r["lower"])
                    reader.add(where, ("forecast", sid, month, f"upper_{level}"), r["upper"])
                    reader.add(where, ("forecast_uncertain", sid, month, level), "given", "False")
                elif re.search(rf"the {level}% range is too uncertain", m["ranges"]):
                    reader.add(where, ("forecast_uncertain", sid, month, level), "too uncertain", "True")
        for m in re.finditer(
            rf"forecasts? for (?P<months>{LONG_MONTH}(?: and {LONG_MONTH})*) (?:is|are) too uncertain", text
        ):
            for month in re.findall(LONG_MONTH, m["months"]):
                reader.add(where, ("forecast_uncertain", sid, month_of(month), "80"), "too uncertain", "True")
        m = re.search(rf"from the figures (?P<start>{LONG_MONTH}) to (?P<end>{LONG_MONTH})", text)
        if m:
            reader.add(where, ("fitted", sid, "from"), m["start"], f"{month_of(m['start']):%Y-%m}")
            reader.add(where, ("fitted", sid, "to"), m["end"], f"{month_of(m['end']):%Y-%m}")
        for m in re.finditer(
            r"(?P<level>80|95)% range (?:held the actual figure )?(?P<inside>\d+) times in (?P<tested>\d+) "
            rf"\((?P<coverage>{NUMBER})%\)",
            text,
        ):
            reader.add(where, ("backtest", sid, f"inside_{m['level']}"), m["inside"])
            reader.add(where, ("backtest", sid, "forecasts"), m["tested"])
            reader.add(where, ("backtest", sid, f"coverage_{m['level']}"), m["coverage"])
        if "could not be tested on past figures" in text:
            reader.add(where, ("backtest", sid, "forecasts"), "not tested", "0")


# ----------------------------------------------------------------------------------- exception reports
@dataclass(frozen=True)
class ExceptionItem:
    """One item of an exception report: its heading and what the reasons' labels say (as codes)."""

    title: str
    reason_codes: tuple[str, ...]


def exception_sections(soup: BeautifulSoup) -> Iterator[tuple[str, list[Tag]]]:
    """(heading, the elements up to the next heading) of each item under "Exceptions this quarter"."""
    start = soup.find(id="exceptions-this-quarter")
    assert isinstance(start, Tag), "no 'Exceptions this quarter'"
    title: str | None = None
    body: list[Tag] = []
    for element in start.find_all_next():
        if element.name == "h2":
            break
        if element.name == "h3":
            if title is not None:
                yield title, body
            title, body = words(element.get_text(" ", strip=True)), []
        elif (
            title is not None
            and element.parent is not None
            and element.parent.name not in ("li", "ul", "figure")
        ):
            body.append(element)
    if title is not None:
        yield title, body


def _labelled_items(body: list[Tag]) -> dict[str, Tag]:
    """The item's bulleted facts by their bold label ("Why it is here", "Latest month", ...)."""
    items: dict[str, Tag] = {}
    for element in body:
        if element.name != "ul":
            continue
        for li in element.find_all("li", recursive=False):
            strong = li.find("strong")
            if strong is None:
                continue
            items[words(strong.get_text(" ", strip=True)).rstrip(":")] = li
    return items


def _after_label(li: Tag) -> str:
    text = words(li.get_text(" ", strip=True))
    label = words(li.find("strong").get_text(" ", strip=True))
    return text.removeprefix(label).strip()


def read_exception_report(
    page: Path, config: ProjectConfig, quarter: Quarter, exceptions: pd.DataFrame
) -> tuple[list[Shown], list[ExceptionItem]]:
    """Every figure of one exception report, and its items as the page names them.

    ``exceptions``: the analysis' exceptions of the quarter, used only to know which indicator or action an item's
    heading names (the check that the heading is the stored title is :func:`check_exception_items`).
    """
    reader = PageReader(page, config)
    soup = soup_of(page)
    by_title = {str(r["title"]): r for _, r in exceptions.iterrows()}
    items = []
    for title, body in exception_sections(soup):
        stored = by_title.get(title)
        facts = _labelled_items(body)
        why = facts.get("Why it is here")
        codes: list[str] = []
        reasons: list[str] = []
        if why is not None:
            nested = why.find("ul")
            parts = (
                [words(li.get_text(" ", strip=True)) for li in nested.find_all("li")]
                if nested
                else [_after_label(why)]
            )
            for part in parts:
                code = next((c for c, label in REASON_LABELS.items() if part.startswith(f"{label}.")), None)
                codes.append(code or f"? {part[:40]}")
                reasons.append(part.removeprefix(f"{REASON_LABELS.get(code or '', '')}.").strip())
        items.append(ExceptionItem(title, tuple(codes)))
        where = f"exception: {title}"
        if stored is None:
            continue
        item_id = str(stored["item_id"])
        reader.add(where, ("exception_reasons", quarter.label, item_id), ", ".join(codes), ",".join(codes))
        reader.add(
            where, ("exception_reason_text", quarter.label, item_id), " | ".join(reasons), " | ".join(reasons)
        )
        if "Since" in facts:
            since = _after_label(facts["Since"])
            reader.add(where, ("exception_since", quarter.label, item_id), since, f"{month_of(since):%Y-%m}")
        else:
            reader.add(where, ("exception_since", quarter.label, item_id), "(no since)", NONE)
        if stored["kind"] == "indicator":
            indicator = config.indicator(item_id)
            for reason in reasons:
                read_figure_sentences(reader, f"{where}: why", indicator, reason)
            read_indicator_facts(reader, where, indicator, facts, quarter)
            read_figures(
                reader,
                BeautifulSoup(
                    "".join(str(e) for e in body if e.name == "figure" or e.name == "p"), "html.parser"
                ),
                where,
                indicator,
            )
        else:
            read_action_facts(reader, where, item_id, facts, reasons, quarter)
    return reader.found, items


def read_indicator_facts(
    reader: PageReader, where: str, indicator: Indicator, facts: dict[str, Tag], quarter: Quarter
) -> None:
    as_at = pd.Timestamp(quarter.months[-1])
    i = indicator.id
    if "What the chart shows" in facts:
        reader.add(
            f"{where}: what the chart shows",
            ("rule_words", i, as_at),
            _after_label(facts["What the chart shows"]),
            _after_label(facts["What the chart shows"]),
        )
    if "Reading of the chart" in facts:
        reading = _after_label(facts["Reading of the chart"])
        if not reading.startswith("no monthly chart"):
            reader.add(f"{where}: reading", ("description", i, as_at), reading, reading)
            read_figure_sentences(reader, f"{where}: reading", indicator, reading)
            for since in re.findall(rf"since ({LONG_MONTH})", reading):
                reader.add(f"{where}: reading", ("spc_since", i, as_at), since, f"{month_of(since):%Y-%m}")
    if "Latest month" in facts:
        m = re.fullmatch(
            rf"(?P<value>{FIGURE}) \((?P<month>{LONG_MONTH})\)", _after_label(facts["Latest month"])
        )
        assert m, f"{reader.page}: {where}: latest month {_after_label(facts['Latest month'])!r}"
        reader.add(f"{where}: latest month", ("month", i, month_of(m["month"])), m["value"])
    if "Target" in facts:
        target = _after_label(facts["Target"])
        reader.add(f"{where}: target", ("target", i), target)
    compared = next((label for label in facts if label.startswith("Compared with others")), None)
    if compared is not None:
        release = re.fullmatch(r"Compared with others \((?P<release>.+)\)", compared)
        assert release, compared
        reader.add(f"{where}: compared", ("release", i), release["release"], release["release"])
        year = re.search(rf"({YEAR}|year to \d+ \w+ \d{{4}})", release["release"])
        assert year, release["release"]
        time_period = (
            time_period_of(year[1]) if re.fullmatch(YEAR, year[1]) else int(year[1].rsplit(" ", 1)[-1])
        )
        text = _after_label(facts[compared])
        authority = reader.config.authority
        for label, column in (
            (authority.name, "local_value"),
            ("England", "england"),
            (authority.region.name, "region"),
            (r"statistical neighbours \((?:average|median)\)", "statistical_neighbours_average"),
        ):
            found = re.search(rf"(?:^|, ){label} (?P<value>{FIGURE}|not available)(?=,|$)", text)
            assert found, f"{reader.page}: {where}: {label} in {text!r}"
            reader.add(f"{where}: compared", ("bench", i, time_period, column), found["value"])
    if "What is being done" in facts:
        for li in facts["What is being done"].find_all("li"):
            read_response(
                reader, f"{where}: what is being done", words(li.get_text(" ", strip=True)), quarter
            )


def read_response(reader: PageReader, where: str, text: str, quarter: Quarter) -> None:
    """``Action 1.5: ... (lead: X; due March 2016; ○ Not started)``: the action's due month and status."""
    m = re.match(r"Action (?P<ref>\d+\.\d+): ", text)
    due = re.search(rf"; due (?P<month>{LONG_MONTH}); (?P<status>.+)\)$", text)
    if m is None or due is None:
        return
    reader.add(where, ("action_due", m["ref"]), due["month"], f"{month_of(due['month']):%Y-%m}")
    read_action_status(reader, where, m["ref"], due["status"], quarter)


def read_action_facts(
    reader: PageReader, where: str, ref: str, facts: dict[str, Tag], reasons: list[str], quarter: Quarter
) -> None:
    if "Status" in facts:
        text = _after_label(facts["Status"])
        status, _, due = text.partition("; due ")
        read_action_status(reader, f"{where}: status", ref, status.strip(), quarter)
        if due:
            reader.add(f"{where}: status", ("action_due", ref), due, f"{month_of(due):%Y-%m}")
    for reason in reasons:
        m = re.search(rf"Due (?P<day>\d{{1,2}} {LONG_MONTH}) and not complete", reason)
        if m:
            day = pd.Timestamp(pd.to_datetime(m["day"], format="%d %B %Y"))
            reader.add(f"{where}: why", ("action_due_day", ref), m["day"], f"{day:%Y-%m-%d}")


# -------------------------------------------------------------------------------------------- dashboard
@dataclass(frozen=True)
class DashboardItem:
    """One open exception on the dashboard: the exception report it links to and the line as printed."""

    report: str
    line: str


def read_dashboard(
    page: Path, config: ProjectConfig, month: pd.Timestamp
) -> tuple[list[Shown], list[DashboardItem]]:
    """Every figure of a monthly dashboard: each block's cells (the month's figure, target, sparkline label,
    variation and assurance, England and region), the "what changed" lines, the open exceptions and their count."""
    reader = PageReader(page, config, name=f"{month:%Y-%m}/{page.name}")
    soup = soup_of(page)
    rows = 0
    for table in soup.find_all("table", class_="dash-table"):
        if not caption_of(table).endswith(f": {month:%B %Y}"):
            continue
        rows += read_indicator_table(reader, table, as_at=month, month_column=month)
        for header, cells in table_rows(table):
            indicator = reader.indicator_named(header.get_text(" ", strip=True))
            assert indicator is not None
            for column, cell in cells:
                if column.startswith("Last ") and cell.find("svg") is not None:
                    read_sparkline(
                        reader, f"sparkline: {indicator.name}", indicator, cell.find("svg")["aria-label"]
                    )
    changes = soup.find(id="dash-changes")
    if isinstance(changes, Tag):
        for li in changes.find_parent("section").find_all("li"):
            read_change_line(reader, words(li.get_text(" ", strip=True)), month)
    items: list[DashboardItem] = []
    heading = soup.find(id="dash-exceptions")
    if isinstance(heading, Tag):
        for theme in heading.find_parent("section").find_all("li", class_="dash-exception-theme"):
            link = theme.find("a")  # no link: the report has not been made, and the item is under no report
            report = Path(link["href"]).name if link else "(no exception report)"
            for li in theme.find("ul").find_all("li"):
                items.append(DashboardItem(report, words(li.get_text(" ", strip=True))))
    overall = soup.find(class_="dash-overall")
    if isinstance(overall, Tag):
        m = re.search(r"(\d+) open exceptions?", words(overall.get_text(" ", strip=True)))
        reader.add(
            "overall status",
            ("open_exceptions", month),
            overall.get_text(" ", strip=True),
            m[1] if m else "0",
        )
    reader.found.append(Shown(reader.page, "blocks", ("rows_read", month), str(rows), str(rows)))
    return reader.found, items


def read_sparkline(reader: PageReader, where: str, indicator: Indicator, label: str) -> None:
    """``Name, last 24 months, Jul 2013 to Jun 2015: lowest 76, highest 141, latest shown 132 (Jun 2015); target 3``."""
    label = words(label)
    m = re.search(
        rf"(?P<first>{SHORT_MONTH}) to (?P<last>{SHORT_MONTH}): lowest (?P<low>{FIGURE}), highest (?P<high>{FIGURE}), "
        rf"latest shown (?P<latest>{FIGURE}) \((?P<month>{SHORT_MONTH})\)",
        label,
    )
    assert m, f"{reader.page}: {where}: {label!r}"
    first, last = month_of(m["first"]), month_of(m["last"])
    reader.add(where, ("window", indicator.id, first, last, "lowest"), m["low"])
    reader.add(where, ("window", indicator.id, first, last, "highest"), m["high"])
    reader.add(where, ("month", indicator.id, month_of(m["month"])), m["latest"])
    reader.add(
        where,
        ("window", indicator.id, first, last, "latest_month"),
        m["month"],
        f"{month_of(m['month']):%Y-%m}",
    )
    target = re.search(rf"; target (?P<target>{FIGURE})", label)
    if target:
        reader.add(where, ("target", indicator.id), target["target"])
    hidden = re.search(r"; (\d+) months? not shown", label)
    reader.add(where, ("window", indicator.id, first, last, "hidden"), hidden[1] if hidden else "0")


def read_change_line(reader: PageReader, line: str, month: pd.Timestamp) -> None:
    """ "Theme 1 ...: since May 2015, 1 better (A), 3 worse (B, C, D), 2 up and 0 down (...); X now shows special
    cause improvement." and "Theme 5 ...: no monthly indicators; actions in the tracker: 1 complete, 2 on track."."""
    previous = month - pd.DateOffset(months=1)
    for word in ("better", "worse"):
        m = re.search(rf"\d+ {word} \((?P<names>[^()]*(?:\([^()]*\)[^()]*)*)\)", line)
        if m:
            for name in _names(reader, m["names"]):
                reader.add(f"what changed: {name.name}", ("moved", name.id, month, previous), word, word)
    for m in re.finditer(
        r"(?P<name>[^;:]+?) now shows special cause (?P<word>improvement|concern|unusual change)", line
    ):
        indicator = reader.indicator_named(m["name"].strip())
        if indicator is not None:
            code = {"improvement": "improvement", "concern": "concern", "unusual change": "neutral"}[
                m["word"]
            ]
            reader.add(f"what changed: {indicator.name}", ("variation", indicator.id, month), m["word"], code)
            reader.add(
                f"what changed: {indicator.name}", ("new_signal", indicator.id, month), m["word"], "new"
            )
    m = re.match(r"Theme (?P<theme>\d+) [^:]*: .*actions in the tracker: (?P<counts>[^.]*)\.", line)
    if m:
        counts: Counter[str] = Counter()
        for part in m["counts"].split(", "):
            n, status = part.split(" ", 1)
            counts[status] += int(n)
        groups = {
            "on track or complete": ("complete", "on track"),
            "off track or at risk": ("off track", "at risk"),
            "overdue": ("overdue",),
            "not started": ("not started",),
        }
        value = "/".join(str(sum(counts[s] for s in groups[w])) for w in ACTION_COUNT_WORDS)
        from analysis.methods.months import reported_quarter

        reader.add(
            f"what changed: theme {m['theme']}",
            ("action_counts", reported_quarter(month).label, int(m["theme"])),
            m["counts"],
            value,
        )


def _names(reader: PageReader, text: str) -> list[Indicator]:
    """The indicators named in a comma-separated list (names may hold commas and brackets)."""
    found = []
    rest = text
    while rest:
        indicator = reader.indicator_named(rest)
        assert indicator is not None, f"{reader.page}: no indicator starts {rest!r}"
        found.append(indicator)
        rest = rest[len(indicator.name) :].removeprefix(", ")
    return found


# ----------------------------------------------------------------------------------- safeguarding board
def read_safeguarding_board(page: Path, config: ProjectConfig, month: pd.Timestamp) -> list[Shown]:
    """The board's core dataset: each measure's month, the month before and the 12 months to the month's end."""
    reader = PageReader(page, config, name=f"{month:%Y-%m}/{page.name}")
    soup = soup_of(page)
    names = {m.name: m for m in config.registry.safeguarding_board_measures}
    table = soup.find("table", class_="sg-table")
    assert isinstance(table, Tag), f"{page.name} has no core dataset"
    headers = [words(th.get_text(" ", strip=True)) for th in table.find("thead").find_all("th")]
    periods = {
        f"{month:%b %Y}": ("month", month),
        f"{month - pd.DateOffset(months=1):%b %Y}": ("month", month - pd.DateOffset(months=1)),
        f"12 months to {month:%b %Y}": ("12_months", month),
    }
    for tr in table.find("tbody").find_all("tr"):
        header = tr.find("th", scope="row")
        if header is None:
            continue
        for note in header.find_all(class_="provisional"):
            note.extract()
        name = words(header.get_text(" ", strip=True))
        measure = names[name]
        for column, cell in zip(headers[1:], tr.find_all("td"), strict=True):
            text = words(cell.get_text(" ", strip=True))
            period, at = periods[column]
            if text == "–":
                reader.add(
                    f"board: {name}", ("board_not_applicable", measure.id, period), text, measure.timing
                )
                continue
            value = {"not available": "unavailable", "x": NONE}.get(text)
            reader.add(f"board: {name}", ("board", measure.id, period, at), text, value)
    return reader.found


# -------------------------------------------------------------------------------------------- PDF text
#: A figure with its unit, anywhere in running text: "52.0%", "42.1 per 10,000", "436 days".
FIGURE_WITH_UNIT = re.compile(rf"(?<![\d.,])(?:{NUMBER}){UNIT}")
#: A figure beside its period: "88.0% (Jun 2015)", "178 days (June 2015)", "40.7% in June 2015", "June 2015 (c)".
PERIOD_PAIRS = (
    re.compile(rf"(?P<value>{FIGURE}) \((?P<period>{ANY_MONTH}|{YEAR})\)"),
    re.compile(rf"(?P<value>{FIGURE}) in (?P<period>{LONG_MONTH})"),
    re.compile(rf"(?P<period>{LONG_MONTH}) \((?P<value>{FIGURE})\)"),
)


def printed_figures(text: str) -> Counter[str]:
    """Every figure with its unit, and every figure beside its month or year (``"2015-06: 88.0"``), counted."""
    text = words(
        text.replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\ufb00", "ff").replace("\u00a0", " ")
    )
    found: Counter[str] = Counter(FIGURE_WITH_UNIT.findall(text))
    for pattern in PERIOD_PAIRS:
        for m in pattern.finditer(text):
            period = m["period"]
            if re.fullmatch(ANY_MONTH, period):
                period = f"{month_of(period):%Y-%m}"
            found[f"{period}: {number_of(m['value'])}"] += 1
    return found


def printed_text(page: Path) -> str:
    """A page's text as it prints: no alt texts, scripts, styles or visually hidden captions, and the text of its
    charts (SVG images carry their labels, legends and targets as text)."""
    import base64

    soup = soup_of(page)
    charts = []
    for img in soup.find_all("img"):
        src = img.get("src", "")
        if src.startswith("data:image/svg+xml;base64,"):
            svg = BeautifulSoup(base64.b64decode(src.split(",", 1)[1]).decode("utf-8"), "html.parser")
            # One chart's labels run together as the PDF's text extraction runs them ("180 190 FTE": the axis's last
            # tick and its unit), so both sides read the same figures.
            charts.append(" ".join(t.get_text(" ") for t in svg.find_all("text")))
    for element in soup.find_all(["script", "style", "img", "template", "noscript"]):
        element.decompose()
    for element in soup.select(".visually-hidden, .sr-only"):
        element.decompose()
    return soup.get_text(" ") + " | " + " | ".join(charts)


def pdf_text(pdf: Path) -> str:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    text = " | ".join(sheet.extract_text() or "" for sheet in pypdf.PdfReader(pdf).pages)
    # A word broken at its hyphen at a line's end ("full-" / "time") is one word again.
    return re.sub(r"(?<=[a-z])- (?=[a-z])", "-", " ".join(text.split()))


def check_pdf_against_page(page: Path, pdf: Path) -> list[str]:
    """The PDF prints the figures of the page it was printed from, each as many times: so what holds for the page's
    figures (tests/figure_lookup.py: ``check_against_tables``, ``one_value_each``) holds for the PDF's.

    A table's header row is printed again on every sheet the table runs over, so a figure of a header (``Ratio (95%
    interval)``) may be printed more often than the page shows it.
    """
    in_page = printed_figures(printed_text(page))
    in_pdf = printed_figures(pdf_text(pdf))
    headers = printed_figures(" | ".join(head.get_text(" ") for head in soup_of(page).find_all("thead")))
    return [
        f"{pdf.name}: {figure!r} printed {in_pdf[figure]} times, {in_page[figure]} times on {page.name}"
        for figure in sorted(set(in_page) | set(in_pdf))
        if in_page[figure] != in_pdf[figure] and not (figure in headers and in_pdf[figure] > in_page[figure])
    ]
