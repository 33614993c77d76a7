"""Find a suppressed figure in published files, in every format the project prints it (for the suppression tests).

The figures to look for are worked out from the processed tables, independently of the analysis tables (which no
longer hold them): the indicators are computed again with :func:`analysis.stages.indicators.compute_indicators`, which
flags small counts but keeps the figures, and the authority's own benchmark rows are read from the benchmark file.
Every published file is read as a reader meets it: the text of each HTML page and its images' alt texts, every
executed notebook's outputs, and the text of any PDF.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pypdf import PdfReader

from analysis.config import ProjectConfig
from analysis.config_indicators import Indicator
from analysis.inputs.ees_publications import COUNT_SUFFIX
from analysis.io import read_table
from analysis.products.chart_style import year_label
from analysis.stages.analyse import first_full_month, read_inputs
from analysis.stages.indicators import compute_indicators
from analysis.units import format_number

TAG = re.compile(r"<[^>]+>")
ALT = re.compile(r'\balt="([^"]*)"')
#: How near (in characters, without a sentence or cell break between) a figure and its period count as one quote.
NEAR = 60


@dataclass(frozen=True)
class SmallFigure:
    """A figure resting on 1 to 5 children: what it is, when, and its value."""

    indicator: Indicator
    periods: tuple[str, ...]
    """Every way the project writes its period (``Jun 2015``, ``June 2015``, ``2014-15``...)."""
    value: float
    kind: str

    def numbers(self) -> set[str]:
        """The value in every format the project prints: ``0``, ``0.0``, ``0.0%``, ``66.7 per 10,000``..."""
        shown = {format_number(self.value, self.indicator), f"{self.value:,.{self.indicator.decimals}f}"}
        shown.add(f"{self.value:,.1f}")
        if float(self.value).is_integer():
            shown.add(f"{self.value:,.0f}")
        return shown


def published_files(reports: Path) -> list[Path]:
    """Every file the run published under ``reports/`` (HTML, notebooks, PDFs), data docs left out."""
    return sorted(
        p
        for p in reports.rglob("*")
        if p.is_file() and p.suffix in {".html", ".ipynb", ".pdf"} and "data-docs" not in p.parts
    )


def reader_text(path: Path) -> str:
    """What a reader of the file sees: HTML text and alt texts, notebook outputs, PDF text (one space apart)."""
    if path.suffix == ".pdf":
        text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    elif path.suffix == ".html":
        raw = path.read_text(encoding="utf-8")
        alts = " | ".join(html.unescape(a) for a in ALT.findall(raw))
        text = html.unescape(TAG.sub(" | ", raw)) + " | " + alts
    else:
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
        text = html.unescape(TAG.sub(" | ", " | ".join(parts)))
    return " ".join(text.split())


def _month_forms(month: pd.Timestamp) -> tuple[str, ...]:
    return (f"{month:%b %Y}", f"{month:%B %Y}", f"{month:%Y-%m}")


def small_figures(processed: Path, config: ProjectConfig, last_month: pd.Timestamp) -> list[SmallFigure]:
    """Every local monthly and annual figure, and every own benchmark row, that rests on 1 to 5 children."""
    tables = read_inputs(processed, config)
    monthly, annual = compute_indicators(
        tables, config, first_month=first_full_month(tables), last_month=last_month
    )
    found = []
    for _, row in monthly.loc[monthly["suppressed"] & monthly["value"].notna()].iterrows():
        found.append(
            SmallFigure(
                config.indicator(row["indicator_id"]), _month_forms(row["month"]), row["value"], "month"
            )
        )
    for _, row in annual.loc[annual["suppressed"] & annual["value"].notna()].iterrows():
        found.append(
            SmallFigure(
                config.indicator(row["indicator_id"]), (str(row["period_label"]),), row["value"], "year"
            )
        )
    benchmarks = read_table("benchmarks", processed)
    ours = benchmarks.loc[benchmarks["old_la_code"].eq(config.authority.old_la_code).fillna(False)]
    for indicator in config.indicators:
        if indicator.benchmark is None:
            continue
        mine = ours.loc[ours["publication"] == indicator.benchmark.publication]
        figures = mine.loc[mine["measure"] == indicator.benchmark.measure]
        counts = mine.loc[mine["measure"] == indicator.benchmark.measure + COUNT_SUFFIX]
        for _, count in counts.iterrows():
            if 1 <= count["value"] <= 5:
                figure = figures.loc[figures["time_period"] == count["time_period"], "value"].dropna()
                if len(figure):
                    label = year_label(int(count["time_period"]))
                    found.append(SmallFigure(indicator, (label,), float(figure.iloc[0]), "benchmark"))
    return found


def indicator_passages(text: str, config: ProjectConfig) -> dict[str, str]:
    """The text about each indicator: from each mention of its name to the next mention of any indicator's name."""
    names = sorted({i.name: i.id for i in config.indicators}.items(), key=lambda item: -len(item[0]))
    pattern = re.compile("|".join(re.escape(name) for name, _ in names))
    ids = dict(names)
    passages: dict[str, list[str]] = {}
    matches = list(pattern.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=False):
        end = following.start() if following is not None else len(text)
        passages.setdefault(ids[match.group(0)], []).append(text[match.start() : end])
    return {indicator_id: " || ".join(parts) for indicator_id, parts in passages.items()}


def quotes(text: str, figure: SmallFigure) -> Iterator[str]:
    """Each place the text quotes the figure beside its period (either order, no sentence or cell break between)."""
    for number in figure.numbers():
        value = rf"(?<![\w.,]){re.escape(number)}(?![\w]|\.\d)"
        for period in figure.periods:
            when = re.escape(period)
            gap = rf"[^.;|]{{0,{NEAR}}}?"
            for pattern in (rf"{when}\)?:?{gap}{value}", rf"{value}{gap}\(?{when}"):
                for match in re.finditer(pattern, text):
                    yield match.group(0)


def dashboard_quotes(text: str, figure: SmallFigure, month: pd.Timestamp) -> Iterator[str]:
    """The month's own figure on its dashboard, where the cell under the month's heading gives no month.

    ``text`` is the indicator's passage (:func:`indicator_passages`): its name, then its cells.
    """
    if figure.kind != "month" or f"{month:%b %Y}" not in figure.periods:
        return
    for number in figure.numbers():
        pattern = rf"^[^|]*\| {re.escape(number)} \|"
        yield from (m.group(0) for m in re.finditer(pattern, text))
