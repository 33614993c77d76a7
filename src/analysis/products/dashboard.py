"""The monthly Improvement Board dashboard: every indicator's month on one screen, focus areas first.

For each indicator the month's figure with its unit, the target, a sparkline of the recent months
(:mod:`analysis.products.sparklines`), the Making Data Count variation and assurance icons (:mod:`analysis.products.mdc_icons`) and
the latest published England and regional figures with their year; then what changed since last month (one line
per block), the open exceptions with links to the quarter's exception reports, a key and the method.

Everything is computed from the validated analysis tables (``indicators_monthly``, ``benchmark_comparison``,
``exceptions``, ``actions``): the figures are the pipeline's, never recomputed from case records. The SPC reading
is that of the chart *as it stood at the month*, read from the analysis stage's ``spc_as_at`` table
(:func:`spc_as_of`), so a dashboard for an earlier month shows what the Board could have known then, and the
dashboard for a quarter's last month agrees with that quarter's report.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import ProjectConfig, load_config
from analysis.config_indicators import Indicator
from analysis.io import read_table
from analysis.methods.benchmarking import known_by
from analysis.methods.months import month_end, month_name, parse_month, reported_quarter
from analysis.methods.quarters import Quarter
from analysis.methods.spc_rules import COMMON_CAUSE
from analysis.products.chart_style import year_label
from analysis.products.exception_report import exception_headline
from analysis.products.indicator_tables import latest_benchmarks
from analysis.products.mdc_icons import assurance_icon, legend_items, variation_icon
from analysis.products.presentation import (
    ACTION_STATUS_LABELS,
    ASSURANCE_LABELS,
    DEMO_BANNER,
    SUPPRESSED_FOOTNOTE,
    display_value,
)
from analysis.products.report_data import load_manifest
from analysis.products.sparklines import sparkline_svg
from analysis.safe_text import html_text
from analysis.units import format_number

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "dashboard"
STYLESHEET = TEMPLATE_DIR / "dashboard.css"
DASHBOARD_TABLES = (
    "indicators_monthly",
    "spc_as_at",
    "benchmark_comparison",
    "exceptions_as_at",
    "actions",
)
NOT_AVAILABLE = "not available"
NO_TARGET = "none set"


# ------------------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class DashboardData:
    """What the dashboard shows: the configuration, the month, the analysis tables and where the reports are."""

    config: ProjectConfig
    month: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] | None = None
    reports_dir: Path | None = None

    @property
    def monthly(self) -> pd.DataFrame:
        return self.tables["indicators_monthly"]

    @property
    def previous_month(self) -> pd.Timestamp:
        return self.month - pd.DateOffset(months=1)


def load_dashboard_data(
    month: str,
    processed_dir: str | Path,
    config_dir: str | Path,
    manifest_path: str | Path | None = None,
    reports_dir: str | Path | None = None,
) -> DashboardData:
    """Read the configuration and the analysis tables the dashboard shows (``month`` as ``YYYY-MM``)."""
    config = load_config(config_dir)
    tables = {name: read_table(name, Path(processed_dir)) for name in DASHBOARD_TABLES}
    return DashboardData(
        config=config,
        month=parse_month(month),
        tables=tables,
        manifest=load_manifest(manifest_path),
        reports_dir=Path(reports_dir) if reports_dir else None,
    )


def dashboard_title(authority: str, month: pd.Timestamp) -> str:
    """``Medway children's services: Improvement Board dashboard, June 2015``."""
    return f"{authority} children's services: Improvement Board dashboard, {month_name(month)}"


# ---------------------------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Block:
    """One block of the dashboard: a focus area or a theme, with its indicators in the configured order."""

    title: str
    focus: bool
    theme: int | None
    indicators: tuple[Indicator, ...]
    shown_in_focus_areas: bool = False
    """A theme whose indicators all appear under the focus areas."""


