"""The quarterly report's own parts: the summary by theme, the first screen (status at a glance, headline figures),
each theme's section (priorities, actions, commentary, indicators and charts) and each theme's status for the index page.
"""

from __future__ import annotations

import pandas as pd

from analysis.config_plan import Theme
from analysis.methods.exception_finder import OVERDUE
from analysis.products.exception_report import exception_headline
from analysis.products.indicator_charts import indicator_figures, no_monthly_chart_reason
from analysis.products.indicator_tables import (
    difference_notes,
    indicator_table,
    indicators_table,
    releases_footnote,
    table_footnotes,
)
from analysis.products.presentation import (
    OVERDUE_LABEL,
    STATUS_ATTENTION,
    STATUS_OK,
    action_status_text,
    heading,
    html_block,
    markdown,
    overdue_action_ids,
    status_class,
    table_html,
    theme_statuses,
)
from analysis.products.report_data import ReportData, commentary_text
from analysis.products.row_reading import mixed_signal_notes
from analysis.safe_text import commentary_html, html_text, markdown_text

#: What the summary counts for an indicator without an SPC reading (the theme table's "Not assessed").
NOT_ASSESSED_READING = "not_assessed"


# ---------------------------------------------------------------------------------------------- summary
def theme_summary(data: ReportData, *, top_exceptions: int) -> pd.DataFrame:
    """One row per theme: aim, status line, indicators by variation, actions by status, top exceptions.

    Every indicator of the theme's table and every action of its actions table is counted once, so each
    count adds up to the rows it summarises: an indicator without an SPC reading is "not assessed" (never stable),
    an action the analysis found overdue is "overdue" whatever the tracker last said (issue 18, issue 22 point 2).

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
    exceptions = data.exceptions.loc[data.exceptions["quarter"] == data.quarter.label]
    overdue = overdue_action_ids(data.exceptions, data.quarter.label)
    rows = []
    for theme in data.config.plan.themes:
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
                "Indicators": _count_lines(_indicator_readings(data, theme.number), INDICATOR_COUNTS),
                "Actions": _count_lines(_action_readings(data.actions, theme.number, overdue), ACTION_COUNTS),
                "Top exceptions": "\n".join(named) if named else "None",
            }
        )
    return pd.DataFrame(rows)


#: The summary's lines for indicators: (symbol, words, the readings counted); the first three always shown.
INDICATOR_COUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("▲", "improving", ("improvement",)),
    ("▼", "concerning", ("concern",)),
    ("●", "stable", ("common_cause",)),
    ("◆", "unusual change", ("neutral",)),
    ("–", "not assessed", (NOT_ASSESSED_READING,)),
)
#: The summary's lines for actions, each action in one line (overdue first: it decides over the tracker's status).
ACTION_COUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("●", "on track or complete", ("on_track", "complete")),
    ("✖", "off track or at risk", ("off_track", "at_risk")),
    (*OVERDUE_LABEL[:1], "overdue", (OVERDUE,)),
    ("○", "not started", ("not_started",)),
)


def _indicator_readings(data: ReportData, theme: int) -> list[str]:
    """Each indicator of the theme's table: its variation, or "not assessed" where the table says so."""
    summary = data.spc_summary.set_index("indicator_id")
    readings = []
    for indicator in data.config.indicators_for_theme(theme):
        assessed = indicator.id in summary.index and no_monthly_chart_reason(data, indicator) is None
        readings.append(str(summary.loc[indicator.id, "variation"]) if assessed else NOT_ASSESSED_READING)
    return readings


def _action_readings(actions: pd.DataFrame, theme: int, overdue: set[str]) -> list[str]:
    """Each action of the theme: ``overdue`` when the analysis found it so, else the tracker's status."""
    rows = actions.loc[actions["theme"] == theme]
    return [
        OVERDUE if str(ref) in overdue else str(status)
        for ref, status in zip(rows["action_id"], rows["status"], strict=True)
    ]


def _count_lines(readings: list[str], lines: tuple[tuple[str, str, tuple[str, ...]], ...]) -> str:
    """One line per kind (the first three always, others when some row has them); any other reading is counted
    as "other" so that the lines always add up to the rows."""
    counted = [sum(r in codes for r in readings) for _, _, codes in lines]
    shown = [
        f"{symbol} {n} {words}"
        for i, ((symbol, words, _), n) in enumerate(zip(lines, counted, strict=True))
        if i < 3 or n
    ]
    other = len(readings) - sum(counted)
    if other:
        shown.append(f"{other} other")
    return "\n".join(shown)


# ---------------------------------------------------------------------------------------------- themes
def actions_table(
    actions: pd.DataFrame, theme: int, overdue: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    """A theme's actions: reference, action, lead, due date, status (symbol and words), latest update.

    ``overdue`` holds the actions the analysis found overdue (:func:`overdue_action_ids`): their status reads
    "Overdue (due ...; last reported ...)", never "On track" beside an overdue exception.
    """
    rows = actions.loc[actions["theme"] == theme]
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: _action_order(rows["action_id"].iloc[i]))]
    return pd.DataFrame(
        {
            "Ref": rows["action_id"],
            "Action": rows["action"],
            "Lead": rows["lead"].fillna("–"),
            "Due": [f"{d:%b %Y}" if pd.notna(d) else "–" for d in rows["due_date"]],
            "Status": [
                action_status_text(status, due, overdue=str(ref) in overdue)
                for ref, status, due in zip(rows["action_id"], rows["status"], rows["due_date"], strict=True)
            ],
            "Latest update": rows["latest_update"].fillna("–"),
        }
    ).reset_index(drop=True)


def _action_order(action_id: str) -> tuple[int, ...]:
    """``1.10`` after ``1.9``: action references sort by their numbers."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(action_id).split("."))


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
    actions = actions_table(
        data.actions, theme.number, overdue_action_ids(data.exceptions, data.quarter.label)
    )
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
                footnotes=[
                    *difference_notes(data, indicators),
                    *mixed_signal_notes(data, indicators),
                    *table_footnotes(table),
                    *([releases] if releases else []),
                ],
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
        footnotes=[
            *difference_notes(data, headline),
            *table_footnotes(table),
            *([releases] if releases else []),
        ],
    )


def at_a_glance_html(data: ReportData) -> str:
    """The first screen's answer to "how are we doing?": each theme's status in colour and words, in one list."""
    statuses = theme_statuses(data.config, data.exceptions, data.quarter)
    items = "".join(
        f'<li><span class="glance-theme">{html_text(label)}</span> '
        f'<span class="{html_text(css)}">{html_text(words)}</span></li>'
        for label, words, css in statuses
    )
    return f'<ul class="at-a-glance" aria-label="Status of each theme, {html_text(data.quarter.name)}">{items}</ul>'
