"""How every report says things: the status labels (symbol and words), the suppression symbol and its footnote,
accessible HTML tables, Markdown headings and raw HTML blocks for both renderers, and the demonstration-data banner.

Readers are councillors and Improvement Board members: plain English, few words, symbols always with words
(e.g. "▲ Improvement"), suppressed figures as "c". Headings are returned as Markdown (``# ...``) so that both
renderers (nbconvert and Quarto) turn them into ``<h1>`` to ``<h4>`` elements and the table of contents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from IPython.display import Markdown

from analysis.config import ProjectConfig
from analysis.config_indicators import Indicator
from analysis.methods.exception_finder import OVERDUE
from analysis.methods.quarters import Quarter
from analysis.products.html_pages import raw_html_markdown
from analysis.safe_text import html_text
from analysis.units import format_number

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
#: An action the analysis stage found overdue (``overdue`` among its exception's reasons): shown so, whatever the
#: tracker last said, with what it last said in words (issue 22, point 2).
OVERDUE_LABEL: tuple[str, str] = ("⚠", "Overdue")
SUPPRESSED = "c"
SUPPRESSED_FOOTNOTE = (
    "c: not published because the number behind it is between 1 and 5 (to protect children's privacy)."
)
NOT_AVAILABLE = "not available"
DEMO_BANNER = "Synthetic demonstration data"
STATUS_ATTENTION = "Needs attention"
STATUS_OK = "No exceptions"


# ------------------------------------------------------------------------------------------- small parts
def overdue_action_ids(exceptions: pd.DataFrame, quarter_label: str) -> set[str]:
    """The actions the analysis stage found overdue at the quarter's end: a selection of the stored exception rows
    (kind ``action`` with ``overdue`` among their ``reason_codes``, :mod:`analysis.methods.exception_finder`)."""
    rows = exceptions.loc[(exceptions["quarter"] == quarter_label) & (exceptions["kind"] == "action")]
    return {
        str(item)
        for item, codes in zip(rows["item_id"], rows["reason_codes"], strict=True)
        if OVERDUE in str(codes).split(",")
    }


def action_status_text(status: object, due_date: object, *, overdue: bool) -> str:
    """An action's status as a reader sees it, never contradicting why it is an exception.

    ``⚠ Overdue (due 30 June 2015; last reported on track)`` for an overdue action; otherwise the tracker's status
    as symbol and words (``● On track``).
    """
    if not overdue:
        return status_label(status, ACTION_STATUS_LABELS)
    symbol, words = OVERDUE_LABEL
    due = pd.Timestamp(due_date)
    last = ACTION_STATUS_LABELS.get(str(status), ("", str(status)))[1].lower()
    return f"{symbol} {words} (due {due.day} {due:%B %Y}; last reported {last})"


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
    head = "".join(f'<th scope="col">{html_text(str(c))}</th>' for c in frame.columns)
    classes = {frame.columns.get_loc(k): v for k, v in (cell_classes or {}).items() if k in frame.columns}
    body = []
    for number, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for position, value in enumerate(row):
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            text = html_text(text).replace("\n", "<br>")
            attribute = f' class="{html_text(classes[position][number])}"' if position in classes else ""
            if position == 0 and row_header:
                cells.append(f'<th scope="row"{attribute}>{text}</th>')
            else:
                cells.append(f"<td{attribute}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    notes = "".join(f'<p class="table-note">{html_text(n)}</p>' for n in footnotes)
    return (
        # a scrolling region must be reachable by keyboard (WCAG 2.1.1; axe ``scrollable-region-focusable``)
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{html_text(caption)}">'
        f'<table class="{" ".join(["report-table", css_class]).strip()}" '
        'data-quarto-disable-processing="true">'
        f"<caption>{html_text(caption)}</caption><thead><tr>{head}</tr></thead>"
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


def status_class(status: str) -> str:
    """The colour of a theme's status: ``status-attention`` when it has exceptions, else ``status-ok``."""
    return (
        "status status-ok" if status.startswith(("No exceptions", STATUS_OK)) else "status status-attention"
    )


def theme_statuses(
    config: ProjectConfig, exceptions: pd.DataFrame, quarter: Quarter
) -> list[tuple[str, str, str]]:
    """Each theme's status for the index page: (theme label, status in words, its CSS class).

    Here, beside the status words, not with the quarterly report's sections: the run writes the index in its own
    process, which then needs no chart library loaded for it (0.4 s at the end of every run; issue 21).
    """
    this_quarter = exceptions.loc[exceptions["quarter"] == quarter.label]
    statuses = []
    for theme in config.plan.themes:
        n = int((this_quarter["theme"] == theme.number).sum())
        words = f"{STATUS_ATTENTION}: {n} exception{'s' if n != 1 else ''}" if n else STATUS_OK
        statuses.append((theme.label, words, status_class(words)))
    return statuses


def demo_banner_html(config: ProjectConfig) -> str:
    """The synthetic-data banner, or nothing for real data."""
    if not config.authority.demo:
        return ""
    return (
        f'<p class="demo-banner" role="note"><strong>{DEMO_BANNER}</strong>: every figure in this report is '
        "made up for demonstration. It describes no real child or council.</p>"
    )