def dashboard_blocks(config: ProjectConfig) -> list[Block]:
    """The focus areas, then the themes, from ``config/dashboard.yml`` (every theme in plan order without it).

    A theme that lists no indicators shows all of its indicators that no focus area shows.
    """
    settings = config.dashboard
    in_focus = {i for area in settings.focus_areas for i in area.indicators}
    blocks = [
        Block(
            title=str(area.name),
            focus=True,
            theme=None,
            indicators=tuple(config.indicator(i) for i in area.indicators),
        )
        for area in settings.focus_areas
    ]
    groups = settings.themes
    themes = (
        [(g.theme, g.indicators) for g in groups] if groups else [(t.number, []) for t in config.plan.themes]
    )
    for number, chosen in themes:
        assert number is not None
        theme = config.plan.theme(number)
        indicators = (
            [config.indicator(i) for i in chosen]
            if chosen
            else [i for i in config.indicators_for_theme(number) if i.id not in in_focus]
        )
        elsewhere = not indicators and any(i.id in in_focus for i in config.indicators_for_theme(number))
        blocks.append(
            Block(
                title=f"Theme {theme.label}",
                focus=False,
                theme=number,
                indicators=tuple(indicators),
                shown_in_focus_areas=elsewhere,
            )
        )
    return blocks


# ------------------------------------------------------------------------------------------ one indicator
def spc_as_of(data: DashboardData, indicator: Indicator, month: pd.Timestamp) -> pd.Series:
    """The indicator's SPC reading as the chart stood at ``month``, read from the ``spc_as_at`` table.

    The analysis stage writes the reading of every indicator at every month (:func:`analysis.stages.analyse.run_spc_as_at`),
    so the dashboard computes nothing: the reading at a quarter's last month is the one in that quarter's report.
    A month the analysis has not reached gives an empty reading (no icons), never one drawn here.

    Notes
    -----
    NHS England "Making Data Count"; NHSRplotthedots 0.2.x ``ptd_spc`` and ``ptd_calculate_assurance_type``.
    """
    table = data.tables["spc_as_at"]
    row = table.loc[(table["indicator_id"] == indicator.id) & (table["as_at"] == pd.Timestamp(month))]
    if row.empty:
        logger.warning("%s: no SPC reading as at %s in spc_as_at", indicator.id, f"{month:%b %Y}")
        return pd.Series(
            {
                "indicator_id": indicator.id,
                "latest_month": pd.NaT,
                "variation": None,
                "assurance": None,
                "provisional": False,
                "above_mean": None,
            }
        )
    reading = row.iloc[0].copy()
    if pd.isna(reading["above_mean"]):
        reading["above_mean"] = None
    return reading


def month_point(monthly: pd.DataFrame, indicator_id: str, month: pd.Timestamp) -> tuple[float | None, bool]:
    """(value, suppressed) of an indicator in a month; (None, False) when there is no row."""
    row = monthly.loc[(monthly["indicator_id"] == indicator_id) & (monthly["month"] == month)]
    if row.empty:
        return None, False
    value = row["value"].iloc[0]
    return (None if pd.isna(value) else float(value)), bool(row["suppressed"].iloc[0])


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator's line on the dashboard, every cell already as the reader sees it."""

    indicator: Indicator
    figure: str
    target: str
    sparkline: str
    variation: str | None
    assurance: str | None
    variation_svg: str
    assurance_svg: str
    england: str
    region: str
    provisional: bool


