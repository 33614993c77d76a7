"""The monthly Improvement Board dashboard: every indicator's month on one screen, focus areas first.

For each indicator the month's figure with its unit, the target, a sparkline of the recent months
(:mod:`analysis.products.sparklines`), the Making Data Count variation and assurance icons (:mod:`analysis.products.mdc_icons`) and
the latest published England and regional figures with their year; then what changed since last month (one line
per block), the open exceptions with links to the quarter's exception reports, a key and the method.

The dashboard's data (the month, the tables, each block's rows as the reader sees them, the open exceptions) are
made in :mod:`analysis.products.dashboard_data`; this module writes them as HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.config_indicators import Indicator
from analysis.methods.exception_finder import OVERDUE
from analysis.methods.months import month_name, reported_quarter
from analysis.methods.spc_rules import COMMON_CAUSE
from analysis.products.dashboard_data import (
    MEASURED_DIFFERENTLY,
    Block,
    DashboardData,
    IndicatorRow,
    analysed_quarter,
    dashboard_blocks,
    exception_report_link,
    month_point,
    not_assessed,
    open_exceptions,
    spc_as_of,
)
from analysis.products.exception_report import exception_headline
from analysis.products.indicator_tables import NOT_ASSESSED, named_difference
from analysis.products.mdc_icons import legend_items
from analysis.products.presentation import (
    ACTION_STATUS_LABELS,
    ASSURANCE_LABELS,
    DEMO_BANNER,
    OVERDUE_LABEL,
    STATUS_ATTENTION,
    STATUS_OK,
    SUPPRESSED_FOOTNOTE,
    overdue_action_ids,
    status_class,
)
from analysis.safe_text import html_text

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "dashboard"
STYLESHEET = TEMPLATE_DIR / "dashboard.css"
#: Beside an indicator whose expected range rests on too few months (Making Data Count's "provisional limits").
EARLY_READING = "early reading"
#: An indicator's variation and assurance cells when its chart is not read, as the reports' tables say
#: (:data:`analysis.products.indicator_tables.NOT_ASSESSED`), the reason given once in the key.
NOT_ASSESSED_SHORT = NOT_ASSESSED.split(":")[0]


def dashboard_title(authority: str, month: pd.Timestamp) -> str:
    """``Medway children's services: Improvement Board dashboard, June 2015``."""
    return f"{authority} children's services: Improvement Board dashboard, {month_name(month)}"


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
            f' <span class="provisional">({EARLY_READING})</span>' if row.provisional else ""
        )
        body.append(
            f'<tr><th scope="row" class="col-name">{name}</th>'
            f'<td class="col-figure">{_cell(row.figure)}</td>'
            f'<td class="col-target">{_cell(row.target)}</td>'
            f'<td class="col-spark">{row.sparkline}</td>'
            f'<td class="col-icon">{row.variation_svg or _not_assessed(row) or "–"}</td>'
            f'<td class="col-icon">{row.assurance_svg or _not_assessed(row) or _assurance_words(row.assurance)}</td>'
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


def overall_status_html(data: DashboardData) -> str:
    """The dashboard's overall status in one line (issue 22, point 8): how many exceptions are open and where, with
    links to the open exceptions and to what changed, which follow the focus areas."""
    quarter, rows = open_exceptions(data)
    if rows is None:
        status, words = STATUS_OK, f"The exceptions of {quarter.name} have not been analysed yet."
    elif rows.empty:
        status, words = STATUS_OK, f"No open exceptions ({quarter.name})."
    else:
        themes = sorted(int(t) for t in rows["theme"].unique())
        status = STATUS_ATTENTION
        words = (
            f"{len(rows)} open exception{'s' if len(rows) != 1 else ''} ({quarter.name}) in theme"
            f"{'s' if len(themes) != 1 else ''} {', '.join(str(t) for t in themes)}."
        )
    css = status_class(status)
    return (
        f'<p class="dash-overall"><span class="{html_text(css)}"><strong>{_cell(status)}</strong></span>: {_cell(words)} '
        '<a href="#dash-exceptions">Open exceptions</a> · <a href="#dash-changes">What changed</a></p>'
    )


def headline_html(data: DashboardData, rows: dict[str, list[IndicatorRow]]) -> str:
    """The first screen: style sheet, banner, the overall status and the Board's focus areas."""
    blocks = [b for b in dashboard_blocks(data.config) if b.focus]
    return (
        '<div class="mdc-dashboard">'
        + stylesheet_html()
        + banner_html(data)
        + overall_status_html(data)
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
        # An action the analysis found overdue at the quarter's end is counted so, as the quarter's reports count
        # it, whatever the tracker last said (issue 22, point 2).
        overdue = overdue_action_ids(data.tables["exceptions_as_at"], reported_quarter(data.month).label)
        theirs = actions.loc[actions["theme"] == block.theme]
        statuses = pd.Series(
            [
                OVERDUE if str(ref) in overdue else str(status)
                for ref, status in zip(theirs["action_id"], theirs["status"], strict=True)
            ],
            dtype="object",
        ).value_counts()
        where = "indicators under the focus areas" if block.shown_in_focus_areas else "no monthly indicators"
        if statuses.empty:
            return f"{block.title}: {where}; no actions in the tracker."
        words = {code: label.lower() for code, (_, label) in ACTION_STATUS_LABELS.items()}
        words[OVERDUE] = OVERDUE_LABEL[1].lower()
        counts = ", ".join(
            f"{int(statuses[code])} {label}" for code, label in words.items() if code in statuses.index
        )
        return f"{block.title}: {where}; actions in the tracker: {counts}."
    tally = {"better": 0, "worse": 0, "same": 0, "up": 0, "down": 0}
    named: dict[str, list[str]] = {k: [] for k in tally}
    compared = 0
    signals = []
    for indicator in block.indicators:
        now, now_hidden = month_point(data.monthly, indicator.id, data.month)
        before, before_hidden = month_point(data.monthly, indicator.id, previous)
        if now is not None and before is not None and not now_hidden and not before_hidden:
            moved = _better_or_worse(indicator, now, before)
            tally[moved] += 1
            named[moved].append(indicator.name)
            compared += 1
        current = spc_as_of(data, indicator, data.month)
        earlier = spc_as_of(data, indicator, previous)
        if (
            pd.notna(current["latest_month"])
            and not not_assessed(data, indicator, data.month)
            and current["variation"] != COMMON_CAUSE
            and current["variation"] != earlier["variation"]
        ):
            word = {
                "improvement": "an unusual change for the better",
                "concern": "an unusual change for the worse",
                "neutral": "an unusual change",
            }.get(str(current["variation"]), str(current["variation"]))
            signals.append(f"{indicator.name} now shows {word}")
    if compared == 0:
        moved = f"no figures to compare with {month_name(previous)}"
    else:
        # Better and worse are named (issue 22, point 8): the Board reads which figures moved, not only how many.
        parts = [f"{tally[k]} {k} ({', '.join(named[k])})" for k in ("better", "worse") if tally[k]]
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
        "Variation and assurance: each month is read against the range expected from normal month-to-month "
        "variation (statistical process control, with NHS England's Making Data Count rules), as the quarterly "
        f"report explains; '{EARLY_READING}' means the range rests on fewer than "
        f"{data.config.spc.minimum_baseline_points} months of figures, so it may still move.",
        "England and region: the latest figures DfE had released by the month's end (each publication's own date).",
    ]
    differences = [
        str(named_difference(r.indicator))
        for block in rows.values()
        for r in block
        if r.indicator.benchmark_difference and MEASURED_DIFFERENTLY in r.england
    ]
    if differences:
        notes.append(
            "England and region measured differently from the monthly figure: " + " ".join(differences)
        )
    if any(r.not_assessed for block in rows.values() for r in block):
        notes.append(
            f"{NOT_ASSESSED_SHORT}: too few published monthly figures (fewer than "
            f"{data.config.spc.minimum_baseline_points}, or most of them resting on 1 to 5 children), so no variation "
            "or assurance is read from the chart, as in the quarterly report."
        )
    if any(r.figure == "c" for block in rows.values() for r in block):
        notes.append(SUPPRESSED_FOOTNOTE)
    paragraphs = "".join(f'<p class="dash-note">{_cell(n)}</p>' for n in notes)
    return (
        '<div class="mdc-dashboard"><section class="dash-key" aria-labelledby="dash-key">'
        f'<h2 id="dash-key">Key and method</h2><ul class="dash-legend">{items}</ul>{paragraphs}</section></div>'
    )


def _not_assessed(row: IndicatorRow) -> str:
    """The reports' words for an indicator whose monthly chart is not read (too few published figures), short: the
    key says why."""
    return f'<span class="assurance-words">{_cell(NOT_ASSESSED_SHORT)}</span>' if row.not_assessed else ""


def _assurance_words(assurance: str | None) -> str:
    """Words where Making Data Count draws no assurance icon: no target (a dash), or a process that has just
    changed, which the quarterly report also calls "cannot be judged" (:data:`analysis.products.presentation.ASSURANCE_LABELS`).
    """
    if assurance not in ASSURANCE_LABELS:
        return "–"
    words = ASSURANCE_LABELS[assurance][1].split(";")[0]
    return f'<span class="assurance-words">{_cell(words)}</span>'
