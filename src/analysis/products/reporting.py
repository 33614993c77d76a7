"""What the report notebooks show: titles, the summary by theme, indicator tables, data quality, provenance.

Readers are councillors and Improvement Board members: plain English, few words, symbols always with words
(e.g. "▲ Improvement"), suppressed figures as "c". Every function here takes the analysis tables (and the
configuration) and returns a table, text or HTML; the notebooks only call them and display the result. Headings
are returned as Markdown (``# ...``) so that both renderers (nbconvert and Quarto) turn them into ``<h1>`` to
``<h4>`` elements and the table of contents.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown

from analysis import __version__
from analysis.config import ProjectConfig, load_config
from analysis.config_indicators import Indicator
from analysis.config_plan import Theme
from analysis.inputs.annex_a import MISSING_COLUMN_RULE, UNMATCHED_HEADING_RULE
from analysis.io import read_table
from analysis.methods.benchmarking import neighbours_label
from analysis.methods.exception_finder import exception_reasons
from analysis.methods.quarters import Quarter
from analysis.methods.spc import RULE_OUTSIDE_LIMITS, RULE_RUN, RULE_TREND, RULE_TWO_OF_THREE
from analysis.products.anticipated_charts import anticipated_overlay, with_anticipated_words
from analysis.products.charts import (
    ChartNote,
    ReportFigure,
    annual_chart,
    benchmark_chart,
    monthly_chart_reason,
    spc_chart,
    spc_plot_points,
    year_label,
)
from analysis.products.html_pages import raw_html_markdown
from analysis.safe_text import commentary_html, markdown_text
from analysis.schemas import empty_table
from analysis.units import format_number

logger = logging.getLogger(__name__)

#: Variation (NHS Making Data Count): symbol and words. The words always appear with the symbol.
VARIATION_LABELS: dict[str, tuple[str, str]] = {
    "improvement": ("▲", "Improvement"),
    "concern": ("▼", "Concern"),
    "common_cause": ("●", "No significant change"),
    "neutral": ("◆", "Unusual change"),
}
#: Assurance (NHS Making Data Count): will the process meet its target?
ASSURANCE_LABELS: dict[str, tuple[str, str]] = {
    "consistently_passing": ("✔", "Meets target reliably"),
    "consistently_failing": ("✖", "Will not meet target without change"),
    "hit_and_miss": ("◐", "May or may not meet target"),
    "changed_meeting_target": (
        "◇",
        "Cannot be judged: performance has changed; the latest month meets the target",
    ),
    "changed_missing_target": (
        "◇",
        "Cannot be judged: performance has changed; the latest month misses the target",
    ),
}
DIRECTION_LABELS: dict[str, tuple[str, str]] = {
    "improving": ("↑", "Better than the year before"),
    "worsening": ("↓", "Worse than the year before"),
    "no_change": ("→", "Same as the year before"),
    "not_applicable": ("–", "Not applicable"),
}
ACTION_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "complete": ("✔", "Complete"),
    "on_track": ("●", "On track"),
    "not_started": ("○", "Not started"),
    "at_risk": ("◐", "At risk"),
    "off_track": ("✖", "Off track"),
}
ON_TRACK = ("on_track", "complete")
OFF_TRACK = ("off_track", "at_risk")
REASON_LABELS: dict[str, str] = {
    "out_of_line": "Out of line with the anticipated trend (planned path or forecast)",
    "special_cause_concern": "Unusual change for the worse (statistical process control)",
    "failing_target": "Not meeting its target",
    "worst_quartile": "Among the bottom 25% of councils in England",
    "off_track": "Action off track",
    "overdue": "Action overdue",
}
#: A reason in a few words, for the summary's list of exceptions.
REASON_SHORT: dict[str, str] = {
    "out_of_line": "out of line with its anticipated trend",
    "special_cause_concern": "unusual change for the worse",
    "failing_target": "not meeting its target",
    "worst_quartile": "in the worst quarter of authorities",
    "off_track": "off track",
    "overdue": "overdue",
}
SUPPRESSED = "c"
SUPPRESSED_FOOTNOTE = (
    "c: not published because the number behind it is between 1 and 5 (to protect children's privacy)."
)
NOT_AVAILABLE = "not available"
#: Quartile bands of England's councils (DfE's LAIT: A is the best-performing quarter of authorities).
BAND_WORDS = {
    "A": "Top 25% of councils",
    "B": "Upper middle 25% of councils",
    "C": "Lower middle 25% of councils",
    "D": "Bottom 25% of councils",
}
#: Variation and assurance of an indicator without an SPC chart (too few published monthly figures).
NOT_ASSESSED = "Not assessed: too few published monthly figures"
NO_COMMENTARY = "No commentary was provided for this theme this quarter."
NOT_RECORDED = "not recorded"
DEMO_BANNER = "Synthetic demonstration data"
STATUS_ATTENTION = "Needs attention"
STATUS_OK = "No exceptions"
#: A financial-year span in a title: ``2015-2016`` or ``2015-16``.
_YEAR_SPAN = re.compile(r"\b(20\d\d)[-/–](20\d\d|\d\d)\b")

REPORT_TABLES = (
    "indicators_monthly",
    "indicators_annual",
    "spc",
    "spc_summary",
    "benchmark_comparison",
    "exceptions",
    "actions",
    "commentary",
    "validation_results",
    "quarantine",
    "cleaning_log",
    "source_files",
)
#: Tables of anticipated trends and forecasts (analysis.methods.trajectory, analysis.methods.demand_forecasts): empty when absent.
OPTIONAL_REPORT_TABLES = ("anticipated", "forecasts", "forecast_backtest")


# -------------------------------------------------------------------------------------------- the inputs
@dataclass(frozen=True)
class ReportData:
    """Everything a report shows: configuration, quarter, the analysis tables and the run manifest."""

    config: ProjectConfig
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] | None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def load_manifest(path: str | Path | None) -> dict[str, Any] | None:
    """The run manifest (JSON written by the pipeline), or ``None`` when there is none (a notebook run by hand)."""
    if not path:
        return None
    path = Path(path)
    if not path.is_file():
        logger.info("No run manifest at %s: provenance will say 'not recorded'", path)
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def load_report_data(
    quarter: str, processed_dir: str | Path, config_dir: str | Path, manifest_path: str | Path | None = None
) -> ReportData:
    """Read the configuration, the analysis tables and the manifest that the report notebooks show."""
    config = load_config(config_dir)
    tables = {name: read_table(name, Path(processed_dir)) for name in REPORT_TABLES}
    for name in OPTIONAL_REPORT_TABLES:
        path = Path(processed_dir) / f"{name}.parquet"
        tables[name] = read_table(name, Path(processed_dir)) if path.is_file() else empty_table(name)
    return ReportData(
        config=config, quarter=Quarter.parse(quarter), tables=tables, manifest=load_manifest(manifest_path)
    )


# ------------------------------------------------------------------------------------------- small parts
def status_label(code: object, labels: dict[str, tuple[str, str]]) -> str:
    """A status as symbol and words, e.g. ``improvement`` -> ``▲ Improvement``; empty -> ``–``."""
    if code is None or (not isinstance(code, str) and pd.isna(code)) or code == "":
        return "–"
    symbol, words = labels.get(str(code), ("", str(code).replace("_", " ").capitalize()))
    return f"{symbol} {words}".strip()


def markdown(text: str) -> Markdown:
    """Markdown output that is a block of its own in both renderers: it ends with a line break.

    Notes
    -----
    With ``output: asis`` Quarto joins a cell's Markdown outputs with a single line break (quarto-cli
    ``src/core/jupyter/jupyter.ts``, ``mdMarkdownOutput``), so without it a heading would run on into the
    paragraph before it; nbconvert renders each output apart, so the trailing line break changes nothing there.
    """
    return Markdown(text.rstrip("\n") + "\n")


def html_block(markup: str) -> Markdown:
    """HTML for both renderers, displayed as Markdown holding one raw HTML block, never as ``text/html`` output.

    Notes
    -----
    Quarto loads require.js and jQuery from a CDN into any page made from a notebook with ``text/html`` output
    (:func:`analysis.products.html_pages.raw_html_markdown` explains and cites it); a raw block keeps the reports offline.
    """
    return markdown(raw_html_markdown(markup))


def heading(level: int, text: str) -> Markdown:
    """A real Markdown heading (``##``...) that both renderers turn into an ``<h*>`` element."""
    return markdown(f"{'#' * level} {text}")


def report_title(authority: str, quarter: Quarter) -> str:
    """``Medway children's services: quarterly performance report, April to June 2015 (2015-16 Q1)``."""
    return f"{authority} children's services: quarterly performance report, {quarter.name}"


def exception_report_title(authority: str, theme: Theme, quarter: Quarter) -> str:
    """``Medway: exception report, theme 1 Quality and Effectiveness of practice, April to June 2015 (...)``."""
    return f"{authority} children's services: exception report for theme {theme.label}, {quarter.name}"


def plan_title(title: str, quarter: Quarter) -> str:
    """The plan's title for the quarter reported: a year span in it (``2015-2016``) becomes the quarter's year.

    A past quarter is reported under the plan of its own year (``Improvement Plan 2014-2015`` for 2014-15 Q4),
    not the year of the configuration.
    """
    start = quarter.financial_year_start
    return _YEAR_SPAN.sub(
        lambda m: f"{start}-{start + 1}" if len(m.group(2)) == 4 else f"{start}-{(start + 1) % 100:02d}",
        title,
    )


def cover_html(config: ProjectConfig, quarter: Quarter, report_date: date) -> str:
    """The cover under the title: authority, quarter, date, status and the demonstration-data banner."""
    authority = config.authority
    parts = [demo_banner_html(config)] if authority.demo else []
    rows = [
        ("Council", authority.name),
        ("Plan", plan_title(config.plan.title, quarter)),
        ("Period", quarter.name),
        ("Produced on", f"{report_date:%-d %B %Y}"),
        ("Status", authority.report_status.capitalize()),
    ]
    items = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd></div>" for k, v in rows)
    parts.append(f'<dl class="cover">{items}</dl>')
    parts.append(f'<p class="strapline">{html.escape(config.plan.strapline)}</p>')
    return "".join(parts)


def table_html(
    frame: pd.DataFrame,
    *,
    caption: str,
    footnotes: Iterable[str] = (),
    row_header: bool = True,
    css_class: str = "",
    cell_classes: dict[str, Sequence[str]] | None = None,
) -> str:
    """A plain, accessible HTML table: ``<caption>``, ``<th scope="col">`` headers, first column as row headers.

    ``data-quarto-disable-processing`` keeps Quarto from rewriting the table (Quarto HTML tables: "Disabling
    Quarto table processing"), so both renderers show the same markup.
    """
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    classes = {frame.columns.get_loc(k): v for k, v in (cell_classes or {}).items() if k in frame.columns}
    body = []
    for number, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for position, value in enumerate(row):
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            text = html.escape(text).replace("\n", "<br>")
            attribute = f' class="{html.escape(classes[position][number])}"' if position in classes else ""
            if position == 0 and row_header:
                cells.append(f'<th scope="row"{attribute}>{text}</th>')
            else:
                cells.append(f"<td{attribute}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    notes = "".join(f'<p class="table-note">{html.escape(n)}</p>' for n in footnotes)
    return (
        # a scrolling region must be reachable by keyboard (WCAG 2.1.1; axe ``scrollable-region-focusable``)
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{html.escape(caption)}">'
        f'<table class="{" ".join(["report-table", css_class]).strip()}" '
        'data-quarto-disable-processing="true">'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{notes}</div>"
    )


def display_value(value: float | None, indicator: Indicator, *, suppressed: bool = False) -> str:
    """A figure for a table: ``c`` when suppressed, ``not available`` when empty, else unit and decimals.

    Notes
    -----
    GSS symbol ``c`` (confidential): DfE suppresses counts of 1 to 5.
    """
    if suppressed:
        return SUPPRESSED
    return format_number(value, indicator)


# --------------------------------------------------------------------------------------- indicator tables
def latest_values(monthly: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Each indicator's latest month up to the quarter's end that has a figure (or a suppressed one).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``month``, ``value``, ``suppressed``: one row per indicator with any figure.
    """
    end = pd.Timestamp(quarter.months[-1])
    usable = monthly.loc[(monthly["month"] <= end) & (monthly["value"].notna() | monthly["suppressed"])]
    latest = usable.sort_values("month").groupby("indicator_id", sort=False).tail(1)
    return latest.loc[:, ["indicator_id", "month", "value", "suppressed"]].reset_index(drop=True)


def latest_benchmarks(comparison: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's latest year in ``benchmark_comparison`` with a figure for England or the authority."""
    usable = comparison.loc[comparison["england"].notna() | comparison["local_value"].notna()]
    return (
        usable.sort_values("time_period").groupby("indicator_id", sort=False).tail(1).reset_index(drop=True)
    )


def releases_footnote(comparison: pd.DataFrame, indicators: Sequence[Indicator]) -> str:
    """Which DfE releases a table's comparisons use: "England, region and other councils: Children in need 2013-14,
    released October 2014; ...", or ``""`` when the table compares nothing.

    The releases are those of each indicator's latest compared year (:func:`latest_benchmarks`), as the analysis
    stage names them (``benchmark_comparison.release``: only figures released by the report's date are there).
    """
    ids = {i.id for i in indicators}
    bench = latest_benchmarks(comparison)
    used = list(dict.fromkeys(bench.loc[bench["indicator_id"].isin(ids), "release"].astype(str)))
    if not used:
        return ""
    return "England, region, neighbours and ranks: " + "; ".join(used) + "."


def benchmark_columns(authority: str, region: str, neighbours: str, years: Iterable[int]) -> dict[str, str]:
    """Column headings of the comparison, naming the year they describe when a table compares one year only.

    e.g. ``{"local_value": "Medway 2014-15", "england": "England 2014-15", ...}``; with several years, a
    "Year compared" column says which, and the headings say "(year compared)".
    """
    distinct = sorted(set(years))
    period = year_label(distinct[0]) if len(distinct) == 1 else "(year compared)"
    return {
        "local_value": f"{authority} {period}",
        "england": f"England {period}",
        "region": f"{region} {period}",
        "statistical_neighbours_average": f"{neighbours[0].upper()}{neighbours[1:]} {period}",
    }


def indicator_table(data: ReportData, theme: int) -> pd.DataFrame:
    """The table of a theme's indicators: latest month, target, the compared year, quartile, direction, SPC status.

    See :func:`indicators_table`.
    """
    return indicators_table(data, data.config.indicators_for_theme(theme))


def indicators_table(data: ReportData, indicators: Sequence[Indicator]) -> pd.DataFrame:
    """The table of some indicators: latest month, target, the compared year, quartile, direction, SPC status.

    The authority's figure beside England, the region and the statistical neighbours is its own figure for the
    same year (``benchmark_comparison.local_value``): the one its rank, quartile band and direction of travel are
    computed from. The latest month is shown too, labelled as a month, for what has happened since.

    Notes
    -----
    Variation and assurance follow NHS England's Making Data Count; quartile bands, ranks and direction of
    travel compare the latest published year (DfE, years ending 31 March) with England's authorities (DfE LAIT).
    """
    latest = latest_values(data.indicators_monthly, data.quarter).set_index("indicator_id")
    bench = latest_benchmarks(data.benchmark_comparison).set_index("indicator_id")
    summary = data.spc_summary.set_index("indicator_id")
    authority = data.config.authority
    years = [int(bench.loc[i.id, "time_period"]) for i in indicators if i.id in bench.index]
    headings = benchmark_columns(authority.name, authority.region.name, neighbours_label(data.config), years)
    several_years = len(set(years)) > 1
    rows = []
    for indicator in indicators:
        row: dict[str, str] = {"Indicator": indicator.name}
        if indicator.id in latest.index:
            point = latest.loc[indicator.id]
            row["Latest month"] = (
                f"{display_value(point['value'], indicator, suppressed=bool(point['suppressed']))} "
                f"({pd.Timestamp(point['month']):%b %Y})"
            )
        else:
            row["Latest month"] = NOT_AVAILABLE
        row["Target"] = format_number(indicator.target.value, indicator) if indicator.target else "none set"
        if several_years:
            row["Year compared"] = "–"
        for heading_text in headings.values():
            row[heading_text] = "–"
        row["Rank among councils"] = "–"
        row["Quartile band"] = "–"
        row["Direction of travel"] = "–"
        if indicator.id in bench.index:
            b = bench.loc[indicator.id]
            year = int(b["time_period"])
            # One decision for the authority's own figure (analysis.methods.benchmarking, analysis.methods.suppression): a figure
            # from 1 to 5 children is shown as c, with no rank or band made from it.
            hidden = bool(b["local_suppressed"])
            if several_years:
                row["Year compared"] = year_label(year)
            for column, heading_text in headings.items():
                row[heading_text] = format_number(b[column], indicator)
            if hidden:
                row[headings["local_value"]] = SUPPRESSED
            elif pd.notna(b["rank"]):
                row["Rank among councils"] = f"{int(b['rank'])} of {int(b['authorities_ranked'])}"
                band = b["quartile_band"]
                row["Quartile band"] = (
                    "–" if pd.isna(band) or band == "" else f"{_band_words(band)} (band {band})"
                )
            row["Direction of travel"] = direction_label(b["direction_of_travel"], indicator)
        if indicator.id in summary.index and no_monthly_chart_reason(data, indicator) is not None:
            row["Variation"] = NOT_ASSESSED
            row["Assurance"] = NOT_ASSESSED
        elif indicator.id in summary.index:
            s = summary.loc[indicator.id]
            row["Variation"] = status_label(s["variation"], VARIATION_LABELS)
            row["Assurance"] = status_label(s["assurance"], ASSURANCE_LABELS)
        else:
            row["Variation"] = "–"
            row["Assurance"] = "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _band_words(band: str) -> str:
    """A quartile band in words a councillor reads without a key (not "quarter", which reads as a time period)."""
    return BAND_WORDS.get(band, band)


def direction_label(code: object, indicator: Indicator) -> str:
    """Direction of travel: the arrow shows which way the number moved, the words whether that is better.

    ``improving`` for a lower-is-better indicator is a fall: ``↓ Better than the year before (lower is better)``.
    """
    if code not in ("improving", "worsening"):
        return status_label(code, DIRECTION_LABELS)
    went_up = (code == "improving") == (indicator.polarity != "lower_is_better")
    arrow = "↑" if went_up else "↓"
    words = "Better" if code == "improving" else "Worse"
    note = " (lower is better)" if indicator.polarity == "lower_is_better" else ""
    return f"{arrow} {words} than the year before{note}"


def table_footnotes(table: pd.DataFrame) -> list[str]:
    """The footnotes a table needs: ``c`` and what the symbols mean, only when they appear."""
    notes = []
    if table.map(lambda v: isinstance(v, str) and v.split(" ")[0] == SUPPRESSED).any().any():
        notes.append(SUPPRESSED_FOOTNOTE)
    return notes


# ---------------------------------------------------------------------------------------------- summary
def theme_summary(data: ReportData, *, top_exceptions: int) -> pd.DataFrame:
    """One row per theme: aim, status line, indicators by variation, actions by status, top exceptions.

    Parameters
    ----------
    data : ReportData
    top_exceptions : int
        How many exceptions to name per theme (a parameter of the report notebook).

    Notes
    -----
    "Improving", "concerning" and "stable" are the SPC variation of each indicator's latest point (NHS England,
    Making Data Count: special cause improvement, special cause concern, common cause).
    """
    variation = data.spc_summary.merge(
        pd.DataFrame(
            {
                "indicator_id": [i.id for i in data.config.indicators],
                "theme": [i.theme for i in data.config.indicators],
            }
        ),
        on="indicator_id",
    )
    exceptions = data.exceptions.loc[data.exceptions["quarter"] == data.quarter.label]
    rows = []
    for theme in data.config.plan.themes:
        counts = variation.loc[variation["theme"] == theme.number, "variation"].value_counts()
        actions = data.actions.loc[data.actions["theme"] == theme.number, "status"]
        theirs = exceptions.loc[exceptions["theme"] == theme.number]
        n = len(theirs)
        status = (
            f"Needs attention: {n} exception{'s' if n != 1 else ''}" if n else "No exceptions this quarter"
        )
        named = [exception_headline(r) for _, r in theirs.head(top_exceptions).iterrows()]
        if n > top_exceptions:
            named.append(f"and {n - top_exceptions} more")
        rows.append(
            {
                "Theme": theme.label,
                "What we want to achieve": theme.what_we_want_to_achieve,
                "Status": status,
                "Indicators": (
                    f"▲ {counts.get('improvement', 0)} improving\n▼ {counts.get('concern', 0)} concerning\n"
                    f"● {counts.get('common_cause', 0)} stable"
                ),
                "Actions": (
                    f"● {int(actions.isin(ON_TRACK).sum())} on track or complete\n"
                    f"✖ {int(actions.isin(OFF_TRACK).sum())} off track or at risk"
                ),
                "Top exceptions": "\n".join(named) if named else "None",
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- themes
def actions_table(actions: pd.DataFrame, theme: int) -> pd.DataFrame:
    """A theme's actions: reference, action, lead, due date, status (symbol and words), latest update."""
    rows = actions.loc[actions["theme"] == theme]
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: _action_order(rows["action_id"].iloc[i]))]
    return pd.DataFrame(
        {
            "Ref": rows["action_id"],
            "Action": rows["action"],
            "Lead": rows["lead"].fillna("–"),
            "Due": [f"{d:%b %Y}" if pd.notna(d) else "–" for d in rows["due_date"]],
            "Status": [status_label(s, ACTION_STATUS_LABELS) for s in rows["status"]],
            "Latest update": rows["latest_update"].fillna("–"),
        }
    ).reset_index(drop=True)


def _action_order(action_id: str) -> tuple[int, ...]:
    """``1.10`` after ``1.9``: action references sort by their numbers."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(action_id).split("."))


def commentary_text(
    commentary: pd.DataFrame, quarter: Quarter, theme: int, indicator_id: str | None = None
) -> str:
    """The analyst's commentary for a theme (or one indicator) this quarter, as Markdown.

    Returns :data:`NO_COMMENTARY` for a theme without any; an indicator without commentary gives ``""``.
    """
    rows = commentary.loc[(commentary["quarter"] == quarter.label) & (commentary["theme"] == theme)]
    if indicator_id is None:
        rows = rows.loc[rows["indicator_id"].isna() | (rows["indicator_id"] == "")]
    else:
        rows = rows.loc[rows["indicator_id"] == indicator_id]
    texts = [t.strip() for t in rows["text"] if isinstance(t, str) and t.strip()]
    if not texts:
        return NO_COMMENTARY if indicator_id is None else ""
    return "\n\n".join(texts)


def monthly_points(data: ReportData, indicator: Indicator) -> pd.DataFrame:
    """An indicator's SPC points up to the quarter's end, suppressed months blanked (:func:`spc_plot_points`)."""
    last = pd.Timestamp(data.quarter.months[-1])
    spc = data.spc.loc[data.spc["indicator_id"] == indicator.id]
    spc = spc.loc[spc["month"] <= last]
    monthly = data.indicators_monthly
    monthly = monthly.loc[(monthly["indicator_id"] == indicator.id) & (monthly["month"] <= last)]
    return spc_plot_points(spc, monthly)


def no_monthly_chart_reason(data: ReportData, indicator: Indicator) -> str | None:
    """Why the indicator has no SPC chart (too few published months, or mostly suppressed); None when it has one."""
    points = monthly_points(data, indicator)
    if points.empty:
        return None
    return monthly_chart_reason(points, data.config.spc.minimum_baseline_points)


def rolling_year_text(data: ReportData, indicator: Indicator) -> str:
    """The latest rolling 12-month figure up to the quarter's end, in a sentence (``""`` when there is none)."""
    annual = data.indicators_annual
    rows = annual.loc[
        (annual["indicator_id"] == indicator.id)
        & (annual["period_type"] == "rolling_12_months")
        & (annual["period_end"] <= pd.Timestamp(data.quarter.end))
    ].sort_values("period_end")
    if rows.empty:
        return ""
    last = rows.iloc[-1]
    when = (
        f"At {last['period_label']}"
        if indicator.annual == "at_31_march"
        else f"Over the 12 months {last['period_label']}"
    )
    if bool(last["suppressed"]):
        return f"{when} the figure cannot be published ({SUPPRESSED})."
    return f"{when} it was {format_number(last['value'], indicator)}."


def indicator_figures(data: ReportData, indicator: Indicator) -> list[ReportFigure | ChartNote]:
    """The charts of one indicator: its SPC chart (or why there is none) and its benchmark chart.

    An indicator with fewer published monthly figures than an SPC chart needs, or mostly suppressed ones, gets a
    sentence saying so (with its rolling 12-month figure) and its figure by year instead: the benchmark chart, or
    its own annual figures when it has no benchmark (:func:`analysis.products.charts.monthly_chart_reason`).
    """
    figures: list[ReportFigure | ChartNote] = []
    points = monthly_points(data, indicator)
    reason = None if points.empty else monthly_chart_reason(points, data.config.spc.minimum_baseline_points)
    if not points.empty and reason is None:
        changes = {c.date: c.name for c in data.config.plan.service_changes}
        label = "; ".join(changes[d] for d in indicator.rebase_at if d in changes) or "Process changed"
        anticipated = data.tables.get("anticipated")
        expected = (
            anticipated.loc[anticipated["indicator_id"] == indicator.id] if anticipated is not None else None
        )
        figure = spc_chart(
            points,
            indicator,
            rebase_dates=indicator.rebase_at,
            rebase_label=f"{label}: limits recalculated",
            overlay=anticipated_overlay(expected) if expected is not None else None,
        )
        figures.append(
            with_anticipated_words(figure, expected, indicator) if expected is not None else figure
        )
    comparison = data.benchmark_comparison.loc[data.benchmark_comparison["indicator_id"] == indicator.id]
    has_benchmark = not comparison.empty and comparison[["local_value", "england"]].notna().any().any()
    if reason is not None:
        instead = "The chart below shows its figure for each year." if has_benchmark else ""
        annual = data.indicators_annual
        own = annual.loc[
            (annual["indicator_id"] == indicator.id)
            & (annual["period_type"] == indicator.annual)
            & (annual["period_end"] <= pd.Timestamp(data.quarter.end))
        ]
        if not has_benchmark and (~own["suppressed"].astype(bool) & own["value"].notna()).any():
            instead = "The chart below shows its figure for each year."
        text = " ".join(t for t in (reason, rolling_year_text(data, indicator), instead) if t)
        figures.append(ChartNote(text))
        if not has_benchmark and instead:
            figures.append(annual_chart(own, indicator))
    if has_benchmark:
        authority = data.config.authority
        chart = benchmark_chart(
            comparison,
            indicator,
            authority=authority.name,
            region=authority.region.name,
            neighbours=neighbours_label(data.config).capitalize(),
        )
        latest = comparison.sort_values("time_period").iloc[-1]
        figures.append(replace(chart, caption=f"{chart.caption} Latest: {latest['release']}."))
    return figures


def theme_section(data: ReportData, theme: Theme, *, level: int = 3) -> list[object]:
    """Everything the quarterly report shows for one theme, in order, as displayable blocks.

    Priorities, actions and their status, the analyst's commentary, the indicator table, then a chart per
    indicator. The notebook displays each block in turn.
    """
    blocks: list[object] = [heading(level, f"Theme {theme.label}")]
    blocks.append(markdown(f"**What we want to achieve:** {theme.what_we_want_to_achieve}"))
    blocks.append(heading(level + 1, f"Priorities for {data.quarter.financial_year}"))
    blocks.append(markdown("\n".join(f"- {p}" for p in theme.priorities)))
    blocks.append(heading(level + 1, "Actions"))
    actions = actions_table(data.actions, theme.number)
    if actions.empty:
        blocks.append(markdown("No actions are recorded for this theme."))
    else:
        blocks.append(
            html_block(table_html(actions, caption=f"Theme {theme.number} actions and their status"))
        )
    blocks.append(heading(level + 1, "Commentary"))
    blocks.append(html_block(commentary_html(commentary_text(data.commentary, data.quarter, theme.number))))
    blocks.append(heading(level + 1, "Indicators"))
    indicators = data.config.indicators_for_theme(theme.number)
    if not indicators:
        blocks.append(markdown("This theme has no performance indicators: progress is shown by its actions."))
        return blocks
    table = indicator_table(data, theme.number)
    releases = releases_footnote(data.benchmark_comparison, indicators)
    blocks.append(
        html_block(
            table_html(
                table,
                caption=f"Theme {theme.number} indicators",
                footnotes=[*table_footnotes(table), *([releases] if releases else [])],
            )
        )
    )
    for indicator in indicators:
        figures = indicator_figures(data, indicator)
        text = commentary_text(data.commentary, data.quarter, theme.number, indicator.id)
        if text:
            blocks.append(html_block(commentary_html(f"**{markdown_text(indicator.name)}:** {text}")))
        blocks.extend(html_block(f.to_html()) for f in figures)
    return blocks


def how_to_read_html(config: ProjectConfig) -> str:
    """A short "How to read this report" box for readers who are not analysts (GOV.UK plain English).

    The comparison region is the authority's own (``config/authority.yml``), never a fixed name.
    """
    region = html.escape(config.authority.region.name)
    points = [
        f"Each theme has a status: <strong>{STATUS_ATTENTION}</strong> (red) means at least one figure or "
        f"action needs the Board's attention; <strong>{STATUS_OK}</strong> (green) means none does.",
        f"Tables show our latest figure beside England, the {region} region and councils like ours (our "
        "statistical neighbours), for the period named in each column.",
        "Arrows show which way a number moved; the words beside them say whether that is better or worse.",
        "Charts show each month against the average and the range expected from normal month-to-month variation. "
        "A month outside the range, or a long run on one side of the average, is an unusual change worth asking "
        "about; anything else is normal variation.",
        "<strong>c</strong> means a figure is not shown because it is based on 1 to 5 children, to protect their "
        "privacy.",
    ]
    items = "".join(f"<li>{p}</li>" for p in points)
    return (
        '<aside class="how-to-read" aria-label="How to read this report"><p><strong>How to read this report'
        f"</strong></p><ul>{items}</ul></aside>"
    )


def status_class(status: str) -> str:
    """The colour of a theme's status: ``status-attention`` when it has exceptions, else ``status-ok``."""
    return (
        "status status-ok" if status.startswith(("No exceptions", STATUS_OK)) else "status status-attention"
    )


def status_legend_html() -> str:
    """What the status colours mean, in words (colour is never the only signal: the status is also written)."""
    return (
        '<p class="status-legend"><strong>Status:</strong> '
        f'<span class="status status-attention">{STATUS_ATTENTION}</span> at least one indicator or action '
        "needs the Board's attention (its exception report says which and why); "
        f'<span class="status status-ok">{STATUS_OK}</span> nothing needs attention this quarter.</p>'
    )


def summary_html(data: ReportData, *, top_exceptions: int) -> str:
    """The one-screen summary table of the six themes, each status in colour and words, and the legend."""
    table = theme_summary(data, top_exceptions=top_exceptions)
    classes = [status_class(str(s)) for s in table["Status"]] if "Status" in table else []
    return (
        table_html(
            table,
            caption=f"Summary by theme, {data.quarter.name}",
            css_class="summary-table",
            cell_classes={"Status": classes},
        )
        + status_legend_html()
    )


def theme_statuses(
    config: ProjectConfig, exceptions: pd.DataFrame, quarter: Quarter
) -> list[tuple[str, str, str]]:
    """Each theme's status for the index page: (theme label, status in words, its CSS class)."""
    this_quarter = exceptions.loc[exceptions["quarter"] == quarter.label]
    statuses = []
    for theme in config.plan.themes:
        n = int((this_quarter["theme"] == theme.number).sum())
        words = f"{STATUS_ATTENTION}: {n} exception{'s' if n != 1 else ''}" if n else STATUS_OK
        statuses.append((theme.label, words, status_class(words)))
    return statuses


#: Columns of the indicator tables that the headline figures leave to the theme sections.
HEADLINE_OMITS = ("Quartile band", "Direction of travel", "Variation", "Assurance")


def headline_table(data: ReportData) -> pd.DataFrame:
    """The figures the committee leads on (``headline: true`` in ``config/indicators.yml``) against others.

    The rows are made by the theme tables' own function (:func:`indicators_table`), so the first screen and the
    theme sections show the same figures; only the columns that compare (our figure, its period, target, England,
    region, neighbours, rank) are kept.
    """
    wanted = [i for theme in data.config.plan.themes for i in data.config.indicators_for_theme(theme.number)]
    headline = [i for i in wanted if i.headline]
    if not headline:
        return pd.DataFrame()
    # One table for all of them, so that one set of headings says which year each comparison is.
    table = indicators_table(data, headline)
    return table.drop(columns=[c for c in HEADLINE_OMITS if c in table.columns])


def headline_html(data: ReportData) -> str:
    """The headline figures as a small table, or nothing when no indicator is marked ``headline``."""
    table = headline_table(data)
    if table.empty:
        return ""
    headline = [i for i in data.config.indicators if i.headline]
    releases = releases_footnote(data.benchmark_comparison, headline)
    return table_html(
        table,
        caption=f"Headline figures, {data.quarter.name}",
        css_class="headline-table",
        footnotes=[*table_footnotes(table), *([releases] if releases else [])],
    )


def at_a_glance_html(data: ReportData) -> str:
    """The first screen's answer to "how are we doing?": each theme's status in colour and words, in one list."""
    statuses = theme_statuses(data.config, data.exceptions, data.quarter)
    items = "".join(
        f'<li><span class="glance-theme">{html.escape(label)}</span> '
        f'<span class="{html.escape(css)}">{html.escape(words)}</span></li>'
        for label, words, css in statuses
    )
    return f'<ul class="at-a-glance" aria-label="Status of each theme, {html.escape(data.quarter.name)}">{items}</ul>'


def demo_banner_html(config: ProjectConfig) -> str:
    """The synthetic-data banner, or nothing for real data."""
    if not config.authority.demo:
        return ""
    return (
        f'<p class="demo-banner" role="note"><strong>{DEMO_BANNER}</strong>: every figure in this report is '
        "made up for demonstration. It describes no real child or council.</p>"
    )


# ------------------------------------------------------------------------------------------- exceptions
def theme_exceptions(exceptions: pd.DataFrame, quarter: Quarter, theme: int) -> pd.DataFrame:
    """The exceptions of one theme this quarter (one row per item), in the finder's order: indicators first."""
    rows = exceptions.loc[(exceptions["quarter"] == quarter.label) & (exceptions["theme"] == theme)]
    return rows.reset_index(drop=True)


def exception_headline(exception: pd.Series) -> str:
    """An exception in one line: its title (an action with its reference) and every reason in a few words.

    e.g. ``Action 4.1: Launch the hubs (off track; overdue)``.
    """
    reasons = [REASON_SHORT.get(code, code.replace("_", " ")) for code, _ in exception_reasons(exception)]
    return f"{exception['title']} ({'; '.join(reasons)})"


def no_exceptions_text(theme: Theme, quarter: Quarter) -> str:
    """The clear statement for a theme with nothing to report by exception."""
    return (
        f"Theme {theme.label} has **no exceptions** in {quarter.name}: no indicator showed an unusual change for "
        "the worse, missed its target or fell into the bottom 25% of councils, and no action was off track "
        "or overdue."
    )


def rule_words(rules: str, config: ProjectConfig) -> str:
    """SPC rule codes (``run,outside_limits``) in plain words for councillors, joined with "and".

    Notes
    -----
    The rules of NHS England's "Making Data Count" (2019) as ``analysis.methods.spc`` applies them; the numbers come
    from ``config/indicators.yml``.
    """
    settings = config.spc.rules
    words = {
        RULE_OUTSIDE_LIMITS: "the latest month is outside the range expected from month-to-month variation",
        RULE_RUN: f"{settings.run_length} or more months in a row are on the same side of the average",
        RULE_TREND: f"{settings.trend_length} or more months in a row have each risen, or each fallen",
        RULE_TWO_OF_THREE: "two of the last three months are close to the edge of the expected range",
    }
    said = [
        words.get(code.strip(), code.strip().replace("_", " ")) for code in rules.split(",") if code.strip()
    ]
    text = " and ".join(said)
    return text[:1].upper() + text[1:] + "." if text else ""


def exception_context(data: ReportData, exception: pd.Series) -> str:
    """Markdown for one exception: the rule that fired and since when, target and benchmark context."""
    reasons = exception_reasons(exception)
    if len(reasons) == 1:
        code, reason = reasons[0]
        lines = [
            f"- **Why it is here:** {markdown_text(REASON_LABELS.get(code, code))}. {markdown_text(reason)}"
        ]
    else:
        lines = ["- **Why it is here:**"]
        lines.extend(
            f"    - {markdown_text(REASON_LABELS.get(code, code))}. {markdown_text(reason)}"
            for code, reason in reasons
        )
    if pd.notna(exception["since"]):
        lines.append(f"- **Since:** {pd.Timestamp(exception['since']):%B %Y}")
    if exception["kind"] == "indicator" and exception["item_id"] in data.config.indicators_by_id:
        indicator = data.config.indicator(exception["item_id"])
        summary = data.spc_summary.loc[data.spc_summary["indicator_id"] == indicator.id]
        no_chart = no_monthly_chart_reason(data, indicator)
        if no_chart is not None:
            lines.append(
                "- **Reading of the chart:** no monthly chart: too few published monthly figures (see below)"
            )
        elif not summary.empty:
            s = summary.iloc[0]
            if isinstance(s["rule"], str) and s["rule"]:
                lines.append(f"- **What the chart shows:** {rule_words(s['rule'], data.config)}")
            lines.append(f"- **Reading of the chart:** {markdown_text(s['description'])}")
        latest = latest_values(data.indicators_monthly, data.quarter)
        latest = latest.loc[latest["indicator_id"] == indicator.id]
        if not latest.empty:
            p = latest.iloc[0]
            value = display_value(p["value"], indicator, suppressed=bool(p["suppressed"]))
            lines.append(f"- **Latest month:** {value} ({pd.Timestamp(p['month']):%B %Y})")
        target = format_number(indicator.target.value, indicator) if indicator.target else "none set"
        lines.append(f"- **Target:** {target}")
        bench = latest_benchmarks(data.benchmark_comparison)
        bench = bench.loc[bench["indicator_id"] == indicator.id]
        if not bench.empty:
            b = bench.iloc[0]
            lines.append(
                f"- **Compared with others ({b['release']}):** "
                f"{data.config.authority.name} "
                f"{display_value(b['local_value'], indicator, suppressed=bool(b['local_suppressed']))}, "
                f"England {format_number(b['england'], indicator)}, "
                f"{data.config.authority.region.name} {format_number(b['region'], indicator)}, "
                f"{neighbours_label(data.config)} "
                f"{format_number(b['statistical_neighbours_average'], indicator)}"
            )
    elif exception["kind"] == "action":
        action = data.actions.loc[data.actions["action_id"] == exception["item_id"]]
        if not action.empty:
            a = action.iloc[0]
            due = f"{a['due_date']:%B %Y}" if pd.notna(a["due_date"]) else "no date"
            lines.append(f"- **Status:** {status_label(a['status'], ACTION_STATUS_LABELS)}; due {due}")
            if isinstance(a["latest_update"], str) and a["latest_update"]:
                lines.append(f"- **Latest update:** {markdown_text(a['latest_update'])}")
    return "\n".join(lines)


def exception_section(data: ReportData, exception: pd.Series, *, level: int = 3) -> list[object]:
    """One exception as displayable blocks: heading, context, chart(s) and the analyst's commentary."""
    blocks: list[object] = [heading(level, markdown_text(exception["title"]))]
    blocks.append(markdown(exception_context(data, exception)))
    if exception["kind"] == "indicator" and exception["item_id"] in data.config.indicators_by_id:
        indicator = data.config.indicator(exception["item_id"])
        blocks.extend(html_block(f.to_html()) for f in indicator_figures(data, indicator))
        text = commentary_text(data.commentary, data.quarter, indicator.theme, indicator.id)
        if text:  # none: the theme's commentary below says so once, rather than once per exception
            blocks.append(html_block(commentary_html(f"**Commentary:** {text}")))
    return blocks


def exception_report_blocks(data: ReportData, theme_number: int) -> list[object]:
    """The body of a theme's exception report: each exception, or the statement that there are none."""
    theme = data.config.plan.theme(theme_number)
    rows = theme_exceptions(data.exceptions, data.quarter, theme_number)
    blocks: list[object] = [heading(2, "Exceptions this quarter")]
    if rows.empty:
        blocks.append(markdown(no_exceptions_text(theme, data.quarter)))
    else:
        n = len(rows)
        blocks.append(
            markdown(
                f"{n} item{'s' if n != 1 else ''} need{'s' if n == 1 else ''} the Board's attention this quarter."
            )
        )
        for _, exception in rows.iterrows():
            blocks.extend(exception_section(data, exception))
    blocks.append(heading(2, "Commentary on the theme"))
    blocks.append(html_block(commentary_html(commentary_text(data.commentary, data.quarter, theme_number))))
    return blocks


# ------------------------------------------------------------------------------------------ data quality
def data_quality_text(data: ReportData) -> str:
    """What the data checks found, in plain words: warnings, rows set aside, suppressed figures, fixes.

    Notes
    -----
    Critical checks stop the pipeline before any figure is computed, so a report only exists when they passed;
    warnings are listed here. Suppression: DfE's rule for counts of 1 to 5.
    """
    results = data.validation_results
    lines = []
    n_checks, n_tables = len(results), results["suite"].nunique()
    critical_failed = results.loc[(results["severity"] == "critical") & ~results["success"]]
    warnings = results.loc[(results["severity"] == "warning") & ~results["success"]]
    lines.append(
        f"The data passed {n_checks - len(critical_failed) - len(warnings)} of {n_checks} checks on "
        f"{n_tables} tables. "
        + (
            "All critical checks passed."
            if critical_failed.empty
            else f"{len(critical_failed)} critical checks failed."
        )
    )
    if warnings.empty:
        lines.append("\nNo check raised a warning.")
    else:
        lines.append(f"\n{len(warnings)} check{'s' if len(warnings) != 1 else ''} raised a warning:\n")
        for w in warnings.itertuples():
            count = "" if pd.isna(w.unexpected_count) else f" ({int(w.unexpected_count):,} rows"
            if count and pd.notna(w.unexpected_percent):
                count += f", {w.unexpected_percent:.1f}%"
            lines.append(f"- {w.description}{count + ')' if count else ''}")
    quarantine = data.quarantine
    if quarantine.empty:
        lines.append("\nNo rows had to be set aside.")
    else:
        lines.append(
            f"\n{len(quarantine):,} row{'s' if len(quarantine) != 1 else ''} could not be used and "
            f"{'were' if len(quarantine) != 1 else 'was'} set aside for the data team to correct:\n"
        )
        grouped = quarantine.groupby(["table", "reason"], sort=True).size().reset_index(name="rows")
        for g in grouped.itertuples():
            lines.append(
                f"- {markdown_text(g.table.replace('_', ' '))}: {g.rows:,} ({markdown_text(g.reason)})"
            )
    start = pd.Timestamp(data.quarter.months[0])
    end = pd.Timestamp(data.quarter.months[-1])
    monthly = data.indicators_monthly
    in_quarter = monthly.loc[(monthly["month"] >= start) & (monthly["month"] <= end) & monthly["suppressed"]]
    if in_quarter.empty:
        lines.append("\nNo figure this quarter had to be suppressed.")
    else:
        names = sorted(
            {
                data.config.indicator(i).name if i in data.config.indicators_by_id else i
                for i in in_quarter["indicator_id"]
            }
        )
        lines.append(
            f"\n{len(in_quarter)} monthly figure{'s' if len(in_quarter) != 1 else ''} this quarter "
            f'{"are" if len(in_quarter) != 1 else "is"} shown as "c" because the number behind '
            f"{'them' if len(in_quarter) != 1 else 'it'} is between 1 and 5: {', '.join(names)}."
        )
    lines.extend(not_available_lines(data.config, data.cleaning_log))
    notes = (
        data.cleaning_log["rule"].astype(str).str.startswith((MISSING_COLUMN_RULE, UNMATCHED_HEADING_RULE))
    )
    fixes = data.cleaning_log.loc[(data.cleaning_log["rows_affected"] > 0) & ~notes]
    if not fixes.empty:
        total = int(fixes["rows_affected"].sum())
        lines.append(
            f"\nThe cleaning made {len(fixes)} kinds of automatic correction to {total:,} rows "
            "(for example dates typed as text); they are listed in the cleaning notebook."
        )
    return "\n".join(lines)


def not_available_lines(config: ProjectConfig, cleaning_log: pd.DataFrame) -> list[str]:
    """Markdown lines naming each indicator not available for want of an Annex A column, and why.

    Notes
    -----
    The reasons come from :func:`analysis.stages.indicators.unavailable_indicators` (the cleaning log's missing columns).
    """
    from analysis.stages.indicators import unavailable_indicators

    reasons = unavailable_indicators(config, cleaning_log)
    if not reasons:
        return []
    several = len(reasons) != 1
    lines = [
        f"\n{len(reasons)} indicator{'s are' if several else ' is'} not available because the Annex A workbook "
        f"lacks a column {'they need' if several else 'it needs'}:\n"
    ]
    for indicator in config.indicators:
        if indicator.id in reasons:  # names from config/, headings from the template: escaped all the same
            lines.append(f"- {markdown_text(indicator.name)}: {markdown_text(reasons[indicator.id])}")
    return lines


# -------------------------------------------------------------------------------------------- provenance
def definitions_table(config: ProjectConfig, indicator_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Each indicator's definition and source, in registry order."""
    wanted = None if indicator_ids is None else set(indicator_ids)
    rows = [
        {"Indicator": i.name, "Definition": i.definition, "Source": i.reference}
        for i in config.indicators
        if wanted is None or i.id in wanted
    ]
    return pd.DataFrame(rows, columns=["Indicator", "Definition", "Source"])


def spc_rules_text(config: ProjectConfig) -> str:
    """The SPC rules this run used, from ``config/indicators.yml``, in plain words.

    Notes
    -----
    NHS England, "Making Data Count" (2019); rules as NHSRplotthedots implements them.
    """
    spc = config.spc
    rules = spc.rules
    lines = [
        "Each chart shows one figure month by month. The line across the middle is the average; the shaded band "
        "is the range expected from normal month-to-month variation (the *process limits* of a statistical "
        "process control, or XmR, chart read with NHS England's *Making Data Count* rules). The average and the "
        f"range come from the first {spc.baseline_points} months of each period; with fewer than "
        f"{spc.minimum_baseline_points} months they are provisional. A month is marked as an unusual change "
        "(a *special cause*) when:",
        "",
    ]
    if rules.outside_limits:
        lines.append("- it is outside the expected range;")
    if rules.run_length:
        lines.append(
            f"- it is one of {rules.run_length} or more months in a row on the same side of the average;"
        )
    if rules.trend_length:
        lines.append(
            f"- it is one of {rules.trend_length} or more months in a row each higher, or each lower, than the "
            "one before;"
        )
    if rules.two_of_three_beyond_two_sigma:
        lines.append(
            "- it is one of two out of three months in a row close to the same edge of the expected range "
            "(beyond two standard deviations)."
        )
    lines.append(
        "\nAn unusual change is an improvement or a concern depending on whether higher is better for that "
        "figure. Anything else is normal variation (*common cause*): no sign of real change. Where the service "
        "changed, the average and range start again (vertical lines on the charts)."
    )
    lines.append(
        "\nWhether an indicator will meet its target (assurance) is read from where the target sits against the "
        "process limits. When the latest month is itself an unusual change, performance has changed and the "
        "limits describe it as it was, so the report says the target cannot be judged yet, and whether the "
        "latest month met it. Limits shown never go below 0 or, for a percentage, above 100%. An indicator with "
        f"fewer than {spc.minimum_baseline_points} published monthly figures, or mostly suppressed ones, has no "
        "monthly chart: its figure by year is shown instead."
    )
    return "\n".join(lines)


def provenance_table(data: ReportData) -> pd.DataFrame:
    """Data period, extract date, pipeline version and this run's parameters (from the manifest)."""
    manifest = data.manifest or {}
    period = manifest.get("data_period") or {}
    monthly = data.indicators_monthly.dropna(subset=["value"])
    if period:
        data_period = f"{_month_name(period.get('first_month'))} to {_month_name(period.get('last_month'))}"
    elif not monthly.empty:
        data_period = f"{monthly['month'].min():%B %Y} to {monthly['month'].max():%B %Y}"
    else:
        data_period = NOT_RECORDED
    extract = manifest.get("extract_date")
    if not extract:
        dates = data.source_files["extract_date"].dropna()
        extract = f"{dates.max():%-d %B %Y}" if not dates.empty else NOT_RECORDED
    version = manifest.get("package_version")
    commit = manifest.get("git_commit")
    pipeline = f"analysis {version}" if version else f"analysis {__version__} (run not recorded)"
    if commit:
        pipeline += f", commit {str(commit)[:12]}"
    parameters = manifest.get("parameters")
    parameter_text = (
        ", ".join(
            f"{k} = {v}"
            for k, v in sorted(parameters.items())
            # the renderer is chosen after the notebooks have run: the manifest beside the report records it
            if not str(k).endswith(("_dir", "_path")) and k != "renderer"
        )
        if parameters
        else NOT_RECORDED
    )
    inputs = manifest.get("inputs")
    input_text = f"{len(inputs)} files, each with its SHA-256 in manifest.json" if inputs else NOT_RECORDED
    libraries = manifest.get("libraries")
    library_text = ", ".join(f"{k} {v}" for k, v in sorted(libraries.items())) if libraries else NOT_RECORDED
    rows = [
        ("Data period", data_period),
        ("Extract date", str(extract)),
        ("Quarter reported", manifest.get("quarter", data.quarter.label)),
        ("Pipeline version", pipeline),
        ("Parameters of this run", parameter_text),
        ("Input files", input_text),
        ("Python", str(manifest.get("python", NOT_RECORDED))),
        ("Libraries", library_text),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"])


def _month_name(month: object) -> str:
    """``2015-06-01`` -> ``June 2015``: a data period is a span of months, not of days."""
    if not month:
        return NOT_RECORDED
    try:
        return f"{pd.Timestamp(str(month)):%B %Y}"
    except ValueError:
        return str(month)


def method_blocks(data: ReportData, *, theme: int | None = None) -> list[object]:
    """The "Method and provenance" section: definitions and sources, SPC rules, data period, run details.

    With ``theme``, only that theme's indicators are defined (the exception reports).
    """
    indicator_ids = None if theme is None else [i.id for i in data.config.indicators_for_theme(theme)]
    blocks: list[object] = [heading(2, "Method and provenance")]
    if indicator_ids == []:  # a theme measured by its actions alone: no definitions, no charts to read
        blocks.append(
            markdown("This theme has no performance indicators: its progress is shown by its actions.")
        )
    else:
        blocks += [
            heading(3, "Definitions and sources"),
            html_block(
                table_html(
                    definitions_table(data.config, indicator_ids), caption="Indicator definitions and sources"
                )
            ),
            heading(3, "How the charts are read"),
            markdown(spc_rules_text(data.config)),
        ]
    return blocks + [
        heading(3, "This run"),
        html_block(
            table_html(provenance_table(data), caption="Data period, extract date and pipeline version")
        ),
    ]