def indicator_row(data: DashboardData, indicator: Indicator, bench: pd.DataFrame) -> IndicatorRow:
    """The dashboard line of one indicator for the data's month (``bench``: :func:`latest_benchmarks` rows)."""
    monthly = data.monthly
    value, suppressed = month_point(monthly, indicator.id, data.month)
    figure = display_value(value, indicator, suppressed=suppressed)
    first = data.month - pd.DateOffset(months=data.config.dashboard.sparkline_months - 1)
    history = monthly.loc[
        (monthly["indicator_id"] == indicator.id)
        & (monthly["month"] >= first)
        & (monthly["month"] <= data.month)
    ]
    months = pd.date_range(first, data.month, freq="MS")
    by_month = history.set_index("month")
    values = [by_month["value"].get(m) for m in months]
    hidden = [bool(by_month["suppressed"].get(m, False)) for m in months]
    target = indicator.target.value if indicator.target else None
    sparkline = sparkline_svg(
        months,
        values,
        hidden,
        label=f"{indicator.name}, last {len(months)} months",
        format_value=lambda v: format_number(v, indicator),
        target=target,
    )
    summary = spc_as_of(data, indicator, data.month)
    has_points = pd.notna(summary["latest_month"])
    variation = str(summary["variation"]) if has_points else None
    level = summary["assurance"] if isinstance(summary["assurance"], str) else None
    england = region = NOT_AVAILABLE
    if indicator.id in bench.index:
        b = bench.loc[indicator.id]
        year = year_label(int(b["time_period"]))
        england = f"{format_number(b['england'], indicator)} ({year})"
        region = f"{format_number(b['region'], indicator)} ({year})"
    return IndicatorRow(
        indicator=indicator,
        figure=figure,
        target=format_number(target, indicator) if target is not None else NO_TARGET,
        sparkline=sparkline,
        variation=variation,
        assurance=level,
        variation_svg=variation_icon(variation, indicator.polarity, above_mean=summary["above_mean"])
        if variation
        else "",
        assurance_svg=assurance_icon(level),
        england=england,
        region=region,
        provisional=bool(summary["provisional"]),
    )


def dashboard_rows(data: DashboardData) -> dict[str, list[IndicatorRow]]:
    """Every block's rows, by block title, in the configured order."""
    bench = latest_benchmarks(
        known_by(data.tables["benchmark_comparison"], month_end(data.month).date())
    ).set_index("indicator_id")
    return {
        block.title: [indicator_row(data, indicator, bench) for indicator in block.indicators]
        for block in dashboard_blocks(data.config)
    }


# ---------------------------------------------------------------------------------------------- HTML
def _cell(text: str) -> str:
    return html_text(text)


def block_table_html(
    block: Block, rows: list[IndicatorRow], *, month: pd.Timestamp, region: str, n_months: int
) -> str:
    """One block as an accessible table: caption, column headers, the indicator name as each row's header."""
    heading_id = "block-" + re.sub(r"[^a-z0-9]+", "-", block.title.lower()).strip("-")
    kind = "Focus area" if block.focus else ""
    title = f"{kind}: {block.title}" if kind else block.title
    if not rows:
        text = (
            "Its indicators are shown under the focus areas above."
            if block.shown_in_focus_areas
            else "No monthly indicators: progress on this theme is reported through its actions in the quarterly "
            "report."
        )
        return (
            f'<section class="dash-block" aria-labelledby="{heading_id}"><h2 id="{heading_id}">{_cell(title)}</h2>'
            f'<p class="dash-none">{text}</p></section>'
        )
    head = (
        '<tr><th scope="col" class="col-name">Indicator</th>'
        f'<th scope="col" class="col-figure">{_cell(f"{month:%b %Y}")}</th>'
        '<th scope="col" class="col-target">Target</th>'
        f'<th scope="col" class="col-spark">Last {n_months} months</th>'
        '<th scope="col" class="col-icon">Variation</th>'
        '<th scope="col" class="col-icon">Assurance</th>'
        '<th scope="col" class="col-bench">England</th>'
        f'<th scope="col" class="col-bench">{_cell(region)}</th></tr>'
    )
    body = []
    for row in rows:
        name = _cell(row.indicator.name) + (
            ' <span class="provisional">(provisional limits)</span>' if row.provisional else ""
        )
        body.append(
            f'<tr><th scope="row" class="col-name">{name}</th>'
            f'<td class="col-figure">{_cell(row.figure)}</td>'
            f'<td class="col-target">{_cell(row.target)}</td>'
            f'<td class="col-spark">{row.sparkline}</td>'
            f'<td class="col-icon">{row.variation_svg or "–"}</td>'
            f'<td class="col-icon">{row.assurance_svg or _assurance_words(row.assurance)}</td>'
            f'<td class="col-bench">{_cell(row.england)}</td>'
            f'<td class="col-bench">{_cell(row.region)}</td></tr>'
        )
    return (
        f'<section class="dash-block{" dash-focus" if block.focus else ""}" aria-labelledby="{heading_id}">'
        f'<h2 id="{heading_id}">{_cell(title)}</h2>'
        f'<table class="dash-table" data-quarto-disable-processing="true"><caption class="visually-hidden">'
        f"{_cell(title)}: {_cell(month_name(month))}</caption><thead>{head}</thead><tbody>{''.join(body)}</tbody>"
        "</table></section>"
    )


def stylesheet_html() -> str:
    """The dashboard's own style sheet (screen and print), inline so that the page stays self-contained."""
    return f"<style>\n{STYLESHEET.read_text(encoding='utf-8')}\n</style>"


def banner_html(data: DashboardData) -> str:
    """The demonstration-data banner (when the data are the demo's) and a one-line description of the page."""
    parts = []
    if data.config.authority.demo:
        parts.append(
            f'<p class="demo-banner" role="note"><strong>{DEMO_BANNER}</strong>: every figure on this dashboard is '
            "made up for demonstration. It describes no real child or council.</p>"
        )
    parts.append(
        f'<p class="dash-meta">Figures for {_cell(month_name(data.month))}, the Board\'s focus areas first. '
        "Icons: NHS Making Data Count (key at the foot of the page). England and "
        f"{_cell(data.config.authority.region.name)}: latest published year.</p>"
    )
    return "".join(parts)


def headline_html(data: DashboardData, rows: dict[str, list[IndicatorRow]]) -> str:
    """The first screen: style sheet, banner and the Board's focus areas."""
    blocks = [b for b in dashboard_blocks(data.config) if b.focus]
    return (
        '<div class="mdc-dashboard">'
        + stylesheet_html()
        + banner_html(data)
        + "".join(_block(data, b, rows) for b in blocks)
        + "</div>"
    )


def _block(data: DashboardData, block: Block, rows: dict[str, list[IndicatorRow]]) -> str:
    return block_table_html(
        block,
        rows[block.title],
        month=data.month,
        region=data.config.authority.region.name,
        n_months=data.config.dashboard.sparkline_months,
    )


def themes_html(data: DashboardData, rows: dict[str, list[IndicatorRow]]) -> str:
    """The other themes, after the focus areas."""
    blocks = [b for b in dashboard_blocks(data.config) if not b.focus]
    return '<div class="mdc-dashboard">' + "".join(_block(data, b, rows) for b in blocks) + "</div>"


# ------------------------------------------------------------------------------- what changed, exceptions
def _better_or_worse(indicator: Indicator, now: float, before: float) -> str:
    now_r, before_r = round(now, indicator.decimals), round(before, indicator.decimals)
    if now_r == before_r:
        return "same"
    rising = now_r > before_r
    if indicator.polarity == "context":
        return "up" if rising else "down"
    good = rising == (indicator.polarity == "higher_is_better")
    return "better" if good else "worse"


def change_line(data: DashboardData, block: Block) -> str:
    """One sentence: how the block's indicators moved since last month, and any new special-cause signal.

    Notes
    -----
    Better and worse follow each indicator's polarity at its published decimals; suppressed or missing figures are
    not compared. A new signal is a variation (NHS Making Data Count) other than common cause that differs from
    the one the chart showed a month earlier.
    """
    previous = data.previous_month
    if not block.indicators:
        actions = data.tables["actions"]
        if block.theme is None:
            return f"{block.title}: no monthly indicators."
        statuses = actions.loc[actions["theme"] == block.theme, "status"].value_counts()
        where = "indicators under the focus areas" if block.shown_in_focus_areas else "no monthly indicators"
        if statuses.empty:
            return f"{block.title}: {where}; no actions in the tracker."
        counts = ", ".join(
            f"{int(statuses[code])} {ACTION_STATUS_LABELS[code][1].lower()}"
            for code in ACTION_STATUS_LABELS
            if code in statuses.index
        )
        return f"{block.title}: {where}; actions in the tracker: {counts}."
    tally = {"better": 0, "worse": 0, "same": 0, "up": 0, "down": 0}
    compared = 0
    signals = []
    for indicator in block.indicators:
        now, now_hidden = month_point(data.monthly, indicator.id, data.month)
        before, before_hidden = month_point(data.monthly, indicator.id, previous)
        if now is not None and before is not None and not now_hidden and not before_hidden:
            tally[_better_or_worse(indicator, now, before)] += 1
            compared += 1
        current = spc_as_of(data, indicator, data.month)
        earlier = spc_as_of(data, indicator, previous)
        if (
            pd.notna(current["latest_month"])
            and current["variation"] != COMMON_CAUSE
            and current["variation"] != earlier["variation"]
        ):
            word = {"improvement": "improvement", "concern": "concern", "neutral": "unusual change"}.get(
                str(current["variation"]), str(current["variation"])
            )
            signals.append(f"{indicator.name} now shows special cause {word}")
    if compared == 0:
        moved = f"no figures to compare with {month_name(previous)}"
    else:
        parts = [f"{tally[k]} {k}" for k in ("better", "worse") if tally[k]]
        if tally["up"] or tally["down"]:
            parts.append(f"{tally['up']} up and {tally['down']} down (no preferred direction)")
        if tally["same"]:
            parts.append(f"{tally['same']} unchanged")
        moved = f"since {month_name(previous)}, {', '.join(parts)}"
    line = f"{block.title}: {moved}"
    if signals:
        line += "; " + "; ".join(signals)
    return line + "."


def changes_html(data: DashboardData) -> str:
    """What changed since last month: one line per block."""
    items = "".join(f"<li>{_cell(change_line(data, b))}</li>" for b in dashboard_blocks(data.config))
    return (
        '<div class="mdc-dashboard"><section class="dash-changes" aria-labelledby="dash-changes">'
        f'<h2 id="dash-changes">What changed since {_cell(month_name(data.previous_month))}</h2><ul>{items}</ul>'
        "</section></div>"
    )


def analysed_quarter(data: DashboardData) -> Quarter | None:
    """The quarter the analysis tables were made for (its last month is the latest ``as_at`` of ``spc_as_at``)."""
    readings = data.tables["spc_as_at"]
    if readings.empty:
        return None
    return reported_quarter(pd.Timestamp(readings["as_at"].max()))


def open_exceptions(data: DashboardData) -> tuple[Quarter, pd.DataFrame | None]:
    """The exceptions of the latest quarter that had ended by the month's end, as they stood at its end.

    Read from the analysis stage's ``exceptions_as_at`` table (found with the anticipated trends, as the exception
    reports find them); None when the analysis did not reach that quarter. Nothing is computed here.
    """
    quarter = reported_quarter(data.month)
    table = data.tables["exceptions_as_at"]
    analysed = analysed_quarter(data)
    if analysed is None or pd.Timestamp(quarter.end) > pd.Timestamp(analysed.end):
        return quarter, None
    rows = table.loc[table["quarter"] == quarter.label]
    return quarter, rows.reset_index(drop=True)


def exception_report_link(data: DashboardData, quarter: Quarter, theme: int) -> str | None:
    """The relative link from ``reports/<month>/`` to the theme's exception report, if that report exists."""
    if data.reports_dir is None:
        return None
    stem = f"exceptions-{data.config.plan.theme(theme).file_stem}"
    for suffix in (".html", ".ipynb"):
        if (data.reports_dir / quarter.label / f"{stem}{suffix}").is_file():
            return f"../{quarter.label}/{stem}{suffix}"
    return None


def exceptions_html(data: DashboardData) -> str:
    """The open exceptions by theme, each theme linked to its exception report."""
    quarter, rows = open_exceptions(data)
    heading = f"Open exceptions ({quarter.name})"
    analysed = analysed_quarter(data)
    actions_note = ""
    if analysed is not None and rows is not None and quarter != analysed:
        actions_note = (
            f"<p>Actions: the plan's actions as they stood in {_cell(quarter.name)} are in that quarter's "
            "exception reports; the tracker read for this dashboard is a later one.</p>"
        )
    if rows is None:
        body = (
            f"<p>The exceptions of {_cell(quarter.name)} are not in these analysis tables: run the pipeline for "
            f"{_cell(quarter.label)} to list them.</p>"
        )
    elif rows.empty:
        body = f"<p>No exceptions in {_cell(quarter.name)}: nothing needs the Board's attention by exception.</p>"
    else:
        parts = []
        for theme_number, theirs in rows.groupby("theme", sort=True):
            theme = data.config.plan.theme(int(theme_number))
            link = exception_report_link(data, quarter, theme.number)
            name = _cell(f"Theme {theme.label}")
            title = (
                f'<a href="{html_text(link)}">{name}: exception report</a>'
                if link
                else f"{name} (its exception report for {_cell(quarter.label)} has not been made)"
            )
            # One line per item with all its reasons, as the quarter's reports name it (exception_report.exception_headline).
            items = "".join(f"<li>{_cell(exception_headline(row))}</li>" for _, row in theirs.iterrows())
            parts.append(f'<li class="dash-exception-theme">{title}<ul>{items}</ul></li>')
        body = f"<ul>{''.join(parts)}</ul>"
    body += actions_note
    return (
        '<div class="mdc-dashboard"><section class="dash-exceptions" aria-labelledby="dash-exceptions">'
        f'<h2 id="dash-exceptions">{_cell(heading)}</h2>{body}</section></div>'
    )


# ------------------------------------------------------------------------------------------- key, method
def key_html(data: DashboardData, rows: dict[str, list[IndicatorRow]]) -> str:
    """The key to the icons and sparklines, and the suppression footnote when a ``c`` is shown."""
    items = "".join(
        f'<li><span aria-hidden="true">{svg}</span> {_cell(words)}</li>' for svg, words in legend_items()
    )
    notes = [
        f"Sparklines: the last {data.config.dashboard.sparkline_months} months up to {month_name(data.month)}, the "
        "dot marking the latest; a dashed line is the target. Months with a suppressed or missing figure are left out.",
        "Variation and assurance: statistical process control (XmR) charts read with NHS England's Making Data Count "
        "rules, as the quarterly report explains; 'provisional limits' means fewer than "
        f"{data.config.spc.minimum_baseline_points} months in the baseline.",
        "England and region: the latest figures DfE had released by the month's end (each publication's own date).",
    ]
    if any(r.figure == "c" for block in rows.values() for r in block):
        notes.append(SUPPRESSED_FOOTNOTE)
    paragraphs = "".join(f'<p class="dash-note">{_cell(n)}</p>' for n in notes)
    return (
        '<div class="mdc-dashboard"><section class="dash-key" aria-labelledby="dash-key">'
        f'<h2 id="dash-key">Key and method</h2><ul class="dash-legend">{items}</ul>{paragraphs}</section></div>'
    )


def _assurance_words(assurance: str | None) -> str:
    """Words where Making Data Count draws no assurance icon: no target (a dash), or a process that has just
    changed, which the quarterly report also calls "cannot be judged" (:data:`analysis.products.presentation.ASSURANCE_LABELS`).
    """
    if assurance not in ASSURANCE_LABELS:
        return "–"
    words = ASSURANCE_LABELS[assurance][1].split(";")[0]
    return f'<span class="assurance-words">{_cell(words)}</span>'
